"""The one Jinja environment that renders the templates (found by `generator.resources`)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..resources import templates_dir
from .yamltext import to_yaml


def make_environment(folder: Path | None = None) -> SandboxedEnvironment:
    """A sandboxed environment: undefined names are errors and output is never HTML-escaped."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(folder or templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,  # loaded once per run: no stat of every template for every profile
    )
    env.filters["yaml"] = to_yaml
    return env
