"""The console's read-only endpoints and pages, without a browser: the plot data held to
python-sgp4 and to ssa.assess, each endpoint's scope per key, and pages that carry no
alert data and load nothing from outside the package."""
from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pytest
from fastapi.testclient import TestClient

from console_helpers import BRIK_II, DELFI_N3XT, seed
from serve_helpers import make_settings


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from ssa.serve.app import create_app

    folder = tmp_path_factory.mktemp("console-api")
    url, store = seed(folder)
    keys = {"admin": store.create_key("admin"), "analyst": store.create_key("analyst"),
            "dssc": store.create_key("agency", party="dssc"),
            "brik_operator": store.create_key("operator", party="CLSK", objects=[BRIK_II])}
    with TestClient(create_app(make_settings(folder, url), store=store)) as client:
        yield client, store, keys
    store.engine.dispose()


def get(client, key, path, **params):
    return client.get(path, params=params, headers={"X-API-Key": key} if key else {})


def events(client, key):
    return get(client, key, "/v1/conjunctions", limit=1000).json()["items"]


def test_range_curve_is_sgp4_of_the_screened_element_sets(seeded):
    from sgp4.api import SatrecArray

    from ssa.serve.console.geometry import RANGE_SAMPLES, screened_catalog
    from ssa.serve.models import Event

    client, store, keys = seeded
    for ev in events(client, keys["analyst"]):
        geo = get(client, keys["analyst"], f"/v1/conjunctions/{ev['id']}/geometry").json()
        t_s = np.array(geo["range"]["t_s"])
        range_m = np.array(geo["range"]["range_m"], dtype=float)
        assert len(t_s) == RANGE_SAMPLES and t_s[RANGE_SAMPLES // 2] == 0.0
        # TCA is the closest point of the curve and its range is the event's miss distance (1 m)
        assert range_m[RANGE_SAMPLES // 2] == pytest.approx(ev["MISS_DISTANCE"], abs=1.0)
        assert range_m.min() >= ev["MISS_DISTANCE"] - 1.0
        # independent: python-sgp4 on the same element sets (1 m)
        with store.session() as s:
            event = s.get(Event, ev["id"])
            catalog = screened_catalog(store, event)
            jd, fr = event.tca_jd, event.tca_fr
        _, r, _ = SatrecArray(catalog.satrecs()).sgp4(np.full(t_s.size, jd), fr + t_s / 86400.0)
        reference = 1000.0 * np.linalg.norm(r[1] - r[0], axis=1)
        assert np.max(np.abs(range_m - reference)) < 1.0


def test_encounter_plane_is_the_one_pc_is_computed_on(seeded):
    from ssa.assess import risk

    client, _, keys = seeded
    for ev in events(client, keys["analyst"]):
        geo = get(client, keys["analyst"], f"/v1/conjunctions/{ev['id']}/geometry").json()
        plane = geo["encounter_plane"]
        assert geo["COLLISION_PROBABILITY"] == ev["COLLISION_PROBABILITY"]
        assert geo["max_probability"] == ev["max_probability"]
        # at TCA the miss is normal to the relative velocity: it lies in the plane whole (1 m)
        assert np.hypot(plane["miss_x_m"], plane["miss_y_m"]) == pytest.approx(ev["MISS_DISTANCE"], abs=1.0)
        assert plane["sigma_x_m"] >= plane["sigma_y_m"] > 0
        assert plane["hard_body_radius_m"] == pytest.approx(ev["hard_body_radius_m"], abs=1e-3)
        # the stored Pc follows from exactly these numbers (1 % as the CARA cases are held to)
        pc = risk.pc_plane(plane["miss_x_m"], plane["miss_y_m"], plane["sigma_x_m"], plane["sigma_y_m"],
                           plane["hard_body_radius_m"])[0]
        assert pc == pytest.approx(plane["pc_foster"], rel=1e-9, abs=1e-300)
        assert plane["pc_foster"] == pytest.approx(ev["COLLISION_PROBABILITY"], rel=0.01, abs=1e-300)


def test_each_endpoint_answers_what_the_key_may_see(seeded):
    client, _, keys = seeded
    everything = get(client, keys["admin"], "/v1/alerts", limit=1000).json()["items"]
    dssc_alert = next(a for a in everything if a["party"] == "dssc")
    delfi_alert = next(a for a in everything if a["conjunction"]["OBJECT1"]["NORAD_CAT_ID"] == DELFI_N3XT)
    delfi_event = delfi_alert["conjunction"]["id"]
    brik_event = dssc_alert["conjunction"]["id"]

    assert get(client, None, "/v1/me").status_code == 401
    assert get(client, keys["dssc"], "/v1/me").json() == {
        "key_id": keys["dssc"].split("_")[1], "role": "agency", "party": "dssc", "objects": [], "may_acknowledge": True,
        "sites": []}  # no sites file: no overflight passes to read
    assert get(client, keys["analyst"], "/v1/me").json()["may_acknowledge"] is False

    # one alert: the same scope as the list; the whole routing with actions and citations
    detail = get(client, keys["dssc"], f"/v1/alerts/{dssc_alert['id']}").json()
    assert detail["conjunction"]["routing"]["actions"]["dssc"] and detail["conjunction"]["routing"]["cite"]
    assert detail["may_acknowledge"] is True
    assert {k: v for k, v in detail.items() if k not in ("conjunction", "may_acknowledge")} == \
        {k: v for k, v in dssc_alert.items() if k != "conjunction"}
    refused = get(client, keys["dssc"], f"/v1/alerts/{delfi_alert['id']}")
    assert refused.status_code == 403 and "not for this key" in refused.json()["detail"]
    assert get(client, keys["analyst"], f"/v1/alerts/{delfi_alert['id']}").json()["may_acknowledge"] is False
    assert get(client, keys["admin"], "/v1/alerts/999999").status_code == 404
    assert get(client, keys["brik_operator"], f"/v1/alerts/{dssc_alert['id']}").status_code == 200  # its object
    assert get(client, keys["brik_operator"], f"/v1/alerts/{delfi_alert['id']}").status_code == 403

    # geometry: as GET /v1/conjunctions/{id}
    for role, event_id in (("dssc", brik_event), ("dssc", delfi_event), ("brik_operator", delfi_event),
                           ("analyst", delfi_event)):
        expected = get(client, keys[role], f"/v1/conjunctions/{event_id}").status_code
        assert get(client, keys[role], f"/v1/conjunctions/{event_id}/geometry").status_code == expected
    assert get(client, keys["dssc"], f"/v1/conjunctions/{delfi_event}/geometry").status_code == 403

    # catalogue versions: newest first; an operator sees its own uploads only
    versions = get(client, keys["dssc"], "/v1/catalog/versions").json()
    assert [v["id"] for v in versions] == [3, 2, 1] and versions[-1]["n_records"] == 11
    assert get(client, keys["brik_operator"], "/v1/catalog/versions").json() == []


def test_pages_hold_no_alert_data_and_load_nothing_from_elsewhere(seeded):
    client, _, keys = seeded
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/alerts"
    pages = {path: client.get(path) for path in ("/console/sign-in", "/console/alerts", "/console/alerts/1",
                                                 "/console/jobs", "/console/overflights")}
    for path, page in pages.items():
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "BRIK" not in page.text and "X-API-Key" not in page.headers.get("set-cookie", "")
    for level in ("log", "info", "watch", "warning", "emergency"):
        assert f'<option value="{level}">' in pages["/console/alerts"].text
    # every asset ships in the package and names no other host
    root = resources.files("ssa.serve.console")
    for folder in ("static", "templates"):
        for asset in (root / folder).iterdir():
            text = asset.read_text(encoding="utf-8")
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), asset.name
            assert "//cdn" not in text and "@import" not in text
    for name in ("console.js", "console.css"):
        assert client.get(f"/console/static/{name}").status_code == 200
    assert get(client, keys["admin"], "/openapi.json").json()["paths"].keys() >= {
        "/v1/me", "/v1/alerts/{alert_id}", "/v1/conjunctions/{conjunction_id}/geometry", "/v1/catalog/versions",
        "/v1/findings/{finding_id}/plot"}
