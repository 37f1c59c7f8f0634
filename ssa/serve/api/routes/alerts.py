"""Alerts: events and reported incidents routed to the caller's party, polled in change
order with ETags, and acknowledged."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ssa.serve import schemas
from ssa.serve.api.deps import NO_NUL, CurrentKey, Limit, RowId, Scope, SessionDep
from ssa.serve.api.paging import change_page, etag_response
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found, responses
from ssa.serve.auth import ProblemException
from ssa.serve.enums import Role
from ssa.serve.models import Alert, Event
from ssa.serve.store import next_change_seqs, utcnow

router = APIRouter(tags=["alerts"])


def with_subject():
    """Load options: an alert with its event (without the TEME states), its incident and its finding."""
    return joinedload(Alert.event).defer(Event.state), joinedload(Alert.incident), joinedload(Alert.finding)


@router.get("/v1/alerts", response_model=schemas.AlertPage,
            responses={304: {"description": "unchanged"}, **PROBLEM_RESPONSES})
def list_alerts(request: Request, scope: Scope, session: SessionDep,
                since: Annotated[int, Query(ge=0, le=2**62, description="only changes after this change_seq")] = 0,
                acknowledged: Annotated[bool | None, Query()] = None,
                party: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                                   description="analyst/admin: one party")] = None,
                limit: Limit = 100):
    """The alerts of the key's party (an operator's: about its objects, reported by it or
    routed to its tenant) changed after `since`, in change order; 304 on If-None-Match."""
    scope.check_party(party)
    conds = [c for c in (Alert.change_seq > since, scope.alerts()) if c is not None]
    if party is not None:
        conds.append(Alert.party == party)
    if acknowledged is not None:
        conds.append(Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None))
    rows, has_more, since_next = change_page(
        session, select(Alert).options(*with_subject()).where(*conds).order_by(Alert.change_seq), since, limit)
    page = schemas.AlertPage(items=rows, has_more=has_more, next_since=since_next)
    session.close()  # the reads are done: the connection goes back here, not in one more thread hand-off
    return etag_response(request, page)


@router.post("/v1/alerts/{alert_id}/acknowledge", response_model=schemas.AlertOut,
             responses=responses({404: "no such alert"}))
def acknowledge_alert(who: CurrentKey, scope: Scope, session: SessionDep, alert_id: RowId):
    """Acknowledge an alert routed to the key's party (admin: any); once, by the first key."""
    if who.role == Role.ANALYST:
        raise ProblemException(403, "Forbidden", "analyst keys are read-only")
    with session.begin():
        alert = session.get(Alert, alert_id, options=with_subject())
        if alert is None:
            raise not_found("alert", alert_id, "alert_id")
        if who.role != Role.ADMIN and alert.party != scope.recipient:
            raise ProblemException(403, "Forbidden", f"alert {alert_id} is for {alert.party!r}, "
                                   f"not for this key", field="alert_id")
        if who.role == Role.OPERATOR and alert.event_id is not None and not scope.holds(
                session, Event, alert.event_id, scope.own_objects()):
            raise ProblemException(403, "Forbidden", f"alert {alert_id} is about objects outside this key's "
                                   f"objects", field="alert_id")
        if alert.acknowledged_at is None:
            alert.change_seq = next_change_seqs(session, 1)[0]
            alert.acknowledged_at = alert.updated_at = utcnow()
            alert.acknowledged_by = who.key_id
        return schemas.AlertOut.model_validate(alert)
