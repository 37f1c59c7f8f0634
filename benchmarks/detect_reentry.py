"""Re-entry watch: predicted against actual re-entry dates, and speed.

Accuracy: ``ssa.detect.reentry.watch`` on the shipped 2024-11-01 catalogue
(90-day horizon, so every object that came down within 90 days can be
scored) against the real decay dates in ../shared/data/decay/ (Space-Track
decay records, SatNOGS after 2025-01-31); per period the median and 90th
percentile error in days and as a fraction of the remaining time, and the
share whose actual day falls inside the window: the shipped window, its half
that was not used to measure it (odd NORAD ids), and the usual +/-20 %.

Speed: the decay prediction of every object with a perigee below 600 km, numba
kernel against the plain-numpy version of the same integration (same steps) in
the same run; then the whole watch (30-day horizon, ground tracks over Dutch
territory).

    python benchmarks/detect_reentry.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

from ssa.catalog import load
from ssa.catalog.summary import semi_major_axis_km
from ssa.detect import reentry
from ssa.detect.reentry import accuracy, fit_ballistic, predict_decay, read_decay_dates, watch

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"
DECAY = ROOT.parent / "shared" / "data" / "decay" / "decay_truth_2024-11-01.csv"
SINCE = np.datetime64("2024-11-01")


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min)")
    catalog = load(CATALOG)
    if DECAY.exists():
        decay = read_decay_dates(DECAY)
        found = watch(catalog, horizon_days=90.0, margin_km=None)
        odd = {n for n in decay if n % 2 == 1}
        ratios = [((np.datetime64(decay[r.norad_id], "s") + np.timedelta64(12, "h") - np.datetime64(
                       r.epoch.replace(tzinfo=None), "s")) / np.timedelta64(1, "s"))
                  / (r.predicted - r.epoch).total_seconds()
                  for r in found if r.norad_id in decay and r.norad_id % 2 == 0 and r.predicted is not None
                  and (decay[r.norad_id] - SINCE).astype(int) <= 90]
        low, high = np.percentile(ratios, [7.5, 92.5])
        print(f"actual / predicted remaining time, even NORAD ids, re-entered within 90 days ({len(ratios)}): "
              f"central 85 % {low:.3f} .. {high:.3f} (window early {1 - low:.2f}, late {high - 1:.2f})")
        print(f"\nwindow: {1 - reentry.WINDOW_EARLY:.2f} .. {1 + reentry.WINDOW_LATE:.2f} x predicted remaining time")
        print("| re-entered within | objects | predicted | median error (d) | p90 error (d) | median error / "
              "remaining | p90 | median signed | inside window | inside, odd ids | inside +/-20 % |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for days in (7, 30, 90):
            a = accuracy(found, decay, SINCE, days)
            held = accuracy(found, decay, SINCE, days, norad_ids=odd)
            usual = accuracy(found, decay, SINCE, days, early=0.2, late=0.2)
            print(f"| {days} d | {a.objects} | {a.predicted} | {a.median_error_days:.2f} | {a.p90_error_days:.2f} "
                  f"| {a.median_error_fraction:.2f} | {a.p90_error_fraction:.2f} | {a.median_signed_fraction:+.2f} "
                  f"| {a.inside_window:.0%} | {held.inside_window:.0%} | {usual.inside_window:.0%} |")
        sources = DECAY.with_name("decay_truth_2024-11-01_sources.csv")
        with open(sources, newline="", encoding="utf-8") as f:
            both = [row for row in csv.DictReader(f) if row["SPACETRACK_DECAY"] and row["SATNOGS_DECAY"]]
        print(f"\n{len(both)} objects with both a Space-Track and a SatNOGS decay date (payloads), within 90 days:")
        print("| truth | objects | predicted | median error (d) | median error / remaining | median signed "
              "| inside window |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for column in ("SPACETRACK_DECAY", "SATNOGS_DECAY"):
            dates = {int(row["NORAD_CAT_ID"]): np.datetime64(row[column], "D") for row in both}
            a = accuracy(found, dates, SINCE, 90)
            print(f"| {column} | {a.objects} | {a.predicted} | {a.median_error_days:.2f} "
                  f"| {a.median_error_fraction:.2f} | {a.median_signed_fraction:+.2f} | {a.inside_window:.0%} |")
    else:
        print(f"{DECAY} absent: accuracy skipped", file=sys.stderr)

    a = semi_major_axis_km(catalog.no_kozai)
    low = catalog.take(np.flatnonzero(a * (1 - catalog.ecco) - reentry.R_EARTH_KM < 1000.0))
    ballistic, _how = fit_ballistic(low)
    predict_decay(low, ballistic, 120.0, kernel="numba")  # compile / load the cache
    numba_s = best_of(args.repeat, lambda: predict_decay(low, ballistic, 120.0, kernel="numba"))
    numpy_s = best_of(args.repeat, lambda: predict_decay(low, ballistic, 120.0, kernel="numpy"))
    same = np.allclose(predict_decay(low, ballistic, 120.0, kernel="numba"),
                       predict_decay(low, ballistic, 120.0, kernel="numpy"), rtol=0, atol=1e-6, equal_nan=True)
    print(f"\n| step ({len(low):,} objects, perigee < 1000 km, 120 days) | numba (s) | numpy (s) | numpy / numba "
          f"| same days (1e-6 d) |")
    print("|---|---:|---:|---:|---|")
    print(f"| decay prediction | {numba_s:.3f} | {numpy_s:.3f} | {numpy_s / numba_s:.1f} | {same} |")
    whole = best_of(1, lambda: watch(catalog, horizon_days=30.0))
    n = len(watch(catalog, horizon_days=30.0))
    print(f"\nwhole watch, {len(catalog):,} objects, 30-day horizon, ground tracks: {whole:.1f} s ({n} candidates)")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min)")


if __name__ == "__main__":
    main()
