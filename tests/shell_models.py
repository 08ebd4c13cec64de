"""Models of how cmd.exe, PowerShell and a POSIX shell (bash) read one pasted command line.

Each model answers the question that matters for a command shown in an artifact's description:
which arguments does the program receive, and does anything in the line do more than pass
literal text (an expansion, a substitution, an operator, a redirection, a comment)? They follow
the documented rules, conservatively: a construct that may act under some setting (cmd's delayed
expansion, bash's history expansion) counts as acting.

- cmd.exe: percent expansion first, everywhere, quoted or not (``%VAR%``); ``!VAR!`` with delayed
  expansion; outside double quotes ``^`` escapes and ``& | < > ( )`` are operators. The program
  then splits its command line as the Microsoft C runtime does (``CommandLineToArgvW``):
  whitespace outside quotes separates, ``\\"`` is a literal quote, ``2n`` backslashes before a
  quote are ``n`` backslashes. Sources: Microsoft, "cmd" and "Parsing C++ command-line
  arguments"; the phases of cmd's parser as documented in "How does the Windows Command
  Interpreter (CMD.EXE) parse scripts?".
- PowerShell (argument mode, a native command): ``$`` expands (``$x``, ``${x}``, ``$(...)``) in
  barewords and double-quoted strings, the backtick escapes, ``; | & ( ) { } , < >`` are
  operators, ``#`` at a token's start opens a comment, ``@`` at a token's start splats, ``--%``
  stops parsing; single quotes are literal; the typographic quotes U+2018-U+201B and
  U+201C-U+201E are quotes too. Sources: about_Parsing, about_Quoting_Rules,
  about_Special_Characters.
- bash: blanks separate words; ``| & ; < > ( )`` and a newline are operators; ``$`` and the
  backtick expand, ``*?[`` glob, ``~`` at a word's start and ``{a,b}`` expand, ``!`` is history
  expansion (also inside double quotes), ``#`` at a word's start is a comment; ``\\`` escapes;
  single quotes are literal. ``$(...)`` is parsed as a nested command. Source: bash(1) QUOTING,
  EXPANSION, HISTORY EXPANSION; POSIX Shell Command Language 2.2-2.6.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
PS_DOUBLE_QUOTES = '"\u201c\u201d\u201e'


@dataclass
class Parsed:
    """What a shell makes of one line."""

    words: list[str] = field(default_factory=list)
    """The arguments the program receives (the program first), quotes removed."""
    acting: list[str] = field(default_factory=list)
    """Every construct that does more than pass literal text."""
    substitutions: list[Parsed] = field(default_factory=list)
    """Commands the line runs to build its words (bash ``$(...)``)."""
    comment: str = ""


# --- cmd.exe ---------------------------------------------------------------------------------


def cmd(line: str) -> Parsed:
    parsed = Parsed()
    if "%" in line:
        parsed.acting.append("% (percent expansion, quoted or not)")
    if "!" in line:
        parsed.acting.append("! (delayed expansion)")
    if "\n" in line or "\r" in line:
        parsed.acting.append("a line break (ends the command)")
    quoted = False
    passed: list[str] = []  # the command line cmd hands to the program
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "&|<>()^":
            parsed.acting.append(f"{char} outside double quotes")
        passed.append(char)
    parsed.words = crt_argv("".join(passed))
    return parsed


def crt_argv(line: str) -> list[str]:
    """The Microsoft C runtime's (and CommandLineToArgvW's) split of a command line."""
    words: list[str] = []
    current: list[str] = []
    in_word = quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            run = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + run < len(line) and line[i + run] == '"':
                current.append("\\" * (run // 2))
                if run % 2:
                    current.append('"')
                    i += run + 1
                else:
                    i += run
                in_word = True
                continue
            current.append("\\" * run)
            in_word = True
            i += run
            continue
        if char == '"':
            if quoted and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')  # "" inside quotes: a literal quote (post-2008 CRT)
                i += 2
                continue
            quoted = not quoted
            in_word = True
        elif char in " \t" and not quoted:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    return words


# --- PowerShell ------------------------------------------------------------------------------


def powershell(line: str) -> Parsed:
    parsed = Parsed()
    words: list[str] = []
    current: list[str] = []
    in_word = False
    i = 0
    n = len(line)

    def act(what: str) -> None:
        parsed.acting.append(what)

    while i < n:
        char = line[i]
        at_start = not in_word
        if char in " \t":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
            i += 1
            continue
        if char in "\r\n":
            act("a line break (ends the statement)")
            i += 1
            continue
        if at_start and char == "#":
            parsed.comment = line[i:]
            break
        if at_start and char == "@":
            act("@ at the start of an argument (splatting or an array)")
        if at_start and line.startswith("--%", i):
            act("--% (stop parsing)")
        if char in PS_SINGLE_QUOTES:
            i += 1
            while i < n:
                if line[i] in PS_SINGLE_QUOTES:
                    if i + 1 < n and line[i + 1] in PS_SINGLE_QUOTES:
                        current.append(line[i])
                        i += 2
                        continue
                    break
                current.append(line[i])
                i += 1
            else:
                act("an unterminated single-quoted string")
            i += 1
            in_word = True
            continue
        if char in PS_DOUBLE_QUOTES:
            i += 1
            while i < n:
                inner = line[i]
                if inner in PS_DOUBLE_QUOTES:
                    if i + 1 < n and line[i + 1] in PS_DOUBLE_QUOTES:
                        current.append(inner)
                        i += 2
                        continue
                    break
                if inner == "`":
                    act("` (escape) in a double-quoted string")
                    current.append(line[i + 1] if i + 1 < n else "")
                    i += 2
                    continue
                if (
                    inner == "$"
                    and i + 1 < n
                    and (line[i + 1].isalnum() or line[i + 1] in "_{(?^$:")
                ):
                    act("$ (expansion) in a double-quoted string")
                current.append(inner)
                i += 1
            else:
                act("an unterminated double-quoted string")
            i += 1
            in_word = True
            continue
        if char == "`":
            act("` (escape)")
            current.append(line[i + 1] if i + 1 < n else "")
            i += 2
            in_word = True
            continue
        if char == "$":
            act("$ (expansion)")
        elif char in ";|&(){},<>":
            act(f"{char} (operator)")
        current.append(char)
        in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    parsed.words = words
    return parsed


# --- bash ------------------------------------------------------------------------------------

_OPERATORS = "|&;<>()"


def bash(line: str) -> Parsed:
    parsed, rest = _bash(line, 0, nested=False)
    if rest < len(line):
        parsed.acting.append(") without (")
    return parsed


def _bash(line: str, i: int, *, nested: bool) -> tuple[Parsed, int]:
    parsed = Parsed()
    current: list[str] = []
    in_word = False
    n = len(line)

    def act(what: str) -> None:
        parsed.acting.append(what)

    def end_word() -> None:
        nonlocal current, in_word
        if in_word:
            parsed.words.append("".join(current))
        current, in_word = [], False

    while i < n:
        char = line[i]
        if nested and char == ")":
            end_word()
            return parsed, i + 1
        if char in " \t":
            end_word()
            i += 1
            continue
        if char == "\n":
            act("a line break (ends the command)")
            end_word()
            i += 1
            continue
        if char == "#" and not in_word:
            parsed.comment = line[i:]
            i = n
            break
        if char == "~" and not in_word:
            act("~ at the start of a word (tilde expansion)")
        if char == "\\":
            current.append(line[i + 1] if i + 1 < n else "")
            i += 2
            in_word = True
            continue
        if char == "'":
            end = line.find("'", i + 1)
            if end < 0:
                act("an unterminated single-quoted string")
                end = n
            current.append(line[i + 1 : end])
            i = end + 1
            in_word = True
            continue
        if char == '"':
            i += 1
            while i < n and line[i] != '"':
                inner = line[i]
                if inner == "\\" and i + 1 < n and line[i + 1] in '$`"\\\n':
                    current.append(line[i + 1])
                    i += 2
                    continue
                if inner == "!":
                    act("! (history expansion) in a double-quoted string")
                if inner == "`":
                    act("` (command substitution)")
                if inner == "$":
                    if line.startswith("$(", i) and not line.startswith("$((", i):
                        nested_parsed, i = _bash(line, i + 2, nested=True)
                        parsed.substitutions.append(nested_parsed)
                        current.append("\0")  # the substitution's output, one word (quoted)
                        continue
                    if i + 1 < n and (line[i + 1].isalnum() or line[i + 1] in "_{(@*#?$!-"):
                        act("$ (expansion) in a double-quoted string")
                current.append(inner)
                i += 1
            if i >= n:
                act("an unterminated double-quoted string")
            i += 1
            in_word = True
            continue
        if char == "$":
            if line.startswith("$(", i) and not line.startswith("$((", i):
                act("$(...) unquoted (its output is split and globbed)")
                nested_parsed, i = _bash(line, i + 2, nested=True)
                parsed.substitutions.append(nested_parsed)
                current.append("\0")
                in_word = True
                continue
            act("$ (expansion)")
        elif char == "`":
            act("` (command substitution)")
        elif char in _OPERATORS:
            act(f"{char} (operator or redirection)")
            end_word()
            i += 1
            continue
        elif char in "*?[":
            act(f"{char} (pathname expansion)")
        elif char == "!":
            act("! (history expansion)")
        elif char == "{" and ("," in line[i:] or ".." in line[i:]) and "}" in line[i:]:
            act("{ (brace expansion)")
        current.append(char)
        in_word = True
        i += 1
    end_word()
    if nested:
        act("an unterminated $(")
    return parsed, i
