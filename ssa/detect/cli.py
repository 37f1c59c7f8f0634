"""`ssa detect ...`: one command per detector."""
import typer

detect_app = typer.Typer(help="Detect fragmentations, manoeuvres and re-entries in catalogues and histories.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(detect_app, name="detect")
