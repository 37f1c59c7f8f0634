"""Helpers for the serve tests: a small real scenario and an independent
brute-force screening (ssa.screen.reference, python-sgp4) for the worker's part.

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
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from paths import SHARED_DATA, SHIPPED_CATALOG
from ssa.screen.reference import reference_screen

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
    with open(SHIPPED_CATALOG, newline="") as handle:
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


def soon(hours: float = 1.0) -> str:
    """ISO-8601 UTC text (Z) `hours` from now."""
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def space_weather(kp: float = 8) -> dict:
    """An incoming space-weather incident (ssa.respond.Alert shape) with Kp `kp`, one hour from now."""
    return {"id": "storm", "incident": "space_weather", "objects": [], "tca": soon(), "evidence": {"kp": kp}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """`ssa serve` in a subprocess on the store at `url`, no worker; its log in folder/server.log."""

    def __init__(self, folder: Path, url: str, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        settings = dict(SSA_DATA_DIR=str(folder), SSA_DATABASE_URL=url, SSA_EMBEDDED_WORKER="false",
                        SSA_HOST="127.0.0.1", SSA_PORT=str(self.port), SSA_RATE_LIMIT_PER_MINUTE="100000")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "serve"],
                                            env=dict(os.environ, **settings, **env), stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.base + "/healthz", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server did not start: {self.log.read_text()}")

    def api(self, method: str, path: str, key: str, **kwargs) -> httpx.Response:
        return httpx.request(method, self.base + path, headers={"X-API-Key": key}, timeout=60, **kwargs)

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
