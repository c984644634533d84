"""Markdown as the artifacts use it: sections by heading words, tables, bullets, field lines.

Pure and forgiving: any text parses. Headings are matched by their words,
case-insensitively and without numbering, so `## 7. Threats by subsystem` is
the section `threats by subsystem`. Lines inside code fences and HTML comments
are never headings, bullets or table rows. Every element carries its 1-based
line in the file (the body's first line is `first_line`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cached_property, lru_cache
from itertools import accumulate, compress, repeat
from operator import add
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivxIVX]+[.)])\s+")
_WORD = re.compile(r"[0-9a-z]+")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_BULLET_START = frozenset("-*+0123456789")
_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*]+?)\*\*\s*:?\s*(.*)$")
FIELD = _FIELD
BULLET = _BULLET
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_COMMENT = re.compile(r"<!--.*?-->")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
SEPARATOR_CELL = _SEPARATOR_CELL
_PLACEHOLDER = re.compile(r"^(?:(?:tbd|todo)\b.*|-+|…|\.\.\.)$", re.IGNORECASE | re.DOTALL)
_NOTHING = re.compile(r"^(?:n/?a|none|nothing|none recorded|none yet)\.?$", re.IGNORECASE)
_MARKS = frozenset(("- ", "* ", "+ "))  # how most list items start, after the indent
_MARK_CHARS = frozenset("-*+")
_new = tuple.__new__  # builds the named tuples below without a Python-level __new__ call
# line -> (level, title, key), or () when it is no heading
_HEADINGS: dict[str, tuple[int, str, str] | tuple[()]] = {}


def _words(title: str) -> str:
    """`words`, not remembered. ASCII text (most titles) has its letters lower-cased and
    everything but letters and digits made a space by one byte translation, then is split
    into the runs `_WORD` finds."""
    title = title.strip()
    first = title[:1]
    if first.isdecimal() or first in ("i", "v", "x", "I", "V", "X"):  # what _NUMBERING starts with
        title = _NUMBERING.sub("", title)
    if title.isascii():
        return " ".join(title.encode().translate(_WORD_BYTES).decode().split())
    return " ".join(_WORD.findall(title.lower()))


# each byte to itself when `_WORD` takes it (0-9, a-z), A-Z to lower case, others to a space
_WORD_BYTES = bytes(
    c if 48 <= c <= 57 or 97 <= c <= 122 else c + 32 if 65 <= c <= 90 else 32 for c in range(256)
)


@lru_cache(maxsize=4096)
def words(title: str) -> str:
    """A heading's key: lower-case words, numbering and punctuation removed."""
    return _words(title)


def heading(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line (`## Title ##`), else None: what `_HEADING`
    matches, without a regex (headings are on every page of every document)."""
    hashes = len(line) - len(line.lstrip("#"))
    if not 0 < hashes <= 6 or not line[hashes : hashes + 1].isspace():
        return None
    return hashes, line[hashes:].strip().rstrip("#").rstrip()


def is_placeholder(text: str) -> bool:
    """Empty, TBD…, TODO…, a dash or an ellipsis: nothing written yet."""
    text = text.strip().strip("*_`").strip()
    return not text or bool(_PLACEHOLDER.match(text))


def is_nothing(text: str) -> bool:
    """A placeholder, or a value that says there is nothing (None, N/A)."""
    return is_placeholder(text) or bool(_NOTHING.match(text.strip().strip("*_`").strip()))


def strip_comments(text: str) -> str:
    return _INLINE_COMMENT.sub("", text)


class Heading(NamedTuple):
    index: int  # position in Doc.lines
    level: int
    title: str
    key: str
    line: int


class Bullet(NamedTuple):
    line: int
    indent: int
    text: str


class Row(NamedTuple):
    line: int
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        return self.cells[index] if 0 <= index < len(self.cells) else ""


class Table(NamedTuple):
    line: int
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    keys: tuple[str, ...] = ()  # the header's words

    def column(self, *names: str) -> int:
        """Index of the first header whose words equal one of `names`, else -1."""
        for name in names:
            if name in self.keys:
                return self.keys.index(name)
        return -1


class Field(NamedTuple):
    line: int
    name: str  # words of the bold label
    value: str


def split_row(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    if "\\" not in inner:  # no escaped pipe: a plain split is the same
        return tuple(c.strip() for c in inner.split("|"))
    return tuple(c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(inner))


class Doc:
    """A parsed markdown body."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.lines = text.split("\n")
        self.first_line = first_line
        self.headings: list[Heading] = []
        # visible lines: (index, 1-based line, text with inline comments cut); None when
        # every line but the headings is visible (no fence, no comment): then computed
        # from `lines` when asked for
        self._visible: list[tuple[int, int, str]] | None = None
        if _may_hide(text):
            self._visible = []
            self.hidden = frozenset(self._scan(first_line))
        else:
            self.hidden = frozenset()
            self._find_headings(text, first_line)
        self._content: dict[tuple[int, int], list[tuple[int, str]]] = {}
        self._tables: dict[tuple[int, int], list[Table]] = {}
        self._found: dict[tuple[tuple[str, ...], int | None], Heading | None] = {}

    def _find_headings(self, text: str, first_line: int) -> None:
        """The headings of a body with no fence or comment: the lines that start with `#`
        are found by splitting the text at each `\\n#` (counting the line breaks between),
        and read together (`_read_headings`)."""
        chunks = text.split("\n#")
        at = list(accumulate(map(add, map(str.count, chunks[:-1], repeat("\n")), repeat(1))))
        if text[:1] == "#":
            at.insert(0, 0)
        if not at:
            return
        lines = list(map(self.lines.__getitem__, at))
        parsed = list(map(_HEADINGS.get, lines))
        if None in parsed:
            parsed = _read_headings(lines, parsed)
        if () in parsed:  # a line that starts with `#` but is no heading (`#tag`, `#######`)
            at = list(compress(at, parsed))
            parsed = list(compress(parsed, parsed))
        self.headings = [
            _new(Heading, (i, level, title, key, first_line + i))
            for i, (level, title, key) in zip(at, parsed, strict=True)
        ]

    def _scan(self, first_line: int) -> set[int]:
        """Headings and visible lines of a body with fences or comments; the hidden lines."""
        hidden: set[int] = set()  # inside code fences or HTML comment blocks, markers included
        fence = ""
        comment = False
        for i, line in enumerate(self.lines):
            if fence or comment:
                hidden.add(i)
                if fence and line.strip().startswith(fence):
                    fence = ""
                elif comment:
                    comment = "-->" not in line
                continue
            if line[:1] == "#":
                parsed = _heading_key(line)
                if parsed is not None:
                    self.headings.append(_new(Heading, (i, *parsed, first_line + i)))
                    continue
            if "`" in line or "~" in line:
                match = _FENCE.match(line)
                if match:
                    fence = match.group(1)
                    hidden.add(i)
                    continue
            if "<!--" in line:
                if line.lstrip().startswith("<!--"):
                    hidden.add(i)
                    comment = "-->" not in line
                    continue
                line = strip_comments(line)
            self._visible.append((i, first_line + i, line))
        return hidden

    @cached_property
    def _heading_at(self) -> list[int]:
        return [h.index for h in self.headings]

    @property
    def visible(self) -> list[tuple[int, int, str]]:
        return self.visible_between(0, len(self.lines))

    @cached_property
    def _visible_at(self) -> list[int]:
        return [v[0] for v in self._visible or ()]

    @property
    def whole(self) -> Section:  # not cached: a Doc holds no Section, so no cycle keeps it
        return Section(self, None, 0, len(self.lines))

    def section(self, *names: str, level: int | None = None) -> Section | None:
        """The first section whose heading words equal a name; else one that starts with it."""
        key = (names, level)
        if key in self._found:
            found = self._found[key]
        else:
            found = self._found[key] = _pick(self.headings, names, level)
        return None if found is None else self.section_of(found)

    def _end(self, heading: Heading) -> int:
        return self._ends[heading.index]

    @cached_property
    def _ends(self) -> dict[int, int]:
        """Where each heading's section ends: the next heading of its level or higher."""
        ends: dict[int, int] = {}
        open_: list[Heading] = []
        for h in self.headings:
            while open_ and open_[-1].level >= h.level:
                ends[open_.pop().index] = h.index
            open_.append(h)
        for h in open_:
            ends[h.index] = len(self.lines)
        return ends

    def tables_between(self, start: int, end: int) -> list[Table]:
        """`Section.tables()` (computed once; callers must not change the list)."""
        found = self._tables.get((start, end))
        if found is None:
            found = self._tables[start, end] = _tables(self.content_between(start, end))
        return found

    def headings_between(self, start: int, end: int) -> list[Heading]:
        return self.headings[
            bisect_left(self._heading_at, start) : bisect_left(self._heading_at, end)
        ]

    def visible_between(self, start: int, end: int) -> list[tuple[int, int, str]]:
        if self._visible is None:
            first, lines = self.first_line, self.lines
            return [(i, first + i, lines[i]) for i in self._plain_between(start, end)]
        return self._visible[
            bisect_left(self._visible_at, start) : bisect_left(self._visible_at, end)
        ]

    def _plain_between(self, start: int, end: int) -> list[int]:
        """Indexes of the lines from `start` to `end` that are not headings."""
        heads = self.headings_between(start, end)
        if not heads:
            return list(range(start, end))
        skip = {h.index for h in heads}
        return [i for i in range(start, end) if i not in skip]

    def content_between(self, start: int, end: int) -> list[tuple[int, str]]:
        """(line, text) of the visible lines from `start` to `end` (computed once: the
        rules ask for the same sections many times). Callers must not change the list."""
        found = self._content.get((start, end))
        if found is None:
            if self._visible is None:
                first, lines = self.first_line, self.lines
                if self.headings_between(start, end):
                    found = [(first + i, lines[i]) for i in self._plain_between(start, end)]
                else:  # every line, paired in C
                    found = list(
                        zip(range(first + start, first + end), lines[start:end], strict=True)
                    )
            else:
                found = [(number, text) for _, number, text in self.visible_between(start, end)]
            self._content[start, end] = found
        return found

    def section_of(self, heading: Heading) -> Section:
        return Section(self, heading, heading.index + 1, self._end(heading))

    def plain_fields_and_items(self, at: int) -> tuple[dict[str, Field], list[Bullet]] | None:
        """`section_of(self.headings[at]).fields_and_bullets(bold=False)`, read at once, when
        the section has no sub-heading, the body no fence or comment and its lines nothing
        that needs the line loop (most requirement sections); else None."""
        if self._visible is not None:
            return None
        headings = self.headings
        heading = headings[at]
        end = len(self.lines)
        if at + 1 < len(headings):
            after = headings[at + 1]  # the section's end: no sub-heading comes first
            if after.level > heading.level:
                return None  # a sub-heading: it ends the fields' reach
            end = after.index
        start = heading.index + 1
        return _plain_fields_and_items(self.lines[start:end], self.first_line + start)


class Section:
    """The lines under a heading, up to the next heading of the same or a higher level."""

    def __init__(self, doc: Doc, heading: Heading | None, start: int, end: int) -> None:
        self.doc = doc
        self.heading = heading
        self.start = start
        self.end = end

    @property
    def line(self) -> int:
        return self.heading.line if self.heading else self.doc.first_line

    @property
    def title(self) -> str:
        return self.heading.title if self.heading else ""

    def _headings(self) -> list[Heading]:
        return self.doc.headings_between(self.start, self.end)

    def section(self, *names: str, level: int | None = None) -> Section | None:
        found = _pick(self._headings(), names, level)
        return None if found is None else self.doc.section_of(found)

    def subsections(self, level: int | None = None) -> list[Section]:
        """Direct children: the highest heading level below this one (or `level`)."""
        inner = self._headings()
        if not inner:
            return []
        wanted = level if level is not None else min(h.level for h in inner)
        return [self.doc.section_of(h) for h in inner if h.level == wanted]

    def content(self, own_only: bool = False) -> list[tuple[int, str]]:
        """(line, text) of visible lines: no headings, comments or fences; inline comments cut.

        With own_only, stop at the first sub-heading.
        """
        end = self.end
        if own_only:
            inner = self._headings()
            end = inner[0].index if inner else end
        return list(self.doc.content_between(self.start, end))

    def _lines(self) -> list[tuple[int, str]]:
        """`content()`, shared: not to be changed."""
        return self.doc.content_between(self.start, self.end)

    def _pairs(self) -> Iterable[tuple[int, str]]:
        """`_lines()` to read once: without a list of them when every line is visible (no
        fence, comment or sub-heading), as most requirement sections are."""
        doc, start, end = self.doc, self.start, self.end
        if doc._visible is None and not doc.headings_between(start, end):
            return zip(
                range(doc.first_line + start, doc.first_line + end),
                doc.lines[start:end],
                strict=True,
            )
        return doc.content_between(start, end)

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self._lines()).strip()

    def is_empty(self) -> bool:
        """Nothing but blanks and placeholders (TBD, None, -): in prose, bullets, fields and
        table rows (a table's header alone is empty)."""
        for _, text in self._lines():
            stripped = text.strip()
            if not stripped or stripped.startswith("|"):
                continue
            match = _BULLET.match(stripped)
            value = match.group(2) if match else stripped
            field = _FIELD.match(value)
            if field:
                value = field.group(2)
            if not is_nothing(value):
                return False
        for table in self.tables():
            if any(not is_nothing(c) for row in table.rows for c in row.cells):
                return False
        return True

    def bullets(self, top_only: bool = False, joined: bool = False) -> list[Bullet]:
        """List items; with `joined`, an item's continuation lines (indented, or directly
        after it with no blank line between) are joined to its text."""
        found: list[Bullet] = []
        _scan(self._pairs(), None, found, top_only, joined)
        return found

    def fields_and_bullets(self, bold: bool = True) -> tuple[dict[str, Field], list[Bullet]]:
        """`fields()` and `bullets(joined=True)` (without `bold`, leaving out the items that
        start with `**`, field lines mostly)."""
        doc, start, end = self.doc, self.start, self.end
        if not bold and doc._visible is None and not doc.headings_between(start, end):
            found = _plain_fields_and_items(doc.lines[start:end], doc.first_line + start)
            if found is not None:
                return found
        return self.scanned(bold)

    def scanned(self, bold: bool = True) -> tuple[dict[str, Field], list[Bullet]]:
        """`fields_and_bullets`, by the line loop alone."""
        fields: dict[str, Field] = {}
        items: list[Bullet] = []
        _scan(self._pairs(), fields, items, joined=True, bold=bold)
        return fields, items

    def fields(self) -> dict[str, Field]:
        """`- **Label:** value` lines by label words; the first occurrence wins."""
        found: dict[str, Field] = {}
        _scan(self._pairs(), found, None)
        return found

    def tables(self) -> list[Table]:
        return list(self.doc.tables_between(self.start, self.end))

    def words_count(self) -> int:
        return len(self.text.split())


def _may_hide(text: str) -> bool:
    """Whether `text` may hold a code fence or an HTML comment (```, ~~~ or <!--): each
    marker's first character is looked for alone first, a much faster search."""
    return (
        ("`" in text and "```" in text)
        or ("~" in text and "~~~" in text)
        or ("<" in text and "<!--" in text)
    )


def _heading_key(line: str) -> tuple[int, str, str] | None:
    """`heading(line)` with its title's words; remembered by line (titles recur)."""
    found = _HEADINGS.get(line)
    if found is None:
        found = _read_headings([line], [None])[0]
    return found or None


def _read_headings(lines: list[str], known: list) -> list[tuple]:
    """`known` (each line's entry in `_HEADINGS`, None when it has none) with the missing
    ones read now and remembered: (level, title, title words) of a heading (what `heading`
    and `words` read), () for a line that is none. The titles' words are read together
    when they are ASCII and unnumbered (most are): one translation of them all."""
    if len(_HEADINGS) >= 4096:
        _HEADINGS.clear()
    found = list(known)
    batch: list[int] = []  # the misses whose words are read together, with their
    levels: list[int] = []  # levels and titles
    titles: list[str] = []
    for i, line in enumerate(lines):
        if found[i] is not None:
            continue
        rest = line.lstrip("#")
        level = len(line) - len(rest)
        if not 0 < level <= 6 or not rest[:1].isspace():
            found[i] = _HEADINGS[line] = ()
            continue
        title = rest.strip()
        if title[-1:] == "#":
            title = title.rstrip("#").rstrip()
        first = title[:1]
        if first.isdecimal() or first in _NUMBERING_START or not title.isascii():
            found[i] = _HEADINGS[line] = (level, title, _words(title))
        else:
            batch.append(i)
            levels.append(level)
            titles.append(title)
    if batch:
        keys = _ascii_words(titles)
        for i, level, title, key in zip(batch, levels, titles, keys, strict=True):
            found[i] = _HEADINGS[lines[i]] = (level, title, key)
    return found


_NUMBERING_START = frozenset("ivxIVX")  # with the digits, what `_NUMBERING` starts with
# `_WORD_BYTES` but for the line break, which becomes NUL: it parts the titles of a batch
_WORD_BYTES_NL = _WORD_BYTES[:10] + b"\0" + _WORD_BYTES[11:]


def _ascii_words(titles: list[str]) -> list[str]:
    """`_words` of each of these ASCII titles (no line break, no numbering), read at once."""
    joined = "\n".join(titles).encode().translate(_WORD_BYTES_NL).decode()
    joined = " ".join(joined.split()).replace(" \0", "\0").replace("\0 ", "\0")
    return joined.split("\0")


def _pick(headings: list[Heading], names: tuple[str, ...], level: int | None) -> Heading | None:
    """The first heading whose words equal a name, else the first that starts with one."""
    candidates = [h for h in headings if level is None or h.level == level]
    for name in names:
        for h in candidates:
            if h.key == name:
                return h
    for name in names:
        prefix = name + " "
        for h in candidates:
            if h.key.startswith(prefix):
                return h
    return None


def _classify(text: str, stripped: str) -> tuple[str, str, int, str]:
    """What `_FIELD` and `_BULLET` find on a line that does not start (after its indent)
    with `- `, `* ` or `+ `: (label, value) of its field ("" when none) and (indent width,
    text) of the list item it starts (-1 when none)."""
    label = value = ""
    if "**" in text:
        field = _FIELD.match(text)
        if field:
            label, value = field.group(1), field.group(2).strip()
    first = stripped[:1]
    match = _BULLET.match(text) if first and first in _BULLET_START else None
    if match:
        return label, value, len(match.group(1).expandtabs(4)), match.group(2).strip()
    return label, value, -1, ""


def _scan(
    lines: Iterable[tuple[int, str]],
    fields: dict[str, Field] | None,
    items: list[Bullet] | None,
    top_only: bool = False,
    joined: bool = False,
    bold: bool = True,
) -> None:
    """One pass over the lines: the `**Label:** value` fields into `fields` by label words
    (the first one wins), the list items into `items` (with `top_only`, only unindented
    ones; with `joined`, continuation lines appended to the open item; without `bold`, the
    items that start with `**` and their continuations left out). The usual list item
    (`- `, `* `, `+ ` after the indent) is read without a regex, to the same result."""
    state = 0  # 0: no item open, 1: the last item in `items` is open, 2: a left-out one is
    for line, text in lines:
        if text[:4] == "- **":  # the usual field line, `- **Label:** value`
            close = text.find("*", 4)
            if fields is not None and close > 4 and text[close + 1 : close + 2] == "*":
                name = words(text[4:close])
                if name and name not in fields:
                    value = text[close + 2 :].lstrip()
                    fields[name] = _new(Field, (line, name, value[value[:1] == ":" :].strip()))
            if items is not None:
                if bold:
                    items.append(_new(Bullet, (line, 0, text[2:].strip())))
                state = 1 if bold else 2
            continue
        stripped = text.lstrip()
        if stripped[:2] in _MARKS:
            rest = stripped[2:].strip()
            width = len(text) - len(stripped)
            if width:
                width = len(text[:width].expandtabs(4))
            label = ""
            if rest[:2] == "**":
                close = rest.find("*", 2)
                if close > 2 and rest[close + 1 : close + 2] == "*":
                    label = rest[2:close]
                    value = rest[close + 2 :].lstrip()
                    value = value[value[:1] == ":" :].strip()
        else:
            label, value, width, rest = _classify(text, stripped)
        if label and fields is not None:
            name = words(label)
            if name and name not in fields:
                fields[name] = _new(Field, (line, name, value))
        if items is None:
            continue
        if width >= 0:
            if top_only and width:
                continue
            if bold or rest[:2] != "**":
                items.append(_new(Bullet, (line, width, rest)))
                state = 1
            else:
                state = 2
            continue
        stripped = stripped.rstrip() if joined and state else ""
        if stripped and stripped[0] != "|":
            if state == 1:
                last = items[-1]
                items[-1] = _new(Bullet, (last.line, last.indent, f"{last.text} {stripped}"))
        else:
            state = 0


def _plain_fields_and_items(
    lines: list[str], first: int
) -> tuple[dict[str, Field], list[Bullet]] | None:
    """`_scan(…, joined=True, bold=False)` of these lines (the first is line `first`), its
    fields and items; None when a line needs `_scan` itself: a list item that is not
    `- `, `* ` or `+ ` after spaces, or one whose text starts with `**`, or `**` elsewhere.
    Each line is told apart by string tests alone (a regex reads every character)."""
    fields: dict[str, Field] = {}
    items: list[Bullet] = []
    item_open = False  # `_scan`'s state 1: a continuation line joins the last item
    line = first - 1
    known = _FIELD_LINES.get
    for text in lines:
        line += 1
        if text[:4] == "- **":  # a field line when its label is closed by `**`
            field = known(text, False)
            if field is False:
                field = _field_line(text)
            if field is not None and field[0] not in fields:
                fields[field[0]] = _new(Field, (line, field[0], field[1]))
            item_open = False
            continue
        stripped = text.lstrip(" ")
        if stripped[1:2] == " " and stripped[0] in _MARK_CHARS:  # a list item
            rest = stripped[2:].strip()
            if rest[:2] == "**":
                return None
            items.append(_new(Bullet, (line, len(text) - len(stripped), rest)))
            item_open = True
        elif stripped:
            if "**" in text:
                return None
            stripped = text.strip()
            if stripped[:1] in _BULLET_START:
                return None
            if not stripped or stripped[0] == "|":
                item_open = False
            elif item_open:
                last = items[-1]
                items[-1] = _new(Bullet, (last.line, last.indent, f"{last.text} {stripped}"))
        else:  # spaces only
            item_open = False
    return fields, items


# `- **Label:** value` lines read before, by text (`- **Kind:** business` recurs in every
# requirement): (label words, value), or None for a line with no field
_FIELD_LINES: dict[str, tuple[str, str] | None] = {}


def _field_line(text: str) -> tuple[str, str] | None:
    """(label words, value) of a line that starts with `- **`, as `_scan` reads it; None
    when the label is not closed by `**` or has no words. Remembered by text when short."""
    found = None
    match = _FIELD_LINE.match(text)
    if match is not None:
        label, value = match.groups()
        name = words(label)
        if name:
            found = (name, value.strip())
    if len(text) <= 40:  # few recur, and those are short (`- **Kind:** business`)
        if len(_FIELD_LINES) >= 1024:
            _FIELD_LINES.clear()
        _FIELD_LINES[text] = found
    return found


# `- **Label**` up to the first `*` (closed by `**`), then spaces, one colon, and the value
_FIELD_LINE = re.compile(r"- \*\*([^*]+)\*\*\s*:?(.*)")


def _tables(lines: list[tuple[int, str]]) -> list[Table]:
    tables: list[Table] = []
    block: list[tuple[int, str]] = []
    for line, text in [*lines, (0, "")]:
        if text.lstrip().startswith("|"):
            block.append((line, text.strip()))
            continue
        if block:
            tables.append(_table(block))
            block = []
    return tables


def _is_separator(line: str) -> bool:
    if "-" not in line:  # every cell of a separator has dashes
        return False
    cells = [c for c in split_row(line) if c]
    return bool(cells) and all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in cells)


def _table(block: list[tuple[int, str]]) -> Table:
    header_line, header_text = block[0]
    rows = [(line, text) for line, text in block[1:] if not _is_separator(text)]
    header = split_row(header_text)
    body = tuple(Row(n, split_row(t)) for n, t in rows)
    return Table(header_line, header, body, tuple(words(h) for h in header))


_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|approx|no|fig|mr|mrs|dr|st)\.$", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Split prose into sentences; abbreviations and decimals do not end one."""
    text = " ".join(text.split())
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.end()]
        if _ABBREVIATIONS.search(candidate):
            continue
        parts.append(candidate.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts
