"""Numba kernels of the overflight detector: TEME -> Earth-fixed, site elevation, passes.

Frames: SGP4 gives TEME (km). Earth-fixed (ITRF, polar motion ignored) is TEME
rotated by GMST 1982 about z, with UT1 taken equal to UTC (|UT1 - UTC| < 0.9 s
moves a site by under 0.45 km; the tests hold passes to skyfield within 1 s).
Sites are WGS-84 geodetic. The plain-numpy reference the tests hold these to is
``ssa.detect.overflight.passes_reference``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ssa.propagate.kernels import sgp4_point

DEG = math.pi / 180.0
TWOPI = 2.0 * math.pi
# a sampled local maximum of elevation more than this far below the sensor's lowest usable elevation
# is not refined:
# between samples 60 s apart the elevation of an orbit above 200 km rises less than this
REFINE_MARGIN_DEG = 10.0
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
TIME_TOL_S = 1e-3  # refinement tolerance of rise, culmination and set
# a crossing is also found when the score is this close to 0: within 1 ms where the elevation
# changes by 1e-4 deg/s or more at the crossing (LEO and MEO passes; a drifting GEO object, 1e-5 deg/s: 10 ms)
SCORE_TOL_DEG = 1e-7
# columns of the pass rows written by find_passes
P_SITE, P_RISE, P_CULM, P_SET, P_ELEV, P_OFF_NADIR, P_AZIMUTH, P_RANGE = range(8)
N_PASS_COLUMNS = 8


@njit(cache=True, nogil=True)
def gmst82(jd, fr):
    """Greenwich mean sidereal time 1982 (radians in [0, 2 pi)) at UT1 Julian date jd + fr."""
    tut1 = ((jd - 2451545.0) + fr) / 36525.0
    temp = (-6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1
            + (876600.0 * 3600.0 + 8640184.812866) * tut1 + 67310.54841)
    return (temp * DEG / 240.0) % TWOPI


@njit(cache=True, nogil=True)
def _look(p, minutes, jd, fr, site, up, north, east):
    """(err, elevation deg, off-nadir deg, azimuth deg, range km) of one satellite from one site.

    minutes: since the element set's epoch; jd + fr: the same instant (UTC ~ UT1).
    """
    err, rx, ry, rz, _, _, _ = sgp4_point(p, minutes)
    if err != 0:
        return err, np.nan, np.nan, np.nan, np.nan
    theta = gmst82(jd, fr)
    c, s = math.cos(theta), math.sin(theta)
    x, y, z = c * rx + s * ry, -s * rx + c * ry, rz
    dx, dy, dz = x - site[0], y - site[1], z - site[2]
    rng = math.sqrt(dx * dx + dy * dy + dz * dz)
    u = (dx * up[0] + dy * up[1] + dz * up[2]) / rng
    elevation = math.asin(min(1.0, max(-1.0, u))) / DEG
    n = dx * north[0] + dy * north[1] + dz * north[2]
    e = dx * east[0] + dy * east[1] + dz * east[2]
    azimuth = math.atan2(e, n) / DEG
    if azimuth < 0.0:
        azimuth += 360.0
    radius = math.sqrt(x * x + y * y + z * z)
    cos_off = (x * dx + y * dy + z * dz) / (radius * rng)  # nadir (-r) against site - satellite (-d)
    off_nadir = math.acos(min(1.0, max(-1.0, cos_off))) / DEG
    return err, elevation, off_nadir, azimuth, rng


@njit(cache=True, nogil=True)
def _score(elevation, off_nadir, min_elevation, max_off_nadir):
    """Degrees by which a look meets the sensor's limit: elevation >= min_elevation, or
    above the horizon and off-nadir <= max_off_nadir when that is positive. >= 0: the site can be seen."""
    score = elevation - min_elevation
    if max_off_nadir > 0.0:
        score = max(score, min(elevation, max_off_nadir - off_nadir))
    return score


@njit(cache=True, nogil=True)
def _at(p, base_min, start_jd, start_fr, t, site, up, north, east, min_el, max_off):
    """_look at t seconds after the window start, plus the score."""
    err, el, off, az, rng = _look(p, base_min + t / 60.0, start_jd, start_fr + t / 86400.0, site, up, north, east)
    return err, el, off, az, rng, _score(el, off, min_el, max_off)


@njit(cache=True, nogil=True)
def _crossing(p, base_min, start_jd, start_fr, t_out, f_out, t_in, f_in, site, up, north, east, min_el, max_off):
    """Time between t_out (score f_out < 0) and t_in (score f_in >= 0) where the score crosses 0:
    Illinois (regula falsi halving the stale end), bisection where it would step outside."""
    side = 0
    for _ in range(100):
        if abs(t_in - t_out) <= TIME_TOL_S:
            break
        t = (t_out * f_in - t_in * f_out) / (f_in - f_out) if f_in != f_out else 0.5 * (t_in + t_out)
        if not (min(t_in, t_out) < t < max(t_in, t_out)):
            t = 0.5 * (t_in + t_out)
        f = _at(p, base_min, start_jd, start_fr, t, site, up, north, east, min_el, max_off)[5]
        if abs(f) < SCORE_TOL_DEG:
            return t
        if f >= 0.0:
            t_in, f_in = t, f
            if side == 1:
                f_out *= 0.5
            side = 1
        else:
            t_out, f_out = t, f
            if side == -1:
                f_in *= 0.5
            side = -1
    return 0.5 * (t_in + t_out)


@njit(cache=True, nogil=True)
def _edge(p, base_min, start_jd, start_fr, t_max, score, direction, total_s, step_s, site, up, north, east,
          min_el, max_off):
    """The rise (direction -1) or set (+1) of the pass culminating at t_max: the grid is stepped
    from t_max until a sample where the site is not seen, then the crossing is refined (s from
    the window start); NaN when the window ends first."""
    k = math.floor(t_max / step_s) if direction < 0 else math.ceil(t_max / step_s)
    t_in, f_in = t_max, score
    while k >= 0 and k * step_s <= total_s + 1e-9:
        t = k * step_s
        f = _at(p, base_min, start_jd, start_fr, t, site, up, north, east, min_el, max_off)[5]
        if f < 0.0:
            return _crossing(p, base_min, start_jd, start_fr, t, f, t_in, f_in, site, up, north, east, min_el,
                             max_off)
        t_in, f_in = t, f
        k += direction
    return np.nan


@njit(cache=True, nogil=True)
def _pass_at(p, base_min, start_jd, start_fr, lo, hi, total_s, step_s, site, up, north, east, min_el, max_off,
             out_row):
    """Refine the elevation maximum in [lo, hi] (golden section); when the site is seen there,
    fill out_row (rise, culmination, set: seconds from the window start, NaN when outside it)
    and return True."""
    a, b = lo, hi
    c = b - GOLDEN * (b - a)
    d = a + GOLDEN * (b - a)
    fc = _at(p, base_min, start_jd, start_fr, c, site, up, north, east, min_el, max_off)[1]
    fd = _at(p, base_min, start_jd, start_fr, d, site, up, north, east, min_el, max_off)[1]
    while b - a > TIME_TOL_S:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - GOLDEN * (b - a)
            fc = _at(p, base_min, start_jd, start_fr, c, site, up, north, east, min_el, max_off)[1]
        else:
            a, c, fc = c, d, fd
            d = a + GOLDEN * (b - a)
            fd = _at(p, base_min, start_jd, start_fr, d, site, up, north, east, min_el, max_off)[1]
    t_max = 0.5 * (a + b)
    err, el, off, az, rng, score = _at(p, base_min, start_jd, start_fr, t_max, site, up, north, east, min_el,
                                       max_off)
    if err != 0 or not score >= 0.0:
        return False
    # rise and set: step back (forward) on the grid to a sample where the site is not seen
    t_rise = _edge(p, base_min, start_jd, start_fr, t_max, score, -1, total_s, step_s, site, up, north, east,
                   min_el, max_off)
    t_set = _edge(p, base_min, start_jd, start_fr, t_max, score, 1, total_s, step_s, site, up, north, east,
                  min_el, max_off)
    out_row[P_RISE] = t_rise
    out_row[P_CULM] = t_max
    out_row[P_SET] = t_set
    out_row[P_ELEV] = el
    out_row[P_OFF_NADIR] = off
    out_row[P_AZIMUTH] = az
    out_row[P_RANGE] = rng
    return True


@njit(cache=True, nogil=True, parallel=True)
def find_passes(params, base_min, start_jd, start_fr, n_steps, step_s, sites, ups, norths, easts,
                min_elevation, max_off_nadir, out, n_out, stopped_at):
    """Passes of every satellite over every site in [0, n_steps * step_s] s from the window start.

    params: ``ssa.propagate.init_params`` rows; base_min (n_sat,): minutes from each
    epoch to the window start (UTC two-part Julian date start_jd + start_fr). sites
    (n_site, 3) Earth-fixed km, ups/norths/easts their local unit vectors.
    min_elevation, max_off_nadir (n_sat,): each satellite's sensor limits (deg;
    max_off_nadir <= 0: elevation only). Elevation is sampled every step_s; each
    local maximum no more than REFINE_MARGIN_DEG below the lowest elevation the sensor can use is refined.
    Writes out[i, m] (N_PASS_COLUMNS, see P_*) and n_out[i] (may exceed the
    capacity out.shape[1]: call again with more); stopped_at[i]: seconds at which
    SGP4 failed (NaN: it did not).
    """
    n_sat = params.shape[0]
    n_site = sites.shape[0]
    total_s = n_steps * step_s
    cap = out.shape[1]
    for i in prange(n_sat):
        p = params[i]
        prev2 = np.full(n_site, -np.inf)
        prev1 = np.full(n_site, -np.inf)
        count = 0
        stopped_at[i] = np.nan
        row = np.empty(N_PASS_COLUMNS)
        # the lowest elevation at which the sensor can see a site (off-nadir limits need it above the horizon)
        lowest = 0.0 if max_off_nadir[i] > 0.0 else min_elevation[i]
        for k in range(n_steps + 2):
            t = min(k, n_steps) * step_s
            err, rx, ry, rz, _, _, _ = sgp4_point(p, base_min[i] + t / 60.0)
            if k <= n_steps and err != 0:
                stopped_at[i] = t
                break
            theta = gmst82(start_jd, start_fr + t / 86400.0)
            c, s = math.cos(theta), math.sin(theta)
            x, y, z = c * rx + s * ry, -s * rx + c * ry, rz
            for j in range(n_site):
                if k == n_steps + 1:
                    el = -np.inf  # past the window end: the last sample may be a maximum
                else:
                    dx, dy, dz = x - sites[j, 0], y - sites[j, 1], z - sites[j, 2]
                    rng = math.sqrt(dx * dx + dy * dy + dz * dz)
                    u = (dx * ups[j, 0] + dy * ups[j, 1] + dz * ups[j, 2]) / rng
                    el = math.asin(min(1.0, max(-1.0, u))) / DEG
                if k >= 1 and prev1[j] >= prev2[j] and prev1[j] > el and prev1[j] > lowest - REFINE_MARGIN_DEG:
                    lo = max(0.0, (k - 2) * step_s)
                    hi = min(total_s, k * step_s)
                    if _pass_at(p, base_min[i], start_jd, start_fr, lo, hi, total_s, step_s, sites[j], ups[j],
                                norths[j], easts[j], min_elevation[i], max_off_nadir[i], row):
                        if count < cap:
                            out[i, count, :] = row
                            out[i, count, P_SITE] = j
                        count += 1
                prev2[j] = prev1[j]
                prev1[j] = el
        n_out[i] = count

