"""Whether the Velociraptor client itself can still reach its server (platform-neutral).

The client connects to each of its ``server_urls`` in turn and fails over between them
(``http_comms``), through the proxy `client_proxy` chooses (``utils/proxy/proxy.go``), with Go's
dialer trying every resolved address (``vql/networking/transport.go``, ``DualStack``), and Go's
TLS client sending the URL's host name as SNI (``crypto/tls``: ServerName is set from the
address being dialled unless it is an IP). The attempt is modelled with the curl model, given
the same route: a direct connection to every resolved address, or a CONNECT through the proxy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..vql.eval import GoUrl
from .curl import run_curl
from .network import Firewall, Network
from .proxy import ProcessEnvironment, client_proxy


def probe_url(server_url: str) -> str | None:
    """``https://host:port/server.pem`` for a server URL; None for a URL the client cannot use."""
    parsed = GoUrl.parse(server_url)
    if parsed.Scheme not in ("https", "wss") or not parsed.Host:
        return None
    return f"https://{parsed.Host}/server.pem"


def route_reaches(
    network: Network,
    firewall: Firewall,
    server_url: str,
    proxy: str | None,
) -> bool:
    url = probe_url(server_url)
    if url is None:
        return False
    route = ["--proxy", proxy] if proxy else ["--noproxy", "*"]
    result = run_curl(
        ["curl", "--globoff", "--connect-timeout", "30", *route, url],
        network,
        firewall,
        ProcessEnvironment({}, windows=False),
    )
    return result.return_code == 0 and result.stdout == "200"


def client_reaches_server(
    network: Network,
    firewall: Firewall,
    client_config: Mapping[str, Any],
    environ: ProcessEnvironment,
    server_urls: list[str],
    *,
    pac_answer: str | None = None,
) -> bool:
    """True when at least one server URL works along every route the client may take."""
    for url in server_urls:
        choice = client_proxy(client_config, environ, url, pac_answer=pac_answer)
        if not choice.error and all(
            route_reaches(network, firewall, url, proxy) for proxy in choice.choices
        ):
            return True
    return False
