"""Re-entry watch: which objects come down within a horizon, when, and over where.

Model and assumptions:

- Candidates: every object whose perigee is below ``max_perigee_km`` (1000 km
  by default: light debris from 600-900 km comes down within weeks) is
  predicted from its own decay (n-dot, BSTAR or history); it is a candidate
  when its window opens within ``horizon_days`` of the catalogue's latest
  epoch, or its perigee is below ``low_perigee_km`` whatever its prediction.
- Drag: tangential, the atmosphere at rest, Earth spherical; the orbit-averaged
  decay of semi-major axis and eccentricity (``reentry_kernels.decay_times``)
  is integrated until the perigee is at ``REENTRY_KM`` (100 km; the last
  descent from there takes minutes).
- Atmosphere: NRLMSISE-00 (``pymsis``, version 0), the mass density averaged
  over longitude (all local times) and latitude (area-weighted, +/-80 deg), as
  a table of ln(rho) against height, one table per day of element-set epoch.
- Solar activity: data shipped in ``ssa/detect/data/space_weather.csv``
  (CelesTrak's SW-All.csv, observed values), only what is known at the epoch:
  the fit's atmosphere has the daily F10.7 and Ap of the RECENT_DAYS (3) up to
  it (the span an element set's n-dot reflects) and the 81-day F10.7 mean; the
  prediction's has the 81-day means of F10.7 and Ap, held for the whole
  prediction (persistence; no forecast). Past the table's last day, its last
  days stand in.
- Fit: the ballistic coefficient B = Cd A/m (m^2/kg) is fitted so that the
  model's decay of the semi-major axis at the epoch equals the observed one:
  from the object's history when it has element sets spanning at least
  ``MIN_HISTORY_DAYS`` (least-squares slope of mean motion over the last
  ``HISTORY_DAYS``), else from the element set's n-dot, else from BSTAR
  (B = 2 B* / rho0, rho0 = 0.15696615 kg/m^2/earth radius). B absorbs the
  model's bias in density level, atmospheric rotation and Cd; the table shapes
  the decay with height.
- Window: from (1 - WINDOW_EARLY) to (1 + WINDOW_LATE) times the remaining
  time predicted from the element set's epoch: measured on real re-entries
  (benchmarks/README.md). The model comes down early on average (persistence
  of high solar activity, decay dates that lag), so the window reaches far
  past the prediction; it tightens in proportion as re-entry nears.
- Where: the ground track inside the window (``reentry_kernels.ground_track``,
  10 s grid, coarser beyond MAX_TRACK_POINTS: two-body with the decaying mean
  motion, J2 drift of node and perigee), of the decay stretched to end at the window's end (B divided by
  1 + WINDOW_LATE): over a window of more than hours the phase along the orbit
  is unknown, so the track stands for the ground the object can come down on.
  Its closest distance to Dutch territory (``dutch_territory.csv``, Natural
  Earth 1:10m admin-0, public domain): a pass within ``margin_km`` (the
  footprint) is a crossing; the share of the window's track within the margin
  is the chance of coming down there (re-entry time uniform over the window),
  and a region with at least MIN_REGION_SHARE is one the re-entry is over.

Times are UTC; distances km; angles degrees in the results.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources

import numpy as np

from ssa.catalog.model import Catalog
from ssa.catalog.summary import semi_major_axis_km
from ssa.constants import MINUTES_PER_DAY
from ssa.detect.reentry_kernels import (
    R_EARTH_KM,
    decay_rates,
    decay_times,
    decay_times_reference,
    ground_track,
    territory_distance,
)
from ssa.timeutil import jd_to_datetime64, unix_days

REENTRY_KM = 100.0  # perigee height taken as re-entry (km)
# the window: from (1 - WINDOW_EARLY) to (1 + WINDOW_LATE) times the predicted remaining time, the
# central 85 % of actual/predicted remaining time measured on the even NORAD ids of the 2024-11-01
# re-entries (benchmarks/detect_reentry.py; the usual +/-20 % holds about a third)
WINDOW_EARLY, WINDOW_LATE = 0.10, 3.0
# a region is "under" the re-entry when at least this share of the window's track passes within the
# margin: a window of days sweeps every latitude band the orbit reaches (0.02-0.15 % near the
# Netherlands for NEOWISE and two Starlinks of 2024-11), one of an hour over the country a few per cent
MIN_REGION_SHARE = 0.01
TRACK_STEP_S = 10.0  # ground-track sampling (s): 75 km along the track ...
MAX_TRACK_POINTS = 50_000  # ... or coarser, for windows of more than 5.8 days (dense tracks then)
HISTORY_DAYS = 10.0  # the fit uses the element sets of the last HISTORY_DAYS
MIN_HISTORY_DAYS = 1.0  # shortest span of element sets that gives a slope
BSTAR_RHO0 = 0.15696615  # kg/m^2/earth radius: B* = rho0 B / 2 (Vallado, SGP4)
TABLE_H0_KM, TABLE_DH_KM, TABLE_TOP_KM = 80.0, 4.0, 1200.0
RECENT_DAYS = 3  # days of solar activity behind an element set's n-dot


@dataclass(frozen=True)
class SolarActivity:
    """Solar and geomagnetic activity that drives the atmosphere model."""

    f107_81: float  # sfu, average of the 81 days up to the date
    ap_81: float  # mean daily Ap of those days
    f107_recent: float  # sfu, average of the RECENT_DAYS up to the date (the span an element set is fitted over)
    ap_recent: float  # mean daily Ap of those days
    last_day: str  # last observed day used (ISO date)


@cache
def _space_weather() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days since 1970 (int), F10.7 observed sfu, daily Ap) from the shipped table."""
    path = resources.files("ssa.detect").joinpath("data/space_weather.csv")
    days, f107, ap = [], [], []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            days.append(np.datetime64(row["DATE"], "D").astype(np.int64))
            f107.append(float(row["F10.7_OBS"]))
            ap.append(float(row["AP_AVG"]))
    return np.array(days), np.array(f107), np.array(ap)


def solar_activity(day: np.datetime64) -> SolarActivity:
    """Activity known on ``day`` (UTC): the 81 observed days up to it; after the
    table's last day, its last 81 days (persistence)."""
    days, f107, ap = _space_weather()
    end = int(np.searchsorted(days, np.datetime64(day, "D").astype(np.int64), side="right"))
    if end < 81:
        raise ValueError(f"no space weather before {np.datetime64(day, 'D')}: the shipped table starts "
                         f"{np.datetime64(int(days[0]), 'D')}")
    sl, recent = slice(end - 81, end), slice(end - RECENT_DAYS, end)
    return SolarActivity(float(f107[sl].mean()), float(ap[sl].mean()), float(f107[recent].mean()),
                         float(ap[recent].mean()), str(np.datetime64(int(days[end - 1]), "D")))


@cache
def density_table(f107: float, f107_81: float, ap: float) -> np.ndarray:
    """ln(mass density kg/m^3) at heights TABLE_H0_KM, +TABLE_DH_KM, ... TABLE_TOP_KM:
    NRLMSISE-00 averaged over longitude and latitude (area-weighted) at one UTC
    time, daily F10.7 ``f107``, 81-day ``f107_81`` (sfu), daily Ap ``ap``."""
    import pymsis

    heights = np.arange(TABLE_H0_KM, TABLE_TOP_KM + TABLE_DH_KM / 2, TABLE_DH_KM)
    lons = np.arange(0.0, 360.0, 45.0)
    lats = np.arange(-80.0, 81.0, 20.0)
    out = pymsis.calculate(np.array(["2000-03-20T12:00"], dtype="datetime64[s]"), lons, lats, heights,
                           [f107], [f107_81], [[ap] * 7], version=0)
    rho = out[0, :, :, :, 0]  # (lon, lat, height)
    weight = np.cos(np.radians(lats))[None, :, None]
    mean = (rho * weight).sum(axis=(0, 1)) / (weight.sum() * len(lons))
    return np.log(mean)


def _epoch_datetime64(catalog: Catalog) -> np.ndarray:
    return jd_to_datetime64(catalog.epoch_jd, catalog.epoch_fr).astype("datetime64[ms]")


@dataclass(frozen=True)
class Reentry:
    """The re-entry prediction of one object (UTC, km, m^2/kg)."""

    norad_id: int
    name: str
    object_id: str
    owner: str
    object_type: str
    epoch: datetime  # of the element set the prediction starts from
    perigee_km: float
    apogee_km: float
    inclination_deg: float
    ballistic_m2_kg: float  # fitted B = Cd A / m
    fit: str  # "history", "ndot" or "bstar"; "" when no decay could be fitted
    predicted: datetime | None  # None: not within the prediction span
    window_start: datetime | None
    window_end: datetime | None
    low_perigee: bool
    territory_km: dict = field(default_factory=dict)  # Dutch territory -> closest ground-track distance
    crosses: tuple = ()  # Dutch territories passed within the margin
    regions: tuple = ()  # interest.toml regions of those: nl-europe, nl-caribbean
    # region -> share of the window's ground track within the margin of its territory: the chance
    # of coming down there when the re-entry time is uniform over the window
    region_share: dict = field(default_factory=dict)

    @property
    def dutch_object(self) -> bool:
        return self.owner == "NETH"

    @property
    def over_dutch_region(self) -> str:
        """The region (nl-europe, nl-caribbean) with the largest share of the window's
        track when that share is at least MIN_REGION_SHARE, else ""."""
        region, share = max(self.region_share.items(), key=lambda kv: kv[1], default=("", 0.0))
        return region if share >= MIN_REGION_SHARE else ""

    @property
    def dutch_interest(self) -> bool:
        return self.dutch_object or bool(self.over_dutch_region)


def fit_ballistic(catalog: Catalog, history: Catalog | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(B m^2/kg, how) per row of ``catalog``: the observed decay of the semi-major
    axis at the epoch (history slope, else n-dot) divided by the model's decay at
    B = 1 m^2/kg, else from BSTAR; NaN (how "") where none gives a positive B."""
    a = semi_major_axis_km(catalog.no_kozai)
    n = catalog.no_kozai
    ndot = 2.0 * catalog.ndot  # catalogue ndot is n-dot / 2, rad/min^2
    how = np.full(len(catalog), "ndot", dtype=object)
    if history is not None and len(history):
        slopes = _history_slopes(catalog, history)
        use = np.isfinite(slopes)
        ndot = np.where(use, slopes, ndot)
        how[use] = "history"
    observed = -(2.0 / 3.0) * a / n * ndot * MINUTES_PER_DAY  # km/day
    unit = _model_rates(catalog, a, np.ones(len(catalog)))
    with np.errstate(divide="ignore", invalid="ignore"):
        b = observed / unit
    bstar_b = 2.0 * catalog.bstar / BSTAR_RHO0
    fallback = ~(b > 0) & (bstar_b > 0)
    b = np.where(fallback, bstar_b, b)
    how[fallback] = "bstar"
    b = np.where(b > 0, b, np.nan)
    how[np.isnan(b)] = ""
    return b, how


def _history_slopes(catalog: Catalog, history: Catalog) -> np.ndarray:
    """Least-squares d(mean motion)/dt (rad/min^2) of each catalogue object over
    the history's element sets within HISTORY_DAYS before its epoch; NaN where
    they span less than MIN_HISTORY_DAYS."""
    t_hist = unix_days(history.epoch_jd, history.epoch_fr)
    t_cat = unix_days(catalog.epoch_jd, catalog.epoch_fr)
    order = np.argsort(history.norad_id, kind="stable")
    ids = history.norad_id[order]
    out = np.full(len(catalog), np.nan)
    for i, norad in enumerate(catalog.norad_id):
        lo, hi = np.searchsorted(ids, norad), np.searchsorted(ids, norad, side="right")
        rows = order[lo:hi]
        t = t_hist[rows]
        keep = (t <= t_cat[i] + 1e-6) & (t >= t_cat[i] - HISTORY_DAYS)
        t, n = t[keep], history.no_kozai[rows][keep]
        if len(t) < 2 or t.max() - t.min() < MIN_HISTORY_DAYS:
            continue
        slope_per_day = np.polyfit(t - t.mean(), n, 1)[0]  # rad/min per day
        out[i] = slope_per_day / MINUTES_PER_DAY
    return out


def density_tables(catalog: Catalog, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(table index per row, tables (k, n_heights)), one per epoch day: kind "fit"
    (the activity of the RECENT_DAYS behind the element set) or "predict" (the
    81-day averages, held)."""
    days = _epoch_datetime64(catalog).astype("datetime64[D]")
    unique, index = np.unique(days, return_inverse=True)
    tables = []
    for day in unique:
        s = solar_activity(day)
        if kind == "fit":
            tables.append(density_table(_rounded(s.f107_recent), _rounded(s.f107_81), _rounded(s.ap_recent)))
        else:
            tables.append(density_table(_rounded(s.f107_81), _rounded(s.f107_81), _rounded(s.ap_81)))
    return index.astype(np.int64), np.array(tables)


def _rounded(index: float) -> float:
    """Solar indices to 2 units (sfu or Ap): finer than the model can use, and
    days of similar activity share one table."""
    return float(2.0 * round(index / 2.0))


def _model_rates(catalog: Catalog, a_km: np.ndarray, ballistic: np.ndarray) -> np.ndarray:
    """da/dt (km/day) of each row at its epoch, in the atmosphere of its fit table."""
    index, tables = density_tables(catalog, "fit")
    return np.array([decay_rates(a_km[i], catalog.ecco[i], ballistic[i], tables[index[i]], TABLE_H0_KM,
                                 TABLE_DH_KM)[0] for i in range(len(catalog))])


def predict_decay(catalog: Catalog, ballistic: np.ndarray, max_days, kernel: str = "numba") -> np.ndarray:
    """Days from each row's epoch to re-entry (NaN beyond max_days, one for all rows or
    one per row, or without B);
    kernel "numba" or "numpy" (the plain reference, same steps)."""
    a = semi_major_axis_km(catalog.no_kozai)
    index, tables = density_tables(catalog, "predict")
    ok = np.isfinite(ballistic)
    out = np.full(len(catalog), np.nan)
    args = (a[ok], catalog.ecco[ok], ballistic[ok], index[ok], tables, TABLE_H0_KM, TABLE_DH_KM, REENTRY_KM,
            np.broadcast_to(np.asarray(max_days, dtype=np.float64), (len(catalog),))[ok].copy())
    if kernel == "numba":
        part = np.empty(int(ok.sum()))
        decay_times(*args, part)
    elif kernel == "numpy":
        part = decay_times_reference(*args)
    else:
        raise ValueError(f"kernel must be 'numba' or 'numpy', not {kernel!r}")
    out[ok] = part
    return out


def _utc(t: np.datetime64) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(t.astype("datetime64[ms]")
                                                                                   .astype(np.int64)))


def watch(catalog: Catalog, history: Catalog | None = None, horizon_days: float = 30.0,
          max_perigee_km: float = 1000.0, low_perigee_km: float = 180.0, margin_km: float | None = 100.0,
          kernel: str = "numba") -> list[Reentry]:
    """Re-entry candidates of ``catalog`` (one element set per object) with their
    predicted epoch and window, soonest first. ``history``: element sets of the
    same objects (any number each) for the fit. ``margin_km``: the footprint
    margin around Dutch territory; None skips the ground track."""
    a = semi_major_axis_km(catalog.no_kozai)
    perigee = a * (1.0 - catalog.ecco) - R_EARTH_KM
    sel = catalog.take(np.flatnonzero(perigee < max_perigee_km))
    if not len(sel):
        return []
    a = semi_major_axis_km(sel.no_kozai)
    perigee = a * (1.0 - sel.ecco) - R_EARTH_KM
    apogee = a * (1.0 + sel.ecco) - R_EARTH_KM
    ballistic, how = fit_ballistic(sel, history)
    epochs = _epoch_datetime64(sel)
    reference = epochs.max()
    ahead = (reference - epochs).astype("timedelta64[ms]").astype(np.float64) / 86400e3
    span = (horizon_days + ahead) / (1.0 - WINDOW_EARLY)
    # each object up to its own span: one old element set must not lengthen every object's run
    days = predict_decay(sel, ballistic, span, kernel=kernel)
    found = []
    for i in range(len(sel)):
        t = days[i]
        opens = t * (1.0 - WINDOW_EARLY) - ahead[i]  # window start, days after the reference
        low = bool(perigee[i] < low_perigee_km)
        if not (np.isfinite(t) and opens <= horizon_days) and not low:
            continue
        epoch = _utc(epochs[i])
        predicted = epoch + timedelta(days=float(t)) if np.isfinite(t) else None
        found.append(Reentry(
            norad_id=int(sel.norad_id[i]), name=str(sel.name[i]), object_id=str(sel.object_id[i]),
            owner=str(sel.owner[i]), object_type=str(sel.object_type[i]), epoch=epoch,
            perigee_km=float(perigee[i]), apogee_km=float(apogee[i]),
            inclination_deg=float(np.degrees(sel.inclo[i])), ballistic_m2_kg=float(ballistic[i]),
            fit=str(how[i]), predicted=predicted,
            window_start=None if predicted is None else epoch + timedelta(days=float(t) * (1 - WINDOW_EARLY)),
            window_end=None if predicted is None else epoch + timedelta(days=float(t) * (1 + WINDOW_LATE)),
            low_perigee=low,
            **({} if predicted is None or margin_km is None else
               _where(sel, i, ballistic[i], float(t), margin_km)),
        ))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda r: (r.predicted or far, r.norad_id))


@cache
def dutch_territory() -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shipped Dutch territory polygons (Natural Earth 1:10m admin-0, public
    domain): ([(region, territory)] per polygon, lon deg, lat deg, ring starts
    (n_polygons + 1), boxes (n_polygons, 4): lon min/max, lat min/max)."""
    path = resources.files("ssa.detect").joinpath("data/dutch_territory.csv")
    names, lon, lat, starts, last = [], [], [], [], None
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["polygon"] != last:
                last = row["polygon"]
                names.append((row["region"], row["territory"]))
                starts.append(len(lon))
            lon.append(float(row["lon_deg"]))
            lat.append(float(row["lat_deg"]))
    starts.append(len(lon))
    lon_a, lat_a, start_a = np.array(lon), np.array(lat), np.array(starts, dtype=np.int64)
    boxes = np.array([[lon_a[s:e].min(), lon_a[s:e].max(), lat_a[s:e].min(), lat_a[s:e].max()]
                      for s, e in zip(start_a[:-1], start_a[1:])])
    return names, lon_a, lat_a, start_a, boxes


def gmst_rad(jd_utc: float) -> float:
    """Earth rotation angle (rad) at a UTC Julian date, UT1 = UTC (IAU 1982 linear term)."""
    return float(np.radians((280.46061837 + 360.98564736629 * (jd_utc - 2451545.0)) % 360.0))


def track(catalog: Catalog, row: int, ballistic: float, start_days: float, end_days: float,
          step_s: float = TRACK_STEP_S) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days after epoch, lat deg, lon deg) of row's ground track from start_days
    to end_days after its epoch, decaying with ``ballistic`` (m^2/kg)."""
    index, tables = density_tables(catalog.take([row]), "predict")
    t = np.arange(start_days, end_days, step_s / 86400.0)
    lat, lon = np.empty(len(t)), np.empty(len(t))
    a = float(semi_major_axis_km(catalog.no_kozai[row]))
    ground_track(a, float(catalog.ecco[row]), float(catalog.inclo[row]), float(catalog.nodeo[row]),
                 float(catalog.argpo[row]), float(catalog.mo[row]), float(ballistic), tables[index[0]],
                 TABLE_H0_KM, TABLE_DH_KM, REENTRY_KM,
                 gmst_rad(float(catalog.epoch_jd[row]) + float(catalog.epoch_fr[row])), t, lat, lon)
    return t, lat, lon


def _where(catalog: Catalog, row: int, ballistic: float, days: float, margin_km: float) -> dict:
    """territory_km, crosses and regions of row's ground track inside its window."""
    start, end = days * (1 - WINDOW_EARLY), days * (1 + WINDOW_LATE)
    step = max(TRACK_STEP_S, (end - start) * 86400.0 / MAX_TRACK_POINTS)
    _t, lat, lon = track(catalog, row, ballistic / (1 + WINDOW_LATE), start, end, step)
    names, poly_lon, poly_lat, starts, boxes = dutch_territory()
    dist = np.empty((len(lat), len(names)))
    territory_distance(lat, lon, poly_lon, poly_lat, starts, boxes, float(margin_km), dist)
    nearest = dist.min(axis=0) if len(dist) else np.full(len(names), np.inf)
    flying = np.isfinite(lat)
    share = {}
    for region in sorted({region for region, _t in names}):
        columns = [k for k, (r, _t) in enumerate(names) if r == region]
        near = (dist[:, columns] <= margin_km).any(axis=1)
        share[region] = round(float(near[flying].mean()) if flying.any() else 0.0, 5)
    closest: dict[str, float] = {}
    for k, (_region, territory) in enumerate(names):
        d = float(nearest[k])
        if np.isfinite(d):
            closest[territory] = round(min(d, closest.get(territory, np.inf)), 1)
    crosses = tuple(sorted(name for name, d in closest.items() if d <= margin_km))
    regions = tuple(sorted({region for region, territory in names if territory in crosses}))
    return {"territory_km": closest, "crosses": crosses, "regions": regions, "region_share": share}


def read_decay_dates(path) -> dict[int, np.datetime64]:
    """NORAD id -> actual decay day (UTC) from a CSV with NORAD_CAT_ID and
    DECAY_DATE columns (CelesTrak SATCAT / Space-Track decay layout)."""
    with open(path, newline="", encoding="utf-8") as f:
        return {int(row["NORAD_CAT_ID"]): np.datetime64(row["DECAY_DATE"], "D") for row in csv.DictReader(f)
                if row.get("DECAY_DATE")}


@dataclass(frozen=True)
class Accuracy:
    """Predicted against actual re-entry for the objects that came down within
    ``within_days`` of ``since``. Errors: |predicted - actual| with the actual
    time the middle of its day; fraction: of the actual remaining time from the
    element set's epoch. Inside: the window overlaps the actual day."""

    within_days: float
    objects: int  # that came down in the period (and are in the catalogue)
    predicted: int  # of those with a prediction
    median_error_days: float
    p90_error_days: float
    median_error_fraction: float
    p90_error_fraction: float
    median_signed_fraction: float  # (predicted - actual) / remaining: < 0 early
    inside_window: float  # share of ``objects`` (no prediction counts as outside)


def accuracy(predictions: list[Reentry], decay_dates: dict[int, np.datetime64], since: np.datetime64,
             within_days: float, early: float = WINDOW_EARLY, late: float = WINDOW_LATE,
             norad_ids=None) -> Accuracy:
    """Score ``predictions`` against actual decay days for the objects that came
    down within ``within_days`` of ``since`` (and, when given, are in ``norad_ids``),
    with the window (1 - early, 1 + late) times the predicted remaining time."""
    by_id = {r.norad_id: r for r in predictions}
    start = np.datetime64(since, "D")
    ids = [n for n, day in decay_dates.items() if 0 <= (day - start).astype(int) <= within_days
           and (norad_ids is None or n in norad_ids)]
    errors, fractions, signed, inside = [], [], [], 0
    for n in ids:
        r = by_id.get(n)
        if r is None or r.predicted is None:
            continue
        day0 = _utc(decay_dates[n].astype("datetime64[ms]"))
        actual = day0 + timedelta(hours=12)
        remaining = max((actual - r.epoch).total_seconds(), 3600.0)
        predicted_s = (r.predicted - r.epoch).total_seconds()
        error = (r.predicted - actual).total_seconds()
        errors.append(abs(error) / 86400.0)
        fractions.append(abs(error) / remaining)
        signed.append(error / remaining)
        opens = r.epoch + timedelta(seconds=predicted_s * (1 - early))
        closes = r.epoch + timedelta(seconds=predicted_s * (1 + late))
        inside += opens < day0 + timedelta(days=1) and closes > day0

    def q(values, p):
        return float(np.percentile(values, p)) if values else float("nan")

    return Accuracy(within_days, len(ids), len(errors), q(errors, 50), q(errors, 90), q(fractions, 50),
                    q(fractions, 90), q(signed, 50), inside / len(ids) if ids else float("nan"))


RECORD_FIELDS = ("NORAD_CAT_ID", "OBJECT_NAME", "OBJECT_ID", "OWNER", "OBJECT_TYPE", "EPOCH", "PERIGEE_KM",
                 "APOGEE_KM", "INCLINATION_DEG", "BALLISTIC_M2_KG", "FIT", "PREDICTED_REENTRY", "WINDOW_START",
                 "WINDOW_END", "LOW_PERIGEE", "DUTCH_TERRITORY", "DUTCH_REGIONS", "CLOSEST_DUTCH_KM",
                 "SHARE_NL_EUROPE", "SHARE_NL_CARIBBEAN", "OVER_DUTCH_REGION", "DUTCH_INTEREST")


def to_records(found: list[Reentry]) -> list[dict]:
    """One flat row per prediction (UTC ISO times, km, m^2/kg), RECORD_FIELDS."""
    def iso(t):
        return "" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")

    return [{
        "NORAD_CAT_ID": r.norad_id, "OBJECT_NAME": r.name, "OBJECT_ID": r.object_id, "OWNER": r.owner,
        "OBJECT_TYPE": r.object_type, "EPOCH": iso(r.epoch), "PERIGEE_KM": round(r.perigee_km, 1),
        "APOGEE_KM": round(r.apogee_km, 1), "INCLINATION_DEG": round(r.inclination_deg, 3),
        "BALLISTIC_M2_KG": round(r.ballistic_m2_kg, 5), "FIT": r.fit, "PREDICTED_REENTRY": iso(r.predicted),
        "WINDOW_START": iso(r.window_start), "WINDOW_END": iso(r.window_end), "LOW_PERIGEE": r.low_perigee,
        "DUTCH_TERRITORY": ";".join(r.crosses), "DUTCH_REGIONS": ";".join(r.regions),
        "CLOSEST_DUTCH_KM": min(r.territory_km.values()) if r.territory_km else "",
        "SHARE_NL_EUROPE": r.region_share.get("nl-europe", ""),
        "SHARE_NL_CARIBBEAN": r.region_share.get("nl-caribbean", ""), "OVER_DUTCH_REGION": r.over_dutch_region,
        "DUTCH_INTEREST": r.dutch_interest,
    } for r in found]


def ground_track_png(r: Reentry, catalog: Catalog, path) -> None:
    """The ground track of ``r`` inside its window over Dutch territory (PNG,
    longitude/latitude in degrees): the last day before the window's end, where
    the object comes down at the latest, and the territory polygons."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    row = int(catalog.index_of([r.norad_id])[0])
    days = (r.predicted - r.epoch).total_seconds() / 86400.0
    end = days * (1 + WINDOW_LATE)
    start = max(days * (1 - WINDOW_EARLY), end - 1.0)
    _t, lat, lon = track(catalog, row, r.ballistic_m2_kg / (1 + WINDOW_LATE), start, end, 30.0)
    fig, ax = plt.subplots(figsize=(10, 5))
    lon_plot = np.where(np.abs(np.diff(lon, prepend=lon[0])) > 180, np.nan, lon)
    ax.plot(lon_plot, lat, lw=0.5, color="tab:blue", label="ground track, last day of the window")
    names, poly_lon, poly_lat, starts, _boxes = dutch_territory()
    for k in range(len(names)):
        ring_lon, ring_lat = poly_lon[starts[k]:starts[k + 1]], poly_lat[starts[k]:starts[k + 1]]
        ax.fill(ring_lon, ring_lat, color="tab:orange")
        ax.plot(ring_lon.mean(), ring_lat.mean(), "o", ms=3, color="tab:orange",
                label="Dutch territory" if k == 0 else None)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    crossing = ", ".join(r.crosses) or "none"
    ax.set_title(f"{r.norad_id} {r.name}: re-entry {r.predicted:%Y-%m-%d %H:%M}Z, window "
                 f"{r.window_start:%m-%d}..{r.window_end:%m-%d}; Dutch territory crossed: {crossing}", fontsize=9)
    ax.legend(loc="lower left", fontsize=8)
    fig.savefig(path, dpi=100)
    plt.close(fig)
