"""Elements that cannot be propagated, and bad times: never a silent NaN.

Where python-sgp4 (C++) gives an error code we give the same one; where it
returns NaN with error 0 (eccentricity exactly 1, negative mean motion,
non-finite elements) we give a code too.
"""
import math

import numpy as np
import pytest
from sgp4.api import SatrecArray

from ssa.catalog import SHIPPED_CATALOG, load
from ssa.propagate import ERROR_MESSAGES, init_params, propagate


@pytest.fixture(scope="module")
def base():
    return load(SHIPPED_CATALOG).take([0])  # VANGUARD 1


def with_element(base, name, value):
    cat = base.take([0])
    getattr(cat, name)[0] = value
    return cat


def times(cat):
    return cat.epoch_jd.repeat(4), cat.epoch_fr[0] + np.array([-1.0, 0.0, 0.5, 3.0])


@pytest.mark.parametrize("name, value, code", [
    ("ecco", 1.2, 1),
    ("ecco", -0.002, 1),
    ("no_kozai", 0.0, 2),
])
def test_same_code_as_python_sgp4(base, name, value, code):
    cat = with_element(base, name, value)
    jd, fr = times(cat)
    e_ref, r_ref, _ = SatrecArray(cat.satrecs()).sgp4(jd, fr)
    err, r, v = propagate(cat, jd, fr)
    assert (e_ref == code).all()
    np.testing.assert_array_equal(err, e_ref)
    assert np.isnan(r).all() and np.isnan(v).all()


def test_slightly_negative_eccentricity_propagates_like_python_sgp4(base):
    cat = with_element(base, "ecco", -0.0005)
    jd, fr = times(cat)
    e_ref, r_ref, v_ref = SatrecArray(cat.satrecs()).sgp4(jd, fr)
    err, r, v = propagate(cat, jd, fr)
    assert (err == 0).all() and (e_ref == 0).all()
    np.testing.assert_allclose(r, r_ref, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name, value, code", [
    ("ecco", 1.0, 1),
    ("no_kozai", -0.05, 2),
    ("bstar", math.nan, 1),
    ("inclo", math.inf, 1),
    ("epoch_fr", math.nan, 1),
])
def test_code_where_python_sgp4_returns_silent_nan(base, name, value, code):
    cat = with_element(base, name, value)
    jd, fr = base.epoch_jd.repeat(2), base.epoch_fr.repeat(2) + [0.0, 1.0]
    e_ref, r_ref, _ = SatrecArray(cat.satrecs()).sgp4(jd, fr)
    assert (e_ref == 0).all() and np.isnan(r_ref).all()  # the reference says nothing
    err, r, v = propagate(cat, jd, fr)
    assert (err == code).all() and code in ERROR_MESSAGES
    assert np.isnan(r).all() and np.isnan(v).all()


def test_one_bad_row_does_not_touch_the_others(base):
    cat = load(SHIPPED_CATALOG).take([0, 1, 2])
    cat.ecco[1] = 1.5
    err, r, _ = propagate(cat, cat.epoch_jd[:1], cat.epoch_fr[:1])
    assert err[:, 0].tolist() == [0, 1, 0]
    assert np.isfinite(r[[0, 2]]).all()


def test_bad_times_and_parameter_arrays_are_refused(base):
    params = init_params(base)
    with pytest.raises(ValueError, match="time 1 is not finite"):
        propagate(params, [2460615.5, math.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match="1-D"):
        propagate(params, np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        propagate(params[:, :10], [2460615.5], [0.0])
