"""`push`: upload artifacts through the API, each compared with the server's copy first.

For each artifact, in dependency order (an artifact that another one calls goes first): fetch the
server's copy (`queries.FETCH_ARTIFACT`), show a unified diff, skip it when the texts are equal,
stop there with ``dry_run``, else set it (`queries.SET_ARTIFACT`) and read it back to confirm the
server holds exactly the text that was sent. A refusal (the server's message, a permission) marks
that artifact and the push goes on with the others; the report says which.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..printable import printable
from .bundle import BundledArtifact
from .client import ApiClient, QueryResult
from .queries import FETCH_ARTIFACT, SET_ARTIFACT

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
UPLOADED, WOULD_UPLOAD, SKIPPED, REFUSED = "uploaded", "would upload", "skipped", "refused"


@dataclass
class PushItem:
    name: str
    source: str
    state: str
    diff: str
    outcome: str = ""
    message: str | None = None


@dataclass
class PushReport:
    server: str
    dry_run: bool
    items: list[PushItem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(item.outcome == REFUSED for item in self.items)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)


def unified_diff(old: str | None, new: str, *, name: str, source: str) -> str:
    """The diff from the server's copy (None: absent) to the local text, `diff -u` style."""
    before = (old or "").splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before,
        after,
        fromfile=f"server/{name}" if old is not None else "/dev/null",
        tofile=source,
    )
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def dependency_order(artifacts: Sequence[BundledArtifact]) -> list[BundledArtifact]:
    """Artifacts that others of the set call (``Artifact.<name>``) come before their callers."""
    by_name = {a.name: a for a in artifacts}
    calls = {
        a.name: {
            other
            for other in by_name
            if other != a.name and re.search(rf"\bArtifact\.{re.escape(other)}\b", a.text)
        }
        for a in artifacts
    }
    ordered: list[BundledArtifact] = []
    placed: set[str] = set()

    def place(name: str, trail: tuple[str, ...]) -> None:
        if name in placed or name in trail:
            return
        for dependency in sorted(calls[name]):
            place(dependency, (*trail, name))
        placed.add(name)
        ordered.append(by_name[name])

    for artifact in artifacts:
        place(artifact.name, ())
    return ordered


def _server_copy(api: ApiClient, name: str) -> str | None:
    result = api.query("vr-quarantine push: fetch", FETCH_ARTIFACT, {"Name": name})
    result.raise_if_denied("READ_RESULTS", "investigator or reader")
    for row in result.rows:
        if row.get("name") == name:
            raw = row.get("raw")
            return raw if isinstance(raw, str) else ""
    return None


def _refusal(result: QueryResult) -> str:
    own = [line for line in result.logs if line.startswith("artifact_set:")]
    return "; ".join(own or result.logs) or "the server set nothing and said nothing"


def push(api: ApiClient, artifacts: Sequence[BundledArtifact], *, dry_run: bool) -> PushReport:
    """Compare, diff and (unless `dry_run`) upload `artifacts`; raises ServerError on transport."""
    report = PushReport(server=api.target, dry_run=dry_run)
    for artifact in dependency_order(artifacts):
        current = _server_copy(api, artifact.name)
        if current == artifact.text:
            report.items.append(PushItem(artifact.name, artifact.source, UNCHANGED, "", SKIPPED))
            continue
        state = NEW if current is None else CHANGED
        diff = unified_diff(current, artifact.text, name=artifact.name, source=artifact.source)
        item = PushItem(artifact.name, artifact.source, state, diff)
        report.items.append(item)
        if dry_run:
            item.outcome = WOULD_UPLOAD
            continue
        result = api.query("vr-quarantine push: set", SET_ARTIFACT, {"Def": artifact.text})
        stored = result.rows[0].get("Name") if result.rows else None
        if stored != artifact.name:
            item.outcome = REFUSED
            item.message = _refusal(result)
            if result.denied() is not None:
                item.message += (
                    " (the API user needs ARTIFACT_WRITER: role artifact_writer; "
                    "SERVER_ARTIFACT_WRITER for server artifacts)"
                )
            continue
        item.outcome = UPLOADED
        if _server_copy(api, artifact.name) != artifact.text:
            item.message = (
                "the server stores a text that differs from the one sent: later pushes will "
                "show it as changed"
            )
    return report


def render_push_text(report: PushReport) -> str:
    """What a user reads: each artifact's diff and outcome, then one summary line. The diff
    shows the server's copy, which anyone with the artifact writer role may have written: it is
    escaped (`printable`), as is the server's message."""
    lines: list[str] = []
    for item in report.items:
        if item.state == UNCHANGED:
            lines.append(f"{item.name}: unchanged on the server, skipped")
            continue
        lines.append(f"{item.name}: {item.state} ({item.source})")
        lines.append(printable(item.diff.rstrip("\n"), newlines=True))
        outcome = f"{item.name}: {item.outcome}"
        lines.append(outcome + (f": {printable(item.message)}" if item.message else ""))
    verb = "would upload" if report.dry_run else "uploaded"
    done = report.count(WOULD_UPLOAD if report.dry_run else UPLOADED)
    noun = "artifact" if len(report.items) == 1 else "artifacts"
    summary = (
        f"push: {len(report.items)} {noun} to {report.server}: {done} {verb}, "
        f"{report.count(SKIPPED)} unchanged, {report.count(REFUSED)} refused"
    )
    if report.dry_run:
        summary += " (dry run: nothing written)"
    lines.append(summary)
    return "\n".join(lines) + "\n"
