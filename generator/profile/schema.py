"""The profile JSON Schema: where it lives; its errors as located, readable diagnostics.

Every schema error is reported (``iter_errors``), at the line of the offending value, or of the
key for unknown and missing keys. YAML 1.1 surprises (``yes`` read as a boolean, ``010`` read as 8,
``1.10`` read as 1.1) are reported as ``yaml11-surprise`` with a hint to quote the value, instead of
a bare type error.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from ..diagnostics import Diagnostic, Severity
from ..resources import PROFILE_SCHEMA
from ..resources import schema_text as bundled_schema
from ..schemacheck import accepts
from ..yamlsource import NodePath, YamlDocument

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = PROFILE_SCHEMA

_DECIMAL_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")

_OWNER_MARK = "validate reports this as "
"""How the schema marks a constraint that it states for editors and that a semantic check of
validate reports with its own rule id, message and hint (``"$comment"`` of the subschema)."""


def owning_rule(schema_path: Iterable[str | int]) -> str | None:
    """The rule id a ``$comment`` names on the way to the failed keyword (`_OWNER_MARK`), or
    None. jsonschema leaves ``$ref`` out of an error's schema path: a step that the node lacks
    goes through its reference first."""
    node: Any = profile_schema()
    for part in schema_path:
        if isinstance(node, dict) and part not in node and "$ref" in node:
            node = _resolve(node["$ref"])
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
        comment = node.get("$comment", "") if isinstance(node, dict) else ""
        if isinstance(comment, str) and comment.startswith(_OWNER_MARK):
            return comment.removeprefix(_OWNER_MARK)
    return None


def schema_text() -> str:
    return bundled_schema(PROFILE_SCHEMA)


@functools.cache
def profile_schema() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(schema_text()))


@functools.cache
def _validator() -> jsonschema.Draft7Validator:
    # Imported only for a profile the compiled check does not accept (`generator.schemacheck`).
    import jsonschema

    from ..schemacheck import pattern_validator

    ecma = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft7Validator, {"pattern": pattern_validator}
    )
    return cast(jsonschema.Draft7Validator, ecma(profile_schema()))


def schema_id() -> str:
    return str(profile_schema()["$id"])


def where(path: NodePath) -> str:
    """``rules[2].destination_port`` for a node path; ``the profile`` for the root."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the profile"


def show(value: Any, limit: int = 60) -> str:
    """A short, readable rendering of a value for messages (never a huge repr)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    return "a mapping"


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
    "number": "a number",
}


class SchemaChecker:
    """Checks one loaded document against the profile schema."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.surprises: set[NodePath] = set()
        self.missing: set[tuple[NodePath, str]] = set()
        self.diagnostics: list[Diagnostic] = []

    def run(self) -> list[Diagnostic]:
        self._octal_and_friends()
        if not accepts(PROFILE_SCHEMA)(self.doc.data):  # valid: jsonschema would find nothing
            for error in _validator().iter_errors(self.doc.data):
                self._report(error)
        self._yaml11_booleans()
        return self.diagnostics

    def _yaml11_booleans(self) -> None:
        """`yes`, `on`, `off`, `no` where true/false is expected: a boolean for PyYAML (YAML 1.1),
        the string "yes" for editors and JSON Schema tools (YAML 1.2). Refused, so that validate
        and the editor agree."""
        for path, raw, style, tag in self.doc.scalar_texts():
            if style is not None or not tag.endswith(":bool"):
                continue
            if raw in ("true", "false", "True", "False", "TRUE", "FALSE"):
                continue
            if path in self.surprises:
                continue
            value = _value_at(self.doc.data, path)
            self.surprises.add(path)
            self._add(
                path,
                "yaml11-surprise",
                f"{where(path)}: {raw} is {show(value)} only in YAML 1.1; editors and "
                f'JSON Schema tools (YAML 1.2) read it as the string "{raw}"',
                f"write {show(value)}",
            )

    def _add(
        self,
        path: NodePath,
        rule: str,
        message: str,
        hint: str | None,
        *,
        key: bool = False,
    ) -> None:
        location = self.doc.location(path, key=key)
        self.diagnostics.append(Diagnostic(location, rule, Severity.ERROR, message, hint))

    def _octal_and_friends(self) -> None:
        """Integers that YAML 1.1 reads differently from how they look: 010, 0x1F, 1_000, 1:30."""
        for path, raw, style, tag in self.doc.scalar_texts():
            if style is not None or not tag.endswith(":int"):
                continue
            if _DECIMAL_INT.match(raw):
                continue
            value = _value_at(self.doc.data, path)
            self.surprises.add(path)
            self._add(
                path,
                "yaml11-surprise",
                f"{where(path)}: YAML 1.1 reads {raw} as the number {show(value)} "
                f"({_int_reading(raw)})",
                f'quote it ("{raw}") if it is text; write the number in plain '
                "decimal digits if it is a number",
            )

    def _surprise(self, error: ValidationError, path: NodePath) -> bool:
        """A wrong type that comes from YAML's reading of an unquoted scalar."""
        scalar = self.doc.scalars.get(path)
        value = error.instance
        if scalar is None or scalar.style is not None:
            return False
        if not isinstance(value, bool | int | float | datetime.date):
            return False
        if isinstance(value, datetime.date):
            surprising = True
        elif isinstance(value, bool):
            surprising = scalar.raw.lower() not in ("true", "false")
        else:
            surprising = str(value) != scalar.raw
        if not surprising:
            return False
        expected = _expected(error)
        self._add(
            path,
            "yaml11-surprise",
            f"{where(path)}: YAML 1.1 reads the unquoted {scalar.raw} as {_kind(value)} "
            f"({show(value)}), but {expected} is expected here",
            f'quote it: "{scalar.raw}"',
        )
        self.surprises.add(path)
        return True

    def _report(self, error: ValidationError) -> None:
        path: NodePath = tuple(error.absolute_path)
        keyword = str(error.validator)
        if path in self.surprises:
            return
        if owning_rule(error.absolute_schema_path):
            return
        if keyword in ("type", "anyOf", "enum") and self._surprise(error, path):
            return
        rule = "schema"
        schema = error.schema if isinstance(error.schema, dict) else {}
        description = schema.get("description")
        hint = _short(description) if isinstance(description, str) else None
        value = error.instance
        name = where(path)
        if keyword == "additionalProperties" and isinstance(value, dict):
            allowed = sorted(schema.get("properties", {}))
            for extra in sorted(set(value) - set(allowed), key=str):
                guess = difflib.get_close_matches(str(extra), allowed, n=1)
                tip = f"did you mean {guess[0]!r}? " if guess else ""
                self._add(
                    (*path, str(extra)),
                    rule,
                    f"unknown key {show(str(extra))} in {name}",
                    f"{tip}allowed keys: {', '.join(allowed)}",
                    key=True,
                )
            return
        if keyword == "required" and isinstance(value, dict):
            for missing in _expected_value(error):
                if missing in value or (path, missing) in self.missing:
                    continue
                self.missing.add((path, missing))
                sub = schema.get("properties", {}).get(missing, {})
                self._add(
                    path,
                    rule,
                    f"{name} is missing the required key {missing!r}",
                    _required_hint(missing, sub),
                    key=True,
                )
            return
        message = _message(keyword, error, name, value)
        if (
            keyword == "type"
            and isinstance(value, bool | int | float)
            and "string" in _as_list(_expected_value(error))
        ):
            hint = f'quote it: "{show(value)}"'
        if keyword == "type" and value is None:
            hint = "write a value, or remove the key to use the default"
        if keyword in ("enum", "anyOf") and isinstance(value, str):
            choices = _enum_values(schema)
            if value.lower() in choices:
                hint = f"write it in lower case: {value.lower()!r}"
            elif guess := difflib.get_close_matches(value.lower(), choices, n=1):
                hint = f"did you mean {guess[0]!r}?"
        self._add(path, rule, message, hint)


def _int_reading(raw: str) -> str:
    """Why YAML 1.1 turned `raw` into a different integer."""
    if ":" in raw:
        return "colon-separated digits are a base-60 number"
    digits = raw.lstrip("+-")
    if digits.lower().startswith("0x"):
        return "a hexadecimal number"
    if digits.lower().startswith("0b"):
        return "a binary number"
    if "_" in raw:
        return "underscores are dropped"
    return "a leading zero makes it octal"


def _enum_values(schema: dict[str, Any]) -> list[str]:
    """The string choices of an enum, or of the enums inside an anyOf."""
    branches = [schema, *schema.get("anyOf", [])]
    return [str(v) for branch in branches for v in branch.get("enum", [])]


def _expected_value(error: ValidationError) -> Any:
    return cast(Any, error.validator_value)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _expected(error: ValidationError) -> str:
    if error.validator == "type":
        return " or ".join(_TYPE_NAMES.get(t, t) for t in _as_list(_expected_value(error)))
    if error.validator == "enum":
        return "one of " + ", ".join(show(v) for v in _expected_value(error))
    schema = error.schema if isinstance(error.schema, dict) else {}
    return f"a {str(schema.get('title', 'value')).lower()}"


def _short(text: str) -> str:
    """A schema description as a hint: whole when short, else its first sentence."""
    if len(text) <= 160:
        return text
    return text.split(". ")[0].rstrip(".") + "."


def _required_hint(key: str, sub: dict[str, Any]) -> str:
    if "$ref" in sub:
        sub = _resolve(sub["$ref"])
    examples = sub.get("examples") or []
    if examples and isinstance(examples[0], str | int):
        return f"add it, e.g. {key}: {examples[0]}"
    return f"add {key}:"


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = profile_schema()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return cast(dict[str, Any], node)


def _message(keyword: str, error: ValidationError, name: str, value: Any) -> str:
    expected = _expected_value(error)
    if keyword == "type":
        got = _kind(value)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            got += f" ({show(value)})"
        return f"{name}: expected {_expected(error)}, got {got}"
    if keyword == "enum":
        return f"{name}: {show(value)} is not one of {', '.join(show(v) for v in expected)}"
    if keyword == "const":
        return f"{name}: must be {show(expected)}, got {show(value)}"
    if keyword == "minimum":
        return f"{name}: {show(value)} is below the minimum {expected}"
    if keyword == "maximum":
        return f"{name}: {show(value)} is above the maximum {expected}"
    if keyword == "maxLength":
        return f"{name}: {len(value)} characters, more than the {expected} allowed"
    if keyword == "minLength":
        return (
            f"{name}: must not be empty"
            if expected == 1
            else (f"{name}: shorter than {expected} characters")
        )
    if keyword == "pattern":
        return f"{name}: {show(value)} has an invalid form (expected to match {expected})"
    if keyword == "maxItems" and isinstance(value, list):
        return f"{name}: {len(value)} items, more than the {expected} allowed"
    if keyword == "minItems" and isinstance(value, list):
        return f"{name}: {len(value)} items, fewer than the {expected} required"
    if keyword == "uniqueItems":
        return f"{name}: the list holds the same item twice"
    if keyword in ("anyOf", "oneOf"):
        schema = error.schema if isinstance(error.schema, dict) else {}
        title = str(schema.get("title", "value")).lower()
        return f"{name}: {show(value)} is not a valid {title}"
    return f"{name}: {error.message if len(error.message) < 200 else keyword + ' failed'}"


def _value_at(data: Any, path: NodePath) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node


def iter_properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema, with its dotted name (references resolved). Used by tests and docs."""

    def walk(node: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, sub in node.get("properties", {}).items():
            resolved = _resolve(sub["$ref"]) if "$ref" in sub else sub
            yield f"{prefix}{key}", resolved
            yield from walk(resolved, f"{prefix}{key}.")
        items = node.get("items")
        if isinstance(items, dict):
            resolved = _resolve(items["$ref"]) if "$ref" in items else items
            yield f"{prefix}[]", resolved
            yield from walk(resolved, f"{prefix}[].")

    yield from walk(schema, "")
