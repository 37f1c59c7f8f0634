"""`ssa detect ...`: one command per detector."""
from pathlib import Path

import typer

detect_app = typer.Typer(help="Detect fragmentations, manoeuvres and re-entries in catalogues and histories.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detect_app, name="detect")


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
