"""Writing values into YAML text: the only way a profile string reaches an artifact.

`to_yaml` serializes any plain value with PyYAML's safe dumper, so quoting and escaping are the
serializer's job, never the template's. Multi-line strings become literal blocks (``|``) when
YAML allows it (PyYAML falls back to a double-quoted scalar otherwise), and nothing is folded, so
the text stays readable and byte-identical from run to run.

libyaml's emitter (`CSafeDumper`, with the same representers) writes the same text as PyYAML's
pure-Python one for strings of the Basic Multilingual Plane, ten times faster; it escapes other
characters (emoji) where the Python emitter writes them raw, so those values take the Python
emitter and every artifact reads the same whatever PyYAML was built with (a test compares them).

Velociraptor's loader rewrites some lines before it parses an artifact (see
`generator.artifact.fixups`); a string that such a rewrite would change is written double-quoted,
on one line the rewrite cannot match.
"""

from __future__ import annotations

import functools
import re

import yaml

from ..yamlsource import CSafeDumper, SafeDumper

# No folding: a value is written on as few lines as its own newlines need.
_NO_WRAP = 1 << 30


class _Dumper(SafeDumper):
    """The safe dumper, with literal blocks for multi-line strings."""


# Characters that YAML readers treat as line breaks or byte-order marks (CR, NEL, LS, PS, BOM) are
# all non-printable to Python, as are the other control characters: PyYAML would otherwise write
# some of them raw (with allow_unicode) where they change the value read back. A double-quoted
# scalar escapes them all.
def _needs_escapes(data: str) -> bool:
    return not data.replace("\n", "").replace("\t", "").isprintable()


# Outside the Basic Multilingual Plane (or a lone surrogate): libyaml's emitter writes these
# differently, so such values take PyYAML's own emitter.
_NOT_BMP = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")


# A line of a literal block is written indented by at least one space, so these match exactly the
# content lines that the loader's fix-ups (`QUERY_RE`, `QUERIES_RE` in generator.artifact.fixups)
# would rewrite once indented.
_FIXED_UP_LINE = re.compile(
    r"(?i)[\t\f -]*(?:precondition|query):[\t\f ]*|[ ]*- +(?:SELECT|LET|//).*"
)
# A plain or single-quoted sequence item ``- <value>`` that the ``- SELECT`` fix-up would rewrite.
_FIXED_UP_ITEM = re.compile(r"(?i)(?:SELECT|LET|//)")


def _fixed_up_as_block(data: str) -> bool:
    return any(_FIXED_UP_LINE.fullmatch(line) for line in data.split("\n"))


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if _needs_escapes(data):
        style: str | None = '"'
    elif "\n" in data:
        style = '"' if _fixed_up_as_block(data) else "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_list(dumper: yaml.SafeDumper, data: list[object]) -> yaml.SequenceNode:
    node = dumper.represent_list(data)
    for item in node.value:
        if (
            isinstance(item, yaml.ScalarNode)
            and item.tag == "tag:yaml.org,2002:str"
            and item.style is None
            and _FIXED_UP_ITEM.match(item.value)
        ):
            item.style = '"'
    return node


_DUMPERS: list[type[SafeDumper]] = [_Dumper]
if CSafeDumper is not None:

    class _CDumper(CSafeDumper):  # type: ignore[valid-type,misc]
        """libyaml's emitter with the same representers."""

    _DUMPERS.append(_CDumper)
for _dumper in _DUMPERS:
    _dumper.add_representer(str, _represent_str)
    _dumper.add_representer(list, _represent_list)


def _dumper_for(value: object) -> type[SafeDumper]:
    """libyaml's emitter for what it writes exactly as PyYAML's does: a BMP string, or a list of
    them (the test compares the two emitters on those)."""
    strings = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if strings is None or not all(isinstance(s, str) and not _NOT_BMP.search(s) for s in strings):
        return _Dumper
    return _DUMPERS[-1]


def to_yaml(value: object, indent: int = 0, block: bool = False) -> str:
    """Serialize `value` for a template slot whose key is indented by `indent` spaces.

    A scalar is written to follow ``key: `` on the same line; with ``block=True`` a list or a
    mapping is written as a block below its key, indented by `indent` spaces.
    """
    if isinstance(value, str):
        return _string_to_yaml(value, indent, block)
    return _to_yaml(value, indent, block)


@functools.lru_cache(maxsize=64)
def _string_to_yaml(value: str, indent: int, block: bool) -> str:
    # The 30 kB query is the same for every profile with the same switches.
    text = _plain_ascii_text(value)
    if text is None:
        return _to_yaml(value, indent, block)
    return _indented(text, indent, block)


# A one-line string the emitter writes plain (as it is): ASCII with no character that YAML reads
# as an indicator here (no leading ``-?:,[]{}#&*!|>'"%@` ``, no ``: ``, no `` #``, no leading
# or trailing space). Whether it reads back as a string (not a number, a boolean, null...) is
# the resolver's question, asked below.
_PLAIN = re.compile(r"[A-Za-z0-9_/\\](?:[A-Za-z0-9_./\\,()+=@-]|:(?! |$)| (?! |$))*")
_LITERAL_BODY = re.compile(r"[\x20-\x7e\n]*")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _plain_ascii_text(value: str) -> str | None:
    """What the dumper writes for `value`, before indentation, for the common shapes of profile
    text (computed here, without the emitter: 10 to 50 times faster); None for any other string,
    which takes the dumper. Only plain ASCII and ASCII literal blocks without an indentation
    indicator; a test compares this with both emitters, character by character."""
    if "\n" not in value:
        if _PLAIN.fullmatch(value) is None:
            return None
        implicit = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        return value if implicit == _STR_TAG else None
    if (
        value[0] in " \n"  # an indentation indicator
        or value.endswith(" ")
        or " \n" in value  # spaces before a line break: double-quoted
        or _LITERAL_BODY.fullmatch(value) is None
        or _fixed_up_as_block(value)
    ):
        return None
    # Block chomping as the emitter picks it: strip (no final break), clip (one), keep (more).
    chomp = "+" if value.endswith("\n\n") else "" if value.endswith("\n") else "-"
    body = "\n".join(f"  {line}" if line else line for line in value.split("\n"))
    return f"|{chomp}\n{body}".removesuffix("\n")  # as `_to_yaml` trims the dumper's text


def _to_yaml(value: object, indent: int, block: bool) -> str:
    text = yaml.dump(
        value,
        Dumper=_dumper_for(value),
        allow_unicode=True,
        default_flow_style=False,
        sort_keys=False,
        width=_NO_WRAP,
    )
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return _indented(text.removesuffix("\n"), indent, block)


def _indented(text: str, indent: int, block: bool) -> str:
    pad = " " * indent
    lines = text.split("\n")
    if block:
        return "\n".join(pad + line if line else line for line in lines)
    return "\n".join([lines[0]] + [pad + line if line else line for line in lines[1:]])
