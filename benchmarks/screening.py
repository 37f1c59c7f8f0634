"""Screening wall time against catalogue size, and the speed-up over brute force.

Random subsets (fixed seed) of the shipped 2024-11-01 catalogue, window
2024-11-01T00:00Z, 5 km, all vs all. Each size runs in a fresh process so that
its peak memory (ru_maxrss) is its own; numba kernels come from the on-disk
cache (run the tests or any screen once first to compile them). The brute-force
reference (``ssa.screen.reference``: python-sgp4 on a 10 s grid, every pair)
runs on the largest size it finishes in a few minutes, and the engine on the
same subset and window, in the same run.

    python benchmarks/screening.py                       # sizes 2k..full, 1 day; reference 2000 objects, 6 h
    python benchmarks/screening.py --sizes full --days 7 --no-reference
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

SEED = 20241101
START = "2024-11-01T00:00:00"


def subset(n: int | None):
    import numpy as np

    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load

    cat = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
    if n is None or n >= len(cat):
        return cat
    return cat.take(np.sort(np.random.default_rng(SEED).choice(len(cat), n, replace=False)))


def one_run(n: int | None, days: float, which: str) -> dict:
    """Screen one subset in this process; wall time of the screen only (not loading)."""
    import resource

    cat = subset(n)
    if which == "engine":
        from ssa.screen import run_screen

        run_screen(cat.take(range(50)), START, days=0.01)  # load the compiled kernels first
        clock = time.perf_counter()
        result = run_screen(cat, START, days=days)
        table, stages = result.conjunctions, {k: round(v, 1) for k, v in result.seconds.items()}
    else:
        from ssa.screen.reference import reference_screen

        clock = time.perf_counter()
        table, stages = reference_screen(cat, START, days=days, step_s=10.0), {}
    wall = time.perf_counter() - clock
    return {"objects": len(cat), "days": days, "which": which, "wall_s": wall, "rows": int(len(table)),
            "persistent": int(table["persistent"].sum()), "stages": stages,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_child(n: int | None, days: float, which: str) -> dict:
    code = f"import json, sys; sys.path.insert(0, {sys.path[0]!r}); import screening; " \
           f"print(json.dumps(screening.one_run({n!r}, {days!r}, {which!r})))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,5000,10000,20000,full")
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--reference-size", type=int, default=2000)
    parser.add_argument("--reference-days", type=float, default=0.25)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()

    print(f"{'objects':>8} {'days':>5} {'engine s':>9} {'rows':>7} {'persistent':>10} {'peak MiB':>9}  stages (s)")
    for size in args.sizes.split(","):
        r = in_child(None if size == "full" else int(size), args.days, "engine")
        print(f"{r['objects']:>8} {r['days']:>5g} {r['wall_s']:>9.1f} {r['rows']:>7} {r['persistent']:>10} "
              f"{r['peak_mib']:>9.0f}  {r['stages']}", flush=True)
    if args.no_reference:
        return
    n, days = args.reference_size, args.reference_days
    engine = in_child(n, days, "engine")
    reference = in_child(n, days, "reference")
    print(f"\nsame subset ({n} objects, {days:g} d): brute force {reference['wall_s']:.1f} s, "
          f"{reference['rows']} rows; engine {engine['wall_s']:.1f} s, {engine['rows']} rows; "
          f"speed-up x{reference['wall_s'] / engine['wall_s']:.0f}")


if __name__ == "__main__":
    main()
