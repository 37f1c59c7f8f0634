"""What a screening job reads from the store, and what a watch-folder scan costs.

1. A SQLite store holds the shipped 2024-11-01 catalogue uploaded K times
   (default 5), each time with every epoch moved a day on: K x 26,834 element
   sets. ``Store.catalog_for_version`` (the newest set of each object, chosen in
   SQL) against the baseline, measured in the same run: what the store did
   before issue 11, item 5 (every stored set loaded as an ORM row and the newest
   per object kept in Python, every object's owner and type loaded). Wall time
   (best of R) and peak Python memory (tracemalloc, a separate run).
2. A watch folder holding the two shipped catalogue files, already ingested: a
   scan by ``Worker.scan_watch_dir`` that has seen them (modification time and
   size unchanged), against the baseline of re-reading and parsing each file
   (``pipeline.ingest_text``, which finds nothing new), as every scan did before.

    python benchmarks/serve_store.py --versions 5 --repeat 3
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from sqlalchemy import select

from timing import best_of

REPO = Path(__file__).resolve().parents[1]


def baseline_catalog_rows(store, version_id: int) -> int:
    """Before item 5: every element set up to the version, newest per object kept in Python."""
    from ssa.serve.models import Elset, SpaceObject

    with store.session() as s:
        rows = s.execute(select(Elset).where(Elset.catalog_version_id <= version_id)
                         .order_by(Elset.norad_id, Elset.epoch, Elset.id)).scalars().all()
        owners = dict(s.execute(select(SpaceObject.norad_id, SpaceObject.owner)).all())
        types = dict(s.execute(select(SpaceObject.norad_id, SpaceObject.object_type)).all())
    latest = {}
    for row in rows:
        latest[row.norad_id] = row
    return len(latest) if owners and types else 0


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from ssa.catalog import SHIPPED_CATALOG, load
    from ssa.serve.settings import Settings
    from ssa.serve.store import Store
    from ssa.serve.worker import Worker

    tmp = Path(tempfile.mkdtemp(prefix="ssa-bench-store-"))
    try:
        store = Store(f"sqlite:///{tmp / 'ssa.sqlite3'}")
        store.migrate()
        catalog = load(SHIPPED_CATALOG)
        t = time.perf_counter()
        for k in range(args.versions):
            moved = catalog.take(np.arange(len(catalog)))
            moved.epoch_jd = moved.epoch_jd + k
            if moved.epoch_days is not None:
                moved.epoch_days = moved.epoch_days + k
            version = store.ingest(moved, f"v{k}", f"v{k}").catalog_version_id
        print(f"stored {args.versions} x {len(catalog):,} = {args.versions * len(catalog):,} element sets "
              f"in {time.perf_counter() - t:.1f} s")

        new_s, chosen = best_of(args.repeat, lambda: store.catalog_for_version(version))
        old_s, n_old = best_of(args.repeat, lambda: baseline_catalog_rows(store, version))
        assert len(chosen) == n_old == len(catalog)
        new_mb = peak_mb(lambda: store.catalog_for_version(version))
        old_mb = peak_mb(lambda: baseline_catalog_rows(store, version))
        print("| what a job reads | wall (s) | peak Python memory (MB) |")
        print("|---|---:|---:|")
        print(f"| baseline: all {args.versions * len(catalog):,} sets, newest kept in Python | {old_s:.2f} | {old_mb:.0f} |")
        print(f"| `catalog_for_version`: newest per object in SQL ({len(chosen):,} rows) | {new_s:.2f} | {new_mb:.0f} |")
        print(f"| baseline / new | {old_s / new_s:.1f} | {old_mb / new_mb:.1f} |")

        watch = tmp / "incoming"
        watch.mkdir()
        files = [SHIPPED_CATALOG, REPO / "catalogs" / "celestrak_active_gp_2026-07-10.csv"]
        for f in files:
            shutil.copy(f, watch / Path(f).name)
        worker = Worker(store, Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'ssa.sqlite3'}",
                                        watch_dir=watch))
        t = time.perf_counter()
        worker.scan_watch_dir()
        first_s = time.perf_counter() - t
        rescan_s, _ = best_of(args.repeat, worker.scan_watch_dir)

        def reparse():
            from ssa.serve import pipeline
            for path in sorted(watch.iterdir()):
                pipeline.ingest_text(store, path.read_text(encoding="utf-8-sig"), f"watch:{path.name}")

        reparse_s, _ = best_of(args.repeat, reparse)
        print()
        print(f"| watch-folder scan, {len(files)} files already ingested (first scan {first_s:.1f} s) | wall (s) |")
        print("|---|---:|")
        print(f"| baseline: re-read and parse every file | {reparse_s:.3f} |")
        print(f"| `scan_watch_dir`: unchanged modification time and size, not read | {rescan_s:.5f} |")
        print(f"| baseline / new | {reparse_s / rescan_s:,.0f} |")
        store.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
