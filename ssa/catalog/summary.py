"""Orbit regimes and epoch spread of a catalogue, for reports."""
from __future__ import annotations

import numpy as np

from ssa.catalog.model import Catalog
from ssa.constants import EARTH_RADIUS_KM, MINUTES_PER_DAY, MU_KM3_S2
from ssa.timeutil import unix_days, unix_days_to_datetime64

DEEP_SPACE_PERIOD_MIN = 225.0  # SGP4 switches to SDP4 at and above this period
LEO_APOGEE_KM = 2000.0
HEO_ECCENTRICITY = 0.25
REGIMES = ("LEO", "MEO", "GEO", "HEO")
REGIME_DEFINITIONS = (
    f"LEO: apogee altitude < {LEO_APOGEE_KM:.0f} km; GEO: 0.9-1.1 rev/day and e < 0.1; "
    f"HEO: e >= {HEO_ECCENTRICITY} otherwise; MEO: the rest; deep space: period >= {DEEP_SPACE_PERIOD_MIN:.0f} min"
)


def period_minutes(catalog: Catalog) -> np.ndarray:
    """Orbital period from the (Kozai) mean motion, minutes."""
    return 2.0 * np.pi / catalog.no_kozai


def semi_major_axis_km(no_kozai_rad_min) -> np.ndarray:
    """Two-body semi-major axis (km, WGS-72 mu) from the SGP4 (Kozai) mean motion in rad/min.

    >>> round(float(semi_major_axis_km(2 * np.pi / 1436.07)))  # one revolution per sidereal day: GEO
    42164
    """
    n_rad_s = np.asarray(no_kozai_rad_min, dtype=np.float64) / 60.0
    return np.cbrt(MU_KM3_S2 / n_rad_s**2)


def perigee_apogee_altitude_km(no_kozai_rad_min, ecco) -> tuple[np.ndarray, np.ndarray]:
    """(perigee, apogee) altitudes, km above the WGS-72 radius, from Kozai mean motion (rad/min)."""
    a_km = semi_major_axis_km(no_kozai_rad_min)
    ecco = np.asarray(ecco, dtype=np.float64)
    return a_km * (1.0 - ecco) - EARTH_RADIUS_KM, a_km * (1.0 + ecco) - EARTH_RADIUS_KM


def regimes(catalog: Catalog) -> np.ndarray:
    """'LEO', 'MEO', 'GEO' or 'HEO' per object (see REGIME_DEFINITIONS)."""
    _, apogee_km = perigee_apogee_altitude_km(catalog.no_kozai, catalog.ecco)
    rev_per_day = catalog.no_kozai * MINUTES_PER_DAY / (2.0 * np.pi)
    out = np.full(len(catalog), "MEO", dtype=object)
    out[catalog.ecco >= HEO_ECCENTRICITY] = "HEO"
    out[(rev_per_day >= 0.9) & (rev_per_day <= 1.1) & (catalog.ecco < 0.1)] = "GEO"
    out[apogee_km < LEO_APOGEE_KM] = "LEO"
    return out


def epoch_datetimes(catalog: Catalog) -> np.ndarray:
    """Epochs as numpy datetime64[us], UTC."""
    return unix_days_to_datetime64(unix_days(catalog.epoch_jd, catalog.epoch_fr))
