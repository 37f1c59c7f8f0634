"""Geometry of one stored conjunction for plots: range against time around TCA
(SGP4 on the element sets it was screened on, TEME) and the encounter plane of
its CDM (combined RTN covariance rotated to GCRS and projected, as
ssa.assess.pc_from_cdm does for Pc)."""
from __future__ import annotations

import numpy as np

from ssa.assess import cdm_from_conjunction, pc_from_cdm, risk
from ssa.propagate import propagate
from ssa.serve.pipeline import event_row
from ssa.serve.store import Store

RANGE_SAMPLES = 401  # odd: the middle sample is TCA itself
MIN_SPAN_S, MAX_SPAN_S = 60.0, 1800.0


def screened_catalog(store: Store, event):
    """The two element sets the event was last screened on (one Catalog, object 1 first)."""
    version = store.job_catalog_version(event.last_job_id)
    first, second = (store.catalog_for_version(version, norad_ids=(norad,), origin=source)
                     for norad, source in ((event.norad_id_1, event.source_1), (event.norad_id_2, event.source_2)))
    return first.concat(second)


def span_s(miss_km: float, speed_km_s: float) -> float:
    """Half-width (s) of the range plot: the time to cover 20 miss distances (at least 1 km) at the
    relative speed, within [MIN_SPAN_S, MAX_SPAN_S]."""
    return float(np.clip(20.0 * max(miss_km, 1.0) / max(speed_km_s, 1e-6), MIN_SPAN_S, MAX_SPAN_S))


def range_history(catalog, tca_jd: float, tca_fr: float, half_width_s: float) -> dict:
    """Range (m) between catalogue rows 0 and 1 at RANGE_SAMPLES times from TCA - half_width_s to TCA + half_width_s."""
    t_s = np.linspace(-half_width_s, half_width_s, RANGE_SAMPLES)
    err, r, _ = propagate(catalog, np.full(t_s.size, tca_jd), tca_fr + t_s / 86400.0)
    range_m = 1000.0 * np.linalg.norm(r[1] - r[0], axis=1)
    valid = (err[0] == 0) & (err[1] == 0) & np.isfinite(range_m)
    return {"t_s": [round(float(t), 3) for t in t_s],
            "range_m": [round(float(x), 3) if ok else None for x, ok in zip(range_m, valid)]}


def encounter_plane(cdm) -> dict:
    """Miss vector and combined 1-sigma covariance in the encounter plane (m), x along the
    major axis of the covariance; the hard-body radius (m) and Foster Pc recomputed."""
    r1, v1 = (1000.0 * x for x in cdm.state_gcrs(0))
    r2, v2 = (1000.0 * x for x in cdm.state_gcrs(1))
    cov = (risk.rtn_to_inertial(cdm.covariance_rtn(0)[:3, :3], r1, v1)
           + risk.rtn_to_inertial(cdm.covariance_rtn(1)[:3, :3], r2, v2))
    mx, my, sx, sy, reasons = risk.encounter_plane(r2 - r1, v2 - v1, cov, v1)
    assessed = pc_from_cdm(cdm)
    return {"miss_x_m": float(mx[0]), "miss_y_m": float(my[0]), "sigma_x_m": float(sx[0]),
            "sigma_y_m": float(sy[0]), "hard_body_radius_m": assessed.hbr_m, "pc_foster": assessed.pc_foster,
            "note": str(reasons[0])}


def conjunction_geometry(store: Store, event) -> dict:
    """Plot data of a stored event: `range` (t_s from TCA, range_m; None where SGP4 failed),
    `encounter_plane` (m), and the stored Pc, max Pc and miss distance (m)."""
    catalog = screened_catalog(store, event)
    row = event_row(event)
    half_width = span_s(event.range_km, event.relative_speed_km_s)
    plane = encounter_plane(cdm_from_conjunction(row, catalog, originator="SSA")) if event.pc is not None else None
    return {"id": event.id, "TCA": event.tca.isoformat(timespec="microseconds"),
            "MISS_DISTANCE": round(event.range_km * 1000.0, 3),
            "RELATIVE_SPEED": round(event.relative_speed_km_s * 1000.0, 3),
            "COLLISION_PROBABILITY": event.pc, "max_probability": event.max_prob,
            "range": range_history(catalog, event.tca_jd, event.tca_fr, half_width),
            "encounter_plane": plane}
