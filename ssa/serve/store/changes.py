"""The change counter and the store's time type.

Every change a poller can see (an event or alert created, updated, closed or
acknowledged) takes the next value of one counter, ``change_seq``, inside the
transaction that makes it. The counter row is locked until commit (PostgreSQL)
or the whole database is (SQLite), so change sequences become visible in order:
a poller that has seen ``since=N`` never later finds a change numbered below N,
and a reader that finds the counter at N knows that no change above N was
committed then: a poll with ``since >= N`` is empty without a query.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ssa.serve.models import Counter


def utcnow() -> datetime:
    """Naive UTC, microsecond resolution (the store's time type)."""
    return datetime.now(UTC).replace(tzinfo=None)


def lock_changes(session: Session) -> None:
    """Take the change counter's lock (a no-op write of its row) before reading what a
    commit will change: PostgreSQL locks the row, SQLite the database, until commit,
    so two commits never work from the same view of the open events."""
    session.execute(update(Counter).where(Counter.name == "change_seq").values(value=Counter.value))


def next_change_seqs(session: Session, n: int) -> list[int]:
    """Reserve n consecutive change sequence numbers (locks the counter until commit)."""
    if n == 0:
        return []
    top = session.execute(
        update(Counter).where(Counter.name == "change_seq").values(value=Counter.value + n).returning(Counter.value)
    ).scalar_one()
    return list(range(top - n + 1, top + 1))


HIGH_WATER = select(Counter.value).where(Counter.name == "change_seq")


def high_water(session: Session) -> int:
    """The newest change sequence number committed (what a poller has seen all of), read
    in the session's transaction (Core: no ORM work for one integer, every poll asks)."""
    return session.connection().scalar(HIGH_WATER)
