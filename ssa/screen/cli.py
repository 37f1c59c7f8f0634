"""`ssa screen CATALOG ...`: batch conjunction screening to CSV/JSON/Parquet."""
from __future__ import annotations

from pathlib import Path

import typer

GROUPS = {
    "dutch": "objects of Dutch interest as ssa.respond decides it (asset registry, SATCAT owner codes)",
    "payloads": "objects whose SATCAT type is PAY",
}


def register(app: typer.Typer) -> None:
    app.command("screen")(screen_command)


def resolve_primaries(spec: str, catalog) -> list[int]:
    """NORAD ids from 'ID,ID,...', a file of ids (one per line or comma separated) or a GROUP name."""
    import numpy as np

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
        raise typer.BadParameter(f"--primaries {spec!r} selects no object of the catalogue")
    return ids


def dutch_interest_ids(catalog) -> list[int]:
    """NORAD ids of the catalogue's objects that ssa.respond gives a Dutch interest category."""
    from ssa.respond import AlertObject, load_config, object_interest

    config = load_config()
    return [int(n) for n, name, owner, kind in zip(catalog.norad_id, catalog.name, catalog.owner, catalog.object_type)
            if object_interest(AlertObject(int(n), str(name), str(owner), str(kind)), config).category]


def _parse_ids(tokens, where: str) -> list[int]:
    ids = []
    for n, token in enumerate(t.strip() for t in tokens):
        if not token or token.startswith("#"):
            continue
        if not token.isdigit():
            raise typer.BadParameter(
                f"{where}: item {n + 1} {token!r} is not a NORAD id (nor one of the groups {', '.join(GROUPS)})")
        ids.append(int(token))
    return ids


def screen_command(
    catalog_path: Path = typer.Argument(..., metavar="CATALOG", exists=True, dir_okay=False,
                                        help="2LE/3LE or OMM CSV/JSON/XML catalogue"),
    start: str = typer.Option(None, "--start", help="window start, ISO-8601 UTC (default: now)"),
    days: float = typer.Option(7.0, "--days", min=1e-6, help="window length, days"),
    threshold_km: float = typer.Option(5.0, "--threshold-km", min=1e-6, help="miss-distance threshold, km"),
    primaries: str = typer.Option(None, "--primaries",
                                  help="NORAD ids 'ID,ID', a file of ids, or a group: "
                                  + "; ".join(f"{k} ({v})" for k, v in GROUPS.items())),
    satcat: Path = typer.Option(None, "--satcat", exists=True, dir_okay=False,
                                help="SATCAT CSV (NORAD_CAT_ID, OWNER, OBJECT_TYPE); default: the shipped one"),
    out: Path = typer.Option(Path("conjunctions.csv"), "--out", help="output file, written atomically"),
    fmt: str = typer.Option(None, "--format", help="csv, json or parquet (default: from --out's suffix)"),
    pc: bool = typer.Option(True, "--pc/--no-pc",
                            help="add PC (Foster 2D), MAX_PROB, DILUTION_KM, COVARIANCE_SOURCE and HBR_M columns"),
    covariance: list[Path] = typer.Option(None, "--covariance", exists=True,
                                          help="CDM file or directory: operators' covariances for their objects "
                                               "(others are estimated); repeatable"),
    scheduler: str = typer.Option(None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS",
                                  help="screen on this Dask scheduler, e.g. tcp://HOST:8786 "
                                       "(env DASK_SCHEDULER_ADDRESS)"),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="screen on a local Dask cluster of this many worker processes"),
    task_memory_mb: float = typer.Option(192.0, "--task-memory-mb", min=1.0,
                                         help="ephemerides (positions, velocities) of one time slab, MiB: "
                                              "bounds the memory of each slab task"),
) -> None:
    """Screen a catalogue for close approaches (all-vs-all, or primaries against all)."""
    import contextlib
    import logging
    from datetime import datetime, timezone

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.assess import assess
    from ssa.screen import run_screen
    from ssa.screen.table import FORMATS, TableWriter, format_tca

    fmt = (fmt or out.suffix.lstrip(".") or "csv").lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    console = Console(stderr=True)
    if start is None:
        start = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    else:
        try:
            datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise typer.BadParameter(f"--start {start!r} is not an ISO-8601 date/time") from None
    catalog = load(catalog_path, satcat=satcat or SHIPPED_SATCAT)
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
    summary_rows = SummaryRows(pc)

    def write_piece(piece):
        if pc:
            piece = assess(piece, catalog, covariances)
        writer.write(piece)
        summary_rows.add(piece)

    with contextlib.ExitStack() as stack:
        executor = None
        if scheduler or workers:
            from ssa.screen.distributed import cluster_client, dask_executor

            client = stack.enter_context(cluster_client(scheduler, workers))
            executor = dask_executor(client)
            console.print(f"Dask cluster: {scheduler or f'local, {workers} worker processes'}")
        writer = stack.enter_context(TableWriter(out, fmt))
        with Progress(TextColumn("screening"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
            task = bar.add_task("screen", total=days * 86400.0)
            result = run_screen(catalog, start, days, threshold_km, primary_ids,
                                progress=lambda done, total: bar.update(task, completed=done),
                                sink=write_piece, executor=executor, slab_bytes=int(task_memory_mb * 2**20),
                                spill_dir=out.parent)  # slab rows spill beside the output (~120 B a row)

    summary = Table(title="Screening", show_header=False)
    summary.add_row("catalogue", f"{catalog_path} ({len(catalog):,} objects, {len(catalog.rejected):,} rejected)")
    summary.add_row("window (UTC)", f"{start} + {days:g} d")
    summary.add_row("threshold", f"{threshold_km:g} km")
    summary.add_row("primaries", "all vs all" if primary_ids is None else f"{len(primary_ids):,} ({primaries})")
    summary.add_row("objects screened", f"{result.n_objects:,}")
    summary.add_row("conjunctions", f"{summary_rows.rows:,}")
    summary.add_row("of which persistent pairs", f"{summary_rows.persistent:,}")
    if summary_rows.rows:
        best = summary_rows.closest
        summary.add_row("closest (non-persistent)",
                        f"{best['norad_id_1']} x {best['norad_id_2']} {best['range_km'] * 1e3:.0f} m "
                        f"at {format_tca(best['tca'])}")
    if summary_rows.encounters:  # persistent pairs (docked, co-located) have no short encounter to judge
        top = summary_rows.top_pc
        source = ", ".join(sorted(summary_rows.sources))
        summary.add_row(f"Pc >= 1e-4 / >= 1e-7 (non-persistent; covariance {source})",
                        f"{summary_rows.pc_4:,} / {summary_rows.pc_7:,}")
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


class SummaryRows:
    """Counts and extremes of the written rows, gathered piece by piece (the table is never whole)."""

    def __init__(self, pc: bool):
        self.pc = pc
        self.rows = self.persistent = self.encounters = self.pc_4 = self.pc_7 = 0
        self.closest = self.top_pc = None  # rows (numpy records)
        self.sources: set[str] = set()

    def add(self, piece) -> None:
        import numpy as np

        if not len(piece):
            return
        self.rows += len(piece)
        self.persistent += int(piece["persistent"].sum())
        best = piece[np.argmin(piece["range_km"] + 1e9 * piece["persistent"])]
        if self.closest is None or self._closeness(best) < self._closeness(self.closest):
            self.closest = best.copy()
        encounters = piece[~piece["persistent"]] if self.pc else piece[:0]
        if len(encounters):
            self.encounters += len(encounters)
            self.pc_4 += int((encounters["pc"] >= 1e-4).sum())
            self.pc_7 += int((encounters["pc"] >= 1e-7).sum())
            self.sources |= set(encounters["covariance_source"].tolist())
            top = encounters[np.argmax(encounters["pc"])]
            if self.top_pc is None or top["pc"] > self.top_pc["pc"]:
                self.top_pc = top.copy()

    @staticmethod
    def _closeness(row) -> float:
        return float(row["range_km"] + 1e9 * row["persistent"])
