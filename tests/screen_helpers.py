"""Helpers for the screen tests: the shipped catalogue and real subsets of it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ssa.catalog import SHIPPED_SATCAT as SATCAT
from ssa.catalog.model import Catalog

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"
START = "2024-11-01T00:00:00"


def _load_omm_csv(path: Path) -> Catalog:
    """python-sgp4's own OMM reader, used while ssa.catalog.load is not there."""
    import csv

    from sgp4 import omm
    from sgp4.api import Satrec

    rows = list(csv.DictReader(open(path)))
    sats = []
    for row in rows:
        sat = Satrec()
        omm.initialize(sat, row)
        sats.append(sat)
    n = len(sats)
    col = lambda name: np.array([getattr(s, name) for s in sats], dtype=np.float64)  # noqa: E731
    return Catalog(
        norad_id=np.array([int(r["NORAD_CAT_ID"]) for r in rows], dtype=np.int64),
        name=np.array([r["OBJECT_NAME"] for r in rows], dtype=object),
        object_id=np.array([r["OBJECT_ID"] for r in rows], dtype=object),
        epoch_jd=col("jdsatepoch"), epoch_fr=col("jdsatepochF"),
        no_kozai=col("no_kozai"), ecco=col("ecco"), inclo=col("inclo"), nodeo=col("nodeo"),
        argpo=col("argpo"), mo=col("mo"), bstar=col("bstar"), ndot=col("ndot"), nddot=col("nddot"),
        element_set_no=np.array([int(r["ELEMENT_SET_NO"]) for r in rows], dtype=np.int64),
        rev_at_epoch=np.array([int(r["REV_AT_EPOCH"]) for r in rows], dtype=np.int64),
        classification=np.array([r["CLASSIFICATION_TYPE"] for r in rows], dtype=object),
        owner=np.full(n, "", dtype=object), object_type=np.full(n, "", dtype=object),
        source=np.array([f"{path.name}:{k + 2}" for k in range(n)], dtype=object),
    )


@lru_cache(maxsize=1)
def shipped() -> Catalog:
    try:
        from ssa.catalog import load
    except ImportError:
        return _load_omm_csv(SHIPPED)
    return load(SHIPPED, satcat=SATCAT)


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
