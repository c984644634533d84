"""Inline suppression: `<!-- ygs: ignore RULE[,RULE…] reason -->`, the reason required.

A comment alone on its line covers its own line and the next non-blank line
(and the heading above it when it is the first thing in a section); a comment
after text covers that line; `ygs: ignore-file RULE reason` covers
the whole file. In frontmatter the YAML form `# ygs: ignore RULE reason` works
the same way. A suppression without a reason does not suppress anything and is
reported itself (ART007), as is one naming an unknown rule (ART008).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from ygs.core.findings import Finding
from ygs.core.lint.context import Lazy

_MARK = Lazy(lambda: re.compile(r"(<!--|#)\s*ygs:\s*ignore(-file)?\b(.*?)(?:-->|$)"))
_RULE_TOKEN = Lazy(lambda: re.compile(r"^[A-Za-z]{2,5}\d{3}$"))


class Suppression(NamedTuple):
    line: int  # where the comment is
    rules: tuple[str, ...]
    reason: str
    whole_file: bool
    covers: frozenset[int]


def parse(text: str, body_line: int = 1) -> list[Suppression]:
    """Suppressions in an artifact's full text (frontmatter lines before `body_line`)."""
    if "ygs:" not in text:
        return []
    lines = text.split("\n")
    found = []
    fence = ""
    for index, line in enumerate(lines):
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~"):
            fence = "" if fence == marker else (fence or marker)
            continue
        if fence or "ygs:" not in line:
            continue
        number = index + 1
        match = _MARK.search(line)
        if not match or (match.group(1) == "#" and number >= body_line):
            continue
        rules, reason = _split(match.group(3))
        alone = line[: match.start()].strip() == ""
        covers = {number}
        if alone:
            following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
            if following is not None:
                covers.add(following + 1)
            before = next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)
            if before is not None and lines[before].startswith("#") and number >= body_line:
                covers.add(before + 1)  # first thing under a heading: covers the heading too
        found.append(Suppression(number, rules, reason, bool(match.group(2)), frozenset(covers)))
    return found


def _split(rest: str) -> tuple[tuple[str, ...], str]:
    tokens = rest.replace(",", " , ").split()
    rules: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == ",":
            index += 1
            continue
        if not _RULE_TOKEN.match(token):
            break
        rules.append(token.upper())
        index += 1
    reason = " ".join(t for t in tokens[index:]).replace(" , ", ", ").strip(" ,:-—")
    return tuple(rules), reason


def apply(
    findings: Iterable[Finding],
    texts: Mapping[str, tuple[str, int]],
    known: Callable[[str], bool],
    no_reason: Callable[[str, int, str], Finding],
    unknown_rule: Callable[[str, int, str], Finding],
) -> list[Finding]:
    """Drop suppressed findings; add findings for suppressions that are themselves wrong.

    `texts` maps a path to (full text, body line). `no_reason` and `unknown_rule`
    build the findings for a bad suppression (path, line, rule).
    """
    by_path: dict[str, list[Suppression]] = {}
    problems: list[Finding] = []
    for path, (text, body_line) in texts.items():
        valid = []
        for s in parse(text, body_line):
            if not s.rules:
                problems.append(no_reason(path, s.line, ""))
                continue
            for rule in s.rules:
                if not known(rule):
                    problems.append(unknown_rule(path, s.line, rule))
            if not s.reason:
                problems.append(no_reason(path, s.line, ", ".join(s.rules)))
                continue
            valid.append(s)
        if valid:
            by_path[path] = valid
    kept = [f for f in findings if not _suppressed(f, by_path.get(f.path, ()))]
    return kept + problems


def _suppressed(finding: Finding, suppressions: Iterable[Suppression]) -> bool:
    for s in suppressions:
        if finding.rule in s.rules and (s.whole_file or (finding.line or 1) in s.covers):
            return True
    return False
