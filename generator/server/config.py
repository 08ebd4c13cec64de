"""The API client config that ``velociraptor config api_client`` writes, loaded and checked.

Its fields are Velociraptor's ``ApiClientConfig`` (``config/proto/config.proto``):
``ca_certificate``, ``client_cert``, ``client_private_key``, ``api_connection_string``, ``name``,
and the optional ``pinned_server_name`` (the name the server's certificate must carry; Velociraptor
itself dials with ``VelociraptorServer`` when it is empty, ``grpc_client/grpc.go``) and
``max_grpc_recv_size``. Every problem is found here, before anything connects: a missing or
empty field, text that is not PEM, a password-protected key, a key that does not belong to the
certificate, a certificate that has expired.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..errors import VrqError
from ..inputs import read_text, require_text
from ..yamlsource import load_yaml_text

ENV_VAR = "VELOCIRAPTOR_API_FILE"
DEFAULT_SERVER_NAME = "VelociraptorServer"
REQUIRED = ("ca_certificate", "client_cert", "client_private_key", "api_connection_string")
_REGENERATE = (
    "write a fresh one on the server: velociraptor --config server.config.yaml config api_client "
    "--name NAME --role investigator,artifact_writer api.config.yaml"
)


@dataclass(frozen=True)
class ApiConfig:
    """What a gRPC connection to the server needs; `source` names the file for messages."""

    source: str
    ca_certificate: str
    client_cert: str
    client_private_key: str
    api_connection_string: str
    name: str
    server_name: str
    max_grpc_recv_size: int = 0


def config_path(explicit: str | None) -> Path:
    """The config file: --api-config, else $VELOCIRAPTOR_API_FILE (pyvelociraptor's variable)."""
    chosen = explicit or os.environ.get(ENV_VAR)
    if not chosen:
        raise VrqError(
            "no API config given",
            hint=f"pass --api-config FILE or set {ENV_VAR}; {_REGENERATE}",
        )
    return Path(chosen)


def load_api_config(path: Path) -> ApiConfig:
    """Read and check the API config at `path`; every failure is a VrqError naming the file."""
    where = str(path)
    got = read_text(where)  # the input layer: a regular file of at most 1 MiB, UTF-8
    if isinstance(got, Diagnostic) and got.message == "no such file or folder":
        raise VrqError(f"{where}: no such API config file", hint=_REGENERATE)
    loaded = load_yaml_text(where, require_text(got, "the API config").text, require_mapping=False)
    if loaded.document is None:
        first = loaded.diagnostics[0]
        raise VrqError(f"{first.location}: the API config is not valid YAML: {first.message}")
    data = loaded.document.data
    if not isinstance(data, dict):
        raise VrqError(f"{where}: the API config is not a YAML mapping", hint=_REGENERATE)
    missing = [key for key in REQUIRED if not isinstance(data.get(key), str) or not data[key]]
    if missing:
        raise VrqError(
            f"{where}: the API config lacks {', '.join(missing)}",
            hint=f"is this the file `config api_client` wrote? {_REGENERATE}",
        )
    recv = data.get("max_grpc_recv_size") or 0
    if not isinstance(recv, int) or recv < 0:
        raise VrqError(f"{where}: max_grpc_recv_size must be a positive integer")
    config = ApiConfig(
        source=where,
        ca_certificate=data["ca_certificate"],
        client_cert=data["client_cert"],
        client_private_key=data["client_private_key"],
        api_connection_string=data["api_connection_string"].strip(),
        name=str(data.get("name") or ""),
        server_name=str(data.get("pinned_server_name") or DEFAULT_SERVER_NAME),
        max_grpc_recv_size=recv,
    )
    _check_pem(config)
    return config


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _check_pem(config: ApiConfig) -> None:
    where = config.source
    if "-----BEGIN CERTIFICATE-----" not in config.ca_certificate:
        raise VrqError(f"{where}: ca_certificate is not a PEM certificate", hint=_REGENERATE)
    if "-----BEGIN CERTIFICATE-----" not in config.client_cert:
        raise VrqError(f"{where}: client_cert is not a PEM certificate", hint=_REGENERATE)
    if "ENCRYPTED" in config.client_private_key:
        raise VrqError(
            f"{where}: client_private_key is password-protected",
            hint="vr-quarantine runs unattended and never prompts: store the key decrypted in a "
            "file only the API user can read (e.g. `openssl pkey` it), or write a new config",
        )
    if "PRIVATE KEY-----" not in config.client_private_key:
        raise VrqError(f"{where}: client_private_key is not a PEM private key", hint=_REGENERATE)
    _check_key_pair(config)


def _check_key_pair(config: ApiConfig) -> None:
    """With `cryptography` (pyvelociraptor's dependency): parse, match key and cert, check dates."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:  # the core install: gRPC will report what it finds
        return
    where = config.source
    try:
        cert = x509.load_pem_x509_certificate(config.client_cert.encode("ascii"))
        x509.load_pem_x509_certificate(config.ca_certificate.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise VrqError(f"{where}: a certificate does not parse: {_one_line(exc)}") from None
    try:
        key = serialization.load_pem_private_key(
            config.client_private_key.encode("ascii"), password=None
        )
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise VrqError(f"{where}: client_private_key does not parse: {_one_line(exc)}") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.PEM
    if key.public_key().public_bytes(encoding, public) != cert.public_key().public_bytes(
        encoding, public
    ):
        raise VrqError(
            f"{where}: client_private_key does not belong to client_cert", hint=_REGENERATE
        )
    now = datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc < now:
        raise VrqError(
            f"{where}: client_cert expired on {cert.not_valid_after_utc:%Y-%m-%d}",
            hint=_REGENERATE,
        )
    if cert.not_valid_before_utc > now:
        raise VrqError(
            f"{where}: client_cert is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M}"
            " UTC (is this machine's clock right?)"
        )
