"""What `pack` and `push` ship: artifacts rendered from profiles or read from files, linted first.

A PATH is a file or a folder (every ``*.yaml``/``*.yml`` below it, sorted). A file whose top level
has ``format_version`` is a quarantine profile: it is rendered in memory with every artifact it
renders (the quarantine and its companions), each checked and linted by `render`. Any other file
is an artifact and is linted as is, all of them as one linted set (so that ``Artifact.X()`` calls
between them resolve). An error anywhere refuses the whole bundle; nothing is shipped in part.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..diagnostics import IO_ERROR, Diagnostic, Location, Results, Severity
from ..errors import VrqError
from ..lint import lint_paths
from ..render import render_run

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class BundledArtifact:
    """One artifact to ship: its name, its exact text and where it came from."""

    name: str
    text: str
    source: str


@dataclass
class Bundle:
    artifacts: list[BundledArtifact] = field(default_factory=list)
    results: Results = field(default_factory=Results)

    @property
    def ok(self) -> bool:
        return not self.results.fails(Severity.ERROR)


def _io_error(path: str, message: str) -> Diagnostic:
    return Diagnostic(Location(path), IO_ERROR, Severity.ERROR, message, "check the path")


def _expand(paths: Sequence[str], results: Results) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-":
            results.extend([_io_error(raw, "artifacts to ship are read from files, not stdin")])
        elif path.is_dir():
            children = sorted(
                p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
            )
            if not children:
                results.extend([_io_error(raw, f"the folder {raw} holds no *.yaml or *.yml file")])
            found.extend(children)
        elif path.is_file():
            found.append(path)
        else:
            results.extend([_io_error(raw, f"no such file or folder: {raw}")])
    return list(dict.fromkeys(found))


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def _top_level(text: str) -> dict[object, object] | None:
    try:
        data = yaml.load(text, Loader=_loader())
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def gather(paths: Sequence[str]) -> Bundle:
    """Read, render and lint everything under `paths`; the bundle is shippable when `ok`."""
    bundle = Bundle()
    profiles: list[Path] = []
    artifact_files: list[tuple[Path, str, str | None]] = []
    for path in _expand(paths, bundle.results):
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            bundle.results.extend([_io_error(str(path), f"cannot read {path}: {exc.strerror}")])
            continue
        except UnicodeDecodeError:
            bundle.results.extend([_io_error(str(path), f"{path} is not UTF-8 text")])
            continue
        data = _top_level(text)
        if data is not None and "format_version" in data:
            profiles.append(path)
            continue
        name = data.get("name") if data is not None else None
        artifact_files.append((path, text, name if isinstance(name, str) else None))
    for profile in profiles:
        run = render_run([profile], include_default=False)
        bundle.results.extend(run.results.diagnostics)
        bundle.results.files.extend(run.results.files)
        for rendered in run.artifacts:
            source = f"{profile} (rendered)"
            bundle.artifacts.append(BundledArtifact(rendered.name, rendered.text or "", source))
    if artifact_files:
        linted = lint_paths([str(path) for path, _, _ in artifact_files])
        bundle.results.extend(linted.diagnostics)
        bundle.results.files.extend(linted.files)
        for path, text, name in artifact_files:
            if name is not None:
                bundle.artifacts.append(BundledArtifact(name, text, str(path)))
    bundle.artifacts = _deduplicate(bundle.artifacts)
    return bundle


def _deduplicate(artifacts: list[BundledArtifact]) -> list[BundledArtifact]:
    """One entry per name; the same name with two different texts is a usage error."""
    seen: dict[str, BundledArtifact] = {}
    for artifact in artifacts:
        first = seen.get(artifact.name)
        if first is None:
            seen[artifact.name] = artifact
        elif first.text != artifact.text:
            raise VrqError(
                f"artifact {artifact.name!r} comes from {first.source} and from "
                f"{artifact.source} with different texts",
                hint="ship one of them (re-render with `vr-quarantine render` if one is stale)",
            )
    return sorted(seen.values(), key=lambda a: a.name)
