"""Reconnaissance overflights: when watching satellites can see sensitive sites, and the free windows between.

A sites file (TOML, ``load_sites``) names each site with its WGS-84 position,
sensitivity, optional polygon and the parties allowed to read its passes. A
watchers file (TOML, ``load_watchers``) says which satellites can image a site
(NORAD ids, and rules on SATCAT owner, object type and orbit) and with which
sensor: optical needs the site sunlit (Sun elevation above a threshold) and the
satellite above a minimum elevation or within a maximum off-nadir angle; radar
works day and night. ``find_overflights`` propagates with ``ssa.propagate``'s
SGP4 and finds every pass in numba (``overflight_kernels.find_passes``):
rise, culmination and set to 1 ms, maximum elevation, off-nadir angle at
culmination. ``passes_reference`` is the plain-numpy reference (python-sgp4 on
a 1 s grid) the tests hold the kernel to.

Times are UTC; elevation, azimuth and off-nadir in degrees; ranges in km.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import numpy as np

from ssa.catalog.model import Catalog

SITES_EXAMPLE = resources.files("ssa.detect") / "data" / "sites_example.toml"
WATCHERS_DEFAULT = resources.files("ssa.detect") / "data" / "watchers_default.toml"
SENSITIVITIES = ("public", "restricted", "confidential", "secret")
SENSORS = ("optical", "radar")
ORBITS = ("any", "leo", "sso")
J2 = 1.08262998905e-3
EARTH_RADIUS_KM = 6378.135  # WGS-72, as SGP4
MU_KM3_S2 = 398600.8
SSO_RATE_DEG_DAY = 360.0 / 365.2421897  # nodal precession of a sun-synchronous orbit
SSO_TOLERANCE_DEG_DAY = 0.1
LEO_MIN_REV_DAY = 11.25

PASS_DTYPE = np.dtype([
    ("site", np.int64), ("sat", np.int64), ("norad_id", np.int64),
    ("rise_s", np.float64), ("culmination_s", np.float64), ("set_s", np.float64),  # from window start; NaN: outside
    ("max_elevation_deg", np.float64), ("off_nadir_deg", np.float64), ("azimuth_deg", np.float64),
    ("range_km", np.float64), ("sun_elevation_deg", np.float64), ("sunlit", np.bool_), ("usable", np.bool_),
])


class OverflightConfigError(ValueError):
    """A sites or watchers file is missing or malformed; the message names file, item and field."""


@dataclass(frozen=True)
class Site:
    """A location to protect: WGS-84 latitude/longitude (deg), altitude (m), and who may read its passes."""

    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    sensitivity: str
    readers: tuple[str, ...]  # party ids (ssa.respond parties.toml) allowed to read its passes
    polygon: tuple[tuple[float, float], ...] = ()  # (lat, lon) vertices, deg; passes cover all of them

    def points(self) -> list[tuple[float, float, float]]:
        """(lat deg, lon deg, alt km) of the reference point and the polygon's vertices."""
        return [(self.lat_deg, self.lon_deg, self.alt_m / 1000.0)] + \
            [(lat, lon, self.alt_m / 1000.0) for lat, lon in self.polygon]


@dataclass(frozen=True)
class Sensor:
    """What a watcher needs to see a site: elevation >= min_elevation_deg or off-nadir <= max_off_nadir_deg
    (0: not used); optical also a Sun elevation at the site above min_sun_elevation_deg."""

    kind: str = "optical"
    min_elevation_deg: float = 10.0
    max_off_nadir_deg: float = 0.0
    min_sun_elevation_deg: float = 0.0


@dataclass(frozen=True)
class WatcherRule:
    """Selects catalogue objects: SATCAT owners (empty: any), object types (empty: any), orbit class."""

    owners: tuple[str, ...]
    object_types: tuple[str, ...]
    orbit: str
    sensor: Sensor

    def matches(self, owner: str, object_type: str, orbit_classes: set[str]) -> bool:
        return ((not self.owners or owner in self.owners) and (not self.object_types or object_type in
                self.object_types) and self.orbit in orbit_classes)


@dataclass(frozen=True)
class Watchers:
    """Satellites by NORAD id (first) and rules (in order) with their sensors."""

    by_id: dict
    rules: tuple[WatcherRule, ...]

    def select(self, catalog: Catalog) -> tuple[np.ndarray, list[Sensor]]:
        """Rows of the catalogue that watch, and each one's sensor."""
        classes = orbit_classes(catalog)
        rows, sensors = [], []
        for i in range(len(catalog)):
            sensor = self.by_id.get(int(catalog.norad_id[i]))
            if sensor is None:
                sensor = next((r.sensor for r in self.rules if r.matches(str(catalog.owner[i]),
                               str(catalog.object_type[i]), classes[i])), None)
            if sensor is not None:
                rows.append(i)
                sensors.append(sensor)
        return np.array(rows, dtype=np.int64), sensors


def orbit_classes(catalog: Catalog) -> list[set[str]]:
    """Per object: {"any"} plus "leo" (>= 11.25 rev/day, e < 0.25) and "sso" (LEO with J2 nodal
    precession within 0.1 deg/day of the Sun's 0.9856 deg/day)."""
    n = catalog.no_kozai / 60.0  # rad/s
    a = (MU_KM3_S2 / n ** 2) ** (1.0 / 3.0)
    p = a * (1.0 - catalog.ecco ** 2)
    node_rate = np.degrees(-1.5 * J2 * (EARTH_RADIUS_KM / p) ** 2 * n * np.cos(catalog.inclo)) * 86400.0
    leo = (catalog.no_kozai * 1440.0 / (2.0 * math.pi) >= LEO_MIN_REV_DAY) & (catalog.ecco < 0.25)
    sso = leo & (np.abs(node_rate - SSO_RATE_DEG_DAY) <= SSO_TOLERANCE_DEG_DAY)
    return [{"any"} | ({"leo"} if leo[i] else set()) | ({"sso"} if sso[i] else set()) for i in range(len(catalog))]


# ----------------------------------------------------------------- configuration files

def _read(path) -> tuple[dict, str]:
    name = str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8") if isinstance(path, (str, Path))
                             else path.read_text(encoding="utf-8")), name
    except FileNotFoundError:
        raise OverflightConfigError(f"{name}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise OverflightConfigError(f"{name}: not valid TOML: {exc}") from None


def _number(entry: dict, key: str, where: str, low: float, high: float, default=None) -> float:
    value = entry.get(key, default)
    if value is None:
        raise OverflightConfigError(f"{where}: field '{key}' is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OverflightConfigError(f"{where}: field '{key}' must be a number, not {value!r}")
    if not low <= value <= high:
        raise OverflightConfigError(f"{where}: field '{key}' = {value} is outside [{low}, {high}]")
    return float(value)


def _strings(entry: dict, key: str, where: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise OverflightConfigError(f"{where}: field '{key}' must be a list of non-empty strings, not {value!r}")
    if required and not value:
        raise OverflightConfigError(f"{where}: field '{key}' must name at least one")
    return tuple(value)


def _unknown(entry: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(entry) - allowed)
    if extra:
        raise OverflightConfigError(f"{where}: unknown field(s) {extra} (allowed: {sorted(allowed)})")


def load_sites(path=SITES_EXAMPLE) -> list[Site]:
    """Read a sites TOML file: ``[[site]]`` tables with name, lat_deg, lon_deg, alt_m, sensitivity
    (one of SENSITIVITIES), readers (party ids) and optional polygon ([[lat, lon], ...], >= 3 vertices).
    OverflightConfigError names the file, the site and the field."""
    data, name = _read(path)
    _unknown(data, {"site"}, name)
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        raise OverflightConfigError(f"{name}: no [[site]] entries")
    sites, seen = [], set()
    for i, entry in enumerate(entries):
        label = entry.get("name") if isinstance(entry.get("name"), str) else None
        where = f"{name}: site[{i}]" + (f" '{label}'" if label else "")
        _unknown(entry, {"name", "lat_deg", "lon_deg", "alt_m", "sensitivity", "readers", "polygon"}, where)
        if not label or not label.strip():
            raise OverflightConfigError(f"{where}: field 'name' is required (a non-empty string)")
        if label in seen:
            raise OverflightConfigError(f"{where}: field 'name' repeats an earlier site")
        seen.add(label)
        sensitivity = entry.get("sensitivity")
        if sensitivity not in SENSITIVITIES:
            raise OverflightConfigError(f"{where}: field 'sensitivity' must be one of {list(SENSITIVITIES)}, "
                                        f"not {sensitivity!r}")
        polygon = entry.get("polygon", [])
        if not isinstance(polygon, list) or (polygon and len(polygon) < 3):
            raise OverflightConfigError(f"{where}: field 'polygon' must be a list of at least 3 [lat, lon] pairs")
        vertices = []
        for k, vertex in enumerate(polygon):
            if not isinstance(vertex, list) or len(vertex) != 2:
                raise OverflightConfigError(f"{where}: field 'polygon' vertex {k} must be [lat, lon]")
            vertices.append((_number({"lat": vertex[0]}, "lat", f"{where} polygon vertex {k}", -90, 90),
                             _number({"lon": vertex[1]}, "lon", f"{where} polygon vertex {k}", -180, 180)))
        sites.append(Site(
            name=label, lat_deg=_number(entry, "lat_deg", where, -90.0, 90.0),
            lon_deg=_number(entry, "lon_deg", where, -180.0, 180.0),
            alt_m=_number(entry, "alt_m", where, -500.0, 9000.0, default=0.0), sensitivity=sensitivity,
            readers=_strings(entry, "readers", where, required=True), polygon=tuple(vertices)))
    return sites


def _sensor(entry: dict, where: str, default: Sensor) -> Sensor:
    kind = entry.get("sensor", default.kind)
    if kind not in SENSORS:
        raise OverflightConfigError(f"{where}: field 'sensor' must be one of {list(SENSORS)}, not {kind!r}")
    return Sensor(kind, _number(entry, "min_elevation_deg", where, 0.0, 90.0, default.min_elevation_deg),
                  _number(entry, "max_off_nadir_deg", where, 0.0, 90.0, default.max_off_nadir_deg),
                  _number(entry, "min_sun_elevation_deg", where, -90.0, 90.0, default.min_sun_elevation_deg))


SENSOR_FIELDS = {"sensor", "min_elevation_deg", "max_off_nadir_deg", "min_sun_elevation_deg"}


def load_watchers(path=WATCHERS_DEFAULT) -> Watchers:
    """Read a watchers TOML file: optional ``[defaults]`` sensor fields, ``[[watcher]]`` tables
    (norad_ids plus sensor fields) and ``[[rule]]`` tables (owners, object_types, orbit one of
    ORBITS, plus sensor fields). OverflightConfigError names the file, the item and the field."""
    data, name = _read(path)
    _unknown(data, {"defaults", "watcher", "rule"}, name)
    defaults = data.get("defaults", {})
    _unknown(defaults, SENSOR_FIELDS, f"{name}: [defaults]")
    default = _sensor(defaults, f"{name}: [defaults]", Sensor())
    by_id = {}
    for i, entry in enumerate(data.get("watcher", [])):
        where = f"{name}: watcher[{i}]"
        _unknown(entry, SENSOR_FIELDS | {"norad_ids", "note"}, where)
        ids = entry.get("norad_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(n, int) and not isinstance(n, bool)
                                                             and n > 0 for n in ids):
            raise OverflightConfigError(f"{where}: field 'norad_ids' must be a non-empty list of positive integers")
        sensor = _sensor(entry, where, default)
        for n in ids:
            by_id[n] = sensor
    rules = []
    for i, entry in enumerate(data.get("rule", [])):
        where = f"{name}: rule[{i}]"
        _unknown(entry, SENSOR_FIELDS | {"owners", "object_types", "orbit", "note"}, where)
        orbit = entry.get("orbit", "any")
        if orbit not in ORBITS:
            raise OverflightConfigError(f"{where}: field 'orbit' must be one of {list(ORBITS)}, not {orbit!r}")
        rules.append(WatcherRule(_strings(entry, "owners", where), _strings(entry, "object_types", where), orbit,
                                 _sensor(entry, where, default)))
    if not by_id and not rules:
        raise OverflightConfigError(f"{name}: no [[watcher]] or [[rule]] entries: nothing would watch")
    return Watchers(by_id, tuple(rules))


# ----------------------------------------------------------------- geometry

def site_frames(lat_deg, lon_deg, alt_km):
    """WGS-84 geodetic (deg, deg, km) -> Earth-fixed positions (km) and local up, north, east unit vectors."""
    lat_deg, lon_deg, alt_km = (np.asarray(x, dtype=np.float64) for x in (lat_deg, lon_deg, alt_km))
    a, f = 6378.137, 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = a / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
    pos = np.stack([(n + alt_km) * np.cos(lat) * np.cos(lon), (n + alt_km) * np.cos(lat) * np.sin(lon),
                    (n * (1.0 - e2) + alt_km) * np.sin(lat)], axis=-1)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], axis=-1)
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
    return pos, up, north, east


def gmst82_numpy(jd_ut1) -> np.ndarray:
    """GMST 1982 (radians) at UT1 Julian dates (numpy)."""
    t = (np.asarray(jd_ut1, dtype=np.float64) - 2451545.0) / 36525.0
    sec = -6.2e-6 * t ** 3 + 0.093104 * t ** 2 + (876600.0 * 3600.0 + 8640184.812866) * t + 67310.54841
    return np.mod(np.radians(sec / 240.0), 2.0 * np.pi)


def teme_to_earth_fixed(r_teme, jd_ut1) -> np.ndarray:
    """TEME (..., n_time, 3) km -> Earth-fixed km, rotating by GMST 1982 (polar motion ignored)."""
    theta = gmst82_numpy(jd_ut1)
    c, s = np.cos(theta), np.sin(theta)
    r = np.asarray(r_teme)
    return np.stack([c * r[..., 0] + s * r[..., 1], -s * r[..., 0] + c * r[..., 1], r[..., 2]], axis=-1)


def sun_elevation_deg(jd_utc, site_pos, site_up) -> np.ndarray:
    """Sun elevation (deg) at Earth-fixed sites (km) at UTC Julian dates: low-precision solar position of
    the Astronomical Almanac (about 0.01 deg), in the mean equator frame, taken as TEME."""
    jd = np.asarray(jd_utc, dtype=np.float64)
    t = (jd - 2451545.0) / 36525.0
    mean_lon = np.radians(280.460 + 36000.771 * t)
    anomaly = np.radians(357.5291092 + 35999.05034 * t)
    ecl_lon = mean_lon + np.radians(1.914666471 * np.sin(anomaly) + 0.019994643 * np.sin(2.0 * anomaly))
    dist_km = (1.000140612 - 0.016708617 * np.cos(anomaly) - 0.000139589 * np.cos(2.0 * anomaly)) * 149597870.7
    eps = np.radians(23.439291 - 0.0130042 * t)
    sun = np.stack([np.cos(ecl_lon), np.cos(eps) * np.sin(ecl_lon), np.sin(eps) * np.sin(ecl_lon)], axis=-1)
    sun = teme_to_earth_fixed(sun * dist_km[..., None], jd)
    d = sun - site_pos
    return np.degrees(np.arcsin(np.sum(d * site_up, axis=-1) / np.linalg.norm(d, axis=-1)))


# ----------------------------------------------------------------- passes

def _merge(passes: np.ndarray, total_s: float) -> np.ndarray:
    """One row per overlapping (site, satellite) pass: the union of the rows' [rise, set] (several
    polygon points, or several maxima of one pass), with the highest culmination."""
    if not len(passes):
        return passes
    rise = np.nan_to_num(passes["rise_s"], nan=-1.0)
    end = np.nan_to_num(passes["set_s"], nan=total_s + 1.0)
    order = np.lexsort((rise, passes["sat"], passes["site"]))
    passes, rise, end = passes[order], rise[order], end[order]
    key = np.cumsum(np.r_[True, (passes["site"][1:] != passes["site"][:-1]) | (passes["sat"][1:] != passes["sat"][:-1])])
    span = total_s + 3.0
    reach = np.maximum.accumulate(key * span + end) - key * span  # latest set so far within the key
    new = np.r_[True, (key[1:] != key[:-1]) | (rise[1:] > reach[:-1])]
    block = np.cumsum(new) - 1
    firsts = np.flatnonzero(new)
    best = np.lexsort((-passes["max_elevation_deg"], block))
    best = best[np.r_[True, block[best][1:] != block[best][:-1]]]
    out = passes[best].copy()
    out["rise_s"] = passes["rise_s"][firsts]
    last_end = np.maximum.reduceat(end, firsts)
    out["set_s"] = np.where(last_end > total_s, np.nan, last_end)
    out["off_nadir_deg"] = np.minimum.reduceat(passes["off_nadir_deg"], firsts)
    return out


def find_overflights(catalog: Catalog, sites: list[Site], start, days: float, sensors: list[Sensor] | None = None,
                     step_s: float = 60.0) -> np.ndarray:
    """Every pass of every catalogue object over every site in [start, start + days] (PASS_DTYPE,
    sorted by site then rise).

    ``sensors``: one per catalogue row (default: ``Sensor()`` for all); the pass is where the
    sensor's elevation / off-nadir limit is met. ``sunlit``: Sun elevation at the site at
    culmination above the sensor's threshold; ``usable``: radar, or optical and sunlit. Times are
    seconds from ``start`` (UTC); rise or set NaN where the pass begins before or ends after the window.
    """
    from ssa.detect.overflight_kernels import N_PASS_COLUMNS, find_passes
    from ssa.propagate import init_params
    from ssa.screen.engine import to_julian

    sensors = sensors if sensors is not None else [Sensor()] * len(catalog)
    if len(sensors) != len(catalog):
        raise ValueError(f"{len(sensors)} sensors for {len(catalog)} catalogue objects")
    if days <= 0 or step_s <= 0:
        raise ValueError("days and step_s must be positive")
    start_jd, start_fr = to_julian(start)
    points, owner = [], []
    for s, site in enumerate(sites):
        for point in site.points():
            points.append(point)
            owner.append(s)
    lat, lon, alt = (np.array(col) for col in zip(*points)) if points else (np.zeros(0),) * 3
    pos, up, north, east = site_frames(lat, lon, alt)
    n_steps = int(math.ceil(days * 86400.0 / step_s - 1e-9))
    step = days * 86400.0 / n_steps
    if len(catalog) == 0 or not points:
        return np.zeros(0, PASS_DTYPE)
    params = init_params(catalog)
    base_min = (start_jd - catalog.epoch_jd) * 1440.0 + (start_fr - catalog.epoch_fr) * 1440.0
    min_el = np.array([s.min_elevation_deg for s in sensors])
    max_off = np.array([s.max_off_nadir_deg for s in sensors])
    cap = max(8, int(days * 8) * len(points))
    while True:
        out = np.empty((len(catalog), cap, N_PASS_COLUMNS))
        n_out = np.zeros(len(catalog), dtype=np.int64)
        stopped = np.empty(len(catalog))
        find_passes(params, base_min, start_jd, start_fr, n_steps, step, pos, up, north, east, min_el, max_off,
                    out, n_out, stopped)
        if n_out.max(initial=0) <= cap:
            break
        cap = int(n_out.max() * 1.2) + 1
    sat = np.repeat(np.arange(len(catalog)), n_out)
    rows = out[np.arange(cap)[None, :] < n_out[:, None]]
    passes = np.zeros(len(rows), PASS_DTYPE)
    point = rows[:, 0].astype(np.int64)
    passes["site"] = np.asarray(owner, dtype=np.int64)[point] if len(rows) else 0
    passes["sat"] = sat
    passes["norad_id"] = catalog.norad_id[sat]
    for name, col in (("rise_s", 1), ("culmination_s", 2), ("set_s", 3), ("max_elevation_deg", 4),
                      ("off_nadir_deg", 5), ("azimuth_deg", 6), ("range_km", 7)):
        passes[name] = rows[:, col]
    passes = _merge(passes, n_steps * step)
    site_pos, site_up = site_frames([s.lat_deg for s in sites], [s.lon_deg for s in sites],
                                    [s.alt_m / 1000.0 for s in sites])[:2]
    jd = start_jd + start_fr + passes["culmination_s"] / 86400.0
    passes["sun_elevation_deg"] = sun_elevation_deg(jd, site_pos[passes["site"]], site_up[passes["site"]])
    threshold = np.array([s.min_sun_elevation_deg for s in sensors])
    radar = np.array([s.kind == "radar" for s in sensors], dtype=bool)
    passes["sunlit"] = passes["sun_elevation_deg"] > threshold[passes["sat"]]
    passes["usable"] = radar[passes["sat"]] | passes["sunlit"]
    rise = np.where(np.isnan(passes["rise_s"]), -np.inf, passes["rise_s"])
    return passes[np.lexsort((passes["norad_id"], rise, passes["site"]))]


def passes_reference(catalog: Catalog, lat_deg, lon_deg, alt_km, start, days: float, min_elevation_deg: float = 0.0,
                     max_off_nadir_deg: float = 0.0) -> list[tuple[int, int, float, float, float, float]]:
    """Plain-numpy reference of the kernel: python-sgp4 on a 1 s grid, rise/set by linear interpolation
    of the threshold crossing, maximum elevation the highest of 1 ms samples within 1 s of the highest
    1 s sample. Returns (sat, site, rise s, culmination s, set s, max elevation deg) for passes that
    rise and set inside the window. Costs 86,400 states per object and day: for a few objects."""
    from sgp4.api import SatrecArray

    from ssa.screen.engine import to_julian

    start_jd, start_fr = to_julian(start)
    t = np.arange(0.0, days * 86400.0 + 0.5, 1.0)
    fr = start_fr + t / 86400.0
    satrecs = catalog.satrecs()
    err, r, _ = SatrecArray(satrecs).sgp4(np.full(len(t), start_jd), fr)
    xyz = teme_to_earth_fixed(r, start_jd + fr)
    pos, up = site_frames(lat_deg, lon_deg, alt_km)[:2]
    found = []
    for j in range(len(pos)):
        d = xyz - pos[j]
        rng = np.linalg.norm(d, axis=-1)
        el = np.degrees(np.arcsin(np.sum(d * up[j], axis=-1) / rng))
        score = el - min_elevation_deg
        if max_off_nadir_deg > 0:
            cos_off = np.sum(xyz * d, axis=-1) / (np.linalg.norm(xyz, axis=-1) * rng)
            score = np.maximum(score, np.minimum(el, max_off_nadir_deg - np.degrees(np.arccos(np.clip(cos_off, -1, 1)))))
        for i in range(len(catalog)):
            s = np.where(err[i] == 0, score[i], -np.inf)
            seen = s >= 0
            rises = np.flatnonzero(~seen[:-1] & seen[1:])
            sets = np.flatnonzero(seen[:-1] & ~seen[1:])
            for a in rises:
                after = sets[sets > a]
                if not len(after):
                    continue
                b = after[0]
                t_rise = t[a] + (0 - s[a]) / (s[a + 1] - s[a])
                t_set = t[b] + (0 - s[b]) / (s[b + 1] - s[b])
                k = a + 1 + int(np.argmax(el[i, a + 1:b + 1]))
                t_fine = t[k] + np.arange(-1000, 1001) * 1e-3  # the highest sample +-1 s, every ms
                fine_fr = start_fr + t_fine / 86400.0
                _, r_fine, _ = satrecs[i].sgp4_array(np.full(len(t_fine), start_jd), fine_fr)
                d_fine = teme_to_earth_fixed(r_fine, start_jd + fine_fr) - pos[j]
                el_fine = np.degrees(np.arcsin(np.sum(d_fine * up[j], axis=-1) / np.linalg.norm(d_fine, axis=-1)))
                m = int(np.argmax(el_fine))
                found.append((i, j, float(t_rise), float(t_fine[m]), float(t_set), float(el_fine[m])))
    return found


def free_windows(passes: np.ndarray, n_sites: int, days: float, min_gap_s: float = 0.0) -> list[tuple[int, float, float]]:
    """(site, start s, end s) of the windows in [0, days] in which no usable pass is over the site."""
    total = days * 86400.0
    out = []
    for site in range(n_sites):
        mine = passes[(passes["site"] == site) & passes["usable"]]
        spans = sorted(zip(np.nan_to_num(mine["rise_s"], nan=0.0), np.nan_to_num(mine["set_s"], nan=total)))
        cursor = 0.0
        for a, b in spans:
            if a - cursor > min_gap_s:
                out.append((site, cursor, float(a)))
            cursor = max(cursor, float(b))
        if total - cursor > min_gap_s:
            out.append((site, cursor, total))
    return out


PASS_FIELDS = ["site", "norad_id", "name", "owner", "sensor", "rise", "culmination", "set", "max_elevation_deg",
               "off_nadir_deg", "azimuth_deg", "range_km", "sun_elevation_deg", "sunlit", "usable"]


def _iso(start: datetime, seconds: float) -> str:
    return "" if math.isnan(seconds) else (start + timedelta(seconds=float(seconds))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def to_records(passes: np.ndarray, catalog: Catalog, sites: list[Site], sensors: list[Sensor],
               start: datetime) -> list[dict]:
    """Rows for CSV/JSON: times ISO UTC ("" when outside the window), angles deg, range km."""
    rows = []
    for p in passes:
        i = int(p["sat"])
        rows.append({
            "site": sites[p["site"]].name, "norad_id": int(p["norad_id"]), "name": str(catalog.name[i]),
            "owner": str(catalog.owner[i]), "sensor": sensors[i].kind,
            "rise": _iso(start, p["rise_s"]), "culmination": _iso(start, p["culmination_s"]),
            "set": _iso(start, p["set_s"]),
            **{k: round(float(p[k]), 4) for k in ("max_elevation_deg", "off_nadir_deg", "azimuth_deg", "range_km",
                                                  "sun_elevation_deg")},
            "sunlit": bool(p["sunlit"]), "usable": bool(p["usable"]),
        })
    return rows


def timeline_png(passes: np.ndarray, sites: list[Site], sensors: list[Sensor], start: datetime, days: float,
                 path: Path) -> None:
    """One row per site: usable optical passes orange, radar blue, passes that cannot image grey;
    the white between them are the free windows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    total_h = days * 24.0
    fig, ax = plt.subplots(figsize=(12, 1.0 + 0.5 * len(sites)))
    for p in passes:
        a = 0.0 if math.isnan(p["rise_s"]) else p["rise_s"] / 3600.0
        b = total_h if math.isnan(p["set_s"]) else p["set_s"] / 3600.0
        color = "lightgrey" if not p["usable"] else ("tab:blue" if sensors[p["sat"]].kind == "radar" else "tab:orange")
        ax.broken_barh([(a, max(b - a, 1e-3))], (p["site"] - 0.4, 0.8), color=color)
    ax.set_yticks(range(len(sites)), [s.name for s in sites])
    ax.set_xlim(0, total_h)
    ax.set_ylim(-0.6, len(sites) - 0.4)
    ax.set_xlabel(f"hours from {start:%Y-%m-%d %H:%M} UTC (orange optical, blue radar, grey unusable)")
    ax.set_title("Overflights of watching satellites")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
