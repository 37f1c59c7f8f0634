"""Incidents reported by parties, routed like screening's alerts (ssa.serve.incidents)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from ssa.serve import incidents, schemas
from ssa.serve.api.deps import ReporterKey, StoreDep
from ssa.serve.api.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["incidents"])


@router.post("/v1/incidents", response_model=schemas.IncidentReported, status_code=201, responses=PROBLEM_RESPONSES)
def report_incident(who: ReporterKey, store: StoreDep,
                    report: Annotated[dict, Body(description="an alert as `ssa route` reads it "
                                                             "(ssa.respond.Alert.from_dict)")]):
    """Report an incident (operator keys: about their own objects, without a level); it is
    routed by ssa.respond and its alerts are polled on /v1/alerts like screening's."""
    incident, alerts = incidents.report_incident(store, who, report)
    return {"incident": incident, "alerts": alerts}
