"""What keeping operators' element sets beside the public ones costs a screening job.

A SQLite store holds the shipped 2024-11-01 catalogue (26,834 public sets) and
K operator sets (the public sets of the first K objects, moved 0.1 s along
their orbit: within the covariance, so each is compared and screened). Per
job: reading the operator sets (``Store.operator_sets_for_version``) and
comparing them with the public ones (``pipeline.choose_sources``: python-sgp4
every 600 s over a 1.5-day window), against the baseline measured in the same
run: reading the public catalogue (``Store.catalog_for_version``), which every
job did before. Wall time, best of R.

    python benchmarks/serve_opsource.py --operator-sets 0 100 1000 --repeat 3
"""
from __future__ import annotations

import argparse
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from timing import best_of

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    from ssa.catalog import SHIPPED_CATALOG, load
    from ssa.serve import pipeline
    from ssa.serve.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operator-sets", type=int, nargs="+", default=[0, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load(SHIPPED_CATALOG)
    print("| operator sets | public read (s) | operator read (s) | comparison (s) | (operator read + comparison) / public read |")
    print("|---:|---:|---:|---:|---:|")
    for k in args.operator_sets:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{Path(tmp) / 'ssa.sqlite3'}")
            store.migrate()
            version = store.ingest(catalog, "public", "public").catalog_version_id
            if k:
                moved = catalog.take(np.arange(k))
                moved.mo = moved.mo + moved.no_kozai * 0.1 / 60.0  # 0.1 s along the orbit (rad/min x min)
                version = store.ingest(moved, f"operator {k}", "operator", origin="operator:bench").catalog_version_id
            public_s, public = best_of(args.repeat, partial(store.catalog_for_version, version))
            read_s, (operator, origins) = best_of(args.repeat, partial(store.operator_sets_for_version, version))
            start, end = pipeline.window_for(public, "catalog", 1.5)
            check_s, (_, _, checks) = best_of(args.repeat, partial(pipeline.choose_sources, public, operator, origins,
                                                                   start, end))
            flagged = sum(c["flagged"] for c in checks)
            store.engine.dispose()
        print(f"| {k:,} ({flagged} flagged) | {public_s:.3f} | {read_s:.3f} | {check_s:.3f} | "
              f"{(read_s + check_s) / public_s:.3f} |")


if __name__ == "__main__":
    main()
