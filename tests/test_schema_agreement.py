"""The editor and `validate` agree: check-jsonschema (YAML 1.2, the published schema) and validate
accept every example and refuse every fixture whose problem JSON Schema can express."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from vr_quarantine.profile import RULES, load_profile, load_profile_file

from tests.test_profile_rule_table import CASES, TABLE
from tests.test_validate_fixtures import INVALID

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "profiles"
SCHEMA = ROOT / "schema" / "quarantine-profile.schema.json"

# Invalid fixtures whose problem the schema itself states (types, keys, ranges, URL forms,
# booleans, names, characters, address forms, masks, ports without tcp/udp, keyword pairing, the
# lock-out of `from_client_config: false` without urls). The others (`NOT_IN_SCHEMA` says why)
# are validate's alone.
SCHEMA_LEVEL = [
    "address-syntax.yaml",
    "artifact-name-digit.yaml",
    "bad-action.yaml",
    "ipv6-prefix.yaml",
    "lockout-no-server.yaml",
    "mask-syntax.yaml",
    "mask-without-network.yaml",
    "message-too-long.yaml",
    "missing-id.yaml",
    "negative-check-url.yaml",
    "port-out-of-range.yaml",
    "port-without-tcp-udp.yaml",
    "prefix-out-of-range.yaml",
    "range-family.yaml",
    "server-keyword-pairing.yaml",
    "server-url-ipv6-brackets.yaml",
    "server-url-scheme.yaml",
    "unknown-key.yaml",
    "unsafe-description.yaml",
    "unsafe-message.yaml",
    "unsafe-policy-name.yaml",
    "wrong-format-version.yaml",
    "wrong-type-timeout.yaml",
    "yaml11-float-engagement.yaml",
    "yaml11-on-mirrored.yaml",
]
VALID = sorted((ROOT / "examples").glob("*.yaml")) + sorted((FIXTURES / "warnings").glob("*.yaml"))


def _check_jsonschema(files: list[Path]) -> set[str]:
    """The files check-jsonschema refuses."""
    tool = Path(sys.executable).parent / "check-jsonschema"
    if not tool.exists():
        pytest.skip("check-jsonschema is not installed (the dev extra has it)")
    done = subprocess.run(
        [str(tool), "--schemafile", str(SCHEMA), "-o", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(done.stdout)
    return {Path(e["filename"]).name for e in report["errors"] + report["parse_errors"]}


def _validate_refuses(path: Path) -> bool:
    result = load_profile_file(path)
    return any(d.severity.value == "error" for d in result.diagnostics)


def test_both_accept_the_examples_and_refuse_the_schema_level_fixtures() -> None:
    invalid = [FIXTURES / "invalid" / name for name in SCHEMA_LEVEL]
    refused = _check_jsonschema(VALID + invalid)
    assert refused == set(SCHEMA_LEVEL)
    assert [p.name for p in VALID if _validate_refuses(p)] == []
    assert [p.name for p in invalid if not _validate_refuses(p)] == []


# ---------------------------------------------------------------- every check, through jsonschema

NOT_IN_SCHEMA: dict[str, str] = {
    "yaml11-surprise": "the schema sees a value after YAML has read it: `yes` is already true "
    "(YAML 1.1) or the string 'yes' (YAML 1.2); only the text tells the two apart",
    "network-host-bits": "arithmetic between an address and its prefix (the host bits are zero)",
    "range-order": "a numeric comparison of a range's two addresses",
    "permit-block-tie": "compares the traffic two rules match, after parsing addresses, masks, "
    "ranges, ports and protocols",
    "lockout-block-covers-server": "compares a block rule's traffic with each server URL's "
    "address and port",
    "negative-check-is-server": "compares the negative check URL's host with the server URLs",
    "negative-check-permitted": "compares the negative check URL with the traffic of the permits",
    "check-budget": "counts the distinct server addresses the probes reach, times the timeout",
}
"""The refusals of validate that JSON Schema cannot state, and why (README: the schema)."""

NOT_IN_SCHEMA_CASES: dict[tuple[str, str], str] = {
    ("negative-check-url", "https://127.0.0.1/"): "loopback, unspecified and link-local hosts "
    "are address classes of the parsed host (127.0.0.0/8, ::1, fe80::/10, mapped forms)",
    ("duplicate-rule", "duplicate-rule.yaml"): "the same traffic written two ways (a prefix and "
    "a mask; tcp and 6): the schema's uniqueItems refuses exact copies only",
}
"""Cases of a check the schema states only in part: the part it cannot state."""

_HEADER = "format_version: 1\nid: t\n"
_PARTIAL_FIXTURES = {case for _, case in NOT_IN_SCHEMA_CASES}


def _schema_refuses(data: Any) -> bool:
    import jsonschema

    return any(True for _ in jsonschema.Draft7Validator(_schema()).iter_errors(data))


@functools.cache
def _schema() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(SCHEMA.read_text(encoding="utf-8")))


def _agree(text: str, rule_id: str, case: str) -> set[str]:
    """validate's error ids that the schema can state; asserts that jsonschema refuses the
    document when there is one, and never refuses a document validate accepts. (A YAML 1.1
    reading such as `engagement: 1.10` is both: the schema's type error, validate's
    yaml11-surprise.)"""
    result = load_profile(f"{case}.yaml", text.encode())
    errors = {d.rule for d in result.diagnostics if d.severity.value == "error"}
    stated = errors - set(NOT_IN_SCHEMA)
    if (rule_id, case) in NOT_IN_SCHEMA_CASES:
        stated.discard(rule_id)
    refused = _schema_refuses(yaml.safe_load(text))
    assert refused == bool(stated) or (refused and errors), (errors, stated, refused)
    return stated


@pytest.mark.parametrize(("rule_id", "body", "verdict"), CASES)
def test_the_schema_and_validate_agree_on_every_rule_table_case(
    rule_id: str, body: str, verdict: str
) -> None:
    case = yaml.safe_load(body) if body else {}
    shown = next(iter(_leaves(case)), "")
    stated = _agree(_HEADER + body, rule_id, shown)
    if verdict == "FAIL" and RULES[rule_id].severity.value == "error":
        expressible = rule_id not in NOT_IN_SCHEMA and (rule_id, shown) not in NOT_IN_SCHEMA_CASES
        assert (rule_id in stated) == expressible, stated
    elif verdict == "PASS":
        assert rule_id not in stated


def _leaves(value: Any) -> list[str]:
    """The strings of a case, for NOT_IN_SCHEMA_CASES keys."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value] if isinstance(value, str) else []


LOADED_FIXTURES = [
    path
    for folder in ("invalid", "warnings")
    for path in sorted((FIXTURES / folder).glob("*.yaml"))
    if not any(d.rule.startswith("yaml-") for d in load_profile_file(path).diagnostics)
]
"""The fixtures that load as YAML (the others are refused before there is data to check)."""


@pytest.mark.parametrize("path", LOADED_FIXTURES, ids=lambda p: p.name)
def test_the_schema_and_validate_agree_on_every_fixture(path: Path) -> None:
    stated = _agree(path.read_text(encoding="utf-8"), path.stem, path.name)
    if path.parent.name == "invalid":
        errors = {rule for rule, _ in INVALID[path.name] if RULES[rule].severity.value == "error"}
        expected = errors - set(NOT_IN_SCHEMA)
        if path.name in _PARTIAL_FIXTURES:
            expected = set()
        assert stated == expected


def test_every_check_the_schema_cannot_state_is_an_error_check_with_fail_cases() -> None:
    for rule_id in NOT_IN_SCHEMA:
        assert RULES[rule_id].severity.value == "error" and TABLE[rule_id][0], rule_id
    for rule_id, _ in NOT_IN_SCHEMA_CASES:
        assert rule_id in TABLE and rule_id not in NOT_IN_SCHEMA
