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

from serve_helpers import REPO, make_settings, migrated_store
from test_serve_findings import EGNOS_HOST, ISS, NEIGHBOUR, NEOWISE, catalogue_rows, run_version

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
