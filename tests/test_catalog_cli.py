"""`ssa catalog info` on real and bad files."""
import numpy as np
from typer.testing import CliRunner

from catalog_helpers import DATA
from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
from ssa.catalog.summary import period_minutes, regimes
from ssa.cli import app

runner = CliRunner()


def test_info_lists_every_rejected_record_and_exits_zero():
    result = runner.invoke(app, ["catalog", "info", str(DATA / "bad_records.tle")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    cat = load(DATA / "bad_records.tle")
    for r in cat.rejected:
        assert f"bad_records.tle:{r.line}" in result.output
        assert r.reason[:30] in result.output
    assert "NORAD 25544: kept newest" in result.output


def test_info_on_shipped_catalogue_counts_regimes_and_types():
    result = runner.invoke(app, ["catalog", "info", str(SHIPPED_CATALOG), "--satcat", str(SHIPPED_SATCAT)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    cat = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
    regime = regimes(cat)
    for name in ("LEO", "MEO", "GEO", "HEO"):
        assert f"{np.count_nonzero(regime == name):,}" in result.output
    assert f"{np.count_nonzero(period_minutes(cat) >= 225):,}" in result.output
    assert f"{np.count_nonzero(cat.object_type == 'DEB'):,}" in result.output
    assert "26,834" in result.output and "2024-10-02T00:06:24" in result.output


def test_regimes_of_known_objects():
    cat = load(SHIPPED_CATALOG)
    regime = dict(zip(cat.norad_id.tolist(), regimes(cat)))
    assert regime[25544] == "LEO"  # ISS
    assert regime[28884] == "GEO"  # GALAXY 15
    assert regime[24876] == "MEO"  # GPS BIIR-2 (PRN 13)
    assert regime[5] == "MEO"  # VANGUARD 1: e = 0.18, apogee 3,800 km
    molniya = [i for i, name in enumerate(cat.name) if name.startswith("MOLNIYA") and cat.ecco[i] > 0.6]
    assert len(molniya) > 10 and all(regimes(cat.take(molniya)) == "HEO")


def test_info_exits_non_zero_when_nothing_loads(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_text("not a catalogue\n")
    result = runner.invoke(app, ["catalog", "info", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "garbage.txt:1" in result.output
