"""The store: catalogue versions and element sets, jobs, conjunction events with
their history, alerts, parties and API keys, on SQLite or PostgreSQL.

One module per concern: ``catalog`` (ingest), ``jobs`` (the queue), ``events``
(writing screening results; ``matching`` decides, without a database), ``keys``
(API keys and parties), ``changes`` (the change counter every poller follows).
Opening a Store does not touch the schema: ``Store.migrate`` (``ssa migrate``)
brings it to the newest revision, ``Store.schema_behind`` says whether it is.
"""
from __future__ import annotations

from sqlalchemy import Engine

from ssa.serve import db
from ssa.serve.settings import Settings
from ssa.serve.store.catalog import OPERATOR_PREFIX, PUBLIC, CatalogStore, IngestResult
from ssa.serve.store.changes import high_water, next_change_seqs, utcnow
from ssa.serve.store.events import Routed, ScreeningSummary, apply_screening
from ssa.serve.store.jobs import JobQueue
from ssa.serve.store.keys import KeyStore

__all__ = ["OPERATOR_PREFIX", "PUBLIC", "IngestResult", "Routed", "SchemaBehind", "ScreeningSummary",
           "Store", "apply_screening", "open_store", "high_water", "next_change_seqs", "utcnow"]


class Store(CatalogStore, JobQueue, KeyStore):
    """The service's database (SQLAlchemy URL `url`, or an engine already made)."""

    def __init__(self, url: str, engine: Engine | None = None):
        self.engine = engine or db.make_engine(url)
        self.session = db.session_factory(self.engine)

    def migrate(self) -> None:
        """Create the schema or bring it to the newest revision (idempotent)."""
        db.migrate(self.engine)

    def schema_behind(self) -> str | None:
        """None when the schema is at the newest revision, else what `ssa migrate` would do."""
        return db.schema_behind(self.engine)


class SchemaBehind(RuntimeError):
    """The database's schema is not at the newest revision and the settings say not to migrate it."""


def open_store(settings: Settings) -> Store:
    """The store as `ssa serve` and `ssa worker` open it: its schema brought to the newest
    revision when settings.auto_migrate (the default), else SchemaBehind when it is not there."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.resolved_database_url())
    behind = store.schema_behind()
    if behind is not None:
        if not settings.auto_migrate:
            store.engine.dispose()
            raise SchemaBehind(f"{behind}: run `ssa migrate` (SSA_AUTO_MIGRATE is false)")
        store.migrate()
    return store
