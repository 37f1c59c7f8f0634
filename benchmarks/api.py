"""Polling throughput and latency of the alert API on loopback.

Stores N conjunction events (default 100,000) through the store's own upsert
(``Store.record_screening``): real screening rows of the shipped catalogue
(ssa.screen, 20 km, a 2,000-object sample, half a day), repeated with TCAs
shifted by whole hours until N events exist. Then `ssa serve` (uvicorn,
127.0.0.1 only, no worker) answers P concurrent pollers (default 50, asyncio +
httpx, one API key each) for a fixed time per scenario:

- healthz (baseline): GET /healthz, no key, one tiny query;
- since-idle: GET /v1/conjunctions?since=<high water> with If-None-Match, as a
  poller that is up to date does (304s);
- since-page: GET /v1/conjunctions?since=<random>&limit=100, a poller catching up;
- cursor-page: GET /v1/conjunctions?cursor=...&limit=100 in TCA order.

Prints requests/s, p50 and p99 latency, the server's CPU time per request
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


async def poll(base: str, keys: list[str], scenario: str, seconds: float, high_water: int, cursors: list[str]):
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
            while time.perf_counter() < deadline:
                if scenario == "healthz":
                    request = ("/healthz", {}, {})
                elif scenario == "since-idle":
                    request = ("/v1/conjunctions", {"since": high_water}, dict(headers, **({"If-None-Match": etag} if etag else {})))
                elif scenario == "since-page":
                    request = ("/v1/conjunctions", {"since": rng.randrange(high_water), "limit": 100}, headers)
                else:
                    request = ("/v1/conjunctions", {"cursor": rng.choice(cursors), "limit": 100}, headers)
                t = time.perf_counter()
                response = await client.get(request[0], params=request[1], headers=request[2])
                latencies.append(time.perf_counter() - t)
                if response.status_code not in (200, 304):
                    errors += 1
                etag = response.headers.get("ETag", etag)

    await asyncio.gather(*(poller(k) for k in range(len(keys))))
    return np.array(latencies), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--pollers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="per scenario")
    args = parser.parse_args()

    import httpx

    from ssa.serve.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'ssa.sqlite3'}"
        populate(url, args.events)
        store = Store(url)
        keys = [store.create_key("analyst", label=f"poller {k}") for k in range(args.pollers)]
        port = free_port()
        env = dict(os.environ, SSA_DATA_DIR=tmp, SSA_DATABASE_URL=url, SSA_EMBEDDED_WORKER="false",
                   SSA_RATE_LIMIT_PER_MINUTE="100000000", SSA_HOST="127.0.0.1", SSA_PORT=str(port))
        server = subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    high_water = httpx.get(base + "/healthz").json()["change_seq"]
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise SystemExit("server did not start")
            cursors, cursor = [], None
            with httpx.Client(base_url=base, headers={"X-API-Key": keys[0]}) as client:
                while len(cursors) < 200:
                    page = client.get("/v1/conjunctions", params={"limit": 500} | ({"cursor": cursor} if cursor else {})).json()
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                    cursors.append(cursor)
            results = {}
            for scenario in ("healthz", "since-idle", "since-page", "cursor-page"):
                cpu = cpu_seconds(server.pid)
                latencies, errors = asyncio.run(poll(base, keys, scenario, args.seconds, high_water, cursors))
                cpu_ms = (cpu_seconds(server.pid) - cpu) / len(latencies) * 1000
                results[scenario] = (len(latencies) / args.seconds, *np.percentile(latencies, [50, 99]) * 1000,
                                     cpu_ms, errors)
        finally:
            server.terminate()
            server.wait(30)
    base_rate = results["healthz"][0]
    print(f"\n{args.events} events, {args.pollers} concurrent pollers, {args.seconds:.0f} s per scenario, loopback")
    print("| scenario | requests/s | p50 (ms) | p99 (ms) | server CPU per request (ms) | errors | throughput / healthz |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scenario, (rate, p50, p99, cpu_ms, errors) in results.items():
        print(f"| {scenario} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cpu_ms:.2f} | {errors} | {rate / base_rate:.2f} |")


if __name__ == "__main__":
    main()
