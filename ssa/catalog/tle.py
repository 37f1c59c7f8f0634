"""Two- and three-line element sets (2LE/3LE) to catalogue columns.

Each record is checked (line layout, checksum, catalogue numbers, element
ranges, epoch) and then converted with exactly the arithmetic of python-sgp4's
``Satrec.twoline2rv`` (Vallado's C++ ``twoline2rv``, ``days2mdhms``, ``jday``,
and the wrapper's rounding of ``jdsatepochF`` to the 8 digits of the TLE), so
that the resulting elements and epochs are bit-identical to the reference.
"""
from __future__ import annotations

import re
from math import pi

import numpy as np

from ssa.catalog.model import SGP4_EPOCH_ORIGIN_JD, Rejection
from ssa.catalog.omm import orbit_columns, round_half_away
from ssa.constants import SECONDS_PER_DAY

XPDOTP = 1440.0 / (2.0 * pi)  # rev/day per rad/min, as in SGP4.cpp
POW10 = {k: 10.0 ** k for k in range(-9, 10)}  # the same libm pow as SGP4.cpp

LINE_LENGTH = 69
# columns (0-based) that must hold a fixed character, as python-sgp4's io.py checks
LINE1_LAYOUT = {1: " ", 8: " ", 23: ".", 32: " ", 34: ".", 43: " ", 52: " ", 61: " ", 63: " "}
LINE2_LAYOUT = {1: " ", 7: " ", 11: ".", 16: " ", 20: ".", 25: " ", 33: " ", 37: ".", 42: " ", 46: ".", 51: " "}


def alpha5_to_int(text: str) -> int:
    """Catalogue number from 5 TLE columns, Alpha-5 aware ("A0000" = 100000, I and O unused)."""
    text = text.strip()
    if text and text[0].isalpha():
        c = text[0].upper()
        if c in "IO" or not text[1:].isdigit() or len(text) != 5:
            raise ValueError(f"bad Alpha-5 catalogue number {text!r}")
        n = ord(c) - ord("A") + 10 - (c > "I") - (c > "O")
        return n * 10000 + int(text[1:])
    if not text.isdigit():
        raise ValueError(f"bad catalogue number {text!r}")
    return int(text)


_CHECKSUM_DIGITS = str.maketrans({**{chr(c): None for c in range(128) if not chr(c).isdigit()}, "-": "1"})


def checksum(line: str) -> int:
    """TLE modulo-10 checksum of columns 1-68: digits count their value, '-' counts 1."""
    digits = line[:68].translate(_CHECKSUM_DIGITS)
    return (sum(digits.encode("ascii", "replace")) - 48 * len(digits)) % 10


def _layout_regex(first: str, layout: dict) -> re.Pattern:
    cols = ["."] * LINE_LENGTH
    cols[0] = first
    for col, ch in layout.items():
        cols[col] = re.escape(ch)
    cols[68] = "[0-9]"
    return re.compile("".join(cols), re.ASCII)


LINE1_RE = _layout_regex("1", LINE1_LAYOUT)
LINE2_RE = _layout_regex("2", LINE2_LAYOUT)


def _implied_decimal(field: str, what: str) -> float:
    """' 12345-3' or '-12345-3' (mantissa with implied leading '.', signed exponent)."""
    sign = field[0]
    if sign not in " +-":
        raise ValueError(f"{what}: bad sign {sign!r}")
    mantissa = float(("-" if sign == "-" else "") + "." + field[1:6].replace(" ", "0"))
    exp_text = field[6:8].replace(" ", "0")
    if exp_text[0] not in "+-0" or not exp_text[1].isdigit():
        raise ValueError(f"{what}: bad exponent {field[6:8]!r}")
    return mantissa * POW10[int(exp_text)]


def _field(line: str, start: int, stop: int, what: str) -> float:
    try:
        return float(line[start:stop])
    except ValueError:
        raise ValueError(f"{what} (columns {start + 1}-{stop}) is not a number: {line[start:stop]!r}") from None


def parse_pair(line1: str, line2: str) -> dict:
    """Raw TLE values of one record (units as written); ValueError naming the field."""
    if not (line1.isascii() and line2.isascii()):
        raise ValueError("non-ASCII characters in the TLE lines")
    if not (LINE1_RE.fullmatch(line1) and LINE2_RE.fullmatch(line2)
            and checksum(line1) == ord(line1[68]) - 48 and checksum(line2) == ord(line2[68]) - 48):
        _explain_layout(line1, line2)
    return _parse_fields(line1, line2)


def _explain_layout(line1: str, line2: str) -> None:
    """Raise the ValueError that says which length, column or checksum is wrong."""
    for no, line, layout in ((1, line1, LINE1_LAYOUT), (2, line2, LINE2_LAYOUT)):
        if len(line) != LINE_LENGTH:
            raise ValueError(f"line {no} has {len(line)} characters, expected {LINE_LENGTH}")
        if line[0] != str(no):
            raise ValueError(f"line {no} does not start with '{no}'")
        for col, ch in layout.items():
            if line[col] != ch:
                raise ValueError(f"line {no} column {col + 1} should be {ch!r}, found {line[col]!r} (column layout)")
        if not line[68].isdigit():
            raise ValueError(f"line {no} checksum character {line[68]!r} is not a digit")
        if checksum(line) != int(line[68]):
            raise ValueError(f"line {no} checksum is {line[68]}, computed {checksum(line)}")
    raise ValueError("line layout not recognised")


def _parse_fields(line1: str, line2: str) -> dict:
    try:
        norad = alpha5_to_int(line1[2:7])
    except ValueError as exc:
        raise ValueError(f"line 1 catalogue number: {exc}") from None
    try:
        norad2 = alpha5_to_int(line2[2:7])
    except ValueError as exc:
        raise ValueError(f"line 2 catalogue number: {exc}") from None
    if norad2 != norad:
        raise ValueError(f"catalogue numbers differ: line 1 {line1[2:7]!r}, line 2 {line2[2:7]!r}")

    if line1[62] not in "0 ":
        raise ValueError(f"ephemeris type {line1[62]!r} (column 63) is not 0: only SGP4 element sets are supported")
    yy = line1[18:20]
    if not yy.strip().isdigit():
        raise ValueError(f"epoch year (columns 19-20) is not a number: {yy!r}")
    days = _field(line1, 20, 32, "epoch day")
    year = int(yy) + (2000 if int(yy) < 57 else 1900)
    year_days = 366 if year % 4 == 0 else 365
    if not 1.0 <= days < year_days + 1:
        raise ValueError(f"epoch day of year {days} is outside 1..{year_days + 1}")

    rec = {
        "norad_id": norad,
        "classification": line1[7] if line1[7] != " " else "U",
        "intldesg": line1[9:17].strip(),
        "year": year,
        "days": days,
        "ndot": _field(line1, 33, 43, "mean motion derivative"),
        "nddot": _implied_decimal(line1[44:52], "mean motion second derivative (columns 45-52)"),
        "bstar": _implied_decimal(line1[53:61], "BSTAR (columns 54-61)"),
        "inclo": _field(line2, 8, 16, "inclination"),
        "nodeo": _field(line2, 17, 25, "right ascension of ascending node"),
        "argpo": _field(line2, 34, 42, "argument of perigee"),
        "mo": _field(line2, 43, 51, "mean anomaly"),
        "no": _field(line2, 52, 63, "mean motion"),
    }
    ecc = line2[26:33].replace(" ", "0")
    if not ecc.isdigit():
        raise ValueError(f"eccentricity (columns 27-33) is not a number: {line2[26:33]!r}")
    rec["ecco"] = float("0." + ecc)
    elnum = line1[64:68].strip()
    rec["element_set_no"] = int(elnum) if elnum.isdigit() else 0
    revnum = line2[63:68].strip()
    rec["rev_at_epoch"] = int(revnum) if revnum.isdigit() else 0

    if not 0.0 <= rec["inclo"] <= 180.0:
        raise ValueError(f"inclination {rec['inclo']} deg is outside 0..180")
    for key, label in (("nodeo", "right ascension of ascending node"), ("argpo", "argument of perigee"),
                       ("mo", "mean anomaly")):
        if not 0.0 <= rec[key] <= 360.0:
            raise ValueError(f"{label} {rec[key]} deg is outside 0..360")
    if not rec["no"] > 0.0:
        raise ValueError(f"mean motion {rec['no']} rev/day is not positive")
    return rec


def split_records(text: str, source: str):
    """Group the lines of a 2LE/3LE text into records.

    Yields ``(line_no, name, line1, line2)`` for each candidate record (line_no
    is the 1-based line of line 1) and ``Rejection`` for lines that cannot be
    part of one: garbage, a line 1 without its line 2, a lone line 2. A line
    that is neither line 1 nor line 2 names the record when a line 1 follows it
    ("0 " prefix optional). Blank or whitespace-only lines are not records: they
    are skipped wherever they stand (a blank line after every line is common in
    pasted text); line numbers stay those of the text.
    """
    lines = [(k + 1, line.rstrip()) for k, line in enumerate(text.splitlines()) if line.strip()]
    n = len(lines)
    name = ""
    i = 0
    while i < n:
        line_no, raw = lines[i]
        following = lines[i + 1][1] if i + 1 < n else ""
        if raw.startswith("1 "):
            if following.startswith("2 "):
                yield line_no, name, raw, following
                i += 2
            else:
                yield Rejection(source, line_no, try_norad_id(raw),
                                "line 1 is not followed by a line 2 (truncated record)")
                i += 1
        elif raw.startswith("2 "):
            yield Rejection(source, line_no, try_norad_id(raw), "line 2 without a preceding line 1")
            i += 1
        elif following.startswith("1 "):
            name = raw[2:].strip() if raw.startswith("0 ") else raw.strip()
            i += 1
            continue
        else:
            yield Rejection(source, line_no, None,
                            f"unrecognised line (not a name before a line 1, nor line 1 or 2): {raw[:40]!r}")
            i += 1
        name = ""


def try_norad_id(line: str) -> int | None:
    """Catalogue number of a TLE line 1 or 2, None when unreadable."""
    try:
        return alpha5_to_int(line[2:7])
    except ValueError:
        return None


def cospar_id(intldesg: str) -> str:
    """'98067A' -> '1998-067A' ('' when blank or malformed)."""
    if len(intldesg) < 5 or not intldesg[:5].isdigit():
        return ""
    yy = int(intldesg[:2])
    return f"{1900 + yy if yy >= 57 else 2000 + yy}-{intldesg[2:]}"


def to_columns(recs: list[dict]) -> dict[str, np.ndarray]:
    """Convert raw TLE values to sgp4init units and two-part UTC Julian epochs,
    with the operations (and order) of SGP4.cpp ``twoline2rv``."""
    def col(key):
        return np.array([r[key] for r in recs], dtype=np.float64)

    year = np.array([r["year"] for r in recs], dtype=np.float64)
    days = col("days")
    # days2mdhms_SGP4 + jday_SGP4: the whole-day JD is jday(year, 1, 0) + day of year
    dayofyr = np.floor(days)
    temp = (days - dayofyr) * 24.0
    hr = np.floor(temp)
    temp = (temp - hr) * 60.0
    minute = np.floor(temp)
    sec = (temp - minute) * 60.0
    jan0 = 367.0 * year - np.floor((7 * year) * 0.25) + np.floor(275 * 1 / 9.0) + 0 + 1721013.5
    epoch_jd = jan0 + dayofyr
    epoch_fr = (sec + minute * 60.0 + hr * 3600.0) / SECONDS_PER_DAY
    return {
        "epoch_jd": epoch_jd,
        # python-sgp4's wrapper: jdsatepochF = round(jdsatepochF * 1e8) / 1e8 (C round)
        "epoch_fr": round_half_away(epoch_fr * 1e8) / 1e8,
        # what twoline2rv passes to sgp4init, before that rounding
        "epoch_days": (epoch_jd + epoch_fr) - SGP4_EPOCH_ORIGIN_JD,
        "no_kozai": col("no") / XPDOTP,
        **orbit_columns(col),
        "ndot": col("ndot") / (XPDOTP * 1440.0),
        "nddot": col("nddot") / (XPDOTP * 1440.0 * 1440),
    }
