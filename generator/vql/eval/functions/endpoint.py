"""Functions that would touch the endpoint: host, stat, tempfile, tempdir, copy, read_file,
environ, rm.

They never touch this machine: the session's side-effects model (a scenario) or a mock answers,
and an unanswered call stops the evaluation with a message naming it.
"""

from __future__ import annotations

from typing import Any

from ...gostring import go_bytes
from ..engine import Args, CallContext, FunctionImpl
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


def side_effect(ctx: CallContext, name: str, args: Args) -> Any:
    answered, value = ctx.session.side_effects.function(name, args.evaluated())
    if not answered:
        hint = (
            f"mock it: mock(function='{name}', results=...)"
            if ctx.session.mocks is not None
            else f"answer it in a scenario file: function_results: {{{name}: ...}}"
        )
        raise ctx.fail(f"{name}() would touch the endpoint and nothing answers it", hint=hint)
    return value


SOURCES = {
    "host": "vql/networking/host.go",
    "stat": "vql/filesystem/filesystem.go",
    "tempfile": "vql/filesystem/tempfile.go",
    "tempdir": "vql/filesystem/tempfile.go",
    "copy": "vql/filesystem/copy.go",
    "read_file": "vql/filesystem/filesystem.go",
    "environ": "vql/common/env.go",
    "rm": "vql/filesystem/rm.go",
}
"""The Velociraptor source each endpoint function follows; the endpoint model (simulate's, or a
golden run's file system and mocks) answers it."""


def _make(name: str) -> FunctionImpl:
    def call(ctx: CallContext, args: Args) -> Any:
        return side_effect(ctx, name, args)

    call.__name__ = name
    call.__doc__ = (
        f"Velociraptor's ``{name}()`` (``{SOURCES[name]}``): answered by the session's endpoint "
        "(simulate's model, a golden run's file system) or a mock; unanswered, the run stops."
    )
    return call


for _name in SOURCES:
    FUNCTIONS[_name] = _make(_name)


@register("hash")
def hash_(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``hash()`` (vql/functions/hash.go): a dict of MD5, SHA1 and SHA256 hex
    digests of the file at `path`. With ``accessor="data"`` the path is the data itself
    (accessors/data), hashed here; any other accessor reads the endpoint."""
    if args.string("accessor") == "data":
        import hashlib

        data = go_bytes(args.string("path"))
        return {
            "MD5": hashlib.md5(data).hexdigest(),
            "SHA1": hashlib.sha1(data).hexdigest(),
            "SHA256": hashlib.sha256(data).hexdigest(),
        }
    return side_effect(ctx, "hash", args)
