"""End to end with the real stages: upload -> job -> worker (ssa.screen, ssa.assess,
ssa.respond) -> events, alerts and CDMs over HTTP; and a worker killed with
SIGKILL mid-screen whose job is re-claimed and completed without losing or
duplicating an event."""
import os
import signal
import subprocess
import sys
import time
from datetime import UTC

import numpy as np
import pytest
from sqlalchemy import func, select

from paths import REPO
from serve_helpers import THRESHOLD_KM, WINDOW_DAYS, make_settings, migrated_store, scenario_omm_csv, wait_until
from ssa.assess.cdm import parse
from ssa.screen.reference import reference_screen
from ssa.serve.models import Event, EventUpdate, Job
from ssa.serve.pipeline import window_for
from ssa.serve.store import utcnow
from ssa.serve.worker import Worker


@pytest.mark.slow
def test_pipeline_end_to_end_matches_reference(service, tmp_path, database_url):
    client, store, admin = service
    h = {"X-API-Key": admin}
    body = client.post("/v1/catalog", files={"file": ("a.csv", scenario_omm_csv())}, headers=h).json()
    worker = Worker(store, make_settings(tmp_path, database_url))
    assert worker.run_once() and not worker.run_once()
    job = client.get(f"/v1/jobs/{body['job_id']}", headers=h).json()
    assert job["status"] == "done", job["error"]

    catalog = store.catalog_for_version(body["catalog_version_id"])
    start, _ = window_for(catalog, "catalog", WINDOW_DAYS)
    expected = [r for r in reference_screen(catalog, start, WINDOW_DAYS, THRESHOLD_KM) if not r["persistent"]]
    events = client.get("/v1/conjunctions", params={"limit": 1000}, headers=h).json()["items"]
    encounters = [ev for ev in events if not ev["persistent"]]
    assert len(encounters) == len(expected) == job["n_conjunctions"] - (len(events) - len(encounters))
    for row in expected:
        pair = (int(row["norad_id_1"]), int(row["norad_id_2"]))
        ev = min((e for e in encounters if (e["OBJECT1"]["NORAD_CAT_ID"], e["OBJECT2"]["NORAD_CAT_ID"]) == pair),
                 key=lambda e: abs(np.datetime64(e["TCA"]) - row["tca"]))
        assert abs(np.datetime64(ev["TCA"]) - row["tca"]) <= np.timedelta64(1000, "us")  # 1 ms
        assert ev["MISS_DISTANCE"] == pytest.approx(row["range_km"] * 1000, abs=1.0)  # 1 m
        assert ev["COLLISION_PROBABILITY"] is not None and 0 <= ev["COLLISION_PROBABILITY"] <= 1
        assert ev["level"] and ev["routing"]["rule"]

    # the CDM of an event, in both encodings, says what the JSON says
    ev = encounters[0]
    detail = client.get(f"/v1/conjunctions/{ev['id']}", headers=h).json()
    assert detail["routing"]["explanation"] and detail["routing"]["rule"] == ev["routing"]["rule"]
    kvn = client.get(f"/v1/conjunctions/{ev['id']}", params={"format": "cdm-kvn"}, headers=h)
    xml = client.get(f"/v1/conjunctions/{ev['id']}", params={"format": "cdm-xml"}, headers=h)
    assert kvn.status_code == xml.status_code == 200
    for message in (parse(kvn.text), parse(xml.text)):
        assert message.relative["MISS_DISTANCE"] == pytest.approx(ev["MISS_DISTANCE"], abs=1e-3)
        assert message.tca.replace(tzinfo=None).isoformat(timespec="microseconds") == ev["TCA"]
        assert message.objects[0]["OBJECT_DESIGNATOR"].lstrip("0") == str(ev["OBJECT1"]["NORAD_CAT_ID"])
    parties = client.get("/v1/parties", headers=h).json()
    assert len(parties) >= 5 and all(p["name"] for p in parties)


@pytest.mark.slow
def test_worker_killed_mid_screen_loses_and_duplicates_nothing(tmp_path):
    """A SIGKILLed `python -m ssa.serve.worker` leaves its job running; a new worker
    re-claims it when the lease runs out and commits every event exactly once: the
    same events as an uninterrupted run of the same job."""
    from ssa.catalog import SHIPPED_CATALOG, load

    url = f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
    store = migrated_store(url)
    full = load(SHIPPED_CATALOG)
    leo = np.nonzero(full.no_kozai > 2 * np.pi / 100.0)[0]  # period under 100 min
    catalog = full.take(leo[:: max(1, len(leo) // 1500)][:1500])
    result = store.ingest(catalog, "kill-test", "kill-test")
    env = dict(os.environ, SSA_DATABASE_URL=url, SSA_DATA_DIR=str(tmp_path), SSA_WINDOW_START="catalog",
               SSA_WINDOW_DAYS="0.5", SSA_THRESHOLD_KM="10", SSA_JOB_LEASE_S="3", SSA_WORKER_POLL_S="0.2",
               SSA_WATCH_DIR=str(tmp_path / "none"))

    def job():
        with store.session() as s:
            return s.get(Job, result.job_id)

    def events():
        with store.session() as s:
            return s.scalar(select(func.count()).select_from(Event))

    first = subprocess.Popen([sys.executable, "-m", "ssa.serve.worker"], env=env, cwd=REPO,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # the heartbeat (every lease/3 = 1 s) has recorded that the worker is inside ssa.screen.screen
        wait_until(lambda: job().message.startswith("screening"), 120, "the first worker to start screening")
        time.sleep(0.2)
        assert first.poll() is None and job().status == "running"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert job().status == "running" and job().attempts == 1 and events() == 0  # nothing half-committed

    wait_until(lambda: job().lease_expires_at < utcnow(), 10, "the killed worker's lease to run out")
    second = subprocess.run([sys.executable, "-c", "from ssa.cli import app; app()", "worker", "--once"], env=env,
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    done = job()
    assert done.status == "done" and done.attempts == 2, (done.status, done.error)

    # an uninterrupted run of the same job in this process gives the same events
    from ssa.serve.pipeline import screen_and_route
    start, _ = window_for(store.catalog_for_version(result.catalog_version_id), "catalog", 0.5)
    rows, _, _ = screen_and_route(store.catalog_for_version(result.catalog_version_id), start, 0.5, 10.0)
    assert len(rows) > 0 and done.n_conjunctions == len(rows)
    with store.session() as s:
        stored = s.execute(select(Event.norad_id_1, Event.norad_id_2, Event.tca_jd, Event.tca_fr, Event.range_km)).all()
        history = s.execute(select(EventUpdate.event_id, EventUpdate.job_id)).all()
    assert len(stored) == len(rows) and len(history) == len(stored) and len(set(history)) == len(history)
    def key(n1, n2, jd, fr, rng):
        return int(n1), int(n2), round((jd - 2460000.5 + fr) * 86400.0, 3), round(rng, 6)

    assert sorted(key(*e) for e in stored) == sorted(
        key(r["norad_id_1"], r["norad_id_2"], r["tca_jd"], r["tca_fr"], r["range_km"]) for r in rows)
    store.engine.dispose()


@pytest.mark.slow
def test_embedded_worker_screens_the_watched_folder(tmp_path):
    """`ssa serve`'s default: a worker thread in the server ingests files dropped
    in the watched folder and runs their screening jobs outside any request."""
    from fastapi.testclient import TestClient

    from ssa.serve.app import create_app

    watch = tmp_path / "incoming"
    watch.mkdir()
    (watch / "a.csv").write_text(scenario_omm_csv())
    settings = make_settings(tmp_path, None, embedded_worker=True, worker_poll_s=0.1, watch_interval_s=0.5)
    app = create_app(settings)
    assert (tmp_path / "ssa.sqlite3").exists()  # the default store: a SQLite file in the data dir
    key = app.state.store.create_key("analyst")
    with TestClient(app) as client:
        h = {"X-API-Key": key}
        jobs = wait_until(lambda: [j for j in client.get("/v1/jobs", headers=h).json() if j["status"] in ("done", "failed")],
                     120, "the embedded worker to finish the watched file's job")
        assert [j["status"] for j in jobs] == ["done"], jobs[0]["error"]
        items = client.get("/v1/conjunctions", headers=h).json()["items"]
        assert len(items) == jobs[0]["n_conjunctions"] > 0
    with app.state.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    app.state.store.engine.dispose()


def test_alerts_are_the_real_routing_of_dutch_events(service, tmp_path, database_url):
    """BRIK-II (Dutch military) and DELFI-N3XT (TU Delft) with the Starlinks that
    pass them on 2024-11-01/02: ssa.respond routes each event; every party it
    alerts gets one alert with its role, and sees only its own."""
    client, store, admin = service
    ids = (48876, 60369, 59580, 39428, 57349)
    h = {"X-API-Key": admin}
    assert client.post("/v1/catalog", files={"file": ("nl.csv", scenario_omm_csv(ids))}, headers=h).status_code == 201
    assert Worker(store, make_settings(tmp_path, database_url, threshold_km=5.0)).run_once()
    events = client.get("/v1/conjunctions", headers=h).json()["items"]
    alerts = client.get("/v1/alerts", params={"limit": 1000}, headers=h).json()["items"]
    routed = {ev["id"]: ev["routing"]["alerted"] for ev in events if ev["routing"]["paged"]}
    assert routed and any(routed.values())
    assert {(a["conjunction"]["id"], a["party"]): a["role"] for a in alerts} == {
        (ev_id, party): role for ev_id, parties in routed.items() for party, role in parties.items()}
    assert all(a["level"] == a["conjunction"]["level"] for a in alerts)

    party = next(iter(next(p for p in routed.values() if p)))
    agency = store.create_key("agency", party=party)
    mine = client.get("/v1/alerts", headers={"X-API-Key": agency}).json()["items"]
    assert mine and {a["party"] for a in mine} == {party}
    assert {a["conjunction"]["id"] for a in mine} == {ev_id for ev_id, p in routed.items() if party in p}
    acked = client.post(f"/v1/alerts/{mine[0]['id']}/acknowledge", headers={"X-API-Key": agency})
    assert acked.status_code == 200 and acked.json()["acknowledged_by"]


def test_stored_catalogue_propagates_like_the_uploaded_one(service):
    """Element sets read back from the store keep the exact sgp4init epoch (bit-identical states)
    and the radar cross-section of the upload."""
    from ssa.catalog import parse_text

    client, store, admin = service
    lines = scenario_omm_csv().splitlines()  # with Space-Track's RCS column, one value missing
    text = "\n".join([lines[0] + ",RCS"] + [f"{line},{'' if k == 0 else 0.25 * k}" for k, line in enumerate(lines[1:])])
    body = client.post("/v1/catalog", files={"file": ("a.csv", text)}, headers={"X-API-Key": admin}).json()
    uploaded = parse_text(text, source="a.csv")
    stored = store.catalog_for_version(body["catalog_version_id"])
    order = stored.index_of(uploaded.norad_id)
    assert np.array_equal(stored.epoch_sgp4()[order], uploaded.epoch_sgp4())
    assert np.array_equal(stored.rcs_m2[order], uploaded.rcs_m2, equal_nan=True)
    assert np.isnan(uploaded.rcs_m2).sum() == 1 and np.nanmax(uploaded.rcs_m2) > 1.0
    for a, b in zip(uploaded.satrecs(), stored.take(order).satrecs()):
        assert a.sgp4(a.jdsatepoch + 3.0, a.jdsatepochF) == b.sgp4(b.jdsatepoch + 3.0, b.jdsatepochF)


def test_objects_of_an_operator_key_are_routed_as_its_tenant(tmp_path):
    """An operator key's objects count as registered by its tenant (ssa.respond's
    [tenants]): a conjunction of two foreign objects, one of them the tenant's, pages it."""
    from datetime import datetime

    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
    from ssa.screen import CONJUNCTION_DTYPE
    from ssa.serve.pipeline import route_rows

    store = migrated_store(f"sqlite:///{tmp_path / 'tenants.db'}")
    store.create_key("operator", party="acme-sat", objects=[30000])
    store.create_key("operator", party="late-comer", objects=[30000, 49863])
    revoked = store.create_key("operator", party="gone", objects=[25544])
    store.revoke_key(revoked.split("_")[1])
    assert store.object_tenants() == {30000: "acme-sat", 49863: "late-comer"}

    catalog = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
    row = np.zeros(1, dtype=CONJUNCTION_DTYPE.descr + [("pc", "f8")])
    row["norad_id_1"], row["norad_id_2"], row["range_km"], row["pc"] = 30000, 40000, 0.2, 3e-4
    row["tca"] = np.datetime64("2024-11-01T06:00")
    now = datetime(2024, 11, 1, tzinfo=UTC)
    (untenanted,) = route_rows(row, catalog, now)
    (tenanted,) = route_rows(row, catalog, now, store.object_tenants())
    assert untenanted.lead == [] and untenanted.detail["paged"] is False
    assert tenanted.lead == ["tenant acme-sat"] and tenanted.level == untenanted.level == "emergency"
    store.engine.dispose()
