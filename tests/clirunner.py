"""Run the command line in-process, as a user would, capturing what it prints.

`CliRunner().invoke(main, args, input=...)` calls `vr_quarantine.cli.main(args)` with standard
input, output and error replaced, and returns the exit code and the captured text: `stdout`,
`stderr`, and `output` (both, in the order they were written).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str


class _Tee(io.StringIO):
    def __init__(self, both: io.StringIO) -> None:
        super().__init__()
        self.both = both

    def write(self, text: str) -> int:
        self.both.write(text)
        return super().write(text)


class CliRunner:
    def invoke(
        self,
        main: Callable[[Sequence[str]], int],
        args: Sequence[str],
        input: str | bytes | None = None,
    ) -> Result:
        raw = input.encode("utf-8") if isinstance(input, str) else (input or b"")
        both = io.StringIO()
        out, err = _Tee(both), _Tee(both)
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
        sys.stdout, sys.stderr = out, err
        try:
            code = main(list(args))
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
        return Result(code, out.getvalue(), err.getvalue(), both.getvalue())
