"""Every invalid profile fixture gives exactly its expected rule ids, on the expected lines.

The fixtures live in tests/fixtures/profiles/: `invalid/` holds profiles with errors (exit 1),
`warnings/` profiles that only warn (exit 0, or 1 with --strict).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.profile import load_profile_file

from tests.clirunner import CliRunner

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "profiles"
runner = CliRunner()

# file name → the (rule id, line) of every error and warning it must produce, nothing more.
INVALID: dict[str, list[tuple[str, int]]] = {
    "address-syntax.yaml": [("address-syntax", 7)],
    "artifact-name-digit.yaml": [("artifact-name", 5)],
    "bad-action.yaml": [("schema", 5)],
    "bad-utf8.yaml": [("yaml-encoding", 4)],
    "check-budget.yaml": [("check-budget", 8)],
    "duplicate-key.yaml": [("yaml-duplicate-key", 7)],
    "duplicate-rule.yaml": [("duplicate-rule", 11)],
    "empty.yaml": [("yaml-empty", 1)],
    "ipv6-prefix.yaml": [("ipv6-prefix", 7)],
    "lockout-block-covers-server.yaml": [("lockout-block-covers-server", 8)],
    "lockout-no-server.yaml": [("lockout-no-server", 5)],
    "mask-syntax.yaml": [("mask-syntax", 8)],
    "mask-without-network.yaml": [("mask-without-network", 7)],
    "message-too-long.yaml": [("message-too-long", 4)],
    "missing-id.yaml": [("schema", 2)],
    "multiple-documents.yaml": [("yaml-multiple-documents", 5)],
    "negative-check-is-server.yaml": [("negative-check-is-server", 8)],
    "negative-check-permitted.yaml": [("negative-check-permitted", 12)],
    "negative-check-url.yaml": [("negative-check-url", 5)],
    "network-host-bits.yaml": [("network-host-bits", 7)],
    "not-mapping.yaml": [("yaml-not-mapping", 2)],
    "permit-block-tie.yaml": [("permit-block-tie", 10)],
    "permit-ties-block-all.yaml": [("permit-block-tie", 6), ("permit-everything", 6)],
    "port-out-of-range.yaml": [("schema", 8)],
    "port-without-tcp-udp.yaml": [("port-without-tcp-udp", 8)],
    "prefix-out-of-range.yaml": [("mask-syntax", 7)],
    "range-family.yaml": [("range-family", 7)],
    "range-order.yaml": [("range-order", 7)],
    "server-keyword-pairing.yaml": [("server-keyword-pairing", 7)],
    "server-url-ipv6-brackets.yaml": [("server-url-syntax", 6)],
    "server-url-scheme.yaml": [("server-url-scheme", 6)],
    "syntax-error.yaml": [("yaml-syntax", 6)],
    "unknown-key.yaml": [("schema", 4)],
    "unsafe-description.yaml": [("unsafe-characters", 10)],
    "unsafe-message.yaml": [("unsafe-characters", 4)],
    "unsafe-policy-name.yaml": [("policy-name-characters", 4)],
    "wrong-format-version.yaml": [("schema", 2)],
    "wrong-type-timeout.yaml": [("schema", 6)],
    "yaml11-float-engagement.yaml": [("yaml11-surprise", 5)],
    "yaml11-octal-port.yaml": [("yaml11-surprise", 8)],
    "yaml11-yes-description.yaml": [("yaml11-surprise", 10)],
    "yaml11-on-mirrored.yaml": [("yaml11-surprise", 8)],
    "tab-indent.yaml": [("yaml-syntax", 3)],
}

WARNINGS: dict[str, list[tuple[str, int]]] = {
    "artifact-name-not-custom.yaml": [("artifact-name-not-custom", 5)],
    "check-budget.yaml": [("check-budget", 7)],
    "dhcp-off.yaml": [("dhcp-off", 5)],
    "dns-off-with-hostname.yaml": [("dns-off-with-hostname", 7)],
    "no-block-all.yaml": [("no-block-all", 4)],
    "permit-not-mirrored.yaml": [("permit-not-mirrored", 10)],
    "policy-name-builtin.yaml": [("policy-name-builtin", 4)],
    "rollback-disabled.yaml": [("rollback-disabled", 5)],
    "server-url-duplicate.yaml": [("server-url-duplicate", 7)],
}


def _findings(path: Path) -> list[tuple[str, int]]:
    result = runner.invoke(main, ["validate", "--output-format", "json", str(path)])
    doc = json.loads(result.stdout)
    return sorted(
        (d["rule"], d["line"]) for d in doc["diagnostics"] if d["severity"] in ("error", "warning")
    )


def test_every_fixture_is_in_a_table() -> None:
    assert sorted(p.name for p in (FIXTURES / "invalid").iterdir()) == sorted(INVALID)
    assert sorted(p.name for p in (FIXTURES / "warnings").iterdir()) == sorted(WARNINGS)
    assert len(INVALID) >= 25


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID.items()))
def test_invalid_fixture(name: str, expected: list[tuple[str, int]]) -> None:
    path = FIXTURES / "invalid" / name
    result = runner.invoke(main, ["validate", str(path)])
    # A file that cannot be read as text (not UTF-8) is an input error, not a finding.
    assert result.exit_code == (2 if name == "bad-utf8.yaml" else 1), result.output
    assert _findings(path) == sorted(expected)
    assert load_profile_file(path).profile is None


@pytest.mark.parametrize(("name", "expected"), sorted(WARNINGS.items()))
def test_warning_fixture(name: str, expected: list[tuple[str, int]]) -> None:
    path = FIXTURES / "warnings" / name
    assert runner.invoke(main, ["validate", str(path)]).exit_code == 0
    assert runner.invoke(main, ["validate", "--strict", str(path)]).exit_code == 1
    assert _findings(path) == sorted(expected)
    assert load_profile_file(path).profile is not None, "warnings keep the profile"


def test_text_output_names_file_line_rule_and_hint() -> None:
    path = FIXTURES / "invalid" / "ipv6-prefix.yaml"
    result = runner.invoke(main, ["validate", str(path)])
    first, hint = result.stdout.splitlines()[:2]
    assert first.startswith(f"{path}:7:18: error: ")
    assert first.endswith("[ipv6-prefix]")
    assert (
        hint == "  hint: netsh takes no IPv6 prefix; write the range "
        "2001:db8:20::-2001:db8:20:ffff:ffff:ffff:ffff:ffff"
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [("lockout-no-server.yaml", 1), ("bad-utf8.yaml", 2), ("syntax-error.yaml", 1)],
)
def test_installed_entry_point_exit_codes(name: str, code: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vr_quarantine", "validate", str(FIXTURES / "invalid" / name)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == code
    assert "Traceback" not in done.stdout + done.stderr


def test_all_fixtures_in_one_run_sorted_by_file_then_line() -> None:
    result = runner.invoke(main, ["validate", "-f", "json", str(FIXTURES)])
    assert result.exit_code == 2  # bad-utf8.yaml cannot be read as text; the others are findings
    doc = json.loads(result.stdout)
    keys = [(d["path"], d["line"], d["column"]) for d in doc["diagnostics"]]
    assert keys == sorted(keys)
    assert len(doc["files"]) == len(INVALID) + len(WARNINGS)
    assert {Path(d["path"]).name for d in doc["diagnostics"]} >= set(INVALID)
