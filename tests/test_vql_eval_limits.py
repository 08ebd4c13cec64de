"""Bounded evaluation (issue 11, point 3): wall time, rows, the size of values built, recursion
depth and nesting. Reaching a limit stops the run with a message naming the limit and the VQL
position (exit 2 from ``simulate``); no RecursionError or MemoryError ever stops a run; and the
defaults stay far above what the real quarantine artifacts use.

Most cases run in this process under a smaller limit (the mechanism is the same) with their
peak Python memory traced; issue 11's own examples run as whole ``simulate`` processes under
the default limits, capped at 1 GiB and killed after 20 s (tests/capped.py), each required to
stay under 500 MiB.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from vr_quarantine.cli import main
from vr_quarantine.vql import format_column_name, parse
from vr_quarantine.vql.eval import (
    LIMITS,
    ArtifactSet,
    Engine,
    LimitExceeded,
    Limits,
    load_artifact_text,
    parse_limits,
    to_json_value,
)
from vr_quarantine.vql.eval import limits as limits_module

from tests.capped import run_capped
from tests.clirunner import CliRunner, Result
from tests.hostile_examples import Example, evaluator_examples

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20


def lets(first: str, step: str, count: int, *, materialized: bool = True) -> str:
    """``LET v0 <= first``, then `count` LETs ``v<i> <= step`` (``{0}`` naming the previous
    one), then a SELECT of the last (``=``, not materialized, when `materialized` is False)."""
    op = "<=" if materialized else "="
    lines = [f"LET v0 {op} {first}"]
    lines += [f"LET v{i} {op} {step.format(f'v{i - 1}')}" for i in range(1, count + 1)]
    return "\n".join([*lines, f"SELECT v{count} AS X FROM scope()"])


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, args)


def _run(vql: str, engine: Engine) -> tuple[list[Any], LimitExceeded | None]:
    try:
        return to_json_value(engine.query(vql)), None
    except LimitExceeded as exc:
        return [], exc


def stopped(vql: str, limit: str, engine: Engine | None = None, **limits: Any) -> LimitExceeded:
    """Run `vql` (under `limits`): it must stop at `limit`, with a message naming the limit, a
    position and the option that raises it."""
    engine = engine or Engine(limits=Limits(**limits))
    _, error = _run(vql, engine)
    assert error is not None, f"{vql[:80]!r} did not stop"
    assert error.limit == limit, str(error)
    assert f"(limit {limit}: " in str(error)
    assert f"--limit {limit}=N" in (error.hint or "")
    return error


# ---------------------------------------------------------------- rows


def test_a_range_of_ten_billion_rows_stops_at_the_rows_limit() -> None:
    error = stopped("SELECT * FROM range(end=10000000000)", "rows")
    assert "more than 100,000 rows at query line 1, column 15" in str(error)


def test_twenty_nested_foreach_stop_at_the_rows_limit() -> None:
    query = (
        "SELECT * FROM "
        + "foreach(row={SELECT * FROM range(end=10)}, query={SELECT * FROM " * 20
        + "scope()"
        + "})" * 20
    )
    stopped(query, "rows", rows=20_000)


def test_a_chain_of_200_large_ranges_stops_at_the_rows_limit() -> None:
    arms = ", ".join(f"a{i}={{SELECT * FROM range(end=100000000)}}" for i in range(200))
    stopped(f"SELECT count() AS N FROM chain({arms})", "rows", rows=20_000)


def test_rows_a_where_clause_drops_still_count() -> None:
    stopped("SELECT * FROM range(end=1000) WHERE FALSE", "rows", rows=100)


def test_the_rows_limit_can_be_raised() -> None:
    vql = "SELECT count() AS N FROM range(end=300) GROUP BY 1"
    stopped(vql, "rows", rows=200)
    assert Engine(limits=Limits(rows=400)).query(vql) == [{"N": 300}]


# ---------------------------------------------------------------- time


def _timed_stop(vql: str, seconds: float, limit: str = "cpu_time") -> float:
    """The time the run took to stop at `limit` (CPU or wall-clock time, as the limit counts)."""
    other = {"time": 100.0} if limit == "cpu_time" else {"cpu_time": 100.0}
    engine = Engine(limits=Limits(**{limit: seconds}, **other))
    clock = time.process_time if limit == "cpu_time" else time.monotonic
    started = clock()
    _, error = _run(vql, engine)
    elapsed = clock() - started
    assert error is not None and error.limit == limit, error
    assert "at query line" in str(error)
    return elapsed


TIME_BOUND = {
    # Each LET expression is evaluated again at each reference (vfilter's StoredExpression):
    # s40 would take 2^40 evaluations.
    "forty-lazy-string-doublings": lets("'ab'", "{0} + {0}", 40, materialized=False),
    # FROM scope() makes the scope a row: a failed lookup searches every nested one, twice over
    # at each level, so the work doubles with each call.
    "scopes-nested-as-rows": (
        "LET f(x) = if(condition=TRUE, then={SELECT * FROM foreach(row=[1], "
        "query={SELECT f(x=x) AS Y FROM scope()})})\nSELECT f(x=1) AS X FROM scope()"
    ),
    # One function call whose own loop is long: it looks at the clock as it goes.
    "a-long-regex-replace": (
        "SELECT regex_replace(source=format(format='%09999999d', args=1), re='0', "
        "replace_lambda='x=>x') AS X FROM scope()"
    ),
}


@pytest.mark.parametrize("name", sorted(TIME_BOUND))
def test_unbounded_work_stops_at_the_cpu_time_limit_within_a_second(name: str) -> None:
    assert _timed_stop(TIME_BOUND[name], 0.5) < 1.5


def test_unbounded_work_stops_at_the_wall_time_limit_within_a_second() -> None:
    assert _timed_stop(TIME_BOUND["forty-lazy-string-doublings"], 0.5, "time") < 1.5


# ---------------------------------------------------------------- size of values


def test_forty_materialized_string_doublings_stop_at_the_value_size_limit() -> None:
    error = stopped(lets("'ab'", "{0} + {0}", 40), "value_size")
    assert "a string of 33,554,432 characters would be built at query line 25" in str(error)


def test_string_multiplication_keeps_vfilters_own_bound_and_stops_under_it() -> None:
    # Over 100,000,000 bytes vfilter itself refuses (logged, NULL): no limit is reached.
    engine = Engine()
    rows = engine.query("SELECT 'ab' * 60000000 AS X FROM scope()")
    assert to_json_value(rows) == [{"X": None}]
    assert any("exceeded memory limits" in line for line in engine.logs)
    # Under it, the string would be built: the value_size limit stops it first.
    stopped("SELECT 'ab' * 40000000 AS X FROM scope()", "value_size")


def test_a_format_width_under_gos_bound_stops_before_the_string_is_built() -> None:
    error = stopped(
        "SELECT format(format='%09999999d', args=1) AS X FROM scope()",
        "value_size",
        value_size=MiB,
    )
    assert "format() of a string of 9,999,999" in str(error)


def test_a_list_that_holds_the_same_list_twice_counts_it_twice() -> None:
    # 40 levels of (t, t): tiny in memory, 2^40 items when printed or compared.
    stopped(lets("(1, 2)", "({0}, {0})", 40), "value_size")


@pytest.mark.parametrize(
    ("call", "says"),
    [
        ("split(string=format(format='%099999d', args=1), sep_string='')", "split()"),
        ("split(string=format(format='%099999d', args=1), sep='0')", "split()"),
        (
            "regex_replace(source=format(format='%099999d', args=1), re='0', replace='xxxx')",
            "regex",
        ),
        (
            "regex_replace(source=format(format='%099999d', args=1), re='0', "
            "replace_lambda='x=>\"xxxx\"')",
            "regex_replace()",
        ),
        ("join(array=(1, 2, 3, 4, 5, 6, 7, 8, 9), sep=format(format='%050000d', args=1))", "join"),
        ("parse_json_array(data='[' + '{},' * 20000 + '{}]')", "parse_json_array()"),
        ("parse_json(data='[' + '0,' * 40000 + '0]')", "parse_json()"),
    ],
)
def test_functions_that_multiply_their_input_stop_at_the_value_size_limit(
    call: str, says: str
) -> None:
    error = stopped(f"SELECT {call} AS X FROM scope()", "value_size", value_size=256 * 1024)
    assert says in str(error)


def test_the_values_built_over_a_run_stop_at_the_total_size_limit() -> None:
    vql = "SELECT format(format='%0999999d', args=_value) AS X FROM range(end=1000)"
    error = stopped(vql, "total_size", total_size=8 * MiB)
    assert "add up to more than 8 MiB" in str(error)


# ---------------------------------------------------------------- recursion depth


@pytest.mark.parametrize(
    ("vql", "what"),
    [
        ("LET f(x) = f(x=x)\nSELECT f(x=1) AS X FROM scope()", "LET expressions (f)"),
        (
            "LET f(x) = g(x=x)\nLET g(x) = f(x=x)\nSELECT f(x=1) AS X FROM scope()",
            "LET expressions (f)",
        ),
        ("LET x = x + 1\nSELECT x FROM scope()", "LET expressions (x)"),
        ("LET q = SELECT * FROM q\nSELECT * FROM q", "stored queries (q)"),
        ("LET q(n) = SELECT * FROM q(n=n)\nSELECT * FROM q(n=1)", "stored queries (q)"),
        (
            "LET q = SELECT * FROM foreach(row={SELECT * FROM q}, query={SELECT 1 FROM scope()})"
            "\nSELECT * FROM q",
            "stored queries (q)",
        ),
    ],
)
def test_runaway_recursion_stops_at_the_depth_limit(vql: str, what: str) -> None:
    error = stopped(vql, "depth")
    assert f"{what} nested more than 1000 levels deep at query line" in str(error)


def test_an_artifact_calling_itself_stops_at_the_depth_limit() -> None:
    artifacts = ArtifactSet()
    artifacts.add(
        load_artifact_text(
            "name: Custom.Self\nsources:\n  - query: SELECT * FROM Artifact.Custom.Self()\n",
            "self.yaml",
        )
    )
    engine = Engine(artifacts=artifacts)
    error = stopped("SELECT * FROM Artifact.Custom.Self()", "depth", engine)
    assert "Artifact calls (Custom.Self) nested more than 1000 levels deep" in str(error)
    assert "of Custom.Self" in str(error)


def test_a_depth_limit_python_cannot_hold_still_ends_with_a_limit() -> None:
    # Raised past what Python's stack holds: the run still stops with a finding, not with
    # Python's RecursionError.
    error = stopped("LET q = SELECT * FROM q\nSELECT * FROM q", "depth", depth=10**6)
    assert "deeper than Python's stack allows" in str(error)


# ---------------------------------------------------------------- nesting


def test_json_nested_deeper_than_the_nesting_limit_stops_before_it_is_decoded() -> None:
    vql = "SELECT parse_json(data='" + "[" * 500 + "]" * 500 + "') AS X FROM scope()"
    error = stopped(vql, "nesting")
    assert "parse_json() of JSON nested 500 levels deep" in str(error)


def test_json_nested_deeper_than_go_accepts_is_gos_error() -> None:
    # Go's decoder stops at 10,000 levels; parse_json_array() logs and returns NULL.
    engine = Engine()
    rows = engine.query("SELECT parse_json_array(data='" + "[" * 50_000 + "') AS X FROM scope()")
    assert to_json_value(rows) == [{"X": None}]
    assert engine.logs == ["parse_json_array: invalid character '[' exceeded max depth"]


def test_values_nested_deeper_than_the_nesting_limit_stop() -> None:
    stopped(lets("(1,)", "({0},)", 149), "nesting")


# ---------------------------------------------------------------- long expressions


def test_long_operator_and_member_chains_cost_no_recursion() -> None:
    chain = " + ".join(["1"] * 30_000)
    assert Engine().query(f"SELECT {chain} AS X FROM scope()") == [{"X": 30_000}]
    members = "x" + ".a" * 5_000
    assert to_json_value(Engine().query(f"SELECT {members} AS X FROM scope()")) == [{"X": None}]
    expr = parse(f"SELECT {' + '.join(['a'] * 5_000)} FROM scope()").statements[0]
    assert format_column_name(expr.columns[0].expr).count("+") == 4_999  # type: ignore[union-attr]


# ---------------------------------------------------------------- options and defaults


def test_limits_are_set_by_name() -> None:
    limits = parse_limits(
        ["value_size=64MiB", "time=0.5", "cpu-time=2", "rows=10", "total-size=1GiB"]
    )
    assert limits == Limits(time=0.5, cpu_time=2, rows=10, value_size=64 * MiB, total_size=1 << 30)
    for bad in ["rows", "speed=1", "rows=-1", "rows=ten", "value_size=1TiB", "time=x"]:
        with pytest.raises(Exception, match="--limit"):
            parse_limits([bad])


def test_simulate_stops_at_a_limit_with_exit_2_naming_it_and_the_position(tmp_path: Path) -> None:
    artifact = tmp_path / "rows.yaml"
    artifact.write_text(
        "name: Custom.Rows\nsources:\n  - query: |\n      LET n = 1\n"
        "      SELECT * FROM range(end=100)\n"
    )
    result = run_cli("simulate", str(artifact), "--limit", "rows=10")
    assert result.exit_code == 2, result.output
    assert (
        "the queries produced more than 10 rows at query line 2, column 15 of Custom.Rows "
        "(limit rows: 10 rows)" in result.output
    )
    assert run_cli("simulate", str(artifact), "--limit", "rows=1000").exit_code == 1
    refused = run_cli("simulate", str(artifact), "--limit", "rows=ten")
    assert refused.exit_code == 2 and "is not a positive number of rows" in refused.output


MAXIMA = {
    "cpu_time": ("600", "601"),
    "time": ("600", "600.5"),
    "rows": ("10000000", "10000001"),
    "value_size": ("256MiB", "268435457"),
    "total_size": ("1GiB", "1025MiB"),
    "depth": ("5000", "5001"),
    "nesting": ("10000", "10001"),
}


def test_every_limit_has_a_maximum_that_no_setting_passes() -> None:
    assert set(MAXIMA) == set(LIMITS)
    for name, (highest, above) in MAXIMA.items():
        assert getattr(parse_limits([f"{name}={highest}"]), name) == LIMITS[name].maximum
        with pytest.raises(Exception, match=f"above the maximum of {name}"):
            parse_limits([f"{name}={above}"])
    with pytest.raises(Exception, match="above the maximum of rows"):
        parse_limits(["rows=999999999999999999"])


@pytest.mark.parametrize("name", sorted(MAXIMA))
def test_simulate_refuses_a_limit_above_its_maximum_with_exit_2(name: str, tmp_path: Path) -> None:
    artifact = tmp_path / "a.yaml"
    artifact.write_text("name: Custom.A\nsources:\n  - query: SELECT 1 AS X FROM scope()\n")
    above = MAXIMA[name][1]
    result = run_cli("simulate", str(artifact), "--limit", f"{name}={above}")
    assert result.exit_code == 2, result.output
    assert f"--limit '{name}={above}'" in result.output
    assert f"above the maximum of {name}" in result.output
    assert "a limit can be raised, not switched off" in result.output
    assert "Traceback" not in result.output


def test_a_raised_limit_still_stops_a_value_before_it_is_built(tmp_path: Path) -> None:
    # 90,000,000 characters: under vfilter's own 100 MB refusal, over the raised 64 MiB limit.
    artifact = tmp_path / "big.yaml"
    artifact.write_text(
        "name: Custom.Big\nsources:\n  - query: SELECT 'x' * 90000000 AS X FROM scope()\n"
    )
    result = run_cli("simulate", str(artifact), "--limit", "value_size=64MiB")
    assert result.exit_code == 2, result.output
    assert "a repeated string of 90,000,000 characters would be built" in result.output
    assert "(limit value_size: 64 MiB)" in result.output


def test_the_readme_table_shows_every_default() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        "cpu_time": "2 s",
        "time": "30 s",
        "rows": "100,000",
        "value_size": "16 MiB",
        "total_size": "64 MiB",
        "depth": "1,000",
        "nesting": "100",
    }
    assert set(rows) == set(LIMITS)
    maxima = {
        "cpu_time": "600 s",
        "time": "600 s",
        "rows": "10,000,000",
        "value_size": "256 MiB",
        "total_size": "1 GiB",
        "depth": "5,000",
        "nesting": "10,000",
    }
    for name, shown in rows.items():
        assert f"| `{name}` | {shown} | {maxima[name]} |" in text, name
        highest = maxima[name].replace(",", "").replace(" ", "").removesuffix("s")
        assert getattr(parse_limits([f"{name}={highest}"]), name) == LIMITS[name].maximum
        value = shown.replace(",", "").replace(" ", "").removesuffix("s")
        assert parse_limits([f"{name}={value}"]) == Limits(), name


def test_the_simulate_help_shows_every_default() -> None:
    result = run_cli("simulate", "--help")
    text = " ".join(result.output.split())
    defaults = Limits()
    shown = {
        "cpu_time": "cpu_time=2 and",
        "time": "time=30 (seconds)",
        "rows": "rows=100000",
        "value_size": "value_size=16MiB",
        "total_size": "total_size=64MiB",
        "depth": "depth=1000",
        "nesting": "nesting=100",
    }
    assert set(shown) == set(LIMITS)
    for name, text_shown in shown.items():
        assert text_shown in text, name
        assert parse_limits([text_shown.split(" ")[0]]) == defaults, name


@pytest.fixture
def usage(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, float]]]:
    """What each run of the evaluator used, recorded when it ends."""
    runs: list[dict[str, float]] = []
    stop = limits_module.Budget.stop

    def recording_stop(budget: limits_module.Budget) -> None:
        stop(budget)
        if not budget._running:
            runs.append(budget.usage())

    monkeypatch.setattr(limits_module.Budget, "stop", recording_stop)
    yield runs


def test_real_quarantine_artifacts_stay_far_below_every_default(
    usage: list[dict[str, float]],
) -> None:
    from vr_quarantine.simulate import resolve_scenario, simulate_file

    paths = sorted((ROOT / "artifacts").glob("*.yaml"))
    assert paths
    for path in paths:
        for scenario in ("success", "removal", "server-unreachable"):
            simulate_file(path, resolve_scenario(scenario))
    assert usage
    defaults = Limits()
    for name in ("rows", "value_size", "total_size", "depth", "nesting"):
        used = max(run[name] for run in usage)
        assert used <= getattr(defaults, name) / 20, (name, used)
    # Wall-clock time depends on what else the machine runs; CPU time much less so.
    assert max(run["cpu_time"] for run in usage) < defaults.cpu_time / 5
    assert max(run["time"] for run in usage) < defaults.time / 5


# ---------------------------------------------------------------- issue 11's examples


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Example]:
    return {e.id: e for e in evaluator_examples(tmp_path_factory.mktemp("evaluator"))}


with tempfile.TemporaryDirectory() as _folder:
    _EXAMPLE_IDS = [e.id for e in evaluator_examples(Path(_folder))]


@pytest.mark.parametrize("example_id", _EXAMPLE_IDS)
def test_issue_example_ends_within_its_bounds(
    examples: dict[str, Example], example_id: str
) -> None:
    example = examples[example_id]
    result = run_capped(example.args)
    assert result.problems() == [], result.output
    assert result.exit_code in example.exit_codes, result.output
    assert example.says in result.output, result.output


OWN_EXAMPLES = {
    "string-multiplied": ("SELECT 'ab' * 40000000 AS X FROM scope()", "value_size"),
    "tuple-doublings": (lets("(1, 2)", "({0}, {0})", 40), "value_size"),
    "every-row-a-megabyte": (
        "SELECT format(format='%0999999d', args=_value) AS X FROM range(end=1000)",
        "total_size",
    ),
    "split-into-characters": (
        "SELECT split(string=format(format='%09999999d', args=1), sep_string='') AS X FROM scope()",
        "value_size",
    ),
    "json-of-millions-of-items": (
        "SELECT parse_json(data='[' + '0,' * 1000000 + '0]') AS X FROM scope()",
        "value_size",
    ),
    "tuples-nested-150-deep": (lets("(1,)", "({0},)", 149), "nesting"),
}


@pytest.mark.parametrize("name", sorted(OWN_EXAMPLES))
def test_own_example_ends_within_the_bounds_of_an_issue_example(tmp_path: Path, name: str) -> None:
    query, limit = OWN_EXAMPLES[name]
    artifact = tmp_path / f"{name}.yaml"
    body = "\n".join("      " + line for line in query.splitlines())
    artifact.write_text(f"name: Custom.Hostile\nsources:\n  - query: |\n{body}\n")
    result = run_capped(("simulate", str(artifact)))
    assert result.problems() == [], result.output
    assert result.exit_code == 2, result.output
    assert f"(limit {limit}: " in result.output, result.output
