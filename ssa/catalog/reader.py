"""Read catalogue files (2LE, 3LE, OMM CSV/JSON/XML, gzip optional) into a Catalog."""
from __future__ import annotations

import csv
import gzip
import io
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np

from ssa.catalog import omm, tle
from ssa.catalog.model import Catalog, Rejection
from ssa.timeutil import unix_days, unix_days_to_datetime64

# Catalogues to screen, in the repository's catalogs/ folder (a source checkout; not in the wheel).
CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalogs"
SHIPPED_CATALOG = CATALOG_DIR / "celestrak_on_orbit_2024-11-01.csv"
SHIPPED_ACTIVE = CATALOG_DIR / "celestrak_active_gp_2026-07-10.csv"
# The SATCAT owner/type map is read at run time: it ships inside the package.
SHIPPED_SATCAT = resources.files("ssa.catalog") / "data" / "satcat_owner_type_2026-06-14.csv"

FORMATS = ("tle", "csv", "json", "xml")
FORMAT_ALIASES = {"2le": "tle", "3le": "tle"}
KEEP = ("newest", "first", "all")
FLOAT_COLUMNS = ("epoch_jd", "epoch_fr", "epoch_days", "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo",
                 "bstar", "ndot", "nddot")


def detect_format(text: str) -> str:
    """'xml', 'json', 'csv' or 'tle' from the first non-blank characters."""
    head = text.lstrip()[:4096]
    if head.startswith("<"):
        return "xml"
    if head.startswith(("[", "{")):
        return "json"
    first_line = head.split("\n", 1)[0].upper()
    if "," in first_line and ("NORAD_CAT_ID" in first_line or "OBJECT_NAME" in first_line
                              or "MEAN_MOTION" in first_line):
        return "csv"
    return "tle"


def read_text(path: str | os.PathLike) -> str:
    """File contents as text, gunzipped when gzip-compressed, BOM stripped."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8-sig", errors="replace")


def _parse_into(text: str, source: str, fmt: str | None, tle_recs: list, omm_recs: list, rejected: list) -> None:
    fmt = FORMAT_ALIASES.get(fmt, fmt) if fmt else detect_format(text)
    if fmt not in FORMATS:
        raise ValueError(f"unknown catalogue format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "tle":
        for item in tle.split_records(text, source):
            if isinstance(item, Rejection):
                rejected.append(item)
                continue
            line_no, name, line1, line2 = item
            try:
                rec = tle.parse_pair(line1, line2)
            except ValueError as exc:
                rejected.append(Rejection(source, line_no, tle.try_norad_id(line1), str(exc)))
                continue
            rec["name"] = name
            rec["source"] = f"{source}:{line_no}"
            rec["read_order"] = len(tle_recs) + len(omm_recs)
            tle_recs.append(rec)
        return
    already = len(omm_recs)
    try:
        rows = {"csv": omm.csv_rows, "json": omm.json_rows, "xml": omm.xml_rows}[fmt](text)
        omm.read_records(rows, source, omm_recs, rejected)
    except (ValueError, SyntaxError) as exc:  # JSON/XML that does not parse at all
        line = getattr(exc, "lineno", None) or (getattr(exc, "position", None) or (1,))[0]
        rejected.append(Rejection(source, line, None, f"not valid OMM {fmt.upper()}: {exc}"))
    for k in range(already, len(omm_recs)):
        omm_recs[k]["read_order"] = len(tle_recs) + k


def _build(tle_recs: list, omm_recs: list, rejected: list, keep: str, satcat) -> Catalog:
    parts = []
    for recs, to_columns, object_ids in (
        (tle_recs, tle.to_columns, [tle.cospar_id(r["intldesg"]) for r in tle_recs]),
        (omm_recs, omm.to_columns, [r["object_id"] for r in omm_recs]),
    ):
        if not recs:
            continue
        cols = to_columns(recs)
        cols["norad_id"] = np.array([r["norad_id"] for r in recs], dtype=np.int64)
        cols["name"] = np.array([r["name"] for r in recs], dtype=object)
        cols["object_id"] = np.array(object_ids, dtype=object)
        cols["element_set_no"] = np.array([r["element_set_no"] for r in recs], dtype=np.int64)
        cols["rev_at_epoch"] = np.array([r["rev_at_epoch"] for r in recs], dtype=np.int64)
        cols["classification"] = np.array([r["classification"] for r in recs], dtype=object)
        cols["owner"] = np.array([r.get("owner", "") for r in recs], dtype=object)
        cols["object_type"] = np.array([r.get("object_type", "") for r in recs], dtype=object)
        cols["rcs_m2"] = np.array([r.get("rcs_m2", np.nan) for r in recs], dtype=np.float64)
        cols["source"] = np.array([r["source"] for r in recs], dtype=object)
        cols["read_order"] = np.array([r["read_order"] for r in recs], dtype=np.int64)
        parts.append(cols)
    if parts:
        columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        order = np.argsort(columns.pop("read_order"), kind="stable")  # rows in the order read
        columns = {k: v[order] for k, v in columns.items()}
    else:
        columns = {k: np.empty(0, dtype=np.float64) for k in FLOAT_COLUMNS + ("rcs_m2",)}
        columns.update({k: np.empty(0, dtype=np.int64) for k in ("norad_id", "element_set_no", "rev_at_epoch")})
        columns.update({k: np.empty(0, dtype=object) for k in
                        ("name", "object_id", "classification", "owner", "object_type", "source")})
    catalog = Catalog(**columns, rejected=rejected)
    catalog = drop_duplicates(catalog, keep)
    if satcat is not None:
        merge_satcat(catalog, satcat)
    return catalog


def drop_duplicates(catalog: Catalog, keep: str = "newest") -> Catalog:
    """One row per NORAD id: the newest epoch ("newest"), the first read ("first"),
    or every row ("all"). Each dropped element set gets a note naming the kept one.

    The package's one rule for repeated NORAD ids (``ssa.screen`` uses it too):
    "newest" compares epochs by whole day, then fraction, and of equal epochs
    keeps the row read first. Kept rows stay in the order read.
    """
    if keep not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(KEEP)}, not {keep!r}")
    n = len(catalog)
    if keep == "all" or n == 0:
        return catalog
    ids = catalog.norad_id
    if keep == "newest":
        # by id, then newest (whole day, then fraction: exact for fr in [0, 1)), then read order
        order = np.lexsort((np.arange(n), -catalog.epoch_fr, -catalog.epoch_jd, ids))
    else:
        order = np.lexsort((np.arange(n), ids))
    sorted_ids = ids[order]
    first = np.ones(n, dtype=bool)
    first[1:] = sorted_ids[1:] != sorted_ids[:-1]
    kept = np.sort(order[first])
    if len(kept) == n:
        return catalog
    notes = list(catalog.notes)
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], n)
    for s, e in zip(starts, ends):
        if e - s > 1:
            k = order[s]
            dropped = ", ".join(str(catalog.source[j]) for j in order[s + 1:e])
            notes.append(f"NORAD {int(ids[k])}: kept {keep} element set {catalog.source[k]} "
                         f"(epoch {_iso(catalog.epoch_jd[k], catalog.epoch_fr[k])}), dropped {e - s - 1}: {dropped}")
    out = catalog.take(kept)
    out.notes = notes
    return out


def _iso(jd: float, fr: float) -> str:
    return str(unix_days_to_datetime64(unix_days(jd, fr)))[:19]


def load(path_or_paths, satcat=None, keep: str = "newest", fmt: str | None = None) -> Catalog:
    """Load one or several catalogue files (format detected per file unless ``fmt``).

    ``satcat``: a path to a SATCAT CSV or a mapping NORAD id -> (owner, object type),
    filling ``owner``/``object_type``. ``keep``: "newest" (default), "first" or "all"
    element sets per NORAD id, over all files together. Bad records land in
    ``catalog.rejected``; duplicates dropped are listed in ``catalog.notes``.
    """
    paths = [path_or_paths] if isinstance(path_or_paths, (str, os.PathLike)) else list(path_or_paths)
    tle_recs, omm_recs, rejected = [], [], []
    for path in paths:
        _parse_into(read_text(path), Path(path).name, fmt, tle_recs, omm_recs, rejected)
    if satcat is not None and not isinstance(satcat, Mapping):
        satcat = load_satcat(satcat)
    return _build(tle_recs, omm_recs, rejected, keep, satcat)


def parse_text(text: str, source: str = "upload", fmt: str | None = None, satcat=None,
               keep: str = "newest") -> Catalog:
    """Parse catalogue text (any supported format) as ``load`` does a file."""
    tle_recs, omm_recs, rejected = [], [], []
    _parse_into(text.lstrip("\ufeff"), source, fmt, tle_recs, omm_recs, rejected)
    if satcat is not None and not isinstance(satcat, Mapping):
        satcat = load_satcat(satcat)
    return _build(tle_recs, omm_recs, rejected, keep, satcat)


def load_satcat(path: str | os.PathLike) -> dict[int, tuple[str, str]]:
    """NORAD id -> (owner, object type) from a CSV with NORAD_CAT_ID, OWNER, OBJECT_TYPE
    columns (the shipped map, or CelesTrak's full SATCAT CSV). Rows without a
    readable NORAD id are skipped."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    header = {h.strip().upper(): h for h in (reader.fieldnames or [])}
    missing = [c for c in ("NORAD_CAT_ID", "OWNER", "OBJECT_TYPE") if c not in header]
    if missing:
        raise ValueError(f"{Path(path).name}: SATCAT CSV lacks column(s) {', '.join(missing)}")
    id_col, owner_col, type_col = header["NORAD_CAT_ID"], header["OWNER"], header["OBJECT_TYPE"]
    out = {}
    for row in reader:
        try:
            norad = int(row[id_col])
        except (TypeError, ValueError):
            continue
        object_type = (row[type_col] or "").strip().upper()
        out[norad] = ((row[owner_col] or "").strip(), omm.OBJECT_TYPES.get(object_type, object_type))
    return out


def merge_satcat(catalog: Catalog, satcat: Mapping[int, tuple[str, str]]) -> None:
    """Fill owner and object_type in place from a SATCAT mapping (where known)."""
    for i, norad in enumerate(catalog.norad_id.tolist()):
        entry = satcat.get(norad)
        if entry is not None:
            owner, object_type = entry
            if owner:
                catalog.owner[i] = owner
            if object_type:
                catalog.object_type[i] = object_type
