"""Robustness on real artifacts: every corpus artifact runs under the evaluator, or stops with a
message that names what it cannot do (a plugin, a function, a side effect); never a crash."""

from __future__ import annotations

from pathlib import Path

from vr_quarantine.errors import VrqError
from vr_quarantine.vql.eval import ArtifactSet, Engine, load_artifact_text


def test_every_corpus_artifact_runs_or_names_what_is_missing(corpus_dir: Path) -> None:
    paths = sorted(corpus_dir.rglob("*.yaml"))
    assert paths
    outcomes: dict[str, int] = {"ran": 0, "refused": 0}
    for path in paths:
        artifact = load_artifact_text(path.read_text(encoding="utf-8"), str(path))
        artifacts = ArtifactSet()
        artifacts.add(artifact)
        engine = Engine(config={"server_urls": ["https://a.example:8000/"]}, artifacts=artifacts)
        try:
            engine.run_artifact(artifact.name)
        except VrqError as error:
            message = str(error)
            assert any(
                word in message
                for word in (
                    "not available",
                    "would touch the endpoint",
                    "not found",
                    "not supported",
                    "is not modelled",
                )
            ), f"{path}: {message}"
            outcomes["refused"] += 1
        else:
            outcomes["ran"] += 1
    assert outcomes["ran"] >= 5
