"""Simulate one artifact under one scenario: the commands, rows, log and final state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..artifact import ArtifactFile, load_artifact
from ..diagnostics import Diagnostic
from ..errors import VrqError
from ..vql.eval import (
    Artifact,
    ArtifactSet,
    Engine,
    Limits,
    artifact_from_file,
    to_json_value,
)
from .collection import collection_timeout, run_collection
from .host import Command, Endpoint, gaps
from .inputs import lint_gate, load_extra
from .life import Roles, StepResult, run_life
from .platforms import applies, for_artifact, make_endpoint
from .scenario import Expectation, Scenario


@dataclass(frozen=True)
class Check:
    name: str
    expected: bool
    actual: bool

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class Simulation:
    artifact: str
    scenario: Scenario
    params: dict[str, str]
    precondition_met: bool = True
    setup_commands: list[Command] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    error: str | None = None
    pending_atexit: int = 0
    notes: list[str] = field(default_factory=list)
    cancelled: str = ""
    life: list[StepResult] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    """Lint's warnings and notes on the artifacts simulated (an error refuses the run)."""

    @property
    def ok(self) -> bool:
        return self.error is None and self.precondition_met and all(c.ok for c in self.checks)

    @property
    def netsh_commands(self) -> list[list[str]]:
        return [c.argv for c in self.commands if c.kind == "execve" and _is_netsh(c.argv)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "artifact": self.artifact,
            "scenario": {"name": self.scenario.name, "description": self.scenario.description},
            "parameters": self.params,
            "precondition_met": self.precondition_met,
            "setup_commands": [c.as_dict() for c in self.setup_commands],
            "commands": [c.as_dict() for c in self.commands],
            "rows": to_json_value(self.rows),
            "log": self.logs,
            "final_state": self.state,
            "expected": [
                {"check": c.name, "expected": c.expected, "actual": c.actual, "ok": c.ok}
                for c in self.checks
            ],
            "pending_atexit_queries": self.pending_atexit,
            "cancelled": self.cancelled,
            "life": [step.as_dict() for step in self.life],
            "timeline": self.timeline,
            "gaps": gaps(self.timeline),
            "error": self.error,
            "notes": self.notes,
            "lint": [d.to_dict() for d in self.findings],
            "outcome": "as expected" if self.ok else "not as expected",
        }


def _is_netsh(argv: list[str]) -> bool:
    return bool(argv) and argv[0].lower().rsplit("\\", 1)[-1].removesuffix(".exe") == "netsh"


def load_artifacts(
    file: ArtifactFile, others: Sequence[ArtifactFile]
) -> tuple[Artifact, ArtifactSet]:
    """The evaluator's artifact set: `others`, then the simulated artifact (which wins)."""
    artifact = artifact_from_file(file)
    artifacts = ArtifactSet()
    for other in others:
        artifacts.add(artifact_from_file(other))
    artifacts.add(artifact)
    return artifact, artifacts


def simulate_artifact(
    text: str,
    scenario: Scenario,
    *,
    source: str = "<artifact>",
    params: dict[str, str] | None = None,
    extra_artifacts: list[Path] | None = None,
    limits: Limits | None = None,
) -> Simulation:
    """Run the artifact in `text` (its first source) under `scenario`; `extra_artifacts` are
    files that ``Artifact.X()`` may call."""
    return simulate_loaded(
        load_artifact(source, text),
        scenario,
        source=source,
        params=params,
        extras=tuple(load_extra(p) for p in extra_artifacts or ()),
        limits=limits,
    )


def simulate_loaded(
    file: ArtifactFile,
    scenario: Scenario,
    *,
    source: str,
    params: dict[str, str] | None = None,
    extras: tuple[ArtifactFile, ...] = (),
    companions: tuple[ArtifactFile, ...] = (),
    limits: Limits | None = None,
) -> Simulation:
    """Run a loaded artifact (its first source) under `scenario`; `source` names it in errors.
    `extras` (the ``--with`` artifacts) and `companions` (a profile's monitor and status
    artifacts) can be called, and run by life scenarios. `limits` bounds each evaluation (the
    defaults of `Limits` when None).

    The artifact and `extras` are linted first (`lint_gate`): a lint error raises `Refused`,
    since Velociraptor would not load the artifact; warnings end up in `Simulation.findings`.
    """
    findings = lint_gate((file, *extras), known=companions)
    artifact, artifacts = load_artifacts(file, (*extras, *companions))
    declared_names = sorted(p.name for p in artifact.parameters)
    undeclared = sorted(set(params or {}) - set(declared_names))
    if undeclared:
        raise VrqError(
            f"--param {', '.join(undeclared)}: not a parameter of {artifact.name}",
            hint="declared parameters: " + (", ".join(declared_names) or "none"),
        )
    merged = {**scenario.params, **(params or {})}
    scenario = for_artifact(replace(scenario, params=merged), artifact.precondition)
    if not applies(scenario.name, scenario.os):
        raise VrqError(
            f"the scenario {scenario.name} models Windows only; {artifact.name} runs on "
            f"{scenario.os}",
            hint="pick a scenario that applies to every platform (success, server-unreachable, "
            "removal, policy-not-enforced, ...)",
        )
    result = Simulation(artifact.name, scenario, merged, findings=findings)
    # The endpoint reads the artifact's parameters (its policy, table or anchor name) as the
    # collection gets them: the declared defaults, then the values given.
    declared = {p.name: p.default for p in artifact.parameters}
    # A quarantine already in place (`preexisting`) is the host's past: the scenario's events
    # happen in its life, after the set-up. They are held back from here, not only in `_setup`:
    # the pre-condition runs first, and its plugin calls (info()) catch up on due events, so an
    # event at 0 would happen before the set-up.
    endpoint = make_endpoint(
        replace(
            scenario,
            params={**declared, **merged},
            events=() if scenario.preexisting else scenario.events,
        )
    )
    engine = Engine(
        config=dict(scenario.client_config),
        side_effects=endpoint,
        artifacts=artifacts,
        mocks=False,
        limits=limits,
    )
    engine.session.clock_ticks = scenario.clock_ticks
    endpoint.clock.attach(engine.session)
    timeout = collection_timeout(file.data)
    # One window of the evaluator's limits for the pre-condition, the setup and the collection.
    engine.session.budget.start()
    try:
        if artifact.precondition:
            result.precondition_met = bool(engine.query(artifact.precondition))
        if result.precondition_met:
            if scenario.preexisting:
                _setup(engine, endpoint, artifact, scenario, timeout)
                result.setup_commands = endpoint.forget_setup()
                endpoint.scenario = replace(endpoint.scenario, events=scenario.events)
                engine.session.logs.clear()
            if scenario.life:
                result.life = run_life(
                    lambda: Engine(
                        config=dict(scenario.client_config),
                        side_effects=endpoint,
                        artifacts=artifacts,
                        mocks=False,
                        limits=limits,
                    ),
                    endpoint,
                    Roles.of(artifact.name, artifacts),
                    scenario.life,
                    merged,
                    timeout=timeout,
                )
                result.rows = [row for step in result.life for row in step.rows]
                result.cancelled = "; ".join(s.cancelled for s in result.life if s.cancelled)
            else:
                collection = run_collection(
                    engine,
                    endpoint,
                    artifact.name,
                    merged,
                    timeout=timeout,
                    event_query=artifact.type == "client_event",
                    ends=artifact.type != "client_event",
                )
                result.rows, result.cancelled = collection.rows, collection.cancelled
    except VrqError as exc:
        result.error = str(exc) + (f" (hint: {exc.hint})" if exc.hint else "")
    engine.session.budget.stop()
    endpoint.query_ended()
    result.commands = endpoint.commands
    result.logs = engine.logs + [line for step in result.life for line in step.logs]
    result.timeline = endpoint.timeline
    result.pending_atexit = len(engine.session.at_exit)
    result.state = endpoint.final_state(result.rows)
    result.checks = [
        Check(name, expected, bool(result.state[name]))
        for name, expected in scenario.expect.items()
    ]
    if scenario.expect_one_of:
        result.checks.append(
            Check(
                "one of: " + "; or ".join(_describe(e) for e in scenario.expect_one_of),
                expected=True,
                actual=any(
                    all(bool(result.state[n]) == v for n, v in e.items())
                    for e in scenario.expect_one_of
                ),
            )
        )
    step = scenario.netsh_fail_step
    ran, tool = endpoint.firewall_count, endpoint.FIREWALL
    if step is not None and result.precondition_met and ran < step:
        result.checks.append(
            Check(
                f"{tool} command {step} never ran: only {ran} {tool} commands ran",
                expected=True,
                actual=False,
            )
        )
    result.notes = _notes(artifact, result)
    return result


def _notes(artifact: Artifact, result: Simulation) -> list[str]:
    notes: list[str] = []
    declared = {p.name: p.default for p in artifact.parameters}
    if result.ok:
        return notes
    if (
        not result.scenario.policy_enforced
        and "NegativeCheckURL" in declared
        and not result.params.get("NegativeCheckURL", declared["NegativeCheckURL"])
    ):
        notes.append(
            "NegativeCheckURL is empty, so nothing notices a policy that is not "
            "enforced; set it in the profile or try "
            "--param NegativeCheckURL=https://www.example.com/"
        )
    unknown = sorted(set(result.params) - set(declared))
    if unknown:
        notes.append(f"parameters the artifact does not declare: {', '.join(unknown)}")
    return notes


def _describe(expectation: Expectation) -> str:
    return ", ".join(f"{name}={'yes' if value else 'no'}" for name, value in expectation.items())


def _setup(
    engine: Engine,
    endpoint: Endpoint,
    artifact: Artifact,
    scenario: Scenario,
    timeout: float,
) -> None:
    """Put the artifact's own quarantine in place first, as a successful earlier run would."""
    setup_params = {k: v for k, v in scenario.params.items() if k != "RemovePolicy"}
    saved = endpoint.scenario
    endpoint.scenario = replace(
        saved,
        server_answers=True,
        policy_enforced=True,
        domain_policy=False,
        merge_forbidden=False,
        netsh_fail_step=None,
        cancel_after=None,
        params={k: v for k, v in saved.params.items() if k != "RemovePolicy"},
    )
    try:
        run_collection(engine, endpoint, artifact.name, setup_params, timeout=timeout)
    finally:
        endpoint.scenario = saved
    endpoint.query_ended()
    if not endpoint.in_force():
        raise VrqError(
            "the removal scenario could not put a quarantine in place first "
            "(the artifact did not assign a policy under the success scenario)"
        )
