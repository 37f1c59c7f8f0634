"""SGP4/SDP4 propagation in numba: TEME positions (km) and velocities (km/s).

``propagate(catalog, jd, fr)`` is shaped like python-sgp4's
``SatrecArray.sgp4``; ``init_params`` gives the per-satellite constants that
``ssa.propagate.kernels.sgp4_point`` takes inside other numba kernels.
``GridPropagator(params)`` lays a catalogue out once for repeated grids
(near-earth objects in SIMD lane blocks, ``ssa.propagate.lane_kernels``; the
rest on the scalar kernel) and fills preallocated arrays, positions only if
asked.
"""
from __future__ import annotations

import numba
import numpy as np

from ssa.catalog.model import Catalog
from ssa.propagate.kernels import GRID_CHUNK, N_PARAMS
from ssa.propagate.lane_kernels import lane_blocks, propagate_lanes, propagate_rows
from ssa.propagate.params import init_params

__all__ = ["init_params", "propagate", "GridPropagator", "ERROR_MESSAGES"]

ERROR_MESSAGES = {
    0: "",
    1: "mean elements out of range (eccentricity not in [-0.001, 1), or not finite)",
    2: "mean motion below zero",
    3: "perturbed eccentricity not within range 0 <= e <= 1",
    4: "semi-latus rectum below zero",
    6: "decayed: radius below one earth radius",
    7: "not a bound orbit: radius above 1.5 x twice the epoch semi-major axis, or speed^2 above 1.1 x escape",
}


class GridPropagator:
    """A parameter array (``init_params``) laid out once for propagation on many time grids.

    Near-earth element sets with the full drag model run in blocks of
    ``lane_kernels.LANES`` satellites on the vector kernel, the others (deep
    space, simplified drag) on the scalar one; results are the scalar
    kernel's, bit for bit. ``into`` uses the blocks as work space: one call
    at a time per GridPropagator.
    """

    def __init__(self, params: np.ndarray):
        if params.ndim != 2 or params.shape[1] != N_PARAMS:
            raise ValueError(f"parameter array must have shape (n_sat, {N_PARAMS}), not {params.shape}")
        self.params = np.ascontiguousarray(params, dtype=np.float64)
        self.blocks, self.block_rows, self.scalar_rows = lane_blocks(self.params)

    def into(self, jd: np.ndarray, fr: np.ndarray, err: np.ndarray, r: np.ndarray, v: np.ndarray | None = None):
        """Every satellite at every UTC two-part Julian date jd[j] + fr[j] (1-D float64,
        finite) into err (n_sat, n_time) uint8, r and, unless None, v (n_sat, n_time, 3)
        float64: error codes, TEME km and km/s as ``propagate`` returns them."""
        with_velocity = v is not None
        if v is None:
            v = np.empty((0, 0, 3))
        with numba.parallel_chunksize(1):  # a block is 16 satellites: hand them out one by one
            propagate_lanes(self.blocks, self.block_rows, self.params, jd, fr, err, r, v, with_velocity)
        with numba.parallel_chunksize(GRID_CHUNK):
            propagate_rows(self.params, self.scalar_rows, jd, fr, err, r, v, with_velocity)


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
    grid = GridPropagator(params)
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
    grid.into(jd, fr, err, r, v)
    return err, r, v
