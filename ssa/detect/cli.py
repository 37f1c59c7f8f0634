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
    (out / "fragmentations.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
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
    import os

    from rich.console import Console

    from ssa.catalog import load
    from ssa.detect.manoeuvre import RECORD_FIELDS, detect_manoeuvres, to_records

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
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        if fmt == "json":
            json.dump(rows, f, indent=1)
        else:
            writer = csv.DictWriter(f, fieldnames=RECORD_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    os.replace(tmp, out)
    objects = len(set(catalog.norad_id.tolist()))
    console.print(f"{len(catalog):,} element sets of {objects:,} objects ({len(catalog.rejected):,} rejected), "
                  f"{result.pairs:,} pairs compared: {len(rows):,} manoeuvres "
                  f"({sum(m.routine for m in result.manoeuvres):,} routine), written to {out}")
    for note in result.skipped[:10]:
        console.print(f"[dim]skipped {note}[/dim]")
    if len(result.skipped) > 10:
        console.print(f"[dim]... and {len(result.skipped) - 10} more objects skipped[/dim]")


@detect_app.command("reentry")
def reentry_command(
    catalog_file: Path = typer.Argument(..., metavar="CATALOG", exists=True, dir_okay=False,
                                        help="catalogue (2LE/3LE/OMM): the newest element set per object is used"),
    history: list[Path] = typer.Argument(None, metavar="[HISTORY...]", exists=True, dir_okay=False,
                                         help="element-set histories of the same objects, for the decay fit"),
    horizon_days: float = typer.Option(30.0, "--horizon-days", min=0.01, help="report windows that open "
                                       "within this many days of the catalogue's newest epoch"),
    out: Path = typer.Option(Path("reentry.csv"), "--out", help="output file (.csv or .json), written atomically"),
    margin_km: float = typer.Option(100.0, "--margin-km", min=0.0, help="footprint margin around Dutch "
                                    "territory (km)"),
    png: Optional[Path] = typer.Option(None, "--png", help="folder for one ground-track PNG per prediction"),
    satcat: Optional[Path] = typer.Option(None, help="SATCAT owner/type CSV (default: shipped)."),
) -> None:
    """Re-entry watch: candidates, predicted re-entry and window, Dutch territory under the ground track."""
    import csv
    import json
    import os

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.detect.reentry import RECORD_FIELDS, ground_track_png, to_records, watch

    fmt = out.suffix.lstrip(".").lower() or "csv"
    if fmt not in ("csv", "json"):
        raise typer.BadParameter(f"--out {out}: use a .csv or .json file")
    sat = satcat or SHIPPED_SATCAT
    try:
        catalog = load(catalog_file, satcat=sat)
        hist = load(history, keep="all", satcat=sat) if history else None
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    for cat in (catalog,) + ((hist,) if hist is not None else ()):
        for rejection in cat.rejected[:10]:
            typer.echo(f"skipped {rejection}", err=True)
    found = watch(catalog, hist, horizon_days=horizon_days, margin_km=margin_km)
    rows = to_records(found)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        if fmt == "json":
            json.dump(rows, f, indent=1)
        else:
            writer = csv.DictWriter(f, fieldnames=RECORD_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    os.replace(tmp, out)
    if png is not None:
        png.mkdir(parents=True, exist_ok=True)
        for r in found:
            if r.predicted is not None:
                ground_track_png(r, catalog, png / f"reentry_{r.norad_id}.png")
    dutch = sum(r.dutch_interest for r in found)
    typer.echo(f"{len(found)} re-entry candidate(s) within {horizon_days:g} days ({dutch} of Dutch interest), "
               f"written to {out}")
