"""The screening driver: pre-filter, time slices, persistent pairs, decays.

See ``ssa.screen`` for the algorithm; the hot loops are in ``ssa.screen.kernels``.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ssa.catalog.model import Catalog
from ssa.catalog.reader import drop_duplicates
from ssa.catalog.summary import perigee_apogee_altitude_km
from ssa.constants import EARTH_RADIUS_KM, MINUTES_PER_DAY, SECONDS_PER_DAY
from ssa.screen.table import CONJUNCTION_DTYPE, build_table
from ssa.timeutil import to_julian

log = logging.getLogger("ssa.screen")

DEFAULT_STEP_S = 60.0  # sampling interval of the broad phase; see benchmarks/README.md
SUB_CHORDS = 3  # broad-phase hash passes per interval, each over 1/SUB_CHORDS of the chords
PERSISTENT_S = 3600.0  # within threshold for this long without a break: persistent
PREFILTER_PAD_KM = 100.0  # apogee/perigee band pad (SGP4 short periodics are ~10 km)
LOW_PERIGEE_KM = EARTH_RADIUS_KM + 400.0  # below this, drag may lower an orbit a lot in a week
SLICE_BYTES = 192 * 2**20  # positions and velocities of one time slice (the grid keeps positions only)


@dataclass
class StoppedObject:
    """An object whose SGP4 propagation failed inside the window (decay, bad elements, not an orbit)."""

    norad_id: int
    name: str
    seconds: float  # first failing sample, seconds from the window start
    error: int  # error code of ``ssa.propagate`` (python-sgp4's, or 7: not a bound orbit)
    reason: str = ""  # ``ssa.propagate.ERROR_MESSAGES[error]``


@dataclass
class ScreenResult:
    """What ``run_screen`` found, with what it stopped and how long each stage took."""

    conjunctions: np.ndarray  # CONJUNCTION_DTYPE
    stopped: list[StoppedObject] = field(default_factory=list)
    n_objects: int = 0  # screened after de-duplication and pre-filter
    n_candidates: int = 0  # candidate intervals refined by the narrow phase
    step_s: float = DEFAULT_STEP_S
    notes: list[str] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # wall time per stage: propagate, broad, narrow


def one_per_object(catalog: Catalog) -> tuple[Catalog, list[str]]:
    """One element set per NORAD id, sorted by id, and a note per repeated id.

    The set kept is ``ssa.catalog.drop_duplicates``' "newest" (latest epoch;
    of equal epochs the row read first).
    """
    ids, counts = np.unique(catalog.norad_id, return_counts=True)
    notes = [f"NORAD id {n} appears more than once: kept the latest epoch" for n in ids[counts > 1]]
    unique = drop_duplicates(catalog, "newest")
    return unique.take(np.argsort(unique.norad_id, kind="stable")), notes


def _bands(catalog: Catalog, threshold_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Padded [low, high] radius bands (km) from mean elements (Kozai n, close enough here)."""
    perigee, apogee = (altitude + EARTH_RADIUS_KM for altitude in
                       perigee_apogee_altitude_km(catalog.no_kozai, catalog.ecco))
    pad = PREFILTER_PAD_KM + threshold_km
    low = np.where(perigee < LOW_PERIGEE_KM, 0.0, perigee - pad)
    return low, apogee + pad


def _prefilter(catalog: Catalog, primary: np.ndarray | None, threshold_km: float) -> np.ndarray:
    """Objects whose radius band meets a primary's (or, all-vs-all, any other object's)."""
    low, high = _bands(catalog, threshold_km)
    if primary is not None:
        plow, phigh = low[primary], high[primary]
        order = np.argsort(plow)
        plow, phigh = plow[order], np.maximum.accumulate(phigh[order])
        # a primary with plow <= high exists; among them the largest phigh must reach low
        n = np.searchsorted(plow, high, side="right")
        keep = (n > 0) & (phigh[np.maximum(n - 1, 0)] >= low)
        keep[primary] = True
        return keep
    order = np.argsort(low)
    slow, shigh = low[order], high[order]
    # sorted by low: some earlier band reaches my low, or the next band starts below my high
    reach_before = np.concatenate([[-np.inf], np.maximum.accumulate(shigh)[:-1]])
    next_low = np.concatenate([slow[1:], [np.inf]])
    keep = np.zeros(len(order), dtype=bool)
    keep[order] = (reach_before >= slow) | (next_low <= shigh)
    return keep


def _runs(pair_key: np.ndarray, sample: np.ndarray, value: np.ndarray):
    """Maximal runs of consecutive samples per pair: (key, first, last, min value, argmin sample)."""
    order = np.lexsort((sample, pair_key))
    key, s, v = pair_key[order], sample[order], value[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (s[1:] != s[:-1] + 1)
    starts = np.flatnonzero(new)
    ends = np.concatenate([starts[1:], [len(key)]]) - 1
    vmin = np.minimum.reduceat(v, starts) if len(v) else v
    arg = np.empty(len(starts), dtype=np.int64)
    for n, (a, b) in enumerate(zip(starts, ends)):  # runs, not samples: few
        arg[n] = s[a + int(np.argmin(v[a:b + 1]))]
    return key[starts], s[starts], s[ends], vmin, arg


def run_screen(catalog: Catalog, start, days: float = 7.0, threshold_km: float = 5.0,
               primaries=None, progress=None, step_s: float = DEFAULT_STEP_S) -> ScreenResult:
    """Screen the catalogue; see ``ssa.screen.screen``. Also returns stopped objects and counts."""
    from ssa.propagate import ERROR_MESSAGES, GridPropagator, init_params
    from ssa.screen import kernels as K

    if threshold_km <= 0 or days <= 0 or step_s <= 0:
        raise ValueError("threshold_km, days and step_s must be positive")
    start_jd, start_fr = to_julian(start)
    catalog, notes = one_per_object(catalog)
    primary = None
    if primaries is not None:
        wanted = np.unique(np.asarray(list(primaries), dtype=np.int64))
        missing = np.setdiff1d(wanted, catalog.norad_id)
        if len(missing):
            notes.append(f"primaries not in the catalogue: {', '.join(map(str, missing[:20]))}")
        primary = np.flatnonzero(np.isin(catalog.norad_id, wanted))
    keep = _prefilter(catalog, primary, threshold_km)
    catalog = catalog.take(np.flatnonzero(keep))
    n = len(catalog)
    is_primary = np.zeros(n, dtype=np.bool_)
    primary_mode = primaries is not None
    if primary_mode:
        is_primary[np.isin(catalog.norad_id, wanted)] = True
    if n < 2 or (primary_mode and not is_primary.any()):
        return ScreenResult(np.zeros(0, CONJUNCTION_DTYPE), n_objects=n, step_s=step_s, notes=notes)

    clock = time.perf_counter()
    params = init_params(catalog)
    grid = GridPropagator(params)
    base_min = ((start_jd - catalog.epoch_jd) * MINUTES_PER_DAY + (start_fr - catalog.epoch_fr) * MINUTES_PER_DAY)
    total_s = days * SECONDS_PER_DAY
    n_int_total = int(math.ceil(total_s / step_s - 1e-9))
    dt = total_s / n_int_total  # the window holds a whole number of intervals
    per_slice = max(1, min(n_int_total, SLICE_BYTES // (48 * n) - 1))
    alive = np.ones(n, dtype=bool)
    stopped: list[StoppedObject] = []
    cap, cap_close = 256, 256
    seconds = {"init": time.perf_counter() - clock, "propagate": 0.0, "broad": 0.0, "narrow": 0.0}
    found_i, found_j, found_t, found_state = [], [], [], []
    run_parts = []
    n_candidates = 0
    for k0 in range(0, n_int_total, per_slice):
        k1 = min(n_int_total, k0 + per_slice)
        t = np.arange(k0, k1 + 1) * dt
        jd = np.full(len(t), start_jd)
        fr = start_fr + t / SECONDS_PER_DAY
        err = np.empty((n, len(t)), dtype=np.uint8)
        pos = np.empty((n, len(t), 3))
        clock = time.perf_counter()
        grid.into(jd, fr, err, pos)  # positions only: the broad phase needs no velocities
        seconds["propagate"] += time.perf_counter() - clock
        ok = np.logical_and.accumulate(err == 0, axis=1) & alive[:, None]
        for i in np.flatnonzero(alive & ~ok[:, -1]):
            first = int(np.argmin(ok[i]))
            alive[i] = False
            code = int(err[i, first]) if err[i, first] else int(err[i][err[i] != 0][0])
            reason = ERROR_MESSAGES[code]
            stopped.append(StoppedObject(int(catalog.norad_id[i]), str(catalog.name[i]), float(t[first]), code, reason))
            log.warning("NORAD %d stopped at +%.0f s: SGP4 error %d (%s)", catalog.norad_id[i], t[first], code, reason)
        n_int = len(t) - 1
        clock = time.perf_counter()
        while True:
            cand = np.empty((n_int, cap, 2), dtype=np.int64)
            close = np.empty((n_int, cap_close, 2), dtype=np.int64)
            close_range = np.empty((n_int, cap_close))
            n_cand = np.zeros(n_int, dtype=np.int64)
            n_close = np.zeros(n_int, dtype=np.int64)
            K.broad_phase(pos, ok, dt, SUB_CHORDS, threshold_km, is_primary, primary_mode,
                          cand, n_cand, close, close_range, n_close)
            if n_cand.max() <= cap and n_close.max() <= cap_close:
                break
            cap = max(cap, int(n_cand.max() * 1.5) + 1)
            cap_close = max(cap_close, int(n_close.max() * 1.5) + 1)
        seconds["broad"] += time.perf_counter() - clock
        clock = time.perf_counter()
        sel = np.arange(cap)[None, :] < n_cand[:, None]
        pair = cand[sel]
        interval = np.broadcast_to(np.arange(k0, k1)[:, None], sel.shape)[sel]
        sel = np.arange(cap_close)[None, :] < n_close[:, None]
        cpair = close[sel]
        if len(cpair):
            csample = np.broadcast_to(np.arange(k0, k1)[:, None], sel.shape)[sel]
            run_parts.append(_runs(cpair[:, 0] * n + cpair[:, 1], csample, close_range[sel]))
        n_candidates += len(pair)
        if len(pair):
            out_tau = np.empty((len(pair), K.MAX_MINIMA))
            out_state = np.empty((len(pair), K.MAX_MINIMA, 12))
            out_n = np.empty(len(pair), dtype=np.int64)
            K.narrow_phase(params, base_min, pair, interval.astype(np.int64), dt, out_tau, out_state, out_n)
            for m in range(K.MAX_MINIMA):
                hit = out_n > m
                if not hit.any():
                    break
                st = out_state[hit, m]
                rng = np.linalg.norm(st[:, 6:9] - st[:, 0:3], axis=1)
                good = rng <= threshold_km
                found_i.append(pair[hit, 0][good])
                found_j.append(pair[hit, 1][good])
                found_t.append(out_tau[hit, m][good])
                found_state.append(st[good])
        seconds["narrow"] += time.perf_counter() - clock
        if progress is not None:
            progress(float(t[-1]), total_s)

    idx1 = np.concatenate(found_i) if found_i else np.zeros(0, np.int64)
    idx2 = np.concatenate(found_j) if found_j else np.zeros(0, np.int64)
    tau = np.concatenate(found_t) if found_t else np.zeros(0)
    state = np.concatenate(found_state) if found_state else np.zeros((0, 12))
    persistent_rows = _persistent(run_parts, n, dt, idx1, idx2, tau, state, params, base_min)
    is_persistent_pair = np.isin(idx1 * n + idx2, persistent_rows[0] * n + persistent_rows[1])
    keep = ~is_persistent_pair
    idx1 = np.concatenate([idx1[keep], persistent_rows[0]])
    idx2 = np.concatenate([idx2[keep], persistent_rows[1]])
    tau = np.concatenate([tau[keep], persistent_rows[2]])
    state = np.concatenate([state[keep], persistent_rows[3]])
    flag = np.concatenate([np.zeros(keep.sum(), bool), np.ones(len(persistent_rows[0]), bool)])
    tca_fr = start_fr + tau / SECONDS_PER_DAY
    table = build_table(catalog, idx1, idx2, np.full(len(tau), start_jd), tca_fr,
                        state[:, 0:3], state[:, 3:6], state[:, 6:9], state[:, 9:12], flag)
    return ScreenResult(table, stopped, n_objects=n, n_candidates=n_candidates, step_s=dt, notes=notes,
                        seconds=seconds)


def _persistent(run_parts, n, dt, idx1, idx2, tau, state, params, base_min):
    """Pairs within threshold for PERSISTENT_S without a break, one row each.

    The row is the pair's closest refined minimum in the window, or, when the
    range has none (flat, e.g. identical element sets), its closest sample.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 12)))
    if not run_parts:
        return empty
    key, first, last, vmin, arg = (np.concatenate(x) for x in zip(*run_parts))
    # merge runs split by slice boundaries: consecutive in (key, first) order
    order = np.lexsort((first, key))
    key, first, last, vmin, arg = key[order], first[order], last[order], vmin[order], arg[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (first[1:] > last[:-1] + 1)
    g_first = first[new]
    g_last = np.maximum.reduceat(last, np.flatnonzero(new))
    long_run = (g_last - g_first) * dt >= PERSISTENT_S
    pkeys = np.unique(key[new][long_run])
    if len(pkeys) == 0:
        return empty
    # closest sample of each persistent pair over all its runs
    in_p = np.isin(key, pkeys)
    k2, v2, a2 = key[in_p], vmin[in_p], arg[in_p]
    o = np.lexsort((a2, v2, k2))
    k2, v2, a2 = k2[o], v2[o], a2[o]
    firsts = np.ones(len(k2), dtype=bool)
    firsts[1:] = k2[1:] != k2[:-1]
    sample_key, sample_range, sample_at = k2[firsts], v2[firsts], a2[firsts]
    # closest refined minimum of each persistent pair
    rng = np.linalg.norm(state[:, 6:9] - state[:, 0:3], axis=1)
    keys = idx1 * n + idx2
    mine = np.isin(keys, pkeys)
    best_tau = np.full(len(pkeys), np.nan)
    best_state = np.zeros((len(pkeys), 12))
    best_range = np.full(len(pkeys), np.inf)
    if mine.any():
        o = np.lexsort((tau[mine], rng[mine], keys[mine]))
        km, rm, tm, sm = keys[mine][o], rng[mine][o], tau[mine][o], state[mine][o]
        f = np.ones(len(km), dtype=bool)
        f[1:] = km[1:] != km[:-1]
        pos = np.searchsorted(pkeys, km[f])
        best_tau[pos], best_state[pos], best_range[pos] = tm[f], sm[f], rm[f]
    use_sample = ~(best_range <= sample_range)
    if use_sample.any():
        from ssa.screen.kernels import sample_states

        sk = sample_key[use_sample]
        st = np.empty((len(sk), 12))
        t = sample_at[use_sample] * dt
        sample_states(params, base_min, (sk // n).astype(np.int64), (sk % n).astype(np.int64), t, st)
        best_tau[use_sample], best_state[use_sample] = t, st
    return (pkeys // n).astype(np.int64), (pkeys % n).astype(np.int64), best_tau, best_state
