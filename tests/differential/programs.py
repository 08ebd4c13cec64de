"""Hypothesis strategies for small VQL programs over vfilter's core, and the harness that runs one
program through our evaluator (vfilter dialect) and through the ``eval`` oracle.

A program is a few LET statements (lazy and materialized expressions, stored queries, LET
functions with parameters) followed by one or two SELECTs, over: arithmetic, comparisons, NULL,
strings, lists (tuples), dicts, ``IN``, ``=~``, ``if()``, member access, indexing and slicing,
subqueries, GROUP BY with aggregates, ORDER BY, LIMIT, and the core plugins (``scope``,
``range``, ``foreach``, ``chain``, ``if``, ``flatten``). Only vfilter's own built-ins are used:
the oracle has nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.values import NULL, to_json_value

from .oracle import OracleProcess

# ---------------------------------------------------------------- expressions

VARIABLES = ("n", "s", "l", "e", "b", "f")
ENV: dict[str, Any] = {"n": 3}
"""The oracle's ``env``: one variable, since Go lists a map's keys in random order."""
PRELUDE = (
    "LET s <= 'abc'",
    "LET l <= (1, 'a', 2)",
    "LET e <= ''",
    "LET b <= TRUE",
    "LET f <= 2.5",
    "LET q = SELECT _value AS x, _value * 2 AS y FROM range(start=0, end=3)",
    "LET q2(a) = SELECT a AS x, a + 1 AS y FROM scope()",
    "LET f2(v) = v",
)
"""The statements every program starts with: the other variables, a stored query, a stored
query with a parameter and a LET function."""

SAFE_ATOM_TEXTS = (
    *("0", "1", "2", "3", "-1", "-2", "10", "0x10", "010", "7"),
    *("1.5", "0.5", "2.0", "-1.5", ".5", "1e3"),
    *("'a'", "'b'", "''", "'abc'", '"x"', "'1'", "'A'", "'a.c'", "'10'"),
    *("TRUE", "FALSE", "NULL"),
    *VARIABLES,
    *("dict()", "dict(a=1, b='x')", "(1, 2)", "(1,)", "('a', 'b')"),
)
SAFE_ATOMS = st.sampled_from(SAFE_ATOM_TEXTS)
ATOMS = st.sampled_from((*SAFE_ATOM_TEXTS, "missing"))
CONTAINERS = st.sampled_from(["q", "dict(x=1, y='a')", "dict(x=dict(y=2))", "s", "n", "NULL"])
GET_CONTAINERS = st.sampled_from(["dict(x=1, y='a')", "dict(x=dict(y=2))", "s", "n", "NULL"])
"""What member access and get() are applied to. Not lists whose elements lack the member:
vfilter then returns a Go nil slice, shown as null in a column, [] in a dict or tuple, and,
from get(), NULL or [] depending on earlier calls. Real VQL does not rely on that."""
REGEXES = st.sampled_from(["'.'", "'.*'", "''", "'^a'", "'b$'", "'1'", "'A'", "'x|y'"])
BAD_REGEXES = st.sampled_from(["'['", "'a**'"])

BINARY = ("+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "IN", "AND", "OR", "<>")


def _paren(text: str) -> str:
    return f"({text})"


def _multiply(a: str, b: str) -> str:
    # vfilter panics on '' * -1 and on a string times a huge float: keep counts small.
    return f"{a} * {_paren(b)}" if not b.lstrip("(").startswith("-") else f"{a} * 2"


def _extend(
    children: st.SearchStrategy[str], *, safe: bool, calls: bool = True
) -> st.SearchStrategy[str]:
    binary = st.sampled_from([op for op in BINARY if op != "*"])
    regexes = REGEXES if safe else st.one_of(REGEXES, BAD_REGEXES)
    options = [
        st.builds(lambda a, op, b: f"{a} {op} {_paren(b)}", children, binary, children),
        st.builds(_multiply, children, st.sampled_from(["2", "0", "1.5", "TRUE", "n"])),
        st.builds(lambda a, r: f"{a} =~ {r}", children, regexes),
        st.builds(lambda a: f"NOT {a}", children),
        st.builds(
            lambda items: "(" + ", ".join(items) + ")", st.lists(children, min_size=2, max_size=3)
        ),
        st.builds(lambda a: f"({a},)", children),
        st.builds(lambda a, b: f"dict(x={a}, y={b})", children, children),
        st.builds(
            lambda c, t, e: f"if(condition={c}, then={t}, else={e})", children, children, children
        ),
        st.builds(lambda c, t: f"if(condition={c}, then={t})", children, children),
        st.builds(lambda a: f"len(list={a})", children),
        st.builds(
            lambda a, i: f"{_paren(a)}[{i}]", children, st.sampled_from(["0", "1", "-1", "5"])
        ),
        st.builds(
            lambda a, i: f"{_paren(a)}[{i}]",
            children,
            st.sampled_from(["1:", ":1", "0:2", "-2:", "1:1", "2:1"]),
        ),
        st.builds(lambda a, m: f"{_paren(a)}.{m}", CONTAINERS, st.sampled_from(["x", "y", "a"])),
        st.builds(
            lambda a, m: f"get(item={a}, member='{m}')",
            GET_CONTAINERS,
            st.sampled_from(["x", "y", "0", "a"]),
        ),
        st.builds(lambda a: f"get(item=dict(x=dict(y={a})), member='x.y')", children),
    ]
    if calls and not safe:
        options.append(st.builds(lambda a: f"f2(v={a})", children))
    return st.one_of(*options)


EXPRESSIONS: st.SearchStrategy[str] = st.recursive(
    ATOMS, lambda c: _extend(c, safe=False), max_leaves=6
)
BODIES: st.SearchStrategy[str] = st.recursive(
    ATOMS, lambda c: _extend(c, safe=False, calls=False), max_leaves=6
)
"""LET function bodies: no call of the LET function itself (recursion is issue 11's limits)."""
SAFE_EXPRESSIONS: st.SearchStrategy[str] = st.recursive(
    SAFE_ATOMS, lambda c: _extend(c, safe=True), max_leaves=6
)
"""Expressions that never log: LIMIT makes vfilter evaluate one row ahead of its consumer in
another goroutine, and whether that row is evaluated before the cancellation is a race."""

# ---------------------------------------------------------------- queries

PLUGINS = st.sampled_from(
    [
        "scope()",
        "range(start=0, end=3)",
        "range(start=1, end=10, step=3)",
        "foreach(row=[1, 2, 'a'])",
        "foreach(row=l)",
        "foreach(row=dict(x=1, y=2))",
        "foreach(row=[dict(x=1, y='a'), dict(x=2, y='b'), dict(x=1, y='c')])",
        "foreach(row={SELECT _value AS x FROM range(start=0, end=3)}, "
        "query={SELECT x, x * 2 AS y FROM scope()})",
        "chain(a={SELECT 1 AS x FROM scope()}, b={SELECT 2 AS x, 'q' AS y FROM scope()})",
        "if(condition=n > 2, then={SELECT 'then' AS x FROM scope()}, "
        "else={SELECT 'else' AS x FROM scope()})",
        "flatten(query={SELECT (1, 2) AS x, 'a' AS y FROM scope()})",
        "q",
        "q2(a=5)",
    ]
)
COLUMN_NAMES = st.sampled_from(["A", "B", "x", "y", "_value"])


@st.composite
def columns(draw: st.DrawFn, *, safe: bool) -> str:
    items = []
    if draw(st.booleans()):
        items.append("*")
    expressions = SAFE_EXPRESSIONS if safe else EXPRESSIONS
    for _ in range(draw(st.integers(min_value=0 if items else 1, max_value=3))):
        kind = draw(st.integers(min_value=0, max_value=9))
        if kind == 0:
            expr = "{SELECT x FROM foreach(row=[dict(x=1), dict(x=2)])}"
        elif kind == 1:
            expr = draw(
                st.sampled_from(["count()", "enumerate(items=n)"])
                if safe
                else st.sampled_from(
                    ["count()", "sum(item=x)", "min(item=x)", "max(item=x)", "enumerate(items=x)"]
                )
            )
        elif kind == 2 and not safe:
            expr = draw(st.sampled_from(["x", "y", "_value", "x + 1", "y =~ 'a'", "f2(v=x)"]))
        else:
            expr = draw(expressions)
        if draw(st.booleans()):
            expr += " AS " + draw(COLUMN_NAMES)
        items.append(expr)
    return ", ".join(items)


@st.composite
def selects(draw: st.DrawFn) -> str:
    limit = draw(st.integers(min_value=0, max_value=4)) == 0
    text = f"SELECT {draw(columns(safe=limit))} FROM {draw(PLUGINS)}"
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        where = SAFE_EXPRESSIONS if limit else EXPRESSIONS
        text += " WHERE " + draw(st.one_of(where, st.sampled_from(["x", "x = 1", "_value > 0"])))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        text += " GROUP BY " + draw(st.sampled_from(["x", "y", "_value", "x, y", "1"]))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        text += " ORDER BY " + draw(COLUMN_NAMES)
        if draw(st.booleans()):
            text += " DESC"
    if limit:
        text += f" LIMIT {draw(st.integers(min_value=0, max_value=3))}"
    return text


LETS = st.one_of(
    st.builds(lambda e: f"LET v = {e}", EXPRESSIONS),
    st.builds(lambda e: f"LET v <= {e}", EXPRESSIONS),
    st.just("LET q = SELECT _value AS x, _value * 2 AS y FROM range(start=0, end=3)"),
    st.just("LET q <= SELECT 'a' AS x, 1 AS y FROM scope()"),
    st.builds(lambda e: f"LET f2(v) = ({e}, v)", BODIES),
    st.just("LET f2(v, w=10) = v + w"),
    st.just("LET q2(a) = SELECT a AS x, a + 1 AS y FROM scope()"),
)


@st.composite
def programs(draw: st.DrawFn) -> str:
    """One program: the prelude, up to three LETs, then one or two SELECTs."""
    statements = list(PRELUDE)
    statements.extend(draw(st.lists(LETS, max_size=3)))
    statements.extend(draw(st.lists(selects(), min_size=1, max_size=2)))
    return "\n".join(statements)


# ---------------------------------------------------------------- running one program


@dataclass(frozen=True)
class Outcome:
    """What a program gave: each statement's rows as Go's JSON would spell them, and the log."""

    results: str
    log: tuple[str, ...]
    error: str | None = None


def go_env() -> dict[str, Any]:
    """`ENV` as the oracle holds it: JSON numbers decode to Go float64."""

    def convert(value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return NULL if value is None else value
        if isinstance(value, int):
            return float(value)
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {name: convert(value) for name, value in ENV.items()}


def ours(program: str) -> Outcome:
    from vr_quarantine.vql.eval.runner import statements_of

    engine = Engine(env=go_env(), dialect="vfilter")
    results: list[Any] = []
    for statement in statements_of(program):
        results.append(to_json_value(list(engine.run_statement(statement))))
    return Outcome(json.dumps(results), tuple(line.rstrip() for line in engine.logs))


def theirs(answer: dict[str, Any]) -> Outcome:
    return Outcome(
        json.dumps(answer.get("results", [])),
        tuple(answer.get("log", [])),
        answer.get("error"),
    )


def compare(oracle: OracleProcess, program: str) -> str | None:
    """None when our evaluator and vfilter's give the same rows and log; else a report."""
    answer = oracle.ask({"vql": program, "env": ENV})
    expected = theirs(answer)
    try:
        actual = ours(program)
    except Exception as exc:  # a crash is a difference to report, not a test error
        actual = Outcome("", (f"{type(exc).__name__}: {exc}",))
    if expected.error is None and (actual.results, actual.log) == (
        expected.results,
        expected.log,
    ):
        return None
    return (
        f"program:\n{program}\n"
        f"vfilter: {expected.results} log={list(expected.log)} error={expected.error}\n"
        f"ours:    {actual.results} log={list(actual.log)}"
    )


def run_programs(
    oracle: OracleProcess, count: int, *, seed: int | None = None
) -> tuple[int, list[str]]:
    """Draw `count` programs (derandomized unless `seed`) and compare each: (run, reports)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as use_seed

    reports: list[str] = []
    ran = 0

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=seed is None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(programs())
    def check(program: str) -> None:
        nonlocal ran
        ran += 1
        report = compare(oracle, program)
        if report is not None:
            reports.append(report)

    if seed is not None:
        check = use_seed(seed)(check)
    check()
    return ran, reports
