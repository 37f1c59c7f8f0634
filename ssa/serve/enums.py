"""The values the store keeps for roles and job statuses (api_keys.role, jobs.status),
importable without the database layer (the CLI offers them as choices)."""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What an API key may see and do (``api_keys.role``): ``operator`` the conjunctions of its
    own objects, ``agency`` the alerts routed to its party, ``analyst`` everything read-only,
    ``admin`` everything."""

    OPERATOR = "operator"
    AGENCY = "agency"
    ANALYST = "analyst"
    ADMIN = "admin"


class JobStatus(enum.StrEnum):
    """Where a screening job is (``jobs.status``)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"
