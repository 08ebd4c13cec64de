"""The command line: parse options, call the modules that do the work, print what they return.

No logic lives here. Exit codes: 0 clean, 1 findings, 2 usage, I/O or internal error.
"""

from __future__ import annotations

import sys

import typer

from generator import __version__
from generator.errors import VrqError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="vr-quarantine",
    help="Render, validate, lint and simulate Velociraptor IPsec quarantine artifacts.",
    no_args_is_help=True,
    add_completion=False,
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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Render, validate, lint and simulate Velociraptor IPsec quarantine artifacts."""


def fail(error: VrqError) -> typer.Exit:
    """Print a usage, I/O or internal error and return the exit to raise."""
    typer.echo(f"vr-quarantine: error: {error}", err=True)
    if error.hint:
        typer.echo(f"  hint: {error.hint}", err=True)
    return typer.Exit(EXIT_USAGE)


# Commands register themselves below, one section per command, each calling into its module.
# --- commands: validate / init / schema ---
# --- commands: render ---
# --- commands: lint ---
# --- commands: simulate ---


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
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        typer.echo(f"vr-quarantine: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
