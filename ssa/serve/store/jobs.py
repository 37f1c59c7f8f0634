"""The job queue: claiming with a lease, heartbeats, and committing a job's results
with its completion in one transaction.

A commit of screening results takes the change counter's lock before it reads the
open events (``lock_changes``), so two workers' commits never work from the same
view, and a job never commits once a job of a newer catalogue version has completed.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ssa.serve.enums import JobStatus
from ssa.serve.models import Event, EventUpdate, Job
from ssa.serve.store.changes import lock_changes, next_change_seqs, utcnow
from ssa.serve.store.events import (
    Routed,
    ScreeningSummary,
    apply_alerts,
    apply_screening,
    closed_history_row,
    flags_by_object,
)
from ssa.serve.store.findings import FoundItem, apply_findings, replace_overflights
from ssa.serve.store.matching import TCA_PASSED

STOPPED_LISTED = 100  # objects a job record lists as not screened (the message gives the count)


def ours_running(job_id: int, worker_id: str):
    """SQL condition: job `job_id`, running, claimed by `worker_id`."""
    return (Job.id == job_id) & (Job.worker_id == worker_id) & (Job.status == JobStatus.RUNNING)


def supersede_if_newer(s: Session, job_id: int, worker_id: str, statuses: tuple[JobStatus, ...]) -> int | None:
    """End our running job as 'superseded' when a job of a newer catalogue version
    has one of `statuses`; returns that job's id, else None."""
    version = select(Job.catalog_version_id).where(Job.id == job_id).scalar_subquery()
    newer = s.scalar(select(func.max(Job.id)).where(Job.catalog_version_id > version, Job.status.in_(statuses)))
    if newer is None:
        return None
    s.execute(update(Job).where(ours_running(job_id, worker_id)).values(
        status=JobStatus.SUPERSEDED, finished_at=utcnow(), message=f"superseded by job {newer}"))
    return newer


def done_message(stopped: list[dict], flagged: list[dict]) -> str:
    """A finished job's message: done, with the objects not screened and the operator sets flagged."""
    message = "done" if not stopped else f"done; {len(stopped)} objects not screened" + (
        f" (the first {STOPPED_LISTED} listed)" if len(stopped) > STOPPED_LISTED else "")
    if flagged:
        message += (f"; {len(flagged)} operator element sets disagree with the public ones beyond the "
                    f"covariance (flagged, not screened)")
    return message


class JobQueue:
    """Screening jobs: claim, heartbeat, supersede, fail, complete (a part of Store)."""

    session: sessionmaker[Session]

    def job_catalog_version(self, job_id: int) -> int:
        with self.session() as s:
            return s.scalar(select(Job.catalog_version_id).where(Job.id == job_id))

    def claim_job(self, worker_id: str, lease_s: float, max_attempts: int = 3) -> Job | None:
        """Take the oldest queued job, or a running one whose lease ran out. A job whose
        lease ran out after `max_attempts` claims is failed instead, with the reason."""
        while True:
            with self.session.begin() as s:
                now = utcnow()
                claimable = (Job.status == JobStatus.QUEUED) | (
                    (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now))
                job = s.execute(select(Job.id, Job.attempts, Job.worker_id).where(claimable)
                                .order_by(Job.id).limit(1)).first()
                if job is None:
                    return None
                if job.attempts >= max_attempts:
                    s.execute(update(Job).where(Job.id == job.id, claimable).values(
                        status=JobStatus.FAILED, finished_at=now, message="failed",
                        error=f"gave up after {job.attempts} attempts: the lease of worker {job.worker_id} "
                              f"ran out without a result (worker killed or stuck)"))
                    continue
                taken = s.execute(
                    update(Job).where(Job.id == job.id, claimable).values(
                        status=JobStatus.RUNNING, worker_id=worker_id, lease_expires_at=now + timedelta(seconds=lease_s),
                        attempts=Job.attempts + 1, started_at=now, progress=0.0, message="claimed")
                ).rowcount
                if taken == 1:
                    return s.get(Job, job.id)

    def heartbeat(self, job_id: int, worker_id: str, lease_s: float, progress: float, message: str) -> bool:
        """Extend the lease and record progress; False when the job is no longer ours."""
        with self.session.begin() as s:
            return s.execute(update(Job).where(ours_running(job_id, worker_id)).values(
                lease_expires_at=utcnow() + timedelta(seconds=lease_s), progress=progress, message=message[:500])
            ).rowcount == 1

    def supersede(self, job_id: int, worker_id: str) -> int | None:
        """When a job of a newer catalogue version (which holds every element set of
        this one's) is queued, running or done, end this one as 'superseded' and
        return the newer job's id."""
        with self.session.begin() as s:
            return supersede_if_newer(s, job_id, worker_id, (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE))

    def fail_job(self, job_id: int, worker_id: str, error: str) -> None:
        with self.session.begin() as s:
            s.execute(update(Job).where(ours_running(job_id, worker_id)).values(
                status=JobStatus.FAILED, error=error[:10000], finished_at=utcnow(), message="failed"))

    def complete_job(self, job_id: int, worker_id: str, rows: np.ndarray, routings: list[Routed] | None,
                     window_start: datetime, window_end: datetime, threshold_km: float,
                     screened_norad_ids, match_fraction: float = 0.25,
                     stopped: list[dict] | None = None, sources: dict[int, str] | None = None,
                     source_checks: list[dict] | None = None,
                     findings: list[FoundItem] | None = None,
                     overflights: list[dict] | None = None) -> ScreeningSummary | None:
        """Commit a job's screening results and mark it done, atomically. Returns
        None (and commits no result) when the job was re-claimed by another worker,
        or when a job of a newer catalogue version completed first (this one is then
        'superseded'). ``stopped``: objects not screened, with the reason;
        ``sources``: NORAD id -> origin of the set screened (default PUBLIC);
        ``source_checks``: the operator sets compared with the public ones
        (pipeline.choose_sources); the flagged ones are named in the events;
        ``findings``: the detectors' findings of this version (store.findings), written
        with their alerts in the same transaction; ``overflights``: the passes over the
        configured sites (they replace the sites' older passes)."""
        with self.session.begin() as s:
            lock_changes(s)  # before reading anything: commits of two workers serialise here
            if supersede_if_newer(s, job_id, worker_id, (JobStatus.DONE,)) is not None:
                return None
            stopped = stopped or []
            flagged = [c for c in source_checks or () if c["flagged"]]
            done = s.execute(update(Job).where(ours_running(job_id, worker_id)).values(
                status=JobStatus.DONE, progress=1.0, message=done_message(stopped, flagged), finished_at=utcnow(),
                window_start=window_start, window_end=window_end, threshold_km=threshold_km,
                n_objects=len(screened_norad_ids), n_conjunctions=len(rows), stopped=stopped[:STOPPED_LISTED],
                source_checks=source_checks or None)
            ).rowcount
            if done != 1:
                s.rollback()
                return None
            summary = apply_screening(s, job_id, rows, routings, window_start, window_end, screened_norad_ids,
                                      match_fraction, sources, flags_by_object(flagged))
            version_id = s.scalar(select(Job.catalog_version_id).where(Job.id == job_id))
            if findings:
                summary.findings = apply_findings(s, job_id, version_id, findings)
            if overflights:
                replace_overflights(s, job_id, version_id, overflights)
            return summary

    def record_screening(self, job_id: int, rows: np.ndarray, routings: list[Routed] | None,
                         window_start: datetime, window_end: datetime, screened_norad_ids,
                         match_fraction: float = 0.25) -> ScreeningSummary:
        """Upsert screening results for an existing job in one transaction (no job bookkeeping)."""
        with self.session.begin() as s:
            lock_changes(s)
            return apply_screening(s, job_id, rows, routings, window_start, window_end, screened_norad_ids,
                                   match_fraction)

    def close_passed(self, now: datetime | None = None) -> int:
        """Close open events whose TCA has passed (between screenings); returns how many."""
        now = now or utcnow()
        passed_now = (Event.status == "open", Event.tca < now)
        with self.session() as s:  # an idle worker asks every poll: look before taking the write lock
            if s.scalar(select(Event.id).where(*passed_now).limit(1)) is None:
                return 0
        with self.session.begin() as s:
            lock_changes(s)  # then read again under it: another worker may have closed them meanwhile
            passed = s.execute(select(Event).where(*passed_now)).scalars().all()
            if not passed:
                return 0
            seqs = iter(next_change_seqs(s, len(passed)))
            s.execute(update(Event), [dict(id=ev.id, status="closed", close_reason=TCA_PASSED, updated_at=now,
                                           change_seq=next(seqs)) for ev in passed])
            s.execute(insert(EventUpdate), [closed_history_row(ev, ev.last_job_id, TCA_PASSED, now) for ev in passed])
            apply_alerts(s, [(ev.id, None, "closed") for ev in passed], now)
            return len(passed)
