"""The console's plot data of detector findings (GET /v1/findings/{id}/plot) and the alert
detail of a finding's alert, without a browser: a re-entry's ground track is the detector's
track of the element set it was found on, a proximity's range history is python-sgp4's, and
each key sees the plot exactly when it sees the finding. A real worker on a SQLite store, the
shipped 2024-11-01 catalogue's rows of NEOWISE (re-entering), the ISS and a GEO asset with
its neighbour."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient

from findings_helpers import EGNOS_HOST, ISS, NEIGHBOUR, NEOWISE, catalogue_rows, run_version
from paths import REPO
from serve_helpers import make_settings, migrated_store

OBJECTS = (NEOWISE, ISS, EGNOS_HOST, NEIGHBOUR)


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    from ssa.serve.app import create_app

    folder = tmp_path_factory.mktemp("console-findings")
    url = f"sqlite:///{folder / 'ssa.sqlite3'}"
    settings = make_settings(folder, url, detect_reentry_horizon_days=30.0, detect_proximity=True)
    store = migrated_store(url)
    keys = {"analyst": store.create_key("analyst"), "acme": store.create_key("operator", party="acme", objects=[NEOWISE]),
            "iss_operator": store.create_key("operator", party="nasa", objects=[ISS]),
            "dssc": store.create_key("agency", party="dssc"), "knmi": store.create_key("agency", party="knmi")}
    run_version(store, settings, catalogue_rows(OBJECTS), "v1")
    with TestClient(create_app(settings, store=store)) as client:
        items = client.get("/v1/findings", headers={"X-API-Key": keys["analyst"]}).json()["items"]
        yield client, store, keys, {f["kind"]: f for f in items}
    store.engine.dispose()


def get(client, key, path):
    return client.get(path, headers={"X-API-Key": key})


@pytest.mark.slow  # the detectors' numba kernels compile on a cold cache
def test_reentry_track_is_the_detectors_track_of_the_found_element_set(found):
    from ssa.catalog import load
    from ssa.detect import reentry

    client, _store, keys, findings = found
    finding = findings["reentry"]
    assert finding["norad_id_1"] == NEOWISE
    plot = get(client, keys["acme"], f"/v1/findings/{finding['id']}/plot").json()
    assert plot["kind"] == "reentry" and plot["id"] == finding["id"]
    assert {p["region"] for p in plot["territory"]} == {"nl-europe", "nl-caribbean"}
    lat = np.array(plot["track"]["lat_deg"], dtype=float)
    lon = np.array(plot["track"]["lon_deg"], dtype=float)
    days = np.array(plot["track"]["days_from_epoch"])
    assert len(lat) == 2880 and np.isfinite(lat).sum() > 100  # one day at 30 s
    # the track ends at the window's end, in the UTC times it states
    window_end = datetime.fromisoformat(finding["summary"]["WINDOW_END"].replace("Z", ""))
    assert abs((datetime.fromisoformat(plot["track"]["t"][-1].replace("Z", "")) - window_end).total_seconds()) < 120
    # the orbit bounds the latitude (degrees)
    assert np.nanmax(np.abs(lat)) <= finding["summary"]["INCLINATION_DEG"] + 0.5
    # independent of the store: the detector's track of the shipped catalogue's row (1 km)
    catalog = load([REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"])
    row = int(catalog.index_of([NEOWISE])[0])
    ballistic = finding["summary"]["BALLISTIC_M2_KG"] / (1 + reentry.WINDOW_LATE)
    picks = np.flatnonzero(np.isfinite(lat))[::97]
    _t, ref_lat, ref_lon = reentry.track(catalog, row, ballistic, float(days[0]), float(days[-1]) + 1e-6, 30.0)
    ref_lat, ref_lon = ref_lat[picks], ref_lon[picks]
    cos_c = (np.sin(np.radians(lat[picks])) * np.sin(np.radians(ref_lat)) + np.cos(np.radians(lat[picks]))
             * np.cos(np.radians(ref_lat)) * np.cos(np.radians(lon[picks] - ref_lon)))
    assert 6371.0 * np.arccos(np.clip(cos_c, -1, 1)).max() < 1.0


@pytest.mark.slow
def test_proximity_range_history_is_python_sgp4(found):
    from sgp4.api import SatrecArray

    client, store, keys, findings = found
    finding = findings["proximity"]
    plot = get(client, keys["dssc"], f"/v1/findings/{finding['id']}/plot").json()
    t_s, range_km = np.array(plot["t_s"]), np.array(plot["range_km"], dtype=float)
    assert t_s[0] == -21600.0 and t_s[-1] == 21600.0
    catalog = store.catalog_for_version(finding["catalog_version_id"], norad_ids=(EGNOS_HOST, NEIGHBOUR))
    catalog = catalog.take(catalog.index_of([EGNOS_HOST, NEIGHBOUR]))
    closest = datetime.fromisoformat(finding["event_time"].replace("Z", ""))
    jd = 2440587.5 + (closest - datetime(1970, 1, 1)).total_seconds() / 86400.0
    _e, r, _v = SatrecArray(catalog.satrecs()).sgp4(np.full(t_s.size, np.floor(jd)), jd - np.floor(jd) + t_s / 86400.0)
    assert np.abs(range_km - np.linalg.norm(r[1] - r[0], axis=1)).max() < 1e-3  # 1 m
    # the closest approach is the middle of the curve, at the detector's range (100 m)
    assert range_km[t_s.size // 2] == pytest.approx(finding["summary"]["min_range_km"], abs=0.1)


@pytest.mark.slow
def test_plot_and_alert_detail_scoped_as_the_finding(found):
    client, _store, keys, findings = found
    reentry_id = findings["reentry"]["id"]
    for who in ("analyst", "acme"):
        assert get(client, keys[who], f"/v1/findings/{reentry_id}/plot").status_code == 200, who
    for who in ("iss_operator", "knmi"):  # not its object; not routed to it
        assert get(client, keys[who], f"/v1/findings/{reentry_id}").status_code == 404, who
        assert get(client, keys[who], f"/v1/findings/{reentry_id}/plot").status_code == 404, who
    assert get(client, keys["analyst"], "/v1/findings/999999/plot").status_code == 404
    assert client.get(f"/v1/findings/{reentry_id}/plot").status_code == 401
    # the alert detail carries the finding with its whole routing, citations included
    alerts = get(client, keys["acme"], "/v1/alerts").json()["items"]
    alert = next(a for a in alerts if a["finding"] and a["finding"]["id"] == reentry_id)
    detail = get(client, keys["acme"], f"/v1/alerts/{alert['id']}").json()
    assert detail["conjunction"] is None and detail["incident"] is None
    assert detail["finding"]["routing"]["cite"] and detail["finding"]["routing"]["lead"]


@pytest.mark.slow
def test_fragmentation_gabbard_is_the_pieces_mean_elements(tmp_path):
    """COSMOS 1408 before, then its 2021-11-30 debris cloud: the worker finds the break-up and
    the plot's Gabbard diagram is each piece's two-body period, apogee and perigee (km above the
    WGS-72 radius) from its TLE's mean motion and eccentricity."""
    import gzip

    from sgp4.api import Satrec

    from ssa.serve.app import create_app

    lines = gzip.open(REPO / "tests" / "data" / "detect" / "cosmos1408_debris_celestrak_2021-11-30.txt.gz",
                      "rt").read().splitlines()
    url = f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
    settings = make_settings(tmp_path, url, detect_fragmentation=True)
    store = migrated_store(url)
    try:
        analyst, knmi = store.create_key("analyst"), store.create_key("agency", party="knmi")
        run_version(store, settings, "\n".join(lines[:3]) + "\n", "COSMOS 1408")
        run_version(store, settings, "\n".join(lines) + "\n", "COSMOS 1408 debris")
        with TestClient(create_app(settings, store=store)) as client:
            finding = get(client, analyst, "/v1/findings?kind=fragmentation").json()["items"][0]
            plot = get(client, analyst, f"/v1/findings/{finding['id']}/plot").json()
            assert get(client, knmi, f"/v1/findings/{finding['id']}/plot").status_code == 404
    finally:
        store.engine.dispose()
    assert plot["kind"] == "fragmentation" and plot["parent_norad_id"] == 13552
    shown = {o["norad_id"]: o for o in plot["objects"]}
    assert len(shown) == len(finding["summary"]["fragment_ids"]) + 1 and shown[13552]["parent"]
    checked = set()
    for k in range(0, len(lines) - 2, 3):  # two-body on the mean motion (WGS-72), from the TLE's own text
        sat = Satrec.twoline2rv(lines[k + 1], lines[k + 2])
        if sat.satnum not in shown:  # a piece catalogued before the event's cluster
            continue
        checked.add(sat.satnum)
        rev_per_day, ecc = float(lines[k + 2][52:63]), float("0." + lines[k + 2][26:33])
        a_km = (398600.8 / (rev_per_day * 2 * np.pi / 86400.0) ** 2) ** (1 / 3)
        o = shown[sat.satnum]
        assert o["period_min"] == pytest.approx(1440.0 / rev_per_day, abs=1e-3)
        assert o["apogee_km"] == pytest.approx(a_km * (1 + ecc) - 6378.135, abs=0.01)
        assert o["perigee_km"] == pytest.approx(a_km * (1 - ecc) - 6378.135, abs=0.01)
    assert checked == set(shown)
