"""SGP4/SDP4 propagation in numba: TEME positions (km) and velocities (km/s).

``propagate(catalog, jd, fr)`` is shaped like python-sgp4's
``SatrecArray.sgp4``; ``init_params`` gives the per-satellite constants that
``ssa.propagate.kernels.sgp4_point`` takes inside other numba kernels.
"""
from __future__ import annotations

import numpy as np

from ssa.catalog.model import Catalog
from ssa.propagate.params import init_params

__all__ = ["init_params", "propagate", "ERROR_MESSAGES"]

ERROR_MESSAGES = {
    0: "",
    1: "mean eccentricity not within range 0 <= e < 1",
    2: "mean motion less than zero",
    3: "perturbed eccentricity not within range 0 <= e <= 1",
    4: "semi-latus rectum less than zero",
    6: "decayed: radius below one earth radius",
}


def propagate(catalog: Catalog | np.ndarray, jd, fr):
    """Every object of the catalogue at every UTC two-part Julian date jd + fr.

    ``catalog`` may also be a parameter array from ``init_params`` (to skip
    initialisation when propagating the same catalogue repeatedly). Returns
    (err, r, v): err uint8 (n_sat, n_time) with python-sgp4's codes (0 fine;
    1-4 leave r, v NaN, 6 decayed keeps them), r TEME km and v TEME km/s,
    float64 (n_sat, n_time, 3).
    """
    from ssa.propagate.kernels import propagate_grid

    params = catalog if isinstance(catalog, np.ndarray) else init_params(catalog)
    jd = np.atleast_1d(np.asarray(jd, dtype=np.float64))
    fr = np.atleast_1d(np.asarray(fr, dtype=np.float64))
    jd, fr = np.broadcast_arrays(jd, fr)
    jd = np.ascontiguousarray(jd.ravel())
    fr = np.ascontiguousarray(fr.ravel())
    n_sat, n_time = params.shape[0], jd.shape[0]
    err = np.empty((n_sat, n_time), dtype=np.uint8)
    r = np.empty((n_sat, n_time, 3))
    v = np.empty((n_sat, n_time, 3))
    propagate_grid(np.ascontiguousarray(params, dtype=np.float64), jd, fr, err, r, v)
    return err, r, v
