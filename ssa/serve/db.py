"""Engine, sessions and migrations. SQLite runs in WAL mode with a busy timeout
so the API and a worker process can share one file."""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


MIGRATION_LOCK = 0x55A_0001  # PostgreSQL advisory lock key: one migration at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest alembic revision (idempotent). On PostgreSQL an
    advisory lock held to commit serialises processes that start at once (`ssa serve`
    beside `ssa worker`): the second finds the schema made and does nothing. SQLite
    files are locked the same way, with a lock file beside the database."""
    cfg = alembic_config()
    with migration_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on `<database file>.migrate.lock` for a SQLite file (PostgreSQL
    locks inside its transaction; an in-memory SQLite database has one process)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def schema_behind(engine: Engine) -> str | None:
    """None when the database's schema is at the newest revision; else a sentence saying
    where it is and where `ssa migrate` would take it."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    where = "has no schema" if current is None else f"has schema revision {current}"
    return f"the database {engine.url.render_as_string(hide_password=True)} {where}; this ssa needs revision {head}"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
