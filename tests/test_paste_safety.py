"""Commands shown to people are safe to paste (issue 11, point 1).

An artifact's description shows the commands that remove a quarantine by hand, in an elevated
prompt, with profile values in them. Each shown command is read with models of cmd.exe and
PowerShell (Windows) or bash (Linux, macOS) of our own (tests/shell_models.py): nothing in the
line may act (expand, substitute, redirect, chain), cmd and PowerShell must pass the same
arguments, and every profile value must arrive as literal text inside one argument. Hostile
values are either refused by `validate`, with a hint, or rendered into commands that pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.diagnostics import Severity
from vr_quarantine.profile import load_profile_text
from vr_quarantine.render import render_artifacts

from tests.shell_models import bash, cmd, powershell

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml").read_text(encoding="utf-8")

FIELDS = {
    "policy_name": ("policy_name",),
    "table_name": ("linux", "table_name"),
    "anchor": ("macos", "anchor"),
    "token_file": ("macos", "token_file"),
}
"""Every profile value that a rendered description shows inside a command."""
PLATFORM = {
    "policy_name": "windows",
    "table_name": "linux",
    "anchor": "macos",
    "token_file": "macos",
}

INJECTIONS = [
    "$(Start-Process calc) `whoami`",
    "${env:USERPROFILE}",
    "$env:COMSPEC",
    "`calc`",
    "%COMSPEC%",
    "!PATH!",
    "a^b",
    "a & calc",
    "a | calc",
    "a; calc",
    "a && calc",
    "a > C:\\x",
    "a < x",
    '" & calc & "',
    "'; calc; '",
    "a\nnetsh advfirewall reset",
    "a\r\ncalc",
    "Quarantine\\",
    'Quar\\"antine',
    "\u201c & calc & \u201d",
    "\u2018; calc",
    "@(calc)",
    "--% calc",
    "a,b",
    "(calc)",
    "{calc}",
    "#comment",
    "~root",
    "*",
    "a?b",
    "[ab]",
    "{a,b}",
    "a\tb",
    "a\x00b",
    "\u202ecalc",
    "com.apple/velociraptor.$(id)",
    "com.apple/velociraptor/../x",
    "/var/run/x;id",
    "/var/run/$(id)",
    "/var/run/x y",
    "vrr`id`",
]
BENIGN = {
    "policy_name": ["ACME IR-2026-042 Quarantine", "Velociraptor_Quarantine.v2", "Q"],
    "table_name": ["vrr_quarantine_table", "acme_ir2026"],
    "anchor": ["com.apple/velociraptor.quarantine", "com.apple/velociraptor/acme-ir_2026.v2"],
    "token_file": ["/var/run/velociraptor-quarantine.pf-token", "/private/var/run/acme+ir.tok"],
}


def _profile(field: str, value: str) -> str:
    data: dict[str, Any] = yaml.safe_load(BASE)
    data["platforms"] = [PLATFORM[field]]  # only the artifacts that show the value
    node = data
    *parents, last = FIELDS[field]
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _descriptions(artifact: dict[str, Any]) -> Iterator[str]:
    yield str(artifact.get("description") or "")
    for section in ("parameters", "sources"):
        for item in artifact.get(section) or []:
            if isinstance(item, dict):
                yield str(item.get("description") or "")


_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def shown_commands(text: str) -> list[str]:
    """The command lines of an artifact's descriptions: Markdown code blocks (indented by four
    spaces, or fenced)."""
    artifact = yaml.safe_load(text)
    lines: list[str] = []
    for description in _descriptions(artifact):
        for fence in _FENCE.findall(description):
            lines.extend(line for line in fence.splitlines()[1:-1] if line.strip())
        body = _FENCE.sub("", description)
        lines.extend(line[4:] for line in body.splitlines() if line.startswith("    "))
    return lines


def comments(text: str) -> list[str]:
    """YAML comments and VQL ``//`` comments of a rendered artifact."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.lstrip().startswith("#") or line.lstrip().startswith("//")
    ]


def is_windows(text: str) -> bool:
    """Whether a rendered artifact runs on Windows (its commands go to cmd.exe or PowerShell)."""
    return "'windows'" in str(yaml.safe_load(text).get("precondition") or "")


def paste_problems(line: str, windows: bool) -> list[str]:
    """What makes `line` unsafe to paste: anything that acts, in any shell that would read it."""
    if windows:
        in_cmd, in_ps = cmd(line), powershell(line)
        found = [f"cmd.exe: {a}" for a in in_cmd.acting]
        found += [f"PowerShell: {a}" for a in in_ps.acting]
        if in_cmd.words != in_ps.words:
            found.append(f"cmd.exe passes {in_cmd.words}, PowerShell {in_ps.words}")
        return found
    parsed = bash(line)
    found = [f"bash: {a}" for a in parsed.acting]
    for inner in parsed.substitutions:
        found += [f"bash, in $(...): {a}" for a in inner.acting]
        if inner.words[:2] != ["sudo", "cat"] or len(inner.words) != 3:
            found.append(f"bash: $(...) runs {inner.words}, not `sudo cat FILE`")
    return found


def _arguments(line: str, windows: bool) -> list[list[str]]:
    """The arguments each shell reading `line` passes (bash: with those of its substitutions)."""
    if windows:
        return [cmd(line).words, powershell(line).words]
    parsed = bash(line)
    return [[*parsed.words, *(w for inner in parsed.substitutions for w in inner.words)]]


def _render(field: str, value: str) -> list[str] | list[tuple[str, str | None]]:
    """The rendered artifacts' texts, or the errors `validate` gives the value."""
    result = load_profile_text("p.yaml", _profile(field, value))
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors or result.profile is None:
        return [(d.message, d.hint) for d in errors]
    return [a.text for a in render_artifacts(result.profile) if a.text is not None]


def _check_value(field: str, value: str) -> bool:
    """True when `value` was rendered (and proven safe), False when `validate` refused it."""
    rendered = _render(field, value)
    if rendered and isinstance(rendered[0], tuple):
        for message, hint in rendered:  # refused: the message names the field, with a hint
            assert hint, message
        assert any(FIELDS[field][-1] in m for m, _ in rendered), rendered  # type: ignore[misc]
        return False
    carrying = 0
    for text in rendered:
        assert isinstance(text, str)
        windows = is_windows(text)
        for line in shown_commands(text):
            assert paste_problems(line, windows) == [], (value, line)
            if value in line:
                carrying += 1
                # the value is literal text inside one argument, in every shell that reads it
                arguments = _arguments(line, windows)
                assert all(any(value in w for w in ws) for ws in arguments), (value, line)
    assert carrying, f"{value!r} is shown in no command"
    return True


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("value", INJECTIONS)
def test_hostile_values_are_refused_or_harmless(field: str, value: str) -> None:
    _check_value(field, value)


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, vs in BENIGN.items() for v in vs])
def test_real_values_render_into_safe_commands(field: str, value: str) -> None:
    assert _check_value(field, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FIELDS)),
    st.text(
        alphabet=st.one_of(
            st.sampled_from("$`%!^&|;<>(){}[],'\"\\#~*?@= \t\n\r-_./+:"),
            st.characters(codec="utf-8"),
            st.sampled_from("abcXYZ019"),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_any_value_is_refused_or_harmless(field: str, value: str) -> None:
    _check_value(field, value)


MARKERS = {
    "policy_name": "Zqx Marker 7",
    "table_name": "zqxmarker7",
    "anchor": "com.apple/velociraptor.zqxmarker7",
    "token_file": "/var/run/zqxmarker7.tok",
}


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_no_comment_carries_a_shown_value(field: str) -> None:
    """Comments (YAML ``#``, VQL ``//``) hold no profile value, so none shows a command with one."""
    marker = MARKERS[field].rsplit("/", 1)[-1]
    rendered = _render(field, MARKERS[field])
    assert rendered and all(isinstance(text, str) for text in rendered), rendered
    for text in rendered:
        assert isinstance(text, str) and marker in text
        assert [c for c in comments(text) if marker in c] == []


def test_every_rendered_artifact_shows_only_safe_commands() -> None:
    profiles = sorted((ROOT / "examples").glob("*.yaml"))
    profiles.append(ROOT / "generator" / "profile" / "default.yaml")
    seen = 0
    platforms: set[str] = set()
    for path in profiles:
        result = load_profile_text(str(path), path.read_text(encoding="utf-8"))
        assert result.profile is not None, result.diagnostics
        for artifact in render_artifacts(result.profile):
            assert artifact.text is not None
            windows = is_windows(artifact.text)
            for line in shown_commands(artifact.text):
                assert paste_problems(line, windows) == [], (artifact.name, line)
                seen += 1
                platforms.add("windows" if windows else "unix")
    assert seen >= 10 and platforms == {"windows", "unix"}


@pytest.mark.parametrize(
    ("line", "shell", "acts"),
    [
        ('netsh x name="$(calc)"', "powershell", True),
        ('netsh x name="${env:x}"', "powershell", True),
        ('netsh x name="a`"b"', "powershell", True),
        ("netsh x name=\u201ca\u201d; calc", "powershell", True),
        ('netsh x name="a" #c', "powershell", False),
        ('netsh x name="a, b"', "powershell", False),
        ("netsh x name=a,b", "powershell", True),
        ('netsh x name="%PATH%"', "cmd", True),
        ('netsh x name="a & b"', "cmd", False),
        ("netsh x name=a & b", "cmd", True),
        ("netsh x name=a^&b", "cmd", True),
        ('rm -f "$(id)"', "bash", False),  # a substitution: checked apart
        ("rm -f $(id)", "bash", True),
        ("rm -f /a/b.c", "bash", False),
        ("rm -f ~/x", "bash", True),
        ("rm -f /a/*", "bash", True),
        ('echo "!x"', "bash", True),
        ("echo 'a$b'", "bash", False),
        ("echo a # b; c", "bash", False),
        ("echo a\\;b", "bash", False),
        ("echo {a,b}", "bash", True),
    ],
)
def test_the_shell_models_flag_what_acts(line: str, shell: str, acts: bool) -> None:
    model = {"cmd": cmd, "powershell": powershell, "bash": bash}[shell]
    assert bool(model(line).acting) is acts, model(line)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('netsh a name="x y" b', ["netsh", "a", "name=x y", "b"]),
        ('netsh name="x\\" b', ["netsh", 'name=x" b']),
        ('netsh name="x\\\\" b', ["netsh", "name=x\\", "b"]),
        ('netsh "a""b"', ["netsh", 'a"b']),
    ],
)
def test_the_c_runtime_split(line: str, words: list[str]) -> None:
    assert cmd(line).words == words
