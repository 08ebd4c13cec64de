"""Whatever a user feeds the linter, it answers with diagnostics inside the file, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.lint import lint_text

VQL_PIECES = [
    "SELECT",
    "*",
    "FROM",
    "info()",
    "WHERE",
    "x",
    "=",
    "1",
    "-1",
    "x-1",
    ",",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "LET",
    "y",
    "<=",
    "'s'",
    '"t"',
    "'''r'''",
    "AND",
    "OR",
    "NOT",
    "--c\n",
    "// c\n",
    "/* c */",
    ";",
    "%",
    "format(format='%v', args=x)",
    "Artifact.X(a=1)",
    "`**`=dict()",
    "\n",
    "linter: unknown_plugin:x",
    "<>",
    "execve(argv=['a'])",
    "foreach(row={SELECT 1 FROM scope()})",
]
STYLES = ["|", ">", "plain", "'", '"']


def _artifact(query: str, style: str) -> str:
    if style in ("|", ">"):
        body = "\n".join("      " + line for line in query.split("\n"))
        return f"name: Custom.P\nsources:\n  - query: {style}\n{body}\n"
    if style == "plain":
        return f"name: Custom.P\nsources:\n  - query: {' '.join(query.split())}\n"
    quote = style
    escaped = (
        query.replace("\\", "\\\\").replace('"', '\\"')
        if quote == '"'
        else query.replace("'", "''")
    )
    escaped = escaped.replace("\n", "\\n") if quote == '"' else " ".join(escaped.split())
    return f"name: Custom.P\nsources:\n  - query: {quote}{escaped}{quote}\n"


def _check(text: str) -> None:
    diagnostics = lint_text("p.yaml", text)
    lines = text.count("\n") + 1
    for d in diagnostics:
        assert 1 <= d.location.line <= lines + 1, (d, text)
        assert d.location.column >= 1
        assert d.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(VQL_PIECES), max_size=25), st.sampled_from(STYLES))
def test_any_query_in_any_yaml_style(pieces: list[str], style: str) -> None:
    _check(_artifact(" ".join(pieces), style))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "name",
                        "sources",
                        "query",
                        "parameters",
                        "type",
                        "notebook",
                        "precondition",
                        "imports",
                        "x",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_any_yaml_shape(data: object) -> None:
    import yaml

    _check(yaml.safe_dump({"name": "Custom.P", "sources": [data], "parameters": data}))
