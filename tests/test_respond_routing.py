"""Routing of alerts to the parties of the Dutch response mechanism (issue 5).

Objects are real catalogue entries (NORAD id, SATCAT owner and type of
ssa/catalog/data/satcat_owner_type_2026-06-14.csv); their Dutch interest comes from the
packaged data (ssa/respond/data/dutch_assets.csv, interest.toml)."""
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ssa.catalog import SHIPPED_SATCAT, load_satcat
from ssa.respond import Alert, AlertObject, load_config, object_interest, route

NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
SOON = NOW + timedelta(hours=12)

TITAN_DEB = AlertObject(30000, "TITAN 3C TRANSTAGE DEB", "US", "DEB")
COSMOS_DEB = AlertObject(49863, "COSMOS 1408 DEB", "CIS", "DEB")
RESURS = AlertObject(29228, "RESURS-DK 1", "CIS", "PAY")
HIBER3 = AlertObject(47942, "HIBER-3", "NETH", "PAY")
BRIK2 = AlertObject(48876, "BRIK-II", "NETH", "PAY")
GALILEO7 = AlertObject(40544, "GSAT0203 (GALILEO 7)", "ESA", "PAY")
SENTINEL5P = AlertObject(42969, "SENTINEL-5P", "ESA", "PAY")
NATO4B = AlertObject(22921, "NATO 4B", "NATO", "PAY")
TENANT_SAT = AlertObject(990001, "ACME-1", "", "PAY", tenant="acme-sat")

WHO = {
    "debris": (TITAN_DEB, COSMOS_DEB),
    "foreign": (RESURS,),
    "civil": (HIBER3, COSMOS_DEB),
    "military": (BRIK2, COSMOS_DEB),
    "galileo": (GALILEO7, TITAN_DEB),
    "european": (SENTINEL5P, COSMOS_DEB),
    "allied": (NATO4B, TITAN_DEB),
    "tenant": (TENANT_SAT, COSMOS_DEB),
    "near-civil": (RESURS, HIBER3),
    "near-military": (RESURS, BRIK2),
    "near-galileo": (RESURS, GALILEO7),
    "near-european": (RESURS, SENTINEL5P),
    "near-allied": (RESURS, NATO4B),
}

# incident, objects, region, level, rule that must fire, lead
CASES = [
    ("conjunction", "debris", "", "log", "conj-logged", "service-operator"),
    ("conjunction", "debris", "", "info", "conj-logged", "service-operator"),
    ("conjunction", "debris", "", "watch", "conj-logged", "service-operator"),
    ("conjunction", "debris", "", "warning", "conj-logged", "service-operator"),
    ("conjunction", "debris", "", "emergency", "conj-logged", "service-operator"),
    ("conjunction", "civil", "", "log", "conj-civil-low", "operator"),
    ("conjunction", "civil", "", "info", "conj-civil-low", "operator"),
    ("conjunction", "civil", "", "watch", "conj-civil-low", "operator"),
    ("conjunction", "civil", "", "warning", "conj-civil-warning", "operator"),
    ("conjunction", "civil", "", "emergency", "conj-civil-emergency", "operator"),
    ("conjunction", "tenant", "", "warning", "conj-civil-warning", "operator"),
    ("conjunction", "military", "", "watch", "conj-military-low", "dssc"),
    ("conjunction", "military", "", "emergency", "conj-military-high", "dssc"),
    ("conjunction", "galileo", "", "info", "conj-pnt-low", "ienw"),
    ("conjunction", "galileo", "", "warning", "conj-pnt-high", "ienw"),
    ("conjunction", "european", "", "watch", "conj-european-low", "operator"),
    ("conjunction", "european", "", "emergency", "conj-european-high", "operator"),
    ("conjunction", "allied", "", "info", "conj-logged", "service-operator"),
    ("conjunction", "allied", "", "warning", "conj-allied-high", "dssc"),
    ("fragmentation", "foreign", "", "log", "frag-other", "clsk"),
    ("fragmentation", "foreign", "", "info", "frag-other", "clsk"),
    ("fragmentation", "foreign", "", "watch", "frag-other", "clsk"),
    ("fragmentation", "foreign", "", "warning", "frag-other", "clsk"),
    ("fragmentation", "foreign", "", "emergency", "frag-other", "clsk"),
    ("fragmentation", "military", "", "warning", "frag-military", "dssc"),
    ("fragmentation", "galileo", "", "emergency", "frag-pnt", "ienw"),
    ("fragmentation", "civil", "", "watch", "frag-civil", "operator"),
    ("fragmentation", "european", "", "info", "frag-european", "operator"),
    ("reentry", "debris", "nl-caribbean", "log", "reentry-caribbean-low", "jenv-nctv"),
    ("reentry", "debris", "nl-caribbean", "info", "reentry-caribbean-low", "jenv-nctv"),
    ("reentry", "debris", "nl-caribbean", "watch", "reentry-caribbean-low", "jenv-nctv"),
    ("reentry", "debris", "nl-caribbean", "warning", "reentry-caribbean-high", "jenv-nctv"),
    ("reentry", "debris", "nl-caribbean", "emergency", "reentry-caribbean-high", "jenv-nctv"),
    ("reentry", "debris", "nl-europe", "watch", "reentry-europe-low", "jenv-nctv"),
    ("reentry", "debris", "nl-europe", "emergency", "reentry-europe-high", "jenv-nctv"),
    ("reentry", "military", "", "warning", "reentry-military", "defensie"),
    ("reentry", "civil", "", "info", "reentry-civil", "operator"),
    ("reentry", "debris", "", "warning", "reentry-logged", "service-operator"),
    ("proximity_operation", "near-civil", "", "log", "prox-civil-low", "dssc"),
    ("proximity_operation", "near-civil", "", "info", "prox-civil-low", "dssc"),
    ("proximity_operation", "near-civil", "", "watch", "prox-civil-low", "dssc"),
    ("proximity_operation", "near-civil", "", "warning", "prox-civil-high", "dssc"),
    ("proximity_operation", "near-civil", "", "emergency", "prox-civil-high", "dssc"),
    ("proximity_operation", "near-military", "", "watch", "prox-military-low", "dssc"),
    ("proximity_operation", "near-military", "", "emergency", "prox-military-high", "dssc"),
    ("proximity_operation", "near-galileo", "", "info", "prox-pnt-low", "dssc"),
    ("proximity_operation", "near-galileo", "", "warning", "prox-pnt-high", "dssc"),
    ("proximity_operation", "near-european", "", "watch", "prox-european-low", "dssc"),
    ("proximity_operation", "near-european", "", "warning", "prox-european-high", "dssc"),
    ("proximity_operation", "near-allied", "", "warning", "prox-allied", "dssc"),
    ("proximity_operation", "debris", "", "warning", "prox-logged", "service-operator"),
    ("unexplained_manoeuvre", "foreign", "", "log", "man-logged", "service-operator"),
    ("unexplained_manoeuvre", "foreign", "", "info", "man-logged", "service-operator"),
    ("unexplained_manoeuvre", "foreign", "", "watch", "man-foreign-watch", "dssc"),
    ("unexplained_manoeuvre", "foreign", "", "warning", "man-foreign-high", "dssc"),
    ("unexplained_manoeuvre", "foreign", "", "emergency", "man-foreign-high", "dssc"),
    ("unexplained_manoeuvre", "military", "", "warning", "man-military", "dssc"),
    ("unexplained_manoeuvre", "galileo", "", "watch", "man-pnt", "operator"),
    ("unexplained_manoeuvre", "civil", "", "info", "man-civil", "operator"),
    ("unexplained_manoeuvre", "european", "", "emergency", "man-european", "operator"),
    ("asat_test", "foreign", "", "log", "asat-low", "dssc"),
    ("asat_test", "foreign", "", "info", "asat-low", "dssc"),
    ("asat_test", "foreign", "", "watch", "asat-low", "dssc"),
    ("asat_test", "foreign", "", "warning", "asat-high", "bz"),
    ("asat_test", "near-civil", "", "emergency", "asat-high", "bz"),
    ("recon_overflight", "foreign", "", "log", "recon-low", "defensie"),
    ("recon_overflight", "foreign", "", "info", "recon-low", "defensie"),
    ("recon_overflight", "foreign", "", "watch", "recon-low", "defensie"),
    ("recon_overflight", "foreign", "", "warning", "recon-high", "defensie"),
    ("recon_overflight", "foreign", "", "emergency", "recon-high", "defensie"),
    ("norms_violation", "foreign", "", "log", "norms-low", "bz"),
    ("norms_violation", "foreign", "", "info", "norms-low", "bz"),
    ("norms_violation", "foreign", "", "watch", "norms-low", "bz"),
    ("norms_violation", "foreign", "", "warning", "norms-high", "bz"),
    ("norms_violation", "foreign", "", "emergency", "norms-high", "bz"),
    ("signal_interference", "foreign", "", "log", "sig-logged", "service-operator"),
    ("signal_interference", "galileo", "", "info", "sig-pnt", "ienw"),
    ("signal_interference", "military", "", "watch", "sig-military", "dssc"),
    ("signal_interference", "foreign", "nl-europe", "warning", "sig-region", "ienw"),
    ("signal_interference", "foreign", "nl-caribbean", "info", "sig-region", "ienw"),
    ("signal_interference", "civil", "", "emergency", "sig-civil", "operator"),
    ("signal_interference", "european", "", "info", "sig-civil", "operator"),
    ("cyber_sabotage", "foreign", "", "log", "cyber-logged", "service-operator"),
    ("cyber_sabotage", "military", "", "info", "cyber-military", "defensie"),
    ("cyber_sabotage", "galileo", "", "watch", "cyber-pnt", "operator"),
    ("cyber_sabotage", "civil", "", "warning", "cyber-civil", "operator"),
    ("cyber_sabotage", "european", "", "emergency", "cyber-civil", "operator"),
    ("space_weather", "foreign", "", "log", "sw-low", "knmi"),
    ("space_weather", "foreign", "", "info", "sw-low", "knmi"),
    ("space_weather", "civil", "", "watch", "sw-low", "knmi"),
    ("space_weather", "foreign", "", "warning", "sw-high", "knmi"),
    ("space_weather", "galileo", "", "emergency", "sw-high", "knmi"),
    ("asat_attack", "military", "", "log", "asatk-dutch", "defensie"),
    ("asat_attack", "civil", "", "info", "asatk-dutch", "defensie"),
    ("asat_attack", "allied", "", "watch", "asatk-allied", "dssc"),
    ("asat_attack", "foreign", "", "warning", "asatk-other", "dssc"),
    ("asat_attack", "galileo", "", "emergency", "asatk-dutch", "defensie"),
    ("missile_launch", "foreign", "", "log", "missile-low", "defensie"),
    ("missile_launch", "foreign", "", "info", "missile-low", "defensie"),
    ("missile_launch", "foreign", "", "watch", "missile-low", "defensie"),
    ("missile_launch", "foreign", "", "warning", "missile-high", "defensie"),
    ("missile_launch", "foreign", "", "emergency", "missile-high", "defensie"),
    ("near_earth_object", "foreign", "", "log", "neo-low", "nso"),
    ("near_earth_object", "foreign", "", "info", "neo-low", "nso"),
    ("near_earth_object", "foreign", "", "watch", "neo-low", "nso"),
    ("near_earth_object", "foreign", "", "warning", "neo-high", "jenv-nctv"),
    ("near_earth_object", "foreign", "", "emergency", "neo-high", "jenv-nctv"),
]

# The parties of shared/RESPONSE-MECHANISM.md ("Parties and what the letters make them responsible for").
DIGEST_PARTIES = {"operator", "bz", "clsk", "dssc", "mivd", "defensie", "ez", "nso", "ienw", "knmi",
                  "galileo-ground", "jenv-nctv", "irr", "eu-sst", "nato", "emssan"}


def make_alert(incident, who, region="", level="", **kw):
    return Alert(incident, WHO[who], tca=kw.pop("tca", SOON), now=NOW, region=region, level=level, **kw)


@pytest.mark.parametrize("incident,who,region,level,rule,lead", CASES)
def test_routing_table(incident, who, region, level, rule, lead):
    cfg = load_config()
    routing = route(make_alert(incident, who, region, level), cfg)
    assert (routing.rule_id, routing.lead, routing.level) == (rule, lead, level)
    assert routing.domain == cfg.incidents[incident].domain
    assert routing.paged == (cfg.levels[level].page and cfg.rules[[r.id for r in cfg.rules].index(rule)].page)
    if routing.paged:
        expected = [p for p in (routing.lead, *routing.supporting, *routing.informed)
                    if p != "operator" or routing.operators]
        assert sorted(routing.notify) == sorted(expected)
        if "operator" in routing.notify:
            assert routing.notify[0] == "operator"  # the owner/operator is told first (L5)
    else:
        assert routing.notify == ()
    assert set(routing.actions) == {routing.lead, *routing.supporting, *routing.informed}
    assert routing.cite and routing.basis in ("stated", "inferred")
    assert any(line.startswith(f"rule {rule} fired") for line in routing.explanation)


def test_table_covers_every_incident_level_and_party():
    cfg = load_config()
    assert {c[0] for c in CASES} == set(cfg.incidents)
    for incident in cfg.incidents:
        assert {c[3] for c in CASES if c[0] == incident} == set(cfg.levels), incident
    seen = set()
    for incident, who, region, level, _, _ in CASES:
        r = route(make_alert(incident, who, region, level), cfg)
        seen |= {r.lead, *r.supporting, *r.informed}
    assert DIGEST_PARTIES <= set(cfg.parties)
    assert seen == set(cfg.parties)
    assert {r.id for r in cfg.rules} == {c[4] for c in CASES}  # every rule fires somewhere


def test_foreign_debris_conjunction_is_logged_and_pages_nobody():
    routing = route(Alert("conjunction", (TITAN_DEB, COSMOS_DEB), tca=SOON, now=NOW, pc=1e-3, miss_km=0.05))
    assert routing.level == "emergency"  # physically severe: CARA mitigation threshold, TCA in 12 h
    assert routing.rule_id == "conj-logged" and routing.lead == "service-operator"
    assert not routing.paged and routing.notify == () and routing.operators == ()
    assert all(not i.category for i in routing.interests)


def test_dutch_civil_high_pc_operator_first_licensing_authority_informed():
    alert = Alert("conjunction", (COSMOS_DEB, HIBER3), tca=SOON, now=NOW, pc=5e-4, miss_km=0.12)
    routing = route(alert)
    assert routing.level == "emergency" and routing.rule_id == "conj-civil-emergency"
    assert routing.lead == "operator" and routing.notify[0] == "operator"
    assert routing.operators == ("Hiber B.V., Amsterdam",)
    assert routing.informed == ("ez", "irr") and routing.supporting == ("eu-sst",)
    assert any("ez" in s.with_ for s in routing.share)
    later = route(Alert("conjunction", (COSMOS_DEB, HIBER3), tca=NOW + timedelta(days=5), now=NOW, pc=5e-4))
    assert later.level == "warning" and later.informed == ("ez",) and later.notify[0] == "operator"


def test_dutch_military_satellite_goes_to_defence_and_allies():
    routing = route(Alert("conjunction", (BRIK2, COSMOS_DEB), tca=SOON, now=NOW, pc=2e-4, miss_km=0.2))
    assert routing.lead == "dssc" and routing.level == "emergency"
    assert routing.operators == ("Koninklijke Luchtmacht / Commando Lucht- en Ruimtestrijdkrachten (CLSK)",)
    assert {"nato", "emssan"} <= set(routing.informed) and "clsk" in routing.supporting


def test_galileo_conjunction_goes_to_ienw():
    routing = route(Alert("conjunction", (GALILEO7, TITAN_DEB), tca=NOW + timedelta(days=4), now=NOW, pc=3e-4))
    assert routing.level == "warning" and routing.lead == "ienw" and routing.domain == "safety"
    assert routing.basis == "inferred"  # IenW's stated role is PNT and PRS, not leading a conjunction
    assert routing.interests[0].category == "pnt"
    assert routing.notify[0] == "operator" and "galileo-ground" in routing.informed


def test_break_up_of_foreign_object():
    routing = route(Alert("fragmentation", (RESURS,), tca=NOW, now=NOW))
    assert routing.level == "warning"  # fragmentation default of escalation.toml
    assert (routing.lead, routing.supporting, routing.informed) == ("clsk", ("eu-sst",), ("operator", "bz"))
    assert routing.notify == ("clsk", "eu-sst", "bz")  # no object of Dutch interest: no operator
    assert routing.paged and routing.domain == "safety"


def test_reentry_over_caribbean_netherlands():
    routing = route(Alert("reentry", (COSMOS_DEB,), tca=SOON, now=NOW, region="nl-caribbean"))
    assert routing.level == "emergency" and routing.rule_id == "reentry-caribbean-high"
    assert routing.lead == "jenv-nctv" and routing.basis == "inferred"
    assert {"defensie", "ienw", "eu-sst"} == set(routing.supporting)
    assert "galileo-ground" in routing.informed  # Galileo Sensor Station on Bonaire
    europe = route(Alert("reentry", (COSMOS_DEB,), tca=SOON, now=NOW, region="nl-europe"))
    assert europe.lead == "jenv-nctv" and "galileo-ground" not in europe.informed
    elsewhere = route(Alert("reentry", (COSMOS_DEB,), tca=SOON, now=NOW))
    assert elsewhere.rule_id == "reentry-logged" and not elsewhere.paged


def test_proximity_operation_near_dutch_asset_is_security_for_defence_and_foreign_affairs():
    routing = route(Alert("proximity_operation", (RESURS, HIBER3), tca=SOON, now=NOW, miss_km=3.0))
    assert routing.domain == "security" and routing.level == "warning"
    assert routing.lead == "dssc" and "bz" in routing.supporting and "mivd" in routing.supporting
    assert routing.notify[0] == "operator" and routing.operators == ("Hiber B.V., Amsterdam",)


@pytest.mark.parametrize("incident,pc,miss_km,hours,level", [
    ("conjunction", 2e-4, 0.1, 48, "emergency"),
    ("conjunction", 2e-4, 0.1, 100, "warning"),
    ("conjunction", 1e-4, 0.1, 100, "warning"),
    ("conjunction", 9.9e-5, 0.1, 12, "watch"),
    ("conjunction", 1e-6, 2.0, 12, "watch"),
    ("conjunction", 1e-9, 3.0, 12, "info"),
    ("conjunction", None, 0.5, 24, "watch"),
    ("conjunction", None, 0.5, 100, "info"),
    ("conjunction", None, 4.99, 12, "info"),
    ("conjunction", None, 7.0, 12, "log"),
    ("reentry", None, None, 12, "emergency"),
    ("reentry", None, None, 48, "warning"),
    ("reentry", None, None, 100, "watch"),
    ("reentry", None, None, 300, "info"),
    ("proximity_operation", None, 0.5, 12, "emergency"),
    ("proximity_operation", None, 0.5, 48, "warning"),
    ("proximity_operation", None, 20.0, 12, "watch"),
    ("proximity_operation", None, 100.0, 12, "info"),
    ("unexplained_manoeuvre", None, None, 0, "watch"),
    ("asat_test", None, None, 0, "warning"),
    ("recon_overflight", None, None, 2, "watch"),
    ("recon_overflight", None, None, 30, "info"),
    ("norms_violation", None, None, 0, "watch"),
])
def test_escalation_levels_from_criteria(incident, pc, miss_km, hours, level):
    alert = Alert(incident, (RESURS, HIBER3), tca=NOW + timedelta(hours=hours), now=NOW, pc=pc,
                  miss_km=miss_km, region="nl-europe" if incident == "reentry" else "")
    routing = route(alert)
    assert routing.level == level
    assert any(line.startswith(f"level {level}:") for line in routing.explanation)


def test_interest_from_registry_tenant_and_owner_code():
    cfg = load_config()
    assert object_interest(BRIK2, cfg).category == "military"  # registry beats owner NETH -> civil
    assert object_interest(GALILEO7, cfg).category == "pnt"  # registry beats owner ESA -> european
    assert object_interest(AlertObject(36508, "CRYOSAT 2", "ESA", "PAY"), cfg).category == "european"
    assert object_interest(AlertObject(58022, "CSC-1", "NETH", "PAY"), cfg).category == "civil"
    assert object_interest(AlertObject(43689, "METOP-C", "EUME", "PAY"), cfg).category == "european"
    assert object_interest(NATO4B, cfg).category == "allied"
    assert object_interest(AlertObject(1, "", "NETH", "R/B"), cfg).category == ""  # owner counts for PAY only
    assert object_interest(TENANT_SAT, cfg).category == "civil"
    assert object_interest(TENANT_SAT, cfg).operator == "tenant acme-sat"
    assert object_interest(COSMOS_DEB, cfg).category == ""


def test_registry_galileo_entries_are_the_shipped_gsat_satellites():
    """Every catalogue object named GSAT01xx/GSAT02xx is a PNT asset of the registry."""
    cfg = load_config()
    from ssa.catalog import SHIPPED_CATALOG, load
    satcat = load_satcat(SHIPPED_SATCAT)
    catalog = load(SHIPPED_CATALOG, satcat=satcat)
    gsat = {int(n) for n, name in zip(catalog.norad_id, catalog.name) if str(name).startswith(("GSAT01", "GSAT02"))}
    assert len(gsat) >= 28
    assert gsat <= {n for n, a in cfg.assets.items() if a.category == "pnt"}
    for norad, asset in cfg.assets.items():
        assert satcat[norad][0] == asset.owner, f"registry owner of {norad} differs from SATCAT"
    # a Catalog serves as the owner lookup of a screening row
    row = {"norad_id_1": 40544, "norad_id_2": 30000, "tca": "2024-11-02T00:00:00", "range_km": 3.0}
    alert = Alert.from_conjunction(row, catalog, now=datetime(2024, 11, 1, tzinfo=UTC))
    assert [(o.owner, o.object_type) for o in alert.objects] == [("ESA", "PAY"), ("US", "DEB")]
    assert route(alert).rule_id == "conj-pnt-low"


def test_from_conjunction_screening_row():
    satcat = load_satcat(SHIPPED_SATCAT)
    from ssa.screen import CONJUNCTION_DTYPE
    rows = np.zeros(2, dtype=CONJUNCTION_DTYPE)
    rows[0] = (47942, "HIBER-3", 1.2, 49863, "COSMOS 1408 DEB", 0.8, np.datetime64("2026-11-22T06:00:00"),
               0, 0, 0.35, 11.2, 0.1, 0.3, 0.1, False, 0, 0, 0, 0)
    rows[1] = (30000, "TITAN 3C TRANSTAGE DEB", 1.0, 49863, "COSMOS 1408 DEB", 1.0,
               np.datetime64("2026-11-23T00:00:00"), 0, 0, 2.5, 9.0, 1, 1, 1, False, 0, 0, 0, 0)
    alerts = Alert.from_conjunctions(rows, satcat, now=NOW)
    assert alerts[0].objects[0] == AlertObject(47942, "HIBER-3", "NETH", "PAY")
    assert alerts[0].miss_km == 0.35 and alerts[0].pc is None
    assert alerts[0].tca == datetime(2026, 11, 22, 6, tzinfo=UTC)
    first, second = (route(a) for a in alerts)
    assert (first.level, first.lead) == ("watch", "operator")  # no Pc, 0.35 km within 72 h
    assert (second.level, second.paged) == ("info", False)
    with_pc = np.zeros(1, dtype=CONJUNCTION_DTYPE.descr + [("pc", "f8")])
    with_pc[0]["norad_id_1"], with_pc[0]["norad_id_2"] = 48876, 49863
    with_pc[0]["tca"], with_pc[0]["range_km"], with_pc[0]["pc"] = np.datetime64("2026-11-22T10:00"), 0.1, 3e-4
    alert = Alert.from_conjunction(with_pc[0], satcat, now=NOW)
    assert alert.pc == 3e-4 and route(alert).rule_id == "conj-military-high"


def test_alert_json_round_trip_and_bad_fields():
    alert = make_alert("reentry", "debris", "nl-caribbean", pc=None)
    assert Alert.from_dict(alert.to_dict()) == alert
    with pytest.raises(ValueError, match="field 'incident'"):
        Alert.from_dict({"objects": []})
    with pytest.raises(ValueError, match="field 'pc'"):
        Alert.from_dict({"incident": "conjunction", "pc": 3})
    with pytest.raises(ValueError, match="field 'tca'"):
        Alert.from_dict({"incident": "conjunction", "tca": "tomorrow"})
    with pytest.raises(ValueError, match=r"objects\[0\].norad_id"):
        Alert.from_dict({"incident": "conjunction", "objects": [{"norad_id": "x"}]})
    with pytest.raises(ValueError, match="unknown field"):
        Alert.from_dict({"incident": "conjunction", "pcc": 0.1})
    with pytest.raises(ValueError, match="field 'incident' 'collision'"):
        route(Alert("collision", now=NOW))
    with pytest.raises(ValueError, match="field 'region' 'bonaire'"):
        route(Alert("reentry", now=NOW, region="bonaire"))
    with pytest.raises(ValueError, match="field 'level' 'red'"):
        route(Alert("conjunction", now=NOW, level="red"))


@pytest.mark.parametrize("incident,evidence,miss_km,level", [
    ("space_weather", {"kp": 9}, None, "emergency"),
    ("space_weather", {"kp": 8.3}, None, "warning"),
    ("space_weather", {"kp": 7}, None, "watch"),
    ("space_weather", {"kp": 5}, None, "info"),
    ("space_weather", {"kp": 3}, None, "log"),
    ("space_weather", {}, None, "info"),
    ("near_earth_object", {"torino": 8}, None, "emergency"),
    ("near_earth_object", {"torino": 5}, None, "warning"),
    ("near_earth_object", {"torino": 2}, None, "watch"),
    ("near_earth_object", {"torino": 1}, None, "info"),
    ("near_earth_object", {"torino": 0}, None, "log"),
    ("missile_launch", {"apogee_km": 850}, None, "warning"),
    ("missile_launch", {"apogee_km": 40}, None, "info"),
    ("missile_launch", {}, None, "watch"),
    ("signal_interference", {"duration_h": 36}, None, "warning"),
    ("signal_interference", {"duration_h": 2}, None, "watch"),
    ("signal_interference", {"duration_h": 0.2}, None, "info"),
    ("cyber_sabotage", {"outage_h": 30}, None, "emergency"),
    ("cyber_sabotage", {"outage_h": 0.5}, None, "warning"),
    ("cyber_sabotage", {"outage_h": 0}, None, "watch"),
    ("asat_attack", {"fragments": 40}, None, "emergency"),
    ("asat_attack", {"fragments": 0}, None, "warning"),
    ("asat_test", {"fragments": 1500}, None, "emergency"),
    ("asat_test", {"fragments": 3}, None, "warning"),
    ("asat_test", {"fragments": 0}, None, "watch"),
    ("fragmentation", {"fragments": 120}, None, "emergency"),
    ("fragmentation", {"fragments": 12}, None, "warning"),
    ("fragmentation", {"fragments": 2}, None, "watch"),
    ("fragmentation", {"fragments": 0}, None, "info"),
    ("unexplained_manoeuvre", {"delta_v_m_s": 3.0}, 0.5, "emergency"),
    ("unexplained_manoeuvre", {"delta_v_m_s": 3.0}, 4.0, "warning"),
    ("unexplained_manoeuvre", {"delta_v_m_s": 0.05}, None, "info"),
    ("unexplained_manoeuvre", {"delta_v_m_s": 2.0}, None, "watch"),
    ("norms_violation", {"confidence": 0.95}, None, "warning"),
    ("norms_violation", {"confidence": 0.3}, None, "info"),
])
def test_levels_from_evidence(incident, evidence, miss_km, level):
    """Every incident type escalates from its evidence, thresholds in escalation.toml."""
    alert = Alert(incident, (RESURS, HIBER3), tca=NOW + timedelta(hours=6), now=NOW, miss_km=miss_km,
                  evidence={k: float(v) for k, v in evidence.items()})
    routing = route(alert)
    assert routing.level == level
    assert any(line.startswith(f"level {level}:") for line in routing.explanation)


def test_interest_covers_gps_and_allied_military_satellites_not_every_ally_payload():
    cfg = load_config()
    gps = AlertObject(48859, "NAVSTAR 81 (USA 319)", "US", "PAY")
    wgs9 = AlertObject(42075, "WGS F9 (USA 275)", "US", "PAY")
    skynet = AlertObject(39034, "SKYNET 5D", "UK", "PAY")
    starlink = AlertObject(44713, "STARLINK-1007", "US", "PAY")
    assert object_interest(gps, cfg).category == "pnt"
    assert (object_interest(wgs9, cfg).category, object_interest(skynet, cfg).category) == ("allied", "allied")
    assert object_interest(starlink, cfg).category == ""  # an ally's owner code alone does not count
    assert sum(a.category == "pnt" and a.name.startswith("NAVSTAR") for a in cfg.assets.values()) >= 30
    routing = route(Alert("conjunction", (gps, TITAN_DEB), tca=SOON, now=NOW, pc=3e-4), cfg)
    assert routing.rule_id == "conj-pnt-high" and routing.notify[0] == "operator"
    assert routing.operators == ("US Space Force (GPS)",)
