"""`ssa pc CDMFILE` and `ssa cdm CONJUNCTIONS.csv --out DIR`."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("pc")(pc)
    app.command("cdm")(cdm)


def operator_covariances_or_exit(paths, console) -> dict:
    """``ssa.assess.operator_covariances`` of --covariance paths; a bad CDM ends the command (exit 2)."""
    from ssa.assess import CdmError, operator_covariances

    try:
        covariances = operator_covariances(paths)
    except (CdmError, ValueError) as exc:
        console.print(f"[red]error:[/red] --covariance: {exc}")
        raise typer.Exit(2) from None
    console.print(f"operator covariances for {len(covariances):,} object(s) from {len(paths)} path(s)")
    return covariances


def pc(
    cdm_file: Path = typer.Argument(..., help="CCSDS CDM, KVN or XML", exists=True, dir_okay=False),
    hbr: float = typer.Option(None, "--hbr", help="combined hard-body radius (m); default: from the CDM"),
    lenient: bool = typer.Option(False, "--lenient", help="accept wrong units / bad optional values with a warning"),
) -> None:
    """Collision probability of one CDM by each method, with miss, sigmas and HBR."""
    from rich.console import Console
    from rich.table import Table

    from ssa.assess.cdm import CdmError, read
    from ssa.assess.pipeline import pc_from_cdm

    console = Console()
    try:
        message = read(cdm_file, strict=not lenient)
        result = pc_from_cdm(message, hbr)
    except (CdmError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    for warning in message.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    table = Table(title=f"{cdm_file.name}: {message.objects[0]['OBJECT_NAME']} vs {message.objects[1]['OBJECT_NAME']}"
                  f" at {message.relative['TCA']} UTC", show_header=False)
    table.add_row("Pc Foster 2D", f"{result.pc_foster:.6e}")
    table.add_row("Pc Chan series", f"{result.pc_chan:.6e}")
    table.add_row("max Pc (SOCRATES)", f"{result.max_prob:.6e} (dilution {result.dilution_m:.1f} m)")
    stated = message.relative.get("COLLISION_PROBABILITY")
    if stated is not None:
        table.add_row("Pc stated in the CDM", f"{stated:.6e} ({message.relative.get('COLLISION_PROBABILITY_METHOD', '')})")
    table.add_row("miss distance", f"{result.miss_m:.1f} m")
    table.add_row("relative speed", f"{result.relative_speed_m_s:.1f} m/s")
    table.add_row("combined sigma (encounter plane)", f"{result.sigma_major_m:.1f} m x {result.sigma_minor_m:.1f} m")
    table.add_row("hard-body radius", f"{result.hbr_m:.2f} m")
    if result.reason:
        table.add_row("note", result.reason)
    console.print(table)


def cdm(
    conjunctions: Path = typer.Argument(..., help="conjunction CSV (SOCRATES/ssa screen columns)", exists=True,
                                        dir_okay=False),
    out: Path = typer.Option(..., "--out", help="directory for the CDMs (created)"),
    catalog: list[Path] = typer.Option(None, "--catalog", help="catalogue file(s); default: the shipped one "
                                       "(catalogs/ of a source checkout)"),
    fmt: str = typer.Option("kvn", "--format", help="kvn or xml"),
    covariance: list[Path] = typer.Option(None, "--covariance", exists=True,
                                          help="CDM file or directory: operators' covariances for their objects "
                                               "(others are estimated); repeatable"),
) -> None:
    """Write one CDM per conjunction row (states re-propagated at TCA; operator or estimated covariance)."""
    from rich.console import Console

    from ssa.assess.cdm import write
    from ssa.assess.pipeline import assess, cdm_from_conjunction
    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT, load
    from ssa.screen import conjunctions_from_csv

    console = Console()
    if fmt not in ("kvn", "xml"):
        console.print(f"[red]error:[/red] --format must be kvn or xml, not {fmt!r}")
        raise typer.Exit(2)
    if not catalog and not SHIPPED_CATALOG.is_file():
        console.print(f"[red]error:[/red] give --catalog: the default {SHIPPED_CATALOG.name} is in the source "
                      "repository's catalogs/, not in the installed package")
        raise typer.Exit(2)
    cat = load(catalog or [SHIPPED_CATALOG], satcat=SHIPPED_SATCAT)
    rows, problems = conjunctions_from_csv(conjunctions, cat)
    for problem in problems:
        console.print(f"[yellow]{conjunctions.name}[/yellow] {problem}")
    covariances = operator_covariances_or_exit(covariance, console) if covariance else None
    out.mkdir(parents=True, exist_ok=True)
    assessed = assess(rows, cat, covariances)
    suffix = ".xml" if fmt == "xml" else ".cdm"
    for row in assessed:
        message = cdm_from_conjunction(row, cat, covariances=covariances)
        write(message, out / f"{message.header['MESSAGE_ID']}{suffix}", fmt)
    console.print(f"wrote {len(assessed)} CDM(s) to {out}")
