"""Shell completion for bash, zsh, fish and PowerShell, generated from the command line's parser.

The scripts are static: commands, then each command's options, then (bash, zsh and fish; not yet
PowerShell) the values of an option that takes one from a fixed set (``-f`` formats,
``--fail-on`` levels, ``--platform``, the built-in ``--scenario`` names, the shells); paths
complete as files. They are written where each shell looks for completions without further
setup where it can:

- bash: ``$XDG_DATA_HOME/bash-completion/completions/vr-quarantine`` (bash-completion 2 loads it);
- zsh: ``~/.zfunc/_vr-quarantine`` (``fpath+=~/.zfunc`` before ``compinit`` in ``~/.zshrc``);
- fish: ``$XDG_CONFIG_HOME/fish/completions/vr-quarantine.fish``;
- PowerShell: ``~/.config/powershell/vr-quarantine.ps1`` (dot-source it from ``$PROFILE``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .atomicfile import write_atomic
from .errors import VrqError

SHELLS = ("bash", "zsh", "fish", "powershell")
_FUNCTION = "_vr_quarantine"


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings]


def _values(action: argparse.Action) -> tuple[list[str], bool] | None:
    """The values completed after an option that takes one from a fixed set (the CLI marks it,
    ``completion_values``), and whether a file name is also taken; None for other options."""
    values = getattr(action, "completion_values", None)
    if values is None:
        return None
    names = list(values() if callable(values) else values)
    return names, bool(getattr(action, "completion_files", False))


def _valued(parser: argparse.ArgumentParser) -> list[tuple[argparse.Action, list[str], bool]]:
    found = []
    for action in parser._actions:
        values = _values(action)
        if values is not None and action.option_strings:
            found.append((action, *values))
    return found


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def detect_shell(name: str | None) -> str:
    """`name`, or the login shell's (``$SHELL``); a usage error when neither is supported."""
    shell = (name or Path(os.environ.get("SHELL", "")).name).lower()
    shell = {"pwsh": "powershell"}.get(shell, shell)
    if shell not in SHELLS:
        raise VrqError(
            f"cannot complete for shell {shell or '(unknown)'!r}",
            hint=f"name one of: {', '.join(SHELLS)}",
        )
    return shell


def _bash(program: str, parser: argparse.ArgumentParser) -> str:
    cases = [f'        "") options="{" ".join([*_commands(parser), *_options(parser)])}" ;;']
    for name, sub in _commands(parser).items():
        cases.append(f'        {name}) options="{" ".join(_options(sub))}" ;;')
    value_cases = []
    for name, sub in [("", parser), *_commands(parser).items()]:
        for action, values, files in _valued(sub):
            pattern = "|".join(f'"{name}:{option}"' for option in action.option_strings)
            reply = f'COMPREPLY=($(compgen -W "{" ".join(values)}" -- "$cur")'
            if files:
                reply += ' $(compgen -f -- "$cur")'
            value_cases.append(f"        {pattern}) {reply}); return ;;")
    return "\n".join(
        [
            f"# {program} completion for bash (and zsh through bashcompinit)",
            f"{_FUNCTION}() {{",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" command="" word options',
            '    (( COMP_CWORD > 1 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
            '    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do',
            '        case "$word" in -*) ;; *) command="$word"; break ;; esac',
            "    done",
            "    # The value of an option that takes one from a fixed set.",
            '    case "$command:$prev" in',
            *value_cases,
            "    esac",
            '    case "$command" in',
            *cases,
            "        *) options='' ;;",
            "    esac",
            '    if [[ -z "$command" || "$cur" == -* ]]; then',
            '        COMPREPLY=($(compgen -W "$options" -- "$cur"))',
            "    else",
            '        COMPREPLY=($(compgen -f -- "$cur"))',
            "    fi",
            "}",
            f"complete -o default -F {_FUNCTION} {program}",
            "",
        ]
    )


def _zsh(program: str, parser: argparse.ArgumentParser) -> str:
    header = f"#compdef {program}\nautoload -U +X bashcompinit && bashcompinit\n"
    return header + _bash(program, parser)


def _fish(program: str, parser: argparse.ArgumentParser) -> str:
    commands = _commands(parser)
    lines = [
        f"# {program} completion for fish",
        f"complete -c {program} -n __fish_use_subcommand -f -a '{' '.join(commands)}'",
    ]
    for name, sub in [("", parser), *commands.items()]:
        condition = f"'__fish_seen_subcommand_from {name}'" if name else "__fish_use_subcommand"
        for action in sub._actions:
            flags = " ".join(
                f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
                for option in action.option_strings
            )
            if not flags:
                continue
            values = _values(action)
            if values is not None:
                # -x: a value from the list only; -r: a value, which may also be a file.
                flags += f" {'-r' if values[1] else '-x'} -a '{' '.join(values[0])}'"
            lines.append(f"complete -c {program} -n {condition} {flags}")
    return "\n".join([*lines, ""])


def _powershell(program: str, parser: argparse.ArgumentParser) -> str:
    table = [f"    '' = @({', '.join(repr(c) for c in _commands(parser))})"]
    for name, sub in _commands(parser).items():
        table.append(f"    '{name}' = @({', '.join(repr(o) for o in _options(sub))})")
    return "\n".join(
        [
            f"# {program} completion for PowerShell",
            "$vrqWords = @{",
            *table,
            "}",
            f"Register-ArgumentCompleter -Native -CommandName {program} -ScriptBlock {{",
            "    param($wordToComplete, $commandAst, $cursorPosition)",
            "    $words = @($commandAst.CommandElements | Select-Object -Skip 1 |",
            "        ForEach-Object { $_.ToString() } | Where-Object { $_ -notlike '-*' })",
            "    $command = if ($words.Count -gt 0 -and $words[0] -ne $wordToComplete) "
            "{ $words[0] } else { '' }",
            '    $vrqWords[$command] | Where-Object { $_ -like "$wordToComplete*" } |',
            "        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_) }",
            "}",
            "",
        ]
    )


_SCRIPTS = {"bash": _bash, "zsh": _zsh, "fish": _fish, "powershell": _powershell}


def completion_script(shell: str, program: str, parser: argparse.ArgumentParser) -> str:
    return _SCRIPTS[shell](program, parser)


def _target(shell: str, program: str) -> Path:
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return {
        "bash": data / "bash-completion" / "completions" / program,
        "zsh": home / ".zfunc" / f"_{program}",
        "fish": config / "fish" / "completions" / f"{program}.fish",
        "powershell": config / "powershell" / f"{program}.ps1",
    }[shell]


_NEXT_STEP = {
    "bash": "open a new shell (bash-completion loads it)",
    "zsh": "add `fpath+=~/.zfunc` before `compinit` in ~/.zshrc, then open a new shell",
    "fish": "open a new shell",
    "powershell": "dot-source it from your $PROFILE",
}


def install_completion(shell: str, program: str, parser: argparse.ArgumentParser) -> str:
    """Write the script where `shell` finds it; returns what to tell the user."""
    target = _target(shell, program)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, completion_script(shell, program, parser))
    except OSError as exc:
        raise VrqError(f"cannot write {target}: {exc.strerror or exc}") from None
    return f"wrote {target}; {_NEXT_STEP[shell]}"
