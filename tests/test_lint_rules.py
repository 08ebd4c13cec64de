"""Each lint rule on small artifacts: the finding a user sees, at the line they wrote it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from vr_quarantine.diagnostics import Diagnostic, Severity
from vr_quarantine.errors import VrqError
from vr_quarantine.lint import ArtifactSummary, lint_text, parse_config
from vr_quarantine.lint.rules import RULES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "artifacts"


def lint(text: str, **kwargs: object) -> list[Diagnostic]:
    return lint_text("a.yaml", textwrap.dedent(text).lstrip("\n"), **kwargs)  # type: ignore[arg-type]


def found(diagnostics: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.rule, d.location.line) for d in diagnostics]


def only(diagnostics: list[Diagnostic], rule: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.rule == rule]


def artifact(query: str, head: str = "name: Custom.T\n") -> str:
    body = textwrap.indent(textwrap.dedent(query).strip("\n"), "      ")
    return f"{head}sources:\n  - query: |\n{body}\n"


# ------------------------------------------------------------------ rule registry


def test_every_rule_documents_itself() -> None:
    for rule in RULES.values():
        assert len(rule.doc.strip().splitlines()) >= 3, rule.id
        assert rule.summary.endswith("."), rule.id
        assert rule.id == rule.id.lower() and " " not in rule.id


def test_good_fixture_is_clean() -> None:
    text = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
    assert lint_text("good.yaml", text) == []


# ------------------------------------------------------------------ YAML and structure


def test_yaml_syntax_error_is_reported_at_its_line() -> None:
    diags = lint("name: X\nsources:\n  - query: [\n")
    assert [d.rule for d in diags] == ["yaml-syntax"]
    assert diags[0].location.line >= 3


def test_duplicate_key() -> None:
    assert found(lint("name: X\nname: Y\n")) == [("yaml-duplicate-key", 2)]


def test_unknown_keys_are_refused_like_unmarshal_strict() -> None:
    diags = lint((FIXTURES / "bad_structure.yaml").read_text(encoding="utf-8"))
    schema = only(diags, "artifact-schema")
    assert [(d.location.line, "colour" in d.message) for d in schema] == [(8, True)]
    assert "proto.ArtifactSource" in schema[0].message
    assert found(only(diags, "artifact-name")) == [("artifact-name", 1)]
    assert found(only(diags, "artifact-type")) == [("artifact-type", 2)]
    permission = only(diags, "artifact-permission")
    assert found(permission) == [("artifact-permission", 4)]
    assert permission[0].hint == "did you mean EXECVE?"


def test_wrong_kind_of_value() -> None:
    diags = lint("name: Custom.T\nrequired_permissions: EXECVE\nparameters:\n  - name: [a]\n")
    assert found(only(diags, "artifact-schema")) == [("artifact-schema", 2), ("artifact-schema", 4)]


def test_dates_and_numbers_are_accepted_as_strings() -> None:
    diags = lint(
        "name: Custom.T\nparameters:\n  - name: Since\n    default: 2022-01-01\n"
        "  - name: N\n    default: 10\n"
    )
    assert diags == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Custom.My-Artifact", "Can only contain characters"),
        ("Custom.2Fast", "Name parts can not start with a number"),
        ("Custom..X", "empty dotted part"),
    ],
)
def test_artifact_name_rule(name: str, message: str) -> None:
    diags = only(lint(f"name: {name}\n"), "artifact-name")
    assert len(diags) == 1 and message in diags[0].message


def test_artifact_name_prefix_option() -> None:
    config = parse_config({"rules": {"artifact-name": {"require-prefix": "Custom."}}})
    assert found(lint("name: Windows.X\n", config=config)) == [("artifact-name", 1)]
    assert lint("name: Custom.X\n", config=config) == []


def test_artifact_type_is_case_insensitive() -> None:
    assert lint("name: Custom.T\ntype: client_event\n") == []
    assert found(lint("name: Custom.T\ntype: agent\n")) == [("artifact-type", 2)]


def test_precondition_conflict() -> None:
    text = """
    name: Custom.T
    precondition: SELECT * FROM info()
    sources:
      - precondition: SELECT * FROM info()
        query: SELECT * FROM info()
    """
    assert found(lint(text)) == [("precondition-conflict", 4)]


def test_notebook_and_report_types() -> None:
    text = """
    name: Custom.T
    sources:
      - notebook:
          - type: VQL
            template: SELECT * FROM info()
          - type: chart
    reports:
      - type: weekly
    """
    assert found(lint(text)) == [("notebook-cell-type", 6), ("report-type", 8)]


# ------------------------------------------------------------------ VQL syntax and order


def test_semicolon_is_reported_at_the_file_line_and_column() -> None:
    text = (FIXTURES / "bad_vql.yaml").read_text(encoding="utf-8")
    diags = lint_text("bad_vql.yaml", text)
    assert [(d.rule, d.location.line, d.location.column) for d in diags] == [("vql-syntax", 5, 35)]
    assert "query of source '#1'" in diags[0].message


def test_syntax_error_in_a_same_line_precondition_keeps_its_column() -> None:
    diags = lint("name: Custom.T\nprecondition: SELECT x-1 FROM info()\n")
    assert [(d.rule, d.location.line) for d in diags] == [("vql-syntax", 2)]
    assert diags[0].location.column > len("precondition: SELECT x")


def test_syntax_error_after_velociraptor_fixups_maps_to_the_author_line() -> None:
    text = """
    name: Custom.T
    precondition:
      SELECT * FROM info()
      WHERE x-1
    sources:
      - queries:
          - SELECT * FROM info()
    """
    assert found(lint(text)) == [("vql-syntax", 4)]


def test_syntax_error_carries_the_parsers_own_hint() -> None:
    diags = lint(artifact("SELECT x-1 FROM info()"))
    assert [d.rule for d in diags] == ["vql-syntax"]
    assert diags[0].hint is not None and "put spaces around '-'" in diags[0].hint
    assert "whitespace only" not in diags[0].hint


def test_syntax_error_at_end_of_a_block_points_at_its_last_character() -> None:
    text = artifact("SELECT * FROM info(") + "\n\ndescription: x\n"
    diags = lint(text)
    assert [(d.rule, d.location.line, d.location.column) for d in diags] == [
        ("vql-syntax", 4, len("      SELECT * FROM info("))
    ]
    assert len(text.splitlines()) >= 4


def test_let_select_order() -> None:
    diags = lint(artifact("SELECT * FROM info()\nSELECT * FROM info()\nLET x = 1\n"))
    assert found(only(diags, "let-select-order")) == [
        ("let-select-order", 4),
        ("let-select-order", 5),
        ("let-select-order", 6),
    ]


# ------------------------------------------------------------------ call sites


def test_misspelled_function_is_unknown_with_a_suggestion() -> None:
    diags = lint(artifact("SELECT fromat(format='%v', args=1) FROM info()"))
    assert found(diags) == [("unknown_plugin", 4)]
    assert diags[0].message == "Unknown function fromat()"
    assert diags[0].hint == "did you mean format()?"


def test_let_and_export_definitions_are_known() -> None:
    text = "name: Custom.T\nexport: |\n  LET helper(x) = x + 1\n" + artifact(
        "LET rows = SELECT * FROM info()\nSELECT helper(x=1) FROM rows()", head=""
    )
    assert lint(text) == []


def test_unresolved_imports_silence_unknown_names() -> None:
    head = "name: Custom.T\nimports:\n  - Custom.Elsewhere\n"
    assert lint(artifact("SELECT helper(x=1) FROM info()", head=head)) == []


def test_imports_in_the_linted_set_provide_their_exports() -> None:
    lib = ArtifactSummary("Custom.Lib", frozenset(), {}, True)
    head = "name: Custom.T\nimports:\n  - Custom.Lib\n"
    diags = lint(
        artifact("SELECT helper(x=1) FROM info()", head=head), known_artifacts={"Custom.Lib": lib}
    )
    assert found(diags) == [("unknown_plugin", 6)]


def test_invalid_and_missing_arguments() -> None:
    diags = lint(
        artifact(
            "SELECT * FROM execve(args=['x'], length=1)",
            head="name: Custom.T\nrequired_permissions: [EXECVE]\n",
        )
    )
    assert sorted(found(diags)) == [("invalid_arg", 5), ("required_arg_missing", 5)]
    invalid = only(diags, "invalid_arg")[0]
    assert invalid.message == "Invalid arg args for plugin execve()"
    assert invalid.hint == "did you mean argv?"


def test_free_form_and_kwargs_calls_are_not_checked_argument_by_argument() -> None:
    query = "SELECT dict(anything=1), format(`**`=dict(format='%v', args=1)) FROM info()"
    assert lint(artifact(query)) == []


def test_kwargs_mixed_call() -> None:
    diags = lint(artifact("SELECT format(`**`=dict(format='%v'), args=1) FROM info()"))
    assert found(diags) == [("kwargs_mixed_call", 4)]


def test_let_function_arguments() -> None:
    query = """
    LET f(a, b=1) = a + b
    LET rows = SELECT * FROM info()
    SELECT f(b=2), f(a=1, c=3) FROM rows(x=1)
    """
    diags = lint(artifact(query))
    assert sorted((d.rule, d.message) for d in diags) == [
        (
            "call_as_function",
            "LET rows was defined without args but it is being called as a function",
        ),
        ("invalid_arg", "Invalid arg c for VQL definition f"),
        ("invalid_arg", "Invalid arg x for VQL definition rows"),
        (
            "required_arg_missing",
            "While calling VQL definition f(), required arg a is not provided",
        ),
    ]


def test_artifact_calls_are_checked_against_the_linted_set() -> None:
    callee = ArtifactSummary("Custom.Callee", frozenset({"Target"}))
    query = "SELECT * FROM Artifact.Custom.Callee(Target=1, source='x', Tagret=2)"
    diags = lint(artifact(query), known_artifacts={"Custom.Callee": callee})
    assert found(diags) == [("unknown_parameter_in_call", 4)]
    assert diags[0].hint == "did you mean Target?"
    assert lint(artifact(query)) == []


def test_permissions_used_but_not_declared() -> None:
    query = "SELECT * FROM execve(argv=['whoami'])"
    diags = lint(artifact(query))
    assert [(d.rule, d.severity, d.location.line) for d in diags] == [
        ("required_permissions", Severity.WARNING, 4)
    ]
    assert "EXECVE" in diags[0].message
    assert lint(artifact(query, head="name: Custom.T\nimplied_permissions: [EXECVE]\n")) == []
    assert lint(artifact(query, head="name: Custom.T\ntype: SERVER\n")) == []


def test_symbol_masking_a_function_and_its_suppression() -> None:
    diags = lint(artifact("SELECT url FROM info()"))
    assert [(d.rule, d.severity) for d in diags] == [("symbol_mask_warn", Severity.WARNING)]
    assert lint(artifact("// linter: symbol_mask_warn:url|hash\nSELECT url FROM info()")) == []
    kept = lint(artifact('-- linter: symbol_mask_warn:"^hash$"\nSELECT url FROM info()'))
    assert found(kept) == [("symbol_mask_warn", 5)]


def test_invalid_suppressions() -> None:
    diags = lint(
        artifact("// linter: made_up:x\n// linter: unknown_plugin:(\nSELECT 1 FROM info()")
    )
    assert sorted(d.message for d in diags) == [
        "Suppression made_up not known",
        "Suppression unknown_plugin not valid: error parsing regexp: missing closing ): `(`",
    ]


def test_suppression_patterns_follow_go_regexp() -> None:
    # `\Z` is Python-only: Go regexp (RE2) refuses it, so Velociraptor reports it.
    diags = lint(artifact("// linter: unknown_plugin:a\\Z\nSELECT 1 FROM info()"))
    assert [d.rule for d in diags] == ["invalid_suppression"]
    assert "invalid escape sequence" in diags[0].message


# ------------------------------------------------------------------ common mistakes


def test_undefined_symbol_only_where_it_is_certain() -> None:
    head = "name: Custom.T\nparameters:\n  - name: Known\n"
    query = """
    LET a <= Unknwon + 1
    LET b <= Known + 1
    LET lazy = Whatever
    SELECT Column, Other FROM foreach(row={ SELECT Anything FROM info() }, query=Mystery)
    WHERE Column = 1
    """
    diags = lint(artifact(query, head=head))
    assert [(d.rule, d.location.line) for d in diags] == [("undefined-symbol", 6)]
    assert "Unknwon" in diags[0].message


def test_undefined_symbol_globals_option() -> None:
    config = parse_config({"rules": {"undefined-symbol": {"globals": ["Site"]}}})
    assert lint(artifact("LET a <= Site\nSELECT a FROM scope()"), config=config) == []


def test_materialized_let_with_parameters() -> None:
    diags = lint(artifact("LET f(x) <= x\nSELECT f(x=1) FROM info()"))
    assert [(d.rule, d.severity) for d in diags] == [("materialized-with-params", Severity.WARNING)]


def test_diamond_operator_is_always_false() -> None:
    diags = lint(artifact("SELECT * FROM info() WHERE OS <> 'linux'"))
    assert found(diags) == [("diamond-operator", 4)]


# ------------------------------------------------------------------ configuration


def test_config_disables_and_relevels_rules_with_either_spelling() -> None:
    text = artifact("SELECT url FROM info() WHERE OS <> 'x'")
    config = parse_config(
        {"rules": {"diamond_operator": "disable", "symbol-mask-warn": {"level": "error"}}}
    )
    diags = lint(text, config=config)
    assert [(d.rule, d.severity) for d in diags] == [("symbol_mask_warn", Severity.ERROR)]


def test_config_can_address_a_loader_id_but_not_lower_it() -> None:
    config = parse_config({"rules": {"yaml_duplicate_key": {"level": "error"}}})
    assert [d.severity for d in lint("name: X\nname: Y\n", config=config)] == [Severity.ERROR]
    with pytest.raises(VrqError, match="cannot be lowered to warning"):
        parse_config({"rules": {"yaml-duplicate-key": {"level": "warning"}}})


@pytest.mark.parametrize(
    "text",
    [
        'name: Custom.T\nprecondition: "SELECT * FROM info()\n  WHERE x-1"\n',
        "name: Custom.T\nprecondition: SELECT * FROM info()\n  WHERE x-1\n",
        "name: Custom.T\nsources:\n  - query: >\n      SELECT * FROM info()\n      WHERE x-1\n",
    ],
)
def test_folded_and_quoted_scalars_map_errors_to_the_written_line(text: str) -> None:
    diags = lint_text("a.yaml", text)
    assert [d.rule for d in diags] == ["vql-syntax"]
    line = text.split("\n")[diags[0].location.line - 1]
    assert line[diags[0].location.column - 1 :].startswith("-1")


def test_let_masking_a_builtin_function() -> None:
    diags = lint(artifact("LET hash = 1\nSELECT * FROM scope()"))
    assert [(d.rule, d.severity) for d in diags] == [("let-masks-builtin", Severity.WARNING)]


def test_empty_parentheses_materialized_let_warns_like_vfilter() -> None:
    diags = lint(artifact("LET f() <= 1\nSELECT f() FROM scope()"))
    assert [d.rule for d in diags] == ["materialized-with-params"]


def test_import_of_an_artifact_without_export() -> None:
    lib = ArtifactSummary("Custom.Lib", frozenset(), {}, has_export=False)
    head = "name: Custom.T\nimports:\n  - Custom.Lib\n"
    diags = lint(artifact("SELECT 1 FROM scope()", head=head), known_artifacts={"Custom.Lib": lib})
    assert found(diags) == [("invalid_import", 3)]
    assert diags[0].message == "Custom.T: Artifact Custom.Lib does not export anything"


def test_artifact_schema_is_a_valid_published_schema(repo_root: Path) -> None:
    schema = json.loads((repo_root / "schema" / "velociraptor-artifact.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_misspelled_key_gets_a_suggestion() -> None:
    diags = lint("name: Custom.T\nsources:\n  - querry: SELECT * FROM info()\n")
    assert [(d.rule, d.location.line, d.hint) for d in diags] == [
        ("artifact-schema", 3, "did you mean 'query'?")
    ]


def test_parameter_types() -> None:
    text = """
    name: Custom.T
    parameters:
      - name: RemoveAll
        type: boolean
      - name: Force
        type: bool
        default: "1"
      - name: Quiet
        type: bool
        default: Y
      - name: Pattern
        type: glob
    """
    diags = lint(text)
    assert [(d.rule, d.location.line, d.severity, d.hint) for d in diags] == [
        ("parameter-type", 4, Severity.INFO, "did you mean 'bool'?"),
        ("bool-default", 7, Severity.WARNING, "write Y or N"),
        ("parameter-type", 12, Severity.INFO, "use a known type, or `string`"),
    ]
    config = parse_config({"rules": {"parameter-type": {"extra-types": ["glob"]}}})
    assert [d.location.line for d in lint(text, config=config)] == [4, 7]


def test_crlf_files_report_the_same_positions() -> None:
    text = (FIXTURES / "bad_vql.yaml").read_text(encoding="utf-8")
    unix = lint_text("a.yaml", text)
    windows = lint_text("a.yaml", text.replace("\n", "\r\n"))
    assert [(d.rule, d.location) for d in windows] == [(d.rule, d.location) for d in unix]
