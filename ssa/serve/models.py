"""Store schema (SQLAlchemy 2). Times are naive UTC; distances km, speeds km/s.

The alembic migrations in ``ssa/serve/migrations`` create exactly these tables.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Counter(Base):
    """Named monotonic counters; ``change_seq`` orders every change a poller can see."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Party(Base):
    __tablename__ = "parties"
    code: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class SpaceObject(Base):
    __tablename__ = "objects"
    norad_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    object_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    object_id: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    object_type: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    latest_epoch: Mapped[datetime | None] = mapped_column(DateTime)


class CatalogVersion(Base):
    """One upload or watched file that brought at least one new element set."""

    __tablename__ = "catalog_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    source: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    n_records: Mapped[int] = mapped_column(Integer, nullable=False)
    n_new: Mapped[int] = mapped_column(Integer, nullable=False)
    n_rejected: Mapped[int] = mapped_column(Integer, nullable=False)


class Elset(Base):
    """An element set in sgp4init units (see ssa.catalog.model); identity = hash of id and elements."""

    __tablename__ = "elsets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), nullable=False, index=True)
    norad_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    epoch: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    object_id: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    epoch_jd: Mapped[float] = mapped_column(Float, nullable=False)
    epoch_fr: Mapped[float] = mapped_column(Float, nullable=False)
    # the exact epoch python-sgp4 passes to sgp4init (Catalog.epoch_days); NULL: derived
    epoch_days: Mapped[float | None] = mapped_column(Float, nullable=True)
    # radar cross-section m^2 the upload gave (Catalog.rcs_m2, hard-body radius fallback); NULL: unknown
    rcs_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    no_kozai: Mapped[float] = mapped_column(Float, nullable=False)
    ecco: Mapped[float] = mapped_column(Float, nullable=False)
    inclo: Mapped[float] = mapped_column(Float, nullable=False)
    nodeo: Mapped[float] = mapped_column(Float, nullable=False)
    argpo: Mapped[float] = mapped_column(Float, nullable=False)
    mo: Mapped[float] = mapped_column(Float, nullable=False)
    bstar: Mapped[float] = mapped_column(Float, nullable=False)
    ndot: Mapped[float] = mapped_column(Float, nullable=False)
    nddot: Mapped[float] = mapped_column(Float, nullable=False)
    element_set_no: Mapped[int] = mapped_column(BigInteger, nullable=False)
    rev_at_epoch: Mapped[int] = mapped_column(BigInteger, nullable=False)
    classification: Mapped[str] = mapped_column(String(1), nullable=False, default="U")
    source: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # who gave the set: "public" (catalogue uploads, watched files) or "operator:<tenant>" (an operator key)
    origin: Mapped[str] = mapped_column(String(200), nullable=False, default="public", server_default="public")

    __table_args__ = (Index("ix_elsets_norad_id_origin", "norad_id", "origin"),)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # a JobStatus (ssa.serve.enums)
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    window_start: Mapped[datetime | None] = mapped_column(DateTime)
    window_end: Mapped[datetime | None] = mapped_column(DateTime)
    threshold_km: Mapped[float | None] = mapped_column(Float)
    n_objects: Mapped[int | None] = mapped_column(Integer)
    n_conjunctions: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # objects left out of the screening: [{norad_id, name, reason, ...}]
    stopped: Mapped[list | None] = mapped_column(JSON)
    # operator element sets compared with the public ones: [{norad_id, source, mahalanobis, flagged, used, ...}]
    source_checks: Mapped[list | None] = mapped_column(JSON)


class Event(Base):
    """A conjunction event: one pair, one encounter, updated by successive screenings."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    norad_id_1: Mapped[int] = mapped_column(BigInteger, nullable=False)
    norad_id_2: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    name_1: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    name_2: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(8), nullable=False)  # open closed
    close_reason: Mapped[str | None] = mapped_column(String(32))  # TCA_PASSED, OUT_OF_THRESHOLD
    tca: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    tca_jd: Mapped[float] = mapped_column(Float, nullable=False)
    tca_fr: Mapped[float] = mapped_column(Float, nullable=False)
    range_km: Mapped[float] = mapped_column(Float, nullable=False)
    relative_speed_km_s: Mapped[float] = mapped_column(Float, nullable=False)
    radial_km: Mapped[float] = mapped_column(Float, nullable=False)
    in_track_km: Mapped[float] = mapped_column(Float, nullable=False)
    cross_track_km: Mapped[float] = mapped_column(Float, nullable=False)
    dse_1: Mapped[float] = mapped_column(Float, nullable=False)
    dse_2: Mapped[float] = mapped_column(Float, nullable=False)
    persistent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    state: Mapped[dict] = mapped_column(JSON, nullable=False)  # r1 v1 r2 v2, TEME km, km/s at TCA
    pc: Mapped[float | None] = mapped_column(Float)
    pc_method: Mapped[str | None] = mapped_column(String(16))
    max_prob: Mapped[float | None] = mapped_column(Float)
    dilution_km: Mapped[float | None] = mapped_column(Float)
    covariance_source: Mapped[str | None] = mapped_column(String(16))
    hbr_m: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(32), index=True)
    routing: Mapped[dict | None] = mapped_column(JSON)
    # the source of each object's element set ("public", "operator:<tenant>"), and the
    # operator sets of its objects that disagreed with the public ones (not screened)
    source_1: Mapped[str] = mapped_column(String(200), nullable=False, default="public", server_default="public")
    source_2: Mapped[str] = mapped_column(String(200), nullable=False, default="public", server_default="public")
    source_flags: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    first_job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    last_job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    change_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)

    __table_args__ = (Index("ix_events_pair", "norad_id_1", "norad_id_2", "status"),)
    # the API's detail view: loaded on request (selectinload), never lazily
    history: Mapped[list[EventUpdate]] = relationship(order_by="EventUpdate.id", viewonly=True, lazy="raise")


class EventUpdate(Base):
    """History: the event's values after each change (a screening, or its TCA passing)."""

    __tablename__ = "event_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), nullable=False, index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)  # created updated closed
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    close_reason: Mapped[str | None] = mapped_column(String(32))
    tca: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    range_km: Mapped[float] = mapped_column(Float, nullable=False)
    relative_speed_km_s: Mapped[float] = mapped_column(Float, nullable=False)
    pc: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("event_id", "job_id", "kind", name="uq_event_updates_event_job_kind"),)


class Incident(Base):
    """An incident a party reported (POST /v1/incidents): ssa.respond's alert JSON, as routed."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident: Mapped[str] = mapped_column(String(64), nullable=False)  # incident type id
    report: Mapped[dict] = mapped_column(JSON, nullable=False)  # the alert as routed (Alert.to_dict)
    level: Mapped[str | None] = mapped_column(String(32))
    routing: Mapped[dict] = mapped_column(JSON, nullable=False)
    reporter_key_id: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    reporter_role: Mapped[str] = mapped_column(String(16), nullable=False)
    reporter: Mapped[str] = mapped_column(String(200), nullable=False)  # party or tenant of the key
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class Finding(Base):
    """A detector's finding (ssa.detect via ssa.pipeline.detect_and_route): one per stable identity
    (re-entry: NORAD id; fragmentation: launch + parent; manoeuvre: NORAD id + epoch; proximity:
    asset + object), updated when a later catalogue version finds it again."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # reentry fragmentation manoeuvre proximity
    identity: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    norad_id_1: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)  # the subject (parent, asset)
    norad_id_2: Mapped[int | None] = mapped_column(BigInteger, index=True)  # the other object, where there is one
    event_time: Mapped[datetime | None] = mapped_column(DateTime)  # UTC: re-entry, break-up, burn, closest approach
    summary: Mapped[dict] = mapped_column(JSON, nullable=False)  # the detector's record (UTC ISO times, km, m/s)
    level: Mapped[str | None] = mapped_column(String(32))
    routing: Mapped[dict | None] = mapped_column(JSON)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), nullable=False)
    first_job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    last_job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    change_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)


class OverflightPass(Base):
    """A watching satellite's pass over a configured site (ssa.detect.overflight), computed on a
    catalogue version; a newer version's passes of a site replace the older ones. A site's passes
    reveal the site: the API serves them only to the parties its sites file names as readers."""

    __tablename__ = "overflight_passes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), nullable=False)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    norad_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    culmination: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    record: Mapped[dict] = mapped_column(JSON, nullable=False)  # ssa.detect.overflight.to_records' row


class Alert(Base):
    """An event, a reported incident or a finding routed to one party, with its role in the response."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), nullable=True, index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True, index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True, index=True)
    party: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # lead supporting informed
    level: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(16))
    change_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)

    __table_args__ = (UniqueConstraint("event_id", "party", name="uq_alerts_event_party"),
                      UniqueConstraint("finding_id", "party", name="uq_alerts_finding_party"))
    # what the alert is about, for the API: loaded with the alert (joinedload), never lazily
    event: Mapped[Event | None] = relationship(viewonly=True, lazy="raise")
    incident: Mapped[Incident | None] = relationship(viewonly=True, lazy="raise")
    finding: Mapped[Finding | None] = relationship(viewonly=True, lazy="raise")


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)  # public part of the key
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # a Role (ssa.serve.enums)
    party: Mapped[str | None] = mapped_column(String(200))
    objects: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # NORAD ids (operator)
    label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Subscription(Base):
    """A party's webhook: alerts routed to `party` are POSTed to `url`, signed with `secret`."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    secret: Mapped[str] = mapped_column(String(100), nullable=False)  # HMAC-SHA256 key, shown once at creation
    after_alert_id: Mapped[int] = mapped_column(Integer, nullable=False)  # alerts after this id are delivered
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Delivery(Base):
    """One alert for one subscription; `delivery_id` travels in every attempt's headers."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), nullable=False, index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)  # the exact bytes signed and sent (UTF-8 JSON)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # pending delivered dead
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("subscription_id", "alert_id", name="uq_deliveries_subscription_alert"),)
    # every attempt, for the API (selectinload); `attempts` counts them
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(order_by="DeliveryAttempt.id", viewonly=True,
                                                              lazy="raise")


class DeliveryAttempt(Base):
    """The log of one POST of a delivery: HTTP status, or the error that stopped it."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), nullable=False, index=True)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    duration_s: Mapped[float] = mapped_column(Float, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
