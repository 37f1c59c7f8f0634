"""Manoeuvre detection in element-set histories.

Per object, each element set is predicted from the one before with SGP4 (the
project's numba propagator) and compared at its own epoch: semi-major axis,
orbit plane and eccentricity vector of both TEME states
(``ssa.detect.manoeuvre_kernels``). Drag and the fit noise of the catalogue
make these residuals scatter; a pair is a manoeuvre when a residual is further
from the median of the object's own residuals than ``k`` times their robust
scatter (the 90th percentile of |residual - median| over 1.645: catalogue noise
is heavy-tailed, so the MAD alone underrates it), per residual (``delta_a_km``
signed, ``plane_rad`` and ``delta_e``), and the change persists. Flagged pairs close in
time are one manoeuvre (a burn leaves poorly fitted element sets behind); its
size comes from the last element set before it predicted to the first one
after them.

Delta-v (m/s) from Gauss' equations for a near-circular orbit: along-track
v da / 2a (signed: + raises the orbit), normal v times the plane change,
radial from the eccentricity change left over by the along-track part.
Reliable to tens of per cent for e < 0.1; the burn time is only known to lie
between the two epochs.

An object that manoeuvres often (at least ``routine_min`` manoeuvres in its
history) is a station-keeper; a manoeuvre of it is ``routine`` when its
dominant direction is its usual one and its size within ``routine_factor`` of
its median.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ssa.catalog.model import Catalog
from ssa.constants import SECONDS_PER_DAY
from ssa.detect.manoeuvre_kernels import N_RESIDUALS, pair_residuals, pair_residuals_reference
from ssa.propagate import init_params
from ssa.timeutil import unix_days, unix_days_to_datetime64

SCATTER_QUANTILE = 0.9  # of |residual - median|; manoeuvres must be rarer than 1 pair in 10
SCATTER_NORMAL = 1.6449  # that quantile of |x| for a unit normal x
# floors of the learnt scatter: TLE fits never resolve less (km, rad, -)
SCATTER_FLOOR = (0.002, 2e-7, 2e-7)
SCORED = (0, 1, 2)  # residual columns scored: delta_a_km, plane_rad, delta_e
DIRECTIONS = ("along-track", "normal", "radial")


@dataclass(frozen=True)
class Manoeuvre:
    """One manoeuvre found in an object's history (times UTC, TEME frame)."""

    norad_id: int
    name: str
    after: np.datetime64  # epoch of the last element set before the burn
    before: np.datetime64  # epoch of the first element set after it
    delta_v_m_s: float  # total of the components above the object's noise
    dv_along_m_s: float  # estimate, signed: + raises the orbit
    dv_normal_m_s: float  # estimate, magnitude
    dv_radial_m_s: float  # estimate, magnitude
    direction: str  # the component furthest over its threshold: along-track, normal or radial
    delta_a_km: float
    delta_i_deg: float
    delta_node_deg: float
    delta_e: float
    score: float  # largest residual over its learnt threshold (> 1)
    routine: bool  # the object's usual station-keeping
    row_after: int  # row of the history catalogue: element set before the burn
    row_before: int  # row: first element set after it
    source: str  # file:line of the first element set after it

    @property
    def epoch(self) -> np.datetime64:
        """Mid-point of the interval that holds the burn."""
        return self.after + (self.before - self.after) / 2


@dataclass(frozen=True)
class ManoeuvreResult:
    manoeuvres: list[Manoeuvre]
    skipped: list[str]  # objects with too short a history to learn a threshold, and why
    pairs: int  # element-set pairs compared


def history_pairs(catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, earlier, later): rows sorted by object then epoch, and successive pairs of
    one object (rows of the catalogue). Element sets repeating an epoch (within 1 s) are skipped."""
    days = unix_days(catalog.epoch_jd, catalog.epoch_fr)
    order = np.lexsort((days, catalog.norad_id))
    ids, t = catalog.norad_id[order], days[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (ids[1:] == ids[:-1]) & (t[1:] - t[:-1] < 1.0 / SECONDS_PER_DAY)
    order = order[~repeat]
    ids = catalog.norad_id[order]
    same = ids[1:] == ids[:-1]
    return order, order[:-1][same], order[1:][same]


def residuals(catalog: Catalog, earlier: np.ndarray, later: np.ndarray, reference: bool = False):
    """(out, err) of ``manoeuvre_kernels.pair_residuals`` for pairs of catalogue rows;
    ``reference``: the plain-numpy version with python-sgp4."""
    earlier = np.ascontiguousarray(earlier, dtype=np.int64)
    later = np.ascontiguousarray(later, dtype=np.int64)
    if reference:
        return pair_residuals_reference(catalog.satrecs(), earlier, later)
    out = np.empty((len(earlier), N_RESIDUALS))
    err = np.empty(len(earlier), dtype=np.uint8)
    pair_residuals(init_params(catalog), earlier, later, out, err)
    return out, err


def detect_manoeuvres(history: Catalog, k: float = 10.0, min_history: int = 8, merge_days: float = 2.0,
                      routine_min: int = 6, routine_factor: float = 3.0, reference: bool = False) -> ManoeuvreResult:
    """Manoeuvres of every object of an element-set history (``ssa.catalog.load(..., keep="all")``).

    ``k``: threshold in robust standard deviations of the object's own residuals;
    ``min_history``: fewest informative pairs to learn them (objects with fewer
    are skipped and listed). A pair counts only when the change persists: the
    set before it predicted to the set after the next one is flagged too (a
    single badly fitted element set is not a manoeuvre); the last pair of a
    history waits for the next element set. Flagged pairs less than
    ``merge_days`` apart are one manoeuvre: after a burn the catalogue's first
    fits absorb it into drag (wild BSTAR) and settle over a day or so.
    ``reference``: use the plain-numpy residuals (python-sgp4).
    """
    if k <= 0 or min_history < 3:
        raise ValueError(f"k must be > 0 and min_history >= 3, not k={k}, min_history={min_history}")
    _, earlier, later = history_pairs(history)
    days = unix_days(history.epoch_jd, history.epoch_fr)
    same_next = np.r_[history.norad_id[later[:-1]] == history.norad_id[earlier[1:]], False] if len(later) else \
        np.zeros(0, dtype=bool)
    bridge_of = np.flatnonzero(same_next)  # pair j -> bridge (earlier[j], later[j + 1])
    out, err = residuals(history, np.r_[earlier, earlier[bridge_of]], np.r_[later, later[bridge_of + 1]], reference)
    bridge = np.full((len(earlier), N_RESIDUALS), np.nan)
    bridge[bridge_of] = out[len(earlier):]
    bridge_err = np.ones(len(earlier), dtype=np.uint8)
    bridge_err[bridge_of] = err[len(earlier):]
    out, err = out[:len(earlier)], err[:len(earlier)]
    ids = history.norad_id[earlier]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.empty(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(ids)].astype(np.int64)
    found, skipped, event_pairs = [], [], []
    for s, e in zip(starts, ends):
        usable = np.flatnonzero(err[s:e] == 0) + s
        informative = usable[~_copies(out[usable])]
        if len(informative) < min_history:
            skipped.append(f"NORAD {int(ids[s])}: {len(informative)} informative element-set pairs, "
                           f"fewer than {min_history}")
            continue
        centre, scatter = _scatter(out[informative])
        scores = _scores(out[usable], centre, scatter, k)
        persists = (bridge_err[usable] == 0) & (_scores(bridge[usable], centre, scatter, k) > 1.0)
        flagged = usable[(scores > 1.0) & persists]
        apart = days[earlier[flagged[1:]]] - days[later[flagged[:-1]]] > merge_days
        for run in np.split(flagged, np.flatnonzero(apart) + 1) if len(flagged) else []:
            event_pairs.append((earlier[run[0]], later[run[-1]], float(scores[np.isin(usable, run)].max()),
                                centre, k * scatter))
    if event_pairs:
        ev_out, ev_err = residuals(history, np.array([p[0] for p in event_pairs]),
                                   np.array([p[1] for p in event_pairs]), reference)
        for (i, j, score, centre, threshold), row, bad in zip(event_pairs, ev_out, ev_err):
            if bad == 0:
                found.append(_manoeuvre(history, i, j, row, score, np.abs(row[list(SCORED)] - centre) / threshold,
                                        days))
    return ManoeuvreResult(_mark_routine(found, routine_min, routine_factor), skipped, len(earlier))


def _copies(res: np.ndarray) -> np.ndarray:
    """Pairs whose later set is the earlier one re-epoched (residuals at round-off): no information."""
    return (np.abs(res[:, 0]) < 1e-4) & (res[:, 1] < 1e-9)


def _scatter(res: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(median, robust scatter) of the scored residual columns, floored: the SCATTER_QUANTILE
    of |residual - median| over the normal quantile it would be (catalogue noise is
    heavy-tailed: the MAD alone underrates it)."""
    x = res[:, SCORED]
    centre = np.median(x, axis=0)
    spread = np.quantile(np.abs(x - centre), SCATTER_QUANTILE, axis=0) / SCATTER_NORMAL
    return centre, np.maximum(spread, SCATTER_FLOOR)


def _scores(res: np.ndarray, centre: np.ndarray, scatter: np.ndarray, k: float) -> np.ndarray:
    """Per pair: the largest |residual - median| / (k * scatter) over the scored columns (NaN: 0)."""
    z = np.abs(res[:, SCORED] - centre) / (k * scatter)
    return np.nan_to_num(z, nan=0.0).max(axis=1) if len(res) else np.zeros(0)


def _manoeuvre(history: Catalog, i: int, j: int, row: np.ndarray, score: float, z: np.ndarray,
               days: np.ndarray) -> Manoeuvre:
    """The manoeuvre from the residual row of its event pair; z: each scored residual over its
    threshold. The total delta-v counts the components whose residual exceeds its threshold (the
    others are within the object's noise); the direction is the one furthest over it."""
    parts = np.abs(row[[3, 4, 5]])  # along-track, normal, radial: the order of SCORED
    significant = z > 1.0 if (z > 1.0).any() else z == z.max()
    return Manoeuvre(
        norad_id=int(history.norad_id[j]), name=str(history.name[j]),
        after=unix_days_to_datetime64(days[i]), before=unix_days_to_datetime64(days[j]),
        delta_v_m_s=float(np.sqrt((parts[significant] ** 2).sum())), dv_along_m_s=float(row[3]),
        dv_normal_m_s=float(row[4]), dv_radial_m_s=float(row[5]), direction=DIRECTIONS[int(z.argmax())],
        delta_a_km=float(row[0]), delta_i_deg=float(np.degrees(row[6])), delta_node_deg=float(np.degrees(row[7])),
        delta_e=float(row[2]), score=score, routine=False, row_after=int(i), row_before=int(j),
        source=str(history.source[j]),
    )


def _mark_routine(found: list[Manoeuvre], routine_min: int, routine_factor: float) -> list[Manoeuvre]:
    """Set ``routine`` on the usual manoeuvres of objects that manoeuvre at least routine_min times."""
    by_object: dict[int, list[Manoeuvre]] = {}
    for m in found:
        by_object.setdefault(m.norad_id, []).append(m)
    out = []
    for mans in by_object.values():
        if len(mans) < routine_min:
            out += mans
            continue
        directions = [m.direction for m in mans]
        usual = max(set(directions), key=directions.count)
        median_dv = float(np.median([m.delta_v_m_s for m in mans]))
        out += [replace(m, routine=m.direction == usual
                        and median_dv / routine_factor <= m.delta_v_m_s <= median_dv * routine_factor) for m in mans]
    return out


RECORD_FIELDS = ("norad_id", "name", "after", "before", "delta_v_m_s", "dv_along_m_s", "dv_normal_m_s",
                 "dv_radial_m_s", "direction", "delta_a_km", "delta_i_deg", "delta_node_deg", "delta_e", "score",
                 "routine", "source")


def to_records(manoeuvres: list[Manoeuvre]) -> list[dict]:
    """Plain rows for CSV/JSON: times ISO 8601 UTC ('Z'), numbers rounded to their meaning."""
    rows = []
    for m in manoeuvres:
        row = {f: getattr(m, f) for f in RECORD_FIELDS}
        for key in ("after", "before"):
            row[key] = str(row[key].astype("datetime64[s]")) + "Z"
        for key in ("delta_v_m_s", "dv_along_m_s", "dv_normal_m_s", "dv_radial_m_s", "score"):
            row[key] = round(row[key], 4)
        row["delta_a_km"] = round(row["delta_a_km"], 5)
        rows.append(row)
    return rows
