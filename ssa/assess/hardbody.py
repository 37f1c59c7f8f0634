"""Hard-body radius (HBR, metres) per object.

From NASA CARA's published estimates (ssa/assess/data/hbr_cara_2026-06-01.csv: the
NORAD id, HBR and source columns of CARA's HBR_Mass_Estimates_20260601,
NASA Open Source Agreement; sources SFK_RCS = from radar cross-section,
CARA_DEFAULT, CARA_PRIMARY = protected primary, CARA_OVERRIDE). Objects CARA
gives no HBR fall back, in this order:

1. radar cross-section, when the catalogue gives one (``Catalog.rcs_m2``):
   the radius of a disc of that area, sqrt(RCS / pi). On the 7,809 objects
   whose CARA HBR is an "SFK RCS Estimate" and whose RCS Space-Track's
   2025-01-11 catalogue gives, CARA's HBR / sqrt(RCS / pi) has a median
   within 10 % of 1 and lies within a factor 2 for more than 80 % of them
   (``tests/test_assess_pipeline.py``);
2. SATCAT object type: the value CARA itself assigns most often as "Default"
   to that type in the same file (PAY 14.5 m, R/B 8.0 m, DEB 1.1 m, UNK and
   unknown type 1.1 m): conservative for small payloads, as CARA's defaults are.

A conjunction's combined HBR is the sum of the two.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

import numpy as np

HBR_CATALOG = resources.files("ssa.assess") / "data" / "hbr_cara_2026-06-01.csv"
FALLBACK_BY_TYPE_M = {"PAY": 14.5, "R/B": 8.0, "DEB": 1.1, "UNK": 1.1}
FALLBACK_UNKNOWN_M = 1.1


@lru_cache(maxsize=2)
def cara_table(path=HBR_CATALOG) -> dict[int, tuple[float, str]]:
    """NORAD id -> (HBR m, source) from the packaged CARA file."""
    with path.open(newline="") as fh:
        return {int(r["NORAD_CAT_ID"]): (float(r["HBR_M"]), r["SOURCE"]) for r in csv.DictReader(fh)}


def hard_body_radius(norad_ids, object_types=None, rcs_m2=None):
    """Per-object HBR (m) and its source ("cara:SFK_RCS", "rcs", "type:PAY", ...) as two arrays.

    rcs_m2: radar cross-section per object (m^2, NaN where unknown) or None.
    """
    table = cara_table()
    ids = np.atleast_1d(np.asarray(norad_ids, dtype=np.int64))
    types = [""] * len(ids) if object_types is None else list(np.atleast_1d(object_types))
    rcs = np.full(len(ids), np.nan) if rcs_m2 is None else np.atleast_1d(np.asarray(rcs_m2, dtype=float))
    hbr = np.empty(len(ids))
    source = np.empty(len(ids), dtype=object)
    for i, (norad, kind) in enumerate(zip(ids, types)):
        if int(norad) in table:
            hbr[i], src = table[int(norad)]
            source[i] = f"cara:{src}"
        elif rcs[i] > 0.0:
            hbr[i] = np.sqrt(rcs[i] / np.pi)
            source[i] = "rcs"
        else:
            kind = str(kind or "").strip().upper()
            hbr[i] = FALLBACK_BY_TYPE_M.get(kind, FALLBACK_UNKNOWN_M)
            source[i] = f"type:{kind or 'unknown'}"
    return hbr, source
