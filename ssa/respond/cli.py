"""`ssa route ALERT.json [--explain]` and `ssa parties`."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("route")
    def route_command(
        alert_file: Path = typer.Argument(..., help="JSON: one alert or a list; a screening row "
                                          "(norad_id_1, norad_id_2, tca, range_km[, pc]) is read as a conjunction."),
        explain: bool = typer.Option(False, "--explain", help="Add which rule fired and why, with its citations."),
        config_dir: Optional[Path] = typer.Option(None, "--config-dir", help="Operator's response files "
                                                  "(default: $SSA_RESPONSE_DIR, else the shipped defaults)."),
        satcat: Optional[Path] = typer.Option(None, help="SATCAT owner map for screening rows (default: shipped)."),
        now: Optional[str] = typer.Option(None, help="Judge the alerts at this UTC time (ISO 8601; default: now)."),
    ) -> None:
        """Route alerts to the parties of the Dutch response mechanism; prints JSON."""
        from ssa.catalog import SHIPPED_SATCAT, load_satcat
        from ssa.respond import Alert, ConfigError, load_config, route

        try:
            cfg = load_config(config_dir)
        except ConfigError as exc:
            raise _fail(str(exc))
        try:
            data = json.loads(alert_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise _fail(f"{alert_file}: {exc}")
        items = data if isinstance(data, list) else [data]
        at = _parse_now(now)
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
            raise typer.Exit(1)

    @app.command("parties")
    def parties_command(
        config_dir: Optional[Path] = typer.Option(None, "--config-dir", help="Operator's response files."),
    ) -> None:
        """List the parties of the response mechanism, their basis in the letters and unfilled contacts."""
        from rich.console import Console
        from rich.table import Table

        from ssa.respond import ConfigError, load_config

        try:
            cfg = load_config(config_dir)
        except ConfigError as exc:
            raise _fail(str(exc))
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


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    from ssa.respond.alert import utc_time

    try:
        return utc_time(text, "now")
    except ValueError as exc:
        raise _fail(str(exc))


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)
