"""Quarantine profiles: loading, schema, semantic checks and the typed model."""

from generator.profile.checks import RULES
from generator.profile.loader import (
    ProfileResult,
    default_profile,
    load_profile,
    load_profile_file,
)
from generator.profile.model import Profile
from generator.profile.schema import schema_text
from generator.profile.starter import starter_profile_text, write_starter
from generator.profile.validate import validate_paths

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
