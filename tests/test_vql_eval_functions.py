"""Velociraptor's functions and plugins as the evaluator implements them."""

from __future__ import annotations

from typing import Any

import pytest
from vr_quarantine.errors import VrqError
from vr_quarantine.vql.eval import ArtifactSet, Engine, load_artifact_text
from vr_quarantine.vql.eval.engine import VqlRuntimeError
from vr_quarantine.vql.eval.values import NULL, go_float, go_sprintf


def value(expr: str, **env: Any) -> Any:
    return Engine(env=env).query(f"SELECT {expr} AS X FROM scope()")[0]["X"]


@pytest.mark.parametrize(
    ("fmt", "args", "expected"),
    [
        ("%v", [["a", "b"]], "[a b]"),
        ("Running %v: %v", [["nft", "add"], "ok"], "Running [nft add]: ok"),
        ("%s|%d|%q", ["s", 42, 'q"'], 's|42|"q\\""'),
        ("%x %X %#x", [255, 255, 255], "ff FF 0xff"),
        ("%5d|%-4s|%05.2f", [7, "ab", 3.14159], "    7|ab  |03.14"),
        ("%d", ["oops"], "%!d(string=oops)"),
        ("%s", [5], "%!s(int64=5)"),
        ("%v %v", ["one"], "one %!v(MISSING)"),
        ("%v", ["one", "two"], "one%!(EXTRA string=two)"),
        ("%T %T %T %T", ["s", 1, 1.5, ["x"]], "string int64 float64 []interface {}"),
        ("%v %v", [True, NULL], "true Null"),
        ("100%%", [], "100%"),
    ],
)
def test_format_follows_go_fmt(fmt: str, args: list[Any], expected: str) -> None:
    assert go_sprintf(fmt, args) == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.5, "1.5"),
        (3.0, "3"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (-2.5, "-2.5"),
    ],
)
def test_floats_print_as_go_prints_them(number: float, text: str) -> None:
    assert go_float(number) == text


def test_format_function_single_arg_and_timestamps() -> None:
    assert value("format(format='%v!', args='x')") == "x!"
    assert value("format(format='%v', args=timestamp(epoch=1700000000))") == "2023-11-14T22:13:20Z"


def test_split_uses_a_regex_separator() -> None:
    assert value("split(string='[2001:db8::1]:8000', sep=':')") == [
        "[2001",
        "db8",
        "",
        "1]",
        "8000",
    ]
    assert value("split(string='a.b', sep='.')") == ["", "", "", ""]
    assert value("split(string='a.b', sep_string='.')") == ["a", "b"]


def test_url_parse_keeps_brackets_and_port_in_host() -> None:
    assert value("url(parse='https://[2001:db8::1]:8000/x').Host") == "[2001:db8::1]:8000"
    assert value("url(parse='wss://h.example:8000/').Scheme") == "wss"
    assert value("url(parse='https://h.example/').Host") == "h.example"


def test_url_build_string_adds_the_slash() -> None:
    assert value("url(scheme='https', host='h:1', path='server.pem').String") == (
        "https://h:1/server.pem"
    )


def test_filter_by_regex_and_lambda() -> None:
    assert value(r"filter(list=('a', 'b=', 'b=1'), regex='^(\\w+|\\w+=.+)$')") == ["a", "b=1"]
    assert value("filter(list=(1, 2, 3), condition='x => x > 1')") == [2, 3]


def test_filter_keeps_everything_for_the_match_all_patterns() -> None:
    # Velociraptor's filter() keeps an item when scope.Match(regex, item) is true
    # (vql/functions/lists.go); vfilter's dispatcher (protocols/protocol_regex.go) answers TRUE
    # for ".", ".*" and "" whatever the item, NULL and "" included.
    for pattern in (".", ".*", ""):
        assert value(f"filter(list=['', 'a', NULL], regex='{pattern}')") == ["", "a", NULL]
    assert value("filter(list=['', 'a', NULL])") == ["", "a", NULL]
    assert value("filter(list=NULL, regex='.')") == [NULL]


def test_filter_drops_empty_values_only_with_a_real_pattern() -> None:
    assert value("filter(list=['', 'a', NULL, 'b'], regex='.+')") == ["a", "b"]
    assert value("filter(list=NULL, regex='.+')") == []
    # Numbers match on their text (Velociraptor's vql/protocols/regex.go); booleans and dicts
    # never match a real pattern (vfilter's protocols/protocol_regex.go).
    assert value("filter(list=[1, 'x1', TRUE, dict(a='1')], regex='1')") == [1, "x1"]


def test_filter_regex_is_one_string() -> None:
    # FilterFunctionArgs.Regex is a string: a one-element list is its element (arg_parser).
    assert value("filter(list=('a', 'ab', 'b'), regex=['^a'])") == ["a", "ab"]


def test_filter_in_simulate_keeps_all_three_items() -> None:
    from vr_quarantine.simulate import resolve_scenario, simulate_artifact

    artifact = (
        "name: Custom.Test.Filter\n"
        "sources:\n"
        "  - query: |\n"
        "      SELECT filter(list=['', 'a', NULL], regex='.') AS F FROM scope()\n"
    )
    result = simulate_artifact(artifact, resolve_scenario("success"))
    assert result.error is None
    assert result.rows == [{"F": ["", "a", NULL]}]


def test_join_len_lowcase_upcase_str_int() -> None:
    assert value("join(array=('a', 1, TRUE), sep='-')") == "a-1-true"
    assert value("len(list=(1, 2))") == 2
    assert value("len(list='héllo')") == 6
    assert value("lowcase(string='PeRmit')") == "permit"
    assert value("upcase(string='x')") == "X"
    assert value("str(str=5)") == "5"
    assert value("int(int='0x10')") == 16
    assert value("int(int='12')") == 12
    assert value("int(int='nope')") == 0


def test_regex_replace_expands_go_templates() -> None:
    assert value("regex_replace(source='abcabc', re='(b)', replace='[$1]')") == "a[b]ca[b]c"
    assert value("regex_replace(source='ab', re='(?P<x>b)', replace='${x}${x}')") == "abb"


def test_parse_string_with_regex_named_groups_and_first_line_only() -> None:
    assert value("parse_string_with_regex(string='hello world', regex='^(?P<A>\\\\w+)')") == {
        "A": "hello"
    }
    message = "line one\nline two"
    assert (
        value(
            "parse_string_with_regex(string=m, regex='^(?P<Message>.{0,255}).*').Message", m=message
        )
        == "line one"
    )
    assert value("parse_string_with_regex(string='x', regex='^(?P<A>y)')") == {}


def test_get_set_dict_items() -> None:
    engine = Engine()
    engine.query("LET D <= dict(a=1)")
    engine.query("SELECT set(item=D, field='b', value=2) FROM scope()")
    assert engine.query(
        "SELECT D AS X, get(item=D, field='b') AS Y, get(field='D') AS Z, "
        "get(item=D, field='zz', default=7) AS W FROM scope()"
    ) == [{"X": {"a": 1, "b": 2}, "Y": 2, "Z": {"a": 1, "b": 2}, "W": 7}]
    assert value("items(item=dict(k='v'))") == [{"_key": "k", "_value": "v"}]


def test_if_function_is_lazy() -> None:
    engine = Engine()
    result = engine.query("SELECT if(condition=TRUE, then='yes', else=Missing) AS X FROM scope()")
    assert result == [{"X": "yes"}]
    assert engine.logs == []


def test_log_levels_args_and_dedup() -> None:
    engine = Engine()
    engine.query(
        "SELECT log(message='a %v', args=1) AS A, log(message='a %v', args=2) AS B, "
        "log(message='b', level='ERROR', dedup=-1) AS C, "
        "log(message='b', level='ERROR', dedup=-1) AS D FROM scope()"
    )
    assert engine.logs == ["a 1", "ERROR:b", "ERROR:b"]


def test_test_read_logs_returns_unread_lines_in_velociraptor_format() -> None:
    engine = Engine()
    engine.query("SELECT log(message='one') FROM scope()")
    assert engine.query("SELECT * FROM test_read_logs()") == [{"Log": "Velociraptor: one\n"}]
    assert engine.query("SELECT * FROM test_read_logs()") == []


def test_parse_csv_from_data_and_json() -> None:
    engine = Engine(env={"T": "A,B\n1,x\n2,\n"})
    assert engine.query("SELECT * FROM parse_csv(filename=T, accessor='data')") == [
        {"A": 1, "B": "x"},
        {"A": 2, "B": ""},
    ]
    assert value("parse_json(data='{\"a\": [1, null]}')") == {"a": [1, NULL]}
    assert value("parse_json_array(data='[1]')") == [1]


def test_foreach_wraps_scalars_as_value_and_chain_switch() -> None:
    engine = Engine()
    assert engine.query("SELECT * FROM foreach(row=(1, 2))") == [{"_value": 1}, {"_value": 2}]
    assert engine.query(
        "SELECT * FROM chain(a={SELECT 1 AS N FROM scope()}, b={SELECT 2 AS N FROM scope()})"
    ) == [{"N": 1}, {"N": 2}]
    assert engine.query(
        "SELECT * FROM switch(a={SELECT * FROM scope() WHERE FALSE}, "
        "b={SELECT 2 AS N FROM scope()}, c={SELECT 3 AS N FROM scope()})"
    ) == [{"N": 2}]


def test_flatten_and_range() -> None:
    engine = Engine()
    assert engine.query(
        "SELECT * FROM flatten(query={SELECT (1, 2) AS A, 'x' AS B FROM scope()})"
    ) == [{"A": 1, "B": "x"}, {"A": 2, "B": "x"}]
    assert engine.query("SELECT _value FROM range(start=0, end=3)") == [
        {"_value": 0},
        {"_value": 1},
        {"_value": 2},
    ]


def test_arguments_velociraptor_does_not_know_are_logged_as_it_does() -> None:
    engine = Engine()
    assert engine.query("SELECT * FROM foreach(row=(1,), workers2=3)") == []
    assert engine.query("SELECT format(format='x', arg=1) AS F FROM scope()") == [{"F": NULL}]
    assert engine.logs == [
        "foreach: Extra unrecognized arg workers2",
        "format: Extra unrecognized arg arg",
    ]
    # Free-form plugins take anything.
    assert engine.query("SELECT * FROM chain(x={SELECT 1 AS A FROM scope()})") == [{"A": 1}]


# ---------------------------------------------------------------- artifacts


CALLEE = """
name: Test.Callee
parameters:
  - name: Flag
    type: bool
  - name: Count
    type: int
    default: "3"
  - name: Table
    type: csv
    default: |
      A,B
      1,2
  - name: Items
    type: json_array
    default: '["x", "y"]'
  - name: Plain
    default: hello
sources:
  - query: |
      SELECT Flag, Count, Count + 1 AS Next, Table, Items, Plain FROM scope()
"""

CALLER = """
name: Test.Caller
sources:
  - query: |
      SELECT * FROM Artifact.Test.Callee(Flag=Value, Plain='given')
"""


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        ("ok", True),
        ("N", False),
        ("", False),
        ("1", False),
    ],
)
def test_parameter_preamble_converts_types(flag: str, expected: bool) -> None:
    artifacts = ArtifactSet()
    artifacts.add(load_artifact_text(CALLEE))
    engine = Engine(artifacts=artifacts)
    (row,) = engine.run_artifact("Test.Callee", {"Flag": flag})
    assert row == {
        "Flag": expected,
        "Count": 3,
        "Next": 4,
        "Table": [{"A": 1, "B": 2}],  # parse_csv types its cells
        "Items": ["x", "y"],
        "Plain": "hello",
    }


def test_artifact_calls_another_with_parameters() -> None:
    artifacts = ArtifactSet()
    artifacts.add(load_artifact_text(CALLEE))
    artifacts.add(load_artifact_text(CALLER))
    engine = Engine(artifacts=artifacts, env={"Value": True})
    (row,) = engine.run_artifact("Test.Caller")
    assert row["Flag"] is True
    assert row["Plain"] == "given"


def test_unknown_artifact_call_fails() -> None:
    engine = Engine()
    with pytest.raises(VqlRuntimeError, match=r"Artifact Nope\.Nope not found"):
        engine.query("SELECT * FROM Artifact.Nope.Nope()")


def test_parse_float_and_the_float_parameter_type() -> None:
    assert value("parse_float(string='2.5')") == 2.5
    assert value("parse_float(string='x')") is NULL
    artifacts = ArtifactSet()
    artifacts.add(
        load_artifact_text(
            "name: T.F\nparameters:\n  - name: Ratio\n    type: float\n    default: '0.25'\n"
            "sources:\n  - query: SELECT Ratio * 4 AS R FROM scope()\n"
        )
    )
    assert Engine(artifacts=artifacts).run_artifact("T.F") == [{"R": 1.0}]


def test_unsupported_parameter_types_are_refused() -> None:
    artifacts = ArtifactSet()
    artifacts.add(
        load_artifact_text(
            "name: T.U\nparameters:\n  - name: Code\n    type: starlark\n"
            "sources:\n  - query: SELECT 1 FROM scope()\n"
        )
    )
    with pytest.raises(VrqError, match="type 'starlark' is not supported"):
        Engine(artifacts=artifacts).run_artifact("T.U")


def test_regex_functions_are_case_insensitive_like_velociraptor() -> None:
    assert value("regex_replace(source='ABab', re='(b)', replace='<$1>')") == "A<B>a<b>"
    assert value("filter(list=('AA', 'ab', 'BA', 1), regex='^a')") == ["AA", "ab"]
    assert value("parse_string_with_regex(string='KEY=v', regex='key=(?P<V>\\\\w+)')") == {"V": "v"}


def test_regex_find_all_skips_empty_matches_after_a_match_as_go_does() -> None:
    assert value("regex_replace(source='bAaa', re='a*', replace='-')") == "-b-"


def test_parse_string_with_regex_unnamed_groups_last_match_and_unmatched_names() -> None:
    result = value(
        "parse_string_with_regex(string='k1=v1 k2=v2', regex=['(\\\\w+)=(?P<V>\\\\w+)', "
        "'(?P<Opt>y)?k', '(?P<Never>z)'])"
    )
    assert result == {"g1": "k2", "V": "v2", "Opt": ""}


def test_invalid_regex_is_logged_and_null() -> None:
    engine = Engine()
    assert engine.query(
        "SELECT regex_replace(source='a', re='(', replace='') AS X FROM scope()"
    ) == [{"X": NULL}]
    assert engine.logs == ["Unable to compile regex ("]


def test_atoi_and_to_dict() -> None:
    assert value("atoi(string='42')") == 42
    assert value("to_dict(item={SELECT * FROM items(item=dict(a=1, b=2))})") == {"a": 1, "b": 2}


def test_int_parses_strings_as_go_parseint_with_base_zero() -> None:
    # vql/functions/functions.go: strconv.ParseInt(s, 0, 64), errors give 0.
    assert value("int(int='010')") == 8
    assert value("int(int='0x1F')") == 31
    assert value("int(int='42')") == 42
    assert value("int(int=' 5')") == 0
    assert value("int(int='08')") == 0
    assert value("int(int=3.9)") == 3
    assert value("int(int=TRUE)") == 0
    assert value("int(int=NULL)") == 0
