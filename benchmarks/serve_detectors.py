"""What the detectors add to a screening job of the whole catalogue (issues 14 and 15 in the service).

A SQLite store holds the shipped 2024-11-01 catalogue uploaded twice (the second time
with every epoch moved a day on: 2 x 26,834 element sets). For the second version's
job, each detector as ``ssa.serve.pipeline.detect_findings`` runs it (re-entry watch
with the stored history; fragmentation against the first version; proximity of the
asset registry over the window), and the writing of its findings with their alerts
(``store.findings.apply_findings``), against the baseline measured in the same run:
the job's own screening (``pipeline.screen_and_route``, all against all, same window).
Manoeuvres are left out: two versions give no object the eight element-set pairs the
detector learns its threshold from (``benchmarks/detect_manoeuvre.py`` times it on
real histories). Numba kernels are compiled before timing (one warm-up call).

    python benchmarks/serve_detectors.py --days 1
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=1.0, help="screening window, days")
    parser.add_argument("--threshold-km", type=float, default=5.0)
    args = parser.parse_args()

    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
    from ssa.serve import pipeline
    from ssa.serve.settings import Settings
    from ssa.serve.store import Store
    from ssa.serve.store.findings import apply_findings

    tmp = Path(tempfile.mkdtemp(prefix="ssa-bench-detectors-"))
    try:
        url = f"sqlite:///{tmp / 'ssa.sqlite3'}"
        store = Store(url)
        store.migrate()
        catalog = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
        for k in range(2):
            moved = catalog.take(np.arange(len(catalog)))
            moved.epoch_jd = moved.epoch_jd + k
            if moved.epoch_days is not None:
                moved.epoch_days = moved.epoch_days + k
            result = store.ingest(moved, f"v{k}", f"v{k}")
        version, job_id = result.catalog_version_id, result.job_id
        public = store.catalog_for_version(version)
        start, _ = pipeline.window_for(public, "catalog", args.days)
        base = dict(data_dir=tmp, database_url=url, window_days=args.days, threshold_km=args.threshold_km,
                    detect_reentry_horizon_days=0.0, detect_manoeuvres=False, detect_fragmentation=False,
                    detect_proximity=False)
        only = {"re-entry watch (30 d)": dict(detect_reentry_horizon_days=30.0),
                "fragmentation (v1 -> v2)": dict(detect_fragmentation=True),
                "proximity (asset registry)": dict(detect_proximity=True)}

        t = time.perf_counter()
        rows, _, _ = pipeline.screen_and_route(public, start, args.days, args.threshold_km)
        screen_s = time.perf_counter() - t
        print(f"{len(public):,} objects, window {args.days:g} d from {start:%Y-%m-%d %H:%M}, "
              f"{len(rows):,} conjunctions")
        print("| step of the job | findings | wall (s) | / screening |")
        print("|---|---:|---:|---:|")
        print(f"| baseline: screening all against all ({args.threshold_km:g} km) | | {screen_s:.1f} | 1.00 |")
        total = 0.0
        for name, switch in only.items():
            settings = Settings(**{**base, **switch})
            pipeline.detect_findings(store, version, public, start, settings)  # warm-up: numba compiles
            t = time.perf_counter()
            items = pipeline.detect_findings(store, version, public, start, settings)
            took = time.perf_counter() - t
            total += took
            print(f"| {name} | {len(items):,} | {took:.1f} | {took / screen_s:.2f} |")
            if name.startswith("re-entry"):
                with store.session.begin() as s:
                    t = time.perf_counter()
                    summary = apply_findings(s, job_id, version, items)
                    write_s = time.perf_counter() - t
                total += write_s
                print(f"| writing them with their alerts ({summary}) | | {write_s:.2f} | "
                      f"{write_s / screen_s:.3f} |")
        print(f"| all of the above detectors | | {total:.1f} | {total / screen_s:.2f} |")
        store.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
