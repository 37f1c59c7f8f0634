"""SGP4/SDP4 propagation in numba: TEME positions (km) and velocities (km/s).

``propagate(catalog, jd, fr)`` is shaped like python-sgp4's
``SatrecArray.sgp4``; ``init_params`` gives the per-satellite constants that
``ssa.propagate.kernels.sgp4_point`` takes inside other numba kernels.
"""
from __future__ import annotations

import numba
import numpy as np

from ssa.catalog.model import Catalog
from ssa.propagate.kernels import GRID_CHUNK, N_PARAMS, propagate_grid
from ssa.propagate.params import init_params

__all__ = ["init_params", "propagate", "ERROR_MESSAGES"]

ERROR_MESSAGES = {
    0: "",
    1: "mean elements out of range (eccentricity not in [-0.001, 1), or not finite)",
    2: "mean motion below zero",
    3: "perturbed eccentricity not within range 0 <= e <= 1",
    4: "semi-latus rectum below zero",
    6: "decayed: radius below one earth radius",
    7: "not a bound orbit: radius above 1.5 x twice the epoch semi-major axis, or speed^2 above 1.1 x escape",
}


def propagate(catalog: Catalog | np.ndarray, jd, fr):
    """Every object of the catalogue at every UTC two-part Julian date jd + fr.

    ``catalog`` may also be a parameter array from ``init_params`` (to skip
    initialisation when propagating the same catalogue repeatedly). Returns
    (err, r, v): err uint8 (n_sat, n_time) with python-sgp4's codes (0 fine;
    1-4 leave r, v NaN, 6 decayed keeps them) and 7 for a state no bound
    orbit can have (kept; see ``kernels.bound_state``), r TEME km and v TEME
    km/s, float64 (n_sat, n_time, 3).
    """
    params = catalog if isinstance(catalog, np.ndarray) else init_params(catalog)
    if params.ndim != 2 or params.shape[1] != N_PARAMS:
        raise ValueError(f"parameter array must have shape (n_sat, {N_PARAMS}), not {params.shape}")
    jd, fr = np.broadcast_arrays(np.asarray(jd, dtype=np.float64), np.asarray(fr, dtype=np.float64))
    if jd.ndim > 1:
        raise ValueError(f"jd and fr must be scalars or 1-D arrays, not shape {jd.shape}")
    jd = np.ascontiguousarray(np.atleast_1d(jd))
    fr = np.ascontiguousarray(np.atleast_1d(fr))
    bad = np.flatnonzero(~np.isfinite(jd + fr))
    if len(bad):
        raise ValueError(f"time {bad[0]} is not finite: jd={jd[bad[0]]!r}, fr={fr[bad[0]]!r}")
    n_sat, n_time = params.shape[0], jd.shape[0]
    err = np.empty((n_sat, n_time), dtype=np.uint8)
    r = np.empty((n_sat, n_time, 3))
    v = np.empty((n_sat, n_time, 3))
    with numba.parallel_chunksize(GRID_CHUNK):
        propagate_grid(np.ascontiguousarray(params, dtype=np.float64), jd, fr, err, r, v)
    return err, r, v
