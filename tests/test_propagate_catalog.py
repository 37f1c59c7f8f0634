"""Whole-catalogue parity: every object of the shipped 2024-11-01 catalogue.

Each object is propagated at 20 times from -3 to +7 days around its own
epoch by our numba kernel and by python-sgp4's C++ ``SatrecArray`` built from
``catalog.satrecs()`` (WGS-72, opsmode 'i'); positions must agree within
1 mm, velocities within 1 um/s, error codes exactly.
"""
import numpy as np
import pytest
from sgp4.api import SatrecArray

from ssa.catalog import SHIPPED_CATALOG, load
from ssa.propagate import GridPropagator, init_params, kernels, lane_kernels, propagate

POSITION_TOL_KM = 1e-6  # 1 mm
VELOCITY_TOL_KM_S = 1e-9  # 1 um/s
N_TIMES = 20


@pytest.fixture(scope="module")
def catalog():
    return load(SHIPPED_CATALOG)


@pytest.fixture(scope="module")
def params(catalog):
    return init_params(catalog)


def day_offsets(n_sat: int) -> np.ndarray:
    """(n_sat, N_TIMES) days from epoch in [-3, 7]: epoch, both ends, the rest random."""
    rng = np.random.default_rng(20241101)
    offsets = rng.uniform(-3.0, 7.0, size=(n_sat, N_TIMES))
    offsets[:, :3] = [-3.0, 0.0, 7.0]
    return offsets


@pytest.mark.slow
def test_whole_catalogue_matches_satrecarray(catalog, params):
    n = len(catalog)
    assert n > 26000
    deep = params[:, kernels.P_DEEP] == 1.0
    assert deep.sum() > 3000  # GEO, Molniya, GPS... SDP4 is exercised
    assert (params[:, kernels.P_IREZ] == 1).sum() > 1000  # synchronous resonance
    assert (params[:, kernels.P_IREZ] == 2).sum() > 100  # half-day resonance

    whole, fraction = np.divmod(day_offsets(n), 1.0)
    jd = catalog.epoch_jd[:, None] + whole
    fr = catalog.epoch_fr[:, None] + fraction
    sats = catalog.satrecs()
    e_ref = np.empty((n, N_TIMES), np.uint8)
    r_ref, v_ref = np.empty((n, N_TIMES, 3)), np.empty((n, N_TIMES, 3))
    err, r, v = np.empty_like(e_ref), np.empty_like(r_ref), np.empty_like(v_ref)
    for i in range(n):
        e_ref[i], r_ref[i], v_ref[i] = (a[0] for a in SatrecArray([sats[i]]).sgp4(jd[i], fr[i]))
        err[i], r[i], v[i] = (a[0] for a in propagate(params[i : i + 1], jd[i], fr[i]))

    bad = np.flatnonzero((err != e_ref).any(axis=1))
    assert len(bad) == 0, f"error codes differ for NORAD {catalog.norad_id[bad][:10]}"
    np.testing.assert_array_equal(np.isnan(r), np.isnan(r_ref))
    assert np.isnan(r).any(axis=2).sum() == np.isin(err, [1, 2, 3, 4]).sum()  # NaN only with a code
    dr = np.linalg.norm(r - r_ref, axis=2)
    dv = np.linalg.norm(v - v_ref, axis=2)
    worst = np.argmax(np.nan_to_num(dr).max(axis=1))
    assert np.nanmax(dr) <= POSITION_TOL_KM, f"{np.nanmax(dr) * 1e6:.3f} mm at NORAD {catalog.norad_id[worst]}"
    assert np.nanmax(dv) <= VELOCITY_TOL_KM_S, f"{np.nanmax(dv) * 1e9:.3f} um/s"
    codes = set(np.unique(err))
    assert {0, 1, 6} <= codes, codes  # out-of-range and decayed objects are in the catalogue


def test_grid_equals_point_kernel_in_any_time_order(catalog, params):
    """The grid kernel carries the resonance integrator across times; the point kernel
    restarts from epoch. Both must give the same answer, times shuffled."""
    rows = np.flatnonzero(params[:, kernels.P_IREZ] != 0)[:: 25]
    offsets = np.random.default_rng(7).permutation(np.linspace(-3.0, 7.0, 41))
    for i in rows:
        jd = np.full(offsets.shape, catalog.epoch_jd[i])
        fr = catalog.epoch_fr[i] + offsets
        err, r, v = propagate(params[i : i + 1], jd, fr)
        for j, t in enumerate((jd - catalog.epoch_jd[i]) * 1440.0 + (fr - catalog.epoch_fr[i]) * 1440.0):
            point = kernels.sgp4_point(params[i], t)
            assert point[0] == err[0, j]
            np.testing.assert_allclose(point[1:4], r[0, j], rtol=0, atol=1e-9)
            np.testing.assert_allclose(point[4:7], v[0, j], rtol=0, atol=1e-12)


def test_propagate_shapes_and_one_call_for_all(catalog, params):
    """One call over all objects at shared times equals the per-object results."""
    rows = np.arange(0, len(catalog), 997)
    jd = np.full(5, 2460615.5)
    fr = np.linspace(0.0, 1.0, 5)
    err, r, v = propagate(catalog.take(rows), jd, fr)
    assert err.shape == (len(rows), 5) and err.dtype == np.uint8
    assert r.shape == v.shape == (len(rows), 5, 3)
    e_ref, r_ref, v_ref = SatrecArray(catalog.take(rows).satrecs()).sgp4(jd, fr)
    np.testing.assert_array_equal(err, e_ref)
    np.testing.assert_allclose(r, r_ref, rtol=0, atol=POSITION_TOL_KM)
    np.testing.assert_allclose(v, v_ref, rtol=0, atol=VELOCITY_TOL_KM_S)


def scalar_grid(params, jd, fr, with_velocity=True):
    """Every row of params on the scalar kernel (``kernels.sgp4_step``) alone."""
    n, n_time = len(params), len(jd)
    err, r = np.zeros((n, n_time), np.uint8), np.zeros((n, n_time, 3))
    v = np.zeros((n, n_time, 3)) if with_velocity else np.empty((0, 0, 3))
    lane_kernels.propagate_rows(params, np.arange(n), jd, fr, err, r, v, with_velocity)
    return err, r, v


@pytest.mark.slow
def test_lane_kernel_equals_scalar_kernel_bit_for_bit(catalog, params):
    """Near-earth objects in SIMD lanes give the scalar kernel's codes and states exactly,
    also far from epoch, where the lanes hand angles beyond the polynomial's range (and
    errors 1 and 4) back to the scalar kernel."""
    grid = GridPropagator(params)
    assert grid.blocks.shape[0] * lane_kernels.LANES >= 22000  # most of the catalogue runs in lanes
    days = np.concatenate([np.linspace(-3.0, 7.0, 11), [-3000.0, -400.0, 90.0, 400.0, 3000.0]])
    jd = np.full(len(days), 2460615.5)
    fr = days.copy()
    err, r, v = np.empty((len(params), len(days)), np.uint8), np.empty((len(params), len(days), 3)), \
        np.empty((len(params), len(days), 3))
    grid.into(jd, fr, err, r, v)
    e_ref, r_ref, v_ref = scalar_grid(params, jd, fr)
    np.testing.assert_array_equal(err, e_ref)
    np.testing.assert_array_equal(r, r_ref)
    np.testing.assert_array_equal(v, v_ref)
    assert {0, 1, 6} <= set(np.unique(err[grid.block_rows[grid.block_rows >= 0]]))  # fallbacks exercised

    r_only = np.empty_like(r)
    grid.into(jd, fr, err, r_only)  # positions only: the same positions
    np.testing.assert_array_equal(r_only, r_ref)


def test_whole_catalogue_on_shared_times_matches_satrecarray(catalog, params):
    """The lane blocks and the scalar rows together, the whole catalogue at the same
    times (as the screen's grid runs it), against python-sgp4 within 1 mm and 1 um/s."""
    jd = np.full(8, 2460615.5)
    fr = np.linspace(0.0, 7.0, 8) + 0.123
    err, r, v = propagate(params, jd, fr)
    e_ref, r_ref, v_ref = SatrecArray(catalog.satrecs()).sgp4(jd, fr)
    np.testing.assert_array_equal(err, e_ref)
    ok = e_ref == 0
    assert np.abs(r - r_ref)[ok].max() <= POSITION_TOL_KM
    assert np.abs(v - v_ref)[ok].max() <= VELOCITY_TOL_KM_S
