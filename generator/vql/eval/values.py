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
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from ..gostring import go_bytes, joined, well_formed

if TYPE_CHECKING:
    from .limits import Budget


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


class NilList(list):  # type: ignore[type-arg]
    """Go's nil ``[]Any``: what member access on a list gives when no element has the member.

    An empty list everywhere (``= []`` is true, ``= NULL`` false), but a column holding it is
    JSON ``null``, a materialized LET holding it is NULL, and a tuple, array or ``dict()``
    built from it holds an ordinary empty list (vfilter copies the value there)."""


class MaterializedQuery(list):  # type: ignore[type-arg]
    """A query's rows kept in memory (``LET x <= SELECT ...``; vfilter's in-memory
    materializer): a list for iteration, ``len``, indexing, slicing, ``+`` and JSON, but not for
    the ``=``, ``IN`` and ``=~`` protocols (it equals nothing, itself included), and a member
    of it is the member of every row, NULL where a row lacks it (``q.x``)."""


def copied(value: Any) -> Any:
    """A value as vfilter stores it in a new tuple, array or dict: a nil list becomes []."""
    return [] if isinstance(value, NilList) else value


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

    provides_default = False
    """True when, as a scope frame, it answers NULL for names it lacks (vfilter's lazy row)."""

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


def to_int64_arg(value: object) -> int | None:
    """vfilter's ``utils.ToInt64`` as its arg parser uses it: integers, floats (truncated
    toward zero) and booleans (1 or 0); None for anything else."""
    if isinstance(value, bool):
        return int(value)
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


def _num(value: Any) -> int | float | None:
    """A number as vfilter's comparison and arithmetic protocols read it: integers, floats and
    booleans (1 and 0); None for anything else."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def eq(a: Any, b: Any, *, velociraptor: bool = False) -> bool:
    """vfilter's ``EqDispatcher.Eq`` (``protocols/protocol_eq.go``), as the oracle answers it.

    NULL equals only NULL; strings equal strings; booleans equal booleans, and otherwise compare
    as 1/0 with integers and truncated floats (``TRUE = 1.5``); a float compares with any number
    or boolean as a float; an integer with a float as a float; lists element by element; dicts
    by keys and values. With `velociraptor`, Velociraptor's ``_BoolEq`` (``vql/protocols/
    protocols.go``): a boolean equals the strings "Y", "y", "TRUE", "True" when true.
    """
    if is_null(a):
        return is_null(b)
    if isinstance(a, MaterializedQuery) or isinstance(b, MaterializedQuery):
        return False
    if isinstance(a, str):
        return isinstance(b, str) and a == b
    if isinstance(a, bool):
        if isinstance(b, bool):
            return a == b
        if velociraptor and isinstance(b, str):
            return a == (b in ("Y", "y", "TRUE", "True"))
        rhs = to_int64_arg(b)
        return rhs is not None and int(a) == rhs
    if isinstance(a, float):
        rhs_float = _num(b)
        return rhs_float is not None and a == float(rhs_float)
    if isinstance(a, int):
        if isinstance(b, float):
            return float(a) == b
        rhs = to_int64_arg(b)
        return rhs is not None and a == rhs
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return other is not None and a.moment == other.moment
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(
            eq(x, y, velociraptor=velociraptor) for x, y in zip(a, b, strict=True)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(eq(a[k], b[k], velociraptor=velociraptor) for k in a)
    return False


def _to_time(value: Any) -> Timestamp | None:
    if isinstance(value, Timestamp):
        return value
    if is_number(value):
        return Timestamp.from_epoch(float(value))
    return None


def lt(a: Any, b: Any, *, velociraptor: bool = False) -> bool:
    """vfilter's ``LtDispatcher.Lt`` (``protocols/protocol_lt.go``), as the oracle answers it.

    Numbers and booleans (1/0) compare as numbers; strings with strings; times with times; any
    other non-NULL value (a string, list, dict, query) is less than any integer (not a float or
    boolean): ``"a" < 10`` is true, and so is ``"a" > 10``. With `velociraptor`, two lists
    compare by their first elements, an empty list being the smallest (Velociraptor's
    ``_SliceLt``, ``vql/protocols/slice.go``).
    """
    if is_null(a) or is_null(b):
        return False
    lhs, rhs = _num(a), _num(b)
    if lhs is not None:
        return rhs is not None and lhs < rhs
    if isinstance(a, str) and isinstance(b, str):
        return a < b
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return other is not None and a.moment < other.moment
    if velociraptor and isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if not a:
            return True
        if not b:
            return False
        return lt(a[0], b[0], velociraptor=True)
    return _is_int(b)


def gt(a: Any, b: Any) -> bool:
    """vfilter's ``GtDispatcher.Gt`` (``protocols/protocol_gt.go``), as the oracle answers it.

    Not the mirror of `lt`: an integer is greater only than integers and floats (never than a
    boolean); a float than any number or boolean; a boolean compares as 1/0 with floats, but
    against an integer the answer is reversed (``FALSE > 1`` is true, ``TRUE > 0`` false, a
    quirk of vfilter's integer fallback); strings with strings; any other non-NULL value is
    greater than any integer (``"a" > 10``). Velociraptor registers no ``Gt`` protocol.
    """
    if is_null(a) or is_null(b):
        return False
    if isinstance(a, bool):
        if isinstance(b, float):
            return int(a) > b
        if _is_int(b):
            return bool(int(a) < b)
        return False
    if isinstance(a, float):
        rhs = _num(b)
        return rhs is not None and a > rhs
    if isinstance(a, int):
        return isinstance(b, int | float) and not isinstance(b, bool) and a > b
    if isinstance(a, str) and isinstance(b, str):
        return a > b
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return other is not None and a.moment > other.moment
    return _is_int(b)


def add(a: Any, b: Any, *, velociraptor: bool = False) -> Any:
    """vfilter's ``AddDispatcher.Add`` (``protocols/protocol_add.go``), as the oracle answers it.

    NULL + anything is NULL; strings concatenate; integers add (int64, wrapping), a float adds
    any number or boolean, an integer adds a float but not a boolean; a list on the left gets
    the right value appended (its items when it is a list); any other value (not NULL) followed
    by a list is prepended to it; anything else is NULL. With `velociraptor`, two dicts merge
    (Velociraptor's ``_AddDict``, ``vql/protocols/dict.go``). Stored queries are handled by the
    evaluator (vfilter's ``_StoredQueryAdd``).
    """
    if is_null(a):
        return NULL
    if isinstance(a, list | tuple):
        return [*a, *(b if isinstance(b, list | tuple) else [b])]
    if isinstance(b, list | tuple):
        return [a, *b]
    if isinstance(a, str):
        return joined(a + b) if isinstance(b, str) else NULL
    if isinstance(a, bool):
        return NULL
    if isinstance(a, float):
        rhs = _num(b)
        return NULL if rhs is None else a + rhs
    if isinstance(a, int):
        if _is_int(b):
            return _wrap64(a + b)
        if isinstance(b, float):
            return a + b
        return NULL
    if velociraptor and isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    return NULL


def _arith(a: Any, b: Any, op: Callable[[Any, Any], Any]) -> Any:
    lhs, rhs = _num(a), _num(b)
    if lhs is None or rhs is None:
        return NULL
    if isinstance(lhs, int) and isinstance(rhs, int):
        return _wrap64(op(lhs, rhs))
    return float(op(float(lhs), float(rhs)))


def sub(a: Any, b: Any) -> Any:
    """vfilter's ``SubDispatcher.Sub`` (``protocols/protocol_sub.go``): numbers and booleans
    (1/0), an integer result when neither is a float; two times give seconds; else NULL."""
    if isinstance(a, Timestamp):
        other = _to_time(b)
        return NULL if other is None else a.epoch() - other.epoch()
    return _arith(a, b, lambda x, y: x - y)


STRING_LIMIT = 100_000_000
"""vfilter refuses to build a string longer than this by multiplication (``protocol_mul.go``)."""


def mul(
    a: Any, b: Any, log: Callable[[str], None] | None = None, budget: Budget | None = None
) -> Any:
    """vfilter's ``MulDispatcher.Mul`` (``protocols/protocol_mul.go``): numbers and booleans
    (1/0); a string times a number (truncated) or boolean repeats it, with vfilter's memory
    check (over 100,000,000 bytes, or a negative count, is logged and NULL); else NULL. A
    string under vfilter's bound but over the `budget`'s ``value_size`` stops the run before it
    is built."""
    if isinstance(a, str):
        count = to_int64_arg(b)
        if count is None:
            return NULL
        size = len(go_bytes(a))
        total = size * count
        if count < 0 or total > STRING_LIMIT:
            if log is not None and size:
                shown = total % 2**64 if count < 0 else total
                log(
                    f"Multiply Str x Int exceeded memory limits. Len Str {size} * Count "
                    f"{count} = {shown}"
                )
            return NULL
        if budget is not None:
            budget.check_length(len(a) * count, what="a repeated string")
        return a * count
    return _arith(a, b, lambda x, y: x * y)


def div(a: Any, b: Any) -> Any:
    """vfilter's ``DivDispatcher.Div`` (``protocols/protocol_div.go``): numbers and booleans
    (1/0), always a float, NULL on division by zero. Reproduced as the oracle answers it,
    quirk included: when only the right operand is a float, the zero check is on the LEFT
    operand (``0 / 1.5`` is NULL)."""
    lhs, rhs = _num(a), _num(b)
    if lhs is None or rhs is None:
        return NULL
    if not isinstance(lhs, float) and isinstance(rhs, float):
        return NULL if lhs == 0 else lhs / rhs
    return NULL if rhs == 0 else float(lhs) / float(rhs)


def _wrap64(value: int) -> int:
    return ((value + 2**63) % 2**64) - 2**63


def membership(a: Any, b: Any, *, velociraptor: bool = False) -> bool:
    """vfilter's ``MembershipDispatcher`` (``protocols/protocol_membership.go``): ``a IN b`` is
    an element of a list (by the ``=`` protocol), a key of a dict, or a substring of a string;
    anything else (a stored query included: it is not run) is false."""
    if isinstance(b, MaterializedQuery):
        return False
    if isinstance(b, list | tuple):
        return any(eq(a, item, velociraptor=velociraptor) for item in b)
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
            return _dict_pseudo_field(value, key)
        if isinstance(value, Members):
            return value.get_member(key)
        if isinstance(value, GoUrl):
            return value.member(key)
        if isinstance(value, Timestamp):
            return _time_member(value, key)
        if isinstance(value, MaterializedQuery):
            return True, [copied(associative(row, key)[1]) for row in value]
        if isinstance(value, list | tuple):
            # vfilter: the member of every element that has it (a NULL element gives NULL, a
            # list its own members); found when there is any. None is a nil list.
            members: list[Any] = []
            for item in value:
                if is_null(item):
                    members.append(NULL)
                    continue
                found, member = associative(item, key)
                if found or isinstance(item, list | tuple):
                    members.append(copied(member))
            return bool(members), members if members else NilList()
        return False, NULL
    if isinstance(key, int) and not isinstance(key, bool):
        if isinstance(value, str):
            # Indexing a string gives a byte (Go indexes a string's UTF-8 bytes).
            data = go_bytes(value)
            index = key + len(data) if key < 0 else key
            if 0 <= index < len(data):
                return True, data[index]
            return False, NULL
        if isinstance(value, list | tuple):
            index = key + len(value) if key < 0 else key
            if 0 <= index < len(value):
                item = value[index]
                return True, item
            return False, NULL
        return False, NULL
    if isinstance(key, float):
        return associative(value, int(key))
    return False, NULL


def _dict_pseudo_field(value: dict[str, Any], key: str) -> tuple[bool, Any]:
    """vfilter's ordereddict associative (``protocols/ordereddict.go``): ``@Keys``, ``@Values``,
    ``@Len`` and ``@String`` (compact JSON) of a dict that has no such key."""
    if key == "@Keys":
        return True, list(value)
    if key == "@Values":
        return True, list(value.values())
    if key == "@Len":
        return True, len(value)
    if key == "@String":
        return True, go_json_dumps(value, compact=True)
    return False, NULL


def slice_value(value: Any, start: int | None, end: int | None) -> tuple[bool, Any]:
    if isinstance(value, NilList):
        return True, NilList()
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


_QUOTED = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")
"""The characters `go_quote` may have to escape: all but printable ASCII, the double quote and
the backslash included."""
_QUOTE_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}


def _quote_char(match: re.Match[str]) -> str:
    char = match.group()
    escaped = _QUOTE_ESCAPES.get(char)
    if escaped is not None:
        return escaped
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an invalid byte (`gostring`): strconv writes \xHH
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:  # no Go string holds a surrogate: U+FFFD, printable
        return "\ufffd"
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if not char.isprintable():
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``."""
    return '"' + _QUOTED.sub(_quote_char, text) + '"'


def go_quote_rune(code: int) -> str:
    """``fmt``'s ``%q`` of an integer (``fmtQc``, then ``strconv.QuoteRune``): a code past
    U+10FFFF (a negative one included: fmt reads it unsigned) or a surrogate is U+FFFD; inside
    single quotes, ``'`` is escaped and ``"`` is not."""
    if not 0 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    char = chr(code)
    if char in "'\"":
        return "'\\''" if char == "'" else "'\"'"
    return "'" + _QUOTED.sub(_quote_char, char) + "'"


_GO_FMT_MAX = 1_000_000
"""Go's ``fmt`` refuses a width or precision number once it has passed this (``tooLarge``)."""


def _go_parsenum(fmt: str, start: int) -> tuple[str, int]:
    """Go's ``fmt.parsenum``: the digits at `start` (as text, "" when none) and the index after
    them. A number that grows past a million before its last digit is an overflow: no number,
    and the rest of the format is consumed (so the verb is missing: ``%!(NOVERB)``)."""
    n = len(fmt)
    num = 0
    i = start
    while i < n and "0" <= fmt[i] <= "9":
        if num > _GO_FMT_MAX:
            return "", n
        num = num * 10 + ord(fmt[i]) - 48
        i += 1
    return (str(num) if i > start else ""), i


def go_sprintf(fmt: str, args: list[Any], budget: Budget | None = None) -> str:
    """Go's ``fmt.Sprintf`` for the verbs VQL uses: %v %s %d %q %x %X %f %T %%, flags, width
    and precision (``fmt/print.go``: a width or precision past a million is no number). With a
    `budget`, a width, precision or result longer than its ``value_size`` stops the run before
    the string is built."""
    out: list[str] = []
    length = 0
    arg_index = 0
    i = 0
    n = len(fmt)
    while i < n:
        percent = fmt.find("%", i)
        if percent < 0:
            out.append(fmt[i:])
            break
        if percent > i:
            out.append(fmt[i:percent])
            length += percent - i
        i = percent + 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        flags = ""
        while i < n and fmt[i] in "+-# 0":
            flags += fmt[i]
            i += 1
        width, i = _go_parsenum(fmt, i)
        precision: str | None = None
        if i + 1 < n and fmt[i] == ".":
            digits, i = _go_parsenum(fmt, i + 1)
            precision = digits or "0"
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            length += 1
            continue
        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[arg_index]
        arg_index += 1
        if budget is not None:
            budget.check_length(
                length + max(int(width or 0), int(precision or 0)), what="format() of a string"
            )
        text = _pad(_format_verb(verb, arg, flags, precision), flags, width)
        length += len(text)
        if budget is not None:
            budget.check_length(length, what="format() of a string")
        out.append(text)
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
            return go_quote_rune(arg)
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
            text = go_bytes(arg).hex()
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
    """The plain data Velociraptor's JSON encoder would emit for a value. Strings are "coerced to
    valid UTF-8, replacing invalid bytes with the Unicode replacement rune" (Go's
    ``encoding/json`` ``Marshal``)."""
    if is_null(value) or isinstance(value, NilList):
        return None
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        # encoding/json writes integral floats below 1e21 without a fraction ("3", not "3.0").
        if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
            return int(value)
        return value
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {well_formed(str(k)): to_json_value(v) for k, v in value.items()}
    if isinstance(value, Timestamp):
        return value.rfc3339()
    if isinstance(value, GoUrl):
        return to_json_value(value.as_dict())
    if isinstance(value, Members):
        return {well_formed(k): to_json_value(value.get_member(k)[1]) for k in value.member_names()}
    return well_formed(go_value(value))


def go_json_dumps(value: Any, *, indent: int | None = None, compact: bool = False) -> str:
    """``json.MarshalIndent`` spelling (``json.Marshal``'s when `compact`): HTML-safe escapes,
    UTF-8 kept."""
    separators = (",", ":") if compact else None
    text = json.dumps(
        to_json_value(value), indent=indent, ensure_ascii=False, separators=separators
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
