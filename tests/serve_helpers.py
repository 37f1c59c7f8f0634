"""Helpers for the serve tests: a small real scenario and an independent
python-sgp4 screening that produces rows in the screening contract's shape.

Scenario (python-sgp4 numbers): the ISS, the Crew Dragon docked to it and
objects passing close on 2024-10-31..11-03 (CelesTrak catalogue of 2024-11-01,
shipped in catalogs/), then two newer ISS element sets from the ISS TLE history
in ../shared/data (read, not copied). With a threshold of 18.78 km and windows
of 1.5 days from the newest epoch, catalogue B moves ISS/STARLINK-31347 from
18.718 km to 18.848 km (out of threshold), updates the other ISS events by tens
of ms and hundreds of metres, leaves the pairs without the ISS unchanged, and
brings GLOBAL-20 in; catalogue C passes the TCA of most and brings new ones.
"""
from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sgp4.api import SatrecArray, jday

from ssa.screen import CONJUNCTION_DTYPE
from ssa.screen.table import rtn_miss

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ISS_HISTORY = SHARED_DATA / "events" / "iss_25544_tle_history_2020-2024.txt"

ISS = 25544
CREW_DRAGON_9 = 61447  # docked to the ISS: a persistent pair
# pass the ISS within 30 km between 2024-11-01 and 11-03 (python-sgp4, this catalogue)
ISS_NEIGHBOURS = (14032, 35341, 52197, 52759, 58568, 59183, 59676)
STARLINK_31347 = 59183
SCENARIO_IDS = (ISS, CREW_DRAGON_9) + ISS_NEIGHBOURS
ISS_LATER_EPOCHS = ("24306.16050639", "24307.19144382")  # element sets B and C
THRESHOLD_KM = 18.78
WINDOW_DAYS = 1.5


def scenario_omm_csv(ids=SCENARIO_IDS) -> str:
    """The scenario objects' rows of the shipped 2024-11-01 catalogue, as OMM CSV text."""
    with open(REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if int(r["NORAD_CAT_ID"]) in set(ids)]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def iss_tle(epoch_field: str) -> str:
    """One ISS 3LE from the TLE history, chosen by its epoch field (e.g. '24305.51614734')."""
    lines = ISS_HISTORY.read_text().splitlines()
    for k, line in enumerate(lines):
        if line.startswith("1 25544") and line[18:32] == epoch_field:
            return "ISS (ZARYA)\n" + line + "\n" + lines[k + 1] + "\n"
    raise KeyError(epoch_field)


def reference_screen(catalog, start: datetime, days: float, threshold_km: float, step_s: float = 20.0) -> np.ndarray:
    """All-vs-all close approaches with python-sgp4 (WGS-72, opsmode 'i'): sampled
    every `step_s`, each sampled minimum refined with Brent's method in seconds
    relative to its sample. Pairs within the threshold at every sample are one
    persistent row at the window start. Minima on the window edges are left out."""
    sats = catalog.satrecs()
    jd0, fr0 = jday(start.year, start.month, start.day, start.hour, start.minute,
                    start.second + start.microsecond * 1e-6)
    t_s = np.arange(0.0, days * 86400.0 + step_s / 2, step_s)
    _, r, v = SatrecArray(sats).sgp4(np.full(t_s.size, jd0), fr0 + t_s / 86400.0)
    rows = []

    def state(i, ts):
        _, ri, vi = sats[i].sgp4(jd0, fr0 + ts / 86400.0)
        return np.array(ri), np.array(vi)

    def add(i, j, ts, persistent):
        if catalog.norad_id[i] > catalog.norad_id[j]:
            i, j = j, i
        r1, v1 = state(i, ts)
        r2, v2 = state(j, ts)
        fr = fr0 + ts / 86400.0
        tca = np.datetime64(start, "us") + np.timedelta64(int(round(ts * 1e6)), "us")
        rows.append((int(catalog.norad_id[i]), str(catalog.name[i]), (jd0 - catalog.epoch_jd[i]) + (fr - catalog.epoch_fr[i]),
                     int(catalog.norad_id[j]), str(catalog.name[j]), (jd0 - catalog.epoch_jd[j]) + (fr - catalog.epoch_fr[j]),
                     tca, jd0, fr, float(np.linalg.norm(r2 - r1)), float(np.linalg.norm(v2 - v1)),
                     *rtn_miss(r1, v1, r2).tolist(), persistent, r1, v1, r2, v2))

    n = len(catalog)
    for i in range(n):
        for j in range(i + 1, n):
            d = np.linalg.norm(r[j] - r[i], axis=1)
            if np.all(d <= threshold_km):
                add(i, j, 0.0, True)
                continue
            speed = np.linalg.norm(v[j] - v[i], axis=1)
            interior = np.nonzero((d[1:-1] < d[:-2]) & (d[1:-1] <= d[2:]))[0] + 1
            for k in interior[d[interior] <= threshold_km + speed[interior] * step_s / 2 + 1.0]:
                def rng(dt, k=k):
                    (a, _), (b, _) = state(i, t_s[k] + dt), state(j, t_s[k] + dt)
                    return float(np.linalg.norm(b - a))
                best = minimize_scalar(rng, bounds=(-step_s, step_s), method="bounded", options={"xatol": 1e-6})
                if best.fun <= threshold_km:
                    add(i, j, float(t_s[k] + best.x), False)
    return np.array(rows, dtype=CONJUNCTION_DTYPE)


def scenario_uploads() -> tuple[str, str, str]:
    """The three successive uploads: A (OMM CSV), B and C (one ISS 3LE each)."""
    return scenario_omm_csv(), iss_tle(ISS_LATER_EPOCHS[0]), iss_tle(ISS_LATER_EPOCHS[1])


def run_job_with_reference(store, worker_id: str = "reference-worker", lease_s: float = 60.0):
    """Do what ssa.serve.worker does for one job, with reference_screen as the
    screening engine; returns (job id, rows, window start) or None when no job waits."""
    from ssa.serve.pipeline import window_for

    job = store.claim_job(worker_id, lease_s)
    if job is None:
        return None
    catalog = store.catalog_for_version(job.catalog_version_id)
    start, end = window_for(catalog, "catalog", WINDOW_DAYS)
    rows = reference_screen(catalog, start, WINDOW_DAYS, THRESHOLD_KM)
    summary = store.complete_job(job.id, worker_id, rows, None, start, end, THRESHOLD_KM, catalog.norad_id)
    assert summary is not None
    return job.id, rows, start, summary


def wait_until(predicate, timeout_s: float, what: str):
    """predicate()'s first truthy value, polled every 0.2 s; AssertionError after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# ---- store fixtures: a SQLite file in tmp_path, and PostgreSQL when SSA_TEST_DATABASE_URL names one ----
import os
import uuid

import pytest


def _postgres_url(schema: str) -> str:
    base = os.environ["SSA_TEST_DATABASE_URL"]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, empty store: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
        return
    if not os.environ.get("SSA_TEST_DATABASE_URL"):
        pytest.skip("SSA_TEST_DATABASE_URL is not set")
    from sqlalchemy import create_engine, text

    schema = f"ssa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(os.environ["SSA_TEST_DATABASE_URL"])
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _postgres_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def migrated_store(url: str):
    """A Store on `url` with its schema brought to the newest revision (as `ssa migrate` does)."""
    from ssa.serve.store import Store

    store = Store(url)
    store.migrate()
    return store


# the screening tests run without the detectors (tests/test_serve_findings.py runs them)
DETECTORS_OFF = dict(detect_reentry_horizon_days=0.0, detect_manoeuvres=False, detect_fragmentation=False,
                     detect_proximity=False)


def make_settings(tmp_path, database_url, **overrides):
    from ssa.serve.settings import Settings

    values = dict(data_dir=tmp_path, database_url=database_url, embedded_worker=False, window_start="catalog",
                  window_days=WINDOW_DAYS, threshold_km=THRESHOLD_KM, rate_limit_per_minute=100_000,
                  **DETECTORS_OFF)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def service(tmp_path, database_url):
    """(TestClient, store, admin key) on a fresh store; the store's engine is disposed afterwards."""
    from fastapi.testclient import TestClient

    from ssa.serve.app import create_app

    settings = make_settings(tmp_path, database_url)
    store = migrated_store(database_url)
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        yield client, store, store.create_key("admin", label="test admin")
    store.engine.dispose()
