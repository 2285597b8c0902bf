"""One name per concept across the commands (issue 22): every option a command accepts is used
by it, an option means the same thing with the same unit everywhere, the CLI reference tables
every option, renamed options are refused with their new name and listed in the CHANGELOG, and
the default output of a command is replaced by its next run."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from protocols.cli import build_parser, main
from protocols.cli.common import RENAMED_OPTIONS, check_unrecognized
from protocols.config import RENAMED_RUN_KEYS

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _options(command: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """A command's long options (not --help) -> their action."""
    return {
        option: action
        for action in command._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


class _Recording(argparse.Namespace):
    """A namespace that records which attributes the command reads."""

    def __getattribute__(self, name: str):
        if not name.startswith("_"):
            object.__getattribute__(self, "__dict__").setdefault("_read", set()).add(name)
        return object.__getattribute__(self, name)


def _read_by(argv: list[str]) -> set[str]:
    """The options' destinations the command of ``argv`` reads while it runs."""
    namespace = _Recording()
    args, extras = build_parser().parse_known_args(argv, namespace)
    assert extras == []
    vars(args).pop("_read", None)
    assert args.func(args) == 0
    return set(vars(args).get("_read", set()))


def test_every_option_of_every_command_is_used_by_it(tmp_path: Path, monkeypatch) -> None:
    """Each command, run on small inputs, reads every option it accepts (an option it accepted
    and ignored would fail here); the sweep in both of its modes."""
    import numpy as np

    monkeypatch.chdir(tmp_path)
    data = tmp_path / "alpha.csv"
    temps = np.geomspace(0.1, 0.5, 5)
    data.write_text(
        "# tau_expt = 100 s\ntemperature [K],alpha [K-1]\n"
        + "\n".join(f"{t},{-1e-9 * t}" for t in temps)
    )
    quick = ["--spectrum", "asymptotic", "--quiet", "--no-plot"]
    runs = {
        "run": [["run", "heat-step", *quick, "--t-stop", "1e-3", "--times-per-decade", "1"]],
        "gamma": [
            [
                *("gamma", *quick, "--temperature", "0.3", "--tau-expt-max", "10"),
                *("--tau-expt-per-decade", "1"),
            ]
        ],
        "closed-form": [["closed-form", "--tau-expt-per-decade", "1"]],
        "metallic": [["metallic", *quick, "--temperatures-per-decade", "2", "--tau-expt", "1"]],
        "thermal": [
            [
                *("thermal", *quick, "--temperature-min", "0.2", "--temperature-max", "0.3"),
                *("--temperatures-per-decade", "2", "--tau-expt", "1", "--glass", "ggp1985"),
            ]
        ],
        "sweep": [
            [
                *("sweep", *quick, "--grid", "temperature=0.3", "--scheduler", "synchronous"),
                *("--tau-expt-max", "10", "--tau-expt-per-decade", "1"),
            ],
            [
                *("sweep", "heat-step", *quick, "--grid", "T1=0.31", "--scheduler"),
                *("synchronous", "--t-stop", "1e-3", "--times-per-decade", "1", "--out", "s.nc"),
            ],
        ],
        "fit": [["fit", str(data), *quick, "--vary", "c"]],
        "glasses": [["glasses"]],
    }
    commands = _commands()
    assert set(runs) == set(commands) - {"tables"}  # tables: subcommands of its own
    for name, argvs in runs.items():
        read: set[str] = set()
        for argv in argvs:
            read |= _read_by(argv)
        dests = {a.dest for a in _options(commands[name]).values()}
        positional = {a.dest for a in commands[name]._actions if not a.option_strings}
        assert dests | positional <= read, (name, sorted((dests | positional) - read))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--t-stop", "10"], "--t-stop is for a protocol sweep"),
        (["--times-per-decade", "2"], "--times-per-decade is for a protocol sweep"),
        (["heat-step", "--grid", "T1=0.4", "--tau-expt-max", "10"], "--tau-expt-max is for a"),
    ],
)
def test_a_sweep_refuses_the_options_of_its_other_mode(extra, message, tmp_path, capsys) -> None:
    argv = ["sweep", "--grid", "temperature=0.3", *extra, "--out", str(tmp_path / "x.nc")]
    if extra[0] == "heat-step":
        argv = ["sweep", *extra, "--out", str(tmp_path / "x.nc")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()


def test_an_option_means_one_thing_with_one_unit_everywhere() -> None:
    """The same option string has the same destination, type and unit in every command."""
    seen: dict[str, tuple[str, str, str]] = {}
    for name, command in _commands().items():
        for option, action in _options(command).items():
            units = re.findall(r"\[(K|s|1)\]", action.help or "")
            key = (action.dest, getattr(action.type, "__name__", str(action.type)), ",".join(units))
            assert seen.setdefault(option, key) == key, (name, option, seen[option], key)


def test_the_cli_reference_tables_every_option_with_its_commands() -> None:
    text = (ROOT / "docs" / "reference" / "cli.md").read_text()
    rows = {}
    for line in text.splitlines():
        found = re.match(r"^\| `(--[\w-]+)[^`]*` \|.*\| ([\w, -]+) \|$", line)
        if found:
            rows[found.group(1)] = {c.strip() for c in found.group(2).split(",")}
    actual: dict[str, set[str]] = {}
    for name, command in _commands().items():
        if name == "tables":
            continue
        for option in _options(command):
            actual.setdefault(option, set()).add(name)
    assert rows == actual


def test_renamed_options_are_refused_with_their_new_name_and_in_the_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    commands = _commands()
    for command, renames in RENAMED_OPTIONS.items():
        for old, new in renames.items():
            assert old not in _options(commands[command]), (command, old)
            with pytest.raises(Exception, match=re.escape(f"{old} was renamed {new}")):
                check_unrecognized(command, [old, "1"])
            assert f"`{command} {old}` → " in changelog, (command, old)
    for old, new in RENAMED_RUN_KEYS.items():
        assert f"`[run] {old}` → `[run] {new}`" in changelog


def test_the_default_output_is_replaced_by_the_next_run_and_out_needs_force(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The decided rule (docs/reference/cli.md): without --out the next run of the same command
    replaces its output and says so; a file named with --out is replaced only with --force."""
    monkeypatch.chdir(tmp_path)
    argv = ["run", "heat-step", "--spectrum", "asymptotic", "--t-stop", "1e-3"]
    argv += ["--times-per-decade", "1"]
    assert main(argv) == 0
    assert "wrote outputs/heat_step.nc and outputs/heat_step.png" in capsys.readouterr().out
    assert main(argv) == 0
    assert "replaced outputs/heat_step.nc and outputs/heat_step.png" in capsys.readouterr().out
    named = [*argv, "--out", "mine.nc"]
    assert main(named) == 0 and (tmp_path / "mine.nc").exists()
    capsys.readouterr()
    assert main(named) == 2
    assert "mine.nc exists; give --force" in capsys.readouterr().err
    assert main([*named, "--force"]) == 0
    assert "replaced mine.nc" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "stem"),
    [
        (["gamma", "--temperature", "0.3", "--tau-expt-max", "10"], "gruneisen"),
        (["metallic", "--temperatures-per-decade", "2", "--tau-expt", "1"], "metallic"),
        (["sweep", "--grid", "temperature=0.3", "--scheduler", "synchronous"], "sweep"),
        (["sweep", "heat-step", "--grid", "T1=0.31", "--t-stop", "1e-3"], "sweep_heat_step"),
    ],
)
def test_every_command_replaces_its_default_output_when_run_again(
    argv, stem, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [*argv, "--spectrum", "asymptotic"]
    assert main(argv) == 0
    assert f"wrote outputs/{stem}.nc and outputs/{stem}.png" in capsys.readouterr().out
    assert main(argv) == 0
    assert f"replaced outputs/{stem}.nc and outputs/{stem}.png" in capsys.readouterr().out
