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
    python benchmarks/screening.py --catalogues          # 2024-11-01 and 2022-01-22, full, 1 day, alternating
    python benchmarks/screening.py --runaway             # broad phase on 2022-01-22 with its runaways live or stopped

``--catalogues`` screens the shipped 2024-11-01 catalogue and the Space-Track
2022-01-22 catalogue (../shared, whose element sets past their decay SGP4
puts up to 5e8 km out; stopped as code 7), one day from each catalogue's
date, back to back in fresh processes, ``--repeat`` times alternating.
``--runaway`` times the broad phase alone on the first ``--intervals``
intervals of that day, the objects with code 7 stopped (as the screen does)
or kept live with their states: the cost a runaway chord adds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

SEED = 20241101
START = "2024-11-01T00:00:00"
SPACETRACK_2022 = Path(__file__).resolve().parents[2] / "shared" / "data" / "catalogs" / \
    "spacetrack_full_catalog_3le_2022-01-22.txt"
START_2022 = "2022-01-22T00:00:00"


def subset(n: int | None):
    import numpy as np

    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load

    cat = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
    if n is None or n >= len(cat):
        return cat
    return cat.take(np.sort(np.random.default_rng(SEED).choice(len(cat), n, replace=False)))


def one_run(n: int | None, days: float, which: str, catalogue: str | None = None) -> dict:
    """Screen one subset (or the whole of another catalogue file, from START_2022) in this
    process; wall time of the screen only (not loading)."""
    import resource

    if catalogue is None:
        cat, start = subset(n), START
    else:
        from ssa.catalog import load

        cat, start = load(catalogue), START_2022
    stopped = {}
    if which == "engine":
        from ssa.screen import run_screen

        run_screen(cat.take(range(50)), start, days=0.01)  # load the compiled kernels first
        clock = time.perf_counter()
        result = run_screen(cat, start, days=days)
        table, stages = result.conjunctions, {k: round(v, 1) for k, v in result.seconds.items()}
        stopped = dict(Counter(s.error for s in result.stopped))
    else:
        from ssa.screen.reference import reference_screen

        clock = time.perf_counter()
        table, stages = reference_screen(cat, start, days=days, step_s=10.0), {}
    wall = time.perf_counter() - clock
    return {"objects": len(cat), "days": days, "which": which, "wall_s": wall, "rows": int(len(table)),
            "persistent": int(table["persistent"].sum()), "stages": stages, "stopped": stopped,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_child(n: int | None, days: float, which: str, catalogue: str | None = None) -> dict:
    code = f"import json, sys; sys.path.insert(0, {sys.path[0]!r}); import screening; " \
           f"print(json.dumps(screening.one_run({n!r}, {days!r}, {which!r}, {catalogue!r})))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare_catalogues(repeat: int) -> None:
    """1-day full screens of the 2024-11-01 and 2022-01-22 catalogues, alternating."""
    walls = {"2024-11-01": [], "2022-01-22": []}
    print(f"{'catalogue':>10} {'objects':>8} {'wall s':>7} {'rows':>7} {'stopped (code: n)':>24}  stages (s)")
    for _ in range(repeat):
        for name, path in [("2024-11-01", None), ("2022-01-22", str(SPACETRACK_2022))]:
            r = in_child(None, 1.0, "engine", path)
            walls[name].append(r["wall_s"])
            print(f"{name:>10} {r['objects']:>8} {r['wall_s']:>7.1f} {r['rows']:>7} {str(r['stopped']):>24}  "
                  f"{r['stages']}", flush=True)
    a, b = sum(walls["2024-11-01"]), sum(walls["2022-01-22"])
    print(f"\n2022-01-22 / 2024-11-01 wall time, summed over {repeat} alternating runs: x{b / a:.2f}")


def runaway_broad_phase(n_intervals: int) -> None:
    """Broad phase alone on the 2022-01-22 catalogue, code-7 objects stopped or live."""
    import numpy as np

    from ssa.catalog import load
    from ssa.constants import SECONDS_PER_DAY
    from ssa.propagate import propagate
    from ssa.propagate.kernels import ERR_NOT_BOUND
    from ssa.screen import kernels as K
    from ssa.screen.engine import DEFAULT_STEP_S
    from ssa.screen.slabs import SUB_CHORDS
    from ssa.timeutil import to_julian

    cat = load(SPACETRACK_2022)
    jd, fr = to_julian(START_2022)
    t = np.arange(n_intervals + 1) * DEFAULT_STEP_S
    err, pos, _ = propagate(cat, np.full(len(t), jd), fr + t / SECONDS_PER_DAY)
    ok = np.logical_and.accumulate(err == 0, axis=1)
    runaway = (err == ERR_NOT_BOUND).any(axis=1)
    live = ok | runaway[:, None]  # the runaways kept, with their states
    radius = np.linalg.norm(pos[runaway], axis=2)
    print(f"{len(cat)} objects, {n_intervals} intervals of {DEFAULT_STEP_S:g} s; {runaway.sum()} with code 7, "
          f"{radius.min():.3g} to {radius.max():.3g} km from the Earth")
    for label, mask in [("stopped", ok), ("live", live), ("stopped", ok), ("live", live)]:
        n_int = n_intervals
        cap = 4096
        cand = np.empty((n_int, cap, 2), np.int64)
        close = np.empty((n_int, cap, 2), np.int64)
        n_cand, n_close = np.zeros(n_int, np.int64), np.zeros(n_int, np.int64)
        clock = time.perf_counter()
        K.broad_phase(pos, mask, DEFAULT_STEP_S, SUB_CHORDS, 5.0, np.zeros(len(cat), np.bool_), False,
                      cand, n_cand, close, np.empty((n_int, cap)), n_close)
        print(f"  runaways {label:>7}: broad phase {time.perf_counter() - clock:6.2f} s, "
              f"{n_cand.sum()} candidates", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,5000,10000,20000,full")
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--reference-size", type=int, default=2000)
    parser.add_argument("--reference-days", type=float, default=0.25)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--catalogues", action="store_true", help="2024-11-01 against 2022-01-22, 1 day")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--runaway", action="store_true", help="broad phase with the 2022 runaways live")
    parser.add_argument("--intervals", type=int, default=30)
    args = parser.parse_args()
    if (args.catalogues or args.runaway) and not SPACETRACK_2022.exists():
        sys.exit(f"{SPACETRACK_2022} not found (Space-Track data, not redistributed)")
    if args.catalogues:
        return compare_catalogues(args.repeat)
    if args.runaway:
        return runaway_broad_phase(args.intervals)

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
