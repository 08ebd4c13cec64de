"""A compiled acceptance test for the bundled JSON Schemas, so a valid file never needs jsonschema.

`accepts(schema_name)` returns a predicate, compiled once per process from the schema's JSON: it
returns True only when jsonschema would find no error in the instance. False means "not sure":
the caller then runs jsonschema, which reports every error with its path and wording, so nothing
is checked less. Valid files (nearly all of them in a CI run or a `render`) never import
jsonschema, which costs more than the whole check of a profile.

The compiler knows the keywords our schemas use (type, properties, additionalProperties,
required, items, min/maxItems, enum, const, pattern, min/maxLength, minimum, maximum, uniqueItems,
$ref, allOf, anyOf) and answers conservatively wherever Python's and JSON's values differ (a
float for an integer, non-string items for uniqueItems, enum values of another type): False. A
schema with any other keyword compiles to None, and its callers always use jsonschema. A
property test compares the predicate with jsonschema on generated documents.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .resources import schema_text

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "format",  # an annotation: our validators run without a format checker
    }
)
_DRAFT7 = "http://json-schema.org/draft-07/schema#"


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema ``pattern`` with ECMA-262's ``$``: the very end of the text only.

    Python's ``$`` also matches before a final line break, so ``"name\\n"`` would pass
    ``^[a-z]+$`` here and fail in every editor and in check-jsonschema; a value with a line break
    at its end would then reach a file name, a shell line or a shown command. Each ``$`` outside
    a character class and not escaped becomes ``\\Z``.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append("\\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def pattern_validator(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """jsonschema's ``pattern`` keyword with `ecma_regex` (for ``jsonschema.validators.extend``)."""
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


class _Unsupported(Exception):
    """The schema uses a keyword (or a form of one) that this compiler does not know."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _same(a: Any, b: Any) -> bool:
    """JSON equality for scalars, where True is not 1 (anything else: not sure)."""
    scalar = (str, bool, int, type(None))
    return isinstance(a, scalar) and type(a) is type(b) and a == b


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs_ignore_siblings = root.get("$schema") == _DRAFT7
        self.compiled: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if not pointer.startswith("#/"):
            raise _Unsupported(pointer)
        if pointer not in self.compiled:
            # Recursive schemas: the slot is filled before the body is compiled.
            slot: list[Check] = []
            self.compiled[pointer] = lambda v: slot[0](v)
            node: Any = self.root
            for part in pointer[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            slot.append(self.node(node))
        return self.compiled[pointer]

    def node(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if not isinstance(schema, Mapping):
            raise _Unsupported(repr(schema))
        if "$ref" in schema and self.refs_ignore_siblings:
            return self.ref(schema["$ref"])
        found = [self.keyword(k, schema[k], schema) for k in schema if k not in _ANNOTATIONS]
        checks = tuple(check for check in found if check is not None)
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:  # noqa: SIM110 - a loop: faster than all() over a generator
                if not check(v):
                    return False
            return True

        return every

    def keyword(self, name: str, value: Any, schema: Mapping[str, Any]) -> Check | None:
        snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name.lstrip("$"))
        method = getattr(self, "k_" + snake, None)
        if method is None:
            raise _Unsupported(name)
        result: Check | None = method(value, schema)
        return result

    def k_ref(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return self.ref(value)

    def k_type(self, value: Any, schema: Mapping[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        tests = tuple(_TYPES[n] for n in names)
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(t(v) for t in tests)

    def k_properties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        props = tuple((key, self.node(sub)) for key, sub in value.items())

        def properties(v: Any) -> bool:
            if isinstance(v, dict):
                for key, check in props:
                    if key in v and not check(v[key]):
                        return False
            return True

        return properties

    def k_additional_properties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise _Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        if value is False:
            return lambda v: not isinstance(v, dict) or known.issuperset(v)
        extra = self.node(value)

        def additional(v: Any) -> bool:
            if isinstance(v, dict):
                for key, item in v.items():
                    if key not in known and not extra(item):
                        return False
            return True

        return additional

    def k_required(self, value: Any, schema: Mapping[str, Any]) -> Check:
        names = frozenset(value)
        return lambda v: not isinstance(v, dict) or names.issubset(v)

    def k_items(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if not isinstance(value, Mapping):
            raise _Unsupported("items as a list")
        item = self.node(value)

        def items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item(x):
                        return False
            return True

        return items

    def k_enum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        choices = list(value)
        return lambda v: any(_same(v, c) for c in choices)

    def k_const(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: _same(v, value)

    def k_pattern(self, value: Any, schema: Mapping[str, Any]) -> Check:
        pattern = ecma_regex(value)
        return lambda v: not isinstance(v, str) or pattern.search(v) is not None

    def k_min_length(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def k_max_length(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= value

    def k_min_items(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def k_max_items(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    def k_minimum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v >= value

    def k_maximum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v <= value

    def k_unique_items(self, value: Any, schema: Mapping[str, Any]) -> Check | None:
        if value is not True:
            return None
        return lambda v: (
            not isinstance(v, list)
            or (all(isinstance(x, str) for x in v) and len(set(v)) == len(v))
        )

    def k_all_of(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = [self.node(sub) for sub in value]
        return lambda v: all(part(v) for part in parts)

    def k_any_of(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = [self.node(sub) for sub in value]
        return lambda v: any(part(v) for part in parts)


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """The acceptance predicate of `schema`, or None when it uses an unsupported keyword."""
    try:
        return _Compiler(schema).node(schema)
    except (_Unsupported, KeyError, TypeError, re.error):
        return None


@functools.cache
def accepts(schema_name: str) -> Check:
    """The predicate of a bundled schema (always False when it cannot be compiled)."""
    compiled = compile_schema(json.loads(schema_text(schema_name)))
    return compiled if compiled is not None else (lambda v: False)
