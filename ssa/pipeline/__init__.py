"""The pipeline's one orchestrator: screen (``ssa.screen``) -> assess (``ssa.assess``) -> route (``ssa.respond``).

``ssa screen`` (``ssa.pipeline.cli``) and the service's worker
(``ssa.serve.pipeline.screen_and_route``) both run the stages through here;
besides the service and the command line it is the one module that imports
every stage. The stages are imported inside the functions, so that
``ssa --help`` does not load numba or scipy.
"""
from __future__ import annotations

from datetime import UTC, datetime


def screen_and_assess(catalog, start, days: float, threshold_km: float, primaries=None, covariances=None,
                      pc: bool = True, progress=None, *, sink=None, executor=None, slab_bytes: int | None = None,
                      spill_dir=None):
    """``ssa.screen.run_screen`` with its conjunctions assessed by ``ssa.assess.assess`` (unless not ``pc``).

    catalog: ``ssa.catalog.Catalog``; start: UTC datetime, ISO-8601 text or
    datetime64; days, threshold_km: window length (days) and miss distance
    (km); primaries: NORAD ids screened against all (None: all vs all);
    covariances: NORAD id -> operator's 6x6 RTN covariance (m), as for
    ``assess``; progress: callable(done_s, total_s). Returns the
    ``ScreenResult`` whose ``conjunctions`` carry the assessment fields.

    sink: callable taking the (assessed) table in sorted pieces as the
    screen yields them; then ``conjunctions`` is empty. executor,
    slab_bytes (ephemerides of one time slab, bytes; None: the default),
    spill_dir: as for ``run_screen`` (a Dask cluster:
    ``ssa.screen.distributed.dask_executor``).
    """
    from ssa.screen import run_screen

    def assessed(table):
        if not pc:
            return table
        from ssa.assess import assess

        return assess(table, catalog, covariances)

    slabs = {} if slab_bytes is None else {"slab_bytes": slab_bytes}
    result = run_screen(catalog, start, days, threshold_km, primaries, progress=progress,
                        sink=None if sink is None else (lambda piece: sink(assessed(piece))),
                        executor=executor, spill_dir=spill_dir, **slabs)
    if sink is None:
        result.conjunctions = assessed(result.conjunctions)
    return result


def route_conjunctions(rows, catalog, now: datetime, tenants=None) -> list:
    """``ssa.respond`` routings (one per alert) of assessed conjunction rows.

    Each alert is judged at ``now`` (UTC; naive = UTC); ``tenants``: NORAD id
    -> tenant that registered the object, where one did.
    """
    from ssa.respond import Alert, load_config, route

    config = load_config()
    tenants = tenants or {}
    lookup = {int(n): (str(o), str(t), tenants.get(int(n), ""))
              for n, o, t in zip(catalog.norad_id, catalog.owner, catalog.object_type)}
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    alerts = Alert.from_conjunctions(rows, lookup, now=now)
    return [route(alert, config) for alert in alerts]


def screen_assess_route(catalog, start: datetime, days: float, threshold_km: float, progress=None, tenants=None,
                        executor=None):
    """(``ScreenResult`` with assessed conjunctions, their routings): the whole sequence, all vs all.

    Routing judges each alert at the window start (UTC datetime, naive = UTC);
    executor: runs the screen's time slabs (``run_screen``; None: here).
    """
    result = screen_and_assess(catalog, start, days, threshold_km, progress=progress, executor=executor)
    return result, route_conjunctions(result.conjunctions, catalog, start, tenants)


def dutch_interest_ids(catalog) -> list[int]:
    """NORAD ids of the catalogue's objects that ``ssa.respond`` gives a Dutch interest category."""
    from ssa.respond import AlertObject, load_config, object_interest

    config = load_config()
    return [int(n) for n, name, owner, kind in zip(catalog.norad_id, catalog.name, catalog.owner, catalog.object_type)
            if object_interest(AlertObject(int(n), str(name), str(owner), str(kind)), config).category]
