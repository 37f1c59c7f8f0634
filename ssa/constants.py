"""Physical constants the stages share: WGS-72 as SGP4 uses it (km, s).

>>> round(MU_KM3_S2 / EARTH_RADIUS_KM**2 * 1e3, 4)  # surface gravity, m/s^2
9.7983
"""
import math

MU_KM3_S2 = 398600.8  # WGS-72 gravitational parameter, km^3/s^2 (python-sgp4's wgs72)
EARTH_RADIUS_KM = 6378.135  # WGS-72 equatorial radius, km
WGS84_RADIUS_KM = 6378.137  # WGS-84 equatorial radius, km (geodetic coordinates only)
WGS84_FLATTENING = 1.0 / 298.257223563
DEG2RAD = math.pi / 180.0
SECONDS_PER_DAY = 86400.0
MINUTES_PER_DAY = 1440.0
