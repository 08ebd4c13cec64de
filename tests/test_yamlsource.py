"""Positions are the lines an editor shows, whatever line breaks PyYAML sees."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine import yamlsource
from vr_quarantine.yamlsource import load_yaml_text


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_unicode_line_separators_do_not_shift_positions(fast: bool, separator: str) -> None:
    text = f'k: "x{separator}{separator}y"\nz: 1\n'
    result = load_yaml_text("t.yaml", text, fast=fast)
    assert result.document is not None
    assert result.document.values[("z",)] == (2, 4)
    assert result.document.keys[("z",)] == (2, 1)
    assert result.document.scalars[("z",)].line == 2


@pytest.mark.parametrize("fast", [False, True])
def test_syntax_error_after_unicode_separators_points_at_a_real_line(fast: bool) -> None:
    text = "a: x\u2028\u2028y\nc: [\n"
    result = load_yaml_text("t.yaml", text, fast=fast)
    (diagnostic,) = result.diagnostics
    assert diagnostic.rule == "yaml-syntax"
    assert diagnostic.location.line <= text.count("\n") + 1


@pytest.mark.parametrize("fast", [False, True])
def test_runaway_nesting_is_a_diagnostic(fast: bool) -> None:
    result = load_yaml_text("t.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", fast=fast)
    assert [d.rule for d in result.diagnostics] == ["yaml-too-large"]


def test_syntax_errors_read_the_same_whatever_the_parser() -> None:
    text = "a: 1\nb: [\n"
    fast, pure = load_yaml_text("t.yaml", text), load_yaml_text("t.yaml", text, fast=False)
    assert fast.diagnostics == pure.diagnostics


@pytest.mark.parametrize("fast", [False, True])
def test_a_lone_carriage_return_does_not_shift_positions(fast: bool) -> None:
    text = "\r# c\nformat_version: 1\nrollback:\n  timeout_seconds:\r30\n"
    (diagnostic,) = load_yaml_text("t.yaml", text, fast=fast).diagnostics
    assert diagnostic.location.line <= text.count("\n") + 1
    crlf = load_yaml_text("t.yaml", "a: 1\r\nb: 2\r\n", fast=fast).document
    assert crlf is not None and crlf.values[("b",)] == (2, 4)


_PIECES = st.sampled_from(
    [
        *("a: ", "b: ", "- ", "&x ", "&y ", "*x", "*y", "[", "]", "{", "}", ", ", "1", "x"),
        *("\n", "  ", "<<: ", "? ", ": ", "a: a\n"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PIECES, max_size=30).map("".join),
    st.sampled_from([(yamlsource.MAX_NODES, yamlsource.MAX_DEPTH), (12, 4), (5, 2), (30, 3)]),
)
def test_libyamls_own_composer_loads_exactly_what_the_bounded_one_loads(
    text: str, limits: tuple[int, int]
) -> None:
    """The fast path (libyaml composes, the limits are measured after, or as the data is built)
    changes no verdict, with the real limits and with limits small texts reach."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlsource, "MAX_NODES", limits[0])
        patch.setattr(yamlsource, "MAX_DEPTH", limits[1])
        _compare_paths(text)


def _compare_paths(text: str) -> None:
    fast = load_yaml_text("t.yaml", text)
    saved = yamlsource._C_LOADER
    try:
        yamlsource._C_LOADER = None  # compose through the bounded composer only
        bounded = load_yaml_text("t.yaml", text)
    finally:
        yamlsource._C_LOADER = saved
    assert fast.diagnostics == bounded.diagnostics
    assert (fast.document is None) == (bounded.document is None)
    if fast.document is not None and bounded.document is not None:
        assert fast.document.data == bounded.document.data
        assert fast.document.values == bounded.document.values
        assert fast.document.scalars == bounded.document.scalars


@pytest.mark.parametrize("depth", [63, 64, 65, 900])
def test_nesting_limits_hold_on_the_fast_path(depth: int) -> None:
    text = "a: " + "[" * depth + "]" * depth + "\n"
    rules = [d.rule for d in load_yaml_text("t.yaml", text).diagnostics]
    assert rules == ([] if depth < 64 else ["yaml-too-large"])


_SCALARS = st.one_of(
    st.sampled_from(
        [
            *("yes", "No", "on", "OFF", "y", "~", "null", "Null", "true", "FALSE", ""),
            *("0x1F", "0o17", "017", "0b101", "1_000", "-12", "+3", "1:20", "190:20:30"),
            *(".inf", "-.Inf", ".nan", "1e3", "6.8523015e+5", "1.", "._", "2001-12-14"),
            *("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "=", "<<", "x" * 70),
        ]
    ),
    st.text(st.sampled_from("0123456789.:-+_eExXoObB~ntrufalsyYN"), max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SCALARS, min_size=1, max_size=8))
def test_the_remembered_resolver_tags_every_scalar_as_pyyamls_own_does(
    values: list[str],
) -> None:
    """The C loader remembers its answers for short plain scalars; asked twice (the second time
    from memory), it gives the tags of PyYAML's own safe loader, whatever the value."""
    if yamlsource._C_LOADER is None:
        pytest.skip("PyYAML without libyaml")
    text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values))
    try:
        expected = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # not a plain scalar after all (e.g. a lone ``-``)
    for _ in range(2):
        got = yaml.compose(text, Loader=yamlsource._C_LOADER)
        assert [(k.tag, v.tag) for k, v in got.value] == [(k.tag, v.tag) for k, v in expected.value]
