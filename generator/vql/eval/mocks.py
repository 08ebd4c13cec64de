"""Mocks with the semantics of Velociraptor's ``vql/remapping/mocker.go``.

`results` shapes, as ``mock()`` normalises them:
- not a list: every call emits that one row (or returns that value);
- a list whose first element is a list: a multi-call mock, call N gets ``results[N % len]``;
- any other list: every call emits all its rows (a function returns the whole list).
A plugin mock records the arguments of every call that had results (``mock_replay``);
``mock_clear()`` empties plugin results and recordings, but only resets function call counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .values import NULL


def normalise_results(results: Any) -> list[Any] | None:
    """mock()'s reshaping of `results`; None when it is an empty list (an error upstream)."""
    if not isinstance(results, list | tuple):
        return [results]
    if not results:
        return None
    if isinstance(results[0], list | tuple):
        return [list(item) if isinstance(item, tuple) else item for item in results]
    return [list(results)]


@dataclass
class _Mock:
    results: list[Any] = field(default_factory=list)
    recordings: list[dict[str, Any]] = field(default_factory=list)
    call_count: int = 0


@dataclass
class MockContext:
    """The golden scope's mocks (``SCOPE_MOCK``). Shared by every scope of a session."""

    plugins: dict[str, _Mock] = field(default_factory=dict)
    functions: dict[str, _Mock] = field(default_factory=dict)

    def mock_plugin(self, name: str, results: list[Any]) -> None:
        self.plugins.setdefault(name, _Mock()).results = results

    def mock_function(self, name: str, results: list[Any]) -> None:
        self.functions.setdefault(name, _Mock()).results = results

    def has_plugin(self, name: str) -> bool:
        return name in self.plugins

    def has_function(self, name: str) -> bool:
        return name in self.functions

    def call_plugin(self, name: str, args: dict[str, Any]) -> Iterator[Any]:
        mock = self.plugins[name]
        if not mock.results:
            return iter(())
        result = mock.results[mock.call_count % len(mock.results)]
        mock.call_count += 1
        mock.recordings.append(args)
        if isinstance(result, list | tuple):
            return iter(list(result))
        return iter((result,))

    def call_function(self, name: str) -> Any:
        mock = self.functions[name]
        if not mock.results:
            return NULL
        result = mock.results[mock.call_count % len(mock.results)]
        mock.call_count += 1
        return result

    def replay(self, plugin: str = "", function: str = "") -> tuple[bool, Any]:
        """The recorded calls; (False, message) when nothing by that name is mocked."""
        if plugin:
            if plugin not in self.plugins:
                return False, f"mock_check: {plugin} does not appear to be mocked"
            recordings = self.plugins[plugin].recordings
            return True, list(recordings) if recordings else NULL
        if function:
            if function not in self.functions:
                return False, f"mock_check: {function} does not appear to be mocked"
            return True, NULL
        return True, NULL

    def check(self, plugin: str, function: str, expected: int) -> tuple[bool, Any]:
        for kind, name, table in (
            ("plugin", plugin, self.plugins),
            ("function", function, self.functions),
        ):
            if not name:
                continue
            if name not in table:
                return False, f"mock_check: {name} does not appear to be mocked"
            mock = table[name]
            if mock.call_count != expected:
                return True, {
                    "Error": f"Mock {kind} {name} should be called {expected} times "
                    f"but was called {mock.call_count} times"
                }
            mock.call_count = 0
        return True, {"Error": "OK"}

    def clear(self) -> None:
        for mock in self.plugins.values():
            mock.call_count = 0
            mock.recordings = []
            mock.results = []
        for mock in self.functions.values():
            mock.call_count = 0
