"""Our evaluator (its ``vfilter`` dialect) against vfilter's (the ``eval`` oracle): rows and logs
of at least 2,000 generated programs, every operator over every kind of value, and the
examples of issue 12. Skipped without ``../shared``. ``make differential`` runs more programs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.values import to_json_value

from tests.differential.oracle import OracleProcess, oracle_path, run_batch
from tests.differential.programs import run_programs

PROGRAMS = int(os.environ.get("VRQ_DIFFERENTIAL_PROGRAMS", "2000"))


@pytest.fixture(scope="module")
def oracle() -> Iterator[OracleProcess]:
    path = oracle_path("eval")
    if path is None:
        pytest.skip("../shared/oracles/vfilter/eval is not present")
    process = OracleProcess(path)
    yield process
    process.close()


def test_generated_programs_agree(oracle: OracleProcess) -> None:
    ran, reports = run_programs(oracle, PROGRAMS)
    assert ran >= PROGRAMS
    assert not reports, f"{len(reports)} of {ran} programs differ; first:\n" + reports[0]


VALUES = [
    "-5", "-1", "0", "1", "2", "10", "-0.5", "0.5", "1.0", "1.5", "TRUE", "FALSE",
    "'a'", "''", "'1'", "'10'", "'b'", "NULL", "(1, 2)", "(1,)[1:]", "('a',)", "(0,)",
    "dict()", "dict(a=1)", "q", "m", "(dict(a=1),)",
]  # fmt: skip
OPERATORS = ["+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "IN", "=~", "AND", "OR", "<>"]


def _matrix_queries() -> list[str]:
    prelude = "LET q = SELECT 1 AS a FROM scope() LET m <= SELECT 1 AS a FROM scope() "
    queries = []
    for op in OPERATORS:
        for left in VALUES:
            cells = []
            for index, right in enumerate(VALUES):
                if op == "*" and left.startswith("'") and right.startswith("-"):
                    right = "2"  # vfilter panics on a string times a negative count
                cells.append(f"{left} {op} ({right}) AS c{index}")
            queries.append(prelude + f"SELECT {', '.join(cells)} FROM scope()")
    return queries


def test_every_operator_on_every_kind_of_value_agrees(oracle: OracleProcess) -> None:
    path = oracle_path("eval")
    assert path is not None
    queries = _matrix_queries()
    answers = run_batch(path, [{"id": str(i), "vql": q, "env": {}} for i, q in enumerate(queries)])
    differences = []
    for query, answer in zip(queries, answers, strict=True):
        engine = Engine(dialect="vfilter")
        ours = json.dumps(to_json_value(engine.query(query)))
        theirs = json.dumps(answer["results"][2])
        if ours != theirs or engine.logs != answer["log"]:
            differences.append(f"{query}\n  vfilter {theirs} {answer['log']}\n  ours    {ours}")
    assert not differences, "\n".join(differences[:5])


# Issue 12's examples, each with the answer vfilter gives.
EXAMPLES = [
    ("SELECT 'x' * 3 AS a, 'ab' * 0 AS b FROM scope()", [{"a": "xxx", "b": ""}], []),
    (
        "SELECT TRUE - 10 AS a, 3 * TRUE AS b, TRUE / 2 AS c, TRUE + 1 AS d, 1 = TRUE AS e, "
        "0 = FALSE AS f, TRUE IN (1, 2, 3) AS g FROM scope()",
        [{"a": -9, "b": 3, "c": 0.5, "d": None, "e": True, "f": True, "g": True}],
        [],
    ),
    (
        "LET l <= (1, 2) SELECT 'a' > 10 AS a, 'a' < 10 AS b, '1' < 2 AS c, l < 8 AS d, "
        "l > 8 AS e, dict() >= 10 AS f FROM scope()",
        [{"a": True, "b": True, "c": True, "d": True, "e": True, "f": True}],
        [],
    ),
    (
        "SELECT 0 =~ '0' AS a, 15 =~ '5' AS b, (1, 2) =~ '1' AS c FROM scope()",
        [{"a": False, "b": False, "c": False}],
        [],
    ),
    ("SELECT 'abc'[1] AS a, 'This is a test'[0] AS b FROM scope()", [{"a": 98, "b": 84}], []),
    (
        "LET q = SELECT * FROM range(start=0, end=3) SELECT q + 2.0 AS a, len(list=q) AS b "
        "FROM scope()",
        [{"a": None, "b": 0}],
        [],
    ),
    ("SELECT * FROM scope() WHERE 'false'", [{}], []),
    (
        "SELECT missing_symbol FROM scope()",
        [{"missing_symbol": None}],
        ["ERROR:Symbol missing_symbol not found. Current Scope is [NULL], [], [$Query], []"],
    ),
    (
        "SELECT nosuch(a=1) AS a FROM scope()",
        [{"a": None}],
        ["ERROR:Symbol nosuch not found. Current Scope is [NULL], [], [$Query], []"],
    ),
    (
        "SELECT * FROM nosuch()",
        [],
        [
            "ERROR:Plugin nosuch not found. Current Scope is [NULL], [], [$Query]",
            "ERROR:Plugin nosuch not found.",
        ],
    ),
    ("EXPLAIN SELECT 1 AS a FROM scope()", [{"a": 1}], []),
    (
        "SELECT sum(item=_value) AS s, min(item=_value) AS mn, max(item=_value) AS mx "
        "FROM range(start=1, end=4) GROUP BY 1",
        [{"s": 6, "mn": 1, "mx": 3}],
        [],
    ),
    ("SELECT encode(string='hi', type='hex') AS a FROM scope()", [{"a": "6869"}], []),
    (
        "LET d <= dict(a=1, b='x') SELECT d.`@Keys` AS k, d.`@Values` AS v, d.`@Len` AS l, "
        "d.`@String` AS s FROM scope()",
        [{"k": ["a", "b"], "v": [1, "x"], "l": 2, "s": '{"a":1,"b":"x"}'}],
        [],
    ),
    ("SELECT (1, 2 3) AS a FROM scope()", [{"a": [1, 3]}], []),
    # Go's fmt takes no width or precision past a million (fmt/print.go, parsenum): the rest
    # of the format is consumed, the verb is missing and the argument left over.
    (
        "SELECT format(format='%01000000000d', args=1) AS X FROM scope()",
        [{"X": "%!(NOVERB)%!(EXTRA int64=1)"}],
        [],
    ),
    (
        "SELECT format(format='%.f|%.s|%5.1f|%.', args=[1.5, 'abc', 2.25, 3]) AS X FROM scope()",
        [{"X": "2||  2.2|%!.(int64=3)"}],
        [],
    ),
    # A long operator chain is no deeper than its operators: no recursion limit of ours.
    ("SELECT " + " + ".join(["1"] * 1000) + " AS X FROM scope()", [{"X": 1000}], []),
]


def test_issue_examples_agree_with_vfilter(oracle: OracleProcess) -> None:
    for query, rows, log in EXAMPLES:
        answer = oracle.ask({"vql": query, "env": {}})
        assert answer["results"][-1] == rows, query
        assert answer["log"] == log, query
        engine = Engine(env={}, dialect="vfilter")
        assert to_json_value(engine.query(query)) == rows, query
        assert engine.logs == log, query
