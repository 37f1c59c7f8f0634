"""Writing screening results: conjunction events with their history, and one alert
per (event, party) routed. Which event a result continues is decided by the pure
functions of ``ssa.serve.store.matching``; this module writes it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ssa.serve.models import Alert, Event, EventUpdate
from ssa.serve.store.catalog import PUBLIC
from ssa.serve.store.changes import next_change_seqs, utcnow
from ssa.serve.store.matching import OUT_OF_THRESHOLD, TCA_PASSED, close_reason, match_results, significant_change
from ssa.timeutil import jd_to_datetime

ALERT_ROLES = ("lead", "supporting", "informed")
ASSESS_FIELDS = ("pc", "pc_method", "max_prob", "dilution_km", "covariance_source", "hbr_m")


@dataclass
class Routed:
    """Who an event is routed to: the store's view of ssa.respond's Routing."""

    level: str | None
    lead: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # rule id, basis, explanation, actions, information to share

    def parties(self) -> dict[str, str]:
        roles: dict[str, str] = {}
        for role in reversed(ALERT_ROLES):  # lead wins over supporting over informed
            for party in getattr(self, role):
                roles[party] = role
        return roles

    def as_json(self) -> dict:
        """The routing as events and incidents store it: the detail, the level and `alerted` (party: role)."""
        return dict(self.detail, level=self.level, alerted=self.parties())


@dataclass
class ScreeningSummary:
    created: int
    updated: int
    unchanged: int
    closed_tca_passed: int
    closed_out_of_threshold: int
    findings: object = None  # the detectors' FindingsSummary (store.findings) when the job ran them


def flags_by_object(flagged: list[dict]) -> dict[int, list[dict]]:
    """NORAD id -> the flagged operator-set checks of that object."""
    out: dict[int, list[dict]] = {}
    for check in flagged:
        out.setdefault(int(check["norad_id"]), []).append(check)
    return out


def row_values(row, sources: dict[int, str] | None = None, source_flags: dict[int, list[dict]] | None = None) -> dict:
    """A screening result row as the event columns it sets."""
    names = row.dtype.names
    sources, source_flags = sources or {}, source_flags or {}
    ids = (int(row["norad_id_1"]), int(row["norad_id_2"]))
    values = dict(
        tca=jd_to_datetime(float(row["tca_jd"]), float(row["tca_fr"])),
        tca_jd=float(row["tca_jd"]), tca_fr=float(row["tca_fr"]), range_km=float(row["range_km"]),
        relative_speed_km_s=float(row["relative_speed_km_s"]), radial_km=float(row["radial_km"]),
        in_track_km=float(row["in_track_km"]), cross_track_km=float(row["cross_track_km"]),
        dse_1=float(row["dse_1"]), dse_2=float(row["dse_2"]), persistent=bool(row["persistent"]),
        state={k: [float(x) for x in row[k]] for k in ("r1", "v1", "r2", "v2")},
        name_1=str(row["name_1"])[:100], name_2=str(row["name_2"])[:100],
        source_1=sources.get(ids[0], PUBLIC), source_2=sources.get(ids[1], PUBLIC),
        source_flags=[flag for n in ids for flag in source_flags.get(n, ())] or None,
    )
    for name in ASSESS_FIELDS:
        if name in names:
            value = row[name].item()
            values[name] = None if isinstance(value, float) and not np.isfinite(value) else value
        else:
            values[name] = None
    return values


def routed_values(row, routed: Routed | None, sources, source_flags) -> dict:
    """row_values with the event's level and routing."""
    return dict(row_values(row, sources, source_flags), level=routed.level if routed else None,
                routing=routed.as_json() if routed else None)


def history_row(event_id: int, job_id: int, kind: str, now: datetime, d: dict) -> dict:
    """An ``event_updates`` row: what the event became (`d`: its columns) by this job."""
    return dict(event_id=event_id, job_id=job_id, kind=kind, recorded_at=now, status=d.get("status", "open"),
                close_reason=d.get("close_reason"), tca=d["tca"], range_km=d["range_km"],
                relative_speed_km_s=d["relative_speed_km_s"], pc=d.get("pc"), level=d.get("level"))


def closed_history_row(ev: Event, job_id: int, reason: str, now: datetime) -> dict:
    """The history row of closing `ev` for `reason`."""
    return history_row(ev.id, job_id, "closed", now, dict(
        tca=ev.tca, range_km=ev.range_km, relative_speed_km_s=ev.relative_speed_km_s, pc=ev.pc, level=ev.level,
        status="closed", close_reason=reason))


def apply_screening(s: Session, job_id: int, rows: np.ndarray, routings: list[Routed] | None,
                    window_start: datetime, window_end: datetime, screened_norad_ids,
                    match_fraction: float = 0.25, sources: dict[int, str] | None = None,
                    source_flags: dict[int, list[dict]] | None = None) -> ScreeningSummary:
    """Match each result with the open events of its pair and write the changes.

    Matching and closing as ``matching.match_results`` and ``matching.close_reason``
    decide; a continued event is updated only when ``matching.significant_change``
    says so. Each change writes a history row and takes a change_seq.
    ``sources``/``source_flags`` (NORAD id -> origin / flagged operator sets)
    go into each event's source_1, source_2 and source_flags.
    """
    now = utcnow()
    screened = {int(n) for n in screened_norad_ids}
    open_events = s.execute(select(Event).where(Event.status == "open")).scalars().all()
    matched, new_rows = match_results(open_events, rows, match_fraction)

    def routing_of(k: int) -> Routed | None:
        return routings[k] if routings is not None else None

    updates: list[tuple[Event, dict]] = []
    unchanged = 0
    closes: list[tuple[Event, str]] = []
    for ev in open_events:
        if ev.id in matched:
            k = matched[ev.id]
            values = routed_values(rows[k], routing_of(k), sources, source_flags)
            if significant_change(ev, values):
                updates.append((ev, values))
            else:
                unchanged += 1
        elif (reason := close_reason(ev, window_start, window_end, screened)) is not None:
            closes.append((ev, reason))

    seqs = iter(next_change_seqs(s, len(new_rows) + len(updates) + len(closes)))
    history: list[dict] = []
    routed_events: list[tuple[int, Routed | None, str]] = []  # event id, routing, status

    # new events (bulk insert, ids returned in order)
    if new_rows:
        dicts = [dict(norad_id_1=int(rows[k]["norad_id_1"]), norad_id_2=int(rows[k]["norad_id_2"]), status="open",
                      close_reason=None, created_at=now, updated_at=now, first_job_id=job_id, last_job_id=job_id,
                      change_seq=next(seqs), **routed_values(rows[k], routing_of(k), sources, source_flags))
                 for k in new_rows]
        ids = s.execute(insert(Event).returning(Event.id, sort_by_parameter_order=True), dicts).scalars().all()
        for ev_id, d, k in zip(ids, dicts, new_rows):
            history.append(history_row(ev_id, job_id, "created", now, d))
            routed_events.append((ev_id, routing_of(k), "open"))
    if updates:
        params = []
        for ev, values in updates:
            d = dict(values, id=ev.id, updated_at=now, last_job_id=job_id, change_seq=next(seqs))
            params.append(d)
            history.append(history_row(ev.id, job_id, "updated", now, dict(d, status="open", close_reason=None)))
            routed_events.append((ev.id, routing_of(matched[ev.id]), "open"))
        s.execute(update(Event), params)
    if closes:
        close_events(s, closes, job_id, now, seqs, history, routed_events)
    if history:
        s.execute(insert(EventUpdate), history)
    apply_alerts(s, routed_events, now)
    return ScreeningSummary(len(new_rows), len(updates), unchanged,
                            sum(r == TCA_PASSED for _, r in closes), sum(r == OUT_OF_THRESHOLD for _, r in closes))


def close_events(s: Session, closes: list[tuple[Event, str]], job_id: int, now: datetime, seqs,
                 history: list[dict], routed_events: list) -> None:
    """Close each (event, reason), each taking the next of `seqs`; their history rows and
    (event id, None, "closed") go onto `history` and `routed_events`."""
    s.execute(update(Event), [dict(id=ev.id, status="closed", close_reason=reason, updated_at=now, last_job_id=job_id,
                                   change_seq=next(seqs)) for ev, reason in closes])
    for ev, reason in closes:
        history.append(closed_history_row(ev, job_id, reason, now))
        routed_events.append((ev.id, None, "closed"))


def apply_alerts(s: Session, routed_events: list[tuple[int, Routed | None, str]], now: datetime) -> None:
    """Create/update one alert per (event, party); closing an event touches its alerts."""
    write_alerts(s, "event_id", [(ev_id, None if status == "closed" else routed)
                                 for ev_id, routed, status in routed_events], now)


def write_alerts(s: Session, subject: str, routed: list[tuple[int, Routed | None]], now: datetime) -> None:
    """One alert per (subject, party) a routing pages, created or updated, each change
    numbered; a subject routed None (a closed event) touches its alerts. ``subject``: the
    Alert column the ids are of, "event_id" or "finding_id"."""
    if not routed:
        return
    column = getattr(Alert, subject)
    ids = [subject_id for subject_id, _ in routed]
    existing: dict[tuple[int, str], Alert] = {}
    for chunk in range(0, len(ids), 500):
        for alert in s.scalars(select(Alert).where(column.in_(ids[chunk:chunk + 500]))):
            existing[(getattr(alert, subject), alert.party)] = alert
    by_subject: dict[int, list[Alert]] = {}
    for (subject_id, _), alert in existing.items():
        by_subject.setdefault(subject_id, []).append(alert)
    inserts: list[dict] = []
    touched: list[dict] = []
    for subject_id, result in routed:
        if result is None:
            touched.extend(dict(id=a.id, updated_at=now) for a in by_subject.get(subject_id, ()))
            continue
        for party, role in result.parties().items():
            alert = existing.get((subject_id, party))
            if alert is None:
                inserts.append({subject: subject_id, "party": party, "role": role, "level": result.level,
                                "created_at": now, "updated_at": now})
            else:
                touched.append(dict(id=alert.id, role=role, level=result.level, updated_at=now))
    seqs = iter(next_change_seqs(s, len(inserts) + len(touched)))
    if inserts:
        s.execute(insert(Alert), [dict(d, change_seq=next(seqs)) for d in inserts])
    if touched:
        s.execute(update(Alert), [dict(d, change_seq=next(seqs)) for d in touched])
