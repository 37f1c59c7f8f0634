"""How every `ssa` command reports an error: one line on stderr (rich), then exit status 2 for a
usage error (the command line is wrong: an option's value, a configuration the command cannot start
with) or 1 for failed work (the command started and could not finish: a catalogue with no readable
element set, an alert not routed). Click's own usage errors (unknown option, a choice outside its
Enum, a path that does not exist) exit 2 as well.
"""
from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

USAGE = 2
FAILED = 1


def _stderr() -> Console:
    return Console(stderr=True, soft_wrap=True)  # soft wrap: a file name or record is never cut


def fail(message: str) -> NoReturn:
    """Failed work: print `message` and exit 1."""
    _stderr().print(f"[bold red]error:[/bold red] {escape(message)}")
    raise typer.Exit(FAILED)


def usage_error(message: str) -> NoReturn:
    """The command line is wrong: print `message` and exit 2."""
    _stderr().print(f"[bold red]error:[/bold red] {escape(message)} (see --help)")
    raise typer.Exit(USAGE)


def warn(message: str) -> None:
    """A warning that does not stop the command."""
    _stderr().print(f"[yellow]warning:[/yellow] {escape(message)}")
