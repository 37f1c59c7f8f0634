"""The store, jobs and worker under concurrency and failure (issue 11, items 1, 2,
4, 5, 9): two workers never store an event twice, a job never commits over a
newer catalogue version's results, work is bounded (stale element sets, job
timeout, attempts), a job reads only what it screens, and the watch folder
survives bad files and does not re-read unchanged ones."""
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import event, func, select, update

from paths import REPO
from serve_helpers import make_settings, migrated_store, scenario_omm_csv, wait_until
from ssa.screen import CONJUNCTION_DTYPE
from ssa.serve import pipeline
from ssa.serve.models import Elset, Event, EventUpdate, Job
from ssa.serve.store import apply_screening, utcnow
from ssa.serve.worker import Worker
from ssa.timeutil import datetime_to_jd, jd_to_datetime


def leo_catalog(n: int):
    """n objects with periods under 100 min, spread over the shipped 2024-11-01 catalogue."""
    from ssa.catalog import SHIPPED_CATALOG, load

    full = load(SHIPPED_CATALOG)
    leo = np.flatnonzero(full.no_kozai > 2 * np.pi / 100.0)
    return full.take(leo[:: max(1, len(leo) // n)][:n])


def shifted(catalog, days: int):
    """The same element sets with their epochs moved by whole `days` (a crafted upload)."""
    out = catalog.take(np.arange(len(catalog)))
    out.epoch_jd = out.epoch_jd + days
    if out.epoch_days is not None:
        out.epoch_days = out.epoch_days + days
    return out


def one_conjunction(n1: int, n2: int) -> np.ndarray:
    """A screening row for the pair at 2024-11-01T12:00 UTC (LEO states, TEME km, km/s)."""
    row = np.zeros(1, dtype=CONJUNCTION_DTYPE)
    row["norad_id_1"], row["norad_id_2"] = n1, n2
    row["tca"] = np.datetime64("2024-11-01T12:00")
    row["tca_jd"], row["tca_fr"] = 2460615.5, 0.5
    row["range_km"], row["relative_speed_km_s"] = 1.5, 10.0
    row["r1"], row["v1"] = (7000.0, 0.0, 0.0), (0.0, 7.5, 0.0)
    row["r2"], row["v2"] = (7000.0, 1.5, 0.0), (0.0, 0.0, 7.5)
    return row


def job_of(store, job_id):
    with store.session() as s:
        return s.get(Job, job_id)


def worker_env(url, tmp_path, **extra):
    env = dict(os.environ, SSA_DATABASE_URL=url, SSA_DATA_DIR=str(tmp_path), SSA_WINDOW_START="catalog",
               SSA_WINDOW_DAYS="0.5", SSA_THRESHOLD_KM="10", SSA_WORKER_POLL_S="0.2",
               SSA_WATCH_DIR=str(tmp_path / "none"))
    env.update({f"SSA_{k.upper()}": str(v) for k, v in extra.items()})
    return env


def connected(url, application_name) -> int:
    """How many connections the PostgreSQL server has under `application_name`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"),
                               {"a": application_name})
    finally:
        engine.dispose()


# ---- item 1: commits serialise; two workers store each event once -----------------------------------
def test_a_commit_reads_open_events_only_after_the_one_before_it(database_url):
    """Worker 1's commit holds the change counter; worker 2's commit of the same
    encounter waits for it and then continues worker 1's event instead of opening
    a second one (PostgreSQL read the open events before waiting: two events)."""
    store = migrated_store(database_url)
    catalog = leo_catalog(3)
    store.ingest(catalog.take([0, 1]), "v1", "v1")
    store.ingest(catalog, "v2", "v2")
    job1, job2 = store.claim_job("w1", 60), store.claim_job("w2", 60)
    row = one_conjunction(int(catalog.norad_id[0]), int(catalog.norad_id[1]))
    window = (datetime(2024, 11, 1), datetime(2024, 11, 2))
    second = {}
    with store.session.begin() as s:  # worker 1's commit, open until the block ends
        apply_screening(s, job1.id, row, None, *window, catalog.norad_id[:2])
        waiting = threading.Thread(target=lambda: second.update(summary=store.complete_job(
            job2.id, "w2", row, None, *window, 10.0, catalog.norad_id)))
        waiting.start()
        time.sleep(1.0)
        assert waiting.is_alive()  # blocked behind worker 1's commit
    waiting.join(60)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 1
    assert second["summary"].created == 0 and second["summary"].unchanged == 1
    store.engine.dispose()


@pytest.mark.slow
def test_two_worker_processes_store_each_event_once(tmp_path, database_url):
    """Two `ssa worker` processes on the local PostgreSQL screen two catalogue versions
    uploaded back to back: one event per encounter, one history row per change. Whether the
    two jobs overlap depends on the machine's speed (job 1 usually still screens when job 2
    is claimed); the interleaving that used to duplicate events (commits reading open events
    before the counter lock) is forced deterministically by the test above, this one runs
    the real processes. (Holding one worker with SIGSTOP to force the overlap froze the other
    under load: a stopped process keeps whatever it holds.)"""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers by itself: this is PostgreSQL's test")
    url = database_url
    store = migrated_store(url)
    catalog = leo_catalog(1000)
    # 1.5 days: job 1 screens for many seconds, longer than uploading version 2 takes; a lease
    # far longer than any stall of a loaded machine, so no job is re-claimed
    env = worker_env(url, tmp_path, job_lease_s=600, threshold_km=30, window_days=1.5)
    names = [f"ssa-worker-test-{os.getpid()}-{time.monotonic_ns()}-{i}" for i in range(2)]
    workers = [subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "worker"],
                                env=dict(env, SSA_DATABASE_URL=f"{url}&application_name={name}"),  # seen by the test
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in names]
    try:
        wait_until(lambda: all(connected(url, name) for name in names), 300, "both workers to connect to the store")
        first = store.ingest(catalog.take(np.arange(len(catalog) - 1)), "v1", "v1").job_id
        wait_until(lambda: job_of(store, first).status != "queued", 300, "a worker to claim job 1")
        second = store.ingest(catalog, "v2", "v2").job_id
        wait_until(lambda: {job_of(store, j).status for j in (first, second)} <= {"done", "superseded"}, 600,
                   "both jobs to end")
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(10)
            except subprocess.TimeoutExpired:
                w.kill()
    assert job_of(store, second).status == "done", job_of(store, second).error
    with store.session() as s:
        events = s.execute(select(Event.norad_id_1, Event.norad_id_2, Event.tca, Event.persistent)).all()
        history = s.execute(select(EventUpdate.event_id, EventUpdate.job_id, EventUpdate.kind)).all()
    encounters = {(n1, n2, round((tca - datetime(2024, 1, 1)).total_seconds()), p) for n1, n2, tca, p in events}
    assert len(events) > 100 and len(encounters) == len(events) == job_of(store, second).n_conjunctions
    assert len(history) == len(set(history))
    store.engine.dispose()


# ---- item 2: kill -9 mid-job, restart: never commit over a newer completed version ----------------------
@pytest.mark.slow
def test_a_killed_job_reclaimed_after_a_newer_version_completed_is_superseded(tmp_path, database_url):
    """kill -9 the worker during job 1, upload version 2, restart: job 2 completes;
    when job 1's lease has run out and a worker re-claims it, job 1 is superseded
    and none of its (older) results are committed."""
    store = migrated_store(database_url)
    catalog = leo_catalog(600)
    job1 = store.ingest(catalog.take(np.arange(len(catalog) - 1)), "v1", "v1").job_id
    env = worker_env(database_url, tmp_path, job_lease_s=300)
    killed = subprocess.Popen([sys.executable, "-m", "ssa.serve.worker"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: job_of(store, job1).status == "running", 60, "the first worker to claim job 1")
        time.sleep(1.0)
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
    finally:
        if killed.poll() is None:
            killed.kill()
    job2 = store.ingest(catalog, "v2", "v2").job_id

    def worker_once():
        run = subprocess.run([sys.executable, "-c", "from ssa.cli import app; app()", "worker", "--once"], env=env,
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]

    worker_once()  # job 1's lease still runs: the restarted worker takes job 2
    assert job_of(store, job2).status == "done" and job_of(store, job1).status == "running"
    with store.session.begin() as s:  # job 1's lease runs out (written, not waited for)
        s.execute(update(Job).where(Job.id == job1).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    worker_once()
    stale = job_of(store, job1)
    assert stale.status == "superseded" and stale.message == f"superseded by job {job2}" and stale.attempts == 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == job_of(store, job2).n_conjunctions > 0
        assert s.scalar(select(func.count()).where(EventUpdate.job_id == job1)) == 0
        assert set(s.scalars(select(Event.last_job_id))) == {job2}
    store.engine.dispose()


def test_an_older_job_finishing_after_a_newer_one_commits_nothing(database_url):
    """Two workers: the job of version 2 completes while job 1 still screens; job 1's
    commit is refused (superseded), the events keep version 2's values."""
    store = migrated_store(database_url)
    catalog = leo_catalog(3)
    store.ingest(catalog.take([0, 1]), "v1", "v1")
    store.ingest(catalog, "v2", "v2")
    job1, job2 = store.claim_job("w1", 60), store.claim_job("w2", 60)
    window = (datetime(2024, 11, 1), datetime(2024, 11, 2))
    newer = one_conjunction(int(catalog.norad_id[0]), int(catalog.norad_id[1]))
    older = newer.copy()
    older["range_km"] = 4.0
    assert store.complete_job(job2.id, "w2", newer, None, *window, 10.0, catalog.norad_id).created == 1
    assert store.complete_job(job1.id, "w1", older, None, *window, 10.0, catalog.norad_id[:2]) is None
    assert job_of(store, job1.id).status == "superseded"
    with store.session() as s:
        assert s.scalars(select(Event.range_km)).all() == [1.5]
    store.engine.dispose()


# ---- item 4: bounded work -----------------------------------------------------------------------------------
def test_stale_and_future_element_sets_are_not_screened_and_are_reported(tmp_path, database_url):
    """Window from now: element sets of today are screened; one seven months old and
    one dated thirty years ahead are left out and listed as stopped with the reason."""
    store = migrated_store(database_url)
    catalog = leo_catalog(40)
    newest = np.max(catalog.epoch_jd + catalog.epoch_fr)
    catalog = catalog.take(np.flatnonzero(catalog.epoch_jd + catalog.epoch_fr > newest - 20.0))
    now_jd = datetime_to_jd(utcnow())
    fresh = shifted(catalog, int(now_jd - newest))  # newest epoch in the last day, all within 21 days
    old, future = shifted(fresh.take([0]), -213), shifted(fresh.take([1]), 365 * 30)
    old.norad_id, future.norad_id = np.array([900001]), np.array([900002])
    merged = fresh.take(np.arange(len(fresh)))
    for name in merged.array_fields():
        if getattr(merged, name) is not None:
            setattr(merged, name, np.concatenate([getattr(c, name) for c in (fresh, old, future)]))
    job_id = store.ingest(merged, "now", "now").job_id
    settings = make_settings(tmp_path, database_url, window_start="now", window_days=0.2, threshold_km=10.0,
                             max_elset_age_days=30.0)
    assert Worker(store, settings).run_once()
    job = job_of(store, job_id)
    assert job.status == "done", job.error
    assert job.n_objects == len(fresh) and job.message == "done; 2 objects not screened"
    stopped = {s["norad_id"]: s for s in job.stopped}
    assert set(stopped) == {900001, 900002}
    assert "d from the screening window (limit 30 d)" in stopped[900001]["reason"]
    assert int(stopped[900002]["epoch"][:4]) >= utcnow().year + 29
    from fastapi.testclient import TestClient

    from ssa.serve.app import create_app
    with TestClient(create_app(settings, store=store)) as client:
        shown = client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": store.create_key("analyst")}).json()
    assert {s["norad_id"]: s["reason"] for s in shown["stopped"]} == {n: s["reason"] for n, s in stopped.items()}
    store.engine.dispose()


def test_a_job_lists_an_object_sgp4_stopped_in_the_window_with_its_reason(tmp_path, database_url):
    """An element set that decays inside the window (a crafted drag term, B* = 10 /earth radii)
    is reported in the job record as the CLI reports it: SGP4 error code and its message."""
    from ssa.propagate import ERROR_MESSAGES

    store = migrated_store(database_url)
    catalog = leo_catalog(20)
    catalog.bstar = catalog.bstar.copy()
    catalog.bstar[0] = 10.0
    job_id = store.ingest(catalog, "decay", "decay").job_id
    settings = make_settings(tmp_path, database_url, window_days=1.0, threshold_km=5.0)
    assert Worker(store, settings).run_once()
    job = job_of(store, job_id)
    assert job.status == "done", job.error
    assert [s["norad_id"] for s in job.stopped] == [int(catalog.norad_id[0])]
    stop = job.stopped[0]
    assert stop["error"] == 6 and stop["reason"].startswith("SGP4 error 6 at +")
    assert stop["reason"].endswith(ERROR_MESSAGES[6])
    store.engine.dispose()


def test_a_future_element_set_does_not_move_a_replay_window():
    """window_start='catalog': the window starts at the newest epoch not in the future."""
    catalog = leo_catalog(5)
    catalog.epoch_jd = catalog.epoch_jd + np.where(np.arange(5) == 0, 365 * 30, 0)
    epochs = catalog.epoch_jd + catalog.epoch_fr
    expected = 1 + int(np.argmax(epochs[1:]))
    start, end = pipeline.window_for(catalog, "catalog", 1.0)
    assert start == jd_to_datetime(catalog.epoch_jd[expected], catalog.epoch_fr[expected])
    assert end - start == timedelta(days=1)


def test_a_job_lists_at_most_100_objects_it_did_not_screen(tmp_path, database_url):
    """The shipped 2024 catalogue screened from now (2026): every object is stale; the
    job ends at once, lists 100 of them and gives the count."""
    store = migrated_store(database_url)
    catalog = leo_catalog(300)
    job_id = store.ingest(catalog, "old", "old").job_id
    assert Worker(store, make_settings(tmp_path, database_url, window_start="now")).run_once()
    job = job_of(store, job_id)
    assert job.status == "done" and job.n_objects == 0 and job.n_conjunctions == 0
    assert job.message == f"done; {len(catalog)} objects not screened (the first 100 listed)"
    assert len(job.stopped) == 100 and all("limit 30 d" in s["reason"] for s in job.stopped)
    store.engine.dispose()


def test_a_job_past_its_timeout_is_failed_with_the_reason(tmp_path, database_url):
    store = migrated_store(database_url)
    job_id = store.ingest(leo_catalog(200), "t", "t").job_id
    settings = make_settings(tmp_path, database_url, window_days=0.5, threshold_km=10.0, job_timeout_s=1e-3)
    assert Worker(store, settings).run_once()
    job = job_of(store, job_id)
    assert job.status == "failed" and job.error.startswith("timed out: still screening after 0.001 s")
    store.engine.dispose()


def test_a_job_whose_workers_keep_dying_is_failed_after_max_attempts(database_url):
    """Each claim's worker dies (its lease runs out); after the third the job is
    failed with the reason instead of being claimed a fourth time."""
    store = migrated_store(database_url)
    job_id = store.ingest(leo_catalog(3), "a", "a").job_id
    for k in range(3):
        assert store.claim_job(f"dies-{k}", lease_s=-1.0, max_attempts=3).id == job_id
    assert store.claim_job("next", lease_s=60.0, max_attempts=3) is None
    job = job_of(store, job_id)
    assert job.status == "failed" and job.attempts == 3
    assert job.error == "gave up after 3 attempts: the lease of worker dies-2 ran out without a result " \
                        "(worker killed or stuck)"
    store.engine.dispose()


# ---- item 5: a job reads what it screens; the watch folder remembers files ----------------------------------
def test_a_job_reads_only_the_newest_element_set_of_each_object(database_url):
    store = migrated_store(database_url)
    catalog = leo_catalog(30)
    versions = [store.ingest(shifted(catalog, days), f"v{days}", f"v{days}").catalog_version_id
                for days in range(5)]
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        newest = store.catalog_for_version(versions[-1])
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    with store.engine.connect() as conn:  # the rows those statements return
        fetched = sum(len(conn.exec_driver_sql(statement, parameters).all()) for statement, parameters in statements)
    assert fetched == len(catalog) == len(newest)  # 30 rows read, not 150 (nor every object's owner)
    order = newest.index_of(catalog.norad_id)
    assert np.array_equal(newest.epoch_jd[order], catalog.epoch_jd + 4)
    assert np.array_equal(newest.epoch_days[order], catalog.epoch_days + 4)
    assert np.array_equal(newest.owner[order], catalog.owner)
    some = catalog.norad_id[:3]
    older = store.catalog_for_version(versions[1], norad_ids=some)
    assert np.array_equal(older.epoch_jd[older.index_of(some)], catalog.epoch_jd[:3] + 1)
    store.engine.dispose()


def test_the_watch_folder_reads_a_file_again_only_when_it_changes(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
    store = migrated_store(url)
    watch = tmp_path / "incoming"
    watch.mkdir()
    (watch / "a.csv").write_text(scenario_omm_csv())
    parsed = []
    real = pipeline.ingest_text
    monkeypatch.setattr(pipeline, "ingest_text", lambda store, text, source, **kw: parsed.append(source) or real(
        store, text, source, **kw))
    worker = Worker(store, make_settings(tmp_path, url))
    assert len(worker.scan_watch_dir()) == 1 and parsed == ["watch:a.csv"]
    assert worker.scan_watch_dir() == [] and parsed == ["watch:a.csv"]  # unchanged: not read
    os.utime(watch / "a.csv", ns=(time.time_ns(), time.time_ns() + 10**9))
    assert worker.scan_watch_dir() == [] and parsed == ["watch:a.csv"]  # touched, same content: not parsed
    lines = scenario_omm_csv().splitlines()
    (watch / "a.csv").write_text("\n".join(lines[:-1]) + "\n")  # one record fewer: new content
    worker.scan_watch_dir()
    assert parsed == ["watch:a.csv", "watch:a.csv"]
    store.engine.dispose()


# ---- item 9: one bad watched file never stops the others ----------------------------------------------------
def test_a_bad_watched_file_is_logged_and_the_others_are_ingested(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
    store = migrated_store(url)
    watch = tmp_path / "incoming"
    watch.mkdir()
    (watch / "a.json").write_text("[" * 100_000 + "]" * 100_000)  # RecursionError in the JSON reader
    (watch / "b.pdf").write_bytes(b"%PDF-1.4")
    outside = tmp_path / "outside.csv"
    outside.write_text(scenario_omm_csv((25544,)))
    (watch / "c.csv").symlink_to(outside)
    (watch / "d.csv").write_text(scenario_omm_csv((48876, 60369)))
    worker = Worker(store, make_settings(tmp_path, url))
    with caplog.at_level(logging.WARNING, logger="ssa.worker"):
        jobs = worker.scan_watch_dir()
        assert len(jobs) == 1
        first = [r.getMessage() for r in caplog.records]
        caplog.clear()
        assert worker.scan_watch_dir() == [] and caplog.records == []  # each refusal is logged once
    assert any("a.json not ingested" in m for m in first)
    assert any("b.pdf skipped: unsupported type" in m for m in first)
    assert any("c.csv refused: a symlink out of the watched folder" in m for m in first)
    with store.session() as s:
        assert sorted(s.scalars(select(Elset.norad_id))) == [48876, 60369]
    store.engine.dispose()
