"""The VQL evaluator: vfilter's semantics, Velociraptor's functions and plugins, golden mocks.

Public API:
- `Engine`: an evaluator and a session in one: ``Engine(config=..., side_effects=...)``,
  ``engine.query(text)`` (rows of every SELECT, LETs kept in the engine's root scope),
  ``engine.logs``.
- `ArtifactSet`, `load_artifact_text`: artifacts that ``Artifact.X()`` can call.
- `MockContext`, `SideEffects`, `Session`, `Scope`, `VqlRuntimeError`.
- `golden.run_golden(fixture, artifact_files, expected_output)` (in `generator.vql.eval.golden`):
  Velociraptor's golden test format.
"""

from __future__ import annotations

from .api import Engine, make_evaluator
from .artifacts import Artifact, ArtifactSet, load_artifact_text
from .engine import Evaluator, VqlRuntimeError
from .mocks import MockContext
from .scope import Scope, Session, SideEffects

__all__ = [
    "Artifact",
    "ArtifactSet",
    "Engine",
    "Evaluator",
    "MockContext",
    "Scope",
    "Session",
    "SideEffects",
    "VqlRuntimeError",
    "load_artifact_text",
    "make_evaluator",
]
