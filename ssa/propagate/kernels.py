"""SGP4/SDP4 propagation kernels in numba (WGS-72, TEME, km, km/s).

A port of the propagation half of Vallado's SGP4 (Vallado, Crawford, Hujsak
and Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753), following
python-sgp4's line-for-line Python translation ``sgp4/propagation.py``
(Brandon Rhodes, MIT licence) and, where the two differ, the C++ that
python-sgp4's accelerated ``Satrec`` runs (``fmod`` for angle reduction).
Deep space (SDP4: ``dpper`` lunar-solar periodics, ``dspace`` resonance
integration) is included. No fastmath: results match python-sgp4 to well
under a millimetre.

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
N_PARAMS = 89


@njit(cache=True, nogil=True)
def _dpper(p, t, ep, inclp, nodep, argpp, mp):
    """Lunar-solar periodics applied to the mean elements at t (minutes)."""
    zns = 1.19459e-5
    zes = 0.01675
    znl = 1.5835218e-4
    zel = 0.05490

    zm = p[P_ZMOS] + zns * t
    zf = zm + 2.0 * zes * math.sin(zm)
    sinzf = math.sin(zf)
    f2 = 0.5 * sinzf * sinzf - 0.25
    f3 = -0.5 * sinzf * math.cos(zf)
    ses = p[P_SE2] * f2 + p[P_SE3] * f3
    sis = p[P_SI2] * f2 + p[P_SI3] * f3
    sls = p[P_SL2] * f2 + p[P_SL3] * f3 + p[P_SL4] * sinzf
    sghs = p[P_SGH2] * f2 + p[P_SGH3] * f3 + p[P_SGH4] * sinzf
    shs = p[P_SH2] * f2 + p[P_SH3] * f3

    zm = p[P_ZMOL] + znl * t
    zf = zm + 2.0 * zel * math.sin(zm)
    sinzf = math.sin(zf)
    f2 = 0.5 * sinzf * sinzf - 0.25
    f3 = -0.5 * sinzf * math.cos(zf)
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
    sinip = math.sin(inclp)
    cosip = math.cos(inclp)

    if inclp >= 0.2:  # apply periodics directly
        ph /= sinip
        pgh -= cosip * ph
        argpp += pgh
        nodep += ph
        mp += pl
    else:  # Lyddane modification near zero inclination
        sinop = math.sin(nodep)
        cosop = math.cos(nodep)
        alfdp = sinip * sinop
        betdp = sinip * cosop
        dalf = ph * cosop + pinc * cosip * sinop
        dbet = -ph * sinop + pinc * cosip * cosop
        alfdp = alfdp + dalf
        betdp = betdp + dbet
        nodep = np.fmod(nodep, TWOPI)
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
    return ep, inclp, nodep, argpp, mp


@njit(cache=True, nogil=True)
def _dspace(p, t, em, argpm, inclm, mm, nodem, nm, atime, xli, xni):
    """Deep-space secular effects and resonance integration to t (minutes).

    (atime, xli, xni) is the integrator state: pass atime = 0 to start from
    epoch, or the state a previous call returned to continue from it (the
    result is the same: the integration steps are fixed at 720 minutes).
    """
    fasx2 = 0.13130908
    fasx4 = 2.8843198
    fasx6 = 0.37448087
    g22 = 5.7686396
    g32 = 0.95240898
    g44 = 1.8014998
    g52 = 1.0508330
    g54 = 4.4108898
    rptim = 4.37526908801129966e-3  # earth rotation, rad/min
    stepp = 720.0
    stepn = -720.0
    step2 = 259200.0

    irez = int(p[P_IREZ])
    no = p[P_NO_UNKOZAI]
    theta = np.fmod(p[P_GSTO] + t * rptim, TWOPI)
    em = em + p[P_DEDT] * t
    inclm = inclm + p[P_DIDT] * t
    argpm = argpm + p[P_DOMDT] * t
    nodem = nodem + p[P_DNODT] * t
    mm = mm + p[P_DMDT] * t

    if irez != 0:
        if atime == 0.0 or t * atime <= 0.0 or math.fabs(t) < math.fabs(atime):
            atime = 0.0
            xni = no
            xli = p[P_XLAMO]
        delt = stepp if t > 0.0 else stepn
        xfact = p[P_XFACT]
        ft = 0.0
        while True:
            if irez != 2:  # synchronous (1 day) resonance
                del1 = p[P_DEL1]
                del2 = p[P_DEL2]
                del3 = p[P_DEL3]
                xndt = (del1 * math.sin(xli - fasx2) + del2 * math.sin(2.0 * (xli - fasx4))
                        + del3 * math.sin(3.0 * (xli - fasx6)))
                xldot = xni + xfact
                xnddt = (del1 * math.cos(xli - fasx2)
                         + 2.0 * del2 * math.cos(2.0 * (xli - fasx4))
                         + 3.0 * del3 * math.cos(3.0 * (xli - fasx6)))
                xnddt = xnddt * xldot
            else:  # half-day resonance
                xomi = p[P_ARGPO] + p[P_ARGPDOT] * atime
                x2omi = xomi + xomi
                x2li = xli + xli
                xndt = (p[P_D2201] * math.sin(x2omi + xli - g22) + p[P_D2211] * math.sin(xli - g22)
                        + p[P_D3210] * math.sin(xomi + xli - g32)
                        + p[P_D3222] * math.sin(-xomi + xli - g32)
                        + p[P_D4410] * math.sin(x2omi + x2li - g44)
                        + p[P_D4422] * math.sin(x2li - g44)
                        + p[P_D5220] * math.sin(xomi + xli - g52)
                        + p[P_D5232] * math.sin(-xomi + xli - g52)
                        + p[P_D5421] * math.sin(xomi + x2li - g54)
                        + p[P_D5433] * math.sin(-xomi + x2li - g54))
                xldot = xni + xfact
                xnddt = (p[P_D2201] * math.cos(x2omi + xli - g22) + p[P_D2211] * math.cos(xli - g22)
                         + p[P_D3210] * math.cos(xomi + xli - g32)
                         + p[P_D3222] * math.cos(-xomi + xli - g32)
                         + p[P_D5220] * math.cos(xomi + xli - g52)
                         + p[P_D5232] * math.cos(-xomi + xli - g52)
                         + 2.0 * (p[P_D4410] * math.cos(x2omi + x2li - g44)
                                  + p[P_D4422] * math.cos(x2li - g44)
                                  + p[P_D5421] * math.cos(xomi + x2li - g54)
                                  + p[P_D5433] * math.cos(-xomi + x2li - g54)))
                xnddt = xnddt * xldot
            if math.fabs(t - atime) >= stepp:
                xli = xli + xldot * delt + xndt * step2
                xni = xni + xndt * delt + xnddt * step2
                atime = atime + delt
            else:
                ft = t - atime
                break
        nm = xni + xndt * ft + xnddt * ft * ft * 0.5
        xl = xli + xldot * ft + xndt * ft * ft * 0.5
        if irez != 1:
            mm = xl - 2.0 * nodem + 2.0 * theta
        else:
            mm = xl - nodem - argpm + theta
        nm = no + (nm - no)
    return em, argpm, inclm, mm, nodem, nm, atime, xli, xni


@njit(cache=True, nogil=True)
def _sgp4(p, t, atime, xli, xni):
    """SGP4/SDP4 at t minutes from epoch, continuing a resonance state.

    Returns (err, rx, ry, rz, vx, vy, vz, atime, xli, xni): TEME km and
    km/s, then the deep-space integrator state for the next call.
    """
    nan = np.nan
    temp4 = 1.5e-12
    deep = p[P_DEEP] != 0.0

    # secular gravity and atmospheric drag
    xmdf = p[P_MO] + p[P_MDOT] * t
    argpdf = p[P_ARGPO] + p[P_ARGPDOT] * t
    nodedf = p[P_NODEO] + p[P_NODEDOT] * t
    argpm = argpdf
    mm = xmdf
    t2 = t * t
    nodem = nodedf + p[P_NODECF] * t2
    tempa = 1.0 - p[P_CC1] * t
    tempe = p[P_BSTAR] * p[P_CC4] * t
    templ = p[P_T2COF] * t2
    if p[P_ISIMP] != 1.0:
        delomg = p[P_OMGCOF] * t
        delmtemp = 1.0 + p[P_ETA] * math.cos(xmdf)
        delm = p[P_XMCOF] * (delmtemp * delmtemp * delmtemp - p[P_DELMO])
        temp = delomg + delm
        mm = xmdf + temp
        argpm = argpdf - temp
        t3 = t2 * t
        t4 = t3 * t
        tempa = tempa - p[P_D2] * t2 - p[P_D3] * t3 - p[P_D4] * t4
        tempe = tempe + p[P_BSTAR] * p[P_CC5] * (math.sin(mm) - p[P_SINMAO])
        templ = templ + p[P_T3COF] * t3 + t4 * (p[P_T4COF] + t * p[P_T5COF])

    nm = p[P_NO_UNKOZAI]
    em = p[P_ECCO]
    inclm = p[P_INCLO]
    if deep:
        em, argpm, inclm, mm, nodem, nm, atime, xli, xni = _dspace(
            p, t, em, argpm, inclm, mm, nodem, nm, atime, xli, xni)

    if nm <= 0.0:
        return ERR_MEAN_MOTION, nan, nan, nan, nan, nan, nan, atime, xli, xni

    am = (XKE / nm) ** X2O3 * tempa * tempa
    nm = XKE / am**1.5
    em = em - tempe
    if em >= 1.0 or em < -0.001:
        return ERR_ECCENTRICITY, nan, nan, nan, nan, nan, nan, atime, xli, xni
    if em < 1.0e-6:
        em = 1.0e-6
    mm = mm + p[P_NO_UNKOZAI] * templ
    xlm = mm + argpm + nodem
    nodem = np.fmod(nodem, TWOPI)
    argpm = np.fmod(argpm, TWOPI)
    xlm = np.fmod(xlm, TWOPI)
    mm = np.fmod(xlm - argpm - nodem, TWOPI)

    # lunar-solar periodics
    ep = em
    xincp = inclm
    argpp = argpm
    nodep = nodem
    mp = mm
    if deep:
        ep, xincp, nodep, argpp, mp = _dpper(p, t, ep, xincp, nodep, argpp, mp)
        if xincp < 0.0:
            xincp = -xincp
            nodep = nodep + math.pi
            argpp = argpp - math.pi
        if ep < 0.0 or ep > 1.0:
            return ERR_PERTURBED_ECCENTRICITY, nan, nan, nan, nan, nan, nan, atime, xli, xni
        sinip = math.sin(xincp)
        cosip = math.cos(xincp)
        aycof = -0.5 * J3OJ2 * sinip
        if math.fabs(cosip + 1.0) > 1.5e-12:
            xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / (1.0 + cosip)
        else:
            xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / temp4
    else:
        sinip = math.sin(inclm)
        cosip = math.cos(inclm)
        aycof = p[P_AYCOF]
        xlcof = p[P_XLCOF]

    # long-period periodics
    axnl = ep * math.cos(argpp)
    temp = 1.0 / (am * (1.0 - ep * ep))
    aynl = ep * math.sin(argpp) + temp * aycof
    xl = mp + argpp + nodep + temp * xlcof * axnl

    # Kepler's equation
    u = np.fmod(xl - nodep, TWOPI)
    eo1 = u
    tem5 = 9999.9
    ktr = 1
    sineo1 = 0.0
    coseo1 = 0.0
    while math.fabs(tem5) >= 1.0e-12 and ktr <= 10:
        sineo1 = math.sin(eo1)
        coseo1 = math.cos(eo1)
        tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl
        tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5
        if math.fabs(tem5) >= 0.95:
            tem5 = 0.95 if tem5 > 0.0 else -0.95
        eo1 = eo1 + tem5
        ktr = ktr + 1

    # short-period preliminary quantities
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    if pl < 0.0:
        return ERR_SEMI_LATUS_RECTUM, nan, nan, nan, nan, nan, nan, atime, xli, xni
    rl = am * (1.0 - ecose)
    rdotl = math.sqrt(am) * esine / rl
    rvdotl = math.sqrt(pl) / rl
    betal = math.sqrt(1.0 - el2)
    temp = esine / (1.0 + betal)
    sinu = am / rl * (sineo1 - aynl - axnl * temp)
    cosu = am / rl * (coseo1 - axnl + aynl * temp)
    su = math.atan2(sinu, cosu)
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * J2 * temp
    temp2 = temp1 * temp

    if deep:
        cosisq = cosip * cosip
        con41 = 3.0 * cosisq - 1.0
        x1mth2 = 1.0 - cosisq
        x7thm1 = 7.0 * cosisq - 1.0
    else:
        con41 = p[P_CON41]
        x1mth2 = p[P_X1MTH2]
        x7thm1 = p[P_X7THM1]

    # short-period periodics
    mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
    su = su - 0.25 * temp2 * x7thm1 * sin2u
    xnode = nodep + 1.5 * temp2 * cosip * sin2u
    xinc = xincp + 1.5 * temp2 * cosip * sinip * cos2u
    mvt = rdotl - nm * temp1 * x1mth2 * sin2u / XKE
    rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / XKE

    # orientation vectors
    sinsu = math.sin(su)
    cossu = math.cos(su)
    snod = math.sin(xnode)
    cnod = math.cos(xnode)
    sini = math.sin(xinc)
    cosi = math.cos(xinc)
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
            atime, xli, xni)


@njit(cache=True, nogil=True)
def sgp4_point(p, tsince):
    """One satellite (parameter row p) at tsince minutes from its epoch.

    Returns (err, rx, ry, rz, vx, vy, vz): TEME km and km/s, error code as
    python-sgp4 (0 = fine; NaN state for codes 1-4).
    """
    err, rx, ry, rz, vx, vy, vz, _, _, _ = _sgp4(p, tsince, 0.0, 0.0, 0.0)
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
        atime = 0.0
        xli = 0.0
        xni = 0.0
        for j in range(n_time):
            t = (jd[j] - epoch_jd) * 1440.0 + (fr[j] - epoch_fr) * 1440.0
            e, rx, ry, rz, vx, vy, vz, atime, xli, xni = _sgp4(p, t, atime, xli, xni)
            err[i, j] = e
            r[i, j, 0] = rx
            r[i, j, 1] = ry
            r[i, j, 2] = rz
            v[i, j, 0] = vx
            v[i, j, 1] = vy
            v[i, j, 2] = vz
