"""Probability of collision (Pc) in the 2D short-encounter model.

All functions take lengths in one consistent unit (km or m) and return a
probability. The relative position ``r`` and velocity ``v`` (object 2 minus
object 1, or the reverse: Pc does not care) and the combined 3x3 position
covariance ``cov`` must be in the same inertial frame.

Methods:

* ``foster``: numerical integral of the combined position Gaussian over the
  hard-body circle in the encounter plane (Foster & Estes 1992). The 2D
  integral is reduced to 1D with the error function and integrated with
  Gauss-Legendre quadrature over x = R sin(theta) (scipy ``quad`` where the
  smaller sigma is below 0.1 R); better than 1e-9 relative.
* ``chan``: Chan's (1997) series for the equivalent-area circle.
* ``max_probability``: Alfano's (2005) maximum Pc when no covariance is known,
  with CelesTrak SOCRATES' conventions (see its docstring).

Degenerate cases return a number and a reason, never NaN: zero relative speed
(the encounter plane is then taken normal to object 1's velocity), singular or
non-positive-definite covariance (negative eigenvalues clipped to zero; a zero
variance reduces the integral to 1D or to a point test), miss >> sigma (Pc
underflows to 0.0).
"""
from __future__ import annotations

import numpy as np
from scipy import integrate, special, stats

from ssa.assess.search_grid import COARSE_LOG_S, FINAL_NODES, FINE_STEPS, NARROW_SIGMA_HBR, ROUNDS, SEARCH_NODES
from ssa.screen.table import rtn_basis

# relative speeds below this (in the caller's length unit per second, km/s or
# m/s alike) are treated as zero: the short-encounter model does not hold
ZERO_SPEED = 1e-9
# relative tolerance on eigenvalues below which a variance counts as zero
SINGULAR_RTOL = 1e-12
CHAN_MAX_TERMS = 20000
SOCRATES_SIGMA_RTN_M = (100.0, 300.0, 100.0)

_GL = {n: np.polynomial.legendre.leggauss(n) for n in (SEARCH_NODES, FINAL_NODES)}


def rtn_to_inertial(cov_rtn, r, v) -> np.ndarray:
    """Rotate a 3x3 (or 6x6) RTN covariance to the inertial frame of the state (r, v)."""
    basis = rtn_basis(r, v)  # rows are RTN axes in inertial coordinates
    cov_rtn = np.asarray(cov_rtn, dtype=float)
    if cov_rtn.shape[-1] == 6:
        zeros = np.zeros_like(basis)
        basis = np.block([[basis, zeros], [zeros, basis]])
    return np.swapaxes(basis, -1, -2) @ cov_rtn @ basis


def encounter_plane(r, v, cov, v_fallback=None):
    """Project the relative state onto the encounter plane (normal to v).

    Returns (miss_x, miss_y, sigma_x, sigma_y, reasons): the miss vector in the
    principal axes of the projected covariance (sigma_x >= sigma_y), as arrays
    over the leading axis, and a per-row reason string ("" when regular).
    ``v_fallback`` (object 1's velocity) gives the plane when |v| ~ 0.
    """
    r = np.atleast_2d(np.asarray(r, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    cov = np.asarray(cov, dtype=float).reshape(-1, 3, 3)
    n = len(r)
    reasons = np.full(n, "", dtype=object)
    speed = np.linalg.norm(v, axis=1)
    slow = speed <= ZERO_SPEED
    zhat = np.empty_like(v)
    zhat[~slow] = v[~slow] / speed[~slow, None]
    if slow.any():
        vf = np.atleast_2d(np.asarray(v_fallback if v_fallback is not None else np.tile([0.0, 0.0, 1.0], (n, 1)), dtype=float))
        vf = np.broadcast_to(vf, v.shape)[slow]
        zhat[slow] = vf / np.linalg.norm(vf, axis=1, keepdims=True)
        reasons[slow] = "zero relative speed: plane normal to object 1 velocity"
    # any two axes spanning the plane; x along the miss where it is non-zero
    r_perp = r - np.sum(r * zhat, axis=1, keepdims=True) * zhat
    helper = np.where(np.abs(zhat[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    xhat = np.cross(zhat, helper)
    xhat /= np.linalg.norm(xhat, axis=1, keepdims=True)
    yhat = np.cross(zhat, xhat)
    plane = np.stack([xhat, yhat], axis=1)  # (n, 2, 3)
    c2 = plane @ cov @ np.swapaxes(plane, 1, 2)
    c2 = 0.5 * (c2 + np.swapaxes(c2, 1, 2))
    m2 = np.einsum("nij,nj->ni", plane, r_perp)
    evals, evecs = np.linalg.eigh(c2)  # ascending
    scale = np.maximum(np.abs(evals).max(axis=1), np.finfo(float).tiny)
    negative = evals < -SINGULAR_RTOL * scale[:, None]
    if negative.any():
        rows = negative.any(axis=1)
        reasons[rows] = [f"{s}; " if s else "" for s in reasons[rows]]
        reasons[rows] += "non-positive-definite covariance: eigenvalues clipped to 0"
    evals = np.where(evals < SINGULAR_RTOL * scale[:, None], 0.0, evals)
    # principal axes: x the larger sigma
    miss_x = np.einsum("ni,ni->n", evecs[:, :, 1], m2)
    miss_y = np.einsum("ni,ni->n", evecs[:, :, 0], m2)
    return miss_x, miss_y, np.sqrt(evals[:, 1]), np.sqrt(evals[:, 0]), reasons


def _erf_window(centre, half_width, sigma):
    """P(|Y - centre| <= half_width) for Y ~ N(0, sigma^2), without cancellation in the tails."""
    a, b = np.broadcast_arrays((centre + half_width) / (np.sqrt(2.0) * sigma),
                               (centre - half_width) / (np.sqrt(2.0) * sigma))
    out = np.empty(a.shape)
    right, left = b > 0, a < 0
    middle = ~(right | left)
    out[right] = special.erfc(b[right]) - special.erfc(a[right])
    out[left] = special.erfc(-a[left]) - special.erfc(-b[left])
    out[middle] = special.erf(a[middle]) - special.erf(b[middle])
    return 0.5 * out


def _circle_integrand(theta, mx, my, sx, sy, hbr):
    """Integrand over theta in [-pi/2, pi/2] of the 2D Gaussian mass over the circle."""
    x = hbr * np.sin(theta)
    half = hbr * np.cos(theta)
    gx = np.exp(-0.5 * ((x + mx) / sx) ** 2) / (np.sqrt(2.0 * np.pi) * sx)
    return gx * _erf_window(my, half, sy) * hbr * np.cos(theta)


def _pc_plane_quad(mx, my, sx, sy, hbr) -> float:
    """One conjunction with scipy quad, breaking at the x-Gaussian's peak and the erf window's edges."""
    points = []
    theta_peak = np.arcsin(np.clip(-mx / hbr, -1.0, 1.0))
    if abs(theta_peak) < np.pi / 2:
        points.append(theta_peak)
    if abs(my) < hbr:  # where the chord's half-width equals |my| the y-window steps when sigma_y is small
        edge = np.arccos(abs(my) / hbr)
        points += [edge, -edge]
    value, _ = integrate.quad(
        _circle_integrand, -np.pi / 2, np.pi / 2, args=(mx, my, sx, sy, hbr),
        points=points or None, epsabs=0.0, epsrel=1e-10, limit=500,
    )
    return value


def pc_plane(miss_x, miss_y, sigma_x, sigma_y, hbr, nodes: int = FINAL_NODES) -> np.ndarray:
    """Foster 2D Pc from encounter-plane quantities (principal axes, sigma_x >= sigma_y).

    ``nodes=96`` (default): Gauss-Legendre over the circle where the smaller
    sigma is at least 0.1 hbr (measured: 1e-11 relative against scipy quad
    there), scipy quad with break points below (the erf window then steps).
    ``nodes=24``: Gauss-Legendre everywhere, for a quick search only.
    """
    mx, my, sx, sy, R = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (miss_x, miss_y, sigma_x, sigma_y, hbr)))
    mx, my, sx, sy, R = (np.atleast_1d(a).ravel() for a in (mx, my, sx, sy, R))
    pc = np.zeros(len(mx))
    miss = np.hypot(mx, my)
    point = sx == 0  # both variances zero: inside or outside the circle
    pc[point] = (miss[point] <= R[point]).astype(float)
    line = (sy == 0) & ~point  # all spread along x: 1D integral over the chord
    half = np.sqrt(np.clip(R[line] ** 2 - my[line] ** 2, 0.0, None))
    pc[line] = np.where(np.abs(my[line]) < R[line], _erf_window(-mx[line], half, sx[line]), 0.0)
    regular = ~point & ~line
    broad = regular & ((sy >= NARROW_SIGMA_HBR * R) | (nodes != FINAL_NODES))
    if broad.any():
        x, w = _GL[nodes]
        theta = 0.5 * np.pi * x
        f = _circle_integrand(theta[None, :], mx[broad, None], my[broad, None], sx[broad, None], sy[broad, None], R[broad, None])
        pc[broad] = 0.5 * np.pi * f @ w
    for i in np.flatnonzero(regular & ~broad):
        pc[i] = _pc_plane_quad(mx[i], my[i], sx[i], sy[i], R[i])
    return np.clip(pc, 0.0, 1.0)


def pc_foster(r, v, cov, hbr, v1=None):
    """Foster 2D Pc for one or many conjunctions; returns (pc, reasons) arrays."""
    mx, my, sx, sy, reasons = encounter_plane(r, v, cov, v1)
    return pc_plane(mx, my, sx, sy, hbr), reasons


def pc_chan_plane(miss_x, miss_y, sigma_x, sigma_y, hbr) -> np.ndarray:
    """Chan's series: sum over m of Poisson(m; v/2) * P(Poisson(u/2) > m).

    u = R^2 / (sigma_x sigma_y), v = (x/sigma_x)^2 + (y/sigma_y)^2. Exact for
    a circular covariance; an approximation (equal-area circle) for elongated
    ellipses with R not small against sigma_y, where it can be off by a factor
    of several (see the CARA comparison in tests). Where a sigma is zero or the
    series would need more than CHAN_MAX_TERMS terms it returns the Foster
    value.
    """
    mx, my, sx, sy, R = (np.atleast_1d(np.asarray(a, dtype=float)).ravel() for a in np.broadcast_arrays(miss_x, miss_y, sigma_x, sigma_y, hbr))
    pc = pc_plane(mx, my, sx, sy, R)  # exact answer where the series is undefined or too long
    with np.errstate(divide="ignore", invalid="ignore"):
        u_all = R**2 / (sx * sy)
        v_all = (mx / sx) ** 2 + (my / sy) ** 2
    # terms matter while both Poisson(v/2) and P(Poisson(u/2) > m) do
    cut = np.minimum(v_all / 2 + 12 * np.sqrt(v_all / 2 + 1) + 30, u_all / 2 + 12 * np.sqrt(u_all / 2 + 1) + 30)
    ok = (sy > 0) & (cut < CHAN_MAX_TERMS)
    if ok.any():
        u, vv = u_all[ok], v_all[ok]
        m = np.arange(int(np.ceil(cut[ok].max())) + 1)[None, :]
        terms = stats.poisson.pmf(m, vv[:, None] / 2) * stats.poisson.sf(m, u[:, None] / 2)
        pc[ok] = terms.sum(axis=1)
    return np.clip(pc, 0.0, 1.0)


def pc_chan(r, v, cov, hbr, v1=None):
    """Chan 2D Pc for one or many conjunctions; returns (pc, reasons) arrays."""
    mx, my, sx, sy, reasons = encounter_plane(r, v, cov, v1)
    return pc_chan_plane(mx, my, sx, sy, hbr), reasons


def socrates_covariance(r1, v1, r2, v2) -> np.ndarray:
    """SOCRATES' covariance shape: diag(100, 300, 100 m)^2 in each object's RTN, summed; km^2, inertial."""
    shape = np.diag((np.array(SOCRATES_SIGMA_RTN_M) / 1000.0) ** 2)
    return rtn_to_inertial(shape, r1, v1) + rtn_to_inertial(shape, r2, v2)


def max_probability(r, v, hbr, r1, v1, r2, v2):
    """Alfano's maximum Pc and SOCRATES' dilution threshold, as CelesTrak computes them; km.

    r, v: relative position/velocity (km, km/s); r1, v1, r2, v2: the two
    objects' states (km, km/s); hbr: combined hard-body radius (km). The
    covariance ellipse in the encounter plane takes the aspect ratio of
    SOCRATES' shape (radial/in-track/cross-track sigmas 100:300:100 m in
    each object's RTN, summed, projected), is oriented with its major axis
    along the miss vector and scaled to give the largest Pc. Returns
    (max_prob, dilution_km): dilution is the minor-axis standard deviation
    at that maximum ("the standard deviation that produces the maximum
    probability"). Where the miss is within the hard body max_prob is 1 and
    dilution 0 (SOCRATES: "the maximum probability will be one").
    Checked against SOCRATES reports: dilution to its printed metre.
    """
    r = np.atleast_2d(np.asarray(r, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    r1, v1, r2, v2 = (np.atleast_2d(np.asarray(x, dtype=float)) for x in (r1, v1, r2, v2))
    hbr = np.broadcast_to(np.asarray(hbr, dtype=float), (len(r),))
    mx, my, sx, sy, _ = encounter_plane(r, v, socrates_covariance(r1, v1, r2, v2), v1)
    miss = np.hypot(mx, my)
    ratio = np.where(sy > 0, sx / np.where(sy > 0, sy, 1.0), 3.0)
    max_prob = np.ones(len(r))
    dilution = np.zeros(len(r))
    rows = np.flatnonzero(miss > hbr)
    if len(rows) == 0:
        return max_prob, dilution
    from ssa.assess.kernels import peak_over_scale

    found_prob, found_s = np.empty(len(rows)), np.empty(len(rows))
    peak_over_scale(miss[rows], ratio[rows], hbr[rows], found_prob, found_s)
    max_prob[rows], dilution[rows] = found_prob, found_s
    narrow = rows[np.isnan(found_prob)]  # minor sigma below 0.1 hbr at the peak: scipy quad
    if len(narrow):
        max_prob[narrow], dilution[narrow] = peak_over_scale_reference(miss[narrow], ratio[narrow], hbr[narrow])
    return max_prob, dilution


def peak_over_scale_reference(miss, ratio, hbr):
    """Max over s of Pc(miss on the major axis, sigmas ratio*s and s, hbr), and the s there.

    The numpy reference of ``ssa.assess.kernels.peak_over_scale``, and what
    rows whose peak needs scipy quad (minor sigma below 0.1 hbr) use.

    Log-s grid around miss/(sqrt(2) ratio) (the small-body optimum), refined
    twice around the best point, then a parabola through the last three.
    """
    miss, ratio, hbr = miss[:, None], ratio[:, None], hbr[:, None]
    rows = np.arange(len(miss))
    log_s = np.log(miss / (np.sqrt(2.0) * ratio)) + COARSE_LOG_S[None, :]
    for round_ in range(ROUNDS):
        s = np.exp(log_s)
        pc = pc_plane(miss + 0 * s, 0 * s, ratio * s, s, hbr + 0 * s, nodes=SEARCH_NODES)
        log_pc = np.log(np.maximum(pc, 1e-300)).reshape(s.shape)
        best = np.clip(np.argmax(log_pc, axis=1), 1, s.shape[1] - 2)
        step = log_s[:, 1] - log_s[:, 0]
        centre = log_s[rows, best]
        if round_ < ROUNDS - 1:
            log_s = centre[:, None] + step[:, None] * FINE_STEPS[None, :]
    # parabola through (best-1, best, best+1) in log s
    f0, f1, f2 = log_pc[rows, best - 1], log_pc[rows, best], log_pc[rows, best + 1]
    curvature = f0 - 2 * f1 + f2
    shift = np.where(curvature < 0, 0.5 * (f0 - f2) / np.where(curvature < 0, curvature, -1.0), 0.0)
    log_peak = centre + np.clip(shift, -1.0, 1.0) * step
    s = np.exp(log_peak)[:, None]
    peak = pc_plane(miss, 0 * s, ratio * s, s, hbr)
    at_best = pc_plane(miss[:, 0], 0 * miss[:, 0], ratio[:, 0] * np.exp(centre), np.exp(centre), hbr[:, 0])
    better = peak >= at_best
    return np.where(better, peak, at_best), np.where(better, s[:, 0], np.exp(centre))
