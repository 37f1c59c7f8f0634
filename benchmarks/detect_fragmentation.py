"""Fragmentation detector: numba cloud-distance kernel against the plain-numpy
reference (python-sgp4's C++ SatrecArray + numpy) in the same run, on the
COSMOS 1408 and Iridium 33 / Cosmos 2251 clouds, and the whole detector on
each case with either (and, with --snapshots, the Space-Track snapshots
2021-05-29 -> 2022-01-22, whole catalogues).

    python benchmarks/detect_fragmentation.py [--snapshots]
"""
from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from ssa.catalog import SHIPPED_SATCAT, load
from ssa.detect.fragmentation import cloud_spread, detect_fragmentations, new_piece_clusters
from ssa.detect.fragmentation_kernels import cloud_distances_reference
from timing import best_of

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CASES = {
    "COSMOS 1408 (2021-11-13/15 -> 2021-11-30)": (SHARED / "events" / "cosmos1408_pre_asat_2021-11-13_15.tle",
                                                  SHARED / "events" / "cosmos1408_debris_celestrak_2021-11-30.txt"),
    "Iridium 33 / Cosmos 2251 (2009-02-09 -> 2009-08-31)": (
        SHARED / "events" / "iridium33_cosmos2251_last_pre_collision_2009-02-09.tle",
        SHARED / "catalogs" / "celestrak_stk_full_catalog_2le_2009-08-31.txt"),
}
SNAPSHOTS = ("Space-Track 2021-05-29 -> 2022-01-22", (
    SHARED / "catalogs" / "spacetrack_full_catalog_3le_2021-05-29.txt",
    SHARED / "catalogs" / "spacetrack_full_catalog_3le_2022-01-22.txt"))


def main() -> None:
    cases = dict(CASES)
    if "--snapshots" in sys.argv:
        cases[SNAPSHOTS[0]] = SNAPSHOTS[1]
    missing = [str(p) for pair in cases.values() for p in pair if not p.exists()]
    if missing:
        sys.exit(f"needs ../shared/data (Space-Track and CelesTrak event data): missing {', '.join(missing)}")
    for label, (old_path, new_path) in cases.items():
        old, new = load(old_path, satcat=SHIPPED_SATCAT), load(new_path, satcat=SHIPPED_SATCAT)
        clusters = new_piece_clusters(old, new)
        launch, rows = max(clusters.items(), key=lambda kv: len(kv[1]))
        fragments = new.take(rows)
        parent = old.take([i for i, o in enumerate(old.object_id) if o.startswith(launch)][:1])
        t0 = float(parent.epoch_jd[0] + parent.epoch_fr[0])
        jd = t0 + np.arange(0.0, 1.0, 60.0 / 86400.0)  # one day at 60 s, as the detector's coarse search
        whole = np.floor(jd - 0.5) + 0.5
        cloud_spread(fragments, parent, jd)  # compile
        t_numba, (ours, _) = best_of(3, partial(cloud_spread, fragments, parent, jd))
        t_ref, ref = best_of(1, partial(cloud_distances_reference, fragments, parent, whole, jd - whole))
        # back-propagated months, SGP4 (ours and python-sgp4 alike) returns error code 0 with
        # positions of 1e18 km for some decaying debris: compared only below 100,000 km
        sane = ref < 1e5
        worst = float(np.nanmax(np.abs(ours - ref)[sane]))
        n_absurd = int(np.sum(~sane & ~np.isnan(ref)))
        tic = time.perf_counter()
        events = detect_fragmentations(old, new)
        t_detect = time.perf_counter() - tic
        tic = time.perf_counter()
        ref_events = detect_fragmentations(old, new, reference=True)
        t_detect_ref = time.perf_counter() - tic
        same = [(e.launch, e.parent_norad_id, e.n_fragments, e.event_time, e.classification) for e in events] \
            == [(e.launch, e.parent_norad_id, e.n_fragments, e.event_time, e.classification) for e in ref_events]
        print(f"{label}: cluster {launch}, {len(rows)} fragments x {len(jd)} times: numba {t_numba:.3f} s, "
              f"reference {t_ref:.3f} s, ratio {t_ref / t_numba:.1f}x, max difference {worst:.2e} km "
              f"({n_absurd} distances over 1e5 km left out); whole detector: numba {t_detect:.1f} s, "
              f"reference {t_detect_ref:.1f} s, ratio {t_detect_ref / t_detect:.1f}x, {len(events)} event(s), "
              f"same events, times and classes: {same}")


if __name__ == "__main__":
    main()
