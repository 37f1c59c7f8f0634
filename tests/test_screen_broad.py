"""The broad phase against every pair: complete with fast objects and one runaway chord.

Positions of real objects of the shipped catalogue (a crowded LEO shell and
eccentric orbits passing perigee) over 30 intervals, plus one object whose
chord is 2e6 km long and crosses another object's chord at its midpoint (the
kind of state an element set used past its decay gives). Every pair whose
relative chord passes within threshold + deviation must be a candidate, once;
nothing else may be.
"""
import numpy as np
import pytest

from screen_helpers import START
from ssa.catalog.summary import semi_major_axis_km
from ssa.constants import SECONDS_PER_DAY
from ssa.propagate import propagate
from ssa.screen import kernels as K
from ssa.timeutil import to_julian

DT = 60.0
THRESHOLD_KM = 5.0
N_SUB = 3


@pytest.fixture(scope="module")
def positions(shipped_catalog):
    cat = shipped_catalog
    a = semi_major_axis_km(cat.no_kozai)
    rng = np.random.default_rng(3)
    shell = rng.choice(np.flatnonzero((np.abs(a - 6928.0) < 10.0) & (cat.ecco < 0.01)), 300, replace=False)
    eccentric = rng.choice(np.flatnonzero((cat.ecco > 0.6) & (a * (1 - cat.ecco) < 6378.0 + 1000.0)), 100,
                           replace=False)
    sub = cat.take(np.concatenate([shell, eccentric]))
    jd, fr = to_julian(START)
    t = np.arange(31) * DT
    err, r, _ = propagate(sub, np.full(len(t), jd), fr + t / SECONDS_PER_DAY)
    assert (err == 0).all()
    speed = np.linalg.norm(np.diff(r, axis=1), axis=2).max(axis=1) / DT
    assert (speed > K.SLOW_SPEED_KM_S).sum() >= 3  # fast chords near perigee are in it
    # the runaway: 1e6 km out and back through object 0's chord midpoints
    mid = 0.5 * (r[0, :-1] + r[0, 1:])
    run = np.empty((1, len(t), 3))
    run[0, 0] = mid[0] + [1e6, 0.0, 0.0]
    for k in range(len(t) - 1):
        run[0, k + 1] = 2.0 * mid[k] - run[0, k]
    return np.ascontiguousarray(np.concatenate([r, run])), len(sub)


def every_pair(pos, primary):
    """(interval, i, j) of every pair whose relative chord passes within threshold + deviation,
    with the margin each has (bound - distance, km)."""
    alpha, beta = K.deviation_coefficients(DT)
    n = pos.shape[0]
    i, j = np.triu_indices(n, k=1)
    if primary is not None:
        keep = primary[i] | primary[j]
        i, j = i[keep], j[keep]
    a = pos[j, :-1] - pos[i, :-1]
    b = pos[j, 1:] - pos[i, 1:]
    e = b - a
    e2 = np.sum(e * e, axis=2)
    tau = np.clip(-np.sum(a * e, axis=2) / np.where(e2 > 0, e2, 1.0), 0.0, 1.0)
    d = np.linalg.norm(a + tau[..., None] * e, axis=2)
    bound = THRESHOLD_KM + alpha * np.maximum(np.linalg.norm(a, axis=2), np.linalg.norm(b, axis=2)) + beta
    return i, j, bound - d  # (pairs,), (pairs,), (pairs, intervals)


def broad(pos, primary):
    n, n_int = pos.shape[0], pos.shape[1] - 1
    ok = np.ones(pos.shape[:2], dtype=np.bool_)
    is_primary = np.zeros(n, np.bool_) if primary is None else primary
    cap = 4096
    cand = np.empty((n_int, cap, 2), np.int64)
    close = np.empty((n_int, cap, 2), np.int64)
    n_cand, n_close = np.zeros(n_int, np.int64), np.zeros(n_int, np.int64)
    K.broad_phase(pos, ok, DT, N_SUB, THRESHOLD_KM, is_primary, primary is not None,
                  cand, n_cand, close, np.empty((n_int, cap)), n_close)
    assert n_cand.max() <= cap
    return [cand[k, :n_cand[k]] for k in range(n_int)]


@pytest.mark.parametrize("mode", ["all", "primaries", "runaway primary"])
def test_broad_phase_finds_every_pair_once(positions, mode):
    pos, n_real = positions
    n = pos.shape[0]
    primary = None
    if mode == "primaries":
        primary = np.zeros(n, np.bool_)
        primary[np.arange(0, n_real, 7)] = True  # slow and fast primaries
    elif mode == "runaway primary":
        primary = np.zeros(n, np.bool_)
        primary[n - 1] = True
    i, j, margin = every_pair(pos, primary)
    found = broad(pos, primary)
    for k, pairs in enumerate(found):
        keys = np.sort(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))
        assert len(np.unique(keys)) == len(keys), f"interval {k}: a pair recorded twice"
        must = np.sort(i[margin[:, k] > 1e-9] * n + j[margin[:, k] > 1e-9])
        may = i[margin[:, k] >= -1e-9] * n + j[margin[:, k] >= -1e-9]
        assert np.isin(must, keys).all(), f"interval {k}: missed {np.setdiff1d(must, keys)[:5]}"
        assert np.isin(keys, may).all(), f"interval {k}: extra {np.setdiff1d(keys, may)[:5]}"
        assert 0 * n + (n - 1) in keys  # the runaway crossing object 0
