"""The one locator of bundled data: templates, JSON Schemas, the VQL catalog, built-in profiles.

An installed wheel carries ``templates/`` and ``schema/`` inside the package as ``_data/``; a
source checkout (the package folder is then ``generator/`` itself, installed editable or not)
uses the project's top-level folders. The package's own ``_data/`` always wins, so a folder that
happens to sit next to an installed package is never picked up. The catalog and the
built-in profiles are package data in every layout.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import VrqError

PACKAGE = Path(__file__).resolve().parent
SOURCE_FOLDER = "generator"
"""The package folder's name in a source checkout (installed, it is ``vr_quarantine``)."""

PROFILE_SCHEMA = "quarantine-profile.schema.json"
ARTIFACT_SCHEMA = "velociraptor-artifact.schema.json"
DEFAULT_PROFILE = PACKAGE / "profile" / "default.yaml"
STARTER_PROFILE = PACKAGE / "profile" / "starter.yaml"
CATALOG = PACKAGE / "vql" / "catalog.json"


@functools.cache
def data_dir(kind: str) -> Path:
    """``templates`` or ``schema``: the wheel's ``_data/<kind>``, else the checkout's folder."""
    candidates = [PACKAGE / "_data" / kind]
    if PACKAGE.name == SOURCE_FOLDER:
        candidates.append(PACKAGE.parent / kind)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise VrqError(
        f"the bundled {kind} folder is missing from this installation",
        hint="reinstall vr-quarantine",
    )


def templates_dir() -> Path:
    return data_dir("templates")


@functools.cache
def schema_text(name: str) -> str:
    """A bundled JSON Schema's text, by file name (`PROFILE_SCHEMA`, `ARTIFACT_SCHEMA`)."""
    return _read(data_dir("schema") / name)


def catalog_text() -> str:
    """The VQL catalog (Velociraptor's plugins, functions and accessors), as JSON text."""
    return _read(CATALOG)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VrqError(
            f"cannot read bundled data {path.name}: {exc.strerror or exc}",
            hint="reinstall vr-quarantine",
        ) from None
