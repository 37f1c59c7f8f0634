"""Orbit regimes and epoch spread of a catalogue, for reports."""
from __future__ import annotations

import numpy as np

from ssa.catalog.model import Catalog

MU_KM3_S2 = 398600.8  # WGS-72, as SGP4
EARTH_RADIUS_KM = 6378.135  # WGS-72
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


def regimes(catalog: Catalog) -> np.ndarray:
    """'LEO', 'MEO', 'GEO' or 'HEO' per object (see REGIME_DEFINITIONS)."""
    n_rad_s = catalog.no_kozai / 60.0
    a_km = np.cbrt(MU_KM3_S2 / n_rad_s**2)
    apogee_km = a_km * (1.0 + catalog.ecco) - EARTH_RADIUS_KM
    rev_per_day = catalog.no_kozai * 1440.0 / (2.0 * np.pi)
    out = np.full(len(catalog), "MEO", dtype=object)
    out[catalog.ecco >= HEO_ECCENTRICITY] = "HEO"
    out[(rev_per_day >= 0.9) & (rev_per_day <= 1.1) & (catalog.ecco < 0.1)] = "GEO"
    out[apogee_km < LEO_APOGEE_KM] = "LEO"
    return out


def epoch_datetimes(catalog: Catalog) -> np.ndarray:
    """Epochs as numpy datetime64[us], UTC."""
    us = np.round(((catalog.epoch_jd - 2440587.5) + catalog.epoch_fr) * 86400e6).astype(np.int64)
    return us.astype("datetime64[us]")
