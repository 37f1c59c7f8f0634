"""The store: catalogue versions and element sets, jobs, conjunction events with
their history, alerts, parties and API keys, on SQLite or PostgreSQL.

Every change a poller can see (an event or alert created, updated, closed or
acknowledged) takes the next value of one counter, ``change_seq``, inside the
transaction that makes it. The counter row is locked until commit (PostgreSQL)
or the whole database is (SQLite), so change sequences become visible in order:
a poller that has seen ``since=N`` never later finds a change numbered below N.
A commit of screening results takes that lock before it reads the open events
(``lock_changes``), so two workers' commits never work from the same view, and
a job never commits once a job of a newer catalogue version has completed.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from ssa.catalog.model import Catalog, Rejection
from ssa.constants import MU_KM3_S2
from ssa.serve import db
from ssa.serve.models import (
    Alert, ApiKey, CatalogVersion, Counter, Elset, Event, EventUpdate, Job, Party, SpaceObject,
)
from ssa.timeutil import jd_to_datetime

ROLES = ("operator", "agency", "analyst", "admin")
ALERT_ROLES = ("lead", "supporting", "informed")
STOPPED_LISTED = 100  # objects a job record lists as not screened (the message gives the count)
PUBLIC = "public"  # origin of catalogue uploads and watched files; an operator key's sets: "operator:<tenant>"
OPERATOR_PREFIX = "operator:"
ELSET_FLOAT_FIELDS = ("epoch_jd", "epoch_fr", "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo", "bstar", "ndot",
                      "nddot")


def utcnow() -> datetime:
    """Naive UTC, microsecond resolution (the store's time type)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class IngestResult:
    catalog_version_id: int | None  # None when nothing new arrived
    job_id: int | None
    n_records: int
    n_new: int
    n_known: int
    rejections: list[Rejection]


@dataclass
class Routed:
    """Who an event is routed to: the store's view of ssa.respond's Routing."""

    level: str | None
    lead: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # rule id, basis, explanation, actions, information to share

    def parties(self) -> dict[str, str]:
        roles: dict[str, str] = {}
        for role in reversed(ALERT_ROLES):  # lead wins over supporting over informed
            for party in getattr(self, role):
                roles[party] = role
        return roles


@dataclass
class ScreeningSummary:
    created: int
    updated: int
    unchanged: int
    closed_tca_passed: int
    closed_out_of_threshold: int


def elset_identity(catalog: Catalog, i: int, origin: str = PUBLIC) -> str:
    """Hash of the NORAD id, epoch and mean elements (and the origin, when not public):
    the same element set from any upload of one origin (or the same upload twice) has
    the same identity; an operator's copy of a public set is kept as the operator's."""
    parts = [str(int(catalog.norad_id[i]))] + [
        repr(float(getattr(catalog, name)[i]))
        for name in ("epoch_jd", "epoch_fr", "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo", "bstar", "ndot", "nddot")
    ] + ([] if origin == PUBLIC else [origin])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def text_field(value, length: int) -> str:
    """A catalogue string as stored: NUL removed (PostgreSQL text cannot hold it), at most `length` characters."""
    return str(value or "").replace("\x00", "")[:length]


def orbital_period_s(r_km: np.ndarray, v_km_s: np.ndarray) -> float:
    """Osculating period from a TEME state (vis-viva); inf for unbound states."""
    inv_a = 2.0 / np.linalg.norm(r_km) - float(np.dot(v_km_s, v_km_s)) / MU_KM3_S2
    return float(2 * np.pi * np.sqrt(inv_a ** -3 / MU_KM3_S2)) if inv_a > 0 else float("inf")


def lock_changes(session: Session) -> None:
    """Take the change counter's lock (a no-op write of its row) before reading what a
    commit will change: PostgreSQL locks the row, SQLite the database, until commit,
    so two commits never work from the same view of the open events."""
    session.execute(update(Counter).where(Counter.name == "change_seq").values(value=Counter.value))


def next_change_seqs(session: Session, n: int) -> list[int]:
    """Reserve n consecutive change sequence numbers (locks the counter until commit)."""
    if n == 0:
        return []
    top = session.execute(
        update(Counter).where(Counter.name == "change_seq").values(value=Counter.value + n).returning(Counter.value)
    ).scalar_one()
    return list(range(top - n + 1, top + 1))


class Store:
    def __init__(self, url: str, migrate: bool = True, engine: Engine | None = None):
        self.engine = engine or db.make_engine(url)
        if migrate:
            db.migrate(self.engine)
        self.session = db.session_factory(self.engine)

    # ---- catalogue ------------------------------------------------------------
    def ingest(self, catalog: Catalog, content_sha256: str, source: str, origin: str = PUBLIC) -> IngestResult:
        """Store the element sets not seen before; when there are any, make a new
        catalogue version and queue its screening job, in one transaction.
        ``origin``: PUBLIC, or "operator:<tenant>" for an operator's own sets, kept
        beside the public ones (they never change the object's name or type)."""
        with self.session.begin() as s:
            known_version = s.scalar(select(CatalogVersion.id).where(CatalogVersion.sha256 == content_sha256))
            identities = [elset_identity(catalog, i, origin) for i in range(len(catalog))]
            known: set[str] = set()
            for chunk in range(0, len(identities), 500):
                known.update(s.scalars(select(Elset.identity).where(Elset.identity.in_(identities[chunk:chunk + 500]))))
            new_rows = [i for i, ident in enumerate(identities) if ident not in known]
            # one element set per identity even when the upload repeats it
            new_rows = list({identities[i]: i for i in new_rows}.values())
            if known_version is not None or not new_rows:
                return IngestResult(None, None, len(catalog), 0, len(catalog), list(catalog.rejected))
            now = utcnow()
            version = CatalogVersion(sha256=content_sha256, source=source[:300], created_at=now,
                                     n_records=len(catalog), n_new=len(new_rows), n_rejected=len(catalog.rejected))
            s.add(version)
            s.flush()
            s.execute(insert(Elset), [dict(self._elset_row(catalog, i, identities[i], version.id), origin=origin)
                                      for i in new_rows])
            self._update_objects(s, catalog, new_rows, insert_only=origin != PUBLIC)
            job = Job(catalog_version_id=version.id, status="queued", created_at=now, message="queued")
            s.add(job)
            s.flush()
            return IngestResult(version.id, job.id, len(catalog), len(new_rows), len(catalog) - len(new_rows),
                                list(catalog.rejected))

    @staticmethod
    def _elset_row(c: Catalog, i: int, identity: str, version_id: int) -> dict:
        return dict(
            identity=identity, catalog_version_id=version_id, norad_id=int(c.norad_id[i]),
            epoch=jd_to_datetime(float(c.epoch_jd[i]), float(c.epoch_fr[i])),
            name=text_field(c.name[i], 100), object_id=text_field(c.object_id[i], 20),
            epoch_jd=float(c.epoch_jd[i]), epoch_fr=float(c.epoch_fr[i]),
            epoch_days=None if c.epoch_days is None else float(c.epoch_days[i]),
            rcs_m2=None if c.rcs_m2 is None or not np.isfinite(c.rcs_m2[i]) else float(c.rcs_m2[i]),
            no_kozai=float(c.no_kozai[i]), ecco=float(c.ecco[i]), inclo=float(c.inclo[i]),
            nodeo=float(c.nodeo[i]), argpo=float(c.argpo[i]), mo=float(c.mo[i]), bstar=float(c.bstar[i]),
            ndot=float(c.ndot[i]), nddot=float(c.nddot[i]), element_set_no=int(c.element_set_no[i]),
            rev_at_epoch=int(c.rev_at_epoch[i]), classification=text_field(c.classification[i], 1) or "U",
            source=text_field(c.source[i], 300),
        )

    @staticmethod
    def _update_objects(s: Session, c: Catalog, rows: list[int], insert_only: bool = False) -> None:
        ids = sorted({int(c.norad_id[i]) for i in rows})
        existing: dict[int, SpaceObject] = {}
        for chunk in range(0, len(ids), 500):
            for obj in s.scalars(select(SpaceObject).where(SpaceObject.norad_id.in_(ids[chunk:chunk + 500]))):
                existing[obj.norad_id] = obj
        fresh: dict[int, dict] = {}
        for i in rows:
            norad = int(c.norad_id[i])
            epoch = jd_to_datetime(float(c.epoch_jd[i]), float(c.epoch_fr[i]))
            values = dict(object_name=text_field(c.name[i], 100), object_id=text_field(c.object_id[i], 20),
                          owner=text_field(c.owner[i], 20), object_type=text_field(c.object_type[i], 20),
                          latest_epoch=epoch)
            obj = existing.get(norad)
            if obj is None:
                if norad not in fresh or fresh[norad]["latest_epoch"] < epoch:
                    fresh[norad] = dict(norad_id=norad, **values)
            elif not insert_only and (obj.latest_epoch is None or obj.latest_epoch < epoch):
                for key, value in values.items():
                    if value or key == "latest_epoch":
                        setattr(obj, key, value)
        if fresh:
            s.execute(insert(SpaceObject), list(fresh.values()))

    def job_catalog_version(self, job_id: int) -> int:
        with self.session() as s:
            return s.scalar(select(Job.catalog_version_id).where(Job.id == job_id))

    def catalog_for_version(self, version_id: int, norad_ids=None, origin: str = PUBLIC) -> Catalog:
        """The newest element set of `origin` of every object (or of `norad_ids`) known at
        this catalogue version; only those rows are read from the store."""
        return self.elsets_for_version(version_id, norad_ids, origin)[0]

    def operator_sets_for_version(self, version_id: int) -> tuple[Catalog, list[str]]:
        """The newest operator element set of every object that has one, at this
        catalogue version, and each set's origin ("operator:<tenant>")."""
        return self.elsets_for_version(version_id, None, OPERATOR_PREFIX)

    def elsets_for_version(self, version_id: int, norad_ids, origin: str) -> tuple[Catalog, list[str]]:
        """Newest set per object of one origin (OPERATOR_PREFIX: any operator's), and the origins."""
        where = (Elset.origin.startswith(OPERATOR_PREFIX) if origin == OPERATOR_PREFIX else Elset.origin == origin)
        newest = func.row_number().over(partition_by=Elset.norad_id, order_by=(Elset.epoch.desc(), Elset.id.desc()))
        ranked = select(Elset.id, newest.label("rank")).where(Elset.catalog_version_id <= version_id, where)
        if norad_ids is not None:
            ranked = ranked.where(Elset.norad_id.in_([int(n) for n in norad_ids]))
        ranked = ranked.subquery()
        wanted = ("norad_id", "name", "object_id", "element_set_no", "rev_at_epoch", "classification", "source",
                  "epoch_days", "rcs_m2", "origin") + ELSET_FLOAT_FIELDS
        query = (select(*(getattr(Elset, name) for name in wanted), SpaceObject.owner, SpaceObject.object_type)
                 .join(ranked, (Elset.id == ranked.c.id) & (ranked.c.rank == 1))
                 .outerjoin(SpaceObject, SpaceObject.norad_id == Elset.norad_id)
                 .order_by(Elset.norad_id))
        with self.session() as s:
            found = s.execute(query).all()
        column = dict(zip(wanted + ("owner", "object_type"), zip(*found))) if found else {
            name: () for name in wanted + ("owner", "object_type")}
        arrays = {name: np.array(column[name], dtype=np.float64) for name in ELSET_FLOAT_FIELDS}
        if all(value is not None for value in column["epoch_days"]):
            arrays["epoch_days"] = np.array(column["epoch_days"], dtype=np.float64)
        arrays["rcs_m2"] = np.array([np.nan if v is None else v for v in column["rcs_m2"]], dtype=np.float64)
        catalog = Catalog(
            norad_id=np.array(column["norad_id"], dtype=np.int64),
            name=np.array(column["name"], dtype=object),
            object_id=np.array(column["object_id"], dtype=object),
            element_set_no=np.array(column["element_set_no"], dtype=np.int64),
            rev_at_epoch=np.array(column["rev_at_epoch"], dtype=np.int64),
            classification=np.array(column["classification"], dtype=object),
            owner=np.array([v or "" for v in column["owner"]], dtype=object),
            object_type=np.array([v or "" for v in column["object_type"]], dtype=object),
            source=np.array(column["source"], dtype=object),
            **arrays,
        )
        return catalog, list(column["origin"])

    def element_set_sources(self, norad_ids) -> dict[int, list[dict]]:
        """NORAD id -> the newest element set of each origin (public, each operator): origin,
        epoch (UTC), catalogue version, element set number, name, as given."""
        newest = func.row_number().over(partition_by=(Elset.norad_id, Elset.origin),
                                        order_by=(Elset.epoch.desc(), Elset.id.desc()))
        ranked = (select(Elset.id, newest.label("rank"))
                  .where(Elset.norad_id.in_([int(n) for n in norad_ids])).subquery())
        query = (select(Elset.norad_id, Elset.origin, Elset.epoch, Elset.catalog_version_id, Elset.element_set_no,
                        Elset.name)
                 .join(ranked, (Elset.id == ranked.c.id) & (ranked.c.rank == 1))
                 .order_by(Elset.norad_id, Elset.origin != PUBLIC, Elset.origin))
        out: dict[int, list[dict]] = {}
        with self.session() as s:
            for row in s.execute(query):
                out.setdefault(row.norad_id, []).append(dict(
                    source=row.origin, epoch=row.epoch, catalog_version_id=row.catalog_version_id,
                    element_set_no=row.element_set_no, name=row.name))
        return out

    # ---- jobs -----------------------------------------------------------------
    def claim_job(self, worker_id: str, lease_s: float, max_attempts: int = 3) -> Job | None:
        """Take the oldest queued job, or a running one whose lease ran out. A job whose
        lease ran out after `max_attempts` claims is failed instead, with the reason."""
        while True:
            with self.session.begin() as s:
                now = utcnow()
                claimable = (Job.status == "queued") | ((Job.status == "running") & (Job.lease_expires_at < now))
                job = s.execute(select(Job.id, Job.attempts, Job.worker_id).where(claimable)
                                .order_by(Job.id).limit(1)).first()
                if job is None:
                    return None
                if job.attempts >= max_attempts:
                    s.execute(update(Job).where(Job.id == job.id, claimable).values(
                        status="failed", finished_at=now, message="failed",
                        error=f"gave up after {job.attempts} attempts: the lease of worker {job.worker_id} "
                              f"ran out without a result (worker killed or stuck)"))
                    continue
                taken = s.execute(
                    update(Job).where(Job.id == job.id, claimable).values(
                        status="running", worker_id=worker_id, lease_expires_at=now + timedelta(seconds=lease_s),
                        attempts=Job.attempts + 1, started_at=now, progress=0.0, message="claimed")
                ).rowcount
                if taken == 1:
                    return s.get(Job, job.id)

    def heartbeat(self, job_id: int, worker_id: str, lease_s: float, progress: float, message: str) -> bool:
        """Extend the lease and record progress; False when the job is no longer ours."""
        with self.session.begin() as s:
            return s.execute(
                update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.status == "running").values(
                    lease_expires_at=utcnow() + timedelta(seconds=lease_s), progress=progress, message=message[:500])
            ).rowcount == 1

    def supersede(self, job_id: int, worker_id: str) -> int | None:
        """When a job of a newer catalogue version (which holds every element set of
        this one's) is queued, running or done, end this one as 'superseded' and
        return the newer job's id."""
        with self.session.begin() as s:
            return _supersede_if_newer(s, job_id, worker_id, ("queued", "running", "done"))

    def fail_job(self, job_id: int, worker_id: str, error: str) -> None:
        with self.session.begin() as s:
            s.execute(update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.status == "running").values(
                status="failed", error=error[:10000], finished_at=utcnow(), message="failed"))

    def complete_job(self, job_id: int, worker_id: str, rows: np.ndarray, routings: list[Routed] | None,
                     window_start: datetime, window_end: datetime, threshold_km: float,
                     screened_norad_ids, match_fraction: float = 0.25,
                     stopped: list[dict] | None = None, sources: dict[int, str] | None = None,
                     source_checks: list[dict] | None = None) -> ScreeningSummary | None:
        """Commit a job's screening results and mark it done, atomically. Returns
        None (and commits no result) when the job was re-claimed by another worker,
        or when a job of a newer catalogue version completed first (this one is then
        'superseded'). ``stopped``: objects not screened, with the reason;
        ``sources``: NORAD id -> origin of the set screened (default PUBLIC);
        ``source_checks``: the operator sets compared with the public ones
        (pipeline.choose_sources); the flagged ones are named in the events."""
        with self.session.begin() as s:
            lock_changes(s)  # before reading anything: commits of two workers serialise here
            if _supersede_if_newer(s, job_id, worker_id, ("done",)) is not None:
                return None
            stopped = stopped or []
            message = "done" if not stopped else f"done; {len(stopped)} objects not screened" + (
                f" (the first {STOPPED_LISTED} listed)" if len(stopped) > STOPPED_LISTED else "")
            flagged = [c for c in source_checks or () if c["flagged"]]
            if flagged:
                message += (f"; {len(flagged)} operator element sets disagree with the public ones beyond the "
                            f"covariance (flagged, not screened)")
            done = s.execute(
                update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.status == "running").values(
                    status="done", progress=1.0, message=message, finished_at=utcnow(),
                    window_start=window_start, window_end=window_end, threshold_km=threshold_km,
                    n_objects=len(screened_norad_ids), n_conjunctions=len(rows), stopped=stopped[:STOPPED_LISTED],
                    source_checks=source_checks or None)
            ).rowcount
            if done != 1:
                s.rollback()
                return None
            return apply_screening(s, job_id, rows, routings, window_start, window_end, screened_norad_ids,
                                   match_fraction, sources, _flags_by_object(flagged))

    def record_screening(self, job_id: int, rows: np.ndarray, routings: list[Routed] | None,
                         window_start: datetime, window_end: datetime, screened_norad_ids,
                         match_fraction: float = 0.25) -> ScreeningSummary:
        """Upsert screening results for an existing job in one transaction (no job bookkeeping)."""
        with self.session.begin() as s:
            lock_changes(s)
            return apply_screening(s, job_id, rows, routings, window_start, window_end, screened_norad_ids,
                                   match_fraction)

    def close_passed(self, now: datetime | None = None) -> int:
        """Close open events whose TCA has passed (between screenings); returns how many."""
        now = now or utcnow()
        with self.session.begin() as s:
            lock_changes(s)
            passed = s.execute(select(Event).where(Event.status == "open", Event.tca < now)).scalars().all()
            if not passed:
                return 0
            seqs = iter(next_change_seqs(s, len(passed)))
            s.execute(update(Event), [dict(id=ev.id, status="closed", close_reason="TCA_PASSED", updated_at=now,
                                           change_seq=next(seqs)) for ev in passed])
            s.execute(insert(EventUpdate), [_history(ev.id, ev.last_job_id, "closed", now, dict(
                tca=ev.tca, range_km=ev.range_km, relative_speed_km_s=ev.relative_speed_km_s, pc=ev.pc,
                level=ev.level, status="closed", close_reason="TCA_PASSED")) for ev in passed])
            _apply_alerts(s, [(ev.id, None, "closed") for ev in passed], now)
            return len(passed)

    # ---- keys -----------------------------------------------------------------
    def create_key(self, role: str, party: str | None = None, objects=(), label: str = "") -> str:
        """Make an API key and return it; only its SHA-256 is stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if role == "agency" and not party:
            raise ValueError("an agency key needs --party")
        if role == "operator" and not objects:
            raise ValueError("an operator key needs --objects (NORAD ids)")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        with self.session.begin() as s:
            s.add(ApiKey(key_id=key_id, secret_sha256=hashlib.sha256(secret.encode()).hexdigest(), role=role,
                         party=party, objects=sorted(int(n) for n in objects), label=label, created_at=utcnow()))
            if party and s.get(Party, party) is None:
                s.add(Party(code=party, name=party, description=""))
        return f"ssa_{key_id}_{secret}"

    def list_keys(self) -> list[ApiKey]:
        with self.session() as s:
            return list(s.scalars(select(ApiKey).order_by(ApiKey.id)))

    def object_tenants(self) -> dict[int, str]:
        """NORAD id -> tenant (party, else label, else key id) of the live operator key that holds
        the object; the oldest key wins where several do. ssa.respond maps tenants to interest."""
        out: dict[int, str] = {}
        for key in self.list_keys():
            if key.role == "operator" and key.revoked_at is None:
                for norad in key.objects:
                    out.setdefault(int(norad), key.party or key.label or key.key_id)
        return out

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key by its id (the part after 'ssa_'); False when no live key has it.
        A running server may accept it for up to 10 s more (its key cache)."""
        with self.session.begin() as s:
            return s.execute(update(ApiKey).where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
                             .values(revoked_at=utcnow())).rowcount == 1

    def lookup_key(self, key: str) -> ApiKey | None:
        """The live key matching this secret, else None (constant-time compare)."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "ssa":
            return None
        with self.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_id == parts[1], ApiKey.revoked_at.is_(None)))
        if row is None:
            return None
        digest = hashlib.sha256(parts[2].encode()).hexdigest()
        return row if secrets.compare_digest(digest, row.secret_sha256) else None

    def upsert_parties(self, parties: list[dict]) -> None:
        with self.session.begin() as s:
            for p in parties:
                row = s.get(Party, p["code"])
                if row is None:
                    s.add(Party(code=p["code"], name=p.get("name", p["code"]), description=p.get("description", "")))
                else:
                    row.name, row.description = p.get("name", row.name), p.get("description", row.description)

    def high_water(self, s: Session) -> int:
        return s.scalar(select(Counter.value).where(Counter.name == "change_seq"))


def _supersede_if_newer(s: Session, job_id: int, worker_id: str, statuses: tuple[str, ...]) -> int | None:
    """End our running job as 'superseded' when a job of a newer catalogue version
    has one of `statuses`; returns that job's id, else None."""
    version = select(Job.catalog_version_id).where(Job.id == job_id).scalar_subquery()
    newer = s.scalar(select(func.max(Job.id)).where(Job.catalog_version_id > version, Job.status.in_(statuses)))
    if newer is None:
        return None
    s.execute(update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.status == "running").values(
        status="superseded", finished_at=utcnow(), message=f"superseded by job {newer}"))
    return newer


# ---- the event upsert -------------------------------------------------------------
_EVENT_VALUE_FIELDS = ("tca", "tca_jd", "tca_fr", "range_km", "relative_speed_km_s", "radial_km", "in_track_km",
                       "cross_track_km", "dse_1", "dse_2", "persistent", "state", "name_1", "name_2")
_ASSESS_FIELDS = ("pc", "pc_method", "max_prob", "dilution_km", "covariance_source", "hbr_m")


def _flags_by_object(flagged: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for check in flagged:
        out.setdefault(int(check["norad_id"]), []).append(check)
    return out


def _row_values(row, sources: dict[int, str] | None = None, source_flags: dict[int, list[dict]] | None = None) -> dict:
    names = row.dtype.names
    sources, source_flags = sources or {}, source_flags or {}
    ids = (int(row["norad_id_1"]), int(row["norad_id_2"]))
    values = dict(
        tca=jd_to_datetime(float(row["tca_jd"]), float(row["tca_fr"])),
        tca_jd=float(row["tca_jd"]), tca_fr=float(row["tca_fr"]), range_km=float(row["range_km"]),
        relative_speed_km_s=float(row["relative_speed_km_s"]), radial_km=float(row["radial_km"]),
        in_track_km=float(row["in_track_km"]), cross_track_km=float(row["cross_track_km"]),
        dse_1=float(row["dse_1"]), dse_2=float(row["dse_2"]), persistent=bool(row["persistent"]),
        state={k: [float(x) for x in row[k]] for k in ("r1", "v1", "r2", "v2")},
        name_1=str(row["name_1"])[:100], name_2=str(row["name_2"])[:100],
        source_1=sources.get(ids[0], PUBLIC), source_2=sources.get(ids[1], PUBLIC),
        source_flags=[flag for n in ids for flag in source_flags.get(n, ())] or None,
    )
    for name in _ASSESS_FIELDS:
        if name in names:
            value = row[name].item()
            values[name] = None if isinstance(value, float) and not np.isfinite(value) else value
        else:
            values[name] = None
    return values


def apply_screening(s: Session, job_id: int, rows: np.ndarray, routings: list[Routed] | None,
                    window_start: datetime, window_end: datetime, screened_norad_ids,
                    match_fraction: float = 0.25, sources: dict[int, str] | None = None,
                    source_flags: dict[int, list[dict]] | None = None) -> ScreeningSummary:
    """Match each result with the open events of its pair and write the changes.

    A result continues an open event of the same pair whose TCA lies within
    ``match_fraction`` of the shorter osculating period (persistent pairs match on
    the pair alone); unmatched results open new events. Open events whose TCA is
    before ``window_start`` close as TCA_PASSED; open events of two screened
    objects, with TCA inside the window and no matching result, close as
    OUT_OF_THRESHOLD. Each change writes a history row and takes a change_seq.
    ``sources``/``source_flags`` (NORAD id -> origin / flagged operator sets)
    go into each event's source_1, source_2 and source_flags.
    """
    now = utcnow()
    screened = {int(n) for n in screened_norad_ids}
    open_events = s.execute(select(Event).where(Event.status == "open")).scalars().all()
    by_pair: dict[tuple[int, int], list[Event]] = {}
    for ev in open_events:
        by_pair.setdefault((ev.norad_id_1, ev.norad_id_2), []).append(ev)

    matched: dict[int, int] = {}  # event id -> row index
    new_rows: list[int] = []
    for k in range(len(rows)):
        row = rows[k]
        pair = (int(row["norad_id_1"]), int(row["norad_id_2"]))
        candidates = [ev for ev in by_pair.get(pair, ()) if ev.id not in matched]
        tca = jd_to_datetime(float(row["tca_jd"]), float(row["tca_fr"]))
        if bool(row["persistent"]):
            candidates = [ev for ev in candidates if ev.persistent]
            best = candidates[0] if candidates else None
        else:
            tol = match_fraction * min(orbital_period_s(row["r1"], row["v1"]), orbital_period_s(row["r2"], row["v2"]))
            candidates = [ev for ev in candidates if not ev.persistent and abs((ev.tca - tca).total_seconds()) <= tol]
            best = min(candidates, key=lambda ev: abs((ev.tca - tca).total_seconds()), default=None)
        if best is None:
            new_rows.append(k)
        else:
            matched[best.id] = k

    updates: list[tuple[Event, dict]] = []
    unchanged = 0
    closes: list[tuple[Event, str]] = []
    for ev in open_events:
        if ev.id in matched:
            k = matched[ev.id]
            values = _row_values(rows[k], sources, source_flags)
            routed = routings[k] if routings is not None else None
            values["level"] = routed.level if routed else None
            values["routing"] = _routing_json(routed)
            if _significant_change(ev, values):
                updates.append((ev, values))
            else:
                unchanged += 1
        elif ev.tca < window_start:
            closes.append((ev, "TCA_PASSED"))
        elif (ev.tca <= window_end and ev.norad_id_1 in screened and ev.norad_id_2 in screened):
            closes.append((ev, "OUT_OF_THRESHOLD"))

    seqs = iter(next_change_seqs(s, len(new_rows) + len(updates) + len(closes)))
    history: list[dict] = []
    routed_events: list[tuple[int, Routed | None, str]] = []  # event id, routing, status

    # new events (bulk insert, ids returned in order)
    if new_rows:
        dicts = []
        for k in new_rows:
            values = _row_values(rows[k], sources, source_flags)
            routed = routings[k] if routings is not None else None
            dicts.append(dict(norad_id_1=int(rows[k]["norad_id_1"]), norad_id_2=int(rows[k]["norad_id_2"]),
                              status="open", close_reason=None, level=routed.level if routed else None,
                              routing=_routing_json(routed), created_at=now, updated_at=now,
                              first_job_id=job_id, last_job_id=job_id, change_seq=next(seqs), **values))
        ids = s.execute(insert(Event).returning(Event.id, sort_by_parameter_order=True), dicts).scalars().all()
        for ev_id, d, k in zip(ids, dicts, new_rows):
            history.append(_history(ev_id, job_id, "created", now, d))
            routed_events.append((ev_id, routings[k] if routings is not None else None, "open"))
    if updates:
        params = []
        for ev, values in updates:
            d = dict(values, id=ev.id, updated_at=now, last_job_id=job_id, change_seq=next(seqs))
            params.append(d)
            history.append(_history(ev.id, job_id, "updated", now, dict(d, status="open", close_reason=None)))
            routed_events.append((ev.id, routings[matched[ev.id]] if routings is not None else None, "open"))
        s.execute(update(Event), params)
    if closes:
        params = []
        for ev, reason in closes:
            params.append(dict(id=ev.id, status="closed", close_reason=reason, updated_at=now, last_job_id=job_id,
                               change_seq=next(seqs)))
            history.append(_history(ev.id, job_id, "closed", now, dict(
                tca=ev.tca, range_km=ev.range_km, relative_speed_km_s=ev.relative_speed_km_s, pc=ev.pc,
                level=ev.level, status="closed", close_reason=reason)))
            routed_events.append((ev.id, None, "closed"))
        s.execute(update(Event), params)
    if history:
        s.execute(insert(EventUpdate), history)
    _apply_alerts(s, routed_events, now)
    return ScreeningSummary(len(new_rows), len(updates), unchanged,
                            sum(r == "TCA_PASSED" for _, r in closes), sum(r == "OUT_OF_THRESHOLD" for _, r in closes))


# below these, a re-screened encounter counts as unchanged (numerical noise of refinement)
TCA_TOLERANCE_S = 1e-3
RANGE_TOLERANCE_KM = 1e-3
SPEED_TOLERANCE_KM_S = 1e-3
PC_RELATIVE_TOLERANCE = 0.01


def _significant_change(ev: Event, values: dict) -> bool:
    """Whether new screening values differ from the event's beyond numerical noise."""
    if ((ev.level, ev.routing, ev.persistent, ev.source_1, ev.source_2, ev.source_flags)
            != tuple(values[k] for k in ("level", "routing", "persistent", "source_1", "source_2", "source_flags"))):
        return True
    if abs((ev.tca - values["tca"]).total_seconds()) > TCA_TOLERANCE_S:
        return True
    if abs(ev.range_km - values["range_km"]) > RANGE_TOLERANCE_KM:
        return True
    if abs(ev.relative_speed_km_s - values["relative_speed_km_s"]) > SPEED_TOLERANCE_KM_S:
        return True
    old, new = ev.pc, values["pc"]
    if (old is None) != (new is None):
        return True
    return old is not None and abs(new - old) > PC_RELATIVE_TOLERANCE * max(abs(old), abs(new))


def _routing_json(routed: Routed | None) -> dict | None:
    if routed is None:
        return None
    return dict(routed.detail, level=routed.level, alerted=routed.parties())


def _history(event_id: int, job_id: int, kind: str, now: datetime, d: dict) -> dict:
    return dict(event_id=event_id, job_id=job_id, kind=kind, recorded_at=now, status=d.get("status", "open"),
                close_reason=d.get("close_reason"), tca=d["tca"], range_km=d["range_km"],
                relative_speed_km_s=d["relative_speed_km_s"], pc=d.get("pc"), level=d.get("level"))


def _apply_alerts(s: Session, routed_events: list[tuple[int, Routed | None, str]], now: datetime) -> None:
    """Create/update one alert per (event, party); closing an event touches its alerts."""
    if not routed_events:
        return
    event_ids = [ev_id for ev_id, _, _ in routed_events]
    existing: dict[tuple[int, str], Alert] = {}
    for chunk in range(0, len(event_ids), 500):
        for alert in s.scalars(select(Alert).where(Alert.event_id.in_(event_ids[chunk:chunk + 500]))):
            existing[(alert.event_id, alert.party)] = alert
    by_event: dict[int, list[Alert]] = {}
    for alert in existing.values():
        by_event.setdefault(alert.event_id, []).append(alert)
    inserts: list[dict] = []
    touched: list[dict] = []
    for ev_id, routed, status in routed_events:
        if status == "closed" or routed is None:
            touched.extend(dict(id=a.id, updated_at=now) for a in by_event.get(ev_id, ()))
            continue
        for party, role in routed.parties().items():
            alert = existing.get((ev_id, party))
            if alert is None:
                inserts.append(dict(event_id=ev_id, party=party, role=role, level=routed.level, created_at=now,
                                    updated_at=now))
            else:
                touched.append(dict(id=alert.id, role=role, level=routed.level, updated_at=now))
    seqs = iter(next_change_seqs(s, len(inserts) + len(touched)))
    if inserts:
        s.execute(insert(Alert), [dict(d, change_seq=next(seqs)) for d in inserts])
    if touched:
        s.execute(update(Alert), [dict(d, change_seq=next(seqs)) for d in touched])
