"""`ssa detect ...`: one command per detector."""
from pathlib import Path
from typing import Optional

import typer

detect_app = typer.Typer(help="Detect fragmentations, manoeuvres and re-entries in catalogues and histories.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detect_app, name="detect")


@detect_app.command("fragmentation")
def fragmentation_command(
    old: Path = typer.Argument(..., help="Catalogue before the event (TLE/3LE/OMM)."),
    new: Path = typer.Argument(..., help="Catalogue after the event."),
    out: Path = typer.Option(..., "--out", help="Folder for fragmentations.json and one Gabbard PNG per event."),
    parents: Optional[Path] = typer.Option(None, "--parents", help="Last element sets before the event of "
                                           "objects of OLD (they replace OLD's)."),
    satcat: Optional[Path] = typer.Option(None, help="SATCAT owner/type CSV (default: shipped)."),
    min_pieces: int = typer.Option(3, min=1, help="New pieces of one launch that make a cluster."),
    search_days: float = typer.Option(7.0, min=0.01, help="Days after the parent's element set searched for "
                                      "the event."),
    collision_km: float = typer.Option(5.0, min=0.0, help="Conjunction range (km) that makes it a collision."),
) -> None:
    """Fragmentations and ASAT tests between two catalogue versions; JSON and Gabbard PNGs."""
    import json

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.detect.fragmentation import detect_fragmentations, gabbard_png
    from ssa.fileio import atomic_write

    sat = satcat or SHIPPED_SATCAT
    try:
        cat_old, cat_new = load(old, satcat=sat), load(new, satcat=sat)
        cat_parents = load(parents, satcat=sat) if parents else None
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
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


@detect_app.command("manoeuvres")
def manoeuvres_command(
    history: list[Path] = typer.Argument(..., metavar="HISTORY_FILE...", exists=True, dir_okay=False,
                                         help="element-set histories (2LE/3LE/OMM), every set kept"),
    out: Path = typer.Option(Path("manoeuvres.csv"), "--out", help="output file (.csv or .json), written atomically"),
    k: float = typer.Option(10.0, "--k", min=1e-6, help="threshold in robust standard deviations of each "
                            "object's own residuals"),
    min_history: int = typer.Option(8, "--min-history", min=3, help="fewest informative element-set pairs "
                                    "an object needs"),
) -> None:
    """Find manoeuvres in element-set histories: one row per manoeuvre with its delta-v."""
    import csv
    import json

    from rich.console import Console

    from ssa.catalog import load
    from ssa.detect.manoeuvre import RECORD_FIELDS, detect_manoeuvres, to_records
    from ssa.fileio import atomic_write

    fmt = out.suffix.lstrip(".").lower() or "csv"
    if fmt not in ("csv", "json"):
        raise typer.BadParameter(f"--out {out}: use a .csv or .json file")
    console = Console(stderr=True)
    catalog = load(history, keep="all")
    for rejection in catalog.rejected[:10]:
        console.print(f"[yellow]rejected[/yellow] {rejection}")
    if len(catalog.rejected) > 10:
        console.print(f"[yellow]... and {len(catalog.rejected) - 10} more rejected records[/yellow]")
    result = detect_manoeuvres(catalog, k=k, min_history=min_history)
    rows = to_records(result.manoeuvres)
    with atomic_write(out, newline="") as f:
        if fmt == "json":
            json.dump(rows, f, indent=1)
        else:
            writer = csv.DictWriter(f, fieldnames=RECORD_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    objects = len(set(catalog.norad_id.tolist()))
    console.print(f"{len(catalog):,} element sets of {objects:,} objects ({len(catalog.rejected):,} rejected), "
                  f"{result.pairs:,} pairs compared: {len(rows):,} manoeuvres "
                  f"({sum(m.routine for m in result.manoeuvres):,} routine), written to {out}")
    for note in result.skipped[:10]:
        console.print(f"[dim]skipped {note}[/dim]")
    if len(result.skipped) > 10:
        console.print(f"[dim]... and {len(result.skipped) - 10} more objects skipped[/dim]")
