"""`collect` against the gRPC test server: launch, bounded wait, rows and logs per client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.errors import VrqError
from vr_quarantine.server import ApiClient, collect, load_api_config

from tests.clirunner import CliRunner, Result
from tests.velociraptor_fake import (
    Q_CLIENT,
    Q_FETCH,
    Q_LAUNCH,
    Q_LOGS,
    Q_RESULTS,
    Q_STATE,
    ClientPlan,
    FakeVelociraptor,
    Pki,
    Running,
    write_api_config,
)

runner = CliRunner()
ARTIFACT = "Custom.Windows.Remediation.Quarantine"
ALPHA, BRAVO, GHOST = "C.0123456789abcdef", "C.fedcba9876543210", "C.00000000deadbeef"
ROW = {"Step": "connectivity check", "Result": "server reachable", "Quarantined": True}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki.create()


@pytest.fixture
def server(pki: Pki) -> Iterator[Running]:
    api = FakeVelociraptor()
    api.artifacts[ARTIFACT] = {
        "type": "client",
        "parameters": [{"name": "RemovePolicy"}, {"name": "MessageBox"}],
        "raw": "name: " + ARTIFACT,
    }
    api.clients[ALPHA] = ClientPlan("WS-ALPHA", rows=(ROW,), logs=("Policy assigned",))
    api.clients[BRAVO] = ClientPlan(
        "WS-BRAVO", states=("RUNNING", "ERROR"), status="netsh failed: exit 1", logs=("boom",)
    )
    running = Running(api, pki)
    yield running
    running.stop()


@pytest.fixture
def config(tmp_path: Path, pki: Pki, server: Running) -> Path:
    return write_api_config(tmp_path / "api.config.yaml", pki, server.address)


def run(config: Path, *args: str) -> Result:
    return runner.invoke(main, ["collect", "--api-config", str(config), "-a", ARTIFACT, *args])


def test_one_client_finishes_with_rows_and_logs(server: Running, config: Path) -> None:
    result = run(config, ALPHA, "--param", 'MessageBox=It\'s "isolated" })', "--wait", "5")
    assert result.exit_code == 0, result.output
    assert f"{ALPHA} (WS-ALPHA): FINISHED, flow F.TEST0001, 1 row(s)" in result.stdout
    assert '  row: {"Step": "connectivity check"' in result.stdout
    assert "  log: 2026-01-01T00:00:00Z INFO: Policy assigned" in result.stdout
    assert "1 finished, 0 not" in result.stdout
    seen = [(r.vql[0], r.env) for r in server.api.requests]
    flow = {"ClientId": ALPHA, "FlowId": "F.TEST0001"}
    parameters = json.dumps({"MessageBox": 'It\'s "isolated" })'})
    assert seen == [
        (Q_FETCH, {"Name": ARTIFACT}),
        (Q_CLIENT, {"ClientId": ALPHA}),
        (Q_LAUNCH, {"ClientId": ALPHA, "Artifact": ARTIFACT, "Parameters": parameters}),
        (Q_STATE, flow),
        (Q_STATE, flow),
        (Q_STATE, flow),
        (Q_RESULTS, {**flow, "Source": ARTIFACT}),
        (Q_LOGS, flow),
    ]
    assert server.api.flows["F.TEST0001"].parameters == {"MessageBox": 'It\'s "isolated" })'}


def test_json_output_per_client(server: Running, config: Path) -> None:
    result = run(config, ALPHA, BRAVO, GHOST, "-f", "json", "--wait", "5")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["artifact"] == ARTIFACT
    by_id = {c["client_id"]: c for c in doc["clients"]}
    assert by_id[ALPHA]["state"] == "FINISHED" and by_id[ALPHA]["rows"] == [ROW]
    assert by_id[ALPHA]["error"] is None
    assert by_id[BRAVO]["state"] == "ERROR"
    assert by_id[BRAVO]["error"] == "netsh failed: exit 1"
    assert by_id[BRAVO]["logs"][0]["message"] == "boom"
    assert by_id[GHOST]["state"] == "UNKNOWN CLIENT" and by_id[GHOST]["flow_id"] == ""
    # No flow was launched for the unknown client.
    assert {r.env.get("ClientId") for r in server.api.requests if r.vql[0] == Q_LAUNCH} == {
        ALPHA,
        BRAVO,
    }


def test_wait_is_bounded_and_says_the_flow_goes_on(server: Running, config: Path, pki: Pki) -> None:
    server.api.clients[ALPHA] = ClientPlan("WS-ALPHA", states=("RUNNING", "WAITING"))
    api_config = load_api_config(config)
    ticks = iter(range(1000))
    with ApiClient(api_config, command="collect", timeout=5) as api:
        report = collect(
            api,
            [ALPHA],
            ARTIFACT,
            {},
            wait=3,
            clock=lambda: float(next(ticks)),
            sleep=lambda s: None,
        )
    entry = report.clients[0]
    assert not report.ok and entry.state == "WAITING"
    assert entry.error is not None and "goes on on the server as flow F.TEST0001" in entry.error
    states = [r for r in server.api.requests if r.vql[0] == Q_STATE]
    assert 1 <= len(states) <= 4
    assert not [r for r in server.api.requests if r.vql[0] == Q_RESULTS]
    # Through the command line, a short --wait returns promptly with exit 1.
    cli = run(config, ALPHA, "--wait", "0.2")
    assert cli.exit_code == 1 and "not finished after 0.2 s" in cli.stdout


def test_no_wait_launches_and_returns(server: Running, config: Path) -> None:
    result = run(config, ALPHA, "--wait", "0")
    assert result.exit_code == 1
    assert "RUNNING, flow F.TEST0001" in result.stdout
    assert not [r for r in server.api.requests if r.vql[0] == Q_STATE]


def test_unknown_artifact_is_refused_before_launching(server: Running, config: Path) -> None:
    result = runner.invoke(
        main, ["collect", "--api-config", str(config), "-a", "Custom.Nope", ALPHA]
    )
    assert result.exit_code == 2
    assert "the server has no artifact named 'Custom.Nope'" in result.stderr
    assert [r.vql[0] for r in server.api.requests] == [Q_FETCH]


def test_unknown_parameter_is_refused(server: Running, config: Path) -> None:
    result = run(config, ALPHA, "-p", "RemovePolcy=Y")
    assert result.exit_code == 2
    assert "has no parameter RemovePolcy" in result.stderr
    assert "its parameters: RemovePolicy, MessageBox" in result.stderr


def test_event_artifacts_are_not_collected(server: Running, config: Path) -> None:
    server.api.artifacts[ARTIFACT]["type"] = "client_event"
    result = run(config, ALPHA)
    assert result.exit_code == 2 and "is a client_event artifact" in result.stderr


@pytest.mark.parametrize("bad", ["server", "C.ABC", "C.12 ; x", "12345", "C."])
def test_client_ids_are_checked_locally(server: Running, config: Path, bad: str) -> None:
    result = run(config, bad)
    assert result.exit_code == 2 and "not a Velociraptor client id" in result.stderr
    assert server.api.requests == []


def test_bad_params_and_formats(config: Path) -> None:
    assert "is not K=V" in run(config, ALPHA, "-p", "novalue").stderr
    assert "given twice" in run(config, ALPHA, "-p", "A=1", "-p", "A=2").stderr
    assert run(config, ALPHA, "-f", "xml").exit_code == 2
    no_artifact = runner.invoke(main, ["collect", "--api-config", str(config), ALPHA])
    assert no_artifact.exit_code == 2 and "--artifact NAME" in no_artifact.stderr


def test_launch_refused_for_lack_of_permission(server: Running, config: Path) -> None:
    server.api.permissions.discard("COLLECT_CLIENT")
    result = run(config, ALPHA)
    assert result.exit_code == 1
    assert "REFUSED" in result.stdout
    assert "collect_client: PermissionDenied: Permission denied: [COLLECT_CLIENT]" in result.stdout
    assert "needs COLLECT_CLIENT" in result.stdout


def test_reading_refused_for_lack_of_permission(server: Running, config: Path) -> None:
    server.api.permissions.discard("READ_RESULTS")
    result = run(config, ALPHA)
    assert result.exit_code == 1
    assert "Permission denied: [READ_RESULTS]" in result.stderr


def test_collect_checks_its_inputs_before_connecting(config: Path) -> None:
    api_config = load_api_config(config)
    with pytest.raises(VrqError, match="no CLIENT_ID"), ApiClient(api_config, command="x") as api:
        collect(api, [], ARTIFACT, {}, wait=1)
