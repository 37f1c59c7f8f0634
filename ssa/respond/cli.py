"""`ssa respond route ALERT.json [--explain]` and `ssa respond parties`."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ssa.cli_errors import fail, usage_error

app = typer.Typer(help="Route alerts to the parties of the Dutch response mechanism; list the parties.",
                  no_args_is_help=True)


@app.command("route")
def route_command(
    alert_file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help="JSON: one alert or a list; a screening row (norad_id_1, norad_id_2, tca, "
                                          "range_km[, pc]) is read as a conjunction.")],
    explain: Annotated[bool, typer.Option("--explain", help="Add which rule fired and why, with its "
                                          "citations.")] = False,
    config_dir: Annotated[Path | None, typer.Option(help="Operator's response files (default: $SSA_RESPONSE_DIR, "
                                                    "else the shipped defaults).")] = None,
    satcat: Annotated[Path | None, typer.Option(help="SATCAT owner map for screening rows (default: "
                                                "shipped).")] = None,
    now: Annotated[str | None, typer.Option(help="Judge the alerts at this UTC time (ISO 8601; default: "
                                            "now).")] = None,
) -> None:
    """Route alerts to the parties of the Dutch response mechanism; prints JSON."""
    from ssa.catalog import SHIPPED_SATCAT, load_satcat
    from ssa.respond import Alert, route

    cfg = _config_or_exit(config_dir)
    at = _parse_now(now)
    try:
        data = json.loads(alert_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{alert_file}: {exc}")
    items = data if isinstance(data, list) else [data]
    owners = None
    out, failed = [], 0
    for i, item in enumerate(items):
        try:
            if isinstance(item, dict) and "norad_id_1" in item:
                owners = owners or load_satcat(satcat or SHIPPED_SATCAT)
                alert = Alert.from_conjunction(item, owners, now=at)
            else:
                alert = Alert.from_dict(item)
                if at is not None and alert.now is None:
                    alert = replace(alert, now=at)
            routing = route(alert, cfg).to_dict()
        except (ValueError, KeyError, TypeError) as exc:
            typer.echo(f"{alert_file} item {i}: {exc}", err=True)
            failed += 1
            continue
        if not explain:
            for key in ("explanation", "cite", "why", "interests"):
                routing.pop(key)
        out.append(routing)
    typer.echo(json.dumps(out if isinstance(data, list) else (out[0] if out else None), indent=2,
                          ensure_ascii=False))
    if failed:
        fail(f"{failed:,} of {len(items):,} item(s) of {alert_file} not routed (each named above)")


@app.command("parties")
def parties_command(
    config_dir: Annotated[Path | None, typer.Option(help="Operator's response files.")] = None,
) -> None:
    """List the parties of the response mechanism, their basis in the letters and unfilled contacts."""
    from rich.console import Console
    from rich.table import Table

    cfg = _config_or_exit(config_dir)
    table = Table(title=f"Parties ({cfg.files['parties.toml']})", show_lines=True)
    for column in ("id", "name", "role", "basis", "letters", "contact to fill in"):
        table.add_column(column, overflow="fold")
    for party in cfg.parties.values():
        table.add_row(
            party.id, f"{party.name_nl}\n{party.name_en}", party.role, party.basis,
            "\n".join(f"{c.letter} {c.section}" for c in party.cite),
            ", ".join(party.unfilled_contacts()) or "-",
        )
    Console(width=160).print(table)


def _config_or_exit(config_dir: Path | None):
    """The response configuration; one the command cannot start with is a usage error (exit 2)."""
    from ssa.respond import ConfigError, load_config

    try:
        return load_config(config_dir)
    except ConfigError as exc:
        usage_error(str(exc))


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    from ssa.respond.alert import utc_time

    try:
        return utc_time(text, "now")
    except ValueError:
        usage_error(f"--now {text!r} is not an ISO 8601 time")
