"""A small client of Velociraptor's gRPC API: mutual TLS, one bounded `Query` call at a time.

The channel is built as Velociraptor's own API clients build it (``grpc_client/grpc.go``): the CA
of the API config is the only trust root, the client certificate and key are presented, and the
server's certificate must carry the pinned server name (``VelociraptorServer`` unless the config
says otherwise), whatever address the connection string names. Every call has a deadline; a gRPC
failure becomes a `ServerError` that says what went wrong in words (TLS, name, refused, timeout,
permission) and never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType, TracebackType
from typing import Any

from ..errors import VrqError
from .config import ApiConfig

EXTRA_HINT = "install the optional extra: pip install 'vr-quarantine[server]'"
MAX_ROWS_PER_PART = 1000
# Progress lines that Velociraptor's query API logs for every query (api/query.go).
_NOISE = re.compile(r"^(?:Starting query execution\.|Time \d+: .*: Sending response part \d+ .*)$")


class ServerError(VrqError):
    """The server could not be asked (exit 2) or refused what was asked (`refused`: exit 1)."""

    def __init__(self, message: str, *, hint: str | None = None, refused: bool = False):
        super().__init__(message, hint=hint)
        self.refused = refused


@dataclass
class QueryResult:
    """The rows of one query and the messages its scope logged (progress noise removed)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def denied(self) -> str | None:
        """The first log line that reports a permission denial, if any."""
        return next((line for line in self.logs if "permission denied" in line.lower()), None)

    def raise_if_denied(self, permission: str, roles: str) -> None:
        """A permission denial in the log, as a refusal naming what the API user needs."""
        line = self.denied()
        if line is not None:
            raise ServerError(
                f"the server refused: {line}",
                hint=f"the API user needs {permission} (role {roles})",
                refused=True,
            )


@dataclass(frozen=True)
class _Api:
    grpc: ModuleType
    pb2: ModuleType
    pb2_grpc: ModuleType


def _load_api(command: str) -> _Api:
    # gRPC's C core logs TLS failures to stderr itself; the messages below say it in words.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        with warnings.catch_warnings():
            # pyvelociraptor's generated code may predate the installed protobuf runtime.
            warnings.simplefilter("ignore")
            import grpc
            from pyvelociraptor import api_pb2, api_pb2_grpc
    except ImportError as exc:
        raise VrqError(
            f"`{command}` talks to the Velociraptor API and needs pyvelociraptor and grpcio "
            f"({exc.name or exc} is missing)",
            hint=EXTRA_HINT,
        ) from None
    return _Api(grpc, api_pb2, api_pb2_grpc)


class ApiClient:
    """Use as a context manager: ``with ApiClient(config, ...) as api: api.query(...)``."""

    def __init__(
        self, config: ApiConfig, *, command: str, org_id: str = "", timeout: float = 30.0
    ) -> None:
        if timeout <= 0:
            raise VrqError("--timeout must be a positive number of seconds")
        self.config = config
        self.org_id = org_id
        self.timeout = timeout
        self._api = _load_api(command)
        self._channel: Any = None
        self._stub: Any = None

    @property
    def target(self) -> str:
        return self.config.api_connection_string

    def __enter__(self) -> ApiClient:
        grpc = self._api.grpc
        try:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=self.config.ca_certificate.encode("utf-8"),
                private_key=self.config.client_private_key.encode("utf-8"),
                certificate_chain=self.config.client_cert.encode("utf-8"),
            )
        except (TypeError, ValueError) as exc:
            raise VrqError(f"{self.config.source}: unusable TLS material: {exc}") from None
        options: list[tuple[str, Any]] = [
            ("grpc.ssl_target_name_override", self.config.server_name),
            ("grpc.enable_retries", 0),
        ]
        if self.config.max_grpc_recv_size:
            options.append(("grpc.max_receive_message_length", self.config.max_grpc_recv_size))
        self._channel = grpc.secure_channel(self.target, credentials, options=options)
        self._stub = self._api.pb2_grpc.APIStub(self._channel)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._channel is not None:
            self._channel.close()
        self._channel = self._stub = None

    def query(self, name: str, vql: str, env: Mapping[str, str]) -> QueryResult:
        """Run one VQL text with `env` as its scope variables; bounded by the client's timeout."""
        if self._stub is None:
            raise VrqError("internal: ApiClient used outside its `with` block")
        pb2 = self._api.pb2
        request = pb2.VQLCollectorArgs(
            org_id=self.org_id,
            max_row=MAX_ROWS_PER_PART,
            max_wait=1,
            timeout=math.ceil(self.timeout),
            Query=[pb2.VQLRequest(Name=name, VQL=vql)],
            env=[pb2.VQLEnv(key=key, value=value) for key, value in env.items()],
        )
        result = QueryResult()
        try:
            for response in self._stub.Query(request, timeout=self.timeout, wait_for_ready=False):
                if response.Response:
                    result.rows.extend(self._rows(response.Response))
                elif response.log:
                    line = _clean_log(response.log)
                    if line and not _NOISE.match(line):
                        result.logs.append(line)
        except self._api.grpc.RpcError as exc:
            raise self._explain(exc) from None
        return result

    def _rows(self, payload: str) -> list[dict[str, Any]]:
        try:
            rows = json.loads(payload)
        except json.JSONDecodeError:
            raise ServerError(f"{self.target}: the server sent rows that are not JSON") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ServerError(f"{self.target}: the server sent rows that are not a list of rows")
        return rows

    def _explain(self, exc: Any) -> ServerError:
        code = exc.code()
        details = " ".join(str(exc.details() or "").split())
        return explain_rpc_error(
            getattr(code, "name", str(code)), details, self.config, self.timeout
        )


def _clean_log(text: str) -> str:
    line = text.strip()
    # Older servers prefix the query log with "vql: " (api/query.go, MakeLogger).
    return line[5:] if line.startswith("vql: ") else line


def explain_rpc_error(code: str, details: str, config: ApiConfig, timeout: float) -> ServerError:
    """Words for a failed gRPC call, from its status code and details."""
    target = config.api_connection_string
    lowered = details.lower()
    user = config.name or "the API user"
    if code == "DEADLINE_EXCEEDED":
        return ServerError(
            f"{target}: no answer within {timeout:g} s",
            hint="check api_connection_string and that the API port is reachable from here, "
            "or allow more time with --timeout SECONDS",
        )
    if code == "PERMISSION_DENIED":
        return ServerError(
            f"{target}: the server refused: {details}",
            hint=f"{user} needs the ANY_QUERY permission (roles investigator or api)",
            refused=True,
        )
    if code == "UNAVAILABLE":
        if "connection refused" in lowered:
            return ServerError(
                f"{target}: connection refused",
                hint="is the server's API listening there? (API.bind_address and bind_port in "
                "the server config; the API binds 127.0.0.1 by default)",
            )
        if "hostname verification" in lowered or "peer name" in lowered or "no match" in lowered:
            return ServerError(
                f"{target}: TLS: the server's certificate is not issued to {config.server_name!r}",
                hint="pinned_server_name in the API config (default VelociraptorServer) must "
                "name the server's certificate; write the config with the server's own "
                "`config api_client`",
            )
        if "certificate_verify_failed" in lowered or "handshake" in lowered:
            return ServerError(
                f"{target}: TLS: the server's certificate is not signed by the API config's "
                "ca_certificate",
                hint="the API config belongs to another server (or the server's CA changed): "
                "write it again with this server's `config api_client`",
            )
        if "socket closed" in lowered or "connection reset" in lowered:
            return ServerError(
                f"{target}: the server closed the connection during the TLS handshake",
                hint="the server does not accept this client certificate: was the API config "
                "written by this server's `config api_client`?",
            )
        if "resolv" in lowered or "name not found" in lowered or "dns" in lowered:
            return ServerError(
                f"{target}: the host name does not resolve",
                hint="check api_connection_string in the API config",
            )
        return ServerError(f"{target}: unavailable: {details}")
    if code == "UNAUTHENTICATED":
        return ServerError(
            f"{target}: the server does not know {user}: {details}",
            hint="create the API user on this server with `config api_client`",
        )
    return ServerError(f"{target}: the server answered {code}: {details}")
