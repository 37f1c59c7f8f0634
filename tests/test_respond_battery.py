"""The alert battery of issue 13: one alert per incident type and Dutch interest
(tests/data/alerts/*.json), routed with `ssa respond route --explain` as a user runs it.
Each expected routing is what the letters support; the explanation names the
incident's and the rule's passages so a reader can check them against the letter."""
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssa.cli import app
from ssa.respond import load_config

ALERTS = Path(__file__).parent / "data" / "alerts"
NOW = "2026-11-22T00:00:00Z"

# file, rule, lead, level, paged, basis
BATTERY = [
    ("01-conjunction-civil", "conj-civil-emergency", "operator", "emergency", True, "inferred"),
    ("02-conjunction-civil-past", "conj-civil-low", "operator", "log", False, "inferred"),
    ("03-conjunction-military", "conj-military-high", "dssc", "emergency", True, "inferred"),
    ("04-conjunction-allied", "conj-allied-high", "dssc", "warning", True, "inferred"),
    ("05-reentry-caribbean", "reentry-caribbean-high", "jenv-nctv", "emergency", True, "inferred"),
    ("06-reentry-dutch-object", "reentry-civil", "operator", "watch", True, "inferred"),
    ("07-fragmentation-foreign", "frag-other", "clsk", "emergency", True, "inferred"),
    ("08-proximity-2020", "prox-civil-low", "dssc", "info", False, "inferred"),
    ("09-proximity-galileo", "prox-pnt-high", "dssc", "warning", True, "inferred"),
    ("10-manoeuvre-near-european", "man-european", "operator", "warning", True, "inferred"),
    ("11-asat-test", "asat-high", "bz", "emergency", True, "inferred"),
    ("12-recon-overflight", "recon-high", "defensie", "warning", True, "inferred"),
    ("13-norms-violation", "norms-high", "bz", "warning", True, "inferred"),
    ("14-jamming-galileo", "sig-pnt", "ienw", "watch", True, "inferred"),
    ("15-jamming-over-netherlands", "sig-region", "ienw", "warning", True, "inferred"),
    ("16-cyber-attack-civil", "cyber-civil", "operator", "warning", True, "stated"),
    ("17-space-weather", "sw-high", "knmi", "warning", True, "inferred"),
    ("18-asat-attack-military", "asatk-dutch", "defensie", "warning", True, "inferred"),
    ("19-missile-launch", "missile-high", "defensie", "warning", True, "stated"),
    ("20-near-earth-object", "neo-low", "nso", "watch", True, "inferred"),
]


def explain(name: str) -> dict:
    result = CliRunner().invoke(app, ["respond", "route", str(ALERTS / f"{name}.json"), "--explain", "--now", NOW])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name,rule,lead,level,paged,basis", BATTERY)
def test_battery_routes_as_the_letters_support(name, rule, lead, level, paged, basis):
    cfg = load_config()
    out = explain(name)
    assert (out["rule"], out["lead"], out["level"], out["paged"], out["basis"]) == (rule, lead, level, paged, basis)
    lines = out["explanation"]
    incident = cfg.incidents[out["incident"]]
    assert lines[0].startswith(f"incident {incident.id}") and all(c.quote in lines[0] for c in incident.cite)
    assert f"rule {rule} fired" in " ".join(lines) and f"basis {basis}: " in " ".join(lines)
    assert out["cite"] and all(c["letter"] in cfg.letters and c["quote"] for c in out["cite"])
    if paged:
        assert out["notify"][0] == ("operator" if out["operators"] else lead)
    else:
        assert out["notify"] == []


def test_battery_covers_every_incident_type_and_interest_and_pages_no_past_event():
    cfg = load_config()
    now = datetime(2026, 11, 22, tzinfo=UTC)
    incidents, interests = set(), set()
    assert sorted(p.stem for p in ALERTS.glob("*.json")) == [b[0] for b in BATTERY]
    for name, *_ in BATTERY:
        alert = json.loads((ALERTS / f"{name}.json").read_text())
        out = explain(name)
        incidents.add(out["incident"])
        interests |= {i["category"] for i in out["interests"] if i["category"]} | {alert.get("region") or "none"}
        tca = datetime.fromisoformat(alert["tca"].replace("Z", "+00:00"))
        if (now - tca).total_seconds() / 3600 > cfg.current_for_h[out["incident"]]:
            assert not out["paged"], name
    assert incidents == set(cfg.incidents)
    assert set(cfg.interest_values()) <= interests
