"""Propagation throughput: our numba SGP4/SDP4 against python-sgp4's SatrecArray.

The full shipped catalogue over 1,440 times (one day at one-minute steps from
2024-11-01 00:00 UTC), in chunks of satellites so memory stays small (the same
chunks for all). Ours (``ssa.propagate.propagate``: near-earth objects in SIMD
lanes, the rest on the scalar kernel) runs on one thread
(numba.set_num_threads(1)) and on all threads; SatrecArray (C++, holds the
GIL) runs on one, and so does the scalar kernel alone on every object
(``lane_kernels.propagate_rows``, what ``propagate`` ran before the lanes).
Also measured: the first call's compile time in a fresh process with an empty
numba cache and again with that cache filled, and the full-catalogue
initialisation time.

    python benchmarks/propagation.py [--repeat 2] [--max-sats N]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np
from sgp4.api import SatrecArray

from ssa.catalog import SHIPPED_CATALOG, load
from ssa.propagate import init_params, propagate
from ssa.propagate.kernels import GRID_CHUNK
from ssa.propagate.lane_kernels import propagate_rows

CHUNK = 1000  # satellites per call

FIRST_CALL = """
import time, numpy as np
from ssa.catalog import SHIPPED_CATALOG, load
catalog = load(SHIPPED_CATALOG).take([0])
t0 = time.perf_counter()
from ssa.propagate import init_params, kernels, propagate
params = init_params(catalog)
kernels.sgp4_point(params[0], 0.0)
propagate(params, np.array([2460615.5]), np.array([0.0]))
print(time.perf_counter() - t0)
"""


def first_call_seconds(cache_dir: str) -> float:
    """Seconds to import ssa.propagate and make a first init_params, sgp4_point and
    propagate call in a fresh interpreter."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def timed(fn) -> tuple[float, float]:
    """Wall-clock and process CPU seconds (all threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    parser.add_argument("--max-sats", type=int, default=None, help="first N objects only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache_dir:
        uncached = first_call_seconds(cache_dir)
        cached = first_call_seconds(cache_dir)

    catalog = load(SHIPPED_CATALOG)
    if args.max_sats:
        catalog = catalog.take(np.arange(min(args.max_sats, len(catalog))))
    init_params(catalog.take([0]))  # compile (or load from cache) outside the timing
    t = time.perf_counter()
    params = init_params(catalog)
    init_s = time.perf_counter() - t
    t = time.perf_counter()
    satrecs = catalog.satrecs()
    satrecs_s = time.perf_counter() - t

    jd = np.full(1440, 2460615.5)
    fr = np.arange(1440) / 1440.0
    chunks = [slice(i, i + CHUNK) for i in range(0, len(catalog), CHUNK)]
    arrays = [SatrecArray(satrecs[c]) for c in chunks]
    n_prop = len(catalog) * len(jd)

    def ours():
        for c in chunks:
            propagate(params[c], jd, fr)

    def reference():
        for a in arrays:
            a.sgp4(jd, fr)

    def scalar():
        for c in chunks:
            p = params[c]
            n = len(p)
            err, r, v = np.empty((n, len(jd)), np.uint8), np.empty((n, len(jd), 3)), np.empty((n, len(jd), 3))
            with numba.parallel_chunksize(GRID_CHUNK):
                propagate_rows(p, np.arange(n), jd, fr, err, r, v, True)

    propagate(params[:1], jd[:1], fr[:1])  # compile (or load from cache) outside the timing
    all_threads = numba.config.NUMBA_NUM_THREADS
    # the runs alternate so that all three see the same (shared, noisy) machine
    runs = {"ref": [], "scalar_1": [], "ours_1": [], "ours_n": []}
    for _ in range(args.repeat):
        runs["ref"].append(timed(reference))
        numba.set_num_threads(1)
        runs["scalar_1"].append(timed(scalar))
        runs["ours_1"].append(timed(ours))
        numba.set_num_threads(all_threads)
        runs["ours_n"].append(timed(ours))
    # best of the repeats, wall-clock and CPU separately
    ref_1, scalar_1, ours_1, ours_n = (tuple(np.min(runs[k], axis=0)) for k in ("ref", "scalar_1", "ours_1", "ours_n"))

    print(f"{len(catalog):,} objects x {len(jd):,} times = {n_prop / 1e6:.1f} M propagations"
          f" (best of {args.repeat}; {os.cpu_count()} CPUs, numba threading layer"
          f" {numba.threading_layer()})")
    print()
    print("| run | threads | wall s | M propagations/s | wall ratio | CPU s | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, threads, (wall, cpu) in (
        ("python-sgp4 SatrecArray (C++)", 1, ref_1),
        ("ssa scalar kernel alone (before the lanes)", 1, scalar_1),
        ("ssa numba kernel", 1, ours_1),
        ("ssa numba kernel", all_threads, ours_n),
    ):
        print(f"| {name} | {threads} | {wall:.2f} | {n_prop / wall / 1e6:.2f} | {ref_1[0] / wall:.2f}"
              f" | {cpu:.2f} | {ref_1[1] / cpu:.2f} |")
    print()
    print("| start-up | seconds |")
    print("|---|---:|")
    print(f"| import + first calls, empty numba cache (compile) | {uncached:.2f} |")
    print(f"| import + first calls, numba cache filled | {cached:.2f} |")
    print(f"| init_params, {len(catalog):,} objects | {init_s:.2f} |")
    print(f"| catalog.satrecs() for SatrecArray (C++ sgp4init), {len(catalog):,} objects | {satrecs_s:.2f} |")


if __name__ == "__main__":
    main()
