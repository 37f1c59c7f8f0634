"""Proximity operations: objects that come and stay close to an asset on purpose.

Assets (NORAD ids, e.g. the ``ssa.respond`` asset registry) are screened against the
whole catalogue with ``ssa.screen.screen(..., primaries=assets)`` at a distance per
regime of the asset (``DEFAULT_DISTANCE_KM``: tens of km in GEO, less in LEO). A
pair within that distance is a proximity operation when the other object

- stays within it for ``min_stay_s`` or longer without a break ("stays"), or
- comes back: ``min_returns`` or more separate approaches, each slower than
  ``slow_km_s`` at closest approach (co-orbital, not a crossing orbit) ("returns"), or
- approaches slower than ``slow_km_s`` within ``after_manoeuvre_days`` of one of its
  manoeuvres (``ssa.detect.manoeuvre``; pass them as ``manoeuvres``) ("slow_after_manoeuvre").

Objects declared to fly together (``together``: docked vehicles, formations) are
not incidents. Each operation carries the range, relative speed and the other
object's position in the asset's radial / in-track / cross-track frame (km) on a
grid of ``step_s``. The propagation and screening are ``ssa.propagate`` and
``ssa.screen``'s numba kernels; what is left per pair is a few thousand samples.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from ssa.catalog.model import Catalog
from ssa.constants import MINUTES_PER_DAY, SECONDS_PER_DAY

DEFAULT_DISTANCE_KM = {"leo": 10.0, "meo": 25.0, "geo": 50.0}
REGIMES = tuple(DEFAULT_DISTANCE_KM)
TIMELINE_DTYPE = np.dtype([("t_s", "f8"), ("range_km", "f8"), ("relative_speed_km_s", "f8"),
                           ("radial_km", "f8"), ("in_track_km", "f8"), ("cross_track_km", "f8")])


def regime(no_kozai_rad_min: float, ecco: float) -> str:
    """"leo" (>= 11.25 rev/day), "geo" (0.9-1.1 rev/day, e < 0.1) or "meo" (everything else)."""
    rev_day = no_kozai_rad_min * MINUTES_PER_DAY / (2.0 * math.pi)
    if rev_day >= 11.25:
        return "leo"
    if 0.9 <= rev_day <= 1.1 and ecco < 0.1:
        return "geo"
    return "meo"


@dataclass
class ProximityOperation:
    """An object near an asset: why it counts, when closest, and its timeline (TIMELINE_DTYPE)."""

    asset_norad_id: int
    asset_name: str
    norad_id: int
    name: str
    owner: str
    object_type: str
    regime: str
    distance_km: float  # the proximity distance used
    reasons: tuple[str, ...]  # "stays", "returns", "slow_after_manoeuvre"
    closest: datetime  # UTC
    min_range_km: float
    relative_speed_km_s: float  # at the closest approach
    longest_stay_s: float  # longest time within distance_km without a break (sampled every step_s)
    approaches: int  # separate approaches within distance_km
    start: datetime  # UTC, t_s = 0 of the timeline
    timeline: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        return {
            "asset_norad_id": self.asset_norad_id, "asset_name": self.asset_name, "norad_id": self.norad_id,
            "name": self.name, "owner": self.owner, "object_type": self.object_type, "regime": self.regime,
            "distance_km": self.distance_km, "reasons": list(self.reasons),
            "closest": self.closest.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "min_range_km": round(self.min_range_km, 4), "relative_speed_km_s": round(self.relative_speed_km_s, 6),
            "longest_stay_h": round(self.longest_stay_s / 3600.0, 3), "approaches": self.approaches,
            "timeline_start": self.start.isoformat() + "Z",
            # JSON has no NaN: a sample where SGP4 failed is null
            "timeline": {name: [None if math.isnan(x) else x for x in np.round(self.timeline[name], 4).tolist()]
                         for name in TIMELINE_DTYPE.names},
        }


def _longest_run(inside: np.ndarray, step_s: float) -> float:
    """Longest run of True samples, seconds (a run of k samples spans (k - 1) steps)."""
    best = run = 0
    for flag in inside:
        run = run + 1 if flag else 0
        best = max(best, run)
    return max(0, best - 1) * step_s


def detect_proximity(catalog: Catalog, assets, start, days: float = 7.0, distance_km: dict | None = None,
                     min_stay_s: float = 1800.0, min_returns: int = 3, slow_km_s: float = 0.05,
                     together=(), manoeuvres: dict | None = None, after_manoeuvre_days: float = 7.0,
                     step_s: float = 60.0) -> tuple[list[ProximityOperation], list[str]]:
    """Proximity operations near ``assets`` (NORAD ids) in [start, start + days]; see the module.

    ``distance_km``: per regime ("leo", "meo", "geo"), km; ``together``: sets of NORAD ids that fly
    together (pairs within one set are skipped); ``manoeuvres``: NORAD id -> UTC datetimes of its
    manoeuvres. Returns (operations sorted by asset then closest range, notes).
    """
    from ssa.propagate import propagate
    from ssa.screen import run_screen
    from ssa.screen.engine import to_julian
    from ssa.screen.table import jd_to_datetime64, rtn_miss

    distances = {**DEFAULT_DISTANCE_KM, **(distance_km or {})}
    unknown = set(distances) - set(REGIMES)
    if unknown:
        raise ValueError(f"distance_km: unknown regime(s) {sorted(unknown)}; use {list(REGIMES)}")
    groups = [frozenset(int(n) for n in g) for g in together]
    start_jd, start_fr = to_julian(start)
    start_dt = jd_to_datetime64(np.array([start_jd]), np.array([start_fr]))[0].astype("datetime64[us]").item()
    wanted = {int(n) for n in assets}
    present = {int(n): i for i, n in enumerate(catalog.norad_id)}
    notes = [f"asset {n} is not in the catalogue" for n in sorted(wanted - set(present))]
    by_regime: dict[str, list[int]] = {}
    for n in sorted(wanted & set(present)):
        i = present[n]
        by_regime.setdefault(regime(catalog.no_kozai[i], catalog.ecco[i]), []).append(n)
    n_steps = max(1, int(math.ceil(days * SECONDS_PER_DAY / step_s - 1e-9)))
    t = np.linspace(0.0, days * SECONDS_PER_DAY, n_steps + 1)
    step = t[1] - t[0]
    operations, seen = [], set()
    for reg, ids in by_regime.items():
        dist = distances[reg]
        result = run_screen(catalog, start, days, dist, primaries=ids)
        notes += result.notes
        rows = result.conjunctions
        pairs: dict[tuple[int, int], list] = {}
        for row in rows:
            a, b = int(row["norad_id_1"]), int(row["norad_id_2"])
            asset, other = (a, b) if a in ids else (b, a)
            if any(asset in g and other in g for g in groups):
                continue
            pairs.setdefault((asset, other), []).append(row)
        for (asset, other), found in pairs.items():
            if (other, asset) in seen:
                continue
            seen.add((asset, other))
            ia, io = present[asset], present[other]
            err, r, v = propagate(catalog.take([ia, io]), np.full(len(t), start_jd), start_fr + t / SECONDS_PER_DAY)
            ok = (err[0] == 0) & (err[1] == 0)
            rel = r[1] - r[0]
            rng = np.where(ok, np.linalg.norm(rel, axis=-1), np.nan)
            speed = np.where(ok, np.linalg.norm(v[1] - v[0], axis=-1), np.nan)
            rtn = np.where(ok[:, None], rtn_miss(r[0], v[0], r[1]), np.nan)  # no frame where SGP4 failed
            timeline = np.zeros(len(t), TIMELINE_DTYPE)
            timeline["t_s"], timeline["range_km"], timeline["relative_speed_km_s"] = t, rng, speed
            timeline["radial_km"], timeline["in_track_km"], timeline["cross_track_km"] = rtn.T
            stay = max(_longest_run(rng <= dist, step),
                       min_stay_s if any(bool(x["persistent"]) for x in found) else 0.0)
            crossings = [x for x in found if not x["persistent"]]
            slow = [x for x in crossings if x["relative_speed_km_s"] <= slow_km_s]
            reasons = []
            if stay >= min_stay_s:
                reasons.append("stays")
            if len(slow) >= min_returns:
                reasons.append("returns")
            burns = (manoeuvres or {}).get(other, ())
            for x in slow:
                tca = x["tca"].astype("datetime64[us]").item()
                if any(timedelta(0) <= tca - b <= timedelta(days=after_manoeuvre_days) for b in burns):
                    reasons.append("slow_after_manoeuvre")
                    break
            if not reasons:
                continue
            closest = min(found, key=lambda x: float(x["range_km"]))
            operations.append(ProximityOperation(
                asset_norad_id=asset, asset_name=str(catalog.name[ia]), norad_id=other, name=str(catalog.name[io]),
                owner=str(catalog.owner[io]), object_type=str(catalog.object_type[io]), regime=reg,
                distance_km=dist, reasons=tuple(reasons), closest=closest["tca"].astype("datetime64[us]").item(),
                min_range_km=float(closest["range_km"]), relative_speed_km_s=float(closest["relative_speed_km_s"]),
                longest_stay_s=float(stay), approaches=len(crossings) + (1 if len(crossings) < len(found) else 0),
                start=start_dt, timeline=timeline))
    operations.sort(key=lambda op: (op.asset_norad_id, op.min_range_km))
    return operations, notes


def proximity_png(op: ProximityOperation, path: Path) -> None:
    """Range and relative speed over time, and the other object's track in the asset's
    radial / in-track plane (km), coloured by time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tl = op.timeline
    hours = tl["t_s"] / 3600.0
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax1.plot(hours, tl["range_km"], color="tab:red", label="range (km)")
    ax1.axhline(op.distance_km, color="grey", linestyle=":", label=f"proximity distance {op.distance_km:g} km")
    ax1.set_xlabel(f"hours from {op.start:%Y-%m-%d %H:%M} UTC")
    ax1.set_ylabel("range, km")
    ax1.set_yscale("log")
    twin = ax1.twinx()
    twin.plot(hours, tl["relative_speed_km_s"] * 1000.0, color="tab:blue", linewidth=0.8)
    twin.set_ylabel("relative speed, m/s", color="tab:blue")
    ax1.legend(loc="upper left", fontsize=8)
    near = tl["range_km"] <= 5 * op.distance_km
    points = ax2.scatter(tl["in_track_km"][near], tl["radial_km"][near], c=hours[near], s=4, cmap="viridis")
    ax2.plot([0], [0], marker="*", color="black", markersize=12)
    ax2.set_xlabel("in-track, km")
    ax2.set_ylabel("radial, km")
    ax2.set_title("in the asset's frame (asset at the star)", fontsize=9)
    fig.colorbar(points, ax=ax2, label="hours")
    fig.suptitle(f"{op.name} ({op.norad_id}) near {op.asset_name} ({op.asset_norad_id}): {', '.join(op.reasons)}; "
                 f"closest {op.min_range_km:.2f} km at {op.closest:%Y-%m-%d %H:%M} UTC", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
