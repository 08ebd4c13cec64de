"""VQL: a faithful Python port of Velociraptor's query language front end.

This face is what the rest of vr-quarantine uses: parsing (`parse`, `parse_lambda` and their
errors; the lexer's `tokenize` and its `IDENT` token), the syntax tree (`ast`, `walk`,
`children`, `call_sites`), formatting as vfilter prints expressions, the catalog of
Velociraptor's plugins and functions, Go RE2 regexes, and Go strings (`go_bytes`: the bytes of a
string as the evaluator holds it). The evaluator lives in `vql.eval` and is imported only by code
that evaluates.
"""

from __future__ import annotations

from . import ast
from .catalog import ArgSpec, CallSpec, Catalog, load_catalog
from .formatter import format_column_name, format_expr, format_lambda, format_select
from .gostring import go_bytes
from .lexer import IDENT, VqlLexError, tokenize
from .parser import VqlSyntaxError, parse, parse_lambda
from .regex import VqlRegexError, compile_re2
from .walk import CallSite, call_sites, children, walk

__all__ = [
    "IDENT",
    "ArgSpec",
    "CallSite",
    "CallSpec",
    "Catalog",
    "VqlLexError",
    "VqlRegexError",
    "VqlSyntaxError",
    "ast",
    "call_sites",
    "children",
    "compile_re2",
    "format_column_name",
    "format_expr",
    "format_lambda",
    "format_select",
    "go_bytes",
    "load_catalog",
    "parse",
    "parse_lambda",
    "tokenize",
    "walk",
]
