"""UTC times as the stages use them: two-part Julian dates, datetimes, numpy datetime64, ISO-8601.

A two-part Julian date (jd, fr) is python-sgp4's: ``jd`` a whole day at
midnight (ending in .5), ``fr`` the fraction of the day, both UTC (SGP4 takes
UTC as if it were UT1). Naive datetimes are UTC.

>>> jd, fr = to_julian("2024-11-01T12:00:00")
>>> jd
2460615.5
>>> fr
0.5
>>> jd_to_datetime(jd, fr)
datetime.datetime(2024, 11, 1, 12, 0)
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from ssa.constants import SECONDS_PER_DAY

JD_UNIX_EPOCH = 2440587.5  # Julian date of 1970-01-01T00:00:00 UTC
US_PER_DAY = 86_400_000_000  # microseconds
UNIX_EPOCH = datetime(1970, 1, 1)


def parse_utc(text: str) -> datetime:
    """ISO-8601 text to a naive UTC datetime; 'Z' or an offset is converted, no offset is UTC.

    ValueError when the text is not ISO-8601.

    >>> parse_utc("2024-11-01T03:04:05.5Z")
    datetime.datetime(2024, 11, 1, 3, 4, 5, 500000)
    >>> parse_utc("2024-11-01T05:04:05+02:00")
    datetime.datetime(2024, 11, 1, 3, 4, 5)
    """
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return naive_utc(when)


def naive_utc(when: datetime) -> datetime:
    """An aware datetime converted to UTC without tzinfo; a naive one (UTC) as it is."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when


def to_julian(when) -> tuple[float, float]:
    """UTC datetime / ISO-8601 string / numpy datetime64 -> two-part Julian date (jd, fr), fr in [0, 1).

    Exact to the microsecond, as python-sgp4's ``jday``:

    >>> from sgp4.api import jday
    >>> to_julian("2024-11-01T03:04:05.678") == jday(2024, 11, 1, 3, 4, 5.678)
    True
    >>> to_julian(np.datetime64("2000-01-01T12:00"))
    (2451544.5, 0.5)
    """
    if isinstance(when, str):
        when = parse_utc(when)
    if isinstance(when, datetime):
        when = np.datetime64(naive_utc(when), "us")
    us = int(np.datetime64(when, "us").astype(np.int64))
    days, rem = divmod(us, US_PER_DAY)
    return JD_UNIX_EPOCH + days, rem / US_PER_DAY


def unix_days(jd, fr):
    """Days since 1970-01-01 UTC of two-part Julian dates (floats or arrays).

    >>> unix_days(2460615.5, 0.25)
    20028.25
    """
    return (jd - JD_UNIX_EPOCH) + fr


def datetime_to_unix_days(when: datetime) -> float:
    """Days since 1970-01-01 of a UTC datetime (naive = UTC).

    >>> datetime_to_unix_days(datetime(1970, 1, 2, 6))
    1.25
    """
    return (naive_utc(when) - UNIX_EPOCH).total_seconds() / SECONDS_PER_DAY


def datetime_to_jd(when: datetime) -> float:
    """One-part Julian date of a UTC datetime (for comparisons to ``epoch_jd + epoch_fr``; not exact).

    >>> datetime_to_jd(datetime(2000, 1, 1, 12))
    2451545.0
    """
    return datetime_to_unix_days(when) + JD_UNIX_EPOCH


def jd_to_datetime(jd: float, fr: float) -> datetime:
    """UTC two-part Julian date to a naive UTC datetime (rounded to the microsecond).

    >>> jd_to_datetime(2451544.5, 0.75)
    datetime.datetime(2000, 1, 1, 18, 0)
    """
    return UNIX_EPOCH + timedelta(microseconds=int(_unix_microseconds(jd, fr)))


def unix_days_to_datetime64(days):
    """Days since 1970-01-01 UTC (float or array) to datetime64[us] (rounded to the microsecond).

    >>> str(unix_days_to_datetime64(1.5))
    '1970-01-02T12:00:00.000000'
    """
    if np.ndim(days) == 0:
        return np.datetime64(round(float(days) * US_PER_DAY), "us")
    return np.round(np.asarray(days) * US_PER_DAY).astype(np.int64).astype("datetime64[us]")


def jd_to_datetime64(jd, fr) -> np.ndarray:
    """UTC two-part Julian dates (arrays) to datetime64[us] (rounded to the microsecond).

    Whole days and the fraction are kept apart, so the result is exact to the
    microsecond for any date:

    >>> jd_to_datetime64(np.array([2460615.5]), np.array([0.5]))
    array(['2024-11-01T12:00:00.000000'], dtype='datetime64[us]')
    """
    return _unix_microseconds(jd, fr).astype("datetime64[us]")


def _unix_microseconds(jd, fr) -> np.ndarray:
    """Microseconds since 1970-01-01 UTC, rounded; whole days apart from fractions, so exact at any date."""
    days = np.asarray(jd, dtype=np.float64) - JD_UNIX_EPOCH
    whole = np.floor(days)
    rest = (days - whole) + np.asarray(fr, dtype=np.float64)
    carry = np.floor(rest)
    us = np.rint((rest - carry) * US_PER_DAY).astype(np.int64)
    return (whole + carry).astype(np.int64) * US_PER_DAY + us
