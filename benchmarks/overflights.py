"""Overflights: the whole catalogue's imaging payloads over 10 sites and 7 days, against skyfield.

    python benchmarks/overflights.py [--days 7] [--baseline-sats 6] [--catalog FILE]

Ours: ``find_overflights`` (numba, every pass refined to 1 ms) for every watcher of the default
watchers file (payloads in sun-synchronous LEO and the public radar satellites). Baseline, in the
same run: skyfield's ``EarthSatellite.find_events`` on ``--baseline-sats`` of them over the same
sites and days, scaled per satellite-site to the whole set (running it for all would take hours).
Prints a Markdown table and the load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
from ssa.detect.overflight import Site, find_overflights, load_sites, load_watchers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best_of  # noqa: E402

START = "2024-11-01T00:00:00"
EXTRA_SITES = [("Amsterdam Centraal", 52.3791, 4.9003), ("Utrecht Dom tower", 52.0907, 5.1214),
               ("Groningen Martini tower", 53.2194, 6.5680), ("Maastricht Vrijthof", 50.8489, 5.6889),
               ("Den Helder harbour", 52.9600, 4.7800)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--baseline-sats", type=int, default=6)
    parser.add_argument("--catalog", type=Path, default=SHIPPED_CATALOG)
    args = parser.parse_args()
    from skyfield.api import EarthSatellite, wgs84
    from skyfield.api import load as sf_load

    sites = [Site(s.name, s.lat_deg, s.lon_deg, s.alt_m, s.sensitivity, s.readers) for s in load_sites()]
    sites += [Site(name, lat, lon, 0.0, "public", ("defensie",)) for name, lat, lon in EXTRA_SITES]
    catalog = load(args.catalog, satcat=SHIPPED_SATCAT)
    rows, sensors = load_watchers().select(catalog)
    watching = catalog.take(rows)
    find_overflights(watching.take([0]), sites[:1], START, 0.1, sensors[:1])  # load the cached kernel
    ours, passes = best_of(1, lambda: find_overflights(watching, sites, START, args.days, sensors))
    pick = np.linspace(0, len(watching) - 1, args.baseline_sats).astype(int)
    subset = watching.take(pick)
    ours_subset, _ = best_of(1, lambda: find_overflights(subset, sites, START, args.days, [sensors[i] for i in pick]))
    ts = sf_load.timescale(builtin=True)
    t0 = ts.utc(2024, 11, 1)
    t1 = ts.tt_jd(t0.tt + args.days)
    satellites = [EarthSatellite.from_satrec(s, ts) for s in subset.satrecs()]
    topos = [wgs84.latlon(s.lat_deg, s.lon_deg, s.alt_m) for s in sites]
    clock = time.perf_counter()
    events = 0
    for sat in satellites:
        for place in topos:
            events += len(sat.find_events(place, t0, t1, altitude_degrees=0.0)[1])
    baseline_subset = time.perf_counter() - clock
    scaled = baseline_subset * len(watching) / len(subset)
    print(f"{os.uname().nodename}: load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}, {os.cpu_count()} cores")
    print("| set | satellites | sites | days | passes | ours (s) | skyfield find_events (s) | skyfield / ours |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| skyfield's subset | {len(subset):,} | {len(sites)} | {args.days:g} | {events // 3:,} (events / 3) | "
          f"{ours_subset:.2f} | {baseline_subset:.2f} | {baseline_subset / ours_subset:.1f} |")
    print(f"| all imaging payloads | {len(watching):,} | {len(sites)} | {args.days:g} | {len(passes):,} | "
          f"{ours:.2f} | {scaled:.0f} (scaled) | {scaled / ours:.1f} |")


if __name__ == "__main__":
    main()
