"""`ssa detect ...`: one command per detector."""
from datetime import timedelta
from pathlib import Path
from typing import Optional

import typer

detect_app = typer.Typer(help="Detect fragmentations, manoeuvres and re-entries in catalogues and histories.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detect_app, name="detect")
    app.command("overflights")(overflights_command)


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


# ------------------------------------------------------------------ overflights (issue 15)

def overflights_command(
    catalog_path: Path = typer.Argument(..., metavar="CATALOG", exists=True, dir_okay=False,
                                        help="catalogue (TLE/3LE/OMM)"),
    sites_path: Optional[Path] = typer.Option(None, "--sites", help="sites TOML (default: the shipped public "
                                              "example, ssa/detect/data/sites_example.toml)"),
    start: str = typer.Option(..., "--start", help="window start, ISO UTC, e.g. 2024-11-01T00:00:00"),
    days: float = typer.Option(1.0, "--days", min=0.001, help="window length, days"),
    watchers_path: Optional[Path] = typer.Option(None, "--watchers", help="watchers TOML (default: payloads in "
                                                 "sun-synchronous LEO and public radar satellites)"),
    out: Path = typer.Option(Path("passes.csv"), "--out", help="passes file (.csv or .json); beside it "
                             "<stem>_windows.json, <stem>_timeline.png and <stem>_alerts.json"),
    satcat: Optional[Path] = typer.Option(None, help="SATCAT owner/type CSV (default: shipped)"),
    min_gap_min: float = typer.Option(0.0, "--min-gap-min", min=0.0, help="shortest free window listed, minutes"),
) -> None:
    """Passes of watching satellites over sensitive sites, the free windows between them, a timeline
    PNG and one recon_overflight alert per usable pass."""
    import csv
    import json
    import os

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.detect.overflight import (
        PASS_FIELDS, OverflightConfigError, free_windows, find_overflights, load_sites, load_watchers,
        timeline_png, to_records,
    )
    from ssa.respond.alert import utc_time
    from ssa.respond.config import load_config
    from ssa.respond.findings import alerts_from_overflights

    fmt = out.suffix.lstrip(".").lower()
    if fmt not in ("csv", "json"):
        raise typer.BadParameter(f"--out {out}: use a .csv or .json file")
    try:
        sites = load_sites(sites_path) if sites_path else load_sites()
        watchers = load_watchers(watchers_path) if watchers_path else load_watchers()
        begin = utc_time(start, "start", "--start").replace(tzinfo=None)
    except (OverflightConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    parties = load_config().parties
    for i, site in enumerate(sites):
        for reader in site.readers:
            if reader not in parties:
                typer.echo(f"error: {sites_path}: site[{i}] '{site.name}': field 'readers': '{reader}' is not a "
                           f"party of parties.toml ({', '.join(sorted(parties))})", err=True)
                raise typer.Exit(2)
    catalog = load(catalog_path, satcat=satcat or SHIPPED_SATCAT)
    for rejection in catalog.rejected[:10]:
        typer.echo(f"skipped {rejection}", err=True)
    rows, sensors = watchers.select(catalog)
    watching = catalog.take(rows)
    passes = find_overflights(watching, sites, begin, days, sensors)
    records = to_records(passes, watching, sites, sensors, begin)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        if fmt == "json":
            json.dump(records, f, indent=1)
        else:
            writer = csv.DictWriter(f, fieldnames=PASS_FIELDS)
            writer.writeheader()
            writer.writerows(records)
    os.replace(tmp, out)
    windows = [{"site": sites[s].name, "start": (begin + timedelta(seconds=a)).isoformat() + "Z",
                "end": (begin + timedelta(seconds=b)).isoformat() + "Z", "minutes": round((b - a) / 60.0, 2)}
               for s, a, b in free_windows(passes, len(sites), days, min_gap_min * 60.0)]
    stem = out.with_suffix("")
    Path(f"{stem}_windows.json").write_text(json.dumps(windows, indent=1), encoding="utf-8")
    timeline_png(passes, sites, sensors, begin, days, Path(f"{stem}_timeline.png"))
    alerts = alerts_from_overflights(passes, watching, sites, begin)
    Path(f"{stem}_alerts.json").write_text(json.dumps([a.to_dict() for a in alerts], indent=1, default=str),
                                           encoding="utf-8")
    typer.echo(f"{len(watching):,} watching satellites, {len(sites)} sites, {days:g} days: {len(passes):,} passes "
               f"({int(passes['usable'].sum()):,} usable), {len(windows):,} free windows; written to {out}")


# ------------------------------------------------------------------ proximity operations (issue 15)

@detect_app.command("proximity")
def proximity_command(
    catalog_path: Path = typer.Argument(..., metavar="CATALOG", exists=True, dir_okay=False,
                                        help="catalogue (TLE/3LE/OMM)"),
    start: str = typer.Option(..., "--start", help="window start, ISO UTC"),
    days: float = typer.Option(7.0, "--days", min=0.001, help="window length, days"),
    assets: str = typer.Option("registry", "--assets", help="NORAD ids (comma-separated), a file of them, or "
                               "'registry' (ssa.respond's asset registry)"),
    out: Path = typer.Option(Path("proximity"), "--out", help="folder for proximity.json, alerts.json and "
                             "one PNG per operation"),
    leo_km: float = typer.Option(10.0, "--leo-km", min=0.01, help="proximity distance near LEO assets, km"),
    meo_km: float = typer.Option(25.0, "--meo-km", min=0.01, help="proximity distance near MEO/HEO assets, km"),
    geo_km: float = typer.Option(50.0, "--geo-km", min=0.01, help="proximity distance near GEO assets, km"),
    min_stay_h: float = typer.Option(0.5, "--min-stay-h", min=0.0, help="staying within the distance this "
                                     "long is an operation, hours"),
    min_returns: int = typer.Option(3, "--min-returns", min=1, help="this many slow approaches are an operation"),
    slow_m_s: float = typer.Option(50.0, "--slow-m-s", min=0.0, help="an approach slower than this (m/s) is "
                                   "co-orbital"),
    manoeuvres_path: Optional[Path] = typer.Option(None, "--manoeuvres", exists=True, dir_okay=False,
                                                   help="manoeuvres CSV of `ssa detect manoeuvres`: a slow "
                                                   "approach within 7 days after one is an operation"),
    satcat: Optional[Path] = typer.Option(None, help="SATCAT owner/type CSV (default: shipped)"),
) -> None:
    """Proximity operations near Dutch and allied assets: objects that stay, return or approach slowly
    after a manoeuvre; declared docked vehicles and formations (flies_together.csv) excepted."""
    import csv
    import json

    from ssa.catalog import SHIPPED_SATCAT, load
    from ssa.detect.proximity import detect_proximity, proximity_png
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
            raise typer.BadParameter(f"--assets {assets!r}: NORAD ids, a file of them, or 'registry'")
    burns: dict = {}
    if manoeuvres_path:
        with manoeuvres_path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                burns.setdefault(int(row["norad_id"]), []).append(utc_time(row["after"]).replace(tzinfo=None))
    catalog = load(catalog_path, satcat=satcat or SHIPPED_SATCAT)
    operations, notes = detect_proximity(
        catalog, ids, start, days, {"leo": leo_km, "meo": meo_km, "geo": geo_km}, min_stay_s=min_stay_h * 3600.0,
        min_returns=min_returns, slow_km_s=slow_m_s / 1000.0, together=cfg.together.values(), manoeuvres=burns)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for op in operations:
        png = out / f"proximity_{op.asset_norad_id}_{op.norad_id}.png"
        proximity_png(op, png)
        records.append({**op.to_dict(), "png": png.name})
        typer.echo(f"{op.asset_name} ({op.asset_norad_id}): {op.name} ({op.norad_id}, {op.owner}) "
                   f"{', '.join(op.reasons)}; closest {op.min_range_km:.3f} km at {op.closest:%Y-%m-%dT%H:%M}Z, "
                   f"longest stay {op.longest_stay_s / 3600:.1f} h")
    (out / "proximity.json").write_text(json.dumps(records), encoding="utf-8")
    alerts = alerts_from_proximity(operations)
    (out / "alerts.json").write_text(json.dumps([a.to_dict() for a in alerts], indent=1, default=str),
                                     encoding="utf-8")
    typer.echo(f"{len(operations)} proximity operation(s) near {len(ids)} assets written to {out}")
