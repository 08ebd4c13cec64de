"""curl as the simulated endpoint runs it: the options the artifacts use, against `Network`.

Platform-neutral (curl.exe on Windows 10 1803+/Server 2019+, curl on Linux and macOS). Sources:
the curl manual (https://curl.se/docs/manpage.html) for the options, and libcurl's error codes
(https://curl.se/libcurl/c/libcurl-errors.html) for the exit codes:

- ``--proxy URL`` sends the request through that HTTP proxy (an https URL becomes a CONNECT
  tunnel); ``--noproxy *`` disables every proxy; with neither, curl takes ``https_proxy`` /
  ``HTTPS_PROXY`` from the environment for https URLs (the lowercase name first). The
  ``no_proxy``/``NO_PROXY`` list exempts its hosts even from ``--proxy``; ``--noproxy LIST``
  replaces it (``--noproxy ""``: no host is exempt).
- ``--connect-to HOST1:PORT1:HOST2:PORT2`` connects to HOST2:PORT2 for requests to HOST1:PORT1
  and does NOT change the name used for TLS (SNI, certificate) or the Host header
  (CURLOPT_CONNECT_TO); ``--resolve HOST:PORT:ADDR`` pins the name's address the same way.
- SNI is sent only for host names, never for IP-literal URLs (RFC 6066 section 3).
- ``--connect-timeout`` bounds the connection, ``--max-time`` the whole transfer;
  ``-4``/``-6`` restrict name resolution to one address family; ``--disable`` (``-q``) as the
  first option skips the .curlrc/_curlrc file.
- Exit codes: 0 done, 3 URL malformed, 5 proxy name not resolved, 6 host name not resolved,
  7 could not connect, 28 timed out, 35 TLS handshake failed, 56 receive failure (curl reports
  a proxy that refuses the CONNECT tunnel as "CONNECT tunnel failed, response 502", code 56).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import VrqError
from ..vql.eval import GoUrl
from .network import Firewall, Network, is_ip, is_ipv6
from .proxy import ProcessEnvironment, proxy_endpoint

_FLAGS = {
    "--silent",
    "-s",
    "--show-error",
    "-S",
    "--insecure",
    "-k",
    "--globoff",
    "-g",
    "--disable",
    "-q",
    "--fail",
    "-f",
    "-4",
    "--ipv4",
    "-6",
    "--ipv6",
}
_VALUED = {
    "--output",
    "-o",
    "--connect-timeout",
    "--max-time",
    "-m",
    "--write-out",
    "-w",
    "--proxy",
    "-x",
    "--noproxy",
    "--connect-to",
    "--resolve",
}

CONNECTED_SECONDS = 0.1
"""Simulated duration of a transfer that succeeds or fails at once."""


@dataclass
class CurlRequest:
    url: str = ""
    options: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def last(self, *names: str) -> str | None:
        for name in names:
            if name in self.options:
                return self.options[name][-1]
        return None

    def seconds(self, *names: str, default: float) -> float:
        value = self.last(*names)
        try:
            return float(value) if value is not None else default
        except ValueError:
            raise VrqError(f"simulated curl: {names[0]} {value!r} is not a number") from None


@dataclass(frozen=True)
class CurlResult:
    return_code: int
    stdout: str
    stderr: str
    seconds: float
    connected_to: str = ""
    via_proxy: str = ""


def parse_argv(argv: list[str]) -> CurlRequest:
    request = CurlRequest()
    index = 1
    while index < len(argv):
        word = argv[index]
        if word in _FLAGS:
            request.flags.add(word)
        elif word in _VALUED:
            if index + 1 >= len(argv):
                raise VrqError(f"simulated curl: option {word} needs a value")
            request.options.setdefault(word, []).append(argv[index + 1])
            index += 1
        elif word.startswith("-"):
            raise VrqError(
                f"simulated curl: the option {word!r} is not modelled",
                hint="the simulator models the curl options the rendered artifacts use",
            )
        else:
            if request.url:
                raise VrqError("simulated curl: more than one URL")
            request.url = word
        index += 1
    if not request.url:
        raise VrqError("simulated curl: no URL")
    return request


def _split_host_port(text: str) -> tuple[str, str, str]:
    """ "HOST:PORT:REST" with HOST possibly an [IPv6] literal; brackets removed."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        rest = rest[1:] if rest.startswith(":") else rest
    else:
        host, _, rest = text.partition(":")
    port, _, tail = rest.partition(":")
    return host, port, tail


def _connect_target(request: CurlRequest, host: str, port: int) -> list[str] | None:
    """Addresses --connect-to or --resolve pin for host:port, or None."""
    for spec in request.options.get("--connect-to", []):
        h1, p1, rest = _split_host_port(spec)
        h2, p2, _ = _split_host_port(rest)
        if h1 not in ("", host) or p1 not in ("", str(port)):
            continue
        if p2 and p2 != str(port):
            raise VrqError("simulated curl: --connect-to to another port is not modelled")
        return [h2] if h2 else None
    for spec in request.options.get("--resolve", []):
        h1, p1, rest = _split_host_port(spec)
        if h1 == host and p1 == str(port):
            return [a.strip("[]") for a in rest.split(",")]
    return None


def _no_proxy_matches(host: str, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        if entry and (host == entry.lstrip(".") or host.endswith("." + entry.lstrip("."))):
            return True
    return False


def _family(request: CurlRequest, addresses: list[str]) -> list[str]:
    if request.flags & {"-4", "--ipv4"}:
        return [a for a in addresses if not is_ipv6(a)]
    if request.flags & {"-6", "--ipv6"}:
        return [a for a in addresses if is_ipv6(a)]
    return addresses


def run_curl(
    argv: list[str],
    network: Network,
    firewall: Firewall,
    environ: ProcessEnvironment,
) -> CurlResult:
    """Run one curl command line against the network; the caller advances the clock."""
    request = parse_argv(argv)
    connect_timeout = request.seconds("--connect-timeout", default=300.0)
    max_time = request.seconds("--max-time", "-m", default=connect_timeout)
    timeout = min(connect_timeout, max_time)
    url = GoUrl.parse(request.url)
    host = str(url.member("Hostname")[1])
    port_text = str(url.member("Port")[1]) or ("80" if url.Scheme == "http" else "443")
    if (
        url.Scheme not in ("http", "https")
        or not host
        or not port_text.isdigit()
        or _bad_host(url.Host)
    ):
        return CurlResult(3, "000", f"curl: (3) URL rejected: {request.url}", CONNECTED_SECONDS)
    port = int(port_text)
    proxy = _proxy_for(request, url.Scheme, host, environ)
    if proxy:
        return _through_proxy(request, network, firewall, proxy, host, port, url.Path, timeout)
    pinned = _connect_target(request, host, port)
    addresses = pinned if pinned is not None else network.resolve(host)
    addresses = _family(request, addresses)
    if not addresses:
        return CurlResult(6, "000", f"curl: (6) Could not resolve host: {host}", CONNECTED_SECONDS)
    frontend = url.Path == "/server.pem"
    outcomes = [
        network.connect(firewall, address, port, frontend=frontend) for address in addresses
    ]
    connected = next((o for o in outcomes if o.ok), None)
    if connected is None:
        if all(o.failure == "unreachable" for o in outcomes):
            return CurlResult(
                7, "000", f"curl: (7) Failed to connect to {host} port {port}", CONNECTED_SECONDS
            )
        return CurlResult(
            28,
            "000",
            f"curl: (28) Connection timed out after {int(timeout * 1000)} milliseconds",
            timeout,
        )
    return _answer(network, connected.address, host, url.Path, timeout, via="")


def _proxy_for(request: CurlRequest, scheme: str, host: str, environ: ProcessEnvironment) -> str:
    """The proxy curl uses for a URL (curl manual: --proxy, --noproxy, ENVIRONMENT): the
    no-proxy list exempts a host even from --proxy; --noproxy replaces the no_proxy/NO_PROXY
    variables ("" meaning no host is exempt); without --proxy, the lowercase variable wins over
    the uppercase one (http_proxy is read in lowercase only), then all_proxy/ALL_PROXY."""
    no_proxy = request.last("--noproxy")
    if no_proxy is None:
        no_proxy = environ.get_any("no_proxy", "NO_PROXY")
    if _no_proxy_matches(host.lower(), no_proxy):
        return ""
    if "--proxy" in request.options or "-x" in request.options:
        return request.last("--proxy", "-x") or ""
    if scheme == "https":
        value = environ.get_any("https_proxy", "HTTPS_PROXY")
    else:
        value = environ.get("http_proxy")
    return value or environ.get_any("all_proxy", "ALL_PROXY")


def _through_proxy(
    request: CurlRequest,
    network: Network,
    firewall: Firewall,
    proxy: str,
    host: str,
    port: int,
    path: str,
    timeout: float,
) -> CurlResult:
    proxy_url = proxy if "://" in proxy else "http://" + proxy
    proxy_host, proxy_port = proxy_endpoint(proxy_url)
    addresses = _family(request, network.resolve(proxy_host))
    if not addresses:
        return CurlResult(
            5, "000", f"curl: (5) Could not resolve proxy: {proxy_host}", CONNECTED_SECONDS
        )
    for address in addresses:
        outcome = network.connect(firewall, address, proxy_port)
        if not outcome.ok:
            continue
        server = network.proxy_at(address, proxy_port)
        if server is None:
            # Something answered but it is not a proxy: the CONNECT gets no proper answer.
            return CurlResult(
                56, "000", "curl: (56) Proxy CONNECT aborted", CONNECTED_SECONDS, via_proxy=proxy
            )
        if not server.reaches_server or not network.from_proxy(host):
            return CurlResult(
                56,
                "000",
                "curl: (56) CONNECT tunnel failed, response 502",
                CONNECTED_SECONDS,
                via_proxy=proxy,
            )
        target = network.lookup(host)[0]
        if path == "/server.pem" and not network.frontend.answers:
            return CurlResult(
                56,
                "000",
                "curl: (56) CONNECT tunnel failed, response 504",
                CONNECTED_SECONDS,
                via_proxy=proxy,
            )
        return _answer(network, target, host, path, timeout, via=proxy)
    return CurlResult(
        28,
        "000",
        f"curl: (28) Failed to connect to {proxy_host} port {proxy_port} after "
        f"{int(timeout * 1000)} ms: Timed out",
        timeout,
        via_proxy=proxy,
    )


def _answer(
    network: Network, address: str, host: str, path: str, timeout: float, via: str
) -> CurlResult:
    """The far end answers: the frontend (TLS with or without SNI), or an internet host."""
    if network.is_frontend(address) or path == "/server.pem":
        sni = "" if is_ip(host) else host.lower()
        known = network.frontend.names if network.is_frontend(address) else {sni}
        if network.frontend.sni_required and (not sni or sni not in known):
            return CurlResult(
                35,
                "000",
                "curl: (35) schannel: next InitializeSecurityContext failed: "
                "SEC_E_ILLEGAL_MESSAGE (the frontend routes TLS by SNI"
                + (f" and does not serve {sni!r})" if sni else "; no SNI was sent)"),
                CONNECTED_SECONDS,
                address,
                via,
            )
        code = "200" if path == "/server.pem" else "404"
        return CurlResult(0, code, "", CONNECTED_SECONDS, address, via)
    answer = network.internet_answer
    if answer == "refused" and not via:
        return CurlResult(
            7, "000", "curl: (7) Failed to connect: Connection refused", CONNECTED_SECONDS, address
        )
    if answer == "tls-error":
        return CurlResult(
            35,
            "000",
            "curl: (35) schannel: failed to receive handshake",
            CONNECTED_SECONDS,
            address,
        )
    if answer == "timeout" and not via:
        return CurlResult(
            28, "000", "curl: (28) Connection timed out (the host never answers)", timeout, address
        )
    return CurlResult(0, "200", "", CONNECTED_SECONDS, address, via)


def _bad_host(authority: str) -> bool:
    """A URL authority curl refuses (exit 3): an unclosed or invalid [IPv6] literal, or a
    bracket inside a host name (e.g. the "[" the upstream artifact builds)."""
    if authority.startswith("["):
        inner, sep, _ = authority[1:].partition("]")
        return not sep or not is_ipv6(inner)
    return "[" in authority or "]" in authority
