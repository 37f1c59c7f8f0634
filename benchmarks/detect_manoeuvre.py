"""Manoeuvre detection: speed against the plain-numpy version, recall and precision on injected
burns, and the ISS history 2020-2024 per year.

    python benchmarks/detect_manoeuvre.py [--per-combo 5] [--repeat 3] [--k 10]

Needs ../shared/data (the ISS history and the Space-Track snapshots); prints Markdown tables.
"""
from __future__ import annotations

import argparse
import collections
import sys
from functools import partial
from pathlib import Path

import numpy as np

from ssa.catalog import load, parse_text
from ssa.detect.manoeuvre import detect_manoeuvres, history_pairs, residuals
from ssa.timeutil import to_julian

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO / "tests"))
from manoeuvre_injection import DIRECTIONS, inject, read_tle_pairs, trials  # noqa: E402  (tests/ is put on the path above)
from timing import best_of  # noqa: E402

ISS = DATA / "events" / "iss_25544_tle_history_2020-2024.txt"
SNAPSHOTS = [DATA / "catalogs" / "spacetrack_full_catalog_3le_2021-05-29.txt",
             DATA / "catalogs" / "spacetrack_full_catalog_3le_2022-01-22.txt", ISS]
SIZES = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]


def jd(t: np.datetime64) -> float:
    return sum(to_julian(t))


def speed(repeat: int) -> None:
    print("| history | element sets | pairs | numba residuals (s) | numpy + python-sgp4 (s) | ratio | "
          "max abs difference | detector, numba (s) | detector, numpy (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, paths in (("ISS 2020-2024", [ISS]), ("2 Space-Track catalogues + ISS history", SNAPSHOTS)):
        history = load(paths, keep="all")
        _, earlier, later = history_pairs(history)
        residuals(history, earlier[:10], later[:10])  # load the cached kernel
        fast = best_of(repeat, partial(residuals, history, earlier, later))[0]
        slow = best_of(1, partial(residuals, history, earlier, later, reference=True))[0]
        out, err = residuals(history, earlier, later)
        ref, _ = residuals(history, earlier, later, reference=True)
        ok = err == 0
        diff = np.abs(out[ok] - ref[ok]).max()
        det_fast = best_of(repeat, partial(detect_manoeuvres, history))[0]
        det_slow = best_of(1, partial(detect_manoeuvres, history, reference=True))[0]
        print(f"| {name} | {len(history):,} | {len(earlier):,} | {fast:.3f} | {slow:.3f} | {slow / fast:.1f} | "
              f"{diff:.1e} | {det_fast:.3f} | {det_slow:.3f} |")


def injection(per_combo: int, k: float) -> None:
    sets = read_tle_pairs(ISS.read_text())
    baseline = detect_manoeuvres(load(ISS, keep="all"), k=k)
    intervals = [(jd(m.after), jd(m.before)) for m in baseline.manoeuvres]

    def detected(text):
        return [(jd(m.after), jd(m.before)) for m in detect_manoeuvres(parse_text(text, keep="all"), k=k).manoeuvres]

    cases = trials(sets, intervals, SIZES, list(DIRECTIONS), per_combo, seed=2026, detect_window=detected)
    found = collections.Counter()
    errors = collections.defaultdict(list)
    false = 0
    for window, burn, dv, label in cases:
        result = detect_manoeuvres(parse_text(inject(window, [(burn, dv)]), keep="all"), k=k).manoeuvres
        hits = [m for m in result if jd(m.after) <= burn <= jd(m.before)]
        plain = detected(inject(window, []))
        false += sum(1 for m in result if m not in hits and not any(
            a <= jd(m.before) and jd(m.after) <= b for a, b in plain))
        if hits:
            found[label] += 1
            size = float(np.linalg.norm(dv))
            errors[label].append(abs(hits[0].delta_v_m_s - size) / size)
    total = len(cases)
    tp = sum(found.values())
    print(f"\n{total} burns ({per_combo} per size and direction), each in its own +-20-day window of the ISS "
          f"history, at least 4 days from the manoeuvres detected there without it.")
    print(f"Found {tp}; false detections {false} (detections in a window other than the burn's, beyond those "
          f"the window has without the burn). Precision {tp / max(tp + false, 1):.3f}, recall {tp / total:.3f}.\n")
    print("| delta-v (m/s) | " + " | ".join(DIRECTIONS) + " |")
    print("|---:|" + "---:|" * len(DIRECTIONS))
    for size in SIZES:
        cells = []
        for d in DIRECTIONS:
            label = f"{d} {size:g} m/s"
            err = f" ({np.median(errors[label]) * 100:.0f} %)" if errors[label] else ""
            cells.append(f"{found[label]}/{per_combo}{err}")
        print(f"| {size:g} | " + " | ".join(cells) + " |")
    print("\nCells: found/injected (median relative error of the estimated delta-v).")


def iss_years(k: float) -> None:
    result = detect_manoeuvres(load(ISS, keep="all"), k=k)
    print("\n| year | manoeuvres | raising (along-track +) | lowering (along-track -) | other direction | "
          "routine | median delta-v (m/s) | total delta-v (m/s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    years = collections.defaultdict(list)
    for m in result.manoeuvres:
        years[str(m.after)[:4]].append(m)
    for year, mans in sorted(years.items()):
        along = [m for m in mans if m.direction == "along-track"]
        print(f"| {year} | {len(mans)} | {sum(m.dv_along_m_s > 0 for m in along)} | "
              f"{sum(m.dv_along_m_s < 0 for m in along)} | {len(mans) - len(along)} | "
              f"{sum(m.routine for m in mans)} | {np.median([m.delta_v_m_s for m in mans]):.2f} | "
              f"{sum(m.delta_v_m_s for m in mans):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-combo", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--k", type=float, default=10.0, help="detection threshold (detect_manoeuvres' k)")
    args = parser.parse_args()
    if not ISS.exists():
        sys.exit(f"{ISS} not found: this benchmark needs ../shared/data")
    speed(args.repeat)
    injection(args.per_combo, args.k)
    iss_years(args.k)


if __name__ == "__main__":
    main()
