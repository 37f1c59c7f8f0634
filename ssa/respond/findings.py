"""Alerts from the detectors' findings (ssa.detect), one function per detector."""
from __future__ import annotations

from datetime import datetime

from ssa.respond.alert import Alert, AlertObject


def alerts_from_fragmentation(events, now: datetime | None = None) -> list[Alert]:
    """One alert per ``ssa.detect.fragmentation.Fragmentation``: incident
    ``asat_test`` when classed a possible ASAT test, else ``fragmentation``;
    objects the parent (and the collision partner), event time as ``tca``,
    the number of new pieces as evidence ``fragments``."""
    alerts = []
    for event in events:
        objects = [AlertObject(event.parent_norad_id, event.parent_name, event.parent_owner, event.parent_type)]
        if event.partner_norad_id is not None:
            objects.append(AlertObject(event.partner_norad_id, event.partner_name, event.partner_owner,
                                       event.partner_type))
        incident = "asat_test" if event.classification == "possible_asat_test" else "fragmentation"
        when = event.event_time or event.conjunction_tca
        alerts.append(Alert(
            incident=incident,
            objects=tuple(objects),
            tca=when,
            now=now,
            miss_km=event.conjunction_range_km,
            id=f"{incident}-{event.launch}-{event.parent_norad_id}"
               + (f"-{when:%Y%m%dT%H%M}" if when else ""),
            evidence={"fragments": float(event.n_fragments)},
        ))
    return alerts
