"""`ssa catalog info` on real and bad files."""
import numpy as np
from sgp4.io import fix_checksum
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


def test_info_shortens_the_duplicate_list_unless_asked(tmp_path):
    lines = []
    for norad in range(30001, 30031):  # 30 objects, each with an older and a newer element set
        for day in ("24300.5", "24301.5"):
            lines += [f"1 {norad}U 99025A   {day}0000000  .00000000  00000-0  00000-0 0  999",
                      f"2 {norad}  98.0000  45.0000 0010000 100.0000 260.0000 14.00000000    10"]
    path = tmp_path / "dups.tle"
    path.write_text("\n".join(fix_checksum(line) for line in lines) + "\n")
    short = runner.invoke(app, ["catalog", "info", str(path)], env={"COLUMNS": "200"})
    assert short.exit_code == 0, short.output
    assert "... and 10 more (--all-duplicates lists them)" in short.output
    assert "NORAD 30020: kept newest" in short.output and "NORAD 30021: kept newest" not in short.output
    full = runner.invoke(app, ["catalog", "info", str(path), "--all-duplicates"], env={"COLUMNS": "200"})
    assert "NORAD 30030: kept newest" in full.output and "more (--all-duplicates" not in full.output
