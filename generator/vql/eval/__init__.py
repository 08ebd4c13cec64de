"""The VQL evaluator: vfilter's semantics, Velociraptor's functions and plugins, golden mocks.

Public API:
- `Engine`: an evaluator and a session in one: ``Engine(config=..., side_effects=...)``,
  ``engine.query(text)`` (rows of every SELECT, LETs kept in the engine's root scope),
  ``engine.logs``. ``dialect="vfilter"`` runs vfilter's core alone (its own built-ins and
  protocols, as the ``eval`` oracle does); the default is what a Velociraptor client runs.
- `ArtifactSet`, `artifact_from_file`, `load_artifact_text`: artifacts that ``Artifact.X()``
  can call, made from the artifact file model (`generator.artifact`).
- Values as VQL sees and prints them: `NULL`, `GoUrl`, `go_value`, `to_json_value`; mock results
  in ``mock()``'s form: `normalise_results`.
- `MockContext`, `SideEffects`, `Session`, `Scope`, `VqlRuntimeError`.
- `Limits` (``Engine(limits=...)``), `parse_limits` (``--limit NAME=VALUE``), `LIMITS` (what each
  counts, why its default is safe), `LimitExceeded` (a run stopped by one).

Velociraptor's golden test format (``run_golden``, ``parse_output``) is the sub-module
`golden`, left out of this face: only tests use it, and importing it here would load its
modules (``tempfile``, the sandbox file system) on every ``simulate`` run.
"""

from __future__ import annotations

from .api import Engine, make_evaluator
from .artifacts import Artifact, ArtifactSet, artifact_from_file, load_artifact_text
from .engine import Evaluator, VqlRuntimeError
from .limits import LIMITS, LimitExceeded, Limits, describe_limits, parse_limits
from .mocks import MockContext, normalise_results
from .scope import Scope, Session, SideEffects
from .values import NULL, GoUrl, go_value, to_json_value

__all__ = [
    "LIMITS",
    "NULL",
    "Artifact",
    "ArtifactSet",
    "Engine",
    "Evaluator",
    "GoUrl",
    "LimitExceeded",
    "Limits",
    "MockContext",
    "Scope",
    "Session",
    "SideEffects",
    "VqlRuntimeError",
    "artifact_from_file",
    "describe_limits",
    "go_value",
    "load_artifact_text",
    "make_evaluator",
    "normalise_results",
    "parse_limits",
    "to_json_value",
]
