"""Incidents reported by parties (POST /v1/incidents): ssa.respond's alert JSON,
the schema `ssa route` reads, checked, routed and stored with its reporter.

The service, not the reporter, decides what it knows better: the judging time
(`now` is the time of the report), and each catalogued object's SATCAT owner,
object type and registered tenant. An operator reports about its own objects
and may not set a level; agency and admin keys may.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from ssa.serve.auth import Principal, ProblemException
from ssa.serve.enums import Role
from ssa.serve.models import Alert, Incident, SpaceObject
from ssa.serve.store import Store, next_change_seqs

MAX_REPORT_CHARS = 65536  # an incident report as stored (JSON); the whole catalogue's upload cap is far larger


def reporter_name(who: Principal) -> str:
    """Who reported, as alerts name recipients: an operator's tenant, else the key's party (or key id)."""
    return f"tenant {who.tenant}" if who.role == Role.OPERATOR else (who.party or who.key_id)


def report_incident(store: Store, who: Principal, data) -> tuple[Incident, list[Alert]]:
    """Check, route and store one reported incident; its alerts take change sequences
    like screening's, so pollers of /v1/alerts see them. 422 names the bad field,
    403 an object outside an operator's objects."""
    from ssa.respond import Alert as RespondAlert
    from ssa.respond import load_config, route
    from ssa.serve.pipeline import routed

    if isinstance(data, dict) and data.get("now") is not None:
        raise ProblemException(422, "Invalid incident", "alert: field 'now' is set by the service (the time of the "
                               "report)", field="now")
    try:
        alert = RespondAlert.from_dict(data)
    except ValueError as exc:
        raise ProblemException(422, "Invalid incident", str(exc)[:1000], field=_field_of(str(exc))) from None
    if len(json.dumps(alert.to_dict())) > MAX_REPORT_CHARS:
        raise ProblemException(422, "Invalid incident", f"the report is longer than {MAX_REPORT_CHARS} characters "
                               "as JSON", field="objects")
    if who.role == Role.OPERATOR:
        if alert.level:
            raise ProblemException(403, "Forbidden", "operator keys may not set 'level': the escalation criteria "
                                   "decide it", field="level")
        own = [o.norad_id for o in alert.objects if o.norad_id in who.objects]
        if not own:
            raise ProblemException(403, "Forbidden", "an operator reports incidents about its own objects: name "
                                   f"at least one of {sorted(who.objects)} in 'objects'", field="objects")
    alert = replace(alert, now=datetime.now(UTC), objects=_known_objects(store, alert.objects))
    try:
        routing = route(alert, load_config())
    except (ValueError, KeyError) as exc:
        raise ProblemException(422, "Invalid incident", str(exc)[:1000], field=_field_of(str(exc))) from None
    result = routed(routing)
    now = alert.now.replace(tzinfo=None)
    with store.session.begin() as s:
        incident = Incident(incident=alert.incident, report=alert.to_dict(), level=result.level,
                            routing=result.as_json(),
                            reporter_key_id=who.key_id, reporter_role=who.role, reporter=reporter_name(who),
                            created_at=now)
        s.add(incident)
        s.flush()
        parties = result.parties()
        seqs = next_change_seqs(s, len(parties))
        if parties:
            s.execute(insert(Alert), [dict(incident_id=incident.id, party=party, role=role, level=result.level,
                                           created_at=now, updated_at=now, change_seq=seq)
                                      for (party, role), seq in zip(parties.items(), seqs)])
        alerts = list(s.scalars(select(Alert).options(joinedload(Alert.event), joinedload(Alert.incident),
                                                            joinedload(Alert.finding))
                                .where(Alert.incident_id == incident.id).order_by(Alert.id)))
        s.expunge_all()
    return incident, alerts


def _known_objects(store: Store, objects) -> tuple:
    """`objects` with owner, type and tenant from the store for catalogued objects; the
    reporter's owner and type stay for objects the catalogue lacks, never its tenant."""
    ids = [o.norad_id for o in objects if o.norad_id is not None]
    with store.session() as s:
        known = {o.norad_id: o for o in s.scalars(select(SpaceObject).where(SpaceObject.norad_id.in_(ids)))}
    tenants = store.object_tenants()
    out = []
    for o in objects:
        cat = known.get(o.norad_id)
        out.append(replace(o, owner=cat.owner if cat else o.owner, object_type=cat.object_type if cat else o.object_type,
                           name=o.name or (cat.object_name if cat else ""), tenant=tenants.get(o.norad_id, "")))
    return tuple(out)


def _field_of(message: str) -> str | None:
    """The field an ssa.respond error message names ("field 'tca'" or "objects[0].norad_id")."""
    if "field '" in message:
        return message.split("field '", 1)[1].split("'", 1)[0]
    if "objects[" in message:
        return "objects[" + message.split("objects[", 1)[1].split(" ", 1)[0]
    return None
