"""Response shapes: the OpenAPI document's schemas and the code that builds each
response from the store's rows. CDM/OMM keywords are upper case, with CDM units:
MISS_DISTANCE and RELATIVE_POSITION_* in m, RELATIVE_SPEED in m/s, times UTC ISO
8601 without zone suffix.

Models read the store's rows (ORM objects, or result rows of their columns) by
attribute (``from_attributes``); ``validation_alias`` names the store's column
where the API's name differs, and the annotated types convert units and times
(``MetresFromKm``, ``UtcTime``)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ssa.serve.enums import JobStatus

ROUTING_SUMMARY = ("level", "paged", "lead", "supporting", "informed", "rule", "basis", "alerted", "interests")


def iso(when: datetime | None) -> str | None:
    """A store time (naive UTC) as the API writes it: ISO 8601 to the microsecond, no zone suffix."""
    return when.isoformat(timespec="microseconds") if when is not None else None


def utc_text(value):
    return iso(value) if isinstance(value, datetime) else value


def metres(km: float) -> float:
    """km (the store's unit) to m, to the mm (the API's unit)."""
    return round(km * 1000.0, 3)


def routing_summary(routing: dict | None) -> dict | None:
    """What lists carry of a routing: ROUTING_SUMMARY's keys (not actions, citations, explanation)."""
    return routing if routing is None else {k: routing[k] for k in ROUTING_SUMMARY if k in routing}


def failure_reason(error: str | None) -> str | None:
    """What the API says of a failed job: the last line of its stored error (for a
    traceback, the exception and its message; the traceback itself is in the worker's log)."""
    if not error:
        return error
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else None


UtcTime = Annotated[str, BeforeValidator(utc_text)]
MetresFromKm = Annotated[float, BeforeValidator(metres)]


class FromStore(BaseModel):
    """A response read from the store's rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


PAIR_COLUMNS = ("norad_id", "name", "dse", "source")  # each with _1 and _2 in an event row


class PairObject:
    """Object 1 or 2 of an event row: its columns norad_id_<n>, name_<n>, dse_<n>, source_<n> as
    norad_id, name, dse, source."""

    def __init__(self, event, n: int):
        self.event, self.n = event, n

    def __getattr__(self, name: str):
        return getattr(self.event, f"{name}_{self.n}")


class EventRow:
    """An event row with its two objects as OBJECT1 and OBJECT2 (PairObject)."""

    def __init__(self, event):
        self.event, self.OBJECT1, self.OBJECT2 = event, PairObject(event, 1), PairObject(event, 2)

    def __getattr__(self, name: str):
        return getattr(self.event, name)


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


class ObjectRef(FromStore):
    NORAD_CAT_ID: int = Field(validation_alias="norad_id")
    OBJECT_NAME: str = Field(validation_alias="name")
    days_since_epoch: float = Field(validation_alias="dse", description="days from the element set's epoch to TCA")
    ELSET_SOURCE: str = Field("public", validation_alias="source",
                              description="source of the element set screened: 'public' or "
                                          "'operator:<tenant>' (an operator's own upload)")


class Conjunction(FromStore):
    """A conjunction event; lists carry a routing summary (ROUTING_SUMMARY)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CONJUNCTION]})
    id: int
    status: Literal["open", "closed"]
    close_reason: Literal["TCA_PASSED", "OUT_OF_THRESHOLD"] | None
    change_seq: int = Field(description="position in the change sequence; poll with since=<largest seen>")
    level: str | None
    created_at: UtcTime
    updated_at: UtcTime
    TCA: UtcTime = Field(validation_alias="tca")
    MISS_DISTANCE: MetresFromKm = Field(validation_alias="range_km", description="m")
    RELATIVE_SPEED: MetresFromKm = Field(validation_alias="relative_speed_km_s", description="m/s")
    RELATIVE_POSITION_R: MetresFromKm = Field(validation_alias="radial_km",
                                              description="m, object 2 - object 1 in object 1's RTN frame")
    RELATIVE_POSITION_T: MetresFromKm = Field(validation_alias="in_track_km")
    RELATIVE_POSITION_N: MetresFromKm = Field(validation_alias="cross_track_km")
    COLLISION_PROBABILITY: float | None = Field(validation_alias="pc")
    COLLISION_PROBABILITY_METHOD: str | None = Field(validation_alias="pc_method")
    max_probability: float | None = Field(validation_alias="max_prob")
    hard_body_radius_m: float | None = Field(validation_alias="hbr_m")
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

    @model_validator(mode="before")
    @classmethod
    def with_objects(cls, event):
        """An event (ORM object, or the mapping of a row of its columns, which lists read
        faster): its pair's columns norad_id_<n>, name_<n>, dse_<n>, source_<n> as OBJECT<n>."""
        if isinstance(event, Mapping):
            return {**event, **{f"OBJECT{n}": {name: event[f"{name}_{n}"] for name in PAIR_COLUMNS} for n in (1, 2)}}
        return EventRow(event)

    @field_validator("routing")
    @classmethod
    def summary(cls, routing: dict | None) -> dict | None:
        return routing_summary(routing)


class HistoryEntry(FromStore):
    job_id: int
    kind: Literal["created", "updated", "closed"]
    recorded_at: UtcTime
    status: Literal["open", "closed"]
    close_reason: str | None
    TCA: UtcTime = Field(validation_alias="tca")
    MISS_DISTANCE: MetresFromKm = Field(validation_alias="range_km")
    RELATIVE_SPEED: MetresFromKm = Field(validation_alias="relative_speed_km_s")
    COLLISION_PROBABILITY: float | None = Field(validation_alias="pc")
    level: str | None


class ConjunctionDetail(Conjunction):
    """One conjunction: all of its routing (actions, information to share, citations,
    explanation) and its history (Event.history)."""

    history: list[HistoryEntry]

    @field_validator("routing")
    @classmethod
    def summary(cls, routing: dict | None) -> dict | None:
        return routing


class ConjunctionPage(BaseModel):
    items: list[Conjunction]
    next_cursor: str | None = Field(description="pass as cursor= for the next page (TCA order); null at the end")
    next_since: int = Field(description="pass as since= on the next poll to get only later changes")
    has_more: bool


class AlertOut(FromStore):
    """An alert with what it is about (Alert.event or Alert.incident, the incident's routing summarised)."""

    id: int
    party: str
    role: Literal["lead", "supporting", "informed"]
    level: str | None
    change_seq: int
    created_at: UtcTime
    updated_at: UtcTime
    acknowledged_at: UtcTime | None
    acknowledged_by: str | None
    conjunction: Conjunction | None = Field(None, validation_alias="event",
                                            description="what the alert is about: a conjunction event ...")
    incident: IncidentOut | None = Field(None, description="... or an incident a party reported")
    finding: FindingSummaryOut | None = Field(None, description="... or a detector's finding (GET /v1/findings/{id} "
                                                           "has its whole routing)")

    @field_validator("incident")
    @classmethod
    def summary(cls, incident: IncidentOut | None) -> IncidentOut | None:
        return incident if incident is None else incident.model_copy(update={"routing": routing_summary(incident.routing)})


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_since: int
    has_more: bool


class Rejected(FromStore):
    line: int = Field(description="1-based line (or row/element) of the record in the upload")
    NORAD_CAT_ID: int | None = Field(validation_alias="norad_id")
    reason: Annotated[str, BeforeValidator(lambda reason: reason[:500])]


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


class JobOut(FromStore):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3, "catalog_version_id": 3, "status": "running", "progress": 0.42,
        "message": "screening 26834 objects", "attempts": 1, "created_at": "2024-11-01T00:00:02.100000",
        "started_at": "2024-11-01T00:00:02.900000", "finished_at": None, "window_start": None, "window_end": None,
        "threshold_km": None, "n_objects": None, "n_conjunctions": None, "error": None, "stopped": []}]})
    id: int
    catalog_version_id: int
    status: Literal[tuple(JobStatus)]  # the values, inline in the document as before
    progress: float = Field(description="0..1")
    message: str
    attempts: int
    created_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    window_start: UtcTime | None
    window_end: UtcTime | None
    threshold_km: float | None
    n_objects: int | None
    n_conjunctions: int | None
    error: Annotated[str | None, BeforeValidator(failure_reason)] = Field(
        description="why a failed job failed (the traceback is in the worker's log)")
    stopped: Annotated[list[dict], BeforeValidator(lambda listed: listed or [])] = Field(
        description="objects left out of the screening, each with norad_id and reason (e.g. a stale element set)")
    source_checks: Annotated[list[dict], BeforeValidator(lambda listed: listed or [])] = Field(
        default_factory=list, description="operator element sets compared with the public ones: norad_id, source, "
                                          "mahalanobis (largest over the window), flagged, screened (the set used)")


class ElsetSource(FromStore):
    """One of Store.element_set_sources' element sets."""

    source: str = Field(description="'public' or 'operator:<tenant>'")
    EPOCH: UtcTime = Field(validation_alias="epoch", description="UTC")
    catalog_version_id: int
    ELEMENT_SET_NO: int = Field(validation_alias="element_set_no")
    OBJECT_NAME: str = Field(validation_alias="name", description="as the element set gave it")


class ObjectOut(FromStore):
    """A catalogued object (SpaceObject); element_sets as Store.element_set_sources gives them."""

    NORAD_CAT_ID: int = Field(validation_alias="norad_id")
    OBJECT_NAME: str = Field(validation_alias="object_name")
    OBJECT_ID: str = Field(validation_alias="object_id")
    OWNER: str = Field(validation_alias="owner")
    OBJECT_TYPE: str = Field(validation_alias="object_type")
    EPOCH: UtcTime | None = Field(validation_alias="latest_epoch",
                                  description="epoch of the newest stored public element set, UTC")
    element_sets: list[ElsetSource] = Field(default_factory=list,
                                            description="the newest element set of each source (public, operators)")


class ObjectPage(BaseModel):
    items: list[ObjectOut]
    next_cursor: str | None


class PartyOut(FromStore):
    code: str
    name: str
    description: str


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    change_seq: int


class IncidentOut(FromStore):
    """A reported incident (Incident) with all of its routing; alerts carry its summary."""

    id: int
    incident: str = Field(description="incident type id of ssa.respond")
    level: str | None
    created_at: UtcTime
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


class SubscriptionOut(FromStore):
    id: int
    party: str
    url: str
    created_at: UtcTime
    revoked_at: UtcTime | None


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="HMAC-SHA256 key of X-SSA-Signature; shown only now")


class AttemptOut(FromStore):
    attempt: int
    started_at: UtcTime
    duration_s: float
    status_code: int | None
    error: str | None


class DeliveryOut(FromStore):
    """A delivery with every attempt (Delivery.attempt_log); next_attempt_at only while pending."""

    delivery_id: str
    alert_id: int
    status: Literal["pending", "delivered", "dead"]
    attempts: list[AttemptOut] = Field(validation_alias="attempt_log")
    next_attempt_at: UtcTime | None
    created_at: UtcTime
    finished_at: UtcTime | None

    @model_validator(mode="after")
    def due_only_while_pending(self) -> DeliveryOut:
        if self.status != "pending":
            self.next_attempt_at = None
        return self


FindingKind = Literal["reentry", "fragmentation", "manoeuvre", "proximity"]


class FindingOut(FromStore):
    """A detector's finding (ssa.detect, run by the worker on each catalogue version); lists carry
    its routing summarised (ROUTING_SUMMARY), GET /v1/findings/{id} all of it."""

    id: int
    kind: FindingKind
    identity: str = Field(description="stable across catalogue versions: reentry:<NORAD id>, "
                                      "manoeuvre:<NORAD id>:<burn UTC minute>, fragmentation:<launch>:<parent>, "
                                      "proximity:<asset>:<object>")
    norad_id_1: int = Field(description="the re-entering or manoeuvring object, the fragmentation's parent, the asset")
    norad_id_2: int | None = Field(description="the collision partner, or the object near the asset")
    event_time: UtcTime | None = Field(description="UTC: predicted re-entry, burn mid-point, break-up, closest "
                                                   "approach")
    level: str | None
    summary: dict = Field(description="the detector's record (UTC ISO times, km, m/s)")
    routing: dict | None
    catalog_version_id: int = Field(description="the catalogue version that last found it")
    change_seq: int
    created_at: UtcTime
    updated_at: UtcTime


class FindingSummaryOut(FindingOut):
    @field_validator("routing")
    @classmethod
    def summary_only(cls, routing: dict | None) -> dict | None:
        return routing_summary(routing)


class FindingPage(BaseModel):
    items: list[FindingSummaryOut]
    next_since: int
    has_more: bool


class OverflightPassOut(BaseModel):
    """One pass of a watching satellite over a site (ssa.detect.overflight): times UTC ISO 8601
    ("" where the pass began before or ends after the window), angles deg, range km."""

    site: str
    norad_id: int
    name: str
    owner: str
    sensor: Literal["optical", "radar"]
    rise: str
    culmination: str
    set: str
    max_elevation_deg: float
    off_nadir_deg: float
    azimuth_deg: float
    range_km: float
    sun_elevation_deg: float
    sunlit: bool
    usable: bool = Field(description="the sensor can image the site: radar, or optical with the site sunlit")


class OverflightPage(BaseModel):
    site: str
    catalog_version_id: int | None = Field(description="the catalogue version the passes were computed on")
    items: list[OverflightPassOut]


AlertOut.model_rebuild()
AlertPage.model_rebuild()
