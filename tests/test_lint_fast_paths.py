"""The lint's fast paths answer exactly what the regexes and markdown helpers they stand
in for answer; its patterns are compiled on first use and still checked for linear time."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from ygs.core import markdown
from ygs.core.artifacts import ID_RE, id_mentions, id_parts
from ygs.core.lint import common, prd
from ygs.core.lint.context import Lazy, normal_id, normal_ids
from ygs.core.specs import is_gwt

# the pieces the rules look for, and the characters that make word boundaries tricky
PIECES = [
    "REQ-", "ADR-", "TASK-", "THR-", "MIT-", "XREQ-", "1", "42", "٣", "²", "_", "-", " ", "\n",
    "\t", ".", ",", "*", "`", "|", ":", "given", "Given", "gıven", "WHEN", "when", "then", "THEN",
    "If", "if", "MUST", "SHALL", "MUSTY", "SHOULD", "MAY", "OPTIONAL", "REQUIRED", "TBD", "todo",
    "N/A", "none", "…", "...", "**", "- ", "1. ", "fast", "Fast.", "quicK", "İ", "é", "x",
    "Tbd", "Todo", "Text", "Tod", "No",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_id_mentions_are_the_id_regex_matches(text):
    assert id_mentions(text) == [(m.start(), m.group(0)) for m in ID_RE.finditer(text)]


TECH = ["python", "Kafka", "node.js", ".NET", "net", "c++", "C#", "k8s", "3", "+", "#", "é", "İ"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES + TECH), max_size=14).map("".join))
def test_technology_words_are_the_word_regex_matches(text):
    words = {w.lower() for w in prd._WORD.findall(text)}
    assert prd._technology(text) == sorted(prd.TECHNOLOGY & words)


VAGUE = ["fast", "(Fast),", "real-time", "REAL-TIME!", "12", "%", "soon.", "\x1c", "few", "ETC"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES + VAGUE), max_size=10).map("".join), max_size=4))
def test_the_vague_word_test_misses_no_vague_word(texts):
    lines = [(n, text) for n, text in enumerate(texts, 1)]
    if list(prd._vague_in("p.md", lines)):
        assert prd._may_be_vague(lines)
    fields = [markdown.Field(n, "statement", text) for n, text in lines]
    assert list(prd._vague_in("p.md", fields)) == list(prd._vague_in("p.md", lines))


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_mentioned_ids_are_the_id_mentions_each_once(text):
    found = common.mentioned_ids(text)
    assert len(found) == len(set(found))
    assert set(found) == {ident for _, ident in id_mentions(text)}


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_requirement_text_tests_match_the_regexes(text):
    levels = {prd._RFC_LEVEL[k] for k in prd._RFC.findall(text)}
    assert prd._keywords(text) == levels
    assert prd._is_gwt(text) == is_gwt(text)
    assert prd._is_placeholder(text) == markdown.is_placeholder(text)
    assert prd._is_nothing(text) == markdown.is_nothing(text)
    assert prd._is_if_then(text) == bool(prd._IF_THEN.search(text))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "0", "007", "ADR", "-", "٠", "REQ-0", " "]), max_size=6))
def test_normal_ids_are_what_the_id_parts_give(pieces):
    value = "".join(pieces)
    parts = id_parts(value.strip())
    assert normal_id(value) == (f"{parts[0]}-{int(parts[1])}" if parts else value.strip())
    assert normal_ids([value, value.strip(), "REQ-1"]) == {normal_id(value), "REQ-1"}


def test_word_searches_see_boundaries_before_the_start():
    assert prd._word_end("xthen then", "then", 1) == 10
    assert prd._words_in_order("given x, when y, then z", ("given", "when", "then"))
    assert not prd._words_in_order("then when given", ("given", "when", "then"))
    assert not prd._is_gwt("Givenly whenever thence")


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "| a | b |", "|---|:-:|", "\\|", "<!-- c -->"]), max_size=20)
)
def test_section_emptiness_and_tables_match_markdown(pieces):
    doc = markdown.Doc("## S\n" + "".join(pieces) + "\n## T\n")
    section = doc.section("s")
    assert prd.is_empty(section) == section.is_empty()
    lines = doc.content_between(section.start, section.end)
    tables = [
        (t[0][0], list(markdown.split_row(t[0][1])), [markdown.split_row(x) for _, x in t[1:]])
        for t in prd._tables(lines)
    ]
    expected = [(t.line, list(t.header), [list(r.cells) for r in t.rows]) for t in section.tables()]
    assert [
        (line, head, [list(r) for r in rows if not prd._is_separator(r)])
        for line, head, rows in tables
    ] == expected


HEADS = ["# T", "## Problem", "## Problem statement x", "### Sub", "## Capabilities", "#### Deep"]
LINES = [
    "- item", "- **F:** v", "  - nested", "1. one", "TBD", "| a | b |", "|---|---|", "```",
    "<!--", "-->", "x <!-- c --> y", "", " ", "- Text messages.", "- Tbd later", "Todo: x",
    "Toddlers", "- todo_x", "Then", "- None yet.", "n/a", "- Ναι",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(HEADS + LINES + PIECES), max_size=25))
def test_the_prd_outline_reads_what_doc_sections_give(pieces):
    from ygs.core.artifacts import parse_file

    body = "\n".join(pieces) + "\n"
    data = f"---\nid: p\ntype: prd\n---\n{body}".encode()
    artifact = parse_file("docs/prd/2026-01-01-p.md", data)
    doc = markdown.Doc(artifact.body, artifact.body_line)
    outline = prd._Outline(doc, artifact)
    for names in (prd._PROBLEM, prd._CAPABILITIES, ("sub",), ("deep",), ("t",), ("x",)):
        section, part = doc.section(*names), outline.part(names)
        assert (section is None) == (part is None)
        if part is None:
            continue
        assert (part.heading, part.start, part.end) == (section.heading, section.start, section.end)
        assert part.inner == doc.headings_between(section.start, section.end)
        assert outline.content(part) == section.content()
        assert outline.content(part, own=True) == section.content(own_only=True)
        assert outline.is_empty(part) == section.is_empty()
        assert outline.bullets(part) == [(b.line, b.text) for b in section.bullets()]


def test_importing_the_rules_compiles_none_of_their_patterns():
    code = (
        "import ygs.core.lint, sys\n"
        "from ygs.core.lint.context import Lazy\n"
        "mods = [m for n, m in sys.modules.items() if n.startswith('ygs.core.lint')]\n"
        "lazy = [v for m in mods for v in vars(m).values() if isinstance(v, Lazy)]\n"
        "assert len(lazy) > 15, len(lazy)\n"
        "assert not [v for v in lazy if 'compiled' in vars(v)]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_linear_time_test_collects_every_lazy_pattern():
    import importlib
    import pkgutil

    import ygs.core.lint as lint

    sys.path.insert(0, "tests")
    try:
        collected = {p.pattern for _, p in importlib.import_module("test_regex_linear").PATTERNS}
    finally:
        sys.path.remove("tests")
    names = [f"ygs.core.lint.{m.name}" for m in pkgutil.iter_modules(lint.__path__)]
    lazy = [
        v
        for name in names
        for v in vars(importlib.import_module(name)).values()
        if isinstance(v, Lazy)
    ]
    patterns = []
    for value in lazy:
        compiled = value.compiled
        patterns.extend(getattr(compiled, "parts", None) or [compiled])
    assert len(patterns) > 15
    assert not [p.pattern for p in patterns if p.pattern not in collected]
