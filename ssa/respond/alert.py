"""The alert handed to the router: an incident with the objects it concerns."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import Annotated

import numpy as np
from pydantic import BeforeValidator, Field, ValidationError, model_validator

from ssa.respond.schema import Many, Schema, problems

NORAD_MAX = 999_999_999  # NORAD catalogue numbers are 1 to 9 digits (OMM NORAD_CAT_ID)
ROW_REQUIRED = ("norad_id_1", "norad_id_2", "tca", "range_km")


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
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"is not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"must be a time, not {value!r}")
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


UtcTime = Annotated[datetime | None, BeforeValidator(_time)]


class AlertObjectSchema(Schema):
    """One object of an alert as JSON carries it."""

    norad_id: Annotated[int, Field(ge=1, le=NORAD_MAX)] | None = None
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
    pc: float | None = Field(None, ge=0.0, le=1.0)
    miss_km: float | None = Field(None, ge=0.0)
    region: str = ""
    level: str = ""
    id: str = ""
    evidence: dict[str, float] = {}

    @model_validator(mode="after")
    def _objects_differ(self) -> "AlertSchema":
        first = {}
        for i, obj in enumerate(self.objects):
            if obj.norad_id is not None:
                if obj.norad_id in first:
                    raise ValueError(f"field 'objects[{i}].norad_id' repeats objects[{first[obj.norad_id]}] "
                                     f"(NORAD {obj.norad_id})")
                first[obj.norad_id] = i
        return self

    @classmethod
    def validated(cls, data, from_attributes: bool = False) -> "AlertSchema":
        """`data` validated; ValueError lists every problem ("alert: field 'pc' ...")."""
        try:
            return cls.model_validate(data, from_attributes=from_attributes)
        except ValidationError as exc:
            raise ValueError("; ".join(problems(exc, cls, data, "alert", items=False))) from None


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
    def from_dict(cls, data: Mapping) -> "Alert":
        """Build from JSON-like data validated by AlertSchema; ValueError names every bad field."""
        schema = AlertSchema.validated(data)
        return cls(
            incident=schema.incident,
            objects=tuple(AlertObject(**obj.model_dump()) for obj in schema.objects),
            tca=schema.tca, now=schema.now, pc=schema.pc, miss_km=schema.miss_km, region=schema.region,
            level=schema.level, id=schema.id, evidence=dict(schema.evidence),
        )

    def check(self) -> None:
        """ValueError naming every field that AlertSchema refuses (for an alert built in Python)."""
        AlertSchema.validated(self, from_attributes=True)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["objects"] = [asdict(o) for o in self.objects]
        out["evidence"] = dict(self.evidence)
        for key in ("tca", "now"):
            out[key] = _iso(getattr(self, key))
        return out

    @classmethod
    def from_conjunction(cls, row, catalog_or_lookup, now: datetime | None = None) -> "Alert":
        """Alert for one screening/assessment row (fields norad_id_1, norad_id_2,
        name_1, name_2, tca datetime64 UTC, range_km, and pc when assessed).
        `catalog_or_lookup`: a Catalog with owner/object_type, or a mapping
        NORAD id -> (owner, object_type) or (owner, object_type, tenant).
        ValueError names the bad field: every field is checked for type and range."""
        return cls._from_row(row, owner_lookup(catalog_or_lookup), now, "screening row")

    @classmethod
    def from_conjunctions(cls, rows, catalog_or_lookup, now: datetime | None = None) -> list["Alert"]:
        """from_conjunction for every row, building the owner lookup once."""
        lookup = owner_lookup(catalog_or_lookup)
        if isinstance(rows, np.ndarray):  # columns to Python lists once: row access is slow
            cols = [k for k in ("norad_id_1", "name_1", "norad_id_2", "name_2", "tca", "range_km", "pc")
                    if k in rows.dtype.names]
            rows = [dict(zip(cols, values)) for values in zip(*(rows[k].tolist() for k in cols))]
        return [cls._from_row(row, lookup, now, f"screening row {i}") for i, row in enumerate(rows)]

    @classmethod
    def _from_row(cls, row, lookup: Mapping, now: datetime | None, where: str) -> "Alert":
        names = row.dtype.names if hasattr(row, "dtype") else tuple(row)
        missing = [k for k in ROW_REQUIRED if k not in names or row[k] is None]
        if missing:
            raise ValueError(f"{where}: missing or empty field(s) {missing} (required: {list(ROW_REQUIRED)})")
        if isinstance(row, Mapping):
            unknown = set(row) - _row_fields()
            if unknown:
                raise ValueError(f"{where}: unknown field(s) {sorted(unknown)} (known: the columns of a "
                                 f"screening or assessment table, e.g. {list(ROW_REQUIRED)}, name_1, name_2, pc)")
        objects = []
        for k in (1, 2):
            norad = norad_id(_item(row[f"norad_id_{k}"]), f"{where}: field 'norad_id_{k}'")
            owner, object_type, *tenant = lookup.get(norad, ("", ""))
            name = _item(row[f"name_{k}"]) if f"name_{k}" in names else ""
            if not isinstance(name, str):
                raise ValueError(f"{where}: field 'name_{k}' must be a string, not {name!r}")
            objects.append(AlertObject(norad, name, owner, object_type, *tenant))
        if objects[0].norad_id == objects[1].norad_id:
            raise ValueError(f"{where}: fields 'norad_id_1' and 'norad_id_2' are the same object {objects[0].norad_id}")
        tca = utc_time(_item(row["tca"]), "tca", where)
        if tca is None:
            raise ValueError(f"{where}: field 'tca' is empty (the time of closest approach is required)")
        miss_km = check_number(_item(row["range_km"]), "range_km", 0.0, math.inf, where)
        pc = _item(row["pc"]) if "pc" in names else None
        if isinstance(pc, float) and math.isnan(pc):
            pc = None  # not assessed
        return cls(
            incident="conjunction",
            objects=tuple(objects),
            tca=tca,
            now=now,
            pc=check_number(pc, "pc", 0.0, 1.0, where),
            miss_km=miss_km,
            id=f"conj-{objects[0].norad_id}-{objects[1].norad_id}-{_iso(tca)}",
        )


@cache
def _row_fields() -> frozenset[str]:
    """Columns a screening or assessment row may carry."""
    from ssa.assess.pipeline import assessment_dtype
    from ssa.screen import CONJUNCTION_DTYPE

    return frozenset(assessment_dtype(CONJUNCTION_DTYPE).names)


def _item(value):
    """A numpy scalar as the Python value it holds."""
    return value.item() if isinstance(value, np.generic) and not isinstance(value, np.datetime64) else value


def norad_id(value, name: str) -> int:
    """A NORAD catalogue number, 1 to NORAD_MAX; ValueError names `name`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer NORAD catalogue number, not {value!r}")
    if not 1 <= value <= NORAD_MAX:
        raise ValueError(f"{name} must be a NORAD catalogue number in [1, {NORAD_MAX}], not {value!r}")
    return value


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


def check_number(value, name: str, low: float, high: float, where: str = "alert") -> float | None:
    """A finite number in [low, high] (None passes); ValueError names the field."""
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not low <= value <= high):
        raise ValueError(f"{where}: field '{name}' must be a finite number in [{low:g}, {high:g}], not {value!r}")
    return float(value)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")
