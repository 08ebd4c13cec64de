"""Quarantine profiles: loading, schema, semantic checks and the typed model."""

from .builtins import BUILTIN_ROWS, BuiltinRow, table_rules
from .checks import RULES
from .loader import (
    ProfileResult,
    check_profile,
    default_profile,
    load_profile,
    load_profile_file,
    load_profile_text,
)
from .model import PLATFORMS, ArtifactInfo, Profile, Rollback, Rule, ServerUrl
from .schema import schema_text
from .starter import starter_profile_text, write_starter
from .validate import validate_paths

__all__ = [
    "BUILTIN_ROWS",
    "PLATFORMS",
    "RULES",
    "ArtifactInfo",
    "BuiltinRow",
    "Profile",
    "ProfileResult",
    "Rollback",
    "Rule",
    "ServerUrl",
    "check_profile",
    "default_profile",
    "load_profile",
    "load_profile_file",
    "load_profile_text",
    "schema_text",
    "starter_profile_text",
    "table_rules",
    "validate_paths",
    "write_starter",
]
