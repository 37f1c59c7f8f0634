"""Writing detector findings: one row per stable identity (a later catalogue version
that finds it again updates it), and one alert per (finding, party) routed, in the
alerts table that /v1/alerts and the webhooks read. Each change takes a change_seq.
And the overflight passes over the configured sites, the newest version's only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ssa.serve.models import Finding, OverflightPass
from ssa.serve.store.changes import next_change_seqs, utcnow
from ssa.serve.store.events import Routed, write_alerts


@dataclass
class FoundItem:
    """A finding as the store writes it (times naive UTC)."""

    kind: str  # reentry fragmentation manoeuvre proximity
    identity: str  # stable across catalogue versions, e.g. "reentry:58000"
    norad_id_1: int
    norad_id_2: int | None
    event_time: datetime | None
    summary: dict
    routed: Routed


@dataclass
class FindingsSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"findings: {self.created} new, {self.updated} updated, {self.unchanged} unchanged"


def apply_findings(s: Session, job_id: int, catalog_version_id: int, items: list[FoundItem]) -> FindingsSummary:
    """Create or update each finding by its identity (unchanged: same event time, summary and
    level, then nothing is written) and its alerts, inside the caller's transaction."""
    now = utcnow()
    identities = [item.identity for item in items]
    existing: dict[str, Finding] = {}
    for chunk in range(0, len(identities), 500):
        for finding in s.scalars(select(Finding).where(Finding.identity.in_(identities[chunk:chunk + 500]))):
            existing[finding.identity] = finding
    new, changed, unchanged = [], [], 0
    for item in {item.identity: item for item in items}.values():
        old = existing.get(item.identity)
        if old is None:
            new.append(item)
        elif (old.event_time, old.summary, old.level) != (item.event_time, item.summary, item.routed.level):
            changed.append((old, item))
        else:
            unchanged += 1
    seqs = iter(next_change_seqs(s, len(new) + len(changed)))
    routed: list[tuple[int, Routed]] = []

    def values(item: FoundItem) -> dict:
        return dict(norad_id_1=item.norad_id_1, norad_id_2=item.norad_id_2, event_time=item.event_time,
                    summary=item.summary, level=item.routed.level, routing=item.routed.as_json(),
                    catalog_version_id=catalog_version_id, last_job_id=job_id, updated_at=now,
                    change_seq=next(seqs))

    if new:
        rows = [dict(values(item), kind=item.kind, identity=item.identity, first_job_id=job_id, created_at=now)
                for item in new]
        ids = s.execute(insert(Finding).returning(Finding.id, sort_by_parameter_order=True), rows).scalars().all()
        routed.extend(zip(ids, (item.routed for item in new)))
    if changed:
        s.execute(update(Finding), [dict(values(item), id=old.id) for old, item in changed])
        routed.extend((old.id, item.routed) for old, item in changed)
    write_alerts(s, "finding_id", routed, now)  # one alert per (finding, party) its routing pages
    return FindingsSummary(len(new), len(changed), unchanged)


def replace_overflights(s: Session, job_id: int, catalog_version_id: int, records: list[dict]) -> None:
    """Store a catalogue version's passes (ssa.detect.overflight.to_records rows), replacing the
    older passes of the same sites, inside the caller's transaction."""
    sites = sorted({r["site"] for r in records})
    s.execute(delete(OverflightPass).where(OverflightPass.site.in_(sites)))
    s.execute(insert(OverflightPass), [dict(site=r["site"], catalog_version_id=catalog_version_id, job_id=job_id,
                                            norad_id=r["norad_id"], record=r,
                                            culmination=datetime.fromisoformat((r["culmination"] or r["rise"] or r["set"]).rstrip("Z")))
                                       for r in records])
