"""Read-only endpoints the console needs beyond the alert API: who the key is,
one alert with everything it is about, a conjunction's and a finding's plot data
and the catalogue versions. Each answers exactly what the API lets the key see."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ssa.serve import schemas
from ssa.serve.api.deps import (
    CurrentKey,
    KeyScope,
    Limit,
    RowId,
    Scope,
    SessionDep,
    SettingsDep,
    StoreDep,
    upload_source,
)
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found
from ssa.serve.auth import ProblemException
from ssa.serve.console.finding_plots import finding_plot
from ssa.serve.console.geometry import conjunction_geometry
from ssa.serve.enums import Role
from ssa.serve.models import Alert, CatalogVersion, Event, Finding

router = APIRouter()


def may_acknowledge(scope: KeyScope, alert: Alert) -> bool:
    """As POST /v1/alerts/{id}/acknowledge decides: admins any, analysts none, others their own party's."""
    return scope.who.role == Role.ADMIN or (scope.who.role != Role.ANALYST and alert.party == scope.recipient)


@router.get("/v1/me", tags=["service"], responses=PROBLEM_RESPONSES)
def me(who: CurrentKey, scope: Scope, settings: SettingsDep):
    """The key: its id, role, party, for an operator its objects, and the sites whose overflight
    passes it may read (GET /v1/overflights)."""
    from ssa.serve.pipeline import configured_sites

    return {"key_id": who.key_id, "role": who.role, "party": scope.recipient, "objects": sorted(who.objects),
            "may_acknowledge": who.role != Role.ANALYST,
            "sites": [site.name for site in configured_sites(settings) if who.party and who.party in site.readers]}


@router.get("/v1/alerts/{alert_id}", tags=["alerts"], responses={404: {"description": "no such alert"},
                                                                   **PROBLEM_RESPONSES})
def get_alert(scope: Scope, session: SessionDep, alert_id: RowId):
    """One alert with its conjunction, incident or finding and the whole routing (actions, citations)."""
    alert = session.get(Alert, alert_id, options=[joinedload(Alert.event).selectinload(Event.history),
                                                   joinedload(Alert.incident), joinedload(Alert.finding)])
    if alert is None:
        raise not_found("alert", alert_id, "alert_id")
    if not scope.holds(session, Alert, alert_id, scope.alerts()):
        raise ProblemException(403, "Forbidden", f"alert {alert_id} is for {alert.party!r}, not for this key",
                               field="alert_id")
    body = schemas.AlertOut.model_validate(alert).model_dump(mode="json")
    if alert.event is not None:
        body["conjunction"] = schemas.ConjunctionDetail.model_validate(alert.event).model_dump(mode="json")
    if alert.incident is not None:
        body["incident"] = schemas.IncidentOut.model_validate(alert.incident).model_dump(mode="json")
    if alert.finding is not None:
        body["finding"] = schemas.FindingOut.model_validate(alert.finding).model_dump(mode="json")
    body["may_acknowledge"] = may_acknowledge(scope, alert)
    return body


@router.get("/v1/conjunctions/{conjunction_id}/geometry", tags=["conjunctions"],
            responses={404: {"description": "no such conjunction"}, **PROBLEM_RESPONSES})
async def get_geometry(scope: Scope, store: StoreDep, conjunction_id: RowId):
    """Plot data: range (m) against time (s from TCA) on the screened element sets, and the
    encounter plane (m): miss vector, combined 1-sigma covariance axes, hard-body radius, Pc."""
    with store.session() as s:
        event = s.get(Event, conjunction_id)
        if event is None:
            raise not_found("conjunction", conjunction_id, "conjunction_id")
        if not scope.holds(s, Event, conjunction_id, scope.events()):
            raise ProblemException(403, "Forbidden", f"conjunction {conjunction_id} is outside this key's scope",
                                   field="conjunction_id")
        s.expunge(event)
    return await run_in_threadpool(conjunction_geometry, store, event)


@router.get("/v1/findings/{finding_id}/plot", tags=["findings"],
            responses={404: {"description": "no such finding, or not one this key may see"}, **PROBLEM_RESPONSES})
async def get_finding_plot(scope: Scope, store: StoreDep, finding_id: RowId):
    """Plot data of a finding (scoped as GET /v1/findings/{id}): re-entry ground track (UTC, deg)
    with the Dutch territory outlines; proximity range (km) and relative speed (km/s) against time
    (s from the closest approach); fragmentation Gabbard diagram (min, km); a manoeuvre: none."""
    with store.session() as s:
        finding = s.scalar(select(Finding).where(*[c for c in (Finding.id == finding_id, scope.findings())
                                                   if c is not None]))
        if finding is None:
            raise not_found("finding", finding_id, "finding_id")
        s.expunge(finding)
    return {"id": finding_id, **await run_in_threadpool(finding_plot, store, finding)}


@router.get("/v1/catalog/versions", tags=["catalog"], responses=PROBLEM_RESPONSES)
def list_catalog_versions(who: CurrentKey, session: SessionDep, limit: Limit = 50):
    """Catalogue versions, newest first: source, records read, new and rejected (operators: their own uploads)."""
    query = select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(limit)
    if who.role == Role.OPERATOR:
        query = query.where(CatalogVersion.source.startswith(upload_source(who)))
    return [{"id": v.id, "source": v.source, "created_at": schemas.iso(v.created_at), "n_records": v.n_records,
             "n_new": v.n_new, "n_rejected": v.n_rejected} for v in session.scalars(query)]
