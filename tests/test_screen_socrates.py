"""The screen against CelesTrak SOCRATES' own reports, on the element sets SOCRATES used.

SOCRATES "Top 20 by Maximum Probability" pages of three days, with the
catalogue of the same day (keeptrack.space snapshots in ../shared). A row is
comparable when both of its element sets are in that catalogue: the epoch
equals TCA - DSE to SOCRATES' printed 0.001 day. For those rows we screen the
objects over SOCRATES' own computation interval (7 days, 5 km) and hold every
row to SOCRATES' printed precision: range to the metre, relative speed to the
m/s, TCA to the millisecond (or, for pairs that hardly move relative to each
other, to the time they take to drift 1 m apart). Pairs that SOCRATES shows
with zero relative speed (docked, co-located GEO, drifting formations) are our
persistent pairs, and the docked one sits at the window start as SOCRATES puts it.
"""
import csv
import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from paths import SHARED_DATA, needs_shared
from ssa.catalog import load
from ssa.screen import screen

SOCRATES = SHARED_DATA / "socrates"
CATALOGUES = {"2021-07-22": "keeptrack_catalog_2le_2021-07-22.txt",
              "2022-08-16": "keeptrack_catalog_3le_2022-08-16.txt",
              "2023-03-26": "keeptrack_catalog_3le_2023-03-26.txt"}
STAMP = "%Y %b %d %H:%M:%S.%f"  # SOCRATES' time format, UTC

pytestmark = needs_shared(SOCRATES, what="SOCRATES' same-day catalogues (Space-Track element sets, redistribution restricted)")


def comparable_rows(date: str, catalog):
    """SOCRATES rows of that day whose two element sets are those of `catalog`."""
    epoch = {int(n): datetime(2000, 1, 1) + timedelta(days=float((jd - 2451544.5) + fr))
             for n, jd, fr in zip(catalog.norad_id, catalog.epoch_jd, catalog.epoch_fr)}
    rows, total = [], 0
    for rec in csv.DictReader(open(SOCRATES / f"socrates_top20_maxprob_{date}.csv")):
        total += 1
        tca = datetime.strptime(rec["TCA_UTC"], STAMP)
        ids = int(rec["NORAD_CAT_ID_1"]), int(rec["NORAD_CAT_ID_2"])
        if all(n in epoch and abs((tca - epoch[n]).total_seconds() / 86400.0 - float(rec[f"DSE_{k}"])) < 0.002
               for k, n in zip((1, 2), ids)):
            rows.append((rec, ids, tca))
    return rows, total


@pytest.mark.parametrize("date", sorted(CATALOGUES))
def test_screen_reproduces_socrates(date):
    meta = json.loads((SOCRATES / "socrates_reports_meta.json").read_text())[date]
    start = datetime.strptime(meta["computation_interval"].split("Start = ")[1].split(",")[0], STAMP)
    assert meta["threshold"] == "5.0 km"
    catalog = load(SOCRATES / CATALOGUES[date])
    rows, total = comparable_rows(date, catalog)
    assert len(rows) >= 2 and total >= 16
    ids = sorted({n for _, pair, _ in rows for n in pair})
    ours = screen(catalog.take(catalog.index_of(ids)), start.isoformat(), days=7.0, threshold_km=5.0)

    for rec, (a, b), tca in rows:
        pair = ours[(ours["norad_id_1"] == min(a, b)) & (ours["norad_id_2"] == max(a, b))]
        assert len(pair), f"{a} x {b}: SOCRATES' conjunction at {tca} not found"
        when = np.datetime64(tca.isoformat(), "us")
        row = pair[np.argmin(np.abs(pair["tca"] - when))]
        speed = float(row["relative_speed_km_s"])
        dt_s = abs(float((row["tca"] - when) / np.timedelta64(1, "us"))) / 1e6
        where = f"{a} x {b} at {tca}"
        assert abs(row["range_km"] - float(rec["MIN_RANGE_KM"])) <= 0.0006, where
        assert abs(speed - float(rec["REL_VEL_KMS"])) <= 0.0006, where
        assert dt_s <= max(1e-3, 1e-3 / max(speed, 1e-9)), where  # 1 ms, or the time to drift 1 m
        assert bool(row["persistent"]) == (float(rec["REL_VEL_KMS"]) == 0.0), where
        if float(rec["MIN_RANGE_KM"]) == 0.0 and rec["START_UTC"] == rec["TCA_UTC"]:  # docked
            assert row["tca"] == np.datetime64(start.isoformat(), "us"), where
