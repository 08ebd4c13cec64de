"""The shipped VQL catalog: what the linter knows about plugins and functions, and its rebuild."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vr_quarantine.vql.build_catalog import build, dumps
from vr_quarantine.vql.catalog import load_catalog

CATALOG = Path(__file__).resolve().parent.parent / "generator" / "vql" / "catalog.json"


def test_catalog_knows_required_and_repeated_args_and_permissions() -> None:
    catalog = load_catalog()
    execve = catalog.plugins["execve"]
    assert execve.args["argv"].required and execve.args["argv"].repeated
    assert execve.permissions == ("EXECVE",)
    assert "format" in catalog.functions and catalog.functions["format"].required_args == (
        "format",
    )
    assert catalog.plugins["chain"].free_form_args
    assert "Artifact" in catalog.plugins
    # Names that are both a plugin and a function keep separate argument lists.
    assert set(catalog.functions["read_file"].args) != set(catalog.plugins["read_file"].args)


def test_catalog_has_no_descriptions() -> None:
    text = CATALOG.read_text(encoding="utf-8")
    kinds = json.loads(text)["kinds"]
    for items in kinds.values():
        for item in items.values():
            assert set(item) <= {"args", "permissions", "free_form_args"}
    assert "special plugin which automatically runs" not in text
    assert len(text) < 120_000


def test_build_keeps_only_the_compact_fields() -> None:
    doc = build(
        [
            {
                "name": "f",
                "type": "Function",
                "description": "long text",
                "args": [{"name": "a", "type": "string", "required": True, "description": "x"}],
                "metadata": {"permissions": "EXECVE,NETWORK"},
                "platforms": ["linux"],
            },
            {"name": "p", "type": "Plugin", "free_form_args": True},
        ]
    )
    assert doc["kinds"]["function"]["f"] == {
        "args": [["a", "string", True, False]],
        "permissions": ["EXECVE", "NETWORK"],
    }
    assert doc["kinds"]["plugin"]["p"] == {"args": [], "free_form_args": True}
    assert json.loads(dumps(doc)) == doc


def test_regenerating_from_vql_yaml_reproduces_the_committed_catalog(
    reference_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "catalog.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vr_quarantine.vql.build_catalog",
            str(reference_dir / "vql.yaml"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == CATALOG.read_text(encoding="utf-8")


def test_build_catalog_refuses_a_bad_source(tmp_path: Path) -> None:
    bad = tmp_path / "vql.yaml"
    bad.write_text("- name: x\n  type: Gadget\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vr_quarantine.vql.build_catalog",
            str(bad),
            "-o",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "unknown type 'Gadget'" in done.stderr
    assert "Traceback" not in done.stderr
