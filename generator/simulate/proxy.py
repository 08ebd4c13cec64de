"""The Velociraptor client's effective proxy: which proxy (if any) it uses for a server URL.

Platform-neutral: the same client code runs on Windows, Linux and macOS. This is the model the
simulator uses for the *real* connection path of the client (the artifact computes its own view
in VQL; when they disagree, the simulation shows the lock-out). Sources:

- ``utils/proxy/proxy.go`` (Velocidex/velociraptor): ``ConfigureClientProxy`` uses
  ``Client.proxy_config`` when it is set, else ``Client.proxy`` as both the http and https proxy,
  else leaves the default handler; ``configureProxy``: a PAC file wins over everything; then the
  per-URL rules (``proxy_url_regexp``, regexes compiled with ``(?i)``, an empty target meaning
  "direct", kept in a Go map so that their order is random); then the HTTP_PROXY/HTTPS_PROXY
  environment (unless ``ignore_environment``) wins over ``http``/``https``, and an empty one of
  the two is copied from the other; values are parsed with ``url.Parse`` as they are.
- ``http_comms/comms.go``: the default handler is Go's ``http.ProxyFromEnvironment``
  (golang.org/x/net/http/httpproxy ``FromEnvironment``: HTTPS_PROXY for https requests only,
  NO_PROXY, never for localhost or loopback addresses, a value that is not an http, https or
  socks5 URL gets ``http://``; a CGI process, one with REQUEST_METHOD set, refuses HTTP_PROXY
  for http requests).
- Both read each variable as ``getEnvAny(UPPER, lower)``: the uppercase name when it is set and
  not empty, else the lowercase one (``utils/proxy/proxy.go`` and httpproxy alike).
- gorilla/websocket ``client.go``: a ``wss://`` URL is handed to the proxy function as
  ``https://``.
- ``os.Getenv`` (`ProcessEnvironment`): environment variable names are case-insensitive on
  Windows only, so HTTPS_PROXY and https_proxy are one variable there and two elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import VrqError
from ..vql.eval import GoUrl

DEFAULT_PROXY_PORTS = {"http": 80, "https": 443, "socks5": 1080}
"""Go net/http ``transport.go`` portMap: a proxy URL without a port uses its scheme's port."""

REQUEST_PATHS = ("server.pem", "control", "reader")
"""The paths the client requests from a server URL (``http_comms``), used to check that a
per-URL rule treats the whole server alike."""


@dataclass(frozen=True)
class ProxyChoice:
    """Every proxy the client may use for one URL: None means a direct connection. More than
    one choice when Velociraptor's own choice is random (overlapping per-URL rules). `error`:
    the proxy function fails every request to the URL (no connection at all)."""

    choices: tuple[str | None, ...]
    source: str
    error: str = ""

    @property
    def direct(self) -> bool:
        return self.choices == (None,) and not self.error


@dataclass(frozen=True)
class ProcessEnvironment:
    """A process's environment as Go's ``os.Getenv`` reads it. On Windows a name is looked up
    case-insensitively (Go ``syscall/env_windows.go``: ``GetEnvironmentVariable``; Microsoft,
    "about_Environment_Variables": "environment variable names are case-insensitive" on
    Windows), so HTTPS_PROXY and https_proxy are one variable. On Linux and macOS the lookup
    is exact (``syscall/env_unix.go``: a map of the names as given), so they are two."""

    variables: Mapping[str, str]
    windows: bool

    @classmethod
    def of(cls, variables: Mapping[str, str], os_name: str) -> ProcessEnvironment:
        return cls(variables, windows=os_name == "windows")

    def get(self, name: str) -> str:
        """``os.Getenv``: "" when the variable is unset."""
        if not self.windows:
            return str(self.variables.get(name, ""))
        wanted = name.upper()
        for key, value in self.variables.items():
            if key.upper() == wanted:
                return str(value)
        return ""

    def get_any(self, *names: str) -> str:
        """``getEnvAny`` (``utils/proxy/proxy.go``, golang.org/x/net/http/httpproxy): the
        first of `names` that is set and not empty."""
        for name in names:
            value = self.get(name)
            if value:
                return value
        return ""

    def names_set(self, *names: str) -> str:
        """Which of `names` ``get_any`` read ("" when none is set)."""
        return next((name for name in names if self.get(name)), "")


def _request_scheme(url: str) -> str:
    scheme = GoUrl.parse(url).Scheme
    return {"wss": "https", "ws": "http"}.get(scheme, scheme)


def _go_url_parse(value: str, what: str) -> str:
    """``url.Parse`` as configureProxy uses it: no scheme guessing; a value it cannot use as a
    proxy makes the client's proxy set-up fail, which the simulator does not model."""
    parsed = GoUrl.parse(value)
    if parsed.Scheme not in DEFAULT_PROXY_PORTS or not parsed.Host:
        raise VrqError(
            f"simulated client: the proxy {what}={value!r} is not a URL Velociraptor's proxy "
            "set-up can use (utils/proxy/proxy.go parses it with url.Parse)",
            hint="write the proxy as http://host:port/",
        )
    return value


def client_proxy(
    client_config: Mapping[str, Any],
    environ: ProcessEnvironment,
    url: str,
    *,
    pac_answer: str | None = None,
) -> ProxyChoice:
    """The proxy the client uses for `url`, following ``ConfigureClientProxy``."""
    proxy_config = client_config.get("proxy_config")
    if isinstance(proxy_config, Mapping):
        return _configured(proxy_config, environ, url, pac_answer, "proxy_config")
    proxy = str(client_config.get("proxy") or "")
    if proxy:
        return _configured({"http": proxy, "https": proxy}, environ, url, None, "proxy")
    return _from_environment(environ, url)


def _configured(
    config: Mapping[str, Any],
    environ: ProcessEnvironment,
    url: str,
    pac_answer: str | None,
    source: str,
) -> ProxyChoice:
    scheme = _request_scheme(url)
    pac = str(config.get("pac") or "")
    if pac:
        return ProxyChoice((_pac_choice(pac_answer or "DIRECT", scheme),), f"PAC file {pac}")
    rules = config.get("proxy_url_regexp") or {}
    if isinstance(rules, Mapping) and rules:
        matched: list[str | None] = []
        for pattern, target in rules.items():
            if re.search("(?i)" + str(pattern), GoUrl.parse(url).string()):
                matched.append(_go_url_parse(str(target), "proxy_url_regexp") if target else None)
        if matched:
            unique = tuple(dict.fromkeys(matched))
            return ProxyChoice(unique, f"{source}.proxy_url_regexp")
    http = https = ""
    origin = source
    if not config.get("ignore_environment"):
        http = environ.get_any("HTTP_PROXY", "http_proxy")
        https = environ.get_any("HTTPS_PROXY", "https_proxy")
        if http or https:
            origin = "environment"
    if not http and config.get("http"):
        http = str(config["http"])
    if not https and config.get("https"):
        https = str(config["https"])
    http = http or https
    https = https or http
    chosen = {"http": http, "https": https}.get(scheme, "")
    if not chosen:
        return ProxyChoice((None,), source)
    return ProxyChoice((_go_url_parse(chosen, origin),), origin)


def _pac_choice(answer: str, scheme: str) -> str | None:
    """``PacHandler.Handle``: only the first option is used (no fail-over)."""
    first = answer.split(";")[0].strip().split(" ")
    verb = first[0].upper()
    if verb == "DIRECT" or not answer.strip():
        return None
    if len(first) > 1 and verb in ("HTTP", "HTTPS", "PROXY"):
        proxy_scheme = scheme if verb == "PROXY" else verb.lower()
        return f"{proxy_scheme}://{first[1]}"
    raise VrqError(f"simulated client: unsupported PAC answer {answer!r} (PacProxyHandler)")


def _from_environment(environ: ProcessEnvironment, url: str) -> ProxyChoice:
    """Go's ``http.ProxyFromEnvironment`` (golang.org/x/net/http/httpproxy ``FromEnvironment``
    and ``proxyForURL``): HTTPS_PROXY (or https_proxy) for https requests, HTTP_PROXY (or
    http_proxy) for http ones, refused for http in a CGI process; NO_PROXY (or no_proxy)."""
    scheme = _request_scheme(url)
    if scheme == "https":
        value = environ.get_any("HTTPS_PROXY", "https_proxy")
    elif scheme == "http":
        value = environ.get_any("HTTP_PROXY", "http_proxy")
    else:
        value = ""
    if not value:
        return ProxyChoice((None,), "no proxy")
    parsed = GoUrl.parse(value)
    if parsed.Scheme not in DEFAULT_PROXY_PORTS:
        # parseProxy: a value that is not an http, https or socks5 URL is read as http://value.
        value = "http://" + value
    if scheme == "http" and environ.get("REQUEST_METHOD"):
        return ProxyChoice(
            (),
            "environment",
            error="refusing to use HTTP_PROXY value in CGI environment",
        )
    host = str(GoUrl.parse(url).member("Hostname")[1]).lower()
    if not _use_proxy(host, environ.get_any("NO_PROXY", "no_proxy")):
        return ProxyChoice((None,), "NO_PROXY")
    return ProxyChoice((value,), "environment")


def _use_proxy(host: str, no_proxy: str) -> bool:
    if host == "localhost":
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and ip.is_loopback:
        return False
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return False
        if "/" in entry and ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return False
            except ValueError:
                pass
            continue
        name = entry.split(":")[0] if entry.count(":") == 1 else entry
        if name.startswith("*."):
            name = name[1:]
        if name.startswith("."):
            if host.endswith(name):
                return False
        elif host == name or host.endswith("." + name):
            return False
    return True


def proxy_endpoint(proxy_url: str) -> tuple[str, int]:
    """(host, port) of a proxy URL; the scheme's default port when none is given."""
    parsed = GoUrl.parse(proxy_url)
    host = str(parsed.member("Hostname")[1])
    port_text = str(parsed.member("Port")[1])
    port = int(port_text) if port_text.isdigit() else DEFAULT_PROXY_PORTS.get(parsed.Scheme, 80)
    return host, port
