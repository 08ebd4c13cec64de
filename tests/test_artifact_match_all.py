"""The rendered artifacts never rely on a regex that Velociraptor treats as "match everything".

In Velociraptor, ``filter(list=..., regex=...)`` keeps an item when ``scope.Match(regex, item)``
holds (``vql/functions/lists.go``), and vfilter's regex dispatcher answers TRUE for the patterns
``.``, ``.*`` and ``""`` whatever the value, empty strings and NULL included
(``protocols/protocol_regex.go``). A template that writes ``regex='.'`` to drop empty values keeps
them on a real client, so such patterns must not appear where a value is meant to be tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from vr_quarantine.simulate import simulate_file
from vr_quarantine.simulate.scenario import scenario_from_data
from vr_quarantine.vql import ast, parse, walk

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = sorted((ROOT / "artifacts").glob("*.yaml"))
MATCH_ALL = {".", ".*", ""}


def _queries(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [str(data.get("precondition") or "")]
    texts += [str(source.get("query") or "") for source in data.get("sources") or []]
    return [text for text in texts if text.strip()]


def _match_all_sites(text: str) -> list[str]:
    found: list[str] = []
    for node in walk(parse(text)):
        if isinstance(node, ast.Call) and node.name == "filter":
            for arg in node.args:
                if (
                    arg.name == "regex"
                    and isinstance(arg.value, ast.String)
                    and arg.value.value in MATCH_ALL
                ):
                    found.append(f"filter(regex={arg.value.value!r}) line {node.line}")
        if (
            isinstance(node, ast.BinaryOp)
            and node.op == "=~"
            and isinstance(node.right, ast.String)
            and node.right.value in MATCH_ALL
        ):
            found.append(f"=~ {node.right.value!r} line {node.line}")
    return found


@pytest.mark.parametrize("path", ARTIFACTS, ids=lambda p: p.stem)
def test_no_match_all_pattern_tests_a_value(path: Path) -> None:
    sites = [site for text in _queries(path) for site in _match_all_sites(text)]
    assert sites == [], f"{path.name}: match-all patterns keep empty values: {sites}"


def test_empty_values_are_dropped_under_either_reading_of_the_pattern() -> None:
    """An empty DSIPSECPolicyPath and an empty VelociraptorURL change nothing: no refusal, no
    warning about an unused server URL."""
    scenario = scenario_from_data(
        {
            "plugin_results": {
                "read_reg_key": [
                    {
                        "Key": "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows"
                        "\\IPSec\\GPTIPSECPolicy",
                        "DSIPSECPolicyPath": "",
                    }
                ]
            },
            "params": {"VelociraptorURL": ""},
        },
        "empty-values",
    )
    sim = simulate_file(ROOT / "examples" / "upstream-defaults.yaml", scenario)
    results = [str(row.get("Result", "")) for row in sim.rows]
    assert not any("domain IPsec policy" in r for r in results), results
    assert not any("is not used" in r for r in results), results
    assert sim.state["policy_assigned"], results
