"""Proximity operations: public rendezvous in the shipped 2024-11-01 catalogue found with the asset
registry pointed at the target, declared docked vehicles and formations not raised, the
flies-together file, the CLI and the proximity_operation alerts."""
from __future__ import annotations

import json
import math
from datetime import UTC

import numpy as np
import pytest
from typer.testing import CliRunner

from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
from ssa.cli import app
from ssa.detect.proximity import detect_proximity, regime
from ssa.respond.config import ConfigError, load_config, load_together

START = "2024-11-01T00:00:00"
EARTH_RADIUS_KM = 6378.135


@pytest.fixture(scope="module")
def catalog():
    return load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)


@pytest.fixture(scope="module")
def geo(catalog):
    """The GEO objects: the screen's pre-filter keeps no others near a GEO asset."""
    return catalog.take([regime(n, e) == "geo" for n, e in zip(catalog.no_kozai, catalog.ecco)])


@pytest.fixture(scope="module")
def low(catalog):
    """Objects whose perigee-apogee band meets 300-620 km: all that can come within 10 km of the ISS
    (about 420 km) or TerraSAR-X / TanDEM-X (about 515 km)."""
    a = (398600.8 / (catalog.no_kozai / 60.0) ** 2) ** (1 / 3)
    perigee, apogee = a * (1 - catalog.ecco) - EARTH_RADIUS_KM, a * (1 + catalog.ecco) - EARTH_RADIUS_KM
    return catalog.take((perigee <= 620) & (apogee >= 300))


@pytest.fixture(scope="module")
def intelsat_ops(geo):
    """Intelsat 901 (MEV-1 docked) and Intelsat 10-02 (MEV-2 docked; Luch-5X / Olymp-K 2 parked near it)."""
    return detect_proximity(geo, [26824, 28358], START, 7.0)[0]


@pytest.mark.slow
def test_mev1_docked_to_intelsat_901_is_found(intelsat_ops):
    ops = [op for op in intelsat_ops if op.asset_norad_id == 26824]
    assert [op.norad_id for op in ops] == [44625]  # MEV-1 and nothing else
    op = ops[0]
    assert "stays" in op.reasons and op.regime == "geo"
    assert op.min_range_km < 1.0 and op.longest_stay_s == pytest.approx(7 * 86400.0)
    assert np.nanmax(op.timeline["range_km"]) < 5.0  # two element sets drift apart over the week
    # docked: the RTN offsets are the range
    rtn = np.stack([op.timeline[k] for k in ("radial_km", "in_track_km", "cross_track_km")], axis=-1)
    assert np.allclose(np.linalg.norm(rtn, axis=-1), op.timeline["range_km"], atol=1e-9)


def test_luch_olymp_k2_near_intelsat_10_02_is_found(intelsat_ops):
    """Luch-5X (Olymp-K 2, CIS), a GEO inspector, parked within 50 km of Intelsat 10-02 for a day; MEV-2
    is docked to it."""
    ops = {op.norad_id: op for op in intelsat_ops if op.asset_norad_id == 28358}
    assert set(ops) == {46113, 55841}
    luch = ops[55841]
    assert luch.owner == "CIS" and "stays" in luch.reasons
    assert 12 * 3600 < luch.longest_stay_s < 7 * 86400
    assert luch.min_range_km < 50.0 and np.nanmin(luch.timeline["range_km"]) >= luch.min_range_km - 1e-6
    assert ops[46113].min_range_km < 5.0


@pytest.mark.slow
def test_luch_olymp_k1_near_intelsat_37e_is_found(geo):
    ops = detect_proximity(geo, [42950], START, 7.0)[0]
    assert [op.norad_id for op in ops] == [40258]
    assert ops[0].min_range_km < 10.0 and "stays" in ops[0].reasons


@pytest.mark.slow
def test_declared_iss_modules_and_tandem_x_raise_nothing(low):
    """With the ISS and TerraSAR-X / TanDEM-X as assets: nothing once flies_together.csv declares them,
    each docked vehicle and the formation partner without the declaration."""
    assets = [25544, 31698, 36605]
    together = load_config().together.values()
    declared, _ = detect_proximity(low, assets, START, 2.0, together=together)
    assert declared == []
    undeclared, _ = detect_proximity(low, assets, START, 2.0)
    found = {frozenset((op.asset_norad_id, op.norad_id)) for op in undeclared}
    iss = load_config().together["iss"]
    assert found == {frozenset((25544, n)) for n in iss - {25544}} | {frozenset((31698, 36605))}


def test_proximity_alerts_route(intelsat_ops):
    from datetime import datetime

    from ssa.respond import route
    from ssa.respond.findings import alerts_from_proximity

    alerts = alerts_from_proximity(intelsat_ops, now=datetime(2024, 11, 1, tzinfo=UTC))
    assert len(alerts) == len(intelsat_ops)
    by_other = {a.objects[1].norad_id: a for a in alerts}
    mev1 = by_other[44625]
    assert mev1.incident == "proximity_operation" and mev1.objects[0].norad_id == 26824
    assert mev1.evidence["longest_stay_h"] == pytest.approx(168.0)
    routed = route(mev1)
    assert routed.level == "emergency"  # within 1 km of the asset within 24 h
    assert route(by_other[55841]).level == "watch"


def test_flies_together_file_is_checked(tmp_path):
    path = tmp_path / "flies_together.csv"
    path.write_text("group,norad_id,name,relation,source\ng,1,A,stacked,somewhere\ng,2,B,docked,somewhere\n")
    with pytest.raises(ConfigError, match=r"flies_together.csv:2: field 'relation' 'stacked' is not one of"):
        load_together(path)
    path.write_text("group,norad_id,name,relation,source\ng,1,A,docked,somewhere\n")
    with pytest.raises(ConfigError, match="group 'g' has one object"):
        load_together(path)
    path.write_text("group,norad_id,name,relation,source\ng,1,A,docked,somewhere\nh,1,A,docked,x\n")
    with pytest.raises(ConfigError, match="NORAD 1 listed twice"):
        load_together(path)


def test_cli_writes_operations_alerts_and_plots(tmp_path):
    out = tmp_path / "prox"
    result = CliRunner().invoke(app, ["proximity", str(SHIPPED_CATALOG), "--start", START, "--days", "1",
                                      "--assets", "26824", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = json.loads((out / "proximity.json").read_text())
    assert [r["norad_id"] for r in records] == [44625]
    timeline = records[0]["timeline"]
    assert len(timeline["range_km"]) == 1441 and max(timeline["range_km"]) < 1.0
    assert (out / records[0]["png"]).stat().st_size > 10_000
    alerts = json.loads((out / "alerts.json").read_text())
    assert alerts[0]["incident"] == "proximity_operation" and math.isclose(alerts[0]["miss_km"],
                                                                           records[0]["min_range_km"])


def test_a_timeline_sample_sgp4_could_not_give_is_null_in_the_record():
    """Range and RTN are NaN where SGP4 failed; the record (written as JSON) says null there."""
    import json
    from datetime import datetime

    from ssa.detect.proximity import TIMELINE_DTYPE, ProximityOperation

    timeline = np.zeros(3, TIMELINE_DTYPE)
    timeline["range_km"], timeline["radial_km"] = [1.0, np.nan, 2.0], [0.1, np.nan, 0.2]
    op = ProximityOperation(1, "A", 2, "B", "X", "PAY", "geo", 50.0, ("stays",), datetime(2024, 11, 1), 1.0, 0.0,
                            3600.0, 1, datetime(2024, 11, 1), timeline)
    record = json.loads(json.dumps(op.to_dict(), allow_nan=False))
    assert record["timeline"]["range_km"] == [1.0, None, 2.0] and record["timeline"]["radial_km"] == [0.1, None, 0.2]
