"""Event matching, pure: which open event each screening result continues, which
open events close and why, and whether a re-screened encounter changed. No
database here; ``ssa.serve.store.events`` writes what these functions decide.

Open events are anything with the Event columns as attributes (``id``,
``norad_id_1``, ``norad_id_2``, ``tca`` naive UTC, ``persistent``, ...);
results are rows of ``ssa.screen.CONJUNCTION_DTYPE`` (km, km/s, TEME).
"""
from __future__ import annotations

from datetime import datetime

import numpy as np

from ssa.constants import MU_KM3_S2
from ssa.timeutil import jd_to_datetime

TCA_PASSED = "TCA_PASSED"
OUT_OF_THRESHOLD = "OUT_OF_THRESHOLD"

# below these, a re-screened encounter counts as unchanged (numerical noise of refinement)
TCA_TOLERANCE_S = 1e-3
RANGE_TOLERANCE_KM = 1e-3
SPEED_TOLERANCE_KM_S = 1e-3
PC_RELATIVE_TOLERANCE = 0.01


def orbital_period_s(r_km: np.ndarray, v_km_s: np.ndarray) -> float:
    """Osculating period (s) from a TEME state in km and km/s (vis-viva); inf for unbound states."""
    inv_a = 2.0 / np.linalg.norm(r_km) - float(np.dot(v_km_s, v_km_s)) / MU_KM3_S2
    return float(2 * np.pi * np.sqrt(inv_a ** -3 / MU_KM3_S2)) if inv_a > 0 else float("inf")


def match_results(open_events, rows: np.ndarray, match_fraction: float) -> tuple[dict[int, int], list[int]]:
    """Pair each result row with the open event it continues: (event id -> row index,
    indices of the rows that open new events).

    A result continues the open event of the same pair (not persistent) whose TCA
    lies nearest to its own and within ``match_fraction`` of the shorter osculating
    period of the two objects; a persistent result continues the pair's persistent
    event. Each event continues at most one result, taken in row order."""
    by_pair: dict[tuple[int, int], list] = {}
    for ev in open_events:
        by_pair.setdefault((ev.norad_id_1, ev.norad_id_2), []).append(ev)
    matched: dict[int, int] = {}
    new_rows: list[int] = []
    for k in range(len(rows)):
        row = rows[k]
        pair = (int(row["norad_id_1"]), int(row["norad_id_2"]))
        candidates = [ev for ev in by_pair.get(pair, ()) if ev.id not in matched]
        if bool(row["persistent"]):
            best = next((ev for ev in candidates if ev.persistent), None)
        else:
            tca = jd_to_datetime(float(row["tca_jd"]), float(row["tca_fr"]))
            tol = match_fraction * min(orbital_period_s(row["r1"], row["v1"]), orbital_period_s(row["r2"], row["v2"]))
            candidates = [ev for ev in candidates if not ev.persistent and abs((ev.tca - tca).total_seconds()) <= tol]
            best = min(candidates, key=lambda ev: abs((ev.tca - tca).total_seconds()), default=None)
        if best is None:
            new_rows.append(k)
        else:
            matched[best.id] = k
    return matched, new_rows


def close_reason(ev, window_start: datetime, window_end: datetime, screened: set[int]) -> str | None:
    """Why an open event that no result continued closes: TCA_PASSED when its TCA is
    before the window, OUT_OF_THRESHOLD when both objects were screened and its TCA is
    inside the window; None (stays open) otherwise."""
    if ev.tca < window_start:
        return TCA_PASSED
    if ev.tca <= window_end and ev.norad_id_1 in screened and ev.norad_id_2 in screened:
        return OUT_OF_THRESHOLD
    return None


def significant_change(ev, values: dict) -> bool:
    """Whether new screening values (the event's columns: tca, range_km, ...) differ from
    the event's beyond numerical noise (the *_TOLERANCE constants), or in routing or source."""
    if ((ev.level, ev.routing, ev.persistent, ev.source_1, ev.source_2, ev.source_flags)
            != tuple(values[k] for k in ("level", "routing", "persistent", "source_1", "source_2", "source_flags"))):
        return True
    if abs((ev.tca - values["tca"]).total_seconds()) > TCA_TOLERANCE_S:
        return True
    if abs(ev.range_km - values["range_km"]) > RANGE_TOLERANCE_KM:
        return True
    if abs(ev.relative_speed_km_s - values["relative_speed_km_s"]) > SPEED_TOLERANCE_KM_S:
        return True
    old, new = ev.pc, values["pc"]
    if (old is None) != (new is None):
        return True
    return old is not None and abs(new - old) > PC_RELATIVE_TOLERANCE * max(abs(old), abs(new))
