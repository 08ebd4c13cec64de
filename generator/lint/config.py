"""The lint configuration file: enable, disable and re-level rules, set their options, ignore paths.

Found as ``.vr-quarantine-lint.yaml`` in the current directory (or given with ``--config``)::

    rules:
      undefined-symbol: disable          # or: enable
      symbol_mask_warn: {level: info}    # error | warning | info
      artifact-name:
        require-prefix: Custom.          # a rule option
    ignore:
      - "vendor/**"                      # glob on paths found while walking folders

Rule ids accept ``-`` and ``_`` interchangeably. Unknown rules, levels or options are usage errors.

The ids that mean "this file was not linted" (``io-error``, ``yaml-syntax`` and the other YAML
loader ids, ``yaml-duplicate-key``, ``not-an-artifact``: `rules.LOAD_FAILURES`) cannot be
disabled or lowered below error: such an entry is a usage error too. To leave a file out, say
so with ``ignore``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import IO_ERROR, Diagnostic, Location, Severity
from ..errors import VrqError
from ..inputs import read_text
from ..yamlsource import YamlDocument, load_yaml_text

CONFIG_NAME = ".vr-quarantine-lint.yaml"


@dataclass(frozen=True)
class RuleConfig:
    enabled: bool = True
    level: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LintConfig:
    rules: Mapping[str, RuleConfig] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    source: str | None = None

    def rule(self, rule_id: str) -> RuleConfig:
        return self.rules.get(rule_id, RuleConfig())


def parse_config(
    data: Any, path: str = CONFIG_NAME, document: YamlDocument | None = None
) -> LintConfig:
    """Build a config from loaded YAML data; raises VrqError naming the bad entry.

    With the loaded `document`, an error is reported at the offending key's own line.
    """
    from .rules import LOAD_FAILURES, RULES

    def key_at(*node_path: str) -> Location:
        if document is None:
            return Location(path, 1, 1)
        return document.location(node_path, key=True)

    if data is None:
        return LintConfig(source=path)
    if not isinstance(data, dict):
        raise VrqError("the lint config must be a mapping", Location(path, 1, 1))
    unknown = set(data) - {"rules", "ignore"}
    if unknown:
        raise VrqError(
            f"unknown key(s) in lint config: {', '.join(sorted(map(str, unknown)))}",
            key_at(sorted(map(str, unknown))[0]),
            "allowed keys: rules, ignore",
        )
    rules: dict[str, RuleConfig] = {}
    for name, value in (data.get("rules") or {}).items():
        rule_id = RULES.canonical_id(str(name))
        if rule_id is None and str(name).replace("_", "-") == IO_ERROR:
            rule_id = IO_ERROR
        if rule_id is None:
            raise VrqError(
                f"unknown rule {name!r} in lint config",
                key_at("rules", name),
                "`vr-quarantine lint --list-rules` lists them",
            )
        options = RULES[rule_id].options if rule_id in RULES else {}
        settings = _rule_config(rule_id, value, path, options)
        if rule_id in LOAD_FAILURES and (
            not settings.enabled or settings.level not in (None, Severity.ERROR)
        ):
            raise VrqError(
                f"rule {rule_id} cannot be "
                + ("disabled" if not settings.enabled else f"lowered to {settings.level}")
                + ": it means the file was not linted at all",
                key_at("rules", name),
                "fix the file, or leave it out with an `ignore:` pattern",
            )
        rules[rule_id] = settings
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        raise VrqError("`ignore` must be a list of glob patterns", Location(path, 1, 1))
    return LintConfig(rules, tuple(ignore), path)


def _rule_config(rule_id: str, value: Any, path: str, defaults: Mapping[str, Any]) -> RuleConfig:
    if value in ("enable", True):
        return RuleConfig()
    if value in ("disable", False):
        return RuleConfig(enabled=False)
    if not isinstance(value, dict):
        raise VrqError(
            f"rule {rule_id}: expected enable, disable or a mapping, got {value!r}",
            Location(path, 1, 1),
        )
    settings = dict(value)
    level = None
    if "level" in settings:
        try:
            level = Severity.parse(str(settings.pop("level")))
        except ValueError as exc:
            raise VrqError(f"rule {rule_id}: {exc}", Location(path, 1, 1)) from None
    enabled = settings.pop("enabled", True) is not False
    for option in settings:
        if option not in defaults:
            known = ", ".join(defaults) or "none"
            raise VrqError(
                f"rule {rule_id}: unknown option {option!r} (options: {known})",
                Location(path, 1, 1),
            )
    return RuleConfig(enabled, level, settings)


def load_config(path: str | None = None, *, cwd: Path | None = None) -> LintConfig:
    """Load `path`, or ``.vr-quarantine-lint.yaml`` from `cwd` when present, else the defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return LintConfig()
        path = str(candidate)
    got = read_text(path)
    if isinstance(got, Diagnostic):
        raise VrqError(f"cannot read lint config: {got.message}", got.location, got.hint)
    result = load_yaml_text(path, got.text, require_mapping=False)
    if result.diagnostics:
        first = result.diagnostics[0]
        raise VrqError(first.message, first.location, first.hint)
    assert result.document is not None
    return parse_config(result.document.data, path, result.document)
