"""Inject impulsive manoeuvres into a real TLE history, independently of ssa.detect.

Shares no code with the detector (nor with ssa.catalog or ssa.propagate): TLE
text is read and written here, states come from python-sgp4, elements from a
textbook two-body conversion (Vallado's rv2coe). For a burn of dv (radial,
along-track, normal; m/s) at time t, every element set with an epoch after t
is changed by what the burn changes in the orbit: the python-sgp4 state at t
of the last set before the burn gives osculating elements before and after
adding dv; their differences are added to each later set's mean elements
(eccentricity as a vector and mean argument of latitude, which stay well
defined on near-circular orbits), with the drift since t of the mean anomaly
(changed mean motion) and of node and perigee (J2 secular rates at the changed
elements). Re-written at the TLE's own precision, as a catalogue would issue them.
"""
from __future__ import annotations

import math

import numpy as np
from sgp4.api import Satrec

from ssa.constants import EARTH_RADIUS_KM as RE
from ssa.constants import MU_KM3_S2 as MU
from ssa.screen.table import rtn_basis

J2 = 0.001082616


def read_tle_pairs(text: str) -> list[tuple[str, str, str]]:
    """(name line or "", line 1, line 2) of every element set in 2LE/3LE text."""
    out, name = [], ""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    i = 0
    while i < len(lines):
        if lines[i].startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 "):
            out.append((name, lines[i], lines[i + 1]))
            name, i = "", i + 2
        else:
            name, i = lines[i], i + 1
    return out


def epoch_jd(line1: str) -> float:
    year = int(line1[18:20])
    year += 2000 if year < 57 else 1900
    day = float(line1[20:32])
    jan0 = 367 * year - (7 * year) // 4 + 275 // 9 + 1721013.5  # Julian date of 0 January, 0h (Vallado jday)
    return jan0 + day


def _coe(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """a km, e, i, node, argp, mean anomaly (rad) from a state (Vallado, rv2coe)."""
    h = np.cross(r, v)
    n = np.array([-h[1], h[0], 0.0])
    rn, vn = np.linalg.norm(r), np.linalg.norm(v)
    ev = ((vn**2 - MU / rn) * r - np.dot(r, v) * v) / MU
    e = np.linalg.norm(ev)
    a = 1.0 / (2.0 / rn - vn**2 / MU)
    inc = math.acos(h[2] / np.linalg.norm(h))
    node = math.atan2(n[1], n[0]) % (2 * math.pi)
    argp = math.acos(np.clip(np.dot(n, ev) / (np.linalg.norm(n) * e), -1, 1))
    if ev[2] < 0:
        argp = 2 * math.pi - argp
    nu = math.acos(np.clip(np.dot(ev, r) / (e * rn), -1, 1))
    if np.dot(r, v) < 0:
        nu = 2 * math.pi - nu
    ea = 2 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu / 2))
    mean = (ea - e * math.sin(ea)) % (2 * math.pi)
    return np.array([a, e, inc, node, argp, mean])


def _j2_rates(a: float, e: float, inc: float) -> tuple[float, float]:
    """Secular node and perigee rates, rad/day."""
    n = math.sqrt(MU / a**3) * 86400.0
    f = 1.5 * J2 * (RE / (a * (1 - e * e))) ** 2 * n
    return -f * math.cos(inc), f * (2.0 - 2.5 * math.sin(inc) ** 2)


def _checksum(line: str) -> str:
    return str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)


def _wrap(x: float) -> float:
    return (x + math.pi) % (2 * math.pi) - math.pi


def burn_change(line1: str, line2: str, burn_jd: float, dv_rtn_m_s) -> tuple[np.ndarray, np.ndarray]:
    """Osculating elements (a, e, i, node, argp, M) at the burn, before and after it, from the
    last element set before the burn (python-sgp4 state plus dv in its radial, along-track, normal frame)."""
    err, r, v = Satrec.twoline2rv(line1, line2).sgp4(burn_jd, 0.0)
    if err:
        raise ValueError(f"python-sgp4 error {err} at the burn for {line1[2:7]}")
    r, v = np.array(r), np.array(v)
    rhat, that, nhat = rtn_basis(r, v)
    dv = (dv_rtn_m_s[0] * rhat + dv_rtn_m_s[1] * that + dv_rtn_m_s[2] * nhat) / 1000.0
    return _coe(r, v), _coe(r, v + dv)


def perturb_line2(line1: str, line2: str, burn_jd: float, before: np.ndarray, after: np.ndarray) -> str:
    """Line 2 of an element set with an epoch after the burn, changed as the burn changed the orbit."""
    d = after - before
    d[2:] = [_wrap(x) for x in d[2:]]
    # eccentricity vector and mean argument of latitude: well defined on near-circular orbits
    dex = after[1] * math.cos(after[4]) - before[1] * math.cos(before[4])
    dey = after[1] * math.sin(after[4]) - before[1] * math.sin(before[4])
    dlat = _wrap(after[4] + after[5] - before[4] - before[5])
    since = epoch_jd(line1) - burn_jd  # days
    node_rate0, argp_rate0 = _j2_rates(*before[:3])
    node_rate1, argp_rate1 = _j2_rates(*after[:3])
    n_rev_day = float(line2[52:63])
    n_new = n_rev_day * (before[0] / after[0]) ** 1.5
    mean_drift = 2 * math.pi * (n_new - n_rev_day) * since
    inc = math.degrees(math.radians(float(line2[8:16])) + d[2]) % 180.0
    node = math.degrees(math.radians(float(line2[17:25])) + d[3] + (node_rate1 - node_rate0) * since) % 360.0
    ecc0, argp0 = float("0." + line2[26:33]), math.radians(float(line2[34:42]))
    ex, ey = ecc0 * math.cos(argp0) + dex, ecc0 * math.sin(argp0) + dey
    ecc = math.hypot(ex, ey)
    argp_rad = math.atan2(ey, ex) + (argp_rate1 - argp_rate0) * since
    lat = argp0 + math.radians(float(line2[43:51])) + dlat + mean_drift + (argp_rate1 - argp_rate0) * since
    argp = math.degrees(argp_rad) % 360.0
    mean = math.degrees(lat - argp_rad) % 360.0
    body = (f"{line2[:8]}{inc:8.4f} {node:8.4f} {round(ecc * 1e7):07d} {argp:8.4f} {mean:8.4f} "
            f"{n_new:11.8f}{line2[63:68]}")
    return body + _checksum(body)


def inject(sets: list[tuple[str, str, str]], burns: list[tuple[float, tuple[float, float, float]]]) -> str:
    """3LE text of the history (in time order) with every burn (Julian date, dv RTN m/s) applied."""
    sets = list(sets)
    epochs = [epoch_jd(s[1]) for s in sets]
    for burn_jd, dv in sorted(burns):
        last = max(i for i, t in enumerate(epochs) if t <= burn_jd)
        before, after = burn_change(sets[last][1], sets[last][2], burn_jd, dv)
        for i in range(last + 1, len(sets)):
            name, line1, line2 = sets[i]
            sets[i] = (name, line1, perturb_line2(line1, line2, burn_jd, before, after))
    return "\n".join(line for s in sets for line in s if line) + "\n"


DIRECTIONS = {"+along": (0, 1, 0), "-along": (0, -1, 0), "+radial": (1, 0, 0), "-radial": (-1, 0, 0),
              "+normal": (0, 0, 1), "-normal": (0, 0, -1)}


def trials(sets, baseline_intervals, sizes_m_s, directions, per_combo: int, half_window_days: float = 20.0,
           clear_days: float = 4.0, seed: int = 0, detect_window=None):
    """Burn trials: (window text, burn Julian date, dv RTN m/s, label) with one burn each, at the
    middle of an interval between two element sets, in a window of +-half_window_days of the
    history, at least clear_days from every interval in baseline_intervals (Julian dates) and, when
    given, from every interval that detect_window(window text) returns for the window itself."""
    rng = np.random.default_rng(seed)
    epochs = np.array([epoch_jd(s[1]) for s in sets])
    lo, hi = epochs[0] + half_window_days, epochs[-1] - half_window_days
    out = []
    for size in sizes_m_s:
        for label in directions:
            placed = 0
            while placed < per_combo:
                k = int(np.searchsorted(epochs, rng.uniform(lo, hi)))
                burn = 0.5 * (epochs[k - 1] + epochs[k])
                if any(a - clear_days <= burn <= b + clear_days for a, b in baseline_intervals):
                    continue
                window = [s for s, t in zip(sets, epochs) if abs(t - burn) <= half_window_days]
                if detect_window is not None and any(a - clear_days <= burn <= b + clear_days
                                                     for a, b in detect_window(inject(window, []))):
                    continue
                dv = tuple(size * c for c in DIRECTIONS[label])
                out.append((window, burn, dv, f"{label} {size:g} m/s"))
                placed += 1
    return out
