"""Shared fixtures. `../shared/` is optional: tests that read it skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed so that a landing never depends on luck; local
# runs keep exploring new examples (and remember failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "velociraptor-sample"
    if not path.is_dir():
        pytest.skip("../shared/corpus/velociraptor-sample is not present")
    return path


@pytest.fixture(scope="session")
def reference_dir(shared_dir: Path) -> Path:
    path = shared_dir / "reference"
    if not path.is_dir():
        pytest.skip("../shared/reference is not present")
    return path
