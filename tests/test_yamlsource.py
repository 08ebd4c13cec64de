"""Positions are the lines an editor shows, whatever line breaks PyYAML sees."""

from __future__ import annotations

import pytest
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
