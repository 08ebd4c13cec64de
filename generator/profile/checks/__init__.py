"""The profile checks: one module per rule id, each with its id, severity, options and
documentation (as `generator.lint.rules`).

A check module defines ``ID``, ``SEVERITY`` (the rule's level; a few rules also report a
milder one, which their documentation says), ``OPTIONS`` and ``check(ctx, options)`` yielding
diagnostics; its docstring is the rule's user documentation (``vr-quarantine validate
--list-rules`` prints the first line). A module without ``check`` documents what the input
layer, the YAML loader or ``validate`` across files reports (``REPORTED_BY``). The checks share
one `CheckContext` per document: the rules and URLs are parsed once there, and read defensively,
so that every check runs, and reports, even where the schema already found a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ...diagnostics import Diagnostic, DocumentedRule, RuleSet
from ...yamlsource import YamlDocument
from ..rules import ParsedRule
from ..urls import ParsedUrl
from . import (
    address_syntax,
    artifact_name,
    artifact_name_not_custom,
    check_budget,
    dhcp_off,
    dns_name_resolved_once,
    dns_off_with_hostname,
    duplicate_artifact_name,
    duplicate_id,
    duplicate_rule,
    io_error,
    ipv6_prefix,
    lockout_block_covers_server,
    lockout_no_server,
    mask_syntax,
    mask_without_network,
    message_option_like,
    message_too_long,
    negative_check_is_server,
    negative_check_permitted,
    negative_check_url,
    network_host_bits,
    no_block_all,
    no_expiry,
    not_a_profile,
    permit_any_address,
    permit_block_overlap,
    permit_block_overlap_builtin,
    permit_block_tie,
    permit_everything,
    permit_not_mirrored,
    platform_no_equivalent,
    policy_name_builtin,
    policy_name_characters,
    port_without_tcp_udp,
    range_family,
    range_order,
    rollback_disabled,
    schema,
    server_keyword_pairing,
    server_url_duplicate,
    server_url_scheme,
    server_url_syntax,
    token_file_path,
    unsafe_characters,
    yaml11_surprise,
    yaml_syntax,
)
from .context import CheckContext

Check = Callable[[CheckContext, Mapping[str, Any]], Iterable[Diagnostic]]


@dataclass(frozen=True)
class ProfileRule(DocumentedRule):
    check: Check | None
    """None: reported by the input layer, the YAML loader or `validate` (``REPORTED_BY``)."""


def _rule(module: ModuleType) -> ProfileRule:
    return ProfileRule(**ProfileRule.declared(module), check=getattr(module, "check", None))


RULES: RuleSet[ProfileRule] = RuleSet(
    _rule(module)
    for module in (
        io_error,
        yaml_syntax,
        not_a_profile,
        schema,
        yaml11_surprise,
        artifact_name,
        artifact_name_not_custom,
        unsafe_characters,
        policy_name_characters,
        policy_name_builtin,
        message_option_like,
        message_too_long,
        address_syntax,
        mask_syntax,
        mask_without_network,
        network_host_bits,
        ipv6_prefix,
        range_order,
        range_family,
        port_without_tcp_udp,
        server_keyword_pairing,
        duplicate_rule,
        permit_block_tie,
        permit_not_mirrored,
        permit_everything,
        permit_any_address,
        permit_block_overlap,
        permit_block_overlap_builtin,
        dns_name_resolved_once,
        server_url_syntax,
        server_url_scheme,
        server_url_duplicate,
        lockout_no_server,
        lockout_block_covers_server,
        dns_off_with_hostname,
        dhcp_off,
        no_block_all,
        rollback_disabled,
        negative_check_url,
        negative_check_is_server,
        negative_check_permitted,
        check_budget,
        platform_no_equivalent,
        token_file_path,
        no_expiry,
        duplicate_artifact_name,
        duplicate_id,
    )
)
"""Every profile rule, found by its id or the further ids it reports under (the loader's)."""


@dataclass
class Checked:
    """What the checks found, and what they learnt for the model builder."""

    rules: list[ParsedRule] = field(default_factory=list)
    urls: list[ParsedUrl] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def run_checks(doc: YamlDocument) -> Checked:
    """Every check on one loaded profile (the schema's included)."""
    ctx = CheckContext(doc)
    found: list[Diagnostic] = []
    checked_ids = set()
    for rule in RULES.rules:
        if rule.check is not None:
            checked_ids.add(rule.id)
            found.extend(rule.check(ctx, rule.options))
    # A parser finding under an id no check reports would otherwise be lost.
    found.extend(d for d in ctx.parse_problems() if d.rule not in checked_ids)
    return Checked(ctx.rules, ctx.urls, found)


__all__ = ["RULES", "CheckContext", "Checked", "run_checks"]
