"""The editor and `validate` agree: check-jsonschema (YAML 1.2, the published schema) and validate
accept every example and refuse every fixture whose problem JSON Schema can express."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from vr_quarantine.profile import load_profile_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "profiles"
SCHEMA = ROOT / "schema" / "quarantine-profile.schema.json"

# Invalid fixtures whose problem the schema itself states (types, keys, ranges, URL schemes,
# booleans, the artifact name's form, the message's length). The others (netsh, address and
# lock-out checks; YAML 1.1 readings of strings such as `description: yes`) are validate's alone.
SCHEMA_LEVEL = [
    "artifact-name-digit.yaml",
    "bad-action.yaml",
    "message-too-long.yaml",
    "missing-id.yaml",
    "negative-check-url.yaml",
    "port-out-of-range.yaml",
    "server-url-scheme.yaml",
    "unknown-key.yaml",
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
