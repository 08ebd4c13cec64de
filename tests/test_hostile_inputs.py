"""Hostile inputs (issue 11): one bounded way in, one bounded YAML loader, printable output.

Every class of input is tried for every kind of file that takes it: profiles, artifacts, scenario
files, the lint config and the API config all share the input layer and the YAML loader.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vr_quarantine.cli import main
from vr_quarantine.diagnostics import Diagnostic, Location, Results, Severity
from vr_quarantine.errors import VrqError
from vr_quarantine.inputs import MAX_BYTES, read_bytes
from vr_quarantine.lint import lint_text, load_config
from vr_quarantine.printable import json_text, printable
from vr_quarantine.profile import load_profile_text
from vr_quarantine.report import REPORTERS
from vr_quarantine.server import load_api_config
from vr_quarantine.simulate.scenario import load_scenario_file
from vr_quarantine.yamlsource import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER_CHARS,
    load_yaml_text,
)

from tests.clirunner import CliRunner
from tests.fuzz_strategies import YAML_TOKENS, parent_of, value_paths

ROOT = Path(__file__).resolve().parent.parent
PROFILE = (ROOT / "examples" / "upstream-defaults.yaml").read_text(encoding="utf-8")


# --- the input layer: regular files and stdin only, never more than the limit -----------------


def test_each_kind_of_special_file_is_named(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        kinds = {str(fifo): "a named pipe (FIFO)", "/dev/zero": "a character device"}
        kinds[str(sock_path)] = "a socket"
        for path, kind in kinds.items():
            got = read_bytes(path)
            assert isinstance(got, Diagnostic) and got.rule == "io-error"
            assert got.message.startswith(f"is {kind}, not a regular file")
            assert got.hint is not None and "- (standard input)" in got.hint


class _Endless(io.RawIOBase):
    """Standard input that never ends, counting what was asked of it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"#" * len(view)
        self.given += len(view)
        return len(view)


def test_standard_input_is_read_only_up_to_the_limit() -> None:
    endless = _Endless()
    got = read_bytes("-", stdin=io.BufferedReader(endless))
    assert isinstance(got, Diagnostic) and got.rule == "yaml-too-large"
    assert f"the limit is {MAX_BYTES} bytes" in got.message
    assert endless.given <= MAX_BYTES + 1 + io.DEFAULT_BUFFER_SIZE  # stopped, not read-then-checked


def test_lint_never_calls_a_special_file_missing(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, ["lint", str(fifo), "/dev/zero"])
    assert result.exit_code == 2
    assert "no such file" not in result.output
    assert "a named pipe (FIFO)" in result.output and "a character device" in result.output


def test_api_config_is_read_through_the_input_layer(tmp_path: Path) -> None:
    fifo = tmp_path / "api.yaml"
    os.mkfifo(fifo)
    for path, says in ((fifo, "a named pipe (FIFO)"), (Path("/dev/zero"), "a character device")):
        with pytest.raises(VrqError, match="cannot read the API config") as caught:
            load_api_config(path)
        assert says in str(caught.value)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb())
    with pytest.raises(VrqError, match=r"not valid YAML.*200000 nodes"):
        load_api_config(bomb)


# --- the YAML loader: limits found while composing, located, the same in every input ----------


def _bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _rules(text: str, *, fast: bool = True) -> list[tuple[str, int, int]]:
    result = load_yaml_text("t.yaml", text, fast=fast)
    return [(d.rule, d.location.line, d.location.column) for d in result.diagnostics]


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(_bomb(), [("yaml-too-large", 6, 15)], id="alias-bomb"),
        pytest.param("a: " + "[" * 10_000 + "]" * 10_000, [("yaml-too-large", 1, 67)], id="deep"),
        pytest.param("a: &x [1, *x]\n", [("yaml-syntax", 1, 11)], id="alias-loop"),
        pytest.param("a: &x {b: *x}\n", [("yaml-syntax", 1, 11)], id="alias-loop-mapping"),
        pytest.param("b: &b {x: 1}\nc:\n  <<: *b\n", [("yaml-merge-key", 3, 3)], id="merge"),
        # A refused key's value is never built, yet it counts: the limit is what is reported.
        pytest.param(_bomb() + "b:\n  <<: *a9\n", [("yaml-too-large", 6, 15)], id="merge-bomb"),
        pytest.param(_bomb() + "? [*a9]\n: 1\n", [("yaml-too-large", 6, 15)], id="key-bomb"),
        pytest.param(_bomb() + "a0: *a9\n", [("yaml-too-large", 6, 15)], id="duplicate-bomb"),
        pytest.param("a: " + "9" * 5000 + "\n", [("yaml-too-large", 1, 4)], id="5000-digits"),
        pytest.param("a: 0x" + "f" * 5000 + "\n", [("yaml-too-large", 1, 4)], id="hex"),
        pytest.param("a: 1" + ":5" * 300_000 + "\n", [("yaml-too-large", 1, 4)], id="base-60"),
        pytest.param("a: 1" + "0" * 2000 + ".5\n", [("yaml-too-large", 1, 4)], id="float"),
        pytest.param("? " + "9" * 5000 + "\n: 1\n", [("yaml-too-large", 1, 3)], id="integer-key"),
        pytest.param("a: !!int abc\n", [("yaml-syntax", 1, 4)], id="bad-int-tag"),
        pytest.param("a: !!timestamp abc\n", [("yaml-syntax", 1, 4)], id="bad-timestamp"),
        pytest.param("=: 1\n", [("yaml-syntax", 1, 1)], id="value-key"),
        pytest.param("a: !!python/object:os.system x\n", [("yaml-syntax", 1, 4)], id="python-tag"),
    ],
)
def test_hostile_yaml_is_a_located_diagnostic(
    fast: bool, text: str, expected: list[tuple[str, int, int]]
) -> None:
    started = time.monotonic()
    assert _rules(text, fast=fast) == expected
    assert time.monotonic() - started < 30  # a bound, not a benchmark: it used to be minutes


def test_an_alias_bomb_is_measured_before_it_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's nodes are measured as the data is built; the first alias has the whole
    document measured first, so a bomb costs a few nodes' work, not `MAX_NODES` of it."""
    from vr_quarantine import yamlsource

    built = [0]  # nodes visited (never the nodes themselves: a bomb's repr never ends)
    original = yamlsource._Builder.build

    def build(self: Any, node: Any, at: Any, key_node: Any = None) -> Any:
        built[0] += 1
        return original(self, node, at, key_node)

    monkeypatch.setattr(yamlsource._Builder, "build", build)
    assert _rules(_bomb())[0][0] == "yaml-too-large"
    assert built[0] < 100


def test_limits_leave_real_documents_alone() -> None:
    at_limit = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert _rules(at_limit) == []
    assert _rules("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")[0][0] == "yaml-too-large"
    many = "a: [" + ", ".join(["x"] * (MAX_NODES - 3)) + "]\n"  # root, key, list: 3 nodes
    assert _rules(many) == []
    assert _rules(many.replace("[x", "[x, x"))[0][0] == "yaml-too-large"
    assert _rules("a: " + "9" * MAX_NUMBER_CHARS + "\n") == []
    anchors = "a: &a {b: 1}\nc: *a\nd: *a\n"
    assert load_yaml_text("t.yaml", anchors).document is not None


MERGE_KEY = "<<"


def _merge_profile() -> str:
    return PROFILE.replace("rules: []", "x: &r {timeout_seconds: 30}\nrules: []").replace(
        "rollback:\n", "rollback:\n  <<: *r\n"
    )


def test_merge_keys_are_refused_alike_by_every_input(tmp_path: Path) -> None:
    hint_words = "YAML 1.1"
    profile = load_profile_text("p.yaml", _merge_profile())
    assert [d.rule for d in profile.diagnostics] == ["yaml-merge-key"]
    artifact = "name: Custom.M\nq: &q {query: SELECT * FROM info()}\nsources:\n  - <<: *q\n"
    assert [d.rule for d in lint_text("a.yaml", artifact)] == ["yaml-merge-key"]
    scenario = tmp_path / "s.yaml"
    scenario.write_text("base: success\nx: &x {server_answers: false}\ny:\n  <<: *x\n")
    with pytest.raises(VrqError, match=r"s\.yaml:4:3: merge keys \(<<\)") as caught:
        load_scenario_file(scenario)
    assert caught.value.hint and hint_words in caught.value.hint
    config = tmp_path / "lint.yaml"
    config.write_text("w: &w {level: warning}\nrules:\n  vql-syntax:\n    <<: *w\n")
    with pytest.raises(VrqError, match=r"merge keys") as caught:
        load_config(str(config))
    assert caught.value.hint and hint_words in caught.value.hint
    for diagnostic in profile.diagnostics:
        assert diagnostic.hint and hint_words in diagnostic.hint
    assert load_profile_text("q.yaml", PROFILE.replace("rules: []", f"'{MERGE_KEY}': 1\nrules: []"))


@settings(max_examples=200, deadline=None)
@given(
    # libyaml accepts some tabs that the pure-Python scanner refuses, and reads a byte-order
    # mark after a line break differently (the fast verdict is what users get; both are
    # findings): the comparison leaves those two out.
    st.lists(YAML_TOKENS.filter(lambda t: t not in ("\t", "\ufeff")), max_size=40).map("".join)
)
def test_the_loader_never_raises_and_both_parsers_agree(text: str) -> None:
    fast = load_yaml_text("t.yaml", text, require_mapping=False, fast=True)
    pure = load_yaml_text("t.yaml", text, require_mapping=False, fast=False)
    assert [d.rule for d in fast.diagnostics] == [d.rule for d in pure.diagnostics]
    if fast.document is not None and pure.document is not None:
        assert repr(fast.document.data) == repr(pure.document.data)


# --- scenario files: the same loader, every problem located, exit 2 --------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("base: success\nbase: removal\n", "s.yaml:2:1: duplicate key 'base'"),
        ("base: success\n" + _bomb(), "200000 nodes"),
        ("base: success\nfiles: " + "[" * 10_000 + "]" * 10_000, "more than 64 levels"),
        ("base: nope\nclock_ticks: x\n", "s.yaml:1:1: base: unknown built-in scenario 'nope'"),
        ("base: nope\nclock_ticks: x\n", "s.yaml:2:1: clock_ticks: expected int"),
        ("base: success\nclock_ticks: " + "9" * 2000 + "\n", "2000 characters"),
        ('base: success\nname: "\\ud800"\n', "s.yaml:2:10: YAML syntax error"),
    ],
)
def test_scenario_file_problems_are_located(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = CliRunner().invoke(
        main, ["simulate", str(ROOT / "examples" / "upstream-defaults.yaml"), "-s", str(path)]
    )
    assert result.exit_code == 2
    assert says in result.stderr
    assert "internal error" not in result.output


def test_terminal_escapes_from_a_scenario_are_printed_inert(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        'base: success\nname: "odd\\x9b"\ndescription: "\\x1b]52;c;cm0gLXJmIH4=\\x07"\n'
    )
    profile = str(ROOT / "examples" / "upstream-defaults.yaml")
    for fmt in ("text", "json"):
        result = CliRunner().invoke(main, ["simulate", profile, "-s", str(path), "-f", fmt])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout  # no terminal escape (here: OSC 52, set clipboard)
        assert "\x9b" not in result.stdout  # nor the one-byte CSI
    text = CliRunner().invoke(main, ["simulate", profile, "-s", str(path)]).stdout
    assert "odd\\x9b" in text and "\\x1b]52;c;cm0gLXJmIH4=\\x07" in text


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    "text", ['a: "\\ud800"\n', 'a: "x\\udcffy"\n', '"\\ud800": 1\n', 'a: "\\U00110000"\n']
)
def test_escapes_outside_unicode_are_refused_as_libyaml_and_go_yaml_do(
    fast: bool, text: str
) -> None:
    (diagnostic,) = load_yaml_text("t.yaml", text, fast=fast).diagnostics
    assert diagnostic.rule == "yaml-syntax"
    assert "invalid Unicode character escape code" in diagnostic.message


# --- long names: validate names the field and the limit; render writes nothing ---------------


@pytest.mark.parametrize("length", [128, 129, 4000])
def test_artifact_name_length_is_checked_before_render(tmp_path: Path, length: int) -> None:
    name = "Custom." + "A" * (length - len("Custom."))
    profile = tmp_path / "p.yaml"
    profile.write_text(
        PROFILE.replace("name: Custom.Windows.Remediation.Quarantine.Upstream", f"name: {name}")
    )
    result = CliRunner().invoke(main, ["render", str(profile), "-o", str(tmp_path / "out")])
    if length <= 128:
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out" / f"{name}.yaml").is_file()
        return
    assert result.exit_code == 1
    assert f"artifact.name: {length} characters, more than the 128 allowed" in result.output
    assert "File name too long" not in result.output
    assert not (tmp_path / "out").exists()


# --- output: surrogates, controls and bidi overrides escaped in every format -----------------

HOSTILE = "a\ud800b\udcff\x1b[2J\x1b]52;c;eA==\x07\r\n\u202eevil\u2066\x00\x9b"


def test_printable_escapes_what_a_terminal_or_encoder_would_act_on() -> None:
    assert printable(HOSTILE) == (
        "a\\ud800b\\udcff\\x1b[2J\\x1b]52;c;eA==\\x07\\x0d\\x0a\\u202eevil\\u2066\\x00\\x9b"
    )
    assert printable("line\nnext\ttab", newlines=True) == "line\nnext\ttab"
    assert printable("café → ok") == "café → ok"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_printable_output_is_plain_utf8(text: str) -> None:
    shown = printable(text)
    shown.encode("utf-8")
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown if c != "\t")
    assert json.loads(json_text({"k": text}))["k"] == text.encode(
        "utf-8", "backslashreplace"
    ).decode("utf-8") or _no_surrogates(json.loads(json_text({"k": text}))["k"])


def _no_surrogates(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _hostile_results() -> Results:
    results = Results(files=[f"dir/{HOSTILE}.yaml"])
    results.extend(
        [
            Diagnostic(
                Location(f"dir/{HOSTILE}.yaml", 3, 4),
                "schema",
                Severity.ERROR,
                f"unknown key {HOSTILE}",
                f"hint {HOSTILE}",
            )
        ]
    )
    return results


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_report_format_carries_hostile_text(fmt: str) -> None:
    report: Callable[[Results, str], str] = REPORTERS[fmt]
    text = report(_hostile_results(), "validate")
    text.encode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    if fmt in ("json", "sarif"):
        assert _no_surrogates(json.dumps(json.loads(text), ensure_ascii=False))
    if fmt == "text":
        assert len(text.splitlines()) == 3  # the message, the hint, the summary: no forged line


def test_a_narrow_terminal_encoding_gets_escapes(tmp_path: Path) -> None:
    from tests.capped import run_capped

    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE + "clé→: 1\n")
    result = run_capped(["validate", profile], env={"PYTHONIOENCODING": "ascii"})
    assert result.exit_code == 1 and result.problems() == []
    assert 'unknown key "cl\\xe9\\u2192"' in result.stdout


# --- bounded work after loading -------------------------------------------------------------


def test_a_large_text_is_composed_by_the_bounded_composer(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml would build every node of a large text before its size could be measured."""
    from vr_quarantine import yamlsource

    def native(text: str) -> Any:
        raise AssertionError(f"libyaml composed {len(text)} characters")

    monkeypatch.setattr(yamlsource, "_C_LOADER", native)
    big = "x: [" + "a, " * (yamlsource.NATIVE_COMPOSE_MAX_CHARS // 3 + 1) + "a]\n"
    assert load_yaml_text("t.yaml", big).document is not None
    flat = "x: [" + "a," * 520_000 + "a]\n"  # 1 MiB of nodes: stops at the limit, never built
    assert _rules(flat)[0][0] == "yaml-too-large"


def test_rules_past_the_schema_limit_are_not_compared() -> None:
    from vr_quarantine.profile.checks import CheckContext
    from vr_quarantine.profile.rules import MAX_RULES

    schema = json.loads((ROOT / "schema" / "quarantine-profile.schema.json").read_text())
    assert schema["properties"]["rules"]["maxItems"] == MAX_RULES
    rows = [
        f"  - {{action: {a}, source: me, destination: 10.{i % 200}.0.1-10.{i % 200 + 9}.0.1}}"
        for i in range(3 * MAX_RULES)
        for a in ("permit", "block")
    ]
    text = PROFILE.replace("rules: []", "rules:\n" + "\n".join(rows))
    result = load_profile_text("p.yaml", text)
    assert f"rules: {6 * MAX_RULES} items, more than the {MAX_RULES} allowed" in [
        d.message for d in result.diagnostics
    ]
    document = load_yaml_text("p.yaml", text).document
    assert document is not None and len(CheckContext(document).rules) == MAX_RULES


def test_render_check_reads_existing_artifacts_through_the_input_layer(tmp_path: Path) -> None:
    """A FIFO where an artifact should be used to hang ``render --check`` in CI."""
    from tests.capped import run_capped

    out = tmp_path / "artifacts"
    out.mkdir()
    os.mkfifo(out / "Custom.Windows.Remediation.Quarantine.Upstream.yaml")
    result = run_capped(
        ["render", "--check", str(ROOT / "examples" / "upstream-defaults.yaml"), "-o", out],
        timeout=60,
    )
    assert result.problems() == [] and result.exit_code == 1, result.output
    assert "Upstream.yaml: unreadable (is a named pipe (FIFO)" in result.stderr


def test_what_a_compromised_client_sends_cannot_drive_the_terminal() -> None:
    from vr_quarantine.server.collect import (
        ClientCollection,
        CollectReport,
        render_collect_json,
        render_collect_text,
    )

    hostile = "x\x1b]52;c;cm0gLXJmIH4=\x07\ncollect: forged\u202e\ud800"
    client = ClientCollection(
        "C.1",
        hostname=hostile,
        flow_id="F.1",
        state="FINISHED",
        rows=[{"Step": hostile}],
        logs=[{"time": hostile, "level": "INFO", "message": hostile}],
    )
    report = CollectReport("Custom.Q", {}, "https://s:8001", 1.0, [client])
    text = render_collect_text(report)
    text.encode("utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert not any(line.startswith("collect: forged") for line in text.splitlines())
    document = render_collect_json(report)
    document.encode("utf-8")
    assert json.loads(document)["clients"][0]["logs"][0]["message"].startswith("x\x1b]52")


def test_the_server_copy_in_a_push_diff_is_printed_inert() -> None:
    from vr_quarantine.server.push import PushItem, PushReport, render_push_text

    diff = "--- server\n+++ local\n-description: \x1b[2J\x1b]0;owned\x07\n+description: ok\n"
    item = PushItem("Custom.Q", "q.yaml", "changed", diff, "would upload", "\x1b[31mno\ud800")
    text = render_push_text(PushReport("https://s:8001", True, [item]))
    text.encode("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    assert "-description: \\x1b[2J\\x1b]0;owned\\x07" in text.splitlines()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("life:\n  - {step: run}\n  - {step: advance, seconds: 1.0e+18}\n", "step 2: seconds"),
        ("life:\n  - {step: advance, seconds: abc}\n", "step 1: seconds"),
        ("life:\n  - {step: monitor, ticks: 100000000000}\n", "step 1: ticks"),
        ("life:\n  - {step: monitor, params: [1]}\n", "step 1: params"),
        ("events:\n  - {at: 10000000000000000000}\n", "events: each event"),
        ("clock_ticks: 1000000000000\n", "clock_ticks: 0-1000"),
    ],
)
def test_scenario_numbers_are_bounded_before_the_simulator_reads_them(
    tmp_path: Path, body: str, says: str
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("base: monitor-steady\n" + body)
    with pytest.raises(VrqError, match="invalid scenario") as caught:
        load_scenario_file(path)
    assert says in str(caught.value)


# --- schema patterns: ECMA-262's $, as editors and check-jsonschema read them ----------------


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^[a-z]+$", "abc", True),
        ("^[a-z]+$", "abc\n", False),
        ("^a\\$$", "a$", True),
        ("^[$]+$", "$$", True),
        ("^(a|b$)", "b\n", False),
        ("^https?://[^\\s]+$", "https://x/\n", False),
    ],
)
def test_schema_patterns_end_where_ecma_262_ends_them(
    pattern: str, text: str, matches: bool
) -> None:
    from vr_quarantine.schemacheck import ecma_regex

    assert (ecma_regex(pattern).search(text) is not None) is matches


def test_no_one_line_profile_value_may_end_in_a_line_break() -> None:
    """Python's ``$`` let ``id: "x\\n"``, table names, anchors and paths end in a line break
    (into file names, shell lines of at jobs and launchd, and shown commands)."""
    import yaml as pyyaml

    base = pyyaml.safe_load((ROOT / "examples" / "engagement-jumphost-share-ipv6.yaml").read_text())
    base.setdefault("linux", {}).update(table_name="vrr_q", nft_path="/usr/sbin/nft")
    base.setdefault("macos", {}).update(
        anchor="com.apple/velociraptor.q", token_file="/var/run/q.tok", pfctl_path="/sbin/pfctl"
    )
    accepted = []
    for path in value_paths(base):
        data = pyyaml.safe_load(pyyaml.safe_dump(base))
        if not path or not isinstance(parent_of(data, path)[path[-1]], str):
            continue
        parent_of(data, path)[path[-1]] += "\n"
        result = load_profile_text("p.yaml", pyyaml.safe_dump(data))
        if not any(d.severity is Severity.ERROR for d in result.diagnostics):
            accepted.append(path)
    assert accepted == [("artifact", "description"), ("artifact", "reason")]  # prose
