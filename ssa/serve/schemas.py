"""Response shapes for the OpenAPI document. CDM/OMM keywords are upper case,
with CDM units: MISS_DISTANCE and RELATIVE_POSITION_* in m, RELATIVE_SPEED in m/s,
times UTC ISO 8601 without zone suffix."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_CONJUNCTION = {
    "id": 17, "status": "open", "close_reason": None, "change_seq": 4211, "level": "attention",
    "created_at": "2024-11-01T00:03:12.512000", "updated_at": "2024-11-01T12:30:02.114000",
    "TCA": "2024-11-01T04:11:39.912345", "MISS_DISTANCE": 17635.3, "RELATIVE_SPEED": 11243.7,
    "RELATIVE_POSITION_R": -112.4, "RELATIVE_POSITION_T": 16020.1, "RELATIVE_POSITION_N": 7370.9,
    "COLLISION_PROBABILITY": 3.1e-9, "COLLISION_PROBABILITY_METHOD": "FOSTER-1992",
    "max_probability": 2.2e-6, "hard_body_radius_m": 20.0, "covariance_source": "estimated", "persistent": False,
    "OBJECT1": {"NORAD_CAT_ID": 25544, "OBJECT_NAME": "ISS (ZARYA)", "days_since_epoch": 0.31},
    "OBJECT2": {"NORAD_CAT_ID": 52759, "OBJECT_NAME": "ICEYE-X20", "days_since_epoch": 0.64},
    "routing": None,
}


class ObjectRef(BaseModel):
    NORAD_CAT_ID: int
    OBJECT_NAME: str
    days_since_epoch: float = Field(description="days from the element set's epoch to TCA")
    ELSET_SOURCE: str = Field("public", description="source of the element set screened: 'public' or "
                                                    "'operator:<tenant>' (an operator's own upload)")


class Conjunction(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CONJUNCTION]})
    id: int
    status: Literal["open", "closed"]
    close_reason: Literal["TCA_PASSED", "OUT_OF_THRESHOLD"] | None
    change_seq: int = Field(description="position in the change sequence; poll with since=<largest seen>")
    level: str | None
    created_at: str
    updated_at: str
    TCA: str
    MISS_DISTANCE: float = Field(description="m")
    RELATIVE_SPEED: float = Field(description="m/s")
    RELATIVE_POSITION_R: float = Field(description="m, object 2 - object 1 in object 1's RTN frame")
    RELATIVE_POSITION_T: float
    RELATIVE_POSITION_N: float
    COLLISION_PROBABILITY: float | None
    COLLISION_PROBABILITY_METHOD: str | None
    max_probability: float | None
    hard_body_radius_m: float | None
    covariance_source: str | None
    persistent: bool = Field(description="the pair stays within the threshold for long stretches (docked, co-located)")
    OBJECT1: ObjectRef
    OBJECT2: ObjectRef
    source_flags: list[dict] | None = Field(None, description="operator element sets of these objects that disagree "
                                                              "with the public ones beyond the covariance (not "
                                                              "screened): source, mahalanobis, reason")
    routing: dict | None = Field(description="ssa.respond's routing: level, lead, supporting, informed, rule, basis, "
                                             "and `alerted` (party: role); lists carry these, one conjunction "
                                             "also the actions, information to share, citations and explanation")


class HistoryEntry(BaseModel):
    job_id: int
    kind: Literal["created", "updated", "closed"]
    recorded_at: str
    status: Literal["open", "closed"]
    close_reason: str | None
    TCA: str
    MISS_DISTANCE: float
    RELATIVE_SPEED: float
    COLLISION_PROBABILITY: float | None
    level: str | None


class ConjunctionDetail(Conjunction):
    history: list[HistoryEntry]


class ConjunctionPage(BaseModel):
    items: list[Conjunction]
    next_cursor: str | None = Field(description="pass as cursor= for the next page (TCA order); null at the end")
    next_since: int = Field(description="pass as since= on the next poll to get only later changes")
    has_more: bool


class AlertOut(BaseModel):
    id: int
    party: str
    role: Literal["lead", "supporting", "informed"]
    level: str | None
    change_seq: int
    created_at: str
    updated_at: str
    acknowledged_at: str | None
    acknowledged_by: str | None
    conjunction: Conjunction | None = Field(None, description="what the alert is about: a conjunction event ...")
    incident: "IncidentOut | None" = Field(None, description="... or an incident a party reported")


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_since: int
    has_more: bool


class Rejected(BaseModel):
    line: int = Field(description="1-based line (or row/element) of the record in the upload")
    NORAD_CAT_ID: int | None
    reason: str


class IngestOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "created": True, "catalog_version_id": 3, "job_id": 3, "n_records": 2, "n_new": 2, "n_known": 0,
        "n_rejected": 1, "rejected": [{"line": 7, "NORAD_CAT_ID": 99999, "reason": "line 2 checksum 3 does not match 5"}]}]})
    created: bool = Field(description="false when every element set was already stored: nothing new, no job")
    catalog_version_id: int | None
    job_id: int | None
    n_records: int
    n_new: int
    n_known: int
    n_rejected: int = Field(description="records rejected, all counted")
    rejected: list[Rejected] = Field(description="the first max_rejections_listed (setting) of them")


class JobOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3, "catalog_version_id": 3, "status": "running", "progress": 0.42,
        "message": "screening 26834 objects", "attempts": 1, "created_at": "2024-11-01T00:00:02.100000",
        "started_at": "2024-11-01T00:00:02.900000", "finished_at": None, "window_start": None, "window_end": None,
        "threshold_km": None, "n_objects": None, "n_conjunctions": None, "error": None, "stopped": []}]})
    id: int
    catalog_version_id: int
    status: Literal["queued", "running", "done", "failed", "superseded"]
    progress: float = Field(description="0..1")
    message: str
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    window_start: str | None
    window_end: str | None
    threshold_km: float | None
    n_objects: int | None
    n_conjunctions: int | None
    error: str | None = Field(description="why a failed job failed (the traceback is in the worker's log)")
    stopped: list[dict] = Field(
        description="objects left out of the screening, each with norad_id and reason (e.g. a stale element set)")
    source_checks: list[dict] = Field(
        default_factory=list, description="operator element sets compared with the public ones: norad_id, source, "
                                          "mahalanobis (largest over the window), flagged, screened (the set used)")


class ElsetSource(BaseModel):
    source: str = Field(description="'public' or 'operator:<tenant>'")
    EPOCH: str = Field(description="UTC")
    catalog_version_id: int
    ELEMENT_SET_NO: int
    OBJECT_NAME: str = Field(description="as the element set gave it")


class ObjectOut(BaseModel):
    NORAD_CAT_ID: int
    OBJECT_NAME: str
    OBJECT_ID: str
    OWNER: str
    OBJECT_TYPE: str
    EPOCH: str | None = Field(description="epoch of the newest stored public element set, UTC")
    element_sets: list[ElsetSource] = Field(default_factory=list,
                                            description="the newest element set of each source (public, operators)")


class ObjectPage(BaseModel):
    items: list[ObjectOut]
    next_cursor: str | None


class PartyOut(BaseModel):
    code: str
    name: str
    description: str


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    change_seq: int


class IncidentOut(BaseModel):
    id: int
    incident: str = Field(description="incident type id of ssa.respond")
    level: str | None
    created_at: str
    reporter: str = Field(description="the reporting key's party, or 'tenant <name>' for an operator")
    reporter_role: str
    report: dict = Field(description="the alert as routed: the service sets 'now' and catalogued objects' owner, "
                                     "type and tenant")
    routing: dict


class IncidentReported(BaseModel):
    incident: IncidentOut
    alerts: list[AlertOut] = Field(description="one per party paged; empty when the level pages nobody")


class SubscriptionIn(BaseModel):
    party: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$",
                       description="party code (GET /v1/parties) or 'tenant <name>'")
    url: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$",
                     description="http(s) URL receiving a signed POST per alert")


class SubscriptionOut(BaseModel):
    id: int
    party: str
    url: str
    created_at: str
    revoked_at: str | None


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="HMAC-SHA256 key of X-SSA-Signature; shown only now")


class AttemptOut(BaseModel):
    attempt: int
    started_at: str
    duration_s: float
    status_code: int | None
    error: str | None


class DeliveryOut(BaseModel):
    delivery_id: str
    alert_id: int
    status: Literal["pending", "delivered", "dead"]
    attempts: list[AttemptOut]
    next_attempt_at: str | None
    created_at: str
    finished_at: str | None


AlertOut.model_rebuild()
AlertPage.model_rebuild()
