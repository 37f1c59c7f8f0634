"""The screen on a Dask cluster against the local engine; cost against catalogue size.

Every run is a fresh process (``--one``) that loads the catalogue, screens
all vs all at 5 km from 2024-11-01T00:00Z and streams the rows to a CSV
(``--no-pc``: screening only), on the local engine or on a LocalCluster of
1 or 2 worker processes started by that run (numba's threads shared out
among the workers). Reported: wall time of the screen (cluster start not
included; it is given apart), CPU time (client, and each worker), peak
memory (ru_maxrss) of the client and of each worker, rows, and the overhead
of each cluster run against the local run of the same table as a ratio
(wall / local wall). The CSVs of the runs of a table are compared byte for
byte. Numba kernels come from the on-disk cache (run any screen once first).

    python benchmarks/dask_screen.py --catalogue shipped --days 1            # local, 1 and 2 workers
    python benchmarks/dask_screen.py --catalogue future --days 1 --modes local
    python benchmarks/dask_screen.py --scaling --days 0.25                   # local, 2,000..100,000 objects

``future`` is ``benchmarks/future_catalog.py``'s catalogue (seed 2030,
100,000 objects), generated into ``--work`` if absent. ``--scaling`` screens
random subsets (fixed seed) of it and fits wall ~ N^k by least squares on
logs.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = "2024-11-01T00:00:00"
SEED = 20301101


def catalogue_path(which: str, work: Path) -> Path:
    if which == "shipped":
        return HERE.parent / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"
    path = work / "future_2030_seed2030.csv"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from future_catalog import generate

        generate(path)
    return path


def one_run(path: str, days: float, workers: int, size: int | None, out: str) -> dict:
    """Screen in this process (workers 0: local engine); times, CPU and memory."""
    import resource

    import numpy as np

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.screen import run_screen
    from ssa.screen.table import TableWriter

    catalog = load(path, satcat=SHIPPED_SATCAT)
    if size is not None and size < len(catalog):
        catalog = catalog.take(np.sort(np.random.default_rng(SEED).choice(len(catalog), size, replace=False)))

    def usage():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024.0

    record = {"objects": len(catalog), "workers": workers}
    with ExitStack() as stack:
        executor = client = None
        if workers:
            from ssa.screen.distributed import cluster_client, dask_executor

            clock = time.perf_counter()
            client = stack.enter_context(cluster_client(workers=workers))
            client.wait_for_workers(workers)
            record["cluster_start_s"] = time.perf_counter() - clock
            executor = dask_executor(client)
            before = client.run(_worker_usage)
        cpu0 = usage()[0]
        clock = time.perf_counter()
        with TableWriter(out) as writer:
            result = run_screen(catalog, START, days, 5.0, sink=writer.write, executor=executor)
        record["wall_s"] = time.perf_counter() - clock
        record["client_cpu_s"], record["client_peak_mib"] = usage()[0] - cpu0, usage()[1]
        record["rows"] = writer.rows
        record["screened"] = result.n_objects
        record["stages_s"] = {k: round(v, 2) for k, v in result.seconds.items()}
        if client is not None:
            after = client.run(_worker_usage)
            record["worker_cpu_s"] = [round(after[w][0] - before.get(w, (0.0, 0))[0], 1) for w in sorted(after)]
            record["worker_peak_mib"] = [round(after[w][1]) for w in sorted(after)]
    return record


def _worker_usage():
    """(CPU s, peak MiB) of the calling process."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024.0


def run_fresh(path: Path, days: float, workers: int, size: int | None, out: Path) -> dict:
    spec = json.dumps({"path": str(path), "days": days, "workers": workers, "size": size, "out": str(out)})
    proc = subprocess.run([sys.executable, __file__, "--one", spec], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def compare(args, work: Path) -> None:
    path = catalogue_path(args.catalogue, work)
    modes = {"local": 0, "dask1": 1, "dask2": 2}
    print(f"catalogue {path.name}, {args.days:g} d, load average before: {load_average()}")
    print("| run | objects | rows | wall (s) | vs local | CPU client / workers (s) | peak MiB client / workers |"
          " cluster start (s) |")
    print("|---|---:|---:|---:|---:|---|---|---:|")
    local_wall, reference = None, None
    for mode in args.modes:
        out = work / f"{args.catalogue}-{args.days:g}d-{mode}.csv"
        r = run_fresh(path, args.days, modes[mode], None, out)
        if mode == "local":
            local_wall = r["wall_s"]
        ratio = f"{r['wall_s'] / local_wall:.2f}" if local_wall else ""
        same = ""
        if reference is None:
            reference = out.read_bytes()
        else:
            same = " (CSV identical)" if out.read_bytes() == reference else " (CSV DIFFERS)"
        print(f"| {mode}{same} | {r['objects']:,} | {r['rows']:,} | {r['wall_s']:.1f} | {ratio} | "
              f"{r['client_cpu_s']:.0f} / {r.get('worker_cpu_s', '-')} | "
              f"{r['client_peak_mib']:.0f} / {r.get('worker_peak_mib', '-')} | {r.get('cluster_start_s', 0):.1f} |",
              flush=True)
        print(f"<!-- {json.dumps(r)} -->", flush=True)
    print(f"load average after: {load_average()}")


def scaling(args, work: Path) -> None:
    import numpy as np

    path = catalogue_path("future", work)
    print(f"catalogue {path.name} subsets, {args.days:g} d, local engine, load average before: {load_average()}")
    print("| objects | screened | rows | wall (s) | broad (s) | peak MiB |")
    print("|---:|---:|---:|---:|---:|---:|")
    sizes, walls = [], []
    for size in args.sizes:
        r = run_fresh(path, args.days, 0, size, work / f"scaling-{size}.csv")
        sizes.append(r["objects"])
        walls.append(r["wall_s"])
        print(f"| {r['objects']:,} | {r['screened']:,} | {r['rows']:,} | {r['wall_s']:.1f} | "
              f"{r['stages_s'].get('broad', 0):.1f} | {r['client_peak_mib']:.0f} |", flush=True)
    k, _ = np.polyfit(np.log(sizes), np.log(walls), 1)
    print(f"fitted exponent: wall ~ N^{k:.2f}; load average after: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--catalogue", choices=["shipped", "future"], default="shipped")
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--modes", nargs="+", choices=["local", "dask1", "dask2"], default=["local", "dask1", "dask2"])
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000, 20000, 50000, 100000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ssa-dask-bench")
    args = parser.parse_args()
    if args.one:
        spec = json.loads(args.one)
        print(json.dumps(one_run(spec["path"], spec["days"], spec["workers"], spec["size"], spec["out"])))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    if args.modes and args.modes[0] != "local":
        args.modes = ["local", *[m for m in args.modes if m != "local"]]  # the ratio needs the local run first
    scaling(args, args.work) if args.scaling else compare(args, args.work)


if __name__ == "__main__":
    main()
