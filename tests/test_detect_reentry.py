"""Re-entry watch: kernels against their plain-numpy references and independent
physics, the fit, Dutch territory, the CLI, routing, and predicted against real
re-entry dates (../shared decay data, Space-Track records: not redistributed)."""
import csv
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy.integrate import quad
from sgp4.api import SatrecArray
from typer.testing import CliRunner

from paths import SHARED_DATA, SHIPPED_CATALOG
from ssa.catalog import SHIPPED_SATCAT, load
from ssa.catalog.summary import semi_major_axis_km
from ssa.detect import reentry
from ssa.detect.reentry import (
    Reentry,
    accuracy,
    dutch_territory,
    fit_ballistic,
    gmst_rad,
    predict_decay,
    read_decay_dates,
    solar_activity,
    track,
    watch,
)
from ssa.detect.reentry_kernels import (
    MU_KM3_S2,
    OMEGA_EARTH_RAD_S,
    R_EARTH_KM,
    decay_rates,
    decay_rates_reference,
    decay_times,
    decay_times_reference,
    ground_track,
    ground_track_reference,
    territory_distance,
    territory_distance_reference,
)
from ssa.respond import route
from ssa.respond.findings import alerts_from_reentry

CATALOG = SHIPPED_CATALOG
DECAY = SHARED_DATA / "decay" / "decay_truth_2024-11-01.csv"
NO_DECAY = ("real decay dates of the 2024-11-01 catalogue (Space-Track decay records, redistribution "
            "restricted) not in ../shared/data/decay")
H0, DH = 80.0, 4.0


@pytest.fixture(scope="module")
def catalog():
    return load(CATALOG, satcat=SHIPPED_SATCAT)


def exponential_table(rho0=3e-10, h_ref=200.0, scale_km=40.0, n=300):
    """ln(rho) of an exponential atmosphere on the kernels' grid."""
    h = H0 + DH * np.arange(n)
    return np.log(rho0) - (h - h_ref) / scale_km


@pytest.mark.slow
def test_decay_kernel_equals_numpy_reference():
    rng = np.random.default_rng(14)
    n = 200
    a = R_EARTH_KM + rng.uniform(150, 700, n)
    e = np.where(rng.random(n) < 0.2, rng.uniform(0.0, 0.3, n), rng.uniform(0.0, 0.01, n))
    b = 10 ** rng.uniform(-2.5, 0.5, n)
    tables = np.array([exponential_table(scale_km=s) for s in (30.0, 45.0, 60.0)])
    index = rng.integers(0, 3, n)
    out = np.empty(n)
    decay_times(a, e, b, index, tables, H0, DH, 100.0, np.full(len(a), 90.0), out)
    ref = decay_times_reference(a, e, b, index, tables, H0, DH, 100.0, np.full(len(a), 90.0))
    assert np.isfinite(out).sum() > 50 and np.isnan(out).sum() > 20  # some come down, some not within 90 d
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref))
    np.testing.assert_allclose(out[np.isfinite(out)], ref[np.isfinite(ref)], rtol=0, atol=1e-6)  # 0.1 s
    da, de = decay_rates_reference(a, e, b, tables[index], H0, DH)
    for i in range(0, n, 17):
        got = decay_rates(a[i], e[i], b[i], tables[index[i]], H0, DH)
        assert got[0] == pytest.approx(da[i], rel=1e-12) and got[1] == pytest.approx(de[i], rel=1e-9, abs=1e-15)


def test_circular_decay_matches_the_textbook_integral():
    """e = 0: da/dt = -B rho(a) sqrt(mu a); the kernel's time from 300 km to 100 km
    against scipy's quadrature of dt = da / (B rho sqrt(mu a))."""
    table = exponential_table()
    b = 0.02
    mu = MU_KM3_S2 * 1e9

    def seconds_per_metre(a_m):
        h = a_m / 1e3 - R_EARTH_KM
        return 1.0 / (b * np.exp(np.log(3e-10) - (h - 200.0) / 40.0) * np.sqrt(mu * a_m))

    expected_days = quad(seconds_per_metre, (R_EARTH_KM + 100) * 1e3, (R_EARTH_KM + 300) * 1e3, limit=200)[0] / 86400
    out = np.empty(1)
    decay_times(np.array([R_EARTH_KM + 300.0]), np.zeros(1), np.array([b]), np.zeros(1, np.int64), table[None],
                H0, DH, 100.0, np.full(1, 365.0), out)
    assert out[0] == pytest.approx(expected_days, rel=2e-3)
    da, _de = decay_rates(R_EARTH_KM + 300.0, 0.0, b, table, H0, DH)
    assert da == pytest.approx(-1e-3 * 86400 / seconds_per_metre((R_EARTH_KM + 300.0) * 1e3), rel=1e-9)


def test_solar_activity_matches_the_published_81_day_average():
    """The shipped table's own F10.7_OBS_LAST81 column (CelesTrak) for 2024-11-01 is 215.0."""
    s = solar_activity(np.datetime64("2024-11-01"))
    assert s.f107_81 == pytest.approx(215.0, abs=1.0)
    assert s.last_day == "2024-11-01" and 240 < s.f107_recent < 270
    with pytest.raises(ValueError, match="no space weather before 1999"):
        solar_activity(np.datetime64("1999-01-01"))


def test_fit_recovers_the_ballistic_coefficient_from_ndot_and_history(catalog):
    one = catalog.take(catalog.index_of([36119]))  # NEOWISE, 185 km perigee on 2024-10-31
    b, how = fit_ballistic(one)
    assert how[0] == "ndot" and 0.003 < b[0] < 0.02  # m^2/kg, a spacecraft
    # the same object with a history whose mean motion grows twice as fast
    rows = one.take([0, 0, 0, 0])
    rows.epoch_fr = rows.epoch_fr - np.array([3.0, 2.0, 1.0, 0.0]) * 0.5
    rows.epoch_days = None
    rows.no_kozai = one.no_kozai[0] - 2 * (2 * one.ndot[0]) * (np.array([3.0, 2.0, 1.0, 0.0]) * 0.5 * 1440) ** 1
    b_hist, how_hist = fit_ballistic(one, rows)
    assert how_hist[0] == "history" and b_hist[0] == pytest.approx(2 * b[0], rel=1e-6)


def test_ground_track_kernel_equals_reference_and_follows_sgp4(catalog):
    one = catalog.take(catalog.index_of([25544]))  # ISS
    a = float(semi_major_axis_km(one.no_kozai)[0])
    table = reentry.density_tables(one, "predict")[1][0]
    t = np.linspace(0.0, 0.25, 721)
    gmst0 = gmst_rad(float(one.epoch_jd[0] + one.epoch_fr[0]))
    args = (a, float(one.ecco[0]), float(one.inclo[0]), float(one.nodeo[0]), float(one.argpo[0]),
            float(one.mo[0]), 0.01, table, H0, DH, 100.0, gmst0)
    lat, lon = np.empty(len(t)), np.empty(len(t))
    ground_track(*args, t, lat, lon)
    ref_lat, ref_lon = ground_track_reference(*args, t)
    np.testing.assert_allclose(lat, ref_lat, atol=1e-9)
    np.testing.assert_allclose(lon, ref_lon, atol=1e-9)
    assert np.abs(lat).max() == pytest.approx(np.degrees(one.inclo[0]), abs=0.3)
    # against SGP4's TEME position and the same Earth rotation: within 0.5 deg over 6 hours
    _e, r, _v = SatrecArray(one.satrecs()).sgp4(np.full(len(t), one.epoch_jd[0]), one.epoch_fr[0] + t)
    r = r[0]
    sgp4_lat = np.degrees(np.arcsin(r[:, 2] / np.linalg.norm(r, axis=1)))
    sgp4_lon = np.degrees(np.arctan2(r[:, 1], r[:, 0]) - gmst0 - OMEGA_EARTH_RAD_S * 86400 * t)
    dlon = (lon - sgp4_lon + 180) % 360 - 180
    assert np.abs(lat - sgp4_lat).max() < 0.5 and np.abs(dlon * np.cos(np.radians(lat))).max() < 0.5


def test_track_ends_at_the_predicted_reentry(catalog):
    one = catalog.take(catalog.index_of([36119]))
    b, _how = fit_ballistic(one)
    days = predict_decay(one, b, 30.0)[0]
    t, lat, _lon = track(one, 0, float(b[0]), days - 0.01, days + 0.01, 10.0)
    assert np.isfinite(lat[t < days - 1e-4]).all() and np.isnan(lat[t > days + 1e-4]).all()


@pytest.mark.slow
def test_territory_distance_equals_reference_and_known_places():
    names, poly_lon, poly_lat, starts, boxes = dutch_territory()
    territories = {t for _r, t in names}
    assert territories == {"European Netherlands", "Aruba", "Curaçao", "Sint Maarten", "Bonaire", "Sint Eustatius",
                           "Saba"}
    places = {  # (lat, lon): the territory it is in, or its distance range (km) to the nearest
        "Amsterdam": (52.37, 4.90), "Kralendijk": (12.15, -68.27), "Aruba, inland": (12.51, -69.97),
        "Willemstad": (12.11, -68.93), "London": (51.51, -0.13), "Caracas": (10.49, -66.88),
    }
    lat = np.array([p[0] for p in places.values()])
    lon = np.array([p[1] for p in places.values()])
    out = np.empty((len(lat), len(names)))
    territory_distance(lat, lon, poly_lon, poly_lat, starts, boxes, 400.0, out)
    ref = territory_distance_reference(lat, lon, poly_lon, poly_lat, starts, 400.0)
    finite = np.isfinite(out)
    np.testing.assert_allclose(out[finite], ref[finite], atol=1e-9)
    assert (ref[~finite] > 400.0).all()
    nearest = dict(zip(places, out.min(axis=1)))
    assert nearest["Amsterdam"] == 0 and nearest["Kralendijk"] == 0 and nearest["Aruba, inland"] == 0
    assert nearest["Willemstad"] == 0
    assert 200 < nearest["London"] < 300  # to the Zeeland coast
    assert 150 < nearest["Caracas"] < 250  # to Bonaire / Curaçao
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(49, 55, 500), rng.uniform(1, 9, 500)
    out = np.empty((500, len(names)))
    territory_distance(lat, lon, poly_lon, poly_lat, starts, boxes, 150.0, out)
    ref = territory_distance_reference(lat, lon, poly_lon, poly_lat, starts, 150.0)
    np.testing.assert_allclose(out[np.isfinite(out)], ref[np.isfinite(out)], atol=1e-9)
    assert (ref[~np.isfinite(out)] > 150.0).all() and (out == 0).any()


def _subset_file(tmp_path, norad_ids):
    with open(CATALOG, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [row for row in reader if int(row["NORAD_CAT_ID"]) in norad_ids]
        fields = reader.fieldnames
    path = tmp_path / "subset.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_watch_finds_the_low_objects_and_where_they_pass(catalog):
    sub = catalog.take(catalog.index_of([36119, 46757, 25544, 44638]))
    found = {r.norad_id: r for r in watch(sub, horizon_days=30.0)}
    assert set(found) == {36119, 46757, 44638}  # NEOWISE, STARLINK-1926, a CZ-3B stage; not the ISS
    neowise = found[36119]
    assert neowise.fit == "ndot" and 0.5 < (neowise.predicted - neowise.epoch).total_seconds() / 86400 < 3
    assert neowise.window_start < neowise.predicted < neowise.window_end
    # inclination 97 deg and a window of days: passes 200 km apart at 52 N cross the Netherlands
    assert "European Netherlands" in neowise.crosses and "nl-europe" in neowise.regions
    # ... but a window of days puts a tiny share of the track there: not over a Dutch region
    assert 0 < neowise.region_share["nl-europe"] < 0.005 and not neowise.dutch_interest
    assert all(neowise.territory_km[t] <= 100.0 for t in neowise.crosses)
    assert all(d > 100.0 for t, d in neowise.territory_km.items() if t not in neowise.crosses)
    stage = found[44638]  # CZ-3B stage, GTO at 28 deg: never north of 30 N
    assert abs(stage.inclination_deg - 28) < 2 and "European Netherlands" not in stage.territory_km


def test_cli_writes_csv_json_and_png(tmp_path):
    from ssa.cli import app

    path = _subset_file(tmp_path, {36119, 25544})
    out = tmp_path / "reentry.csv"
    result = CliRunner().invoke(app, ["detect", "reentry", str(path), "--horizon-days", "30", "--out", str(out),
                                      "--png", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    assert "1 re-entry candidate(s) within 30 days (0 of Dutch interest)" in result.output
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["NORAD_CAT_ID"] for r in rows] == ["36119"] and rows[0]["PREDICTED_REENTRY"].startswith("2024-11-0")
    assert "nl-europe" in rows[0]["DUTCH_REGIONS"]
    png = tmp_path / "png" / "reentry_36119.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out_json = tmp_path / "reentry.json"
    result = CliRunner().invoke(app, ["detect", "reentry", str(path), "--out", str(out_json)])
    assert result.exit_code == 0 and json.loads(out_json.read_text())[0]["NORAD_CAT_ID"] == 36119


def _reentry(**kw):
    base = dict(norad_id=99001, name="TEST", object_id="2020-001A", owner="PRC", object_type="R/B",
                epoch=datetime(2024, 11, 1, tzinfo=UTC), perigee_km=150.0, apogee_km=200.0,
                inclination_deg=52.0, ballistic_m2_kg=0.01, fit="ndot",
                predicted=datetime(2024, 11, 2, tzinfo=UTC),
                window_start=datetime(2024, 11, 1, 21, tzinfo=UTC),
                window_end=datetime(2024, 11, 5, tzinfo=UTC), low_perigee=True)
    return Reentry(**{**base, **kw})


def test_reentry_alerts_route_by_region_and_owner():
    now = datetime(2024, 11, 1, 12, tzinfo=UTC)
    over_nl = _reentry(territory_km={"European Netherlands": 20.0, "Aruba": 90.0},
                       crosses=("Aruba", "European Netherlands"), regions=("nl-caribbean", "nl-europe"),
                       region_share={"nl-europe": 0.04, "nl-caribbean": 0.002})
    over_aruba = _reentry(norad_id=99002, territory_km={"Aruba": 5.0}, crosses=("Aruba",), regions=("nl-caribbean",),
                          region_share={"nl-europe": 0.0, "nl-caribbean": 0.012})
    elsewhere = _reentry(norad_id=99003, territory_km={"European Netherlands": 50.0},
                         crosses=("European Netherlands",), regions=("nl-europe",), region_share={"nl-europe": 0.003})
    dutch_sat = _reentry(norad_id=99004, owner="NETH", object_type="PAY",
                         predicted=now + timedelta(days=6), window_end=now + timedelta(days=9))
    unknown = _reentry(norad_id=99005, predicted=None)
    alerts = alerts_from_reentry([over_nl, over_aruba, elsewhere, dutch_sat, unknown], now=now)
    assert [a.region for a in alerts] == ["nl-europe", "nl-caribbean", "", ""]
    assert over_nl.dutch_interest and not elsewhere.dutch_interest and dutch_sat.dutch_interest
    routed = [route(a) for a in alerts]
    assert routed[0].rule_id.startswith("reentry-europe") and routed[0].level == "emergency"  # within 24 h
    assert routed[1].rule_id.startswith("reentry-caribbean")
    assert routed[2].rule_id == "reentry-logged" and not routed[2].paged
    assert routed[3].rule_id == "reentry-civil" and routed[3].level == "watch"  # a Dutch satellite, 6 days out


@pytest.mark.slow
def test_predicted_against_actual_reentry_dates(catalog):
    """Floors under the figures of benchmarks/README.md (2024-11-01 catalogue, real decay dates)."""
    if not DECAY.exists():
        pytest.skip(NO_DECAY)
    decay = read_decay_dates(DECAY)
    sub = catalog.take(catalog.index_of(sorted(n for n in decay if n in set(catalog.norad_id.tolist()))))
    found = watch(sub, horizon_days=90.0, margin_km=None)
    since = np.datetime64("2024-11-01")
    within_30 = accuracy(found, decay, since, 30)
    assert within_30.objects == 178 and within_30.predicted >= 160
    assert within_30.inside_window >= 0.8
    assert within_30.median_error_fraction <= 0.35 and within_30.median_error_days <= 6
    within_90 = accuracy(found, decay, since, 90)
    assert within_90.objects == 576 and within_90.median_error_fraction <= 0.35
    held_out = accuracy(found, decay, since, 30, norad_ids={n for n in decay if n % 2})  # not used for the window
    assert held_out.inside_window >= 0.75
