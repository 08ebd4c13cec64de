"""`push` against a real gRPC stack: pyvelociraptor's service over mutual TLS, requests seen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from vr_quarantine.cli import main
from vr_quarantine.render import render_run

from tests.clirunner import CliRunner, Result
from tests.velociraptor_fake import (
    API_USER,
    Q_FETCH,
    Q_SET,
    FakeVelociraptor,
    Pki,
    Running,
    SilentListener,
    closed_port,
    write_api_config,
)

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTIFACT = ROOT / "artifacts" / "Custom.Windows.Remediation.Quarantine.yaml"
SMALL = """\
name: Custom.Test.Small
description: A small test artifact.
parameters:
  - name: Target
    default: nothing
sources:
  - query: SELECT Target FROM scope()
"""


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki.create()


@pytest.fixture
def server(pki: Pki) -> Iterator[Running]:
    running = Running(FakeVelociraptor(), pki)
    yield running
    running.stop()


@pytest.fixture
def config(tmp_path: Path, pki: Pki, server: Running) -> Path:
    return write_api_config(tmp_path / "api.config.yaml", pki, server.address)


def small(tmp_path: Path, text: str = SMALL, name: str = "small.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def push(*args: str | Path) -> Result:
    return runner.invoke(main, ["push", *map(str, args)])


def test_new_artifact_is_diffed_uploaded_and_read_back(
    tmp_path: Path, server: Running, config: Path
) -> None:
    path = small(tmp_path)
    result = push(path, "--api-config", config)
    assert result.exit_code == 0, result.output
    assert "Custom.Test.Small: new" in result.stdout
    assert "--- /dev/null" in result.stdout and f"+++ {path}" in result.stdout
    assert "+  - query: SELECT Target FROM scope()" in result.stdout
    assert "push: 1 artifact to 127.0.0.1:" in result.stdout and "1 uploaded" in result.stdout
    # The exact requests: fetch, set (the definition only in env), read back.
    seen = [(r.vql, r.env) for r in server.api.requests]
    assert seen == [
        ([Q_FETCH], {"Name": "Custom.Test.Small"}),
        ([Q_SET], {"Def": SMALL}),
        ([Q_FETCH], {"Name": "Custom.Test.Small"}),
    ]
    assert all(r.user == API_USER and r.org_id == "" for r in server.api.requests)
    assert all(0 < r.timeout <= 30 for r in server.api.requests)
    assert server.api.artifacts["Custom.Test.Small"]["raw"] == SMALL


def test_definition_never_reaches_the_vql_text(
    tmp_path: Path, server: Running, config: Path
) -> None:
    hostile = SMALL.replace("A small test artifact.", "x') AS X FROM scope() // \"; DROP")
    assert push(small(tmp_path, hostile), "--api-config", config).exit_code == 0
    for request in server.api.requests:
        assert request.vql in ([Q_FETCH], [Q_SET])
        assert "DROP" not in request.vql[0]
    assert server.api.artifacts["Custom.Test.Small"]["raw"] == hostile


def test_unchanged_artifact_is_skipped(tmp_path: Path, server: Running, config: Path) -> None:
    server.api.artifacts["Custom.Test.Small"] = {"type": "client", "parameters": [], "raw": SMALL}
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 0, result.output
    assert "Custom.Test.Small: unchanged on the server, skipped" in result.stdout
    assert "0 uploaded, 1 unchanged, 0 refused" in result.stdout
    assert [r.vql for r in server.api.requests] == [[Q_FETCH]]


def test_changed_artifact_shows_the_diff_against_the_server_copy(
    tmp_path: Path, server: Running, config: Path
) -> None:
    old = SMALL.replace("default: nothing", "default: something")
    server.api.artifacts["Custom.Test.Small"] = {"type": "client", "parameters": [], "raw": old}
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 0, result.output
    assert "Custom.Test.Small: changed" in result.stdout
    assert "--- server/Custom.Test.Small" in result.stdout
    assert "-    default: something\n+    default: nothing\n" in result.stdout
    assert server.api.artifacts["Custom.Test.Small"]["raw"] == SMALL


def test_dry_run_shows_the_diff_and_writes_nothing(
    tmp_path: Path, server: Running, config: Path
) -> None:
    result = push(small(tmp_path), "--api-config", config, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+name: Custom.Test.Small" in result.stdout
    assert "Custom.Test.Small: would upload" in result.stdout
    assert "(dry run: nothing written)" in result.stdout
    assert [r.vql for r in server.api.requests] == [[Q_FETCH]]
    assert server.api.artifacts == {}


def test_rendered_artifacts_and_folders(tmp_path: Path, server: Running, config: Path) -> None:
    profile = ROOT / "examples" / "site-proxy.yaml"
    expected = {a.name: a.text for a in render_run([profile], include_default=False).artifacts}
    result = push(profile, DEFAULT_ARTIFACT.parent, "--api-config", config)
    assert result.exit_code == 0, result.output
    stored = {name: a["raw"] for name, a in server.api.artifacts.items()}
    for name, text in expected.items():
        assert stored[name] == text
    assert stored["Custom.Windows.Remediation.Quarantine"] == DEFAULT_ARTIFACT.read_text()


def test_lint_errors_refuse_before_connecting(
    tmp_path: Path, server: Running, config: Path
) -> None:
    broken = small(tmp_path, SMALL.replace("SELECT Target FROM scope()", "SELECT FROM WHERE"))
    result = push(broken, "--api-config", config)
    assert result.exit_code == 1
    assert "vql-syntax" in result.output and "push: refused" in result.output
    assert server.api.requests == []


def test_org_travels_with_every_request(tmp_path: Path, server: Running, config: Path) -> None:
    assert push(small(tmp_path), "--api-config", config, "--org", "O1234").exit_code == 0
    assert {r.org_id for r in server.api.requests} == {"O1234"}


def test_config_from_the_environment_variable(
    tmp_path: Path, server: Running, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VELOCIRAPTOR_API_FILE", str(config))
    assert push(small(tmp_path), "--dry-run").exit_code == 0
    assert len(server.api.requests) == 1


# --- refusals: exit 1, the server's words -------------------------------------------------------


def test_a_definition_the_server_refuses(tmp_path: Path, server: Running, config: Path) -> None:
    server.api.refuse["Custom.Test.Small"] = "Artifact Custom.Test.Small: invalid source type"
    other = small(tmp_path, SMALL.replace("Custom.Test.Small", "Custom.Test.Other"), "other.yaml")
    result = push(small(tmp_path), other, "--api-config", config)
    assert result.exit_code == 1, result.output
    assert (
        "Custom.Test.Small: refused: artifact_set: Artifact Custom.Test.Small: invalid source type"
        in result.stdout
    )
    assert "Custom.Test.Other: uploaded" in result.stdout  # the others still go
    assert "1 uploaded, 0 unchanged, 1 refused" in result.stdout


def test_permission_denied_for_writing(tmp_path: Path, server: Running, config: Path) -> None:
    server.api.permissions.discard("ARTIFACT_WRITER")
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 1
    assert "Permission denied: [ARTIFACT_WRITER]" in result.stdout
    assert "the API user needs ARTIFACT_WRITER" in result.stdout
    assert "Traceback" not in result.output


def test_permission_denied_for_reading(tmp_path: Path, server: Running, config: Path) -> None:
    server.api.permissions.discard("READ_RESULTS")
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 1
    assert "Permission denied: [READ_RESULTS]" in result.stderr
    assert len(server.api.requests) == 1


def test_permission_denied_for_queries(tmp_path: Path, server: Running, config: Path) -> None:
    server.api.permissions.discard("ANY_QUERY")
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 1
    assert "requires permission ANY_QUERY" in result.stderr
    assert "needs the ANY_QUERY permission" in result.stderr


# --- the API config: exit 2 before anything connects -------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("api_connection_string"), "lacks api_connection_string"),
        (
            lambda d: d.update(client_cert="", ca_certificate=None),
            "lacks ca_certificate, client_cert",
        ),
        (lambda d: d.update(client_cert="hello"), "client_cert is not a PEM certificate"),
        (
            lambda d: d.update(client_private_key="-----BEGIN ENCRYPTED PRIVATE KEY-----\nx"),
            "client_private_key is password-protected",
        ),
    ],
)
def test_incomplete_config(tmp_path: Path, pki: Pki, mutate: object, message: str) -> None:
    import yaml

    path = write_api_config(tmp_path / "api.yaml", pki, "127.0.0.1:1")
    doc = yaml.safe_load(path.read_text())
    mutate(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc))
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_or_foreign_config(tmp_path: Path) -> None:
    missing = push(small(tmp_path), "--api-config", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "no such API config file" in missing.stderr
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("key: [unclosed\n")
    assert "not valid YAML" in push(small(tmp_path), "--api-config", garbage).stderr
    garbage.write_text("- a list\n")
    assert "not a YAML mapping" in push(small(tmp_path), "--api-config", garbage).stderr
    nothing = push(small(tmp_path))
    assert nothing.exit_code == 2 and "VELOCIRAPTOR_API_FILE" in nothing.stderr


def test_key_of_another_certificate(tmp_path: Path, pki: Pki) -> None:
    path = write_api_config(tmp_path / "api.yaml", pki, "127.0.0.1:1")
    text = path.read_text().replace(pki.client.key.splitlines()[1], "")
    path.write_text(text)
    assert push(small(tmp_path), "--api-config", path).exit_code == 2
    mixed = write_api_config(tmp_path / "mixed.yaml", pki, "127.0.0.1:1")
    import yaml

    doc = yaml.safe_load(mixed.read_text())
    doc["client_private_key"] = pki.stranger.key
    mixed.write_text(yaml.safe_dump(doc))
    result = push(small(tmp_path), "--api-config", mixed)
    assert result.exit_code == 2
    assert "client_private_key does not belong to client_cert" in result.stderr


def test_expired_client_certificate(tmp_path: Path, pki: Pki) -> None:
    path = write_api_config(tmp_path / "api.yaml", pki, "127.0.0.1:1", identity=pki.expired)
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2 and "client_cert expired on" in result.stderr


# --- TLS and the network: exit 2, in words ------------------------------------------------------


def test_server_certificate_from_another_ca(tmp_path: Path, pki: Pki, server: Running) -> None:
    path = write_api_config(tmp_path / "api.yaml", pki, server.address, ca=pki.other_ca)
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2
    assert "TLS: the server's certificate is not signed by the API config's ca_certificate" in (
        result.stderr
    )
    assert server.api.requests == []


def test_server_name_mismatch(tmp_path: Path, pki: Pki, server: Running) -> None:
    path = write_api_config(
        tmp_path / "api.yaml", pki, server.address, pinned_server_name="vr.example.org"
    )
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2
    assert "TLS: the server's certificate is not issued to 'vr.example.org'" in result.stderr


def test_client_certificate_the_server_does_not_trust(
    tmp_path: Path, pki: Pki, server: Running
) -> None:
    path = write_api_config(tmp_path / "api.yaml", pki, server.address, identity=pki.stranger)
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2
    assert "closed the connection during the TLS handshake" in result.stderr
    assert server.api.requests == []


def test_connection_refused(tmp_path: Path, pki: Pki) -> None:
    path = write_api_config(tmp_path / "api.yaml", pki, closed_port())
    result = push(small(tmp_path), "--api-config", path)
    assert result.exit_code == 2
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.output


def test_timeout_is_bounded(tmp_path: Path, pki: Pki) -> None:
    silent = SilentListener()
    try:
        path = write_api_config(tmp_path / "api.yaml", pki, silent.address)
        result = push(small(tmp_path), "--api-config", path, "--timeout", "0.5")
    finally:
        silent.close()
    assert result.exit_code == 2
    assert "no answer within 0.5 s" in result.stderr


def test_missing_extra_is_a_clear_message(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pyvelociraptor", None)
    result = push(small(tmp_path), "--api-config", config)
    assert result.exit_code == 2
    assert "pip install 'vr-quarantine[server]'" in result.stderr
