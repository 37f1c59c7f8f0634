"""One convention for every `ssa` command (ssa/cli.py): exit 2 for a usage error, 1 for failed
work; choices are Enums; options declared with Annotated; moved commands warn under the old name."""
import inspect
import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command
from typer.models import ParameterInfo
from typer.testing import CliRunner

from paths import SHIPPED_CATALOG
from ssa.cli import MOVED, app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def garbage(tmp_path):
    path = tmp_path / "garbage.tle"
    path.write_text("not a catalogue\n")
    return path


@pytest.fixture
def one_iss(tmp_path):
    path = tmp_path / "iss.tle"
    path.write_text("ISS (ZARYA)\n"
                    "1 25544U 98067A   24305.50000000  .00016717  00000-0  10270-3 0  9993\n"
                    "2 25544  51.6400 208.9163 0006317  69.9862  25.2906 15.50000000 10000\n")
    return path


def test_usage_errors_exit_2(one_iss, tmp_path):
    for args in (
        ["screen", str(one_iss), "--start", "next tuesday", "--out", str(tmp_path / "x.csv")],
        ["screen", str(tmp_path / "missing.tle")],
        ["screen", str(one_iss), "--days", "-1"],
        ["screen", str(one_iss), "--no-such-option"],
        ["screen", str(one_iss), "--out", str(tmp_path / "x.xlsx")],
        ["respond", "route", str(one_iss), "--now", "tomorrow"],
        ["respond", "parties", "--config-dir", str(tmp_path / "missing")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("args,named", [
    (["screen", "{catalog}", "--format", "xlsx"], "--format"),
    (["assess", "cdm", "{catalog}", "--out", "{tmp}", "--format", "pdf"], "--format"),
    (["catalog", "info", "{catalog}", "--keep", "latest"], "--keep"),
    (["keys", "create", "--role", "root"], "--role"),
])
def test_choice_outside_its_enum_exits_2_naming_the_option(one_iss, tmp_path, args, named):
    result = runner.invoke(app, [a.format(catalog=one_iss, tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert named in result.stderr


@pytest.mark.parametrize("command", [
    ["screen", "{catalog}", "--start", "2024-11-01T00:00:00", "--days", "0.01", "--out", "{tmp}/x.csv"],
    ["catalog", "info", "{catalog}"],
    ["detect", "manoeuvres", "{catalog}", "--out", "{tmp}/m.csv"],
    ["detect", "fragmentation", "{catalog}", "{catalog}", "--out", "{tmp}/frag"],
])
def test_unreadable_catalogue_is_failed_work_exit_1(garbage, tmp_path, command):
    result = runner.invoke(app, [a.format(catalog=garbage, tmp=tmp_path) for a in command])
    assert result.exit_code == 1, result.output
    assert "error: no element set loaded from" in result.stderr and "garbage.tle" in result.stderr
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "m.csv").exists()


def test_catalogue_that_cannot_be_read_is_failed_work(tmp_path):
    fake = tmp_path / "catalog.tle.gz"
    fake.write_bytes(b"\x1f\x8b" + b"not gzip data\n")
    result = runner.invoke(app, ["screen", str(fake), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: cannot read {fake}: ")


def test_alert_not_routed_and_bad_cdm_are_failed_work(tmp_path):
    alerts = tmp_path / "alerts.json"
    alerts.write_text('[{"incident": "collision"}]')
    result = runner.invoke(app, ["respond", "route", str(alerts)])
    assert result.exit_code == 1 and "error: 1 of 1 item(s)" in result.stderr
    alerts.write_text("{not json")
    assert runner.invoke(app, ["respond", "route", str(alerts)]).exit_code == 1
    cdm = tmp_path / "event.cdm"
    cdm.write_text("CCSDS_CDM_VERS = 1.0\n")
    result = runner.invoke(app, ["assess", "pc", str(cdm)])
    assert result.exit_code == 1 and result.stderr.startswith("error: ")


@pytest.mark.parametrize("old", sorted(MOVED))
def test_moved_command_keeps_its_old_spelling_with_a_warning(old):
    group, name = MOVED[old]
    result = runner.invoke(app, [old, "--help"])
    assert result.exit_code == 0 and f"Deprecated: use 'ssa {group} {name}'" in result.stdout
    assert not re.search(rf"│ {old} ", runner.invoke(app, ["--help"]).stdout)  # hidden


def test_deprecated_spelling_warns_and_works_as_the_new_one():
    old = runner.invoke(app, ["parties"])
    new = runner.invoke(app, ["respond", "parties"])
    assert old.exit_code == new.exit_code == 0
    assert old.stdout == new.stdout and "duty_desk" in old.stdout
    assert old.stderr.startswith("warning: 'ssa parties' is now 'ssa respond parties'")
    assert "warning" not in new.stderr


def commands(group=None, path=("ssa",)):
    """(command path, click command) of every command of the `ssa` tree."""
    group = group or get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def test_every_option_is_declared_with_annotated():
    seen = 0
    for name, command in commands():
        for parameter in inspect.signature(command.callback).parameters.values():
            assert not isinstance(parameter.default, ParameterInfo), f"{name}: {parameter.name}"
            seen += 1
    assert seen > 30


def test_enums_match_what_the_library_accepts():
    from ssa.assess.cli import CdmFormat
    from ssa.catalog.cli import Keep
    from ssa.pipeline.cli import TableFormat
    from ssa.screen.table import FORMATS
    from ssa.serve.cli import Role
    from ssa.serve.enums import Role as StoredRole

    assert [f.value for f in TableFormat] == list(FORMATS)
    assert Role is StoredRole  # the CLI offers the roles the store keeps
    assert {k.value for k in Keep} == {"newest", "first", "all"}
    assert {f.value for f in CdmFormat} == {"kvn", "xml"}


def test_readme_screen_command_parses_as_written(monkeypatch):
    """The README's first command, exactly: its options exist and its catalogue is in the repository."""
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    line = next(s for s in readme.splitlines() if s.startswith("python -m pip install -e . && ssa screen "))
    args = shlex.split(line.split(" && ", 1)[1])[1:]
    assert args[0] == "screen"
    group = get_command(app)
    with group.make_context("ssa", ["screen"]) as context:
        # parses and checks every option (unknown option, bad value, missing catalogue) without screening
        with group.commands["screen"].make_context("screen", args[1:], parent=context) as screen:
            assert screen.params["catalog_path"] == Path("catalogs/celestrak_on_orbit_2024-11-01.csv")
            assert (screen.params["days"], screen.params["threshold_km"]) == (7.0, 5.0)


def test_covariance_without_pc_is_a_usage_error(tmp_path):
    """`--covariance` feeds Pc: with `--no-pc` it would be silently unused, so it is refused (2)."""
    result = CliRunner().invoke(app, ["screen", str(SHIPPED_CATALOG), "--start", "2024-11-01T00:00:00", "--days",
                                      "0.01", "--no-pc", "--covariance", str(tmp_path), "--out",
                                      str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "--no-pc" in result.output
    assert not (tmp_path / "x.csv").exists()
