"""Catalogue ingest: catalogue versions, element sets and objects, and the
catalogue a job screens, read back from the stored element sets."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from ssa.catalog.model import Catalog, Rejection
from ssa.serve.enums import JobStatus
from ssa.serve.models import CatalogVersion, Elset, Job, SpaceObject
from ssa.serve.store.changes import utcnow
from ssa.timeutil import jd_to_datetime

PUBLIC = "public"  # origin of catalogue uploads and watched files; an operator key's sets: "operator:<tenant>"
OPERATOR_PREFIX = "operator:"
ELSET_FLOAT_FIELDS = ("epoch_jd", "epoch_fr", "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo", "bstar", "ndot",
                      "nddot")
ELSET_COLUMNS = ("norad_id", "name", "object_id", "element_set_no", "rev_at_epoch", "classification", "source",
                 "epoch_days", "rcs_m2", "origin") + ELSET_FLOAT_FIELDS


@dataclass
class IngestResult:
    catalog_version_id: int | None  # None when nothing new arrived
    job_id: int | None
    n_records: int
    n_new: int
    n_known: int
    rejections: list[Rejection]


def elset_identity(catalog: Catalog, i: int, origin: str = PUBLIC) -> str:
    """Hash of the NORAD id, epoch and mean elements (and the origin, when not public):
    the same element set from any upload of one origin (or the same upload twice) has
    the same identity; an operator's copy of a public set is kept as the operator's."""
    parts = [str(int(catalog.norad_id[i]))] + [repr(float(getattr(catalog, name)[i])) for name in ELSET_FLOAT_FIELDS] \
        + ([] if origin == PUBLIC else [origin])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def text_field(value, length: int) -> str:
    """A catalogue string as stored: NUL removed (PostgreSQL text cannot hold it), at most `length` characters."""
    return str(value or "").replace("\x00", "")[:length]


def elset_row(c: Catalog, i: int, identity: str, version_id: int, origin: str) -> dict:
    """Element set `i` of `c` as an ``elsets`` row."""
    return dict(
        identity=identity, catalog_version_id=version_id, norad_id=int(c.norad_id[i]), origin=origin,
        epoch=jd_to_datetime(float(c.epoch_jd[i]), float(c.epoch_fr[i])),
        name=text_field(c.name[i], 100), object_id=text_field(c.object_id[i], 20),
        epoch_days=None if c.epoch_days is None else float(c.epoch_days[i]),
        rcs_m2=None if c.rcs_m2 is None or not np.isfinite(c.rcs_m2[i]) else float(c.rcs_m2[i]),
        element_set_no=int(c.element_set_no[i]), rev_at_epoch=int(c.rev_at_epoch[i]),
        classification=text_field(c.classification[i], 1) or "U", source=text_field(c.source[i], 300),
        **{name: float(getattr(c, name)[i]) for name in ELSET_FLOAT_FIELDS},
    )


def update_objects(s: Session, c: Catalog, rows: list[int], insert_only: bool = False) -> None:
    """Insert the objects of `rows` not yet known; update the known ones whose newest epoch
    these rows pass (not with `insert_only`: an operator's sets never rename an object)."""
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


class CatalogStore:
    """Ingest of element sets and the catalogues read back from them (a part of Store)."""

    session: sessionmaker[Session]

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
            s.execute(insert(Elset), [elset_row(catalog, i, identities[i], version.id, origin) for i in new_rows])
            update_objects(s, catalog, new_rows, insert_only=origin != PUBLIC)
            job = Job(catalog_version_id=version.id, status=JobStatus.QUEUED, created_at=now, message="queued")
            s.add(job)
            s.flush()
            return IngestResult(version.id, job.id, len(catalog), len(new_rows), len(catalog) - len(new_rows),
                                list(catalog.rejected))

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
        query = (select(*(getattr(Elset, name) for name in ELSET_COLUMNS), SpaceObject.owner, SpaceObject.object_type)
                 .join(ranked, (Elset.id == ranked.c.id) & (ranked.c.rank == 1))
                 .outerjoin(SpaceObject, SpaceObject.norad_id == Elset.norad_id)
                 .order_by(Elset.norad_id))
        return self._catalog_of(query)

    def history_for_version(self, version_id: int, norad_ids, since: datetime) -> Catalog:
        """Every public element set of `norad_ids` known at this catalogue version whose epoch
        (UTC) is `since` or later, by object then epoch (the detectors' element-set history)."""
        ids = sorted(int(n) for n in norad_ids)
        history = None
        for chunk in [ids[k:k + 500] for k in range(0, len(ids), 500)] or [[]]:
            query = (select(*(getattr(Elset, name) for name in ELSET_COLUMNS), SpaceObject.owner,
                            SpaceObject.object_type)
                     .outerjoin(SpaceObject, SpaceObject.norad_id == Elset.norad_id)
                     .where(Elset.catalog_version_id <= version_id, Elset.origin == PUBLIC, Elset.epoch >= since,
                            Elset.norad_id.in_(chunk))
                     .order_by(Elset.norad_id, Elset.epoch, Elset.id))
            part = self._catalog_of(query)[0]
            history = part if history is None else history.concat(part)
        return history

    def new_public_objects(self, version_id: int) -> set[int]:
        """NORAD ids that this catalogue version brought a new public element set of."""
        with self.session() as s:
            return set(s.scalars(select(Elset.norad_id).distinct().where(Elset.catalog_version_id == version_id,
                                                                          Elset.origin == PUBLIC)))

    def previous_public_version(self, version_id: int) -> int | None:
        """The newest catalogue version before this one that brought public element sets (None: none)."""
        with self.session() as s:
            return s.scalar(select(func.max(Elset.catalog_version_id)).where(Elset.catalog_version_id < version_id,
                                                                             Elset.origin == PUBLIC))

    def _catalog_of(self, query) -> tuple[Catalog, list[str]]:
        """The rows of a query of ELSET_COLUMNS, owner and object type as a Catalog, and their origins."""
        wanted = ELSET_COLUMNS
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
