"""ip(): Velociraptor's net.IP parsing and formatting (vql/functions/networks.go)."""

from __future__ import annotations

from typing import Any

import pytest
from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.values import NULL


def value(expr: str) -> Any:
    return Engine().query(f"SELECT {expr} AS X FROM scope()")[0]["X"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::1", "::1"),
    ],
)
def test_ip_parse_reformats_as_go_net_ip_string(text: str, expected: str) -> None:
    assert value(f'ip(parse="{text}").String') == expected
    assert value(f'format(format="%v", args=ip(parse="{text}"))') == expected


@pytest.mark.parametrize(
    "text",
    [
        "192.0.2.999",
        "010.0.0.1",
        "fe80::1%eth0",
        "[2001:db8::1]",
        "192.0.2.0/24",
        "1.2.3.4 accept",
        "example.com",
    ],
)
def test_ip_parse_refuses_anything_but_an_address(text: str) -> None:
    assert value(f'ip(parse="{text}")') is NULL


def test_ip_of_an_empty_string_is_the_zero_address() -> None:
    # networks.go: an empty `parse` falls through to netaddr4_be=0, i.e. 0.0.0.0 (a trap for
    # artifacts that validate cells with ip(): check for an empty cell first).
    assert value('ip(parse="").String') == "0.0.0.0"


def test_ip_from_integers_and_methods() -> None:
    assert value("ip(netaddr4_be=3232235777).String") == "192.168.1.1"
    assert value("ip(netaddr4_le=16885952).String") == "192.168.1.1"
    assert value('ip(parse="10.1.2.3").IsPrivate') is True
    assert value('ip(parse="127.0.0.1").IsLoopback') is True
    assert value('ip(parse="2001:db8::1").To4') is NULL


def test_cidr_contains_as_velociraptor() -> None:
    assert value('cidr_contains(ip="192.168.0.132", ranges=["192.168.0.0/24", "127.0.0.1/8"])')
    assert value('cidr_contains(ip="2001:db8::5", ranges="2001:db8::/32")') is True
    assert value('cidr_contains(ip="10.0.0.1", ranges="2001:db8::/32")') is False
    assert value('cidr_contains(ip="nope", ranges="10.0.0.0/8")') is False
    assert value('cidr_contains(ip="10.0.0.1", ranges="10.0.0.0")') is False
