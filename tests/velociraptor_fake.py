"""A stand-in for Velociraptor's gRPC API, built from pyvelociraptor's own generated modules.

It listens on 127.0.0.1 over mutual TLS with a CA and certificates made here (`Pki`), checks the
caller's certificate as Velociraptor does (signed by the CA; the common name is the user), records
every request, and answers the VQL texts that vr-quarantine sends the way Velociraptor's server
answers them: rows as a JSON list in ``Response``, messages as separate ``log`` responses (with the
query API's own progress lines around them), a function's failure as a null value plus a
``<function>: <reason>`` log line, permission denials in Velociraptor's words
(``vql/acl_managers``, ``api/api.go``). Its copies of the query texts are its own: when the
client's texts change, the fake stops recognising them and the tests fail.

What it cannot tell: whether a real server's VQL engine evaluates these texts as assumed (see the
README's "What only a real server confirms").
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyvelociraptor import api_pb2, api_pb2_grpc

SERVER_NAME = "VelociraptorServer"
API_USER = "vrq-ci"

# The texts the fake recognises: the contract, written out independently of the client's module.
Q_FETCH = "SELECT name, type, parameters, raw FROM artifact_definitions(names=Name)"
Q_SET = "SELECT artifact_set(definition=Def).name AS Name FROM scope()"
Q_CLIENT = "SELECT client_id, os_info.hostname AS hostname FROM clients(client_id=ClientId)"
Q_LAUNCH = (
    "SELECT collect_client(client_id=ClientId, artifacts=Artifact, "
    "env=parse_json(data=Parameters)).flow_id AS FlowId FROM scope()"
)
Q_STATE = (
    "SELECT state, status, total_collected_rows, artifacts_with_results "
    "FROM flows(client_id=ClientId, flow_id=FlowId)"
)
Q_RESULTS = "SELECT * FROM flow_results(client_id=ClientId, flow_id=FlowId, artifact=Source)"
Q_LOGS = "SELECT * FROM flow_logs(client_id=ClientId, flow_id=FlowId)"

ALL_PERMISSIONS = frozenset(
    {"ANY_QUERY", "READ_RESULTS", "ARTIFACT_WRITER", "COLLECT_CLIENT", "SERVER_ARTIFACT_WRITER"}
)


# --- certificates -------------------------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def _cert(
    cn: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_cn: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool = False,
    dns: str | None = None,
    valid_days: float = 2,
) -> str:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=3))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        )
    return (
        builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()
    )


@dataclass(frozen=True)
class Identity:
    cert: str
    key: str


@dataclass(frozen=True)
class Pki:
    """A Velociraptor-like CA, the frontend's certificate, an API user's, and strangers'."""

    ca: str
    server: Identity
    client: Identity
    other_ca: str
    stranger: Identity  # an API user certificate from another CA
    expired: Identity  # an API user certificate of this CA that has expired

    @classmethod
    def create(cls) -> Pki:
        ca_key, other_key = _key(), _key()
        ca = _cert("Velociraptor CA", ca_key, "Velociraptor CA", ca_key, ca=True)
        other = _cert("Another CA", other_key, "Another CA", other_key, ca=True)

        def issue(cn: str, issuer: str, issuer_key: Any, **kw: Any) -> Identity:
            key = _key()
            return Identity(_cert(cn, key, issuer, issuer_key, **kw), _pem_key(key))

        return cls(
            ca=ca,
            server=issue(SERVER_NAME, "Velociraptor CA", ca_key, dns=SERVER_NAME),
            client=issue(API_USER, "Velociraptor CA", ca_key),
            other_ca=other,
            stranger=issue(API_USER, "Another CA", other_key),
            expired=issue(API_USER, "Velociraptor CA", ca_key, valid_days=-1),
        )


def write_api_config(
    path: Path,
    pki: Pki,
    address: str,
    *,
    identity: Identity | None = None,
    ca: str | None = None,
    **extra: Any,
) -> Path:
    """An API client config as `velociraptor config api_client` writes it."""
    who = identity or pki.client
    doc = {
        "ca_certificate": ca or pki.ca,
        "client_cert": who.cert,
        "client_private_key": who.key,
        "api_connection_string": address,
        "name": API_USER,
        **extra,
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One Query call as the server saw it."""

    user: str
    org_id: str
    timeout: int
    vql: list[str]
    env: dict[str, str]


@dataclass
class FakeFlow:
    client_id: str
    flow_id: str
    artifact: str
    parameters: dict[str, Any]
    states: list[str]
    rows: dict[str, list[dict[str, Any]]]
    logs: list[dict[str, Any]]
    status: str = ""
    polls: int = 0


@dataclass
class ClientPlan:
    """How a client's collections go: the states it passes through, its rows and logs."""

    hostname: str
    states: tuple[str, ...] = ("RUNNING", "IN_PROGRESS", "FINISHED")
    rows: tuple[dict[str, Any], ...] = ()
    logs: tuple[str, ...] = ("Starting collection",)
    status: str = ""


@dataclass
class FakeVelociraptor(api_pb2_grpc.APIServicer):  # type: ignore[misc]
    permissions: set[str] = field(default_factory=lambda: set(ALL_PERMISSIONS))
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    clients: dict[str, ClientPlan] = field(default_factory=dict)
    flows: dict[str, FakeFlow] = field(default_factory=dict)
    refuse: dict[str, str] = field(default_factory=dict)  # artifact name -> artifact_set's error
    requests: list[Recorded] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the API --

    def Query(self, request: Any, context: Any) -> Iterator[Any]:
        names = context.auth_context().get("x509_common_name") or [b""]
        user = names[0].decode()
        with self._lock:
            self.requests.append(
                Recorded(
                    user,
                    request.org_id,
                    request.timeout,
                    [q.VQL for q in request.Query],
                    {e.key: e.value for e in request.env},
                )
            )
        if "ANY_QUERY" not in self.permissions:
            context.abort(
                grpc.StatusCode.PERMISSION_DENIED,
                f"Permission denied: User {user} requires permission ANY_QUERY to run queries",
            )
        yield self._log("Starting query execution.")
        env = {e.key: e.value for e in request.env}
        for query in request.Query:
            rows, logs = self._answer(query.VQL, env)
            for line in logs:
                yield self._log(line)
            if rows:
                yield api_pb2.VQLResponse(
                    Response=json.dumps(rows),
                    Columns=list(rows[0]),
                    Query=query,
                    timestamp=int(time.time() * 1e6),
                )
                yield self._log(
                    f"Time 0: {query.Name}: Sending response part 0 {len(json.dumps(rows))} B "
                    f"({len(rows)} rows)."
                )

    @staticmethod
    def _log(line: str) -> Any:
        return api_pb2.VQLResponse(log=line + "\n", timestamp=int(time.time() * 1e6))

    def _denied(self, permission: str) -> str | None:
        if permission in self.permissions:
            return None
        return f"PermissionDenied: Permission denied: [{permission}]"

    def _answer(self, vql: str, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        handlers = {
            Q_FETCH: self._fetch,
            Q_SET: self._set,
            Q_CLIENT: self._client,
            Q_LAUNCH: self._launch,
            Q_STATE: self._state,
            Q_RESULTS: self._results,
            Q_LOGS: self._logs,
        }
        handler = handlers.get(vql)
        if handler is None:
            return [], ["VQL Error: the test server does not know this query."]
        return handler(env)

    def _fetch(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        if denied := self._denied("READ_RESULTS"):
            return [], [f"artifact_definitions: {denied}"]
        name = env["Name"]
        known = self.artifacts.get(name)
        if known is None:
            return [], [f"artifact_definitions: artifact {name} not known"]
        return [{"name": name, **known}], []

    def _set(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        definition = env["Def"]
        try:
            data = yaml.safe_load(definition)
        except yaml.YAMLError as exc:
            return [{"Name": None}], [f"artifact_set: {exc}: {definition[:99]} ..."]
        name = str(data.get("name")) if isinstance(data, dict) else ""
        if denied := self._denied("ARTIFACT_WRITER"):
            return [{"Name": None}], [f"artifact_set: {denied}"]
        if name in self.refuse:
            return [{"Name": None}], [f"artifact_set: {self.refuse[name]}"]
        params = data.get("parameters") or []
        self.artifacts[name] = {
            "type": str(data.get("type") or "client").lower(),
            "parameters": [{"name": p.get("name"), "default": p.get("default")} for p in params],
            "raw": definition,
        }
        return [{"Name": name}], []

    def _client(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        if denied := self._denied("READ_RESULTS"):
            return [], [f"clients: {denied}"]
        plan = self.clients.get(env["ClientId"])
        if plan is None:
            return [], []
        return [{"client_id": env["ClientId"], "hostname": plan.hostname}], []

    def _launch(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        if denied := self._denied("COLLECT_CLIENT"):
            return [{"FlowId": None}], [f"collect_client: {denied}"]
        artifact = env["Artifact"]
        if artifact not in self.artifacts:
            return [{"FlowId": None}], [f"collect_client: Artifact {artifact} not known"]
        plan = self.clients[env["ClientId"]]
        flow_id = f"F.TEST{next(self._ids):04d}"
        rows = {artifact: [dict(r) for r in plan.rows]} if plan.rows else {}
        self.flows[flow_id] = FakeFlow(
            env["ClientId"],
            flow_id,
            artifact,
            json.loads(env["Parameters"]),
            list(plan.states),
            rows,
            [
                {
                    "_ts": 1767225600 + i,
                    "client_time": 1767225600 + i,
                    "level": "INFO",
                    "message": line,
                }
                for i, line in enumerate(plan.logs)
            ],
            plan.status,
        )
        return [{"FlowId": flow_id}], []

    def _flow(self, env: dict[str, str]) -> FakeFlow | None:
        flow = self.flows.get(env["FlowId"])
        return flow if flow is not None and flow.client_id == env["ClientId"] else None

    def _state(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        flow = self._flow(env)
        if flow is None:
            return [], [f"flows: unable to get client {env['ClientId']}"]
        state = flow.states[min(flow.polls, len(flow.states) - 1)]
        flow.polls += 1
        done = state in ("FINISHED", "ERROR")
        return [
            {
                "state": state,
                "status": flow.status if state == "ERROR" else "",
                "total_collected_rows": sum(map(len, flow.rows.values())) if done else 0,
                "artifacts_with_results": sorted(flow.rows) if done else [],
            }
        ], []

    def _results(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        flow = self._flow(env)
        return (flow.rows.get(env["Source"], []) if flow else []), []

    def _logs(self, env: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
        flow = self._flow(env)
        return (list(flow.logs) if flow else []), []


class Running:
    """A started server: `address`, its `api` state, and `stop()`."""

    def __init__(self, api: FakeVelociraptor, pki: Pki) -> None:
        self.api = api
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        api_pb2_grpc.add_APIServicer_to_server(api, self._server)
        credentials = grpc.ssl_server_credentials(
            [(pki.server.key.encode(), pki.server.cert.encode())],
            root_certificates=pki.ca.encode(),
            require_client_auth=True,
        )
        port = self._server.add_secure_port("127.0.0.1:0", credentials)
        self.address = f"127.0.0.1:{port}"
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None)


class SilentListener:
    """A TCP port that accepts connections and never says a word (for timeouts)."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"

    def close(self) -> None:
        self._socket.close()


def closed_port() -> str:
    """An address on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"
