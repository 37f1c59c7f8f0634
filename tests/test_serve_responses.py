"""Response models read from the store's rows (ssa.serve.schemas), on their own: units
(km in the store, m in the API), times, the two objects of an event, the routing
summary of lists against the whole routing of one conjunction, a failed job's reason."""
from datetime import datetime
from types import SimpleNamespace

from ssa.serve import schemas

ROUTING = {"level": "warning", "paged": True, "lead": "knmi", "supporting": [], "informed": ["ienw"], "rule": "r1",
           "basis": "letter", "alerted": {"knmi": "lead"}, "actions": ["call"], "citations": ["x"],
           "explanation": "why"}


def event_row(**columns):
    """An events row as the list query returns it (attributes, no ORM)."""
    values = dict(id=17, status="open", close_reason=None, change_seq=4211, level="warning",
                  created_at=datetime(2024, 11, 1, 0, 3, 12, 512000), updated_at=datetime(2024, 11, 1, 12, 30, 2),
                  tca=datetime(2024, 11, 1, 4, 11, 39, 912345), range_km=17.6353004, relative_speed_km_s=11.2437,
                  radial_km=-0.1124, in_track_km=16.0201, cross_track_km=7.3709, pc=3.1e-9, pc_method="FOSTER-1992",
                  max_prob=2.2e-6, hbr_m=20.0, covariance_source="estimated", persistent=False,
                  norad_id_1=25544, name_1="ISS (ZARYA)", dse_1=0.31, source_1="public",
                  norad_id_2=52759, name_2="ICEYE-X20", dse_2=0.64, source_2="operator:ICEYE",
                  source_flags=None, routing=ROUTING)
    values.update(columns)
    return SimpleNamespace(**values)


def test_conjunction_from_an_event_row():
    out = schemas.Conjunction.model_validate(event_row()).model_dump(mode="json")
    assert out["MISS_DISTANCE"] == 17635.3 and out["RELATIVE_POSITION_R"] == -112.4
    assert out["RELATIVE_SPEED"] == 11243.7
    assert out["TCA"] == "2024-11-01T04:11:39.912345" and out["updated_at"] == "2024-11-01T12:30:02.000000"
    assert out["OBJECT1"] == {"NORAD_CAT_ID": 25544, "OBJECT_NAME": "ISS (ZARYA)", "days_since_epoch": 0.31,
                              "ELSET_SOURCE": "public"}
    assert out["OBJECT2"]["ELSET_SOURCE"] == "operator:ICEYE"
    assert out["COLLISION_PROBABILITY"] == 3.1e-9 and out["hard_body_radius_m"] == 20.0
    assert list(out["routing"]) == [k for k in schemas.ROUTING_SUMMARY if k in ROUTING]
    assert list(out) == list(schemas.Conjunction.model_fields)


def test_one_conjunction_has_all_of_its_routing_and_its_history():
    history = [SimpleNamespace(job_id=3, kind="created", recorded_at=datetime(2024, 11, 1), status="open",
                               close_reason=None, tca=datetime(2024, 11, 1, 4), range_km=0.5, relative_speed_km_s=7.0,
                               pc=None, level=None)]
    out = schemas.ConjunctionDetail.model_validate(event_row(history=history)).model_dump(mode="json")
    assert out["routing"] == ROUTING
    assert out["history"] == [{"job_id": 3, "kind": "created", "recorded_at": "2024-11-01T00:00:00.000000",
                               "status": "open", "close_reason": None, "TCA": "2024-11-01T04:00:00.000000",
                               "MISS_DISTANCE": 500.0, "RELATIVE_SPEED": 7000.0, "COLLISION_PROBABILITY": None,
                               "level": None}]


def test_an_alert_carries_the_summary_of_its_incident_routing():
    incident = SimpleNamespace(id=1, incident="space_weather", level="warning", created_at=datetime(2024, 11, 1),
                               reporter="EZ", reporter_role="agency", report={"incident": "space_weather"},
                               routing=ROUTING)
    alert = SimpleNamespace(id=5, party="knmi", role="lead", level="warning", change_seq=9,
                            created_at=datetime(2024, 11, 1), updated_at=datetime(2024, 11, 1), acknowledged_at=None,
                            acknowledged_by=None, event=None, incident=incident)
    out = schemas.AlertOut.model_validate(alert).model_dump(mode="json")
    assert out["conjunction"] is None and out["acknowledged_at"] is None
    assert list(out["incident"]["routing"]) == [k for k in schemas.ROUTING_SUMMARY if k in ROUTING]
    assert schemas.IncidentOut.model_validate(incident).routing == ROUTING  # reported: all of it


def test_a_failed_job_says_the_last_line_of_its_error():
    job = SimpleNamespace(id=3, catalog_version_id=3, status="failed", progress=0.4, message="failed", attempts=1,
                          created_at=datetime(2024, 11, 1), started_at=None, finished_at=None, window_start=None,
                          window_end=None, threshold_km=None, n_objects=None, n_conjunctions=None,
                          error="Traceback (most recent call last):\n  File x\nValueError: no elements\n\n",
                          stopped=None, source_checks=None)
    out = schemas.JobOut.model_validate(job).model_dump(mode="json")
    assert out["error"] == "ValueError: no elements"
    assert out["stopped"] == [] and out["source_checks"] == []
