"""`vr-quarantine init`: the commented starter profile, and writing it without clobbering anything.

The first line tells YAML language servers where the schema is. When the target sits in a tree
that holds ``schema/quarantine-profile.schema.json`` (this repository, or a team repository where
someone ran ``vr-quarantine schema > schema/quarantine-profile.schema.json``), the line uses the
relative path to it, which works offline; otherwise it uses the schema's published ``$id`` URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..atomicfile import write_atomic
from ..errors import VrqError
from ..resources import STARTER_PROFILE
from .schema import SCHEMA_FILE, schema_id

_MARKER = "__SCHEMA_REF__"


def starter_profile_text(schema_ref: str | None = None) -> str:
    """The starter profile, its first line pointing at `schema_ref` (default: the $id URL)."""
    text = STARTER_PROFILE.read_text(encoding="utf-8")
    return text.replace(_MARKER, schema_ref or schema_id(), 1)


def schema_ref_for(target: Path) -> str:
    """The relative path from `target` to the nearest ``schema/`` copy above it, or the URL."""
    folder = target.resolve().parent
    for candidate_root in (folder, *folder.parents):
        candidate = candidate_root / "schema" / SCHEMA_FILE
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
    return schema_id()


def write_starter(target: Path, *, force: bool = False, schema_ref: str | None = None) -> str:
    """Write the starter profile atomically to `target`; returns the schema reference used."""
    if "\x00" in str(target):
        raise VrqError(f"{str(target)!r} is not a usable file name (it holds a NUL byte)")
    if target.is_dir():
        raise VrqError(f"{target} is a folder", hint="give a file name, e.g. profile.yaml")
    if target.exists() and not force:
        raise VrqError(
            f"{target} already exists; not overwriting it",
            hint="pass --force to replace it, or choose another file name",
        )
    folder = target.parent if str(target.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise VrqError(f"{folder} is a file, not a folder", hint="choose another path")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VrqError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    ref = schema_ref or schema_ref_for(target)
    text = starter_profile_text(ref)
    try:
        write_atomic(target, text, replace=force)
    except FileExistsError:
        raise VrqError(
            f"{target} already exists; not overwriting it", hint="pass --force to replace it"
        ) from None
    except OSError as exc:
        raise VrqError(f"cannot write {target}: {exc.strerror or exc}") from None
    return ref
