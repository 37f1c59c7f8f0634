"""Fixtures shared by the test modules (pytest finds them here; no test imports them).
Data paths and the skip mark for ../shared/data are in paths.py.

- ``shipped_catalog``: the shipped CelesTrak catalogue of 2024-11-01 with the
  shipped SATCAT map, loaded once per session (tests take subsets, never modify it).
- ``database_url``: a fresh, empty store, a SQLite file or a PostgreSQL schema.
- ``service``: (TestClient, store, admin key) on a fresh migrated store.
"""
from __future__ import annotations

import os
import uuid

import pytest

from screen_helpers import shipped
from serve_helpers import make_settings, migrated_store


@pytest.fixture(scope="session")
def shipped_catalog():
    """The shipped catalogue (ssa.catalog.load with the shipped SATCAT map), loaded once."""
    return shipped()


def _postgres_url(schema: str) -> str:
    base = os.environ["SSA_TEST_DATABASE_URL"]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, empty store: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ssa.sqlite3'}"
        return
    if not os.environ.get("SSA_TEST_DATABASE_URL"):
        pytest.skip("SSA_TEST_DATABASE_URL is not set")
    from sqlalchemy import create_engine, text

    schema = f"ssa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(os.environ["SSA_TEST_DATABASE_URL"])
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _postgres_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def service(tmp_path, database_url):
    """(TestClient, store, admin key) on a fresh store; the store's engine is disposed afterwards."""
    from fastapi.testclient import TestClient

    from ssa.serve.app import create_app

    settings = make_settings(tmp_path, database_url)
    store = migrated_store(database_url)
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        yield client, store, store.create_key("admin", label="test admin")
    store.engine.dispose()
