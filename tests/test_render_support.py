"""Helpers shared by the render tests (no tests here): profiles built from the typed model and
the command line run from another folder."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from vr_quarantine.profile.model import ArtifactInfo, Profile, Rollback, Rule, ServerUrl


def plain_profile(**changes: Any) -> Profile:
    """A profile equal to the upstream defaults; keyword arguments replace its fields."""
    profile = Profile(
        format_version=1,
        id="test-profile",
        artifact=ArtifactInfo(
            name="Custom.Windows.Remediation.Quarantine",
            author="DFIR team",
            description="Test quarantine.",
            references=("https://example.org/runbook",),
            engagement=None,
            reason=None,
        ),
        policy_name="VelociraptorQuarantine",
        use_client_server_urls=True,
        server_urls=(),
        allow_dns=True,
        allow_dhcp=True,
        block_all=True,
        rules=(),
        message="",
        rollback=Rollback(connectivity_check=True, timeout_seconds=30, negative_check_url=None),
    )
    return dataclasses.replace(profile, **changes)


def server(url: str, host: str, port: int = 443) -> ServerUrl:
    kind = "ipv6" if ":" in host else ("ipv4" if host.replace(".", "").isdigit() else "dns")
    return ServerUrl(url=url, scheme="https", host=host, port=port, host_kind=kind)


def permit(dst: str, port: int, description: str, protocol: str = "tcp") -> Rule:
    return Rule("permit", "me", "", 0, dst, "", port, protocol, True, description)


ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m vr_quarantine ARGS` from `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "vr_quarantine", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
