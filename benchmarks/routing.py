"""Route every conjunction of a real screening run through the response rules.

Screens the shipped catalogue (all vs all, 7 days, 5 km; ``ssa.screen.screen``),
builds one alert per conjunction with the shipped SATCAT owner map and routes
it (``ssa.respond.route``), judging each alert at the window start. Prints
alerts per level and per lead party, the rules that fired, and the time of
routing against the time of the screening measured in the same run.

    python benchmarks/routing.py [--days 7] [--with-pc] [--conjunctions run.npy]

``--conjunctions FILE.npy`` keeps the screening result: screened and saved when
the file is absent, read back when present (then no screening time is printed).
``--with-pc`` adds Pc from ``ssa.assess.assess`` before routing.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load, load_satcat
from ssa.respond import Alert, load_config, route


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=SHIPPED_CATALOG)
    parser.add_argument("--satcat", type=Path, default=SHIPPED_SATCAT)
    parser.add_argument("--start", default="2024-11-01T00:00:00", help="window start, UTC")
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--threshold-km", type=float, default=5.0)
    parser.add_argument("--with-pc", action="store_true", help="assess Pc (ssa.assess) before routing")
    parser.add_argument("--conjunctions", type=Path, help="keep/reuse the screening result (.npy)")
    args = parser.parse_args()

    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    owners = load_satcat(args.satcat)
    catalog = load(args.catalog, satcat=owners)
    screen_s = None
    if args.conjunctions and args.conjunctions.exists():
        rows = np.load(args.conjunctions)
    else:
        from ssa.screen import screen

        t0 = time.perf_counter()
        rows = screen(catalog, start, days=args.days, threshold_km=args.threshold_km)
        screen_s = time.perf_counter() - t0
        if args.conjunctions:
            np.save(args.conjunctions, rows)
    assess_s = None
    if args.with_pc:
        from ssa.assess import assess

        t0 = time.perf_counter()
        rows = assess(rows, catalog)
        assess_s = time.perf_counter() - t0

    cfg = load_config()
    t0 = time.perf_counter()
    alerts = Alert.from_conjunctions(rows, owners, now=start)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    routings = [route(alert, cfg) for alert in alerts]
    route_s = time.perf_counter() - t0

    levels = list(cfg.levels)
    by_level = Counter(r.level for r in routings)
    paged_by_level = Counter(r.level for r in routings if r.paged)
    by_lead = Counter((r.lead, r.level) for r in routings)
    paged_by_lead = Counter(r.lead for r in routings if r.paged)
    by_rule = Counter(r.rule_id for r in routings)
    dutch = sum(any(i.category for i in r.interests) for r in routings)

    print(f"catalogue {args.catalog.name}: {len(catalog)} objects; window {args.start} + {args.days:g} d, "
          f"{args.threshold_km:g} km; {len(rows)} conjunctions ({int(rows['persistent'].sum())} persistent), "
          f"{dutch} involving an object of Dutch interest; Pc {'assessed' if args.with_pc else 'not assessed'}")
    print()
    print("| level | alerts | paged |")
    print("|---|---:|---:|")
    for level in levels:
        print(f"| {level} | {by_level[level]} | {paged_by_level[level]} |")
    print(f"| all | {len(routings)} | {sum(paged_by_level.values())} |")
    print()
    print("| lead party | " + " | ".join(levels) + " | all | paged |")
    print("|---|" + "---:|" * (len(levels) + 2))
    for lead in sorted({r.lead for r in routings}, key=lambda p: -sum(by_lead[(p, level)] for level in levels)):
        counts = [by_lead[(lead, level)] for level in levels]
        print(f"| {lead} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} | {paged_by_lead[lead]} |")
    print()
    print("| rule | alerts |")
    print("|---|---:|")
    for rule, count in by_rule.most_common():
        print(f"| {rule} | {count} |")
    print()
    print("| step | time (s) | per conjunction (us) |")
    print("|---|---:|---:|")
    n = max(len(rows), 1)
    if screen_s is not None:
        print(f"| screen (ssa.screen.screen, baseline) | {screen_s:.1f} | {1e6 * screen_s / n:.0f} |")
    if assess_s is not None:
        print(f"| assess (ssa.assess.assess) | {assess_s:.1f} | {1e6 * assess_s / n:.0f} |")
    print(f"| build alerts (Alert.from_conjunctions) | {build_s:.2f} | {1e6 * build_s / n:.1f} |")
    print(f"| route (ssa.respond.route) | {route_s:.2f} | {1e6 * route_s / n:.1f} |")
    if screen_s is not None:
        print(f"\nrouting / screening time: {route_s / screen_s:.4f}")


if __name__ == "__main__":
    main()
