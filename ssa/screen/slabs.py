"""The screen cut into time slabs that run anywhere, and their merge into the local run's rows.

A slab is a run of broad-phase intervals [k0, k1) of the window (seconds
from the window start, step ``SlabPlan.dt``). ``screen_slab`` screens one slab
from the initialised element sets alone: it propagates its own ephemerides,
so a slab can run in this process or on a Dask worker
(``ssa.screen.distributed``) and only its result rows travel.

``SlabStore`` takes slab results in any order and spills their rows to a
temporary directory, so memory holds one slab's rows at a time whatever the
number of conjunctions. When every slab is in, it

1. settles which objects stopped where (SGP4 failure): slabs run ahead
   assuming every object alive at their start; a slab whose assumption turns
   out wrong (an object stopped earlier that SGP4 propagates again at the
   slab's first sample) is screened again with the true mask;
2. merges close-approach runs that straddle slab boundaries into persistent
   pairs (one row each, ``PERSISTENT``) exactly as one pass over the window;
3. yields the rows in the table's order (TCA, NORAD id 1, NORAD id 2), slab by
   slab, holding back only rows a later slab could still precede.

The rows are those of one pass over the whole window, row for row.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ssa.constants import SECONDS_PER_DAY
from ssa.screen.table import CONJUNCTION_DTYPE, build_table, sort_table
from ssa.timeutil import unix_days

PERSISTENT_S = 3600.0  # within threshold for this long without a break: persistent
SUB_CHORDS = 3  # broad-phase hash passes per interval, each over 1/SUB_CHORDS of the chords
SLAB_BYTES = 192 * 2**20  # default bound on one slab's ephemerides (positions + velocities)
SAMPLE_BYTES = 48  # position and velocity of one object at one sample (float64 x 6)

# refined minima of one slab, by catalogue row (after de-duplication and pre-filter)
ROW_DTYPE = np.dtype([("i1", "i8"), ("i2", "i8"), ("tau", "f8"), ("state", "f8", (12,))])
FAILURE_DTYPE = np.dtype([("row", "i8"), ("seconds", "f8"), ("code", "i8")])

# broad-phase output capacity per interval; grows in each process as slabs need it (speed only)
_capacity = {"cand": 256, "close": 256}
# per thread: the GridPropagator of the last plan screened (``GridPropagator.into`` uses its blocks as
# work space, so threads may not share one; Dask workers of ``ssa.screen.distributed`` run one thread each)
_grids = threading.local()


@dataclass
class SlabPlan:
    """Everything a slab needs, sent once to each worker: initialised element sets and the grid."""

    params: np.ndarray  # ``ssa.propagate.init_params`` of the screened objects
    base_min: np.ndarray  # minutes from each object's epoch to the window start
    is_primary: np.ndarray  # bool per object
    primary_mode: bool
    threshold_km: float
    dt: float  # seconds per broad-phase interval
    n_intervals: int  # in the whole window
    per_slab: int  # intervals per slab
    start_jd: float  # window start, two-part Julian date (UTC)
    start_fr: float

    @property
    def n(self) -> int:
        return len(self.base_min)

    @property
    def total_s(self) -> float:
        return self.n_intervals * self.dt

    def bounds(self) -> list[tuple[int, int]]:
        """(k0, k1) interval ranges of the slabs, in time order."""
        return [(k0, min(self.n_intervals, k0 + self.per_slab)) for k0 in range(0, self.n_intervals, self.per_slab)]


def intervals_per_slab(n_objects: int, n_intervals: int, slab_bytes: int = SLAB_BYTES) -> int:
    """Intervals per slab so that a slab's positions and velocities fit in slab_bytes (at least one)."""
    return max(1, min(n_intervals, slab_bytes // (SAMPLE_BYTES * max(n_objects, 1)) - 1))


@dataclass
class SlabResult:
    """What one slab found: refined minima, close-sample runs, SGP4 failures."""

    k0: int
    k1: int
    rows: np.ndarray  # ROW_DTYPE, minima at or below the threshold
    runs: tuple  # ``runs`` of the samples within threshold: key, first, last, min range, argmin sample
    failures: np.ndarray  # FAILURE_DTYPE: every object whose SGP4 fails in the slab (first failing sample)
    bad_at_start: np.ndarray  # rows whose SGP4 fails at the slab's first sample
    assumed_dead: np.ndarray  # rows treated as stopped before the slab
    n_candidates: int
    seconds: dict = field(default_factory=dict)
    min_days: float = math.inf  # earliest row's sort key (``SlabStore``), once spilled


def runs(pair_key: np.ndarray, sample: np.ndarray, value: np.ndarray):
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


def grid_propagator(plan: SlabPlan):
    """The ``ssa.propagate.GridPropagator`` of plan's element sets, laid out once per thread and plan."""
    from ssa.propagate import GridPropagator

    if getattr(_grids, "plan", None) is not plan:
        _grids.plan, _grids.grid = plan, GridPropagator(plan.params)
    return _grids.grid


def screen_slab(plan: SlabPlan, k0: int, k1: int, alive: np.ndarray | None = None) -> SlabResult:
    """Screen intervals [k0, k1) of the window; alive: objects not stopped before it (None: all)."""
    from ssa.screen import kernels as K

    n, dt = plan.n, plan.dt
    seconds = {"propagate": 0.0, "broad": 0.0, "narrow": 0.0}
    t = np.arange(k0, k1 + 1) * dt
    err = np.empty((n, len(t)), dtype=np.uint8)
    pos = np.empty((n, len(t), 3))
    clock = time.perf_counter()
    # positions only: the broad phase needs no velocities (the narrow phase propagates its own)
    grid_propagator(plan).into(np.full(len(t), plan.start_jd), plan.start_fr + t / SECONDS_PER_DAY, err, pos)
    seconds["propagate"] = time.perf_counter() - clock
    ok_raw = np.logical_and.accumulate(err == 0, axis=1)
    assumed_dead = np.zeros(0, np.int64) if alive is None else np.flatnonzero(~alive)
    ok = ok_raw if alive is None else ok_raw & alive[:, None]
    failing = np.flatnonzero(~ok_raw[:, -1])
    failures = np.zeros(len(failing), FAILURE_DTYPE)
    for m, i in enumerate(failing):
        first = int(np.argmin(ok_raw[i]))
        failures[m] = (i, t[first], int(err[i, first]))
    bad_at_start = np.flatnonzero(err[:, 0] != 0)
    del err
    n_int = len(t) - 1
    clock = time.perf_counter()
    while True:
        cap, cap_close = _capacity["cand"], _capacity["close"]
        cand = np.empty((n_int, cap, 2), dtype=np.int64)
        close = np.empty((n_int, cap_close, 2), dtype=np.int64)
        close_range = np.empty((n_int, cap_close))
        n_cand = np.zeros(n_int, dtype=np.int64)
        n_close = np.zeros(n_int, dtype=np.int64)
        K.broad_phase(pos, ok, dt, SUB_CHORDS, plan.threshold_km, plan.is_primary, plan.primary_mode,
                      cand, n_cand, close, close_range, n_close)
        if n_cand.max() <= cap and n_close.max() <= cap_close:
            break
        _capacity["cand"] = max(cap, int(n_cand.max() * 1.5) + 1)
        _capacity["close"] = max(cap_close, int(n_close.max() * 1.5) + 1)
    del pos, ok
    seconds["broad"] = time.perf_counter() - clock
    clock = time.perf_counter()
    sel = np.arange(cap)[None, :] < n_cand[:, None]
    pair = cand[sel]
    interval = np.broadcast_to(np.arange(k0, k1)[:, None], sel.shape)[sel]
    sel = np.arange(cap_close)[None, :] < n_close[:, None]
    cpair = close[sel]
    empty_runs = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                  np.zeros(0, np.int64))
    slab_runs = empty_runs
    if len(cpair):
        csample = np.broadcast_to(np.arange(k0, k1)[:, None], sel.shape)[sel]
        slab_runs = runs(cpair[:, 0] * n + cpair[:, 1], csample, close_range[sel])
    parts = []
    if len(pair):
        out_tau = np.empty((len(pair), K.MAX_MINIMA))
        out_state = np.empty((len(pair), K.MAX_MINIMA, 12))
        out_n = np.empty(len(pair), dtype=np.int64)
        K.narrow_phase(plan.params, plan.base_min, pair, interval.astype(np.int64), dt, out_tau, out_state, out_n)
        for m in range(K.MAX_MINIMA):
            hit = out_n > m
            if not hit.any():
                break
            st = out_state[hit, m]
            good = np.linalg.norm(st[:, 6:9] - st[:, 0:3], axis=1) <= plan.threshold_km
            part = np.zeros(int(good.sum()), ROW_DTYPE)
            part["i1"], part["i2"] = pair[hit, 0][good], pair[hit, 1][good]
            part["tau"], part["state"] = out_tau[hit, m][good], st[good]
            parts.append(part)
    seconds["narrow"] = time.perf_counter() - clock
    rows = np.concatenate(parts) if parts else np.zeros(0, ROW_DTYPE)
    return SlabResult(k0, k1, rows, slab_runs, failures, bad_at_start, assumed_dead, len(pair), seconds)


class SlabStore:
    """Slab results spilled to a temporary directory as they arrive; the ordered table at the end.

    Use as a context manager (the directory is removed on exit). ``add`` takes
    results in any order; ``settle_stops`` then fixes stopped objects (and
    screens again the rare slab that assumed wrongly); ``chunks`` yields the
    table, sorted, in pieces of about one slab.
    """

    def __init__(self, plan: SlabPlan, directory=None):
        self.plan = plan
        self._dir = tempfile.mkdtemp(prefix="ssa-slabs-", dir=directory)
        self._meta: dict[int, SlabResult] = {}  # by k0, rows dropped (on disk)
        self.seconds = {"propagate": 0.0, "broad": 0.0, "narrow": 0.0}
        self.n_candidates = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self._dir, ignore_errors=True)

    def _path(self, k0: int) -> str:
        return os.path.join(self._dir, f"{k0:09d}.npy")

    def add(self, result: SlabResult) -> None:
        """Spill a slab's rows to disk and keep the rest (small)."""
        np.save(self._path(result.k0), result.rows)
        if result.k0 in self._meta:  # screened again: count its time, not its candidates twice
            self.n_candidates -= self._meta[result.k0].n_candidates
        days = self._days(result.rows["tau"])
        result.min_days = float(days.min()) if len(days) else math.inf
        result.rows = None
        self._meta[result.k0] = result
        self.n_candidates += result.n_candidates
        for stage, s in result.seconds.items():
            self.seconds[stage] = self.seconds.get(stage, 0.0) + s

    def _days(self, tau: np.ndarray) -> np.ndarray:
        """Sort key of ``sort_table`` for minima tau seconds after the window start."""
        return unix_days(self.plan.start_jd, self.plan.start_fr + tau / SECONDS_PER_DAY)

    def _rows(self, k0: int) -> np.ndarray:
        return np.load(self._path(k0))

    def settle_stops(self, rescreen) -> list[tuple[int, float, int]]:
        """Stopped objects in time order as (row, seconds, code); slabs that assumed wrongly screened again.

        rescreen(k0, k1, alive) -> SlabResult screens one slab with the true mask.
        """
        missing = [b for b in self.plan.bounds() if b[0] not in self._meta]
        if missing:
            raise RuntimeError(f"slabs never screened: {missing[:5]}")
        n = self.plan.n
        alive = np.ones(n, dtype=bool)
        stopped = []
        for k0, k1 in self.plan.bounds():
            result = self._meta[k0]
            if not np.array_equal(self._excluded(result, ~alive), self._excluded(result, None)):
                self.add(rescreen(k0, k1, alive.copy()))
                result = self._meta[k0]
            for row, seconds, code in result.failures[alive[result.failures["row"]]].tolist():
                stopped.append((row, seconds, code))
                alive[row] = False
        return stopped

    def _excluded(self, result: SlabResult, dead: np.ndarray | None) -> np.ndarray:
        """Objects with no valid sample in the slab: stopped before it (dead; None: as assumed) or failing at its start."""
        out = np.zeros(self.plan.n, dtype=bool)
        if dead is None:
            out[result.assumed_dead] = True
        else:
            out |= dead
        out[result.bad_at_start] = True
        return out

    def persistent_rows(self):
        """Pairs within threshold for PERSISTENT_S without a break: (i1, i2, tau, state), one row each.

        The row is the pair's closest refined minimum in the window, or, when the
        range has none (flat, e.g. identical element sets), its closest sample.
        """
        plan, n = self.plan, self.plan.n
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 12)))
        parts = [self._meta[k0].runs for k0, _ in plan.bounds() if len(self._meta[k0].runs[0])]
        if not parts:
            return empty
        key, first, last, vmin, arg = (np.concatenate(x) for x in zip(*parts))
        # merge runs split by slab boundaries: consecutive in (key, first) order
        order = np.lexsort((first, key))
        key, first, last, vmin, arg = key[order], first[order], last[order], vmin[order], arg[order]
        new = np.ones(len(key), dtype=bool)
        new[1:] = (key[1:] != key[:-1]) | (first[1:] > last[:-1] + 1)
        g_first = first[new]
        g_last = np.maximum.reduceat(last, np.flatnonzero(new))
        long_run = (g_last - g_first) * plan.dt >= PERSISTENT_S
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
        # closest refined minimum of each persistent pair, over every slab's rows
        mine = [r[np.isin(r["i1"] * n + r["i2"], pkeys)] for r in map(self._rows, (b[0] for b in plan.bounds()))]
        mine = np.concatenate(mine)
        best_tau = np.full(len(pkeys), np.nan)
        best_state = np.zeros((len(pkeys), 12))
        best_range = np.full(len(pkeys), np.inf)
        if len(mine):
            keys = mine["i1"] * n + mine["i2"]
            rng = np.linalg.norm(mine["state"][:, 6:9] - mine["state"][:, 0:3], axis=1)
            o = np.lexsort((mine["tau"], rng, keys))
            km, rm, tm, sm = keys[o], rng[o], mine["tau"][o], mine["state"][o]
            f = np.ones(len(km), dtype=bool)
            f[1:] = km[1:] != km[:-1]
            at = np.searchsorted(pkeys, km[f])
            best_tau[at], best_state[at], best_range[at] = tm[f], sm[f], rm[f]
        use_sample = ~(best_range <= sample_range)
        if use_sample.any():
            from ssa.screen.kernels import sample_states

            sk = sample_key[use_sample]
            st = np.empty((len(sk), 12))
            t = sample_at[use_sample] * plan.dt
            sample_states(plan.params, plan.base_min, (sk // n).astype(np.int64), (sk % n).astype(np.int64), t, st)
            best_tau[use_sample], best_state[use_sample] = t, st
        return (pkeys // n).astype(np.int64), (pkeys % n).astype(np.int64), best_tau, best_state

    def chunks(self, catalog):
        """The conjunction table (CONJUNCTION_DTYPE) in sorted pieces, at least one (maybe empty).

        catalog: the screened objects (rows as in the plan). Rows of persistent
        pairs are replaced by the pair's one row.
        """
        plan, n = self.plan, self.plan.n
        p1, p2, ptau, pstate = self.persistent_rows()
        pkeys = p1 * n + p2
        pending = self._table(catalog, p1, p2, ptau, pstate, True)
        bounds = plan.bounds()
        later_min = np.minimum.accumulate([self._meta[k0].min_days for k0, _ in bounds][::-1])[::-1]
        emitted = False
        for m, (k0, _k1) in enumerate(bounds):
            rows = self._rows(k0)
            rows = rows[~np.isin(rows["i1"] * n + rows["i2"], pkeys)]
            table = self._table(catalog, rows["i1"], rows["i2"], rows["tau"], rows["state"], False)
            merged = sort_table(np.concatenate([pending, table]))
            cutoff = later_min[m + 1] if m + 1 < len(bounds) else math.inf
            ready = unix_days(merged["tca_jd"], merged["tca_fr"]) < cutoff
            pending = merged[~ready]
            if ready.any() or (not emitted and m + 1 == len(bounds)):
                emitted = True
                yield merged[ready]
        if len(pending):
            yield pending

    def _table(self, catalog, i1, i2, tau, state, persistent: bool) -> np.ndarray:
        if len(i1) == 0:
            return np.zeros(0, CONJUNCTION_DTYPE)
        jd = np.full(len(tau), self.plan.start_jd)
        fr = self.plan.start_fr + tau / SECONDS_PER_DAY
        return build_table(catalog, i1, i2, jd, fr, state[:, 0:3], state[:, 3:6], state[:, 6:9], state[:, 9:12],
                           np.full(len(tau), persistent))
