"""Bundled data has one locator: the package's own `_data/`, else the source checkout's folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from vr_quarantine import resources
from vr_quarantine.errors import VrqError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh() -> Iterator[None]:
    resources.data_dir.cache_clear()
    yield
    resources.data_dir.cache_clear()


def test_a_checkout_uses_its_top_level_folders(fresh: None) -> None:
    assert resources.templates_dir() == ROOT / "templates"
    assert resources.data_dir("schema") == ROOT / "schema"
    assert '"$id"' in resources.schema_text(resources.PROFILE_SCHEMA)


def test_an_installed_package_uses_only_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None
) -> None:
    site = tmp_path / "site-packages"
    package = site / "vr_quarantine"
    (site / "templates").mkdir(parents=True)  # another distribution's folder: never used
    monkeypatch.setattr(resources, "PACKAGE", package)
    with pytest.raises(VrqError, match="bundled templates folder is missing"):
        resources.templates_dir()
    (package / "_data" / "templates").mkdir(parents=True)
    resources.data_dir.cache_clear()
    assert resources.templates_dir() == package / "_data" / "templates"


def test_the_wheels_data_wins_in_a_checkout_layout_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None
) -> None:
    package = tmp_path / "generator"
    (package / "_data" / "schema").mkdir(parents=True)
    (tmp_path / "schema").mkdir()
    monkeypatch.setattr(resources, "PACKAGE", package)
    assert resources.data_dir("schema") == package / "_data" / "schema"
