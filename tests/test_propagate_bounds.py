"""Code 7: states with SGP4 code 0 that no bound orbit can have.

The kernel's test (``kernels.bound_state``) is held to the numpy reference
(``ssa.propagate.reference.flag_not_bound``) applied to python-sgp4's states,
on the shipped catalogue and on the Space-Track catalogue of 2022-01-22 that
holds element sets used long after their objects decayed.
"""
import numpy as np
import pytest

from paths import SHARED_DATA, needs_shared
from ssa.catalog import SHIPPED_CATALOG, load
from ssa.constants import MU_KM3_S2, SECONDS_PER_DAY
from ssa.propagate import ERROR_MESSAGES, init_params, kernels, propagate
from ssa.propagate.reference import epoch_semi_major_axis_km, flag_not_bound
from ssa.timeutil import to_julian

SPACETRACK_2022 = SHARED_DATA / "catalogs" / "spacetrack_full_catalog_3le_2022-01-22.txt"
ISSUE_OBJECTS = [50557, 30318, 50636, 33772]  # 0.7e6 to 5.4e8 km from the Earth on 2022-01-22, code 0


def around_epoch(catalog, days):
    """Reference codes and ours for every object at epoch + days (n_time,)."""
    sats = catalog.satrecs()
    n = len(sats)
    e_ref = np.empty((n, len(days)), np.uint8)
    r_ref, v_ref = np.empty((n, len(days), 3)), np.empty((n, len(days), 3))
    for i, sat in enumerate(sats):
        for j, t in enumerate(days * 1440.0):
            e_ref[i, j], r_ref[i, j], v_ref[i, j] = sat.sgp4_tsince(t)
    params = init_params(catalog)
    err = np.empty_like(e_ref)
    for j, t in enumerate(days * 1440.0):
        err[:, j] = [kernels.sgp4_point(params[i], t)[0] for i in range(n)]
    return e_ref, flag_not_bound(e_ref, r_ref, v_ref, epoch_semi_major_axis_km(sats)), err, params


def test_element_set_run_past_its_decay_is_not_bound():
    """A high-drag LEO element set propagated weeks on: python-sgp4 says 0 far beyond the Moon."""
    cat = load(SHIPPED_CATALOG).take([0])
    cat.no_kozai[0] = np.sqrt(MU_KM3_S2 / 6672.0**3) * 60.0  # rad/min: a = 6672 km
    cat.ecco[0], cat.bstar[0], cat.inclo[0] = 0.0008, 0.024, 1.44  # like COSMOS 1408 debris
    days = np.linspace(0.0, 30.0, 121)
    e_ref, expected, err, _ = around_epoch(cat, days)
    _, r, v = propagate(cat, cat.epoch_jd.repeat(len(days)), cat.epoch_fr[0] + days)
    far = (e_ref[0] == 0) & (np.linalg.norm(r[0], axis=1) > 384400.0)  # beyond the Moon
    assert far.sum() > 10
    assert (err[0, far] == kernels.ERR_NOT_BOUND).all()
    np.testing.assert_array_equal(err, expected)
    assert 7 in ERROR_MESSAGES and "bound" in ERROR_MESSAGES[7]
    grid_err, _, _ = propagate(cat, cat.epoch_jd.repeat(len(days)), cat.epoch_fr[0] + days)
    np.testing.assert_array_equal(grid_err, err)


def test_escape_speed_bound_matches_reference():
    """The speed bound alone: a state at 7000 km is bound below 1.1 x escape speed^2, not above."""
    escape2 = 2.0 * MU_KM3_S2 / 7000.0
    for v2, bound in [(0.99 * escape2, True), (1.0999 * escape2, True), (1.1001 * escape2, False)]:
        assert kernels.bound_state(7000.0, v2, 7000.0) == bound
        flagged = flag_not_bound(np.zeros((1, 1), np.uint8), np.array([[[7000.0, 0, 0]]]),
                                 np.array([[[0, np.sqrt(v2), 0]]]), np.array([7000.0]))
        assert (flagged[0, 0] == 0) == bound
    assert not kernels.bound_state(3.0001 * 7000.0, 1.0, 7000.0)
    assert not kernels.bound_state(np.nan, 1.0, 7000.0)


def test_no_object_of_the_shipped_catalogue_is_flagged():
    """Every object (LEO, GEO, Molniya, GTO...) from -7 to +7 days around its epoch."""
    cat = load(SHIPPED_CATALOG)
    e_ref, expected, err, params = around_epoch(cat, np.linspace(-7.0, 7.0, 15))
    assert (params[:, kernels.P_DEEP] == 1).sum() > 3000
    assert (cat.ecco > 0.7).sum() > 50  # highly eccentric orbits are in it
    np.testing.assert_array_equal(err, e_ref)
    np.testing.assert_array_equal(expected, e_ref)


SHARED_CATALOGS = sorted((SHARED_DATA / "catalogs").glob("*")) if (SHARED_DATA / "catalogs").exists() else []


@pytest.mark.skipif(not SHARED_CATALOGS, reason="shared catalogues not present (Space-Track: redistribution "
                    "restricted)")
@pytest.mark.parametrize("path", SHARED_CATALOGS, ids=lambda p: p.name)
def test_real_catalogues_flag_only_element_sets_in_their_decay(path):
    """Every object of every shared catalogue (all regimes), -7 to +7 days around its epoch: the
    kernel equals the reference, and code 7 only falls on near-earth element sets that SGP4
    itself finds decayed or out of range (code 6 or 1) within the same two weeks."""
    cat = load(path)
    e_ref, expected, err, params = around_epoch(cat, np.linspace(-7.0, 7.0, 9))
    np.testing.assert_array_equal(err, expected)
    flagged = (err == kernels.ERR_NOT_BOUND).any(axis=1)
    assert not flagged[params[:, kernels.P_DEEP] == 1].any()  # deep space, HEO: never
    assert (np.isin(err, [1, 6]).any(axis=1) | ~flagged).all()


@needs_shared(SPACETRACK_2022, what="Space-Track 3LE catalogue of 2022-01-22 (redistribution restricted)")
def test_spacetrack_2022_flags_the_runaway_objects():
    cat = load(SPACETRACK_2022)
    # the issue's objects: flagged from the first sample of the first day at 60 s
    rows = [int(np.flatnonzero(cat.norad_id == n)[-1]) for n in ISSUE_OBJECTS]
    jd, fr = to_julian("2022-01-22T00:00:00")
    t = np.arange(1441) * 60.0
    day_err, r, _ = propagate(cat.take(rows), np.full(len(t), jd), fr + t / SECONDS_PER_DAY)
    assert (day_err[:, 0] == kernels.ERR_NOT_BOUND).all()
    assert (np.linalg.norm(r[:, 0], axis=1) > 7e5).all()
