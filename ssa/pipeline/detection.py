"""The detectors after screening: re-entry watch, manoeuvres, fragmentation and
proximity operations (``ssa.detect``), each finding turned into an alert
(``ssa.respond.findings``) and routed (``ssa.respond.route``).

The service's worker runs this on each catalogue version (``ssa.serve.pipeline``);
each detector can be left out (``None`` inputs, a zero horizon or window).
Every finding has a stable identity, so that a later catalogue version that
finds it again updates it: re-entry ``reentry:<NORAD id>``; manoeuvre
``manoeuvre:<NORAD id>:<burn mid-point, UTC minute>``; fragmentation
``fragmentation:<launch>:<parent NORAD id>``; proximity
``proximity:<asset NORAD id>:<NORAD id>``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

KINDS = ("reentry", "manoeuvre", "fragmentation", "proximity")


@dataclass
class Detection:
    """One finding of a detector with its routed alert (``routing``: ssa.respond Routing)."""

    kind: str  # one of KINDS
    identity: str
    norad_id_1: int  # the subject: the re-entering or manoeuvring object, the parent, the asset
    norad_id_2: int | None  # the collision partner, the object near the asset
    event_time: datetime | None  # UTC: predicted re-entry, burn mid-point, break-up, closest approach
    summary: dict  # the detector's record, JSON-safe (UTC ISO times, km, m/s; non-finite numbers as null)
    routing: object


def plain(value):
    """A detector record as JSON-safe values: numpy scalars and arrays as Python, times as
    UTC ISO 8601, non-finite floats as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value.astype("datetime64[ms]")) + "Z"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _utc(when) -> datetime | None:
    """Aware UTC datetime from a datetime (naive = UTC) or datetime64; None stays None."""
    if when is None:
        return None
    if isinstance(when, np.datetime64):
        when = when.astype("datetime64[us]").item()
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def detect_and_route(catalog, now: datetime, history=None, manoeuvre_ids=None, previous=None,
                     reentry_horizon_days: float = 30.0, proximity_days: float = 0.0, tenants=None,
                     progress=None) -> tuple[list[Detection], list[str]]:
    """(findings with their routings, notes) of one catalogue version.

    ``catalog``: the version's catalogue (newest element set per object, ``ssa.catalog.Catalog``);
    ``now``: the judging time and the proximity window's start (UTC; naive = UTC);
    ``history``: element-set history (several sets per object) for the re-entry fit and the
    manoeuvre detector (re-entry without it fits n-dot/BSTAR); ``manoeuvre_ids``: the
    objects whose histories are searched for manoeuvres (None: all in ``history``);
    ``previous``: the previous catalogue version, None: no fragmentation detection;
    ``reentry_horizon_days``: re-entry watch horizon, 0: no re-entry watch;
    ``proximity_days``: window of the proximity screen of ssa.respond's asset registry
    (flies-together groups excepted), 0: none; ``tenants``: NORAD id -> tenant that
    registered the object (gives the object a Dutch interest as for conjunctions);
    ``progress``: callable(message) told which detector runs.
    """
    from ssa.respond import load_config, route

    config = load_config()
    tenants = tenants or {}
    now = _utc(now)
    say = progress or (lambda message: None)
    found: list[tuple[str, str, int, int | None, datetime | None, dict, object]] = []  # ..., alert
    notes: list[str] = []
    burns: dict[int, list[datetime]] = {}

    if reentry_horizon_days > 0 and len(catalog):
        from ssa.detect.reentry import to_records, watch
        from ssa.respond.findings import alerts_from_reentry

        say("re-entry watch")
        predictions = watch(catalog, history, horizon_days=reentry_horizon_days)
        alerts = {a.objects[0].norad_id: a for a in alerts_from_reentry(predictions, now=now)}
        for r, record in zip(predictions, to_records(predictions)):
            found.append(("reentry", f"reentry:{r.norad_id}", r.norad_id, None, r.predicted, record,
                          alerts.get(r.norad_id)))

    searched = history
    if history is not None and manoeuvre_ids is not None:
        searched = history.take(np.flatnonzero(np.isin(history.norad_id, np.array(sorted(manoeuvre_ids),
                                                                                   dtype=np.int64))))
    if searched is not None and len(searched):
        from ssa.detect.manoeuvre import detect_manoeuvres, to_records
        from ssa.respond.findings import alerts_from_manoeuvres

        say("manoeuvre detection")
        manoeuvres = detect_manoeuvres(searched).manoeuvres
        for m, record, alert in zip(manoeuvres, to_records(manoeuvres),
                                    alerts_from_manoeuvres(manoeuvres, searched, now=now, config=config)):
            mid = _utc(m.epoch)
            burns.setdefault(m.norad_id, []).append(_utc(m.after).replace(tzinfo=None))
            found.append(("manoeuvre", f"manoeuvre:{m.norad_id}:{mid:%Y%m%dT%H%M}", m.norad_id, None, mid, record,
                          alert))

    if previous is not None and len(previous) and len(catalog):
        from ssa.detect.fragmentation import detect_fragmentations
        from ssa.respond.findings import alerts_from_fragmentation

        say("fragmentation detection")
        events = detect_fragmentations(previous, catalog)
        for event, alert in zip(events, alerts_from_fragmentation(events, now=now)):
            found.append(("fragmentation", f"fragmentation:{event.launch}:{event.parent_norad_id}",
                          event.parent_norad_id, event.partner_norad_id, _utc(event.event_time), event.to_dict(),
                          alert))

    if proximity_days > 0 and config.assets and len(catalog):
        from ssa.detect.proximity import detect_proximity
        from ssa.respond.findings import alerts_from_proximity

        say("proximity screen of the asset registry")
        operations, proximity_notes = detect_proximity(catalog, sorted(config.assets), now.replace(tzinfo=None),
                                                       proximity_days, together=config.together.values(),
                                                       manoeuvres=burns)
        notes += proximity_notes
        for op, alert in zip(operations, alerts_from_proximity(operations, now=now, config=config)):
            record = {k: v for k, v in op.to_dict().items() if k != "timeline"}  # the timeline stays in `ssa proximity`
            found.append(("proximity", f"proximity:{op.asset_norad_id}:{op.norad_id}", op.asset_norad_id,
                          op.norad_id, _utc(op.closest), record, alert))

    detections = []
    for kind, identity, first, second, when, record, alert in found:
        routing = None
        if alert is not None:
            objects = tuple(replace(o, tenant=tenants.get(o.norad_id, "")) for o in alert.objects)
            routing = route(replace(alert, objects=objects), config)
        detections.append(Detection(kind, identity, int(first), None if second is None else int(second), when,
                                    plain(record), routing))
    return detections, notes


def overflight_passes(catalog, sites, watchers, start: datetime, days: float) -> list[dict]:
    """Every pass of the catalogue's watching satellites (``watchers``: ssa.detect.overflight.Watchers)
    over ``sites`` in [start, start + days] (UTC; naive = UTC), as ``ssa.detect.overflight.to_records``
    rows (site name, NORAD id, rise/culmination/set UTC ISO, angles deg, range km, sunlit, usable)."""
    from ssa.detect.overflight import find_overflights, to_records

    rows, sensors = watchers.select(catalog)
    if not len(rows) or not sites:
        return []
    watching = catalog.take(rows)
    begin = _utc(start).replace(tzinfo=None)
    passes = find_overflights(watching, sites, begin, days, sensors)
    return to_records(passes, watching, sites, sensors, begin)
