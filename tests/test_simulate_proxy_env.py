"""The client's proxy from the environment on every platform, and proxy credentials in rows.

Velociraptor reads each proxy variable as ``getEnvAny("HTTPS_PROXY", "https_proxy")``
(``utils/proxy/proxy.go``, golang.org/x/net/http/httpproxy ``FromEnvironment``): on Linux and
macOS the lowercase name is a variable of its own, on Windows the same one. The artifacts (one
shared partial) must find the proxy the client really uses, or the probes go direct while the
client talks through a proxy that the quarantine blocks.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest
from vr_quarantine.render import render_artifacts
from vr_quarantine.simulate import resolve_scenario, simulate_artifact
from vr_quarantine.simulate.scenario import Scenario

from tests.test_render_support import permit, plain_profile

PLATFORMS = ("windows", "linux", "macos")
PROXY = "203.0.113.9"
SERVER = "https://velociraptor.example.com:8000/"


@functools.cache
def quarantine(platform: str, permit_proxy: bool) -> str:
    rules = (permit(PROXY, 3128, "Site proxy"),) if permit_proxy else ()
    rendered = render_artifacts(plain_profile(platforms=(platform,), rules=rules))
    text = rendered[0].text
    assert text is not None, rendered[0].diagnostics
    return text


def _scenario(environment: dict[str, str], **changes: Any) -> Scenario:
    return replace(
        resolve_scenario("success"),
        environment=environment,
        proxies={f"{PROXY}:3128": True},
        **changes,
    )


def _server_probes(result: Any) -> list[list[str]]:
    return [c.argv for c in result.commands if c.argv[-1].endswith("/server.pem")]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_lowercase_scenario_is_safe_on_every_platform(platform: str) -> None:
    result = simulate_artifact(quarantine(platform, False), resolve_scenario("env-proxy-lowercase"))
    assert result.ok, [c for c in result.checks if not c.ok]
    assert not result.state["locked_out"]
    assert result.state["refused"], "the proxy is not permitted: refused before any change"
    refusal = next(r["Result"] for r in result.rows if r["Status"] == "failed")
    variable = "HTTPS_PROXY" if platform == "windows" else "https_proxy"
    assert f"the environment variable {variable}" in refusal


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("name", ["https_proxy", "HTTPS_PROXY"])
def test_a_permitted_environment_proxy_is_probed_as_the_client_uses_it(
    platform: str, name: str
) -> None:
    result = simulate_artifact(
        quarantine(platform, True), _scenario({name: f"http://{PROXY}:3128"})
    )
    assert result.state["policy_assigned"] and result.state["server_reachable"]
    probes = _server_probes(result)
    assert probes and all(p[p.index("--proxy") + 1] == f"http://{PROXY}:3128" for p in probes)


@pytest.mark.parametrize("platform", ["linux", "macos"])
def test_the_uppercase_variable_wins_on_linux_and_macos(platform: str) -> None:
    # getEnvAny: the uppercase name when it is set and not empty.
    environment = {"HTTPS_PROXY": f"http://{PROXY}:3128", "https_proxy": "http://192.0.2.99:1"}
    result = simulate_artifact(quarantine(platform, True), _scenario(environment))
    assert result.state["policy_assigned"] and not result.state["locked_out"]
    assert all(f"{PROXY}:3128" in " ".join(p) for p in _server_probes(result))


@pytest.mark.parametrize("platform", ["linux", "macos"])
def test_the_lowercase_variable_wins_over_client_proxy(platform: str) -> None:
    # configureProxy: the environment (either case) wins over Client.proxy.
    client = {"server_urls": [SERVER], "proxy": "http://203.0.113.8:3128"}
    scenario = _scenario({"https_proxy": f"http://{PROXY}:3128"}, client_config=client)
    result = simulate_artifact(quarantine(platform, False), scenario)
    assert result.state["refused"] and not result.state["changed"]
    refusal = next(r["Result"] for r in result.rows if r["Status"] == "failed")
    assert f"http://{PROXY}:3128 (from the environment variable https_proxy)" in refusal


@pytest.mark.parametrize("platform", ["linux", "macos"])
def test_lowercase_no_proxy_exempts_the_server(platform: str) -> None:
    environment = {"HTTPS_PROXY": f"http://{PROXY}:3128", "no_proxy": "example.com"}
    result = simulate_artifact(quarantine(platform, False), _scenario(environment))
    assert result.state["policy_assigned"] and not result.state["locked_out"]
    assert all("--noproxy" in p and "*" in p for p in _server_probes(result))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_environment_no_proxy_cannot_turn_a_proxy_probe_direct(platform: str) -> None:
    # Client.proxy ignores NO_PROXY (configureProxy); curl honours it even with --proxy, so
    # the probe says --noproxy "" to take the client's path. The proxy cannot reach the
    # server: the run must roll back, not pass on the direct path.
    client = {"server_urls": [SERVER], "proxy": f"http://{PROXY}:3128"}
    scenario = replace(
        _scenario({"NO_PROXY": "example.com"}, client_config=client),
        proxies={f"{PROXY}:3128": False},
    )
    result = simulate_artifact(quarantine(platform, True), scenario)
    assert not result.state["policy_assigned"] and not result.state["locked_out"]
    probes = _server_probes(result)
    assert probes and all(p[p.index("--noproxy") + 1] == "" for p in probes)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_proxy_credentials_reach_curl_but_no_result_row(platform: str) -> None:
    secret_proxy = f"http://svc-dfir:S3cret@{PROXY}:3128"
    client = {"server_urls": [SERVER], "proxy": secret_proxy}
    result = simulate_artifact(quarantine(platform, True), _scenario({}, client_config=client))
    assert result.state["policy_assigned"] and result.state["server_reachable"]
    assert any(secret_proxy in p for p in _server_probes(result)), "execve gets the real URL"
    shown = " ".join(str(v) for row in result.rows for v in row.values())
    assert "S3cret" not in shown and "svc-dfir" not in shown
    assert f"http://xxxxx@{PROXY}:3128" in shown
    # execve itself logs the argv it runs "for auditing purposes" (vql/tools/shell/execve.go);
    # no other line of the log may carry them.
    ours = [line for line in result.logs if "execve: Running external command" not in line]
    assert "S3cret" not in " ".join(ours)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_credentials_of_a_refused_proxy_are_not_shown(platform: str) -> None:
    client = {"server_urls": [SERVER], "proxy": f"http://u:S3cret@{PROXY}:3128"}
    result = simulate_artifact(quarantine(platform, False), _scenario({}, client_config=client))
    assert result.state["refused"]
    shown = " ".join(str(v) for row in result.rows for v in row.values())
    assert "S3cret" not in shown and "S3cret" not in " ".join(result.logs)
    assert f"through the proxy http://xxxxx@{PROXY}:3128" in shown
