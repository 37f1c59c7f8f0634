"""Manoeuvre detection kernels: how far each element set lies from the one before.

For each pair (earlier, later) of element sets of one object, the earlier set is
propagated with SGP4 to the later set's epoch and both states (TEME, km, km/s)
are turned into osculating two-body quantities at that instant; SGP4's short-
periodic terms are nearly the same for both and cancel in the differences.
Columns of the result (``RESIDUAL_COLUMNS``):

- ``delta_a_km``: semi-major axis, later minus predicted, km
- ``plane_rad``: angle between the two orbit normals, rad
- ``delta_e``: length of the difference of the eccentricity vectors
- ``dv_along_m_s``: v * delta_a / (2 a), the along-track impulse that gives delta_a, m/s (signed)
- ``dv_normal_m_s``: v * plane angle, the normal impulse that tilts the plane so far, m/s
- ``dv_radial_m_s``: v * sqrt(delta_e^2 - (2 dv_along / v)^2) (0 when negative), m/s:
  on a near-circular orbit an along-track impulse moves the eccentricity vector by
  2 dv / v and a radial one by dv / v at right angles to it (Gauss' equations)
- ``delta_i_rad``, ``delta_node_rad``: inclination and node differences (wrapped to +-pi)

``pair_residuals`` is the numba version (parallel over pairs);
``pair_residuals_reference`` the plain-numpy one with python-sgp4, which the
tests hold it to.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ssa.constants import MINUTES_PER_DAY, MU_KM3_S2
from ssa.propagate.kernels import P_EPOCH_FR, P_EPOCH_JD, sgp4_point

RESIDUAL_COLUMNS = ("delta_a_km", "plane_rad", "delta_e", "dv_along_m_s", "dv_normal_m_s", "dv_radial_m_s",
                    "delta_i_rad", "delta_node_rad")
N_RESIDUALS = len(RESIDUAL_COLUMNS)


@njit(cache=True, nogil=True, error_model="numpy")
def _osculating(rx, ry, rz, vx, vy, vz):
    """(a km, ex, ey, ez, hx, hy, hz unit normal, speed km/s) of a TEME state."""
    r = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    a = 1.0 / (2.0 / r - v2 / MU_KM3_S2)
    rv = rx * vx + ry * vy + rz * vz
    c = v2 - MU_KM3_S2 / r
    ex = (c * rx - rv * vx) / MU_KM3_S2
    ey = (c * ry - rv * vy) / MU_KM3_S2
    ez = (c * rz - rv * vz) / MU_KM3_S2
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    h = math.sqrt(hx * hx + hy * hy + hz * hz)
    return a, ex, ey, ez, hx / h, hy / h, hz / h, math.sqrt(v2)


@njit(cache=True, nogil=True, error_model="numpy")
def _wrap_pi(x):
    return (x + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True, nogil=True, error_model="numpy")
def _residual_row(p0, x1, out):
    """Fill out (N_RESIDUALS,) from the predicted osculating state p0 and the observed x1."""
    a0, ex0, ey0, ez0, hx0, hy0, hz0, v0 = p0
    a1, ex1, ey1, ez1, hx1, hy1, hz1, _ = x1
    dot = min(1.0, max(-1.0, hx0 * hx1 + hy0 * hy1 + hz0 * hz1))
    cx = hy0 * hz1 - hz0 * hy1
    cy = hz0 * hx1 - hx0 * hz1
    cz = hx0 * hy1 - hy0 * hx1
    plane = math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), dot)
    de = math.sqrt((ex1 - ex0) ** 2 + (ey1 - ey0) ** 2 + (ez1 - ez0) ** 2)
    da = a1 - a0
    dv_along = v0 * da / (2.0 * a0)
    radial2 = de * de - (2.0 * dv_along / v0) ** 2
    out[0] = da
    out[1] = plane
    out[2] = de
    out[3] = dv_along * 1000.0
    out[4] = v0 * plane * 1000.0
    out[5] = v0 * math.sqrt(radial2) * 1000.0 if radial2 > 0.0 else 0.0
    out[6] = math.acos(min(1.0, max(-1.0, hz1))) - math.acos(min(1.0, max(-1.0, hz0)))
    out[7] = _wrap_pi(math.atan2(hx1, -hy1) - math.atan2(hx0, -hy0))


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def pair_residuals(params, earlier, later, out, err):
    """Residuals of each pair (params rows earlier[k] -> later[k]) into out (n_pairs, N_RESIDUALS).

    err[k]: SGP4 error code of the earlier set at the later epoch, else of the
    later set at its own epoch (0 fine; out row NaN otherwise).
    """
    for k in prange(earlier.shape[0]):
        p0 = params[earlier[k]]
        p1 = params[later[k]]
        t = (p1[P_EPOCH_JD] - p0[P_EPOCH_JD]) * MINUTES_PER_DAY + (p1[P_EPOCH_FR] - p0[P_EPOCH_FR]) * MINUTES_PER_DAY
        e0, rx0, ry0, rz0, vx0, vy0, vz0 = sgp4_point(p0, t)
        e1, rx1, ry1, rz1, vx1, vy1, vz1 = sgp4_point(p1, 0.0)
        err[k] = e0 if e0 != 0 else e1
        if err[k] != 0:
            out[k, :] = np.nan
            continue
        _residual_row(_osculating(rx0, ry0, rz0, vx0, vy0, vz0), _osculating(rx1, ry1, rz1, vx1, vy1, vz1), out[k])


def _osculating_np(r: np.ndarray, v: np.ndarray):
    """Plain-numpy osculating quantities of TEME states r, v (n, 3)."""
    rn = np.linalg.norm(r, axis=1)
    v2 = np.einsum("ij,ij->i", v, v)
    a = 1.0 / (2.0 / rn - v2 / MU_KM3_S2)
    rv = np.einsum("ij,ij->i", r, v)
    e = ((v2 - MU_KM3_S2 / rn)[:, None] * r - rv[:, None] * v) / MU_KM3_S2
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=1)[:, None]
    return a, e, h, np.sqrt(v2)


def pair_residuals_reference(satrecs, earlier: np.ndarray, later: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same residuals with python-sgp4 (C++) and numpy: (out, err) as ``pair_residuals``.

    ``satrecs``: python-sgp4 satellites, one per element set (``Catalog.satrecs()``).
    """
    n = len(earlier)
    r0, v0, r1, v1 = (np.full((n, 3), np.nan) for _ in range(4))
    err = np.zeros(n, dtype=np.uint8)
    for k, (i, j) in enumerate(zip(earlier.tolist(), later.tolist())):
        s0, s1 = satrecs[i], satrecs[j]
        e0, r0[k], v0[k] = s0.sgp4(s1.jdsatepoch, s1.jdsatepochF)
        e1, r1[k], v1[k] = s1.sgp4(s1.jdsatepoch, s1.jdsatepochF)
        err[k] = e0 or e1
    a0, e0, h0, sp0 = _osculating_np(r0, v0)
    a1, e1, h1, _ = _osculating_np(r1, v1)
    dot = np.clip(np.einsum("ij,ij->i", h0, h1), -1.0, 1.0)
    plane = np.arctan2(np.linalg.norm(np.cross(h0, h1), axis=1), dot)
    de = np.linalg.norm(e1 - e0, axis=1)
    da = a1 - a0
    dv_along = sp0 * da / (2.0 * a0)
    radial2 = de**2 - (2.0 * dv_along / sp0) ** 2
    out = np.column_stack([
        da, plane, de, dv_along * 1000.0, sp0 * plane * 1000.0,
        np.where(radial2 > 0.0, sp0 * np.sqrt(np.maximum(radial2, 0.0)), 0.0) * 1000.0,
        np.arccos(np.clip(h1[:, 2], -1, 1)) - np.arccos(np.clip(h0[:, 2], -1, 1)),
        (np.arctan2(h1[:, 0], -h1[:, 1]) - np.arctan2(h0[:, 0], -h0[:, 1]) + np.pi) % (2 * np.pi) - np.pi,
    ])
    out[err != 0] = np.nan
    return out, err
