"""``parse_csv`` reads CSV as Velociraptor's reader does (``file_store/csv/reader.go``, with the
options ``vql/parsers/csv/csv.go`` sets): line feeds end records, a lone carriage return is data,
quotes are lazy, records are cut or padded to the header, and cells are typed (``ReadAny``).

A lone ``\\r`` was an internal ``_csv.Error`` (issue 11) when Python's csv module read the text.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from vr_quarantine.vql.eval import Engine


def parse(text: str, **options: Any) -> tuple[list[dict[str, Any]], list[str]]:
    engine = Engine(env={"Text": text, **options})
    extra = "".join(f", {name}={name}" for name in options)
    rows = engine.query(f"SELECT * FROM parse_csv(filename=Text, accessor='data'{extra})")
    return rows, engine.logs


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("a\r", []),  # the header alone; a \r before the end of the input is dropped
        ("a,b\r1,2\r", []),  # one line: the header a | b\r1 | 2
        ("a,b\nx\ry,2\n", [{"a": "x\ry", "b": 2}]),  # a lone \r is data
        ('a,b\n1,"x\ry"\n', [{"a": 1, "b": "x\ry"}]),
        ("a,b\r\n1,2\r\n", [{"a": 1, "b": 2}]),
        ('a\n"x\r\ny"\n', [{"a": "x\ny"}]),  # \r\n is \n, also inside a quoted field
        ('a,b\nx"y,"p"q"\n', [{"a": 'x"y', "b": 'p"q'}]),  # lazy quotes
        ('a\n"never closed', [{"a": "never closed"}]),
        ("a,b\n1\n1,2,3\n", [{"a": 1, "b": ""}, {"a": 1, "b": 2}]),  # padded, cut
        ("\ufeffa\n\n\n1\n", [{"a": 1}]),  # a BOM swallowed, blank lines skipped
        ("a,b\n   1,\t2\n", [{"a": 1, "b": 2}]),  # leading white space trimmed
    ],
)
def test_records_follow_velociraptors_reader(text: str, rows: list[dict[str, Any]]) -> None:
    assert parse(text) == (rows, [])


def test_cells_are_typed_as_readany_types_them() -> None:
    text = (
        "t,f,plain,spaced,float,int,obj,list,b64,badb64,badjson,big,inf\n"
        'true,false,x," y",1.5,-7,"{""k"": 1}","[1, 2]",base64:aGk=,base64:a,{nope,'
        "99999999999999999999,inf\n"
    )
    ((row,), logs) = parse(text)
    assert row == {
        "t": True,
        "f": False,
        "plain": "x",
        "spaced": "y",  # "ambiguous strings include a space at the front"
        "float": 1.5,
        "int": -7,
        "obj": {"k": 1},
        "list": [1, 2],
        "b64": "hi",
        "badb64": "base64:a",
        "badjson": "{nope",
        "big": 1e20,  # past int64: ParseFloat
        "inf": float("inf"),
    }
    assert logs == []


# Velociraptor's own test cases (vql/parsers/csv/csv_test.go) and its golden answers
# (fixtures/TestCSVParser.golden).
def test_velociraptors_golden_cases() -> None:
    text = 'ColA,ColB,ColC\n1,2,3\n"1","{""a"":1}","[1,2,3]"\n'
    assert parse(text)[0] == [
        {"ColA": 1, "ColB": 2, "ColC": 3},
        {"ColA": 1, "ColB": {"a": 1}, "ColC": [1, 2, 3]},
    ]
    assert parse('1,3,4\n7,"4\n3",5\n', auto_headers=True)[0] == [
        {"Col0": 1, "Col1": 3, "Col2": 4},
        {"Col0": 7, "Col1": "4\n3", "Col2": 5},
    ]
    assert parse("ColA|ColB|ColC\n1|2|3\n", separator="|")[0] == [{"ColA": 1, "ColB": 2, "ColC": 3}]
    assert parse("ColA|ColB|ColC\n1|2|3\n", columns=["ColA"], separator="\x00") == (
        [],
        ["INFO:parse_csv: csv: invalid field or comment delimiter"],
    )


def test_options() -> None:
    assert parse("x,y\n1,2\n", columns=["A"]) == (
        [{"A": "x", "Col1": "y"}, {"A": 1, "Col1": 2}],
        [],
    )
    assert parse("a\n#1\n2\n", comment="#")[0] == [{"a": 2}]
    assert parse("a\n1\n", separator=",,") == (
        [],
        ["parse_csv: separator can only be one character"],
    )
    assert parse("a\n1\n", separator="\n") == ([], [])  # the header fails: silently


CSV_TEXT = st.text(alphabet=st.sampled_from('ab1 ,"\r\n\t\ufeff\x00é'), max_size=60)


@given(CSV_TEXT, st.sampled_from([",", ";", "\r", '"']))
@example("a\r", ",")
@example('"\r\n\r"', ",")
def test_any_text_parses_into_rows_of_the_header(text: str, separator: str) -> None:
    rows, _ = parse(text, separator=separator)
    widths = {len(row) for row in rows}
    assert len(widths) <= 1
