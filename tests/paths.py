"""Where the tests find their data: the repository, the shipped catalogue and
the shared Space-Track data beside the repository (../shared/data, read, never
copied: redistribution restricted)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CATALOG = REPO / "catalogs" / "celestrak_on_orbit_2024-11-01.csv"
SHARED_DATA = REPO.parent / "shared" / "data"


def needs_shared(*paths: str | Path, what: str) -> pytest.MarkDecorator:
    """Skip mark for tests that read `paths` (relative to ../shared/data, or full
    paths under it); the reason names `what` the data is and the paths missing."""
    missing = [str(path) for path in paths if not (SHARED_DATA / path).exists()]
    return pytest.mark.skipif(bool(missing), reason=f"{what} not in ../shared/data (missing: {', '.join(missing)})")
