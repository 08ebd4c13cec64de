"""Every command, fed random bytes, random YAML, random VQL and real files made hostile, in a
separate process under a memory cap and a timeout (tests/capped.py): exit 0, 1 or 2, no internal
error, no traceback, within the cap.

Each example writes a few documents and runs the command once over all of them (the commands take
many paths), so a modest number of processes covers many inputs. CI runs a fixed, small budget
(derandomized by tests/conftest.py when CI is set); ``make fuzz`` runs a large random one
(``VRQ_FUZZ_EXAMPLES``, examples per test).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from tests.capped import run_capped
from tests.fuzz_strategies import (
    RANDOM_BYTES,
    any_document,
    mutated,
    random_artifact,
    random_scenario,
)

_SCALE = int(os.environ.get("VRQ_FUZZ_EXAMPLES", "0"))
BATCH = 8
"""Documents per process for the commands that take many paths."""


def _settings(examples: int) -> settings:
    return settings(
        max_examples=_SCALE or examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _write(folder: Path, documents: list[bytes]) -> list[str]:
    paths = []
    for index, raw in enumerate(documents):
        path = folder / f"doc{index}.yaml"
        path.write_bytes(raw)
        paths.append(str(path))
    return paths


def _run(args: list[str], *, stdin: bytes = b"", cwd: Path | None = None) -> None:
    result = run_capped(args, stdin=stdin, cwd=cwd)
    assert result.problems() == [], f"{' '.join(args)}\n{result.output[-3000:]}"


DOCUMENTS = st.lists(any_document(), min_size=1, max_size=BATCH)


@_settings(6)
@given(DOCUMENTS)
def test_validate(documents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("text", "sarif"):
            _run(["validate", "-f", fmt, *_write(Path(folder), documents)])


@_settings(6)
@given(DOCUMENTS)
def test_lint(documents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("text", "github"):
            _run(["lint", "-f", fmt, *_write(Path(folder), documents)])


@_settings(6)
@given(DOCUMENTS)
def test_render(documents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = _write(Path(folder), documents)
        _run(["render", *paths, "-o", str(Path(folder) / "out")])


@_settings(4)
@given(DOCUMENTS)
def test_pack(documents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = _write(Path(folder), documents)
        _run(["pack", *paths, "-o", str(Path(folder) / "out.zip")])


@_settings(4)
@given(st.sampled_from(["validate", "lint"]), st.one_of(RANDOM_BYTES, any_document()))
def test_standard_input(command: str, raw: bytes) -> None:
    _run([command, "-f", "json", "-"], stdin=raw)


@_settings(12)
@given(
    st.one_of(random_artifact(), mutated("profile"), mutated("artifact"), any_document()),
    st.one_of(st.none(), random_scenario(), mutated("scenario"), any_document()),
    st.one_of(st.none(), random_artifact(), any_document()),
    st.sampled_from(["text", "json"]),
)
def test_simulate(
    document: bytes, scenario: bytes | None, companion: bytes | None, fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (path,) = _write(Path(folder), [document])
        args = ["simulate", path, "-f", fmt]
        if scenario is not None:
            args += ["--scenario", str(Path(folder) / "scenario.yaml")]
            (Path(folder) / "scenario.yaml").write_bytes(scenario)
        if companion is not None:
            args += ["--with", str(Path(folder) / "with.yaml")]
            (Path(folder) / "with.yaml").write_bytes(companion)
        _run(args)


def test_scenario_files_draw_each_fields_own_strategy() -> None:
    """A life scenario's steps come from their own strategy (a strategy once stood for a
    boolean there: hypothesis warned, now an error by pyproject's filterwarnings)."""
    raw = find(
        random_scenario(),
        lambda raw: b"- step: run" in raw,
        settings=settings(database=None, derandomize=True, max_examples=2000),
    )
    assert raw.startswith(b"base: ")
