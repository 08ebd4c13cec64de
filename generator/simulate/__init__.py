"""Offline simulation of a quarantine artifact against a modelled Windows, Linux or macOS
endpoint (the artifact's precondition picks it: `platforms`).

API: `simulate_file(path, scenario, params=..., extra_artifacts=..., platform=..., limits=...)`
-> `Simulation` (commands, rows, log, final state, expectation checks); `simulate_all(path)`
(every built-in scenario that applies); `simulate_artifact(text, scenario)` and
`simulate_loaded(artifact_file, scenario)`; `resolve_scenario(name_or_file)`;
`render_simulation(simulation, "text"|"json")` and `render_simulations` (a summary table).

Nothing is simulated that Velociraptor would not load: the artifact and the ``--with`` artifacts
are linted first, and a lint error raises `generator.errors.Refused` carrying the findings (a
profile that does not validate raises it too); lint's warnings are kept in
`Simulation.findings`.
"""

from __future__ import annotations

from pathlib import Path

from ..vql.eval import Limits
from .inputs import load_extra, read_input
from .platforms import applies, artifact_os
from .report import render as render_simulation
from .report import render_all as render_simulations
from .run import Simulation, simulate_artifact, simulate_loaded
from .scenario import BUILTIN, Scenario, builtin_names, resolve_scenario


def simulate_file(
    path: Path,
    scenario: Scenario,
    *,
    params: dict[str, str] | None = None,
    extra_artifacts: list[Path] | None = None,
    platform: str | None = None,
    limits: Limits | None = None,
) -> Simulation:
    """Simulate the artifact at `path` (a profile is rendered in memory first: its quarantine
    artifact for `platform`, by default the profile's first platform). `limits` bounds the
    evaluation (``vql.eval.Limits``; its defaults when None)."""
    given = read_input(path, platform=platform)
    return simulate_loaded(
        given.artifact,
        scenario,
        source=given.source,
        params=params,
        extras=tuple(load_extra(p) for p in extra_artifacts or ()),
        companions=given.companions,
        limits=limits,
    )


def simulate_all(
    path: Path,
    *,
    params: dict[str, str] | None = None,
    extra_artifacts: list[Path] | None = None,
    platform: str | None = None,
    limits: Limits | None = None,
) -> list[Simulation]:
    """Every built-in scenario (``--scenario all``) that applies to the artifact's platform, on
    the artifact at `path`, read and rendered once; the *-fail:N scenarios are left out (they
    take a number)."""
    given = read_input(path, platform=platform)
    extras = tuple(load_extra(p) for p in extra_artifacts or ())
    os_name = artifact_os(str(given.artifact.data.get("precondition") or "")) or "windows"
    return [
        simulate_loaded(
            given.artifact,
            scenario,
            source=given.source,
            params=params,
            extras=extras,
            companions=given.companions,
            limits=limits,
        )
        for scenario in BUILTIN.values()
        if applies(scenario.name, os_name)
    ]


__all__ = [
    "Scenario",
    "Simulation",
    "builtin_names",
    "render_simulation",
    "render_simulations",
    "resolve_scenario",
    "simulate_all",
    "simulate_artifact",
    "simulate_file",
    "simulate_loaded",
]
