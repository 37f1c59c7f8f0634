"""Numba kernels of the re-entry watch and the plain-numpy references the tests hold them to.

``decay_times``: per object, the orbit-averaged drag decay of semi-major axis
and eccentricity, integrated in time until the perigee falls to the re-entry
height. Drag is tangential, ``|a_drag| = rho v^2 B / 2`` with ``B = Cd A / m``
(m^2/kg), the atmosphere at rest; Gauss' equations averaged over the mean
anomaly (``QUADRATURE`` points in eccentric anomaly):

    da/dt = -(a^2 / mu) B rho v^3,    de/dt = -B rho v (e + cos nu)

with ``rho`` from a table of log density against height above a spherical
Earth (``R_EARTH_KM``). Steps are RK2 (midpoint), each moving the semi-major
axis by ``STEP_KM`` at most (``MAX_STEP_DAYS`` at most, ``MIN_STEP_DAYS`` at
least).

``ground_track``: sub-satellite points (geocentric latitude and longitude, deg)
of the decaying orbit over a time grid: two-body motion with the mean motion of
the decaying semi-major axis, J2 secular drift of the node and perigee, Earth
rotation from GMST; and ``territory_distance``: the great-circle distance (km)
from each point to a set of polygons (zero inside).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ssa.constants import MU_KM3_S2, SECONDS_PER_DAY
from ssa.constants import WGS84_RADIUS_KM as R_EARTH_KM  # heights above the equatorial radius

J2 = 1.08262668e-3
OMEGA_EARTH_RAD_S = 7.292115146706979e-5
QUADRATURE = 24  # points in eccentric anomaly per orbit average
STEP_KM = 0.5  # largest change of semi-major axis per step (km)
MAX_STEP_DAYS = 1.0
MIN_STEP_DAYS = 1.0 / SECONDS_PER_DAY


@njit(cache=True, nogil=True, error_model="numpy")
def _log_density(h_km, log_rho, h0_km, dh_km):
    """ln(rho kg/m^3) at height h_km, linear in the table, extrapolated past its ends."""
    x = (h_km - h0_km) / dh_km
    n = log_rho.shape[0]
    k = int(np.floor(x))
    if k < 0:
        k = 0
    elif k > n - 2:
        k = n - 2
    f = x - k
    return log_rho[k] + f * (log_rho[k + 1] - log_rho[k])


@njit(cache=True, nogil=True, error_model="numpy")
def decay_rates(a_km, e, ballistic_m2_kg, log_rho, h0_km, dh_km):
    """Orbit-averaged (da/dt km/day, de/dt 1/day) of drag for semi-major axis a_km,
    eccentricity e and ballistic coefficient B = Cd A / m (m^2/kg)."""
    mu = MU_KM3_S2 * 1e9  # m^3/s^2
    a_m = a_km * 1e3
    da = 0.0
    de = 0.0
    for k in range(QUADRATURE):
        ecc_anom = 2.0 * np.pi * (k + 0.5) / QUADRATURE
        c = np.cos(ecc_anom)
        one_minus = 1.0 - e * c
        r_m = a_m * one_minus
        v2 = mu * (2.0 / r_m - 1.0 / a_m)
        if v2 <= 0.0:
            continue
        v = np.sqrt(v2)
        rho = np.exp(_log_density(r_m * 1e-3 - R_EARTH_KM, log_rho, h0_km, dh_km))
        cos_nu = (c - e) / one_minus
        weight = one_minus / QUADRATURE  # dM = (1 - e cos E) dE
        da += weight * (-(a_m * a_m / mu) * ballistic_m2_kg * rho * v2 * v)
        de += weight * (-ballistic_m2_kg * rho * v * (e + cos_nu))
    return da * 1e-3 * SECONDS_PER_DAY, de * SECONDS_PER_DAY


@njit(cache=True, nogil=True, error_model="numpy")
def _decay_step(a_km, e, ballistic, log_rho, h0_km, dh_km):
    """One RK2 (midpoint) step of the orbit-averaged decay: (dt days, midpoint a km and e,
    rates at the midpoint da km/day and de /day). dt moves a by about STEP_KM, within
    MIN_STEP_DAYS..MAX_STEP_DAYS."""
    da1, de1 = decay_rates(a_km, e, ballistic, log_rho, h0_km, dh_km)
    dt = min(max(STEP_KM / max(abs(da1), 1e-12), MIN_STEP_DAYS), MAX_STEP_DAYS)
    a_mid = a_km + 0.5 * dt * da1
    e_mid = max(e + 0.5 * dt * de1, 0.0)
    da2, de2 = decay_rates(a_mid, e_mid, ballistic, log_rho, h0_km, dh_km)
    return dt, a_mid, e_mid, da2, de2


@njit(cache=True, nogil=True, error_model="numpy")
def _decay_time(a_km, e, ballistic, log_rho, h0_km, dh_km, reentry_km, max_days):
    """Days until the perigee height reaches reentry_km; NaN beyond max_days."""
    t = 0.0
    while a_km * (1.0 - e) - R_EARTH_KM > reentry_km:
        if t > max_days:
            return np.nan
        dt, a_mid, e_mid, da2, de2 = _decay_step(a_km, e, ballistic, log_rho, h0_km, dh_km)
        a_km += dt * da2
        e = max(e + dt * de2, 0.0)
        t += dt
    return t


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def decay_times(a_km, e, ballistic, table_index, log_rho, h0_km, dh_km, reentry_km, max_days, out):
    """Fill out[i] with the days from epoch until object i's perigee reaches
    reentry_km (NaN when later than max_days[i], its own limit). Object i uses density
    table log_rho[table_index[i]] (ln kg/m^3 at heights h0_km + k dh_km)."""
    for i in prange(a_km.shape[0]):
        out[i] = _decay_time(a_km[i], e[i], ballistic[i], log_rho[table_index[i]], h0_km, dh_km,
                             reentry_km, max_days[i])


def decay_rates_reference(a_km, e, ballistic, log_rho, h0_km, dh_km):
    """Plain-numpy ``decay_rates`` for arrays of objects; log_rho: (n, n_heights)."""
    mu = MU_KM3_S2 * 1e9
    a_m = np.asarray(a_km, dtype=np.float64)[:, None] * 1e3
    e = np.asarray(e, dtype=np.float64)[:, None]
    ballistic = np.asarray(ballistic, dtype=np.float64)[:, None]
    c = np.cos(2.0 * np.pi * (np.arange(QUADRATURE) + 0.5) / QUADRATURE)[None, :]
    one_minus = 1.0 - e * c
    r_m = a_m * one_minus
    v2 = mu * (2.0 / r_m - 1.0 / a_m)
    ok = v2 > 0.0
    v = np.sqrt(np.where(ok, v2, 0.0))
    x = (r_m * 1e-3 - R_EARTH_KM - h0_km) / dh_km
    k = np.clip(np.floor(x).astype(np.int64), 0, log_rho.shape[1] - 2)
    rows = np.arange(log_rho.shape[0])[:, None]
    lo, hi = log_rho[rows, k], log_rho[rows, k + 1]
    rho = np.exp(lo + (x - k) * (hi - lo))
    weight = np.where(ok, one_minus / QUADRATURE, 0.0)
    cos_nu = (c - e) / one_minus
    da = np.sum(weight * (-(a_m * a_m / mu) * ballistic * rho * v2 * v), axis=1)
    de = np.sum(weight * (-ballistic * rho * v * (e + cos_nu)), axis=1)
    return da * 1e-3 * SECONDS_PER_DAY, de * SECONDS_PER_DAY


def decay_times_reference(a_km, e, ballistic, table_index, log_rho, h0_km, dh_km, reentry_km, max_days):
    """Plain-numpy ``decay_times``: every object stepped at once, the same steps (max_days per object)."""
    a = np.array(a_km, dtype=np.float64)
    ecc = np.array(e, dtype=np.float64)
    b = np.asarray(ballistic, dtype=np.float64)
    tables = log_rho[np.asarray(table_index)]
    t = np.zeros(len(a))
    out = np.full(len(a), np.nan)
    active = np.ones(len(a), dtype=bool)
    while True:
        landed = active & (a * (1.0 - ecc) - R_EARTH_KM <= reentry_km)
        out[landed] = t[landed]
        active &= ~landed & (t <= max_days)
        idx = np.flatnonzero(active)
        if not len(idx):
            return out
        a_i, e_i, b_i, tab = a[idx], ecc[idx], b[idx], tables[idx]
        da1, de1 = decay_rates_reference(a_i, e_i, b_i, tab, h0_km, dh_km)
        dt = np.clip(STEP_KM / np.maximum(np.abs(da1), 1e-12), MIN_STEP_DAYS, MAX_STEP_DAYS)
        a_mid = a_i + 0.5 * dt * da1
        e_mid = np.maximum(e_i + 0.5 * dt * de1, 0.0)
        da2, de2 = decay_rates_reference(a_mid, e_mid, b_i, tab, h0_km, dh_km)
        a[idx] = a_i + dt * da2
        ecc[idx] = np.maximum(e_i + dt * de2, 0.0)
        t[idx] += dt


@njit(cache=True, nogil=True, error_model="numpy")
def _secular_rates(a_km, e, incl):
    """(mean motion, node rate, perigee rate) in rad/day: two-body plus J2 secular drift."""
    n = np.sqrt(MU_KM3_S2 / (a_km * a_km * a_km)) * SECONDS_PER_DAY
    p = a_km * (1.0 - e * e)
    k = 1.5 * n * J2 * (R_EARTH_KM / p) ** 2
    ci = np.cos(incl)
    return n, -k * ci, 0.5 * k * (5.0 * ci * ci - 1.0)


@njit(cache=True, nogil=True, error_model="numpy")
def _sub_point(a_km, e, incl, node, argp, mean_anom, gmst):
    """(geocentric latitude, longitude) in degrees of the satellite at mean anomaly
    mean_anom; gmst: Earth rotation angle (rad)."""
    ecc_anom = mean_anom
    for _ in range(20):
        step = (ecc_anom - e * np.sin(ecc_anom) - mean_anom) / (1.0 - e * np.cos(ecc_anom))
        ecc_anom -= step
        if abs(step) < 1e-12:
            break
    nu = 2.0 * np.arctan2(np.sqrt(1.0 + e) * np.sin(0.5 * ecc_anom), np.sqrt(1.0 - e) * np.cos(0.5 * ecc_anom))
    u = argp + nu
    cu, su, cn, sn, ci = np.cos(u), np.sin(u), np.cos(node), np.sin(node), np.cos(incl)
    x = cn * cu - sn * su * ci
    y = sn * cu + cn * su * ci
    z = su * np.sin(incl)
    lat = np.degrees(np.arcsin(min(max(z, -1.0), 1.0)))
    lon = np.degrees(np.arctan2(y, x) - gmst)
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon


@njit(cache=True, nogil=True, error_model="numpy")
def ground_track(a_km, e, incl, node, argp, mean_anom, ballistic, log_rho, h0_km, dh_km, reentry_km, gmst0,
                 t_days, out_lat, out_lon):
    """Sub-satellite points (deg) at t_days (sorted, days after the element set's
    epoch) of one decaying orbit: the steps of ``decay_times``; inside a step the
    mean anomaly, node and perigee advance at the step's midpoint rates and the
    orbit's size and shape are held. gmst0: Earth rotation angle at epoch (rad).
    NaN after the perigee reaches reentry_km."""
    t = 0.0
    spin = OMEGA_EARTH_RAD_S * SECONDS_PER_DAY
    j = 0
    n_out = t_days.shape[0]
    while j < n_out and t_days[j] < 0.0:
        out_lat[j] = np.nan
        out_lon[j] = np.nan
        j += 1
    while j < n_out:
        if a_km * (1.0 - e) - R_EARTH_KM <= reentry_km:
            out_lat[j] = np.nan
            out_lon[j] = np.nan
            j += 1
            continue
        dt, a_mid, e_mid, da2, de2 = _decay_step(a_km, e, ballistic, log_rho, h0_km, dh_km)
        n, node_rate, argp_rate = _secular_rates(a_mid, e_mid, incl)
        while j < n_out and t_days[j] <= t + dt:
            s = t_days[j] - t
            out_lat[j], out_lon[j] = _sub_point(a_km, e, incl, node + node_rate * s, argp + argp_rate * s,
                                                (mean_anom + n * s) % (2.0 * np.pi), gmst0 + spin * t_days[j])
            j += 1
        mean_anom = (mean_anom + n * dt) % (2.0 * np.pi)
        node += node_rate * dt
        argp += argp_rate * dt
        a_km += dt * da2
        e = max(e + dt * de2, 0.0)
        t += dt


def _sub_point_reference(a_km, e, incl, node, argp, mean_anom, gmst):
    ecc_anom = mean_anom
    for _ in range(20):
        step = (ecc_anom - e * np.sin(ecc_anom) - mean_anom) / (1.0 - e * np.cos(ecc_anom))
        ecc_anom -= step
        if abs(step) < 1e-12:
            break
    nu = 2.0 * np.arctan2(np.sqrt(1.0 + e) * np.sin(ecc_anom / 2), np.sqrt(1.0 - e) * np.cos(ecc_anom / 2))
    u = argp + nu
    r = np.array([np.cos(node) * np.cos(u) - np.sin(node) * np.sin(u) * np.cos(incl),
                  np.sin(node) * np.cos(u) + np.cos(node) * np.sin(u) * np.cos(incl),
                  np.sin(u) * np.sin(incl)])
    lat = np.degrees(np.arcsin(np.clip(r[2], -1.0, 1.0)))
    return lat, (np.degrees(np.arctan2(r[1], r[0]) - gmst) + 180.0) % 360.0 - 180.0


def ground_track_reference(a_km, e, incl, node, argp, mean_anom, ballistic, log_rho, h0_km, dh_km, reentry_km,
                           gmst0, t_days):
    """Plain-numpy/Python ``ground_track``: the same steps, numpy for the rates and
    the position; returns (lat, lon) in degrees."""
    t_days = np.asarray(t_days, dtype=np.float64)
    lat = np.full(len(t_days), np.nan)
    lon = np.full(len(t_days), np.nan)
    table = log_rho[None, :]
    spin = OMEGA_EARTH_RAD_S * SECONDS_PER_DAY
    t, j = 0.0, int(np.searchsorted(t_days, 0.0))
    while j < len(t_days) and a_km * (1.0 - e) - R_EARTH_KM > reentry_km:
        da1, de1 = (float(x[0]) for x in decay_rates_reference([a_km], [e], [ballistic], table, h0_km, dh_km))
        dt = min(max(STEP_KM / max(abs(da1), 1e-12), MIN_STEP_DAYS), MAX_STEP_DAYS)
        a_mid, e_mid = a_km + 0.5 * dt * da1, max(e + 0.5 * dt * de1, 0.0)
        da2, de2 = (float(x[0]) for x in decay_rates_reference([a_mid], [e_mid], [ballistic], table, h0_km, dh_km))
        n = np.sqrt(MU_KM3_S2 / a_mid ** 3) * SECONDS_PER_DAY
        k = 1.5 * n * J2 * (R_EARTH_KM / (a_mid * (1.0 - e_mid ** 2))) ** 2
        node_rate, argp_rate = -k * np.cos(incl), 0.5 * k * (5.0 * np.cos(incl) ** 2 - 1.0)
        while j < len(t_days) and t_days[j] <= t + dt:
            s = t_days[j] - t
            lat[j], lon[j] = _sub_point_reference(a_km, e, incl, node + node_rate * s, argp + argp_rate * s,
                                                  (mean_anom + n * s) % (2.0 * np.pi), gmst0 + spin * t_days[j])
            j += 1
        mean_anom = (mean_anom + n * dt) % (2.0 * np.pi)
        node, argp = node + node_rate * dt, argp + argp_rate * dt
        a_km, e, t = a_km + dt * da2, max(e + dt * de2, 0.0), t + dt
    return lat, lon


KM_PER_DEG = np.pi * R_EARTH_KM / 180.0


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def territory_distance(lat, lon, poly_lon, poly_lat, poly_start, poly_box, margin_km, out):
    """out[i, k]: distance (km) from point i (deg) to polygon k (0 inside), or inf
    when it is further than margin_km from the polygon's bounding box. Polygon k
    is poly_lon/poly_lat[poly_start[k]:poly_start[k+1]] (closed ring, deg);
    poly_box[k] = (lon_min, lon_max, lat_min, lat_max). Distances in a local
    equirectangular plane around the point (good to a few per cent within
    hundreds of km)."""
    n_poly = poly_start.shape[0] - 1
    for i in prange(lat.shape[0]):
        la, lo = lat[i], lon[i]
        for k in range(n_poly):
            out[i, k] = np.inf
            if not np.isfinite(la):
                continue
            coslat = max(np.cos(np.radians(la)), 1e-6)
            m_lat = margin_km / KM_PER_DEG
            m_lon = m_lat / coslat
            if (lo < poly_box[k, 0] - m_lon or lo > poly_box[k, 1] + m_lon
                    or la < poly_box[k, 2] - m_lat or la > poly_box[k, 3] + m_lat):
                continue
            inside = False
            best = np.inf
            s, end = poly_start[k], poly_start[k + 1]
            for v in range(s, end - 1):
                x1, y1 = poly_lon[v], poly_lat[v]
                x2, y2 = poly_lon[v + 1], poly_lat[v + 1]
                if (y1 > la) != (y2 > la):
                    if lo < x1 + (la - y1) * (x2 - x1) / (y2 - y1):
                        inside = not inside
                ax, ay = (x1 - lo) * coslat * KM_PER_DEG, (y1 - la) * KM_PER_DEG
                bx, by = (x2 - lo) * coslat * KM_PER_DEG, (y2 - la) * KM_PER_DEG
                dx, dy = bx - ax, by - ay
                seg = dx * dx + dy * dy
                f = 0.0 if seg == 0.0 else min(max(-(ax * dx + ay * dy) / seg, 0.0), 1.0)
                px, py = ax + f * dx, ay + f * dy
                best = min(best, np.sqrt(px * px + py * py))
            out[i, k] = 0.0 if inside else best


def territory_distance_reference(lat, lon, poly_lon, poly_lat, poly_start, margin_km):
    """Plain-numpy ``territory_distance`` without the bounding-box cut-off:
    (n_points, n_polygons) km, 0 inside."""
    lat = np.asarray(lat, dtype=np.float64)[:, None]
    lon = np.asarray(lon, dtype=np.float64)[:, None]
    coslat = np.maximum(np.cos(np.radians(lat)), 1e-6)
    out = np.empty((lat.shape[0], len(poly_start) - 1))
    for k in range(len(poly_start) - 1):
        x, y = poly_lon[poly_start[k]:poly_start[k + 1]], poly_lat[poly_start[k]:poly_start[k + 1]]
        x1, y1, x2, y2 = x[None, :-1], y[None, :-1], x[None, 1:], y[None, 1:]
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside = np.sum(crosses & left, axis=1) % 2 == 1
        ax, ay = (x1 - lon) * coslat * KM_PER_DEG, (y1 - lat) * KM_PER_DEG
        dx, dy = (x2 - x1) * coslat * KM_PER_DEG, (y2 - y1) * KM_PER_DEG
        seg = dx * dx + dy * dy
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(seg == 0.0, 0.0, np.clip(-(ax * dx + ay * dy) / seg, 0.0, 1.0))
        dist = np.hypot(ax + f * dx, ay + f * dy).min(axis=1)
        out[:, k] = np.where(inside, 0.0, dist)
    return out
