"""VQL values and vfilter's protocols on them: truth, equality, ordering, arithmetic, membership.

Representation: ``NULL`` (vfilter's ``types.Null``; Python ``None`` is treated the same), ``str``,
``int``, ``float``, ``bool``, ``list`` (Go slices; tuples are converted), ``dict`` (ordereddict,
mutable in place like Velociraptor's), `Timestamp` (Go ``time.Time``) and `GoUrl` (``url.URL``).
Lazy things (stored queries, stored expressions) live in `engine` and are reduced before a
protocol runs.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote


class NullType:
    """vfilter's ``types.Null``: falsy, equal only to itself, JSON ``null``."""

    _instance: NullType | None = None

    def __new__(cls) -> NullType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NULL"

    def __bool__(self) -> bool:
        return False


NULL: Final = NullType()


def is_null(value: object) -> bool:
    return value is None or value is NULL


@dataclass(frozen=True)
class Timestamp:
    """A Go ``time.Time`` (always UTC here)."""

    moment: _dt.datetime

    @classmethod
    def from_epoch(cls, seconds: float) -> Timestamp:
        return cls(_dt.datetime.fromtimestamp(seconds, tz=_dt.UTC))

    def epoch(self) -> float:
        return self.moment.timestamp()

    def rfc3339(self) -> str:
        text = self.moment.astimezone(_dt.UTC).isoformat()
        return text.replace("+00:00", "Z")

    def go_string(self) -> str:
        moment = self.moment.astimezone(_dt.UTC)
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
        if moment.microsecond:
            text += f".{moment.microsecond:06d}".rstrip("0")
        return text + " +0000 UTC"


class GoUrl:
    """Go's ``url.URL`` as Velociraptor's ``url()`` returns it: fields and a ``String`` method."""

    FIELDS: Final = ("Scheme", "Opaque", "User", "Host", "Path", "RawPath", "RawQuery", "Fragment")

    def __init__(
        self, scheme: str = "", host: str = "", path: str = "", query: str = "", fragment: str = ""
    ) -> None:
        self.Scheme = scheme
        self.Opaque = ""
        self.User = NULL
        self.Host = host
        self.Path = path
        self.RawPath = ""
        self.RawQuery = query
        self.Fragment = fragment

    @classmethod
    def parse(cls, text: str) -> GoUrl:
        scheme = ""
        rest = text
        head, sep, tail = text.partition(":")
        if sep and head and head[0].isalpha() and all(c.isalnum() or c in "+-." for c in head):
            scheme, rest = head.lower(), tail
        rest, _, fragment = rest.partition("#")
        rest, _, query = rest.partition("?")
        host = ""
        if rest.startswith("//"):
            authority, slash, path = rest[2:].partition("/")
            rest = slash + path
            host = authority.rpartition("@")[2]
        return cls(scheme=scheme, host=host, path=rest, query=query, fragment=fragment)

    def member(self, name: str) -> tuple[bool, Any]:
        if name in self.FIELDS:
            return True, getattr(self, name)
        if name == "String":
            return True, self.string()
        if name == "Hostname":
            return True, _hostname(self.Host)
        if name == "Port":
            return True, _port(self.Host)
        return False, NULL

    def string(self) -> str:
        out = ""
        if self.Scheme:
            out += self.Scheme + ":"
        if self.Scheme or self.Host:
            out += "//" + self.Host
        path = quote(self.Path, safe="/:@!$&'()*+,;=-._~")
        if path and not path.startswith("/") and self.Host:
            out += "/"
        out += path
        if self.RawQuery:
            out += "?" + self.RawQuery
        if self.Fragment:
            out += "#" + quote(self.Fragment, safe="/:@!$&'()*+,;=-._~?")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0]


def _port(host: str) -> str:
    if host.startswith("["):
        rest = host.partition("]")[2]
        return rest[1:] if rest.startswith(":") else ""
    _, sep, port = host.partition(":")
    return port if sep else ""


class Members:
    """Anything that exposes named members to VQL (rows from plugins, the scope)."""

    def member_names(self) -> list[str]:
        raise NotImplementedError

    def get_member(self, name: str) -> tuple[bool, Any]:
        raise NotImplementedError


# ---------------------------------------------------------------- numbers


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def to_int64(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    return None


def to_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


# ---------------------------------------------------------------- protocols


def truthy(value: Any, reducer: Callable[[Any], Any] | None = None) -> bool:
    """vfilter's Bool protocol. Numbers are true only when > 0."""
    if reducer is not None:
        value = reducer(value)
    if is_null(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value > 0
    if isinstance(value, str | list | dict | tuple):
        return len(value) > 0
    if isinstance(value, Timestamp | GoUrl):
        return True
    if isinstance(value, Members):
        return bool(value.member_names())
    return False


def eq(a: Any, b: Any) -> bool:
    """vfilter's Eq protocol."""
    if is_null(a):
        return is_null(b)
    if isinstance(a, str):
        if isinstance(b, str):
            return a == b
    elif isinstance(a, bool):
        if isinstance(b, bool):
            return a == b
    elif isinstance(a, float):
        rhs = to_float(b)
        if rhs is not None:
            return a == rhs
    elif isinstance(a, Timestamp):
        other = _to_time(b)
        if other is not None:
            return a.moment == other.moment
    lhs = to_int64(a)
    if lhs is not None and not isinstance(a, float):
        rhs_int = to_int64(b)
        if rhs_int is not None:
            if isinstance(b, float):
                return float(lhs) == b
            return lhs == rhs_int
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a is b or (list(a.keys()) == list(b.keys()) and all(eq(a[k], b[k]) for k in a))
    return False


def _to_time(value: Any) -> Timestamp | None:
    if isinstance(value, Timestamp):
        return value
    if is_number(value):
        return Timestamp.from_epoch(float(value))
    return None


def lt(a: Any, b: Any) -> bool:
    """vfilter's Lt protocol: numbers, strings and times; anything else is not less."""
    if is_number(a) and is_number(b):
        return bool(a < b)
    if isinstance(a, str) and isinstance(b, str):
        return a < b
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return other is not None and a.moment < other.moment
    return False


def gt(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return bool(a > b)
    if isinstance(a, str) and isinstance(b, str):
        return a > b
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return other is not None and a.moment > other.moment
    return False


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def add(a: Any, b: Any) -> Any:
    """vfilter's Add protocol (``protocol_add.go``)."""
    if isinstance(a, str):
        if isinstance(b, str):
            return a + b
    elif is_null(a):
        return NULL
    elif isinstance(a, int) and not isinstance(a, bool):
        if isinstance(b, int) and not isinstance(b, bool):
            return _wrap64(a + b)
        if isinstance(b, float):
            return a + b
    elif isinstance(a, float):
        rhs = to_float(b)
        if rhs is not None:
            return a + rhs
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return _as_list(a) + _as_list(b)
    return NULL


def sub(a: Any, b: Any) -> Any:
    """vfilter's Sub protocol: numbers only; times give seconds."""
    if is_number(a) and is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            return _wrap64(a - b)
        return float(a) - float(b)
    if isinstance(a, Timestamp):
        other = _to_time(b)
        if other is not None:
            return a.epoch() - other.epoch()
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return [x for x in a if not any(eq(x, y) for y in b)]
    return NULL


def mul(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            return _wrap64(a * b)
        return float(a) * float(b)
    return NULL


def div(a: Any, b: Any) -> Any:
    """vfilter's Div dispatcher (``protocols/protocol_div.go``): always a float, NULL on zero.

    Reproduced as written, including its quirk: when only the right operand is a float the
    result is ``b / a`` (``7 / 2.0`` gives 0.2857...), and the zero check is then on `a`.
    """
    if not (is_number(a) and is_number(b)):
        return NULL
    if isinstance(a, float):
        return NULL if b == 0 else a / float(b)
    if isinstance(b, float):
        return NULL if a == 0 else b / float(a)
    return NULL if b == 0 else float(a) / float(b)


def _wrap64(value: int) -> int:
    return ((value + 2**63) % 2**64) - 2**63


def membership(a: Any, b: Any) -> bool:
    """``a IN b``: element of a list, key of a dict, or substring... only lists and dicts."""
    if isinstance(b, list | tuple):
        return any(eq(a, item) for item in b)
    if isinstance(b, dict):
        return isinstance(a, str) and a in b
    if isinstance(b, str) and isinstance(a, str):
        return a in b
    return False


# ---------------------------------------------------------------- member access


def associative(value: Any, key: Any) -> tuple[bool, Any]:
    """vfilter's Associative protocol: ``value.key`` and ``value[key]``. Case-sensitive."""
    if is_null(value):
        return False, NULL
    if isinstance(key, str):
        if isinstance(value, dict):
            if key in value:
                return True, value[key]
            return False, NULL
        if isinstance(value, Members):
            return value.get_member(key)
        if isinstance(value, GoUrl):
            return value.member(key)
        if isinstance(value, Timestamp):
            return _time_member(value, key)
        if isinstance(value, list | tuple):
            # A list of dicts: the member of each element.
            return True, [associative(item, key)[1] for item in value]
        return False, NULL
    if isinstance(key, int) and not isinstance(key, bool):
        if isinstance(value, list | tuple | str):
            index = key + len(value) if key < 0 else key
            if 0 <= index < len(value):
                item = value[index]
                return True, item
            return False, NULL
        return False, NULL
    if isinstance(key, float):
        return associative(value, int(key))
    return False, NULL


def slice_value(value: Any, start: int | None, end: int | None) -> tuple[bool, Any]:
    if not isinstance(value, list | tuple | str):
        return False, NULL
    length = len(value)

    def clamp(bound: int | None, default: int) -> int:
        if bound is None:
            return default
        if bound < 0:
            bound += length
        return max(0, min(length, bound))

    lo, hi = clamp(start, 0), clamp(end, length)
    if hi < lo:
        hi = lo
    part = value[lo:hi]
    return True, list(part) if isinstance(part, tuple) else part


def _time_member(value: Timestamp, key: str) -> tuple[bool, Any]:
    moment = value.moment
    members: dict[str, Any] = {
        "Unix": int(moment.timestamp()),
        "UnixNano": int(moment.timestamp() * 1e9),
        "Year": moment.year,
        "Month": moment.month,
        "Day": moment.day,
        "Hour": moment.hour,
        "Minute": moment.minute,
        "Second": moment.second,
        "String": value.go_string(),
    }
    if key in members:
        return True, members[key]
    return False, NULL


def member_names(value: Any) -> list[str]:
    """vfilter's GetMembers: the column names a ``*`` copies."""
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, Members):
        return value.member_names()
    if isinstance(value, GoUrl):
        return list(GoUrl.FIELDS)
    return []


# ---------------------------------------------------------------- Go formatting


def go_type_name(value: Any) -> str:
    """What Go's ``%T`` prints for the value Velociraptor would hold."""
    if is_null(value):
        return "types.Null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "[]interface {}"
    if isinstance(value, dict):
        return "*ordereddict.Dict"
    if isinstance(value, Timestamp):
        return "time.Time"
    if isinstance(value, GoUrl):
        return "*url.URL"
    return "*ordereddict.Dict"


def go_float(value: float) -> str:
    """Go's ``%v`` for float64 (``strconv.FormatFloat(f, 'g', -1, 64)``): the shortest digits,
    in %e form when the decimal exponent is < -4 or >= 6 (``fmt.Println(1e6)`` is ``1e+06``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    exact = Decimal(repr(value))
    sign, digit_tuple, _ = exact.as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    exponent = exact.adjusted()
    prefix = "-" if sign else ""
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{prefix}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1 :]
    return prefix + whole + ("." + fraction if fraction else "")


def go_value(value: Any) -> str:
    """Go's ``%v`` of a value as Velociraptor holds it."""
    if value is None:
        return "<nil>"
    if value is NULL:
        return "Null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + " ".join(f"{k}:{go_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Timestamp):
        return value.go_string()
    if isinstance(value, GoUrl):
        return value.string()
    if isinstance(value, Members):
        return (
            "{"
            + " ".join(f"{k}:{go_value(value.get_member(k)[1])}" for k in value.member_names())
            + "}"
        )
    return str(value)


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "\a":
            out.append("\\a")
        elif char == "\b":
            out.append("\\b")
        elif char == "\f":
            out.append("\\f")
        elif char == "\v":
            out.append("\\v")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not char.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_sprintf(fmt: str, args: list[Any]) -> str:
    """Go's ``fmt.Sprintf`` for the verbs VQL uses: %v %s %d %q %x %X %f %T %%, flags and width."""
    out: list[str] = []
    arg_index = 0
    i = 0
    n = len(fmt)
    while i < n:
        char = fmt[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        i += 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        flags = ""
        while i < n and fmt[i] in "+-# 0":
            flags += fmt[i]
            i += 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        precision: str | None = None
        if i < n and fmt[i] == ".":
            i += 1
            precision = ""
            while i < n and fmt[i].isdigit():
                precision += fmt[i]
                i += 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[arg_index]
        arg_index += 1
        out.append(_pad(_format_verb(verb, arg, flags, precision), flags, width))
    if arg_index < len(args):
        extra = ", ".join(f"{go_type_name(a)}={go_value(a)}" for a in args[arg_index:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: str) -> str:
    if not width:
        return text
    size = int(width)
    if "-" in flags:
        return text.ljust(size)
    if "0" in flags and text[:1] in "-+" and text[1:].isdigit():
        return text[0] + text[1:].rjust(size - 1, "0")
    if "0" in flags and text.replace(".", "", 1).isdigit():
        return text.rjust(size, "0")
    return text.rjust(size)


def _bad(verb: str, arg: Any) -> str:
    return f"%!{verb}({go_type_name(arg)}={go_value(arg)})"


def _format_verb(verb: str, arg: Any, flags: str, precision: str | None) -> str:
    if verb == "v":
        if "+" in flags and isinstance(arg, int) and not isinstance(arg, bool):
            return f"{arg:+d}"
        return go_value(arg)
    if verb == "T":
        return go_type_name(arg)
    if verb == "s":
        if isinstance(arg, list | tuple):
            return "[" + " ".join(_format_verb("s", item, "", None) for item in arg) + "]"
        if isinstance(arg, str | Timestamp | GoUrl | dict) or is_null(arg):
            text = go_value(arg)
            return text[: int(precision)] if precision else text
        return _bad(verb, arg)
    if verb == "q":
        if isinstance(arg, str):
            return go_quote(arg)
        if isinstance(arg, list | tuple):
            return "[" + " ".join(_format_verb("q", item, "", None) for item in arg) + "]"
        if isinstance(arg, int) and not isinstance(arg, bool):
            return "'" + chr(arg) + "'"
        return _bad(verb, arg)
    if verb == "d":
        if isinstance(arg, int) and not isinstance(arg, bool):
            return f"{arg:+d}" if "+" in flags else str(arg)
        if isinstance(arg, list | tuple):
            return "[" + " ".join(_format_verb("d", item, flags, None) for item in arg) + "]"
        return _bad(verb, arg)
    if verb in "xX":
        if isinstance(arg, int) and not isinstance(arg, bool):
            text = format(arg, "x" if verb == "x" else "X")
            return ("0x" if verb == "x" else "0X") + text if "#" in flags else text
        if isinstance(arg, str):
            text = arg.encode("utf-8").hex()
            return text if verb == "x" else text.upper()
        return _bad(verb, arg)
    if verb in "feEgG":
        number = to_float(arg)
        if number is None:
            return _bad(verb, arg)
        if verb == "f":
            return f"{number:.{int(precision) if precision else 6}f}"
        if verb in "eE":
            text = f"{number:.{int(precision) if precision else 6}{verb}}"
            return text
        return go_float(number)
    if verb == "t":
        return go_value(arg) if isinstance(arg, bool) else _bad(verb, arg)
    return f"%!{verb}({go_type_name(arg)}={go_value(arg)})"


# ---------------------------------------------------------------- JSON


def to_json_value(value: Any) -> Any:
    """The plain data Velociraptor's JSON encoder would emit for a value."""
    if is_null(value):
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # encoding/json writes integral floats below 1e21 without a fraction ("3", not "3.0").
        if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
            return int(value)
        return value
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, Timestamp):
        return value.rfc3339()
    if isinstance(value, GoUrl):
        return to_json_value(value.as_dict())
    if isinstance(value, Members):
        return {k: to_json_value(value.get_member(k)[1]) for k in value.member_names()}
    return go_value(value)


def go_json_dumps(value: Any, *, indent: int | None = None) -> str:
    """``json.MarshalIndent`` spelling: HTML-safe escapes, UTF-8 kept."""
    text = json.dumps(to_json_value(value), indent=indent, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
