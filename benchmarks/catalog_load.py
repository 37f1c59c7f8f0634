"""Catalogue loading: ssa.catalog.load against python-sgp4's own readers.

Baseline: what a user of python-sgp4 does to get propagatable objects from the
same file (csv.DictReader + sgp4.omm.initialize, or Satrec.twoline2rv per TLE
pair), measured in the same run. Ours also validates every record, merges
nothing and drops duplicates. Best of --repeat runs.

    python benchmarks/catalog_load.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
from functools import partial
from pathlib import Path

from sgp4 import omm
from sgp4.api import Satrec

from ssa.catalog import SHIPPED_ACTIVE, SHIPPED_CATALOG, load
from timing import best_of

SPACETRACK_3LE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "catalogs" / \
    "spacetrack_full_catalog_3le_2021-05-29.txt"


def sgp4_from_omm_csv(path: Path) -> list:
    sats = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            sat = Satrec()
            omm.initialize(sat, row)
            sats.append(sat)
    return sats


def sgp4_from_3le(path: Path) -> list:
    lines = path.read_text().splitlines()
    return [Satrec.twoline2rv(lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = [(SHIPPED_CATALOG, sgp4_from_omm_csv), (SHIPPED_ACTIVE, sgp4_from_omm_csv)]
    if SPACETRACK_3LE.exists():
        cases.append((SPACETRACK_3LE, sgp4_from_3le))
    print(f"{'file':45s} {'records':>8s} {'ssa load s':>11s} {'python-sgp4 s':>14s} {'ratio':>6s}")
    for path, baseline in cases:
        n = len(load(path))
        ours = best_of(args.repeat, partial(load, path))[0]
        theirs = best_of(args.repeat, partial(baseline, path))[0]
        print(f"{path.name:45s} {n:8d} {ours:11.3f} {theirs:14.3f} {theirs / ours:6.2f}")


if __name__ == "__main__":
    main()
