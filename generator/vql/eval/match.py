"""The ``=~`` operator, as vfilter's ``protocols/protocol_regex.go`` defines it.

``(?i)`` is prepended, the patterns ``.``, ``.*`` and the empty string always match, a list
matches when any element matches, numbers are matched on their decimal text.
"""

from __future__ import annotations

from typing import Any

from ..regex import matches
from .values import go_value, is_null, is_number


def vql_match(pattern: Any, value: Any) -> bool:
    """The ``value =~ pattern`` operator."""
    if not isinstance(pattern, str):
        return False
    if pattern in (".", ".*", ""):
        return True
    if isinstance(value, list | tuple):
        return any(vql_match(pattern, item) for item in value)
    if isinstance(value, str):
        return matches("(?i)" + pattern, value)
    if is_number(value) or isinstance(value, bool):
        return matches("(?i)" + pattern, go_value(value))
    if is_null(value):
        return False
    return False
