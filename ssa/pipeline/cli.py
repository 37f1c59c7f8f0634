"""The commands that run detection through to routed alerts, so they live beside the
pipeline and not in their stages (which import no later stage):

- `ssa screen CATALOG ...`: batch conjunction screening, assessed, to CSV/JSON/Parquet;
- `ssa overflights CATALOG ...`: watching satellites over sensitive sites, recon_overflight alerts;
- `ssa proximity CATALOG ...`: proximity operations near the asset registry's objects.
"""
from __future__ import annotations

from datetime import UTC
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
    scheduler: Annotated[str | None, typer.Option(
        envvar="DASK_SCHEDULER_ADDRESS", help="screen on this Dask scheduler, e.g. tcp://HOST:8786 "
                                              "(env DASK_SCHEDULER_ADDRESS)")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="screen on a local Dask cluster of this many worker processes")] = None,
    task_memory_mb: Annotated[float, typer.Option(
        min=1.0, help="ephemerides (positions, velocities) of one time slab, MiB: bounds the memory of each slab "
                      "task")] = 192.0,
) -> None:
    """Screen a catalogue for close approaches (all-vs-all, or primaries against all)."""
    import contextlib
    import logging
    from datetime import datetime

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.constants import SECONDS_PER_DAY
    from ssa.pipeline import screen_and_assess
    from ssa.screen.table import TableWriter, format_tca
    from ssa.timeutil import parse_utc

    fmt = fmt.value if fmt else (out.suffix.lstrip(".") or "csv").lower()
    if fmt not in TableFormat.__members__:
        usage_error(f"--out {out}: suffix {out.suffix!r} is not one of {', '.join(TableFormat.__members__)} "
                    "(or give --format)")
    console = Console(stderr=True)
    if start is None:
        start = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
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
    if covariance and not pc:
        usage_error("--covariance gives operators' covariances for Pc: it cannot go with --no-pc")
    if covariance:
        from ssa.assess.cli import operator_covariances_or_exit

        covariances = operator_covariances_or_exit(covariance, console)
    else:
        covariances = None

    logging.getLogger("ssa.screen").addHandler(logging.NullHandler())  # stopped objects: listed below
    summary_rows = SummaryRows(pc)

    def write_piece(piece):
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
            task = bar.add_task("screen", total=days * SECONDS_PER_DAY)
            result = screen_and_assess(catalog, start, days, threshold_km, primary_ids, covariances, pc,
                                       progress=lambda done, total: bar.update(task, completed=done),
                                       sink=write_piece, executor=executor,
                                       slab_bytes=int(task_memory_mb * 2**20),
                                       spill_dir=out.parent)  # slab rows spill beside the output (~120 B a row)

    summary = Table(title="Screening", show_header=False)
    summary.add_row("catalogue", f"{catalog_path} ({len(catalog):,} objects, {len(catalog.rejected):,} rejected)")
    summary.add_row("window (UTC)", f"{start} + {days:g} d")
    summary.add_row("threshold", f"{threshold_km:g} km")
    summary.add_row("primaries", "all vs all" if primary_ids is None else f"{len(primary_ids):,} ({primaries})")
    summary.add_row("objects screened", f"{result.n_objects:,}")
    summary.add_row("conjunctions", f"{summary_rows.rows:,}")
    summary.add_row("of which persistent pairs", f"{summary_rows.persistent:,}")
    if summary_rows.closest is not None:
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
        moving = piece[~piece["persistent"]]
        if len(moving):
            best = moving[np.argmin(moving["range_km"])]
            if self.closest is None or best["range_km"] < self.closest["range_km"]:
                self.closest = best.copy()
        encounters = moving if self.pc else piece[:0]
        if len(encounters):
            self.encounters += len(encounters)
            self.pc_4 += int((encounters["pc"] >= 1e-4).sum())
            self.pc_7 += int((encounters["pc"] >= 1e-7).sum())
            self.sources |= set(encounters["covariance_source"].tolist())
            top = encounters[np.argmax(encounters["pc"])]
            if self.top_pc is None or top["pc"] > self.top_pc["pc"]:
                self.top_pc = top.copy()


# ------------------------------------------------------------------ overflights

@app.command("overflights")
def overflights_command(
    catalog_path: Annotated[Path, typer.Argument(metavar="CATALOG", exists=True, dir_okay=False,
                                                 help="catalogue (TLE/3LE/OMM)")],
    start: Annotated[str, typer.Option(help="window start, ISO UTC, e.g. 2024-11-01T00:00:00")],
    sites_path: Annotated[Path | None, typer.Option("--sites", exists=True, dir_okay=False,
                                                    help="sites TOML (default: the shipped public example, "
                                                         "ssa/detect/data/sites_example.toml)")] = None,
    days: Annotated[float, typer.Option(min=0.001, help="window length, days")] = 1.0,
    watchers_path: Annotated[Path | None, typer.Option("--watchers", exists=True, dir_okay=False,
                                                       help="watchers TOML (default: payloads in sun-synchronous "
                                                            "LEO and public radar satellites)")] = None,
    out: Annotated[Path, typer.Option(help="passes file (.csv or .json); beside it <stem>_windows.json, "
                                           "<stem>_timeline.png and <stem>_alerts.json")] = Path("passes.csv"),
    satcat: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                help="SATCAT owner/type CSV (default: shipped)")] = None,
    min_gap_min: Annotated[float, typer.Option(min=0.0, help="shortest free window listed, minutes")] = 0.0,
) -> None:
    """Passes of watching satellites over sensitive sites, the free windows between them, a timeline
    PNG and one recon_overflight alert per usable pass."""
    import json
    from datetime import timedelta

    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.cli_errors import warn
    from ssa.detect.overflight import (
        PASS_FIELDS,
        OverflightConfigError,
        find_overflights,
        free_windows,
        load_sites,
        load_watchers,
        timeline_png,
        to_records,
    )
    from ssa.fileio import RECORD_FORMATS, atomic_write, write_records
    from ssa.respond.alert import utc_time
    from ssa.respond.config import load_config
    from ssa.respond.findings import alerts_from_overflights

    fmt = out.suffix.lstrip(".").lower()
    if fmt not in RECORD_FORMATS:
        usage_error(f"--out {out}: use a .csv or .json file")
    try:
        sites = load_sites(sites_path) if sites_path else load_sites()
        watchers = load_watchers(watchers_path) if watchers_path else load_watchers()
        begin = utc_time(start, "start", "--start").replace(tzinfo=None)
    except (OverflightConfigError, ValueError) as exc:
        usage_error(str(exc))
    parties = load_config().parties
    for i, site in enumerate(sites):
        for reader in site.readers:
            if reader not in parties:
                usage_error(f"{sites_path}: site[{i}] '{site.name}': field 'readers': '{reader}' is not a party "
                            f"of parties.toml ({', '.join(sorted(parties))})")
    catalog = read_catalog(catalog_path, satcat=satcat or SHIPPED_SATCAT)
    for rejection in catalog.rejected[:10]:
        warn(f"rejected {rejection}")
    rows, sensors = watchers.select(catalog)
    watching = catalog.take(rows)
    passes = find_overflights(watching, sites, begin, days, sensors)
    records = to_records(passes, watching, sites, sensors, begin)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_records(out, records, PASS_FIELDS)
    windows = [{"site": sites[s].name, "start": (begin + timedelta(seconds=a)).isoformat() + "Z",
                "end": (begin + timedelta(seconds=b)).isoformat() + "Z", "minutes": round((b - a) / 60.0, 2)}
               for s, a, b in free_windows(passes, len(sites), days, min_gap_min * 60.0)]
    stem = out.with_suffix("")
    with atomic_write(Path(f"{stem}_windows.json")) as f:
        json.dump(windows, f, indent=1)
    timeline_png(passes, sites, sensors, begin, days, Path(f"{stem}_timeline.png"))
    alerts = alerts_from_overflights(passes, watching, sites, begin)
    with atomic_write(Path(f"{stem}_alerts.json")) as f:
        json.dump([a.to_dict() for a in alerts], f, indent=1, default=str)
    typer.echo(f"{len(watching):,} watching satellites, {len(sites)} sites, {days:g} days: {len(passes):,} passes "
               f"({int(passes['usable'].sum()):,} usable), {len(windows):,} free windows; written to {out}")


# ------------------------------------------------------------------ proximity operations

@app.command("proximity")
def proximity_command(
    catalog_path: Annotated[Path, typer.Argument(metavar="CATALOG", exists=True, dir_okay=False,
                                                 help="catalogue (TLE/3LE/OMM)")],
    start: Annotated[str, typer.Option(help="window start, ISO UTC")],
    days: Annotated[float, typer.Option(min=0.001, help="window length, days")] = 7.0,
    assets: Annotated[str, typer.Option(help="NORAD ids (comma-separated), a file of them, or 'registry' "
                                             "(ssa.respond's asset registry)")] = "registry",
    out: Annotated[Path, typer.Option(help="folder for proximity.json, alerts.json and one PNG per "
                                           "operation")] = Path("proximity"),
    leo_km: Annotated[float, typer.Option(min=0.01, help="proximity distance near LEO assets, km")] = 10.0,
    meo_km: Annotated[float, typer.Option(min=0.01, help="proximity distance near MEO/HEO assets, km")] = 25.0,
    geo_km: Annotated[float, typer.Option(min=0.01, help="proximity distance near GEO assets, km")] = 50.0,
    min_stay_h: Annotated[float, typer.Option(min=0.0, help="staying within the distance this long is an "
                                                            "operation, hours")] = 0.5,
    min_returns: Annotated[int, typer.Option(min=1, help="this many slow approaches are an operation")] = 3,
    slow_m_s: Annotated[float, typer.Option(min=0.0, help="an approach slower than this (m/s) is "
                                                          "co-orbital")] = 50.0,
    manoeuvres_path: Annotated[Path | None, typer.Option("--manoeuvres", exists=True, dir_okay=False,
                                                         help="manoeuvres CSV of `ssa detect manoeuvres`: a slow "
                                                              "approach within 7 days after one is an "
                                                              "operation")] = None,
    satcat: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                help="SATCAT owner/type CSV (default: shipped)")] = None,
) -> None:
    """Proximity operations near Dutch and allied assets: objects that stay, return or approach slowly
    after a manoeuvre; declared docked vehicles and formations (flies_together.csv) excepted."""
    import csv
    import json

    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.cli_errors import warn
    from ssa.detect.proximity import detect_proximity, proximity_png
    from ssa.fileio import atomic_write
    from ssa.respond.alert import utc_time
    from ssa.respond.config import load_config
    from ssa.respond.findings import alerts_from_proximity

    cfg = load_config()
    if assets == "registry":
        ids = sorted(cfg.assets)
    else:
        text = Path(assets).read_text(encoding="utf-8") if Path(assets).is_file() else assets
        try:
            ids = [int(x) for x in text.replace(",", " ").split()]
        except ValueError:
            usage_error(f"--assets {assets!r}: NORAD ids, a file of them, or 'registry'")
    burns: dict = {}
    if manoeuvres_path:
        with manoeuvres_path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                burns.setdefault(int(row["norad_id"]), []).append(utc_time(row["after"]).replace(tzinfo=None))
    catalog = read_catalog(catalog_path, satcat=satcat or SHIPPED_SATCAT)
    operations, notes = detect_proximity(
        catalog, ids, start, days, {"leo": leo_km, "meo": meo_km, "geo": geo_km}, min_stay_s=min_stay_h * 3600.0,
        min_returns=min_returns, slow_km_s=slow_m_s / 1000.0, together=cfg.together.values(), manoeuvres=burns)
    for note in notes:
        warn(note)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for op in operations:
        png = out / f"proximity_{op.asset_norad_id}_{op.norad_id}.png"
        proximity_png(op, png)
        records.append({**op.to_dict(), "png": png.name})
        typer.echo(f"{op.asset_name} ({op.asset_norad_id}): {op.name} ({op.norad_id}, {op.owner}) "
                   f"{', '.join(op.reasons)}; closest {op.min_range_km:.3f} km at {op.closest:%Y-%m-%dT%H:%M}Z, "
                   f"longest stay {op.longest_stay_s / 3600:.1f} h")
    with atomic_write(out / "proximity.json") as f:
        json.dump(records, f)
    alerts = alerts_from_proximity(operations, config=cfg)
    with atomic_write(out / "alerts.json") as f:
        json.dump([a.to_dict() for a in alerts], f, indent=1, default=str)
    typer.echo(f"{len(operations)} proximity operation(s) near {len(ids)} assets written to {out}")
