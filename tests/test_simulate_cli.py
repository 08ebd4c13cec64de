"""`vr-quarantine simulate`: inputs, scenarios, output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.simulate.scenario import load_scenario_file

from tests.clirunner import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = ROOT / "generator" / "profile" / "default.yaml"
SCENARIOS = ROOT / "tests" / "fixtures" / "scenarios"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_profile_is_rendered_in_memory_and_the_rollback_shown() -> None:
    code, out, _ = invoke(str(DEFAULT_PROFILE), "--scenario", "server-unreachable")
    assert code == 0
    assert "Commands the endpoint would run, in order:" in out
    assert "netsh ipsec static set policy name=VelociraptorQuarantine assign=y" in out
    assert "rollback: netsh ipsec static delete policy name=VelociraptorQuarantine" in out
    assert "assigned policy: none" in out
    assert "Outcome: as expected" in out


def test_json_output_has_commands_rows_log_and_state() -> None:
    code, out, _ = invoke(str(DEFAULT_PROFILE), "--output-format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["scenario"]["name"] == "success"
    assert data["commands"][-1]["argv"][0].endswith("curl.exe")
    assert data["final_state"]["assigned_policy"] == "VelociraptorQuarantine"
    assert data["final_state"]["isolated"] is True
    assert data["outcome"] == "as expected"
    assert all(check["ok"] for check in data["expected"])


def test_unexpected_outcome_exits_1() -> None:
    code, out, _ = invoke(
        str(DEFAULT_PROFILE), "-s", "policy-not-enforced", "--param", "NegativeCheckURL="
    )
    assert code == 1
    assert "[NOT] policy_assigned: expected no, got yes" in out
    assert "NegativeCheckURL is empty" in out


def test_param_changes_the_run() -> None:
    code, out, _ = invoke(
        str(DEFAULT_PROFILE),
        "-s",
        "policy-not-enforced",
        "--param",
        "NegativeCheckURL=https://www.example.com/",
    )
    assert code == 0
    assert "negative check failed" in out


def test_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "down.yaml"
    scenario.write_text(
        "name: frontend-down\nbase: success\nserver_answers: false\n"
        "dns: {velociraptor.example.com: [192.0.2.99]}\n"
        "expect: {policy_assigned: false}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke(str(DEFAULT_PROFILE), "--scenario", str(scenario))
    assert code == 0
    assert "scenario 'frontend-down'" in out
    assert "dstaddr=192.0.2.99" in out


def test_the_ipv6_fixture_loads() -> None:
    scenario = load_scenario_file(SCENARIOS / "ipv6-server.yaml")
    assert scenario.client_config["server_urls"] == ["https://[2001:db8::10]:8000/"]
    assert scenario.expect.isolated is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "nope"], "unknown scenario 'nope'"),
        (["-s", "netsh-fail:0"], "unknown scenario"),
        (["-f", "xml"], "unknown output format"),
        (["--param", "novalue"], "is not K=V"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, _, err = invoke(str(DEFAULT_PROFILE), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_missing_and_invalid_inputs_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such file" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("format_version: 1\nid: [\n", encoding="utf-8")
    code, _, err = invoke(str(bad))
    assert code == 2 and "not valid YAML" in err
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("format_version: 1\nunknown_key: 1\n", encoding="utf-8")
    code, _, err = invoke(str(wrong))
    assert code == 2 and "neither an artifact nor a valid profile" in err


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("name: Custom.X\nsources: 1\n", ":2:10:", "sources is the int 1; expected array"),
        ("name: Custom.X\nsources: [1]\n", ":2:11:", "sources.0 is the int 1; expected object"),
        (
            "name: Custom.X\nsources:\n- query: SELECT 1 FROM scope()\n  querry: x\n",
            ":4:3:",
            "unknown key 'querry'",
        ),
        (
            "name: Custom.X\nparameters: {a: 1}\nsources: []\n",
            ":2:13:",
            "parameters is a mapping; expected array",
        ),
    ],
)
def test_an_artifact_velociraptor_would_not_load_is_refused_where_lint_says(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    """Simulate runs only what Velociraptor's loader accepts, and says why in lint's own words
    (found by the fuzz test: ``sources: 1`` was an internal TypeError)."""
    artifact = tmp_path / "a.yaml"
    artifact.write_text(text, encoding="utf-8")
    code, _, err = invoke(str(artifact))
    assert code == 2
    assert "internal error" not in err
    finding = f"{artifact}{where} error: {message}"
    assert finding in err
    assert "Velociraptor would not load this artifact" in err
    lint = CliRunner().invoke(main, ["lint", str(artifact)])
    assert finding in lint.stdout
    # A --with artifact is held to the same shape.
    code, _, err = invoke(str(DEFAULT_PROFILE), "--with", str(artifact))
    assert code == 2 and finding in err


def test_invalid_scenario_file_lists_every_problem(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(
        "base: nope\nserver_answers: maybe\nfoo: 1\nexpect: {isolated: 3}\n", encoding="utf-8"
    )
    code, _, err = invoke(str(DEFAULT_PROFILE), "-s", str(scenario))
    assert code == 2
    for part in (
        "base: unknown",
        "server_answers: expected bool",
        "foo: unknown field",
        "expect: isolated",
    ):
        assert part in err


def test_an_unmodelled_command_stops_with_exit_2(tmp_path: Path) -> None:
    artifact = tmp_path / "a.yaml"
    artifact.write_text(
        "name: Custom.Test\nsources:\n  - query: SELECT * FROM execve(argv=['whoami'])\n",
        encoding="utf-8",
    )
    code, out, _ = invoke(str(artifact))
    assert code == 2
    assert "the command 'whoami' is not modelled" in out


def test_artifact_calls_need_the_callee(tmp_path: Path, reference_dir: Path) -> None:
    monitor = reference_dir / "upstream" / "Windows.Remediation.QuarantineMonitor.yaml"
    quarantine = reference_dir / "upstream" / "Windows.Remediation.Quarantine.yaml"
    code, out, _ = invoke(str(monitor))
    assert code == 2 and "Artifact Windows.Remediation.Quarantine not found" in out
    code, out, _ = invoke(str(monitor), "--with", str(quarantine))
    assert code == 0
    assert "1 atexit() query(ies) would run" in out
    assert "VelociraptorQuarantine connection test successful." in out


def test_a_parameter_the_artifact_does_not_declare_is_a_usage_error() -> None:
    code, out, err = invoke(str(DEFAULT_PROFILE), "--param", "Nope=1")
    assert code == 2
    assert "Nope" in err
    assert "PolicyName" in err  # the declared parameters are named
    assert "Outcome" not in out


def test_netsh_fail_past_the_last_netsh_command_is_not_as_expected() -> None:
    code, out, _ = invoke(str(DEFAULT_PROFILE), "--scenario", "netsh-fail:999")
    assert code == 1
    assert "netsh command 999 never ran: only " in out
    assert "Outcome: NOT as expected" in out


def test_netsh_fail_within_the_run_still_counts_as_injected() -> None:
    code, out, _ = invoke(str(DEFAULT_PROFILE), "--scenario", "netsh-fail:2")
    assert "never ran" not in out
    assert code == 0


def _negative_scenario(tmp_path: Path, base: str, answer: str, expect: str) -> str:
    path = tmp_path / f"{base}-{answer}.yaml"
    path.write_text(
        f"base: {base}\nnegative_answer: {answer}\n"
        "params: {NegativeCheckURL: 'https://www.example.com/'}\n"
        f"expect: {{{expect}}}\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("http", "is still reachable (HTTP 200)"),
        ("tls-error", "(curl exit code 35)"),
    ],
)
def test_an_unenforced_policy_is_noticed_whatever_the_outside_host_answers(
    tmp_path: Path, answer: str, fragment: str
) -> None:
    scenario = _negative_scenario(tmp_path, "policy-not-enforced", answer, "policy_assigned: false")
    code, out, _ = invoke(str(DEFAULT_PROFILE), "-s", scenario, "--output-format", "json")
    assert code == 0, out
    data = json.loads(out)
    (negative,) = [r for r in data["rows"] if r["Step"] == "negative check"]
    assert negative["Status"] == "failed" and fragment in negative["Result"]
    assert data["final_state"]["assigned_policy"] is None


@pytest.mark.parametrize("answer", ["http", "refused", "tls-error"])
def test_an_enforced_policy_times_the_negative_probe_out(tmp_path: Path, answer: str) -> None:
    scenario = _negative_scenario(tmp_path, "success", answer, "policy_assigned: true")
    code, out, _ = invoke(str(DEFAULT_PROFILE), "-s", scenario, "--output-format", "json")
    assert code == 0, out
    (negative,) = [r for r in json.loads(out)["rows"] if r["Step"] == "negative check"]
    assert negative["Status"] == "ok" and "curl exit code 28" in negative["Result"]


@pytest.mark.parametrize(
    ("base", "answer", "rc"),
    [("success", "no-dns", 6), ("policy-not-enforced", "refused", 7)],
)
def test_a_negative_probe_that_proves_nothing_is_a_warning(
    tmp_path: Path, base: str, answer: str, rc: int
) -> None:
    # A refusal (7) may be a local filter failing connect() at once: kept, with a warning.
    scenario = _negative_scenario(tmp_path, base, answer, "policy_assigned: true")
    code, out, _ = invoke(str(DEFAULT_PROFILE), "-s", scenario, "--output-format", "json")
    assert code == 0, out
    (negative,) = [r for r in json.loads(out)["rows"] if r["Step"] == "negative check"]
    assert negative["Status"] == "warning" and f"curl exit code {rc}" in negative["Result"]


def test_an_unknown_negative_answer_is_refused(tmp_path: Path) -> None:
    scenario = _negative_scenario(tmp_path, "success", "maybe", "policy_assigned: true")
    code, _, err = invoke(str(DEFAULT_PROFILE), "-s", scenario)
    assert code == 2
    assert "negative_answer: one of http, refused, tls-error, timeout, no-dns" in err


def test_a_vql_syntax_error_is_reported_at_the_artifact_files_line_and_column(
    tmp_path: Path,
) -> None:
    artifact = tmp_path / "bad.yaml"
    artifact.write_text(
        "name: Test.Bad\n"
        "precondition: SELECT * FROM info() WHERE OS =~\n"
        "sources:\n"
        "  - query: |\n"
        "      LET a = 1\n"
        "      SELECT * FROM info() WHERE ;\n",
        encoding="utf-8",
    )
    code, out, err = invoke(str(artifact))
    assert code == 2
    assert out == ""
    assert f"{artifact}:6:34: error: VQL syntax error in query of source '#1'" in err
    assert f"{artifact}:2:" in err  # the precondition's error too, in the same run
    assert "remove the ';'" in err
    lint = CliRunner().invoke(main, ["lint", str(artifact)])
    assert f"{artifact}:6:34:" in lint.stdout


def test_a_scenario_plugin_row_that_is_not_a_mapping_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "rows.yaml"
    scenario.write_text("plugin_results: {pslist: [[{Pid: 4}], [4]]}\n", encoding="utf-8")
    code, out, err = invoke(str(DEFAULT_PROFILE), "--scenario", str(scenario))
    assert code == 2
    assert out == ""
    assert f"{scenario}: invalid scenario" in err
    assert "plugin_results: pslist: call 2, row 1 is not a mapping (got 4)" in err


def test_text_output_shows_each_step_once_and_brackets_ipv6_ports() -> None:
    from pathlib import Path

    from vr_quarantine.cli import main

    from tests.clirunner import CliRunner

    example = (
        Path(__file__).resolve().parent.parent / "examples" / "engagement-jumphost-share-ipv6.yaml"
    )
    output = CliRunner().invoke(main, ["simulate", str(example)]).stdout
    assert "  permit Velociraptor server [2001:db8:10::20]:8000 | ok\n" in output
    assert "tcp me -> [2001:db8:10::20]:8000 (mirrored)" in output
    assert "[2001:db8:20::50-2001:db8:20::51]:445" in output
    assert "tcp me -> 192.0.2.10:8000 (mirrored)" in output
