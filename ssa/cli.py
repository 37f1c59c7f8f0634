"""The `ssa` command line: one Typer app per stage, in the stage's own `cli.py`, joined here.

The convention every command follows:
- each stage module defines `app = typer.Typer(...)` and its commands with `@app.command("name")`;
  a stage with several commands is a group named after it (`ssa catalog info`, `ssa assess pc`,
  `ssa detect manoeuvres`, `ssa respond route`); a stage with one command is that command
  (`ssa screen`); the service's commands are `ssa serve`, `ssa worker`, `ssa migrate` and the
  `ssa keys` group;
- options and arguments are declared as `typing.Annotated[type, typer.Option(...)]`, choices as
  Enums;
- errors go through `ssa.cli_errors` (exit 2: usage, exit 1: failed work).
A command that moves keeps its old spelling for one release: hidden, it warns and runs the new one.

Stage modules import their heavy dependencies (numba kernels, SQLAlchemy)
inside the command functions, so `ssa --help` stays fast.
"""
import functools
import importlib

import typer

from ssa.cli_errors import warn

app = typer.Typer(
    help="Conjunction screening for space situational awareness.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# stage CLI module -> group name (None: its commands sit at the top level)
STAGE_CLIS = {
    "ssa.catalog.cli": "catalog",
    "ssa.pipeline.cli": None,  # ssa screen: the whole pipeline
    "ssa.assess.cli": "assess",
    "ssa.detect.cli": "detect",
    "ssa.respond.cli": "respond",
    "ssa.serve.cli": None,
}

# old spelling -> (group, command): the old spellings stay, hidden and warning, for one release
MOVED = {
    "pc": ("assess", "pc"),
    "cdm": ("assess", "cdm"),
    "route": ("respond", "route"),
    "parties": ("respond", "parties"),
}


def _moved(old: str, new: str, command):
    """`command` under its old spelling: hidden from help, warning before it runs."""
    @functools.wraps(command.callback)
    def run_with_warning(*args, **kwargs):
        warn(f"'ssa {old}' is now 'ssa {new}'; the old spelling goes in the next release")
        return command.callback(*args, **kwargs)

    return run_with_warning


for _module, _group in STAGE_CLIS.items():
    app.add_typer(importlib.import_module(_module).app, name=_group)

for _old, (_group, _name) in MOVED.items():
    _stage = importlib.import_module(next(m for m, g in STAGE_CLIS.items() if g == _group)).app
    _command = next(c for c in _stage.registered_commands if c.name == _name)
    app.command(_old, hidden=True, help=f"Deprecated: use 'ssa {_group} {_name}'.")(
        _moved(_old, f"{_group} {_name}", _command))
