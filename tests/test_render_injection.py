"""Profile strings are data, never code: hostile strings cannot change the artifact's structure.

The typed model accepts strings the validator would refuse, so the renderer alone must keep them
in their place: every one reads back unchanged from its parameter default, the YAML has exactly
the expected keys, and the VQL is the one a plain profile with the same switches renders.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

import pytest
import vr_quarantine.render.yamltext as yamltext
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vr_quarantine.artifact import sanitize
from vr_quarantine.profile.model import ArtifactInfo, Profile, Rollback, Rule, ServerUrl
from vr_quarantine.render import render_profile
from vr_quarantine.render.context import RULE_TABLE_COLUMNS, rule_row, table_rules

from tests.test_render_support import plain_profile

NASTY = [
    "'",
    '"',
    "\n",
    "\r\n",
    "\t",
    "'''",
    '"""',
    "{{ 7*7 }}",
    "{{ config }}",
    "{% if true %}x{% endif %}",
    "{# c #}",
    "#",
    " # comment",
    ": ",
    "key: value",
    "- item",
    "---",
    "...",
    "&a",
    "*a",
    "!!python/object/apply:os.system ['id']",
    "!!binary",
    "|",
    ">-",
    ",",
    '","',
    "\\",
    "\\n",
    "%",
    "@",
    "`",
    "[]",
    "{}",
    "  ",
    "\u00e9t\u00e9",
    "\u65e5\u672c",
    "\U0001f512",
    "\u2028",
    "\x85",
    "\x00",
    "\ufeff",
    "LET x = 1 SELECT * FROM execve(argv=['cmd'])",
    "// not a comment",
    "yes",
    "null",
    "0x1F",
    "010",
    "\n- SELECT * FROM info()\nquery:\n",
    "query:",
    "precondition:",
    "\nprecondition:  \n",
    "- LET x = 1",
    "- // c",
    "\n  -  select 1\n",
    "\n- - query:\t\n",
    "Selected hosts",
]

text = st.lists(
    st.one_of(
        st.sampled_from(NASTY),
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12),
    ),
    max_size=8,
).map("".join)
long_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=500, max_size=3000)
any_text = st.one_of(text, text, text, long_text)
names = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}(\.[A-Za-z_][A-Za-z0-9_]{0,8}){0,3}\Z")
ports = st.one_of(st.none(), st.integers(min_value=0, max_value=65535))

rules = st.builds(
    Rule,
    action=st.sampled_from(["permit", "block"]),
    src_addr=text,
    src_mask=text,
    src_port=ports,
    dst_addr=text,
    dst_mask=text,
    dst_port=ports,
    protocol=st.one_of(st.none(), text),
    mirrored=st.booleans(),
    description=any_text,
)
servers = st.builds(
    ServerUrl,
    url=text,
    scheme=st.sampled_from(["https", "wss"]),
    host=text,
    port=st.integers(min_value=1, max_value=65535),
    host_kind=st.sampled_from(["ipv4", "ipv6", "dns"]),
)
profiles = st.builds(
    Profile,
    format_version=st.just(1),
    id=text,
    artifact=st.builds(
        ArtifactInfo,
        name=names,
        author=any_text,
        description=any_text,
        references=st.lists(text, max_size=3).map(tuple),
        engagement=st.one_of(st.none(), text),
        reason=st.one_of(st.none(), any_text),
    ),
    policy_name=text,
    use_client_server_urls=st.booleans(),
    server_urls=st.lists(servers, max_size=3).map(tuple),
    allow_dns=st.booleans(),
    allow_dhcp=st.booleans(),
    block_all=st.booleans(),
    rules=st.lists(rules, max_size=4).map(tuple),
    message=any_text,
    rollback=st.builds(
        Rollback,
        connectivity_check=st.booleans(),
        timeout_seconds=st.integers(min_value=1, max_value=300),
        negative_check_url=st.one_of(st.none(), text),
    ),
)


# An independent reader of the rendered text: libyaml's (PyYAML's C loader), not our loader.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(text_value: str) -> Any:
    return yaml.load(text_value, Loader=_LOADER)


def _csv(text_value: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_value, newline="")))


_PLAIN_QUERIES: dict[Profile, str] = {}


def _plain_query(profile: Profile) -> str:
    """The query of a plain profile with `profile`'s switches (rendered once per switch set)."""
    plain = _same_switches_plain(profile)
    if plain not in _PLAIN_QUERIES:
        rendered = render_profile(plain)
        assert rendered.text is not None, rendered.diagnostics
        _PLAIN_QUERIES[plain] = _read(rendered.text)["sources"][0]["query"]
    return _PLAIN_QUERIES[plain]


def _same_switches_plain(profile: Profile) -> Profile:
    plain = plain_profile()
    return dataclasses.replace(
        plain,
        use_client_server_urls=profile.use_client_server_urls,
        allow_dns=profile.allow_dns,
        allow_dhcp=profile.allow_dhcp,
        block_all=profile.block_all,
        rollback=dataclasses.replace(
            plain.rollback,
            connectivity_check=profile.rollback.connectivity_check,
            negative_check_url=None
            if profile.rollback.negative_check_url is None
            else "https://example.org/",
        ),
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_profile_strings_only_reach_the_artifact_as_data(profile: Profile) -> None:
    rendered = render_profile(profile)
    assert rendered.text is not None, rendered.diagnostics
    data = _read(rendered.text)
    fixed = sanitize(rendered.text).text
    assert fixed == rendered.text or _read(fixed) == data

    expected = {
        "name",
        "author",
        "description",
        "type",
        "resources",
        "required_permissions",
        "precondition",
        "parameters",
        "sources",
    } | ({"references"} if profile.artifact.references else set())
    assert set(data) == expected
    assert data["resources"] == {"timeout": 600}
    assert data["name"] == profile.artifact.name
    assert data["author"] == profile.artifact.author
    assert data.get("references", []) == list(profile.artifact.references)
    assert data["type"] == "CLIENT"
    assert data["required_permissions"] == ["EXECVE", "NETWORK", "FILESYSTEM_WRITE"]
    assert data["precondition"] == "SELECT OS FROM info() WHERE OS = 'windows'"
    info = profile.artifact
    for part in (info.description, info.engagement, info.reason):
        assert (part or "") in data["description"]

    params = {p["name"]: p for p in data["parameters"]}
    assert all(set(p) <= {"name", "type", "default", "description"} for p in data["parameters"])
    defaults = {name: p.get("default") for name, p in params.items()}
    assert defaults["PolicyName"] == profile.policy_name
    assert defaults["MessageBox"] == profile.message
    assert defaults["NegativeCheckURL"] == (profile.rollback.negative_check_url or "")
    assert defaults["CheckTimeout"] == str(profile.rollback.timeout_seconds)
    assert defaults["UseClientServerURLs"] == ("Y" if profile.use_client_server_urls else "N")
    assert _csv(defaults["ExtraServerURLs"]) == [["URL"]] + [[s.url] for s in profile.server_urls]
    assert _csv(defaults["RuleLookupTable"]) == [list(RULE_TABLE_COLUMNS)] + [
        rule_row(rule) for rule in table_rules(profile)
    ]
    assert [rule_row(r)[-1] for r in profile.rules] == [r.description for r in profile.rules]

    (source,) = data["sources"]
    assert set(source) == {"query"}
    assert source["query"] == _plain_query(profile)


LOADER_FIXUP_BAIT = [
    "\n- SELECT * FROM info()\nquery:\n",
    "intro\nquery:",
    "intro\n  precondition:  \nmore",
    "intro\n- LET x = 1",
    "intro\n- // c",
    "intro\n -  select * from pslist()",
    "SELECT * FROM info()",
    "let x = 1",
    "// c",
    "Selected hosts only",
]


@pytest.mark.parametrize("value", LOADER_FIXUP_BAIT)
@pytest.mark.parametrize("indent", [0, 2, 4])
def test_serialized_strings_survive_velociraptors_loader_fixups(value: str, indent: int) -> None:
    pad = " " * indent
    text = (
        f"{pad}key: {yamltext.to_yaml(value, indent + 2)}\n"
        f"{pad}items:\n{yamltext.to_yaml([value, value], indent + 2, block=True)}\n"
    )
    data = yaml.safe_load(text)
    assert data == {"key": value, "items": [value, value]}
    assert yaml.safe_load(sanitize(text).text) == data


def test_profiles_with_loader_fixup_bait_render_and_read_back_unchanged() -> None:
    bait = "\n".join(LOADER_FIXUP_BAIT)
    plain = plain_profile()
    profile = dataclasses.replace(
        plain,
        message=bait,
        artifact=dataclasses.replace(
            plain.artifact, description=bait, references=tuple(LOADER_FIXUP_BAIT)
        ),
        rules=(dataclasses.replace(plain.rules[0], description=bait),) if plain.rules else (),
    )
    rendered = render_profile(profile)
    assert rendered.text is not None, rendered.diagnostics
    data = yaml.safe_load(sanitize(rendered.text).text)
    assert data == yaml.safe_load(rendered.text)
    assert bait in data["description"]
    assert data["references"] == LOADER_FIXUP_BAIT
    assert {p["name"]: p.get("default") for p in data["parameters"]}["MessageBox"] == bait


def test_self_check_refuses_an_artifact_the_loader_fixups_would_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the serializer's guard, a literal block carries the bait to the loader.
    monkeypatch.setattr(yamltext, "_fixed_up_as_block", lambda data: False)
    yamltext._string_to_yaml.cache_clear()
    try:
        rendered = render_profile(
            dataclasses.replace(plain_profile(), message="Contained.\n- SELECT * FROM info()")
        )
    finally:
        yamltext._string_to_yaml.cache_clear()
    assert rendered.text is None
    assert [d.rule for d in rendered.diagnostics] == ["render-loader-fixup"]
