"""`make bench`: run every ``tests/bench/bench_*.py`` module's ``main()`` in turn.

Benchmarks print figures and ratios against their named peer; they never fail a build on time.
"""

from __future__ import annotations

import importlib
import pkgutil

import tests.bench as package


def main() -> None:
    names = sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"tests.bench.{name}")
        print(f"== {name}")
        module.main()


if __name__ == "__main__":
    main()
