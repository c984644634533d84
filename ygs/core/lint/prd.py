"""PRD rules: problem, requirements (ids, RFC 2119, scenarios, failure modes), vague words,
non-goals, measurable success criteria, classified capabilities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from operator import attrgetter, itemgetter
from typing import NamedTuple

from ygs.core import markdown
from ygs.core.artifacts import Artifact
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy
from ygs.core.markdown import Doc, Heading, Section
from ygs.core.scan import InOrder
from ygs.core.specs import Requirement, is_gwt, statement_of

F = "prd"
MUST, SHOULD = Severity.MUST, Severity.SHOULD

RULES = (
    Rule(
        "PRD001",
        MUST,
        "a Problem section states the problem",
        "no problem statement",
        "add `## Problem` with one sentence: who suffers, what is broken, what it costs",
        """Every later decision is judged against the problem. A PRD without one invites
        solutions in search of a problem and cannot be reviewed.""",
        F,
    ),
    Rule(
        "PRD002",
        SHOULD,
        "the problem is one sentence",
        "problem statement is longer than one sentence",
        "cut it to the one sentence the success criteria measure; move the rest to Pain",
        """One sentence forces a choice about what the problem is. Several sentences usually
        mean several problems, and the success criteria then measure only some of them.""",
        F,
    ),
    Rule(
        "PRD003",
        SHOULD,
        "the problem names no technology",
        "problem statement names a technology",
        "state the user-visible effect; leave the technology to the TRD",
        """A problem that names a technology ("we have no event bus") is a solution in
        disguise: reviewers argue about the tool and cheaper options are never weighed.""",
        F,
    ),
    Rule(
        "PRD004",
        MUST,
        "a Requirements section has at least one requirement",
        "no requirements",
        "add `## Requirements` with `### REQ-NNN: title` sections (`ygs next-id REQ`)",
        """Requirements are what tasks satisfy and tests cover. A PRD without them cannot be
        planned, traced or accepted.""",
        F,
    ),
    Rule(
        "PRD005",
        MUST,
        "every requirement has a REQ id",
        "requirement without a REQ id",
        "title it `### REQ-NNN: title` with an id from `ygs next-id REQ`",
        """Tasks link to requirements by id (`satisfies: [REQ-003]`) and tests declare
        `covers: REQ-003`. A requirement without an id cannot be traced; ids are unique across
        the project (ART003 reports duplicates).""",
        F,
    ),
    Rule(
        "PRD006",
        MUST,
        "every requirement has a MUST, SHOULD or MAY priority",
        "requirement priority missing or unreadable",
        "add `- **Priority:** MUST (P0)` (or SHOULD (P1), MAY (P2))",
        """Priority decides what blocks a release and what the trace gate enforces: every MUST
        needs a task and a test. Without a priority nothing can be ranked.""",
        F,
    ),
    Rule(
        "PRD007",
        MUST,
        "every requirement statement carries an RFC 2119 keyword",
        "requirement statement without MUST, SHOULD or MAY",
        "write the statement in EARS form with an upper-case keyword: "
        "'When X, the system MUST Y within Z.'",
        """RFC 2119 keywords (MUST, SHOULD, MAY and their synonyms) say how binding a sentence
        is. A statement without one is a wish, and testers cannot tell whether it is
        mandatory.""",
        F,
    ),
    Rule(
        "PRD008",
        SHOULD,
        "the statement's keyword agrees with the priority",
        "statement keyword disagrees with the priority",
        "make the Priority line and the statement's keyword say the same thing",
        """A requirement marked MUST whose statement says SHOULD (or the reverse) will be
        planned at one priority and tested at another.""",
        F,
    ),
    Rule(
        "PRD009",
        MUST,
        "every MUST requirement has a Given/When/Then scenario",
        "MUST requirement without a Given/When/Then scenario",
        "add under `- **Scenarios:**` a line 'Given …, when …, then …' with an observable result",
        """A scenario is the requirement's acceptance test in words. A MUST without one
        cannot be verified, so it is not really a MUST.""",
        F,
    ),
    Rule(
        "PRD010",
        MUST,
        "every MUST requirement has an If/Then failure mode",
        "MUST requirement without an If/Then failure mode",
        "add `- **Failure mode:** If <failure>, then the system MUST <recovery>.`",
        """The first outage defines any behaviour the PRD left out. Stating the failure mode
        for each MUST (retry, degrade, compensate, refuse and alert) makes recovery a
        requirement instead of an accident.""",
        F,
    ),
    Rule(
        "PRD011",
        SHOULD,
        "vague words appear only next to a number",
        "vague word without a number",
        "replace it with a number (see skills/ygs-refine-prd/references/vague-words.md)",
        """Fast, scalable, reliable, easy, secure: a quality word without a number cannot be
        tested, so every design "meets" it. Keep the word only with the number that defines
        it ("fast: within 300 ms at p95").""",
        F,
    ),
    Rule(
        "PRD012",
        MUST,
        "non-goals are listed",
        "no non-goals",
        "add `## Non-goals` with at least one bullet a reader would otherwise assume",
        """Non-goals stop scope creep: they exclude the adjacent features a reader (or an
        agent) would otherwise assume are included.""",
        F,
    ),
    Rule(
        "PRD013",
        MUST,
        "success criteria are listed",
        "no success criteria",
        "add `## Success criteria` with bullets that each carry a number",
        """Without success criteria nobody can tell after release whether the work solved the
        problem.""",
        F,
    ),
    Rule(
        "PRD014",
        SHOULD,
        "every success criterion is measurable",
        "success criterion without a number",
        "give it a baseline, a target and a window: 'falls from 38 to 32 days within 90 days'",
        """A criterion without a number cannot fail, so it measures nothing.""",
        F,
    ),
    Rule(
        "PRD015",
        SHOULD,
        "capabilities are classified New, Modified or Removed",
        "capabilities not classified",
        "add `## Capabilities` with a table `| Capability | Change | Notes |`, "
        "Change one of New, Modified, Removed",
        """Most work changes a system that exists. Marking each capability New, Modified or
        Removed tells reviewers which existing users and data are affected and which
        dependents need a migration.""",
        F,
    ),
)
R = {r.id: r for r in RULES}

_RFC = Lazy(lambda: re.compile(r"\b(MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b"))
_RFC_LEVEL = {
    "MUST": "MUST",
    "SHALL": "MUST",
    "REQUIRED": "MUST",
    "SHOULD": "SHOULD",
    "RECOMMENDED": "SHOULD",
    "MAY": "MAY",
    "OPTIONAL": "MAY",
}


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_IF_THEN = Lazy(
    lambda: InOrder((re.compile(r"\bif\b", re.IGNORECASE), re.compile(r"\bthen\b", re.IGNORECASE)))
)
_DIGIT = Lazy(lambda: re.compile(r"\d"))
# where `markdown.sentences` may end a sentence: an end mark, closing quotes, a space
_SENTENCE_END = Lazy(lambda: re.compile(r"[.!?][\"')\]]*\s"))
_WORD = Lazy(lambda: re.compile(r"[A-Za-z][A-Za-z0-9.+#-]*"))
_SIGN_LETTER = Lazy(lambda: re.compile(rb"[0-9.+#-][a-z]"))  # in `_WORD_RUNS` bytes
TECHNOLOGY = _wordset(
    """python java javascript typescript golang rust ruby php kotlin scala c# c++ node node.js
    nodejs react angular vue svelte django flask fastapi rails spring .net postgres postgresql
    mysql mongodb mongo redis kafka rabbitmq sqs sns elasticsearch opensearch dynamodb cassandra
    sqlite sql nosql graphql grpc rest api apis microservice microservices kubernetes k8s docker
    aws azure gcp lambda s3 terraform blockchain llm gpt openai webhook webhooks websocket
    websockets serverless json xml oauth jwt"""
)
_TECHNOLOGY_BYTES = frozenset(word.encode() for word in TECHNOLOGY)
# each ASCII byte `_WORD` takes (A-Z lower-cased) to itself, every other byte to a space
_WORD_RUNS = bytes(
    ord(chr(c).lower()) if chr(c).isalnum() or chr(c) in ".+#-" else 32 for c in range(128)
) + bytes(range(128, 256))
VAGUE = _wordset(
    """fast quick quickly slow responsive performant efficient real-time realtime instant
    instantly immediate immediately scalable large many lots few reliable robust resilient
    fault-tolerant secure user-friendly intuitive simple easy easily seamless seamlessly flexible
    configurable extensible minimal lightweight soon etc modern future-proof best-in-class"""
)
WINDOW = 5
# Numbers written as words count as numbers ("within two seconds").
NUMBER_WORDS = _wordset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion dozen half once twice single double triple
    percent"""
)


def check(ctx: Context) -> Iterator[Finding]:
    """Each PRD's rules, reading each section once, into one list per PRD (no generator
    per rule); the lines the vague-word rule reads are gathered from all of them and
    checked together."""
    index = ctx.index
    for prd in ctx.mine("prd"):
        path = prd.path
        outline = _Outline(index.doc(prd), prd)
        found: list[Finding] = []
        lines: list[tuple] = []  # (line, text) pairs and Fields, for the vague-word rule
        _problem(path, outline, lines, found)
        _requirements(path, outline, index.requirements_in(path), lines, found)
        _scope(path, outline, lines, found)
        _capabilities(path, outline, found)
        if _may_be_vague(lines):
            found.extend(_vague_in(path, lines))
        yield from found


_PROBLEM = ("problem", "problem statement")
_REQUIREMENTS = ("requirements", "functional requirements")
_NON_GOALS = ("non goals", "non goals and out of scope", "out of scope")
_SUCCESS = ("success criteria", "success metrics")
_CAPABILITIES = ("capabilities",)


_new = tuple.__new__  # builds a _Part without a Python-level __new__ call
_KEY = attrgetter("key")  # a heading's words
_NO_HEADINGS: list[Heading] = []  # a part's inner headings when it has none (never changed)
_TEXT = itemgetter(-1)  # the text of a (line, text) pair (and a Field's value)


class _Part(NamedTuple):
    """A section (what `Doc.section` gives) and the headings within it."""

    heading: Heading
    start: int
    end: int
    inner: list[Heading]

    @property
    def line(self) -> int:
        return self.heading.line


class _Outline:
    """The sections the PRD rules read, found with one pass over the headings (what
    `Doc.section(*names)` finds), and their lines (what `Doc.content_between` gives)."""

    __slots__ = ("doc", "heads", "keys", "plain")

    def __init__(self, doc: Doc, artifact: Artifact | None = None) -> None:
        self.doc = doc
        heads = self.heads = doc.headings
        self.keys = list(map(_KEY, heads))
        # no hidden line and no comment: every line but the headings is content as it is
        # (a fence's lines are hidden, and a comment starts with "<")
        self.plain = artifact is not None and not doc.hidden and "<" not in _source(artifact)

    def part(self, names: tuple[str, ...]) -> _Part | None:
        """`doc.section(*names)`, with the headings within it."""
        keys, heads = self.keys, self.heads
        for name in names:
            try:  # the usual case: one search of the keys, not two
                at = keys.index(name)
            except ValueError:
                continue
            break
        else:  # no exact title: the first that starts with a name's words
            for name in names:
                prefix = name + " "
                at = next((i for i, key in enumerate(keys) if key.startswith(prefix)), -1)
                if at >= 0:
                    break
            else:
                return None
        heading = heads[at]
        level, stop = heading.level, at + 1
        while stop < len(heads) and heads[stop].level > level:
            stop += 1
        end = heads[stop].index if stop < len(heads) else len(self.doc.lines)
        inner = heads[at + 1 : stop] if stop > at + 1 else _NO_HEADINGS
        return _new(_Part, (heading, heading.index + 1, end, inner))

    def section(self, part: _Part) -> Section:
        return Section(self.doc, part.heading, part.start, part.end)

    def content(self, part: _Part, own: bool = False) -> list[tuple[int, str]]:
        """`doc.content_between` the section's start and end (with `own`, its first
        sub-heading)."""
        _, start, end, inner = part
        if own and inner:
            end, inner = inner[0].index, ()
        doc = self.doc
        if not self.plain:
            return doc.content_between(start, end)
        first, lines = doc.first_line, doc.lines
        if not inner:
            return list(enumerate(lines[start:end], first + start))
        skip = {h.index for h in inner}
        return [(first + i, lines[i]) for i in range(start, end) if i not in skip]

    def is_empty(self, part: _Part) -> bool:
        """`is_empty` of the section; in a plain body the first line of text settles it
        without a list of the lines."""
        if self.plain and not part.inner:
            lines = self.doc.lines
            for i in range(part.start, part.end):
                text = lines[i]
                if text and not text.isspace():
                    value = text.strip()
                    if _surely_text(value) or (value[0] != "|" and not _is_nothing(_value(value))):
                        return False
                    break
            else:
                return True
        return is_empty(self.section(part))

    def bullets(self, part: _Part) -> list[tuple[int, str]]:
        """(line, text) of the section's list items (`Section.bullets`); in a plain body
        whose lines are all `- item` or blank, read without the list-item parser."""
        if self.plain and not part.inner:
            first, lines = self.doc.first_line, self.doc.lines
            found = []
            for i in range(part.start, part.end):
                text = lines[i]
                if text[:2] == "- ":
                    found.append((first + i, text[2:].strip()))
                elif text.strip():  # neither an item nor blank
                    break
            else:
                return found
        return [(b.line, b.text) for b in self.section(part).bullets()]

    def filled(self, part: _Part, own: bool = False) -> list[tuple[int, str]]:
        """`content` without its blank lines (those `str.strip` empties)."""
        _, start, end, inner = part
        if own and inner:
            end, inner = inner[0].index, ()
        if not self.plain or inner:
            return [(n, t) for n, t in self.content(part, own) if t and not t.isspace()]
        first, lines = self.doc.first_line, self.doc.lines
        found = []
        for i in range(start, end):
            text = lines[i]
            if text and not text.isspace():
                found.append((first + i, text))
        return found


def _source(artifact: Artifact) -> str:
    """Text that holds the artifact's body (without slicing it out)."""
    tail = artifact.tail
    return tail if isinstance(tail, str) else artifact.text


def is_empty(section: Section) -> bool:
    """`Section.is_empty`, reading the prose first: a section with a line of text is
    settled there, before any table is parsed."""
    tabled = False
    for _, text in section.doc.content_between(section.start, section.end):
        value = text.strip()
        if not value:
            continue
        if value[0] == "|":
            tabled = True
            continue
        if not _is_nothing(_value(value)):
            return False
    if tabled:
        for table in section.doc.tables_between(section.start, section.end):
            if not all(markdown.is_nothing(c) for row in table.rows for c in row.cells):
                return False
    return True


def _surely_text(value: str) -> bool:
    """Whether a stripped line is text `_is_nothing` does not take, told by its first
    letters: a letter first (in the text or after `- `) that starts no placeholder and no
    "nothing" word, and no field label."""
    text = value[2:] if value[:2] == "- " else value
    head = text[:1]
    if not head.isalpha() or "**" in text:
        return False
    if head not in _NOTHING_STARTS:
        return True
    return head in "tT" and text[:3].lower() != "tbd" and text[:4].lower() != "todo"


def _value(value: str) -> str:
    """A stripped line's text after its list mark and field label, if any (what
    `Section.is_empty` reads; a `- ` mark is cut without the regex: the spaces after it
    are stripped by every reader of the value)."""
    first = value[0]
    if value[:2] == "- ":
        value = value[2:]
    elif first in "-*+" or first.isdecimal():
        item = markdown.BULLET.match(value)
        value = item.group(2) if item else value
    if "**" in value:
        field = markdown.FIELD.match(value)
        value = field.group(2) if field else value
    return value


def _core(text: str) -> str:
    return text.strip().strip("*_`").strip()


def _is_nothing(text: str) -> bool:
    """`markdown.is_nothing`: every placeholder and "nothing" word starts with one of a few
    characters, so most text is settled by its first one; ASCII text without a regex."""
    core = _core(text)
    if not core or core[0] not in _NOTHING_STARTS:
        return not core
    if not core.isascii():
        return markdown.is_nothing(text)
    low = core.lower()
    return (
        _placeholder_core(core)
        or low in _NOTHING_WORDS
        or (low[-1] == "." and low[:-1] in _NOTHING_WORDS)
    )


def _is_placeholder(text: str) -> bool:
    """`markdown.is_placeholder`, settled by the first character where it can be; ASCII
    text without a regex."""
    head = text[:1]
    if head.isalpha() and head not in "tT":  # the core's first character: text
        return False
    core = _core(text)
    if not core or core[0] not in _PLACEHOLDER_STARTS:
        return not core
    return _placeholder_core(core) if core.isascii() else markdown.is_placeholder(text)


def _placeholder_core(core: str) -> bool:
    """What `^(?:(?:tbd|todo)\\b.*|-+|…|\\.\\.\\.)$` (case-blind) matches, for ASCII text that
    is stripped and not empty."""
    first = core[0]
    if first == "-":
        return not core.strip("-")
    if first == ".":
        return core == "..."
    low = core[:5].lower()
    size = 3 if low[:3] == "tbd" else 4 if low[:4] == "todo" else 0
    after = core[size : size + 1]
    return size > 0 and not (after.isalnum() or after == "_")


_PLACEHOLDER_STARTS = frozenset("-….tT")  # TBD…, TODO…, -, …, ...
_NOTHING_STARTS = _PLACEHOLDER_STARTS | frozenset("nN")  # and N/A, none, nothing
_NOTHING_WORDS = frozenset(("na", "n/a", "none", "nothing", "none recorded", "none yet"))


def _problem(path: str, outline: _Outline, lines: list, found: list) -> None:
    """PRD001-003 into `found`; the problem's lines go to `lines` for the vague-word rule."""
    section = outline.part(_PROBLEM)
    if section is None or outline.is_empty(section):
        where = section.line if section else outline.doc.first_line
        found.append(R["PRD001"].at(path, where))
        return
    content = outline.filled(section, own=True)
    if len(content) == 1:
        first, text = content[0]
        text = text.strip()
    else:
        text = " ".join([t.strip() for _, t in content])
        first = content[0][0] if content else section.line
    # more than one sentence needs a sentence end followed by a space (`sentences`)
    if _SENTENCE_END.search(text):
        count = len(markdown.sentences(text))
        if count > 1:
            found.append(R["PRD002"].at(path, first, f"problem statement has {count} sentences"))
    named = _technology(text)
    if named:
        says = f"problem statement names {', '.join(named)}"
        found.append(R["PRD003"].at(path, first, says))
    lines.extend(content)


def _technology(text: str) -> list[str]:
    """The technologies among the text's words (`_WORD` matches, lower-cased), sorted."""
    if text.isascii():
        # each run of word characters holds one match at most: the run from its first
        # letter on; so when no run is a technology and no run has a letter after a
        # leading digit or sign, no match is one
        runs = text.encode().translate(_WORD_RUNS)
        if _TECHNOLOGY_BYTES.isdisjoint(runs.split()) and not _SIGN_LETTER.search(runs):
            return []
        words = _WORD.findall(text.lower())  # the same words, lower-cased first
    else:
        words = list(map(str.lower, _WORD.findall(text)))
    return sorted(TECHNOLOGY.intersection(words))


def _requirements(
    path: str, outline: _Outline, reqs: list[Requirement], lines: list, found: list
) -> None:
    """PRD004-010 into `found`."""
    section = outline.part(_REQUIREMENTS)
    if not reqs:
        found.append(R["PRD004"].at(path, section.line if section else outline.doc.first_line))
    # its sub-sections (the highest level below it), each a requirement
    if section is not None and section.inner:
        _unnamed(path, section.inner, found)
    for req in reqs:
        _requirement(req, lines, found)


def _unnamed(path: str, inner: list[Heading], found: list) -> None:
    """PRD005: the top sub-sections of Requirements whose title has no REQ id."""
    for heading in inner:
        if heading.title[:4] != "REQ-":
            break
    else:
        return
    level = min(h.level for h in inner)
    for sub in inner:
        title = sub.title
        if sub.level == level and not title.upper().startswith("REQ-"):
            found.append(R["PRD005"].at(path, sub.line, f"requirement '{title}' has no REQ id"))


def _requirement(req: Requirement, lines: list, found: list[Finding]) -> None:
    """PRD006-010 into `found`; the statement and failure mode go to `lines` for the
    vague-word rule."""
    fields, priority = req.fields, req.priority
    if not priority:
        prio = fields.get("priority")
        says = f"{req.id} has no priority"
        found.append(R["PRD006"].at(req.path, prio.line if prio else req.line, says))
    statement = fields.get("statement")
    text = statement.value if statement else statement_of(req)
    # the priority's own keyword between spaces settles PRD007 and PRD008 at once
    spaced = _SPACED.get(priority)
    if spaced is None or spaced not in text:
        _keyword_rules(req, statement, text, found)
    failure = fields.get("failure mode")
    if priority == "MUST":
        _must_rules(req, failure, found)
    # the fields themselves: (line, name, value), read as (line, text) by `_vague_in`
    if statement is not None:
        lines.append(statement)
    if failure is not None:
        lines.append(failure)


def _keyword_rules(req: Requirement, statement, text: str, found: list[Finding]) -> None:
    """PRD007 and PRD008: the statement's RFC 2119 keywords, and the priority's among them."""
    keywords, priority = _keywords(text), req.priority
    where = statement.line if statement else req.line
    if not keywords:
        says = (
            f"{req.id} statement has no MUST, SHOULD or MAY"
            if statement
            else f"{req.id} has no `- **Statement:**` line"
        )
        found.append(R["PRD007"].at(req.path, where, says))
    elif priority and priority not in keywords:
        says = f"{req.id} is {priority} but its statement says {', '.join(sorted(keywords))}"
        found.append(R["PRD008"].at(req.path, where, says))


def _must_rules(req: Requirement, failure, found: list[Finding]) -> None:
    """PRD009 and PRD010: a MUST's Given/When/Then scenario and If/Then failure mode."""
    for scenario in req.scenarios:
        text = scenario.text
        if text.startswith("Given "):  # the usual shape, in the text as written
            at = text.find(" when ", 5)
            if at >= 0 and text.find(" then ", at + 5) >= 0:
                break
        if _is_gwt(text):
            break
    else:
        says = f"{req.id} (MUST) has no Given/When/Then scenario"
        found.append(R["PRD009"].at(req.path, req.line, says))
    value = failure.value if failure is not None else ""
    if value.startswith("If ") and " then " in value:
        return  # "If …, then …" as written: no placeholder, and `_is_if_then` at once
    if value[:3] in _IF_SPACE and value.isascii() and " then " in value.lower():
        return  # the same in any case
    if failure is None or _is_placeholder(value):
        found.append(R["PRD010"].at(req.path, req.line, f"{req.id} (MUST) has no failure mode"))
    elif not _is_if_then(value):
        says = f"{req.id} failure mode is not in If …, then … form"
        found.append(R["PRD010"].at(req.path, failure.line, says))


_IF_SPACE = frozenset(("if ", "If ", "iF ", "IF "))
_LEVELS = tuple(_RFC_LEVEL.items())
_SPACED = {level: f" {level} " for level in ("MUST", "SHOULD", "MAY")}


def _keywords(text: str) -> set[str]:
    """The levels of the RFC 2119 keywords in a statement (`_RFC.findall`: each keyword
    that stands as a word of its own), found with plain string searches."""
    found: set[str] = set()
    for word, level in _LEVELS:
        if word in text and level not in found and _word_end(text, word) >= 0:
            found.add(level)
    return found


def _is_if_then(text: str) -> bool:
    """`_IF_THEN.search`; for ASCII text, if and then looked for with string searches in
    the lower-cased text (what the case-blind regexes match there)."""
    if not text.isascii():
        return bool(_IF_THEN.search(text))
    low = text.lower()
    # the usual shape, settled at once (" then " cannot start within the leading "if")
    if low[:3] == "if " and " then " in low:
        return True
    return _words_in_order(low, ("if", "then"))


def _is_gwt(text: str) -> bool:
    """`specs.is_gwt`; for ASCII text, given, when and then looked for with string
    searches in the lower-cased text (what the case-blind regexes match there)."""
    if text.isascii():
        low = text.lower()
        if low[:6] == "given ":  # the usual shape: "Given …, when …, then …"
            at = low.find(" when ", 5)
            if at >= 0 and low.find(" then ", at + 5) >= 0:
                return True
        if "when" not in low or "then" not in low:
            return False
        if _words_in_order(low, ("given", "when", "then")):
            return not _is_placeholder(text)
    return is_gwt(text)


def _words_in_order(text: str, words: tuple[str, ...]) -> bool:
    """Whether each word stands (as a word of its own) after the previous one's first such
    place: what `InOrder` of `\\bword\\b` patterns finds, by string searches."""
    start = 0
    for word in words:
        start = _word_end(text, word, start)
        if start < 0:
            return False
    return True


def _word_end(text: str, word: str, start: int = 0) -> int:
    """Where the first `word` at or after `start` that is a word of its own ends (what
    `\\bword\\b` finds; the boundary may look before `start`), else -1."""
    at = text.find(word, start)
    while at >= 0:
        end = at + len(word)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        # neither side a word character (the regex `\\w`)
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            return end
        at = text.find(word, at + 1)
    return -1


def _scope(path: str, outline: _Outline, lines: list, found: list) -> None:
    """PRD012-014 into `found`; the success criteria go to `lines` for the vague-word rule."""
    first_line = outline.doc.first_line
    section = outline.part(_NON_GOALS)
    if section is None or outline.is_empty(section):
        found.append(R["PRD012"].at(path, section.line if section else first_line))
    section = outline.part(_SUCCESS)
    if section is None or outline.is_empty(section):
        found.append(R["PRD013"].at(path, section.line if section else first_line))
        return
    bullets = outline.bullets(section)
    for line, text in bullets:
        if not _DIGIT.search(text) and not _is_placeholder(text):
            found.append(R["PRD014"].at(path, line, f"'{_short(text)}' has no number"))
    lines.extend(bullets)


def _capabilities(path: str, outline: _Outline, found: list) -> None:
    """PRD015 into `found`."""
    section = outline.part(_CAPABILITIES)
    tables = _tables(outline.content(section)) if section else []
    if section is None or not tables:
        where = section.line if section else outline.doc.first_line
        found.append(R["PRD015"].at(path, where, "no Capabilities table with a Change column"))
        return
    for table in tables:
        table_line, header = table[0]
        change = _change_column(header)
        if change < 0:
            says = "Capabilities table has no Change column"
            found.append(R["PRD015"].at(path, table_line, says))
            continue
        for line, text in table[1:]:
            # a separator's cells are dashes: a valid value settles the row at once
            if text in _SEPARATORS or _change_of(text, change).lower() in _CHANGES:
                continue
            cells = markdown.split_row(text)
            if _is_separator(cells):
                if len(_SEPARATORS) >= 1024:
                    _SEPARATORS.clear()
                _SEPARATORS.add(text)
                continue
            shown = _change_of(text, change) or "empty"
            says = (
                f"capability '{_short(cells[0] if cells else '')}' has Change '{shown}', "
                "not New, Modified or Removed"
            )
            found.append(R["PRD015"].at(path, line, says))


def _change_of(row: str, change: int) -> str:
    """The Change cell's value of a stripped table row, without its bold: the cell of
    `split_row(row)` (a row without a backslash is cut only up to that cell), "" when
    the row is shorter."""
    if "\\" in row:
        cells = markdown.split_row(row)
        cell = cells[change] if change < len(cells) else ""
    else:
        inner = row[1:] if row[:1] == "|" else row
        cells = (inner[:-1] if inner[-1:] == "|" else inner).split("|", change + 1)
        cell = cells[change] if change < len(cells) else ""
    return cell.strip().strip("*").strip()


_CHANGES = frozenset(("new", "modified", "removed"))
_COLUMNS: dict[str, int] = {}  # a table header -> its Change column (headers recur)
_SEPARATORS: set[str] = set()  # `|---|---|` rows seen (they recur too)


def _change_column(header: str) -> int:
    """The index of the header's Change (or Type, Classification) column, else -1."""
    found = _COLUMNS.get(header)
    if found is None:
        keys = [markdown.words(h) for h in markdown.split_row(header)]
        found = next((keys.index(k) for k in ("change", "type", "classification") if k in keys), -1)
        if len(_COLUMNS) >= 1024:
            _COLUMNS.clear()
        _COLUMNS[header] = found
    return found


def _tables(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The (line, stripped text) of each table's lines, header first, as `Section.tables`
    reads them; the cells are split only where a rule looks at them."""
    tables: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    for line, text in lines:
        text = text.strip()  # a table line is one whose first character is a pipe
        if text[:1] == "|":
            block.append((line, text))
        elif block:
            tables.append(block)
            block = []
    if block:
        tables.append(block)
    return tables


def _is_separator(cells: tuple[str, ...]) -> bool:
    """A table's `|---|:--:|` line (markdown's separator test, on the split cells)."""
    if cells and cells.count("---") == len(cells):  # the usual one
        return True
    filled = [c for c in cells if c]
    if not filled or any(c[0] not in ":-" for c in filled):
        return False
    return all(markdown.SEPARATOR_CELL.match(c.replace(" ", "")) for c in filled)


def vague(path: str, lines: Iterable[tuple[int, str]]) -> Iterator[Finding]:
    """PRD011: each vague word (once a line) with no number within `WINDOW` words."""
    if not isinstance(lines, list):
        lines = list(lines)
    if _may_be_vague(lines):
        yield from _vague_in(path, lines)


def _may_be_vague(lines: list[tuple[int, str]]) -> bool:
    """A quick test on all the lines at once (most have no vague word at all): whether a
    run of letters and hyphens between spaces, punctuation and digits (what `_vague_in`
    reads of a token, and more) is a vague word. ASCII text is lower-cased and split as
    bytes."""
    joined = " ".join(map(_TEXT, lines))
    if joined.isascii():
        return not _VAGUE_BYTES.isdisjoint(joined.encode().translate(_LOWER_APART_BYTES).split())
    return not VAGUE.isdisjoint(joined.lower().translate(_APART).split())


def _vague_in(path: str, lines: list[tuple]) -> Iterator[Finding]:
    """`vague` of (line, text) pairs or Fields (line, name, value)."""
    for item in lines:
        line, text = item[0], item[-1]
        tokens = text.split()
        seen: set[str] = set()
        for i, token in enumerate(tokens):
            word = token.strip(_PUNCTUATION).lower()
            if word not in VAGUE or word in seen:
                continue
            near = tokens[max(0, i - WINDOW) : i + WINDOW + 1]
            if not any(_is_number(t) for t in near):
                seen.add(word)
                yield R["PRD011"].at(path, line, f"'{word}' has no number next to it")


_PUNCTUATION = ".,;:!?()[]\"'*`"
_APART = str.maketrans(dict.fromkeys(_PUNCTUATION + "0123456789", " "))  # and the digits
_VAGUE_BYTES = frozenset(word.encode() for word in VAGUE)
# each ASCII byte: A-Z lower-cased, punctuation and digits made a space, and the four
# separators `str.split` splits at but `bytes.split` does not (\x1c-\x1f) made a space
_LOWER_APART_BYTES = bytes(
    32 if chr(c).isspace() or chr(c) in _PUNCTUATION + "0123456789" else ord(chr(c).lower())
    for c in range(128)
) + bytes(range(128, 256))


def _is_number(token: str) -> bool:
    if _DIGIT.search(token):
        return True
    word = token.strip(_PUNCTUATION).lower()
    return word in NUMBER_WORDS or any(p in NUMBER_WORDS for p in word.split("-"))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
