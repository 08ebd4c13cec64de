"""Artifacts as the evaluator runs them: the parameter preamble, sources, ``Artifact.X()`` calls.

The preamble is the VQL that Velociraptor's launcher generates for typed parameters
(``services/launcher/parameters.go``), produced as text and run by the evaluator itself, so a
``bool`` parameter is TRUE for TRUE or ``^(Y|TRUE|YES|OK)$`` and a ``csv`` one is parsed only
when it is a string, exactly as on a real client.

An `Artifact` is made from the one model of an artifact file (`generator.artifact`): the text
Velociraptor's loader reads (after its fix-ups), parsed once, its queries parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...artifact import ArtifactFile, load_artifact, shape_problems
from ...errors import VrqError
from ...inputs import read_text, require_text
from .. import ast
from .values import NULL

if TYPE_CHECKING:
    from .engine import Evaluator
    from .scope import Scope

_IDENT = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str = ""
    type: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    query: str
    precondition: str = ""
    statements: tuple[ast.Statement, ...] | None = field(default=None, compare=False, repr=False)
    """The query, parsed (by the artifact file model); None: parsed when run."""


@dataclass(frozen=True)
class Artifact:
    name: str
    type: str = "client"
    parameters: tuple[Parameter, ...] = ()
    sources: tuple[Source, ...] = ()
    precondition: str = ""
    export: str = ""
    imports: tuple[str, ...] = ()
    path: str = ""


def _maybe_escape(name: str) -> str:
    return name if _IDENT.match(name) else f"`{name}`"


def preamble(parameters: tuple[Parameter, ...]) -> list[str]:
    """The LET statements Velociraptor prepends to convert typed parameters."""
    out: list[str] = []
    for parameter in parameters:
        name = _maybe_escape(parameter.name)
        kind = parameter.type
        if kind in ("int", "int64", "integer"):
            out.append(f"LET {name} <= int(int={name})")
        elif kind == "float":
            out.append(f"LET {name} <= parse_float(string={name})")
        elif kind == "timestamp":
            out.append(f"LET {name} <= timestamp(epoch={name})")
        elif kind in ("csv", "artifactset"):
            out.append(
                f'LET {name} <= SELECT * FROM if(\n    condition=format(format="%T", '
                f'args=[{name},]) =~ "string",\n    then={{SELECT * FROM parse_csv('
                f"filename={name}, accessor='data')}},\n    else={name})\n"
            )
        elif kind == "json":
            out.append(
                f'LET {name} <= if(\n    condition=format(format="%T", args=[{name},]) =~ '
                f'"string",\n    then=parse_json(data={name}),\n    else={name})\n'
            )
        elif kind in ("json_array", "regex_array", "multichoice"):
            out.append(
                f'LET {name} <= if(\n    condition=format(format="%T", args=[{name},]) = '
                f'"string",\n    then=parse_json_array(data={name}),\n    else={name})\n'
            )
        elif kind == "bool":
            out.append(
                f"LET {name} <= get(field='{parameter.name}') = TRUE OR "
                f"get(field='{parameter.name}') =~ '^(Y|TRUE|YES|OK)$' "
            )
        elif kind in ("upload", "upload_file", "starlark", "xml", "yaml"):
            raise VrqError(
                f"parameter {parameter.name}: type {kind!r} is not supported by the simulator"
            )
    return out


def load_artifact_text(text: str, path: str = "<artifact>") -> Artifact:
    """The artifact in `text`, as Velociraptor's loader reads it (fix-ups applied)."""
    return artifact_from_file(load_artifact(path, text))


def artifact_from_file(file: ArtifactFile) -> Artifact:
    """The fields the evaluator needs, from a loaded artifact file."""
    path = file.path
    if file.document is None:
        first = file.load_diagnostics[0]
        raise VrqError(f"{first.location}: not valid YAML: {first.message}", hint=first.hint)
    problems = sorted(shape_problems(file), key=lambda p: p.location)
    if problems:
        # Velociraptor's loader refuses the file (yaml.UnmarshalStrict into proto.Artifact).
        raise VrqError(
            f"{path}: not an artifact Velociraptor loads:\n  "
            + "\n  ".join(f"{p.location}: {p.message}" for p in problems),
            hint="`vr-quarantine lint` reports each problem with a hint",
        )
    data = file.data
    if not isinstance(data.get("name"), str):
        raise VrqError(f"{path}: not a Velociraptor artifact (no name)")
    parameters = []
    for item in data.get("parameters") or []:
        if not isinstance(item, dict) or "name" not in item:
            raise VrqError(f"{path}: a parameter has no name")
        default = item.get("default")
        parameters.append(
            Parameter(
                name=str(item["name"]),
                default="" if default is None else _as_text(default),
                type=str(item.get("type") or ""),
            )
        )
    queries = {s.node_path[1]: s for s in file.sections_of("query")}
    sources = []
    for index, item in enumerate(data.get("sources") or []):
        if not isinstance(item, dict):
            continue
        query = item.get("query")
        if query is None and isinstance(item.get("queries"), list):
            query = "\n".join(str(q) for q in item["queries"])
        section = queries.get(index)
        program = section.program if section is not None else None
        sources.append(
            Source(
                name=str(item.get("name") or ""),
                query=str(query or ""),
                precondition=str(item.get("precondition") or ""),
                statements=program.statements if program is not None else None,
            )
        )
    return Artifact(
        name=data["name"],
        type=str(data.get("type") or "client").lower(),
        parameters=tuple(parameters),
        sources=tuple(sources),
        precondition=str(data.get("precondition") or ""),
        export=str(data.get("export") or ""),
        imports=tuple(str(i) for i in data.get("imports") or ()),
        path=path,
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Y" if value else ""
    return str(value)


@dataclass
class ArtifactSet:
    """The artifacts one simulation knows: `Artifact.X()` resolves only within this set."""

    artifacts: dict[str, Artifact] = field(default_factory=dict)

    def add(self, artifact: Artifact) -> None:
        self.artifacts[artifact.name] = artifact

    def add_file(self, path: Path) -> Artifact:
        got = require_text(read_text(str(path)))
        artifact = load_artifact_text(got.text, got.name)
        self.add(artifact)
        return artifact

    def get(self, name: str) -> Artifact | None:
        return self.artifacts.get(name)

    def run(
        self,
        name: str,
        args: dict[str, Any],
        scope: Scope,
        evaluator: Evaluator,
        *,
        check_preconditions: bool | None = None,
    ) -> Iterator[Any]:
        """Run an artifact as ``SELECT * FROM Artifact.<name>(args)`` does."""
        artifact = self.artifacts[name]
        wanted_source = args.pop("source", NULL)
        preconditions = args.pop("preconditions", NULL)
        check = (
            check_preconditions
            if check_preconditions is not None
            else evaluator.truthy(preconditions, scope)
        )
        known = {p.name for p in artifact.parameters}
        for extra in args:
            if extra not in known:
                scope.log(f"WARN:Artifact {name}: unknown parameter {extra}")
        env: dict[str, Any] = {p.name: p.default for p in artifact.parameters}
        env.update(args)
        return self._run_sources(artifact, env, scope, evaluator, wanted_source, check)

    def _run_sources(
        self,
        artifact: Artifact,
        env: dict[str, Any],
        scope: Scope,
        evaluator: Evaluator,
        wanted_source: Any,
        check: bool,
    ) -> Iterator[Any]:
        from .runner import run_text, statements_of

        if (
            check
            and artifact.precondition
            and not self._precondition(artifact.precondition, env, scope, evaluator)
        ):
            return
        exports = [self.artifacts[i].export for i in artifact.imports if i in self.artifacts]
        for source in artifact.sources:
            if isinstance(wanted_source, str) and wanted_source and source.name != wanted_source:
                continue
            if not source.query.strip():
                continue  # e.g. a notebook artifact's source: nothing to run
            if (
                check
                and source.precondition
                and not self._precondition(source.precondition, env, scope, evaluator)
            ):
                continue
            sub = scope.copy()
            sub.append_vars(dict(env))
            budget = scope.session.budget
            outer, budget.artifact = budget.artifact, artifact.name  # named by a limit's message
            try:
                for text in [*preamble(artifact.parameters), *exports, artifact.export]:
                    if text.strip():
                        for _ in run_text(text, sub, evaluator):
                            pass
                statements = source.statements or statements_of(source.query)
                yield from run_text(source.query, sub, evaluator, statements=statements)
            finally:
                budget.artifact = outer

    def _precondition(
        self, text: str, env: dict[str, Any], scope: Scope, evaluator: Evaluator
    ) -> bool:
        from .runner import run_text

        sub = scope.copy()
        sub.append_vars(dict(env))
        return any(True for _ in run_text(text, sub, evaluator))
