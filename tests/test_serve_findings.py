"""Detectors in the service: the worker runs them after each screening job, stores
their findings (one per stable identity) with their alerts, and serves them on
/v1/findings (kind filter, since polling, ETag) scoped by key; overflight passes
over configured sites served to the sites' readers only. Real SQLite file and
PostgreSQL; the shipped 2024-11-01 catalogue's rows of a few objects."""

import pytest
from fastapi.testclient import TestClient

from findings_helpers import (
    DETECTORS_ON,
    EGNOS_HOST,
    ISS,
    ISS_AS_RADAR,
    LEMUR_MANGO2B,
    NEIGHBOUR,
    NEOWISE,
    SITES,
    catalogue_rows,
    run_version,
)
from serve_helpers import make_settings, migrated_store
from ssa.serve.app import create_app


def get(client, key, path, **params):
    headers = {"X-API-Key": key}
    if "etag" in params:
        headers["If-None-Match"] = params.pop("etag")
    return client.get(path, params=params, headers=headers)


@pytest.mark.slow  # the detectors' numba kernels compile on a cold cache (about 90 s); 10 s warm
def test_reentry_found_stored_routed_updated_and_served_by_scope(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url, **DETECTORS_ON)
    store = migrated_store(database_url)
    try:
        operator = store.create_key("operator", party="acme", objects=[NEOWISE])  # makes NEOWISE a tenant's object
        ez = store.create_key("agency", party="ez")
        knmi = store.create_key("agency", party="knmi")
        analyst = store.create_key("analyst")
        run_version(store, settings, catalogue_rows(), "v1")
        with TestClient(create_app(settings, store=store)) as client:
            page = get(client, analyst, "/v1/findings").json()
            reentries = {f["norad_id_1"]: f for f in page["items"] if f["kind"] == "reentry"}
            assert set(reentries) == {NEOWISE, LEMUR_MANGO2B}  # the ISS is not coming down
            neowise = reentries[NEOWISE]
            assert neowise["identity"] == f"reentry:{NEOWISE}"
            assert neowise["event_time"].startswith("2024-11-0")  # predicted within days of its 10-31 set
            assert neowise["summary"]["NORAD_CAT_ID"] == NEOWISE and neowise["summary"]["FIT"]
            assert neowise["routing"]["paged"] and neowise["routing"]["alerted"]["tenant acme"] == "lead"
            assert not reentries[LEMUR_MANGO2B]["routing"]["paged"]  # logged: no alert

            # its alerts are in /v1/alerts, with the finding
            alerts = get(client, ez, "/v1/alerts").json()["items"]
            assert [(a["finding"]["id"], a["role"]) for a in alerts] == [(neowise["id"], "informed")]
            assert alerts[0]["conjunction"] is None and alerts[0]["incident"] is None

            # scope: the agency the finding is routed to, the operator of the object; not another agency
            assert [f["id"] for f in get(client, ez, "/v1/findings").json()["items"]] == [neowise["id"]]
            assert [f["id"] for f in get(client, operator, "/v1/findings").json()["items"]] == [neowise["id"]]
            assert get(client, knmi, "/v1/findings").json()["items"] == []
            assert get(client, knmi, f"/v1/findings/{neowise['id']}").status_code == 404
            detail = get(client, ez, f"/v1/findings/{neowise['id']}").json()
            assert detail["routing"]["actions"] and detail["routing"]["alert_id"].startswith("reentry-")

            # kind filter, and 422 for an unknown kind
            assert get(client, analyst, "/v1/findings", kind="manoeuvre").json()["items"] == []
            assert len(get(client, analyst, "/v1/findings", kind="reentry").json()["items"]) == 2
            assert get(client, analyst, "/v1/findings", kind="comet").status_code == 422

            # ETag: unchanged page -> 304; since polling
            first = get(client, analyst, "/v1/findings")
            assert get(client, analyst, "/v1/findings", etag=first.headers["ETag"]).status_code == 304
            since = first.json()["next_since"]
            assert get(client, analyst, "/v1/findings", since=since).json()["items"] == []

            # a second version that sees NEOWISE decay faster updates its finding, not a second one
            run_version(store, settings, catalogue_rows(ndot_factor=2.0), "v2")
            changed = get(client, analyst, "/v1/findings", since=since).json()["items"]
            assert [f["id"] for f in changed] == [neowise["id"]]
            assert changed[0]["event_time"] < neowise["event_time"] and changed[0]["change_seq"] > since
            assert changed[0]["catalog_version_id"] > neowise["catalog_version_id"]
            assert get(client, analyst, "/v1/findings", etag=first.headers["ETag"]).status_code == 200
            everything = get(client, analyst, "/v1/findings").json()["items"]
            assert sorted(f["identity"] for f in everything) == sorted(
                f"reentry:{n}" for n in (NEOWISE, LEMUR_MANGO2B))
            alerts = get(client, ez, "/v1/alerts").json()["items"]
            assert len(alerts) == 1 and alerts[0]["finding"]["event_time"] == changed[0]["event_time"]
    finally:
        store.engine.dispose()


def test_detectors_switched_off_store_no_findings(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url)  # the helpers' settings: detectors off
    store = migrated_store(database_url)
    try:
        analyst = store.create_key("analyst")
        run_version(store, settings, catalogue_rows(), "v1")
        with TestClient(create_app(settings, store=store)) as client:
            assert get(client, analyst, "/v1/findings").json()["items"] == []
    finally:
        store.engine.dispose()


def test_overflight_passes_served_only_to_the_sites_readers(tmp_path, database_url):
    (tmp_path / "sites.toml").write_text(SITES)
    (tmp_path / "watchers.toml").write_text(ISS_AS_RADAR)
    settings = make_settings(tmp_path, database_url, overflight_sites_file=tmp_path / "sites.toml",
                             overflight_watchers_file=tmp_path / "watchers.toml")
    store = migrated_store(database_url)
    try:
        defensie = store.create_key("agency", party="defensie")
        nso = store.create_key("agency", party="nso")
        admin = store.create_key("admin")
        run_version(store, settings, catalogue_rows(), "v1")
        with TestClient(create_app(settings, store=store)) as client:
            page = get(client, defensie, "/v1/overflights", site="ESTEC Noordwijk").json()
            passes = page["items"]
            # the ISS (51.6 deg) passes over Noordwijk (52.2 N) a few times a day above 10 deg
            assert 1 <= len(passes) <= 8 * settings.window_days, passes
            assert {p["norad_id"] for p in passes} == {ISS} and all(p["usable"] for p in passes)
            assert all(p["max_elevation_deg"] >= 10.0 for p in passes)
            assert [p["culmination"] for p in passes] == sorted(p["culmination"] for p in passes)
            assert page["catalog_version_id"] is not None
            for key, site in ((nso, "ESTEC Noordwijk"), (admin, "ESTEC Noordwijk"), (defensie, "Elsewhere")):
                answer = get(client, key, "/v1/overflights", site=site)
                assert answer.status_code == 404 and "ESTEC" not in answer.json()["detail"].replace(site, "")

            # a newer version's passes replace the older ones (same ISS set: the same passes)
            run_version(store, settings, catalogue_rows(ndot_factor=2.0), "v2")
            again = get(client, defensie, "/v1/overflights", site="ESTEC Noordwijk").json()
            assert again["catalog_version_id"] > page["catalog_version_id"]
            assert again["items"] == passes
    finally:
        store.engine.dispose()



def test_proximity_of_a_registry_asset_found_routed_and_not_duplicated(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url, detect_proximity=True)
    store = migrated_store(database_url)
    try:
        dssc = store.create_key("agency", party="dssc")
        knmi = store.create_key("agency", party="knmi")
        ids = (EGNOS_HOST, NEIGHBOUR)
        run_version(store, settings, catalogue_rows(ids), "v1")
        with TestClient(create_app(settings, store=store)) as client:
            found = get(client, dssc, "/v1/findings", kind="proximity").json()["items"]
            assert [(f["identity"], f["norad_id_1"], f["norad_id_2"]) for f in found] == [
                (f"proximity:{EGNOS_HOST}:{NEIGHBOUR}", EGNOS_HOST, NEIGHBOUR)]
            assert found[0]["summary"]["min_range_km"] < 10.0 and "stays" in found[0]["summary"]["reasons"]
            assert found[0]["routing"]["alerted"]["dssc"] == "lead"
            assert [a["finding"]["id"] for a in get(client, dssc, "/v1/alerts").json()["items"]] == [found[0]["id"]]
            assert get(client, knmi, "/v1/findings").json()["items"] == []

            run_version(store, settings, catalogue_rows(ids, ndot_factor=2.0, changed=NEIGHBOUR), "v2")
            again = get(client, dssc, "/v1/findings", kind="proximity").json()["items"]
            assert [f["id"] for f in again] == [found[0]["id"]]
            assert len(get(client, dssc, "/v1/alerts").json()["items"]) == 1
    finally:
        store.engine.dispose()


def test_a_findings_alert_is_queued_for_the_partys_webhook(tmp_path, database_url):
    import json

    from sqlalchemy import select

    from ssa.serve.delivery import DeliveryLoop, subscribe
    from ssa.serve.models import Delivery

    settings = make_settings(tmp_path, database_url, detect_reentry_horizon_days=30.0)
    store = migrated_store(database_url)
    try:
        store.create_key("operator", party="acme", objects=[NEOWISE])
        subscribe(store, "ez", "http://127.0.0.1:9/hook")
        run_version(store, settings, catalogue_rows(), "v1")
        assert DeliveryLoop(store, settings).enqueue() == 1
        with store.session() as s:
            alert = json.loads(s.scalars(select(Delivery.body)).one())["alert"]
        assert alert["party"] == "ez" and alert["finding"]["identity"] == f"reentry:{NEOWISE}"
        assert alert["finding"]["kind"] == "reentry" and alert["finding"]["routing"]["paged"]
    finally:
        store.engine.dispose()
