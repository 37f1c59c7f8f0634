"""ssa.timeutil and ssa.constants: doctests, and Julian dates held to python-sgp4's jday."""
from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sgp4.api import jday

import ssa.constants
import ssa.timeutil
from ssa.timeutil import jd_to_datetime, jd_to_datetime64, parse_utc, to_julian


@pytest.mark.parametrize("module", [ssa.timeutil, ssa.constants])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_julian_dates_match_jday_and_round_trip_to_the_microsecond():
    rng = np.random.default_rng(12)
    base = datetime(1957, 10, 4)
    for us in rng.integers(0, 142 * 365 * 86_400_000_000, 500):  # jday holds from 1900 to 2100
        when = base + timedelta(microseconds=int(us))
        jd, fr = to_julian(when)
        ref_jd, ref_fr = jday(when.year, when.month, when.day, when.hour, when.minute,
                              when.second + when.microsecond / 1e6)
        assert jd == ref_jd and 0.0 <= fr < 1.0
        assert abs(fr - ref_fr) * 86400.0 < 1e-9  # seconds
        assert jd_to_datetime(jd, fr) == when
        assert jd_to_datetime64(np.array([jd]), np.array([fr]))[0] == np.datetime64(when, "us")


def test_iso_text_with_offset_or_z_is_utc_and_bad_text_is_refused():
    assert parse_utc("2024-11-01T00:30:00+01:00") == datetime(2024, 10, 31, 23, 30)
    assert to_julian("2024-11-01T00:00:00Z") == to_julian(datetime(2024, 11, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        parse_utc("1 Nov 2024")
