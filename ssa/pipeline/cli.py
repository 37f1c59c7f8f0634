"""`ssa screen CATALOG ...`: batch conjunction screening, assessed, to CSV/JSON/Parquet.

The command runs the pipeline (``ssa.pipeline``), so it lives beside it and
not in ``ssa.screen``, which imports no later stage.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ssa.cli_errors import usage_error

GROUPS = {
    "dutch": "objects of Dutch interest as ssa.respond decides it (asset registry, SATCAT owner codes)",
    "payloads": "objects whose SATCAT type is PAY",
}

app = typer.Typer()


class TableFormat(str, Enum):
    """Formats of ssa.screen.write_table (its FORMATS)."""

    csv = "csv"
    json = "json"
    parquet = "parquet"


def resolve_primaries(spec: str, catalog) -> list[int]:
    """NORAD ids from 'ID,ID,...', a file of ids (one per line or comma separated) or a GROUP name."""
    import numpy as np

    from ssa.pipeline import dutch_interest_ids

    group = spec.strip().lower()
    if group == "dutch":
        ids = dutch_interest_ids(catalog)
    elif group == "payloads":
        ids = catalog.norad_id[catalog.object_type.astype(str) == "PAY"]
    elif Path(spec).is_file():
        text = Path(spec).read_text().replace(",", " ").split()
        ids = _parse_ids(text, spec)
    else:
        ids = _parse_ids(spec.split(","), "--primaries")
    ids = sorted({int(i) for i in np.asarray(ids)})
    if not ids:
        usage_error(f"--primaries {spec!r} selects no object of the catalogue")
    return ids


def _parse_ids(tokens, where: str) -> list[int]:
    ids = []
    for n, token in enumerate(t.strip() for t in tokens):
        if not token or token.startswith("#"):
            continue
        if not token.isdigit():
            usage_error(f"{where}: item {n + 1} {token!r} is not a NORAD id "
                        f"(nor one of the groups {', '.join(GROUPS)})")
        ids.append(int(token))
    return ids


@app.command("screen")
def screen_command(
    catalog_path: Annotated[Path, typer.Argument(metavar="CATALOG", exists=True, dir_okay=False,
                                                 help="2LE/3LE or OMM CSV/JSON/XML catalogue")],
    start: Annotated[str | None, typer.Option(help="window start, ISO-8601 UTC (default: now)")] = None,
    days: Annotated[float, typer.Option(min=1e-6, help="window length, days")] = 7.0,
    threshold_km: Annotated[float, typer.Option(min=1e-6, help="miss-distance threshold, km")] = 5.0,
    primaries: Annotated[str | None, typer.Option(
        help="NORAD ids 'ID,ID', a file of ids, or a group: " + "; ".join(f"{k} ({v})" for k, v in GROUPS.items()))
    ] = None,
    satcat: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                help="SATCAT CSV (NORAD_CAT_ID, OWNER, OBJECT_TYPE); default: the "
                                                     "shipped one")] = None,
    out: Annotated[Path, typer.Option(help="output file, written atomically")] = Path("conjunctions.csv"),
    fmt: Annotated[TableFormat | None, typer.Option("--format", help="default: from --out's suffix")] = None,
    pc: Annotated[bool, typer.Option("--pc/--no-pc", help="add PC (Foster 2D), MAX_PROB, DILUTION_KM, "
                                     "COVARIANCE_SOURCE and HBR_M columns")] = True,
    covariance: Annotated[list[Path] | None, typer.Option(
        exists=True, help="CDM file or directory: operators' covariances for their objects (others are "
                          "estimated); repeatable")] = None,
) -> None:
    """Screen a catalogue for close approaches (all-vs-all, or primaries against all)."""
    import logging
    from datetime import datetime, timezone

    import numpy as np
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.constants import SECONDS_PER_DAY
    from ssa.pipeline import screen_and_assess
    from ssa.screen.table import format_tca, write_table
    from ssa.timeutil import parse_utc

    fmt = fmt.value if fmt else (out.suffix.lstrip(".") or "csv").lower()
    if fmt not in TableFormat.__members__:
        usage_error(f"--out {out}: suffix {out.suffix!r} is not one of {', '.join(TableFormat.__members__)} "
                    "(or give --format)")
    console = Console(stderr=True)
    if start is None:
        start = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    else:
        try:
            parse_utc(start)
        except ValueError:
            usage_error(f"--start {start!r} is not an ISO-8601 date/time")
    catalog = read_catalog(catalog_path, satcat=satcat or SHIPPED_SATCAT)
    for rejection in catalog.rejected[:10]:
        console.print(f"[yellow]rejected[/yellow] {rejection}")
    if len(catalog.rejected) > 10:
        console.print(f"[yellow]... and {len(catalog.rejected) - 10} more rejected records[/yellow]")
    primary_ids = resolve_primaries(primaries, catalog) if primaries else None
    if pc and covariance:
        from ssa.assess.cli import operator_covariances_or_exit

        covariances = operator_covariances_or_exit(covariance, console)
    else:
        covariances = None

    logging.getLogger("ssa.screen").addHandler(logging.NullHandler())  # stopped objects: listed below
    with Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("screen", total=days * SECONDS_PER_DAY)
        result = screen_and_assess(catalog, start, days, threshold_km, primary_ids, covariances, pc,
                                   progress=lambda done, total: bar.update(task, completed=done))
    table = result.conjunctions
    write_table(table, out, fmt)

    summary = Table(title="Screening", show_header=False)
    summary.add_row("catalogue", f"{catalog_path} ({len(catalog):,} objects, {len(catalog.rejected):,} rejected)")
    summary.add_row("window (UTC)", f"{start} + {days:g} d")
    summary.add_row("threshold", f"{threshold_km:g} km")
    summary.add_row("primaries", "all vs all" if primary_ids is None else f"{len(primary_ids):,} ({primaries})")
    summary.add_row("objects screened", f"{result.n_objects:,}")
    summary.add_row("conjunctions", f"{len(table):,}")
    summary.add_row("of which persistent pairs", f"{int(table['persistent'].sum()):,}")
    if len(table):
        best = table[np.argmin(table["range_km"] + 1e9 * table["persistent"])]
        summary.add_row("closest (non-persistent)",
                        f"{best['norad_id_1']} x {best['norad_id_2']} {best['range_km'] * 1e3:.0f} m "
                        f"at {format_tca(best['tca'])}")
    encounters = table[~table["persistent"]] if pc else table[:0]
    if len(encounters):  # persistent pairs (docked, co-located) have no short encounter to judge
        top = encounters[np.argmax(encounters["pc"])]
        source = ", ".join(sorted(set(encounters["covariance_source"].tolist())))
        summary.add_row(f"Pc >= 1e-4 / >= 1e-7 (non-persistent; covariance {source})",
                        f"{int((encounters['pc'] >= 1e-4).sum()):,} / {int((encounters['pc'] >= 1e-7).sum()):,}")
        summary.add_row("highest Pc (non-persistent)", f"{top['pc']:.2e}: {top['norad_id_1']} x {top['norad_id_2']} "
                        f"{top['range_km'] * 1e3:.0f} m at {format_tca(top['tca'])}")
    summary.add_row("objects stopped (SGP4 error)", f"{len(result.stopped):,}")
    summary.add_row("wall time", " ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()))
    summary.add_row("written", f"{out} ({fmt})")
    console.print(summary)
    for stop in result.stopped:
        console.print(f"stopped NORAD {stop.norad_id} {stop.name} at +{stop.seconds:.0f} s: "
                      f"SGP4 error {stop.error} ({stop.reason})")
    for note in result.notes:
        console.print(f"[dim]{note}[/dim]")
