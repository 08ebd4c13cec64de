"""The Windows Task Scheduler as the simulated endpoint sees it: ``schtasks.exe`` and the tasks.

Windows-specific. Sources (Microsoft Learn): "schtasks create" and "schtasks delete" (``/TN``,
``/XML``, ``/F``; without ``/F`` an existing task is not replaced); the Task Scheduler schema
(``TimeTrigger``/``StartBoundary`` in ``YYYY-MM-DDTHH:MM:SS(+-)HH:MM``, ``Principal``/``UserId``
S-1-5-18 is SYSTEM, ``Settings``/``StartWhenAvailable`` runs a missed start as soon as possible,
``Exec``/``Command`` and ``Arguments``); Task Scheduler 2.0 keeps each registered task as a file
under ``C:\\Windows\\System32\\Tasks\\<folder>\\<name>``; and "Parsing C++ command-line
arguments" for how the action's Arguments reach the program (CommandLineToArgvW rules).
schtasks' messages are localised; the simulator's are English and marked "(simulated)".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

TASKS_ROOT = "C:\\Windows\\System32\\Tasks"
_NS = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"
_BOUNDARY = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?$")


@dataclass
class Task:
    name: str
    """Its full path, e.g. ``\\vr-quarantine\\X until 20261205T180000Z``."""
    start: float
    command: str
    arguments: str
    user_id: str
    start_when_available: bool
    ran_at: float | None = None
    result: tuple[int, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start,
            "command": self.command,
            "arguments": self.arguments,
            "user": self.user_id,
            "start_when_available": self.start_when_available,
            "ran_at": self.ran_at,
            "result": list(self.result) if self.result else None,
        }


class TaskError(Exception):
    pass


def command_line_to_argv(line: str) -> list[str]:
    """CommandLineToArgvW's rules for the arguments part: spaces separate; "..." groups;
    2n backslashes before a quote give n backslashes and the quote opens or closes; 2n+1 give n
    backslashes and a literal quote; other backslashes are literal."""
    argv: list[str] = []
    current: list[str] = []
    in_quotes = False
    have = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\":
            count = 0
            while index < len(line) and line[index] == "\\":
                count += 1
                index += 1
            if index < len(line) and line[index] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    index += 1
                have = True
                continue
            current.append("\\" * count)
            have = True
            continue
        if char == '"':
            in_quotes = not in_quotes
            have = True
        elif char in " \t" and not in_quotes:
            if have:
                argv.append("".join(current))
                current, have = [], False
        else:
            current.append(char)
            have = True
        index += 1
    if have:
        argv.append("".join(current))
    return argv


def _text(root: ElementTree.Element, path: str) -> str:
    found = root.find("/".join(_NS + part for part in path.split("/")))
    return (found.text or "").strip() if found is not None else ""


def parse_task_xml(xml: str, name: str) -> Task:
    """The parts of a task definition the simulator runs; anything malformed is refused as
    schtasks refuses it ("The task XML is malformed")."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise TaskError(f"ERROR: The task XML is malformed. ({exc})") from None
    if root.tag != _NS + "Task":
        raise TaskError("ERROR: The task XML is malformed. (no Task element in the schema)")
    boundary = _text(root, "Triggers/TimeTrigger/StartBoundary")
    match = _BOUNDARY.match(boundary)
    if not match:
        raise TaskError(
            f"ERROR: The task XML contains a value which is incorrectly formatted: "
            f"StartBoundary {boundary!r}"
        )
    when = dt.datetime.fromisoformat(match.group(1))
    zone = match.group(2) or ""
    if zone in ("", "Z"):
        when = when.replace(tzinfo=dt.UTC)
    else:
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        when = when.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))
    command = _text(root, "Actions/Exec/Command")
    if not command:
        raise TaskError("ERROR: The task XML is missing a required element: Exec/Command")
    return Task(
        name=name,
        start=when.timestamp(),
        command=command,
        arguments=_text(root, "Actions/Exec/Arguments"),
        user_id=_text(root, "Principals/Principal/UserId"),
        start_when_available=_text(root, "Settings/StartWhenAvailable").lower() == "true",
    )


@dataclass
class TaskScheduler:
    """Registered tasks by full name; `files` gives the temp files schtasks /XML can read."""

    tasks: dict[str, Task] = field(default_factory=dict)

    def schtasks(self, argv: list[str], read_file: Callable[[str], str | None]) -> tuple[int, str]:
        """Run ``schtasks.exe``: /Create /TN name /XML file [/F], or /Delete /TN name /F."""
        words = argv[1:]
        upper = [w.upper() for w in words]

        def value(option: str) -> str:
            if option not in upper or upper.index(option) + 1 >= len(words):
                raise TaskError(f"ERROR: Invalid syntax. Mandatory option '{option}' is missing.")
            return words[upper.index(option) + 1]

        try:
            if "/CREATE" in upper:
                name = _normal(value("/TN"))
                path = value("/XML")
                xml = read_file(path)
                if xml is None:
                    raise TaskError("ERROR: The system cannot find the file specified.")
                if name.lower() in (n.lower() for n in self.tasks) and "/F" not in upper:
                    raise TaskError("ERROR: Cannot create a file when that file already exists.")
                task = parse_task_xml(xml, name)
                self.tasks = {k: v for k, v in self.tasks.items() if k.lower() != name.lower()}
                self.tasks[name] = task
                return 0, f'SUCCESS: The scheduled task "{name}" was created. (simulated)'
            if "/DELETE" in upper:
                name = _normal(value("/TN"))
                for existing in list(self.tasks):
                    if existing.lower() == name.lower():
                        del self.tasks[existing]
                        return 0, f'SUCCESS: The scheduled task "{name}" was deleted. (simulated)'
                raise TaskError("ERROR: The system cannot find the file specified.")
        except TaskError as error:
            return 1, f"{error} (simulated)"
        raise TaskError("only schtasks /Create /XML and /Delete are simulated")

    def files(self) -> dict[str, Task]:
        """Each task as the file Task Scheduler keeps for it."""
        return {TASKS_ROOT + name: task for name, task in self.tasks.items()}

    def due(self, now: float) -> list[Task]:
        return [t for t in self.tasks.values() if t.ran_at is None and t.start <= now]


def _normal(name: str) -> str:
    name = name.replace("/", "\\")
    return name if name.startswith("\\") else "\\" + name
