"""The one seam between the service and the screening stages: parse uploads
(ssa.catalog), screen (ssa.screen), assess (ssa.assess), route (ssa.respond),
write CDMs (ssa.assess.cdm)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from ssa.catalog.model import Rejection
from ssa.serve.store import IngestResult, Routed, Store, jd_to_datetime, utcnow


@lru_cache(maxsize=1)
def satcat():
    """NORAD id -> (OWNER, OBJECT_TYPE) from the shipped SATCAT."""
    from ssa.catalog import SHIPPED_SATCAT, load_satcat
    return load_satcat(SHIPPED_SATCAT)


def ingest_text(store: Store, text: str, source: str, allowed_objects=None) -> IngestResult:
    """Parse an upload and store its new element sets; records of objects outside
    ``allowed_objects`` (an operator's) are rejected one by one."""
    from ssa.catalog import parse_text

    catalog = parse_text(text, source=source, satcat=satcat())
    if allowed_objects is not None:
        allowed = np.isin(catalog.norad_id, np.fromiter(allowed_objects, dtype=np.int64))
        refused = [Rejection(source, _line_of(str(catalog.source[i])), int(catalog.norad_id[i]),
                             "NORAD_CAT_ID: not one of this key's objects") for i in np.nonzero(~allowed)[0]]
        rejected = list(catalog.rejected) + refused
        catalog = catalog.take(np.nonzero(allowed)[0])
        catalog.rejected = rejected
    scope = "all" if allowed_objects is None else ",".join(str(n) for n in sorted(allowed_objects))
    digest = hashlib.sha256(text.encode() + b"\0" + scope.encode()).hexdigest()
    return store.ingest(catalog, digest, source)


def _line_of(source: str) -> int:
    """The line number in a 'file:line' source string (0 when absent)."""
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def window_for(catalog, mode: str, days: float) -> tuple[datetime, datetime]:
    """Screening window: from now, or ('catalog') from the newest element set epoch."""
    if mode == "catalog":
        newest = int(np.argmax(catalog.epoch_jd + catalog.epoch_fr))
        start = jd_to_datetime(float(catalog.epoch_jd[newest]), float(catalog.epoch_fr[newest]))
    else:
        start = utcnow()
    return start, start + timedelta(days=days)


def screen_and_route(catalog, start: datetime, days: float, threshold_km: float, progress=None):
    """Conjunctions (CONJUNCTION_DTYPE plus the assessment fields) and their routing."""
    from ssa.screen import screen

    rows = screen(catalog, start, days=days, threshold_km=threshold_km, progress=progress)
    from ssa.assess import assess
    rows = assess(rows, catalog)
    return rows, route_rows(rows, catalog)


def route_rows(rows: np.ndarray, catalog) -> list[Routed]:
    from ssa.respond import route
    return [_routed(route(alert)) for alert in _alerts(rows, catalog)]


def _alerts(rows, catalog):
    from ssa.respond import alert_from_conjunction
    for row in rows:
        yield alert_from_conjunction(row, catalog)


def _routed(routing) -> Routed:
    detail = {}
    for name in ("rule_id", "basis", "explanation", "expected_actions", "information_to_share"):
        value = getattr(routing, name, None)
        if value is not None:
            detail[name] = value if isinstance(value, (str, int, float, bool)) else _jsonable(value)
    return Routed(level=str(routing.level), lead=_parties(routing.lead), supporting=_parties(routing.supporting),
                  informed=_parties(routing.informed), detail=detail)


def _parties(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(getattr(p, "code", p)) for p in value]


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def known_parties() -> list[dict]:
    """Parties of the response mechanism from ssa.respond's configuration (none until it is installed)."""
    try:
        from ssa.respond import parties
    except ImportError:
        return []
    return [{"code": p.code, "name": getattr(p, "name", p.code), "description": getattr(p, "description", "")}
            for p in parties()]


def event_cdm(event, obj1, obj2, fmt: str) -> str:
    """The event as a CCSDS CDM (KVN or XML) through ssa.assess.cdm."""
    from ssa.assess import cdm as cdm_mod

    raise NotImplementedError
