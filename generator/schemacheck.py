"""A compiled acceptance test for the bundled JSON Schemas, so a valid file never needs jsonschema.

`accepts(schema_name)` returns a predicate, compiled once per process from the schema's JSON: it
returns True only when jsonschema would find no error in the instance. False means "not sure":
the caller then runs jsonschema, which reports every error with its path and wording, so nothing
is checked less. Valid files (nearly all of them in a CI run or a `render`) never import
jsonschema, which costs more than the whole check of a profile.

The compiler knows the keywords our schemas use (type, properties, additionalProperties,
required, items, min/maxItems, enum, const, pattern, min/maxLength, minimum, maximum, uniqueItems,
$ref, allOf, anyOf, contains, if/then/else, not) and answers conservatively wherever Python's and
JSON's values differ (a float for an integer, a float among uniqueItems' items, enum values of
another type): False. The condition of ``if`` and the body of ``not`` must be answered exactly
(False there would turn into a True elsewhere), so they may use only keywords whose answer is
exact; one that is not makes the schema uncompilable. A schema with any other keyword compiles to
None, and its callers always use jsonschema. A
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


def _canonical(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (True is not 1), or None when not sure (a
    float, which JSON compares with integers by value)."""
    if isinstance(value, bool | str | int) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, list):
        items = [_canonical(x) for x in value]
        return None if any(i is None for i in items) else ("list", tuple(items))
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        pairs = [(k, _canonical(v)) for k, v in value.items()]
        return None if any(v is None for _, v in pairs) else ("dict", frozenset(pairs))
    return None


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs_ignore_siblings = root.get("$schema") == _DRAFT7
        self.compiled: dict[str, Check] = {}
        self.exact = 0
        """Inside an ``if`` condition or a ``not``: every answer must be exact."""

    def exact_node(self, schema: Any) -> Check:
        self.exact += 1
        try:
            return self.node(schema)
        finally:
            self.exact -= 1

    def ref(self, pointer: str) -> Check:
        if not pointer.startswith("#/"):
            raise _Unsupported(pointer)
        if self.exact:
            # A draft-7 `$ref` comes here without `k_ref`; its check, compiled once, may answer
            # "not sure" as False, which a condition would turn into a wrong True.
            raise _Unsupported("$ref in a condition")
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
        if self.exact and "integer" in names:
            raise _Unsupported("type integer in a condition")
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

    def _exact_choices(self, choices: list[Any]) -> None:
        if self.exact and not all(isinstance(c, str | bool) or c is None for c in choices):
            raise _Unsupported("a number or structure among the choices of a condition")

    def k_enum(self, value: Any, schema: Mapping[str, Any]) -> Check:
        choices = list(value)
        self._exact_choices(choices)
        return lambda v: any(_same(v, c) for c in choices)

    def k_const(self, value: Any, schema: Mapping[str, Any]) -> Check:
        self._exact_choices([value])
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
        if self.exact:
            raise _Unsupported("uniqueItems in a condition")

        def unique(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            keys = [_canonical(x) for x in v]
            return None not in keys and len(set(keys)) == len(keys)

        return unique

    def k_all_of(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = [self.node(sub) for sub in value]
        return lambda v: all(part(v) for part in parts)

    def k_any_of(self, value: Any, schema: Mapping[str, Any]) -> Check:
        parts = [self.node(sub) for sub in value]
        return lambda v: any(part(v) for part in parts)

    def k_contains(self, value: Any, schema: Mapping[str, Any]) -> Check:
        item = self.node(value)
        return lambda v: not isinstance(v, list) or any(item(x) for x in v)

    def k_not(self, value: Any, schema: Mapping[str, Any]) -> Check:
        inner = self.exact_node(value)
        return lambda v: not inner(v)

    def k_if(self, value: Any, schema: Mapping[str, Any]) -> Check:
        condition = self.exact_node(value)
        then = self.node(schema.get("then", True))
        otherwise = self.node(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)

    def k_then(self, value: Any, schema: Mapping[str, Any]) -> None:
        """Compiled with its ``if`` (alone, as JSON Schema says, it does nothing)."""

    def k_else(self, value: Any, schema: Mapping[str, Any]) -> None:
        """Compiled with its ``if``."""


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
