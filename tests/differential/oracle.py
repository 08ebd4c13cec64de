"""The vfilter oracles (``../shared/oracles/vfilter/{parse,eval}``): JSON lines in and out.

`run_batch` sends a whole batch to one process and reads every answer (no deadlock: the input
goes through ``communicate``); `OracleProcess` keeps one process for a test module and asks one
line at a time (hypothesis draws programs one by one).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORACLE_DIR = ROOT.parent / "shared" / "oracles" / "vfilter"


def oracle_path(name: str) -> Path | None:
    """The oracle binary `name` ("parse" or "eval"), or None when it is not present."""
    path = ORACLE_DIR / name
    return path if path.is_file() else None


def run_batch(binary: Path, requests: list[dict[str, Any]], timeout: float = 600) -> list[Any]:
    """Answers to `requests` (each with a unique ``id``), in order."""
    if not requests:
        return []
    text = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run(
        [str(binary)], input=text, capture_output=True, text=True, timeout=timeout, check=True
    )
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    by_id = {a["id"]: a for a in answers}
    return [by_id[r["id"]] for r in requests]


class OracleProcess:
    """One long-lived oracle process answering one request at a time."""

    def __init__(self, binary: Path) -> None:
        self._process = subprocess.Popen(
            [str(binary)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._count = 0

    def ask(self, request: dict[str, Any]) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._count += 1
        request = {**request, "id": str(self._count)}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the vfilter oracle stopped answering")
        return json.loads(line)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()
