"""The alert handed to the router: an incident with the objects it concerns."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field, create_model, model_validator

from ssa.respond.schema import Many, Schema
from ssa.timeutil import parse_utc

NORAD_MAX = 999_999_999  # NORAD catalogue numbers are 1 to 9 digits (OMM NORAD_CAT_ID)


@dataclass(frozen=True)
class AlertObject:
    """One object of an alert, as the catalogue and the service know it."""

    norad_id: int | None = None
    name: str = ""
    owner: str = ""  # SATCAT owner code, "" unknown
    object_type: str = ""  # SATCAT type PAY, R/B, DEB, UNK; "" unknown
    tenant: str = ""  # tenant of this service that registered the object, "" none


def _time(value) -> datetime | None:
    """UTC datetime from ISO text, datetime or numpy datetime64 (naive = UTC); ValueError says why not."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        value = value.astype("datetime64[us]").item()
    if isinstance(value, str):
        try:
            value = parse_utc(value)
        except ValueError:
            raise ValueError(f"is not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"must be a time, not {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime | None, BeforeValidator(_time)]
NoradId = Annotated[int, Field(ge=1, le=NORAD_MAX)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def _event_time(value) -> datetime:
    """_time, and there must be one."""
    time = _time(value)
    if time is None:
        raise ValueError("is empty (the time of closest approach is required)")
    return time


def _nan_is_none(value):
    """A NaN Pc means not assessed."""
    return None if isinstance(value, float) and math.isnan(value) else value


class ConjunctionRowSchema(Schema):
    """The columns of a screening or assessment row that make a conjunction alert (`Alert.from_conjunction`)."""

    norad_id_1: NoradId
    name_1: str = ""
    norad_id_2: NoradId
    name_2: str = ""
    tca: Annotated[datetime, BeforeValidator(_event_time)]
    range_km: float = Field(ge=0.0)
    pc: Annotated[Probability | None, BeforeValidator(_nan_is_none)] = None

    @model_validator(mode="after")
    def _two_objects(self) -> ConjunctionRowSchema:
        if self.norad_id_1 == self.norad_id_2:
            raise ValueError(f"fields 'norad_id_1' and 'norad_id_2' are the same object {self.norad_id_1}")
        return self


class AlertObjectSchema(Schema):
    """One object of an alert as JSON carries it."""

    norad_id: NoradId | None = None
    name: str = ""
    owner: str = ""
    object_type: str = ""
    tenant: str = ""


class AlertSchema(Schema):
    """An alert as JSON carries it (``ssa route``, ``POST /v1/incidents``): the fields of Alert, each
    checked for type and range, no unknown key, no object twice."""

    incident: str = Field(min_length=1)
    objects: Many[AlertObjectSchema] = ()
    tca: UtcTime = None
    now: UtcTime = None
    pc: Probability | None = None
    miss_km: float | None = Field(None, ge=0.0)
    region: str = ""
    level: str = ""
    id: str = ""
    evidence: dict[str, float] = {}

    @model_validator(mode="after")
    def _objects_differ(self) -> AlertSchema:
        first = {}
        for i, obj in enumerate(self.objects):
            if obj.norad_id is not None:
                if obj.norad_id in first:
                    raise ValueError(f"field 'objects[{i}].norad_id' repeats objects[{first[obj.norad_id]}] "
                                     f"(NORAD {obj.norad_id})")
                first[obj.norad_id] = i
        return self


@dataclass(frozen=True)
class Alert:
    """An incident to route.

    Times are UTC. `tca` is the event time: time of closest approach, predicted
    re-entry, start of an overflight window. `miss_km` is the miss distance of a
    conjunction or the range to the asset of a proximity operation. `region` is
    a region of interest.toml (re-entry footprint), "" when not Dutch territory.
    `level` set by an analyst or detector overrides the escalation criteria.
    `now` is when the alert is judged (default: the time of routing).
    `evidence`: further measurements named by the incident type in
    escalation.toml (e.g. `kp` for space weather), each a finite number.
    """

    incident: str
    objects: tuple[AlertObject, ...] = ()
    tca: datetime | None = None
    now: datetime | None = None
    pc: float | None = None
    miss_km: float | None = None
    region: str = ""
    level: str = ""
    id: str = ""
    evidence: Mapping[str, float] = field(default_factory=dict, hash=False)

    @classmethod
    def from_dict(cls, data: Mapping) -> Alert:
        """Build from JSON-like data validated by AlertSchema; ValueError names every bad field."""
        schema = AlertSchema.validated(data, "alert", items=False)
        return cls(
            incident=schema.incident,
            objects=tuple(AlertObject(**obj.model_dump()) for obj in schema.objects),
            tca=schema.tca, now=schema.now, pc=schema.pc, miss_km=schema.miss_km, region=schema.region,
            level=schema.level, id=schema.id, evidence=dict(schema.evidence),
        )

    def check(self) -> None:
        """ValueError naming every field that AlertSchema refuses (for an alert built in Python)."""
        AlertSchema.validated(self, "alert", items=False, from_attributes=True)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["objects"] = [asdict(o) for o in self.objects]
        out["evidence"] = dict(self.evidence)
        for key in ("tca", "now"):
            out[key] = _iso(getattr(self, key))
        return out

    @classmethod
    def from_conjunction(cls, row, catalog_or_lookup, now: datetime | None = None) -> Alert:
        """Alert for one screening/assessment row (fields norad_id_1, norad_id_2,
        name_1, name_2, tca datetime64 UTC, range_km, and pc when assessed).
        `catalog_or_lookup`: a Catalog with owner/object_type, or a mapping
        NORAD id -> (owner, object_type) or (owner, object_type, tenant).
        ValueError names the bad field: every field is checked for type and range."""
        return cls._from_row(row, owner_lookup(catalog_or_lookup), now, "screening row")

    @classmethod
    def from_conjunctions(cls, rows, catalog_or_lookup, now: datetime | None = None) -> list[Alert]:
        """from_conjunction for every row, building the owner lookup once."""
        lookup = owner_lookup(catalog_or_lookup)
        if isinstance(rows, np.ndarray):  # columns to Python lists once: row access is slow
            cols = [k for k in ("norad_id_1", "name_1", "norad_id_2", "name_2", "tca", "range_km", "pc")
                    if k in rows.dtype.names]
            rows = [dict(zip(cols, values)) for values in zip(*(rows[k].tolist() for k in cols))]
        return [cls._from_row(row, lookup, now, f"screening row {i}") for i, row in enumerate(rows)]

    @classmethod
    def _from_row(cls, row, lookup: Mapping, now: datetime | None, where: str) -> Alert:
        if not isinstance(row, Mapping):  # a numpy record: the columns an alert reads
            row = {k: _item(row[k]) for k in ConjunctionRowSchema.model_fields if k in row.dtype.names}
        checked = _row_schema().validated({k: _item(v) for k, v in row.items()}, where, items=False)
        objects = []
        for norad, name in ((checked.norad_id_1, checked.name_1), (checked.norad_id_2, checked.name_2)):
            owner, object_type, *tenant = lookup.get(norad, ("", ""))
            objects.append(AlertObject(norad, name, owner, object_type, *tenant))
        return cls(
            incident="conjunction",
            objects=tuple(objects),
            tca=checked.tca,
            now=now,
            pc=checked.pc,
            miss_km=checked.range_km,
            id=f"conj-{checked.norad_id_1}-{checked.norad_id_2}-{_iso(checked.tca)}",
        )


@cache
def _row_schema() -> type[ConjunctionRowSchema]:
    """ConjunctionRowSchema admitting, unchecked, the other columns of a screening or assessment table
    (any other key is refused)."""
    from ssa.assess.pipeline import assessment_dtype
    from ssa.screen import CONJUNCTION_DTYPE

    others = {name: (Any, None) for name in assessment_dtype(CONJUNCTION_DTYPE).names
              if name not in ConjunctionRowSchema.model_fields}
    return create_model("ScreeningRow", __base__=ConjunctionRowSchema, **others)


def _item(value):
    """A numpy scalar as the Python value it holds."""
    return value.item() if isinstance(value, np.generic) and not isinstance(value, np.datetime64) else value


def owner_lookup(catalog_or_lookup) -> Mapping:
    """NORAD id -> (SATCAT owner, object type) from a Catalog, or the mapping itself."""
    if hasattr(catalog_or_lookup, "norad_id") and hasattr(catalog_or_lookup, "owner"):
        cat = catalog_or_lookup
        return {int(n): (str(o), str(t)) for n, o, t in zip(cat.norad_id, cat.owner, cat.object_type)}
    if isinstance(catalog_or_lookup, Mapping):
        return catalog_or_lookup
    raise TypeError("expected a Catalog or a mapping NORAD id -> (owner, object_type)")


def utc_time(value, name: str = "time", where: str = "alert") -> datetime | None:
    """UTC datetime from ISO text, datetime or numpy datetime64 (naive = UTC); ValueError names `name`."""
    try:
        return _time(value)
    except ValueError as exc:
        raise ValueError(f"{where}: field '{name}' {exc}") from None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")
