"""All-vs-all and primaries-vs-all conjunction screening on exact SGP4.

``screen(catalog, start, days, threshold_km, primaries)`` returns one row per
conjunction (``CONJUNCTION_DTYPE``): a local minimum of the range between two
objects at or below the threshold, strictly after the window start and no
later than its end. Algorithm:

1. Pre-filter: objects whose padded apogee/perigee radius band meets no other
   object's (or no primary's) band are dropped.
2. The window is cut into time slabs (``ssa.screen.slabs``: here one after
   another, or as Dask tasks, ``ssa.screen.distributed``, with the same rows);
   each slab is propagated on a grid of step dt (60 s) with the numba SGP4
   (parallel over objects), its rows spilled to disk as it finishes.
3. Broad phase (numba, parallel over intervals): per interval, spatial hash of
   the midpoints of the objects' chords (in three sub-chords, each pair
   recorded in the one where it comes closest); a pair is a candidate when its relative
   chord passes within threshold + dev of the origin, dev bounding the
   deviation of relative motion from the chord (gravity gradient 3 mu / r^3
   times separation, plus 1e-5 km/s^2, times dt^2 / 8). This is provably
   complete: a pair within threshold somewhere in the interval is a candidate.
4. Narrow phase (numba, parallel over candidates): sign change of dr.dv on
   exact SGP4 states, bracketed Newton to 1e-7 s in time relative to the
   interval start.
5. Persistent pairs (within threshold on every sample for >= 1 h, e.g. docked
   vehicles with identical element sets, co-located GEO): one row per pair
   with its closest range, ``persistent=True``.
6. Objects whose SGP4 fails (decay, or ``ssa.propagate`` code 7: a state no
   bound orbit can have) stop at their first failing sample; ``run_screen``
   reports them with the code and its reason.

Collision probability is added by ``ssa.assess.assess(table, catalog)``
(``ssa screen``, through ``ssa.pipeline``, does so unless ``--no-pc``).
``write_table`` writes the table (CSV, JSON, Parquet) and
``conjunctions_from_csv`` reads a CSV of it (or SOCRATES') back.
"""
from ssa.screen.engine import ScreenResult, StoppedObject, run_screen
from ssa.screen.table import CONJUNCTION_DTYPE, conjunctions_from_csv, write_table

__all__ = ["CONJUNCTION_DTYPE", "ScreenResult", "StoppedObject", "conjunctions_from_csv", "run_screen", "screen",
           "write_table"]


def screen(catalog, start, days=7.0, threshold_km=5.0, primaries=None, progress=None):
    """Conjunctions within threshold_km over [start, start + days], sorted by TCA then ids.

    catalog: ``ssa.catalog.Catalog``; start: UTC datetime, ISO string or
    datetime64; primaries: NORAD ids screened against everything (None: all
    vs all); progress: callable(done_s, total_s). Returns a structured array
    of ``CONJUNCTION_DTYPE``.
    """
    return run_screen(catalog, start, days, threshold_km, primaries, progress).conjunctions
