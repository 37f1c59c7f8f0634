"""Estimated position covariance of a TLE/OMM element set (RTN, km), by orbit regime and age.

Element sets carry no covariance. Where no operator covariance (CDM) is
given we use a model of SGP4/TLE error: independent radial, in-track and
cross-track standard deviations growing with the element set's age
``dt`` = |days since epoch| at TCA::

    sigma_R = r0 + r1 dt,  sigma_T = t0 + t1 dt + t2 dt^2,  sigma_N = n0 + n1 dt   (km)

The numbers were measured here by TLE differencing (propagate an element
set to the epoch of a later one of the same object and compare, in the later
one's RTN frame; robust sigma = 1.4826 x median absolute deviation), the
method of Geul, Mooij & Noomen, "TLE uncertainty estimation using robust
weighted differencing", Adv. Space Res. 59(10), 2017, on public element sets:

* perigee below 500 km: ISS (25544) element sets 2020-2024, 0.25-3 days
  apart: sigma R/T/N = 0.06/0.74/0.09 km at 0.25 d, 0.09/2.7/0.19 at 1 d,
  0.14/7.9/0.31 at 2 d, 0.20/17/0.46 at 3 d (in-track grows with drag);
* perigee 500 km and above: FY-1C debris element sets of March 2008
  (about 850 km), 0.5-1 day apart: 0.15-0.17/1.2/0.09-0.13 km.

Both agree with the magnitude CelesTrak gives for LEO (Kelso, "Validation
of SGP4 and IS-GPS-200D against GPS precision ephemerides", AAS 07-127,
2007: on the order of 1 km within a few days of epoch) and with ESA's
practice of covariance look-up tables by perigee height, eccentricity and
inclination for TLE conjunctions (Flohrer, Krag & Klinkrad, "Assessment and
categorization of TLE orbit errors for the US SSN catalogue", AMOS 2008).
Orbits above LEO (MEO, GEO, HEO) have no measurement here: they use the
upper-LEO model, flagged as uncalibrated in ``REGIME_NOTES``. Every Pc
computed from this model is labelled ``covariance_source = "estimated"``.
"""
from __future__ import annotations

import numpy as np

from ssa.catalog.summary import perigee_apogee_altitude_km

# regime -> (r0, r1, t0, t1, t2, n0, n1): km, km/day, km/day^2
ERROR_MODEL = {
    "LEO<500km": (0.05, 0.045, 0.3, 1.0, 1.5, 0.06, 0.13),
    "LEO": (0.10, 0.05, 0.6, 0.6, 0.05, 0.08, 0.04),
}
REGIME_NOTES = {
    "LEO<500km": "measured: ISS element sets 2020-2024, 0.25-3 days",
    "LEO": "measured: FY-1C debris element sets 2008, 0.5-1 day; longer ages extrapolated",
    "above LEO": "uncalibrated: upper-LEO model used",
}


def perigee_altitude_km(no_kozai_rad_min, ecco) -> np.ndarray:
    """Perigee altitude (km above the WGS-72 radius) from Kozai mean motion (rad/min)."""
    return perigee_apogee_altitude_km(no_kozai_rad_min, ecco)[0]


def regime(perigee_km, apogee_km=None) -> np.ndarray:
    """'LEO<500km', 'LEO' (perigee 500-2000 km) or 'above LEO' per object."""
    perigee = np.atleast_1d(np.asarray(perigee_km, dtype=float))
    return np.where(perigee < 500.0, "LEO<500km", np.where(perigee < 2000.0, "LEO", "above LEO"))


def estimated_sigma_rtn_km(perigee_km, age_days) -> np.ndarray:
    """Radial, in-track, cross-track standard deviations (km), shape (n, 3)."""
    kinds = regime(perigee_km)
    dt = np.abs(np.atleast_1d(np.asarray(age_days, dtype=float)))
    coeff = np.array([ERROR_MODEL["LEO<500km" if k == "LEO<500km" else "LEO"] for k in kinds]).reshape(-1, 7)
    r0, r1, t0, t1, t2, n0, n1 = coeff.T
    return np.stack([r0 + r1 * dt, t0 + t1 * dt + t2 * dt**2, n0 + n1 * dt], axis=1)


def estimated_covariance_rtn_km2(perigee_km, age_days) -> np.ndarray:
    """Diagonal 3x3 RTN position covariance (km^2) per object, shape (n, 3, 3)."""
    sigma = estimated_sigma_rtn_km(perigee_km, age_days)
    return np.einsum("ni,ij->nij", sigma**2, np.eye(3))


def estimated_covariance_rtn_6x6_m(perigee_km, age_days, mean_motion_rad_s) -> np.ndarray:
    """6x6 RTN covariance in CDM units (m^2, m^2/s, m^2/s^2) for writing a CDM.

    Velocity sigmas are taken as mean motion x position sigma (the size of
    the velocity error that comes with an orbit-sized position error), with
    no correlations: an approximation, for CDMs that must carry a 6x6.
    """
    sigma_m = 1000.0 * estimated_sigma_rtn_km(perigee_km, age_days)
    n = np.atleast_1d(np.asarray(mean_motion_rad_s, dtype=float))[:, None]
    diag = np.concatenate([sigma_m**2, (n * sigma_m) ** 2], axis=1)
    return np.einsum("ni,ij->nij", diag, np.eye(6))
