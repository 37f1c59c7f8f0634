"""Catalogue ingestion: TLE/3LE/OMM to a structure of arrays."""
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
