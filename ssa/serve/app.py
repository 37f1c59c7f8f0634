"""The HTTP API (FastAPI). Everything under /v1 needs an API key, /healthz does
not, /metrics as settings.metrics says. Errors are RFC 9457 problem+json."""
from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import json
import logging
import multiprocessing
import os
import re
import threading
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import Body, Depends, FastAPI, File, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, or_, select, tuple_
from starlette.exceptions import HTTPException as StarletteHTTPException

from ssa.serve import delivery, incidents, pipeline, schemas
from ssa.serve.auth import Principal, ProblemException, RateLimiter, authenticate, principal, require_roles
from ssa.serve.models import (
    Alert, CatalogVersion, Delivery, DeliveryAttempt, Event, EventUpdate, Incident, Job, Party, SpaceObject, Subscription,
)
from ssa.serve.settings import Settings
from ssa.serve.store import Store, high_water, next_change_seqs, open_store, utcnow

PROBLEM = "application/problem+json"
Who = Annotated[Principal, Depends(principal)]
MAX_ROW_ID = 2**31 - 1  # event, alert and job ids are 32-bit integers on PostgreSQL
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
KEY_IN_QUERY = re.compile(r"((?:^|[?&])[^=&]*(?:key|token|secret)[^=&]*=)[^&\s]*|ssa_[0-9a-f]+_[A-Za-z0-9_\-]+",
                          re.IGNORECASE)

TAGS = [
    {"name": "conjunctions", "description": "Conjunction events: poll with since= and If-None-Match"},
    {"name": "alerts", "description": "Events and reported incidents routed to the caller's party, with acknowledgement"},
    {"name": "incidents", "description": "Incidents reported by parties, routed like screening's alerts"},
    {"name": "subscriptions", "description": "Admin: webhooks that receive each alert routed to a party, signed"},
    {"name": "catalog", "description": "Element set uploads and the screening jobs they start"},
    {"name": "objects", "description": "Catalogued objects"},
    {"name": "parties", "description": "Parties of the Dutch response mechanism"},
    {"name": "service", "description": "Health and metrics"},
]
PROBLEM_RESPONSES = {
    code: {"description": text_, "content": {PROBLEM: {"schema": {"type": "object"}}}}
    for code, text_ in ((401, "missing or wrong API key"), (403, "outside the key's scope"),
                        (422, "invalid parameter; `errors` names each field"), (429, "rate limit; see Retry-After"))
}


def iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="microseconds") if when is not None else None


ROUTING_SUMMARY = ("level", "paged", "lead", "supporting", "informed", "rule", "basis", "alerted")


def conjunction_json(ev: Event, full_routing: bool = False) -> dict:
    """The API form of an event; lists carry a routing summary, the detail view all of it
    (actions, information to share, citations, explanation)."""
    routing = ev.routing
    if routing is not None and not full_routing:
        routing = {k: routing[k] for k in ROUTING_SUMMARY if k in routing}
    return {
        "id": ev.id, "status": ev.status, "close_reason": ev.close_reason, "change_seq": ev.change_seq,
        "level": ev.level, "created_at": iso(ev.created_at), "updated_at": iso(ev.updated_at), "TCA": iso(ev.tca),
        "MISS_DISTANCE": round(ev.range_km * 1000.0, 3), "RELATIVE_SPEED": round(ev.relative_speed_km_s * 1000.0, 3),
        "RELATIVE_POSITION_R": round(ev.radial_km * 1000.0, 3), "RELATIVE_POSITION_T": round(ev.in_track_km * 1000.0, 3),
        "RELATIVE_POSITION_N": round(ev.cross_track_km * 1000.0, 3),
        "COLLISION_PROBABILITY": ev.pc, "COLLISION_PROBABILITY_METHOD": ev.pc_method,
        "max_probability": ev.max_prob, "hard_body_radius_m": ev.hbr_m, "covariance_source": ev.covariance_source,
        "persistent": ev.persistent,
        "OBJECT1": {"NORAD_CAT_ID": ev.norad_id_1, "OBJECT_NAME": ev.name_1, "days_since_epoch": ev.dse_1,
                    "ELSET_SOURCE": ev.source_1},
        "OBJECT2": {"NORAD_CAT_ID": ev.norad_id_2, "OBJECT_NAME": ev.name_2, "days_since_epoch": ev.dse_2,
                    "ELSET_SOURCE": ev.source_2},
        "source_flags": ev.source_flags, "routing": routing,
    }


def history_json(h: EventUpdate) -> dict:
    return {"job_id": h.job_id, "kind": h.kind, "recorded_at": iso(h.recorded_at), "status": h.status,
            "close_reason": h.close_reason, "TCA": iso(h.tca), "MISS_DISTANCE": round(h.range_km * 1000.0, 3),
            "RELATIVE_SPEED": round(h.relative_speed_km_s * 1000.0, 3), "COLLISION_PROBABILITY": h.pc,
            "level": h.level}


def alert_json(a: Alert, ev: Event | None, inc: Incident | None = None) -> dict:
    """An alert with what it is about: a conjunction event, or a reported incident."""
    return {"id": a.id, "party": a.party, "role": a.role, "level": a.level, "change_seq": a.change_seq,
            "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
            "acknowledged_at": iso(a.acknowledged_at), "acknowledged_by": a.acknowledged_by,
            "conjunction": conjunction_json(ev) if ev is not None else None,
            "incident": incidents.incident_json(inc) if inc is not None else None}


def job_json(j: Job) -> dict:
    return {"id": j.id, "catalog_version_id": j.catalog_version_id, "status": j.status, "progress": j.progress,
            "message": j.message, "attempts": j.attempts, "created_at": iso(j.created_at),
            "started_at": iso(j.started_at), "finished_at": iso(j.finished_at), "window_start": iso(j.window_start),
            "window_end": iso(j.window_end), "threshold_km": j.threshold_km, "n_objects": j.n_objects,
            "n_conjunctions": j.n_conjunctions, "error": failure_reason(j.error),
            "stopped": j.stopped or [], "source_checks": j.source_checks or []}


def failure_reason(error: str | None) -> str | None:
    """What the API says of a failed job: the last line of its stored error (for a
    traceback, the exception and its message; the traceback itself is in the worker's log)."""
    if not error:
        return error
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else None


def upload_source(who: Principal) -> str:
    """The catalogue version source prefix of this key's uploads (how an operator's jobs are found)."""
    return f"upload by key {who.key_id}: "


def object_json(o: SpaceObject, element_sets: list[dict] = ()) -> dict:
    """An object, with the newest element set of each source (Store.element_set_sources)."""
    return {"NORAD_CAT_ID": o.norad_id, "OBJECT_NAME": o.object_name, "OBJECT_ID": o.object_id, "OWNER": o.owner,
            "OBJECT_TYPE": o.object_type, "EPOCH": iso(o.latest_epoch),
            "element_sets": [{"source": e["source"], "EPOCH": iso(e["epoch"]), "catalog_version_id":
                              e["catalog_version_id"], "ELEMENT_SET_NO": e["element_set_no"], "OBJECT_NAME": e["name"]}
                             for e in element_sets]}


def etag_response(request: Request, payload: dict) -> Response:
    """JSON with a strong ETag over the body; 304 when If-None-Match matches."""
    body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag, "Cache-Control": "no-cache"})


def encode_cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(TCA, event id) from a cursor of encode_cursor; 422 for anything else."""
    try:
        tca, event_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(tca, str) and type(event_id) is int and 0 <= event_id <= MAX_ROW_ID:
            return datetime.fromisoformat(tca), event_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        pass
    raise ProblemException(422, "Invalid cursor", "the cursor is not one this API issued", field="cursor")


def operator_scope(who: Principal):
    """SQL condition: events involving one of the operator's objects."""
    objs = sorted(who.objects)
    return or_(Event.norad_id_1.in_(objs), Event.norad_id_2.in_(objs))


def own_recipient(who: Principal) -> str | None:
    """The alert recipient this key answers for: an agency's party; for an operator
    the tenant its objects are registered under, as ssa.respond names it."""
    return f"tenant {who.tenant}" if who.role == "operator" else who.party


def event_scope(who: Principal):
    if who.sees_everything:
        return None
    if who.role == "operator":
        return operator_scope(who)
    # agency: events with an alert for its party
    return Event.id.in_(select(Alert.event_id).where(Alert.party == (who.party or "")))


def problem(status: int, title: str, detail: str, instance: str, field: str | None = None,
            headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    if field:
        body["errors"] = [{"field": field, "detail": detail}]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def redact_keys(text: str) -> str:
    """`text` (a logged path with its query) with API keys and key-like parameter values replaced by REDACTED."""
    return KEY_IN_QUERY.sub(lambda m: (m.group(1) or "") + "REDACTED", text)


class RedactKeys(logging.Filter):
    """Access log filter: keys sent in a query string (refused: keys go in X-API-Key) are not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_keys(a) if isinstance(a, str) else a for a in record.args)
        return True


class BodyGuard:
    """ASGI middleware: a request with a body needs a valid API key, checked before
    any of the body is read, and its body may hold at most settings.max_upload_bytes
    (413 as soon as the declared length or the bytes received go past it)."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", ())) if scope["type"] == "http" else {}
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)
        limit = self.state.settings.max_upload_bytes
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared == 0 and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)
        started = [False]

        async def send_tracked(message):
            started[0] = started[0] or message["type"] == "http.response.start"
            await send(message)

        try:
            if declared > limit:
                raise self.too_large(limit)
            key = headers.get(b"x-api-key", b"").decode("latin-1")
            client = scope["client"][0] if scope.get("client") else ""
            scope.setdefault("state", {})["principal"] = await run_in_threadpool(authenticate, self.state, key, client)
            received = [0]

            async def receive_counted():
                message = await receive()
                received[0] += len(message.get("body", b""))
                if received[0] > limit:
                    raise self.too_large(limit)
                return message

            await self.app(scope, receive_counted, send_tracked)
        except ProblemException as exc:
            if started[0]:
                raise
            path = scope.get("path", "")
            await problem(exc.status_code, exc.title, str(exc.detail), path, exc.field, exc.headers)(scope, receive, send)

    @staticmethod
    def too_large(limit: int) -> ProblemException:
        return ProblemException(413, "Request body too large", f"at most {limit} bytes (setting max_upload_bytes)",
                                field="file")


class RequestMetrics:
    """ASGI middleware: request count by method, route template and status, latency by
    route template; methods outside HTTP_METHODS count as 'other', unrouted paths as 'unmatched'."""

    def __init__(self, app, requests_total, latency):
        self.app, self.requests_total, self.latency = app, requests_total, latency

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = [500]

        async def send_status(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            self.latency.labels(path).observe(time.perf_counter() - start)
            method = scope["method"] if scope["method"] in HTTP_METHODS else "other"
            self.requests_total.labels(method, path, str(status[0])).inc()


def run_embedded_worker(settings: Settings, database_url: str, stop) -> None:
    """`ssa serve`'s job worker and webhook delivery loop, in a child process: screening holds the GIL for
    seconds at a time, which in a thread of the server stalls every request. Stops
    when `stop` is set or the server process is gone."""
    from ssa.serve.worker import Worker

    os.nice(10)  # screening is batch work: requests to the server come first
    parent = os.getppid()

    def watch_parent():
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="ssa-worker-parent", daemon=True).start()
    store = Store(database_url)
    delivery.start_delivery_thread(store, settings, stop)  # webhooks: a slow receiver never holds up the API
    Worker(store, settings).run_forever(stop)


def create_app(settings: Settings | None = None, store: Store | None = None, start_worker: bool | None = None) -> FastAPI:
    """The application; `start_worker` (default settings.embedded_worker) runs a job worker
    process beside it (run_embedded_worker), on the same store."""
    settings = settings or Settings()
    run_worker = settings.embedded_worker if start_worker is None else start_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        access_log = logging.getLogger("uvicorn.access")  # configured by now
        if not any(isinstance(f, RedactKeys) for f in access_log.filters):
            access_log.addFilter(RedactKeys())
        process = None
        if run_worker:
            context = multiprocessing.get_context("spawn")
            stop = context.Event()
            url = app.state.store.engine.url.render_as_string(hide_password=False)
            process = context.Process(target=run_embedded_worker, args=(settings, url, stop), name="ssa-worker",
                                      daemon=True)
            process.start()
        yield
        if process is not None:
            stop.set()
            process.join(timeout=30)
            if process.is_alive():  # mid-screening: its job's lease runs out and another worker re-claims it
                process.terminate()
                process.join()

    app = FastAPI(title="ssa conjunction alert service", version="1", openapi_tags=TAGS, lifespan=lifespan,
                  description="Conjunction events screened from public element sets, routed to the parties of the "
                              "Dutch space incident response mechanism. Poll `/v1/conjunctions?since=N` or "
                              "`/v1/alerts?since=N` with `If-None-Match`.")
    if store is None:
        store = open_store(settings)
    store.upsert_parties(pipeline.known_parties())
    app.state.settings, app.state.store = settings, store
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.failed_keys = RateLimiter(settings.failed_keys_per_minute)
    app.state.key_cache = {}
    registry = CollectorRegistry()
    requests_total = Counter("ssa_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry)
    latency = Histogram("ssa_http_request_seconds", "HTTP request latency", ["route"], registry=registry,
                        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
    jobs_gauge = Gauge("ssa_jobs", "screening jobs by status", ["status"], registry=registry)
    open_events = Gauge("ssa_open_conjunctions", "open conjunction events", registry=registry)
    change_seq_gauge = Gauge("ssa_change_seq", "newest change sequence number", registry=registry)
    Session = store.session
    # a CDM costs tens of ms of CPU (it re-assesses the encounter): more at once than cores only
    # queue for the GIL and the connection pool, where they time out
    cdm_slots = threading.BoundedSemaphore(os.cpu_count() or 1)

    app.add_middleware(BodyGuard, state=app.state)
    app.add_middleware(RequestMetrics, requests_total=requests_total, latency=latency)

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        if isinstance(exc, ProblemException):
            return problem(exc.status_code, exc.title, str(exc.detail), request.url.path, exc.field, exc.headers,
                           **exc.extra)
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return problem(exc.status_code, title, str(exc.detail), request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError):
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body" or len(e["loc"]) == 1),
                   "detail": e.get("msg", "invalid")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        return problem(422, "Invalid request", detail, request.url.path, errors=errors)

    # ---- service -------------------------------------------------------------------
    @app.get("/healthz", tags=["service"], response_model=schemas.Health)
    def healthz():
        with Session() as s:
            seq = high_water(s)
        return {"status": "ok", "database": store.engine.dialect.name, "change_seq": seq}

    @app.get("/metrics", tags=["service"], response_class=PlainTextResponse, include_in_schema=settings.metrics != "off",
             responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
                        404: {"description": "metrics are off (setting metrics)"}, **PROBLEM_RESPONSES})
    def metrics(request: Request):
        if settings.metrics == "off":
            raise ProblemException(404, "Not found", "metrics are off on this server (setting metrics)")
        if settings.metrics == "admin":
            require_roles(principal(request, request.headers.get("x-api-key")), "admin")
        with Session() as s:
            counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
            open_events.set(s.scalar(select(func.count()).select_from(Event).where(Event.status == "open")))
            change_seq_gauge.set(high_water(s))
        for status in ("queued", "running", "done", "failed", "superseded"):
            jobs_gauge.labels(status).set(counts.get(status, 0))
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # ---- conjunctions --------------------------------------------------------------
    @app.get("/v1/conjunctions", tags=["conjunctions"], response_model=schemas.ConjunctionPage,
             responses={304: {"description": "unchanged since the ETag sent in If-None-Match"}, **PROBLEM_RESPONSES})
    def list_conjunctions(
        request: Request, who: Who,
        norad_cat_id: Annotated[int | None, Query(ge=0, le=999_999_999, description="either object",
                                                   examples=[25544])] = None,
        tca_from: Annotated[datetime | None, Query(description="UTC, inclusive", examples=["2024-11-01T00:00:00Z"])] = None,
        tca_to: Annotated[datetime | None, Query(description="UTC, inclusive", examples=["2024-11-08T00:00:00Z"])] = None,
        max_miss_distance: Annotated[float | None, Query(ge=0, description="m", examples=[1000.0])] = None,
        min_collision_probability: Annotated[float | None, Query(ge=0, le=1, examples=[1e-7])] = None,
        level: Annotated[str | None, Query(max_length=32, pattern=NO_NUL, description="escalation level of ssa.respond",
                                           examples=["watch"])] = None,
        status: Annotated[Literal["open", "closed"] | None, Query()] = None,
        since: Annotated[int | None, Query(ge=0, le=2**62, examples=[0],
                                           description="only changes after this change_seq, in change order; filters "
                                                       "apply to each event's current state, so a poller that must "
                                                       "see an event leave its filter polls without filters")] = None,
        cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page (TCA order)")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ):
        if since is not None and cursor is not None:
            raise ProblemException(422, "Invalid request", "use either since (change order) or cursor (TCA order)",
                                   field="cursor")
        if who.role == "operator" and norad_cat_id is not None and norad_cat_id not in who.objects:
            raise ProblemException(403, "Forbidden", f"NORAD_CAT_ID {norad_cat_id} is not one of this key's objects",
                                   field="norad_cat_id")
        conds = []
        scope = event_scope(who)
        if scope is not None:
            conds.append(scope)
        if norad_cat_id is not None:
            conds.append(or_(Event.norad_id_1 == norad_cat_id, Event.norad_id_2 == norad_cat_id))
        if tca_from is not None:
            conds.append(Event.tca >= naive_utc(tca_from, "tca_from"))
        if tca_to is not None:
            conds.append(Event.tca <= naive_utc(tca_to, "tca_to"))
        if max_miss_distance is not None:
            conds.append(Event.range_km <= max_miss_distance / 1000.0)
        if min_collision_probability is not None:
            conds.append(Event.pc >= min_collision_probability)
        if level is not None:
            conds.append(Event.level == level)
        if status is not None:
            conds.append(Event.status == status)
        # plain rows without the TEME states: no ORM identity map, no JSON decoding the list does not need
        query = select(*(c for c in Event.__table__.columns if c.name != "state"))
        with Session() as s:
            newest_seq = high_water(s)  # read before the items: see Store's note on ordering
            if since is not None:
                query = query.where(Event.change_seq > since, *conds).order_by(Event.change_seq)
            else:
                if cursor is not None:
                    c_tca, c_id = decode_cursor(cursor)
                    conds.append(tuple_(Event.tca, Event.id) > tuple_(naive_utc(c_tca, "cursor"), c_id))
                query = query.where(*conds).order_by(Event.tca, Event.id)
            events = s.execute(query.limit(limit + 1)).all()
        has_more = len(events) > limit
        events = events[:limit]
        items = [conjunction_json(ev) for ev in events]
        if since is not None:
            next_since = events[-1].change_seq if has_more else max([newest_seq, since] + [e.change_seq for e in events])
            next_cursor = None
        else:
            next_since = newest_seq
            next_cursor = encode_cursor(iso(events[-1].tca), events[-1].id) if has_more else None
        return etag_response(request, {"items": items, "next_cursor": next_cursor, "next_since": next_since,
                                       "has_more": has_more})

    def visible_event(s, who: Principal, event_id: int) -> Event:
        ev = s.get(Event, event_id)
        if ev is None:
            raise ProblemException(404, "Not found", f"no conjunction {event_id}", field="conjunction_id")
        scope = event_scope(who)
        if scope is not None and s.scalar(select(Event.id).where(Event.id == event_id, scope)) is None:
            raise ProblemException(403, "Forbidden", f"conjunction {event_id} is outside this key's scope",
                                   field="conjunction_id")
        return ev

    @app.get("/v1/conjunctions/{conjunction_id}", tags=["conjunctions"], response_model=schemas.ConjunctionDetail,
             responses={200: {"content": {"text/plain": {}, "application/xml": {}},
                              "description": "JSON, or a CCSDS CDM with format=cdm-kvn|cdm-xml"},
                        304: {"description": "unchanged"}, 404: {"description": "no such conjunction"},
                        **PROBLEM_RESPONSES})
    def get_conjunction(request: Request, who: Who, conjunction_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
                        format: Annotated[Literal["json", "cdm-kvn", "cdm-xml"], Query()] = "json"):
        with Session() as s:
            ev = visible_event(s, who, conjunction_id)
            history = s.scalars(select(EventUpdate).where(EventUpdate.event_id == ev.id).order_by(EventUpdate.id)).all()
        if format != "json":  # outside the session: event_cdm takes connections of its own
            with cdm_slots:
                text_ = pipeline.event_cdm(store, ev, "xml" if format == "cdm-xml" else "kvn")
            return Response(text_, media_type="application/xml" if format == "cdm-xml" else "text/plain")
        return etag_response(request, dict(conjunction_json(ev, full_routing=True),
                                           history=[history_json(h) for h in history]))

    # ---- alerts ----------------------------------------------------------------------
    def alert_scope(who: Principal):
        if who.sees_everything:
            return None
        if who.role == "operator":  # about its objects, reported by it, or routed to it
            return or_(Alert.event_id.in_(select(Event.id).where(operator_scope(who))),
                       Alert.incident_id.in_(select(Incident.id).where(Incident.reporter_key_id == who.key_id)),
                       Alert.party == own_recipient(who))
        return Alert.party == (who.party or "")

    @app.get("/v1/alerts", tags=["alerts"], response_model=schemas.AlertPage,
             responses={304: {"description": "unchanged"}, **PROBLEM_RESPONSES})
    def list_alerts(request: Request, who: Who,
                    since: Annotated[int, Query(ge=0, le=2**62, description="only changes after this change_seq")] = 0,
                    acknowledged: Annotated[bool | None, Query()] = None,
                    party: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                                       description="analyst/admin: one party")] = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100):
        if party is not None and not who.sees_everything and party != own_recipient(who):
            raise ProblemException(403, "Forbidden", f"this key may not read alerts of party {party!r}", field="party")
        conds = [Alert.change_seq > since]
        scope = alert_scope(who)
        if scope is not None:
            conds.append(scope)
        if party is not None:
            conds.append(Alert.party == party)
        if acknowledged is not None:
            conds.append(Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None))
        with Session() as s:
            newest_seq = high_water(s)
            rows = s.execute(select(Alert, Event, Incident).outerjoin(Event, Alert.event_id == Event.id)
                             .outerjoin(Incident, Alert.incident_id == Incident.id).where(*conds)
                             .order_by(Alert.change_seq).limit(limit + 1)).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_since = rows[-1][0].change_seq if has_more else max([newest_seq, since] + [r[0].change_seq for r in rows])
        return etag_response(request, {"items": [alert_json(*r) for r in rows], "next_since": next_since,
                                       "has_more": has_more})

    @app.post("/v1/alerts/{alert_id}/acknowledge", tags=["alerts"], response_model=schemas.AlertOut,
              responses={404: {"description": "no such alert"}, **PROBLEM_RESPONSES})
    def acknowledge_alert(who: Who, alert_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]):
        if who.role == "analyst":
            raise ProblemException(403, "Forbidden", "analyst keys are read-only")
        with Session.begin() as s:
            alert = s.get(Alert, alert_id)
            if alert is None:
                raise ProblemException(404, "Not found", f"no alert {alert_id}", field="alert_id")
            if who.role != "admin" and alert.party != own_recipient(who):
                raise ProblemException(403, "Forbidden", f"alert {alert_id} is for {alert.party!r}, "
                                       f"not for this key", field="alert_id")
            if who.role == "operator" and alert.event_id is not None and s.scalar(
                    select(Event.id).where(Event.id == alert.event_id, operator_scope(who))) is None:
                raise ProblemException(403, "Forbidden", f"alert {alert_id} is about objects outside this key's "
                                       f"objects", field="alert_id")
            if alert.acknowledged_at is None:
                alert.change_seq = next_change_seqs(s, 1)[0]
                alert.acknowledged_at = alert.updated_at = utcnow()
                alert.acknowledged_by = who.key_id
            return alert_json(alert, s.get(Event, alert.event_id) if alert.event_id else None,
                              s.get(Incident, alert.incident_id) if alert.incident_id else None)

    # ---- reported incidents ----------------------------------------------------------
    @app.post("/v1/incidents", tags=["incidents"], response_model=schemas.IncidentReported, status_code=201,
              responses=PROBLEM_RESPONSES)
    def report_incident(who: Who, report: Annotated[dict, Body(description="an alert as `ssa route` reads it "
                                                                   "(ssa.respond.Alert.from_dict)")]):
        require_roles(who, *incidents.REPORTER_ROLES)
        incident, alerts = incidents.report_incident(store, who, report)
        return {"incident": incidents.incident_json(incident, full_routing=True),
                "alerts": [alert_json(a, None, incident) for a in alerts]}

    # ---- webhook subscriptions (admin) -----------------------------------------------
    @app.post("/v1/subscriptions", tags=["subscriptions"], response_model=schemas.SubscriptionCreated, status_code=201,
              responses=PROBLEM_RESPONSES)
    def create_subscription(who: Who, body: schemas.SubscriptionIn):
        require_roles(who, "admin")
        try:
            url = delivery.check_url(body.url, settings.delivery_refuse_private_targets)
        except ValueError as exc:
            raise ProblemException(422, "Invalid subscription", str(exc), field="url") from None
        with Session() as s:
            known = s.get(Party, body.party) is not None or body.party.startswith("tenant ")
        if not known:
            raise ProblemException(422, "Invalid subscription", f"no party {body.party!r} (GET /v1/parties; an "
                                   "operator's alerts go to 'tenant <name>')", field="party")
        sub = delivery.subscribe(store, body.party, url)
        return dict(delivery.subscription_json(sub), secret=sub.secret)

    @app.get("/v1/subscriptions", tags=["subscriptions"], response_model=list[schemas.SubscriptionOut],
             responses=PROBLEM_RESPONSES)
    def list_subscriptions(who: Who):
        require_roles(who, "admin")
        with Session() as s:
            return [delivery.subscription_json(x) for x in s.scalars(select(Subscription).order_by(Subscription.id))]

    @app.delete("/v1/subscriptions/{subscription_id}", tags=["subscriptions"], response_model=schemas.SubscriptionOut,
                responses={404: {"description": "no such subscription"}, **PROBLEM_RESPONSES})
    def revoke_subscription(who: Who, subscription_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]):
        """Stop new deliveries; pending ones are not sent; the log stays."""
        require_roles(who, "admin")
        with Session.begin() as s:
            sub = s.get(Subscription, subscription_id)
            if sub is None:
                raise ProblemException(404, "Not found", f"no subscription {subscription_id}", field="subscription_id")
            sub.revoked_at = sub.revoked_at or utcnow()
            return delivery.subscription_json(sub)

    @app.get("/v1/subscriptions/{subscription_id}/deliveries", tags=["subscriptions"],
             response_model=list[schemas.DeliveryOut],
             responses={404: {"description": "no such subscription"}, **PROBLEM_RESPONSES})
    def list_deliveries(who: Who, subscription_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
                        status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
                        limit: Annotated[int, Query(ge=1, le=1000)] = 100):
        """Each delivery with every attempt: time, duration, HTTP status or error."""
        require_roles(who, "admin")
        with Session() as s:
            if s.get(Subscription, subscription_id) is None:
                raise ProblemException(404, "Not found", f"no subscription {subscription_id}", field="subscription_id")
            query = select(Delivery).where(Delivery.subscription_id == subscription_id)
            if status is not None:
                query = query.where(Delivery.status == status)
            rows = s.scalars(query.order_by(Delivery.id).limit(limit)).all()
            attempts: dict[int, list] = {}
            for a in s.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_([d.id for d in rows]))
                               .order_by(DeliveryAttempt.id)):
                attempts.setdefault(a.delivery_id, []).append(a)
            return [delivery.delivery_json(d, attempts.get(d.id, [])) for d in rows]

    # ---- catalogue and jobs ----------------------------------------------------------
    @app.post("/v1/catalog", tags=["catalog"], response_model=schemas.IngestOut, status_code=201,
              responses={200: {"model": schemas.IngestOut, "description": "nothing new: every element set was known"},
                         **PROBLEM_RESPONSES})
    async def upload_catalog(who: Who, file: Annotated[UploadFile, File(description="2LE/3LE text, OMM CSV/JSON/XML")]):
        require_roles(who, "operator", "admin")
        raw = await file.read()  # at most settings.max_upload_bytes: BodyGuard
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProblemException(422, "Invalid upload", f"not UTF-8 text: {exc}", field="file") from None
        source = f"{upload_source(who)}{file.filename or 'upload'}".replace("\x00", "")[:300]
        try:  # parsed in a worker thread: the event loop keeps answering
            result = await run_in_threadpool(pipeline.ingest_text, store, content, source,
                                             None if who.role == "admin" else who.objects,
                                             "public" if who.role == "admin" else f"operator:{who.party or who.key_id}")
        except (ValueError, RecursionError, csv.Error) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:500]
            raise ProblemException(422, "Invalid upload", f"the upload could not be read: {reason}", field="file") from None
        listed = settings.max_rejections_listed
        rejected = [{"line": r.line, "NORAD_CAT_ID": r.norad_id, "reason": r.reason[:500]}
                    for r in result.rejections[:listed]]
        if result.n_records == 0:
            raise ProblemException(422, "No valid element sets", "the upload holds no element set that could be read",
                                   field="file", extra={"n_rejected": len(result.rejections), "rejected": rejected})
        body = {"created": result.catalog_version_id is not None, "catalog_version_id": result.catalog_version_id,
                "job_id": result.job_id, "n_records": result.n_records, "n_new": result.n_new,
                "n_known": result.n_known, "n_rejected": len(result.rejections), "rejected": rejected}
        return JSONResponse(body, status_code=201 if body["created"] else 200)

    def job_scope(who: Principal):
        """Operators see the jobs of their own uploads; the other roles every job."""
        if who.role != "operator":
            return None
        prefix = upload_source(who)
        return Job.catalog_version_id.in_(select(CatalogVersion.id).where(CatalogVersion.source.startswith(prefix)))

    @app.get("/v1/jobs", tags=["catalog"], response_model=list[schemas.JobOut], responses=PROBLEM_RESPONSES)
    def list_jobs(who: Who, limit: Annotated[int, Query(ge=1, le=1000)] = 50):
        scope = job_scope(who)
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        with Session() as s:
            return [job_json(j) for j in s.scalars(query if scope is None else query.where(scope))]

    @app.get("/v1/jobs/{job_id}", tags=["catalog"], response_model=schemas.JobOut,
             responses={404: {"description": "no such job"}, **PROBLEM_RESPONSES})
    def get_job(who: Who, job_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]):
        scope = job_scope(who)
        with Session() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise ProblemException(404, "Not found", f"no job {job_id}", field="job_id")
            if scope is not None and s.scalar(select(Job.id).where(Job.id == job_id, scope)) is None:
                raise ProblemException(403, "Forbidden", f"job {job_id} is not one of this key's uploads", field="job_id")
            return job_json(job)

    # ---- objects and parties -----------------------------------------------------------
    @app.get("/v1/objects", tags=["objects"], response_model=schemas.ObjectPage, responses=PROBLEM_RESPONSES)
    def list_objects(who: Who, cursor: Annotated[int | None, Query(ge=0, le=2**62, description="next_cursor")] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100):
        query = select(SpaceObject).order_by(SpaceObject.norad_id)
        if who.role == "operator":
            query = query.where(SpaceObject.norad_id.in_(sorted(who.objects)))
        if cursor is not None:
            query = query.where(SpaceObject.norad_id > cursor)
        with Session() as s:
            objs = s.scalars(query.limit(limit + 1)).all()
        more = len(objs) > limit
        objs = objs[:limit]
        sets = store.element_set_sources([o.norad_id for o in objs])
        return {"items": [object_json(o, sets.get(o.norad_id, [])) for o in objs],
                "next_cursor": str(objs[-1].norad_id) if more else None}

    @app.get("/v1/objects/{norad_cat_id}", tags=["objects"], response_model=schemas.ObjectOut,
             responses={404: {"description": "not catalogued"}, **PROBLEM_RESPONSES})
    def get_object(who: Who, norad_cat_id: Annotated[int, Path(ge=0, le=999_999_999)]):
        if who.role == "operator" and norad_cat_id not in who.objects:
            raise ProblemException(403, "Forbidden", f"NORAD_CAT_ID {norad_cat_id} is not one of this key's objects",
                                   field="norad_cat_id")
        with Session() as s:
            obj = s.get(SpaceObject, norad_cat_id)
        if obj is None:
            raise ProblemException(404, "Not found", f"no object {norad_cat_id}", field="norad_cat_id")
        return object_json(obj, store.element_set_sources([norad_cat_id]).get(norad_cat_id, []))

    @app.get("/v1/parties", tags=["parties"], response_model=list[schemas.PartyOut], responses=PROBLEM_RESPONSES)
    def list_parties(who: Who):
        with Session() as s:
            return [{"code": p.code, "name": p.name, "description": p.description}
                    for p in s.scalars(select(Party).order_by(Party.code))]

    return app


def naive_utc(when: datetime, field: str) -> datetime:
    """A query datetime as the store's naive UTC (422 naming `field` when UTC falls outside years 1-9999)."""
    if when.tzinfo is not None:
        try:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise ProblemException(422, "Invalid request", f"{field}: {when.isoformat()} is outside years 1-9999 "
                                   "in UTC", field=field) from None
    return when
