"""The HTTP contract: polling (cursor, since, ETag/304), idempotent ingest,
access control for each role against each endpoint, problem+json errors and
rate limits. Real SQLite file (and PostgreSQL when SSA_TEST_DATABASE_URL is set);
conjunctions come from screening real element sets with python-sgp4."""
import pytest
from fastapi.testclient import TestClient

from paths import needs_shared
from serve_helpers import (
    ISS,
    ISS_HISTORY,
    iss_tle,
    make_settings,
    migrated_store,
    run_job_with_reference,
    scenario_omm_csv,
    scenario_uploads,
)
from ssa.serve.app import create_app
from ssa.serve.store import Routed

ICEYE_X20 = 52759
OBJECT_CZ = 58568
needs_iss_history = needs_shared(ISS_HISTORY, what="Space-Track ISS element-set history (redistribution restricted)")


def upload(client, key, text, name="cat.txt"):
    return client.post("/v1/catalog", files={"file": (name, text)}, headers={"X-API-Key": key})


def poll_all(client, key, since, limit=4):
    """Follow next_since until has_more is false; returns (items, next_since)."""
    items = []
    while True:
        page = client.get("/v1/conjunctions", params={"since": since, "limit": limit}, headers={"X-API-Key": key})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        assert body["next_since"] >= since
        since = body["next_since"]
        if not body["has_more"]:
            return items, since


# ---- polling --------------------------------------------------------------------------

@needs_iss_history
def test_polling_contract_since_cursor_and_etag(service):
    client, store, admin = service
    h = {"X-API-Key": admin}
    text_a, text_b, _ = scenario_uploads()
    assert upload(client, admin, text_a).status_code == 201
    _, rows_a, _, _ = run_job_with_reference(store)

    first, since = poll_all(client, admin, 0)
    assert len(first) == len({ev["id"] for ev in first}) == len(rows_a)
    assert [ev["change_seq"] for ev in first] == sorted(ev["change_seq"] for ev in first)
    assert since == client.get("/healthz").json()["change_seq"]

    # nothing changed: empty page, then 304 for the same ETag
    quiet = client.get("/v1/conjunctions", params={"since": since}, headers=h)
    assert quiet.json()["items"] == [] and quiet.json()["next_since"] == since
    etag = quiet.headers["ETag"]
    again = client.get("/v1/conjunctions", params={"since": since}, headers=dict(h, **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag

    # a new catalogue: the poller gets exactly the events that changed, once each
    assert upload(client, admin, text_b).status_code == 201
    _, _, _, summary = run_job_with_reference(store)
    changed, since2 = poll_all(client, admin, since)
    assert len(changed) == summary.created + summary.updated + summary.closed_tca_passed + summary.closed_out_of_threshold
    assert len({ev["id"] for ev in changed}) == len(changed)
    assert all(ev["change_seq"] > since for ev in changed)
    assert summary.unchanged > 0  # unchanged events are not sent again
    stale = client.get("/v1/conjunctions", params={"since": since}, headers=dict(h, **{"If-None-Match": etag}))
    assert stale.status_code == 200 and stale.headers["ETag"] != etag
    assert poll_all(client, admin, since2) == ([], since2)


def test_cursor_pagination_filters_and_problem_errors(service):
    client, store, admin = service
    h = {"X-API-Key": admin}
    assert upload(client, admin, scenario_omm_csv()).status_code == 201
    _, rows, _, _ = run_job_with_reference(store)

    pages, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/v1/conjunctions", params=params, headers=h).json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    items = [ev for page in pages for ev in page]
    assert len(pages) == -(-len(rows) // 3) and len(items) == len(rows)
    assert [(ev["TCA"], ev["id"]) for ev in items] == sorted((ev["TCA"], ev["id"]) for ev in items)

    def ids(**params):
        return {ev["id"] for ev in client.get("/v1/conjunctions", params=params | {"limit": 1000}, headers=h).json()["items"]}

    assert ids(norad_cat_id=ICEYE_X20) == {ev["id"] for ev in items if ICEYE_X20 in (ev["OBJECT1"]["NORAD_CAT_ID"], ev["OBJECT2"]["NORAD_CAT_ID"])}
    assert ids(max_miss_distance=10000) == {ev["id"] for ev in items if ev["MISS_DISTANCE"] <= 10000} != set()
    mid = sorted(ev["TCA"] for ev in items)[len(items) // 2]
    assert ids(tca_from=mid) == {ev["id"] for ev in items if ev["TCA"] >= mid}
    assert ids(tca_to=mid + "Z") == {ev["id"] for ev in items if ev["TCA"] <= mid}
    assert ids(status="closed") == set()
    assert ids(level="emergency") == set()

    bad = client.get("/v1/conjunctions", params={"limit": 0}, headers=h)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "query.limit" and bad.json()["status"] == 422
    bad = client.get("/v1/conjunctions", params={"cursor": "not-a-cursor"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    bad = client.get("/v1/conjunctions", params={"since": 0, "cursor": cursor or "x"}, headers=h)
    assert bad.status_code == 422
    missing = client.get("/v1/conjunctions/999999", headers=h)
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "conjunction_id"


# ---- ingest -----------------------------------------------------------------------------

def test_up_to_date_polls_answer_the_empty_page_and_still_check_the_request(service):
    """A poll with since at or past the newest change answers without querying the events,
    with the page a query would give, after the same checks of the request."""
    client, store, admin = service
    assert upload(client, admin, scenario_omm_csv()).status_code == 201
    run_job_with_reference(store)
    high = client.get("/healthz").json()["change_seq"]
    h = {"X-API-Key": admin}
    assert client.get("/v1/conjunctions", params={"since": 0}, headers=h).json()["items"] != []
    for since in (high, high + 7):
        body = client.get("/v1/conjunctions", params={"since": since, "norad_cat_id": ICEYE_X20, "level": "watch"},
                          headers=h).json()
        assert body == {"items": [], "next_cursor": None, "next_since": since, "has_more": False}
        alerts = client.get("/v1/alerts", params={"since": since, "acknowledged": False}, headers=h).json()
        assert alerts == {"items": [], "next_since": since, "has_more": False}
    too_early = client.get("/v1/conjunctions", params={"since": high, "tca_from": "0001-01-01T00:00:00+01:00"},
                           headers=h)
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["field"] == "tca_from"
    operator = store.create_key("operator", objects=[ICEYE_X20])
    other = client.get("/v1/conjunctions", params={"since": high, "norad_cat_id": 25544},
                       headers={"X-API-Key": operator})
    assert other.status_code == 403 and other.json()["errors"][0]["field"] == "norad_cat_id"


def test_idempotent_ingest_and_rejections(service, tmp_path):
    client, store, admin = service
    h = {"X-API-Key": admin}
    text = scenario_omm_csv()
    first = upload(client, admin, text, "a.csv")
    assert first.status_code == 201
    body = first.json()
    assert body["created"] and body["n_new"] == body["n_records"] == 9 and body["job_id"] is not None

    def counts():
        jobs = client.get("/v1/jobs", headers=h).json()
        objects = client.get("/v1/objects", params={"limit": 1000}, headers=h).json()["items"]
        return len(jobs), len(objects), len(store.catalog_for_version(10**9))

    before = counts()
    again = upload(client, admin, text, "same-again.csv")
    assert again.status_code == 200
    assert again.json() | {"rejected": []} == {"created": False, "catalog_version_id": None, "job_id": None,
                                                "n_records": 9, "n_new": 0, "n_known": 9, "n_rejected": 0,
                                                "rejected": []}
    # the same element sets in another order and another file: still nothing new
    header, *lines = text.splitlines()
    shuffled = "\n".join([header] + lines[::-1]) + "\n"
    assert upload(client, admin, shuffled, "reordered.csv").json()["created"] is False
    assert counts() == before

    # a broken record is rejected by line; the good records in the same upload load
    tle = iss_tle_or_catalog_tle(text)
    broken = tle + "COSMOS 1408\n1 13552U 82092A   21318.5 garbage\n2 13552  82.5 nonsense\n"
    mixed = upload(client, admin, broken, "mixed.tle").json()
    assert mixed["n_records"] == 1 and len(mixed["rejected"]) >= 1
    assert all(r["line"] >= 4 and r["reason"] for r in mixed["rejected"])
    nothing = upload(client, admin, "this is not a catalogue\n", "junk.txt")
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["field"] == "file"

    # the watched folder: a new file queues one job, the same file again nothing
    from ssa.serve.worker import Worker
    settings = make_settings(tmp_path, str(store.engine.url.render_as_string(hide_password=False)),
                             watch_dir=tmp_path / "incoming")
    settings.resolved_watch_dir().mkdir()
    newer = scenario_uploads()[2] if ISS_HISTORY.exists() else iss_tle_or_catalog_tle(text, days_later=1.0)
    (settings.resolved_watch_dir() / "c.tle").write_text(newer)
    worker = Worker(store, settings)
    assert len(worker.scan_watch_dir()) == 1
    assert worker.scan_watch_dir() == []


def iss_tle_or_catalog_tle(omm_text: str, days_later: float = 0.5) -> str:
    """A valid 3LE of an element set not yet stored: a newer ISS elset when the shared data is there,
    else the ISS elset of the OMM catalogue, its epoch moved `days_later`, written as a TLE by python-sgp4."""
    if ISS_HISTORY.exists():
        return iss_tle("24306.16050639")
    import csv
    import io

    from sgp4 import exporter, omm
    from sgp4.api import Satrec
    row = next(r for r in csv.DictReader(io.StringIO(omm_text)) if int(r["NORAD_CAT_ID"]) == ISS)
    sat = Satrec()
    omm.initialize(sat, row)
    sat.epochdays += days_later  # another element set of the ISS
    line1, line2 = exporter.export_tle(sat)
    return "ISS (ZARYA)\n" + line1 + "\n" + line2 + "\n"


# ---- access control ------------------------------------------------------------------------

@pytest.fixture
def populated(service):
    """Scenario A screened; events routed: every event to EZ (lead) and KNMI (informed),
    events involving OBJECT CZ also to IenW (supporting)."""
    client, store, admin = service
    assert upload(client, admin, scenario_omm_csv()).status_code == 201
    job = store.claim_job("w", 60)
    from serve_helpers import THRESHOLD_KM, WINDOW_DAYS
    from ssa.screen.reference import reference_screen
    from ssa.serve.pipeline import window_for
    catalog = store.catalog_for_version(job.catalog_version_id)
    start, end = window_for(catalog, "catalog", WINDOW_DAYS)
    rows = reference_screen(catalog, start, WINDOW_DAYS, THRESHOLD_KM)
    routings = [Routed("attention", lead=["EZ"], supporting=["IenW"] if OBJECT_CZ in (r["norad_id_1"], r["norad_id_2"]) else [],
                       informed=["KNMI"], detail={"rule_id": "test"}) for r in rows]
    store.complete_job(job.id, "w", rows, routings, start, end, THRESHOLD_KM, catalog.norad_id)
    keys = {
        "admin": admin,
        "analyst": store.create_key("analyst"),
        "operator": store.create_key("operator", party="ISS-OPS", objects=[ISS]),
        "other_operator": store.create_key("operator", party="ICEYE", objects=[ICEYE_X20]),
        "agency": store.create_key("agency", party="IenW"),
        "other_agency": store.create_key("agency", party="BZ"),
    }
    return client, store, keys, rows


def pair_ids(ev):
    return {ev["OBJECT1"]["NORAD_CAT_ID"], ev["OBJECT2"]["NORAD_CAT_ID"]}


def test_access_matrix(populated):
    client, store, keys, rows = populated

    def get(role, path, **params):
        headers = {"X-API-Key": keys[role]} if role in keys else ({"X-API-Key": "ssa_0000_wrong"} if role == "wrong" else {})
        return client.get(path, params=params, headers=headers)

    everything = get("admin", "/v1/conjunctions", limit=1000).json()["items"]
    assert len(everything) == len(rows)
    iss_event = next(ev for ev in everything if ISS in pair_ids(ev))
    iceye_only = next(ev for ev in everything if ICEYE_X20 in pair_ids(ev) and ISS not in pair_ids(ev))
    cz_event = next(ev for ev in everything if OBJECT_CZ in pair_ids(ev))
    job_id = get("admin", "/v1/jobs").json()[0]["id"]

    # who sees which conjunctions
    seen = {role: {ev["id"] for ev in get(role, "/v1/conjunctions", limit=1000).json()["items"]} for role in keys}
    all_ids = {ev["id"] for ev in everything}
    assert seen["admin"] == seen["analyst"] == all_ids
    assert seen["operator"] == {ev["id"] for ev in everything if ISS in pair_ids(ev)}
    assert seen["other_operator"] == {ev["id"] for ev in everything if ICEYE_X20 in pair_ids(ev)}
    assert seen["agency"] == {ev["id"] for ev in everything if OBJECT_CZ in pair_ids(ev)} != set()
    assert seen["other_agency"] == set()

    # each role x each read endpoint: expected status
    expect = {  # path: {role: status}
        "/healthz": dict(none=200, wrong=200),
        "/metrics": dict(none=401, wrong=401, analyst=403, admin=200),
        "/v1/conjunctions": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=200, agency=200, other_agency=200),
        f"/v1/conjunctions/{iss_event['id']}": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=403 if ICEYE_X20 not in pair_ids(iss_event) else 200, agency=200 if OBJECT_CZ in pair_ids(iss_event) else 403, other_agency=403),
        f"/v1/conjunctions/{iceye_only['id']}": dict(none=401, wrong=401, admin=200, analyst=200, operator=403, other_operator=200, agency=200 if OBJECT_CZ in pair_ids(iceye_only) else 403, other_agency=403),
        f"/v1/conjunctions/{cz_event['id']}": dict(agency=200, other_agency=403),
        "/v1/alerts": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=200, agency=200, other_agency=200),
        f"/v1/jobs/{job_id}": dict(none=401, wrong=401, admin=200, analyst=200, operator=403, other_operator=403, agency=200, other_agency=200),
        "/v1/jobs": dict(none=401, admin=200, analyst=200, operator=200, agency=200),
        "/v1/objects": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=200, agency=200, other_agency=200),
        f"/v1/objects/{ISS}": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=403, agency=200, other_agency=200),
        f"/v1/objects/{ICEYE_X20}": dict(operator=403, other_operator=200),
        "/v1/parties": dict(none=401, wrong=401, admin=200, analyst=200, operator=200, other_operator=200, agency=200, other_agency=200),
    }
    for path, by_role in expect.items():
        for role, status in by_role.items():
            response = get(role, path)
            assert response.status_code == status, (path, role, response.text)
            if status >= 400:
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["status"] == status
    # an operator asking for another operator's object
    refused = get("operator", "/v1/conjunctions", norad_cat_id=ICEYE_X20)
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "norad_cat_id"
    assert get("operator", "/v1/conjunctions", norad_cat_id=ISS).status_code == 200
    assert {o["NORAD_CAT_ID"] for o in get("operator", "/v1/objects").json()["items"]} == {ISS}

    # alerts: an agency sees its party's, acknowledges its own only; analysts cannot acknowledge
    alerts = get("agency", "/v1/alerts").json()["items"]
    assert alerts and {a["party"] for a in alerts} == {"IenW"} and {a["role"] for a in alerts} == {"supporting"}
    assert get("agency", "/v1/alerts", party="EZ").status_code == 403
    ez_alert = next(a for a in get("admin", "/v1/alerts", party="EZ", limit=1000).json()["items"])
    assert ez_alert["role"] == "lead"

    def ack(role, alert_id):
        return client.post(f"/v1/alerts/{alert_id}/acknowledge", headers={"X-API-Key": keys[role]} if role in keys else {})

    assert ack("none", alerts[0]["id"]).status_code == 401
    assert ack("analyst", alerts[0]["id"]).status_code == 403
    assert ack("other_agency", alerts[0]["id"]).status_code == 403
    assert ack("agency", ez_alert["id"]).status_code == 403
    done = ack("agency", alerts[0]["id"])
    assert done.status_code == 200 and done.json()["acknowledged_at"] is not None
    assert done.json()["change_seq"] > alerts[-1]["change_seq"]
    assert ack("agency", alerts[0]["id"]).json()["change_seq"] == done.json()["change_seq"]  # idempotent
    assert ack("admin", ez_alert["id"]).status_code == 200
    assert ack("admin", 10**9).status_code == 404
    unacked = get("agency", "/v1/alerts", acknowledged="false").json()["items"]
    assert alerts[0]["id"] not in {a["id"] for a in unacked}
    polled = get("agency", "/v1/alerts", since=alerts[-1]["change_seq"]).json()["items"]
    assert [a["id"] for a in polled] == [alerts[0]["id"]]

    # uploads: operators only for their own objects, agencies and analysts not at all
    text = scenario_omm_csv()
    for role in ("agency", "analyst"):
        assert upload(client, keys[role], text).status_code == 403
    assert upload(client, "ssa_x_y", text).status_code == 401
    mine = upload(client, keys["operator"], iss_tle_or_catalog_tle(text) + text.split("\n", 1)[0] + "\n").json()
    assert mine["n_new"] == 1
    refused = upload(client, keys["operator"], text).json()
    assert refused["n_records"] == 1 and len(refused["rejected"]) == 8
    assert all("NORAD_CAT_ID" in r["reason"] and r["NORAD_CAT_ID"] != ISS for r in refused["rejected"])


def test_rate_limit_and_keys(tmp_path, database_url):
    store = migrated_store(database_url)
    app = create_app(make_settings(tmp_path, database_url, rate_limit_per_minute=3), store=store)
    key = store.create_key("analyst")
    with pytest.raises(ValueError, match="role"):
        store.create_key("superuser")
    with pytest.raises(ValueError, match="party"):
        store.create_key("agency")
    with TestClient(app) as client:
        statuses = [client.get("/v1/parties", headers={"X-API-Key": key}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/v1/parties", headers={"X-API-Key": key})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        # the key is stored hashed: the secret part is nowhere in the store
        from sqlalchemy import text
        with store.engine.connect() as conn:
            stored = conn.execute(text("SELECT key_id, secret_sha256 FROM api_keys")).all()
        assert key.split("_", 2)[2] not in str(stored)
        assert client.get("/v1/parties", headers={"X-API-Key": key[:-1] + "x"}).status_code == 401
    store.engine.dispose()


def test_events_close_when_their_tca_passes(service):
    client, store, admin = service
    h = {"X-API-Key": admin}
    assert upload(client, admin, scenario_omm_csv()).status_code == 201
    run_job_with_reference(store)
    events, since = poll_all(client, admin, 0)
    cut = sorted(ev["TCA"] for ev in events)[len(events) // 2]
    from datetime import datetime
    closed = store.close_passed(datetime.fromisoformat(cut))
    passed = {ev["id"] for ev in events if ev["TCA"] < cut}
    assert closed == len(passed) > 0
    changed, _ = poll_all(client, admin, since)
    assert {ev["id"] for ev in changed} == passed
    assert all(ev["status"] == "closed" and ev["close_reason"] == "TCA_PASSED" for ev in changed)
    history = client.get(f"/v1/conjunctions/{changed[0]['id']}", headers=h).json()["history"]
    assert [e["kind"] for e in history] == ["created", "closed"]
    assert store.close_passed(datetime.fromisoformat(cut)) == 0


def test_settings_file_and_keys_cli(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from ssa.cli import app as cli
    from ssa.serve.settings import Settings

    settings_file = tmp_path / "ssa.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "from-file"}"\nthreshold_km = 2.5\nwindow_days = 3\n')
    monkeypatch.setenv("SSA_SETTINGS_FILE", str(settings_file))
    monkeypatch.setenv("SSA_WINDOW_DAYS", "4")  # the environment wins over the file
    settings = Settings()
    assert (settings.threshold_km, settings.window_days) == (2.5, 4.0)
    assert settings.resolved_database_url() == f"sqlite:///{(tmp_path / 'from-file' / 'ssa.sqlite3').resolve()}"

    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "create", "--role", "operator", "--party", "ISS-OPS", "--objects", "25544,52759"])
    assert made.exit_code == 0, made.output
    key = made.output.strip()
    store = migrated_store(settings.resolved_database_url())
    who = store.lookup_key(key)
    assert (who.role, who.party, who.objects) == ("operator", "ISS-OPS", [25544, 52759])
    refused = runner.invoke(cli, ["keys", "create", "--role", "agency"])
    assert refused.exit_code != 0 and "party" in refused.output
    key_id = key.split("_")[1]
    listed = runner.invoke(cli, ["keys", "list"])
    assert key_id in listed.output and key.split("_", 2)[2] not in listed.output
    assert runner.invoke(cli, ["keys", "revoke", key_id]).exit_code == 0
    assert store.lookup_key(key) is None
    assert runner.invoke(cli, ["keys", "revoke", key_id]).exit_code != 0
    store.engine.dispose()


def test_migrations_create_the_model_schema(database_url):
    """alembic's head revision and the SQLAlchemy models agree, column types included."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ssa.serve.models import Base

    store = migrated_store(database_url)
    store.migrate()  # migrating again is a no-op
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
    store.engine.dispose()


def test_job_lease_reclaim_and_stale_worker_commits_nothing(database_url):
    """A job is claimed by one worker at a time; when its lease runs out another
    worker takes it, and the first one's heartbeat and results are refused."""
    import time

    from sqlalchemy import func, select

    from serve_helpers import THRESHOLD_KM, WINDOW_DAYS
    from ssa.screen.reference import reference_screen
    from ssa.serve.models import Event, Job
    from ssa.serve.pipeline import window_for

    store = migrated_store(database_url)
    queued = ingest_text_scenario(store)
    first = store.claim_job("worker-a", lease_s=0.5)
    assert first.id == queued and store.claim_job("worker-b", lease_s=60) is None  # leased
    assert store.heartbeat(first.id, "worker-a", 0.5, 0.3, "screening")
    time.sleep(0.6)
    second = store.claim_job("worker-b", lease_s=60)  # lease ran out: re-claimed
    assert second.id == first.id and second.attempts == 2
    assert not store.heartbeat(first.id, "worker-a", 0.5, 0.5, "screening")

    catalog = store.catalog_for_version(second.catalog_version_id)
    start, end = window_for(catalog, "catalog", WINDOW_DAYS)
    rows = reference_screen(catalog, start, WINDOW_DAYS, THRESHOLD_KM)
    assert store.complete_job(first.id, "worker-a", rows, None, start, end, THRESHOLD_KM, catalog.norad_id) is None
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0
    summary = store.complete_job(second.id, "worker-b", rows, None, start, end, THRESHOLD_KM, catalog.norad_id)
    assert summary.created == len(rows) > 0
    assert store.complete_job(second.id, "worker-b", rows, None, start, end, THRESHOLD_KM, catalog.norad_id) is None
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == len(rows)
    assert store.claim_job("worker-c", lease_s=60) is None

    # two catalogue versions queued: the older job is superseded, not screened
    from ssa.serve.pipeline import ingest_text
    older = ingest_text(store, iss_tle_or_catalog_tle(scenario_omm_csv()), "v2").job_id
    newer = ingest_text(store, scenario_omm_csv(ids=(48876,)), "v3").job_id  # BRIK-II, not yet stored
    assert older is not None and newer is not None
    claimed = store.claim_job("worker-d", lease_s=60)
    assert claimed.id == older and store.supersede(older, "worker-d") == newer
    with store.session() as s:
        assert s.get(Job, older).status == "superseded"
    assert store.claim_job("worker-d", lease_s=60).id == newer and store.supersede(newer, "worker-d") is None
    store.engine.dispose()


def ingest_text_scenario(store) -> int:
    from ssa.serve.pipeline import ingest_text

    return ingest_text(store, scenario_omm_csv(), "lease-test").job_id
