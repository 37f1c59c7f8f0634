"""Proximity operations: the asset registry's objects against the whole catalogue for 7 days.

    python benchmarks/proximity.py [--days 7] [--catalog FILE]

Ours: ``detect_proximity`` (one primaries screen per regime at its distance, then a timeline per
pair found) for every asset of ``ssa.respond``'s registry, formations declared. Baseline, in the
same run: one ``ssa.screen.screen`` of the same primaries at the largest distance (50 km), what
finding the pairs costs without per-regime distances or timelines. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
from ssa.detect.proximity import DEFAULT_DISTANCE_KM, detect_proximity
from ssa.respond.config import load_config
from ssa.screen import screen

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best_of  # noqa: E402

START = "2024-11-01T00:00:00"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--catalog", type=Path, default=SHIPPED_CATALOG)
    args = parser.parse_args()
    cfg = load_config()
    catalog = load(args.catalog, satcat=SHIPPED_SATCAT)
    assets = sorted(cfg.assets)
    detect_proximity(catalog.take(catalog.index_of([26824, 44625])), [26824], START, 0.1)  # load cached kernels
    ours, (ops, _) = best_of(1, lambda: detect_proximity(catalog, assets, START, args.days,
                                                         together=cfg.together.values()))
    widest = max(DEFAULT_DISTANCE_KM.values())
    base, rows = best_of(1, lambda: screen(catalog, START, args.days, widest, primaries=assets))
    print(f"{os.uname().nodename}: load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}, {os.cpu_count()} cores")
    print("| what | assets in catalogue | catalogue | days | result | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    present = int(sum(n in set(catalog.norad_id.tolist()) for n in assets))
    print(f"| detect_proximity (LEO {DEFAULT_DISTANCE_KM['leo']:g} / MEO {DEFAULT_DISTANCE_KM['meo']:g} / "
          f"GEO {DEFAULT_DISTANCE_KM['geo']:g} km, timelines) | {present} | {len(catalog):,} | {args.days:g} | "
          f"{len(ops)} operations | {ours:.1f} |")
    print(f"| baseline: one primaries screen at {widest:g} km | {present} | {len(catalog):,} | {args.days:g} | "
          f"{len(rows):,} conjunction rows | {base:.1f} |")
    for op in ops:
        print(f"  {op.asset_name} ({op.asset_norad_id}) <- {op.name} ({op.norad_id}, {op.owner}): "
              f"{', '.join(op.reasons)}, closest {op.min_range_km:.2f} km, stay {op.longest_stay_s / 3600:.1f} h")


if __name__ == "__main__":
    main()
