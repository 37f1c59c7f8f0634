"""Helpers for the screen tests: the shipped catalogue and real subsets of it."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from paths import SHIPPED_CATALOG as SHIPPED
from ssa.catalog import SHIPPED_SATCAT, load
from ssa.catalog.model import Catalog

START = "2024-11-01T00:00:00"


@lru_cache(maxsize=1)
def shipped() -> Catalog:
    """The shipped catalogue with the shipped SATCAT map, loaded once per session
    (tests take the ``shipped_catalog`` fixture; helpers call this)."""
    return load(SHIPPED, satcat=SHIPPED_SATCAT)


def subset(mask) -> Catalog:
    return shipped().take(np.flatnonzero(mask))


def rev_per_day(cat: Catalog) -> np.ndarray:
    return cat.no_kozai * 1440.0 / (2 * np.pi)


def assert_matches_reference(engine: np.ndarray, reference: np.ndarray, threshold_km: float,
                             tca_tol_s: float = 1e-3, range_tol_km: float = 1e-3) -> None:
    """Every reference conjunction found (TCA within 1 ms, range within 1 m, same persistence),
    and every engine row matched unless it is within tolerance of the threshold.

    Persistent pairs are matched on ids and range (the TCA of a flat range is arbitrary).
    """
    used = np.zeros(len(engine), dtype=bool)
    problems = []
    for ref in reference:
        same = (engine["norad_id_1"] == ref["norad_id_1"]) & (engine["norad_id_2"] == ref["norad_id_2"]) & ~used
        if not ref["persistent"]:
            same &= np.abs((engine["tca"] - ref["tca"]) / np.timedelta64(1, "us")) <= tca_tol_s * 1e6
        hits = np.flatnonzero(same)
        if len(hits) != 1:
            if ref["range_km"] < threshold_km - range_tol_km:
                problems.append(f"reference row not found once ({len(hits)}): {ref[_SHOW]}")
            continue
        got = engine[hits[0]]
        used[hits[0]] = True
        if abs(got["range_km"] - ref["range_km"]) > range_tol_km or got["persistent"] != ref["persistent"]:
            problems.append(f"differs: engine {got[_SHOW]} reference {ref[_SHOW]}")
    for extra in engine[~used]:
        if extra["range_km"] < threshold_km - range_tol_km:
            problems.append(f"extra engine row: {extra[_SHOW]}")
    assert not problems, "\n".join(problems)


_SHOW = ["norad_id_1", "norad_id_2", "tca", "range_km", "relative_speed_km_s", "persistent"]
