"""PRD rules: problem, requirements (ids, RFC 2119, scenarios, failure modes), vague words,
non-goals, measurable success criteria, classified capabilities."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ygs.core import markdown
from ygs.core.artifacts import Artifact
from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context
from ygs.core.markdown import Doc
from ygs.core.scan import in_order
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

_RFC = re.compile(r"\b(MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b")
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


_IF_THEN = in_order(r"\bif\b", r"\bthen\b", flags=re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.+#-]*")
TECHNOLOGY = _wordset(
    """python java javascript typescript golang rust ruby php kotlin scala c# c++ node node.js
    nodejs react angular vue svelte django flask fastapi rails spring .net postgres postgresql
    mysql mongodb mongo redis kafka rabbitmq sqs sns elasticsearch opensearch dynamodb cassandra
    sqlite sql nosql graphql grpc rest api apis microservice microservices kubernetes k8s docker
    aws azure gcp lambda s3 terraform blockchain llm gpt openai webhook webhooks websocket
    websockets serverless json xml oauth jwt"""
)
VAGUE = _wordset(
    """fast quick quickly slow responsive performant efficient real-time realtime instant
    instantly immediate immediately scalable large many lots few reliable robust resilient
    fault-tolerant secure user-friendly intuitive simple easy easily seamless seamlessly flexible
    configurable extensible minimal lightweight soon etc modern future-proof best-in-class"""
)
WINDOW = 5
_TOKEN = re.compile(r"[a-z][a-z-]*")  # a quick pre-check: most lines have no vague word
# Numbers written as words count as numbers ("within two seconds").
NUMBER_WORDS = _wordset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion dozen half once twice single double triple
    percent"""
)


def check(ctx: Context) -> Iterator[Finding]:
    for prd in ctx.mine("prd"):
        doc = ctx.index.doc(prd)
        yield from problem(prd, doc)
        yield from requirements(prd, doc, ctx.index.requirements_in(prd.path))
        yield from scope(prd, doc)


def problem(prd: Artifact, doc: Doc) -> Iterator[Finding]:
    section = doc.section("problem", "problem statement")
    if section is None or section.is_empty():
        where = section.line if section else doc.first_line
        yield R["PRD001"].at(prd.path, where)
        return
    content = [(n, t) for n, t in section.content(own_only=True) if t.strip()]
    text = " ".join(t.strip() for _, t in content)
    first = content[0][0] if content else section.line
    if len(markdown.sentences(text)) > 1:
        count = len(markdown.sentences(text))
        yield R["PRD002"].at(prd.path, first, f"problem statement has {count} sentences")
    named = sorted({w.lower() for w in _WORD.findall(text) if w.lower() in TECHNOLOGY})
    if named:
        yield R["PRD003"].at(prd.path, first, f"problem statement names {', '.join(named)}")
    yield from vague(prd.path, content)


def requirements(prd: Artifact, doc: Doc, reqs: list[Requirement]) -> Iterator[Finding]:
    section = doc.section("requirements", "functional requirements")
    if not reqs:
        where = section.line if section else doc.first_line
        yield R["PRD004"].at(prd.path, where)
    if section is not None:
        for sub in section.subsections():
            if not sub.title.upper().startswith("REQ-"):
                yield R["PRD005"].at(prd.path, sub.line, f"requirement '{sub.title}' has no REQ id")
    for req in reqs:
        yield from requirement(req)


def requirement(req: Requirement) -> Iterator[Finding]:
    path = req.path
    prio = req.field("priority")
    if not req.priority:
        yield R["PRD006"].at(path, prio.line if prio else req.line, f"{req.id} has no priority")
    statement = req.field("statement")
    text = statement.value if statement else statement_of(req)
    keywords = {_RFC_LEVEL[k] for k in _RFC.findall(text)}
    if not keywords:
        yield R["PRD007"].at(
            path,
            statement.line if statement else req.line,
            f"{req.id} statement has no MUST, SHOULD or MAY"
            if statement
            else f"{req.id} has no `- **Statement:**` line",
        )
    elif req.priority and req.priority not in keywords:
        yield R["PRD008"].at(
            path,
            statement.line if statement else req.line,
            f"{req.id} is {req.priority} but its statement says {', '.join(sorted(keywords))}",
        )
    if req.priority == "MUST":
        if not any(is_gwt(s.text) for s in req.scenarios):
            yield R["PRD009"].at(path, req.line, f"{req.id} (MUST) has no Given/When/Then scenario")
        failure = req.field("failure mode")
        if failure is None or markdown.is_placeholder(failure.value):
            yield R["PRD010"].at(path, req.line, f"{req.id} (MUST) has no failure mode")
        elif not _IF_THEN.search(failure.value):
            yield R["PRD010"].at(
                path, failure.line, f"{req.id} failure mode is not in If …, then … form"
            )
    lines = [
        (f.line, f.value) for f in req.fields.values() if f.name in ("statement", "failure mode")
    ]
    yield from vague(path, lines)


def scope(prd: Artifact, doc: Doc) -> Iterator[Finding]:
    non_goals = doc.section("non goals", "non goals and out of scope", "out of scope")
    if non_goals is None or non_goals.is_empty():
        yield R["PRD012"].at(prd.path, non_goals.line if non_goals else doc.first_line)
    success = doc.section("success criteria", "success metrics")
    if success is None or success.is_empty():
        yield R["PRD013"].at(prd.path, success.line if success else doc.first_line)
    else:
        for bullet in success.bullets():
            if not markdown.is_placeholder(bullet.text) and not _DIGIT.search(bullet.text):
                yield R["PRD014"].at(
                    prd.path, bullet.line, f"'{_short(bullet.text)}' has no number"
                )
        yield from vague(prd.path, [(b.line, b.text) for b in success.bullets()])
    yield from capabilities(prd, doc)


def capabilities(prd: Artifact, doc: Doc) -> Iterator[Finding]:
    section = doc.section("capabilities")
    tables = section.tables() if section else []
    if section is None or not tables:
        where = section.line if section else doc.first_line
        yield R["PRD015"].at(prd.path, where, "no Capabilities table with a Change column")
        return
    for table in tables:
        change = table.column("change", "type", "classification")
        if change < 0:
            yield R["PRD015"].at(prd.path, table.line, "Capabilities table has no Change column")
            continue
        for row in table.rows:
            value = row.cell(change).strip().strip("*").strip()
            if value.lower() not in ("new", "modified", "removed"):
                shown = value or "empty"
                yield R["PRD015"].at(
                    prd.path,
                    row.line,
                    f"capability '{_short(row.cell(0))}' has Change '{shown}', "
                    "not New, Modified or Removed",
                )


def vague(path: str, lines: list[tuple[int, str]]) -> Iterator[Finding]:
    for line, text in lines:
        if VAGUE.isdisjoint(_TOKEN.findall(text.lower())):
            continue
        tokens = text.split()
        seen: set[str] = set()
        for i, token in enumerate(tokens):
            word = token.strip(".,;:!?()[]\"'*`").lower()
            if word not in VAGUE or word in seen:
                continue
            near = tokens[max(0, i - WINDOW) : i + WINDOW + 1]
            if not any(_is_number(t) for t in near):
                seen.add(word)
                yield R["PRD011"].at(path, line, f"'{word}' has no number next to it")


def _is_number(token: str) -> bool:
    if _DIGIT.search(token):
        return True
    word = token.strip(".,;:!?()[]\"'*`").lower()
    return word in NUMBER_WORDS or any(p in NUMBER_WORDS for p in word.split("-"))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
