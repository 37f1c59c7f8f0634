"""Fragmentations and ASAT tests between two catalogue versions.

Method (``detect_fragmentations(old, new)``):

1. New pieces: objects of ``new`` that ``old`` lacks, whose catalogue number
   is above the highest of ``old`` below the analyst range (80000), i.e. newly
   catalogued, not re-acquired, and whose SATCAT type is not a payload or
   rocket body (deployed satellites are not fragments). Grouped by launch (COSPAR year and launch
   number, "1982-092"); a launch with a known object in ``old`` and at least
   ``min_pieces`` new pieces is a cluster: a fragmentation of one of its known
   objects (the parent). New launches are not fragmentations.
2. Event time: the parent's last element set before the event (``old``, or the
   ``parents`` catalogue) and each fragment's element set (``new``) are
   propagated with SGP4 over ``search_days`` after the parent's epoch; the
   cloud's spread is the median distance of the fragments to the parent (TEME,
   km). Its minimum is the event time, the parent's position then the place.
   The uncertainty: the event window, where the spread stays within 10 % of
   its minimum, widened by the standard deviation of the minimum's time over
   bootstrap resamples of the fragments. The event counts as found only when
   the cloud converges: minimum spread at most ``converge_ratio`` times the
   window's median spread (fragments spread along the orbit within days)
   and its window is at most ``max_window_h`` (24 h) wide, and only for
   clusters of at least ``min_timed_pieces`` (30): between the Space-Track
   snapshots of 2021-05-29 and 2022-01-22, clusters of 5 to 21 pieces and a
   parent element set months before the event gave spurious minima down to
   0.23 of the median spread.
   With several known objects of the launch, the parent is the one the cloud
   converges on best (those closest in orbit to the fragments tried first).
3. Class: ``collision`` when ``ssa.screen`` finds a conjunction of the parent
   with another object of ``old`` within ``collision_km`` in the event window
   (high confidence when the partner's own cloud converges on that conjunction
   too); otherwise ``possible_asat_test`` when the parent
   is an intact payload (SATCAT type PAY) and ``explosion`` when it is a rocket
   body or debris; ``unclassified`` without an event time. ``confidence`` (high, medium, low) and ``reasons`` say how
   sure: no conjunction is only ruled out against the objects of ``old``, and
   without an event time it cannot be ruled out at all; an ASAT test and a
   payload's own explosion look alike in the catalogue.

Propagation errors of the fragments' element sets grow with the time between
their epochs and the event (SGP4's along-track error for debris, hundreds of km
after months), so the spread at the event is tens to thousands of km, and the
event time is uncertain by minutes to an hour.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from ssa.catalog.model import Catalog
from ssa.catalog.summary import perigee_apogee_altitude_km, semi_major_axis_km
from ssa.constants import SECONDS_PER_DAY, WGS84_FLATTENING, WGS84_RADIUS_KM
from ssa.detect.fragmentation_kernels import cloud_distances, cloud_distances_reference
from ssa.fileio import atomic_path
from ssa.propagate import init_params, propagate
from ssa.timeutil import jd_to_datetime

ANALYST_MIN = 80000  # NORAD numbers 80000-89999 are analyst objects, not catalogued pieces
DEBRIS_TYPES = ("DEB", "R/B")


@dataclass
class Fragmentation:
    """One debris-generating event: a cluster of new pieces of one launch and its parent.

    Times UTC; ``event_position_km`` the parent's TEME position at the event;
    ``spread_km`` the median fragment-to-parent distance then.
    """

    launch: str  # COSPAR year and launch number, "1982-092"
    parent_norad_id: int
    parent_name: str
    parent_object_id: str
    parent_type: str  # SATCAT type, "" unknown
    parent_owner: str
    parent_status: str  # "vanished", "orbit changed", "unchanged"
    fragment_ids: list[int]
    event_time: datetime | None = None
    event_sigma_s: float | None = None  # bootstrap std of the spread's minimum
    event_window: tuple[datetime, datetime] | None = None  # where the spread is within 10 % of its minimum
    event_position_km: tuple[float, float, float] | None = None
    event_lat_deg: float | None = None  # the parent's geodetic (WGS-84) place at the event
    event_lon_deg: float | None = None
    event_alt_km: float | None = None
    spread_km: float | None = None
    converge_ratio: float | None = None  # minimum spread / window's median spread
    classification: str = "unclassified"  # collision, explosion, possible_asat_test, unclassified (no event time)
    confidence: str = "low"
    reasons: list[str] = field(default_factory=list)
    partner_norad_id: int | None = None
    partner_name: str = ""
    partner_owner: str = ""
    partner_type: str = ""
    conjunction_tca: datetime | None = None
    conjunction_range_km: float | None = None

    @property
    def n_fragments(self) -> int:
        return len(self.fragment_ids)

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["n_fragments"] = self.n_fragments
        for key in ("event_time", "conjunction_tca"):
            out[key] = _iso(out[key])
        if self.event_window is not None:
            out["event_window"] = [_iso(t) for t in self.event_window]
        return out


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


def launch_of(object_id: str) -> str:
    """'1982-092' from a COSPAR designator '1982-092A'; '' when it has none."""
    if len(object_id) >= 8 and object_id[4] == "-" and object_id[:4].isdigit() and object_id[5:8].isdigit():
        return object_id[:8]
    return ""


def new_piece_clusters(old: Catalog, new: Catalog, min_pieces: int = 3) -> dict[str, np.ndarray]:
    """Launch -> row indices in ``new`` of its newly catalogued pieces, for launches
    with a known object in ``old`` and at least ``min_pieces`` new pieces."""
    old_ids = set(old.norad_id.tolist())
    catalogued = old.norad_id[old.norad_id < ANALYST_MIN]
    highest_old = int(catalogued.max()) if len(catalogued) else 0
    known_launches = {launch_of(o) for o in old.object_id} - {""}
    groups = defaultdict(list)
    for i, (norad, object_id) in enumerate(zip(new.norad_id.tolist(), new.object_id)):
        launch = launch_of(object_id)
        if (norad not in old_ids and highest_old < norad < ANALYST_MIN and launch in known_launches
                and new.object_type[i] not in ("PAY", "R/B")):
            groups[launch].append(i)
    return {launch: np.array(rows) for launch, rows in sorted(groups.items()) if len(rows) >= min_pieces}


def cloud_spread(fragments: Catalog, parent: Catalog, jd: np.ndarray,
                 reference: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(distances (n_frag, n_time) km, median spread (n_time,) km) at UTC Julian dates jd;
    a fragment or parent that SGP4 cannot propagate is infinitely far (inf, not NaN:
    numpy's median is fast, its nanmedian not). ``reference``: with the plain-numpy
    reference instead of the numba kernel."""
    jd = np.ascontiguousarray(jd, dtype=np.float64)
    whole = np.floor(jd - 0.5) + 0.5
    if reference:
        out = cloud_distances_reference(fragments, parent, whole, jd - whole)
    else:
        out = np.empty((len(fragments), len(jd)))
        cloud_distances(init_params(fragments), init_params(parent)[0], whole, jd - whole, out)
    out[np.isnan(out)] = np.inf
    return out, np.median(out, axis=0)


def _bootstrap_sigma_s(dist: np.ndarray, jd: np.ndarray, rng: np.random.Generator, n_boot: int = 200) -> float:
    """Std of the spread's argmin time (s) over bootstrap resamples of the fragments."""
    n = dist.shape[0]
    times = np.empty(n_boot)
    for b in range(n_boot):
        spread = np.median(dist[rng.integers(0, n, n)], axis=0)
        times[b] = jd[np.argmin(spread)]
    return float(np.std(times) * SECONDS_PER_DAY)


def event_time(fragments: Catalog, parent: Catalog, search_days: float = 7.0, step_s: float = 60.0,
               within: float = 0.1, seed: int = 0, reference: bool = False) -> dict:
    """When the cloud converges on the parent, searched from the parent's epoch over
    ``search_days`` (capped at the first fragment's epoch). Returns jd (UTC) of the
    spread's minimum, window (jd, jd): the interval around it where the spread stays
    within ``within`` (10 %) of the minimum, widened by sigma_s (bootstrap, s);
    spread_km, converge_ratio and position_km (parent, TEME) at jd."""
    start = float(parent.epoch_jd[0] + parent.epoch_fr[0])
    first_fragment = float(np.min(fragments.epoch_jd + fragments.epoch_fr))
    end = min(start + search_days, max(first_fragment, start + step_s / SECONDS_PER_DAY * 2))
    coarse = np.arange(start, end, step_s / SECONDS_PER_DAY)
    _dist, spread = cloud_spread(fragments, parent, coarse, reference)
    k = int(np.argmin(spread))
    low = spread <= spread[k] * (1.0 + within)
    lo, hi = k, k
    while lo > 0 and low[lo - 1]:
        lo -= 1
    while hi < len(low) - 1 and low[hi + 1]:
        hi += 1
    fine = coarse[k] + np.arange(-1800.0, 1800.0 + 1, 10.0) / SECONDS_PER_DAY
    fine = fine[fine >= start]
    dist, fine_spread = cloud_spread(fragments, parent, fine, reference)
    j = int(np.argmin(fine_spread))
    sigma = max(_bootstrap_sigma_s(dist, fine, np.random.default_rng(seed)), step_s)
    whole = math.floor(fine[j] - 0.5) + 0.5
    _e, r, _v = propagate(parent, whole, fine[j] - whole)
    return {"jd": float(fine[j]), "sigma_s": sigma,
            "window": (min(coarse[lo], fine[j]) - sigma / SECONDS_PER_DAY,
                       max(coarse[hi], fine[j]) + sigma / SECONDS_PER_DAY),
            "spread_km": float(fine_spread[j]), "converge_ratio": float(fine_spread[j] / np.median(spread)),
            "position_km": tuple(float(x) for x in r[0, 0])}


def _aware_utc(jd: float) -> datetime:
    """A one-part UTC Julian date as an aware UTC datetime (to the microsecond)."""
    return jd_to_datetime(jd, 0.0).replace(tzinfo=UTC)


def _is_debris(catalog: Catalog, i: int) -> bool:
    kind = str(catalog.object_type[i])
    if kind:
        return kind in DEBRIS_TYPES
    name = str(catalog.name[i]).upper()
    return " DEB" in name or "R/B" in name


def _parent_candidates(old: Catalog, launch: str, fragments: Catalog, limit: int) -> list[int]:
    """Rows of ``old`` of the launch, closest in orbit to the fragments' median first
    (|di| rad + |da|/a + |de|; debris 0.02 behind an intact object)."""
    rows = np.array([i for i, o in enumerate(old.object_id) if launch_of(o) == launch])
    a_frag = float(np.median(semi_major_axis_km(fragments.no_kozai)))
    distance = (np.abs(old.inclo[rows] - np.median(fragments.inclo))
                + np.abs(semi_major_axis_km(old.no_kozai[rows]) - a_frag) / a_frag
                + np.abs(old.ecco[rows] - np.median(fragments.ecco))
                + 0.02 * np.array([_is_debris(old, i) for i in rows]))
    return [int(i) for i in rows[np.argsort(distance, kind="stable")][:limit]]


def _parent_status(old: Catalog, new: Catalog, i_old: int) -> str:
    norad = int(old.norad_id[i_old])
    where = np.flatnonzero(new.norad_id == norad)
    if not len(where):
        return "vanished"
    a_old = semi_major_axis_km(old.no_kozai[i_old])
    a_new = semi_major_axis_km(new.no_kozai[where[0]])
    changed = abs(a_new - a_old) > 5.0 or abs(float(new.ecco[where[0]] - old.ecco[i_old])) > 5e-4
    return "orbit changed" if changed else "unchanged"


def geodetic(r_teme_km, when: datetime) -> tuple[float, float, float]:
    """(latitude deg, longitude deg, altitude km), WGS-84, of a TEME position (km) at UTC ``when``."""
    from ssa.assess.frames import convert

    x, y, z = convert(r_teme_km, np.zeros(3), "TEME", "ITRF", when)[0]
    a, f = WGS84_RADIUS_KM, WGS84_FLATTENING
    e2 = f * (2.0 - f)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1.0 - e2))
    for _ in range(6):
        n = a / math.sqrt(1.0 - e2 * math.sin(lat) ** 2)
        alt = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1.0 - e2 * n / (n + alt)))
    return math.degrees(lat), math.degrees(math.atan2(y, x)), alt


def gabbard(catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(period min, apogee altitude km, perigee altitude km) of each object (mean elements)."""
    perigee, apogee = perigee_apogee_altitude_km(catalog.no_kozai, catalog.ecco)
    return 2.0 * np.pi / np.asarray(catalog.no_kozai), apogee, perigee


def _merge_parents(old: Catalog, parents: Catalog | None) -> Catalog:
    """``old`` with the ``parents`` element sets in place of (or beside) its own."""
    if parents is None or not len(parents):
        return old
    keep = ~np.isin(old.norad_id, parents.norad_id)
    columns = {}
    for name in Catalog.array_fields():
        a, b = getattr(old, name), getattr(parents, name)
        if a is None or b is None:
            columns[name] = None
        else:
            columns[name] = np.concatenate([a[keep], b])
    return Catalog(**columns, rejected=old.rejected + parents.rejected, notes=old.notes + parents.notes)


def _classify(event: Fragmentation, old: Catalog, i_parent: int, collision_km: float) -> None:
    payload = str(old.object_type[i_parent]) == "PAY" or (not old.object_type[i_parent]
                                                          and not _is_debris(old, i_parent))
    if event.event_time is None:
        event.classification = "unclassified"
        event.confidence = "low"
        event.reasons.append("no event time (see the other reasons, or the cloud does not converge on the "
                             "parent's last element set), so no conjunction could be looked for and the cause "
                             f"is open (the parent is {'an intact payload' if payload else 'a rocket body or debris'})")
        return
    from ssa.screen import screen

    start, end = event.event_window
    table = screen(old, start, days=(end - start).total_seconds() / SECONDS_PER_DAY, threshold_km=collision_km,
                   primaries=[event.parent_norad_id])
    rows = [row for row in table if not row["persistent"]]
    if rows:
        row = min(rows, key=lambda r: r["range_km"])
        other = 2 if int(row["norad_id_1"]) == event.parent_norad_id else 1
        event.partner_norad_id = int(row[f"norad_id_{other}"])
        event.partner_name = str(row[f"name_{other}"])
        j = int(old.index_of([event.partner_norad_id])[0])
        event.partner_owner, event.partner_type = str(old.owner[j]), str(old.object_type[j])
        event.conjunction_tca = row["tca"].astype("datetime64[us]").item().replace(tzinfo=UTC)
        event.conjunction_range_km = float(row["range_km"])
        offset_min = (event.conjunction_tca - event.event_time).total_seconds() / 60.0
        event.classification = "collision"
        event.confidence = "medium"
        event.reasons.append(f"conjunction with {event.partner_norad_id} {event.partner_name} at "
                             f"{event.conjunction_tca:%Y-%m-%dT%H:%M:%S}Z, {event.conjunction_range_km:.3f} km, "
                             f"{offset_min:+.0f} min from the spread's minimum, inside the event window")
        return
    event.classification = "possible_asat_test" if payload else "explosion"
    event.confidence = "medium"
    event.reasons.append(f"no conjunction within {collision_km:g} km with any of the {len(old)} objects of the "
                         f"old catalogue in the event window")
    if payload:
        event.reasons.append("the parent was an intact payload: a destructive ASAT test, or the payload's own "
                             "explosion, which the catalogue alone cannot tell apart")


def detect_fragmentations(old: Catalog, new: Catalog, parents: Catalog | None = None, min_pieces: int = 3,
                          search_days: float = 7.0, converge_ratio: float = 0.7, collision_km: float = 5.0,
                          max_candidates: int = 3, max_window_h: float = 24.0,
                          min_timed_pieces: int = 30, reference: bool = False) -> list[Fragmentation]:
    """Fragmentations between catalogue versions ``old`` and ``new`` (see module doc).

    ``reference``: distances from the plain-numpy reference (python-sgp4), for the
    benchmark and the tests.
    ``parents``: the last element sets before the event of objects of ``old``
    (they replace theirs). Sorted by number of fragments, largest first.
    """
    old = _merge_parents(old, parents)
    events = []
    for launch, rows in new_piece_clusters(old, new, min_pieces).items():
        fragments = new.take(rows)
        candidates = _parent_candidates(old, launch, fragments, max_candidates)
        i, found = candidates[0], None
        if len(rows) >= min_timed_pieces:
            for candidate in candidates:
                trial = event_time(fragments, old.take([candidate]), search_days, reference=reference)
                if found is None or trial["converge_ratio"] < found["converge_ratio"]:
                    i, found = candidate, trial
        event = Fragmentation(
            launch=launch, parent_norad_id=int(old.norad_id[i]), parent_name=str(old.name[i]),
            parent_object_id=str(old.object_id[i]), parent_type=str(old.object_type[i]),
            parent_owner=str(old.owner[i]), parent_status=_parent_status(old, new, i),
            fragment_ids=[int(n) for n in fragments.norad_id],
            converge_ratio=None if found is None else found["converge_ratio"],
        )
        if found is None:
            event.reasons.append(f"{len(rows)} new pieces are too few to time the event "
                                 f"(at least {min_timed_pieces})")
        elif (found["converge_ratio"] <= converge_ratio
              and (found["window"][1] - found["window"][0]) * 24.0 <= max_window_h):
            event.event_time = _aware_utc(found["jd"])
            event.event_sigma_s = found["sigma_s"]
            event.event_window = tuple(_aware_utc(t) for t in found["window"])
            event.event_position_km = found["position_km"]
            event.event_lat_deg, event.event_lon_deg, event.event_alt_km = geodetic(
                found["position_km"], event.event_time)
            event.spread_km = found["spread_km"]
        _classify(event, old, i, collision_km)
        events.append(event)
    by_parent = {e.parent_norad_id: e for e in events}
    for event in events:
        partner = by_parent.get(event.partner_norad_id)
        if event.classification == "collision" and partner and partner.partner_norad_id == event.parent_norad_id:
            event.confidence = "high"
            event.reasons.append(f"the partner's own cloud ({partner.launch}, {partner.n_fragments} new pieces) "
                                 "converges on it at the same conjunction")
    return sorted(events, key=lambda e: -e.n_fragments)


def gabbard_png(event: Fragmentation, new: Catalog, path) -> None:
    """Gabbard diagram (apogee and perigee altitude, km, against period, min) of the
    event's fragments in ``new``, parent marked where ``new`` still holds it; PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frags = new.take(new.index_of(event.fragment_ids))
    period, apogee, perigee = gabbard(frags)
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    ax.scatter(period, apogee, s=6, c="tab:red", label="apogee")
    ax.scatter(period, perigee, s=6, c="tab:blue", label="perigee")
    if event.parent_norad_id in set(new.norad_id.tolist()):
        p_period, p_apogee, p_perigee = gabbard(new.take(new.index_of([event.parent_norad_id])))
        ax.scatter(np.r_[p_period, p_period], np.r_[p_apogee, p_perigee], s=60, marker="x", c="k",
                   label=f"parent {event.parent_norad_id}")
    when = "event time unknown" if event.event_time is None else \
        f"{event.event_time:%Y-%m-%d %H:%M} UTC, window {event.event_window[0]:%m-%d %H:%M} to " \
        f"{event.event_window[1]:%m-%d %H:%M}"
    ax.set_title(f"{event.launch} {event.parent_name}: {event.n_fragments} new pieces, "
                 f"{event.classification.replace('_', ' ')} ({when})", fontsize=9)
    ax.set_xlabel("period (min)")
    ax.set_ylabel("altitude (km)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
