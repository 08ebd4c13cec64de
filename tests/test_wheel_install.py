"""The wheel carries templates/ and schema/ and works from outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    # Built from a copy: setuptools reuses the tree's build/ folder, which still holds modules
    # that were deleted since, and would ship them.
    source = work / "source"
    shutil.copytree(
        repo_root,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
    )
    wheels = list(dist.glob("vr_quarantine-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True)
    return env_dir / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(bin_dir / "vr-quarantine"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_wheel_ships_templates_and_schemas(installed: Path) -> None:
    site = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import vr_quarantine, pathlib; print(pathlib.Path(vr_quarantine.__file__).parent)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.strip()
    data = Path(site) / "_data"
    assert (data / "schema" / "quarantine-profile.schema.json").is_file()
    assert (data / "schema" / "velociraptor-artifact.schema.json").is_file()
    assert any((data / "templates").rglob("*.j2")) or any((data / "templates").rglob("*.jinja"))


def test_installed_cli_validates_and_renders_examples(
    installed: Path, repo_root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for example in (repo_root / "examples").glob("*.yaml"):
        shutil.copy(example, outside / example.name)

    version = _run(installed, "--version", cwd=outside)
    assert version.returncode == 0 and "vr-quarantine" in version.stdout

    schema = _run(installed, "schema", cwd=outside)
    assert schema.returncode == 0 and '"$schema"' in schema.stdout

    validate = _run(installed, "validate", ".", cwd=outside)
    assert validate.returncode == 0, validate.stdout + validate.stderr

    render = _run(
        installed,
        "render",
        *sorted(p.name for p in outside.glob("*.yaml")),
        "-o",
        "out",
        cwd=outside,
    )
    assert render.returncode == 0, render.stdout + render.stderr
    rendered = sorted(p.name for p in (outside / "out").glob("*.yaml"))
    assert rendered, "render wrote nothing"

    lint = _run(installed, "lint", "out", cwd=outside)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def _install_dummy_generator(bin_dir: Path, work: Path) -> None:
    """Install another distribution that ships a top-level `generator/` package."""
    project = work / "dummy-generator"
    (project / "generator").mkdir(parents=True)
    (project / "generator" / "__init__.py").write_text("OTHER = True\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=69"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "dummy-generator"\nversion = "1.0"\n'
        '[tool.setuptools]\npackages = ["generator"]\n',
        encoding="utf-8",
    )
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(project)], check=True
    )


def test_every_command_works_beside_another_generator_package(
    installed: Path, repo_root: Path, tmp_path: Path
) -> None:
    _install_dummy_generator(installed, tmp_path)
    other = subprocess.run(
        [str(installed / "python"), "-c", "import generator; print(generator.OTHER)"],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert other.stdout.strip() == "True", "the dummy distribution did not install"
    work = tmp_path / "work"
    work.mkdir()
    profile = work / "profile.yaml"
    shutil.copy(repo_root / "examples" / "upstream-defaults.yaml", profile)
    # A generator.py in the working folder must not take over the tool either.
    (work / "generator.py").write_text("raise SystemExit('wrong module')\n", encoding="utf-8")
    for args in (
        ["--version"],
        ["schema"],
        ["init", "starter.yaml"],
        ["validate", "profile.yaml"],
        ["render", "profile.yaml", "-o", "out"],
        ["lint", "out"],
        ["simulate", "profile.yaml"],
    ):
        done = _run(installed, *args, cwd=work)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    module = subprocess.run(
        [str(installed / "python"), "-m", "vr_quarantine", "--version"],
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert module.returncode == 0 and "vr-quarantine" in module.stdout, module.stderr


def test_pyproject_lists_every_package(repo_root: Path) -> None:
    import tomllib

    config = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    source = repo_root / "generator"
    found = {
        ".".join(("vr_quarantine", *init.parent.relative_to(source).parts))
        for init in source.rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_core_install_packs_and_explains_the_server_extra(
    installed: Path, repo_root: Path, tmp_path: Path
) -> None:
    """Without the `server` extra: pack works; push and collect say how to get it (exit 2)."""
    shutil.copy(repo_root / "artifacts" / "Custom.Windows.Remediation.Quarantine.yaml", tmp_path)
    pack = _run(installed, "pack", ".", "-o", "pack.zip", cwd=tmp_path)
    assert pack.returncode == 0, pack.stdout + pack.stderr
    pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"
    key = "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"
    (tmp_path / "api.yaml").write_text(
        f"ca_certificate: |\n  {pem.replace(chr(10), chr(10) + '  ')}\n"
        f"client_cert: |\n  {pem.replace(chr(10), chr(10) + '  ')}\n"
        f"client_private_key: |\n  {key.replace(chr(10), chr(10) + '  ')}\n"
        "api_connection_string: 127.0.0.1:8001\nname: api\n",
        encoding="utf-8",
    )
    for args in (
        ["push", "Custom.Windows.Remediation.Quarantine.yaml", "--api-config", "api.yaml"],
        ["collect", "C.0123456789abcdef", "-a", "Custom.X", "--api-config", "api.yaml"],
    ):
        done = _run(installed, *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "pip install 'vr-quarantine[server]'" in done.stderr
        assert "Traceback" not in done.stderr


def test_wheel_metadata_names_authors_licence_and_urls(installed: Path) -> None:
    script = (
        "import importlib.metadata as m, json; d = m.distribution('vr-quarantine'); "
        "md = d.metadata; "
        "print(json.dumps({'author': md.get('Author-email') or md.get('Author'), "
        "'license': md.get('License-Expression'), 'files': md.get_all('License-File'), "
        "'urls': md.get_all('Project-URL'), 'classifiers': md.get_all('Classifier'), "
        "'requires': md.get_all('Requires-Dist'), "
        "'licence_text': any(str(f).endswith('LICENSE') and 'licenses' in str(f) "
        "for f in d.files)}))"
    )
    done = subprocess.run(
        [str(installed / "python"), "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",  # not the source tree, whose egg-info would answer instead
    )
    import json

    meta = json.loads(done.stdout)
    assert meta["author"] and meta["license"] == "Apache-2.0"
    assert meta["files"] == ["generator/LICENSE"] and meta["licence_text"], done.stdout
    assert any(u.startswith("Repository, https://") for u in meta["urls"])
    assert "Topic :: Security" in meta["classifiers"]
    assert all("<" in r for r in meta["requires"] if "extra ==" not in r), meta["requires"]
