"""`ssa respond route` and `ssa respond parties` as a user runs them."""
import json

from typer.testing import CliRunner

from ssa.cli import app

runner = CliRunner()


def test_route_alert_and_screening_row(tmp_path):
    alerts = [
        {"incident": "reentry", "objects": [{"norad_id": 49863, "owner": "CIS", "object_type": "DEB"}],
         "tca": "2026-11-22T12:00:00Z", "region": "nl-caribbean", "id": "re-1"},
        {"norad_id_1": 40544, "name_1": "GSAT0203 (GALILEO 7)", "norad_id_2": 30000, "name_2": "TITAN DEB",
         "tca": "2026-11-23T00:00:00", "range_km": 0.4, "pc": 2e-4},
    ]
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps(alerts))
    result = runner.invoke(app, ["respond", "route", str(path), "--now", "2026-11-22T00:00:00Z"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(r["lead"], r["level"], r["rule"]) for r in out] == [
        ("jenv-nctv", "emergency", "reentry-caribbean-high"), ("ienw", "emergency", "conj-pnt-high")]
    assert "explanation" not in out[0]
    result = runner.invoke(app, ["respond", "route", str(path), "--now", "2026-11-22T00:00:00Z", "--explain"])
    out = json.loads(result.stdout)
    assert any("rule reentry-caribbean-high fired" in line for line in out[0]["explanation"])
    assert out[1]["interests"][0]["category"] == "pnt"


def test_route_bad_item_named_and_others_routed(tmp_path):
    path = tmp_path / "alerts.json"
    path.write_text(json.dumps([{"incident": "collision"}, {"incident": "asat_test", "level": "warning"}]))
    result = runner.invoke(app, ["respond", "route", str(path)])
    assert result.exit_code == 1
    assert "item 0: alert: field 'incident' 'collision'" in result.stderr
    assert json.loads(result.stdout)[0]["lead"] == "bz"


def test_parties_lists_every_party_and_unfilled_contacts():
    result = runner.invoke(app, ["respond", "parties"])
    assert result.exit_code == 0, result.output
    for party in ("jenv-nctv", "galileo-ground", "emssan", "service-operator"):
        assert party in result.stdout
    assert "duty_desk" in result.stdout


def test_bad_config_dir_exits_with_message(tmp_path):
    result = runner.invoke(app, ["respond", "parties", "--config-dir", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "directory not found" in result.stderr
