"""The `ssa` command line. Each stage registers its own commands.

Stage modules import their heavy dependencies (numba kernels, SQLAlchemy)
inside the command functions, so `ssa --help` stays fast.
"""
import importlib

import typer

app = typer.Typer(
    help="Conjunction screening for space situational awareness.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# each module defines register(app: typer.Typer)
STAGE_CLIS = (
    "ssa.catalog.cli",
    "ssa.respond.cli",
    "ssa.assess.cli",
    "ssa.detect.cli",
    "ssa.serve.cli",
    "ssa.pipeline.cli",  # ssa screen: the whole pipeline
)

for _module in STAGE_CLIS:
    importlib.import_module(_module).register(app)
