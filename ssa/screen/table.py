"""The conjunction table: dtype, row assembly from TCA states, its writer and its reader.

One row per conjunction. Object 1 is the primary (the lower NORAD id in
all-vs-all). States are TEME km and km/s at TCA; the miss vector is object 2
minus object 1 in object 1's radial / in-track / cross-track frame (km).
"""
from __future__ import annotations

import csv
import json
import math
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import numpy as np

from ssa.fileio import atomic_path
from ssa.propagate.reference import epoch_semi_major_axis_km, flag_not_bound
from ssa.timeutil import jd_to_datetime64, parse_utc, to_julian, unix_days

CONJUNCTION_DTYPE = np.dtype([
    ("norad_id_1", "i8"), ("name_1", "U48"), ("dse_1", "f8"),
    ("norad_id_2", "i8"), ("name_2", "U48"), ("dse_2", "f8"),
    ("tca", "datetime64[us]"), ("tca_jd", "f8"), ("tca_fr", "f8"),
    ("range_km", "f8"), ("relative_speed_km_s", "f8"),
    ("radial_km", "f8"), ("in_track_km", "f8"), ("cross_track_km", "f8"),
    ("persistent", "?"),
    ("r1", "f8", (3,)), ("v1", "f8", (3,)), ("r2", "f8", (3,)), ("v2", "f8", (3,)),
])

# SOCRATES' column names first, then ours; value = field of CONJUNCTION_DTYPE
CSV_COLUMNS = {
    "NORAD_CAT_ID_1": "norad_id_1", "OBJECT_NAME_1": "name_1", "DSE_1": "dse_1",
    "NORAD_CAT_ID_2": "norad_id_2", "OBJECT_NAME_2": "name_2", "DSE_2": "dse_2",
    "TCA": "tca", "TCA_RANGE": "range_km", "TCA_RELATIVE_SPEED": "relative_speed_km_s",
    "RADIAL_KM": "radial_km", "IN_TRACK_KM": "in_track_km", "CROSS_TRACK_KM": "cross_track_km",
    "PERSISTENT": "persistent",
}
FORMATS = ("csv", "json", "parquet")
PROBABILITY_COLUMNS = ("PC", "MAX_PROB")  # written in exponent notation


def rtn_basis(r, v) -> np.ndarray:
    """Rows R, T, N unit vectors (radial, in-track, cross-track) of a state, in its inertial frame; shape (..., 3, 3).

    The package's one RTN frame: R along r, N along r x v, T = N x R.

    >>> rtn_basis([7000.0, 0.0, 0.0], [0.0, 7.5, 0.0])
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    rhat = r / np.linalg.norm(r, axis=-1, keepdims=True)
    h = np.cross(r, v)
    nhat = h / np.linalg.norm(h, axis=-1, keepdims=True)
    that = np.cross(nhat, rhat)
    return np.stack([rhat, that, nhat], axis=-2)


def rtn_miss(r1: np.ndarray, v1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """(radial, in-track, cross-track) km of r2 - r1 in object 1's RTN frame; arrays (..., 3)."""
    return (rtn_basis(r1, v1) @ (np.asarray(r2, dtype=float) - r1)[..., None])[..., 0]


def build_table(catalog, idx1, idx2, tca_jd, tca_fr, r1, v1, r2, v2, persistent) -> np.ndarray:
    """Conjunction rows from catalogue row indices and TEME states at TCA, sorted.

    Sorted by TCA, then NORAD id 1, then NORAD id 2.
    """
    n = len(idx1)
    out = np.zeros(n, dtype=CONJUNCTION_DTYPE)
    if n == 0:
        return out
    idx1, idx2 = np.asarray(idx1), np.asarray(idx2)
    out["norad_id_1"] = catalog.norad_id[idx1]
    out["norad_id_2"] = catalog.norad_id[idx2]
    out["name_1"] = catalog.name[idx1].astype(str)
    out["name_2"] = catalog.name[idx2].astype(str)
    out["dse_1"] = (tca_jd - catalog.epoch_jd[idx1]) + (tca_fr - catalog.epoch_fr[idx1])
    out["dse_2"] = (tca_jd - catalog.epoch_jd[idx2]) + (tca_fr - catalog.epoch_fr[idx2])
    out["tca_jd"], out["tca_fr"] = tca_jd, tca_fr
    out["tca"] = jd_to_datetime64(tca_jd, tca_fr)
    out["range_km"] = np.linalg.norm(r2 - r1, axis=-1)
    out["relative_speed_km_s"] = np.linalg.norm(v2 - v1, axis=-1)
    rtn = rtn_miss(r1, v1, r2)
    out["radial_km"], out["in_track_km"], out["cross_track_km"] = rtn.T
    out["persistent"] = persistent
    out["r1"], out["v1"], out["r2"], out["v2"] = r1, v1, r2, v2
    return sort_table(out)


def sort_table(table: np.ndarray) -> np.ndarray:
    """Stable order: TCA, then NORAD id 1, then NORAD id 2."""
    days = unix_days(table["tca_jd"], table["tca_fr"])
    order = np.lexsort((table["norad_id_2"], table["norad_id_1"], days))
    return table[order]


def format_tca(tca: np.ndarray) -> np.ndarray:
    """ISO-8601 UTC with milliseconds, e.g. 2024-11-01T03:04:05.678."""
    return np.datetime_as_string(np.asarray(tca).astype("datetime64[ms]"), unit="ms")


def _columns(table: np.ndarray) -> dict:
    """Output columns: SOCRATES' names first, then the rest (TEME states flattened)."""
    cols = {}
    for name, field in CSV_COLUMNS.items():
        cols[name] = format_tca(table[field]) if field == "tca" else table[field]
    extra = [f for f in table.dtype.names if f not in CSV_COLUMNS.values() and f != "tca"]
    for field in extra:
        values = table[field]
        if values.ndim == 2:
            for axis, letter in enumerate("XYZ"):
                cols[f"{field.upper()}_{letter}"] = values[:, axis]
        else:
            cols[field.upper()] = values
    return cols


def _csv_rows(cols: dict) -> list:
    """CSV rows (lists of strings) of formatted columns."""
    formatted = []
    for name, values in cols.items():
        if values.dtype.kind == "f":
            number = "%.12f" if name == "TCA_FR" else "%.6e" if name in PROBABILITY_COLUMNS else "%.6f"
            formatted.append(np.char.mod(number, values))
        elif values.dtype.kind == "b":
            formatted.append(np.where(values, "true", "false"))
        else:
            formatted.append(values.astype(str))
    return zip(*formatted)


class TableWriter:
    """Write a conjunction table piece by piece (csv, json or parquet); the file appears whole at close.

    Pieces are appended to a temporary file in the target's directory
    (``ssa.fileio.atomic_path``), renamed onto the target by ``close`` (or on
    leaving a ``with`` block without an exception; with one, the temporary
    file is removed). The bytes equal
    ``write_table`` of the pieces joined (parquet: the same rows, one row
    group per piece).
    """

    def __init__(self, path, fmt: str | None = None):
        self.path = Path(path)
        self.fmt = (fmt or self.path.suffix.lstrip(".") or "csv").lower()
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}: use one of {', '.join(FORMATS)}")
        self.rows = 0
        self._files = ExitStack()  # the temporary file (``ssa.fileio.atomic_path``) and its handle
        self._tmp = self._files.enter_context(atomic_path(self.path))
        self._handle = self._parquet = None
        if self.fmt != "parquet":
            self._handle = self._files.enter_context(open(self._tmp, "w", encoding="utf-8", newline=""))
            self._csv = csv.writer(self._handle, lineterminator="\n")
        self._started = False

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.abort()

    def write(self, table: np.ndarray) -> None:
        """Append rows (a conjunction table or an extension of it); the first call fixes the columns."""
        cols = _columns(table)
        if self.fmt == "csv":
            if not self._started:
                self._csv.writerow(list(cols))
            self._csv.writerows(_csv_rows(cols))
        elif self.fmt == "json":  # as json.dump(rows, indent=1) of all rows
            for values in zip(*(v.tolist() for v in cols.values())):
                text = json.dumps(dict(zip(cols, values)), indent=1)
                self._handle.write(",\n" if self.rows else "[\n")
                self._handle.write("\n".join(" " + line for line in text.split("\n")))
                self.rows += 1
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            arrow = pa.table({k: np.asarray(v) for k, v in cols.items()})
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, arrow.schema)
            self._parquet.write_table(arrow)
        if self.fmt != "json":
            self.rows += len(table)
        self._started = True

    def close(self) -> Path:
        """Finish the file and rename it onto the target."""
        try:
            if self.fmt == "json":
                self._handle.write("\n]" if self.rows else "[]")
            if self._parquet is not None:
                self._parquet.close()
            elif self.fmt == "parquet":
                raise ValueError("no table written")
        except BaseException:
            self.abort()
            raise
        self._files.close()  # closes the handle, renames the file onto the target
        return self.path

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        if self._parquet is not None:
            self._parquet.close()
        abandoned = RuntimeError("table not written")
        self._files.__exit__(type(abandoned), abandoned, None)  # atomic_path removes the file, re-raises nothing


def write_table(table: np.ndarray, path, fmt: str | None = None) -> Path:
    """Write a conjunction table (or an extension of it) atomically as csv, json or parquet.

    ``fmt`` defaults to the file suffix. The file appears complete or not at
    all (``TableWriter``, ``ssa.fileio``).
    """
    with TableWriter(path, fmt) as writer:
        writer.write(table)
    return writer.path


SOCRATES_TCA_FORMAT = "%Y %b %d %H:%M:%S.%f"  # CelesTrak SOCRATES' TCA, e.g. 2023 Mar 26 19:37:24.146


def _finite(rec: dict, field: str) -> float:
    """The field as a finite float; ValueError naming it otherwise."""
    try:
        value = float(rec[field])
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"field {field}: {rec[field]!r} is not a finite number")
    return value


def parse_tca(text: str) -> datetime:
    """A TCA as ``ssa screen`` (ISO-8601) or SOCRATES ('2023 Mar 26 19:37:24.146') writes it, naive UTC."""
    try:
        return parse_utc(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text.strip(), SOCRATES_TCA_FORMAT)
    except ValueError:
        raise ValueError(f"TCA {text!r} is not an ISO-8601 or SOCRATES UTC time") from None


def conjunctions_from_csv(path, catalog):
    """Screening rows from a conjunction CSV (SOCRATES/ssa column names), states re-propagated.

    Columns used: NORAD_CAT_ID_1, NORAD_CAT_ID_2, TCA (``parse_tca``; TCA_JD
    and TCA_FR instead where present, as ``write_table`` writes them),
    PERSISTENT if present. States at TCA come from python-sgp4 on the
    catalogue's element sets (TEME). Returns (rows, problems): a bad row
    (unknown object, bad TCA, SGP4 error) is reported as 'line N: reason'
    and skipped; a DSE_1/DSE_2 that does not match the catalogue's element
    set (more than 1e-3 day) is reported too.
    """
    idx1, idx2, jds, frs, states, persistent, problems = [], [], [], [], [], [], []
    satrecs = {}
    with open(path, newline="") as fh:
        for line, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                ids = int(rec["NORAD_CAT_ID_1"]), int(rec["NORAD_CAT_ID_2"])
                rows = catalog.index_of(ids)
                tca = parse_tca(rec["TCA"])
                if rec.get("TCA_JD", "").strip() and rec.get("TCA_FR", "").strip():  # exact, as write_table writes
                    jd, fr = _finite(rec, "TCA_JD"), _finite(rec, "TCA_FR")
                else:
                    jd, fr = to_julian(tca)
                given = [_finite(rec, f"DSE_{k}") if rec.get(f"DSE_{k}", "").strip() else None for k in (1, 2)]
            except (KeyError, ValueError, TypeError) as exc:
                problems.append(f"line {line}: {exc.args[0] if exc.args else exc}")
                continue
            rv = []
            for row in rows:
                if row not in satrecs:
                    satrecs[row] = catalog.take([row]).satrecs()[0]
                err, r, v = satrecs[row].sgp4(jd, fr)
                if err == 0:  # python-sgp4 says 0 for runaway states too: the screen's code 7
                    a0 = epoch_semi_major_axis_km([satrecs[row]])
                    err = int(flag_not_bound(np.zeros((1, 1), np.uint8), np.array([[r]]), np.array([[v]]), a0)[0, 0])
                if err:
                    break
                rv.append((r, v))
            if len(rv) != 2:
                problems.append(f"line {line}: SGP4 error {err} for NORAD {ids[len(rv)]} at TCA")
                continue
            for k, row in enumerate(rows):
                ours = (jd - catalog.epoch_jd[row]) + (fr - catalog.epoch_fr[row])
                if given[k] is not None and abs(given[k] - ours) > 1e-3:
                    problems.append(f"line {line}: NORAD {ids[k]}: the catalogue's element set is not the one "
                                    f"screened (DSE {ours:.3f} here, {given[k]:.3f} in the file); used anyway")
            idx1.append(rows[0]), idx2.append(rows[1]), jds.append(jd), frs.append(fr)
            states.append(rv)
            persistent.append(str(rec.get("PERSISTENT", "")).strip().lower() in ("true", "1", "yes"))
    if not states:
        return np.zeros(0, dtype=CONJUNCTION_DTYPE), problems
    s = np.array(states, dtype=float)  # (n, 2 objects, 2 vectors, 3)
    table = build_table(catalog, np.array(idx1), np.array(idx2), np.array(jds), np.array(frs),
                        s[:, 0, 0], s[:, 0, 1], s[:, 1, 0], s[:, 1, 1], np.array(persistent))
    return table, problems
