"""The screening driver: pre-filter, time slabs (``ssa.screen.slabs``), stopped objects, the table.

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
from ssa.screen.slabs import SLAB_BYTES, SlabPlan, SlabStore, intervals_per_slab, screen_slab
from ssa.screen.table import CONJUNCTION_DTYPE
from ssa.timeutil import to_julian

log = logging.getLogger("ssa.screen")

DEFAULT_STEP_S = 60.0  # sampling interval of the broad phase; see benchmarks/README.md
PREFILTER_PAD_KM = 100.0  # apogee/perigee band pad (SGP4 short periodics are ~10 km)
LOW_PERIGEE_KM = EARTH_RADIUS_KM + 400.0  # below this, drag may lower an orbit a lot in a week


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
        if len(primary) == 0:  # no primary in the catalogue: nothing meets one
            return np.zeros(len(catalog), dtype=bool)
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


def run_screen(catalog: Catalog, start, days: float = 7.0, threshold_km: float = 5.0,
               primaries=None, progress=None, step_s: float = DEFAULT_STEP_S, *, sink=None, executor=None,
               slab_bytes: int = SLAB_BYTES, spill_dir=None) -> ScreenResult:
    """Screen the catalogue; see ``ssa.screen.screen``. Also returns stopped objects and counts.

    The window runs in time slabs (``ssa.screen.slabs``) of at most slab_bytes
    of ephemerides each, their rows spilled to a temporary directory (in
    spill_dir; default the system's). sink: callable taking the table in
    sorted pieces as they are ready; then ``conjunctions`` is empty and memory
    stays bounded whatever the number of rows. executor(plan, store,
    progress): runs the slabs (default ``run_local``; a Dask cluster:
    ``ssa.screen.distributed.dask_executor``).
    """
    from ssa.propagate import ERROR_MESSAGES, init_params

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
        if sink is not None:  # nothing to screen: the output still gets its header (or schema)
            sink(np.zeros(0, CONJUNCTION_DTYPE))
        return ScreenResult(np.zeros(0, CONJUNCTION_DTYPE), n_objects=n, step_s=step_s, notes=notes)

    clock = time.perf_counter()
    params = init_params(catalog)
    base_min = ((start_jd - catalog.epoch_jd) * MINUTES_PER_DAY + (start_fr - catalog.epoch_fr) * MINUTES_PER_DAY)
    total_s = days * SECONDS_PER_DAY
    n_int_total = int(math.ceil(total_s / step_s - 1e-9))
    dt = total_s / n_int_total  # the window holds a whole number of intervals
    plan = SlabPlan(params, base_min, is_primary, primary_mode, float(threshold_km), dt, n_int_total,
                    intervals_per_slab(n, n_int_total, slab_bytes), start_jd, start_fr)
    seconds = {"init": time.perf_counter() - clock}
    with SlabStore(plan, spill_dir) as store:
        (executor or run_local)(plan, store, progress)
        stops = store.settle_stops(lambda k0, k1, alive: screen_slab(plan, k0, k1, alive))
        stopped = []
        for row, at_s, code in stops:
            reason = ERROR_MESSAGES[code]
            stopped.append(StoppedObject(int(catalog.norad_id[row]), str(catalog.name[row]), at_s, code, reason))
            log.warning("NORAD %d stopped at +%.0f s: SGP4 error %d (%s)", catalog.norad_id[row], at_s, code, reason)
        if sink is None:
            table = np.concatenate(list(store.chunks(catalog)))
        else:
            for chunk in store.chunks(catalog):
                sink(chunk)
            table = np.zeros(0, CONJUNCTION_DTYPE)
        seconds.update(store.seconds)
        n_candidates = store.n_candidates
    return ScreenResult(table, stopped, n_objects=n, n_candidates=n_candidates, step_s=dt, notes=notes,
                        seconds=seconds)


def run_local(plan: SlabPlan, store: SlabStore, progress=None) -> None:
    """Screen the slabs one after another in this process (numba parallel within each)."""
    alive = np.ones(plan.n, dtype=bool)
    for k0, k1 in plan.bounds():
        result = screen_slab(plan, k0, k1, alive.copy())
        alive[result.failures["row"]] = False
        store.add(result)
        if progress is not None:
            progress(k1 * plan.dt, plan.total_s)
