"""From the repository to the server: `pack` (a zip for the GUI), `push` and `collect` (the API).

`pack` needs nothing beyond the core install. `push` and `collect` talk to Velociraptor's gRPC API
through `pyvelociraptor`, the optional extra ``server`` (``pip install 'vr-quarantine[server]'``);
grpc is imported only when a command connects, so a missing extra is a clear error (exit 2).
"""

from .bundle import Bundle, BundledArtifact, gather
from .client import ApiClient, QueryResult, ServerError
from .collect import (
    ClientCollection,
    CollectReport,
    collect,
    render_collect_json,
    render_collect_text,
)
from .config import ApiConfig, config_path, load_api_config
from .pack import pack_bytes, write_pack
from .push import PushItem, PushReport, push, render_push_text

__all__ = [
    "ApiClient",
    "ApiConfig",
    "Bundle",
    "BundledArtifact",
    "ClientCollection",
    "CollectReport",
    "PushItem",
    "PushReport",
    "QueryResult",
    "ServerError",
    "collect",
    "config_path",
    "gather",
    "load_api_config",
    "pack_bytes",
    "push",
    "render_collect_json",
    "render_collect_text",
    "render_push_text",
    "write_pack",
]
