"""Fragmentation and ASAT-test detection on real catalogues (COSMOS 1408, Iridium 33 /
Cosmos 2251, the Space-Track snapshots around the COSMOS 1408 test)."""
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from paths import SHARED_DATA
from ssa.catalog import SHIPPED_SATCAT, load
from ssa.detect.fragmentation import cloud_spread, detect_fragmentations, gabbard, new_piece_clusters
from ssa.detect.fragmentation_kernels import cloud_distances_reference
from ssa.respond import route
from ssa.respond.findings import alerts_from_fragmentation

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "detect"
DEBRIS_1408 = DATA / "cosmos1408_debris_celestrak_2021-11-30.txt.gz"
PRE_1408 = SHARED_DATA / "events" / "cosmos1408_pre_asat_2021-11-13_15.tle"
PRE_COLLISION = SHARED_DATA / "events" / "iridium33_cosmos2251_last_pre_collision_2009-02-09.tle"
CATALOG_2009 = SHARED_DATA / "catalogs" / "celestrak_stk_full_catalog_2le_2009-08-31.txt"
SNAP_OLD = SHARED_DATA / "catalogs" / "spacetrack_full_catalog_3le_2021-05-29.txt"
SNAP_NEW = SHARED_DATA / "catalogs" / "spacetrack_full_catalog_3le_2022-01-22.txt"
NOW = datetime(2021, 11, 16, tzinfo=UTC)

NO_PRE_1408 = ("COSMOS 1408 element sets before the test (18 SDS element sets via Space-Track, "
               "redistribution restricted) not in ../shared/data")


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def cosmos1408():
    if not PRE_1408.exists():
        pytest.skip(NO_PRE_1408)
    new = load(DEBRIS_1408, satcat=SHIPPED_SATCAT)
    return new, detect_fragmentations(load(PRE_1408, satcat=SHIPPED_SATCAT), new)


@pytest.fixture(scope="module")
def iridium_cosmos():
    if not (PRE_COLLISION.exists() and CATALOG_2009.exists()):
        pytest.skip("2009 full catalogue and last pre-collision element sets (18 SDS element sets via Space-Track, redistribution restricted) not in ../shared/data")
    return detect_fragmentations(load(PRE_COLLISION, satcat=SHIPPED_SATCAT), load(CATALOG_2009, satcat=SHIPPED_SATCAT))


@pytest.mark.slow
def test_cloud_distances_match_python_sgp4_reference():
    """The numba kernel's fragment-parent distances equal python-sgp4's (C++) to 1 mm,
    over 3 days before the fragments' epochs; SGP4 fails alike (inf in ours, NaN there)."""
    cat = load(DEBRIS_1408)
    parent = cat.take(cat.index_of([13552]))
    fragments = cat.take(np.flatnonzero(cat.norad_id != 13552))
    jd = 2459533.5 + np.arange(0.0, 3.0, 0.01)
    ours, _spread = cloud_spread(fragments, parent, jd)
    whole = np.floor(jd - 0.5) + 0.5
    ref = cloud_distances_reference(fragments, parent, whole, jd - whole)
    assert np.array_equal(np.isinf(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    assert ok.sum() > 0.9 * ref.size
    assert np.abs(ours[ok] - ref[ok]).max() < 1e-6


def test_detector_with_reference_distances_finds_the_same(cosmos1408):
    """The plain-numpy version of the detector (python-sgp4 distances) gives the same finding."""
    new, events = cosmos1408
    reference = detect_fragmentations(load(PRE_1408, satcat=SHIPPED_SATCAT), new, reference=True)
    assert len(reference) == len(events) == 1
    ours, ref = events[0].to_dict(), reference[0].to_dict()
    floats = ("event_sigma_s", "spread_km", "converge_ratio", "event_position_km")
    assert {k: v for k, v in ours.items() if k not in floats} == {k: v for k, v in ref.items() if k not in floats}
    for key in floats:
        assert np.allclose(ours[key], ref[key], rtol=1e-9, atol=1e-6), key


def test_new_pieces_cluster_by_launch_and_skip_reacquired_objects():
    """Only pieces newer than the old catalogue's highest number count; a launch
    unknown to the old catalogue is not a fragmentation."""
    cat = load(DEBRIS_1408)
    old = cat.take(cat.index_of([13552]))
    clusters = new_piece_clusters(old, cat)
    assert list(clusters) == ["1982-092"]
    assert len(clusters["1982-092"]) == 104  # 103 debris + the R/B 13553, both unknown to `old`
    old_with_rb = cat.take(cat.index_of([13552, 13553]))
    assert len(new_piece_clusters(old_with_rb, cat)["1982-092"]) == 103
    assert new_piece_clusters(old, cat, min_pieces=105) == {}
    typed = load(DEBRIS_1408, satcat=SHIPPED_SATCAT)  # SATCAT: 13553 is a rocket body, not a fragment
    assert len(new_piece_clusters(typed.take(typed.index_of([13552])), typed)["1982-092"]) == 103


def test_cosmos1408_is_a_possible_asat_test_on_2021_11_15(cosmos1408):
    new, events = cosmos1408
    assert len(events) == 1
    event = events[0]
    assert (event.launch, event.parent_norad_id, event.n_fragments) == ("1982-092", 13552, 103)
    assert event.classification == "possible_asat_test"
    assert event.confidence == "medium"
    assert event.event_time.date().isoformat() == "2021-11-15"
    start, end = event.event_window
    assert start <= utc("2021-11-15T02:47:00") <= end  # the reported time of the test
    assert (end - start).total_seconds() < 3600
    assert 10 < event.event_sigma_s < 1800
    # near the parent then: the cloud's median distance is a few hundred km, where
    # the same fragments a day later are thousands of km from it
    assert event.spread_km < 500
    assert event.converge_ratio < 0.1
    assert 6600 < np.linalg.norm(event.event_position_km) < 6900  # the parent's orbit, ~480 km altitude
    assert 440 < event.event_alt_km < 520 and abs(event.event_lat_deg) <= 82.6  # inclination 82.56 deg


def test_cosmos1408_alert_routes_as_asat_test(cosmos1408):
    _new, events = cosmos1408
    (alert,) = alerts_from_fragmentation(events, now=NOW)
    assert alert.incident == "asat_test" and alert.evidence == {"fragments": 103.0}
    routing = route(alert)
    assert routing.incident == "asat_test" and routing.domain == "security"
    assert routing.level == "emergency"  # 100 or more tracked fragments (escalation.toml)


def test_gabbard_png(cosmos1408, tmp_path):
    from ssa.detect.fragmentation import gabbard_png

    new, events = cosmos1408
    period, apogee, perigee = gabbard(new.take(new.index_of([13552])))
    assert 90 < period[0] < 96 and perigee[0] < apogee[0] < 600
    path = tmp_path / "g.png"
    gabbard_png(events[0], new, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


@pytest.mark.slow
def test_iridium33_cosmos2251_both_clouds_collision_matched_to_screen(iridium_cosmos):
    from ssa.screen import screen

    by_launch = {e.launch: e for e in iridium_cosmos}
    assert set(by_launch) == {"1997-051", "1993-036"}
    iridium, cosmos = by_launch["1997-051"], by_launch["1993-036"]
    assert (iridium.parent_norad_id, cosmos.parent_norad_id) == (24946, 22675)
    assert iridium.n_fragments > 350 and cosmos.n_fragments > 900
    pair = load(PRE_COLLISION)
    (conj,) = screen(pair, "2009-02-10T00:00:00", days=1.0, threshold_km=5.0)
    tca = conj["tca"].astype("datetime64[us]").item().replace(tzinfo=UTC)
    assert abs((tca - utc("2009-02-10T16:56:00")).total_seconds()) < 60
    for event, partner in ((iridium, 22675), (cosmos, 24946)):
        assert event.classification == "collision" and event.confidence == "high"
        assert event.partner_norad_id == partner
        assert abs((event.conjunction_tca - tca).total_seconds()) < 1e-3
        assert event.event_window[0] <= tca <= event.event_window[1]
        assert abs((event.event_time - tca).total_seconds()) < 2 * 3600
    alerts = alerts_from_fragmentation(iridium_cosmos, now=utc("2009-02-11T00:00:00"))
    for alert in alerts:
        routing = route(alert)
        assert routing.incident == "fragmentation" and routing.level == "emergency"
        assert {o.norad_id for o in alert.objects} == {24946, 22675}


@pytest.mark.slow
def test_spacetrack_snapshots_find_the_1982_092_cloud_and_list_every_cluster():
    if not (SNAP_OLD.exists() and SNAP_NEW.exists()):
        pytest.skip("Space-Track 3LE snapshots of 2021-05-29 and 2022-01-22 (redistribution restricted) not in ../shared/data")
    old, new = load(SNAP_OLD, satcat=SHIPPED_SATCAT), load(SNAP_NEW, satcat=SHIPPED_SATCAT)
    events = detect_fragmentations(old, new)
    assert events[0].launch == "1982-092" and events[0].parent_norad_id == 13552
    in_new = sum(o.startswith("1982-092") for o in new.object_id)
    in_old = sum(o.startswith("1982-092") for o in old.object_id)
    assert (in_new, in_old) == (1216, 2)  # the parent and its rocket body were known
    assert events[0].n_fragments == in_new - in_old == 1214
    # the parent's element set is six months before the test: no convergence, no event time, no class
    assert events[0].event_time is None and events[0].classification == "unclassified"
    assert events[0].confidence == "low"
    (alert,) = alerts_from_fragmentation(events[:1], now=utc("2022-01-22T00:00:00"))
    assert alert.incident == "fragmentation" and route(alert).level == "emergency"
    by_launch = {e.launch: e for e in events}
    assert by_launch["2014-028"].parent_name == "COSMOS 2499"  # closest in orbit, not the first payload
    launches = [e.launch for e in events]
    assert len(launches) == len(set(launches)) and len(events) > 5
    assert all(e.n_fragments >= 3 for e in events)
    assert sorted(launches) == sorted(new_piece_clusters(old, new))


def test_cli_writes_json_and_pngs(tmp_path):
    if not PRE_1408.exists():
        pytest.skip(NO_PRE_1408)
    from ssa.cli import app

    result = CliRunner().invoke(app, ["detect", "fragmentation", str(PRE_1408), str(DEBRIS_1408),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1982-092 13552 COSMOS 1408: 103 new pieces, possible_asat_test" in result.output
    import json

    (row,) = json.loads((tmp_path / "fragmentations.json").read_text())
    assert row["classification"] == "possible_asat_test" and row["event_time"].startswith("2021-11-15")
    assert (tmp_path / row["gabbard_png"]).exists()


def test_cli_names_a_bad_file(tmp_path):
    from ssa.cli import app

    missing = tmp_path / "nope.tle"
    result = CliRunner().invoke(app, ["detect", "fragmentation", str(missing), str(DEBRIS_1408),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and "nope.tle" in result.output


def test_a_bad_element_set_is_named_and_the_rest_still_detected(tmp_path):
    """One broken record (a line-2 checksum) is skipped with its file and line; the event stands."""
    if not PRE_1408.exists():
        pytest.skip(NO_PRE_1408)
    import gzip

    from ssa.cli import app

    lines = gzip.decompress(DEBRIS_1408.read_bytes()).decode().splitlines()
    assert lines[8].startswith("2 49516")
    lines[8] = lines[8][:-1] + str((int(lines[8][-1]) + 1) % 10)
    broken = tmp_path / "debris_broken.tle"
    broken.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["detect", "fragmentation", str(PRE_1408), str(broken),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "skipped debris_broken.tle:8 (NORAD 49516): line 2 checksum" in result.output  # the record's line 1
    assert "1982-092 13552 COSMOS 1408: 102 new pieces, possible_asat_test" in result.output


def test_parents_replace_old_element_sets(cosmos1408):
    """With OLD holding the parent's post-event element set, --parents' pre-event one is used."""
    new, events = cosmos1408
    post_event = new.take(new.index_of([13552]))
    (event,) = detect_fragmentations(post_event, new, parents=load(PRE_1408, satcat=SHIPPED_SATCAT))
    assert event.event_time == events[0].event_time and event.n_fragments == 103
    (without,) = detect_fragmentations(post_event, new)
    assert without.event_time != events[0].event_time
