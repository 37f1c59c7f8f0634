"""Brute-force reference screen: python-sgp4 on a fine grid, every pair, scipy refinement.

Independent of the engine's kernels: python-sgp4's C++ ``SatrecArray`` on a
grid of ``step_s`` seconds (default 5 s) over the whole window plus one sample
either side (each object stopped at its first error, python-sgp4's or code 7
of the numpy bound-orbit test ``ssa.propagate.reference``), every pair's
sampled range, each discrete local minimum below threshold + (25 km/s *
step / 2) refined by ``scipy.optimize.minimize_scalar``
(bounded Brent) on the exact SGP4 range, with time measured from that sample
so that the minimiser's relative tolerance is microseconds. A conjunction is
a refined minimum at or below the threshold, strictly inside the window and
not at the edge of its bracket. Persistent pairs: within threshold on every
sample for at least ``PERSISTENT_S`` (one row, the pair's closest refined
minimum or sample). Slow: for tests and benchmarks on subsets.

It shares no helper with the engine (a bug there could not show): its own
choice of one element set per NORAD id (the latest epoch, of equal epochs the
first), python-sgp4's ``jday`` for the start, and its own row assembly.
"""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from scipy.optimize import minimize_scalar
from sgp4.api import SatrecArray, jday

from ssa.catalog.model import Catalog
from ssa.constants import SECONDS_PER_DAY
from ssa.propagate.reference import epoch_semi_major_axis_km, flag_not_bound
from ssa.screen.slabs import PERSISTENT_S
from ssa.screen.table import CONJUNCTION_DTYPE
from ssa.timeutil import JD_UNIX_EPOCH

MAX_RELATIVE_SPEED_KM_S = 25.0


def _latest_per_object(catalog: Catalog) -> Catalog:
    """One element set per NORAD id, sorted by id: the latest epoch, of equal epochs the first row."""
    best = {}
    for row, key in enumerate(zip(catalog.norad_id.tolist(), catalog.epoch_jd.tolist(), catalog.epoch_fr.tolist())):
        norad, epoch = key[0], key[1:]
        if norad not in best or epoch > best[norad][0]:
            best[norad] = (epoch, row)
    return catalog.take(np.array([best[n][1] for n in sorted(best)], dtype=np.int64))


def _start_julian(start) -> tuple[float, float]:
    """python-sgp4's ``jday`` of a UTC start (datetime, ISO-8601 text or numpy datetime64)."""
    if isinstance(start, str):
        start = datetime.fromisoformat(start.replace("Z", "+00:00"))
    if not isinstance(start, datetime):
        start = np.datetime64(start, "us").item()
    if start.tzinfo is not None:
        start = start.astimezone(UTC)
    return jday(start.year, start.month, start.day, start.hour, start.minute,
                start.second + start.microsecond / 1e6)


def _rows(catalog: Catalog, found: list, start_jd: float, start_fr: float) -> np.ndarray:
    """CONJUNCTION_DTYPE rows of (i, j, seconds from start, 12-state, persistent), by TCA then ids."""
    out = np.zeros(len(found), dtype=CONJUNCTION_DTYPE)
    for k, (i, j, tau, state, persistent) in enumerate(found):
        r1, v1, r2, v2 = state[0:3], state[3:6], state[6:9], state[9:12]
        tca_fr = start_fr + tau / SECONDS_PER_DAY
        radial = r1 / np.linalg.norm(r1)
        normal = np.cross(r1, v1) / np.linalg.norm(np.cross(r1, v1))
        miss = r2 - r1
        row = out[k]
        row["norad_id_1"], row["name_1"] = catalog.norad_id[i], str(catalog.name[i])
        row["norad_id_2"], row["name_2"] = catalog.norad_id[j], str(catalog.name[j])
        row["dse_1"] = (start_jd - catalog.epoch_jd[i]) + (tca_fr - catalog.epoch_fr[i])
        row["dse_2"] = (start_jd - catalog.epoch_jd[j]) + (tca_fr - catalog.epoch_fr[j])
        row["tca_jd"], row["tca_fr"] = start_jd, tca_fr
        row["tca"] = np.datetime64("1970-01-01T00:00:00", "us") + np.timedelta64(
            round(((start_jd - JD_UNIX_EPOCH) + tca_fr) * SECONDS_PER_DAY * 1e6), "us")
        row["range_km"], row["relative_speed_km_s"] = np.linalg.norm(miss), np.linalg.norm(v2 - v1)
        row["radial_km"] = miss @ radial
        row["in_track_km"] = miss @ np.cross(normal, radial)
        row["cross_track_km"] = miss @ normal
        row["persistent"] = persistent
        row["r1"], row["v1"], row["r2"], row["v2"] = r1, v1, r2, v2
    return out[np.lexsort((out["norad_id_2"], out["norad_id_1"], out["tca"]))]


def _state(sat, jd, fr):
    e, r, v = sat.sgp4(jd, fr)
    return e, np.array(r), np.array(v)


def _longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True."""
    if not mask.any():
        return 0
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max())


def reference_screen(catalog: Catalog, start, days: float = 1.0, threshold_km: float = 5.0,
                     primaries=None, step_s: float = 5.0, pair_chunk: int = 256) -> np.ndarray:
    """Conjunction table (CONJUNCTION_DTYPE) by brute force; see the module docstring."""
    catalog = _latest_per_object(catalog)
    start_jd, start_fr = _start_julian(start)
    sats = catalog.satrecs()
    n = len(sats)
    total_s = days * SECONDS_PER_DAY
    n_steps = int(np.ceil(total_s / step_s))
    t = np.arange(-1, n_steps + 2) * step_s  # one sample beyond each edge
    jd = np.full(len(t), start_jd)
    fr = start_fr + t / SECONDS_PER_DAY
    err, r, v = SatrecArray(sats).sgp4(jd, fr)
    err = flag_not_bound(err, r, v, epoch_semi_major_axis_km(sats))  # states no bound orbit has: stop
    ok = np.logical_and.accumulate(err == 0, axis=1)
    r[~ok] = np.nan
    if primaries is None:
        i1, i2 = np.triu_indices(n, k=1)
    else:
        prim = np.flatnonzero(np.isin(catalog.norad_id, list(primaries)))
        i1 = np.repeat(prim, n)
        i2 = np.tile(np.arange(n), len(prim))
        keep = (i1 != i2) & ~(np.isin(i2, prim) & (i2 < i1))
        i1, i2 = i1[keep], i2[keep]
        swap = np.isin(i2, prim) & (i2 < i1)
        i1, i2 = np.where(swap, i2, i1), np.where(swap, i1, i2)
    coarse = threshold_km + MAX_RELATIVE_SPEED_KM_S * step_s / 2
    inside = (t >= 0) & (t <= total_s)  # samples for persistence; minima are strictly after 0
    min_run = int(np.ceil(PERSISTENT_S / step_s)) + 1
    rows = []  # (i, j, tau, state, persistent)
    for c in range(0, len(i1), pair_chunk):
        a, b = i1[c:c + pair_chunk], i2[c:c + pair_chunk]
        d = np.linalg.norm(r[b] - r[a], axis=-1)  # (pairs, times), NaN once stopped
        with np.errstate(invalid="ignore"):
            near = np.nanmin(np.where(np.isnan(d), np.inf, d), axis=1) <= coarse
        for p in np.flatnonzero(near):
            rows.extend(_pair_minima(sats[a[p]], sats[b[p]], int(a[p]), int(b[p]), d[p], t, inside,
                                     start_jd, start_fr, threshold_km, coarse, step_s, min_run, total_s))
    return _rows(catalog, rows, start_jd, start_fr)


def _pair_minima(s1, s2, i, j, d, t, inside, start_jd, start_fr, threshold, coarse, step_s, min_run, total_s):
    def rng(tt):
        e1, r1, _ = _state(s1, start_jd, start_fr + tt / SECONDS_PER_DAY)
        e2, r2, _ = _state(s2, start_jd, start_fr + tt / SECONDS_PER_DAY)
        return np.inf if (e1 or e2) else float(np.linalg.norm(r2 - r1))

    def states(tt):
        _, r1, v1 = _state(s1, start_jd, start_fr + tt / SECONDS_PER_DAY)
        _, r2, v2 = _state(s2, start_jd, start_fr + tt / SECONDS_PER_DAY)
        return np.concatenate([r1, v1, r2, v2])

    found = []
    dm = np.where(np.isnan(d), np.inf, d)
    k = np.flatnonzero((dm[1:-1] < dm[:-2]) & (dm[1:-1] <= dm[2:]) & (dm[1:-1] <= coarse)) + 1
    for kk in k:
        t0 = t[kk]
        res = minimize_scalar(lambda x, t0=t0: rng(t0 + x), bounds=(-step_s, step_s), method="bounded",
                              options={"xatol": 1e-8})
        x = float(res.x)
        if abs(x) > step_s - 1e-6 or res.fun > threshold or not (0.0 < t0 + x <= total_s):
            continue
        found.append((i, j, t0 + x, states(t0 + x), False))
    within = (d <= threshold) & inside
    if _longest_run(within) >= min_run:
        if found:
            best = min(found, key=lambda row: np.linalg.norm(row[3][6:9] - row[3][0:3]))
            best_range = np.linalg.norm(best[3][6:9] - best[3][0:3])
        else:
            best, best_range = None, np.inf
        ks = np.flatnonzero(inside)
        kmin = ks[np.argmin(dm[ks])]
        if best is None or dm[kmin] < best_range:
            best = (i, j, t[kmin], states(t[kmin]), True)
        return [(i, j, best[2], best[3], True)]
    return found
