"""The golden runner, and the oracle: Velociraptor's own Linux quarantine golden test."""

from __future__ import annotations

from pathlib import Path

import pytest
from vr_quarantine.errors import VrqError
from vr_quarantine.vql.eval.golden import parse_output, run_golden

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios" / "golden"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()


def test_linux_quarantine_oracle_matches_real_velociraptor(reference_dir: Path) -> None:
    """Rows, recorded execve/http_client calls and logs equal what real Velociraptor produced."""
    upstream = reference_dir / "upstream"
    result = run_golden(
        upstream / "testcase-linux-quarantine.in.yaml",
        [upstream / "Linux.Remediation.Quarantine.yaml"],
        upstream / "testcase-linux-quarantine.out.yaml",
    )
    assert len(result.queries) == 18
    assert all(q.expected is not None for q in result.queries)
    assert result.ok, result.describe_failures()
    # Byte for byte, the output file the real runner would write (its comments aside).
    expected = (upstream / "testcase-linux-quarantine.out.yaml").read_text(encoding="utf-8")
    assert _strip_comments(result.render()) == _strip_comments(expected)


def test_oracle_scenario_rows_in_detail(reference_dir: Path) -> None:
    upstream = reference_dir / "upstream"
    result = run_golden(
        upstream / "testcase-linux-quarantine.in.yaml",
        [upstream / "Linux.Remediation.Quarantine.yaml"],
    )
    # nft missing: nothing runs but the version check, and the ERROR is logged.
    assert result.queries[1].actual == []
    assert result.queries[2].actual[0]["Log"] == (
        "Velociraptor: ERROR:nftables is not installed - quarantine not supported\n"
    )
    # Server unreachable: 13 rows, the last one removes the table; one HTTP call only.
    failing = result.queries[5].actual
    assert len(failing) == 13
    assert failing[-1]["Result"].startswith("Running [/usr/sbin/nft delete table inet")
    replay = result.queries[6].actual[0]
    assert replay["mock_replay(plugin='http_client')"] == [
        {"url": "https://www.velociraptor.server.com:8000/server.pem"}
    ]


FIXTURE_FILES = sorted(FIXTURES.glob("*.in.yaml"))
ARTIFACT_FILES = sorted(
    p for p in FIXTURES.glob("*.yaml") if not p.name.endswith((".in.yaml", ".out.yaml"))
)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_own_fixtures_pass_and_render_their_output(fixture: Path) -> None:
    """Every ``X.in.yaml`` here, with every artifact of the folder, gives ``X.out.yaml``."""
    expected_path = fixture.with_name(fixture.name.replace(".in.yaml", ".out.yaml"))
    result = run_golden(fixture, ARTIFACT_FILES, expected_path)
    assert result.ok, result.describe_failures()
    expected = expected_path.read_text(encoding="utf-8")
    assert _strip_comments(result.render()) == _strip_comments(expected)


def test_a_different_row_fails(tmp_path: Path) -> None:
    text = (FIXTURES / "probe.out.yaml").read_text(encoding="utf-8").replace("HTTP 503", "HTTP 504")
    changed = tmp_path / "probe.out.yaml"
    changed.write_text(text, encoding="utf-8")
    result = run_golden(FIXTURES / "probe.in.yaml", ARTIFACT_FILES, changed)
    assert not result.ok
    assert "HTTP 504" in result.describe_failures()


def test_a_symbol_not_found_log_fails_the_test(tmp_path: Path) -> None:
    fixture = tmp_path / "t.in.yaml"
    fixture.write_text("Queries:\n- SELECT Nope FROM scope()\n", encoding="utf-8")
    expected = tmp_path / "t.out.yaml"
    expected.write_text('Query: SELECT Nope FROM scope()\nOutput: [\n {\n  "Nope": null\n }\n]\n\n')
    result = run_golden(fixture, [], expected)
    assert result.queries[0].ok
    assert not result.ok
    assert result.fatal_logs[0].startswith("ERROR:Symbol Nope not found")


def test_bad_fixtures_are_reported(tmp_path: Path) -> None:
    fixture = tmp_path / "t.in.yaml"
    fixture.write_text("Queries: nope\n", encoding="utf-8")
    with pytest.raises(VrqError, match="Queries"):
        run_golden(fixture, [])
    fixture.write_text("Queries: []\nConfigPatches: [x]\n", encoding="utf-8")
    with pytest.raises(VrqError, match="ConfigPatches"):
        run_golden(fixture, [])


def test_parse_output_reads_multiline_queries() -> None:
    pairs = parse_output(
        "# c\nQuery: LET a = 1\nb\n\nOutput: []\n\nQuery: SELECT 1\nOutput: [\n 1\n]\n"
    )
    assert pairs == [("LET a = 1\nb\n", []), ("SELECT 1", [1])]
