"""Plot data of a stored detector finding, drawn by the console as inline SVG: a
re-entry's ground track (the detector's own decaying two-body + J2 track,
ssa.detect.reentry.track, on the element set it was found on) with the Dutch
territory outlines it is judged against; a proximity operation's range and
relative speed against time around the closest approach (SGP4 on the two
element sets it was found on, TEME); a fragmentation's
Gabbard diagram (period against apogee and perigee altitude of the parent and
its pieces). Times UTC, distances km, angles degrees."""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from ssa.detect import reentry
from ssa.detect.fragmentation import gabbard
from ssa.propagate import propagate
from ssa.serve.store import Store

TRACK_STEP_S = 30.0  # as ssa.detect.reentry.ground_track_png
TRACK_DAYS = 1.0  # the last day of the window, where the object comes down at the latest
PROXIMITY_HALF_WIDTH_S = 6 * 3600.0  # range history from 6 h before to 6 h after the closest approach
PROXIMITY_STEP_S = 60.0
UNIX_EPOCH_JD = 2440587.5


def _iso_jd(jd: float) -> str:
    """UTC ISO time (s) of a UTC Julian date."""
    return f"{datetime(1970, 1, 1) + timedelta(seconds=round((jd - UNIX_EPOCH_JD) * 86400.0)):%Y-%m-%dT%H:%M:%SZ}"


def _jd(when: datetime) -> float:
    """UTC Julian date of a naive UTC datetime."""
    return UNIX_EPOCH_JD + (when - datetime(1970, 1, 1)).total_seconds() / 86400.0


def territory_outlines() -> list[dict]:
    """The shipped Dutch territory polygons: region, territory, lon_deg, lat_deg (closed rings)."""
    names, lon, lat, starts, _boxes = reentry.dutch_territory()
    return [{"region": region, "territory": territory,
             "lon_deg": lon[starts[k]:starts[k + 1]].round(4).tolist(),
             "lat_deg": lat[starts[k]:starts[k + 1]].round(4).tolist()}
            for k, (region, territory) in enumerate(names)]


def reentry_plot(store: Store, finding) -> dict:
    """Ground track (UTC ISO time, lat deg, lon deg) of the last TRACK_DAYS of the re-entry window,
    decaying with the fitted ballistic coefficient stretched to end at the window's end, as the
    detector draws it (ssa.detect.reentry.ground_track_png); None where the object is down."""
    catalog = store.catalog_for_version(finding.catalog_version_id, norad_ids=(finding.norad_id_1,))
    if not len(catalog) or finding.event_time is None:
        return {"kind": "reentry", "track": None, "territory": territory_outlines()}
    epoch_jd = float(catalog.epoch_jd[0]) + float(catalog.epoch_fr[0])
    days = _jd(finding.event_time) - epoch_jd
    end = days * (1 + reentry.WINDOW_LATE)
    start = max(days * (1 - reentry.WINDOW_EARLY), end - TRACK_DAYS)
    ballistic = float(finding.summary["BALLISTIC_M2_KG"]) / (1 + reentry.WINDOW_LATE)
    t_days, lat, lon = reentry.track(catalog, 0, ballistic, start, end, TRACK_STEP_S)
    flying = np.isfinite(lat) & np.isfinite(lon)
    return {"kind": "reentry", "epoch_jd": epoch_jd,
            "track": {"t": [_iso_jd(epoch_jd + float(t)) for t in t_days],
                      "days_from_epoch": np.round(t_days, 6).tolist(),
                      "lat_deg": [round(float(x), 4) if ok else None for x, ok in zip(lat, flying)],
                      "lon_deg": [round(float(x), 4) if ok else None for x, ok in zip(lon, flying)]},
            "territory": territory_outlines()}


def proximity_plot(store: Store, finding) -> dict:
    """Range (km) and relative speed (km/s) between the asset and the object against time (s from
    the closest approach, UTC) within PROXIMITY_HALF_WIDTH_S of it; None where SGP4 failed."""
    catalog = store.catalog_for_version(finding.catalog_version_id, norad_ids=(finding.norad_id_1, finding.norad_id_2))
    body = {"kind": "proximity", "closest": _iso_jd(_jd(finding.event_time)),
            "distance_km": finding.summary.get("distance_km"), "t_s": [], "range_km": [], "relative_speed_km_s": []}
    if len(catalog) < 2:
        return body
    rows = catalog.index_of([finding.norad_id_1, finding.norad_id_2])
    t_s = np.arange(-PROXIMITY_HALF_WIDTH_S, PROXIMITY_HALF_WIDTH_S + PROXIMITY_STEP_S / 2, PROXIMITY_STEP_S)
    closest_jd = _jd(finding.event_time)
    err, r, v = propagate(catalog.take(rows), np.full(t_s.size, np.floor(closest_jd)),
                          closest_jd - np.floor(closest_jd) + t_s / 86400.0)
    ok = (err[0] == 0) & (err[1] == 0)
    rng, speed = np.linalg.norm(r[1] - r[0], axis=1), np.linalg.norm(v[1] - v[0], axis=1)
    body.update(t_s=t_s.round(3).tolist(),
                range_km=[round(float(x), 4) if good else None for x, good in zip(rng, ok)],
                relative_speed_km_s=[round(float(x), 6) if good else None for x, good in zip(speed, ok)])
    return body


def fragmentation_plot(store: Store, finding) -> dict:
    """Gabbard diagram of the parent and its pieces on the catalogue version that found them:
    period (min), apogee and perigee altitude (km) per object."""
    parent = int(finding.summary.get("parent_norad_id", finding.norad_id_1))
    ids = [parent] + [int(n) for n in finding.summary.get("fragment_ids", [])]
    catalog = store.catalog_for_version(finding.catalog_version_id, norad_ids=ids)
    period, apogee, perigee = gabbard(catalog)
    return {"kind": "fragmentation", "parent_norad_id": parent,
            "objects": [{"norad_id": int(n), "parent": int(n) == parent, "period_min": round(float(p), 4),
                         "apogee_km": round(float(a), 2), "perigee_km": round(float(q), 2)}
                        for n, p, a, q in zip(catalog.norad_id, period, apogee, perigee)]}


def finding_plot(store: Store, finding) -> dict:
    """Plot data of a finding by its kind; `kind` only (no plot) for a manoeuvre."""
    if finding.kind == "reentry":
        return reentry_plot(store, finding)
    if finding.kind == "proximity":
        return proximity_plot(store, finding)
    if finding.kind == "fragmentation":
        return fragmentation_plot(store, finding)
    return {"kind": finding.kind}
