"""Go strings in the evaluator: bytes that are not UTF-8, and lone surrogates, never reach RE2 or
an encoder as such (issue 11: a lone surrogate from ``parse_json`` was an internal
UnicodeEncodeError in RE2).

A string literal ``'\\xff'`` is one invalid byte; Go's ``regexp`` reads it as U+FFFD, ``fmt``
quotes it as ``\\xff``, ``len`` counts one byte and ``encoding/json`` writes U+FFFD. vfilter's
answers (the ``eval`` oracle) are recorded here and re-checked against the oracle when present.
"""

from __future__ import annotations

from typing import Any

import pytest
from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.values import to_json_value

from tests.differential.oracle import oracle_path, run_batch

# (query, vfilter's rows as JSON, vfilter's log); each ran into an internal error before.
VFILTER_ANSWERS: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    (
        r"SELECT '\xff' =~ 'x' AS A, 'a\xffb' =~ 'a.b' AS B, 'a\xffb' =~ '\x{fffd}' AS C, "
        r"'a\xffb' =~ 'a\xff' AS D FROM scope()",
        [{"A": False, "B": True, "C": True, "D": False}],
        ["Compile regexp: error parsing regexp: invalid UTF-8: `\ufffd`"],
    ),
    (
        r"SELECT format(format='%q|%x|%s|%v', args=['a\xffb','\xff','\xff','\xff']) AS A "
        "FROM scope()",
        [{"A": '"a\\xffb"|ff|\ufffd|\ufffd'}],
        [],
    ),
    (
        "SELECT format(format='%q|%q|%q|%q', args=[39, 10, 55296, -1]) AS A FROM scope()",
        [{"A": "'\\''|'\\n'|'\ufffd'|'\ufffd'"}],
        [],
    ),
    (
        r"SELECT len(list='\xff') AS A, '\xc3' + '\xa9' = 'é' AS B FROM scope()",
        [{"A": 1, "B": True}],
        [],
    ),
]


@pytest.mark.parametrize(("query", "rows", "log"), VFILTER_ANSWERS)
def test_invalid_bytes_behave_as_in_vfilter(
    query: str, rows: list[dict[str, Any]], log: list[str]
) -> None:
    engine = Engine(env={}, dialect="vfilter")
    assert to_json_value(engine.query(query)) == rows
    assert engine.logs == log


def test_the_recorded_answers_are_vfilters() -> None:
    path = oracle_path("eval")
    if path is None:
        pytest.skip("../shared/oracles/vfilter/eval is not present")
    answers = run_batch(
        path, [{"id": str(i), "vql": q, "env": {}} for i, (q, _, _) in enumerate(VFILTER_ANSWERS)]
    )
    for (query, rows, log), answer in zip(VFILTER_ANSWERS, answers, strict=True):
        assert answer["results"][-1] == rows, query
        assert answer["log"] == log, query


def value(expr: str) -> Any:
    return Engine().query(f"SELECT {expr} AS X FROM scope()")[0]["X"]


def test_parse_json_makes_a_lone_surrogate_escape_the_replacement_character() -> None:
    """Go's ``encoding/json`` (``decode.go``, ``unquoteBytes``): an invalid surrogate escape
    "falls back to the replacement rune"; a valid pair is one character."""
    assert value("""parse_json(data='"\\\\ud800"') =~ 'x'""") is False
    assert value("""parse_json(data='"a\\\\ud800"')""") == "a\ufffd"
    assert value("""parse_json(data='{"k\\\\udfff": "\\\\ud83d"}')""") == {"k\ufffd": "\ufffd"}
    assert value("""parse_json_array(data='["\\\\ud83d\\\\ude00"]')""") == ["\U0001f600"]


@pytest.mark.parametrize(
    "expr",
    [
        r"regex_replace(source='a\xffb', re='(b)', replace='[$1]')",
        r"split(string='a\xffb', sep='b')",
        r"filter(list=['\xff', 'x'], regex='x')",
        r"parse_string_with_regex(string='a\xffb', regex='(?P<x>.b)')",
        r"serialize(item=dict(k='\xff'))",
        r"hash(path='\xff', accessor='data')",
        r"format(format='%x %q', args=[parse_json(data='\"\\ud800\"'), 55296])",
        r"regex_replace(source=parse_json(data='\"\\udc00\"'), re='.', replace='x')",
    ],
)
def test_no_string_function_fails_on_invalid_bytes(expr: str) -> None:
    engine = Engine()
    row = engine.query(f"SELECT {expr} AS X FROM scope()")[0]
    assert "\ud800" not in repr(to_json_value(row))


def test_matches_keep_the_strings_own_bytes() -> None:
    """Go's ``ReplaceAllString`` and ``FindStringSubmatch`` return the string's bytes; only the
    JSON encoder makes them U+FFFD."""
    assert value(r"regex_replace(source='a\xffb', re='(b)', replace='[$1]')") == "a\udcff[b]"
    assert value(r"parse_string_with_regex(string='a\xffb', regex='(?P<x>.b)')") == {"x": "\udcffb"}
    assert value(r"serialize(item='\xff')") == '"\ufffd"'
