"""Numba kernel of the fragmentation detector: each fragment's distance to its
parent over a time grid, SGP4 for both (TEME, km), and the plain-numpy
reference (python-sgp4's C++ SatrecArray) the tests hold it to.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange
from sgp4.api import SatrecArray

from ssa.constants import MINUTES_PER_DAY
from ssa.propagate.kernels import P_EPOCH_FR, P_EPOCH_JD, sgp4_point


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def cloud_distances(frag_params, parent_params, jd, fr, out):
    """Fill out (n_frag, n_time) with |r_fragment - r_parent| in km at each UTC
    two-part Julian date jd[j] + fr[j]; NaN where either SGP4 fails (codes 1-4).

    frag_params: ``init_params`` rows of the fragments; parent_params: one row.
    Minutes since epoch are formed as ``ssa.propagate.lane_kernels.propagate_rows``
    forms them.
    """
    n_time = jd.shape[0]
    parent = np.empty((n_time, 3))
    pe_jd = parent_params[P_EPOCH_JD]
    pe_fr = parent_params[P_EPOCH_FR]
    for j in prange(n_time):
        t = (jd[j] - pe_jd) * MINUTES_PER_DAY + (fr[j] - pe_fr) * MINUTES_PER_DAY
        _e, rx, ry, rz, _vx, _vy, _vz = sgp4_point(parent_params, t)
        parent[j, 0] = rx
        parent[j, 1] = ry
        parent[j, 2] = rz
    for i in prange(frag_params.shape[0]):
        p = frag_params[i]
        e_jd = p[P_EPOCH_JD]
        e_fr = p[P_EPOCH_FR]
        for j in range(n_time):
            t = (jd[j] - e_jd) * MINUTES_PER_DAY + (fr[j] - e_fr) * MINUTES_PER_DAY
            _e, rx, ry, rz, _vx, _vy, _vz = sgp4_point(p, t)
            dx = rx - parent[j, 0]
            dy = ry - parent[j, 1]
            dz = rz - parent[j, 2]
            out[i, j] = np.sqrt(dx * dx + dy * dy + dz * dz)


def cloud_distances_reference(fragments, parent, jd, fr) -> np.ndarray:
    """Plain-numpy reference of ``cloud_distances``: python-sgp4 (C++) for the
    fragments and the parent (Catalogs), numpy for the distances; km, (n_frag, n_time)."""
    jd = np.asarray(jd, dtype=np.float64)
    fr = np.asarray(fr, dtype=np.float64)
    _ef, rf, _vf = SatrecArray(fragments.satrecs()).sgp4(jd, fr)
    _ep, rp, _vp = SatrecArray(parent.satrecs()).sgp4(jd, fr)
    return np.linalg.norm(rf - rp[:1], axis=2)
