"""Findings of the detectors (re-entry, fragmentation, manoeuvre, proximity; issues 14
and 15), polled in change order with ETags like /v1/alerts; their alerts go out on
/v1/alerts and the webhooks."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from ssa.serve import schemas
from ssa.serve.api.deps import Limit, RowId, Scope, SessionDep
from ssa.serve.api.paging import change_page, etag_response
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found, responses
from ssa.serve.models import Finding

router = APIRouter(tags=["findings"])


@router.get("/v1/findings", response_model=schemas.FindingPage,
            responses={304: {"description": "unchanged"}, **PROBLEM_RESPONSES})
def list_findings(request: Request, scope: Scope, session: SessionDep,
                  kind: Annotated[schemas.FindingKind | None, Query(description="one detector's findings")] = None,
                  since: Annotated[int, Query(ge=0, le=2**62, description="only changes after this change_seq")] = 0,
                  limit: Limit = 100):
    """The findings the key may see (operators: about their objects; agencies: routed to their
    party; analysts and admins: all) created or updated after `since`, in change order; 304
    on If-None-Match. Routing is summarised; GET /v1/findings/{id} has all of it."""
    conds = [c for c in (Finding.change_seq > since, scope.findings()) if c is not None]
    if kind is not None:
        conds.append(Finding.kind == kind)
    rows, has_more, since_next = change_page(
        session, select(Finding).where(*conds).order_by(Finding.change_seq), since, limit)
    return etag_response(request, schemas.FindingPage(items=rows, has_more=has_more, next_since=since_next))


@router.get("/v1/findings/{finding_id}", response_model=schemas.FindingOut,
            responses=responses({404: "no such finding, or not one this key may see"}))
def get_finding(scope: Scope, session: SessionDep, finding_id: RowId):
    """One finding with its whole routing (404 when the key may not see it, as when it does not exist)."""
    finding = session.scalar(select(Finding).where(*[c for c in (Finding.id == finding_id, scope.findings())
                                                      if c is not None]))
    if finding is None:
        raise not_found("finding", finding_id, "finding_id")
    return schemas.FindingOut.model_validate(finding)
