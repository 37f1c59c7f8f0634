"""POST /v1/incidents: incidents reported by parties, checked with the schema
`ssa route` reads (ssa.respond.Alert), routed, stored with their reporter and
polled like screening's alerts. Real SQLite file and PostgreSQL."""
import json

import pytest
from typer.testing import CliRunner

from serve_helpers import soon, space_weather
from ssa.cli import app as cli_app

HIBER_3 = 47942  # Dutch civil satellite (SATCAT owner NETH)


def cyber_attack(norad: int = HIBER_3) -> dict:
    return {"id": "cyber", "incident": "cyber_sabotage", "tca": soon(),
            "objects": [{"norad_id": norad, "name": "HIBER-3", "owner": "NETH", "object_type": "PAY"}],
            "evidence": {"outage_h": 0.5}}


def report(client, key, body):
    return client.post("/v1/incidents", json=body, headers={"X-API-Key": key})


def alerts(client, key, since=0, etag=None):
    headers = {"X-API-Key": key}
    if etag:
        headers["If-None-Match"] = etag
    return client.get("/v1/alerts", params={"since": since}, headers=headers)


def test_agency_report_is_routed_like_ssa_route_stored_and_polled(service, tmp_path):
    client, store, admin = service
    knmi = store.create_key("agency", party="knmi")
    body = space_weather()
    answer = report(client, knmi, body)
    assert answer.status_code == 201, answer.text
    incident, made = answer.json()["incident"], answer.json()["alerts"]
    assert incident["reporter"] == "knmi" and incident["reporter_role"] == "agency"
    assert incident["report"]["evidence"] == {"kp": 8.0} and incident["report"]["now"] is not None

    # `ssa respond route` reads the same JSON and routes it the same way
    path = tmp_path / "storm.json"
    path.write_text(json.dumps(body))
    cli = CliRunner().invoke(cli_app, ["respond", "route", str(path), "--now", incident["report"]["now"]])
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout)
    routing = incident["routing"]
    assert (routing["rule"], routing["level"], routing["lead"], routing["paged"]) == \
        (expected["rule"], expected["level"], expected["lead"], expected["paged"]) == \
        ("sw-high", "warning", "knmi", True)
    roles = {a["party"]: a["role"] for a in made}
    named = {expected["lead"], *expected["supporting"], *expected["informed"]}
    assert roles["knmi"] == "lead" and set(roles) == named - {"operator"} | set(expected["operators"])  # no object: none
    assert all(a["incident"]["id"] == incident["id"] and a["conjunction"] is None for a in made)

    # polled like any alert: the agency sees its own, change order, then 304 for the same ETag
    page = alerts(client, knmi)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [a["party"] for a in items] == ["knmi"] and items[0]["incident"]["incident"] == "space_weather"
    since = page.json()["next_since"]
    assert since >= items[0]["change_seq"]
    quiet = alerts(client, knmi, since)
    assert quiet.json()["items"] == []
    assert alerts(client, knmi, since, quiet.headers["ETag"]).status_code == 304
    everything = alerts(client, admin).json()["items"]
    assert sorted(a["id"] for a in everything) == sorted(a["id"] for a in made)

    # and acknowledged like any alert
    ack = client.post(f"/v1/alerts/{items[0]['id']}/acknowledge", headers={"X-API-Key": knmi})
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledged_by"] and ack.json()["incident"]["id"] == incident["id"]
    assert [a["id"] for a in alerts(client, knmi, since).json()["items"]] == [items[0]["id"]]


def test_operator_reports_about_its_own_objects_only(service):
    client, store, admin = service
    operator = store.create_key("operator", objects=[HIBER_3], label="hiber")
    answer = report(client, operator, cyber_attack())
    assert answer.status_code == 201, answer.text
    incident = answer.json()["incident"]
    assert incident["reporter"] == "tenant hiber" and incident["reporter_role"] == "operator"
    assert incident["report"]["objects"][0]["tenant"] == "hiber"
    made = answer.json()["alerts"]
    assert {a["party"]: a["role"] for a in made}["Hiber B.V., Amsterdam"] == "lead"  # the asset registry's operator
    polled = alerts(client, operator).json()["items"]  # the reporter polls the alerts of its incident
    assert sorted(a["id"] for a in polled) == sorted(a["id"] for a in made)

    foreign = report(client, operator, cyber_attack(25544))
    assert foreign.status_code == 403 and foreign.json()["errors"][0]["field"] == "objects"
    levelled = report(client, operator, dict(cyber_attack(), level="emergency"))
    assert levelled.status_code == 403 and levelled.json()["errors"][0]["field"] == "level"
    assert len(alerts(client, admin).json()["items"]) == len(answer.json()["alerts"])


def test_roles_that_may_not_report(service):
    client, store, _ = service
    analyst = store.create_key("analyst")
    assert report(client, analyst, space_weather()).status_code == 403
    assert client.post("/v1/incidents", json=space_weather()).status_code == 401


BAD_REPORTS = [
    ({"incident": ""}, "incident"),
    ({"incident": "space_weather", "tca": "yesterday"}, "tca"),
    ({"incident": "space_weather", "pc": 7}, "pc"),
    ({"incident": "space_weather", "miss_km": -3}, "miss_km"),
    ({"incident": "space_weather", "colour": "red"}, None),
    ({"incident": "space_weather", "now": "2020-01-01T00:00:00Z"}, "now"),
    ({"incident": "space_weather", "evidence": {"kp": "high"}}, "evidence.kp"),
    ({"incident": "conjunction", "objects": [{"norad_id": 48876.9}]}, "objects[0].norad_id"),
    ({"incident": "conjunction", "objects": [{"norad_id": -5}]}, "objects[0].norad_id"),
    ({"incident": "no_such_type", "tca": soon()}, None),
    ({"incident": "space_weather", "objects": [{"norad_id": n, "name": "X" * 100} for n in range(1, 1000)]}, "objects"),
]


@pytest.mark.parametrize("body,field", BAD_REPORTS)
def test_bad_reports_name_the_field_and_store_nothing(service, body, field):
    client, store, admin = service
    answer = report(client, admin, body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert answer.json()["errors"][0]["field"] == field
    assert alerts(client, admin).json()["items"] == []
    for bad_json in ([space_weather()], "storm"):
        assert report(client, admin, bad_json).status_code == 422
