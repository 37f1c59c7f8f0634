"""Who migrates the store's schema: opening a Store never does; `ssa migrate` does;
`ssa serve` and `ssa worker` do at start, or refuse with the reason when the
setting auto_migrate is false; `ssa keys list`/`revoke` refuse a schema behind.
On a SQLite file and on PostgreSQL (when SSA_TEST_DATABASE_URL is set)."""
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from typer.testing import CliRunner

from serve_helpers import make_settings
from ssa.cli import app as cli
from ssa.serve import db
from ssa.serve.app import create_app
from ssa.serve.store import SchemaBehind, Store, open_store


def tables(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def at_revision(url: str, revision: str) -> Store:
    """A Store whose schema alembic took to `revision` (an older one: behind the code)."""
    store = Store(url)
    cfg = db.alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return store


def cli_env(monkeypatch, tmp_path, url: str, auto_migrate: bool) -> CliRunner:
    monkeypatch.setenv("SSA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSA_DATABASE_URL", url)
    monkeypatch.setenv("SSA_AUTO_MIGRATE", str(auto_migrate).lower())
    monkeypatch.delenv("SSA_SETTINGS_FILE", raising=False)
    return CliRunner()


def test_opening_a_store_leaves_the_schema_alone(database_url):
    store = Store(database_url)
    assert "has no schema" in store.schema_behind()
    assert "jobs" not in tables(store)
    store.migrate()
    assert store.schema_behind() is None and "jobs" in tables(store)
    store.engine.dispose()


def test_keys_commands_refuse_a_schema_behind_until_ssa_migrate(database_url, tmp_path, monkeypatch):
    runner = cli_env(monkeypatch, tmp_path, database_url, auto_migrate=True)
    listed = runner.invoke(cli, ["keys", "list"])
    assert listed.exit_code == 1 and "run `ssa migrate`" in listed.output and "has no schema" in listed.output
    store = Store(database_url)
    assert "jobs" not in tables(store)  # listing keys did not migrate
    migrated = runner.invoke(cli, ["migrate"])
    assert migrated.exit_code == 0 and "schema up to date" in migrated.output
    assert store.schema_behind() is None
    assert runner.invoke(cli, ["keys", "list"]).exit_code == 0
    store.engine.dispose()


def test_worker_and_serve_refuse_a_schema_behind_when_auto_migrate_is_off(database_url, tmp_path, monkeypatch):
    old = at_revision(database_url, "0005")
    runner = cli_env(monkeypatch, tmp_path, database_url, auto_migrate=False)
    for command_line in (["worker", "--once"], ["serve", "--no-embedded-worker"], ["keys", "create", "--role", "admin"]):
        refused = runner.invoke(cli, command_line)
        assert refused.exit_code == 1, (command_line, refused.output)
        assert "schema revision 0005" in refused.output and "run `ssa migrate`" in refused.output
        assert "SSA_AUTO_MIGRATE is false" in refused.output
    assert "revision 0005" in old.schema_behind() and "incidents" not in tables(old)
    settings = make_settings(tmp_path, database_url, auto_migrate=False)
    with pytest.raises(SchemaBehind, match="revision 0005"):
        create_app(settings)
    old.engine.dispose()


def test_worker_and_serve_migrate_at_start_by_default(database_url, tmp_path, monkeypatch):
    old = at_revision(database_url, "0005")
    runner = cli_env(monkeypatch, tmp_path, database_url, auto_migrate=True)
    ran = runner.invoke(cli, ["worker", "--once"])
    assert ran.exit_code == 0, ran.output
    assert old.schema_behind() is None and "incidents" in tables(old)
    old.engine.dispose()

    fresh_url = database_url.replace("ssa.sqlite3", "fresh.sqlite3")
    if fresh_url != database_url:  # SQLite: a second, empty file; `ssa serve`'s app migrates it at start
        with TestClient(create_app(make_settings(tmp_path, fresh_url))) as client:
            assert client.get("/healthz").json()["status"] == "ok"
        store = open_store(make_settings(tmp_path, fresh_url, auto_migrate=False))  # now current: no refusal
        assert store.schema_behind() is None
        store.engine.dispose()


def test_processes_migrating_at_once_make_the_schema_once(database_url):
    """`ssa serve` and `ssa worker` started together on an empty database both migrate:
    the second waits for the first (PostgreSQL's advisory lock; SQLite's file lock) and
    finds the schema made. Four stores, four threads, one start."""
    import threading

    stores = [Store(database_url) for _ in range(4)]
    start, errors = threading.Barrier(len(stores)), []

    def migrate(store):
        start.wait()
        try:
            store.migrate()
        except Exception as exc:  # noqa: BLE001  (reported below, with its type)
            errors.append(repr(exc))

    threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and all(s.schema_behind() is None for s in stores)
    for s in stores:
        s.engine.dispose()
