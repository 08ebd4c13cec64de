"""Every modelled behaviour cites its source: each built-in function and plugin of the evaluator
(both dialects), each handler of an endpoint model (the simulated Windows, Linux and macOS
hosts, a golden run's file system) and each modelled tool carries a docstring naming the
Velociraptor or vfilter file, Microsoft document or manual page it follows."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
import vr_quarantine.simulate as simulate
from vr_quarantine.vql.eval import SideEffects, sandbox
from vr_quarantine.vql.eval.functions import all_functions, vfilter_core
from vr_quarantine.vql.eval.plugins import all_plugins

CITATION = re.compile(
    r"[\w./-]+\.go\b"  # a Velociraptor or vfilter source file
    r"|\bvql/[\w/]+"  # a Velociraptor source folder
    r"|\bMicrosoft\b|learn\.microsoft\.com"  # a Microsoft document
    r"|\b[\w.-]+\(\d\)"  # a manual page: nft(8), curl(1)
    r"|\bRFC ?\d+"
    r"|\bissue #\d+"  # a Velociraptor issue
)
TOOL_MODULES = ("netsh", "curl", "nftables", "pf")
HANDLER = re.compile(r"^_(plugin|fn|run)_")


def builtins() -> Iterator[tuple[str, Any]]:
    for name, impl in all_functions().items():
        yield f"function {name}", impl
    for name, impl in vfilter_core.FUNCTIONS.items():
        yield f"function {name} (vfilter dialect)", impl
    for name, impl in all_plugins().items():
        yield f"plugin {name}", impl


def endpoint_handlers() -> Iterator[tuple[str, Any]]:
    modules = [sandbox] + [
        importlib.import_module(f"{simulate.__name__}.{m.name}")
        for m in pkgutil.iter_modules(simulate.__path__)
    ]
    seen: set[type] = set()
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls in seen or not issubclass(cls, SideEffects) or cls is SideEffects:
                continue
            seen.add(cls)
            for name, method in vars(cls).items():
                if HANDLER.match(name) or name == "function":
                    yield f"{cls.__name__}.{name}", method


def test_there_is_something_to_check() -> None:
    assert len(list(builtins())) > 60
    names = {name for name, _ in endpoint_handlers()}
    assert {"Endpoint._plugin_execve", "SandboxFileSystem._fn_tempfile"} <= names


BUILTINS = dict(builtins())


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_cites_its_source(name: str) -> None:
    assert CITATION.search(inspect.getdoc(BUILTINS[name]) or ""), f"{name} cites no source"


def test_every_endpoint_handler_and_tool_cites_its_source() -> None:
    missing = [
        name
        for name, method in endpoint_handlers()
        if not CITATION.search(inspect.getdoc(method) or "")
    ]
    for tool in TOOL_MODULES:
        module = importlib.import_module(f"{simulate.__name__}.{tool}")
        if not CITATION.search(module.__doc__ or ""):
            missing.append(f"the {tool} model")
    assert not missing, "no source cited by: " + ", ".join(missing)


def test_a_handler_without_a_citation_fails() -> None:
    def bare() -> None:
        """Answers as the artifact needs."""

    assert not CITATION.search(inspect.getdoc(bare) or "")
