"""The command line as a user meets it: help everywhere, version, exit codes, no tracebacks."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from vr_quarantine import __version__, cli, lint, profile
from vr_quarantine.cli import main
from vr_quarantine.report import REPORTERS
from vr_quarantine.simulate import report as simulate_report

from tests.clirunner import CliRunner

runner = CliRunner()
COMMANDS = ["validate", "init", "schema", "render", "lint", "simulate", "pack", "push", "collect"]


def test_version() -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"vr-quarantine {__version__}"


def test_python_dash_m_vr_quarantine() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert __version__ in done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(main, ["frobnicate"])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_missing_file_is_exit_2_without_traceback(command: str, tmp_path: object) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", command, "/nonexistent/profile.yaml"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "/nonexistent/profile.yaml" in done.stdout + done.stderr


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(main, ["--show-completion", "bash"])
    assert result.exit_code == 0, result.output
    assert "complete" in result.output and "vr-quarantine" in result.output
    assert "--install-completion" in runner.invoke(main, ["--help"]).output


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_names_every_command_and_installs_where_the_shell_looks(
    shell: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    script = runner.invoke(main, ["--show-completion", shell]).stdout
    assert all(command in script for command in COMMANDS) and "fail-on" in script
    installed = runner.invoke(main, ["--install-completion", shell])
    assert installed.exit_code == 0, installed.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.read_text() for p in written] == [script]


def test_bash_completion_completes_commands_and_options() -> None:
    script = runner.invoke(main, ["--show-completion", "bash"]).stdout
    probe = (
        f"{script}\n"
        "COMP_WORDS=(vr-quarantine si); COMP_CWORD=1; _vr_quarantine; echo ${COMPREPLY[@]}\n"
        "COMP_WORDS=(vr-quarantine lint --fa); COMP_CWORD=2; _vr_quarantine; echo ${COMPREPLY[@]}\n"
    )
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["simulate", "--fail-on"]


def _bash_complete(script: str, *words: str) -> list[list[str]]:
    """What the bash script offers for each command line (the last word is being typed)."""
    probes = [
        f"COMP_WORDS=({shlex.join(line)}); COMP_CWORD={len(line) - 1}; "
        'COMPREPLY=(); _vr_quarantine; echo "${COMPREPLY[*]}"'
        for line in (["vr-quarantine", *w.split(" ")] for w in words)
    ]
    done = subprocess.run(
        ["bash", "-c", script + "\n" + "\n".join(probes)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split() for line in done.stdout.splitlines()]


def test_bash_and_zsh_complete_option_values_from_their_fixed_sets(tmp_path: Path) -> None:
    from vr_quarantine.simulate import builtin_names

    scenarios = [n for n in builtin_names() if not n.endswith(":N")]
    assert "success" in scenarios and "all" in scenarios
    for shell in ("bash", "zsh"):
        script = runner.invoke(main, ["--show-completion", shell]).stdout
        assert f'compgen -W "{" ".join(scenarios)}"' in script, shell
    script = runner.invoke(main, ["--show-completion", "bash"]).stdout
    offered = _bash_complete(
        script,
        "lint -f s",
        "validate --output-format ",
        "simulate -f ",
        "lint --fail-on w",
        "simulate x.yaml --platform m",
        "simulate x.yaml --scenario server-u",
        "simulate -s monitor-",
        "--show-completion f",
    )
    assert offered == [
        ["sarif"],
        ["text", "json", "sarif", "github"],
        ["text", "json"],
        ["warning"],
        ["macos"],
        ["server-unreachable"],
        ["monitor-steady", "monitor-restart"],
        ["fish"],
    ]


def test_fish_completes_option_values_from_their_fixed_sets() -> None:
    script = runner.invoke(main, ["--show-completion", "fish"]).stdout
    simulate = "complete -c vr-quarantine -n '__fish_seen_subcommand_from simulate'"
    assert f"{simulate} -l platform -x -a 'windows linux macos'" in script
    assert f"{simulate} -l output-format -s f -x -a 'text json'" in script
    assert f"{simulate} -l scenario -s s -r -a 'success " in script
    lint = "complete -c vr-quarantine -n '__fish_seen_subcommand_from lint'"
    assert f"{lint} -l output-format -s f -x -a 'text json sarif github'" in script
    assert f"{lint} -l fail-on -x -a 'error warning info'" in script


def test_completion_for_an_unknown_shell_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/tcsh")
    result = runner.invoke(main, ["--show-completion"])
    assert result.exit_code == 2 and "tcsh" in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_lines_have_plain_metavars(command: str) -> None:
    usage = next(
        line
        for line in runner.invoke(main, [command, "--help"]).output.splitlines()
        if "Usage" in line
    )
    assert "[[" not in usage and "...]..." not in usage and "......" not in usage, usage


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_rule_listings_are_plain_text(command: str) -> None:
    output = runner.invoke(main, [command, "--list-rules"]).output
    assert output.count("\n") > 10
    assert "``" not in output and "`" not in output


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_rule_listings_name_every_id_a_finding_can_carry(command: str) -> None:
    rules = (profile.RULES if command == "validate" else lint.RULES).infos
    output = runner.invoke(main, [command, "--list-rules"]).output
    # validate's io-error is a check module; lint's comes from the input layer it shares.
    extra = ["io-error"] if command == "lint" else []
    assert [line.split()[0] for line in output.splitlines()] == extra + [r.id for r in rules]


def test_the_formats_the_options_name_are_those_the_modules_render() -> None:
    # cli.py names them itself, so that --help does not import the reporters.
    assert tuple(REPORTERS) == cli.REPORT_FORMATS
    assert cli.FORMATS == simulate_report.FORMATS


def test_the_console_entry_flushes_everything_before_it_leaves(tmp_path: Path) -> None:
    """`entry` skips the interpreter's tear-down, never the output or the exit code."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "validate", "-f", "json", str(examples)],
        capture_output=True,
        text=True,
    )
    in_process = runner.invoke(main, ["validate", "-f", "json", str(examples)])
    assert (done.returncode, done.stdout) == (in_process.exit_code, in_process.stdout)
    missing = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "lint", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "no such file or folder" in missing.stdout
