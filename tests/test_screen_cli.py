"""`ssa screen` writes SOCRATES-style CSV (and JSON/Parquet) atomically; primaries groups."""
import csv
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from screen_helpers import SHIPPED
from ssa.cli import app
from ssa.pipeline.cli import resolve_primaries
from ssa.screen import write_table
from ssa.screen.table import CONJUNCTION_DTYPE, rtn_miss

SOCRATES = ["NORAD_CAT_ID_1", "OBJECT_NAME_1", "DSE_1", "NORAD_CAT_ID_2", "OBJECT_NAME_2", "DSE_2",
            "TCA", "TCA_RANGE", "TCA_RELATIVE_SPEED"]


@pytest.fixture(scope="module")
def station_csv(tmp_path_factory):
    """The ISS and Chinese-station rows of the shipped OMM CSV."""
    lines = SHIPPED.read_text().splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if line.startswith(("ISS (", "CSS (", "PROGRESS-MS 2",
                                                                          "TIANZHOU-7", "SHENZHOU-1"))]
    path = tmp_path_factory.mktemp("cli") / "stations.csv"
    path.write_text("\n".join(keep) + "\n")
    return path


@pytest.mark.slow
def test_cli_writes_socrates_columns(station_csv, tmp_path):
    out = tmp_path / "conj.csv"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00",
                                      "--days", "0.2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open()))
    assert rows[0][:9] == SOCRATES
    assert {"RADIAL_KM", "IN_TRACK_KM", "CROSS_TRACK_KM", "PERSISTENT"} <= set(rows[0])
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert len(body) >= 10
    assert all(len(r["TCA"]) == 23 and r["TCA"].startswith("2024-11-01T") for r in body)
    assert any(r["NORAD_CAT_ID_1"] == "48274" and r["NORAD_CAT_ID_2"] == "53239" and r["PERSISTENT"] == "true"
               for r in body)
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
    assert rows[0][-6:] == ["PC", "PC_METHOD", "MAX_PROB", "DILUTION_KM", "COVARIANCE_SOURCE", "HBR_M"]
    for r in body:
        assert 0.0 <= float(r["PC"]) <= float(r["MAX_PROB"]) <= 1.0 and "e" in r["PC"]
        assert r["COVARIANCE_SOURCE"] == "estimated" and float(r["HBR_M"]) > 0
    docked = next(r for r in body if r["NORAD_CAT_ID_1"] == "48274" and r["NORAD_CAT_ID_2"] == "53239")
    assert docked["PC_METHOD"] == "FOSTER-ZERO-VREL"


def test_cli_without_pc(station_csv, tmp_path):
    out = tmp_path / "conj.csv"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00",
                                      "--days", "0.05", "--no-pc", "--out", str(out)])
    assert result.exit_code == 0, result.output
    header = next(csv.reader(out.open()))
    assert header[:9] == SOCRATES and "PC" not in header and "MAX_PROB" not in header


def test_cli_json_and_bad_primaries(station_csv, tmp_path):
    out = tmp_path / "conj.json"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00", "--days",
                                      "0.1", "--primaries", "25544", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())
    assert rows and all(r["NORAD_CAT_ID_1"] == 25544 for r in rows)
    bad = CliRunner().invoke(app, ["screen", str(station_csv), "--primaries", "25544,ISS", "--out",
                                   str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "ISS" in bad.output
    assert not (tmp_path / "x.csv").exists()


def test_groups_come_from_respond_interest_and_satcat_type(shipped_catalog):
    cat = shipped_catalog
    from ssa.respond import load_config

    dutch = set(resolve_primaries("dutch", cat))
    owner, kind = dict(zip(cat.norad_id, cat.owner)), dict(zip(cat.norad_id, cat.object_type))
    assert {n for n in cat.norad_id if owner[n] == "NETH" and kind[n] == "PAY"} <= dutch  # Dutch payloads
    registry = set(load_config().assets) & set(cat.norad_id.tolist())
    assert len(registry) >= 30 and registry <= dutch  # BRIK-II, Galileo, ... from the packaged dutch_assets.csv
    assert not {n for n in dutch if kind[n] == "DEB" and n not in registry}  # no foreign or Dutch debris
    payloads = resolve_primaries("payloads", cat)
    assert len(payloads) > 5000


def test_rtn_frame_and_atomic_parquet(tmp_path):
    r1 = np.array([[7000.0, 0.0, 0.0]])
    v1 = np.array([[0.0, 7.5, 0.0]])
    r2 = r1 + np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(rtn_miss(r1, v1, r2), [[1.0, 2.0, 3.0]])
    table = np.zeros(2, dtype=CONJUNCTION_DTYPE)
    table["tca"] = np.datetime64("2024-11-01T03:04:05.678912", "us")
    path = write_table(table, tmp_path / "t.parquet")
    import pyarrow.parquet as pq

    assert pq.read_table(path).column("TCA").to_pylist()[0] == "2024-11-01T03:04:05.678"
    with pytest.raises(ValueError, match="unknown format"):
        write_table(table, tmp_path / "t.xlsx")


def test_cli_uses_operator_covariances_from_cdms(station_csv, tmp_path):
    from ssa.assess import cdm_from_conjunction
    from ssa.assess.cdm import write
    from ssa.catalog import load
    from ssa.screen import screen

    catalog = load(station_csv)
    first = screen(catalog, "2024-11-01T00:00:00", days=0.1, threshold_km=5.0, primaries=[25544])[0]
    write(cdm_from_conjunction(first, catalog), tmp_path / "iss.cdm")
    out = tmp_path / "conj.csv"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00", "--days", "0.1",
                                      "--covariance", str(tmp_path / "iss.cdm"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "operator covariances for 2 object(s)" in result.output
    body = list(csv.DictReader(out.open()))
    ids = {int(first["norad_id_1"]), int(first["norad_id_2"])}
    for r in body:
        known = {int(r["NORAD_CAT_ID_1"]), int(r["NORAD_CAT_ID_2"])} & ids
        assert r["COVARIANCE_SOURCE"] == {0: "estimated", 1: "mixed", 2: "operator"}[len(known)]
    assert any(r["COVARIANCE_SOURCE"] == "operator" for r in body)

    (tmp_path / "bad.cdm").write_text("CCSDS_CDM_VERS = 1.0\n")
    bad = CliRunner().invoke(app, ["screen", str(station_csv), "--covariance", str(tmp_path / "bad.cdm"),
                                   "--out", str(tmp_path / "never.csv")])
    assert bad.exit_code == 2 and "bad.cdm" in bad.output and not (tmp_path / "never.csv").exists()


@pytest.mark.slow
def test_cli_summary_judges_pc_on_encounters_only(tmp_path, shipped_catalog):
    """The ISS and 300 Starlinks against the whole catalogue: docked modules (persistent) and passes."""
    cat = shipped_catalog
    ids = [int(n) for n, name in zip(cat.norad_id, cat.name) if str(name).startswith("STARLINK")][:300] + [25544]
    (tmp_path / "ids.txt").write_text("\n".join(map(str, ids)))
    result = CliRunner().invoke(app, ["screen", str(SHIPPED), "--start", "2024-11-01T00:00:00", "--days", "0.25",
                                      "--primaries", str(tmp_path / "ids.txt"), "--out", str(tmp_path / "conj.csv")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    body = list(csv.DictReader((tmp_path / "conj.csv").open()))
    encounters = [r for r in body if r["PERSISTENT"] == "false"]
    assert encounters and len(encounters) < len(body)
    top = max(encounters, key=lambda r: float(r["PC"]))
    assert re.search(rf"highest Pc \(non-persistent\) +│ {float(top['PC']):.2e}: {top['NORAD_CAT_ID_1']} x", result.output)


def test_cli_reports_a_runaway_element_set_like_a_decay(station_csv, tmp_path):
    """A high-drag element set 25 days old, far past its decay: SGP4 says 0 far beyond the Moon.
    It is stopped and reported with the reason."""
    runaway = ("RUNAWAY DEB,1998-067ZZ,2024-10-07T00:00:00.000000,15.93,.0008,82.5,10.0,20.0,30.0,0,U,99999,999,1,"
               ".24E-1,.1E-2,0")
    path = tmp_path / "with_runaway.csv"
    path.write_text(station_csv.read_text() + runaway + "\n")
    out = tmp_path / "conj.csv"
    result = CliRunner().invoke(app, ["screen", str(path), "--start", "2024-11-01T00:00:00",
                                      "--days", "0.05", "--no-pc", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "stopped NORAD 99999 RUNAWAY DEB at +0 s: SGP4 error 7 (not a bound orbit" in text
    assert re.search(r"objects stopped \(SGP4 error\)\s*│?\s*1\b", text), text


@pytest.mark.parametrize("suffix", ["csv", "json", "parquet"])
def test_no_primary_in_the_catalogue_writes_an_empty_table(station_csv, tmp_path, suffix):
    """Primaries none of which the catalogue holds: nothing to screen, exit 0, and a
    well-formed empty table (a CSV header, `[]`, a parquet file of no rows), not a crash."""
    out = tmp_path / f"none.{suffix}"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00", "--days",
                                      "0.1", "--primaries", "99999", "--out", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == "csv":
        lines = out.read_text().splitlines()
        assert len(lines) == 1 and lines[0].startswith("NORAD_CAT_ID_1,OBJECT_NAME_1,DSE_1")
    elif suffix == "json":
        assert json.loads(out.read_text()) == []
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(out).num_rows == 0


def test_reading_a_screening_table_names_bad_numbers_and_skips_only_their_rows(station_csv, tmp_path):
    """TCA_JD, TCA_FR or DSE that is not a finite number: 'line N: field X: ...' and that row
    skipped; the good rows are read (ssa assess cdm reads tables this way)."""
    from ssa.catalog import load
    from ssa.screen import conjunctions_from_csv

    out = tmp_path / "c.csv"
    result = CliRunner().invoke(app, ["screen", str(station_csv), "--start", "2024-11-01T00:00:00", "--days", "1",
                                      "--threshold-km", "50", "--no-pc", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) >= 2
    rows[0]["TCA_JD"], rows[1]["DSE_2"] = "abc", "nan"
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table, problems = conjunctions_from_csv(bad, load(station_csv))
    assert problems[:2] == ["line 2: field TCA_JD: 'abc' is not a finite number",
                            "line 3: field DSE_2: 'nan' is not a finite number"]
    assert len(table) == len(rows) - 2
