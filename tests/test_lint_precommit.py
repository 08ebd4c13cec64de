"""`.pre-commit-hooks.yaml`: each hook's entry, run as pre-commit runs it, passes good files and
fails bad ones, and its `files` pattern picks the files it is meant for."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "artifacts"
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def entry_command(hook_id: str) -> list[str]:
    argv = shlex.split(HOOKS[hook_id]["entry"])
    installed = Path(sys.executable).parent / argv[0]
    if installed.exists():
        return [str(installed), *argv[1:]]
    found = shutil.which(argv[0])
    if found is None:
        pytest.skip(f"{argv[0]} is not installed")
    return [found, *argv[1:]]


def run_hook(hook_id: str, files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    names = [str(f.relative_to(cwd)) for f in files]
    pattern = re.compile(HOOKS[hook_id]["files"])
    assert all(pattern.search(name) for name in names), names
    return subprocess.run(
        [*entry_command(hook_id), *names], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_hooks_file_declares_both_hooks() -> None:
    assert set(HOOKS) == {
        "vr-quarantine-validate",
        "vr-quarantine-lint",
        "vr-quarantine-render-check",
    }
    for hook in HOOKS.values():
        assert hook["language"] == "python" and hook["name"] and hook["types"] == ["yaml"]
    assert not re.search(HOOKS["vr-quarantine-lint"]["files"], ".github/workflows/ci.yaml")


def test_lint_hook_on_good_and_bad_artifacts(tmp_path: Path) -> None:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    good = folder / "Custom.Test.Good.yaml"
    bad = folder / "Custom.Test.BadVql.yaml"
    shutil.copy(FIXTURES / "good.yaml", good)
    shutil.copy(FIXTURES / "bad_vql.yaml", bad)
    done = run_hook("vr-quarantine-lint", [good], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_hook("vr-quarantine-lint", [good, bad], tmp_path)
    assert done.returncode == 1
    assert "artifacts/Custom.Test.BadVql.yaml:5:35: error:" in done.stdout


def test_validate_hook_on_good_and_bad_profiles(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    good = folder / "site.yaml"
    init = subprocess.run(
        [*entry_command("vr-quarantine-validate")[:1], "init", str(good)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    done = run_hook("vr-quarantine-validate", [good], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = folder / "broken.yaml"
    bad.write_text(good.read_text(encoding="utf-8") + "no_such_setting: true\n", encoding="utf-8")
    done = run_hook("vr-quarantine-validate", [good, bad], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "profiles/broken.yaml" in done.stdout


def test_render_check_hook_names_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = folder / "site.yaml"
    shutil.copy(ROOT / "examples" / "site-proxy.yaml", profile)
    command = entry_command("vr-quarantine-render-check")
    render = subprocess.run(
        [command[0], "render", "profiles/site.yaml", "-o", "artifacts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert render.returncode == 0, render.stderr
    done = run_hook("vr-quarantine-render-check", [profile], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    artifact = tmp_path / "artifacts" / "Custom.Windows.Remediation.Quarantine.Springfield.yaml"
    artifact.write_text(artifact.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    done = run_hook("vr-quarantine-render-check", [profile], tmp_path)
    assert done.returncode == 1
    assert f"artifacts/{artifact.name}: differs from a fresh render" in done.stderr
    assert "`vr-quarantine render profiles/site.yaml -o artifacts`" in done.stderr
    assert str(tmp_path) not in done.stderr and "make artifacts" not in done.stderr
