"""CCSDS Orbit Mean-Elements Messages (OMM) in CSV, JSON and XML to catalogue columns.

Conversion follows ``sgp4.omm.initialize`` exactly (degrees times pi/180,
``MEAN_MOTION / 720 * pi``, the epoch as days since 1949-12-31 from the
microsecond timestamp), so ``Catalog.satrecs()`` equals the ``sgp4.omm`` path
bit for bit. Column sets of CelesTrak and Space-Track are both accepted.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from math import isfinite, pi

import numpy as np

from ssa.catalog.model import SGP4_EPOCH_ORIGIN_JD, Rejection
from ssa.constants import DEG2RAD, SECONDS_PER_DAY
from ssa.timeutil import parse_utc

NDOT_UNITS = 1036800.0 / pi  # as sgp4.omm
NDDOT_UNITS = 2985984000.0 / 2.0 / pi  # as sgp4.omm
EPOCH0 = datetime(1949, 12, 31)
MAX_NORAD_ID = 999_999_999

REQUIRED = ("NORAD_CAT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
            "ARG_OF_PERICENTER", "MEAN_ANOMALY", "BSTAR")
# optional numeric fields and their value when the column is absent altogether
OPTIONAL = {"MEAN_MOTION_DOT": 0.0, "MEAN_MOTION_DDOT": 0.0}
# Space-Track spells object types out; CelesTrak's SATCAT uses the short codes
OBJECT_TYPES = {"PAYLOAD": "PAY", "ROCKET BODY": "R/B", "DEBRIS": "DEB", "UNKNOWN": "UNK", "TBA": "UNK"}
# Space-Track's RCS_SIZE bins (SMALL < 0.1 m^2, MEDIUM 0.1..1 m^2, LARGE > 1 m^2) as
# their upper bound, the conservative value; LARGE has none and stays unknown
RCS_SIZE_M2 = {"SMALL": 0.1, "MEDIUM": 1.0}


def _number(fields: dict, key: str) -> float:
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{key} is missing")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} is not a number: {value!r}") from None
    if not isfinite(out):
        raise ValueError(f"{key} is not finite: {value!r}")
    return out


def _integer(fields: dict, key: str, default: int = 0) -> int:
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"{key} is not an integer: {value!r}") from None


def _text(fields: dict, key: str) -> str:
    value = fields.get(key)
    return "" if value is None else str(value).strip()


def parse_epoch(value) -> float:
    """OMM EPOCH (ISO 8601, UTC) -> days since 1949-12-31 00:00, as sgp4.omm computes it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("EPOCH is missing")
    if not isinstance(value, str):
        raise ValueError(f"EPOCH is not an ISO 8601 date-time string: {value!r}")
    text = value.strip()
    try:
        when = parse_utc(text)
    except ValueError:
        raise ValueError(f"EPOCH is not an ISO 8601 date-time: {value!r}") from None
    if not 1957 <= when.year <= 2100:
        raise ValueError(f"EPOCH {value!r} is outside 1957..2100")
    return (when - EPOCH0).total_seconds() / SECONDS_PER_DAY


def parse_fields(fields: dict) -> dict:
    """Raw OMM values of one record; ValueError naming the missing or bad field.

    Required: NORAD_CAT_ID, EPOCH, the six mean elements and BSTAR. Absent
    columns default: MEAN_MOTION_DOT/DDOT 0 (SGP4 does not use them),
    ELEMENT_SET_NO/REV_AT_EPOCH 0, CLASSIFICATION_TYPE "U", EPHEMERIS_TYPE 0.
    """
    norad = _integer(fields, "NORAD_CAT_ID", default=-1)
    if norad == -1 and not _text(fields, "NORAD_CAT_ID"):
        raise ValueError("NORAD_CAT_ID is missing")
    if not 0 < norad <= MAX_NORAD_ID:
        raise ValueError(f"NORAD_CAT_ID {norad} is outside 1..{MAX_NORAD_ID}")
    ephemeris_type = _integer(fields, "EPHEMERIS_TYPE", default=0)
    if ephemeris_type != 0:
        raise ValueError(f"EPHEMERIS_TYPE is {ephemeris_type}: only SGP4 (0) element sets are supported")
    rec = {
        "norad_id": norad,
        "epoch": parse_epoch(fields.get("EPOCH")),
        "no": _number(fields, "MEAN_MOTION"),
        "ecco": _number(fields, "ECCENTRICITY"),
        "inclo": _number(fields, "INCLINATION"),
        "nodeo": _number(fields, "RA_OF_ASC_NODE"),
        "argpo": _number(fields, "ARG_OF_PERICENTER"),
        "mo": _number(fields, "MEAN_ANOMALY"),
        "bstar": _number(fields, "BSTAR"),
    }
    for key, default in OPTIONAL.items():
        rec[key] = _number(fields, key) if key in fields else default
    if not 0.0 <= rec["ecco"] < 1.0:
        raise ValueError(f"ECCENTRICITY {rec['ecco']} is outside 0 <= e < 1")
    if not 0.0 <= rec["inclo"] <= 180.0:
        raise ValueError(f"INCLINATION {rec['inclo']} deg is outside 0..180")
    for key in ("RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY"):
        value = rec[{"RA_OF_ASC_NODE": "nodeo", "ARG_OF_PERICENTER": "argpo", "MEAN_ANOMALY": "mo"}[key]]
        if not 0.0 <= value <= 360.0:
            raise ValueError(f"{key} {value} deg is outside 0..360")
    if not rec["no"] > 0.0:
        raise ValueError(f"MEAN_MOTION {rec['no']} rev/day is not positive")
    rec["name"] = _text(fields, "OBJECT_NAME")
    rec["object_id"] = _text(fields, "OBJECT_ID")
    rec["classification"] = _text(fields, "CLASSIFICATION_TYPE") or "U"
    rec["element_set_no"] = _integer(fields, "ELEMENT_SET_NO")
    rec["rev_at_epoch"] = _integer(fields, "REV_AT_EPOCH")
    object_type = _text(fields, "OBJECT_TYPE").upper()
    rec["object_type"] = OBJECT_TYPES.get(object_type, object_type)
    rec["owner"] = _text(fields, "COUNTRY_CODE") or _text(fields, "OWNER")
    rec["rcs_m2"] = radar_cross_section(fields)
    return rec


def radar_cross_section(fields: dict) -> float:
    """RCS (m^2) from an RCS column (SATCAT, Space-Track) or the RCS_SIZE bin; NaN when unknown."""
    if _text(fields, "RCS"):
        rcs = _number(fields, "RCS")
        if rcs < 0.0:
            raise ValueError(f"RCS {rcs} m^2 is negative")
        return rcs
    return RCS_SIZE_M2.get(_text(fields, "RCS_SIZE").upper(), float("nan"))


def csv_rows(text: str):
    """(line number, fields) per data row; header names upper-cased and stripped."""
    reader = csv.reader(io.StringIO(text))
    header = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over csv.field_size_limit(): this row only
            yield reader.line_num, ValueError(f"unreadable CSV row: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [h.strip().upper() for h in row]
            continue
        if len(row) != len(header):
            yield reader.line_num, ValueError(f"row has {len(row)} columns, the header {len(header)}")
            continue
        yield reader.line_num, dict(zip(header, row))


def json_rows(text: str):
    """(element number, fields) per object of a JSON list (or a single object)."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("OMM JSON must be a list of objects")
    for i, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            yield i, ValueError(f"element {i} is a {type(obj).__name__}, not an object")
        else:
            yield i, {str(k).strip().upper(): v for k, v in obj.items()}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_rows(text: str):
    """(segment number, fields) per OMM segment of a CCSDS NDM/OMM XML document."""
    root = ET.fromstring(text.encode("utf-8"))
    segments = [el for el in root.iter() if _local(el.tag) == "segment"]
    for i, segment in enumerate(segments, start=1):
        fields = {}
        for el in segment.iter():
            tag = _local(el.tag)
            if tag == "USER_DEFINED" and el.get("parameter"):
                fields[el.get("parameter").upper()] = (el.text or "").strip()
            elif len(el) == 0 and tag not in ("COMMENT",):
                fields[tag.upper()] = (el.text or "").strip()
        yield i, fields


def read_records(rows, source: str, records: list, rejected: list) -> None:
    """Parse each (row number, fields) into records; bad ones into rejected."""
    for row_no, fields in rows:
        if isinstance(fields, Exception):
            rejected.append(Rejection(source, row_no, None, str(fields)))
            continue
        try:
            rec = parse_fields(fields)
        except ValueError as exc:
            rejected.append(Rejection(source, row_no, _norad_or_none(fields), str(exc)))
            continue
        rec["source"] = f"{source}:{row_no}"
        records.append(rec)


def _norad_or_none(fields: dict) -> int | None:
    try:
        return int(str(fields.get("NORAD_CAT_ID")).strip())
    except ValueError:
        return None


def round_half_away(x: np.ndarray) -> np.ndarray:
    """C ``round`` for x >= 0: to the nearest integer, halves away from zero."""
    out = np.floor(x)
    return out + ((x - out) >= 0.5)


def orbit_columns(col) -> dict[str, np.ndarray]:
    """ecco, inclo, nodeo, argpo, mo (degrees to radians) and bstar as both readers give them to sgp4init.

    col(key): the float array of one raw field over the records.
    """
    return {"ecco": col("ecco"), **{key: col(key) * DEG2RAD for key in ("inclo", "nodeo", "argpo", "mo")},
            "bstar": col("bstar")}


def to_columns(recs: list[dict]) -> dict[str, np.ndarray]:
    """Convert raw OMM values to sgp4init units as ``sgp4.omm.initialize`` does;
    the two-part epoch is ``jdsatepoch``/``jdsatepochF`` as ``Satrec.sgp4init`` sets them."""
    def col(key):
        return np.array([r[key] for r in recs], dtype=np.float64)

    epoch = col("epoch")
    frac, whole = np.modf(epoch)
    # python-sgp4's Satrec.sgp4init rounds the fraction to 8 digits when epoch * 1e8 is whole
    scaled = epoch * 1e8
    frac = np.where(scaled == np.floor(scaled), round_half_away(frac * 1e8) / 1e8, frac)
    return {
        "epoch_jd": whole + SGP4_EPOCH_ORIGIN_JD,
        "epoch_fr": frac,
        "epoch_days": epoch,
        "no_kozai": col("no") / 720.0 * pi,
        **orbit_columns(col),
        "ndot": col("MEAN_MOTION_DOT") / NDOT_UNITS,
        "nddot": col("MEAN_MOTION_DDOT") / NDDOT_UNITS,
    }
