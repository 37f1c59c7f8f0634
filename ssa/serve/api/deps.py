"""What routes depend on: settings, the store and a session, the caller's key, the
roles a route needs and the scope of what a key may see (one dependency each)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ssa.serve.auth import Principal, ProblemException, principal
from ssa.serve.enums import Role
from ssa.serve.models import Alert, CatalogVersion, Event, Finding, Incident, Job, SpaceObject
from ssa.serve.settings import Settings
from ssa.serve.store import Store

MAX_ROW_ID = 2**31 - 1  # event, alert and job ids are 32-bit integers on PostgreSQL
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
Limit = Annotated[int, Query(ge=1, le=1000)]


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in a
# worker thread, a hand-off per dependency and request that costs more than the work.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


async def get_session(store: StoreDep) -> AsyncIterator[Session]:
    """A session for the request, closed after it; routes that write open `session.begin()`.
    Opening one does no I/O; closing one that holds a connection does, in a worker thread."""
    session = store.session()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
CurrentKey = Annotated[Principal, Depends(principal)]


def upload_source(who: Principal) -> str:
    """The catalogue version source prefix of this key's uploads (how an operator's jobs are found)."""
    return f"upload by key {who.key_id}: "


class KeyScope:
    """What one key may see: SQL conditions on events, alerts, jobs and objects (None: all
    of them), and the checks that refuse, with 403, an object or alert outside it.

    operator: events and findings of its own objects; alerts about them, reported by it or
    routed to its tenant; jobs of its own uploads; its own objects. agency: events, findings
    and alerts routed to its party. analyst and admin: everything."""

    def __init__(self, who: Principal):
        self.who = who

    @property
    def recipient(self) -> str | None:
        """The alert recipient this key answers for: an agency's party; for an operator
        the tenant its objects are registered under, as ssa.respond names it."""
        return f"tenant {self.who.tenant}" if self.who.role == Role.OPERATOR else self.who.party

    def own_objects(self):
        """SQL condition: events involving one of the operator's objects."""
        objs = sorted(self.who.objects)
        return or_(Event.norad_id_1.in_(objs), Event.norad_id_2.in_(objs))

    def events(self):
        if self.who.sees_everything:
            return None
        if self.who.role == Role.OPERATOR:
            return self.own_objects()
        return Event.id.in_(select(Alert.event_id).where(Alert.party == (self.who.party or "")))

    def own_findings(self):
        """SQL condition: findings about one of the operator's objects."""
        objs = sorted(self.who.objects)
        return or_(Finding.norad_id_1.in_(objs), Finding.norad_id_2.in_(objs))

    def findings(self):
        """Operators: findings about their objects; agencies: findings routed to their party."""
        if self.who.sees_everything:
            return None
        if self.who.role == Role.OPERATOR:
            return self.own_findings()
        return Finding.id.in_(select(Alert.finding_id).where(Alert.party == (self.who.party or "")))

    def alerts(self):
        if self.who.sees_everything:
            return None
        if self.who.role == Role.OPERATOR:  # about its objects, reported by it, or routed to it
            return or_(Alert.event_id.in_(select(Event.id).where(self.own_objects())),
                       Alert.finding_id.in_(select(Finding.id).where(self.own_findings())),
                       Alert.incident_id.in_(select(Incident.id).where(Incident.reporter_key_id == self.who.key_id)),
                       Alert.party == self.recipient)
        return Alert.party == (self.who.party or "")

    def jobs(self):
        """Operators see the jobs of their own uploads; the other roles every job."""
        if self.who.role != Role.OPERATOR:
            return None
        own = select(CatalogVersion.id).where(CatalogVersion.source.startswith(upload_source(self.who)))
        return Job.catalog_version_id.in_(own)

    def objects(self):
        return SpaceObject.norad_id.in_(sorted(self.who.objects)) if self.who.role == Role.OPERATOR else None

    def check_object(self, norad_cat_id: int | None) -> None:
        """403 when an operator key names an object that is not one of its own."""
        if self.who.role == Role.OPERATOR and norad_cat_id is not None and norad_cat_id not in self.who.objects:
            raise ProblemException(403, "Forbidden", f"NORAD_CAT_ID {norad_cat_id} is not one of this key's objects",
                                   field="norad_cat_id")

    def check_party(self, party: str | None) -> None:
        """403 when a key that does not see everything asks for another party's alerts."""
        if party is not None and not self.who.sees_everything and party != self.recipient:
            raise ProblemException(403, "Forbidden", f"this key may not read alerts of party {party!r}", field="party")

    @staticmethod
    def holds(session: Session, model, row_id: int, condition) -> bool:
        """Whether row `row_id` of `model` meets `condition` (one of the scopes above; None: all rows do)."""
        return condition is None or session.scalar(select(model.id).where(model.id == row_id, condition)) is not None


async def key_scope(who: CurrentKey) -> KeyScope:
    return KeyScope(who)


Scope = Annotated[KeyScope, Depends(key_scope)]


def require_roles(*roles: Role):
    """A dependency: the caller's key, 403 unless its role is one of `roles`."""

    async def allowed(who: CurrentKey) -> Principal:
        return check_role(who, roles)

    return allowed


def check_role(who: Principal, roles) -> Principal:
    """`who`, or 403 unless its role is one of `roles`."""
    if who.role not in roles:
        raise ProblemException(403, "Forbidden", f"role '{who.role}' may not do this (needs {' or '.join(roles)})")
    return who


AdminKey = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
UploaderKey = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.ADMIN))]
ReporterKey = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.AGENCY, Role.ADMIN))]
