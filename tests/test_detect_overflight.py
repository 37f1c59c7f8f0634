"""Overflights: the numba pass kernel against its numpy reference and against skyfield's
``find_events`` (an independent implementation), the sites and watchers files, free windows,
the CLI and the recon_overflight alerts."""
from __future__ import annotations

import csv
import json
from datetime import datetime

import numpy as np
import pytest
from typer.testing import CliRunner

from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
from ssa.cli import app
from ssa.detect.overflight import (
    OverflightConfigError,
    Sensor,
    Site,
    find_overflights,
    free_windows,
    load_sites,
    load_watchers,
    passes_reference,
    site_frames,
    sun_elevation_deg,
)

START = "2024-11-01T00:00:00"


@pytest.fixture(scope="module")
def catalog():
    return load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)


@pytest.fixture(scope="module")
def imaging(catalog):
    rows, _ = load_watchers().select(catalog)
    return catalog.take(rows)


def _sites(n=5):
    return [Site(s.name, s.lat_deg, s.lon_deg, s.alt_m, s.sensitivity, s.readers) for s in load_sites()][:n]


@pytest.mark.slow
@pytest.mark.parametrize("min_elevation, max_off_nadir", [(0.0, 0.0), (15.0, 40.0)])
def test_kernel_matches_numpy_reference(imaging, min_elevation, max_off_nadir):
    """Rise and set within 20 ms and maximum elevation within 0.002 deg of python-sgp4 on a 1 s grid,
    every pass found once, with and without an off-nadir limit."""
    sub = imaging.take(np.arange(0, len(imaging), len(imaging) // 10)[:10])
    sites = _sites(3)
    sensors = [Sensor("radar", min_elevation, max_off_nadir)] * len(sub)
    passes = find_overflights(sub, sites, START, 1.0, sensors)
    ref = passes_reference(sub, [s.lat_deg for s in sites], [s.lon_deg for s in sites],
                           [s.alt_m / 1000 for s in sites], START, 1.0, min_elevation, max_off_nadir)
    assert len(ref) >= 10
    inside = passes[~np.isnan(passes["rise_s"]) & ~np.isnan(passes["set_s"])]
    assert len(inside) == len(ref)
    for i, j, rise, _, set_, elevation in ref:
        match = inside[(inside["sat"] == i) & (inside["site"] == j) & (np.abs(inside["rise_s"] - rise) < 60)]
        assert len(match) == 1, (i, j, rise)
        assert abs(match["rise_s"][0] - rise) < 0.02
        assert abs(match["set_s"][0] - set_) < 0.02
        assert abs(match["max_elevation_deg"][0] - elevation) < 0.002


@pytest.mark.slow
def test_passes_match_skyfield_find_events(imaging):
    """>= 200 imaging satellites over 5 sites and 3 days: every pass skyfield's find_events reports
    (horizon 0 deg) is found within 1 s in rise and set and 0.01 deg in maximum elevation, and
    nothing more (passes that rise and set inside the window)."""
    from skyfield.api import EarthSatellite, wgs84
    from skyfield.api import load as sf_load

    ts = sf_load.timescale(builtin=True)
    sub = imaging.take(np.arange(0, len(imaging), len(imaging) // 200)[:200])
    sites = _sites(5)
    days = 3.0
    passes = find_overflights(sub, sites, START, days, [Sensor("radar", 0.0)] * len(sub))
    t0 = ts.utc(2024, 11, 1)
    t1 = ts.utc(2024, 11, 1 + int(days))
    seconds = lambda t: (t.tt - t0.tt) * 86400.0  # noqa: E731
    matched = 0
    worst = [0.0, 0.0, 0.0]
    for i, satrec in enumerate(sub.satrecs()):
        sat = EarthSatellite.from_satrec(satrec, ts)
        for j, site in enumerate(sites):
            topos = wgs84.latlon(site.lat_deg, site.lon_deg, site.alt_m)
            times, events = sat.find_events(topos, t0, t1, altitude_degrees=0.0)
            ours = passes[(passes["sat"] == i) & (passes["site"] == j)]
            ours = ours[~np.isnan(ours["rise_s"]) & ~np.isnan(ours["set_s"])]
            full = [k for k in range(len(events) - 2) if tuple(events[k:k + 3]) == (0, 1, 2)]
            theirs = []
            if full:
                # skyfield culminates to 0.5 s: golden-section search on its own altitude within 1 s of it
                culm = times.tt[[k + 1 for k in full]]
                a, b = culm - 1.0 / 86400.0, culm + 1.0 / 86400.0
                def altitude(tt, sat=sat, topos=topos):
                    return (sat - topos).at(ts.tt_jd(tt)).altaz()[0].degrees

                for _ in range(20):
                    c, d = b - 0.618034 * (b - a), a + 0.618034 * (b - a)
                    higher = altitude(c) >= altitude(d)
                    a, b = np.where(higher, a, c), np.where(higher, d, b)
                theirs = [(seconds(times[k]), seconds(times[k + 2]), h)
                          for k, h in zip(full, altitude(0.5 * (a + b)))]
            assert len(ours) == len(theirs), (sub.norad_id[i], site.name, ours, theirs)
            for (rise, set_, altitude), mine in zip(theirs, ours):
                worst = [max(worst[0], abs(mine["rise_s"] - rise)), max(worst[1], abs(mine["set_s"] - set_)),
                         max(worst[2], abs(mine["max_elevation_deg"] - altitude))]
                matched += 1
    assert matched > 1000
    assert worst[0] < 1.0 and worst[1] < 1.0, worst
    assert worst[2] < 0.01, worst


def test_sun_elevation_at_solstice_noon_and_midnight():
    """The low-precision Sun at 52 N 5 E on 2024-12-21: at local solar noon (11:38 UTC) the elevation
    is 90 - 52 - 23.44 deg, twelve hours later far below the horizon."""
    pos, up = site_frames([52.0], [5.0], [0.0])[:2]
    noon = 2460665.5 + (11 + 38 / 60) / 24
    elevations = sun_elevation_deg(np.array([noon, noon + 0.5]), pos[0], up[0])
    assert abs(elevations[0] - (90 - 52 - 23.44)) < 0.1
    assert elevations[1] < -55


def test_polygon_pass_covers_every_vertex(catalog):
    """A site with a polygon: each pass spans the passes of its centre and of every vertex."""
    sub = catalog.take(catalog.index_of([25544, 31698]))
    poly = Site("area", 52.0, 5.0, 0.0, "public", ("defensie",), ((53.0, 4.0), (53.0, 6.0), (51.0, 5.0)))
    merged = find_overflights(sub, [poly], START, 2.0, [Sensor("radar", 0.0)] * 2)
    corners = [Site(f"v{k}", lat, lon, 0.0, "public", ("defensie",)) for k, (lat, lon, _) in enumerate(poly.points())]
    single = find_overflights(sub, corners, START, 2.0, [Sensor("radar", 0.0)] * 2)
    for p in single:
        inside = merged[(merged["sat"] == p["sat"]) & (np.nan_to_num(merged["rise_s"], nan=-1) <= np.nan_to_num(
            p["rise_s"], nan=-1)) & (np.nan_to_num(merged["set_s"], nan=1e9) >= np.nan_to_num(p["set_s"], nan=1e9))]
        assert len(inside) == 1
    assert len(merged) < len(single)


def test_free_windows_are_the_gaps_between_usable_passes(imaging):
    sub = imaging.take(np.arange(5))
    sites = _sites(2)
    passes = find_overflights(sub, sites, START, 1.0, [Sensor("optical", 10.0)] * 5)
    windows = free_windows(passes, len(sites), 1.0)
    for site in range(len(sites)):
        usable = passes[(passes["site"] == site) & passes["usable"]]
        mine = [(a, b) for s, a, b in windows if s == site]
        covered = sum(b - a for a, b in mine)
        spans = [(np.nan_to_num(p["rise_s"], nan=0.0), np.nan_to_num(p["set_s"], nan=86400.0)) for p in usable]
        for a, b in mine:  # no usable pass overlaps a free window
            assert all(y <= a or x >= b for x, y in spans)
        union = 0.0
        cursor = 0.0
        for x, y in sorted(spans):
            union += max(0.0, y - max(x, cursor))
            cursor = max(cursor, y)
        assert covered + union == pytest.approx(86400.0, abs=1e-6)
    # optical passes at night are not usable
    assert (~passes["usable"] & ~passes["sunlit"]).any() and not (~passes["usable"] & passes["sunlit"]).any()


@pytest.mark.parametrize("text, message", [
    ("[[site]]\nname = 'a'\nlat_deg = 95\nlon_deg = 0\nsensitivity = 'public'\nreaders = ['defensie']\n",
     "site[0] 'a': field 'lat_deg' = 95 is outside"),
    ("[[site]]\nname = 'a'\nlat_deg = 5\nlon_deg = 0\nsensitivity = 'open'\nreaders = ['defensie']\n",
     "site[0] 'a': field 'sensitivity' must be one of"),
    ("[[site]]\nname = 'a'\nlat_deg = 5\nlon_deg = 0\nsensitivity = 'public'\nreaders = []\n",
     "site[0] 'a': field 'readers' must name at least one"),
    ("[[site]]\nname = 'a'\nlat_deg = 5\nlon_deg = 0\nsensitivity = 'public'\nreaders = ['x']\npolygon = [[1, 2]]\n",
     "site[0] 'a': field 'polygon' must be a list of at least 3"),
    ("[[site]]\nlat_deg = 5\n", "site[0]: field 'name' is required"),
    ("[[site]]\nname = 'a'\nlat = 5\n", "site[0] 'a': unknown field(s) ['lat']"),
])
def test_bad_sites_file_names_item_and_field(tmp_path, text, message):
    path = tmp_path / "sites.toml"
    path.write_text(text)
    with pytest.raises(OverflightConfigError) as info:
        load_sites(path)
    assert str(path) in str(info.value) and message in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("[[watcher]]\nnorad_ids = [0]\n", "watcher[0]: field 'norad_ids' must be a non-empty list"),
    ("[[rule]]\norbit = 'geo'\n", "rule[0]: field 'orbit' must be one of"),
    ("[[rule]]\nsensor = 'lidar'\n", "rule[0]: field 'sensor' must be one of"),
    ("[defaults]\nmin_elevation_deg = 100\n[[rule]]\n", "[defaults]: field 'min_elevation_deg' = 100"),
    ("", "no [[watcher]] or [[rule]] entries"),
])
def test_bad_watchers_file_names_item_and_field(tmp_path, text, message):
    path = tmp_path / "watchers.toml"
    path.write_text(text)
    with pytest.raises(OverflightConfigError) as info:
        load_watchers(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_watcher_rules_select_by_owner_type_and_orbit(catalog, tmp_path):
    path = tmp_path / "w.toml"
    path.write_text("[[watcher]]\nnorad_ids = [25544]\nsensor = 'radar'\n"
                    "[[rule]]\nowners = ['PRC']\nobject_types = ['PAY']\norbit = 'sso'\n")
    rows, sensors = load_watchers(path).select(catalog)
    picked = catalog.take(rows)
    assert 25544 in picked.norad_id and sensors[list(picked.norad_id).index(25544)].kind == "radar"
    others = picked.norad_id != 25544
    assert set(picked.owner[others]) == {"PRC"} and set(picked.object_type[others]) == {"PAY"}
    inclination = np.degrees(picked.inclo[others])
    assert len(inclination) > 100 and inclination.min() > 94 and inclination.max() < 103


def test_cli_writes_passes_windows_and_timeline(tmp_path):
    watchers = tmp_path / "w.toml"
    watchers.write_text("[[watcher]]\nnorad_ids = [31698, 36605, 40697]\nsensor = 'radar'\n")
    out = tmp_path / "passes.csv"
    result = CliRunner().invoke(app, ["overflights", str(SHIPPED_CATALOG), "--start", START, "--days", "1",
                                      "--watchers", str(watchers), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert {r["norad_id"] for r in rows} == {"31698", "36605", "40697"}
    assert {r["site"] for r in rows} == {s.name for s in load_sites()}
    windows = json.loads((tmp_path / "passes_windows.json").read_text())
    assert windows and all(w["end"] > w["start"] for w in windows)
    assert (tmp_path / "passes_timeline.png").stat().st_size > 10_000
    alerts = json.loads((tmp_path / "passes_alerts.json").read_text())
    assert len(alerts) == sum(r["usable"] == "True" for r in rows)
    assert all(a["incident"] == "recon_overflight" for a in alerts)


def test_cli_refuses_a_site_reader_that_is_no_party(tmp_path):
    sites = tmp_path / "s.toml"
    sites.write_text("[[site]]\nname = 'a'\nlat_deg = 5\nlon_deg = 0\nsensitivity = 'public'\nreaders = ['nobody']\n")
    result = CliRunner().invoke(app, ["overflights", str(SHIPPED_CATALOG), "--sites", str(sites), "--start", START,
                                      "--days", "1", "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 2
    assert "site[0] 'a': field 'readers': 'nobody' is not a party" in result.output


def test_overflight_alerts_route_to_defensie(catalog):
    from ssa.respond import route
    from ssa.respond.findings import alerts_from_overflights

    sub = catalog.take(catalog.index_of([31698]))
    sites = _sites(1)
    sensors = [Sensor("radar", 10.0)]
    passes = find_overflights(sub, sites, START, 1.0, sensors)
    alerts = alerts_from_overflights(passes, sub, sites, datetime(2024, 11, 1), now=datetime(2024, 11, 1))
    assert len(alerts) == int(passes["usable"].sum()) > 0
    routed = route(alerts[0])
    assert routed.lead == "defensie"
