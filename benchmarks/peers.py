"""ssa against its peers on the same input: astroz (Zig, SIMD) and heyoka (LLVM), SGP4 and screening.

The input is the shipped 2024-11-01 catalogue written as 3LE with
python-sgp4's ``export_tle`` (what a user of any of them would feed in);
ssa, astroz and heyoka all read that file's element sets. Each runs with the
threads it uses by default (ssa also on one thread); CPU seconds are the process's user + system time
(``time.process_time``, all threads), so per CPU-second is per thread busy.

Propagation: the whole catalogue (near-earth and deep-space objects; then
each regime alone, to show where each code spends its time) x 1,440 times (one day at one-minute steps from 2024-11-01 00:00 UTC), TEME
positions and velocities, in chunks of 1,000 satellites (the same chunks for
everyone); the runs alternate, best of ``--repeat``. Also the largest
position difference of each peer from ssa (ssa is held to python-sgp4 within
1 mm by its tests).

Screen: all vs all, 5 km, 1 day from 2024-11-01 00:00 UTC, 60 s grid (astroz
``screen(step=1)``, ssa ``run_screen``), wall and CPU seconds, and whether both
find the same encounters: every ssa row outside its persistent pairs is
matched to an astroz row of the same pair within ``--tca-tol-s`` seconds and
the other way round (astroz lists every minimum of a co-moving pair, which
ssa folds into one persistent row per pair: those pairs are left out).

    pip install -e '.[bench]'
    python benchmarks/peers.py [--repeat 2] [--skip-screen] [--skip-heyoka] [--regimes all,near-earth]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime

import numba
import numpy as np

CHUNK = 1000  # satellites per propagation call
START = "2024-11-01T00:00:00"
START_JD = 2460615.5  # 2024-11-01 00:00 UTC
N_TIMES = 1440


def write_3le(path: str) -> None:
    """The shipped catalogue as 3LE text, each element set through python-sgp4's export_tle."""
    from sgp4.exporter import export_tle

    from ssa.catalog import SHIPPED_CATALOG, load

    cat = load(SHIPPED_CATALOG)
    with open(path, "w") as f:
        for name, sat in zip(cat.name, cat.satrecs()):
            line1, line2 = export_tle(sat)
            f.write(f"0 {name}\n{line1}\n{line2}\n")


def timed(fn):
    """(wall s, CPU s of the process, all threads) of one call, and its value."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def propagation(path: str, repeat: int, with_heyoka: bool, regime: str) -> None:
    """The propagation table for the objects of one regime: 'all', 'near-earth' or 'deep-space'."""
    import astroz

    from ssa.catalog import load
    from ssa.propagate import GridPropagator, init_params
    from ssa.propagate.kernels import P_DEEP

    lines = open(path).read().splitlines()
    sets = ["\n".join(lines[k:k + 3]) for k in range(0, len(lines), 3)]
    cat = load(path)
    assert [int(s.splitlines()[1][2:7]) for s in sets] == list(cat.norad_id)  # the file's order
    deep = init_params(cat)[:, P_DEEP] != 0.0
    keep = {"all": np.ones(len(cat), bool), "near-earth": ~deep, "deep-space": deep}[regime]
    cat = cat.take(np.flatnonzero(keep))
    sets = [s for s, k in zip(sets, keep) if k]
    n = len(cat)
    jd = np.full(N_TIMES, START_JD)
    fr = np.arange(N_TIMES) / 1440.0
    minutes = np.arange(N_TIMES, dtype=np.float64)
    start = datetime(2024, 11, 1, tzinfo=UTC)
    params = init_params(cat)
    rows = [np.arange(k, min(k + CHUNK, n)) for k in range(0, n, CHUNK)]
    grids = [GridPropagator(params[r]) for r in rows]
    constellations = [astroz.Constellation("\n".join(sets[k] for k in r) + "\n") for r in rows]
    assert sum(c.num_satellites for c in constellations) == n

    def ssa_run():
        out = []
        for g, r in zip(grids, rows):
            err = np.empty((len(r), N_TIMES), np.uint8)
            pos, vel = np.empty((len(r), N_TIMES, 3)), np.empty((len(r), N_TIMES, 3))
            g.into(jd, fr, err, pos, vel)
            out.append(np.where(err[:, ::360, None] == 0, pos[:, ::360], np.nan))
        return out

    # astroz's output columns: SGP4 objects, then SDP4, then failed ones; back to the file's order
    columns = []
    for c, r in zip(constellations, rows):
        column_of = {satnum: k for k, satnum in enumerate(c.satnums)}
        columns.append(np.array([column_of[norad] for norad in cat.norad_id[r]]))

    def astroz_run():
        out = []
        for c, cols in zip(constellations, columns):
            pos, _vel = astroz.propagate(c, minutes, start_time=start, output="teme", velocities=True)
            out.append(pos[::360][:, cols].transpose(1, 0, 2))
        return out

    def ssa_one_thread():
        numba.set_num_threads(1)
        try:
            return ssa_run()
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)

    runs = {"ssa": ssa_run, "ssa, 1 thread": ssa_one_thread, "astroz": astroz_run}
    if with_heyoka:
        import heyoka

        satrecs = cat.satrecs()
        props = [heyoka.model.sgp4_propagator([satrecs[i] for i in r]) for r in rows]
        times = []
        for p in props:
            t = np.zeros((N_TIMES, p.nsats), dtype=p.jdtype)
            t["jd"] = START_JD
            t["frac"] = fr[:, None]
            times.append(t)

        def heyoka_run():
            out = []
            for p, t in zip(props, times):
                state = p(t)[::360].transpose(2, 0, 1)  # (n_sat, time, x y z vx vy vz err)
                out.append(np.where(state[:, :, 6:7] == 0.0, state[:, :, :3], np.nan))
            return out

        runs["heyoka"] = heyoka_run
    best = {name: [np.inf, np.inf] for name in runs}
    values = {}
    for _ in range(repeat):
        for name, fn in runs.items():
            wall, cpu, values[name] = timed(fn)
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
    ours = np.concatenate(values["ssa"])  # NaN where ssa reports an error (its code 7 included)
    n_prop = n * N_TIMES
    print(f"Propagation, {regime}: {n:,} objects ({int((params[:, P_DEEP] != 0).sum()):,} deep space)"
          f" x {N_TIMES:,} times"
          f" = {n_prop / 1e6:.1f} M propagations, TEME r and v, best of {repeat}; {os.cpu_count()} CPUs")
    print()
    print("| code | wall s | CPU s | M/s wall | M per CPU-s | ssa per CPU-s / this | max |r - r_ssa| (km),"
          " every 6 h, both fine |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in runs:
        wall, cpu = best[name]
        diff = "-"
        if not name.startswith("ssa"):
            other = np.concatenate(values[name])
            both = np.isfinite(other).all(axis=2) & np.isfinite(ours).all(axis=2)
            diff = f"{np.abs(other - ours)[both].max():.2e}"
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {n_prop / wall / 1e6:.1f} | {n_prop / cpu / 1e6:.1f}"
              f" | {(n_prop / best['ssa'][1]) / (n_prop / cpu):.2f} | {diff} |")
    print()


def screen(path: str, days: float, tca_tol_s: float) -> None:
    import astroz

    from ssa.catalog import load
    from ssa.screen import run_screen

    cat = load(path)
    run_screen(cat.take(range(50)), START, days=0.01)  # load the compiled kernels first
    wall_s, cpu_s, result = timed(lambda: run_screen(cat, START, days=days, threshold_km=5.0))
    const = astroz.Constellation(path)
    start = datetime(2024, 11, 1, tzinfo=UTC)
    wall_a, cpu_a, events = timed(lambda: astroz.screen(const, days * 1440.0, threshold=5.0, step=1.0,
                                                        start_time=start))
    table = result.conjunctions
    print(f"Screen: {len(cat):,} objects, all vs all, 5 km, {days:g} day(s), 60 s grid")
    print()
    print("| code | wall s | CPU s | encounters | wall / ssa's | CPU / ssa's |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| ssa | {wall_s:.1f} | {cpu_s:.1f} | {len(table):,} ({int(table['persistent'].sum())} persistent) | 1.00 |"
          f" 1.00 |")
    print(f"| astroz | {wall_a:.1f} | {cpu_a:.1f} | {len(events.i):,} | {wall_a / wall_s:.2f} | {cpu_a / cpu_s:.2f} |")
    print()

    satnums = np.asarray(const.satnums)
    a_lo = np.minimum(satnums[events.i], satnums[events.j])
    a_hi = np.maximum(satnums[events.i], satnums[events.j])
    a_t = events.time * 60.0
    s_lo = np.minimum(table["norad_id_1"], table["norad_id_2"])
    s_hi = np.maximum(table["norad_id_1"], table["norad_id_2"])
    s_t = (table["tca_jd"] - START_JD) * 86400.0 + table["tca_fr"] * 86400.0
    persistent = set(zip(s_lo[table["persistent"]], s_hi[table["persistent"]]))
    a_keep = np.array([(lo, hi) not in persistent for lo, hi in zip(a_lo, a_hi)], dtype=bool)
    s_keep = ~table["persistent"]

    def unmatched(lo1, hi1, t1, lo2, hi2, t2):
        """Rows of set 1 with no row of set 2 of the same pair within tca_tol_s; and range index."""
        key2 = {}
        for k, (lo, hi, t) in enumerate(zip(lo2, hi2, t2)):
            key2.setdefault((lo, hi), []).append((t, k))
        missing, match = [], np.full(len(t1), -1)
        for k, (lo, hi, t) in enumerate(zip(lo1, hi1, t1)):
            near = [(abs(t - t2k), k2) for t2k, k2 in key2.get((lo, hi), [])]
            best = min(near) if near else (np.inf, -1)
            if best[0] <= tca_tol_s:
                match[k] = best[1]
            else:
                missing.append(k)
        return missing, match

    s_idx, a_idx = np.flatnonzero(s_keep), np.flatnonzero(a_keep)
    s_missing, s_match = unmatched(s_lo[s_idx], s_hi[s_idx], s_t[s_idx], a_lo[a_idx], a_hi[a_idx], a_t[a_idx])
    a_missing, _ = unmatched(a_lo[a_idx], a_hi[a_idx], a_t[a_idx], s_lo[s_idx], s_hi[s_idx], s_t[s_idx])
    hit = s_match >= 0
    d_range = np.abs(table["range_km"][s_idx][hit] - events.distance[a_idx][s_match[hit]])
    d_tca = np.abs(s_t[s_idx][hit] - a_t[a_idx][s_match[hit]])
    print(f"Outside ssa's {len(persistent)} persistent pairs: ssa {len(s_idx):,} encounters, astroz {len(a_idx):,};"
          f" ssa's found by astroz: {int(hit.sum()):,} (missing {len(s_missing)}), astroz's found by ssa:"
          f" {len(a_idx) - len(a_missing):,} (missing {len(a_missing)}); TCA within {tca_tol_s:g} s,"
          f" largest differences where matched: range {d_range.max() * 1e3 if len(d_range) else 0:.2f} m,"
          f" TCA {d_tca.max() if len(d_tca) else 0:.3f} s")
    for name, missing, lo, hi, t, idx in (("ssa", s_missing, s_lo, s_hi, s_t, s_idx),
                                          ("astroz", a_missing, a_lo, a_hi, a_t, a_idx)):
        for k in missing[:10]:
            print(f"  only {name}: {lo[idx][k]}-{hi[idx][k]} at +{t[idx][k]:.1f} s")
    print()
    print(f"screen ratios: astroz / ssa wall x{wall_a / wall_s:.2f}, CPU x{cpu_a / cpu_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="propagation: best of this many runs")
    parser.add_argument("--days", type=float, default=1.0, help="screen window (days)")
    parser.add_argument("--tca-tol-s", type=float, default=1.0, help="TCAs this close are the same encounter")
    parser.add_argument("--skip-screen", action="store_true")
    parser.add_argument("--skip-propagation", action="store_true")
    parser.add_argument("--skip-heyoka", action="store_true")
    parser.add_argument("--regimes", default="all,near-earth,deep-space",
                        help="propagation tables: all objects, near-earth only, deep-space only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "celestrak_on_orbit_2024-11-01.3le")
        write_3le(path)
        if not args.skip_propagation:
            for regime in args.regimes.split(","):
                propagation(path, args.repeat, not args.skip_heyoka, regime)
        if not args.skip_screen:
            screen(path, args.days, args.tca_tol_s)


if __name__ == "__main__":
    main()
