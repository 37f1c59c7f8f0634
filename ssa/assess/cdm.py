"""CCSDS Conjunction Data Messages (CCSDS 508.0-B-1, with the 2.0 keywords) in KVN and XML.

A :class:`Cdm` holds four sections (header, relative metadata/data, object 1,
object 2). Each section maps block names (the XML containers: ``metadata``,
``odParameters``, ``stateVector``, ``covarianceMatrix``, ...) to ordered
``{KEYWORD: value}`` dicts. Values are typed: ``float`` in the unit the
standard prescribes (states km, km/s; covariance m**2, m**2/s, m**2/s**2;
distances m), ``int``, ``str``, epochs as their text (UTC, validated), and
tuples for multi-value keywords. Units written in the message are checked
against the standard's; a malformed message raises :class:`CdmError` naming
the line and keyword.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from ssa.fileio import atomic_write


class CdmError(ValueError):
    """A CDM that cannot be read: where (source, line, keyword) and why."""

    def __init__(self, reason: str, line: int | None = None, keyword: str | None = None, source: str = "cdm"):
        self.reason, self.line, self.keyword, self.source = reason, line, keyword, source
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {keyword + ': ' if keyword else ''}{reason}")


# --- keyword table: keyword -> (block, type, unit) ---------------------------
# types: str, float, int, epoch, floats, ints, or a tuple of allowed values
KEYWORDS: dict[str, tuple[str, object, str | None]] = {}
SECTION_OF_BLOCK = {
    "header": "header", "relativeMetadataData": "relative", "relativeStateVector": "relative",
}


def _add(block: str, spec: str) -> None:
    for item in spec.split(";"):
        item = item.strip()
        if not item:
            continue
        name, kind, unit = (item.split(":") + [None, None])[:3]
        KEYWORDS[name] = (block, kind or "str", unit or None)


_add("header", "CCSDS_CDM_VERS;CREATION_DATE:epoch;ORIGINATOR;MESSAGE_FOR;MESSAGE_ID;CLASSIFICATION")
_add("relativeMetadataData", "CONJUNCTION_ID;TCA:epoch;MISS_DISTANCE:float:m;MAHALANOBIS_DISTANCE:float;RELATIVE_SPEED:float:m/s")
_add("relativeStateVector", ";".join(f"RELATIVE_POSITION_{a}:float:m" for a in "RTN") + ";"
     + ";".join(f"RELATIVE_VELOCITY_{a}:float:m/s" for a in "RTN"))
_add("relativeMetadataData", """APPROACH_ANGLE:float:deg;START_SCREEN_PERIOD:epoch;STOP_SCREEN_PERIOD:epoch;
     SCREEN_TYPE;SCREEN_VOLUME_FRAME;SCREEN_VOLUME_SHAPE;SCREEN_VOLUME_RADIUS:float:m;SCREEN_VOLUME_X:float:m;
     SCREEN_VOLUME_Y:float:m;SCREEN_VOLUME_Z:float:m;SCREEN_ENTRY_TIME:epoch;SCREEN_EXIT_TIME:epoch;
     SCREEN_PC_THRESHOLD:float;COLLISION_PERCENTILE:ints;COLLISION_PROBABILITY:float;COLLISION_PROBABILITY_METHOD;
     COLLISION_MAX_PROBABILITY:float;COLLISION_MAX_PC_METHOD;SEFI_COLLISION_PROBABILITY:float;
     SEFI_COLLISION_PROBABILITY_METHOD;SEFI_FRAGMENTATION_MODEL;PREVIOUS_MESSAGE_ID;PREVIOUS_MESSAGE_EPOCH:epoch;
     NEXT_MESSAGE_EPOCH:epoch""".replace("\n", ""))
_add("metadata", """OBJECT;OBJECT_DESIGNATOR;CATALOG_NAME;OBJECT_NAME;INTERNATIONAL_DESIGNATOR;OBJECT_TYPE;OPS_STATUS;
     OPERATOR_CONTACT_POSITION;OPERATOR_ORGANIZATION;OPERATOR_PHONE;OPERATOR_EMAIL;ODM_MSG_LINK;ADM_MSG_LINK;
     EPHEMERIS_NAME;OBS_BEFORE_NEXT_MESSAGE;COVARIANCE_METHOD;COVARIANCE_SOURCE;MANEUVERABLE;ORBIT_CENTER;REF_FRAME;
     ALT_COV_TYPE;ALT_COV_REF_FRAME;GRAVITY_MODEL;ATMOSPHERIC_MODEL;N_BODY_PERTURBATIONS;SOLAR_RAD_PRESSURE;
     EARTH_TIDES;INTRACK_THRUST""".replace("\n", ""))
_add("odParameters", """TIME_LASTOB_START:epoch;TIME_LASTOB_END:epoch;RECOMMENDED_OD_SPAN:float:d;ACTUAL_OD_SPAN:float:d;
     OBS_AVAILABLE:int;OBS_USED:int;TRACKS_AVAILABLE:int;TRACKS_USED:int;RESIDUALS_ACCEPTED:float:%;
     WEIGHTED_RMS:float;OD_EPOCH:epoch""".replace("\n", ""))
_add("additionalParameters", """AREA_PC:float:m**2;AREA_PC_MIN:float:m**2;AREA_PC_MAX:float:m**2;AREA_DRG:float:m**2;
     AREA_SRP:float:m**2;OEB_PARENT_FRAME;OEB_PARENT_FRAME_EPOCH:epoch;OEB_Q1:float;OEB_Q2:float;OEB_Q3:float;
     OEB_QC:float;OEB_MAX:float:m;OEB_INT:float:m;OEB_MIN:float:m;AREA_ALONG_OEB_MAX:float:m**2;
     AREA_ALONG_OEB_INT:float:m**2;AREA_ALONG_OEB_MIN:float:m**2;RCS:float:m**2;RCS_MIN:float:m**2;
     RCS_MAX:float:m**2;VM_ABSOLUTE:float;VM_APPARENT_MIN:float;VM_APPARENT:float;VM_APPARENT_MAX:float;
     REFLECTANCE:float;MASS:float:kg;HBR:float:m;CD_AREA_OVER_MASS:float:m**2/kg;CR_AREA_OVER_MASS:float:m**2/kg;
     THRUST_ACCELERATION:float:m/s**2;SEDR:float:W/kg;MIN_DV:floats:m/s;MAX_DV:floats:m/s;
     LEAD_TIME_REQD_BEFORE_TCA:float:h;APOAPSIS_ALTITUDE:float:km;PERIAPSIS_ALTITUDE:float:km;
     INCLINATION:float:deg;COV_CONFIDENCE:float;COV_CONFIDENCE_METHOD""".replace("\n", ""))
_add("stateVector", "X:float:km;Y:float:km;Z:float:km;X_DOT:float:km/s;Y_DOT:float:km/s;Z_DOT:float:km/s")

_KIND = {"R": "p", "T": "p", "N": "p", "X": "p", "Y": "p", "Z": "p", "RDOT": "v", "TDOT": "v", "NDOT": "v",
         "XDOT": "v", "YDOT": "v", "ZDOT": "v", "DRG": "a", "SRP": "a", "THR": "t"}
_PAIR_UNIT = {"pp": "m**2", "vp": "m**2/s", "vv": "m**2/s**2", "ap": "m**3/kg", "av": "m**3/(kg*s)",
              "aa": "m**4/kg**2", "tp": "m**2/s**2", "tv": "m**2/s**3", "ta": "m**3/(kg*s**2)", "tt": "m**2/s**4"}
RTN_AXES = ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
XYZ_AXES = ("X", "Y", "Z", "XDOT", "YDOT", "ZDOT", "DRG", "SRP", "THR")


def _covariance_keywords(axes):
    names = []
    for i, row in enumerate(axes):
        for col in axes[: i + 1]:
            names.append((f"C{row}_{col}", _PAIR_UNIT[_KIND[row] + _KIND[col]]))
    return names


RTN_COVARIANCE = [k for k, _ in _covariance_keywords(RTN_AXES)]
XYZ_COVARIANCE = [k for k, _ in _covariance_keywords(XYZ_AXES)]
for _k, _u in _covariance_keywords(RTN_AXES):
    KEYWORDS[_k] = ("covarianceMatrix", "float", _u)
# the drag/SRP/thrust rows shared by both matrices belong to the RTN one unless read inside the XYZ one
_SHARED = {k for k in XYZ_COVARIANCE if k in KEYWORDS}
for _k, _u in _covariance_keywords(XYZ_AXES):
    if _k not in KEYWORDS:
        KEYWORDS[_k] = ("altCovarianceMatrix", "float", _u)
KEYWORDS["CSIG3EIGVEC3"] = ("altCovarianceMatrix", "floats", None)
_add("additionalCovarianceMetadata", """DENSITY_FORECAST_UNCERTAINTY:float;CSCALE_FACTOR_MIN:float;CSCALE_FACTOR:float;
     CSCALE_FACTOR_MAX:float;SCREENING_DATA_SOURCE;DCP_SENSITIVITY_VECTOR_POSITION:floats;
     DCP_SENSITIVITY_VECTOR_VELOCITY:floats""".replace("\n", ""))

ENUMS = {
    "OBJECT": ("OBJECT1", "OBJECT2"),
    "MANEUVERABLE": ("YES", "NO", "N/A"),
    "COVARIANCE_METHOD": ("CALCULATED", "DEFAULT"),
    "REF_FRAME": ("EME2000", "GCRF", "ITRF", "TEME"),
}
MANDATORY_HEADER = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
MANDATORY_RELATIVE = ("TCA", "MISS_DISTANCE")
MANDATORY_OBJECT = ("OBJECT", "OBJECT_DESIGNATOR", "CATALOG_NAME", "OBJECT_NAME", "INTERNATIONAL_DESIGNATOR",
                    "EPHEMERIS_NAME", "COVARIANCE_METHOD", "MANEUVERABLE", "REF_FRAME",
                    "X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", *RTN_COVARIANCE[:21])
OBJECT_BLOCKS = ("metadata", "odParameters", "additionalParameters", "stateVector", "covarianceMatrix",
                 "altCovarianceMatrix", "additionalCovarianceMetadata", "userDefinedParameters")
BLOCK_ORDER = ("header", "relativeMetadataData", "relativeStateVector") + OBJECT_BLOCKS
# XML containers accepted on reading (the 2.0 draft names and Orekit's)
XML_CONTAINERS = {"cdm", "header", "body", "relativeMetadataData", "relativeStateVector", "segment", "data",
                  *OBJECT_BLOCKS, "rtnCovarianceMatrix", "xyzCovarianceMatrix", "sig3EigVec3CovarianceMatrix"}

_EPOCH = re.compile(r"^(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$")


def parse_epoch(text: str) -> datetime:
    """A CCSDS epoch (YYYY-MM-DDThh:mm:ss[.f] or YYYY-DDDThh:mm:ss[.f], UTC) as an aware datetime."""
    m = _EPOCH.match(text.strip())
    if not m:
        raise ValueError(f"not a CCSDS epoch: {text!r}")
    year, month, day, doy, hh, mm, ss, frac = m.groups()
    if doy:
        base = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
        if base.year != int(year):
            raise ValueError(f"day of year out of range: {text!r}")
        month, day = base.month, base.day
    micro = round(float(frac) * 1e6) if frac else 0
    out = datetime(int(year), int(month), int(day), int(hh), int(mm), min(int(ss), 59), tzinfo=UTC)
    return out + timedelta(seconds=int(ss) - min(int(ss), 59), microseconds=micro)


def format_epoch(when: datetime) -> str:
    """UTC datetime as CCSDS text, YYYY-MM-DDThh:mm:ss.ffffff."""
    when = when.astimezone(UTC) if when.tzinfo else when
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class Section:
    """One part of a CDM: blocks of {KEYWORD: value}, comments per block, first line."""

    blocks: dict[str, dict[str, object]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    line: int = 0

    def get(self, keyword: str, default=None):
        for block in self.blocks.values():
            if keyword in block:
                return block[keyword]
        return default

    def __getitem__(self, keyword: str):
        value = self.get(keyword)
        if value is None:
            raise KeyError(keyword)
        return value

    def set(self, keyword: str, value, block: str | None = None) -> None:
        block = block or KEYWORDS[keyword][0]
        self.blocks.setdefault(block, {})[keyword] = value

    def values(self) -> dict:
        return {b: dict(kv) for b, kv in self.blocks.items() if kv}


@dataclass
class Cdm:
    """A conjunction data message; see the module docstring."""

    header: Section
    relative: Section
    objects: tuple[Section, Section]
    source: str = "cdm"
    warnings: list[str] = field(default_factory=list)  # problems tolerated by a non-strict read

    def values(self) -> dict:
        """All values by section and block, for comparing messages (comments excluded)."""
        return {"header": self.header.values(), "relative": self.relative.values(),
                "object1": self.objects[0].values(), "object2": self.objects[1].values()}

    @property
    def tca(self) -> datetime:
        return parse_epoch(self.relative["TCA"])

    def state(self, i: int):
        """Object i (0 or 1): position (km), velocity (km/s), REF_FRAME as in the message."""
        obj = self.objects[i]
        r = np.array([obj["X"], obj["Y"], obj["Z"]], dtype=float)
        v = np.array([obj["X_DOT"], obj["Y_DOT"], obj["Z_DOT"]], dtype=float)
        return r, v, str(obj["REF_FRAME"])

    def state_gcrs(self, i: int):
        """Object i's position (km) and velocity (km/s) in GCRS at TCA."""
        from ssa.assess.frames import to_gcrs

        r, v, frame = self.state(i)
        return to_gcrs(r, v, frame, self.tca)

    def covariance_rtn(self, i: int) -> np.ndarray:
        """Object i's 6x6 RTN position/velocity covariance (m**2, m**2/s, m**2/s**2)."""
        obj = self.objects[i]
        cov = np.zeros((6, 6))
        k = 0
        for row in range(6):
            for col in range(row + 1):
                cov[row, col] = cov[col, row] = obj[RTN_COVARIANCE[k]]
                k += 1
        return cov

    def hard_body_radius_m(self) -> float | None:
        """Combined HBR (m): the objects' HBR keywords summed (2.0), else a 'HBR = x [m]' comment (CARA)."""
        hbrs = [o.get("HBR") for o in self.objects]
        if all(h is not None for h in hbrs):
            return float(sum(hbrs))
        sections = (self.relative, *self.objects)
        for text in (c for s in sections for cs in s.comments.values() for c in cs):
            m = re.match(r"\s*HBR\s*=\s*([0-9.eE+-]+)\s*(\[m\])?", text)
            if m:
                return float(m.group(1))
        return None


# --- reading ------------------------------------------------------------------

def _convert(keyword: str, raw: str, unit: str | None, line: int, source: str, warnings: list | None = None):
    """Typed value of one keyword; a wrong unit raises, or (warnings given) is noted and ignored."""
    block, kind, expected = KEYWORDS[keyword]
    if unit is not None and unit.strip():
        if expected is None or unit.replace(" ", "").lower() != expected.lower():
            want = f"[{expected}]" if expected else "no unit"
            error = CdmError(f"unit [{unit}] where the standard has {want}", line, keyword, source)
            if warnings is None:
                raise error
            warnings.append(f"{error} (value read in the standard unit)")
    try:
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
        if kind == "floats":
            return tuple(float(x) for x in raw.split())
        if kind == "ints":
            return tuple(int(x) for x in raw.split())
        if kind == "epoch":
            parse_epoch(raw)
            return raw.strip()
    except ValueError:
        what = {"float": "a number", "int": "an integer", "floats": "numbers", "ints": "integers",
                "epoch": "a valid UTC epoch (YYYY-MM-DDThh:mm:ss.f)"}[kind]
        raise CdmError(f"value {raw!r} is not {what}", line, keyword, source) from None
    if keyword in ENUMS and raw.strip() not in ENUMS[keyword]:
        raise CdmError(f"value {raw!r} is not one of {', '.join(ENUMS[keyword])}", line, keyword, source)
    return raw.strip()


class _Builder:
    """Turns (keyword, value, unit, line) items into a Cdm, checking order and content."""

    def __init__(self, source: str, strict: bool):
        self.source = source
        self.strict = strict
        self.warnings: list[str] = []
        self.header = Section(line=1)
        self.relative = Section()
        self.objects: list[Section] = []
        self.pending_comments: list[str] = []
        self.current_block: str | None = None

    def _section(self, block: str, keyword: str, line: int) -> Section:
        if keyword == "OBJECT":
            if len(self.objects) == 2:
                raise CdmError("a CDM has exactly two objects", line, keyword, self.source)
            self.objects.append(Section(line=line))
            return self.objects[-1]
        if self.objects:
            if block in ("header", "relativeMetadataData", "relativeStateVector"):
                raise CdmError(f"{block} keyword inside an object section", line, keyword, self.source)
            return self.objects[-1]
        if block == "header":
            if self.relative.blocks:
                raise CdmError("header keyword after the relative metadata", line, keyword, self.source)
            return self.header
        if block in ("relativeMetadataData", "relativeStateVector"):
            if not self.relative.line:
                self.relative.line = line
            return self.relative
        raise CdmError("object keyword before 'OBJECT = OBJECT1'", line, keyword, self.source)

    def comment(self, text: str) -> None:
        self.pending_comments.append(text)

    def item(self, keyword: str, raw: str | None, unit: str | None, line: int) -> None:
        if keyword.startswith("USER_DEFINED_"):
            block, value = "userDefinedParameters", (raw or "").strip()
        elif keyword not in KEYWORDS:
            raise CdmError("unknown keyword", line, keyword, self.source)
        else:
            block = KEYWORDS[keyword][0]
            if keyword in _SHARED and self.current_block == "altCovarianceMatrix":
                block = "altCovarianceMatrix"
            try:
                value = None if raw is None or not raw.strip() else _convert(
                    keyword, raw, unit, line, self.source, None if self.strict else self.warnings)
            except CdmError as error:
                if self.strict or keyword in MANDATORY_HEADER + MANDATORY_RELATIVE + MANDATORY_OBJECT:
                    raise
                self.warnings.append(f"{error} (keyword dropped)")
                return
        section = self._section(block, keyword, line)
        if value is None:  # empty or nil: absent (checked below if mandatory)
            if keyword in MANDATORY_HEADER + MANDATORY_RELATIVE + MANDATORY_OBJECT:
                raise CdmError("mandatory keyword has no value", line, keyword, self.source)
            return
        if section.get(keyword) is not None and block == KEYWORDS.get(keyword, (block,))[0]:
            raise CdmError("keyword repeated in the same section", line, keyword, self.source)
        section.set(keyword, value, block)
        if self.pending_comments:
            section.comments.setdefault(block, []).extend(self.pending_comments)
            self.pending_comments = []
        self.current_block = block

    def finish(self) -> Cdm:
        if self.pending_comments:  # trailing comments stay with the last block
            section = self.objects[-1] if self.objects else self.relative if self.relative.blocks else self.header
            section.comments.setdefault(self.current_block or "header", []).extend(self.pending_comments)
        for keyword in MANDATORY_HEADER:
            if self.header.get(keyword) is None:
                raise CdmError("mandatory header keyword missing", 1, keyword, self.source)
        for keyword in MANDATORY_RELATIVE:
            if self.relative.get(keyword) is None:
                raise CdmError("mandatory relative metadata keyword missing", self.relative.line or 1, keyword, self.source)
        if len(self.objects) != 2:
            raise CdmError(f"a CDM has two object sections, found {len(self.objects)}", None, "OBJECT", self.source)
        for want, obj in zip(("OBJECT1", "OBJECT2"), self.objects):
            if obj["OBJECT"] != want:
                raise CdmError(f"expected {want}, found {obj['OBJECT']}", obj.line, "OBJECT", self.source)
            for keyword in MANDATORY_OBJECT:
                if obj.get(keyword) is None:
                    raise CdmError(f"mandatory keyword missing from {want} (section from line {obj.line})",
                                   obj.line, keyword, self.source)
        return Cdm(self.header, self.relative, (self.objects[0], self.objects[1]), self.source, self.warnings)


_KVN_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")
_KVN_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]\s*$")


def parse_kvn(text: str, source: str = "cdm", strict: bool = True) -> Cdm:
    """Read a KVN CDM; CdmError names the line and keyword of the first problem.

    With ``strict=False`` a wrong unit or a bad optional value becomes a
    warning (``Cdm.warnings``) instead; mandatory keywords are always checked.
    """
    builder = _Builder(source, strict)
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("COMMENT"):
            builder.comment(stripped[7:].strip())
            continue
        m = _KVN_LINE.match(stripped)
        if not m:
            raise CdmError("not a 'KEYWORD = value' line", lineno, None, source)
        keyword, rest = m.group(1), m.group(2)
        unit = None
        um = _KVN_UNIT.match(rest)
        if um and KEYWORDS.get(keyword, ("", "str"))[1] != "str":
            rest, unit = um.group(1), um.group(2)
        builder.item(keyword, rest, unit, lineno)
    return builder.finish()


def parse_xml(text: str, source: str = "cdm", strict: bool = True) -> Cdm:
    """Read an XML CDM (NDM/XML schema layout); CdmError names the line and element."""
    builder = _Builder(source, strict)
    parser = expat.ParserCreate()
    stack: list[dict] = []

    def start(tag, attrs):
        line = parser.CurrentLineNumber
        if stack and stack[-1]["tag"] not in XML_CONTAINERS:
            raise CdmError(f"element <{tag}> inside keyword <{stack[-1]['tag']}>", line, tag, source)
        if not stack:
            if tag != "cdm":
                raise CdmError(f"root element is <{tag}>, expected <cdm>", line, tag, source)
            version = attrs.get("version")
            if not version:
                raise CdmError("<cdm> has no version attribute", line, "CCSDS_CDM_VERS", source)
            builder.item("CCSDS_CDM_VERS", version, None, line)
        stack.append({"tag": tag, "attrs": attrs, "text": [], "line": line})

    def end(tag):
        node = stack.pop()
        if tag in XML_CONTAINERS:
            return
        text = "".join(node["text"])
        if tag == "COMMENT":
            builder.comment(text.strip())
            return
        nil = node["attrs"].get("nil", node["attrs"].get("xsi:nil", "false")) == "true"
        builder.item(tag, None if nil else text, node["attrs"].get("units"), node["line"])

    def chars(data):
        if stack:
            stack[-1]["text"].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text.encode("utf-8") if isinstance(text, str) else text, True)
    except expat.ExpatError as exc:
        raise CdmError(f"XML not well formed: {expat.errors.messages[exc.code]}", exc.lineno, None, source) from None
    return builder.finish()


def parse(text: str, source: str = "cdm", strict: bool = True) -> Cdm:
    """Read a CDM in KVN or XML (detected from the first character)."""
    reader = parse_xml if text.lstrip().startswith("<") else parse_kvn
    return reader(text, source, strict)


def read(path, strict: bool = True) -> Cdm:
    """Read a CDM file in KVN or XML."""
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), source=path.name, strict=strict)


# --- writing ------------------------------------------------------------------

def _text(value) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def _unit(keyword: str) -> str | None:
    return KEYWORDS[keyword][2] if keyword in KEYWORDS else None


_ORDER = {k: i for i, k in enumerate(KEYWORDS)}
_ORDER_ALT = {k: i for i, k in enumerate(XYZ_COVARIANCE + ["CSIG3EIGVEC3"])}


def _items(section: Section, blocks):
    """(block, keyword, value) of the given blocks, in the standard's keyword order."""
    items = [(b, k, v) for b in blocks for k, v in section.blocks.get(b, {}).items()]
    def key(item):
        block, keyword, _ = item
        order = _ORDER_ALT if block == "altCovarianceMatrix" else _ORDER
        return (0 if block in _RELATIVE else blocks.index(block), order.get(keyword, len(order)))

    return sorted(items, key=key)


_RELATIVE = ("relativeMetadataData", "relativeStateVector")


def _kvn_line(keyword: str, value) -> str:
    unit = _unit(keyword)
    pad = f"{keyword:<36} = {_text(value)}"
    return f"{pad:<80} [{unit}]" if unit else pad


def write_kvn(cdm: Cdm) -> str:
    """The CDM as KVN text (keywords padded to a column, units in brackets)."""
    lines: list[str] = []
    parts = ((cdm.header, ("header",)), (cdm.relative, _RELATIVE),
             *((obj, OBJECT_BLOCKS) for obj in cdm.objects))
    for section, blocks in parts:
        written: set[str] = set()
        for block, keyword, value in _items(section, blocks):
            if block not in written:
                lines.extend(f"COMMENT {c}" for c in section.comments.get(block, []))
                written.add(block)
            lines.append(_kvn_line(keyword, value))
    return "\n".join(lines) + "\n"


def write_xml(cdm: Cdm) -> str:
    """The CDM as XML in the NDM/XML layout of the CCSDS and Orekit examples."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<cdm id="CCSDS_CDM_VERS" version={quoteattr(str(cdm.header["CCSDS_CDM_VERS"]))}>']

    def leaf(keyword, value, indent):
        unit = _unit(keyword)
        attr = f" units={quoteattr(unit)}" if unit else ""
        out.append(f"{indent}<{keyword}{attr}>{escape(_text(value))}</{keyword}>")

    def comments(section, block, indent):
        out.extend(f"{indent}<COMMENT>{escape(c)}</COMMENT>" for c in section.comments.get(block, []))

    out.append("  <header>")
    comments(cdm.header, "header", "    ")
    for _, keyword, value in _items(cdm.header, ("header",)):
        if keyword != "CCSDS_CDM_VERS":
            leaf(keyword, value, "    ")
    out.append("  </header>")
    out.append("  <body>")
    out.append("    <relativeMetadataData>")
    comments(cdm.relative, "relativeMetadataData", "      ")
    in_vector = False
    for block, keyword, value in _items(cdm.relative, _RELATIVE):
        if (block == "relativeStateVector") != in_vector:
            out.append("      <relativeStateVector>" if not in_vector else "      </relativeStateVector>")
            in_vector = not in_vector
        leaf(keyword, value, "        " if in_vector else "      ")
    if in_vector:
        out.append("      </relativeStateVector>")
    out.append("    </relativeMetadataData>")
    for obj in cdm.objects:
        out.append("    <segment>")
        out.append("      <metadata>")
        comments(obj, "metadata", "        ")
        for _, keyword, value in _items(obj, ("metadata",)):
            leaf(keyword, value, "        ")
        out.append("      </metadata>")
        out.append("      <data>")
        for block in OBJECT_BLOCKS[1:]:
            if obj.blocks.get(block) or obj.comments.get(block):
                tag = "covarianceMatrix" if block in ("altCovarianceMatrix", "additionalCovarianceMetadata") else block
                out.append(f"        <{tag}>")
                comments(obj, block, "          ")
                for _, keyword, value in _items(obj, (block,)):
                    leaf(keyword, value, "          ")
                out.append(f"        </{tag}>")
        out.append("      </data>")
        out.append("    </segment>")
    out.append("  </body>")
    out.append("</cdm>")
    return "\n".join(out) + "\n"


def write(cdm: Cdm, path, fmt: str | None = None) -> Path:
    """Write atomically (``ssa.fileio``); fmt 'kvn' or 'xml', else from the suffix."""
    path = Path(path)
    fmt = (fmt or ("xml" if path.suffix.lower() == ".xml" else "kvn")).lower()
    text = write_xml(cdm) if fmt == "xml" else write_kvn(cdm)
    with atomic_write(path) as fh:
        fh.write(text)
    return path
