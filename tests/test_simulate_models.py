"""The simulator's models of Velociraptor, Windows, curl and the network, against their sources.

The proxy cases are Velociraptor's own (utils/proxy/proxy_test.go); execve follows
vql/tools/shell/execve.go; curl its manual. Every modelled behaviour names its source in a
docstring (checked below), so a reviewer can hold the model against it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from types import ModuleType

import pytest
from vr_quarantine.errors import VrqError
from vr_quarantine.simulate import client, collection, curl, endpoint, host, netsh, network, proxy
from vr_quarantine.simulate.endpoint import WindowsEndpoint
from vr_quarantine.simulate.host import execve_rows
from vr_quarantine.simulate.platforms import make_endpoint
from vr_quarantine.simulate.proxy import ProcessEnvironment, client_proxy
from vr_quarantine.simulate.scenario import resolve_scenario, scenario_from_data

# ---------------------------------------------------------------- proxy.go


def win_env(variables: dict[str, str]) -> ProcessEnvironment:
    return ProcessEnvironment(variables, windows=True)


def unix_env(variables: dict[str, str]) -> ProcessEnvironment:
    return ProcessEnvironment(variables, windows=False)


def test_proxy_not_configured_is_direct() -> None:
    # TestProxyNotConfigured: an empty ProxyConfig gives a direct connection.
    choice = client_proxy({"proxy_config": {}}, win_env({}), "https://www.google.com/")
    assert choice.direct


def test_per_url_rules_win_and_one_proxy_serves_both_schemes() -> None:
    # TestProxyConfigured: only http is set; it serves https too; per-URL rules first.
    config = {
        "proxy_config": {
            "http": "http://localhost:3128",
            "proxy_url_regexp": {
                "www.google.com": "",
                "www.microsoft.com": "https://proxy.microsoft.com",
            },
        }
    }
    assert client_proxy(config, win_env({}), "https://www.ms.com/").choices == (
        "http://localhost:3128",
    )
    assert client_proxy(config, win_env({}), "https://www.google.com/").direct
    assert client_proxy(config, win_env({}), "https://www.microsoft.com/").choices == (
        "https://proxy.microsoft.com",
    )


def test_the_environment_overrides_the_config_unless_ignored() -> None:
    # TestProxyConfiguredOverrideEnv.
    config = {"proxy_config": {"http": "http://localhost:3128", "https": "https://localhost:3128"}}
    env = {"HTTP_PROXY": "http://proxy.google.com"}
    assert client_proxy(config, win_env(env), "http://www.ms.com/").choices == (
        "http://proxy.google.com",
    )
    assert client_proxy(config, win_env(env), "https://www.ms.com/").choices == (
        "https://localhost:3128",
    )
    ignored = {"proxy_config": {**config["proxy_config"], "ignore_environment": True}}
    assert client_proxy(ignored, win_env(env), "http://www.ms.com/").choices == (
        "http://localhost:3128",
    )


def test_pac_answers_use_the_first_option_only() -> None:
    # TestPACConfiguration / PacHandler.Handle: no fail-over, PROXY keeps the request scheme.
    config = {"proxy_config": {"pac": "http://wpad/wpad.dat"}}
    assert client_proxy(config, win_env({}), "https://x/", pac_answer="DIRECT").direct
    assert client_proxy(
        config, win_env({}), "https://x/", pac_answer="PROXY p:8080; DIRECT"
    ).choices == ("https://p:8080",)
    assert client_proxy(config, win_env({}), "https://x/", pac_answer="HTTP p:8080").choices == (
        "http://p:8080",
    )


def test_client_proxy_is_both_schemes_and_the_environment_still_wins() -> None:
    config = {"proxy": "http://10.0.0.1:3128"}
    assert client_proxy(config, win_env({}), "wss://srv/").choices == ("http://10.0.0.1:3128",)
    env = {"https_proxy": "http://10.0.0.2:8080"}  # Windows names are case-insensitive
    assert client_proxy(config, win_env(env), "https://srv/").choices == ("http://10.0.0.2:8080",)


def test_without_config_go_proxy_from_environment_applies() -> None:
    env = {"HTTPS_PROXY": "10.0.0.2:8080", "NO_PROXY": ".corp.example,other.example"}
    assert client_proxy({}, win_env(env), "https://srv.example/").choices == (
        "http://10.0.0.2:8080",
    )
    assert client_proxy({}, win_env(env), "https://a.corp.example/").direct
    assert client_proxy({}, win_env(env), "https://corp.example/").choices != (None,)
    assert client_proxy({}, win_env(env), "https://x.other.example/").direct
    assert client_proxy({}, win_env(env), "https://127.0.0.1/").direct
    assert client_proxy({}, win_env({"HTTP_PROXY": "http://p:1"}), "https://srv/").direct


def test_environment_names_are_read_as_get_env_any_on_each_platform() -> None:
    # utils/proxy/proxy.go and httpproxy.FromEnvironment: getEnvAny(UPPER, lower); os.Getenv
    # is case-insensitive on Windows only.
    lower = {"https_proxy": "http://10.0.0.9:3128"}
    for env in (unix_env(lower), win_env(lower)):
        assert client_proxy({}, env, "https://srv/").choices == ("http://10.0.0.9:3128",)
        assert client_proxy({"proxy": "http://10.0.0.1:3128"}, env, "wss://srv/").choices == (
            "http://10.0.0.9:3128",
        )
    both = unix_env({"HTTPS_PROXY": "http://10.0.0.8:3128", "https_proxy": "http://10.0.0.9:1"})
    assert client_proxy({}, both, "https://srv/").choices == ("http://10.0.0.8:3128",)
    empty_upper = unix_env({"HTTPS_PROXY": "", "https_proxy": "http://10.0.0.9:1"})
    assert client_proxy({}, empty_upper, "https://srv/").choices == ("http://10.0.0.9:1",)
    mixed = {"Https_Proxy": "http://10.0.0.7:3128"}
    assert client_proxy({}, unix_env(mixed), "https://srv/").direct, "Linux: another variable"
    assert client_proxy({}, win_env(mixed), "https://srv/").choices == ("http://10.0.0.7:3128",)
    exempt = {"HTTPS_PROXY": "http://10.0.0.8:3128", "no_proxy": "srv.example"}
    assert client_proxy({}, unix_env(exempt), "https://srv.example/").direct


def test_a_cgi_process_refuses_the_http_proxy_for_http_requests_only() -> None:
    # httpproxy proxyForURL: REQUEST_METHOD set and an http proxy for an http request.
    env = unix_env({"http_proxy": "http://10.0.0.8:3128", "REQUEST_METHOD": "GET"})
    assert client_proxy({}, env, "http://srv/").error
    assert not client_proxy({}, env, "http://srv/").direct
    assert client_proxy({}, env, "https://srv/").direct


def test_an_environment_proxy_that_is_not_a_proxy_url_is_read_as_http() -> None:
    # httpproxy parseProxy: not an http, https or socks5 URL -> "http://" + value.
    for value, expected in (
        ("proxy.corp:3128", "http://proxy.corp:3128"),
        ("10.0.0.2:8080", "http://10.0.0.2:8080"),
        ("socks5://10.0.0.2:1080", "socks5://10.0.0.2:1080"),
    ):
        env = unix_env({"HTTPS_PROXY": value})
        assert client_proxy({}, env, "https://srv/").choices == (expected,)


def test_overlapping_rules_leave_the_choice_open() -> None:
    config = {"proxy_config": {"proxy_url_regexp": {"srv": "http://a:1", "example": "http://b:2"}}}
    assert set(client_proxy(config, win_env({}), "https://srv.example/").choices) == {
        "http://a:1",
        "http://b:2",
    }


def test_an_unparsable_configured_proxy_is_not_guessed() -> None:
    with pytest.raises(VrqError, match=r"url\.Parse"):
        client_proxy({"proxy": "10.0.0.1:3128"}, win_env({}), "https://srv/")


# ---------------------------------------------------------------- execve.go


def test_execve_rows_are_cut_at_length_and_the_last_is_complete() -> None:
    rows = execve_rows("a" * 25, "e" * 3, 7, 10)
    assert [r["Stdout"] for r in rows] == ["a" * 10, "a" * 10, "a" * 5]
    assert [r["Complete"] for r in rows] == [False, False, True]
    assert rows[-1]["ReturnCode"] == 7 and rows[-1]["Stderr"] == "eee"


def _endpoint(**changes: object) -> WindowsEndpoint:
    return WindowsEndpoint(replace(resolve_scenario("success"), **changes))


def test_a_missing_program_gives_one_incomplete_row_with_return_code_1() -> None:
    host = _endpoint(files=())
    rows = host.plugin("execve", {"argv": ["C:\\Windows\\System32\\curl.exe", "https://x/"]})
    assert rows == [
        {
            "Stdout": "",
            "Stderr": 'exec: "C:\\Windows\\System32\\curl.exe": file does not exist',
            "ReturnCode": 1,
            "Complete": False,
        }
    ]


def test_prevent_execve_runs_nothing_and_returns_no_row() -> None:
    host = _endpoint(client_config={"server_urls": [], "prevent_execve": True})
    assert host.plugin("execve", {"argv": ["netsh", "ipsec", "static", "show", "all"]}) == []
    assert host.commands == []


def test_msg_exit_and_absence_are_modelled() -> None:
    assert (
        _endpoint(msg_exit=1).plugin("execve", {"argv": ["msg", "*", "x"]})[-1]["ReturnCode"] == 1
    )
    missing = _endpoint(msg_missing=True).plugin("execve", {"argv": ["msg", "*", "x"]})
    assert missing is not None and missing[0]["Complete"] is False


def test_a_wmi_error_returns_no_row() -> None:
    query = "SELECT Name, State FROM Win32_Service WHERE Name = 'PolicyAgent'"
    assert _endpoint(wmi_error=True).plugin("wmi", {"query": query}) == []
    assert _endpoint().plugin("wmi", {"query": query}) == [
        {"Name": "PolicyAgent", "State": "Running"}
    ]


def test_environ_is_case_insensitive_and_empty_when_unset() -> None:
    host = _endpoint(environment={"Https_Proxy": "http://p:1"})
    assert host.function("environ", {"var": "HTTPS_PROXY"}) == (True, "http://p:1")
    assert host.function("environ", {"var": "NO_PROXY"}) == (True, "")


@pytest.mark.parametrize("os_name", ["linux", "darwin"])
def test_environ_names_are_case_sensitive_on_linux_and_macos(os_name: str) -> None:
    host = make_endpoint(
        replace(resolve_scenario("success"), os=os_name, environment={"https_proxy": "http://p:1"})
    )
    assert host.function("environ", {"var": "HTTPS_PROXY"}) == (True, "")
    assert host.function("environ", {"var": "https_proxy"}) == (True, "http://p:1")


# ---------------------------------------------------------------- curl and the network


def _curl(host: WindowsEndpoint, *args: str) -> tuple[int, str]:
    rows = host.plugin("execve", {"argv": ["C:\\Windows\\System32\\curl.exe", *args]})
    assert rows is not None
    return int(rows[-1]["ReturnCode"]), str(rows[-1]["Stdout"]) + str(rows[-1]["Stderr"])


def test_sni_frontend_answers_only_a_request_that_names_it() -> None:
    host = _endpoint(sni_required=True)
    assert _curl(host, "--noproxy", "*", "https://192.0.2.10:8000/server.pem")[0] == 35
    assert _curl(
        host,
        "--noproxy",
        "*",
        "--connect-to",
        "velociraptor.example.com:8000:192.0.2.10:8000",
        "https://velociraptor.example.com:8000/server.pem",
    ) == (0, "200")


def test_curl_uses_the_environment_proxy_unless_told_otherwise() -> None:
    host = _endpoint(
        environment={"HTTPS_PROXY": "http://203.0.113.9:3128"}, proxies={"203.0.113.9:3128": False}
    )
    url = "https://velociraptor.example.com:8000/server.pem"
    assert _curl(host, url)[0] == 56, "through the proxy, which cannot reach the server"
    assert _curl(host, "--noproxy", "*", url) == (0, "200")


def test_curl_no_proxy_exempts_even_from_proxy_unless_noproxy_replaces_it() -> None:
    # curl manual: NO_PROXY "disables use of the proxy even when specified with the --proxy
    # option"; --noproxy overrides it, "" meaning no host is exempt.
    host = _endpoint(environment={"NO_PROXY": "example.com"}, proxies={"203.0.113.9:3128": False})
    url = "https://velociraptor.example.com:8000/server.pem"
    assert _curl(host, "--proxy", "http://203.0.113.9:3128", url) == (0, "200"), "went direct"
    assert _curl(host, "--proxy", "http://203.0.113.9:3128", "--noproxy", "", url)[0] == 56


def test_curl_reads_the_lowercase_proxy_variable_first() -> None:
    # curl manual, ENVIRONMENT: "The lower case version has precedence."
    linux = make_endpoint(
        replace(
            resolve_scenario("success"),
            os="linux",
            environment={"https_proxy": "http://203.0.113.9:3128", "HTTPS_PROXY": "http://x:1"},
            proxies={"203.0.113.9:3128": False},
        )
    )
    rows = linux.plugin(
        "execve", {"argv": ["/usr/bin/curl", "https://velociraptor.example.com:8000/"]}
    )
    assert rows is not None and rows[-1]["ReturnCode"] == 56


def test_an_unlistening_proxy_address_times_out_and_ipv6_needs_connectivity() -> None:
    host = _endpoint(ipv6=False)
    url = "https://velociraptor.example.com:8000/server.pem"
    assert _curl(host, "--connect-timeout", "5", "--proxy", "http://198.51.100.1:3128", url)[0] in (
        56,
        28,
    )
    code, _ = _curl(host, "--noproxy", "*", "https://[2001:db8::10]:8000/server.pem")
    assert code == 7


def test_the_clock_advances_by_the_timeout_of_a_blocked_probe() -> None:
    host = _endpoint(server_answers=False)
    start = host.clock.now()
    _curl(
        host,
        "--connect-timeout",
        "12",
        "--max-time",
        "12",
        "--noproxy",
        "*",
        "https://velociraptor.example.com:8000/server.pem",
    )
    assert host.clock.now() - start == pytest.approx(12)


def test_scenario_files_take_the_new_fields_and_refuse_bad_ones() -> None:
    scenario = scenario_from_data(
        {
            "base": "env-proxy",
            "proxies": {"203.0.113.9:3128": False},
            "expect_one_of": [{"refused": True}],
        },
        "s.yaml",
    )
    assert scenario.proxies == {"203.0.113.9:3128": False}
    with pytest.raises(VrqError, match="proxies"):
        scenario_from_data({"proxies": {"nope": True}}, "s.yaml")
    with pytest.raises(VrqError, match="cancel_after"):
        scenario_from_data({"cancel_after": "later"}, "s.yaml")


# ---------------------------------------------------------------- every behaviour cites its source

_SOURCE = re.compile(
    r"(\.go\b|vfilter|velociraptor|Velociraptor issue|Microsoft|netsh-ipsec|curl|RFC \d+|"
    r"gorilla|golang\.org|Win32_|api/|http_comms)",
    re.IGNORECASE,
)


def _modelled(module: ModuleType) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, item in vars(module).items():
        if getattr(item, "__module__", None) != module.__name__ or name.startswith("__"):
            continue
        if inspect.isclass(item):
            found.append((name, item))
            for method_name, method in vars(item).items():
                if getattr(method, "__isabstractmethod__", False):
                    continue  # a declaration: each platform's implementation cites its source
                if method_name.startswith(("_plugin_", "_fn_")) or method_name in (
                    "decide",
                    "enforced",
                    "begin_collection",
                    "exit_query_starts",
                ):
                    found.append((f"{name}.{method_name}", method))
    return found


@pytest.mark.parametrize(
    "module",
    [host, endpoint, netsh, network, curl, proxy, client, collection],
    ids=lambda m: m.__name__,
)
def test_every_model_names_its_source(module: ModuleType) -> None:
    assert module.__doc__ and _SOURCE.search(module.__doc__), module.__name__
    missing = [
        name
        for name, item in _modelled(module)
        if name.startswith(("Endpoint.", "WindowsEndpoint."))
        and not _SOURCE.search(inspect.getdoc(item) or "")
    ]
    assert missing == [], f"modelled behaviours without a source: {missing}"
