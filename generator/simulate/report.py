"""Print a simulation: text for people, JSON for tools (same content)."""

from __future__ import annotations

from typing import Any

from ..printable import json_text, printable
from ..vql.eval import go_value
from .host import Command, gaps
from .run import Simulation

FORMATS = ("text", "json")


def render(simulation: Simulation, output_format: str) -> str:
    if output_format == "json":
        return json_text(simulation.as_dict())
    return printable(render_text(simulation), newlines=True)


def _command_line(index: int, command: Command) -> list[str]:
    shown = " ".join(_quote(a) for a in command.argv)
    if command.kind == "task":
        # A scheduled task's action, run by the Task Scheduler as SYSTEM.
        task, *action = command.argv
        shown = f"[task {task}, SYSTEM] " + " ".join(_quote(a) for a in action)
    if command.kind == "job":
        # A Linux or macOS job (systemd timer, at job, launchd job), run as root.
        job, *action = command.argv
        shown = f"[{job}, root] " + " ".join(_quote(a) for a in action)
    outcome = (
        f"rc={command.return_code}"
        if command.kind in ("execve", "task", "job")
        else f"HTTP {command.return_code}"
    )
    lines = [f"  {index:3d}. {shown}  [{outcome}]"]
    output = command.stderr.strip() or command.stdout.strip()
    if output and (command.return_code != 0 or command.kind != "execve"):
        lines.append(f"       {output.splitlines()[0]}")
    return lines


def _quote(arg: str) -> str:
    return f'"{arg}"' if (" " in arg or not arg) else arg


def _row_text(row: Any) -> str:
    if isinstance(row, dict):
        keys = [k for k in ("Step", "Status", "Result") if k in row]
        if keys:
            values = [go_value(row[k]) for k in keys]
            # A Result that only repeats the Step name is shown once.
            if len(keys) == 3 and values[2] == values[0]:
                values.pop()
            return " | ".join(values)
        return ", ".join(f"{k}={go_value(v)}" for k, v in row.items() if k != "Time")
    return go_value(row)


def render_text(sim: Simulation) -> str:
    out: list[str] = [
        f"Simulating {sim.artifact} under scenario {sim.scenario.name!r}",
        f"  {sim.scenario.description}",
    ]
    if sim.params:
        out.append("  parameters: " + ", ".join(f"{k}={v}" for k, v in sim.params.items()))
    out.append("")
    if not sim.precondition_met:
        out.append("The precondition is not met: the artifact would not run on this endpoint.")
    if sim.setup_commands:
        out.append(f"Set-up (a quarantine put in place first): {len(sim.setup_commands)} commands")
        out.append("")
    out.append("Commands the endpoint would run, in order:")
    if not sim.commands:
        out.append("  (none)")
    for index, command in enumerate(sim.commands, start=1):
        out.extend(_command_line(index, command))
    out.append("")
    out.append(f"Result rows ({len(sim.rows)}):")
    for row in sim.rows:
        lines = _row_text(row).rstrip().splitlines() or [""]
        out.append(f"  {lines[0]}")
        out.extend(f"    {line}" for line in lines[1:])
    out.append("")
    out.append("Log:")
    out.extend(f"  {line}" for line in sim.logs) if sim.logs else out.append("  (empty)")
    out.append("")
    state = sim.state
    out.append("Final state:")
    out.append(
        f"  assigned policy: {state.get('assigned_policy') or 'none'}"
        f" (enforced: {'yes' if state.get('enforced') else 'no'})"
    )
    out.append(
        f"  isolated: {'yes' if state.get('isolated') else 'no'}; "
        f"server reachable: {'yes' if state.get('server_reachable') else 'no'}"
    )
    for label, key in (("permitted", "permitted"), ("blocked", "blocked")):
        entries = state.get(key) or []
        if entries:
            out.append(f"  {label}:")
            out.extend(f"    - {entry}" for entry in entries)
    failed = state.get("failed_changes") or []
    if failed:
        out.append("  commands that failed to create or assign something:")
        out.extend(f"    - {' '.join(_quote(a) for a in argv)}" for argv in failed)
    leftovers = _leftovers(state)
    if leftovers:
        out.append("  objects left in the store: " + ", ".join(leftovers))
    if sim.pending_atexit:
        out.append(
            f"  {sim.pending_atexit} atexit() query(ies) would run when the event query ends"
        )
    out.append("")
    if sim.error:
        out.append(f"Simulation stopped: {sim.error}")
    if sim.checks:
        out.append("Expected outcome:")
        for check in sim.checks:
            mark = "ok " if check.ok else "NOT"
            out.append(
                f"  [{mark}] {check.name}: expected {_yn(check.expected)}, got {_yn(check.actual)}"
            )
    out.extend(f"Note: {note}" for note in sim.notes)
    out.append(f"Outcome: {'as expected' if sim.ok else 'NOT as expected'}")
    return "\n".join(out) + "\n"


def _yn(value: bool) -> str:
    return "yes" if value else "no"


def _leftovers(state: dict[str, Any]) -> list[str]:
    store = state.get("store") or {}
    names = [
        *store.get("policies", []),
        *store.get("filterlists", {}),
        *store.get("filteractions", {}),
    ]
    return [str(n) for n in names] if state.get("assigned_policy") is None else []


def render_all(simulations: list[Simulation], output_format: str) -> str:
    """``--scenario all``: one summary table (text), or every simulation in full (JSON)."""
    if output_format == "json":
        return json_text([s.as_dict() for s in simulations])
    header = ("scenario", "outcome", "assigned at the end", "isolated", "reachable", "gaps")
    table = [header]
    for sim in simulations:
        state = sim.state
        outcome = "as expected" if sim.ok else ("ERROR" if sim.error else "NOT as expected")
        table.append(
            (
                sim.scenario.name,
                outcome,
                str(state.get("assigned_policy") or "none"),
                _yn(bool(state.get("isolated"))),
                _yn(bool(state.get("server_reachable"))),
                str(len(gaps(sim.timeline))),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    failed = [s for s in simulations if not s.ok]
    artifact = simulations[0].artifact if simulations else ""
    lines.insert(0, f"Simulating {artifact} under every built-in scenario ({len(simulations)})")
    for sim in failed:
        reasons = [c.name for c in sim.checks if not c.ok]
        lines.append(f"  {sim.scenario.name}: " + (sim.error or "; ".join(reasons)))
    lines.append(
        f"Outcome: {len(simulations) - len(failed)} of {len(simulations)} scenarios as expected"
    )
    return printable("\n".join(lines) + "\n", newlines=True)
