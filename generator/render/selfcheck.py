"""Reads a freshly rendered artifact back and checks it before anything is written.

A rendered text must parse as YAML with exactly the keys we emit, every parameter default must
read back to the value the profile gave, the query must be the VQL the template produced and must
parse, and it must obey Velociraptor's loader rule (every statement a LET except the last, which
is a SELECT). The loader rewrites some lines before it parses (`generator.lint.sanitize`), so the
text it really reads must give exactly the same data as the text we wrote. Problems are
diagnostics with rule ids ``render-*``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import yaml

from ..diagnostics import Diagnostic, Location, Severity
from ..lint.sanitize import sanitize
from ..vql import VqlSyntaxError, ast, parse

ARTIFACT_KEYS = (
    "name",
    "author",
    "description",
    "type",
    "required_permissions",
    "precondition",
    "parameters",
    "sources",
)
OPTIONAL_KEYS = ("references",)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PARAMETER_NAMES = (
    "PolicyName",
    "RuleLookupTable",
    "MessageBox",
    "RemovePolicy",
    "VelociraptorURL",
    "UseClientServerURLs",
    "ExtraServerURLs",
    "CheckTimeout",
    "NegativeCheckURL",
    "CurlPath",
)


def _problem(path: str, message: str, rule: str = "render-self-check") -> Diagnostic:
    return Diagnostic(
        Location(path),
        rule,
        Severity.ERROR,
        message,
        "this is a bug in vr-quarantine or in an edited template: please report it",
    )


@functools.lru_cache(maxsize=32)
def _vql_problem(vql: str) -> tuple[str, str] | None:
    # The query depends only on the feature switches, so a handful of texts cover every profile.
    try:
        program = parse(vql)
    except VqlSyntaxError as error:
        return "render-vql-syntax", f"the rendered VQL does not parse: {error}"
    *lets, last = program.statements
    if not all(isinstance(s, ast.Let) for s in lets) or not isinstance(last, ast.Select):
        return "render-vql-loader", "every statement but the last must be a LET, the last a SELECT"
    return None


def check_vql(path: str, vql: str) -> list[Diagnostic]:
    """The query parses and follows the loader's LET.../SELECT rule."""
    problem = _vql_problem(vql)
    return [] if problem is None else [_problem(path, problem[1], problem[0])]


def _fixup_problems(path: str, text: str, data: object) -> list[Diagnostic]:
    """The loader's fix-ups must leave the data alone (they would otherwise change a value)."""
    fixed = sanitize(text).text
    if fixed == text:
        return []
    try:
        fixed_data: Any = yaml.load(fixed, Loader=_LOADER)
    except yaml.YAMLError as error:
        fixed_data = error
    if fixed_data == data:
        return []
    return [
        _problem(
            path,
            "Velociraptor's loader would rewrite the rendered artifact before parsing it "
            "(a bare 'query:'/'precondition:' line or a '- SELECT'/'- LET'/'- //' item) "
            "and read different data",
            "render-loader-fixup",
        )
    ]


def check_artifact(
    path: str,
    text: str,
    *,
    name: str,
    references: list[str],
    defaults: Mapping[str, str],
    vql: str,
) -> list[Diagnostic]:
    """Every problem of a rendered artifact text; an empty list means it may be written."""
    try:
        data: Any = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        return [_problem(path, f"the rendered artifact is not valid YAML: {error}")]
    if not isinstance(data, dict):
        return [_problem(path, "the rendered artifact is not a YAML mapping")]
    problems = _fixup_problems(path, text, data)
    expected = list(ARTIFACT_KEYS) + (["references"] if references else [])
    if sorted(data) != sorted(expected):
        problems.append(_problem(path, f"keys {sorted(data)} differ from {sorted(expected)}"))
    if data.get("name") != name:
        problems.append(_problem(path, f"name reads back as {data.get('name')!r}, not {name!r}"))
    if references and data.get("references") != references:
        problems.append(_problem(path, "references do not read back unchanged"))
    params = data.get("parameters")
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        return [*problems, _problem(path, "parameters is not a list of mappings")]
    names = tuple(p.get("name") for p in params)
    if names != PARAMETER_NAMES:
        problems.append(_problem(path, f"parameters {names} differ from {PARAMETER_NAMES}"))
    for param in params:
        key = param.get("name")
        if key in defaults and param.get("default") != defaults[key]:
            problems.append(_problem(path, f"the default of {key} does not read back unchanged"))
    sources = data.get("sources")
    first = sources[0] if isinstance(sources, list) and sources else None
    query = first.get("query") if isinstance(first, dict) else None
    if query != vql:
        problems.append(_problem(path, "the query does not read back as the rendered VQL"))
    else:
        problems.extend(check_vql(path, vql))
    return problems
