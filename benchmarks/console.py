"""Page weight and time to first render of the console's alert list with N alerts stored.

Stores N alerts (default 10,000) through the store's own commit (Store.complete_job):
the real screening and routing of BRIK-II, DELFI-N3XT, HIBER-2 and the objects
that pass them (the console tests' seed: 11 objects of the shipped catalogue, 10 km,
1.5 days; 8 events of which 7 page 13 alerts), repeated with TCAs shifted by whole
hours until N alerts exist. Then `ssa serve` (127.0.0.1, no worker) and, per run, a
fresh headless Chromium (Debian's, Selenium; cold cache) signed in with an analyst
key (sees every alert) opens /console/alerts. The page marks `alerts-first-render`
(first rows drawn, after the first API page of 1,000) and `alerts-complete` (every
alert loaded, sorted and the first 200 rows drawn); both are read from the
Performance API, from navigation start.

Baseline, measured in the same run: a Python client (httpx, one connection) reading
the same alert pages from the same server: the first page, and all of them.
Page weight: bytes over the wire (encodedBodySize, no compression on the server)
of the page, its CSS and JS, and the API's JSON.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEED_IDS = (48876, 59580, 50032, 60369, 48900, 39428, 57349, 60547, 57139, 43774, 43881)
API_PAGE = 1000


def seed_csv() -> str:
    with open(REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if int(r["NORAD_CAT_ID"]) in SEED_IDS]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def populate(url: str, n_alerts: int) -> int:
    """N alerts (at least) in the store at `url`; returns how many."""
    from ssa.serve.pipeline import ingest_text, known_parties, screen_and_route, window_for
    from ssa.serve.store import Store

    store = Store(url)
    store.migrate()
    store.upsert_parties(known_parties())
    ingest_text(store, seed_csv(), "benchmark seed")
    job = store.claim_job("benchmark", 3600)
    catalog = store.catalog_for_version(job.catalog_version_id)
    start, _ = window_for(catalog, "catalog", 1.5)
    rows, routings, _ = screen_and_route(catalog, start, 1.5, 10.0)
    paging = [k for k, r in enumerate(routings) if r.parties()]
    rows, routings = rows[paging], [routings[k] for k in paging]
    per_copy = sum(len(r.parties()) for r in routings)
    copies = -(-n_alerts // per_copy)
    table = []
    for shift in range(copies):
        copy = rows.copy()
        copy["tca_fr"] += shift / 24.0  # whole hours: a distinct encounter to the matcher
        copy["tca"] += np.timedelta64(shift * 3600, "s")
        table.append(copy)
    table = np.concatenate(table)
    end = table["tca"].max().astype("datetime64[us]").item()
    t = time.perf_counter()
    store.complete_job(job.id, "benchmark", table, routings * copies, start, end, 10.0, catalog.norad_id)
    print(f"stored {len(table)} events, {per_copy * copies} alerts ({len(rows)} real rows x {copies} hour shifts) "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    store.engine.dispose()
    return per_copy * copies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_baseline(base: str, key: str) -> tuple[float, float, int]:
    """(seconds to the first page, seconds to all pages, JSON bytes) for a Python client."""
    import httpx

    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=120) as client:
        t = time.perf_counter()
        since, first, size = 0, None, 0
        while True:
            response = client.get("/v1/alerts", params={"since": since, "limit": API_PAGE})
            page = response.json()
            size += len(response.content)
            first = first or time.perf_counter() - t
            since = page["next_since"]
            if not page["has_more"]:
                return first, time.perf_counter() - t, size


def browser_run(base: str, key: str, me: dict) -> dict:
    """One cold load of /console/alerts: marks (s from navigation start) and bytes by kind."""
    sys.path.insert(0, str(REPO / "tests"))
    import json

    from selenium.webdriver.support.ui import WebDriverWait

    from console_helpers import chrome

    session = chrome(1366, 900)
    try:
        session.get(base + "/console/sign-in")
        session.execute_script("sessionStorage.setItem('ssa.key', arguments[0]);"
                               "sessionStorage.setItem('ssa.me', arguments[1]);", key, json.dumps(me))
        session.get(base + "/console/alerts")
        WebDriverWait(session, 300, poll_frequency=0.05).until(
            lambda d: d.execute_script("return document.body.dataset.loaded === 'true'"))
        return session.execute_script("""
            const mark = (n) => performance.getEntriesByName(n)[0].startTime / 1000;
            const nav = performance.getEntriesByType('navigation')[0];
            const bytes = {page: nav.encodedBodySize, css: 0, js: 0, api: 0, requests: 0};
            for (const r of performance.getEntriesByType('resource')) {
              const kind = r.name.endsWith('.css') ? 'css' : r.name.endsWith('.js') ? 'js' : r.name.includes('/v1/') ? 'api' : 'other';
              bytes[kind] = (bytes[kind] || 0) + r.encodedBodySize;
              if (kind === 'api') bytes.requests += 1;
            }
            return {first: mark('alerts-first-render'), complete: mark('alerts-complete'), bytes,
                    rows: document.querySelectorAll('#alerts tbody tr[data-alert]').length};""")
    finally:
        session.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/ssa.sqlite3"
        n = populate(url, args.alerts)
        from ssa.serve.store import Store

        store = Store(url)
        key = store.create_key("analyst", label="benchmark")
        store.engine.dispose()
        port = free_port()
        env = dict(os.environ, SSA_DATA_DIR=folder, SSA_DATABASE_URL=url, SSA_EMBEDDED_WORKER="false",
                   SSA_HOST="127.0.0.1", SSA_PORT=str(port), SSA_RATE_LIMIT_PER_MINUTE="1000000")
        server = subprocess.Popen([sys.executable, "-c", "from ssa.cli import app; app()", "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            for _ in range(300):
                try:
                    me = httpx.get(base + "/v1/me", headers={"X-API-Key": key}, timeout=2).json()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            baseline = [api_baseline(base, key) for _ in range(args.repeat)]
            runs = [browser_run(base, key, me) for _ in range(args.repeat)]
        finally:
            server.terminate()
            server.wait(30)
    first_api = statistics.median(b[0] for b in baseline)
    all_api = statistics.median(b[1] for b in baseline)
    first = statistics.median(r["first"] for r in runs)
    complete = statistics.median(r["complete"] for r in runs)
    weight = runs[0]["bytes"]
    print(f"\n{n:,} alerts stored; median of {args.repeat} cold loads; load: {os.getloadavg()[0]:.1f} "
          f"(1-min average, {os.cpu_count()} CPUs)")
    print("\n| measure | console in Chromium (s) | Python client, same API pages (s) | console / client |")
    print("|---|---:|---:|---:|")
    print(f"| first rows drawn (first API page of {API_PAGE:,}) | {first:.2f} | {first_api:.2f} | {first / first_api:.2f} |")
    print(f"| every alert loaded, sorted, first 200 rows drawn | {complete:.2f} | {all_api:.2f} | "
          f"{complete / all_api:.2f} |")
    print(f"\nrows in the page: {runs[0]['rows']}; API requests: {weight['requests']}")
    print("\n| page weight (cold, bytes over the wire) | bytes |")
    print("|---|---:|")
    for kind, label in (("page", "HTML page (/console/alerts)"), ("css", "CSS"), ("js", "JavaScript")):
        print(f"| {label} | {weight[kind]:,} |")
    print(f"| console itself (HTML + CSS + JS) | {weight['page'] + weight['css'] + weight['js']:,} |")
    print(f"| alert JSON from the API ({n:,} alerts) | {weight['api']:,} |")
    print(f"| (the Python client's JSON, same pages) | {baseline[0][2]:,} |")


if __name__ == "__main__":
    main()
