"""SGP4/SDP4 propagation kernels in numba (WGS-72, TEME, km, km/s).

A port of the propagation half of Vallado's SGP4 (Vallado, Crawford, Hujsak
and Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753), following
python-sgp4's line-for-line Python translation ``sgp4/propagation.py``
(Brandon Rhodes, MIT licence) and the C++ that python-sgp4's accelerated
``Satrec`` runs. Deep space (SDP4: ``dpper`` lunar-solar periodics,
``dspace`` resonance integration) is included. No fastmath.

Made fast without changing the model: per-satellite constants are computed
once at initialisation, sine and cosine come in pairs from an inlined
polynomial (``sincos``, within an ulp of libm), small corrections to angles
whose sine and cosine are known are applied as rotations, and Newton's
iterations for Kepler's equation rotate (sin E, cos E) by each small step.
These change results by rounding only: positions agree with python-sgp4 to
well under a millimetre (tests/test_propagate_*.py).

Per-satellite constants come from ``ssa.propagate.params.init_params`` as one
float64 row per satellite; the column indices are the ``P_*`` constants below.

- ``sgp4_point(p, tsince)``: one satellite (row ``p``) at ``tsince`` minutes
  from its epoch, for use inside other numba kernels.
- ``propagate_grid(params, jd, fr, err, r, v)``: every satellite at every
  UTC two-part Julian date, parallel over satellites, into preallocated
  arrays.

Error codes are python-sgp4's: 1 mean eccentricity out of range, 2 mean
motion below zero, 3 perturbed eccentricity out of range, 4 semi-latus rectum
below zero, 6 decayed (radius below one earth radius). Positions and
velocities are NaN for codes 1-4 and computed for 6, as python-sgp4 gives.
"""
import math

import numpy as np
from numba import njit, prange

# WGS-72 (python-sgp4 ``earth_gravity.wgs72``)
RADIUS_EARTH_KM = 6378.135
MU_KM3_S2 = 398600.8
XKE = 60.0 / math.sqrt(RADIUS_EARTH_KM**3 / MU_KM3_S2)  # sqrt(mu) in er^1.5/min
J2 = 0.001082616
J3 = -0.00000253881
J4 = -0.00000165597
J3OJ2 = J3 / J2
VKMPERSEC = RADIUS_EARTH_KM * XKE / 60.0  # km/s per er/min
INV_XKE = 1.0 / XKE

TWOPI = 2.0 * math.pi
X2O3 = 2.0 / 3.0

ERR_ECCENTRICITY = 1
ERR_MEAN_MOTION = 2
ERR_PERTURBED_ECCENTRICITY = 3
ERR_SEMI_LATUS_RECTUM = 4
ERR_DECAYED = 6

# ---- columns of the per-satellite parameter row ----------------------------
# epoch as a UTC two-part Julian date
P_EPOCH_JD = 0
P_EPOCH_FR = 1
# flags (stored as floats): deep space (SDP4), simplified drag, resonance, opsmode 'a'
P_DEEP = 2
P_ISIMP = 3
P_IREZ = 4
P_AFSPC = 5
# near-earth secular terms (sgp4init)
P_MO = 6
P_MDOT = 7
P_ARGPO = 8
P_ARGPDOT = 9
P_NODEO = 10
P_NODEDOT = 11
P_NODECF = 12
P_CC1 = 13
P_CC4 = 14
P_CC5 = 15
P_BSTAR = 16
P_T2COF = 17
P_T3COF = 18
P_T4COF = 19
P_T5COF = 20
P_OMGCOF = 21
P_ETA = 22
P_XMCOF = 23
P_DELMO = 24
P_D2 = 25
P_D3 = 26
P_D4 = 27
P_SINMAO = 28
P_NO_UNKOZAI = 29
P_ECCO = 30
P_INCLO = 31
# long-period and short-period coefficients
P_AYCOF = 32
P_XLCOF = 33
P_CON41 = 34
P_X1MTH2 = 35
P_X7THM1 = 36
# deep space secular and resonance terms (dsinit)
P_GSTO = 37
P_DEDT = 38
P_DIDT = 39
P_DMDT = 40
P_DNODT = 41
P_DOMDT = 42
P_XFACT = 43
P_XLAMO = 44
P_DEL1 = 45
P_DEL2 = 46
P_DEL3 = 47
P_D2201 = 48
P_D2211 = 49
P_D3210 = 50
P_D3222 = 51
P_D4410 = 52
P_D4422 = 53
P_D5220 = 54
P_D5232 = 55
P_D5421 = 56
P_D5433 = 57
# deep space lunar-solar periodic terms (dscom)
P_E3 = 58
P_EE2 = 59
P_PEO = 60
P_PGHO = 61
P_PHO = 62
P_PINCO = 63
P_PLO = 64
P_SE2 = 65
P_SE3 = 66
P_SGH2 = 67
P_SGH3 = 68
P_SGH4 = 69
P_SH2 = 70
P_SH3 = 71
P_SI2 = 72
P_SI3 = 73
P_SL2 = 74
P_SL3 = 75
P_SL4 = 76
P_XGH2 = 77
P_XGH3 = 78
P_XGH4 = 79
P_XH2 = 80
P_XH3 = 81
P_XI2 = 82
P_XI3 = 83
P_XL2 = 84
P_XL3 = 85
P_XL4 = 86
P_ZMOL = 87
P_ZMOS = 88
# derived at init so that the kernel does not recompute them per time
P_SINIO = 89  # sin(inclo)
P_COSIO = 90  # cos(inclo)
P_AO23 = 91  # (xke / no_unkozai)^(2/3), earth radii
P_BC4 = 92  # bstar * cc4
P_BC5 = 93  # bstar * cc5
N_PARAMS = 94


# ---- fast sine and cosine ---------------------------------------------------
# numba has no vector math library here and libm's sin/cos are calls; this
# inlined pair (fdlibm's polynomial kernels on [-pi/4, pi/4] after Cody-Waite
# reduction by pi/2) is within one ulp of libm and about twice as fast.
_INVPIO2 = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e00  # first 33 bits of pi/2: n * _PIO2_1 is exact
_PIO2_1T = 6.07710050650619224932e-11  # pi/2 - _PIO2_1
_ROUND = 6755399441055744.0  # 1.5 * 2^52: (x + _ROUND) - _ROUND rounds to an integer
_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11


@njit(cache=True, nogil=True)
def sincos(x):
    """(sin x, cos x) for x in radians, within 1 ulp of libm (libm itself beyond 1e5 rad)."""
    if not abs(x) < 1.0e5:  # also NaN and inf
        return math.sin(x), math.cos(x)
    fn = (x * _INVPIO2 + _ROUND) - _ROUND
    y = (x - fn * _PIO2_1) - fn * _PIO2_1T  # |y| <= pi/4
    z = y * y
    s = y + y * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    hz = 0.5 * z
    w = 1.0 - hz
    c = w + (((1.0 - w) - hz) + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    q = int(fn)  # quadrant: rotate (s, c) by q * pi/2 without branches
    swap = (q & 1) != 0
    return (c if swap else s) * (1.0 - (q & 2)), (s if swap else c) * (1.0 - ((q + 1) & 2))


@njit(cache=True, nogil=True, inline="always")
def _sincos_small(d):
    """(sin d, cos d) for a small correction angle d: Taylor series, exact to
    1e-19 for |d| < 1e-2 (larger d goes through ``sincos``)."""
    if not abs(d) < 1.0e-2:
        return sincos(d)
    z = d * d
    return (d - d * z * (1.0 / 6.0 - z * (1.0 / 120.0 - z * (1.0 / 5040.0))),
            1.0 - z * (0.5 - z * (1.0 / 24.0 - z * (1.0 / 720.0 - z * (1.0 / 40320.0)))))


@njit(cache=True, nogil=True)
def _wrap(x):
    """x reduced to about [-pi, pi] (for Kepler's equation, which is 2 pi periodic)."""
    return x - TWOPI * ((x * (1.0 / TWOPI) + _ROUND) - _ROUND)


@njit(cache=True, nogil=True)
def _dpper(p, t, ep, inclp, nodep, argpp, mp):
    """Lunar-solar periodics applied to the mean elements at t (minutes).

    Returns (ep, inclp, nodep, argpp, mp, sin inclp, cos inclp).
    """
    zns = 1.19459e-5
    zes = 0.01675
    znl = 1.5835218e-4
    zel = 0.05490

    zm = p[P_ZMOS] + zns * t
    zf = zm + 2.0 * zes * sincos(zm)[0]
    sinzf, coszf = sincos(zf)
    f2 = 0.5 * sinzf * sinzf - 0.25
    f3 = -0.5 * sinzf * coszf
    ses = p[P_SE2] * f2 + p[P_SE3] * f3
    sis = p[P_SI2] * f2 + p[P_SI3] * f3
    sls = p[P_SL2] * f2 + p[P_SL3] * f3 + p[P_SL4] * sinzf
    sghs = p[P_SGH2] * f2 + p[P_SGH3] * f3 + p[P_SGH4] * sinzf
    shs = p[P_SH2] * f2 + p[P_SH3] * f3

    zm = p[P_ZMOL] + znl * t
    zf = zm + 2.0 * zel * sincos(zm)[0]
    sinzf, coszf = sincos(zf)
    f2 = 0.5 * sinzf * sinzf - 0.25
    f3 = -0.5 * sinzf * coszf
    sel = p[P_EE2] * f2 + p[P_E3] * f3
    sil = p[P_XI2] * f2 + p[P_XI3] * f3
    sll = p[P_XL2] * f2 + p[P_XL3] * f3 + p[P_XL4] * sinzf
    sghl = p[P_XGH2] * f2 + p[P_XGH3] * f3 + p[P_XGH4] * sinzf
    shll = p[P_XH2] * f2 + p[P_XH3] * f3

    pe = ses + sel - p[P_PEO]
    pinc = sis + sil - p[P_PINCO]
    pl = sls + sll - p[P_PLO]
    pgh = sghs + sghl - p[P_PGHO]
    ph = shs + shll - p[P_PHO]
    inclp = inclp + pinc
    ep = ep + pe
    sinip, cosip = sincos(inclp)

    if inclp >= 0.2:  # apply periodics directly
        ph /= sinip
        pgh -= cosip * ph
        argpp += pgh
        nodep += ph
        mp += pl
    else:  # Lyddane modification near zero inclination (nodep must be in (-2 pi, 2 pi))
        sinop, cosop = sincos(nodep)
        alfdp = sinip * sinop
        betdp = sinip * cosop
        dalf = ph * cosop + pinc * cosip * sinop
        dbet = -ph * sinop + pinc * cosip * cosop
        alfdp = alfdp + dalf
        betdp = betdp + dbet
        afspc = p[P_AFSPC] != 0.0
        if nodep < 0.0 and afspc:
            nodep = nodep + TWOPI
        xls = mp + argpp + pl + pgh + (cosip - pinc * sinip) * nodep
        xnoh = nodep
        nodep = math.atan2(alfdp, betdp)
        if nodep < 0.0 and afspc:
            nodep = nodep + TWOPI
        if math.fabs(xnoh - nodep) > math.pi:
            if nodep < xnoh:
                nodep = nodep + TWOPI
            else:
                nodep = nodep - TWOPI
        mp += pl
        argpp = xls - mp - cosip * nodep
    return ep, inclp, nodep, argpp, mp, sinip, cosip


@njit(cache=True, nogil=True)
def _resonance_rates(p, irez, atime, xli, xni):
    """(xndt, xldot, xnddt) of the resonance integrator at its state (atime, xli, xni)."""
    fasx2 = 0.13130908
    fasx4 = 2.8843198
    fasx6 = 0.37448087
    g22 = 5.7686396
    g32 = 0.95240898
    g44 = 1.8014998
    g52 = 1.0508330
    g54 = 4.4108898
    xldot = xni + p[P_XFACT]
    if irez != 2:  # synchronous (1 day) resonance
        s1, c1 = sincos(xli - fasx2)
        s2, c2 = sincos(2.0 * (xli - fasx4))
        s3, c3 = sincos(3.0 * (xli - fasx6))
        xndt = p[P_DEL1] * s1 + p[P_DEL2] * s2 + p[P_DEL3] * s3
        xnddt = p[P_DEL1] * c1 + 2.0 * p[P_DEL2] * c2 + 3.0 * p[P_DEL3] * c3
    else:  # half-day resonance
        xomi = p[P_ARGPO] + p[P_ARGPDOT] * atime
        x2omi = xomi + xomi
        x2li = xli + xli
        s2201, c2201 = sincos(x2omi + xli - g22)
        s2211, c2211 = sincos(xli - g22)
        s3210, c3210 = sincos(xomi + xli - g32)
        s3222, c3222 = sincos(-xomi + xli - g32)
        s4410, c4410 = sincos(x2omi + x2li - g44)
        s4422, c4422 = sincos(x2li - g44)
        s5220, c5220 = sincos(xomi + xli - g52)
        s5232, c5232 = sincos(-xomi + xli - g52)
        s5421, c5421 = sincos(xomi + x2li - g54)
        s5433, c5433 = sincos(-xomi + x2li - g54)
        xndt = (p[P_D2201] * s2201 + p[P_D2211] * s2211 + p[P_D3210] * s3210
                + p[P_D3222] * s3222 + p[P_D4410] * s4410 + p[P_D4422] * s4422
                + p[P_D5220] * s5220 + p[P_D5232] * s5232 + p[P_D5421] * s5421
                + p[P_D5433] * s5433)
        xnddt = (p[P_D2201] * c2201 + p[P_D2211] * c2211 + p[P_D3210] * c3210
                 + p[P_D3222] * c3222 + p[P_D5220] * c5220 + p[P_D5232] * c5232
                 + 2.0 * (p[P_D4410] * c4410 + p[P_D4422] * c4422 + p[P_D5421] * c5421
                          + p[P_D5433] * c5433))
    return xndt, xldot, xnddt * xldot


@njit(cache=True, nogil=True)
def _dspace(p, t, em, argpm, inclm, mm, nodem, nm, state):
    """Deep-space secular effects and resonance integration to t (minutes).

    ``state`` = (atime, xli, xni, xndt, xldot, xnddt): the integrator at time
    atime and its rates there (xldot NaN: not yet computed). atime = 0 starts
    from epoch; passing the state a previous call returned continues from it
    with the same fixed 720-minute steps, so the result is the same.
    """
    stepp = 720.0
    step2 = 259200.0
    rptim = 4.37526908801129966e-3  # earth rotation, rad/min

    em = em + p[P_DEDT] * t
    inclm = inclm + p[P_DIDT] * t
    argpm = argpm + p[P_DOMDT] * t
    nodem = nodem + p[P_DNODT] * t
    mm = mm + p[P_DMDT] * t
    irez = int(p[P_IREZ])
    if irez == 0:
        return em, argpm, inclm, mm, nodem, nm, state

    atime, xli, xni, xndt, xldot, xnddt = state
    no = p[P_NO_UNKOZAI]
    if atime == 0.0 or t * atime <= 0.0 or math.fabs(t) < math.fabs(atime):
        atime = 0.0
        xni = no
        xli = p[P_XLAMO]
        xldot = np.nan
    delt = stepp if t > 0.0 else -stepp
    while True:
        if xldot != xldot:  # rates not yet computed at this state
            xndt, xldot, xnddt = _resonance_rates(p, irez, atime, xli, xni)
        if math.fabs(t - atime) < stepp:
            break
        xli = xli + xldot * delt + xndt * step2
        xni = xni + xndt * delt + xnddt * step2
        atime = atime + delt
        xldot = np.nan
    ft = t - atime
    nm = xni + xndt * ft + xnddt * ft * ft * 0.5
    xl = xli + xldot * ft + xndt * ft * ft * 0.5
    theta = np.fmod(p[P_GSTO] + t * rptim, TWOPI)
    if irez != 1:
        mm = xl - 2.0 * nodem + 2.0 * theta
    else:
        mm = xl - nodem - argpm + theta
    nm = no + (nm - no)
    return em, argpm, inclm, mm, nodem, nm, (atime, xli, xni, xndt, xldot, xnddt)


@njit(cache=True, nogil=True, inline="always")
def _sgp4(p, t, state):
    """SGP4/SDP4 at t minutes from epoch, continuing a resonance integrator state.

    Returns (err, rx, ry, rz, vx, vy, vz, state): TEME km and km/s, then the
    deep-space integrator state for the next call (see ``_dspace``).

    Departures from the reference's arithmetic change results by rounding
    only: near-earth angles are not reduced with fmod before ``sincos`` (which
    reduces them; deep-space orbits keep the reference's reductions, which
    dpper's Lyddane branch and very long integrations depend on), and the
    argument of latitude is rotated by its short-period correction instead of
    going through atan2.
    """
    nan = np.nan
    deep = p[P_DEEP] != 0.0

    # secular gravity and atmospheric drag
    xmdf = p[P_MO] + p[P_MDOT] * t
    argpm = p[P_ARGPO] + p[P_ARGPDOT] * t
    t2 = t * t
    nodem = p[P_NODEO] + p[P_NODEDOT] * t + p[P_NODECF] * t2
    mm = xmdf
    tempa = 1.0 - p[P_CC1] * t
    tempe = p[P_BC4] * t
    templ = p[P_T2COF] * t2
    if p[P_ISIMP] != 1.0:
        sinmdf, cosmdf = sincos(xmdf)
        delomg = p[P_OMGCOF] * t
        delmtemp = 1.0 + p[P_ETA] * cosmdf
        delm = p[P_XMCOF] * (delmtemp * delmtemp * delmtemp - p[P_DELMO])
        temp = delomg + delm
        mm = xmdf + temp
        argpm = argpm - temp
        t3 = t2 * t
        t4 = t3 * t
        tempa = tempa - p[P_D2] * t2 - p[P_D3] * t3 - p[P_D4] * t4
        sintemp, costemp = _sincos_small(temp)  # sin(mm) = sin(xmdf + temp)
        tempe = tempe + p[P_BC5] * ((sinmdf * costemp + cosmdf * sintemp) - p[P_SINMAO])
        templ = templ + p[P_T3COF] * t3 + t4 * (p[P_T4COF] + t * p[P_T5COF])

    nm = p[P_NO_UNKOZAI]
    em = p[P_ECCO]
    inclm = p[P_INCLO]
    if deep:
        em, argpm, inclm, mm, nodem, nm, state = _dspace(
            p, t, em, argpm, inclm, mm, nodem, nm, state)
    if nm <= 0.0:
        return ERR_MEAN_MOTION, nan, nan, nan, nan, nan, nan, state
    if p[P_IREZ] != 0.0:  # resonance changes the mean motion
        am = np.cbrt((XKE / nm) * (XKE / nm)) * tempa * tempa
    else:
        am = p[P_AO23] * tempa * tempa
    nm = XKE / (am * math.sqrt(am))
    em = em - tempe
    if em >= 1.0 or em < -0.001:
        return ERR_ECCENTRICITY, nan, nan, nan, nan, nan, nan, state
    if em < 1.0e-6:
        em = 1.0e-6
    mm = mm + p[P_NO_UNKOZAI] * templ

    if deep:
        # reduce the node as the reference does: the Lyddane branch of dpper
        # depends on it (the other angles only enter sines, cosines and sums)
        xlm = np.fmod(mm + argpm + nodem, TWOPI)
        nodem = np.fmod(nodem, TWOPI)
        argpm = np.fmod(argpm, TWOPI)
        mm = np.fmod(xlm - argpm - nodem, TWOPI)
        ep, xincp, nodep, argpp, mp, sinip, cosip = _dpper(p, t, em, inclm, nodem, argpm, mm)
        if xincp < 0.0:
            xincp = -xincp
            sinip = -sinip
            nodep = nodep + math.pi
            argpp = argpp - math.pi
        if ep < 0.0 or ep > 1.0:
            return ERR_PERTURBED_ECCENTRICITY, nan, nan, nan, nan, nan, nan, state
        aycof = -0.5 * J3OJ2 * sinip
        if math.fabs(cosip + 1.0) > 1.5e-12:
            xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / (1.0 + cosip)
        else:
            xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / 1.5e-12
        cosisq = cosip * cosip
        con41 = 3.0 * cosisq - 1.0
        x1mth2 = 1.0 - cosisq
        x7thm1 = 7.0 * cosisq - 1.0
    else:
        ep, xincp, nodep, argpp, mp = em, inclm, nodem, argpm, mm
        sinip = p[P_SINIO]
        cosip = p[P_COSIO]
        aycof = p[P_AYCOF]
        xlcof = p[P_XLCOF]
        con41 = p[P_CON41]
        x1mth2 = p[P_X1MTH2]
        x7thm1 = p[P_X7THM1]

    # long-period periodics
    sinargp, cosargp = sincos(argpp)
    axnl = ep * cosargp
    temp = 1.0 / (am * (1.0 - ep * ep))
    aynl = ep * sinargp + temp * aycof
    xl = mp + argpp + nodep + temp * xlcof * axnl

    # Kepler's equation (Newton, at most 10 evaluations, steps clamped to 0.95 rad).
    # Once a step is below 1e-2 rad, (sin, cos) of the next iterate come from
    # rotating the current pair by the step instead of evaluating them again.
    u = _wrap(xl - nodep)
    eo1 = u
    sineo1, coseo1 = sincos(eo1)
    ktr = 1
    while True:
        tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl
        tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5
        if math.fabs(tem5) >= 0.95:
            tem5 = 0.95 if tem5 > 0.0 else -0.95
        if math.fabs(tem5) < 1.0e-12 or ktr == 10:
            break
        eo1 = eo1 + tem5
        ktr = ktr + 1
        if math.fabs(tem5) < 1.0e-2:
            sind, cosd = _sincos_small(tem5)
            sineo1, coseo1 = sineo1 * cosd + coseo1 * sind, coseo1 * cosd - sineo1 * sind
        else:
            sineo1, coseo1 = sincos(eo1)

    # short-period preliminary quantities
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    if pl < 0.0:
        return ERR_SEMI_LATUS_RECTUM, nan, nan, nan, nan, nan, nan, state
    rl = am * (1.0 - ecose)
    inv_rl = 1.0 / rl
    rdotl = math.sqrt(am) * esine * inv_rl
    rvdotl = math.sqrt(pl) * inv_rl
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

    # short-period periodics
    mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
    dsu = 0.25 * temp2 * x7thm1 * sin2u  # su = atan2(sinu, cosu) - dsu
    xnode = nodep + 1.5 * temp2 * cosip * sin2u
    dinc = 1.5 * temp2 * cosip * sinip * cos2u
    mvt = rdotl - nm * temp1 * x1mth2 * sin2u * INV_XKE
    rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) * INV_XKE

    # orientation vectors
    sindsu, cosdsu = _sincos_small(dsu)
    sinsu = sinu * cosdsu - cosu * sindsu
    cossu = cosu * cosdsu + sinu * sindsu
    snod, cnod = sincos(xnode)
    sindi, cosdi = _sincos_small(dinc)  # xinc = xincp + dinc
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

    mr = mrt * RADIUS_EARTH_KM
    err = ERR_DECAYED if mrt < 1.0 else 0
    return (err, mr * ux, mr * uy, mr * uz,
            (mvt * ux + rvdot * vx) * VKMPERSEC,
            (mvt * uy + rvdot * vy) * VKMPERSEC,
            (mvt * uz + rvdot * vz) * VKMPERSEC,
            state)


@njit(cache=True, nogil=True)
def _fresh_state():
    """Resonance integrator state that starts from epoch."""
    return (0.0, 0.0, 0.0, 0.0, np.nan, 0.0)


@njit(cache=True, nogil=True)
def sgp4_point(p, tsince):
    """One satellite (parameter row p) at tsince minutes from its epoch.

    Returns (err, rx, ry, rz, vx, vy, vz): TEME km and km/s, error code as
    python-sgp4 (0 = fine; NaN state for codes 1-4).
    """
    err, rx, ry, rz, vx, vy, vz, _ = _sgp4(p, tsince, _fresh_state())
    return err, rx, ry, rz, vx, vy, vz


@njit(cache=True, nogil=True, parallel=True)
def propagate_grid(params, jd, fr, err, r, v):
    """Every satellite at every UTC two-part Julian date (jd[j] + fr[j]).

    Fills err (n_sat, n_time) and r, v (n_sat, n_time, 3), TEME km, km/s.
    Minutes since epoch are formed as python-sgp4's SatrecArray does.
    """
    n_sat = params.shape[0]
    n_time = jd.shape[0]
    for i in prange(n_sat):
        p = params[i]
        epoch_jd = p[P_EPOCH_JD]
        epoch_fr = p[P_EPOCH_FR]
        state = _fresh_state()
        for j in range(n_time):
            t = (jd[j] - epoch_jd) * 1440.0 + (fr[j] - epoch_fr) * 1440.0
            e, rx, ry, rz, vx, vy, vz, state = _sgp4(p, t, state)
            err[i, j] = e
            r[i, j, 0] = rx
            r[i, j, 1] = ry
            r[i, j, 2] = rz
            v[i, j, 0] = vx
            v[i, j, 1] = vy
            v[i, j, 2] = vz
