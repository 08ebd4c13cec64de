"""`vr-quarantine simulate` on the default artifact with a 50-rule table, success scenario.

The artifact is rendered once from the default profile plus 50 permit rules; then the whole
command runs in a subprocess, as a user runs it: interpreter start, imports, loading the artifact,
parsing and evaluating its VQL against the simulated endpoint, and the report. Goal: under 0.5 s.
Also shown: the same simulation started from the profile (validated and rendered in memory
first, with the renderer's self-check and lint), and the peer ``vr-quarantine --version``
(interpreter start and CLI import only), so the ratios show what the simulation itself costs.
Best of ``ROUNDS`` wall-clock runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = ROOT / "generator" / "profile" / "default.yaml"
RULES = 50
ROUNDS = 5
GOAL_SECONDS = 0.5


def profile_with_rules(count: int) -> str:
    """The default profile with `count` permit rules (distinct evidence hosts on TCP 445)."""
    text = DEFAULT_PROFILE.read_text(encoding="utf-8")
    rules = ["rules:"]
    for index in range(count):
        rules += [
            "  - action: permit",
            "    source: me",
            f"    destination: 192.0.2.{index + 1}",
            "    destination_port: 445",
            "    protocol: tcp",
            "    mirrored: true",
            f"    description: Evidence host {index + 1}",
        ]
    assert "\nrules: []\n" in text
    return text.replace("\nrules: []\n", "\n" + "\n".join(rules) + "\n")


def _command() -> list[str]:
    found = shutil.which("vr-quarantine", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "vr_quarantine"]


def _best(argv: list[str]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(
                f"bench_simulate: {' '.join(argv)} exited {done.returncode}:\n"
                f"{done.stdout}{done.stderr}"
            )
        best = min(best, elapsed)
    return best


def main() -> None:
    from vr_quarantine.simulate.inputs import read_input

    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "fifty-rules.yaml"
        profile.write_text(profile_with_rules(RULES), encoding="utf-8")
        artifact = Path(folder) / "Custom.Windows.Remediation.Quarantine.yaml"
        artifact.write_text(read_input(profile).text, encoding="utf-8")
        command = _command()
        check = subprocess.run(
            [*command, "simulate", str(artifact), "-f", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0 or f"Evidence host {RULES}" not in check.stdout:
            raise SystemExit(
                f"bench_simulate: the simulation did not run as expected:\n"
                f"{check.stdout[-2000:]}{check.stderr}"
            )
        simulate = _best([*command, "simulate", str(artifact), "--scenario", "success"])
        from_profile = _best([*command, "simulate", str(profile), "--scenario", "success"])
        startup = _best([*command, "--version"])
    verdict = "meets" if simulate < GOAL_SECONDS else "MISSES"
    print(
        f"simulate ARTIFACT, default artifact + {RULES} rules, success: {simulate:.3f} s "
        f"(best of {ROUNDS}; goal < {GOAL_SECONDS} s: {verdict})"
    )
    print(f"simulate PROFILE (render in memory, self-check and lint first): {from_profile:.3f} s")
    print(
        f"peer `vr-quarantine --version` (start-up only): {startup:.3f} s; "
        f"simulate ARTIFACT / start-up = {simulate / startup:.1f}x"
    )


if __name__ == "__main__":
    main()
