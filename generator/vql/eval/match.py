"""vfilter's regex match protocol (``scope.Match``): the ``=~`` operator and ``filter(regex=)``.

Follows vfilter ``protocols/protocol_regex.go`` (``RegexDispatcher.Match``) at the commit
Velociraptor pins, checked against the vfilter oracle:
- the patterns ``.``, ``.*`` and the empty string match anything, NULL and "" included (the
  dispatcher's match-all shortcut, taken before the target's type is looked at);
- otherwise a string target is searched with ``(?i)`` prepended (Go RE2, case-insensitive);
- a list matches when any element matches;
- numbers and times are matched on their ``%v`` text: Velociraptor registers this protocol
  (``vql/protocols/regex.go``, ``_GenericRegexProtocol``; Velociraptor wins over vfilter core,
  where ``0 =~ "0"`` is false);
- anything else (booleans, NULL, dicts) does not match, and a pattern that is not a string
  matches nothing;
- a pattern that does not compile logs ``Compile regexp: <Go's error>`` and does not match.
"""

from __future__ import annotations

from typing import Any

from ..regex import matches
from .values import MaterializedQuery, Timestamp, go_value, is_number

MATCH_ALL = frozenset({".", ".*", ""})
"""Patterns vfilter's dispatcher answers TRUE for without compiling them."""


def vql_match(pattern: Any, value: Any, *, velociraptor: bool = True) -> bool:
    """``value =~ pattern``, i.e. vfilter's ``scope.Match(pattern, value)`` (with Velociraptor's
    protocol for numbers and times unless `velociraptor` is False).

    Raises `VqlRegexError` when the pattern does not compile (the caller logs it).
    """
    if not isinstance(pattern, str):
        return False
    if pattern in MATCH_ALL:
        return True
    if isinstance(value, str):
        return matches("(?i)" + pattern, value)
    if isinstance(value, list | tuple) and not isinstance(value, MaterializedQuery):
        return any(vql_match(pattern, item, velociraptor=velociraptor) for item in value)
    if velociraptor and (is_number(value) or isinstance(value, Timestamp)):
        return matches("(?i)" + pattern, go_value(value))
    return False
