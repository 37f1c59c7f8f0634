"""`ssa catalog ...` commands."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ssa.cli_errors import fail, warn

SHOWN_DUPLICATES = 20

app = typer.Typer(help="Catalogue files: read, validate, summarise.", no_args_is_help=True)


class Keep(str, Enum):
    """Element set kept per NORAD id (ssa.catalog.load's `keep`)."""

    newest = "newest"
    first = "first"
    all = "all"


def read_catalog(paths, allow_empty: bool = False, **options):
    """``ssa.catalog.load(paths, **options)`` for a command: a file that cannot be read, or (unless
    `allow_empty`) of which no element set loads, ends the command as failed work (exit 1)."""
    from ssa.catalog import load

    names = ", ".join(str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths))
    try:
        catalog = load(paths, **options)
    except (OSError, EOFError, ValueError) as exc:
        fail(f"cannot read {names}: {exc}")
    if len(catalog) == 0 and not allow_empty:
        for rejection in catalog.rejected[:10]:
            warn(f"rejected {rejection}")
        fail(f"no element set loaded from {names} ({len(catalog.rejected):,} record(s) rejected)")
    return catalog


@app.command("info")
def info(
    files: Annotated[list[Path], typer.Argument(help="2LE/3LE or OMM CSV/JSON/XML files (gzip allowed)", exists=True,
                                                dir_okay=False)],
    satcat: Annotated[Path | None, typer.Option(help="SATCAT CSV (NORAD_CAT_ID, OWNER, OBJECT_TYPE)",
                                                   exists=True, dir_okay=False)] = None,
    keep: Annotated[Keep, typer.Option(help="element set kept per NORAD id")] = Keep.newest,
    all_duplicates: Annotated[bool, typer.Option(
        "--all-duplicates", help=f"list every duplicate dropped (default: the first {SHOWN_DUPLICATES})")] = False,
) -> None:
    """Counts by regime and object type, epoch spread, duplicates and every rejected record."""
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from ssa.catalog.summary import (
        DEEP_SPACE_PERIOD_MIN,
        REGIME_DEFINITIONS,
        REGIMES,
        epoch_datetimes,
        period_minutes,
        regimes,
    )

    console = Console()
    cat = read_catalog(files, allow_empty=True, satcat=satcat, keep=keep.value)
    n = len(cat)

    summary = Table(title="Catalogue", show_header=False)
    summary.add_row("files", ", ".join(str(f) for f in files))
    summary.add_row("objects loaded", f"{n:,}")
    summary.add_row("records rejected", f"{len(cat.rejected):,}")
    summary.add_row("NORAD ids with duplicates dropped", f"{len(cat.notes):,}")
    if n:
        epochs = np.sort(epoch_datetimes(cat))
        summary.add_row("epoch min / median / max (UTC)",
                        " / ".join(str(e)[:19] for e in (epochs[0], epochs[n // 2], epochs[-1])))
    console.print(summary)

    if n:
        regime = regimes(cat)
        by_regime = Table(title="By orbit regime")
        by_regime.add_column("regime")
        by_regime.add_column("objects", justify="right")
        for name in REGIMES:
            by_regime.add_row(name, f"{np.count_nonzero(regime == name):,}")
        by_regime.add_row(f"deep space (period >= {DEEP_SPACE_PERIOD_MIN:.0f} min)",
                          f"{np.count_nonzero(period_minutes(cat) >= DEEP_SPACE_PERIOD_MIN):,}")
        console.print(by_regime)
        console.print(f"[dim]{REGIME_DEFINITIONS}[/dim]")

        types, counts = np.unique(cat.object_type.astype(str), return_counts=True)
        if any(types != ""):
            by_type = Table(title="By object type (SATCAT)")
            by_type.add_column("type")
            by_type.add_column("objects", justify="right")
            for t, c in sorted(zip(types, counts), key=lambda tc: -tc[1]):
                by_type.add_row(t or "unknown", f"{c:,}")
            console.print(by_type)

    if cat.notes:
        dup = Table(title="Duplicates dropped")
        dup.add_column("note")
        shown = cat.notes if all_duplicates else cat.notes[:SHOWN_DUPLICATES]
        for note in shown:
            dup.add_row(note)
        if len(shown) < len(cat.notes):
            dup.add_row(f"... and {len(cat.notes) - len(shown):,} more (--all-duplicates lists them)")
        console.print(dup)

    if cat.rejected:
        rej = Table(title="Rejected records")
        rej.add_column("file:line", no_wrap=True)
        rej.add_column("NORAD", justify="right")
        rej.add_column("reason")
        for r in cat.rejected:
            rej.add_row(f"{r.source}:{r.line}", "" if r.norad_id is None else str(r.norad_id), r.reason)
        console.print(rej)

    if n == 0:
        fail(f"no element set loaded from {', '.join(str(f) for f in files)}")
