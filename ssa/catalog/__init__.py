"""Catalogue ingestion: TLE/3LE/OMM to a structure of arrays.

``load(path_or_paths, satcat=None, keep="newest")`` and ``parse_text(text)`` read
2LE, 3LE ("0 " name prefix optional, Alpha-5 numbers) and OMM CSV (CelesTrak or
Space-Track columns), JSON and XML, gzip optional, into a ``Catalog`` whose
``satrecs()`` equal python-sgp4's ``Satrec.twoline2rv`` / ``sgp4.omm`` bit for
bit. Bad records go to ``catalog.rejected`` (file, line, NORAD id, reason);
duplicate NORAD ids keep the newest element set and leave a note in
``catalog.notes``. ``load_satcat`` reads owner and object type per NORAD id.
"""
from ssa.catalog.model import Catalog, Rejection
from ssa.catalog.reader import (
    SHIPPED_ACTIVE,
    SHIPPED_CATALOG,
    SHIPPED_SATCAT,
    detect_format,
    drop_duplicates,
    load,
    load_satcat,
    merge_satcat,
    parse_text,
)

__all__ = [
    "Catalog",
    "Rejection",
    "SHIPPED_ACTIVE",
    "SHIPPED_CATALOG",
    "SHIPPED_SATCAT",
    "detect_format",
    "drop_duplicates",
    "load",
    "load_satcat",
    "merge_satcat",
    "parse_text",
]
