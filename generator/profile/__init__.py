"""Quarantine profiles: loading, schema, semantic checks and the typed model."""

from .checks import RULES
from .loader import (
    ProfileResult,
    default_profile,
    load_profile,
    load_profile_file,
)
from .model import Profile
from .schema import schema_text
from .starter import starter_profile_text, write_starter
from .validate import validate_paths

__all__ = [
    "RULES",
    "Profile",
    "ProfileResult",
    "default_profile",
    "load_profile",
    "load_profile_file",
    "schema_text",
    "starter_profile_text",
    "validate_paths",
    "write_starter",
]
