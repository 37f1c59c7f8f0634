"""Helpers for the catalogue tests: compare our satrecs with python-sgp4's own."""
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "catalog"

ELEMENTS = ("jdsatepoch", "jdsatepochF", "no_kozai", "ecco", "inclo", "nodeo", "argpo", "mo",
            "bstar", "ndot", "nddot", "gsto", "method")
OFFSETS_DAYS = np.arange(-3.0, 7.0001, 0.25)  # around each element set's epoch


def assert_same_as_reference(ours, refs, max_km=1e-6, max_km_s=1e-9):
    """Same elements and, from -3 to +7 days around each epoch, positions within
    ``max_km`` (1 mm), velocities within ``max_km_s`` and identical error codes."""
    assert len(ours) == len(refs)
    for i, (a, b) in enumerate(zip(ours, refs)):
        for name in ELEMENTS:
            assert getattr(a, name) == getattr(b, name), f"row {i}: {name} {getattr(a, name)!r} != {getattr(b, name)!r}"
    worst_r = worst_v = 0.0
    for i, (a, b) in enumerate(zip(ours, refs)):
        jd = b.jdsatepoch + OFFSETS_DAYS
        fr = np.full_like(jd, b.jdsatepochF)
        ea, ra, va = a.sgp4_array(jd, fr)
        eb, rb, vb = b.sgp4_array(jd, fr)
        assert np.array_equal(ea, eb), f"row {i}: error codes {ea} != {eb}"
        ok = eb == 0
        if ok.any():
            worst_r = max(worst_r, float(np.abs(ra[ok] - rb[ok]).max()))
            worst_v = max(worst_v, float(np.abs(va[ok] - vb[ok]).max()))
    assert worst_r <= max_km, f"position differs by {worst_r * 1e6:.3f} mm"
    assert worst_v <= max_km_s, f"velocity differs by {worst_v * 1e9:.3f} um/s"
    return worst_r, worst_v
