"""Render's read-back composes a rendered artifact as its head plus its shared `sources:` block
(`yamlsource.split_root`): the nodes, data, positions and findings must be the whole text's.

Every rendered artifact of the examples and the default profile, and of hostile profiles, is
composed both ways and compared node by node, marks included; texts that break a condition of
the split (crafted here) must be composed whole.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from vr_quarantine import yamlsource
from vr_quarantine.artifact import load_artifact, sanitize
from vr_quarantine.profile import Profile
from vr_quarantine.render import render_run
from vr_quarantine.render.renderer import render_artifacts
from vr_quarantine.yamlsource import NATIVE_COMPOSE_MAX_CHARS, load_yaml_text, split_root
from yaml.nodes import MappingNode, Node, ScalarNode

from tests.test_render_injection import profiles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029", "\ufeff")

pytestmark = pytest.mark.skipif(
    getattr(yamlsource, "_C_LOADER", None) is None, reason="PyYAML without libyaml"
)


def _marks(node: Node) -> tuple[Any, ...]:
    return tuple(
        (m.name, m.index, m.line, m.column, m.buffer, m.pointer)
        for m in (node.start_mark, node.end_mark)
    )


def _assert_same_nodes(split: Node, whole: Node) -> None:
    assert type(split) is type(whole)
    assert type(split.start_mark) is type(whole.start_mark)
    assert (split.tag, _marks(split)) == (whole.tag, _marks(whole))
    if isinstance(whole, ScalarNode):
        assert (split.value, split.style) == (whole.value, whole.style)
        return
    assert split.flow_style == whole.flow_style
    assert len(split.value) == len(whole.value)
    if isinstance(whole, MappingNode):
        for (sk, sv), (wk, wv) in zip(split.value, whole.value, strict=True):
            _assert_same_nodes(sk, wk)
            _assert_same_nodes(sv, wv)
    else:
        for s, w in zip(split.value, whole.value, strict=True):
            _assert_same_nodes(s, w)


def _assert_same_load(text: str) -> None:
    whole = load_yaml_text("a.yaml", text)
    split = load_yaml_text("a.yaml", text, shared_tail="sources")
    assert split.diagnostics == whole.diagnostics
    if whole.document is None:
        assert split.document is None
        return
    assert split.document is not None
    assert split.document.data == whole.document.data
    assert split.document.values == whole.document.values
    assert split.document.keys == whole.document.keys
    assert split.document.scalars == whole.document.scalars


def _assert_split_exact(text: str) -> None:
    """The split applies to a rendered text (unless it is too long for libyaml, its head holds
    a line break libyaml counts and Python's LF count does not, or a value's line in it starts
    with ``sources:``) and gives the whole text's nodes and load."""
    text = sanitize(text).text  # what load_artifact composes
    root = split_root(text, "sources")
    head = text[: text.find("\nsources:") + 1]
    if (
        len(text) > NATIVE_COMPOSE_MAX_CHARS
        or any(ch in head for ch in OTHER_BREAKS)
        or text.count("\nsources:") > 1  # a profile value's line in the head: composed whole
    ):
        assert root is None
    else:
        assert root is not None
        for _ in range(2):  # the tail composed, then taken from the cache
            again = split_root(text, "sources")
            assert again is not None
            _assert_same_nodes(again, yamlsource._native_roots(text)[0])  # type: ignore[index]
    _assert_same_load(text)


def test_every_rendered_artifact_of_the_examples_and_default_composes_the_same_split() -> None:
    run = render_run(EXAMPLES, include_default=True)
    assert run.ok, run.results.diagnostics
    assert len(run.artifacts) >= 9
    for artifact in run.artifacts:
        _assert_split_exact(artifact.text)
        # Lint and the self-check see the same model either way.
        whole = load_artifact(artifact.filename, artifact.text)
        split = load_artifact(artifact.filename, artifact.text, shared_sources=True)
        assert split.data == whole.data
        assert [(s.kind, s.node_path, s.text) for s in split.sections] == [
            (s.kind, s.node_path, s.text) for s in whole.sections
        ]
        assert [s.location(artifact.filename, 1, 1) for s in split.sections] == [
            s.location(artifact.filename, 1, 1) for s in whole.sections
        ]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_hostile_profiles_artifacts_compose_the_same_split(profile: Profile) -> None:
    profile = dataclasses.replace(profile, platforms=("windows", "linux", "macos"))
    texts = [a.text for a in render_artifacts(profile) if a.text is not None]
    assert texts
    for text in texts:
        _assert_split_exact(text)


TAIL = "sources:\n  - query: |\n      SELECT * FROM info()\n"

COMPOSED_WHOLE = {
    "open quoted scalar in the head": 'a: "x\nsources: y\n"\n',
    "open single-quoted scalar in the head": "a: 'x\nsources: y'\n",
    "open flow collection in the head": "a: [1,\nsources: 2]\n",
    "sources key in the head": "a: 1\nsources: 1\nb: 2\n" + TAIL,
    "sources key first in the head": "sources: 1\nb: 2\n" + TAIL,
    "sources line inside a quoted scalar": 'a: "x\nsources: y"\n' + TAIL,
    "quoted sources key in the head": '"sources": 1\n' + TAIL,
    "escaped sources key in the head": '"\\x73ources": 1\n' + TAIL,
    "anchor in the tail": "a: 1\nsources: &x\n  - q\n",
    "alias in the tail": "a: &x [1]\nsources: *x\n",
    "tag in the tail": "a: 1\nsources: !!str x\n",
    "second key in the tail": "a: 1\n" + TAIL + "b: 2\n",
    "second sources key in the tail": "a: 1\n" + TAIL + TAIL,
    "document end in the tail": "a: 1\n" + TAIL + "...\n",
    "document marker in the head": "a: 1\n---\n" + TAIL,
    "directive in the head": "%YAML 1.1\n---\na: 1\n" + TAIL,
    "indented root in the head": "  a: 1\n" + TAIL,
    "flow root in the head": "{a: 1}\n" + TAIL,
    "scalar root in the head": "just text\n" + TAIL,
    "head that does not compose": "a: 1\n b: [\n" + TAIL,
    "empty head": "\n" + TAIL,
    "LS in the head": "a: 'x\u2028y'\n" + TAIL,
    "CR in the head": "a: 1\r\nb: 2\n" + TAIL,
    "no sources line": "a: 1\nb: 2\n",
}


@pytest.mark.parametrize("text", COMPOSED_WHOLE.values(), ids=COMPOSED_WHOLE.keys())
def test_texts_that_break_a_condition_are_composed_whole(text: str) -> None:
    assert split_root(text, "sources") is None
    _assert_same_load(text)


SPLIT = {
    "block scalar ends the head": "a: |\n  x\n\n" + TAIL,
    "kept block scalar ends the head": "a: |+\n  x\n\n\n" + TAIL,
    "folded block scalar ends the head": "a: >-\n  x\n  y\n" + TAIL,
    "plain scalar continued at the end of the head": "a: x\n  y\n" + TAIL,
    "nested collections end the head": "a:\n  - b:\n      - c\n" + TAIL,
    "indentless sequence ends the head": "a:\n- b\n- c\n" + TAIL,
    "comments end the head": "a: 1\n# c\n  # d\n" + TAIL,
    "anchor and alias in the head": "a: &x 1\nb: *x\n" + TAIL,
    "duplicate key in the head": "a: 1\na: 2\n" + TAIL,
}


@pytest.mark.parametrize("text", SPLIT.values(), ids=SPLIT.keys())
def test_heads_that_end_cleanly_are_split_and_compose_the_same(text: str) -> None:
    root = split_root(text, "sources")
    assert root is not None
    _assert_same_nodes(root, yamlsource._native_roots(text)[0])  # type: ignore[index]
    _assert_same_load(text)
