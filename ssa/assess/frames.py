"""Reference-frame conversions for CDM states, with skyfield (km, km/s, UTC).

Frames a CDM may declare: GCRF (= GCRS here), EME2000 (J2000 mean equator and
equinox: GCRS rotated by the IAU 2006 frame bias), TEME (SGP4's frame) and
ITRF (Earth-fixed, with Earth rotation in the velocity). skyfield's built-in
timescale supplies UT1-UTC and leap seconds; polar motion is not loaded, which
moves ITRF positions by about 10 m but both objects of a conjunction alike.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from skyfield.api import load
from skyfield.framelib import ICRS_to_J2000, itrs
from skyfield.sgp4lib import TEME

from ssa.constants import SECONDS_PER_DAY

FRAMES = ("GCRF", "EME2000", "TEME", "ITRF")


@lru_cache(maxsize=1)
def timescale():
    return load.timescale(builtin=True)


def _time(when: datetime):
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return timescale().from_datetime(when)


def _rotation_and_rate(frame: str, when: datetime):
    """(R, W): r_frame = R r_gcrs; v_frame = R v_gcrs + W r_frame, W in 1/s."""
    frame = frame.upper()
    if frame in ("GCRF", "GCRS", "ICRF"):
        return np.eye(3), np.zeros((3, 3))
    if frame in ("EME2000", "J2000"):
        return np.array(ICRS_to_J2000), np.zeros((3, 3))
    t = _time(when)
    if frame == "TEME":
        return TEME.rotation_at(t), np.zeros((3, 3))
    if frame in ("ITRF", "ITRS") or frame.startswith("ITRF"):
        return itrs.rotation_at(t), itrs._dRdt_times_RT_at(t) / SECONDS_PER_DAY
    raise ValueError(f"unsupported reference frame {frame!r} (supported: {', '.join(FRAMES)})")


def to_gcrs(r, v, frame: str, when: datetime):
    """State (km, km/s) in ``frame`` at UTC ``when`` to GCRS."""
    R, W = _rotation_and_rate(frame, when)
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    return R.T @ r, R.T @ (v - W @ r)


def from_gcrs(r, v, frame: str, when: datetime):
    """State (km, km/s) in GCRS at UTC ``when`` to ``frame``."""
    R, W = _rotation_and_rate(frame, when)
    r_f = R @ np.asarray(r, dtype=float)
    return r_f, R @ np.asarray(v, dtype=float) + W @ r_f


def convert(r, v, frame_from: str, frame_to: str, when: datetime):
    """State (km, km/s) from one frame to another at UTC ``when``."""
    if frame_from.upper() == frame_to.upper():
        return np.asarray(r, dtype=float), np.asarray(v, dtype=float)
    return from_gcrs(*to_gcrs(r, v, frame_from, when), frame_to, when)
