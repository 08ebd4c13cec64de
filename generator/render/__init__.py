"""`render`: quarantine profiles into Velociraptor artifact YAML, safe by construction."""

from .output import render_into, stale_files, target_path
from .platforms import render_platform
from .renderer import (
    RenderedArtifact,
    render_artifacts,
    render_companion,
    render_profile,
    render_vql,
    render_windows,
)
from .run import RenderRun, render_run
from .templates import make_environment

__all__ = [
    "RenderRun",
    "RenderedArtifact",
    "make_environment",
    "render_artifacts",
    "render_companion",
    "render_into",
    "render_platform",
    "render_profile",
    "render_run",
    "render_vql",
    "render_windows",
    "stale_files",
    "target_path",
]
