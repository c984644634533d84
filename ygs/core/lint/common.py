"""Rules for any artifact: parse problems, links, ids, statuses, placeholders, suppressions."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from ygs.core.artifacts import (
    DUPLICATE_ID,
    KINDS,
    MALFORMED,
    NOT_UTF8,
    UNREADABLE,
    Artifact,
    id_mentions,
)
from ygs.core.catalogue import ALL_FORMATS, Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context, Lazy, normal_id

F = "common"
MUST, SHOULD = Severity.MUST, Severity.SHOULD

RULES = (
    Rule(
        MALFORMED,
        MUST,
        "frontmatter parses as a YAML mapping",
        "malformed frontmatter",
        "fix the YAML between the '---' lines",
        """Every command reads ids, statuses and links from the frontmatter. A file whose
        frontmatter does not parse is invisible to traceability and planning, so it is
        reported instead of being skipped silently.""",
        F,
    ),
    Rule(
        NOT_UTF8,
        MUST,
        "the file is UTF-8",
        "not UTF-8",
        "re-save the file as UTF-8",
        """Artifacts are read as UTF-8 everywhere (git diffs, agents, renderers). A file in
        another encoding is reported with the line of the first byte that cannot be decoded.""",
        F,
    ),
    Rule(
        DUPLICATE_ID,
        MUST,
        "every id is defined once",
        "duplicate id",
        "renumber one of them; `ygs next-id PREFIX` gives a free id",
        """Ids are how requirements, threats, mitigations and tasks link to each other. Two
        definitions of one id make every link to it ambiguous and the trace graph wrong.""",
        F,
    ),
    Rule(
        UNREADABLE,
        MUST,
        "an artifact is a regular file that can be read",
        "unreadable artifact",
        "restore the file, or remove the link or special file",
        """A dangling or unreadable link, a FIFO, a device or a socket where an artifact
        belongs, or a link that leaves the project, is reported and never opened: a FIFO
        would block every command and a device never ends, and a link out of the project
        would pull another file into reports and prompts.""",
        F,
    ),
    Rule(
        "ART004",
        MUST,
        "frontmatter links resolve",
        "link does not resolve",
        "point the link at an existing id, slug or path, or remove it",
        """Links in frontmatter (prd, trd, satisfies, mitigates, supersedes, superseded_by,
        threat_model; depends_on is TSK004) make traceability computable. A link to an id or
        a document that does not exist breaks the requirement -> task -> test chain
        silently.""",
        F,
    ),
    Rule(
        "ART005",
        SHOULD,
        "ids mentioned in the text are defined somewhere",
        "unknown id",
        "define the id, fix the typo, or remove the mention",
        """A REQ, THR, MIT, TASK or ADR id in prose that nothing defines is usually a typo or a
        renumbered item; readers follow it and find nothing.""",
        F,
    ),
    Rule(
        "ART006",
        SHOULD,
        "relative links point at files that exist",
        "broken link",
        "fix the path (relative to this file) or remove the link",
        """Relative markdown links rot when files move. A broken link sends a reviewer or an
        agent to nothing, and agents then guess.""",
        F,
    ),
    Rule(
        "ART007",
        SHOULD,
        "a suppression names a rule and gives a reason",
        "suppression without a reason",
        "write <!-- ygs: ignore RULE why this is acceptable -->",
        """A suppression is a decision; the reason is the record of it. Without a reason the
        next reader cannot tell an accepted exception from a silenced problem, so the
        suppression does not take effect until it has one.""",
        F,
    ),
    Rule(
        "ART008",
        SHOULD,
        "a suppression names an existing rule",
        "suppression names an unknown rule",
        "use a rule id from `ygs check --explain all`",
        """A suppression of a rule that does not exist suppresses nothing; usually the id has
        a typo and the finding it meant to silence is still reported.""",
        F,
    ),
    Rule(
        "ART009",
        MUST,
        "status is one of the type's statuses",
        "status not allowed for this type",
        "set status to one of the type's statuses (templates/README.md)",
        """Status drives the lifecycle: `ygs status` suggests the next skill from it and the
        trace gate skips superseded documents. A missing or unknown status makes the document's
        state unknowable.""",
        F,
    ),
    Rule(
        "ART010",
        SHOULD,
        "frontmatter has id, title and a YYYY-MM-DD date",
        "frontmatter incomplete",
        "add the missing key; dates are YYYY-MM-DD",
        """The id, title and date are what listings, links and reports show. Without them an
        artifact falls back to its file name and sorts wrongly.""",
        F,
    ),
    Rule(
        "ART011",
        SHOULD,
        "an approved or final artifact has no TBD left",
        "TBD placeholder in an approved artifact",
        "fill in the TBDs, or move the artifact back to draft or review",
        """Templates write TBD for every unanswered question so gaps stay visible. Approving a
        document that still says TBD approves a gap.""",
        F,
    ),
    Rule(
        "ART014",
        SHOULD,
        "no line still carries an unconfirmed [assumed] marker",
        "unconfirmed assumption",
        "confirm or edit each line marked [assumed] and delete the marker, or re-ask them with "
        "`ygs refine-<type> --from FILE`",
        """An interview accepted with Enter writes ygs's own offline recommendation, marked
        [assumed] so a reader can tell what a person confirmed from what ygs guessed. Drafts
        may carry assumptions (SHOULD); an approved or final document may not (MUST): approving
        it would approve guesses nobody checked.""",
        F,
    ),
)
RULES = tuple(r if r.id in ("ART009", "ART010") else r._replace(formats=ALL_FORMATS) for r in RULES)
R = {r.id: r for r in RULES}

NOTHING_CHECKED = Rule(
    "ART013",
    SHOULD,
    "the check read something",
    "nothing was checked",
    "put artifacts under docs/<type>/ or tasks/<status>/ (`ygs init`), or run ygs from the "
    "project that holds them (`ygs -C DIR check`)",
    """A check that read no input passes by construction. Saying so keeps a CI step that
    points at the wrong folder, or at specs in a layout ygs does not read, from showing
    green.""",
    F,
    ALL_FORMATS,
)

LINK_KEYS = frozenset(
    (
        "prd",
        "trd",
        "satisfies",
        "mitigates",
        "supersedes",
        "superseded_by",
        "threat_model",
        "architecture",
        "design",
    )
)
LINK_KINDS = {
    "prd": "prd",
    "trd": "trd",
    "threat_model": "threat-model",
    "architecture": "architecture",
    "design": "design-doc",
}
FINAL_STATUSES = frozenset({"approved", "accepted", "final", "done"})
_DATE = Lazy(lambda: re.compile(r"^\d{4}-\d{2}-\d{2}$"))
_MD_LINK = Lazy(lambda: re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"))
_TBD = Lazy(lambda: re.compile(r"\bTBD\b"))
_CODE_SPAN = Lazy(lambda: re.compile(r"`[^`]*`"))
_REF_DEF = Lazy(lambda: re.compile(r"^ {0,3}\[([^\]\n]+)\]:\s*<?([^\s>]+)>?"))
_REF_USE = Lazy(lambda: re.compile(r"(?<![\]!])\[([^\]\n]*)\]\[([^\]\n]*)\]"))
_HTML_ID = Lazy(lambda: re.compile(r"<a\s+(?:name|id)=[\"']([^\"']+)[\"']", re.IGNORECASE))
_SLUG_DROP = Lazy(lambda: re.compile(r"[^\w\- ]"))
# `ID_RE`, a prefix at a time, with the letter of the prefix least common in prose
_MENTIONS = (
    ("Q", "REQ-", Lazy(lambda: re.compile(r"R(?<!\wR)EQ-\d+\b"))),
    ("D", "ADR-", Lazy(lambda: re.compile(r"A(?<!\wA)DR-\d+\b"))),
    ("K", "TASK-", Lazy(lambda: re.compile(r"T(?<!\wT)ASK-\d+\b"))),
    ("H", "THR-", Lazy(lambda: re.compile(r"T(?<!\wT)HR-\d+\b"))),
    ("M", "MIT-", Lazy(lambda: re.compile(r"M(?<!\wM)IT-\d+\b"))),
)


def check(ctx: Context) -> list[Finding]:
    """Each artifact's findings, into one list (no generator per rule)."""
    found: list[Finding] = []
    for artifact in ctx.mine():
        if not LINK_KEYS.isdisjoint(artifact.meta):
            found.extend(links(ctx, artifact))
        if artifact.format == "ygs":
            frontmatter(artifact, found)
        body(ctx, artifact, found)
    return found


def links(ctx: Context, artifact: Artifact) -> Iterator[Finding]:
    if LINK_KEYS.isdisjoint(artifact.meta):
        return
    from ygs.core.specs import as_list

    for key in artifact.meta:
        if key not in LINK_KEYS:
            continue
        kind = LINK_KINDS.get(key)
        for value in as_list(artifact.meta.get(key)):
            target = ctx.artifact(value, kind) if kind else None
            if (target is None) if kind else not ctx.resolves(value):
                what = f"a {kind}" if kind else "an artifact or id"
                yield R["ART004"].at(
                    artifact.path,
                    artifact.line_of(key),
                    f"{key}: '{value}' does not resolve to {what}",
                )


def frontmatter(artifact: Artifact, found: list[Finding]) -> None:
    """ART009 and ART010 into `found`."""
    meta = artifact.meta
    allowed = KINDS[artifact.kind].statuses
    if artifact.kind != "task" and artifact.status not in allowed:
        shown = f"'{artifact.status}'" if artifact.status else "missing"
        found.append(
            R["ART009"].at(
                artifact.path,
                artifact.line_of("status"),
                f"status {shown} is not one of {', '.join(allowed)} ({artifact.kind})",
            )
        )
    date = meta.get("date")
    values = (meta.get("id"), meta.get("title"), date)
    if None in values or "" in values:  # one is missing (`value in (None, "")`)
        missing = [k for k, v in zip(_NEEDED, values, strict=True) if v in (None, "")]
        says = f"frontmatter has no {', '.join(missing)}"
        found.append(R["ART010"].at(artifact.path, 1, says, "add the missing keys"))
    elif not _DATE.match(str(date)):
        found.append(
            R["ART010"].at(
                artifact.path,
                artifact.line_of("date"),
                f"date '{meta.get('date')}' is not YYYY-MM-DD",
            )
        )


_NEEDED = ("id", "title", "date")


def body(ctx: Context, artifact: Artifact, found: list[Finding]) -> None:
    """Unknown ids, broken links and leftover TBDs into `found`; the whole body is scanned
    at once and only hits are mapped to lines (lines in code fences, comments and inline
    code do not count)."""
    text = artifact.body
    doc = None
    if not _all_known(ctx, mentioned_ids(text)):
        doc = ctx.index.doc(artifact)
        found.extend(_unknown_ids(ctx, artifact, text, doc))
    # a one-character search first (much faster than one for two or more characters)
    if "]" in text:
        if "](" in text or "][" in text or "]:" in text:
            found.extend(_links(ctx, artifact, doc or ctx.index.doc(artifact)))
        if "[assumed]" in text:  # ygs.core.assumptions.MARK
            found.extend(assumptions(artifact, doc or ctx.index.doc(artifact)))
    if artifact.status in FINAL_STATUSES and "B" in text and "TBD" in text:
        doc = doc or ctx.index.doc(artifact)
        tbd = [n for n, line in doc.whole.content() if _TBD.search(_CODE_SPAN.sub("", line))]
        if tbd:
            says = f"{len(tbd)} line(s) still say TBD in a {artifact.status} {artifact.kind}"
            found.append(R["ART011"].at(artifact.path, tbd[0], says))


def _all_known(ctx: Context, idents: Iterable[str]) -> bool:
    """Whether each id is defined or known (asking `defined` about each, as the full
    reading does, so that a worker notes its guesses)."""
    defined = ctx.index.defined
    for ident in idents:
        if ident not in defined and normal_id(ident) not in ctx.known_ids:
            return False
    return True


def _unknown_ids(ctx: Context, artifact: Artifact, text: str, doc) -> Iterator[Finding]:
    """ART005: the first visible mention of each id nothing defines."""
    reported: set[str] = set()
    defined = ctx.index.defined
    for at, ident in id_mentions(text):
        if ident in defined or ident in reported or normal_id(ident) in ctx.known_ids:
            continue
        index = text.count("\n", 0, at)
        if index not in doc.hidden and not _in_code_span(text, at):
            reported.add(ident)
            yield R["ART005"].at(
                artifact.path, doc.first_line + index, f"{ident} is not defined anywhere"
            )


def mentioned_ids(text: str) -> list[str]:
    """The ids `id_mentions` finds in the text, each once. Each prefix is looked for only
    when the text holds its rarest letter (a one-character search, much faster than one
    for the prefix) and then the prefix itself."""
    found: list[str] = []
    for letter, prefix, pattern in _MENTIONS:
        if letter in text and prefix in text:
            found.extend(pattern.findall(text))
    return list(dict.fromkeys(found)) if len(found) > 1 else found


def assumptions(artifact: Artifact, doc) -> Iterator[Finding]:
    """ART014: lines still marked [assumed]; MUST once the document is approved or final."""
    from ygs.core import assumptions as assumed

    found = [i for i in assumed.lines(artifact.body) if i not in doc.hidden]
    if not found:
        return
    final = artifact.status in FINAL_STATUSES
    finding = R["ART014"].at(
        artifact.path,
        doc.first_line + found[0],
        f"{len(found)} line(s) marked {assumed.MARK} in a {artifact.status or 'draft'} "
        f"{artifact.kind}",
    )
    yield replace(finding, severity=MUST) if final else finding


def _in_code_span(text: str, at: int) -> bool:
    """Whether position `at` sits inside `inline code` on its line."""
    start = text.rfind("\n", 0, at) + 1
    return text.count("`", start, at) % 2 == 1


def _links(ctx: Context, artifact: Artifact, doc) -> Iterator[Finding]:
    """Inline links, reference definitions and uses, and #anchors (in this file, or in
    another artifact the catalogue has)."""
    folder = posixpath.dirname(artifact.path)
    content = [(n, _CODE_SPAN.sub("", t)) for n, t in doc.whole.content()]
    labels: dict[str, int] = {}
    targets: list[tuple[int, str]] = []
    for line, text in content:
        definition = _REF_DEF.match(text)
        if definition:
            labels[_label(definition.group(1))] = line
            targets.append((line, definition.group(2)))
        elif "](" in text:
            targets.extend((line, t) for t in _MD_LINK.findall(text))
    for line, text in content:
        if "][" not in text:
            continue
        for shown, label in _REF_USE.findall(text):
            key = _label(label or shown)
            if key and key not in labels:
                yield R["ART006"].at(
                    artifact.path, line, f"link reference [{label or shown}] is not defined"
                )
    for line, target in targets:
        problem = _target_problem(ctx, artifact, doc, folder, target)
        if problem:
            yield R["ART006"].at(artifact.path, line, problem)


def _target_problem(ctx: Context, artifact: Artifact, doc, folder: str, target: str) -> str:
    if target.startswith("#"):
        anchor = target[1:]
        if anchor and anchor.lower() not in anchors(doc):
            return f"anchor {target} matches no heading in this file"
        return ""
    resolved = _resolve(folder, target)
    if resolved is None:
        return ""
    if not ctx.exists(resolved):
        return f"link target {target} not found"
    anchor = target.split("#", 1)[1] if "#" in target else ""
    other = ctx.artifact(resolved) if anchor else None
    known = other is not None and other.path == resolved
    if known and anchor.lower() not in anchors(ctx.index.doc(other)):
        return f"anchor #{anchor} matches no heading in {posixpath.basename(resolved)}"
    return ""


def _label(text: str) -> str:
    return " ".join(text.lower().split())


def anchors(doc) -> set[str]:
    """GitHub-style heading anchors of a document (with -1, -2 for repeats) and HTML ids."""
    found: set[str] = set()
    for heading in doc.headings:
        base = _SLUG_DROP.sub("", heading.title.strip().lower()).replace(" ", "-")
        slug, n = base, 0
        while slug in found:
            n += 1
            slug = f"{base}-{n}"
        found.add(slug)
    for _, _, text in doc.visible:
        if "<a" in text:
            found.update(m.lower() for m in _HTML_ID.findall(text))
    return found


def _resolve(folder: str, target: str) -> str | None:
    """A repo-relative path for a local link target, or None for URLs and anchors."""
    if "://" in target or target.startswith(("#", "mailto:", "tel:", "data:")):
        return None
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return None
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(joined)
