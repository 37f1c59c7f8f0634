"""Plain-numpy reference of the kernel's bound-orbit test, for python-sgp4 states.

``flag_not_bound(err, r, v, a0_km)`` gives python-sgp4's error codes with
code 7 (``ERR_NOT_BOUND``) where python-sgp4 says 0 but the state is one no
bound orbit can have; the tests hold ``ssa.propagate.propagate`` to it, and
the brute-force screen (``ssa.screen.reference``) stops objects by it.
"""
from __future__ import annotations

import numpy as np

from ssa.constants import EARTH_RADIUS_KM, MU_KM3_S2
from ssa.propagate.kernels import APOGEE_LIMIT, ERR_NOT_BOUND, ESCAPE_LIMIT


def epoch_semi_major_axis_km(satrecs) -> np.ndarray:
    """Semi-major axis at epoch (km) of python-sgp4 Satrec objects (their ``a``, earth radii)."""
    return np.array([sat.a for sat in satrecs]) * EARTH_RADIUS_KM


def flag_not_bound(err: np.ndarray, r: np.ndarray, v: np.ndarray, a0_km: np.ndarray) -> np.ndarray:
    """err (n_sat, n_time) with ERR_NOT_BOUND where it is 0 and (r, v) is no bound orbit's.

    r TEME km, v TEME km/s (n_sat, n_time, 3); a0_km (n_sat,) semi-major axis at
    epoch. Not bound: radius above APOGEE_LIMIT * a0, v^2 above ESCAPE_LIMIT *
    2 mu / r, or NaN.
    """
    radius = np.linalg.norm(r, axis=-1)
    speed2 = np.sum(v * v, axis=-1)
    with np.errstate(invalid="ignore"):
        bound = (radius <= APOGEE_LIMIT * a0_km[:, None]) & (speed2 * radius <= ESCAPE_LIMIT * 2.0 * MU_KM3_S2)
    return np.where((err == 0) & ~bound, np.uint8(ERR_NOT_BOUND), err).astype(np.uint8)
