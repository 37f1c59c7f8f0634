"""`ssa serve`, `ssa worker`, `ssa migrate` and `ssa keys create|list|revoke`."""
from __future__ import annotations

from typing import Annotated

import typer

from ssa.cli_errors import fail, usage_error
from ssa.serve.enums import Role

app = typer.Typer()
keys_app = typer.Typer(help="API keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def load_settings(**overrides):
    """Settings from SSA_* variables and SSA_SETTINGS_FILE; invalid ones end the command
    with each problem named (exit status 2), before anything starts."""
    from pydantic import ValidationError

    from ssa.serve.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
        usage_error(f"invalid settings: {problems}")


def opened_store(settings):
    """The store for `ssa serve`, `ssa worker` and `ssa keys create` (ssa.serve.store.open_store):
    a schema behind the code, with auto_migrate off, fails the command with the reason."""
    from ssa.serve.store import SchemaBehind, open_store

    try:
        return open_store(settings)
    except SchemaBehind as exc:
        fail(str(exc))


def current_store():
    """The store of the settings, left as it is: a schema behind the code (or none) fails
    the command with the reason; `ssa migrate` makes it."""
    from ssa.serve.store import Store

    store = Store(load_settings().resolved_database_url())
    behind = store.schema_behind()
    if behind is not None:
        fail(f"{behind}: run `ssa migrate`")
    return store


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default SSA_HOST, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default SSA_PORT, 8000)")] = None,
    embedded_worker: Annotated[bool | None, typer.Option(help="run the job worker inside the server")] = None,
) -> None:
    """Run the HTTP alert service (uvicorn); settings from SSA_* variables or SSA_SETTINGS_FILE."""
    import uvicorn

    from ssa.serve.app import create_app

    overrides = {k: v for k, v in dict(host=host, port=port, embedded_worker=embedded_worker).items()
                 if v is not None}
    settings = load_settings(**overrides)
    uvicorn.run(create_app(settings, store=opened_store(settings)), host=settings.host, port=settings.port,
                log_level="info")


@app.command("worker")
def worker(once: Annotated[bool, typer.Option(help="run queued jobs, then exit")] = False) -> None:
    """Run screening jobs from the store (and ingest the watched folder)."""
    import logging

    from ssa.serve.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = load_settings()
    run_worker(settings, opened_store(settings), once=once)


@app.command("migrate")
def migrate() -> None:
    """Create or upgrade the store's schema."""
    from ssa.serve.store import Store

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Store(settings.resolved_database_url()).migrate()
    typer.echo(f"schema up to date: {settings.resolved_database_url()}")


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="what the key may do")],
    party: Annotated[str | None, typer.Option(help="party code (agency: required)")] = None,
    objects: Annotated[str, typer.Option(help="operator: comma-separated NORAD ids")] = "",
    label: Annotated[str, typer.Option(help="free text, e.g. who holds the key")] = "",
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    try:
        ids = [int(x) for x in objects.split(",") if x.strip()]
    except ValueError:
        usage_error(f"--objects must be NORAD ids separated by commas, not {objects!r}")
    try:
        key = opened_store(load_settings()).create_key(role, party, ids, label)
    except ValueError as exc:
        usage_error(str(exc))
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """Key ids, roles, parties, objects (never the secrets)."""
    for k in current_store().list_keys():
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "live"
        typer.echo(f"{k.key_id}\t{k.role}\t{k.party or '-'}\t{','.join(map(str, k.objects)) or '-'}\t{state}\t{k.label}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the id in ssa_<id>_<secret>")]) -> None:
    """Revoke a key."""
    if not current_store().revoke_key(key_id):
        fail(f"no live key with id {key_id!r}")
    typer.echo(f"revoked {key_id}")
