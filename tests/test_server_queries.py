"""The VQL that push and collect send: fixed texts, accepted by vfilter's parser and our linter."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from vr_quarantine.diagnostics import Severity
from vr_quarantine.lint import lint_text
from vr_quarantine.server import queries
from vr_quarantine.vql import parse

ENV_NAMES = ["Name", "Def", "ClientId", "Artifact", "Parameters", "FlowId", "Source"]


def test_every_query_parses() -> None:
    for name, text in queries.ALL.items():
        assert parse(text), name


def test_every_query_is_lint_clean_as_a_server_artifact() -> None:
    """Unknown plugins, functions or arguments, or a variable not in the env, would show here."""
    artifact = {
        "name": "Custom.Test.ServerQueries",
        "type": "SERVER",
        "parameters": [{"name": n} for n in ENV_NAMES],
        "sources": [{"name": name, "query": text} for name, text in queries.ALL.items()],
    }
    text = yaml.safe_dump(artifact, sort_keys=False)
    problems = [d for d in lint_text("queries.yaml", text) if d.severity is not Severity.INFO]
    assert problems == []


def test_velociraptor_parser_accepts_every_query(shared_dir: Path) -> None:
    oracle = shared_dir / "oracles" / "vfilter" / "parse"
    if not oracle.exists():
        pytest.skip("the vfilter parse oracle is not present")
    lines = "".join(json.dumps({"id": k, "vql": v}) + "\n" for k, v in queries.ALL.items())
    done = subprocess.run([str(oracle)], input=lines, capture_output=True, text=True, check=True)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == list(queries.ALL)
    assert all(a["ok"] for a in answers), answers


def test_no_query_has_a_place_for_user_text() -> None:
    """No format field, no quote: the texts cannot be completed with data, only run with env."""
    for text in queries.ALL.values():
        assert "{" not in text and "'" not in text and '"' not in text and "%" not in text
