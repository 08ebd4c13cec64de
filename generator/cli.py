"""The command line: parse options, call the modules that do the work, print what they return.

No logic lives here. Exit codes: 0 clean, 1 findings, 2 usage, I/O or internal error.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__
from .errors import VrqError

if TYPE_CHECKING:
    from .server import BundledArtifact

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="vr-quarantine",
    help="Render, validate, lint and simulate Velociraptor IPsec quarantine artifacts.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vr-quarantine {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Render, validate, lint and simulate Velociraptor IPsec quarantine artifacts."""


def plain(text: str) -> str:
    """A rule summary for a terminal: reStructuredText/Markdown literals lose their backticks."""
    import re

    return re.sub(r"``(.+?)``|`([^`]+)`", lambda m: m.group(1) or m.group(2), text)


def fail(error: VrqError) -> typer.Exit:
    """Print a usage, I/O or internal error and return the exit to raise."""
    typer.echo(f"vr-quarantine: error: {error}", err=True)
    if error.hint:
        typer.echo(f"  hint: {error.hint}", err=True)
    return typer.Exit(EXIT_USAGE)


# Commands register themselves below, one section per command, each calling into its module.
# --- commands: validate / init / schema ---


@app.command("validate")
def validate_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH", help="Profile files, folders (every *.yaml/*.yml below) or -."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--output-format", "-f", help="text or json (also sarif, github).")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rule ids and exit.")
    ] = False,
) -> None:
    """Check quarantine profiles: schema, netsh's rules and lock-out risks; report every problem.

    Exit 0 when clean (warnings allowed unless --strict), 1 on findings, 2 on usage or I/O errors.
    """
    from .diagnostics import Severity
    from .profile import RULES, validate_paths
    from .report import get_reporter

    if list_rules:
        for rule_id, summary in RULES.items():
            typer.echo(f"{rule_id:28} {plain(summary)}")
        raise typer.Exit(EXIT_OK)
    try:
        if not paths:
            raise VrqError("no PATH given", hint="pass profile files, folders, or - for stdin")
        reporter = get_reporter(output_format)
    except ValueError as exc:
        raise fail(VrqError(str(exc))) from None
    except VrqError as exc:
        raise fail(exc) from None
    results = validate_paths(list(paths))
    typer.echo(reporter(results, "validate"), nl=False)
    if results.has_io_error():
        raise typer.Exit(EXIT_USAGE)
    threshold = Severity.WARNING if strict else Severity.ERROR
    raise typer.Exit(EXIT_FINDINGS if results.fails(threshold) else EXIT_OK)


@app.command("init")
def init_command(
    path: Annotated[
        str, typer.Argument(metavar="PATH", help="The file to write; - prints it.")
    ] = "quarantine-profile.yaml",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    schema_url: Annotated[
        str | None,
        typer.Option(
            "--schema-url",
            help="Where the first line points editors for the schema (default: a relative path "
            "to schema/quarantine-profile.schema.json above PATH, else the schema's published "
            "URL).",
        ),
    ] = None,
) -> None:
    """Write a commented starter profile (the upstream defaults) that validates as written."""
    from pathlib import Path

    from .profile import starter_profile_text, write_starter

    if path == "-":
        typer.echo(starter_profile_text(schema_url), nl=False)
        raise typer.Exit(EXIT_OK)
    try:
        ref = write_starter(Path(path), force=force, schema_ref=schema_url)
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(f"wrote {path} (schema: {ref})")
    typer.echo(f"next: edit it, then run: vr-quarantine validate {path}")


@app.command("schema")
def schema_command() -> None:
    """Print the profile JSON Schema (draft-07), e.g. for editors and CI."""
    from .profile import schema_text

    typer.echo(schema_text(), nl=False)


# --- commands: render ---


@app.command("render")
def render_command(
    profiles: Annotated[
        list[str] | None,
        typer.Argument(metavar="PROFILE", help="Profile files; none renders the built-in default."),
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Output folder (created if missing), or - for stdout."),
    ] = "artifacts",
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 naming every file that differs.")
    ] = False,
    default: Annotated[
        bool,
        typer.Option(
            "--default", help="Also render the built-in default profile (with PROFILE...)."
        ),
    ] = False,
) -> None:
    """Render quarantine profiles into Velociraptor artifacts (<artifact name>.yaml each).

    Every artifact is read back, parsed and linted before anything is written; a run writes all
    its files atomically or none. Exit 0 when written (or current), 1 on findings or stale files,
    2 on usage or I/O errors (e.g. a missing profile).
    """
    from pathlib import Path

    from .render import render_run, stale_files, write_artifacts
    from .report import get_reporter

    if check and output == "-":
        raise fail(VrqError("--check compares files in a folder", hint="drop -o - or --check"))
    try:
        run = render_run(list(profiles or []), include_default=default or not profiles)
    except VrqError as exc:
        raise fail(exc) from None
    if run.results.diagnostics:
        typer.echo(get_reporter("text")(run.results, "render"), nl=False, err=True)
    if run.results.has_io_error():
        raise typer.Exit(EXIT_USAGE)
    if not run.ok:
        raise typer.Exit(EXIT_FINDINGS)
    if output == "-":
        typer.echo("---\n".join(a.text or "" for a in run.artifacts), nl=False)
        raise typer.Exit(EXIT_OK)
    try:
        if check:
            stale = stale_files(run.artifacts, Path(output))
            for path, reason in stale:
                typer.echo(f"{Path(output) / path.name}: {reason}", err=True)
            if stale:
                fix = render_command_line(profiles or [], default=default, output=output)
                typer.echo(f"hint: update them with `{fix}`", err=True)
            raise typer.Exit(EXIT_FINDINGS if stale else EXIT_OK)
        for path in write_artifacts(run.artifacts, Path(output)):
            typer.echo(f"wrote {path}")
    except VrqError as exc:
        raise fail(exc) from None


def render_command_line(profiles: list[str], *, default: bool, output: str) -> str:
    """The `render` command that rewrites what `render --check` found stale (shell-quoted)."""
    import shlex

    words = ["vr-quarantine", "render"]
    if default and profiles:
        words.append("--default")
    return shlex.join([*words, *profiles, "-o", output])


# --- commands: lint ---


@app.command("lint")
def lint_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH", help="Artifact files, folders (searched recursively), - for stdin."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--output-format", "-f", help="text, json, sarif or github.")
    ] = "text",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 on findings at or above: error, warning, info.")
    ] = "error",
    config: Annotated[
        str | None,
        typer.Option("--config", help="Lint config (default: ./.vr-quarantine-lint.yaml if any)."),
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules and exit.")
    ] = False,
) -> None:
    """Lint Velociraptor artifacts: YAML, artifact format, loader rules, VQL syntax and calls."""
    # Imported here: the linter loads its VQL catalog and rules, which other commands never need.
    from .diagnostics import Severity
    from .lint import lint_paths, load_config
    from .lint.rules import RULES
    from .report import get_reporter

    if list_rules:
        for rule in RULES.values():
            typer.echo(f"{rule.id:28} {rule.severity.value:8} {plain(rule.summary)}")
        raise typer.Exit(EXIT_OK)
    try:
        if not paths:
            raise VrqError("no PATH given", hint="pass artifact files, folders, or - for stdin")
        reporter = get_reporter(output_format)
        threshold = Severity.parse(fail_on)
    except ValueError as exc:
        raise fail(VrqError(str(exc))) from None
    except VrqError as exc:
        raise fail(exc) from None
    try:
        results = lint_paths(list(paths), config=load_config(config))
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(reporter(results, "lint"), nl=False)
    if results.has_io_error():
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if results.fails(threshold) else EXIT_OK)


# --- commands: simulate ---


@app.command("simulate")
def simulate_command(
    path: Annotated[str, typer.Argument(metavar="PATH", help="A profile or an artifact.")],
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            "-s",
            help="success, server-unreachable, netsh-fail:N (the Nth netsh command fails), "
            "domain-ipsec-policy, policy-not-enforced, removal, or a scenario file (.yaml).",
        ),
    ] = "success",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="K=V", help="Set an artifact parameter (repeatable)."
        ),
    ] = None,
    with_artifact: Annotated[
        list[str] | None,
        typer.Option(
            "--with", metavar="ARTIFACT", help="Another artifact that Artifact.X() may call."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--output-format", "-f", help="text or json.")
    ] = "text",
) -> None:
    """Run an artifact offline against a simulated Windows endpoint and show what would happen.

    Shows the commands the endpoint would run in order, the result rows, the log and the final
    state (policy assigned? what is permitted?). Nothing runs on this machine. Exit 0 when the
    scenario's expected outcome happened, 1 when not, 2 on usage or I/O errors.
    """
    from pathlib import Path

    from .simulate import resolve_scenario, simulate_file
    from .simulate.report import FORMATS, render

    try:
        if output_format not in FORMATS:
            raise VrqError(f"unknown output format {output_format!r}", hint="use text or json")
        params: dict[str, str] = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise VrqError(f"--param {item!r} is not K=V")
            params[key] = value
        chosen = resolve_scenario(scenario)
        result = simulate_file(
            Path(path),
            chosen,
            params=params,
            extra_artifacts=[Path(p) for p in with_artifact or []],
        )
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(render(result, output_format), nl=False)
    if result.error is not None:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FINDINGS)


# --- commands: pack / push / collect (the server) ---


def _bundle_or_exit(paths: list[str] | None, verb: str) -> list[BundledArtifact]:
    """Gather and lint the artifacts of PATH...; print findings; exit 1/2 when not shippable."""
    from .report import get_reporter
    from .server import gather

    if not paths:
        raise fail(VrqError("no PATH given", hint=f"pass the artifacts or profiles to {verb}"))
    try:
        bundle = gather(paths)
    except VrqError as exc:
        raise fail(exc) from None
    if bundle.results.diagnostics:
        typer.echo(get_reporter("text")(bundle.results, verb), nl=False, err=True)
    if bundle.results.has_io_error():
        raise typer.Exit(EXIT_USAGE)
    if not bundle.ok:
        typer.echo(f"{verb}: refused: fix the errors above first", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    if not bundle.artifacts:
        raise fail(VrqError(f"nothing to {verb}: no artifact found under {' '.join(paths)}"))
    return list(bundle.artifacts)


ApiConfigOption = Annotated[
    str | None,
    typer.Option(
        "--api-config",
        metavar="FILE",
        help="The API client config `velociraptor config api_client` wrote "
        "(default: $VELOCIRAPTOR_API_FILE).",
    ),
]
OrgOption = Annotated[
    str, typer.Option("--org", metavar="ID", help="The org to work in (default: the root org).")
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", metavar="SECONDS", help="Give up on a server call after this long."),
]


@app.command("pack")
def pack_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Artifact files, profiles, or folders of them."),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE.zip", help="The zip file to write.")
    ] = "",
) -> None:
    """Zip artifacts for the GUI's "Upload Artifact Pack" (profiles are rendered first).

    Every artifact is linted first (errors refuse the pack); the zip holds one <name>.yaml per
    artifact and is byte for byte the same for the same artifacts. Exit 0 written, 1 lint
    errors, 2 usage or I/O errors.
    """
    from pathlib import Path

    from .server import write_pack

    if not output:
        raise fail(VrqError("no output file given", hint="add -o FILE.zip"))
    artifacts = _bundle_or_exit(paths, "pack")
    try:
        entries = write_pack(artifacts, Path(output))
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(f"wrote {output}: {len(entries)} artifact(s): {', '.join(entries)}")


@app.command("push")
def push_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Artifact files, profiles, or folders of them."),
    ] = None,
    api_config: ApiConfigOption = None,
    org: OrgOption = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diffs against the server; write nothing.")
    ] = False,
    timeout: TimeoutOption = 30.0,
) -> None:
    """Upload artifacts to a Velociraptor server through its API (needs the `server` extra).

    Profiles are rendered with their companion artifacts; everything is linted first (errors
    refuse the push). Each artifact is compared with the server's copy: the unified diff is shown,
    unchanged ones are skipped, --dry-run stops before writing. Exit 0 done, 1 something refused
    (lint, the server, a permission), 2 usage, config, TLS, connection or timeout.
    """
    from .server import ApiClient, ServerError, config_path, load_api_config, push
    from .server.push import render_push_text

    try:
        config = load_api_config(config_path(api_config))
    except VrqError as exc:
        raise fail(exc) from None
    artifacts = _bundle_or_exit(paths, "push")
    try:
        with ApiClient(config, command="push", org_id=org, timeout=timeout) as api:
            report = push(api, artifacts, dry_run=dry_run)
    except ServerError as exc:
        raise _server_failure(exc) from None
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(render_push_text(report), nl=False)
    raise typer.Exit(EXIT_FINDINGS if report.refused else EXIT_OK)


@app.command("collect")
def collect_command(
    client_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="CLIENT_ID", help="Velociraptor client ids (C.xxxxxxxx)."),
    ] = None,
    artifact: Annotated[
        str, typer.Option("--artifact", "-a", metavar="NAME", help="The artifact to collect.")
    ] = "",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", metavar="K=V", help="An artifact parameter (repeatable)."),
    ] = None,
    api_config: ApiConfigOption = None,
    org: OrgOption = "",
    wait: Annotated[
        float,
        typer.Option(
            "--wait", metavar="SECONDS", help="How long to wait for the flows (0: do not wait)."
        ),
    ] = 120.0,
    timeout: TimeoutOption = 30.0,
    output_format: Annotated[
        str, typer.Option("--output-format", "-f", help="text or json.")
    ] = "text",
) -> None:
    """Collect an artifact (quarantine, removal, status) on clients and print rows and logs.

    The server must know the artifact and the clients. Waits at most --wait seconds for the
    collections to finish. Exit 0 when every collection finished, 1 when one was refused, failed
    or is still running, 2 on usage, config, TLS, connection or timeout errors, or an artifact
    or parameter the server does not have.
    """
    from .server import ApiClient, ServerError, collect, config_path, load_api_config
    from .server.collect import parse_params, render_collect_json, render_collect_text

    renderers = {"text": render_collect_text, "json": render_collect_json}
    try:
        if output_format not in renderers:
            raise VrqError(f"unknown output format {output_format!r}", hint="use text or json")
        if not artifact:
            raise VrqError("no artifact given", hint="add --artifact NAME")
        params = parse_params(param or [])
        config = load_api_config(config_path(api_config))
        with ApiClient(config, command="collect", org_id=org, timeout=timeout) as api:
            report = collect(api, client_ids or [], artifact, params, wait=wait)
    except ServerError as exc:
        raise _server_failure(exc) from None
    except VrqError as exc:
        raise fail(exc) from None
    typer.echo(renderers[output_format](report), nl=False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def _server_failure(error: VrqError) -> typer.Exit:
    code = fail(error)
    return typer.Exit(EXIT_FINDINGS) if getattr(error, "refused", False) else code


def main() -> None:
    """Console entry point: never lets a traceback reach the user."""
    try:
        app(standalone_mode=True)
    except VrqError as error:  # pragma: no cover - commands convert these themselves
        typer.echo(f"vr-quarantine: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        typer.echo("vr-quarantine: interrupted", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:
        typer.echo(f"vr-quarantine: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
