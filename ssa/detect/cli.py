"""`ssa detect ...`: one command per detector."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssa.cli_errors import usage_error

app = typer.Typer(help="Detect fragmentations, manoeuvres and re-entries in catalogues and histories.",
                  no_args_is_help=True)


@app.command("fragmentation")
def fragmentation_command(
    old: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                        help="Catalogue before the event (TLE/3LE/OMM).")],
    new: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Catalogue after the event.")],
    out: Annotated[Path, typer.Option(help="Folder for fragmentations.json and one Gabbard PNG per event.")],
    parents: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                 help="Last element sets before the event of objects of OLD "
                                                      "(they replace OLD's).")] = None,
    satcat: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                help="SATCAT owner/type CSV (default: shipped).")] = None,
    min_pieces: Annotated[int, typer.Option(min=1, help="New pieces of one launch that make a cluster.")] = 3,
    search_days: Annotated[float, typer.Option(min=0.01, help="Days after the parent's element set searched for "
                                               "the event.")] = 7.0,
    collision_km: Annotated[float, typer.Option(min=0.0, help="Conjunction range (km) that makes it a "
                                                "collision.")] = 5.0,
) -> None:
    """Fragmentations and ASAT tests between two catalogue versions; JSON and Gabbard PNGs."""
    import json

    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.detect.fragmentation import detect_fragmentations, gabbard_png
    from ssa.fileio import atomic_write

    sat = satcat or SHIPPED_SATCAT
    cat_old, cat_new = read_catalog(old, satcat=sat), read_catalog(new, satcat=sat)
    cat_parents = read_catalog(parents, satcat=sat) if parents else None
    for cat in (cat_old, cat_new) + ((cat_parents,) if cat_parents else ()):
        for rejection in cat.rejected:
            typer.echo(f"skipped {rejection}", err=True)
    events = detect_fragmentations(cat_old, cat_new, cat_parents, min_pieces=min_pieces,
                                   search_days=search_days, collision_km=collision_km)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for event in events:
        png = out / f"gabbard_{event.launch}_{event.parent_norad_id}.png"
        gabbard_png(event, cat_new, png)
        rows.append({**event.to_dict(), "gabbard_png": png.name})
        when = "event time not found" if event.event_time is None else \
            f"{event.event_time:%Y-%m-%dT%H:%M:%S}Z in {event.event_window[0]:%m-%dT%H:%M}" \
            f"..{event.event_window[1]:%m-%dT%H:%M}"
        typer.echo(f"{event.launch} {event.parent_norad_id} {event.parent_name}: {event.n_fragments} new pieces, "
                   f"{event.classification} ({event.confidence}), {when}")
    with atomic_write(out / "fragmentations.json") as handle:
        handle.write(json.dumps(rows, indent=1))
    typer.echo(f"{len(events)} fragmentation(s) written to {out / 'fragmentations.json'}")


@app.command("manoeuvres")
def manoeuvres_command(
    history: Annotated[list[Path], typer.Argument(metavar="HISTORY_FILE...", exists=True, dir_okay=False,
                                                  help="element-set histories (2LE/3LE/OMM), every set kept")],
    out: Annotated[Path, typer.Option(help="output file (.csv or .json), written atomically")] = Path("manoeuvres.csv"),
    k: Annotated[float, typer.Option("--k", min=1e-6, help="threshold in robust standard deviations of each "
                                     "object's own residuals")] = 10.0,
    min_history: Annotated[int, typer.Option(min=3, help="fewest informative element-set pairs an object "
                                             "needs")] = 8,
) -> None:
    """Find manoeuvres in element-set histories: one row per manoeuvre with its delta-v."""
    from rich.console import Console

    from ssa.catalog.cli import read_catalog
    from ssa.detect.manoeuvre import RECORD_FIELDS, detect_manoeuvres, to_records
    from ssa.fileio import RECORD_FORMATS, write_records

    fmt = out.suffix.lstrip(".").lower() or "csv"
    if fmt not in RECORD_FORMATS:
        usage_error(f"--out {out}: use a .csv or .json file")
    console = Console(stderr=True)
    catalog = read_catalog(history, keep="all")
    for rejection in catalog.rejected[:10]:
        console.print(f"[yellow]rejected[/yellow] {rejection}")
    if len(catalog.rejected) > 10:
        console.print(f"[yellow]... and {len(catalog.rejected) - 10} more rejected records[/yellow]")
    result = detect_manoeuvres(catalog, k=k, min_history=min_history)
    rows = to_records(result.manoeuvres)
    write_records(out, rows, RECORD_FIELDS)
    objects = len(set(catalog.norad_id.tolist()))
    console.print(f"{len(catalog):,} element sets of {objects:,} objects ({len(catalog.rejected):,} rejected), "
                  f"{result.pairs:,} pairs compared: {len(rows):,} manoeuvres "
                  f"({sum(m.routine for m in result.manoeuvres):,} routine), written to {out}")
    for note in result.skipped[:10]:
        console.print(f"[dim]skipped {note}[/dim]")
    if len(result.skipped) > 10:
        console.print(f"[dim]... and {len(result.skipped) - 10} more objects skipped[/dim]")


@app.command("reentry")
def reentry_command(
    catalog_file: Annotated[Path, typer.Argument(metavar="CATALOG", exists=True, dir_okay=False,
                                                 help="catalogue (2LE/3LE/OMM): the newest element set per "
                                                      "object is used")],
    history: Annotated[list[Path] | None, typer.Argument(metavar="[HISTORY...]", exists=True, dir_okay=False,
                                                         help="element-set histories of the same objects, for "
                                                              "the decay fit")] = None,
    horizon_days: Annotated[float, typer.Option(min=0.01, help="report windows that open within this many days "
                                                "of the catalogue's newest epoch")] = 30.0,
    out: Annotated[Path, typer.Option(help="output file (.csv or .json), written atomically")] = Path("reentry.csv"),
    margin_km: Annotated[float, typer.Option(min=0.0, help="footprint margin around Dutch territory (km)")] = 100.0,
    png: Annotated[Path | None, typer.Option(help="folder for one ground-track PNG per prediction")] = None,
    satcat: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                help="SATCAT owner/type CSV (default: shipped).")] = None,
) -> None:
    """Re-entry watch: candidates, predicted re-entry and window, Dutch territory under the ground track."""
    from ssa.catalog import SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.cli_errors import warn
    from ssa.detect.reentry import RECORD_FIELDS, ground_track_png, to_records, watch
    from ssa.fileio import RECORD_FORMATS, write_records

    fmt = out.suffix.lstrip(".").lower() or "csv"
    if fmt not in RECORD_FORMATS:
        usage_error(f"--out {out}: use a .csv or .json file")
    sat = satcat or SHIPPED_SATCAT
    catalog = read_catalog(catalog_file, satcat=sat)
    hist = read_catalog(history, keep="all", satcat=sat) if history else None
    for cat in (catalog,) + ((hist,) if hist is not None else ()):
        for rejection in cat.rejected[:10]:
            warn(f"rejected {rejection}")
    found = watch(catalog, hist, horizon_days=horizon_days, margin_km=margin_km)
    rows = to_records(found)
    write_records(out, rows, RECORD_FIELDS)
    if png is not None:
        png.mkdir(parents=True, exist_ok=True)
        for r in found:
            if r.predicted is not None:
                ground_track_png(r, catalog, png / f"reentry_{r.norad_id}.png")
    dutch = sum(r.dutch_interest for r in found)
    typer.echo(f"{len(found)} re-entry candidate(s) within {horizon_days:g} days ({dutch} of Dutch interest), "
               f"written to {out}")

