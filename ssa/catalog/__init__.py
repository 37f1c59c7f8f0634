"""Catalogue ingestion: TLE/3LE/OMM to a structure of arrays."""
from ssa.catalog.model import Catalog, Rejection

__all__ = ["Catalog", "Rejection"]
