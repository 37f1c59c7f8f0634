"""Polling throughput and latency of the alert API on loopback.

Stores N conjunction events (default 100,000) through the store's own upsert
(``Store.record_screening``): real screening rows of the shipped catalogue
(ssa.screen, 20 km, a 2,000-object sample, half a day), repeated with TCAs
shifted by whole hours until N events exist. Then `ssa serve` (uvicorn,
127.0.0.1 only, no worker unless --busy) answers P concurrent pollers (default 50, asyncio +
httpx, one API key each) for a fixed time per scenario:

- healthz (baseline): GET /healthz, no key, one tiny query;
- since-idle: GET /v1/conjunctions?since=<high water> with If-None-Match, as a
  poller that is up to date does (304s);
- since-page: GET /v1/conjunctions?since=<random>&limit=100, a poller catching up;
- cursor-page: GET /v1/conjunctions?cursor=...&limit=100 in TCA order;
- detail-json: GET /v1/conjunctions/<random id> (history and full routing);
- detail-cdm: the same as a CCSDS CDM (format=cdm-kvn).

With --busy the server runs its embedded worker (window from the catalogue's
newest epoch, 7 days, 5 km): the scenarios run once idle, then an admin key
uploads one new ISS element set through the API, which queues a screening of
the whole catalogue (every object's newest element set), and the scenarios run
again while that job runs; the job's status is printed after each scenario.

With --interval S each poller sends its next request S seconds after the
previous one started (as a poller on a schedule does; starts spread over the
first S seconds) instead of back to back: latency is then what one poll waits,
not the queue that 50 pollers always waiting build.

With --baseline DIR the same scenarios run first against a server running the
code in DIR (e.g. `git worktree add /tmp/api-base main`), on the same store with
the same pollers, then against this code: before and after in one run.

--database-url postgresql+psycopg://... runs on PostgreSQL (in a schema of its
own, dropped afterwards) instead of a SQLite file.

Prints requests/s, p50, p95 and p99 latency, the server's CPU time per request
(from /proc: what a request costs, whatever else the machine is doing), and
the ratio of each throughput to the baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(url: str, n_events: int) -> None:
    from ssa.catalog import SHIPPED_CATALOG, load
    from ssa.screen import screen
    from ssa.serve.pipeline import ingest_text
    from ssa.serve.store import Store

    store = Store(url)
    store.migrate()
    catalog = load(SHIPPED_CATALOG)
    sample = catalog.take(np.arange(0, len(catalog), len(catalog) // 2000)[:2000])
    rows = screen(sample, "2024-11-01T00:00:00", days=0.5, threshold_km=20.0)
    rows = rows[~rows["persistent"]]
    result = ingest_text(store, Path(SHIPPED_CATALOG).read_text(), "benchmark")
    copies = []
    shift = 0
    while sum(len(c) for c in copies) < n_events:
        copy = rows.copy()
        copy["tca_fr"] += shift / 24.0  # whole hours: a distinct encounter to the matcher
        copy["tca"] += np.timedelta64(shift * 3600, "s")
        copies.append(copy)
        shift += 1
    table = np.concatenate(copies)[:n_events]
    start = table["tca"].min().astype("datetime64[us]").item()
    end = table["tca"].max().astype("datetime64[us]").item()
    job = store.claim_job("benchmark", 3600)
    t = time.perf_counter()
    store.complete_job(job.id, "benchmark", table, None, start, end, 20.0, [])
    print(f"stored {len(table)} events ({len(rows)} real rows x {shift} hour shifts, job {result.job_id}) "
          f"in {time.perf_counter() - t:.1f} s")
    store.engine.dispose()


async def poll(base: str, keys: list[str], scenario: str, seconds: float, high_water: int, cursors: list[str],
               n_events: int, interval: float = 0.0):
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def poller(k: int):
        nonlocal errors
        rng = random.Random(k)
        headers = {"X-API-Key": keys[k]}
        etag = None
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await asyncio.sleep(rng.uniform(0, interval))
            while time.perf_counter() < deadline:
                if scenario == "healthz":
                    request = ("/healthz", {}, {})
                elif scenario == "since-idle":
                    request = ("/v1/conjunctions", {"since": high_water}, dict(headers, **({"If-None-Match": etag} if etag else {})))
                elif scenario == "since-page":
                    request = ("/v1/conjunctions", {"since": rng.randrange(high_water), "limit": 100}, headers)
                elif scenario == "cursor-page":
                    request = ("/v1/conjunctions", {"cursor": rng.choice(cursors), "limit": 100}, headers)
                else:
                    detail = {"format": "cdm-kvn"} if scenario == "detail-cdm" else {}
                    request = (f"/v1/conjunctions/{rng.randint(1, n_events)}", detail, headers)
                t = time.perf_counter()
                response = await client.get(request[0], params=request[1], headers=request[2])
                latencies.append(time.perf_counter() - t)
                if response.status_code not in (200, 304):
                    errors += 1
                    if errors == 1:
                        print(f"{scenario}: first error {response.status_code} {response.text[:300]}", flush=True)
                etag = response.headers.get("ETag", etag)
                if interval:
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - t)))

    await asyncio.gather(*(poller(k) for k in range(len(keys))))
    return np.array(latencies), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="per scenario")
    parser.add_argument("--interval", type=float, default=0.0, help="s between one poller's requests (0: back to back)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, healthz first")
    parser.add_argument("--busy", action="store_true", help="again while the worker screens the full catalogue")
    parser.add_argument("--baseline", type=Path, help="first the same against a server running the code in this folder")
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema of its own is made in it); default SQLite")
    args = parser.parse_args()
    if args.busy and args.baseline:
        parser.error("--busy and --baseline do not go together (the screening job outlives one server)")
    scenarios = args.scenarios.split(",")

    from ssa.serve.store import Store

    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as url:
        populate(url, args.events)
        store = Store(url)
        store.migrate()
        keys = [store.create_key("analyst", label=f"poller {k}") for k in range(args.pollers)]
        admin = store.create_key("admin", label="benchmark upload")
        store.engine.dispose()
        runs = {}
        for code, label in ((args.baseline, "baseline"), (Path(__file__).resolve().parents[1], "this code")):
            if code is None:
                continue
            with running_server(code, url, tmp, args.busy) as (base, pid):
                high_water, cursors = start_state(base, keys[0])
                runs[label] = run_scenarios(base, keys, scenarios, args, high_water, cursors, pid)
                if args.busy:
                    job = start_full_screening(base, admin)
                    runs["worker busy"] = run_scenarios(base, keys, scenarios, args, high_water, cursors, pid,
                                                        job=(admin, job))
    print(f"\n{args.events} events, {args.pollers} concurrent pollers, "
          f"{f'each every {args.interval:g} s' if args.interval else 'back to back'}, {args.seconds:.0f} s per "
          f"scenario, loopback, {url.split(':')[0]}; load average before: {LOAD_BEFORE}, after: {os.getloadavg()}")
    print("| server | scenario | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | server CPU per request (ms) | errors | "
          "throughput / healthz |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for state, results in runs.items():
        base_rate = results.get("healthz", (float("nan"),))[0]
        for scenario, (rate, p50, p95, p99, cpu_ms, errors) in results.items():
            print(f"| {state} | {scenario} | {rate:.0f} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {cpu_ms:.2f} | {errors} | "
                  f"{rate / base_rate:.2f} |")


LOAD_BEFORE = os.getloadavg()


@contextmanager
def database(url: str | None, tmp: Path):
    """A SQLite file in `tmp`, or a fresh schema in the PostgreSQL database `url`, dropped afterwards."""
    if url is None:
        yield f"sqlite:///{tmp / 'ssa.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"ssa_bench_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def running_server(code: Path, url: str, tmp: str, busy: bool):
    """`ssa serve` of the package in `code` (its working directory, first on sys.path) on the store `url`:
    (base URL, pid)."""
    import httpx

    port = free_port()
    env = dict(os.environ, SSA_DATA_DIR=tmp, SSA_DATABASE_URL=url, SSA_EMBEDDED_WORKER=str(busy).lower(),
               SSA_WINDOW_START="catalog", SSA_WINDOW_DAYS="7", SSA_THRESHOLD_KM="5",
               SSA_RATE_LIMIT_PER_MINUTE="100000000", SSA_HOST="127.0.0.1", SSA_PORT=str(port),
               PYTHONPATH=os.pathsep.join([str(code)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    server = subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "serve"], env=env, cwd=code,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")
        yield base, server.pid
    finally:
        server.terminate()  # a busy worker may hold the shutdown up: then kill
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(30)


def start_state(base: str, key: str) -> tuple[int, list[str]]:
    """(the newest change_seq, up to 200 cursors of 500-event pages in TCA order)."""
    import httpx

    high_water = httpx.get(base + "/healthz").json()["change_seq"]
    cursors, cursor = [], None
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        while len(cursors) < 200:
            page = client.get("/v1/conjunctions", params={"limit": 500} | ({"cursor": cursor} if cursor else {})).json()
            cursor = page["next_cursor"]
            if cursor is None:
                break
            cursors.append(cursor)
    return high_water, cursors


SCENARIOS = ("healthz", "since-idle", "since-page", "cursor-page", "detail-json", "detail-cdm")


def run_scenarios(base, keys, scenarios, args, high_water, cursors, pid, job=None) -> dict:
    """{scenario: (requests/s, p50, p95, p99 ms, server CPU ms per request, errors)}; with `job`
    (admin key, job id) the job's status is printed after each scenario."""
    import httpx

    results = {}
    for scenario in scenarios:
        cpu = cpu_seconds(pid)
        latencies, errors = asyncio.run(poll(base, keys, scenario, args.seconds, high_water, cursors, args.events,
                                             args.interval))
        cpu_ms = (cpu_seconds(pid) - cpu) / len(latencies) * 1000
        results[scenario] = (len(latencies) / args.seconds, *np.percentile(latencies, [50, 95, 99]) * 1000, cpu_ms, errors)
        if job is not None:
            state = httpx.get(f"{base}/v1/jobs/{job[1]}", headers={"X-API-Key": job[0]}, timeout=60).json()
            print(f"after {scenario}: job {job[1]} {state['status']}, {state['message']}, "
                  f"progress {state['progress']:.2f}", flush=True)
    return results


def start_full_screening(base: str, admin: str) -> int:
    """Upload one new ISS element set (the shipped one half a day later) through the API; the
    job it queues screens every object's newest element set. Returns the job id once it screens."""
    import csv

    import httpx
    from sgp4 import exporter, omm
    from sgp4.api import Satrec

    from ssa.catalog import SHIPPED_CATALOG

    with open(SHIPPED_CATALOG, newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["NORAD_CAT_ID"] == "25544")
    sat = Satrec()
    omm.initialize(sat, row)
    sat.epochdays += 0.5
    line1, line2 = exporter.export_tle(sat)
    answer = httpx.post(f"{base}/v1/catalog", files={"file": ("iss.tle", f"ISS (ZARYA)\n{line1}\n{line2}\n")},
                        headers={"X-API-Key": admin}, timeout=300).json()
    job = answer["job_id"]
    t = time.perf_counter()
    while True:
        state = httpx.get(f"{base}/v1/jobs/{job}", headers={"X-API-Key": admin}, timeout=60).json()
        if state["status"] == "running" and state["message"].startswith("screening"):
            break
        if state["status"] in ("done", "failed") or time.perf_counter() - t > 600:
            raise SystemExit(f"job {job} did not start screening: {state}")
        time.sleep(1)
    print(f"job {job} screening after {time.perf_counter() - t:.0f} s: {state['message']}", flush=True)
    return job


if __name__ == "__main__":
    main()
