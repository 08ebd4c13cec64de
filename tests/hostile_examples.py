"""Issue 11's hostile inputs, written into a folder, with the command that tries each.

`examples(folder)` returns them for the tests (each must end quickly with exit 1 or 2, a clear
message, no internal error and little memory) and for ``make bench``, which prints their figures.
`evaluator_examples(folder)` are the unbounded evaluations of issue 11's point 3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "examples" / "upstream-defaults.yaml"


@dataclass(frozen=True)
class Example:
    id: str
    args: tuple[str, ...]
    exit_codes: tuple[int, ...]
    """The exit codes that are right (1: findings, 2: usage or I/O)."""
    says: str
    """Text the output must hold: the message that explains what happened."""
    stdin: bytes = b""


def _profile(replace: str, by: str) -> str:
    text = PROFILE.read_text(encoding="utf-8")
    assert replace in text
    return text.replace(replace, by)


def _bomb(levels: int = 9, fan_out: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan_out) + "]")
    return "\n".join(lines) + "\n"


def _texts() -> dict[str, str]:
    return {
        "profile": PROFILE.read_text(encoding="utf-8"),
        "policy-name-injection": _profile(
            "policy_name: VelociraptorQuarantine",
            "policy_name: '$(Start-Process calc) `whoami`'",
        ),
        "merge-key": _profile("rules: []", "x: &b {timeout_seconds: 30}\nrules: []").replace(
            "rollback:\n", "rollback:\n  <<: *b\n"
        ),
        "huge-integer": _profile("timeout_seconds: 30", "timeout_seconds: " + "9" * 5000),
        "lone-surrogate": _profile(
            "policy_name: VelociraptorQuarantine", 'policy_name: "Quarantine\\ud800"'
        )
        + '"key\\udcff": 1\n',
        "long-name": _profile(
            "name: Custom.Windows.Remediation.Quarantine.Upstream", "name: Custom." + "A" * 4000
        ),
        "artifact-huge-integer": (
            "name: Custom.Big\nparameters:\n  - name: N\n    default: "
            + "9" * 5000
            + "\nsources:\n  - query: SELECT * FROM info()\n"
        ),
        "artifact-merge-key": (
            "name: Custom.Merge\nx: &q {query: SELECT * FROM info()}\nsources:\n  - <<: *q\n"
        ),
        "scenario-alias-bomb": "base: success\n" + _bomb(),
        "scenario-deep": "base: success\nfiles: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "scenario-surrogate": 'base: success\ndescription: "\\ud800 a lone surrogate"\n',
        "scenario-duplicate-base": "base: success\nbase: server-unreachable\n",
        # a file name that is not UTF-8 (byte 0xff): Python holds it as a lone surrogate
        "not-utf8-\udcff": "name: Custom.X\nsources:\n  - query: SELECT * FROM nope()\n",
    }


def write_inputs(folder: Path) -> None:
    """Write every hostile file of `examples(folder)` into `folder`, and a FIFO."""
    for name, text in _texts().items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    fifo = folder / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)


def examples(folder: Path) -> list[Example]:
    """The commands that try each input of `write_inputs(folder)`."""
    f = {name: str(folder / f"{name}.yaml") for name in [*_texts(), "fifo"]}
    profile, zero, fifo = f["profile"], "/dev/zero", f["fifo"]
    out = str(folder / "out")
    not_a_file = "not a regular file"
    return [
        # 1. a policy name that PowerShell would expand in the description's commands
        Example(
            "policy-name-injection",
            ("validate", f["policy-name-injection"]),
            (1,),
            "policy_name '$(Start-Process calc) `whoami`' contains a dollar sign",
        ),
        # 2. unbounded reads
        Example("simulate-dev-zero", ("simulate", zero), (2,), "a character device"),
        Example("simulate-with-dev-zero", ("simulate", profile, "--with", zero), (2,), not_a_file),
        Example(
            "simulate-scenario-dev-zero",
            ("simulate", profile, "--scenario", zero),
            (2,),
            not_a_file,
        ),
        Example("validate-fifo", ("validate", fifo), (2,), "a named pipe (FIFO)"),
        Example("render-fifo", ("render", fifo, "-o", out), (2,), "a named pipe (FIFO)"),
        Example("simulate-fifo", ("simulate", fifo), (2,), "a named pipe (FIFO)"),
        Example("lint-fifo", ("lint", fifo), (2,), "a named pipe (FIFO)"),
        Example("lint-dev-zero", ("lint", zero), (2,), "a character device"),
        Example("pack-dev-zero", ("pack", zero, "-o", str(folder / "p.zip")), (2,), not_a_file),
        Example(
            "push-api-config-fifo",
            ("push", profile, "--api-config", fifo, "--dry-run"),
            (2,),
            "a named pipe (FIFO)",
        ),
        # 4. scenario files
        Example(
            "scenario-alias-bomb",
            ("simulate", profile, "--scenario", f["scenario-alias-bomb"]),
            (2,),
            "200000 nodes",
        ),
        Example(
            "scenario-deep",
            ("simulate", profile, "--scenario", f["scenario-deep"]),
            (2,),
            "more than 64 levels",
        ),
        Example(
            "scenario-surrogate",
            ("simulate", profile, "--scenario", f["scenario-surrogate"]),
            (2,),
            "scenario-surrogate.yaml:2:17: YAML syntax error: while parsing a quoted scalar found "
            "invalid Unicode character escape code",
        ),
        Example(
            "scenario-duplicate-base",
            ("simulate", profile, "--scenario", f["scenario-duplicate-base"]),
            (2,),
            "duplicate key 'base'",
        ),
        # 5. valid YAML that used to end in an internal error
        *(
            Example(
                f"merge-key-{command}",
                (command, f["merge-key"], *extra),
                (1, 2),
                "merge keys (<<) are not supported",
            )
            for command, extra in (
                ("validate", ()),
                ("render", ("-o", out)),
                ("lint", ()),
                ("simulate", ()),
            )
        ),
        Example("lint-merge-key", ("lint", f["artifact-merge-key"]), (1,), "merge keys (<<)"),
        Example("validate-huge-integer", ("validate", f["huge-integer"]), (2,), "5000 characters"),
        Example(
            "render-huge-integer", ("render", f["huge-integer"], "-o", out), (2,), "5000 characters"
        ),
        Example("simulate-huge-integer", ("simulate", f["huge-integer"]), (2,), "5000 characters"),
        Example("lint-huge-integer", ("lint", f["artifact-huge-integer"]), (2,), "5000 characters"),
        *(
            Example(
                f"validate-surrogate-{fmt}",
                ("validate", "-f", fmt, f["lone-surrogate"]),
                (1,),
                "invalid Unicode character escape code",
            )
            for fmt in ("text", "json", "sarif", "github")
        ),
        *(
            Example(
                f"lint-non-utf8-file-name-{fmt}",
                ("lint", "-f", fmt, f["not-utf8-\udcff"]),
                (1,),
                says,
            )
            for fmt, says in (
                ("text", "not-utf8-\\udcff"),
                ("json", "not-utf8-\\\\udcff"),  # the JSON text of the same escape
                ("sarif", "not-utf8-%FF"),  # the file's own byte, in its URI
                ("github", "not-utf8-\\udcff"),
            )
        ),
        # 6. a name too long for a file name
        Example(
            "validate-long-name",
            ("validate", f["long-name"]),
            (1,),
            "artifact.name: 4007 characters, more than the 128 allowed",
        ),
        Example(
            "render-long-name",
            ("render", f["long-name"], "-o", out),
            (1,),
            "artifact.name: 4007 characters, more than the 128 allowed",
        ),
    ]


_EVALUATOR_OUTCOMES: dict[str, tuple[tuple[int, ...], str]] = {
    "range-1e10": ((2,), "(limit rows: 100,000 rows)"),
    "string-doublings": ((2,), "(limit cpu_time: 2 s)"),
    # Go's fmt takes no width past a million: the verb is lost, the argument left over
    # (fmt/print.go, parsenum), so this is no limit but Go's own output.
    "format-width": ((1,), "%!(NOVERB)%!(EXTRA int64=1)"),
    "nested-foreach": ((2,), "(limit rows: 100,000 rows)"),
    "chain-ranges": ((2,), "(limit rows: 100,000 rows)"),
    "recursive-let": ((2,), "(limit depth: 1,000 levels)"),
    "mutual-let": ((2,), "(limit depth: 1,000 levels)"),
    "self-query": ((2,), "(limit depth: 1,000 levels)"),
    "self-artifact": ((2,), "(limit depth: 1,000 levels)"),
}
"""Exit code and what the output says for each example: the limit that stops it (exit 2), or
Velociraptor's own behaviour where that is what bounds it."""


def evaluator_examples(folder: Path) -> list[Example]:
    """Issue 11's point 3 (the evaluator's limits, issue 11.3): artifacts to `simulate`."""
    queries = {
        "range-1e10": "SELECT * FROM range(end=10000000000)",
        "string-doublings": "LET s0 = 'ab'\n"
        + "".join(f"LET s{i} = s{i - 1} + s{i - 1}\n" for i in range(1, 41))
        + "SELECT len(list=s40) AS N FROM scope()",
        "format-width": "SELECT format(format='%01000000000d', args=1) AS X FROM scope()",
        "nested-foreach": "SELECT * FROM "
        + "foreach(row={SELECT * FROM range(end=10)}, query={SELECT * FROM " * 20
        + "scope()"
        + "})" * 20,
        "chain-ranges": "SELECT count() AS N FROM chain("
        + ", ".join(f"a{i}={{SELECT * FROM range(end=100000000)}}" for i in range(200))
        + ")",
        "recursive-let": "LET f(x) = f(x=x)\nSELECT f(x=1) AS X FROM scope()",
        "mutual-let": "LET f(x) = g(x=x)\nLET g(x) = f(x=x)\nSELECT f(x=1) AS X FROM scope()",
        "self-query": "LET q = SELECT * FROM q\nSELECT * FROM q",
        "self-artifact": "SELECT * FROM Artifact.Custom.Hostile.Self()",
    }
    out: list[Example] = []
    for name, query in queries.items():
        artifact = "custom-hostile-self" if name == "self-artifact" else name
        path = folder / f"{artifact}.yaml"
        body = "\n".join("      " + line for line in query.splitlines())
        artifact_name = "Custom.Hostile.Self" if name == "self-artifact" else "Custom.Hostile"
        path.write_text(f"name: {artifact_name}\nsources:\n  - query: |\n{body}\n")
        exits, says = _EVALUATOR_OUTCOMES[name]
        out.append(Example(f"evaluator-{name}", ("simulate", str(path)), exits, says))
    nested = folder / "json-array-default.yaml"
    nested.write_text(
        "name: Custom.Hostile\nparameters:\n  - name: L\n    type: json_array\n    default: '"
        + "[" * 50_000
        + "'\nsources:\n  - query: SELECT * FROM foreach(row=L)\n"
    )
    # Go's JSON decoder refuses nesting past 10,000 levels: parse_json_array() logs it and
    # returns NULL (vql/parsers/json.go), so the artifact runs on without rows.
    out.append(
        Example(
            "evaluator-json-array-default",
            ("simulate", str(nested)),
            (1,),
            "parse_json_array: invalid character '[' exceeded max depth",
        )
    )
    big = folder / "ten-mb-query.yaml"
    big.write_text(
        "name: Custom.Hostile\nsources:\n  - query: SELECT "
        + " + ".join(["1"] * 3_400_000)
        + " AS X FROM scope()\n"
    )
    out.append(Example("evaluator-10mb-query", ("simulate", str(big)), (2,), "the limit is"))
    return out
