"""A symbol that is certainly not defined where it is evaluated.

VQL resolves names at run time (``Symbol X not found`` in the log, then NULL), and most places
can see names nobody can know statically: the columns of the plugin's rows, the caller's scope of
a lazy ``LET``, the row of an enclosing ``foreach``. So this rule only looks where a value is
evaluated in the query's own top-level scope:

- the value of a materialized ``LET x <= expression``;
- the arguments of the ``FROM`` plugin of a top-level ``SELECT`` and of a ``LET x <= SELECT``
  (not inside ``{ subqueries }``, not arguments typed lazy/stored-query/lambda in ``vql.yaml``).

There, a name (its first dotted part) is defined if it is an artifact parameter, a LET anywhere in
the artifact (or its imports), a plugin or function name (see ``symbol_mask_warn``), a scope
variable Velociraptor sets for collections and notebooks (option ``globals``: ``config``,
``_SessionId``, ``ClientId``, ...), or starts with ``Tool_`` (the launcher's tool variables).
Artifacts with imports outside the linted set and notebook cells are not checked. A warning, since
Velociraptor only logs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...diagnostics import Severity
from ...vql import Catalog, ast, children
from ..context import VqlContext
from ..model import Finding

ID = "undefined-symbol"
SEVERITY = Severity.WARNING
CONTEXT = "vql"
OPTIONS: dict[str, Any] = {
    "globals": [
        "config",
        "server_config",
        "_SessionId",
        "ClientId",
        "FlowId",
        "HuntId",
        "ArtifactName",
        "OrgId",
        "NotebookId",
        "NotebookCellId",
    ],
}

LAZY_TYPES = frozenset({"LazyExpr", "StoredQuery", "vfilter.Lambda", "types.LazyAny"})


def _symbols(node: ast.Node, catalog: Catalog) -> Iterator[ast.Symbol]:
    """Symbols evaluated in the current scope under `node` (stops at subqueries and lazy args)."""
    if isinstance(node, ast.Symbol):
        yield node
        return
    if isinstance(node, ast.Subquery):
        return
    if isinstance(node, ast.Call):
        spec = None if "." in node.name else catalog.functions.get(node.name)
        for arg in node.args:
            arg_spec = spec.args.get(arg.name) if spec else None
            if arg_spec is None or arg_spec.type not in LAZY_TYPES:
                yield from _symbols(arg.value, catalog)
        return
    for child in children(node):
        yield from _symbols(child, catalog)


def _top_level_values(program: ast.Program, catalog: Catalog) -> Iterator[ast.Symbol]:
    for statement in program.statements:
        select: ast.Select | None = None
        if isinstance(statement, ast.Select):
            select = statement
        elif statement.materialized and statement.params is None:
            if isinstance(statement.value, ast.Select):
                select = statement.value
            else:
                yield from _symbols(statement.value, catalog)
        if select is None or select.plugin.args is None:
            continue
        plugin = select.plugin
        spec = None if "." in plugin.name else catalog.plugins.get(plugin.name)
        for arg in plugin.args or ():
            arg_spec = spec.args.get(arg.name) if spec else None
            if arg_spec is None or arg_spec.type not in LAZY_TYPES:
                yield from _symbols(arg.value, catalog)


def check(ctx: VqlContext, options: Mapping[str, Any]) -> Iterator[Finding]:
    analysis = ctx.analysis
    if analysis.unresolved_imports:
        return
    known = set(ctx.parameters) | set(analysis.all_definitions)
    known |= {str(g) for g in options.get("globals") or ()}
    catalog = ctx.catalog
    for section in ctx.sections:
        if section.program is None or section.kind == "notebook":
            continue
        for symbol in _top_level_values(section.program, catalog):
            name = symbol.parts[0]
            if (
                name in known
                or name.startswith("Tool_")
                or name in catalog.functions
                or name in catalog.plugins
            ):
                continue
            yield Finding(
                ID,
                ctx.at(section, symbol.line, symbol.column),
                f"Symbol {name} is not defined: not a parameter, a LET or a known scope variable",
                "declare it under parameters:, define it with LET, or add it to this rule's "
                "`globals` option",
                subject=name,
            )
