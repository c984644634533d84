"""Property tests: arbitrary frontmatter, config, question banks and skills never crash."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ygs import config
from ygs.core import frontmatter, skillcheck
from ygs.core.artifacts import build_catalog
from ygs.errors import YgsError
from ygs.interview import bank

yamlish = st.text(
    alphabet=st.sampled_from([*"abc:-[]{}&*!|>'\"#%@`?,\n \t0123456789.~", "\\", "é", "\x00"]),
    max_size=200,
)
anything = st.one_of(st.text(max_size=300), yamlish)
quick = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(anything)
def test_frontmatter_parse_never_crashes(text):
    for candidate in (text, f"---\n{text}\n---\nbody\n", f"---\n{text}"):
        try:
            doc = frontmatter.parse(candidate)
        except frontmatter.FrontmatterError as err:
            assert err.line >= 1
        else:
            assert isinstance(doc.meta, dict)


@quick
@given(st.binary(max_size=200), anything)
def test_catalog_of_arbitrary_files_never_crashes(data, text):
    files = [
        ("docs/prd/2026-01-01-a.md", data),
        ("docs/adr/0001-b.md", f"---\n{text}\n---\n".encode()),
        ("tasks/backlog/TASK-001-c.md", text.encode("utf-8", "surrogatepass")),
    ]
    catalog = build_catalog(files)
    for finding in catalog.findings:
        assert finding.line is None or finding.line >= 1


@quick
@given(anything)
def test_config_files_never_crash(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            layer = config.load_layer(path, user_scope=False)
        except YgsError as err:
            assert err.path == str(path)
        else:
            assert all(p.message for p in layer.problems)


@quick
@given(anything)
def test_question_bank_parse_never_crashes(text):
    result = bank.parse_bank(text)
    assert isinstance(result, bank.Bank) or all(p.line >= 1 for p in result)


@quick
@given(anything, anything)
def test_skill_check_never_crashes(front, body):
    files = skillcheck.SkillFiles(
        folder="pack/s",
        name="s",
        skill_md=f"---\n{front}\n---\n{body}",
        interview=body,
        existing=frozenset({"references", "references/a.md"}),
        references=(("references/a.md", body),),
    )
    assert all(f.rule.startswith("SKL") for f in skillcheck.check(files))


# Whitespace and line breaks where Python and YAML disagree, controls YAML refuses, a BOM.
odd_chars = [
    "\t",
    "\r",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2028",
    "\u3000",
    "\x01",
    "\ufeff",
]
simple_value = st.one_of(
    st.text(alphabet="abcXYZ _-()/.!?0129:#[]'\"", min_size=0, max_size=12),
    st.text(alphabet=[*"ab :-", *odd_chars], min_size=0, max_size=6),
    st.integers(-5, 5000).map(str),
    st.sampled_from(["true", "no", "null", "~", "2026-11-27", "0x1F", "1.5", "-1", "yes", ".inf"]),
)
simple_line = st.one_of(
    st.tuples(st.sampled_from(["id", "title", "status", "true", "a_b", "x-y"]), simple_value).map(
        lambda kv: f"{kv[0]}: {kv[1]}"
    ),
    st.lists(simple_value, max_size=3).map(lambda xs: "  - " + (xs[0] if xs else "")),
    st.lists(simple_value, max_size=4).map(lambda xs: "k: [" + ", ".join(xs) + "]"),
    st.sampled_from(["# comment", "", "key:", "  - item", "nested:\n  a: 1", "k: |"]),
    st.text(alphabet=[" ", *odd_chars], min_size=1, max_size=3),  # blank-looking lines
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(simple_line, max_size=8))
def test_fast_frontmatter_path_agrees_with_the_full_parser(lines):
    from ygs.core import yamltext

    text = "\n".join(lines)
    fast = yamltext.load_simple(text)
    if fast is None:
        return  # not a simple shape: the full parser decides
    assert fast == (yamltext.load(text) or {})


@pytest.mark.parametrize("text", ["\t", "\t\n", " \t", "a: 1\n\t", "a: 1\n\t\nb: 2", "a: b\xa0"])
def test_fast_frontmatter_path_agrees_on_whitespace(text):
    """Tab-only lines (a YAML error) and no-break spaces (part of a YAML value) go to the full
    parser, so both give the same answer: the same mapping or the same error."""
    from ygs.core import yamltext

    assert yamltext.load_simple(text) is None
    with pytest.raises(frontmatter.FrontmatterError) if "\t" in text else contextlib.nullcontext():
        frontmatter.parse(f"---\n{text}\n---\n")


def test_fast_frontmatter_lines_read_before_give_fresh_lists():
    from ygs.core import yamltext

    first = yamltext.load_simple("status: draft\nk: [a, b]\nitems:\n  - x")
    first["k"].append("c")
    first["items"].append("y")
    again = yamltext.load_simple("status: draft\nk: [a, b]\nitems:\n  - x")
    assert again == {"status": "draft", "k": ["a", "b"], "items": ["x"]}
    assert yamltext.load_simple("status: draft\nstatus: done") is None  # a repeated key
