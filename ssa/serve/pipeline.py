"""The one seam between the service and the screening stages: parse uploads
(ssa.catalog), screen (ssa.screen), assess (ssa.assess), route (ssa.respond),
write CDMs (ssa.assess.cdm)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

from ssa.catalog.model import Rejection
from ssa.respond.config import OPERATOR
from ssa.serve.store import JD_UNIX_EPOCH, IngestResult, Routed, Store, jd_to_datetime, utcnow


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
    """Screening window (UTC): from now, or ('catalog') from the newest element set
    epoch that is not in the future (one set dated years ahead does not move it)."""
    start = utcnow()
    if mode == "catalog" and len(catalog):
        epochs = catalog.epoch_jd + catalog.epoch_fr
        now_jd = (start - datetime(1970, 1, 1)).total_seconds() / 86400.0 + JD_UNIX_EPOCH
        past = np.flatnonzero(epochs <= now_jd)
        newest = past[np.argmax(epochs[past])] if len(past) else int(np.argmax(epochs))
        start = jd_to_datetime(float(catalog.epoch_jd[newest]), float(catalog.epoch_fr[newest]))
    return start, start + timedelta(days=days)


def split_stale(catalog, start: datetime, end: datetime, max_age_days: float):
    """(the objects to screen, the others as stopped records): an element set is
    stale when its epoch (UTC) lies more than `max_age_days` before `start` or
    after `end`; SGP4 that far from epoch is meaningless and slow."""
    if len(catalog) == 0:
        return catalog, []
    epoch_days = (catalog.epoch_jd - JD_UNIX_EPOCH) + catalog.epoch_fr  # days since 1970 (UTC)
    start_days = (start - datetime(1970, 1, 1)).total_seconds() / 86400.0
    end_days = (end - datetime(1970, 1, 1)).total_seconds() / 86400.0
    distance = np.maximum(start_days - epoch_days, epoch_days - end_days)
    stale = distance > max_age_days
    stopped = [{"norad_id": int(catalog.norad_id[i]), "name": str(catalog.name[i]),
                "epoch": jd_to_datetime(float(catalog.epoch_jd[i]), float(catalog.epoch_fr[i])).isoformat(),
                "reason": f"element set epoch {distance[i]:.1f} d from the screening window "
                          f"(limit {max_age_days:g} d)"}
               for i in np.flatnonzero(stale)]
    return catalog.take(np.flatnonzero(~stale)), stopped


def screen_and_route(catalog, start: datetime, days: float, threshold_km: float, progress=None,
                     tenants=None):
    """Conjunctions (CONJUNCTION_DTYPE plus the assessment fields), their routing,
    and the objects the screening stopped (SGP4 errors) as records with a reason.

    Routing judges each alert at the window start (`now` of the alert);
    ``tenants``: NORAD id -> tenant that registered the object (Store.object_tenants)."""
    from ssa.assess import assess
    from ssa.screen import run_screen

    result = run_screen(catalog, start, days=days, threshold_km=threshold_km, progress=progress)
    rows = assess(result.conjunctions, catalog)
    stopped = [{**asdict(stop), "reason": f"SGP4 error {stop.error} at +{stop.seconds:.0f} s: {stop.reason}"}
               for stop in result.stopped]
    return rows, route_rows(rows, catalog, start, tenants), stopped


def route_rows(rows: np.ndarray, catalog, now: datetime, tenants=None) -> list[Routed]:
    from ssa.respond import Alert, load_config, route

    config = load_config()
    tenants = tenants or {}
    lookup = {int(n): (str(o), str(t), tenants.get(int(n), ""))
              for n, o, t in zip(catalog.norad_id, catalog.owner, catalog.object_type)}
    alerts = Alert.from_conjunctions(rows, lookup, now=now.replace(tzinfo=timezone.utc))
    return [routed(route(alert, config)) for alert in alerts]


def routed(routing) -> Routed:
    """The store's view of a ssa.respond Routing: parties get alerts only when it pages.
    'operator' stands for the operators of the objects of Dutch interest."""
    def expand(parties):
        out = []
        for party in parties:
            out.extend(routing.operators if party == OPERATOR else (party,))
        return list(dict.fromkeys(out))

    if not routing.paged:
        return Routed(level=routing.level, detail=routing.to_dict())
    return Routed(level=routing.level, lead=expand([routing.lead]), supporting=expand(routing.supporting),
                  informed=expand(routing.informed), detail=routing.to_dict())


def known_parties() -> list[dict]:
    """Parties of the response mechanism, from ssa.respond's configuration."""
    from ssa.respond import load_config

    return [{"code": p.id, "name": p.name_en, "description": p.role} for p in load_config().parties.values()]


def event_row(event) -> np.ndarray:
    """A stored event as one screening/assessment row (CONJUNCTION_DTYPE plus assess fields)."""
    from ssa.screen import CONJUNCTION_DTYPE

    assessed = event.pc is not None
    extra = [("pc", "f8"), ("pc_method", "U16"), ("max_prob", "f8"), ("dilution_km", "f8"),
             ("covariance_source", "U16"), ("hbr_m", "f8")] if assessed else []
    row = np.zeros(1, dtype=np.dtype(CONJUNCTION_DTYPE.descr + extra))
    for name in ("norad_id_1", "name_1", "dse_1", "norad_id_2", "name_2", "dse_2", "tca_jd", "tca_fr", "range_km",
                 "relative_speed_km_s", "radial_km", "in_track_km", "cross_track_km", "persistent"):
        row[name] = getattr(event, name)
    row["tca"] = np.datetime64(event.tca, "us")
    for name in ("r1", "v1", "r2", "v2"):
        row[name] = event.state[name]
    if assessed:
        for name in ("pc", "pc_method", "max_prob", "dilution_km", "covariance_source", "hbr_m"):
            value = getattr(event, name)
            row[name] = value if value is not None else (np.nan if name not in ("pc_method", "covariance_source") else "")
    return row[0]


def event_cdm(store: Store, event, fmt: str) -> str:
    """The event as a CCSDS CDM (KVN or XML) from ssa.assess, with the element sets it was screened on."""
    from ssa.assess import cdm_from_conjunction
    from ssa.assess.cdm import write_kvn, write_xml

    catalog = store.catalog_for_version(store.job_catalog_version(event.last_job_id),
                                        norad_ids=(event.norad_id_1, event.norad_id_2))
    message = cdm_from_conjunction(event_row(event), catalog, originator="SSA")
    return write_xml(message) if fmt == "xml" else write_kvn(message)
