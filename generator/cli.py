"""The command line: parse options, call the modules that do the work, print what they return.

No logic lives here. Exit codes: 0 clean, 1 findings, 2 usage, I/O or internal error.

Built on the standard library's argparse: the command line starts in milliseconds, a cost that
``--version``, ``validate`` of one file and every pre-commit hook pay on each run. Each command is
one section below: a function that declares its arguments, and its handler (registered with
`command`), which imports what it needs and returns the exit code.
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .errors import Refused, VrqError

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, RuleInfo
    from .server import BundledArtifact

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

PROGRAM = "vr-quarantine"
SUMMARY = "Render, validate, lint and simulate Velociraptor IPsec quarantine artifacts."

FORMATS = ("text", "json")
"""The output formats of simulate and collect."""
REPORT_FORMATS = ("text", "json", "sarif", "github")
"""The formats of validate's and lint's reporters (`generator.report`)."""

Handler = Callable[[argparse.Namespace], int]
Declare = Callable[[argparse.ArgumentParser], None]
_COMMANDS: list[tuple[str, Declare, Handler]] = []


def command(name: str, declare: Declare) -> Callable[[Handler], Handler]:
    """Register a command: `declare` adds its arguments; the handler's docstring is its help."""

    def register(handler: Handler) -> Handler:
        _COMMANDS.append((name, declare, handler))
        return handler

    return register


def echo(text: str = "", *, nl: bool = True, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + ("\n" if nl else ""))


def plain(text: str) -> str:
    """A rule summary for a terminal: reStructuredText/Markdown literals lose their backticks."""
    import re

    return re.sub(r"``(.+?)``|`([^`]+)`", lambda m: m.group(1) or m.group(2), text)


def fail(error: VrqError) -> int:
    """Print a usage, I/O or internal error; returns the exit code."""
    from .printable import printable

    echo(f"{PROGRAM}: error: {printable(str(error), newlines=True)}", err=True)
    if error.hint:
        echo(f"  hint: {printable(error.hint)}", err=True)
    return EXIT_USAGE


def refused(error: Refused, tool: str) -> int:
    """Print the findings that refused an input as `lint` and `validate` print them, then the
    error; returns the exit code (2: the input cannot be acted on)."""
    from .report import get_reporter

    echo(get_reporter("text")(error.results, tool), nl=False, err=True)
    return fail(VrqError(error.message, hint=error.hint))


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROGRAM, description=SUMMARY, formatter_class=_Formatter)
    parser.add_argument(
        "--version", action="version", version=f"{PROGRAM} {__version__}", help="Print the version."
    )
    for flag, what in (
        ("--show-completion", "Print the shell completion script"),
        ("--install-completion", "Install shell completion"),
    ):
        _completes(
            parser.add_argument(
                flag,
                nargs="?",
                const="",
                metavar="SHELL",
                help=f"{what} for bash, zsh, fish or powershell (default: your $SHELL).",
            ),
            _shell_names,
        )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, declare, handler in _COMMANDS:
        doc = inspect.cleandoc(handler.__doc__ or "")
        sub = commands.add_parser(
            name,
            help=doc.partition("\n")[0],
            description=doc,
            formatter_class=_Formatter,
        )
        declare(sub)
        sub.set_defaults(handler=handler)
    return parser


# --- option groups that several commands share ---

Values = Sequence[str] | Callable[[], Sequence[str]]


def _completes(action: argparse.Action, values: Values, *, files: bool = False) -> None:
    """What shell completion offers as this option's value (`generator.completion`): a fixed set,
    or a function that lists it (called only when a completion script is generated); `files`
    when a file name is also taken. Parsing does not change: the command checks the value."""
    vars(action).update(completion_values=values, completion_files=files)


def _scenario_names() -> list[str]:
    from .simulate import builtin_names

    return [name for name in builtin_names() if not name.endswith(":N")]


def _shell_names() -> Sequence[str]:
    from .completion import SHELLS

    return SHELLS


def _platform_names() -> Sequence[str]:
    from .profile import PLATFORMS

    return PLATFORMS


def _paths_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help=what)


def _format_option(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    names = f"{', '.join(formats[:-1])} or {formats[-1]}"
    _completes(
        parser.add_argument(
            "--output-format", "-f", default="text", metavar="FORMAT", help=f"{names}."
        ),
        formats,
    )


def _param_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="K=V",
        help="Set an artifact parameter (repeatable).",
    )


def _parameters(items: Sequence[str]) -> dict[str, str]:
    """``--param K=V`` values (the value may hold ``=``); a repeated key is a usage error."""
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VrqError(f"--param {item!r} is not K=V", hint="e.g. --param RemovePolicy=Y")
        if key in params:
            raise VrqError(f"--param {key} is given twice")
        params[key] = value
    return params


def _list_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list-rules", action="store_true", help="List the rule ids and exit.")


def _list_rules(infos: Iterable[RuleInfo]) -> int:
    """``--list-rules``: every id a command reports under, its level and its summary."""
    for rule in infos:
        echo(f"{rule.id:28} {rule.severity.value:8} {plain(rule.summary)}")
    return EXIT_OK


def _need_paths(paths: Sequence[str], what: str) -> None:
    if not paths:
        raise VrqError("no PATH given", hint=f"pass {what}")


def _known_format(name: str, formats: Sequence[str]) -> None:
    if name not in formats:
        raise VrqError(f"unknown output format {name!r}", hint=f"use {' or '.join(formats)}")


# Commands register themselves below, one section per command, each calling into its module.
# --- commands: validate / init / schema ---


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    _paths_argument(parser, "Profile files, folders (every *.yaml/*.yml below) or -.")
    _format_option(parser, REPORT_FORMATS)
    parser.add_argument("--strict", action="store_true", help="Warnings fail too (exit 1).")
    _list_rules_option(parser)


@command("validate", _validate_arguments)
def validate_command(args: argparse.Namespace) -> int:
    """Check quarantine profiles: schema, netsh's rules and lock-out risks; report every problem.

    Exit 0 when clean (warnings allowed unless --strict), 1 on findings, 2 on usage or I/O errors.
    """
    from .diagnostics import Severity
    from .profile import RULES, validate_paths
    from .report import get_reporter

    if args.list_rules:
        return _list_rules(RULES.infos)
    try:
        _need_paths(args.paths, "profile files, folders, or - for stdin")
        reporter = get_reporter(args.output_format)
    except ValueError as exc:
        return fail(VrqError(str(exc)))
    except VrqError as exc:
        return fail(exc)
    results = validate_paths(list(args.paths))
    echo(reporter(results, "validate"), nl=False)
    if results.has_io_error():
        return EXIT_USAGE
    threshold = Severity.WARNING if args.strict else Severity.ERROR
    return EXIT_FINDINGS if results.fails(threshold) else EXIT_OK


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default="quarantine-profile.yaml",
        metavar="PATH",
        help="The file to write; - prints it (default: quarantine-profile.yaml).",
    )
    parser.add_argument("--force", action="store_true", help="Replace an existing file.")
    parser.add_argument(
        "--schema-url",
        metavar="URL",
        help="Where the first line points editors for the schema (default: a relative path "
        "to schema/quarantine-profile.schema.json above PATH, else the schema's published URL).",
    )


@command("init", _init_arguments)
def init_command(args: argparse.Namespace) -> int:
    """Write a commented starter profile (the upstream defaults) that validates as written."""
    from pathlib import Path

    from .profile import starter_profile_text, write_starter

    if args.path == "-":
        echo(starter_profile_text(args.schema_url), nl=False)
        return EXIT_OK
    try:
        ref = write_starter(Path(args.path), force=args.force, schema_ref=args.schema_url)
    except VrqError as exc:
        return fail(exc)
    echo(f"wrote {args.path} (schema: {ref})")
    echo(f"next: edit it, then run: vr-quarantine validate {args.path}")
    return EXIT_OK


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A command without arguments."""


@command("schema", _no_arguments)
def schema_command(args: argparse.Namespace) -> int:
    """Print the profile JSON Schema (draft-07), e.g. for editors and CI."""
    from .profile import schema_text

    echo(schema_text(), nl=False)
    return EXIT_OK


# --- commands: render ---


def _render_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "profiles",
        nargs="*",
        metavar="PROFILE",
        help="Profile files, folders of them, or -; none renders the built-in default.",
    )
    parser.add_argument(
        "--output",
        "-o",
        default="artifacts",
        metavar="DIR",
        help="Output folder (created if missing), or - for stdout (default: artifacts).",
    )
    parser.add_argument(
        "--check", action="store_true", help="Write nothing; exit 1 naming every file that differs."
    )
    parser.add_argument(
        "--default",
        action="store_true",
        help="Also render the built-in default profile (with PROFILE...).",
    )


@command("render", _render_arguments)
def render_command(args: argparse.Namespace) -> int:
    """Render quarantine profiles into Velociraptor artifacts (<artifact name>.yaml each).

    Every artifact is read back, parsed and linted before anything is written; a run writes all
    its files atomically or none. Exit 0 when written (or current), 1 on findings or stale files,
    2 on usage or I/O errors (e.g. a missing profile).
    """
    from pathlib import Path

    from .render import render_into, render_run, stale_files
    from .report import get_reporter

    profiles: list[str] = list(args.profiles)
    output: str = args.output
    include_default = args.default or not profiles
    if args.check and output == "-":
        return fail(VrqError("--check compares files in a folder", hint="drop -o - or --check"))
    written: list[Path] = []
    try:
        if output == "-" or args.check:
            run = render_run(profiles, include_default=include_default)
        else:
            run, written = render_into(
                profiles, include_default=include_default, out_dir=Path(output)
            )
    except VrqError as exc:
        return fail(exc)
    if run.results.diagnostics:
        echo(get_reporter("text")(run.results, "render"), nl=False, err=True)
    if run.results.has_io_error():
        return EXIT_USAGE
    if not run.ok:
        return EXIT_FINDINGS
    if output == "-":
        echo("---\n".join(a.text or "" for a in run.artifacts), nl=False)
        return EXIT_OK
    if args.check:
        stale = stale_files(run.artifacts, Path(output))
        for path, reason in stale:
            echo(f"{Path(output) / path.name}: {reason}", err=True)
        if stale:
            fix = render_command_line(profiles, default=args.default, output=output)
            echo(f"hint: update them with `{fix}`", err=True)
        return EXIT_FINDINGS if stale else EXIT_OK
    for path in written:
        echo(f"wrote {path}")
    return EXIT_OK


def render_command_line(profiles: list[str], *, default: bool, output: str) -> str:
    """The `render` command that rewrites what `render --check` found stale (shell-quoted)."""
    import shlex

    words = ["vr-quarantine", "render"]
    if default and profiles:
        words.append("--default")
    return shlex.join([*words, *profiles, "-o", output])


# --- commands: lint ---


def _lint_arguments(parser: argparse.ArgumentParser) -> None:
    _paths_argument(parser, "Artifact files, folders (every *.yaml/*.yml below), - for stdin.")
    _format_option(parser, REPORT_FORMATS)
    _completes(
        parser.add_argument(
            "--fail-on",
            default="error",
            metavar="LEVEL",
            help="Exit 1 on findings at or above: error (default), warning, info.",
        ),
        ("error", "warning", "info"),
    )
    parser.add_argument(
        "--config", metavar="FILE", help="Lint config (default: ./.vr-quarantine-lint.yaml if any)."
    )
    _list_rules_option(parser)


@command("lint", _lint_arguments)
def lint_command(args: argparse.Namespace) -> int:
    """Lint Velociraptor artifacts: YAML, artifact format, loader rules, VQL syntax and calls.

    Exit 0 when nothing reaches --fail-on, 1 on findings, 2 on usage or I/O errors.
    """
    # Imported here: the linter loads its VQL catalog and rules, which other commands never need.
    from .diagnostics import IO_ERROR_RULE, Severity
    from .lint import RULES, lint_paths, load_config
    from .report import get_reporter

    if args.list_rules:  # every id lint reports under: the input layer's io-error too
        return _list_rules([IO_ERROR_RULE, *RULES.infos])
    try:
        _need_paths(args.paths, "artifact files, folders, or - for stdin")
        reporter = get_reporter(args.output_format)
        threshold = Severity.parse(args.fail_on)
        results = lint_paths(list(args.paths), config=load_config(args.config))
    except ValueError as exc:
        return fail(VrqError(str(exc)))
    except VrqError as exc:
        return fail(exc)
    echo(reporter(results, "lint"), nl=False)
    if results.has_io_error():
        return EXIT_USAGE
    return EXIT_FINDINGS if results.fails(threshold) else EXIT_OK


# --- commands: simulate ---


def _simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="A profile or an artifact.")
    scenario = parser.add_argument(
        "--scenario",
        "-s",
        default="success",
        metavar="NAME|FILE",
        help="A built-in scenario (success by default; the README lists them), netsh-fail:N "
        "(the Nth netsh command fails; nft-fail:N and pfctl-fail:N on Linux and macOS), all "
        "(every built-in scenario, one summary table), or a scenario file (.yaml).",
    )
    _completes(scenario, _scenario_names, files=True)
    platform = parser.add_argument(
        "--platform",
        metavar="PLATFORM",
        help="For a profile: which platform's quarantine artifact to simulate (windows, linux "
        "or macos; default: the profile's first platform).",
    )
    _completes(platform, _platform_names)
    _param_option(parser)
    parser.add_argument(
        "--with",
        dest="with_artifact",
        action="append",
        default=[],
        metavar="ARTIFACT",
        help="Another artifact that Artifact.X() may call (repeatable).",
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Raise a bound of the evaluation (repeatable): cpu_time=2 and time=30 (seconds), "
        "rows=100000, value_size=16MiB, total_size=64MiB, depth=1000, nesting=100 (the "
        "defaults); at most cpu_time=600, time=600, rows=10000000, value_size=256MiB, "
        "total_size=1GiB, depth=5000, nesting=10000.",
    )
    _format_option(parser, FORMATS)


@command("simulate", _simulate_arguments)
def simulate_command(args: argparse.Namespace) -> int:
    """Run an artifact offline against a simulated endpoint and show what would happen.

    Shows the commands the endpoint would run in order, the result rows, the log and the final
    state (policy assigned? what is permitted?). Nothing runs on this machine. The artifact and
    every --with artifact are linted first: a lint error (Velociraptor would not load it) refuses
    the run, as a profile with validate errors does; warnings are printed and the run goes on.
    Exit 0 when the scenario's expected outcome happened, 1 when not, 2 on usage or I/O errors
    and on an input refused for its findings.
    """
    from pathlib import Path

    from .simulate import (
        render_simulation,
        render_simulations,
        resolve_scenario,
        simulate_all,
        simulate_file,
    )
    from .vql.eval import parse_limits

    try:
        _known_format(args.output_format, FORMATS)
        params = _parameters(args.param)
        limits = parse_limits(args.limit)
        if args.scenario == "all":
            results = simulate_all(
                Path(args.path),
                params=params,
                extra_artifacts=[Path(p) for p in args.with_artifact],
                platform=args.platform,
                limits=limits,
            )
            _lint_findings(results[0].findings if results else [])
            echo(render_simulations(results, args.output_format), nl=False)
            if any(r.error is not None for r in results):
                return EXIT_USAGE
            return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS
        chosen = resolve_scenario(args.scenario)
        result = simulate_file(
            Path(args.path),
            chosen,
            params=params,
            extra_artifacts=[Path(p) for p in args.with_artifact],
            platform=args.platform,
            limits=limits,
        )
    except Refused as exc:
        return refused(exc, "simulate")
    except VrqError as exc:
        return fail(exc)
    _lint_findings(result.findings)
    echo(render_simulation(result, args.output_format), nl=False)
    if result.error is not None:
        return EXIT_USAGE
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _lint_findings(findings: Sequence[Diagnostic]) -> None:
    """Lint's warnings on a simulated artifact, on stderr as `lint` prints them."""
    from .diagnostics import Results
    from .report import get_reporter

    if findings:
        results = Results(files=sorted({d.location.path for d in findings}))
        results.extend(findings)
        echo(get_reporter("text")(results, "simulate"), nl=False, err=True)


# --- commands: pack / push / collect (the server) ---


class _Refused(Exception):
    """`_bundle_or_exit` found the bundle unshippable; carries the exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _bundle_or_exit(paths: list[str], verb: str) -> list[BundledArtifact]:
    """Gather and lint the artifacts of PATH...; print findings; raise when not shippable."""
    from .report import get_reporter
    from .server import gather

    try:
        _need_paths(paths, f"the artifacts or profiles to {verb}")
        bundle = gather(paths)
    except VrqError as exc:
        raise _Refused(fail(exc)) from None
    if bundle.results.diagnostics:
        echo(get_reporter("text")(bundle.results, verb), nl=False, err=True)
    if bundle.results.has_io_error():
        raise _Refused(EXIT_USAGE)
    if not bundle.ok:
        echo(f"{verb}: refused: fix the errors above first", err=True)
        raise _Refused(EXIT_FINDINGS)
    if not bundle.artifacts:
        error = VrqError(f"nothing to {verb}: no artifact found under {' '.join(paths)}")
        raise _Refused(fail(error))
    return list(bundle.artifacts)


def _server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api-config",
        metavar="FILE",
        help="The API client config `velociraptor config api_client` wrote "
        "(default: $VELOCIRAPTOR_API_FILE).",
    )
    parser.add_argument(
        "--org", default="", metavar="ID", help="The org to work in (default: the root org)."
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="Give up on a server call after this long (default: 30).",
    )


def _pack_arguments(parser: argparse.ArgumentParser) -> None:
    _paths_argument(parser, "Artifact files, profiles, or folders of them.")
    parser.add_argument(
        "--output", "-o", default="", metavar="FILE.zip", help="The zip file to write."
    )


@command("pack", _pack_arguments)
def pack_command(args: argparse.Namespace) -> int:
    """Zip artifacts for the GUI's "Upload Artifact Pack" (profiles are rendered first).

    Every artifact is linted first (errors refuse the pack); the zip holds one <name>.yaml per
    artifact and is byte for byte the same for the same artifacts. Exit 0 written, 1 lint
    errors, 2 usage or I/O errors.
    """
    from pathlib import Path

    from .server import write_pack

    output: str = args.output
    if not output:
        return fail(VrqError("no output file given", hint="add -o FILE.zip"))
    try:
        artifacts = _bundle_or_exit(list(args.paths), "pack")
        entries = write_pack(artifacts, Path(output))
    except _Refused as refused:
        return refused.code
    except VrqError as exc:
        return fail(exc)
    echo(f"wrote {output}: {len(entries)} artifact(s): {', '.join(entries)}")
    return EXIT_OK


def _push_arguments(parser: argparse.ArgumentParser) -> None:
    _paths_argument(parser, "Artifact files, profiles, or folders of them.")
    _server_arguments(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="Show the diffs against the server; write nothing."
    )


@command("push", _push_arguments)
def push_command(args: argparse.Namespace) -> int:
    """Upload artifacts to a Velociraptor server through its API (needs the `server` extra).

    Profiles are rendered with their companion artifacts; everything is linted first (errors
    refuse the push). Each artifact is compared with the server's copy: the unified diff is shown,
    unchanged ones are skipped, --dry-run stops before writing. Exit 0 done, 1 something refused
    (lint, the server, a permission), 2 usage, config, TLS, connection or timeout.
    """
    from .server import (
        ApiClient,
        ServerError,
        config_path,
        load_api_config,
        push,
        render_push_text,
    )

    try:
        config = load_api_config(config_path(args.api_config))
        artifacts = _bundle_or_exit(list(args.paths), "push")
        with ApiClient(config, command="push", org_id=args.org, timeout=args.timeout) as api:
            report = push(api, artifacts, dry_run=args.dry_run)
    except _Refused as refused:
        return refused.code
    except ServerError as exc:
        return _server_failure(exc)
    except VrqError as exc:
        return fail(exc)
    echo(render_push_text(report), nl=False)
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _collect_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "client_ids", nargs="*", metavar="CLIENT_ID", help="Velociraptor client ids (C.xxxxxxxx)."
    )
    parser.add_argument(
        "--artifact", "-a", default="", metavar="NAME", help="The artifact to collect."
    )
    _param_option(parser)
    _server_arguments(parser)
    parser.add_argument(
        "--wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="How long to wait for the flows (0: do not wait; default: 120).",
    )
    _format_option(parser, FORMATS)


@command("collect", _collect_arguments)
def collect_command(args: argparse.Namespace) -> int:
    """Collect an artifact (quarantine, removal, status) on clients and print rows and logs.

    The server must know the artifact and the clients. Waits at most --wait seconds for the
    collections to finish. Exit 0 when every collection finished, 1 when one was refused, failed
    or is still running, 2 on usage, config, TLS, connection or timeout errors, or an artifact
    or parameter the server does not have.
    """
    from .server import (
        ApiClient,
        ServerError,
        collect,
        config_path,
        load_api_config,
        render_collect_json,
        render_collect_text,
    )

    renderers = {"text": render_collect_text, "json": render_collect_json}
    try:
        _known_format(args.output_format, FORMATS)
        if not args.artifact:
            raise VrqError("no artifact given", hint="add --artifact NAME")
        params = _parameters(args.param)
        config = load_api_config(config_path(args.api_config))
        with ApiClient(config, command="collect", org_id=args.org, timeout=args.timeout) as api:
            report = collect(api, list(args.client_ids), args.artifact, params, wait=args.wait)
    except ServerError as exc:
        return _server_failure(exc)
    except VrqError as exc:
        return fail(exc)
    echo(renderers[args.output_format](report), nl=False)
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _server_failure(error: VrqError) -> int:
    code = fail(error)
    return EXIT_FINDINGS if getattr(error, "refused", False) else code


# --- the entry point ---


def _completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .completion import completion_script, detect_shell, install_completion

    try:
        if args.show_completion is not None:
            shell = detect_shell(args.show_completion)
            echo(completion_script(shell, PROGRAM, parser), nl=False)
        else:
            echo(install_completion(detect_shell(args.install_completion), PROGRAM, parser))
    except VrqError as exc:
        return fail(exc)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (default: the process's arguments), run the command, return its exit code.

    Never lets a traceback reach the user: an unexpected error is an internal error (exit 2).
    An output pipe closed early (``vr-quarantine lint --list-rules | head``) ends the run
    quietly, exit 2: the report was not delivered whole.
    """
    # A terminal or pipe whose encoding lacks a character gets an escape, not an exception.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
        if args.show_completion is not None or args.install_completion is not None:
            return _completion(parser, args)
        if getattr(args, "handler", None) is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        code: int = args.handler(args)
        return code
    except SystemExit as done:  # --help, --version and usage errors (argparse exits)
        if done.code is None:
            return EXIT_OK
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except VrqError as error:  # pragma: no cover - commands convert these themselves
        return fail(error)
    except KeyboardInterrupt:
        echo(f"{PROGRAM}: interrupted", err=True)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`... | head`): nothing more can be said
        _silence_stdout()
        return EXIT_USAGE
    except Exception as exc:
        from .printable import printable

        echo(f"{PROGRAM}: internal error: {printable(f'{type(exc).__name__}: {exc}')}", err=True)
        return EXIT_USAGE


def _silence_stdout() -> None:
    """Python's recipe for a closed output pipe (the `signal` module's note on SIGPIPE): point
    standard output at the null device, so that what is still buffered cannot raise again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (e.g. captured by a test)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def entry() -> NoReturn:
    """The console script and ``python -m vr_quarantine``: `main`, then leave at once.

    Every output is flushed first; what is skipped is the interpreter's tear-down, which frees
    every parsed artifact one object at a time and can cost a tenth of a short run.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said, as in `main`
            code = EXIT_USAGE
    os._exit(code)
