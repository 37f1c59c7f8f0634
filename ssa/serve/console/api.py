"""Read-only endpoints the console needs beyond the alert API: who the key is,
one alert with everything it is about, a conjunction's plot data and the
catalogue versions. Each answers exactly what the API lets the key see."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import or_, select

from ssa.serve import incidents
from ssa.serve.app import MAX_ROW_ID, PROBLEM_RESPONSES, alert_json, conjunction_json, event_scope, iso, \
    operator_scope, own_recipient, upload_source
from ssa.serve.auth import Principal, ProblemException, principal
from ssa.serve.console.geometry import conjunction_geometry
from ssa.serve.models import Alert, CatalogVersion, Event, Incident

Who = Annotated[Principal, Depends(principal)]
router = APIRouter()


def alert_visible(who: Principal):
    """SQL condition on Alert: the alerts GET /v1/alerts lists for this key."""
    if who.sees_everything:
        return None
    if who.role == "operator":
        return or_(Alert.event_id.in_(select(Event.id).where(operator_scope(who))),
                   Alert.incident_id.in_(select(Incident.id).where(Incident.reporter_key_id == who.key_id)),
                   Alert.party == own_recipient(who))
    return Alert.party == (who.party or "")


def may_acknowledge(who: Principal, alert: Alert) -> bool:
    """As POST /v1/alerts/{id}/acknowledge decides: admins any, analysts none, others their own party's."""
    return who.role == "admin" or (who.role != "analyst" and alert.party == own_recipient(who))


@router.get("/v1/me", tags=["service"], responses=PROBLEM_RESPONSES)
def me(who: Who):
    """The key: its id, role, party and, for an operator, its objects."""
    return {"key_id": who.key_id, "role": who.role, "party": own_recipient(who), "objects": sorted(who.objects),
            "may_acknowledge": who.role != "analyst"}


@router.get("/v1/alerts/{alert_id}", tags=["alerts"], responses={404: {"description": "no such alert"},
                                                                   **PROBLEM_RESPONSES})
def get_alert(request: Request, who: Who, alert_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]):
    """One alert with its conjunction or incident and the whole routing (actions, citations)."""
    with request.app.state.store.session() as s:
        alert = s.get(Alert, alert_id)
        if alert is None:
            raise ProblemException(404, "Not found", f"no alert {alert_id}", field="alert_id")
        scope = alert_visible(who)
        if scope is not None and s.scalar(select(Alert.id).where(Alert.id == alert_id, scope)) is None:
            raise ProblemException(403, "Forbidden", f"alert {alert_id} is for {alert.party!r}, not for this key",
                                   field="alert_id")
        event = s.get(Event, alert.event_id) if alert.event_id else None
        incident = s.get(Incident, alert.incident_id) if alert.incident_id else None
        body = alert_json(alert, event, incident)
        if event is not None:
            body["conjunction"] = conjunction_json(event, full_routing=True)
        if incident is not None:
            body["incident"] = incidents.incident_json(incident, full_routing=True)
        body["may_acknowledge"] = may_acknowledge(who, alert)
        return body


@router.get("/v1/conjunctions/{conjunction_id}/geometry", tags=["conjunctions"],
            responses={404: {"description": "no such conjunction"}, **PROBLEM_RESPONSES})
async def get_geometry(request: Request, who: Who, conjunction_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]):
    """Plot data: range (m) against time (s from TCA) on the screened element sets, and the
    encounter plane (m): miss vector, combined 1-sigma covariance axes, hard-body radius, Pc."""
    store = request.app.state.store
    with store.session() as s:
        event = s.get(Event, conjunction_id)
        if event is None:
            raise ProblemException(404, "Not found", f"no conjunction {conjunction_id}", field="conjunction_id")
        scope = event_scope(who)
        if scope is not None and s.scalar(select(Event.id).where(Event.id == conjunction_id, scope)) is None:
            raise ProblemException(403, "Forbidden", f"conjunction {conjunction_id} is outside this key's scope",
                                   field="conjunction_id")
        s.expunge(event)
    return await run_in_threadpool(conjunction_geometry, store, event)


@router.get("/v1/catalog/versions", tags=["catalog"], responses=PROBLEM_RESPONSES)
def list_catalog_versions(request: Request, who: Who, limit: Annotated[int, Query(ge=1, le=1000)] = 50):
    """Catalogue versions, newest first: source, records read, new and rejected (operators: their own uploads)."""
    query = select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(limit)
    if who.role == "operator":
        query = query.where(CatalogVersion.source.startswith(upload_source(who)))
    with request.app.state.store.session() as s:
        return [{"id": v.id, "source": v.source, "created_at": iso(v.created_at), "n_records": v.n_records,
                 "n_new": v.n_new, "n_rejected": v.n_rejected} for v in s.scalars(query)]
