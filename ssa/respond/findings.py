"""Detector findings (ssa.detect) as alerts that ``ssa.respond.route`` routes: one function per detector."""
from __future__ import annotations

from datetime import datetime

import numpy as np

from ssa.catalog.model import Catalog
from ssa.respond.alert import Alert, AlertObject, owner_lookup, utc_time
from ssa.respond.config import ResponseConfig, load_config
from ssa.respond.route import object_interest


def alerts_from_manoeuvres(manoeuvres, history: Catalog, catalog: Catalog | None = None,
                           now: datetime | None = None, days: float = 3.0, threshold_km: float = 5.0,
                           config: ResponseConfig | None = None) -> list[Alert]:
    """One ``unexplained_manoeuvre`` alert per manoeuvre of ``ssa.detect.manoeuvre.detect_manoeuvres``.

    ``history``: the element-set history the manoeuvres were found in (owner and
    object type from its SATCAT columns). ``catalog``: the other objects; when
    given, the first element set after the burn and the last one before it are
    screened against it (``ssa.screen``) over ``days`` from that first element
    set's epoch (when the new orbit becomes known), and an
    approach within ``threshold_km`` that only the new orbit makes is a new
    conjunction: the alert then names that object too (the one of Dutch interest
    when there is one, else the closest), with the miss distance (km) and its
    time of closest approach as the event time; escalation.toml's miss criteria
    escalate it (a foreign object near a Dutch asset: warning, or emergency
    within 1 km and 24 h). Without one, the event time is the burn's mid-point.
    Screening costs a catalogue screen over ``days`` per manoeuvre: pass the
    objects to watch (e.g. the Dutch assets) rather than the whole catalogue
    where that is too slow. Routine station-keeping (``routine``) without a new
    conjunction is set to
    level ``log``: recorded, nobody paged. Evidence: ``delta_v_m_s``.
    """
    cfg = config or load_config()
    lookup = owner_lookup(history)
    if catalog is not None:
        lookup = {**owner_lookup(catalog), **lookup}
    alerts = []
    for m in manoeuvres:
        owner, object_type = lookup.get(m.norad_id, ("", ""))
        subject = AlertObject(m.norad_id, m.name, owner, object_type)
        approach = None if catalog is None else _new_approach(m, history, catalog, days, threshold_km, cfg, lookup)
        objects, tca, miss = (subject,), utc_time(m.epoch), None
        if approach is not None:
            objects, tca, miss = (subject, approach[0]), approach[1], approach[2]
        alerts.append(Alert(
            incident="unexplained_manoeuvre", objects=objects, tca=tca, now=now, miss_km=miss,
            level="log" if m.routine and approach is None else "",
            id=f"man-{m.norad_id}-{m.epoch.astype('datetime64[s]')}Z",
            evidence={"delta_v_m_s": round(m.delta_v_m_s, 4)},
        ))
    return alerts


def _new_approach(m, history: Catalog, catalog: Catalog, days: float, threshold_km: float, cfg: ResponseConfig,
                  lookup) -> tuple[AlertObject, datetime, float] | None:
    """(other object, TCA, miss km) of the closest approach that the orbit after the burn makes
    and the orbit before it does not, preferring an object of Dutch interest; None when none."""
    from ssa.screen import screen

    others = catalog.take(catalog.norad_id != m.norad_id)
    start = m.before  # the new orbit is known from the first element set after the burn
    after = screen(others.concat(history.take([m.row_before])), start, days, threshold_km, primaries=[m.norad_id])
    if not len(after):
        return None
    met = np.where(after["norad_id_1"] == m.norad_id, after["norad_id_2"], after["norad_id_1"])
    near = others.take(np.isin(others.norad_id, met))  # the old orbit, against those objects only
    before = screen(near.concat(history.take([m.row_after])), start, days, threshold_km, primaries=[m.norad_id])
    before_ids = set(np.where(before["norad_id_1"] == m.norad_id, before["norad_id_2"], before["norad_id_1"]).tolist())
    best = None
    for row in after:
        other = int(row["norad_id_2"] if row["norad_id_1"] == m.norad_id else row["norad_id_1"])
        if other in before_ids:
            continue
        owner, object_type = lookup.get(other, ("", ""))
        name = str(row["name_2"] if row["norad_id_1"] == m.norad_id else row["name_1"])
        obj = AlertObject(other, name, owner, object_type)
        key = (object_interest(obj, cfg).category == "", float(row["range_km"]))
        if best is None or key < best[0]:
            best = (key, obj, utc_time(row["tca"]), float(row["range_km"]))
    return None if best is None else best[1:]


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


def alerts_from_reentry(predictions, now: datetime | None = None) -> list[Alert]:
    """One ``reentry`` alert per ``ssa.detect.reentry.Reentry`` with a predicted
    epoch: the object, the predicted re-entry as ``tca`` (escalation by time to
    go), ``region`` the Dutch region (interest.toml) the re-entry is over
    (``Reentry.over_dutch_region``: at least MIN_REGION_SHARE of the window's
    ground track within the margin), "" when none. The router gives a Dutch
    object (owner, registry) or a Dutch region its rules; every other re-entry
    is logged (rule reentry-logged)."""
    alerts = []
    for r in predictions:
        if r.predicted is None:
            continue
        alerts.append(Alert(
            incident="reentry",
            objects=(AlertObject(r.norad_id, r.name, r.owner, r.object_type),),
            tca=r.predicted,
            now=now,
            region=r.over_dutch_region,
            id=f"reentry-{r.norad_id}-{r.epoch:%Y%m%dT%H%M%S}",
        ))
    return alerts


def alerts_from_overflights(passes, watching: Catalog, sites, start: datetime,
                            now: datetime | None = None) -> list[Alert]:
    """One ``recon_overflight`` alert per usable pass of ``ssa.detect.overflight.find_overflights``:
    the watching satellite as object, the pass's rise (the window start when it rose before) as event
    time, the site's name in the id (a site's passes reveal the site: share them only with the
    parties its sites file names)."""
    from datetime import timedelta

    lookup = owner_lookup(watching)
    alerts = []
    for p in passes[passes["usable"]]:
        norad = int(p["norad_id"])
        owner, object_type = lookup.get(norad, ("", ""))
        rise = start + timedelta(seconds=0.0 if np.isnan(p["rise_s"]) else float(p["rise_s"]))
        site = sites[int(p["site"])].name
        alerts.append(Alert(
            incident="recon_overflight",
            objects=(AlertObject(norad, str(watching.name[int(p["sat"])]), owner, object_type),),
            tca=utc_time(rise), now=utc_time(now),
            id=f"recon-{'-'.join(site.lower().split())}-{norad}-{rise:%Y%m%dT%H%M%S}",
        ))
    return alerts


def alerts_from_proximity(operations, now: datetime | None = None,
                          config: ResponseConfig | None = None) -> list[Alert]:
    """One ``proximity_operation`` alert per ``ssa.detect.proximity.ProximityOperation``: the asset
    and the other object, the closest approach as event time and its range as ``miss_km``; evidence
    ``longest_stay_h``, ``approaches`` and ``relative_speed_m_s`` (at the closest approach). The
    range / relative speed / RTN timeline travels beside it (``ssa proximity`` writes it)."""
    cfg_assets = (config or load_config()).assets
    alerts = []
    for op in operations:
        asset = cfg_assets.get(op.asset_norad_id)
        objects = (AlertObject(op.asset_norad_id, op.asset_name, asset.owner if asset else ""),
                   AlertObject(op.norad_id, op.name, op.owner, op.object_type))
        alerts.append(Alert(
            incident="proximity_operation", objects=objects, tca=utc_time(op.closest), now=utc_time(now),
            miss_km=round(op.min_range_km, 4),
            id=f"prox-{op.asset_norad_id}-{op.norad_id}-{op.closest:%Y%m%dT%H%M}",
            evidence={"longest_stay_h": round(op.longest_stay_s / 3600.0, 3), "approaches": float(op.approaches),
                      "relative_speed_m_s": round(op.relative_speed_km_s * 1000.0, 3)},
        ))
    return alerts
