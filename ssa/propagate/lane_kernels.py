"""SGP4 for near-earth satellites in SIMD lanes: blocks of LANES satellites side by side.

The same arithmetic as ``ssa.propagate.kernels.sgp4_step`` for near-earth element
sets with the full drag model (no deep space, no simplified drag), written so
that LLVM turns each loop over the LANES satellites of a block into vector
instructions (here 4 doubles to a ymm register; forcing 8 gained nothing,
benchmarks/README.md): the per-satellite constants of a block
are a structure of arrays (``lane_blocks``), the inner loops are
straight-line code (selects instead of branches, the polynomial sine and
cosine of ``kernels.sincos_poly``, without ``sincos``'s libm branch), and Kepler's equation
runs Newton steps on all lanes together until every lane has converged, each
lane stopping exactly where the scalar loop stops. No fastmath: every lane's
result is, operation for operation, the scalar kernel's (the tests require
bitwise equality, and 1 mm against python-sgp4 through it).

A lane whose state leaves the vector code's assumptions (an angle beyond
1e5 rad, a correction angle beyond the Taylor range, an eccentricity or
semi-latus rectum out of range: errors 1 and 4) is marked and recomputed by
the scalar kernel afterwards, so the codes and states of such rare cases are
the scalar kernel's too.

- ``lane_blocks(params)``: the structure-of-arrays blocks of the near-earth
  full-drag rows and the rows left to the scalar kernel (deep space,
  simplified drag, unusable elements).
- ``propagate_lanes(blocks, block_rows, params, jd, fr, err, r, v, with_velocity)``:
  every block at every UTC two-part Julian date, parallel over blocks.
- ``propagate_rows(params, rows, jd, fr, err, r, v, with_velocity)``: the
  scalar kernel on the given rows, parallel over them.

Outputs are python-sgp4's layout: err (n_sat, n_time), r and v
(n_sat, n_time, 3), TEME km and km/s; ``with_velocity=False`` leaves v
untouched (the screen's grid needs positions only; v may then be empty).
``propagate_lanes`` writes its work rows into ``blocks``: one call at a time
per blocks array.
"""
import math

import numpy as np
from numba import njit, prange

from ssa.constants import EARTH_RADIUS_KM, MINUTES_PER_DAY, MU_KM3_S2
from ssa.propagate.kernels import (
    APOGEE_LIMIT,
    ERR_DECAYED,
    ERR_NOT_BOUND,
    ESCAPE_LIMIT,
    INV_XKE,
    J2,
    N_PARAMS,
    P_AO23,
    P_ARGPDOT,
    P_ARGPO,
    P_AYCOF,
    P_BC4,
    P_BC5,
    P_CC1,
    P_CON41,
    P_COSIO,
    P_D2,
    P_D3,
    P_D4,
    P_DEEP,
    P_DELMO,
    P_ECCO,
    P_EPOCH_FR,
    P_EPOCH_JD,
    P_ETA,
    P_INIT_ERR,
    P_ISIMP,
    P_MDOT,
    P_MO,
    P_NO_UNKOZAI,
    P_NODECF,
    P_NODEDOT,
    P_NODEO,
    P_OMGCOF,
    P_SINIO,
    P_SINMAO,
    P_T2COF,
    P_T3COF,
    P_T4COF,
    P_T5COF,
    P_X1MTH2,
    P_X7THM1,
    P_XLCOF,
    P_XMCOF,
    SINCOS_POLY_RANGE,
    SMALL_ANGLE,
    VKMPERSEC,
    XKE,
    fresh_state,
    sgp4_step,
    sincos_poly,
    sincos_taylor,
    wrap_angle,
)

LANES = 16  # satellites per block (LLVM treats loops of fewer than 16 iterations as
# optimised for size and will not vectorise them: it refuses the run-time checks they need)
KEPLER_ITERATIONS = 10
# work rows of a block after its N_PARAMS parameter rows: 0-2 r (km), 3-5 v (km/s), 6 err,
# 7 fallback flag (1: recompute the lane with the scalar kernel), then intermediates. One
# array for parameters and work, at offsets fixed at compile time, lets LLVM see that the
# lane loops' loads and stores never overlap (with separate arrays it needs run-time
# checks, too many of them, and gives up vectorising)
W = N_PARAMS
RX, RY, RZ, VX, VY, VZ, ERR, BAD = 0, 1, 2, 3, 4, 5, 6, 7
U, AXNL, AYNL, EO1, SINE, COSE, AM, NM, NODEP, ACT, TEM5 = 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18
N_WORK = 19
BLOCK_ROWS = N_PARAMS + N_WORK


def lane_blocks(params: np.ndarray):
    """(blocks, block_rows, scalar_rows) for ``params`` (n_sat, N_PARAMS).

    blocks float64 (n_blocks, BLOCK_ROWS * LANES): per block of LANES
    near-earth full-drag rows, column c of lane l at ``c * LANES + l`` (the
    last block padded with copies of its last row), then N_WORK rows of work
    space for ``_block``; block_rows int64 (n_blocks, LANES): their rows in
    params, -1 for padding; scalar_rows int64: every other row (deep space,
    simplified drag, an initialisation error), for ``propagate_rows``.
    """
    lane = ((params[:, P_DEEP] == 0.0) & (params[:, P_ISIMP] == 0.0) & (params[:, P_INIT_ERR] == 0.0))
    rows = np.flatnonzero(lane)
    n_blocks = -(-len(rows) // LANES)
    block_rows = np.full(n_blocks * LANES, -1, dtype=np.int64)
    block_rows[:len(rows)] = rows
    padded = block_rows.copy()
    if len(rows):
        padded[len(rows):] = rows[-1]
    blocks = np.zeros((n_blocks, BLOCK_ROWS, LANES))
    blocks[:, :N_PARAMS] = params[padded].reshape(n_blocks, LANES, N_PARAMS).transpose(0, 2, 1)
    return blocks.reshape(n_blocks, BLOCK_ROWS * LANES), block_rows.reshape(n_blocks, LANES), \
        np.flatnonzero(~lane)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _lane_time(P, jd, fr, l):
    """Minutes from the epoch of lane l to UTC jd + fr, formed as propagate_rows forms them."""
    return (jd - P[P_EPOCH_JD * LANES + l]) * MINUTES_PER_DAY + (fr - P[P_EPOCH_FR * LANES + l]) * MINUTES_PER_DAY


@njit(cache=True, nogil=True, error_model="numpy")
def _block(P, jd, fr):
    """One block (P = blocks[b], see ``lane_blocks``) at UTC jd + fr into its work rows."""

    # secular gravity and drag, long-period periodics, Kepler's first guess
    for l in range(LANES):
        t = _lane_time(P, jd, fr, l)
        xmdf = P[P_MO * LANES + l] + P[P_MDOT * LANES + l] * t
        argpm = P[P_ARGPO * LANES + l] + P[P_ARGPDOT * LANES + l] * t
        t2 = t * t
        nodem = P[P_NODEO * LANES + l] + P[P_NODEDOT * LANES + l] * t + P[P_NODECF * LANES + l] * t2
        tempa = 1.0 - P[P_CC1 * LANES + l] * t
        tempe = P[P_BC4 * LANES + l] * t
        templ = P[P_T2COF * LANES + l] * t2
        sinmdf, cosmdf = sincos_poly(xmdf)
        delomg = P[P_OMGCOF * LANES + l] * t
        delmtemp = 1.0 + P[P_ETA * LANES + l] * cosmdf
        delm = P[P_XMCOF * LANES + l] * (delmtemp * delmtemp * delmtemp - P[P_DELMO * LANES + l])
        delta_m = delomg + delm
        mm = xmdf + delta_m
        argpm = argpm - delta_m
        t3 = t2 * t
        t4 = t3 * t
        tempa = tempa - P[P_D2 * LANES + l] * t2 - P[P_D3 * LANES + l] * t3 - P[P_D4 * LANES + l] * t4
        sintemp, costemp = sincos_taylor(delta_m)
        tempe = tempe + P[P_BC5 * LANES + l] * ((sinmdf * costemp + cosmdf * sintemp) - P[P_SINMAO * LANES + l])
        templ = templ + P[P_T3COF * LANES + l] * t3 + t4 * (P[P_T4COF * LANES + l] + t * P[P_T5COF * LANES + l])

        am = P[P_AO23 * LANES + l] * tempa * tempa
        nm = XKE / (am * math.sqrt(am))
        em = P[P_ECCO * LANES + l] - tempe
        bad = (em >= 1.0) or (em < -0.001) or not (math.fabs(xmdf) < SINCOS_POLY_RANGE) \
            or not (math.fabs(delta_m) < SMALL_ANGLE)
        em = 1.0e-6 if em < 1.0e-6 else em
        mm = mm + P[P_NO_UNKOZAI * LANES + l] * templ

        sinargp, cosargp = sincos_poly(argpm)
        axnl = em * cosargp
        temp = 1.0 / (am * (1.0 - em * em))
        aynl = em * sinargp + temp * P[P_AYCOF * LANES + l]
        xl = mm + argpm + nodem + temp * P[P_XLCOF * LANES + l] * axnl
        u = wrap_angle(xl - nodem)
        sinu0 = sinmdf * cosargp + cosmdf * sinargp
        cosu0 = cosmdf * cosargp - sinmdf * sinargp
        d = delta_m + P[P_NO_UNKOZAI * LANES + l] * templ + temp * P[P_XLCOF * LANES + l] * axnl
        sind, cosd = sincos_taylor(d)
        bad = bad or not (math.fabs(argpm) < SINCOS_POLY_RANGE) or not (math.fabs(d) < SMALL_ANGLE)
        P[(W + U) * LANES + l] = u
        P[(W + AXNL) * LANES + l] = axnl
        P[(W + AYNL) * LANES + l] = aynl
        P[(W + EO1) * LANES + l] = u
        P[(W + SINE) * LANES + l] = sinu0 * cosd + cosu0 * sind
        P[(W + COSE) * LANES + l] = cosu0 * cosd - sinu0 * sind
        P[(W + AM) * LANES + l] = am
        P[(W + NM) * LANES + l] = nm
        P[(W + NODEP) * LANES + l] = nodem
        P[(W + BAD) * LANES + l] = 1.0 if bad else 0.0
        P[(W + ACT) * LANES + l] = 1.0

    # Kepler's equation: the scalar loop's Newton steps, lane by lane, until all have stopped
    for ktr in range(1, KEPLER_ITERATIONS + 1):
        n_big = 0
        n_active = 0
        for l in range(LANES):
            axnl = P[(W + AXNL) * LANES + l]
            aynl = P[(W + AYNL) * LANES + l]
            sineo1 = P[(W + SINE) * LANES + l]
            coseo1 = P[(W + COSE) * LANES + l]
            tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl
            tem5 = (P[(W + U) * LANES + l] - aynl * coseo1 + axnl * sineo1 - P[(W + EO1) * LANES + l]) / tem5
            tem5 = min(max(tem5, -0.95), 0.95)
            active = (P[(W + ACT) * LANES + l] != 0.0) and (math.fabs(tem5) >= 1.0e-12) and (ktr != KEPLER_ITERATIONS)
            tem5 = tem5 if active else 0.0
            big = math.fabs(tem5) >= SMALL_ANGLE
            P[(W + TEM5) * LANES + l] = tem5
            P[(W + EO1) * LANES + l] = P[(W + EO1) * LANES + l] + tem5
            P[(W + ACT) * LANES + l] = 1.0 if active else 0.0
            n_active += 1 if active else 0
            n_big += 1 if big else 0
        if n_active == 0:
            break
        if n_big == 0:
            for l in range(LANES):  # every step small: rotate (sin, cos) by it (a zero step is exact)
                sind, cosd = sincos_taylor(P[(W + TEM5) * LANES + l])
                sineo1 = P[(W + SINE) * LANES + l]
                coseo1 = P[(W + COSE) * LANES + l]
                P[(W + SINE) * LANES + l] = sineo1 * cosd + coseo1 * sind
                P[(W + COSE) * LANES + l] = coseo1 * cosd - sineo1 * sind
        else:
            for l in range(LANES):
                tem5 = P[(W + TEM5) * LANES + l]
                sind, cosd = sincos_taylor(tem5)
                sineo1 = P[(W + SINE) * LANES + l]
                coseo1 = P[(W + COSE) * LANES + l]
                rs = sineo1 * cosd + coseo1 * sind
                rc = coseo1 * cosd - sineo1 * sind
                fs, fc = sincos_poly(P[(W + EO1) * LANES + l])
                big = math.fabs(tem5) >= SMALL_ANGLE
                P[(W + SINE) * LANES + l] = fs if big else rs
                P[(W + COSE) * LANES + l] = fc if big else rc

    # short-period periodics, orientation, state
    for l in range(LANES):
        axnl = P[(W + AXNL) * LANES + l]
        aynl = P[(W + AYNL) * LANES + l]
        sineo1 = P[(W + SINE) * LANES + l]
        coseo1 = P[(W + COSE) * LANES + l]
        am = P[(W + AM) * LANES + l]
        nm = P[(W + NM) * LANES + l]
        sinip = P[P_SINIO * LANES + l]
        cosip = P[P_COSIO * LANES + l]
        con41 = P[P_CON41 * LANES + l]
        x1mth2 = P[P_X1MTH2 * LANES + l]
        ecose = axnl * coseo1 + aynl * sineo1
        esine = axnl * sineo1 - aynl * coseo1
        el2 = axnl * axnl + aynl * aynl
        pl = am * (1.0 - el2)
        rl = am * (1.0 - ecose)
        inv_rl = 1.0 / rl
        rdotl = math.sqrt(am) * esine * inv_rl
        rvdotl = math.sqrt(math.fabs(pl)) * inv_rl  # pl < 0 (error 4) goes to the scalar kernel
        betal = math.sqrt(1.0 - el2)
        temp = esine / (1.0 + betal)
        am_rl = am * inv_rl
        sinu = am_rl * (sineo1 - aynl - axnl * temp)
        cosu = am_rl * (coseo1 - axnl + aynl * temp)
        sin2u = (cosu + cosu) * sinu
        cos2u = 1.0 - 2.0 * sinu * sinu
        temp = 1.0 / pl
        temp1 = 0.5 * J2 * temp
        temp2 = temp1 * temp

        mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
        dsu = 0.25 * temp2 * P[P_X7THM1 * LANES + l] * sin2u
        xnode = P[(W + NODEP) * LANES + l] + 1.5 * temp2 * cosip * sin2u
        dinc = 1.5 * temp2 * cosip * sinip * cos2u
        mvt = rdotl - nm * temp1 * x1mth2 * sin2u * INV_XKE
        rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) * INV_XKE

        sindsu, cosdsu = sincos_taylor(dsu)
        sinsu = sinu * cosdsu - cosu * sindsu
        cossu = cosu * cosdsu + sinu * sindsu
        snod, cnod = sincos_poly(xnode)
        sindi, cosdi = sincos_taylor(dinc)
        sini = sinip * cosdi + cosip * sindi
        cosi = cosip * cosdi - sinip * sindi
        xmx = -snod * cosi
        xmy = cnod * cosi
        ux = xmx * sinsu + cnod * cossu
        uy = xmy * sinsu + snod * cossu
        uz = sini * sinsu
        vx = xmx * cossu - cnod * sinsu
        vy = xmy * cossu - snod * sinsu
        vz = sini * cossu

        mr = mrt * EARTH_RADIUS_KM
        vx = (mvt * ux + rvdot * vx) * VKMPERSEC
        vy = (mvt * uy + rvdot * vy) * VKMPERSEC
        vz = (mvt * uz + rvdot * vz) * VKMPERSEC
        bound = (mr <= APOGEE_LIMIT * (P[P_AO23 * LANES + l] * EARTH_RADIUS_KM)) \
            and ((vx * vx + vy * vy + vz * vz) * mr <= ESCAPE_LIMIT * 2.0 * MU_KM3_S2)
        err = ERR_DECAYED if mrt < 1.0 else (0 if bound else ERR_NOT_BOUND)
        # NaN anywhere (e.g. from a NaN eccentricity) also goes to the scalar kernel
        finite = math.fabs(mr * ux + mr * uy + mr * uz + vx + vy + vz) < math.inf
        bad = (P[(W + BAD) * LANES + l] != 0.0) or (pl < 0.0) or not (math.fabs(xnode) < SINCOS_POLY_RANGE) \
            or not (math.fabs(dsu) < SMALL_ANGLE) or not (math.fabs(dinc) < SMALL_ANGLE) or not finite
        P[(W + RX) * LANES + l] = mr * ux
        P[(W + RY) * LANES + l] = mr * uy
        P[(W + RZ) * LANES + l] = mr * uz
        P[(W + VX) * LANES + l] = vx
        P[(W + VY) * LANES + l] = vy
        P[(W + VZ) * LANES + l] = vz
        P[(W + ERR) * LANES + l] = err
        P[(W + BAD) * LANES + l] = 1.0 if bad else 0.0


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _put(err, r, v, i, j, e, rx, ry, rz, vx, vy, vz, with_velocity):
    """Write one state (error code, TEME km and km/s) into row i, time j of the outputs."""
    err[i, j] = e
    r[i, j, 0] = rx
    r[i, j, 1] = ry
    r[i, j, 2] = rz
    if with_velocity:
        v[i, j, 0] = vx
        v[i, j, 1] = vy
        v[i, j, 2] = vz


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def propagate_lanes(blocks, block_rows, params, jd, fr, err, r, v, with_velocity):
    """Every satellite of the lane blocks at every UTC two-part Julian date (jd[j] + fr[j]).

    blocks and block_rows from ``lane_blocks(params)``; fills the blocks' rows of
    err (n_sat, n_time), r and, with_velocity, v (n_sat, n_time, 3), TEME km, km/s.
    """
    n_time = jd.shape[0]
    for b in prange(blocks.shape[0]):
        P = blocks[b]
        for j in range(n_time):
            _block(P, jd[j], fr[j])
            for l in range(LANES):
                i = block_rows[b, l]
                if i < 0:
                    continue
                if P[(W + BAD) * LANES + l] != 0.0:  # outside the vector code's range: the scalar kernel
                    p = params[i]
                    t = (jd[j] - p[P_EPOCH_JD]) * MINUTES_PER_DAY + (fr[j] - p[P_EPOCH_FR]) * MINUTES_PER_DAY
                    e, rx, ry, rz, vx, vy, vz, _ = sgp4_step(p, t, fresh_state())
                    _put(err, r, v, i, j, e, rx, ry, rz, vx, vy, vz, with_velocity)
                    continue
                _put(err, r, v, i, j, np.uint8(P[(W + ERR) * LANES + l]), P[(W + RX) * LANES + l],
                     P[(W + RY) * LANES + l], P[(W + RZ) * LANES + l], P[(W + VX) * LANES + l],
                     P[(W + VY) * LANES + l], P[(W + VZ) * LANES + l], with_velocity)


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def propagate_rows(params, rows, jd, fr, err, r, v, with_velocity):
    """The scalar kernel (``kernels.sgp4_step``, deep space included) for params[rows] at
    every UTC two-part Julian date, into those rows of err, r and (with_velocity) v."""
    n_time = jd.shape[0]
    for a in prange(rows.shape[0]):
        i = rows[a]
        p = params[i]
        epoch_jd = p[P_EPOCH_JD]
        epoch_fr = p[P_EPOCH_FR]
        state = fresh_state()
        for j in range(n_time):
            t = (jd[j] - epoch_jd) * MINUTES_PER_DAY + (fr[j] - epoch_fr) * MINUTES_PER_DAY
            e, rx, ry, rz, vx, vy, vz, state = sgp4_step(p, t, state)
            _put(err, r, v, i, j, e, rx, ry, rz, vx, vy, vz, with_velocity)
