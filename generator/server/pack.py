"""`pack`: a zip of artifact YAML files for the GUI's "Upload Artifact Pack", byte for byte stable.

Velociraptor's pack loader (``api/artifacts.go``, ``LoadArtifactPack``) imports every zip entry
whose name ends in ``.yaml`` or ``.yml``; each entry here is ``<artifact name>.yaml`` holding the
artifact's exact text. Entries are sorted by name and carry a fixed timestamp, mode and creator
system, so the same artifacts always give the same bytes (reviewable, cacheable, signable).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..atomicfile import write_atomic
from ..errors import VrqError
from .bundle import BundledArtifact

# The earliest time a zip entry can carry; any fixed value would do.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_MODE = 0o100644


def entry_name(artifact: BundledArtifact) -> str:
    return f"{artifact.name}.yaml"


def pack_bytes(artifacts: Sequence[BundledArtifact]) -> bytes:
    """The zip archive of `artifacts`: one deflated entry per artifact, sorted by entry name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for artifact in sorted(artifacts, key=entry_name):
            info = zipfile.ZipInfo(entry_name(artifact), date_time=FIXED_TIME)
            info.create_system = _UNIX
            info.external_attr = _MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, artifact.text.encode("utf-8"), compresslevel=9)
    return buffer.getvalue()


def write_pack(artifacts: Sequence[BundledArtifact], target: Path) -> list[str]:
    """Write the pack atomically to `target`; returns the entry names, in archive order."""
    if not artifacts:
        raise VrqError(
            "nothing to pack: no artifact was found", hint="pass artifact files or folders"
        )
    if target.is_dir():
        raise VrqError(f"{target} is a folder", hint="give the zip file to write, e.g. -o pack.zip")
    data = pack_bytes(artifacts)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise VrqError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return sorted(entry_name(a) for a in artifacts)
