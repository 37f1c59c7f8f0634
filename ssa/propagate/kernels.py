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
- ``sgp4_step(p, t, state)``: the same, carrying the deep-space resonance
  integrator from one time to the next; ``ssa.propagate.lane_kernels`` runs
  it over grids of times (and near-earth satellites in SIMD lanes).

Error codes are python-sgp4's: 1 mean eccentricity out of range, 2 mean
motion below zero, 3 perturbed eccentricity out of range, 4 semi-latus rectum
below zero, 6 decayed (radius below one earth radius). Positions and
velocities are NaN for codes 1-4 and computed for 6, as python-sgp4 gives.
Beyond python-sgp4, code 7 (``ERR_NOT_BOUND``) marks a state with code 0 that
no bound orbit of the element set can have (``bound_state``): SGP4's drag
polynomial ``tempa`` run past its range (an element set used long after the
object decayed) gives such states, e.g. 1e6 km from the Earth.
"""
import math

import numpy as np
from numba import njit

from ssa.constants import EARTH_RADIUS_KM, MU_KM3_S2

# WGS-72 (python-sgp4 ``earth_gravity.wgs72``); radius and mu from ssa.constants
XKE = 60.0 / math.sqrt(EARTH_RADIUS_KM**3 / MU_KM3_S2)  # sqrt(mu) in er^1.5/min
J2 = 0.001082616
J3 = -0.00000253881
J4 = -0.00000165597
J3OJ2 = J3 / J2
VKMPERSEC = EARTH_RADIUS_KM * XKE / 60.0  # km/s per er/min
INV_XKE = 1.0 / XKE

TWOPI = 2.0 * math.pi
X2O3 = 2.0 / 3.0

ERR_ECCENTRICITY = 1
ERR_MEAN_MOTION = 2
ERR_PERTURBED_ECCENTRICITY = 3
ERR_SEMI_LATUS_RECTUM = 4
ERR_DECAYED = 6
ERR_NOT_BOUND = 7

# bounds of a state that a bound orbit can have (``bound_state``). A bound orbit of
# semi-major axis a stays within r < a (1 + e) < 2 a; SGP4's a only shrinks under
# drag (tempa <= 1) except for a negative B* or propagation before epoch, and its
# short-period terms move r by ~J2 relative: a margin of 50 % on twice the epoch's
# semi-major axis leaves room for a decaying GTO's larger orbit days before epoch.
# Measured on every object of the six catalogues in ../shared, +-7 days from epoch:
# deep-space states reach r / 2a0 = 0.98 at most; code 7 falls only on near-earth
# element sets that SGP4 finds decayed within the same days (tests/test_propagate_bounds.py).
APOGEE_LIMIT = 2.0 * 1.5  # largest radius, in semi-major axes at epoch
# a bound orbit has v^2 < 2 mu / r; SGP4's short-period terms change v^2 by
# O(J2) ~ 1e-3 relative: 10 % above the escape speed squared is out of reach
ESCAPE_LIMIT = 1.1  # largest v^2 r / (2 mu)

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
# error code for every time when the elements cannot be propagated at all:
# ERR_ECCENTRICITY for non-finite elements or eccentricity >= 1, ERR_MEAN_MOTION
# for a negative mean motion (python-sgp4 returns NaN without a code for these)
P_INIT_ERR = 94
N_PARAMS = 95


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
SINCOS_POLY_RANGE = 1.0e5  # |x| (rad) below which sincos uses its polynomial
SMALL_ANGLE = 1.0e-2  # |d| (rad) below which _sincos_small uses its Taylor series


@njit(cache=True, nogil=True, error_model="numpy")
def sincos(x):
    """(sin x, cos x) for x in radians, within 1 ulp of libm (libm itself beyond 1e5 rad)."""
    if not abs(x) < SINCOS_POLY_RANGE:  # also NaN and inf
        return math.sin(x), math.cos(x)
    return sincos_poly(x)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sincos_poly(x):
    """``sincos`` for |x| < SINCOS_POLY_RANGE rad: the polynomial alone, without a branch
    (``lane_kernels`` vectorises it)."""
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


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _sincos_small(d):
    """(sin d, cos d) for a small correction angle d: Taylor series, exact to
    1e-19 for |d| < SMALL_ANGLE (larger d goes through ``sincos``)."""
    if not abs(d) < SMALL_ANGLE:
        return sincos(d)
    return sincos_taylor(d)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sincos_taylor(d):
    """The Taylor series of ``_sincos_small`` for |d| < SMALL_ANGLE rad, without a branch."""
    z = d * d
    return (d - d * z * (1.0 / 6.0 - z * (1.0 / 120.0 - z * (1.0 / 5040.0))),
            1.0 - z * (0.5 - z * (1.0 / 24.0 - z * (1.0 / 720.0 - z * (1.0 / 40320.0)))))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def wrap_angle(x):
    """x reduced to about [-pi, pi] (for Kepler's equation, which is 2 pi periodic)."""
    return x - TWOPI * ((x * (1.0 / TWOPI) + _ROUND) - _ROUND)


@njit(cache=True, nogil=True, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy")
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


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sgp4_step(p, t, state):
    """SGP4/SDP4 at t minutes from epoch, continuing a resonance integrator state (from ``fresh_state()``
    or the previous call).

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
    if p[P_INIT_ERR] != 0.0:
        return int(p[P_INIT_ERR]), nan, nan, nan, nan, nan, nan, state
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
    delta_m = 0.0  # drag correction to the mean anomaly (and minus that to perigee)
    sinmdf = cosmdf = 0.0
    if p[P_ISIMP] != 1.0:
        sinmdf, cosmdf = sincos(xmdf)
        delomg = p[P_OMGCOF] * t
        delmtemp = 1.0 + p[P_ETA] * cosmdf
        delm = p[P_XMCOF] * (delmtemp * delmtemp * delmtemp - p[P_DELMO])
        delta_m = delomg + delm
        mm = xmdf + delta_m
        argpm = argpm - delta_m
        t3 = t2 * t
        t4 = t3 * t
        tempa = tempa - p[P_D2] * t2 - p[P_D3] * t3 - p[P_D4] * t4
        sintemp, costemp = _sincos_small(delta_m)  # sin(mm) = sin(xmdf + delta_m)
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
    u = wrap_angle(xl - nodep)
    eo1 = u
    if deep or p[P_ISIMP] == 1.0:
        sineo1, coseo1 = sincos(eo1)
    else:  # u = xmdf + argpp + a small remainder, whose sines and cosines are at hand
        sinu0 = sinmdf * cosargp + cosmdf * sinargp
        cosu0 = cosmdf * cosargp - sinmdf * sinargp
        sind, cosd = _sincos_small(delta_m + p[P_NO_UNKOZAI] * templ + temp * xlcof * axnl)
        sineo1, coseo1 = sinu0 * cosd + cosu0 * sind, cosu0 * cosd - sinu0 * sind
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

    mr = mrt * EARTH_RADIUS_KM
    vx = (mvt * ux + rvdot * vx) * VKMPERSEC
    vy = (mvt * uy + rvdot * vy) * VKMPERSEC
    vz = (mvt * uz + rvdot * vz) * VKMPERSEC
    if mrt < 1.0:
        err = ERR_DECAYED
    elif bound_state(mr, vx * vx + vy * vy + vz * vz, p[P_AO23] * EARTH_RADIUS_KM):
        err = 0
    else:
        err = ERR_NOT_BOUND
    return err, mr * ux, mr * uy, mr * uz, vx, vy, vz, state


@njit(cache=True, nogil=True, error_model="numpy")
def bound_state(r, v2, a0):
    """Whether a bound orbit of the element set can have radius r (km) and speed^2 v2 (km^2/s^2).

    a0: the element set's semi-major axis at epoch (km). False for r above
    APOGEE_LIMIT * a0, for v2 above ESCAPE_LIMIT times the escape speed squared
    2 mu / r, and for NaN. The radius below the Earth is SGP4's own decay test
    (code 6): |r| is mrt earth radii exactly. ``ssa.propagate.reference`` is the
    numpy version the tests hold this to.
    """
    return r <= APOGEE_LIMIT * a0 and v2 * r <= ESCAPE_LIMIT * 2.0 * MU_KM3_S2


@njit(cache=True, nogil=True, error_model="numpy")
def fresh_state():
    """Resonance integrator state that starts from epoch."""
    return (0.0, 0.0, 0.0, 0.0, np.nan, 0.0)


@njit(cache=True, nogil=True, error_model="numpy")
def sgp4_point(p, tsince):
    """One satellite (parameter row p) at tsince minutes from its epoch.

    Returns (err, rx, ry, rz, vx, vy, vz): TEME km and km/s, error code as
    python-sgp4 (0 = fine; NaN state for codes 1-4).
    """
    err, rx, ry, rz, vx, vy, vz, _ = sgp4_step(p, tsince, fresh_state())
    return err, rx, ry, rz, vx, vy, vz


# satellites handed to a thread at a time by lane_kernels.propagate_rows: deep-space
# orbits cost twice as much and a busy machine slows threads unevenly, so equal shares
# of the satellites would finish far apart
GRID_CHUNK = 16


# ---- initialisation (sgp4init: initl, dscom, dsinit) ---------------------------
# A line-for-line port of python-sgp4's pure-Python sgp4init (WGS-72), with
# Python's floored modulo where it uses one, so that every coefficient equals
# what sgp4.model.Satrec.sgp4init computes.


@njit(cache=True, nogil=True, error_model="numpy")
def _gstime(jdut1):
    """Greenwich sidereal angle (rad) at a UT1 Julian date, IAU-82."""
    deg2rad = math.pi / 180.0
    tut1 = (jdut1 - 2451545.0) / 36525.0
    temp = (-6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1
            + (876600.0 * 3600 + 8640184.812866) * tut1 + 67310.54841)  # seconds
    temp = (temp * deg2rad / 240.0) % TWOPI
    if temp < 0.0:
        temp += TWOPI
    return temp


@njit(cache=True, nogil=True, error_model="numpy")
def _dscom_dsinit(row, epoch, ecco, argpo, inclo, nodeo, mo, no, mdot, nodedot, xpidot, eccsq, gsto):
    """Deep-space initialisation (dscom, dsinit at tc = 0) into ``row``."""
    zes = 0.01675
    zel = 0.05490
    c1ss = 2.9864797e-6
    c1l = 4.7968065e-7
    zsinis = 0.39785416
    zcosis = 0.91744867
    zcosgs = 0.1945905
    zsings = -0.98088458

    # ---- dscom
    nm = no
    em = ecco
    snodm = math.sin(nodeo)
    cnodm = math.cos(nodeo)
    sinomm = math.sin(argpo)
    cosomm = math.cos(argpo)
    sinim = math.sin(inclo)
    cosim = math.cos(inclo)
    emsq = em * em
    betasq = 1.0 - emsq
    rtemsq = math.sqrt(betasq)
    day = epoch + 18261.5
    xnodce = (4.5236020 - 9.2422029e-4 * day) % TWOPI
    stem = math.sin(xnodce)
    ctem = math.cos(xnodce)
    zcosil = 0.91375164 - 0.03568096 * ctem
    zsinil = math.sqrt(1.0 - zcosil * zcosil)
    zsinhl = 0.089683511 * stem / zsinil
    zcoshl = math.sqrt(1.0 - zsinhl * zsinhl)
    gam = 5.8351514 + 0.0019443680 * day
    zx = 0.39785416 * stem / zsinil
    zy = zcoshl * ctem + 0.91744867 * zsinhl * stem
    zx = math.atan2(zx, zy)
    zx = gam + zx - xnodce
    zcosgl = math.cos(zx)
    zsingl = math.sin(zx)

    zcosg = zcosgs
    zsing = zsings
    zcosi = zcosis
    zsini = zsinis
    zcosh = cnodm
    zsinh = snodm
    cc = c1ss
    xnoi = 1.0 / nm
    ss1 = ss2 = ss3 = ss4 = ss5 = ss6 = ss7 = 0.0
    sz1 = sz2 = sz3 = sz11 = sz12 = sz13 = sz21 = sz22 = sz23 = sz31 = sz32 = sz33 = 0.0
    s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    z1 = z2 = z3 = z11 = z12 = z13 = z21 = z22 = z23 = z31 = z32 = z33 = 0.0
    for lsflg in (1, 2):  # 1: sun, 2: moon
        a1 = zcosg * zcosh + zsing * zcosi * zsinh
        a3 = -zsing * zcosh + zcosg * zcosi * zsinh
        a7 = -zcosg * zsinh + zsing * zcosi * zcosh
        a8 = zsing * zsini
        a9 = zsing * zsinh + zcosg * zcosi * zcosh
        a10 = zcosg * zsini
        a2 = cosim * a7 + sinim * a8
        a4 = cosim * a9 + sinim * a10
        a5 = -sinim * a7 + cosim * a8
        a6 = -sinim * a9 + cosim * a10

        x1 = a1 * cosomm + a2 * sinomm
        x2 = a3 * cosomm + a4 * sinomm
        x3 = -a1 * sinomm + a2 * cosomm
        x4 = -a3 * sinomm + a4 * cosomm
        x5 = a5 * sinomm
        x6 = a6 * sinomm
        x7 = a5 * cosomm
        x8 = a6 * cosomm

        z31 = 12.0 * x1 * x1 - 3.0 * x3 * x3
        z32 = 24.0 * x1 * x2 - 6.0 * x3 * x4
        z33 = 12.0 * x2 * x2 - 3.0 * x4 * x4
        z1 = 3.0 * (a1 * a1 + a2 * a2) + z31 * emsq
        z2 = 6.0 * (a1 * a3 + a2 * a4) + z32 * emsq
        z3 = 3.0 * (a3 * a3 + a4 * a4) + z33 * emsq
        z11 = -6.0 * a1 * a5 + emsq * (-24.0 * x1 * x7 - 6.0 * x3 * x5)
        z12 = -6.0 * (a1 * a6 + a3 * a5) + emsq * (
            -24.0 * (x2 * x7 + x1 * x8) - 6.0 * (x3 * x6 + x4 * x5))
        z13 = -6.0 * a3 * a6 + emsq * (-24.0 * x2 * x8 - 6.0 * x4 * x6)
        z21 = 6.0 * a2 * a5 + emsq * (24.0 * x1 * x5 - 6.0 * x3 * x7)
        z22 = 6.0 * (a4 * a5 + a2 * a6) + emsq * (
            24.0 * (x2 * x5 + x1 * x6) - 6.0 * (x4 * x7 + x3 * x8))
        z23 = 6.0 * a4 * a6 + emsq * (24.0 * x2 * x6 - 6.0 * x4 * x8)
        z1 = z1 + z1 + betasq * z31
        z2 = z2 + z2 + betasq * z32
        z3 = z3 + z3 + betasq * z33
        s3 = cc * xnoi
        s2 = -0.5 * s3 / rtemsq
        s4 = s3 * rtemsq
        s1 = -15.0 * em * s4
        s5 = x1 * x3 + x2 * x4
        s6 = x2 * x3 + x1 * x4
        s7 = x2 * x4 - x1 * x3

        if lsflg == 1:
            ss1, ss2, ss3, ss4, ss5, ss6, ss7 = s1, s2, s3, s4, s5, s6, s7
            sz1, sz2, sz3 = z1, z2, z3
            sz11, sz12, sz13 = z11, z12, z13
            sz21, sz22, sz23 = z21, z22, z23
            sz31, sz32, sz33 = z31, z32, z33
            zcosg = zcosgl
            zsing = zsingl
            zcosi = zcosil
            zsini = zsinil
            zcosh = zcoshl * cnodm + zsinhl * snodm
            zsinh = snodm * zcoshl - cnodm * zsinhl
            cc = c1l

    row[P_ZMOL] = (4.7199672 + 0.22997150 * day - gam) % TWOPI
    row[P_ZMOS] = (6.2565837 + 0.017201977 * day) % TWOPI
    row[P_SE2] = 2.0 * ss1 * ss6
    row[P_SE3] = 2.0 * ss1 * ss7
    row[P_SI2] = 2.0 * ss2 * sz12
    row[P_SI3] = 2.0 * ss2 * (sz13 - sz11)
    row[P_SL2] = -2.0 * ss3 * sz2
    row[P_SL3] = -2.0 * ss3 * (sz3 - sz1)
    row[P_SL4] = -2.0 * ss3 * (-21.0 - 9.0 * emsq) * zes
    row[P_SGH2] = 2.0 * ss4 * sz32
    row[P_SGH3] = 2.0 * ss4 * (sz33 - sz31)
    row[P_SGH4] = -18.0 * ss4 * zes
    row[P_SH2] = -2.0 * ss2 * sz22
    row[P_SH3] = -2.0 * ss2 * (sz23 - sz21)
    row[P_EE2] = 2.0 * s1 * s6
    row[P_E3] = 2.0 * s1 * s7
    row[P_XI2] = 2.0 * s2 * z12
    row[P_XI3] = 2.0 * s2 * (z13 - z11)
    row[P_XL2] = -2.0 * s3 * z2
    row[P_XL3] = -2.0 * s3 * (z3 - z1)
    row[P_XL4] = -2.0 * s3 * (-21.0 - 9.0 * emsq) * zel
    row[P_XGH2] = 2.0 * s4 * z32
    row[P_XGH3] = 2.0 * s4 * (z33 - z31)
    row[P_XGH4] = -18.0 * s4 * zel
    row[P_XH2] = -2.0 * s2 * z22
    row[P_XH3] = -2.0 * s2 * (z23 - z21)
    # peo, pinco, plo, pgho, pho stay zero (dscom sets them so)

    # ---- dsinit (tc = t = 0)
    q22 = 1.7891679e-6
    q31 = 2.1460748e-6
    q33 = 2.2123015e-7
    root22 = 1.7891679e-6
    root44 = 7.3636953e-9
    root54 = 2.1765803e-9
    rptim = 4.37526908801129966e-3
    root32 = 3.7393792e-7
    root52 = 1.1428639e-7
    znl = 1.5835218e-4
    zns = 1.19459e-5

    irez = 0
    if 0.0034906585 < nm < 0.0052359877:
        irez = 1
    if 8.26e-3 <= nm <= 9.24e-3 and em >= 0.5:
        irez = 2

    ses = ss1 * zns * ss5
    sis = ss2 * zns * (sz11 + sz13)
    sls = -zns * ss3 * (sz1 + sz3 - 14.0 - 6.0 * emsq)
    sghs = ss4 * zns * (sz31 + sz33 - 6.0)
    shs = -zns * ss2 * (sz21 + sz23)
    inclm = inclo
    if inclm < 5.2359877e-2 or inclm > math.pi - 5.2359877e-2:
        shs = 0.0
    if sinim != 0.0:
        shs = shs / sinim
    sgs = sghs - cosim * shs

    dedt = ses + s1 * znl * s5
    didt = sis + s2 * znl * (z11 + z13)
    dmdt = sls - znl * s3 * (z1 + z3 - 14.0 - 6.0 * emsq)
    sghl = s4 * znl * (z31 + z33 - 6.0)
    shll = -znl * s2 * (z21 + z23)
    if inclm < 5.2359877e-2 or inclm > math.pi - 5.2359877e-2:
        shll = 0.0
    domdt = sgs + sghl
    dnodt = shs
    if sinim != 0.0:
        domdt = domdt - cosim / sinim * shll
        dnodt = dnodt + shll / sinim
    theta = gsto % TWOPI
    row[P_DEDT] = dedt
    row[P_DIDT] = didt
    row[P_DMDT] = dmdt
    row[P_DNODT] = dnodt
    row[P_DOMDT] = domdt
    row[P_IREZ] = irez

    if irez != 0:
        aonv = (nm / XKE) ** X2O3
        if irez == 2:  # half-day resonance terms
            cosisq = cosim * cosim
            em = ecco
            emsq = eccsq
            eoc = em * emsq
            g201 = -0.306 - (em - 0.64) * 0.440
            if em <= 0.65:
                g211 = 3.616 - 13.2470 * em + 16.2900 * emsq
                g310 = -19.302 + 117.3900 * em - 228.4190 * emsq + 156.5910 * eoc
                g322 = -18.9068 + 109.7927 * em - 214.6334 * emsq + 146.5816 * eoc
                g410 = -41.122 + 242.6940 * em - 471.0940 * emsq + 313.9530 * eoc
                g422 = -146.407 + 841.8800 * em - 1629.014 * emsq + 1083.4350 * eoc
                g520 = -532.114 + 3017.977 * em - 5740.032 * emsq + 3708.2760 * eoc
            else:
                g211 = -72.099 + 331.819 * em - 508.738 * emsq + 266.724 * eoc
                g310 = -346.844 + 1582.851 * em - 2415.925 * emsq + 1246.113 * eoc
                g322 = -342.585 + 1554.908 * em - 2366.899 * emsq + 1215.972 * eoc
                g410 = -1052.797 + 4758.686 * em - 7193.992 * emsq + 3651.957 * eoc
                g422 = -3581.690 + 16178.110 * em - 24462.770 * emsq + 12422.520 * eoc
                if em > 0.715:
                    g520 = -5149.66 + 29936.92 * em - 54087.36 * emsq + 31324.56 * eoc
                else:
                    g520 = 1464.74 - 4664.75 * em + 3763.64 * emsq
            if em < 0.7:
                g533 = -919.22770 + 4988.6100 * em - 9064.7700 * emsq + 5542.21 * eoc
                g521 = -822.71072 + 4568.6173 * em - 8491.4146 * emsq + 5337.524 * eoc
                g532 = -853.66600 + 4690.2500 * em - 8624.7700 * emsq + 5341.4 * eoc
            else:
                g533 = -37995.780 + 161616.52 * em - 229838.20 * emsq + 109377.94 * eoc
                g521 = -51752.104 + 218913.95 * em - 309468.16 * emsq + 146349.42 * eoc
                g532 = -40023.880 + 170470.89 * em - 242699.48 * emsq + 115605.82 * eoc

            sini2 = sinim * sinim
            f220 = 0.75 * (1.0 + 2.0 * cosim + cosisq)
            f221 = 1.5 * sini2
            f321 = 1.875 * sinim * (1.0 - 2.0 * cosim - 3.0 * cosisq)
            f322 = -1.875 * sinim * (1.0 + 2.0 * cosim - 3.0 * cosisq)
            f441 = 35.0 * sini2 * f220
            f442 = 39.3750 * sini2 * sini2
            f522 = 9.84375 * sinim * (sini2 * (1.0 - 2.0 * cosim - 5.0 * cosisq)
                                      + 0.33333333 * (-2.0 + 4.0 * cosim + 6.0 * cosisq))
            f523 = sinim * (4.92187512 * sini2 * (-2.0 - 4.0 * cosim + 10.0 * cosisq)
                            + 6.56250012 * (1.0 + 2.0 * cosim - 3.0 * cosisq))
            f542 = 29.53125 * sinim * (2.0 - 8.0 * cosim + cosisq * (-12.0 + 8.0 * cosim + 10.0 * cosisq))
            f543 = 29.53125 * sinim * (-2.0 - 8.0 * cosim + cosisq * (12.0 + 8.0 * cosim - 10.0 * cosisq))
            xno2 = nm * nm
            ainv2 = aonv * aonv
            temp1 = 3.0 * xno2 * ainv2
            temp = temp1 * root22
            row[P_D2201] = temp * f220 * g201
            row[P_D2211] = temp * f221 * g211
            temp1 = temp1 * aonv
            temp = temp1 * root32
            row[P_D3210] = temp * f321 * g310
            row[P_D3222] = temp * f322 * g322
            temp1 = temp1 * aonv
            temp = 2.0 * temp1 * root44
            row[P_D4410] = temp * f441 * g410
            row[P_D4422] = temp * f442 * g422
            temp1 = temp1 * aonv
            temp = temp1 * root52
            row[P_D5220] = temp * f522 * g520
            row[P_D5232] = temp * f523 * g532
            temp = 2.0 * temp1 * root54
            row[P_D5421] = temp * f542 * g521
            row[P_D5433] = temp * f543 * g533
            row[P_XLAMO] = (mo + nodeo + nodeo - theta - theta) % TWOPI
            row[P_XFACT] = mdot + dmdt + 2.0 * (nodedot + dnodt - rptim) - no
        else:  # synchronous resonance terms
            g200 = 1.0 + emsq * (-2.5 + 0.8125 * emsq)
            g310 = 1.0 + 2.0 * emsq
            g300 = 1.0 + emsq * (-6.0 + 6.60937 * emsq)
            f220 = 0.75 * (1.0 + cosim) * (1.0 + cosim)
            f311 = 0.9375 * sinim * sinim * (1.0 + 3.0 * cosim) - 0.75 * (1.0 + cosim)
            f330 = 1.0 + cosim
            f330 = 1.875 * f330 * f330 * f330
            del1 = 3.0 * nm * nm * aonv * aonv
            row[P_DEL2] = 2.0 * del1 * f220 * g200 * q22
            row[P_DEL3] = 3.0 * del1 * f330 * g300 * q33 * aonv
            row[P_DEL1] = del1 * f311 * g310 * q31 * aonv
            row[P_XLAMO] = (mo + nodeo + argpo - theta) % TWOPI
            row[P_XFACT] = mdot + xpidot - rptim + dmdt + domdt + dnodt - no


@njit(cache=True, nogil=True, error_model="numpy")
def sgp4init_row(row, epoch, jd, fr, bstar, ecco, argpo, inclo, mo, no_kozai, nodeo, afspc):
    """Fill one parameter row (zeroed by the caller) as sgp4init would, WGS-72.

    ``epoch`` is days since 1949 December 31 00:00 UT (sgp4init's), ``jd``
    and ``fr`` the same epoch as a two-part Julian date (kept for tsince);
    angles in rad, ``no_kozai`` in rad/min; ``afspc`` selects opsmode 'a'.
    """
    ss = 78.0 / EARTH_RADIUS_KM + 1.0
    qzms2ttemp = (120.0 - 78.0) / EARTH_RADIUS_KM
    qzms2t = qzms2ttemp * qzms2ttemp * qzms2ttemp * qzms2ttemp
    temp4 = 1.5e-12
    row[P_EPOCH_JD] = jd
    row[P_EPOCH_FR] = fr
    row[P_AFSPC] = 1.0 if afspc else 0.0
    row[P_BSTAR] = bstar
    row[P_ECCO] = ecco
    row[P_ARGPO] = argpo
    row[P_INCLO] = inclo
    row[P_MO] = mo
    row[P_NODEO] = nodeo
    finite = True
    for x in (epoch, jd, fr, bstar, ecco, argpo, inclo, mo, no_kozai, nodeo):
        finite = finite and math.isfinite(x)
    if not finite or ecco >= 1.0:
        row[P_INIT_ERR] = ERR_ECCENTRICITY
        return
    if no_kozai < 0.0:
        row[P_INIT_ERR] = ERR_MEAN_MOTION
        return

    # ---- initl: un-Kozai the mean motion
    eccsq = ecco * ecco
    omeosq = 1.0 - eccsq
    rteosq = math.sqrt(omeosq)
    cosio = math.cos(inclo)
    cosio2 = cosio * cosio
    ak = (XKE / no_kozai) ** X2O3
    d1 = 0.75 * J2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq)
    del_ = d1 / (ak * ak)
    adel = ak * (1.0 - del_ * del_ - del_ * (1.0 / 3.0 + 134.0 * del_ * del_ / 81.0))
    del_ = d1 / (adel * adel)
    no = no_kozai / (1.0 + del_)
    ao = (XKE / no) ** X2O3
    sinio = math.sin(inclo)
    po = ao * omeosq
    con42 = 1.0 - 5.0 * cosio2
    con41 = -con42 - cosio2 - cosio2
    posq = po * po
    rp = ao * (1.0 - ecco)
    if afspc:
        ts70 = epoch - 7305.0
        ds70 = (ts70 + 1.0e-8) // 1.0
        tfrac = ts70 - ds70
        c1 = 1.72027916940703639e-2
        thgr70 = 1.7321343856509374
        fk5r = 5.07551419432269442e-15
        c1p2p = c1 + TWOPI
        gsto = (thgr70 + c1 * ds70 + c1p2p * tfrac + ts70 * ts70 * fk5r) % TWOPI
        if gsto < 0.0:
            gsto = gsto + TWOPI
    else:
        gsto = _gstime(epoch + 2433281.5)
    row[P_NO_UNKOZAI] = no
    row[P_CON41] = con41
    row[P_GSTO] = gsto

    # ---- sgp4init proper
    isimp = 0
    if rp < 220.0 / EARTH_RADIUS_KM + 1.0:
        isimp = 1
    sfour = ss
    qzms24 = qzms2t
    perige = (rp - 1.0) * EARTH_RADIUS_KM
    if perige < 156.0:  # perigee below 156 km: adjust s and qoms2t
        sfour = perige - 78.0
        if perige < 98.0:
            sfour = 20.0
        qzms24temp = (120.0 - sfour) / EARTH_RADIUS_KM
        qzms24 = qzms24temp * qzms24temp * qzms24temp * qzms24temp
        sfour = sfour / EARTH_RADIUS_KM + 1.0
    pinvsq = 1.0 / posq

    tsi = 1.0 / (ao - sfour)
    eta = ao * ecco * tsi
    etasq = eta * eta
    eeta = ecco * eta
    psisq = math.fabs(1.0 - etasq)
    coef = qzms24 * tsi**4.0
    coef1 = coef / psisq**3.5
    cc2 = coef1 * no * (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq))
                        + 0.375 * J2 * tsi / psisq * con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)))
    cc1 = bstar * cc2
    cc3 = 0.0
    if ecco > 1.0e-4:
        cc3 = -2.0 * coef * tsi * J3OJ2 * no * sinio / ecco
    x1mth2 = 1.0 - cosio2
    cc4 = 2.0 * no * coef1 * ao * omeosq * (
        eta * (2.0 + 0.5 * etasq) + ecco * (0.5 + 2.0 * etasq)
        - J2 * tsi / (ao * psisq) * (
            -3.0 * con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta))
            + 0.75 * x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq)) * math.cos(2.0 * argpo)))
    cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq)
    cosio4 = cosio2 * cosio2
    temp1 = 1.5 * J2 * pinvsq * no
    temp2 = 0.5 * temp1 * J2 * pinvsq
    temp3 = -0.46875 * J4 * pinvsq * pinvsq * no
    mdot = no + 0.5 * temp1 * rteosq * con41 + 0.0625 * temp2 * rteosq * (
        13.0 - 78.0 * cosio2 + 137.0 * cosio4)
    argpdot = (-0.5 * temp1 * con42 + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4)
               + temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4))
    xhdot1 = -temp1 * cosio
    nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2)) * cosio
    xpidot = argpdot + nodedot
    row[P_OMGCOF] = bstar * cc3 * math.cos(argpo)
    xmcof = 0.0
    if ecco > 1.0e-4:
        xmcof = -X2O3 * coef * bstar / eeta
    row[P_XMCOF] = xmcof
    row[P_NODECF] = 3.5 * omeosq * xhdot1 * cc1
    row[P_T2COF] = 1.5 * cc1
    if math.fabs(cosio + 1.0) > 1.5e-12:
        row[P_XLCOF] = -0.25 * J3OJ2 * sinio * (3.0 + 5.0 * cosio) / (1.0 + cosio)
    else:
        row[P_XLCOF] = -0.25 * J3OJ2 * sinio * (3.0 + 5.0 * cosio) / temp4
    row[P_AYCOF] = -0.5 * J3OJ2 * sinio
    delmotemp = 1.0 + eta * math.cos(mo)
    row[P_DELMO] = delmotemp * delmotemp * delmotemp
    row[P_SINMAO] = math.sin(mo)
    row[P_X7THM1] = 7.0 * cosio2 - 1.0
    row[P_X1MTH2] = x1mth2
    row[P_ETA] = eta
    row[P_CC1] = cc1
    row[P_CC4] = cc4
    row[P_CC5] = cc5
    row[P_MDOT] = mdot
    row[P_ARGPDOT] = argpdot
    row[P_NODEDOT] = nodedot

    if TWOPI / no >= 225.0:  # deep space: period of 225 minutes or more
        row[P_DEEP] = 1.0
        isimp = 1
        _dscom_dsinit(row, epoch, ecco, argpo, inclo, nodeo, mo, no, mdot, nodedot, xpidot, eccsq, gsto)

    if isimp != 1:
        cc1sq = cc1 * cc1
        d2 = 4.0 * ao * tsi * cc1sq
        temp = d2 * tsi * cc1 / 3.0
        d3 = (17.0 * ao + sfour) * temp
        d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * cc1
        row[P_D2] = d2
        row[P_D3] = d3
        row[P_D4] = d4
        row[P_T3COF] = d2 + 2.0 * cc1sq
        row[P_T4COF] = 0.25 * (3.0 * d3 + cc1 * (12.0 * d2 + 10.0 * cc1sq))
        row[P_T5COF] = 0.2 * (3.0 * d4 + 12.0 * cc1 * d3 + 6.0 * d2 * d2 + 15.0 * cc1sq * (2.0 * d2 + cc1sq))
    row[P_ISIMP] = isimp

    # derived columns
    row[P_SINIO] = sinio
    row[P_COSIO] = cosio
    row[P_AO23] = (XKE / no) ** X2O3
    row[P_BC4] = bstar * cc4
    row[P_BC5] = bstar * cc5


@njit(cache=True, nogil=True, error_model="numpy")
def sgp4init_all(params, epoch, jd, fr, bstar, ecco, argpo, inclo, mo, no_kozai, nodeo, afspc):
    """sgp4init_row for every satellite into ``params`` (zeroed, (n_sat, N_PARAMS))."""
    for i in range(params.shape[0]):
        sgp4init_row(params[i], epoch[i], jd[i], fr[i], bstar[i], ecco[i], argpo[i], inclo[i],
                     mo[i], no_kozai[i], nodeo[i], afspc)
