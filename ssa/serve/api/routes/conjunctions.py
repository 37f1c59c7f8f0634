"""Conjunction events: polled in change order (since=) or TCA order (cursor=), with ETags."""
from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import selectinload

from ssa.serve import pipeline, schemas
from ssa.serve.api.deps import NO_NUL, Limit, RowId, Scope, SessionDep, StoreDep
from ssa.serve.api.paging import decode_cursor, encode_cursor, etag_response, naive_utc, next_since
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found
from ssa.serve.auth import ProblemException
from ssa.serve.models import Event
from ssa.serve.store import high_water

router = APIRouter(tags=["conjunctions"])
LISTED_COLUMNS = [c for c in Event.__table__.columns if c.name != "state"]


@router.get("/v1/conjunctions", response_model=schemas.ConjunctionPage,
            responses={304: {"description": "unchanged since the ETag sent in If-None-Match"}, **PROBLEM_RESPONSES})
def list_conjunctions(
    request: Request, scope: Scope, session: SessionDep,
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
    limit: Limit = 100,
):
    """Conjunction events the key may see, filtered. With `since`, the changes after that
    change sequence number in change order (poll with `next_since` and If-None-Match: 304
    when nothing changed); else in TCA order, a page at a time (`cursor` = `next_cursor`)."""
    if since is not None and cursor is not None:
        raise ProblemException(422, "Invalid request", "use either since (change order) or cursor (TCA order)",
                               field="cursor")
    scope.check_object(norad_cat_id)
    conds = [c for c in (scope.events(),) if c is not None]
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
    newest_seq = high_water(session)  # read before the items: see ssa.serve.store.changes
    if since is not None and since >= newest_seq:
        events = []  # up to date (nothing committed after `since`): empty whatever the filters
    else:
        # plain rows without the TEME states: no ORM identity map, no JSON decoding the list does not need
        query = select(*LISTED_COLUMNS)
        if since is not None:
            query = query.where(Event.change_seq > since, *conds).order_by(Event.change_seq)
        else:
            if cursor is not None:
                c_tca, c_id = decode_cursor(cursor)
                conds.append(tuple_(Event.tca, Event.id) > tuple_(naive_utc(c_tca, "cursor"), c_id))
            query = query.where(*conds).order_by(Event.tca, Event.id)
        events = session.execute(query.limit(limit + 1)).all()
    has_more = len(events) > limit
    events = events[:limit]
    if since is not None:
        page = dict(next_since=next_since(events, has_more, newest_seq, since), next_cursor=None)
    else:
        page = dict(next_since=newest_seq,
                    next_cursor=encode_cursor(schemas.iso(events[-1].tca), events[-1].id) if has_more else None)
    session.close()  # the reads are done: the connection goes back here, not in one more thread hand-off
    return etag_response(request, schemas.ConjunctionPage(items=[ev._mapping for ev in events], has_more=has_more,
                                                          **page))


# a CDM costs tens of ms of CPU (it re-assesses the encounter): more at once than cores only
# queue for the GIL and the connection pool, where they time out
CDM_SLOTS = threading.BoundedSemaphore(os.cpu_count() or 1)


@router.get("/v1/conjunctions/{conjunction_id}", response_model=schemas.ConjunctionDetail,
            responses={200: {"content": {"text/plain": {}, "application/xml": {}},
                             "description": "JSON, or a CCSDS CDM with format=cdm-kvn|cdm-xml"},
                       304: {"description": "unchanged"}, 404: {"description": "no such conjunction"},
                       **PROBLEM_RESPONSES})
def get_conjunction(request: Request, scope: Scope, session: SessionDep, store: StoreDep, conjunction_id: RowId,
                    format: Annotated[Literal["json", "cdm-kvn", "cdm-xml"], Query()] = "json"):
    """One conjunction with all of its routing and its history; or its CCSDS CDM (KVN or XML)."""
    ev = session.get(Event, conjunction_id, options=[selectinload(Event.history)])
    if ev is None:
        raise not_found("conjunction", conjunction_id, "conjunction_id")
    if not scope.holds(session, Event, conjunction_id, scope.events()):
        raise ProblemException(403, "Forbidden", f"conjunction {conjunction_id} is outside this key's scope",
                               field="conjunction_id")
    session.close()  # before a CDM: event_cdm takes connections of its own
    if format != "json":
        with CDM_SLOTS:
            text_ = pipeline.event_cdm(store, ev, "xml" if format == "cdm-xml" else "kvn")
        return Response(text_, media_type="application/xml" if format == "cdm-xml" else "text/plain")
    return etag_response(request, schemas.ConjunctionDetail.model_validate(ev))
