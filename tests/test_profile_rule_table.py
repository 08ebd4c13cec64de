"""Every profile check, one module per rule id, against a table of profiles that pass and fail it.

A FAIL body must produce the rule's id; a PASS body, close to it, must not. Each body follows
``format_version: 1`` and ``id: t``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from vr_quarantine.profile import RULES, load_profile

ROOT = Path(__file__).resolve().parent.parent


def rule(action: str, destination: str, extra: str = "", source: str = "me") -> str:
    return (
        f"  - action: {action}\n    source: {source}\n    destination: '{destination}'\n"
        f"    description: r\n{extra}"
    )


def rules(*items: str) -> str:
    return "rules:\n" + "".join(items)


TCP_443 = "    protocol: tcp\n    destination_port: 443\n"
SERVER = "servers:\n  urls: ['https://192.0.2.10:8000/']\n"

TABLE: dict[str, tuple[list[str], list[str]]] = {
    # rule id: ([FAIL bodies], [PASS bodies])
    "schema": (["nope: 1\n", "block_all: 3\n"], ["block_all: true\n"]),
    "yaml11-surprise": (["block_all: yes\n", "rollback:\n  timeout_seconds: 010\n"], [""]),
    "artifact-name": (
        ["artifact:\n  name: Custom.1X\n", "artifact:\n  name: Custom..X\n"],
        ["artifact:\n  name: Custom.X_1\n"],
    ),
    "artifact-name-not-custom": (
        ["artifact:\n  name: Site.Quarantine\n"],
        ["artifact:\n  name: Custom.Site\n", "artifact:\n  name: Site.1X\n"],
    ),
    "policy-name-characters": (
        [
            'policy_name: "a,b"\n',
            "policy_name: '$(Start-Process calc) `whoami`'\n",
            "policy_name: '%COMSPEC%'\n",
            'policy_name: "Quarantine\\\\"\n',
            'policy_name: "\u201cQ\u201d"\n',
            'policy_name: " Q"\n',
        ],
        ["policy_name: Quarantine-1\n", "policy_name: ACME IR-2026-042 (v2.1)\n"],
    ),
    "token-file-path": (
        [
            "macos:\n  token_file: /var/run/../etc/sudoers.d/x\n",
            "macos:\n  token_file: /var/run/./q.tok\n",
            "macos:\n  token_file: /var/run/..\n",
            "macos:\n  token_file: var/run/q.tok\n",
            "macos:\n  token_file: /var//q.tok\n",
            "macos:\n  token_file: /var/run/\n",
            "macos:\n  token_file: /var/run/q tok\n",
        ],
        [
            "macos:\n  token_file: /var/run/.q.tok\n",
            "macos:\n  token_file: /var/run/..q\n",
            "macos:\n  token_file: /private/var/run/acme+ir.v1..tok\n",
        ],
    ),
    "unsafe-characters": (
        [
            'message: "one\\ntwo"\n',
            rules(rule("permit", "me", "", "any")).replace("description: r", 'description: "a,b"'),
        ],
        ["message: One line.\n"],
    ),
    "policy-name-builtin": (["policy_name: Client (Respond Only)\n"], ["policy_name: Mine\n"]),
    "message-option-like": (['message: "/W hello"\n'], ["message: Hello /W\n"]),
    "message-too-long": ([f"message: {'x' * 256}\n"], [f"message: {'x' * 255}\n"]),
    "address-syntax": ([rules(rule("block", "300.1.1.1"))], [rules(rule("block", "192.0.2.1"))]),
    "mask-syntax": (
        [rules(rule("block", "192.0.2.0", "    destination_mask: 255.0.255.0\n"))],
        [rules(rule("block", "192.0.2.0", "    destination_mask: 255.255.255.0\n"))],
    ),
    "mask-without-network": (
        [rules(rule("block", "2001:db8::1", "    destination_mask: 24\n"))],
        [rules(rule("block", "192.0.2.0", "    destination_mask: 24\n"))],
    ),
    "network-host-bits": (
        [rules(rule("block", "198.51.100.7/24"))],
        [rules(rule("block", "198.51.100.0/24"))],
    ),
    "ipv6-prefix": (
        [rules(rule("block", "2001:db8::/64"))],
        [rules(rule("block", "2001:db8::-2001:db8::ffff"))],
    ),
    "range-order": (
        [rules(rule("block", "192.0.2.9-192.0.2.1"))],
        [rules(rule("block", "192.0.2.1-192.0.2.9"))],
    ),
    "range-family": ([rules(rule("block", "192.0.2.1-2001:db8::1"))], []),
    "port-without-tcp-udp": (
        [rules(rule("block", "192.0.2.1", "    protocol: icmp\n    destination_port: 80\n"))],
        [rules(rule("block", "192.0.2.1", "    protocol: tcp\n    destination_port: 80\n"))],
    ),
    "server-keyword-pairing": (
        [rules(rule("permit", "192.0.2.1", "", "DNS"))],
        [rules(rule("permit", "me", "", "DNS"))],
    ),
    "duplicate-rule": (
        [rules(rule("block", "192.0.2.1"), rule("block", "192.0.2.1"))],
        [rules(rule("block", "192.0.2.1"), rule("block", "192.0.2.2"))],
    ),
    "permit-block-tie": (
        [rules(rule("permit", "192.0.2.1"), rule("block", "192.0.2.1"))],
        [rules(rule("permit", "192.0.2.1", TCP_443), rule("block", "192.0.2.1"))],
    ),
    "permit-not-mirrored": (
        [rules(rule("permit", "192.0.2.1", "    mirrored: false\n"))],
        [rules(rule("permit", "192.0.2.1"))],
    ),
    "permit-everything": ([rules(rule("permit", "any"))], [rules(rule("permit", "any", TCP_443))]),
    "permit-any-address": (
        [rules(rule("permit", "any", TCP_443))],
        [rules(rule("permit", "192.0.2.1", TCP_443))],
    ),
    "permit-block-overlap": (
        [rules(rule("permit", "any", TCP_443), rule("block", "192.0.2.0/24"))],
        [rules(rule("permit", "192.0.2.1", TCP_443), rule("block", "192.0.2.0/24"))],
    ),
    "permit-block-overlap-builtin": (
        [rules(rule("block", "192.0.2.0/24"))],
        [rules(rule("block", "192.0.2.0/24", TCP_443))],
    ),
    "dns-name-resolved-once": (
        [rules(rule("permit", "files.example.org", TCP_443))],
        [rules(rule("permit", "192.0.2.1", TCP_443))],
    ),
    "server-url-syntax": (["servers:\n  urls: ['https://:8000/']\n"], [SERVER]),
    "server-url-scheme": (["servers:\n  urls: ['ftp://vr.example.org/']\n"], [SERVER]),
    "server-url-duplicate": (
        ["servers:\n  urls: ['https://192.0.2.10:8000/', 'wss://192.0.2.10:8000/x']\n"],
        ["servers:\n  urls: ['https://192.0.2.10:8000/', 'https://192.0.2.10:8001/']\n"],
    ),
    "lockout-no-server": (
        ["servers:\n  from_client_config: false\n"],
        ["servers:\n  from_client_config: false\n  urls: ['https://192.0.2.10:8000/']\n"],
    ),
    "lockout-block-covers-server": (
        [SERVER + rules(rule("block", "192.0.2.10"))],
        [SERVER + rules(rule("block", "192.0.2.11"))],
    ),
    "dns-off-with-hostname": (
        ["allow:\n  dns: false\n"],
        ["allow:\n  dns: false\nservers:\n  from_client_config: false\n" + SERVER[9:]],
    ),
    "dhcp-off": (["allow:\n  dhcp: false\n"], ["allow:\n  dhcp: true\n"]),
    "no-block-all": (
        ["block_all: false\n"],
        ["block_all: false\n" + rules(rule("block", "any", "", "any"))],
    ),
    "rollback-disabled": (
        ["rollback:\n  connectivity_check: false\n"],
        ["rollback:\n  connectivity_check: true\n"],
    ),
    "negative-check-url": (
        [
            "rollback:\n  negative_check_url: https://127.0.0.1/\n",
            "rollback:\n  negative_check_url: https://\n",
        ],
        ["rollback:\n  negative_check_url: https://www.example.com/\n"],
    ),
    "negative-check-is-server": (
        [SERVER + "rollback:\n  negative_check_url: https://192.0.2.10/\n"],
        [SERVER + "rollback:\n  negative_check_url: https://192.0.2.11/\n"],
    ),
    "negative-check-permitted": (
        [
            rules(rule("permit", "203.0.113.5", TCP_443))
            + "rollback:\n  negative_check_url: https://203.0.113.5/\n"
        ],
        [
            rules(rule("permit", "203.0.113.5", TCP_443))
            + "rollback:\n  negative_check_url: https://203.0.113.6/\n"
        ],
    ),
    "check-budget": (
        [
            "servers:\n  urls: ['https://a.example.org/', 'https://b.example.org/', "
            "'https://c.example.org/', 'https://d.example.org/']\n"
            "rollback:\n  timeout_seconds: 120\n"
        ],
        ["rollback:\n  timeout_seconds: 120\n"],
    ),
    "platform-no-equivalent": (
        ["platforms: [windows, linux]\n" + rules(rule("permit", "DNS"))],
        ["platforms: [windows]\n" + rules(rule("permit", "DNS"))],
    ),
}
LOADER_RULES = {r.id for r in RULES.rules if r.check is None}


def _rules_of(body: str) -> list[str]:
    result = load_profile("t.yaml", ("format_version: 1\nid: t\n" + body).encode())
    return [d.rule for d in result.diagnostics]


CASES = [
    pytest.param(rule_id, body, verdict, id=f"{rule_id}-{verdict}-{index}")
    for rule_id, (fails, passes) in TABLE.items()
    for verdict, bodies in (("FAIL", fails), ("PASS", passes))
    for index, body in enumerate(bodies)
]


@pytest.mark.parametrize(("rule_id", "body", "verdict"), CASES)
def test_rule_table(rule_id: str, body: str, verdict: str) -> None:
    found = _rules_of(body)
    assert (rule_id in found) == (verdict == "FAIL"), found


def test_every_checked_rule_has_fail_cases() -> None:
    checked = {r.id for r in RULES.rules if r.check is not None}
    assert checked == set(TABLE)
    assert all(TABLE[rule_id][0] for rule_id in checked)


def test_each_rule_is_a_documented_module() -> None:
    folder = ROOT / "generator" / "profile" / "checks"
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "context", "traffic"}
    assert {r.id.replace("-", "_") for r in RULES.rules} == modules
    for rule in RULES.rules:
        assert rule.id == rule.id.lower() and " " not in rule.id
        assert rule.summary and len(rule.doc.strip().splitlines()) >= 3, rule.id
    assert {info.id for info in RULES.infos} == set(RULES) >= LOADER_RULES


def test_the_loaders_ids_are_documented() -> None:
    for rule_id in ("yaml-duplicate-key", "yaml-merge-key", "io-error", "not-a-profile"):
        assert rule_id in RULES


def test_reporters_import_neither_lint_nor_profile() -> None:
    for path in (ROOT / "generator" / "report").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not module.startswith(("lint", "profile")), (path.name, module)
