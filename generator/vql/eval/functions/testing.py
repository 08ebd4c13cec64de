"""Golden-test helpers: mock, mock_replay, mock_check, mock_clear (``mocker.go``)."""

from __future__ import annotations

from typing import Any

from .. import values as v
from ..engine import Args, CallContext, FunctionImpl
from ..mocks import MockContext, normalise_results
from . import registrar

FUNCTIONS: dict[str, FunctionImpl] = {}
register = registrar(FUNCTIONS)


def _context(ctx: CallContext, name: str) -> MockContext | None:
    mocks = ctx.session.mocks
    if mocks is None:
        ctx.log(f"{name}: Not running in test.")
    return mocks


@register("mock")
def mock(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``mock()`` (``vql/remapping/mocker.go``): in a golden test only, answers
    later calls of ``plugin`` or ``function`` with ``results`` (see `mocks`)."""
    if not args.require("results"):
        return v.NULL
    results = normalise_results(args.materialized("results"))
    if results is None:
        ctx.log("mock: results should be a list")
        return v.NULL
    mocks = _context(ctx, "mock_check")
    if mocks is None:
        return v.NULL
    if args.has("plugin"):
        mocks.mock_plugin(args.string("plugin"), results)
    elif args.has("function"):
        mocks.mock_function(args.string("function"), results)
    elif args.has("artifact"):
        raise ctx.fail("mock(artifact=...) is not supported by the simulator")
    else:
        ctx.log("mock: either plugin or artifact should be specified")
    return v.NULL


@register("mock_replay")
def mock_replay(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``mock_replay()`` (``vql/remapping/mocker.go``): the arguments of each
    call of the mocked ``plugin``."""
    mocks = _context(ctx, "mock_check")
    if mocks is None:
        return v.NULL
    ok, value = mocks.replay(args.string("plugin"), args.string("function"))
    if not ok:
        ctx.log(value)
        return v.NULL
    return value


@register("mock_check")
def mock_check(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``mock_check()`` (``vql/remapping/mocker.go``): ``{"Error": "OK"}`` when
    the mock was called ``expected_calls`` times (the count is then reset), else the message."""
    mocks = _context(ctx, "mock_check")
    if mocks is None:
        return v.NULL
    ok, value = mocks.check(
        args.string("plugin"), args.string("function"), args.integer("expected_calls")
    )
    if not ok:
        ctx.log(value)
        return v.NULL
    return value


@register("mock_clear")
def mock_clear(ctx: CallContext, args: Args) -> Any:
    """Velociraptor's ``mock_clear()`` (``vql/remapping/mocker.go``): empties plugin mocks and
    their recordings; function mocks keep their results (only their counts are reset)."""
    mocks = _context(ctx, "mock_clear")
    if mocks is not None:
        mocks.clear()
    return v.NULL
