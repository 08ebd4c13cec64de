"""A model of ``netsh ipsec static``'s local store, driven by the commands an artifact runs.

Sources: Microsoft Learn, "netsh ipsec" (windows-server/administration/windows-commands: the
syntax and the address forms, IPv4 and IPv6), the Windows Server 2003 IPsec documents and the
XP help quoted in ``../shared/reference/netsh-ipsec.md`` (netsh-ipsec reference notes).

It keeps what the commands create (policies, filter lists and their filters, filter actions,
rules, the assigned policy) and answers each command with a return code and output. Behaviour
taken from the reference notes: ``add filter`` creates its filter list when missing; assigning a
policy unassigns the current one; deleting a policy removes it and its rules (whether it also
removes the filter lists and actions is not documented, so they stay). The texts of netsh's
messages are localised on real hosts; the simulator's are marked "(simulated)" and keep netsh's
``ERR IPsec[...]`` prefix, which is not localised.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .network import is_ip, is_ipv6

SERVER_KEYWORDS = ("dns", "wins", "dhcp", "gateway")
ACTIONS = ("permit", "block", "negotiate")
PROTOCOLS = {"any": None, "icmp": 1, "tcp": 6, "udp": 17, "raw": 255}


@dataclass
class Filter:
    srcaddr: str = "me"
    srcmask: str = ""
    srcport: int = 0
    dstaddr: str = "any"
    dstmask: str = ""
    dstport: int = 0
    protocol: str = "any"
    mirrored: bool = True
    description: str = ""
    addresses: tuple[str, ...] = ()
    """The resolved destination addresses (a DNS name is resolved once, at creation)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "srcaddr": self.srcaddr,
            "srcmask": self.srcmask,
            "srcport": self.srcport,
            "dstaddr": self.dstaddr,
            "dstmask": self.dstmask,
            "dstport": self.dstport,
            "protocol": self.protocol,
            "mirrored": self.mirrored,
            "description": self.description,
        }


@dataclass
class Rule:
    policy: str
    filterlist: str
    filteraction: str


@dataclass
class NetshState:
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    filterlists: dict[str, list[Filter]] = field(default_factory=dict)
    filteractions: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    assigned: str | None = None
    created: int = 0

    def registry(self) -> dict[str, dict[str, Any]]:
        """The store as the registry shows it under ...\\IPSec\\Policy\\Local: one key per
        policy (ipsecName, description), per rule (``ipsecNFA{GUID}``, ipsecName) and per filter
        list (``ipsecFilter{GUID}``, ipsecName), and ActivePolicy, the assigned policy's key
        path. Microsoft documents these object classes and their ipsecName for the directory
        store ([MS-GPIPSEC] 2.2.1.4 ipsecNFA, 2.2.1.5 ipsecFilter object descriptions); that the
        local store keeps the same keys and values in the registry is unverified (netsh-ipsec
        notes 1.2 say static policy is kept in the registry). The GUIDs here are derived from
        the names (a real store's are random)."""
        keys: dict[str, dict[str, Any]] = {
            info["key"]: {"ipsecName": name, "description": info["description"]}
            for name, info in self.policies.items()
        }
        for kind, names in (("ipsecNFA", self.rules), ("ipsecFilter", self.filterlists)):
            for name in names:
                guid = uuid.uuid5(uuid.NAMESPACE_URL, f"vrq-sim/{kind}/{name}")
                keys[kind + "{" + str(guid) + "}"] = {"ipsecName": name}
        local: dict[str, Any] = {}
        if self.assigned is not None and self.assigned in self.policies:
            local["ActivePolicy"] = (
                "SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\"
                + self.policies[self.assigned]["key"]
            )
        keys[""] = local
        return keys

    def as_dict(self) -> dict[str, Any]:
        return {
            "assigned_policy": self.assigned,
            "policies": sorted(self.policies),
            "filterlists": {
                name: [f.as_dict() for f in filters] for name, filters in self.filterlists.items()
            },
            "filteractions": dict(self.filteractions),
            "rules": {
                name: {
                    "policy": r.policy,
                    "filterlist": r.filterlist,
                    "filteraction": r.filteraction,
                }
                for name, r in self.rules.items()
            },
        }


class NetshError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Resolver = Callable[[str], list[str]]


def _options(words: list[str]) -> dict[str, str]:
    """``key=value`` words (keys case-insensitive); a bare word is an error."""
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            raise NetshError("05001", f"the parameter {word!r} is not of the form name=value")
        options[key.lower()] = value
    return options


def _yes(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("y", "yes"):
        return True
    if lowered in ("n", "no"):
        return False
    raise NetshError("05002", f"{value!r} is not yes or no")


def _port(value: str) -> int:
    if value == "":
        return 0
    try:
        port = int(value, 10)
    except ValueError:
        raise NetshError("05011", f"invalid port {value!r}") from None
    if not 0 <= port <= 65535:
        raise NetshError("05011", f"invalid port {value!r}")
    return port


class Netsh:
    """Executes ``netsh ipsec static`` argument lists against a `NetshState`."""

    def __init__(self, state: NetshState, resolve: Resolver) -> None:
        self.state = state
        self.resolve = resolve

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        """(return code, stdout, stderr) for one command."""
        try:
            message = self._dispatch(argv)
        except NetshError as error:
            return 1, f"ERR IPsec[{error.code}] : (simulated) {error.message}\n", ""
        return 0, message, ""

    def _dispatch(self, argv: list[str]) -> str:
        words = [w for w in argv[1:]]
        if len(words) < 4 or [w.lower() for w in words[:2]] != ["ipsec", "static"]:
            raise NetshError("05000", "only `netsh ipsec static <verb> <object>` is simulated")
        verb, noun = words[2].lower(), words[3].lower()
        options = _options(words[4:])
        handler = getattr(self, f"_{verb}_{noun}", None)
        if handler is None:
            raise NetshError("05000", f"`{verb} {noun}` is not simulated")
        result: str = handler(options)
        return result

    # -------------------------------------------------------------- policies

    def _need(self, options: dict[str, str], key: str) -> str:
        value = options.get(key, "")
        if not value:
            raise NetshError("05003", f"the parameter {key}= is required")
        return value

    def _add_policy(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name in self.state.policies:
            raise NetshError("05019", f"a policy named {name!r} already exists")
        self.state.created += 1
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"vrq-sim/{self.state.created}/{name}")
        self.state.policies[name] = {
            "description": options.get("description", ""),
            "key": "ipsecPolicy{" + str(guid) + "}",
        }
        if _yes(options.get("assign", "no")):
            self.state.assigned = name
        return ""

    def _set_policy(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name not in self.state.policies:
            raise NetshError("05072", f"no policy named {name!r} in the store")
        if "assign" in options:
            if _yes(options["assign"]):
                self.state.assigned = name
            elif self.state.assigned == name:
                self.state.assigned = None
        return ""

    def _show_policy(self, options: dict[str, str]) -> str:
        """``show policy name=<string>`` (Microsoft, "netsh ipsec" static commands): read-only;
        an unknown name is an error. The listing's text is localised on real hosts (netsh-ipsec
        notes 1.5): the simulator's is a marked stand-in, and only the return code and the
        ``ERR IPsec[`` prefix are meant to be read."""
        name = self._need(options, "name")
        if name not in self.state.policies:
            raise NetshError("05072", f"no policy named {name!r} in the store")
        assigned = "YES" if self.state.assigned == name else "NO"
        return f"(simulated listing) Policy Name : {name}\nAssigned : {assigned}\n"

    def _delete_policy(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name not in self.state.policies:
            raise NetshError("05072", f"no policy named {name!r} in the store")
        del self.state.policies[name]
        for rule_name in [n for n, r in self.state.rules.items() if r.policy == name]:
            del self.state.rules[rule_name]
        if self.state.assigned == name:
            self.state.assigned = None
        return ""

    # -------------------------------------------------------------- filter lists and filters

    def _add_filterlist(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name in self.state.filterlists:
            raise NetshError("05020", f"a filter list named {name!r} already exists")
        self.state.filterlists[name] = []
        return ""

    def _delete_filterlist(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name not in self.state.filterlists:
            raise NetshError("05073", f"no filter list named {name!r} in the store")
        if any(r.filterlist == name for r in self.state.rules.values()):
            raise NetshError("05074", f"filter list {name!r} is used by a rule")
        del self.state.filterlists[name]
        return ""

    def _address(self, value: str, what: str) -> tuple[str, tuple[str, ...]]:
        lowered = value.lower()
        if lowered in ("me", "any") or lowered in SERVER_KEYWORDS:
            return lowered, ()
        if is_ip(value):
            return value, (value,)
        if "-" in value and all(is_ip(part) for part in value.split("-", 1)):
            return value, ()
        valid_name = all(part and (part.replace("-", "").isalnum()) for part in value.split("."))
        if not valid_name:
            raise NetshError("05015", f"{what}={value} is not a valid address")
        addresses = tuple(self.resolve(value))
        if not addresses:
            raise NetshError("05016", f"{what}={value} could not be resolved")
        return value, addresses

    def _add_filter(self, options: dict[str, str]) -> str:
        name = self._need(options, "filterlist")
        srcaddr, _ = self._address(self._need(options, "srcaddr"), "srcaddr")
        dstaddr, addresses = self._address(self._need(options, "dstaddr"), "dstaddr")
        protocol = options.get("protocol", "any").lower()
        if protocol not in PROTOCOLS and not protocol.isdigit():
            raise NetshError("05012", f"protocol={protocol} is not valid")
        for mask_key in ("srcmask", "dstmask"):
            mask = options.get(mask_key, "")
            if mask and not (mask.isdigit() and 1 <= int(mask) <= 32) and not is_ip(mask):
                raise NetshError("05013", f"{mask_key}={mask} is not valid")
        new = Filter(
            srcaddr=srcaddr,
            srcmask=options.get("srcmask", ""),
            srcport=_port(options.get("srcport", "")),
            dstaddr=dstaddr,
            dstmask=options.get("dstmask", ""),
            dstport=_port(options.get("dstport", "")),
            protocol=protocol,
            mirrored=_yes(options.get("mirrored", "yes")),
            description=options.get("description", ""),
            addresses=addresses,
        )
        self.state.filterlists.setdefault(name, []).append(new)
        return ""

    # -------------------------------------------------------------- actions and rules

    def _add_filteraction(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        action = options.get("action", "negotiate").lower()
        if action not in ACTIONS:
            raise NetshError("05014", f"action={action} is not permit, block or negotiate")
        if name in self.state.filteractions:
            raise NetshError("05021", f"a filter action named {name!r} already exists")
        self.state.filteractions[name] = action
        return ""

    def _delete_filteraction(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name not in self.state.filteractions:
            raise NetshError("05075", f"no filter action named {name!r} in the store")
        if any(r.filteraction == name for r in self.state.rules.values()):
            raise NetshError("05076", f"filter action {name!r} is used by a rule")
        del self.state.filteractions[name]
        return ""

    def _add_rule(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        policy = self._need(options, "policy")
        filterlist = self._need(options, "filterlist")
        filteraction = self._need(options, "filteraction")
        if policy not in self.state.policies:
            raise NetshError("05072", f"no policy named {policy!r} in the store")
        if filterlist not in self.state.filterlists:
            raise NetshError("05073", f"no filter list named {filterlist!r} in the store")
        if filteraction not in self.state.filteractions:
            raise NetshError("05075", f"no filter action named {filteraction!r} in the store")
        if name in self.state.rules:
            raise NetshError("05022", f"a rule named {name!r} already exists")
        self.state.rules[name] = Rule(policy, filterlist, filteraction)
        return ""

    def _delete_rule(self, options: dict[str, str]) -> str:
        name = self._need(options, "name")
        if name not in self.state.rules:
            raise NetshError("05077", f"no rule named {name!r} in the store")
        del self.state.rules[name]
        return ""


def _specificity(item: Filter) -> tuple[int, int, int]:
    address = 0 if item.dstaddr in ("any", "me") else (1 if item.dstmask else 2)
    return (address, 1 if item.dstport else 0, 0 if item.protocol == "any" else 1)


def _matches(
    item: Filter, address: str, port: int, protocol: str, any_covers_ipv6: bool = True
) -> bool:
    if item.dstaddr == "any" and not any_covers_ipv6 and is_ipv6(address):
        return False
    if item.dstaddr != "any":
        if item.dstaddr in SERVER_KEYWORDS or item.dstaddr == "me":
            return False
        if item.addresses:
            if item.dstmask and item.dstmask.isdigit():
                network = ipaddress.ip_network(f"{item.addresses[0]}/{item.dstmask}", strict=False)
                if not is_ip(address) or ipaddress.ip_address(address) not in network:
                    return False
            elif address not in item.addresses:
                return False
        elif "-" in item.dstaddr:
            low, high = (ipaddress.ip_address(p) for p in item.dstaddr.split("-", 1))
            if not is_ip(address):
                return False
            target = ipaddress.ip_address(address)
            if not (low.version == high.version == target.version):
                return False
            if not int(low) <= int(target) <= int(high):
                return False
    if item.dstport and item.dstport != port:
        return False
    return item.protocol in ("any", protocol, str(PROTOCOLS.get(protocol)))


def decide(
    state: NetshState,
    address: str,
    port: int,
    protocol: str = "tcp",
    *,
    any_covers_ipv6: bool = True,
) -> str | None:
    """What the assigned policy does to an outbound connection: permit, block, or None (no
    filter matches, or no policy). The most specific matching filter wins: Windows orders a
    policy's filters from most to least specific (HP-UX IPsec manual, Windows interop chapter;
    netsh-ipsec reference notes 1.5). Whether ``any`` also matches IPv6 packets is not
    documented: `any_covers_ipv6` models both readings."""
    if state.assigned is None:
        return None
    best: tuple[tuple[int, int, int], str] | None = None
    for rule in state.rules.values():
        if rule.policy != state.assigned:
            continue
        action = state.filteractions.get(rule.filteraction)
        if action is None:
            continue
        for item in state.filterlists.get(rule.filterlist, []):
            if not _matches(item, address, port, protocol, any_covers_ipv6):
                continue
            rank = _specificity(item)
            # Equally specific permit and block: netsh's tie-break is undocumented; block wins
            # here, the pessimistic reading for a responder who must keep access.
            if best is None or rank > best[0] or (rank == best[0] and action == "block"):
                best = (rank, action)
    return best[1] if best else None
