"""A package is used through its face (its ``__init__``), never through another package's
internals (the guide's architecture section).

Every import in ``generator/`` is resolved: a module of another top-level package (``profile``,
``render``, ``vql``, ...) may be imported only as what that package's face exports (its
``__all__``, or a sub-package, which has a face of its own). Inside one top-level package its
modules and sub-packages use each other freely, and the root modules (``diagnostics``,
``errors``, ``inputs``, ``yamlsource``, ...) are the shared base every package builds on.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
DIST_NAME = "vr_quarantine"
"""The name the package is installed under (pyproject's package-dir maps it to generator/)."""

Module = tuple[str, ...]


def _module(path: Path) -> Module:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_package(parts: Module) -> bool:
    return PACKAGE.joinpath(*parts, "__init__.py").is_file()


def _is_module(parts: Module) -> bool:
    return bool(parts) and PACKAGE.joinpath(*parts).with_suffix(".py").is_file()


@cache
def _face(parts: Module) -> frozenset[str]:
    """The names a package's ``__init__`` exports (``__all__``)."""
    tree = ast.parse(PACKAGE.joinpath(*parts, "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def _targets(path: Path, node: ast.ImportFrom | ast.Import) -> list[Module]:
    """The modules (not packages) an import statement reaches into."""
    here = _module(path)
    package = here if path.name == "__init__.py" else here[:-1]
    if isinstance(node, ast.Import):
        bases = [tuple(a.name.split(".")[1:]) for a in node.names if a.name.startswith(DIST_NAME)]
        return [b for b in bases if _is_module(b)]
    if node.level:
        base = package[: len(package) - (node.level - 1)] + tuple(
            (node.module or "").split(".") if node.module else ()
        )
    elif (node.module or "").split(".")[0] == DIST_NAME:
        base = tuple((node.module or "").split(".")[1:])
    else:
        return []
    if _is_module(base):
        return [base]
    if not _is_package(base):
        return []
    # `from pkg import name`: a submodule the face does not export is the package's internals.
    return [
        (*base, alias.name)
        for alias in node.names
        if _is_module((*base, alias.name)) and alias.name not in _face(base)
    ]


def _bypasses(path: Path, target: Module) -> bool:
    importer = _module(path)
    if len(target) == 1:  # a root module: the shared base
        return False
    own_package = importer[0] if len(importer) > 1 or _is_package(importer[:1]) else None
    return target[0] != own_package


def face_bypasses() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom | ast.Import):
                continue
            for target in _targets(path, node):
                if _bypasses(path, target):
                    found.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: imports {'.'.join(target)}"
                    )
    return found


def test_no_package_reaches_into_another_packages_internals() -> None:
    assert face_bypasses() == []


@pytest.mark.parametrize(
    ("source", "bypass"),
    [
        ("from ..profile.model import Profile\n", True),
        ("from ..profile import Profile\n", False),
        ("from ..vql import lexer\n", True),
        ("from ..vql import ast\n", False),  # the face exports its syntax tree module
        ("from ..vql.eval import Engine\n", False),  # a sub-package's own face
        ("from ..diagnostics import Diagnostic\n", False),
        ("from .context import build_context\n", False),
        ("import vr_quarantine.simulate.report\n", True),
    ],
)
def test_the_check_tells_a_face_from_internals(source: str, bypass: bool) -> None:
    path = PACKAGE / "render" / "probe.py"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ImportFrom | ast.Import)
    targets = _targets(path, node)
    assert any(_bypasses(path, t) for t in targets) == bypass, targets


def test_a_golden_fixture_is_refused_as_any_input_would_be(tmp_path: Path) -> None:
    from vr_quarantine.errors import VrqError
    from vr_quarantine.vql.eval.golden import run_golden

    duplicate = tmp_path / "dup.in.yaml"
    duplicate.write_text("Queries:\n  - SELECT 1 FROM scope()\nQueries: []\n")
    with pytest.raises(VrqError, match="duplicate key"):
        run_golden(duplicate, [])
    latin1 = tmp_path / "latin1.in.yaml"
    latin1.write_bytes(b"Queries:\n  - SELECT 'caf\xe9' FROM scope()\n")
    with pytest.raises(VrqError, match="invalid UTF-8"):
        run_golden(latin1, [])
