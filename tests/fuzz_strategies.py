"""Hypothesis strategies for hostile inputs: random bytes, random YAML, random VQL, and real
profiles, artifacts and scenarios with hostile values put in.

Used by tests/test_fuzz_commands.py, which feeds them to every command in capped processes.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

# Imported here, not while hypothesis runs a test: the evaluator makes its recursion room when it
# is imported, and hypothesis warns about a recursion limit changed during a test.
from vr_quarantine.simulate.scenario import FIELD_TYPES, builtin_names
from vr_quarantine.vql.eval.functions import all_functions
from vr_quarantine.vql.eval.plugins import all_plugins

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_TEXT = st.sampled_from(
    [
        "$(Start-Process calc)",
        "`whoami`",
        "${env:USERPROFILE}",
        "%COMSPEC%",
        "^&|;<>",
        '" & calc & "',
        "'; DROP",
        "line\nbreak",
        "cr\rlf\r\n",
        "nul\x00byte",
        "\x1b[2J\x1b]52;c;eA==\x07",
        "lone\ud800surrogate",
        "\udcff",
        "\u202eevil\u2066",
        "é→✓",
        "{{ 7*7 }}",
        "{% raw %}",
        "*alias",
        "&anchor",
        "<<",
        "!!python/object:os.system",
        "- SELECT 1",
        "LET x = 1",
        "// comment",
        "/* open",
        "'''",
        '"""',
        "\\",
        "A" * 5000,
        "9" * 1200,
        "",
        " ",
        "-",
        "~",
        "null",
        "yes",
        "0x1f",
        "1:30:00",
        "2026-01-01",
        ".nan",
    ]
)
SCALAR = st.one_of(
    HOSTILE_TEXT,
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
DATA = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), HOSTILE_TEXT), inner, max_size=4),
    ),
    max_leaves=25,
)

YAML_TOKENS = st.sampled_from(
    [
        "a",
        "name",
        "sources",
        "query",
        "base",
        "format_version",
        ": ",
        "- ",
        "\n",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&x ",
        "*x",
        "<<: *x",
        "!!int ",
        "!!binary ",
        "!!str ",
        "!!set ",
        "!!omap ",
        "? ",
        "'",
        '"',
        "\\ud800",
        "\\x1b",
        "9" * 1100,
        "0x1f",
        "1:30",
        ".inf",
        "---\n",
        "...\n",
        "#",
        "|\n",
        ">-\n",
        "%YAML 1.1\n",
        "\t",
        "\r",
        "\x85",
        "\u2028",
        "\ufeff",
    ]
)


def _dump(data: Any, flow: bool) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)


@st.composite
def random_yaml(draw: st.DrawFn) -> bytes:
    """YAML that parses to random data, or a soup of YAML's significant tokens."""
    if draw(st.booleans()):
        text = "".join(draw(st.lists(YAML_TOKENS, max_size=40)))
    else:
        text = _dump(draw(DATA), draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


RANDOM_BYTES = st.binary(max_size=600)


# --- real files with hostile values put in ----------------------------------------------------


@functools.cache
def _documents(kind: str) -> tuple[Any, ...]:
    if kind == "profile":
        files = sorted((ROOT / "examples").glob("*.yaml"))
        files.append(ROOT / "generator" / "profile" / "default.yaml")
    elif kind == "artifact":
        files = sorted((ROOT / "artifacts").glob("*.yaml"))
    else:
        files = sorted((ROOT / "tests" / "fixtures" / "scenarios").glob("*.yaml"))
    return tuple(yaml.safe_load(f.read_text(encoding="utf-8")) for f in files)


def value_paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path (keys and indexes) of every value in loaded YAML, the root's () first."""
    out = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(value_paths(value, (*at, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(value_paths(value, (*at, index)))
    return out


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    """The mapping or list that holds the value at `path`."""
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A real profile, artifact or scenario with one to four values replaced, deleted or added.

    Strings are sometimes mutated in place (a hostile text inserted), so that VQL queries and
    descriptions stay mostly intact and the commands get past their first checks.
    """
    data = copy.deepcopy(draw(st.sampled_from(_documents(kind))))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in value_paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = parent_of(data, path)
        value = parent[path[-1]]
        op = draw(st.sampled_from(["set", "delete", "insert", "splice", "splice"]))
        if op == "set":
            parent[path[-1]] = draw(DATA)
        elif op == "delete":
            del parent[path[-1]]
        elif op == "insert" and isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=12), HOSTILE_TEXT))] = draw(DATA)
        elif op == "splice" and isinstance(value, str):
            at = draw(st.integers(min_value=0, max_value=len(value)))
            cut = draw(st.integers(min_value=0, max_value=8))
            insert = draw(st.one_of(HOSTILE_TEXT, VQL_TOKEN))
            parent[path[-1]] = value[:at] + insert + value[at + cut :]
    return _dump(data, False).encode("utf-8", "surrogatepass")


# --- random VQL -------------------------------------------------------------------------------


@functools.cache
def _callables() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The functions and plugins the evaluator implements, and a few it does not."""
    return (
        (*sorted(all_functions()), "no_such_function", "upload"),
        (*sorted(all_plugins()), "no_such_plugin", "Artifact.Custom.Fuzz"),
    )


VQL_TOKEN = st.sampled_from(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "LET",
        "AS",
        "LIMIT",
        "ORDER BY",
        "GROUP BY",
        "=",
        "<=",
        "=~",
        "+",
        "*",
        "/",
        ".",
        ",",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "x",
        "_value",
        "scope()",
        "'a'",
        '"b"',
        "1",
        "0x10",
        "NULL",
        "TRUE",
        "//",
        "/*",
        "*/",
        "=>",
        "$",
        "`",
        "\n",
    ]
)
_NAMES = st.sampled_from(["x", "y", "Row", "_value", "A", "Config", "env", "q"])
_LITERAL = st.one_of(
    st.integers(min_value=-5, max_value=50).map(str),
    st.sampled_from(["1.5", "NULL", "TRUE", "FALSE", "0x10", "1e3"]),
    HOSTILE_TEXT.map(lambda t: "'" + t.replace("'", "").replace("\\", "") + "'"),
    st.text(max_size=12).map(lambda t: '"' + t.replace('"', "").replace("\\", "") + '"'),
)


def _call(
    names: tuple[str, ...], value: st.SearchStrategy[str], query: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    keyword = st.sampled_from(["x", "item", "query", "row", "end", "format", "args", "list"])
    argument = st.tuples(keyword, st.one_of(value, query.map(lambda q: "{" + q + "}")))
    return st.tuples(st.sampled_from(names), st.lists(argument, max_size=3)).map(
        lambda c: f"{c[0]}(" + ", ".join(f"{k}={v}" for k, v in c[1]) + ")"
    )


_OPERATORS = st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", ">=", "=~", "AND", "OR", "IN"])


def _grammar() -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    """Expressions and queries that parse (mostly), over the evaluator's functions and plugins."""
    functions, plugins = _callables()
    simple_query = st.just("SELECT * FROM scope()") | st.integers(0, 20).map(
        lambda n: f"SELECT * FROM range(end={n})"
    )
    expression = st.recursive(
        st.one_of(_LITERAL, _NAMES),
        lambda inner: st.one_of(
            st.tuples(inner, _OPERATORS, inner).map(" ".join),
            inner.map(lambda e: f"NOT ({e})"),
            inner.map(lambda e: f"({e})"),
            st.lists(inner, max_size=3).map(lambda items: "([" + ", ".join(items) + "])"),
            _call(functions, inner, simple_query),
            st.tuples(_NAMES, _NAMES).map(".".join),
            st.tuples(inner, st.integers(-2, 3)).map(lambda t: f"{t[0]}[{t[1]}]"),
        ),
        max_leaves=8,
    )
    source = st.one_of(
        st.just("scope()"),
        st.integers(min_value=0, max_value=20).map(lambda n: f"range(end={n})"),
        _call(plugins, expression, simple_query),
        _NAMES,
    )
    column = st.tuples(expression, st.sampled_from(["A", "B", "Row", "_value"])).map(
        lambda c: f"{c[0]} AS {c[1]}"
    )
    query = st.tuples(
        st.lists(column, min_size=1, max_size=3),
        source,
        st.one_of(st.none(), expression),
        st.one_of(st.none(), st.integers(0, 5)),
    ).map(
        lambda q: (
            f"SELECT {', '.join(q[0])} FROM {q[1]}"
            + (f" WHERE {q[2]}" if q[2] is not None else "")
            + (f" LIMIT {q[3]}" if q[3] is not None else "")
        )
    )
    return expression, query


@st.composite
def random_vql(draw: st.DrawFn) -> str:
    """A VQL program: LETs (values, stored queries, functions) and a SELECT over the evaluator's
    own functions and plugins; one in eight is a soup of VQL tokens instead."""
    if draw(st.integers(min_value=0, max_value=7)) == 0:
        return " ".join(draw(st.lists(VQL_TOKEN, min_size=1, max_size=30)))
    expression, query = _grammar()
    statements: list[str] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        name = draw(_NAMES)
        form = draw(st.sampled_from(["value", "query", "function", "materialized"]))
        if form == "value":
            statements.append(f"LET {name} = {draw(expression)}")
        elif form == "query":
            statements.append(f"LET {name} = {draw(query)}")
        elif form == "materialized":
            statements.append(f"LET {name} <= {draw(query)}")
        else:
            statements.append(f"LET {name}(x) = {draw(expression)}")
    statements.append(draw(query))
    return "\n".join(statements)


@st.composite
def random_artifact(draw: st.DrawFn) -> bytes:
    """An artifact whose query is random VQL, with random parameters."""
    parameters = []
    for name in draw(st.lists(_NAMES, max_size=3, unique=True)):
        parameter: dict[str, Any] = {"name": name}
        if draw(st.booleans()):
            parameter["type"] = draw(
                st.sampled_from(["bool", "int", "json", "json_array", "csv", "regex", "timestamp"])
            )
        if draw(st.booleans()):
            parameter["default"] = draw(st.one_of(HOSTILE_TEXT, st.text(max_size=10)))
        parameters.append(parameter)
    data: dict[str, Any] = {
        "name": draw(st.sampled_from(["Custom.Fuzz", "Custom.Windows.Fuzz", "Fuzz"])),
        "parameters": parameters,
        "sources": [{"query": draw(random_vql())}],
    }
    if draw(st.booleans()):
        data["precondition"] = "SELECT OS From info() where OS = 'windows'"
    return _dump(data, False).encode("utf-8", "surrogatepass")


def any_document() -> st.SearchStrategy[bytes]:
    """Anything a command may be given: bytes, YAML, VQL, and real files made hostile."""
    return st.one_of(
        RANDOM_BYTES,
        random_yaml(),
        random_artifact(),
        mutated("profile"),
        mutated("artifact"),
        mutated("scenario"),
    )


_TYPED_VALUES: dict[type, st.SearchStrategy[Any]] = {
    str: st.one_of(HOSTILE_TEXT, st.text(max_size=12)),
    bool: st.booleans(),
    int: st.one_of(
        st.integers(min_value=-3, max_value=40),
        st.sampled_from([0, 2**31, 2**63, 10**18, -(10**12)]),
    ),
    list: st.lists(st.one_of(HOSTILE_TEXT, st.text(max_size=8), DATA), max_size=4),
    dict: st.dictionaries(st.one_of(HOSTILE_TEXT, st.text(max_size=8)), DATA, max_size=4),
}


_NUMBER = st.one_of(
    st.integers(min_value=-5, max_value=100_000),
    st.sampled_from([10**12, 10**20, 2**63, -(10**9)]),
    st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT,
)
_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "life": st.lists(
        st.fixed_dictionaries(
            {"step": st.sampled_from(["run", "remove", "status", "monitor", "advance", "x"])},
            optional={"seconds": _NUMBER, "ticks": _NUMBER, "params": DATA, "ends": DATA},
        ),
        max_size=4,
    ),
    "events": st.lists(
        st.fixed_dictionaries(
            {"at": _NUMBER},
            optional={"dns": DATA, "local": st.sampled_from(["unassign", "delete", "x"])},
        ),
        max_size=3,
    ),
}


@st.composite
def random_scenario(draw: st.DrawFn) -> bytes:
    """A scenario file: a built-in base and any of its fields, each of the right type (so the
    simulator gets past the scenario's own checks) or anything at all."""
    base = draw(st.sampled_from(builtin_names())).replace(":N", f":{draw(st.integers(0, 60))}")
    data: dict[str, Any] = {"base": base}
    for name in draw(st.lists(st.sampled_from(sorted(FIELD_TYPES)), max_size=4, unique=True)):
        kind = FIELD_TYPES[name]
        if name in _BY_NAME:
            strategy = _BY_NAME[name]
        else:
            strategy = _TYPED_VALUES.get(kind, DATA) if isinstance(kind, type) else DATA
        data[name] = draw(st.one_of(strategy, DATA) if draw(st.booleans()) else strategy)
    return _dump(data, False).encode("utf-8", "surrogatepass")
