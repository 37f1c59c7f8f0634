"""Webhook delivery of alerts to a real HTTP receiver on 127.0.0.1 that fails,
times out and succeeds in turn: each alert arrives exactly once by delivery id,
every request is signed, every attempt is logged, retries back off
exponentially and the last failed try dead-letters. Real SQLite file and PostgreSQL."""
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from serve_helpers import make_settings, migrated_store, space_weather, wait_until
from ssa.serve.app import create_app
from ssa.serve.delivery import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, DeliveryLoop, verify_signature

TIMEOUT_S = 0.5
BACKOFF_S = 0.05


class Receiver:
    """A webhook receiver answering each request as `script` says in turn ('fail': 500,
    'timeout': no answer within the service's timeout, 'ok': 200), then 'ok'."""

    def __init__(self, script=()):
        self.script, self.requests, self.accepted = list(script), [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                behaviour = receiver.script.pop(0) if receiver.script else "ok"
                receiver.requests.append((self.headers, body, behaviour))  # case-insensitive
                if behaviour == "timeout":
                    time.sleep(TIMEOUT_S * 3)
                    return  # the service has given up: no answer
                if behaviour == "ok":
                    receiver.accepted.append(self.headers[DELIVERY_HEADER])
                self.send_response(200 if behaviour == "ok" else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def delivery_service(tmp_path, database_url):
    """(TestClient, store, admin key, DeliveryLoop) with short timeouts and backoff."""
    settings = make_settings(tmp_path, database_url, delivery_timeout_s=TIMEOUT_S, delivery_backoff_s=BACKOFF_S,
                             delivery_max_attempts=4)
    store = migrated_store(database_url)
    with TestClient(create_app(settings, store=store)) as client:
        yield client, store, store.create_key("admin"), DeliveryLoop(store, settings)
    store.engine.dispose()


def subscribe(client, admin, party, url):
    answer = client.post("/v1/subscriptions", json={"party": party, "url": url}, headers={"X-API-Key": admin})
    assert answer.status_code == 201, answer.text
    return answer.json()


def deliveries(client, admin, sub_id):
    answer = client.get(f"/v1/subscriptions/{sub_id}/deliveries", headers={"X-API-Key": admin})
    assert answer.status_code == 200, answer.text
    return answer.json()


def run_until_settled(loop, client, admin, sub_id, n, timeout_s=30.0):
    def settled():
        loop.run_once()
        rows = deliveries(client, admin, sub_id)
        return rows if len(rows) == n and all(d["status"] != "pending" for d in rows) else None
    return wait_until(settled, timeout_s, f"{n} deliveries to settle")


def test_each_alert_arrives_once_signed_after_failures_and_timeouts(delivery_service):
    client, store, admin, loop = delivery_service
    receiver = Receiver(["fail", "timeout", "ok", "timeout", "fail", "ok", "ok"])
    try:
        sub = subscribe(client, admin, "knmi", receiver.url)
        other = store.create_key("agency", party="knmi")
        made = [client.post("/v1/incidents", json=space_weather(), headers={"X-API-Key": other}).json()
                for _ in range(3)]
        alert_ids = {a["id"] for m in made for a in m["alerts"] if a["party"] == "knmi"}
        assert len(alert_ids) == 3
        rows = run_until_settled(loop, client, admin, sub["id"], 3)
    finally:
        receiver.close()

    assert {d["alert_id"] for d in rows} == alert_ids and {d["status"] for d in rows} == {"delivered"}
    by_id = {d["delivery_id"]: d for d in rows}
    assert sorted(receiver.accepted) == sorted(by_id)  # each alert exactly once by delivery id
    for headers, body, _ in receiver.requests:
        assert verify_signature(sub["secret"], body, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])
        assert not verify_signature("whsec_wrong", body, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])
        payload = json.loads(body)
        delivery = by_id[headers[DELIVERY_HEADER]]  # retries carry the same delivery id
        assert payload["delivery_id"] == delivery["delivery_id"] and payload["alert"]["id"] == delivery["alert_id"]
        assert payload["alert"]["party"] == "knmi" and payload["alert"]["incident"]["incident"] == "space_weather"
    logged = [(a["status_code"], a["error"]) for d in rows for a in d["attempts"]]
    assert len(logged) == len(receiver.requests) == 7
    assert logged.count((200, None)) == 3 and logged.count((500, "HTTP 500 Internal Server Error")) == 2
    timeouts = [a["error"] for d in rows for a in d["attempts"] if a["status_code"] is None]
    assert len(timeouts) == 2 and all("timed out" in e for e in timeouts), timeouts
    for d in rows:
        attempts = d["attempts"]
        for k in range(1, len(attempts)):  # waits at least backoff * 2**(k-1) after the k-th failure
            gap = (datetime.fromisoformat(attempts[k]["started_at"])
                   - datetime.fromisoformat(attempts[k - 1]["started_at"])).total_seconds()
            assert gap >= BACKOFF_S * 2 ** (k - 1) + attempts[k - 1]["duration_s"] - 1e-3

    # nothing more happens: no alert is sent twice
    loop.run_once()
    assert len(receiver.requests) == 7


def test_dead_letter_after_the_last_try_and_revoked_subscriptions_get_nothing(delivery_service):
    client, store, admin, loop = delivery_service
    receiver = Receiver(["fail"] * 10)
    try:
        sub = subscribe(client, admin, "knmi", receiver.url)
        client.post("/v1/incidents", json=space_weather(), headers={"X-API-Key": admin})
        [dead] = run_until_settled(loop, client, admin, sub["id"], 1)
        assert dead["status"] == "dead" and dead["finished_at"] and len(dead["attempts"]) == 4
        assert [a["status_code"] for a in dead["attempts"]] == [500] * 4 and len(receiver.requests) == 4
        time.sleep(BACKOFF_S * 16)
        loop.run_once()
        assert len(receiver.requests) == 4

        revoked = client.delete(f"/v1/subscriptions/{sub['id']}", headers={"X-API-Key": admin})
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        client.post("/v1/incidents", json=space_weather(), headers={"X-API-Key": admin})
        loop.run_once()
        assert len(receiver.requests) == 4 and len(deliveries(client, admin, sub["id"])) == 1
    finally:
        receiver.close()


BAD_URLS = ["ftp://127.0.0.1/hook", "file:///etc/passwd", "http://user:pw@127.0.0.1/hook", "127.0.0.1:8080/hook",
            "http:///hook", "http://127.0.0.1:99999/hook", "javascript:alert(1)"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_subscription_urls_are_checked(delivery_service, url):
    client, _, admin, _ = delivery_service
    answer = client.post("/v1/subscriptions", json={"party": "knmi", "url": url}, headers={"X-API-Key": admin})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "url", answer.text


def test_subscriptions_are_admin_only_and_name_a_known_party(delivery_service):
    client, store, admin, _ = delivery_service
    knmi = store.create_key("agency", party="knmi")
    body = {"party": "knmi", "url": "http://127.0.0.1:9/hook"}
    assert client.post("/v1/subscriptions", json=body, headers={"X-API-Key": knmi}).status_code == 403
    assert client.get("/v1/subscriptions", headers={"X-API-Key": knmi}).status_code == 403
    unknown = client.post("/v1/subscriptions", json=dict(body, party="nobody"), headers={"X-API-Key": admin})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "party"
    made = subscribe(client, admin, "knmi", body["url"])
    listed = client.get("/v1/subscriptions", headers={"X-API-Key": admin}).json()
    assert [s["id"] for s in listed] == [made["id"]] and "secret" not in listed[0]


def test_private_targets_refused_when_the_setting_says_so(tmp_path, database_url):
    store = migrated_store(database_url)
    settings = make_settings(tmp_path, database_url, delivery_refuse_private_targets=True)
    try:
        with TestClient(create_app(settings, store=store)) as client:
            admin = store.create_key("admin")
            for url, status in (("http://10.1.2.3/hook", 422), ("http://169.254.169.254/latest", 422),
                                ("http://[fd00::1]/hook", 422), ("http://127.0.0.1:9/hook", 201)):
                answer = client.post("/v1/subscriptions", json={"party": "knmi", "url": url},
                                     headers={"X-API-Key": admin})
                assert answer.status_code == status, (url, answer.text)
    finally:
        store.engine.dispose()


@pytest.mark.slow
def test_ssa_worker_delivers_while_the_api_keeps_answering(tmp_path, database_url):
    """A real `ssa worker` process runs the delivery loop; while the receiver holds a
    request until the timeout, the API answers reports and polls at once."""
    import os
    import subprocess
    import sys

    from paths import REPO

    store = migrated_store(database_url)
    receiver = Receiver(["timeout"])
    env = dict(os.environ, SSA_DATABASE_URL=database_url, SSA_DATA_DIR=str(tmp_path), SSA_WATCH_DIR=str(tmp_path / "none"),
               SSA_DELIVERY_TIMEOUT_S=str(TIMEOUT_S * 4), SSA_DELIVERY_BACKOFF_S=str(BACKOFF_S),
               SSA_DELIVERY_POLL_S="0.1", SSA_WORKER_POLL_S="0.2")
    worker = subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "worker"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with TestClient(create_app(make_settings(tmp_path, database_url), store=store)) as client:
            admin = store.create_key("admin")
            sub = subscribe(client, admin, "knmi", receiver.url)
            client.post("/v1/incidents", json=space_weather(), headers={"X-API-Key": admin})
            wait_until(lambda: receiver.requests, 60.0, "the worker's first delivery attempt")
            started = time.monotonic()  # the receiver now holds that attempt for TIMEOUT_S * 3, then hangs up
            assert client.post("/v1/incidents", json=space_weather(), headers={"X-API-Key": admin}).status_code == 201
            assert client.get("/v1/alerts", headers={"X-API-Key": admin}).status_code == 200
            assert time.monotonic() - started < TIMEOUT_S * 3
            rows = wait_until(lambda: [d for d in deliveries(client, admin, sub["id"]) if d["status"] == "delivered"]
                              if len(receiver.accepted) == 2 else None, 60.0, "both alerts delivered")
            assert sorted(receiver.accepted) == sorted(d["delivery_id"] for d in rows)
            assert len(rows[0]["attempts"]) + len(rows[1]["attempts"]) == 3
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.close()
        store.engine.dispose()
