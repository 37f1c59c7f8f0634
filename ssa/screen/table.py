"""The conjunction table: dtype, row assembly from TCA states, writers.

One row per conjunction. Object 1 is the primary (the lower NORAD id in
all-vs-all). States are TEME km and km/s at TCA; the miss vector is object 2
minus object 1 in object 1's radial / in-track / cross-track frame (km).
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path

import numpy as np

CONJUNCTION_DTYPE = np.dtype([
    ("norad_id_1", "i8"), ("name_1", "U48"), ("dse_1", "f8"),
    ("norad_id_2", "i8"), ("name_2", "U48"), ("dse_2", "f8"),
    ("tca", "datetime64[us]"), ("tca_jd", "f8"), ("tca_fr", "f8"),
    ("range_km", "f8"), ("relative_speed_km_s", "f8"),
    ("radial_km", "f8"), ("in_track_km", "f8"), ("cross_track_km", "f8"),
    ("persistent", "?"),
    ("r1", "f8", (3,)), ("v1", "f8", (3,)), ("r2", "f8", (3,)), ("v2", "f8", (3,)),
])

UNIX_EPOCH_JD = 2440587.5

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


def rtn_miss(r1: np.ndarray, v1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """(radial, in-track, cross-track) km of r2 - r1 in object 1's RTN frame; arrays (n, 3)."""
    radial = r1 / np.linalg.norm(r1, axis=-1, keepdims=True)
    h = np.cross(r1, v1)
    cross = h / np.linalg.norm(h, axis=-1, keepdims=True)
    along = np.cross(cross, radial)
    miss = r2 - r1
    return np.stack([(miss * radial).sum(-1), (miss * along).sum(-1), (miss * cross).sum(-1)], axis=-1)


def jd_to_datetime64(jd: np.ndarray, fr: np.ndarray) -> np.ndarray:
    """UTC two-part Julian dates to datetime64[us] (rounded to the microsecond)."""
    days = (np.asarray(jd) - UNIX_EPOCH_JD) + np.asarray(fr)
    whole = np.floor(days)
    us = np.rint((days - whole) * 86_400e6).astype(np.int64)
    return (whole.astype(np.int64) * 86_400_000_000 + us).astype("datetime64[us]")


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
    days = (table["tca_jd"] - UNIX_EPOCH_JD) + table["tca_fr"]
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

    Pieces are appended to a temporary file in the target's directory, renamed
    onto the target by ``close`` (or on leaving a ``with`` block without an
    exception; with one, the temporary file is removed). The bytes equal
    ``write_table`` of the pieces joined (parquet: the same rows, one row
    group per piece).
    """

    def __init__(self, path, fmt: str | None = None):
        self.path = Path(path)
        self.fmt = (fmt or self.path.suffix.lstrip(".") or "csv").lower()
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}: use one of {', '.join(FORMATS)}")
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._handle = self._parquet = None
        if self.fmt == "parquet":
            os.close(fd)
        else:
            self._handle = os.fdopen(fd, "w", newline="")
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
            if self._handle is not None:
                self._handle.close()
            if self._parquet is not None:
                self._parquet.close()
            elif self.fmt == "parquet":
                raise ValueError("no table written")
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        if self._handle is not None:
            self._handle.close()
        if self._parquet is not None:
            self._parquet.close()
        Path(self._tmp).unlink(missing_ok=True)


def write_table(table: np.ndarray, path, fmt: str | None = None) -> Path:
    """Write a conjunction table (or an extension of it) atomically as csv, json or parquet.

    ``fmt`` defaults to the file suffix. The file appears complete or not at
    all: it is written to a temporary file in the same directory and renamed.
    """
    with TableWriter(path, fmt) as writer:
        writer.write(table)
    return writer.path
