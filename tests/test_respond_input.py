"""Bad alerts and screening rows are refused naming the item and the field;
past events are history and page nobody (issue 13, "Bugs")."""
import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from ssa.cli import app
from ssa.respond import Alert, AlertObject, load_config, route
from ssa.screen import CONJUNCTION_DTYPE

NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
HIBER3 = AlertObject(47942, "HIBER-3", "NETH", "PAY")
COSMOS_DEB = AlertObject(49863, "COSMOS 1408 DEB", "CIS", "DEB")
RESURS = AlertObject(29228, "RESURS-DK 1", "CIS", "PAY")
OWNERS = {47942: ("NETH", "PAY"), 49863: ("CIS", "DEB"), 48876: ("NETH", "PAY")}
GOOD_ROW = {"norad_id_1": 47942, "name_1": "HIBER-3", "norad_id_2": 49863, "name_2": "COSMOS 1408 DEB",
            "tca": "2026-11-22T06:00:00Z", "range_km": 0.35, "pc": 2e-4}

DROP = object()  # the field is left out of the row

# field changed (or dropped), value, field the error must name
BAD_ROWS = [
    ("pc", 7, "pc"),
    ("pc", -0.1, "pc"),
    ("pc", 1.0000001, "pc"),
    ("pc", "high", "pc"),
    ("pc", math.inf, "pc"),
    ("pc", True, "pc"),
    ("range_km", -3, "range_km"),
    ("range_km", math.inf, "range_km"),
    ("range_km", math.nan, "range_km"),
    ("range_km", "0.35", "range_km"),
    ("range_km", None, "range_km"),
    ("range_km", [0.35], "range_km"),
    ("range_km", DROP, "range_km"),
    ("norad_id_1", 48876.9, "norad_id_1"),
    ("norad_id_1", 48876.0, "norad_id_1"),
    ("norad_id_1", 1e29, "norad_id_1"),
    ("norad_id_1", 10**29, "norad_id_1"),
    ("norad_id_1", "47942", "norad_id_1"),
    ("norad_id_1", True, "norad_id_1"),
    ("norad_id_1", None, "norad_id_1"),
    ("norad_id_2", -5, "norad_id_2"),
    ("norad_id_2", 0, "norad_id_2"),
    ("norad_id_2", 47942, "norad_id_1' and 'norad_id_2"),  # the same object twice
    ("norad_id_2", DROP, "norad_id_2"),
    ("tca", "tomorrow", "tca"),
    ("tca", "2026-13-01T00:00:00", "tca"),
    ("tca", "", "tca"),
    ("tca", None, "tca"),
    ("tca", 12345, "tca"),
    ("tca", DROP, "tca"),
    ("name_1", 5, "name_1"),
    ("rang_km", 0.35, "rang_km"),  # a misspelt field is not ignored
    ("region", "nl-europe", "region"),  # a conjunction has no region
    ("owner", "NETH", "owner"),
]


def bad_row(field, value):
    row = dict(GOOD_ROW)
    if value is DROP:
        del row[field]
    else:
        row[field] = value
    return row


@pytest.mark.parametrize("field,value,named", BAD_ROWS, ids=[f"{f}={v!r}" for f, v, _ in BAD_ROWS])
def test_bad_screening_row_is_refused_naming_the_field(field, value, named):
    with pytest.raises(ValueError, match=f"screening row 4: .*'{named}'"):
        Alert.from_conjunctions([GOOD_ROW] * 4 + [bad_row(field, value)], OWNERS, now=NOW)


def test_good_row_is_accepted_and_nan_pc_means_not_assessed():
    assert len(BAD_ROWS) >= 30
    alert = Alert.from_conjunction(GOOD_ROW, OWNERS, now=NOW)
    assert (alert.pc, alert.miss_km, alert.objects[0].norad_id) == (2e-4, 0.35, 47942)
    assert Alert.from_conjunction({**GOOD_ROW, "pc": math.nan}, OWNERS, now=NOW).pc is None


@pytest.mark.parametrize("field,value", [("range_km", -3.0), ("pc", 7.0), ("norad_id_1", 0), ("range_km", np.inf)])
def test_bad_value_in_a_screening_table_is_refused(field, value):
    rows = np.zeros(3, dtype=CONJUNCTION_DTYPE.descr + [("pc", "f8")])
    rows["norad_id_1"], rows["norad_id_2"], rows["range_km"] = 47942, 49863, 1.0
    rows["tca"] = np.datetime64("2026-11-22T06:00:00")
    rows[2][field] = value
    with pytest.raises(ValueError, match=f"screening row 2: field '{field}'"):
        Alert.from_conjunctions(rows, OWNERS, now=NOW)


def test_route_command_accepts_no_bad_row(tmp_path):
    """Every bad row through `ssa respond route`: none routed, each error names its item and field."""
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([bad_row(f, v) for f, v, _ in BAD_ROWS]))
    result = CliRunner().invoke(app, ["respond", "route", str(path), "--now", "2026-11-22T00:00:00Z"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    *errors, summary = result.stderr.strip().splitlines()
    assert len(errors) == len(BAD_ROWS)
    assert summary == f"error: {len(BAD_ROWS)} of {len(BAD_ROWS)} item(s) of {path} not routed (each named above)"
    for i, ((_, _, named), line) in enumerate(zip(BAD_ROWS, errors)):
        assert line.startswith(f"{path} item {i}: ") and f"'{named}" in line, line


# JSON alert, field the error must name
BAD_ALERTS = [
    ({"objects": [{"norad_id": -5, "owner": "NETH", "object_type": "PAY"}]}, "objects[0].norad_id"),
    ({"objects": [{"norad_id": 48876.9}]}, "objects[0].norad_id"),
    ({"objects": [{"norad_id": 10**29}]}, "objects[0].norad_id"),
    ({"objects": [{"norad_id": 47942}, {"norad_id": 47942}]}, "objects[1].norad_id"),
    ({"objects": [{"norad_id": 47942, "owner": 1}]}, "objects[0].owner"),
    ({"objects": {"norad_id": 47942}}, "objects"),
    ({"miss_km": math.inf}, "miss_km"),
    ({"miss_km": -1}, "miss_km"),
    ({"pc": math.nan}, "pc"),
    ({"evidence": {"kp": "severe"}}, "evidence.kp"),
    ({"evidence": [1]}, "evidence"),
]


@pytest.mark.parametrize("extra,named", BAD_ALERTS)
def test_bad_alert_is_refused_naming_the_field(extra, named):
    with pytest.raises(ValueError, match=f"alert: (field ')?{named.replace('[', '.').replace(']', '.')}"):
        Alert.from_dict({"incident": "conjunction", **extra})


@pytest.mark.parametrize("alert,named", [
    (Alert("conjunction", (HIBER3, COSMOS_DEB), region="nl-europe", now=NOW), "field 'region' is not used"),
    (Alert("conjunction", (HIBER3, COSMOS_DEB), evidence={"kp": 9.0}, now=NOW), "field 'evidence.kp'"),
    (Alert("fragmentation", (RESURS,), evidence={"fragments": -1.0}, now=NOW), "field 'evidence.fragments'"),
])
def test_alert_the_response_data_do_not_allow_is_refused(alert, named):
    with pytest.raises(ValueError, match=named):
        route(alert)


def test_conjunction_five_days_ago_is_history_and_pages_nobody():
    alert = Alert("conjunction", (HIBER3, COSMOS_DEB), tca=NOW - timedelta(days=5), now=NOW, pc=1e-3, miss_km=0.05)
    routing = route(alert)
    assert (routing.level, routing.paged, routing.notify) == ("log", False, ())  # conjunction default: log
    assert any("120.0 h before now" in line and "history" in line for line in routing.explanation)
    upcoming = route(Alert("conjunction", (HIBER3, COSMOS_DEB), tca=NOW + timedelta(hours=5), now=NOW, pc=1e-3))
    assert (upcoming.level, upcoming.paged, upcoming.notify[0]) == ("emergency", True, "operator")


def test_proximity_alert_dated_2020_and_analyst_level_on_past_event_page_nobody():
    old = datetime(2020, 3, 1, tzinfo=UTC)
    routing = route(Alert("proximity_operation", (RESURS, HIBER3), tca=old, now=NOW, miss_km=0.5))
    assert (routing.level, routing.paged) == ("info", False)
    routing = route(Alert("proximity_operation", (RESURS, HIBER3), tca=old, now=NOW, level="emergency"))
    assert (routing.level, routing.paged) == ("info", False)


@pytest.mark.parametrize("incident", sorted(load_config().incidents))
def test_no_past_event_of_any_type_is_paged(incident):
    cfg = load_config()
    region = "nl-europe" if any(r.incident == incident and "nl-europe" in r.interest for r in cfg.rules) else ""
    for days in (1, 5, 40, 365 * 6):
        when = NOW - timedelta(days=days)
        if (NOW - when).total_seconds() / 3600 <= cfg.current_for_h[incident]:
            continue
        for level in ("", *cfg.levels):
            routing = route(Alert(incident, (RESURS, HIBER3), tca=when, now=NOW, region=region, level=level,
                                  pc=1e-2, miss_km=0.1), cfg)
            assert not routing.paged and routing.notify == ()
            assert cfg.levels[routing.level].rank <= cfg.levels["info"].rank


def test_every_paging_rule_notifies_the_operator_first():
    """rules.toml header: the operator of a Dutch object is always notified first."""
    cfg = load_config()
    assert [r.id for r in cfg.rules if r.page and "operator" not in r.parties()] == []
    brik2 = AlertObject(48876, "BRIK-II", "NETH", "PAY")
    for alert in (
        Alert("reentry", (brik2,), tca=NOW + timedelta(hours=30), now=NOW, region="nl-europe"),
        Alert("reentry", (brik2,), tca=NOW + timedelta(hours=30), now=NOW),
        Alert("asat_test", (RESURS, HIBER3), tca=NOW, now=NOW, level="watch"),
        Alert("norms_violation", (RESURS, HIBER3), tca=NOW, now=NOW, level="warning"),
    ):
        routing = route(alert, cfg)
        assert routing.paged and routing.notify[0] == "operator", routing.rule_id
        assert routing.operators and "operator" in routing.actions


@pytest.mark.parametrize("alert,named", [
    (Alert("conjunction", (AlertObject(-5, "", "NETH", "PAY"), COSMOS_DEB), now=NOW), r"objects\[0\].norad_id"),
    (Alert("conjunction", (HIBER3, HIBER3), now=NOW), r"objects\[1\].norad_id"),
    (Alert("conjunction", (HIBER3, COSMOS_DEB), pc=7.0, now=NOW), "field 'pc'"),
    (Alert("conjunction", (HIBER3, COSMOS_DEB), miss_km=math.inf, now=NOW), "field 'miss_km'"),
])
def test_route_refuses_a_bad_alert_built_in_python(alert, named):
    with pytest.raises(ValueError, match=named):
        route(alert)
