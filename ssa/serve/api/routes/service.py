"""Health and metrics."""
from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from ssa.serve import schemas
from ssa.serve.api.deps import SessionDep, SettingsDep, StoreDep, check_role
from ssa.serve.api.problems import PROBLEM_RESPONSES
from ssa.serve.auth import ProblemException, authenticate
from ssa.serve.enums import JobStatus, Role
from ssa.serve.models import Event, Job
from ssa.serve.settings import Settings
from ssa.serve.store import high_water

router = APIRouter(tags=["service"])


@router.get("/healthz", response_model=schemas.Health)
def healthz(session: SessionDep, store: StoreDep):
    """The service answers and its database does (no key needed)."""
    return schemas.Health(status="ok", database=store.engine.dialect.name, change_seq=high_water(session))


def metrics(request: Request, session: SessionDep, settings: SettingsDep):
    """Prometheus metrics: requests, latency, jobs by status, open conjunctions, change
    sequence; as the setting `metrics` says: off, admin key, or public."""
    if settings.metrics == "off":
        raise ProblemException(404, "Not found", "metrics are off on this server (setting metrics)")
    if settings.metrics == "admin":
        check_role(authenticate(request.app.state, request.headers.get("x-api-key"),
                                request.client.host if request.client else ""), (Role.ADMIN,))
    gauges = request.app.state.metrics
    counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    gauges.open_events.set(session.scalar(select(func.count()).select_from(Event).where(Event.status == "open")))
    gauges.change_seq.set(high_water(session))
    for status in JobStatus:
        gauges.jobs.labels(status).set(counts.get(status, 0))
    return Response(generate_latest(gauges.registry), media_type=CONTENT_TYPE_LATEST)


def add_routes(app: FastAPI, settings: Settings) -> None:
    """/healthz, and /metrics (in the OpenAPI document unless the setting `metrics` is off)."""
    app.include_router(router)
    app.add_api_route("/metrics", metrics, methods=["GET"], tags=["service"], response_class=PlainTextResponse,
                      include_in_schema=settings.metrics != "off",
                      responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
                                 404: {"description": "metrics are off (setting metrics)"}, **PROBLEM_RESPONSES})
