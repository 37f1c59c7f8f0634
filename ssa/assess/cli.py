"""`ssa assess pc CDMFILE` and `ssa assess cdm CONJUNCTIONS.csv --out DIR`."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ssa.cli_errors import fail, usage_error

app = typer.Typer(help="Collision probability of CDMs; CDMs of screened conjunctions.", no_args_is_help=True)


class CdmFormat(str, Enum):
    """CCSDS CDM encodings ssa.assess.cdm.write writes."""

    kvn = "kvn"
    xml = "xml"


def operator_covariances_or_exit(paths, console) -> dict:
    """``ssa.assess.operator_covariances`` of --covariance paths; a bad CDM ends the command (usage, exit 2)."""
    from ssa.assess import CdmError, operator_covariances

    try:
        covariances = operator_covariances(paths)
    except (CdmError, ValueError) as exc:
        usage_error(f"--covariance: {exc}")
    console.print(f"operator covariances for {len(covariances):,} object(s) from {len(paths)} path(s)")
    return covariances


@app.command("pc")
def pc(
    cdm_file: Annotated[Path, typer.Argument(help="CCSDS CDM, KVN or XML", exists=True, dir_okay=False)],
    hbr: Annotated[float | None, typer.Option(help="combined hard-body radius (m); default: from the CDM")] = None,
    lenient: Annotated[bool, typer.Option("--lenient", help="accept wrong units / bad optional values with a "
                                                     "warning")] = False,
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
        fail(str(exc))
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


@app.command("cdm")
def cdm(
    conjunctions: Annotated[Path, typer.Argument(help="conjunction CSV (SOCRATES/ssa screen columns)", exists=True,
                                                 dir_okay=False)],
    out: Annotated[Path, typer.Option(help="directory for the CDMs (created)")],
    catalog: Annotated[list[Path] | None, typer.Option(help="catalogue file(s); default: the shipped one "
                                                       "(catalogs/ of a source checkout)")] = None,
    fmt: Annotated[CdmFormat, typer.Option("--format", help="CDM encoding")] = CdmFormat.kvn,
    covariance: Annotated[list[Path] | None, typer.Option(
        exists=True, help="CDM file or directory: operators' covariances for their objects (others are "
                          "estimated); repeatable")] = None,
) -> None:
    """Write one CDM per conjunction row (states re-propagated at TCA; operator or estimated covariance)."""
    from rich.console import Console

    from ssa.assess.cdm import write
    from ssa.assess.pipeline import assess, cdm_from_conjunction
    from ssa.catalog import SHIPPED_CATALOG, SHIPPED_SATCAT
    from ssa.catalog.cli import read_catalog
    from ssa.screen import conjunctions_from_csv

    console = Console()
    if not catalog and not SHIPPED_CATALOG.is_file():
        usage_error(f"give --catalog: the default {SHIPPED_CATALOG.name} is in the source repository's catalogs/, "
                    "not in the installed package")
    cat = read_catalog(catalog or [SHIPPED_CATALOG], satcat=SHIPPED_SATCAT)
    rows, problems = conjunctions_from_csv(conjunctions, cat)
    for problem in problems:
        console.print(f"[yellow]{conjunctions.name}[/yellow] {problem}")
    covariances = operator_covariances_or_exit(covariance, console) if covariance else None
    out.mkdir(parents=True, exist_ok=True)
    assessed = assess(rows, cat, covariances)
    suffix = ".xml" if fmt is CdmFormat.xml else ".cdm"
    for row in assessed:
        message = cdm_from_conjunction(row, cat, covariances=covariances)
        write(message, out / f"{message.header['MESSAGE_ID']}{suffix}", fmt.value)
    console.print(f"wrote {len(assessed)} CDM(s) to {out}")
