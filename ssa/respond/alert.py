"""The alert handed to the router: an incident with the objects it concerns."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from functools import cache

import numpy as np

from ssa.timeutil import parse_utc

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
        """Build from JSON-like data; ValueError names the bad field."""
        if not isinstance(data, Mapping):
            raise ValueError(f"alert must be an object, not {type(data).__name__}")
        _reject_unknown_fields(data, cls, "alert")
        if not isinstance(data.get("incident"), str) or not data["incident"]:
            raise ValueError("alert: field 'incident' is required (an incident type id)")
        items = data.get("objects", [])
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"alert: field 'objects' must be a list, not {items!r}")
        objects, seen = [], {}
        for i, obj in enumerate(items):
            where = f"alert: objects[{i}]"
            if not isinstance(obj, Mapping):
                raise ValueError(f"{where} must be an object")
            _reject_unknown_fields(obj, AlertObject, where)
            norad = obj.get("norad_id")
            if norad is not None:
                norad = norad_id(norad, f"{where}.norad_id")
                if norad in seen:
                    raise ValueError(f"{where}.norad_id {norad} repeats objects[{seen[norad]}]")
                seen[norad] = i
            for key in ("name", "owner", "object_type", "tenant"):
                if not isinstance(obj.get(key, ""), str):
                    raise ValueError(f"{where}.{key} must be a string, not {obj[key]!r}")
            objects.append(AlertObject(**{**obj, "norad_id": norad}))
        evidence = data.get("evidence", {})
        if not isinstance(evidence, Mapping):
            raise ValueError(f"alert: field 'evidence' must be an object of name: number, not {evidence!r}")
        for key, value in evidence.items():
            check_number(value, f"evidence.{key}", -math.inf, math.inf)
        return cls(
            incident=data["incident"],
            objects=tuple(objects),
            tca=utc_time(data.get("tca"), "tca"),
            now=utc_time(data.get("now"), "now"),
            pc=check_number(data.get("pc"), "pc", 0.0, 1.0),
            miss_km=check_number(data.get("miss_km"), "miss_km", 0.0, math.inf),
            region=_text(data.get("region", ""), "region"),
            level=_text(data.get("level", ""), "level"),
            id=_text(data.get("id", ""), "id"),
            evidence={str(k): float(v) for k, v in evidence.items()},
        )

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
    """UTC datetime from ISO text, datetime or numpy datetime64 (naive = UTC)."""
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
            raise ValueError(f"{where}: field '{name}' is not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{where}: field '{name}' must be a time, not {value!r}")
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _reject_unknown_fields(data: Mapping, cls, where: str) -> None:
    """ValueError naming the keys of `data` that are not fields of the dataclass `cls`."""
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)} (known: {sorted(known)})")


def check_number(value, name: str, low: float, high: float, where: str = "alert") -> float | None:
    """A finite number in [low, high] (None passes); ValueError names the field."""
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not low <= value <= high):
        raise ValueError(f"{where}: field '{name}' must be a finite number in [{low:g}, {high:g}], not {value!r}")
    return float(value)


def _text(value, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"alert: field '{name}' must be a string, not {value!r}")
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")
