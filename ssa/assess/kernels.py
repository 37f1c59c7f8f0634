"""Numba kernel of the maximum-Pc search (Alfano / SOCRATES), parallel over conjunctions.

The plain-numpy reference is ``ssa.assess.risk.peak_over_scale_reference``
(with ``risk.pc_plane``); tests hold this kernel to it. Both search the grid
of ``ssa.assess.search_grid``. Lengths in any one unit
(km in ``risk.max_probability``).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ssa.assess.search_grid import COARSE_LOG_S, FINAL_NODES, FINE_STEPS, NARROW_SIGMA_HBR, ROUNDS, SEARCH_NODES

GL24_X, GL24_W = np.polynomial.legendre.leggauss(SEARCH_NODES)
GL96_X, GL96_W = np.polynomial.legendre.leggauss(FINAL_NODES)
# sin and cos of the nodes theta = pi/2 x, the same for every conjunction
GL24_SIN, GL24_COS = np.sin(0.5 * np.pi * GL24_X), np.cos(0.5 * np.pi * GL24_X)
GL96_SIN, GL96_COS = np.sin(0.5 * np.pi * GL96_X), np.cos(0.5 * np.pi * GL96_X)
SQRT2 = math.sqrt(2.0)


@njit(cache=True, nogil=True)
def _erf_window(centre, half_width, sigma):
    """P(|Y - centre| <= half_width) for Y ~ N(0, sigma^2), without cancellation in the tails."""
    a = (centre + half_width) / (SQRT2 * sigma)
    b = (centre - half_width) / (SQRT2 * sigma)
    if b > 0.0:
        return 0.5 * (math.erfc(b) - math.erfc(a))
    if a < 0.0:
        return 0.5 * (math.erfc(-a) - math.erfc(-b))
    return 0.5 * (math.erf(a) - math.erf(b))


@njit(cache=True, nogil=True)
def _pc_gauss_legendre(mx, my, sx, sy, hbr, sin_nodes, cos_nodes, w):
    """Foster 2D Pc over the circle by Gauss-Legendre in theta (as risk.pc_plane), clipped to [0, 1]."""
    total = 0.0
    for k in range(len(w)):
        chord = hbr * cos_nodes[k]
        gx = math.exp(-0.5 * ((hbr * sin_nodes[k] + mx) / sx) ** 2)
        total += w[k] * (gx * _erf_window(my, chord, sy) * chord)
    return min(max(0.5 * math.pi * total / (math.sqrt(2.0 * math.pi) * sx), 0.0), 1.0)


@njit(cache=True, nogil=True)
def _log_pc(miss, ratio, hbr, log_s):
    s = math.exp(log_s)
    return math.log(max(_pc_gauss_legendre(miss, 0.0, ratio * s, s, hbr, GL24_SIN, GL24_COS, GL24_W), 1e-300))


@njit(cache=True, parallel=True)
def peak_over_scale(miss, ratio, hbr, max_prob, dilution):
    """Max over s of Pc(miss on the major axis, sigmas ratio*s and s, hbr), and the s there.

    Log-s grid, refined twice around the best point, then a parabola
    through the last three, as ``risk.peak_over_scale_reference``. Rows whose
    optimum has s < 0.1 hbr (where 96-node Gauss-Legendre is not enough) are
    left NaN for the caller to evaluate with scipy quad.
    """
    for i in prange(len(miss)):
        log_s = math.log(miss[i] / (SQRT2 * ratio[i])) + COARSE_LOG_S
        values = np.empty(len(log_s))
        best, step, centre = 0, 0.0, 0.0
        for rounds in range(ROUNDS):
            for k in range(len(log_s)):
                values[k] = _log_pc(miss[i], ratio[i], hbr[i], log_s[k])
            best = min(max(int(np.argmax(values)), 1), len(log_s) - 2)
            step = log_s[1] - log_s[0]
            centre = log_s[best]
            if rounds < ROUNDS - 1:
                log_s = centre + step * FINE_STEPS
                values = np.empty(len(log_s))
        f0, f1, f2 = values[best - 1], values[best], values[best + 1]
        curvature = f0 - 2.0 * f1 + f2
        shift = 0.5 * (f0 - f2) / curvature if curvature < 0.0 else 0.0
        s_peak = math.exp(centre + min(max(shift, -1.0), 1.0) * step)
        s_best = math.exp(centre)
        if min(s_peak, s_best) < NARROW_SIGMA_HBR * hbr[i]:
            max_prob[i], dilution[i] = np.nan, np.nan
            continue
        peak = _pc_gauss_legendre(miss[i], 0.0, ratio[i] * s_peak, s_peak, hbr[i], GL96_SIN, GL96_COS, GL96_W)
        at_best = _pc_gauss_legendre(miss[i], 0.0, ratio[i] * s_best, s_best, hbr[i], GL96_SIN, GL96_COS, GL96_W)
        if peak >= at_best:
            max_prob[i], dilution[i] = peak, s_peak
        else:
            max_prob[i], dilution[i] = at_best, s_best
