"""The fast paths of the parsers give what the plain regexes and line loops gave."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ygs.core import frontmatter
from ygs.core.artifacts import ID_RE, Artifact, definitions, parse_artifact
from ygs.core.markdown import Doc, heading

PRD = """---
id: notices
type: prd
title: Notices
status: approved
date: 2026-01-01
---
# Notices

## Problem

Owners miss notices for 3 days, so 12 % of orders ship late. See REQ-002 and `REQ-009`.

## Requirements

### REQ-001: Deliver a notice ##
- **Priority:** MUST (P0)
- **Statement:** When an event is recorded, the system MUST notify the owner in 1 min.
- **Failure mode:** If delivery fails, then the system MUST retry 3 times.
- **Scenarios:**
  - Given an event is recorded, when 1 minute passes,
    then the owner has one notice.

```
## REQ-900: not a heading, inside a fence
```

<!--
## REQ-901: not a heading, inside a comment
-->

####### REQ-902: seven hashes is not a heading
##\tREQ-002: a tab after the hashes
## Non-goals

- Text messages.
"""

OLD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
OLD_ID = re.compile(r"\b(REQ|ADR|TASK|THR|MIT)-(\d+)\b")


@pytest.mark.parametrize(
    "line",
    [
        "# Title",
        "## Title ##",
        "### REQ-001: Deliver  #  ",
        "#\tTabbed",
        "##",
        "## ",
        "##  ##",
        "####### seven",
        "#no space",
        "## foo #bar#",
        "##\u00a0no-break space",
        "## trailing\r",
        "",
        "text # not at the start",
    ],
)
def test_heading_matches_the_regex(line):
    match = OLD_HEADING.match(line)
    assert heading(line) == ((len(match.group(1)), match.group(2)) if match else None)


def test_doc_hides_fences_and_comments_and_keeps_plain_lines_visible():
    plain = Doc(PRD.split("---\n", 2)[2], 8)
    assert [h.title for h in plain.headings] == [
        "Notices",
        "Problem",
        "Requirements",
        "REQ-001: Deliver a notice",
        "REQ-002: a tab after the hashes",
        "Non-goals",
    ]
    assert not any("REQ-900" in text for _, text in plain.whole.content())
    assert not any("REQ-901" in text for _, text in plain.whole.content())
    no_fences = Doc("# A\n\ntext\n## B\n- item\n", 5)
    assert no_fences.visible == [(1, 6, ""), (2, 7, "text"), (4, 9, "- item"), (5, 10, "")]
    assert no_fences.whole.content() == [(6, ""), (7, "text"), (9, "- item"), (10, "")]
    assert no_fences.hidden == frozenset()


def test_fields_and_bullets_is_fields_and_joined_bullets():
    doc = Doc(PRD.split("---\n", 2)[2], 8)
    section = doc.section_of(next(h for h in doc.headings if h.title.startswith("REQ-001")))
    fields, bullets = section.fields_and_bullets()
    assert fields == section.fields()
    assert bullets == section.bullets(joined=True)
    assert bullets[-1].text == (
        "Given an event is recorded, when 1 minute passes, then the owner has one notice."
    )


def test_id_scan_matches_word_bounded_ids():
    text = PRD + " xREQ-1 REQ-12a _TASK-3 TASK-4_ ÉADR-5 (THR-6) MIT-7. REQ-"
    old = [(m.span(), m.groups()) for m in OLD_ID.finditer(text)]
    assert [(m.span(), m.groups()) for m in ID_RE.finditer(text)] == old
    assert ("MIT", "7") in [groups for _, groups in old]


@pytest.mark.parametrize(
    "text",
    [
        PRD,
        "---\nid: a\n---",
        "---\nid: a\n---\n",
        "---\nid: a\n...\nbody\n",
        "\ufeff---\r\nid: a\r\n---  \r\nbody",
        "no frontmatter\n---\n",
        "",
    ],
)
def test_frontmatter_body_is_the_text_after_the_block(text):
    doc = frontmatter.parse(text)
    lines = text.removeprefix("\ufeff").split("\n")
    skip = doc.body_line - 1
    assert doc.body == "\n".join(lines[skip:])


@pytest.mark.parametrize("text", ["---", "---\n", "---\nid: a\n"])
def test_frontmatter_never_closed_is_an_error(text):
    with pytest.raises(frontmatter.FrontmatterError, match="never closed"):
        frontmatter.parse(text)


def test_definitions_are_the_req_headings_of_the_raw_lines():
    artifact: Artifact = parse_artifact("docs/prd/notices.md", PRD, "prd")
    found = [(d.id, d.line) for d in definitions(artifact)]
    # headings inside fences and comments still define ids: definitions read raw lines
    assert found == [
        ("notices", 2),
        ("REQ-001", 16),
        ("REQ-900", 25),
        ("REQ-901", 29),
        ("REQ-002", 33),
    ]


OLD_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
OLD_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*]+?)\*\*\s*:?\s*(.*)$")


def old_fields_and_items(lines, top_only, joined):
    """The per-line regex loop the one-pass scan replaced."""
    from ygs.core.markdown import Bullet, Field, words

    fields, items, open_item = {}, [], False
    for line, text in lines:
        match = OLD_FIELD.match(text)
        if match and words(match.group(1)) and words(match.group(1)) not in fields:
            name = words(match.group(1))
            fields[name] = Field(line, name, match.group(2).strip())
        first = text.lstrip()[:1]
        match = OLD_BULLET.match(text) if first and first in "-*+0123456789" else None
        if match:
            indent = len(match.group(1).expandtabs(4))
            if top_only and indent != 0:
                continue
            items.append(Bullet(line, indent, match.group(2).strip()))
            open_item = True
            continue
        stripped = text.strip()
        if joined and open_item and stripped and not stripped.startswith("|"):
            last = items[-1]
            items[-1] = Bullet(last.line, last.indent, f"{last.text} {stripped}")
        else:
            open_item = False
    return fields, items


LINE = " \t\r\u00a0-*+1٣.):|x#B"  # B: bold markers


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "- ", "  - ", "\t* ", "1. ", "+\t", " "]),
            st.sampled_from(["", "**x**", "**Priority:**", "**a*b**", "** Kind **", "**"]),
            st.sampled_from(["", ":", " : ", " ", "::"]),
            st.text(alphabet=LINE, max_size=10),
        )
        .map("".join)
        .map(lambda t: t.replace("B", "**")),
        max_size=8,
    ),
    st.booleans(),
    st.booleans(),
)
def test_one_pass_scan_gives_what_the_line_regexes_gave(texts, top_only, joined):
    from ygs.core.markdown import _scan

    lines = list(enumerate(texts, start=1))
    fields, items = {}, []
    _scan(lines, fields, items, top_only, joined)
    assert (fields, items) == old_fields_and_items(lines, top_only, joined)
    kept: list = []
    _scan(lines, None, kept, top_only, joined, bold=False)
    assert kept == [b for b in items if not b.text.startswith("**")]


def test_the_ascii_check_for_odd_characters_is_the_pattern():
    from ygs.core import yamltext

    pattern = yamltext.odd_pattern()
    for code in range(128):
        text = f"key: a{chr(code)}b\n"
        assert yamltext._odd(text) == (pattern.search(text) is not None), code
    assert yamltext._odd("key: caf\u00e9\u2028\n")
    assert not yamltext._odd("key: caf\u00e9\n")


OLD_WORD = re.compile(r"[0-9a-z]+")
OLD_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivxIVX]+[.)])\s+")


def old_words(title: str) -> str:
    """Heading words as the regex gave them before the byte translation."""
    return " ".join(OLD_WORD.findall(OLD_NUMBERING.sub("", title.strip()).lower()))


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZz09 -_.:)(#*\t\u00a0\x1cIVXivx1.2é\u0130ß"))))
def test_words_by_translation_are_the_regex_words(title):
    from ygs.core.markdown import _words, words

    assert _words(title) == words(title) == old_words(title)


# Lines of markdown that the whole-body passes must read as the line loops did.
MD_LINE = st.tuples(
    st.sampled_from(
        ["", "#", "##", "### ", "####### ", "- ", "  - ", "\t* ", "1. ", " ", "```", "~~~"]
    ),
    st.sampled_from(["", "**x**", "**Priority:**", "**a*b**", "** Kind **", "**", "<!--", "-->"]),
    st.sampled_from(["", ":", " : ", " ", "REQ-1: t", "`", "~", "<"]),
    st.text(alphabet=LINE, max_size=8),
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(MD_LINE, max_size=14), st.integers(min_value=1, max_value=9))
def test_doc_finds_the_headings_the_line_loop_found(lines, first):
    from ygs.core.markdown import _may_hide

    text = "\n".join(lines)
    doc = Doc(text, first)
    assert _may_hide(text) == ("```" in text or "~~~" in text or "<!--" in text)
    if doc._visible is None:  # no fence or comment: every line starting with `#` is tried
        old = [(i, heading(line)) for i, line in enumerate(lines) if line[:1] == "#"]
        expected = [(i, h[0], h[1], old_words(h[1]), first + i) for i, h in old if h is not None]
        assert [tuple(h) for h in doc.headings] == expected


@settings(max_examples=600, deadline=None)
@given(st.lists(MD_LINE, max_size=10), st.integers(min_value=1, max_value=9))
def test_plain_fields_and_items_are_what_the_scan_gives(lines, first):
    from ygs.core.markdown import _plain_fields_and_items, _scan

    lines = [line.replace("\n", " ") for line in lines]
    fast = _plain_fields_and_items(lines, first)
    fields, items = {}, []
    _scan(enumerate(lines, first), fields, items, joined=True, bold=False)
    assert fast is None or fast == (fields, items)


def test_requirement_sections_take_the_plain_path():
    from ygs.core.markdown import _plain_fields_and_items

    doc = Doc(PRD.split("---\n", 2)[2], 8)
    section = doc.section_of(next(h for h in doc.headings if h.title.startswith("REQ-001")))
    lines = doc.lines[section.start : section.end]
    assert _plain_fields_and_items(lines[:5], 1) is not None  # fields and one item
    assert _plain_fields_and_items(lines[:6], 1) is not None  # a continuation line too
    assert _plain_fields_and_items(["  - **Label:** value"], 1) is None  # a bold item
    assert _plain_fields_and_items(["1. numbered"], 1) is None  # a numbered item


def md_lines(max_size: int, *lines: list[str]):
    """Lists of markdown lines (`MD_LINE`) and of these."""
    return st.lists(st.one_of(MD_LINE, *map(st.sampled_from, lines)), max_size=max_size)


@settings(max_examples=300, deadline=None)
@given(md_lines(16, ["### REQ-001: a", "## REQ-002", "#### Scenario: s", "## Non-goals"]))
def test_every_sections_fields_and_items_are_what_the_line_loop_gives(lines):
    """Whole PRD-like bodies: what `requirements_of` reads of each section at once
    (`Doc.plain_fields_and_items`, `fields_and_bullets(bold=False)`) against the line
    loop (`Section.scanned`)."""
    body = "\n".join(line.replace("\n", " ") for line in lines)
    artifact = parse_artifact("docs/prd/p.md", f"---\nid: p\ntype: prd\n---\n{body}", "prd")
    doc = Doc(artifact.body, artifact.body_line)
    for at, h in enumerate(doc.headings):
        section = doc.section_of(h)
        slow = section.scanned(bold=False)
        assert section.fields_and_bullets(bold=False) == slow
        assert doc.plain_fields_and_items(at) in (None, slow)


OLD_LINE_SHAPES = re.compile(
    r"^(?:(- \*\*)([^*\n]*)(\*\*)?[^\S\n]*:?(.*)|( *)([-*+]) (.*)| *|(.+))$", re.MULTILINE
)


def old_plain_fields_and_items(lines, first):
    """The regex reading of a section's lines that the string tests replaced."""
    from ygs.core.markdown import _BULLET_START, Bullet, Field, words

    fields, items, state = {}, [], 0
    shapes = OLD_LINE_SHAPES.findall("\n".join(lines))
    for line, (bold, label, close, value, indent, mark, rest, other) in enumerate(shapes, first):
        if bold:
            if label and close:
                name = words(label)
                if name and name not in fields:
                    fields[name] = Field(line, name, value.strip())
            state = 2
        elif mark:
            rest = rest.strip()
            if rest[:2] == "**":
                return None
            items.append(Bullet(line, len(indent), rest))
            state = 1
        elif other:
            if "**" in other:
                return None
            stripped = other.strip()
            if stripped[:1] in _BULLET_START:
                return None
            if not stripped or stripped[0] == "|":
                state = 0
            elif state == 1:
                last = items[-1]
                items[-1] = Bullet(last.line, last.indent, f"{last.text} {stripped}")
        else:
            state = 0
    return fields, items


# Lines of requirement sections: field lines, items, continuations, blanks, odd spaces.
SECTION_LINE = st.tuples(
    st.sampled_from(["", "- **", "- ", "  - ", "  ", " ", "* ", "+ ", "-", "\t", "|", "1. "]),
    st.sampled_from(["", "Priority", "Failure mode", "x", ":", "*", "**", "***", "a*b"]),
    st.sampled_from(["", "**", "**:", ":** ", "* ", " **", "\u00a0"]),
    st.text(alphabet=" \t\r\u00a0\u2028\x1c-*+1:|xé", max_size=8),
).map("".join)


@settings(max_examples=800, deadline=None)
@given(st.lists(SECTION_LINE, max_size=10), st.integers(min_value=1, max_value=9))
def test_plain_fields_and_items_are_what_the_line_regex_gave(lines, first):
    from ygs.core.markdown import _plain_fields_and_items

    assert _plain_fields_and_items(lines, first) == old_plain_fields_and_items(lines, first)


@pytest.mark.parametrize("text", [PRD, "no frontmatter\n## REQ-004: x\n", "---\nid: t\n---\n"])
def test_artifacts_built_at_once_are_what_the_dataclass_builds(text):
    from dataclasses import fields

    from ygs.core.artifacts import from_record, to_record

    artifact = parse_artifact("docs/prd/notices.md", text, "prd")
    record = to_record(artifact)
    built = Artifact(*record[:-1])
    again, defs = from_record(record)
    assert vars(artifact) == vars(built) == vars(again)
    assert list(vars(again)) == [f.name for f in fields(Artifact)]
    assert defs == definitions(artifact)


@pytest.mark.parametrize(
    "text",
    [
        PRD,
        "## REQ-001: first line, no frontmatter\n",
        "---\nid: p\n---\n## REQ-002: on the body's first line\n",
        "---\nid: p\n---",
        "\ufeff---\nid: p\n---\n\n###\tREQ-003 a\n####### REQ-004\n## REQ-5a\n## x REQ-6\n",
    ],
)
def test_definitions_are_what_the_heading_regex_over_the_body_finds(text):
    artifact = parse_artifact("docs/prd/p.md", text, "prd")
    assert [(d.id, d.line) for d in definitions(artifact)][1:] == regex_definitions(artifact)


HEADING_CHARS = list("# \t\u00a0\x1c\u2028\0aZ1.)ivx-:é")
HEADING_LINE = st.text(alphabet=st.sampled_from(HEADING_CHARS), max_size=12)


@settings(max_examples=400, deadline=None)
@given(HEADING_LINE)
def test_a_heading_read_with_its_key_is_the_heading_and_its_words(line):
    from ygs.core.markdown import _HEADINGS, _heading_key

    found = heading(line)
    _HEADINGS.clear()
    assert _heading_key(line) == (found and (*found, old_words(found[1])))
    assert _heading_key(line) == (found and (*found, old_words(found[1])))  # remembered


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(HEADING_LINE, HEADING_LINE.map("## ".__add__)), max_size=8))
def test_headings_read_together_are_each_heading_and_its_words(lines):
    from ygs.core.markdown import _HEADINGS, _read_headings

    _HEADINGS.clear()
    expected = [heading(line) for line in lines]
    expected = [(*h, old_words(h[1])) if h else () for h in expected]
    assert _read_headings(lines, [None] * len(lines)) == expected
    assert [_HEADINGS[line] for line in lines] == expected


def old_block(text):
    """The frontmatter's lines and the body's offset, by the line loop the searches
    replaced."""
    nl = text.find("\n")
    if (text if nl < 0 else text[:nl]).rstrip() != "---":
        return None
    lines, size = ["---"], len(text)
    start = nl + 1 if nl >= 0 else size + 1
    while start <= size:
        nl = text.find("\n", start)
        stop = size if nl < 0 else nl
        line = text[start:stop]
        if line.rstrip() in ("---", "..."):
            return lines, stop + 1
        lines.append(line)
        start = stop + 1
    return lines, -1


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["---", "...", "--", "----", "id: a", "", " ---", "-- -"]),
            st.text(alphabet=" \t\r\u00a0\x1c\u2028-.x", max_size=3),
        ).map("".join),
        max_size=6,
    )
)
def test_the_frontmatter_block_is_what_the_line_loop_found(lines):
    from ygs.core.frontmatter import _block

    text = "\n".join(lines)
    old = old_block(text)
    if old is None:
        assert _block(text) is None
        return
    source, count, body_at = _block(text)
    assert body_at == old[1]
    if body_at >= 0:
        assert (source, count) == ("\n".join(old[0][1:]), len(old[0]))


def regex_definitions(artifact):
    """(id, line) of the REQ headings, by the heading regex over the raw body."""
    body = "\n" + artifact.body
    found, line, at = [], artifact.body_line, 0
    for match in re.finditer(r"\n#{2,6}[^\S\n]+(REQ-\d+)\b", body):
        line += body.count("\n", at, match.start())
        at = match.start()
        found.append((match.group(1), line))
    return found


@settings(max_examples=300, deadline=None)
@given(
    md_lines(
        12,
        ["### REQ-001: a", "## REQ-2", "####### REQ-3", "# REQ-4", "## REQ-5a", "## REQ-10: b"],
        ["##\tREQ-6 #", "## REQ-7##", "##  REQ-8\u00a0", "## x REQ-9"],
    )
)
def test_definitions_read_from_the_parsed_body_are_the_regex_ones(lines):
    body = "\n".join(line.replace("\n", " ") for line in lines)
    artifact = parse_artifact("docs/prd/p.md", f"---\nid: p\ntype: prd\n---\n{body}", "prd")
    assert [(d.id, d.line) for d in definitions(artifact)][1:] == regex_definitions(artifact)


def test_a_prd_body_is_parsed_once_for_its_definitions_requirements_and_lint():
    from ygs.core.artifacts import _DOCS, body_doc
    from ygs.core.specs import requirements_of

    text = PRD.replace("```", "").replace("<!--", "").replace("-->", "")
    artifact = parse_artifact("docs/prd/notices.md", text, "prd")
    defs = definitions(artifact)
    doc = body_doc(artifact)  # the one `definitions` parsed, let go
    assert artifact.path not in _DOCS and body_doc(artifact) is not doc
    assert [(d.id, d.line) for d in defs][1:] == regex_definitions(artifact)
    requirements_of(artifact, doc)
    assert definitions(artifact) == defs  # read from the body requirements_of just read
    assert artifact.path not in _DOCS
    edited = parse_artifact("docs/prd/notices.md", text.replace("REQ-001", "REQ-011"), "prd")
    requirements_of(artifact, doc)
    assert [d.id for d in definitions(edited)][1] == "REQ-011"  # another text: parsed anew
    assert body_doc(artifact) is not body_doc(edited)


@pytest.mark.parametrize("text", [PRD, "---\nid: a\nlist:\n  - x\n---\nbody", "---\n---\n"])
def test_a_document_built_at_once_is_what_the_dataclass_builds(text):
    doc = frontmatter.parse(text)
    built = frontmatter.Document(doc.meta, doc.body, doc.body_line, True, doc.key_lines)
    assert doc == built and vars(doc) == vars(built)
    assert doc.key_lines == {k: n for n, k in frontmatter_keys(text)}


def frontmatter_keys(text):
    """(line, key) of the frontmatter's top-level keys, by a line loop."""
    lines = text.split("\n")
    end = lines.index("---", 1)
    return [(n, line.split(":")[0]) for n, line in enumerate(lines[1:end], 2) if line[:1].isalpha()]


def test_bodies_are_not_held_where_no_lint_follows():
    """Parsing that no lint follows (worker processes of `status`) holds no parsed body."""
    from ygs.core.artifacts import _DOCS, hold_docs

    text = PRD.replace("```", "").replace("<!--", "").replace("-->", "")
    artifact = parse_artifact("docs/prd/held.md", text, "prd")
    was = hold_docs(False)
    try:
        defs = definitions(artifact)
        assert artifact.path not in _DOCS
    finally:
        assert hold_docs(was) is False
    assert definitions(artifact) == defs and artifact.path in _DOCS
