"""Where the templates live, and the one Jinja environment that renders them.

From a source checkout the templates are the top-level ``templates/`` folder; an installed wheel
carries them inside the package as ``generator/_data/templates`` (pyproject force-includes them).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..errors import VrqError
from .yamltext import to_yaml

_PACKAGE = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    """The templates folder: the source tree's ``templates/`` or the wheel's packaged copy."""
    for candidate in (_PACKAGE.parent / "templates", _PACKAGE / "_data" / "templates"):
        if (candidate / "artifact.yaml.j2").is_file():
            return candidate
    raise VrqError(
        "the artifact templates were not found",
        hint="reinstall vr-quarantine: templates/ (or generator/_data/templates) is missing",
    )


def make_environment(folder: Path | None = None) -> SandboxedEnvironment:
    """A sandboxed environment: undefined names are errors and output is never HTML-escaped."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(folder or templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["yaml"] = to_yaml
    return env
