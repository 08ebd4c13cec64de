"""Mocks with Velociraptor's mocker.go semantics."""

from __future__ import annotations

from vr_quarantine.vql.eval import Engine
from vr_quarantine.vql.eval.values import NULL


def engine_with(mock_vql: str) -> Engine:
    engine = Engine()
    engine.query(f"LET _ <= SELECT {mock_vql} FROM scope()")
    return engine


def test_single_dict_is_one_row_every_call() -> None:
    engine = engine_with("mock(plugin='info', results=dict(OS='windows'))")
    assert engine.query("SELECT OS FROM info()") == [{"OS": "windows"}]
    assert engine.query("SELECT OS FROM info()") == [{"OS": "windows"}]


def test_list_of_dicts_is_all_rows_every_call() -> None:
    engine = engine_with("mock(plugin='info', results=[dict(N=1), dict(N=2)])")
    for _ in range(2):
        assert engine.query("SELECT N FROM info()") == [{"N": 1}, {"N": 2}]


def test_list_of_lists_is_one_call_each_in_turn() -> None:
    engine = engine_with("mock(plugin='info', results=[(dict(N=1),), (dict(N=2), dict(N=3))])")
    assert engine.query("SELECT N FROM info()") == [{"N": 1}]
    assert engine.query("SELECT N FROM info()") == [{"N": 2}, {"N": 3}]
    assert engine.query("SELECT N FROM info()") == [{"N": 1}]


def test_replay_records_the_arguments_of_every_call() -> None:
    engine = engine_with("mock(plugin='execve', results=[dict(ReturnCode=0)])")
    engine.query("SELECT * FROM execve(argv=['a', 'b'], length=10)")
    engine.query("SELECT * FROM execve(argv=('c',))")
    assert engine.query("SELECT mock_replay(plugin='execve') AS R FROM scope()") == [
        {"R": [{"argv": ["a", "b"], "length": 10}, {"argv": ["c"]}]}
    ]


def test_function_mock_returns_its_result_per_call() -> None:
    engine = engine_with("mock(function='host', results=[('192.0.2.1',), ('192.0.2.2',)])")
    assert engine.query("SELECT host(name='a')[0] AS A, host(name='b')[0] AS B FROM scope()") == [
        {"A": "192.0.2.1", "B": "192.0.2.2"}
    ]


def test_mock_clear_empties_plugins_but_keeps_function_results() -> None:
    engine = engine_with(
        "mock(plugin='execve', results=[dict(ReturnCode=0)]), "
        "mock(function='host', results=[('192.0.2.1',)])"
    )
    engine.query("SELECT * FROM execve(argv=['x'])")
    engine.query("LET _ <= mock_clear()")
    # The plugin is still mocked: no rows, no recording; the function keeps its results.
    assert engine.query("SELECT * FROM execve(argv=['y'])") == []
    assert engine.query("SELECT mock_replay(plugin='execve') AS R FROM scope()") == [{"R": NULL}]
    assert engine.query("SELECT host(name='a') AS H FROM scope()") == [{"H": ["192.0.2.1"]}]


def test_mock_check_counts_calls() -> None:
    engine = engine_with("mock(plugin='execve', results=[dict(ReturnCode=0)])")
    engine.query("SELECT * FROM execve(argv=['x'])")
    assert engine.query(
        "SELECT mock_check(plugin='execve', expected_calls=2) AS C FROM scope()"
    ) == [{"C": {"Error": "Mock plugin execve should be called 2 times but was called 1 times"}}]
    # A failed check keeps the count; a passing one resets it.
    engine.query("SELECT * FROM execve(argv=['x'])")
    assert engine.query(
        "SELECT mock_check(plugin='execve', expected_calls=2) AS C FROM scope()"
    ) == [{"C": {"Error": "OK"}}]
    assert engine.query(
        "SELECT mock_check(plugin='execve', expected_calls=0) AS C FROM scope()"
    ) == [{"C": {"Error": "OK"}}]


def test_mocks_outside_a_test_scope_only_log() -> None:
    engine = Engine(mocks=False)
    assert engine.query("SELECT mock(plugin='x', results=[dict()]) AS M FROM scope()") == [
        {"M": NULL}
    ]
    assert "mock_check: Not running in test." in engine.logs
