"""Every VQL text that `push` and `collect` send, fixed; each user value travels in the query env.

Velociraptor's Query API sets each ``VQLEnv`` pair of the request as a string variable of the
query's scope before it parses the VQL (``api/query.go``, ``streamQuery``), so a definition, an
artifact name, a client id or a parameter is data to the query and can never become code. The
texts below never change with the input; tests assert them byte for byte.

Permissions (Velociraptor's ``vql.yaml`` metadata): every query needs ANY_QUERY (the Query API
itself); ``artifact_definitions``, ``clients``, ``flows``, ``flow_results`` and ``flow_logs`` need
READ_RESULTS; ``artifact_set`` needs ARTIFACT_WRITER (SERVER_ARTIFACT_WRITER for server
artifacts); ``collect_client`` needs COLLECT_CLIENT. The ``investigator`` role holds all but
ARTIFACT_WRITER, which the ``artifact_writer`` role adds.
"""

from __future__ import annotations

from typing import Final

FETCH_ARTIFACT: Final = "SELECT name, type, parameters, raw FROM artifact_definitions(names=Name)"
"""env ``Name``: the artifact's definition as the server holds it (``raw`` is the stored YAML);
no row when the server does not know the name (it logs "artifact ... not known")."""

SET_ARTIFACT: Final = "SELECT artifact_set(definition=Def).name AS Name FROM scope()"
"""env ``Def``: the artifact's YAML; a null ``Name`` means refused, with the reason in the log."""

CLIENT_INFO: Final = (
    "SELECT client_id, os_info.hostname AS hostname FROM clients(client_id=ClientId)"
)
"""env ``ClientId``: one row when the server knows the client."""

LAUNCH: Final = (
    "SELECT collect_client(client_id=ClientId, artifacts=Artifact, "
    "env=parse_json(data=Parameters)).flow_id AS FlowId FROM scope()"
)
"""env ``ClientId``, ``Artifact``, ``Parameters`` (a JSON object of strings): the new flow id, or
null with the reason in the log."""

FLOW_STATE: Final = (
    "SELECT state, status, total_collected_rows, artifacts_with_results "
    "FROM flows(client_id=ClientId, flow_id=FlowId)"
)
"""env ``ClientId``, ``FlowId``: the flow's state (RUNNING, WAITING, IN_PROGRESS, UNRESPONSIVE,
FINISHED, ERROR), its error status and the sources that have results."""

FLOW_RESULTS: Final = (
    "SELECT * FROM flow_results(client_id=ClientId, flow_id=FlowId, artifact=Source)"
)
"""env ``ClientId``, ``FlowId``, ``Source`` (``Artifact`` or ``Artifact/Source``): result rows."""

FLOW_LOGS: Final = "SELECT * FROM flow_logs(client_id=ClientId, flow_id=FlowId)"
"""env ``ClientId``, ``FlowId``: the collection's log rows (level, message, client_time)."""

ALL: Final = {
    "FETCH_ARTIFACT": FETCH_ARTIFACT,
    "SET_ARTIFACT": SET_ARTIFACT,
    "CLIENT_INFO": CLIENT_INFO,
    "LAUNCH": LAUNCH,
    "FLOW_STATE": FLOW_STATE,
    "FLOW_RESULTS": FLOW_RESULTS,
    "FLOW_LOGS": FLOW_LOGS,
}
