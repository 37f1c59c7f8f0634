"""The one seam between the service and the screening stages: parse uploads
(ssa.catalog), screen (ssa.screen), assess (ssa.assess), route (ssa.respond),
write CDMs (ssa.assess.cdm)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from ssa.catalog.model import Rejection
from ssa.constants import SECONDS_PER_DAY
from ssa.respond.config import OPERATOR
from ssa.serve.store import PUBLIC, IngestResult, Routed, Store, utcnow
from ssa.serve.store.findings import FoundItem
from ssa.timeutil import JD_UNIX_EPOCH, datetime_to_jd, datetime_to_unix_days, jd_to_datetime, unix_days

# an operator's element set whose predicted positions differ from the public set's by more
# than this many standard deviations (Mahalanobis distance, 3-D) is flagged; chi-square with
# 3 degrees of freedom exceeds 5^2 = 25 with probability 1.7e-5
SOURCE_MAHALANOBIS_LIMIT = 5.0
SOURCE_CHECK_STEP_S = 600.0  # s between the compared positions over the screening window
# the re-entry fit reads the stored history of objects with a perigee below this (km); the watch
# itself looks at every object (ssa.detect.reentry.watch, max_perigee_km)
REENTRY_HISTORY_PERIGEE_KM = 600.0


@lru_cache(maxsize=1)
def satcat():
    """NORAD id -> (OWNER, OBJECT_TYPE) from the shipped SATCAT."""
    from ssa.catalog import SHIPPED_SATCAT, load_satcat
    return load_satcat(SHIPPED_SATCAT)


def ingest_text(store: Store, text: str, source: str, allowed_objects=None, origin: str = PUBLIC) -> IngestResult:
    """Parse an upload and store its new element sets; records of objects outside
    ``allowed_objects`` (an operator's) are rejected one by one. ``origin``: PUBLIC,
    or "operator:<tenant>" for an operator key's upload (kept beside the public sets)."""
    from ssa.catalog import parse_text

    catalog = parse_text(text, source=source, satcat=satcat())
    if allowed_objects is not None:
        allowed = np.isin(catalog.norad_id, np.fromiter(allowed_objects, dtype=np.int64))
        refused = [Rejection(source, _line_of(str(catalog.source[i])), int(catalog.norad_id[i]),
                             "NORAD_CAT_ID: not one of this key's objects") for i in np.nonzero(~allowed)[0]]
        rejected = list(catalog.rejected) + refused
        catalog = catalog.take(np.nonzero(allowed)[0])
        catalog.rejected = rejected
    scope = "all" if allowed_objects is None else ",".join(str(n) for n in sorted(allowed_objects))
    digest = hashlib.sha256(text.encode() + b"\0" + scope.encode() + b"\0" + origin.encode()).hexdigest()
    return store.ingest(catalog, digest, source, origin)


def _line_of(source: str) -> int:
    """The line number in a 'file:line' source string (0 when absent)."""
    tail = source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def window_for(catalog, mode: str, days: float) -> tuple[datetime, datetime]:
    """Screening window (UTC): from now, or ('catalog') from the newest element set
    epoch that is not in the future (one set dated years ahead does not move it)."""
    start = utcnow()
    if mode == "catalog" and len(catalog):
        epochs = catalog.epoch_jd + catalog.epoch_fr
        now_jd = datetime_to_jd(start)
        past = np.flatnonzero(epochs <= now_jd)
        newest = past[np.argmax(epochs[past])] if len(past) else int(np.argmax(epochs))
        start = jd_to_datetime(float(catalog.epoch_jd[newest]), float(catalog.epoch_fr[newest]))
    return start, start + timedelta(days=days)


def split_stale(catalog, start: datetime, end: datetime, max_age_days: float):
    """(the objects to screen, the others as stopped records): an element set is
    stale when its epoch (UTC) lies more than `max_age_days` before `start` or
    after `end`; SGP4 that far from epoch is meaningless and slow."""
    if len(catalog) == 0:
        return catalog, []
    epoch_days = unix_days(catalog.epoch_jd, catalog.epoch_fr)
    start_days, end_days = datetime_to_unix_days(start), datetime_to_unix_days(end)
    distance = np.maximum(start_days - epoch_days, epoch_days - end_days)
    stale = distance > max_age_days
    stopped = [{"norad_id": int(catalog.norad_id[i]), "name": str(catalog.name[i]),
                "epoch": jd_to_datetime(float(catalog.epoch_jd[i]), float(catalog.epoch_fr[i])).isoformat(),
                "reason": f"element set epoch {distance[i]:.1f} d from the screening window "
                          f"(limit {max_age_days:g} d)"}
               for i in np.flatnonzero(stale)]
    return catalog.take(np.flatnonzero(~stale)), stopped


def source_disagreement(public, operator, start: datetime, end: datetime, step_s: float = SOURCE_CHECK_STEP_S):
    """Per row of `operator` (each with a row of the same object in `public`): the largest
    Mahalanobis distance between the two sets' predicted positions over [start, end] (UTC),
    and the largest position difference (km). Positions are python-sgp4 (TEME, km) every
    `step_s`; the difference is taken in the public set's RTN axes against the sum of the
    two sets' estimated covariances (ssa.assess.covariance, at each set's age). NaN where
    either set cannot be propagated at any of the times."""
    from sgp4.api import SatrecArray

    from ssa.assess.covariance import estimated_sigma_rtn_km, perigee_altitude_km
    from ssa.screen.table import rtn_miss

    times = datetime_to_unix_days(start) + np.arange(0.0, (end - start).total_seconds() + step_s / 2,
                                                     step_s) / SECONDS_PER_DAY
    jd = np.full(times.size, JD_UNIX_EPOCH)
    positions, ages, sigma_inputs = [], [], []
    for catalog in (public, operator):
        err, r, v = SatrecArray(catalog.satrecs()).sgp4(jd, times)
        r[err != 0] = np.nan
        positions.append((r, v))
        epoch_days = unix_days(catalog.epoch_jd, catalog.epoch_fr)
        ages.append(times[None, :] - epoch_days[:, None])
        sigma_inputs.append(perigee_altitude_km(catalog.no_kozai, catalog.ecco))
    (r_pub, v_pub), (r_op, _) = positions
    diff = r_op - r_pub
    rtn = rtn_miss(r_pub, v_pub, r_op)
    variance = sum(estimated_sigma_rtn_km(np.repeat(perigee, times.size), age.ravel()).reshape(rtn.shape) ** 2
                   for perigee, age in zip(sigma_inputs, ages))
    mahalanobis = np.sqrt(np.sum(rtn**2 / variance, axis=-1))
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(mahalanobis).any(axis=1)
        worst = np.where(valid, np.max(np.where(np.isfinite(mahalanobis), mahalanobis, -1.0), axis=1), np.nan)
        distance = np.linalg.norm(diff, axis=-1)
        largest_km = np.where(valid, np.max(np.where(np.isfinite(distance), distance, -1.0), axis=1), np.nan)
    return worst, largest_km


def choose_sources(public, operator, origins: list[str], start: datetime, end: datetime,
                   limit: float = SOURCE_MAHALANOBIS_LIMIT):
    """The catalogue to screen, NORAD id -> origin of each object's set, and the checks
    of the operator sets (records for the job).

    Screening uses an operator's own element set where it agrees with the public one
    within the covariance (Mahalanobis distance at most `limit` over the window): the
    operator knows its satellite and its set is then at least as good. Where it
    disagrees, the public set is screened and the operator's set is flagged: a set
    beyond the covariance is a manoeuvre or an error (the ISS uploaded as BRIK-II), the
    service cannot tell which, and one key's upload must not page the response
    mechanism on its word alone; the flag names it in the job and in every event of
    the object, for an analyst to judge. An object with no public set is screened on
    the operator's set, recorded as not checked."""
    if len(operator) == 0:
        return public, {}, []
    have_public = set(int(n) for n in public.norad_id)
    compared = np.array([int(n) in have_public for n in operator.norad_id], dtype=bool)
    rows = np.flatnonzero(compared)
    worst = np.full(len(operator), np.nan)
    largest = np.full(len(operator), np.nan)
    if len(rows):
        pub = public.take(public.index_of(operator.norad_id[rows]))
        worst[rows], largest[rows] = source_disagreement(pub, operator.take(rows), start, end)
    checks, replace = [], []
    for i in range(len(operator)):
        norad = int(operator.norad_id[i])
        epoch = jd_to_datetime(float(operator.epoch_jd[i]), float(operator.epoch_fr[i])).isoformat()
        check = {"norad_id": norad, "name": str(operator.name[i]), "source": origins[i], "epoch": epoch,
                 "limit": limit}
        if not compared[i]:
            check.update(flagged=False, screened=origins[i], mahalanobis=None, max_difference_km=None,
                         reason="no public element set to compare with")
            replace.append(i)
        else:
            flagged = not (worst[i] <= limit)  # NaN (could not propagate) is flagged too
            check.update(flagged=bool(flagged), screened=PUBLIC if flagged else origins[i],
                         mahalanobis=None if np.isnan(worst[i]) else round(float(worst[i]), 2),
                         max_difference_km=None if np.isnan(largest[i]) else round(float(largest[i]), 3),
                         reason="agrees with the public element set within the covariance" if not flagged else
                         "could not be propagated over the window: the public set was screened" if np.isnan(worst[i])
                         else f"disagrees with the public element set beyond the covariance (Mahalanobis distance "
                              f"up to {worst[i]:.1f} > {limit:g}): the public set was screened")
            if not flagged:
                replace.append(i)
        checks.append(check)
    chosen = set(int(operator.norad_id[i]) for i in replace)
    keep = np.array([int(n) not in chosen for n in public.norad_id], dtype=bool)
    catalog = public.take(np.flatnonzero(keep)).concat(operator.take(np.array(replace, dtype=np.int64)))
    sources = {int(operator.norad_id[i]): origins[i] for i in replace}
    return catalog, sources, checks


def screen_and_route(catalog, start: datetime, days: float, threshold_km: float, progress=None,
                     tenants=None, dask_scheduler: str | None = None):
    """Conjunctions (CONJUNCTION_DTYPE plus the assessment fields), their routing,
    and the objects the screening stopped (SGP4 errors) as records with a reason.

    Routing judges each alert at the window start (`now` of the alert);
    ``tenants``: NORAD id -> tenant that registered the object (Store.object_tenants);
    ``dask_scheduler``: address of a Dask scheduler to screen on (None: here).
    The stages run in ``ssa.pipeline``, as for ``ssa screen``."""
    from ssa.pipeline import screen_assess_route

    if dask_scheduler:
        from ssa.screen.distributed import cluster_client, dask_executor

        with cluster_client(dask_scheduler) as client:
            result, routings = screen_assess_route(catalog, start, days, threshold_km, progress=progress,
                                                   tenants=tenants, executor=dask_executor(client))
    else:
        result, routings = screen_assess_route(catalog, start, days, threshold_km, progress=progress,
                                               tenants=tenants)
    stopped = [{**asdict(stop), "reason": f"SGP4 error {stop.error} at +{stop.seconds:.0f} s: {stop.reason}"}
               for stop in result.stopped]
    return result.conjunctions, [routed(routing) for routing in routings], stopped


def detect_findings(store: Store, version_id: int, catalog, start: datetime, settings, progress=None) -> list[FoundItem]:
    """The detectors' findings of catalogue version ``version_id`` (``ssa.pipeline.detection``)
    as the store writes them: re-entry watch on ``catalog`` (the version's public catalogue)
    with the stored history, manoeuvres on the histories of the objects this version brought
    new sets of, fragmentation against the previous public version, proximity of the asset
    registry over the screening window from ``start`` (UTC, naive); each switched and bounded
    by ``settings`` (Settings.detect_*). ``progress``: callable(message)."""
    from ssa.pipeline.detection import detect_and_route

    since = start - timedelta(days=settings.detect_history_days)
    reentry_days = settings.detect_reentry_horizon_days
    watched = set()
    if reentry_days > 0 and len(catalog):
        from ssa.catalog.summary import perigee_apogee_altitude_km

        perigee, _ = perigee_apogee_altitude_km(catalog.no_kozai, catalog.ecco)
        watched = {int(n) for n in catalog.norad_id[perigee < REENTRY_HISTORY_PERIGEE_KM]}
    changed = store.new_public_objects(version_id) if settings.detect_manoeuvres else set()
    history = store.history_for_version(version_id, watched | changed, since) if watched | changed else None
    previous = None
    if settings.detect_fragmentation:
        previous_id = store.previous_public_version(version_id)
        previous = store.catalog_for_version(previous_id) if previous_id is not None else None
    detections, _ = detect_and_route(
        catalog, start, history=history, manoeuvre_ids=changed, previous=previous,
        reentry_horizon_days=reentry_days, proximity_days=settings.window_days if settings.detect_proximity else 0.0,
        tenants=store.object_tenants(), progress=progress)
    return [FoundItem(kind=d.kind, identity=d.identity, norad_id_1=d.norad_id_1, norad_id_2=d.norad_id_2,
                      event_time=None if d.event_time is None else d.event_time.replace(tzinfo=None),
                      summary=d.summary,
                      routed=routed(d.routing) if d.routing is not None else Routed(level=None))
            for d in detections]


def configured_sites(settings) -> list:
    """The sites of settings.overflight_sites_file (ssa.detect.overflight.Site), [] when unset;
    OverflightConfigError names the file, site and field of a bad one."""
    from ssa.detect.overflight import load_sites

    return load_sites(settings.overflight_sites_file) if settings.overflight_sites_file else []


def overflights(catalog, start: datetime, settings) -> list[dict]:
    """Passes over the configured sites of the catalogue's watching satellites over the screening
    window from ``start`` (UTC, naive): ``ssa.pipeline.detection.overflight_passes`` rows; [] when
    no sites file is set."""
    from ssa.detect.overflight import load_watchers
    from ssa.pipeline.detection import overflight_passes

    sites = configured_sites(settings)
    if not sites:
        return []
    watchers = load_watchers(settings.overflight_watchers_file) if settings.overflight_watchers_file \
        else load_watchers()
    return overflight_passes(catalog, sites, watchers, start, settings.window_days)


def route_rows(rows: np.ndarray, catalog, now: datetime, tenants=None) -> list[Routed]:
    """The store's view of ``ssa.pipeline.route_conjunctions`` (alerts judged at ``now``, naive UTC)."""
    from ssa.pipeline import route_conjunctions

    return [routed(routing) for routing in route_conjunctions(rows, catalog, now, tenants)]


def routed(routing) -> Routed:
    """The store's view of a ssa.respond Routing: parties get alerts only when it pages.
    'operator' stands for the operators of the objects of Dutch interest."""
    def expand(parties):
        out = []
        for party in parties:
            out.extend(routing.operators if party == OPERATOR else (party,))
        return list(dict.fromkeys(out))

    if not routing.paged:
        return Routed(level=routing.level, detail=routing.to_dict())
    return Routed(level=routing.level, lead=expand([routing.lead]), supporting=expand(routing.supporting),
                  informed=expand(routing.informed), detail=routing.to_dict())


def known_parties() -> list[dict]:
    """Parties of the response mechanism, from ssa.respond's configuration."""
    from ssa.respond import load_config

    return [{"code": p.id, "name": p.name_en, "description": p.role} for p in load_config().parties.values()]


def event_row(event) -> np.ndarray:
    """A stored event as one screening/assessment row (CONJUNCTION_DTYPE plus assess fields)."""
    from ssa.screen import CONJUNCTION_DTYPE

    assessed = event.pc is not None
    extra = [("pc", "f8"), ("pc_method", "U16"), ("max_prob", "f8"), ("dilution_km", "f8"),
             ("covariance_source", "U16"), ("hbr_m", "f8")] if assessed else []
    row = np.zeros(1, dtype=np.dtype(CONJUNCTION_DTYPE.descr + extra))
    for name in ("norad_id_1", "name_1", "dse_1", "norad_id_2", "name_2", "dse_2", "tca_jd", "tca_fr", "range_km",
                 "relative_speed_km_s", "radial_km", "in_track_km", "cross_track_km", "persistent"):
        row[name] = getattr(event, name)
    row["tca"] = np.datetime64(event.tca, "us")
    for name in ("r1", "v1", "r2", "v2"):
        row[name] = event.state[name]
    if assessed:
        for name in ("pc", "pc_method", "max_prob", "dilution_km", "covariance_source", "hbr_m"):
            value = getattr(event, name)
            row[name] = value if value is not None else (np.nan if name not in ("pc_method", "covariance_source") else "")
    return row[0]


def event_cdm(store: Store, event, fmt: str) -> str:
    """The event as a CCSDS CDM (KVN or XML) from ssa.assess, with the element sets it was
    screened on; each object's metadata comments name its set's source and any operator
    set of it that was flagged."""
    from ssa.assess import cdm_from_conjunction
    from ssa.assess.cdm import write_kvn, write_xml

    version = store.job_catalog_version(event.last_job_id)
    sources = (event.source_1, event.source_2)
    first, second = (store.catalog_for_version(version, norad_ids=(norad,), origin=source)
                     for norad, source in zip((event.norad_id_1, event.norad_id_2), sources))
    catalog = first.concat(second)
    message = cdm_from_conjunction(event_row(event), catalog, originator="SSA")
    for obj, norad, source in zip(message.objects, (event.norad_id_1, event.norad_id_2), sources):
        notes = obj.comments.setdefault("metadata", [])
        notes.append(f"Element set source: {source}")
        notes.extend(f"Element set of {flag['source']} flagged: {flag['reason']}"
                     for flag in event.source_flags or () if flag["norad_id"] == norad)
    return write_xml(message) if fmt == "xml" else write_kvn(message)
