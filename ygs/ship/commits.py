"""Conventional Commits 1.0.0 and done tasks: the bump level and the changelog category of
each change (pure).

`type(scope)!: subject`, with `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) as a footer. A
header that does not follow the form is classified as a change of unknown kind: it never
raises the level above patch and lands under Changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security", "Performance")
USER_CATEGORIES = ("Added", "Changed", "Fixed", "Removed", "Security", "Performance")
CHORE = "Chore"
_TYPE_CATEGORY = {
    "feat": "Added",
    "feature": "Added",
    "fix": "Fixed",
    "bugfix": "Fixed",
    "perf": "Performance",
    "security": "Security",
    "sec": "Security",
    "revert": "Changed",
    "remove": "Removed",
    "deprecate": "Deprecated",
}
_CHORE_TYPES = frozenset({"chore", "docs", "style", "refactor", "test", "tests", "build", "ci"})
_RANK = {"patch": 0, "minor": 1, "major": 2}


@dataclass(frozen=True)
class Change:
    """One commit or done task, classified."""

    source: str  # commit | task
    ref: str  # short sha or task id
    subject: str
    body: str = ""
    type: str = ""  # the conventional type, lower case ('' when not conventional)
    scope: str = ""
    breaking: bool = False
    category: str = "Changed"  # a changelog category, or Chore
    refs: tuple[str, ...] = field(default_factory=tuple)

    @property
    def level(self) -> str:
        if self.breaking:
            return "major"
        return "minor" if self.category == "Added" else "patch"

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "ref": self.ref,
            "subject": self.subject,
            "body": self.body,
            "type": self.type,
            "scope": self.scope,
            "breaking": self.breaking,
            "category": self.category,
            "level": self.level,
            "refs": list(self.refs),
        }


def header(subject: str) -> tuple[str, str, bool, str] | None:
    """(type, scope, breaking mark, description) of a conventional header, or None."""
    colon = subject.find(": ")
    if colon <= 0:
        return None
    head, description = subject[:colon], subject[colon + 2 :].strip()
    bang = head.endswith("!")
    head = head.removesuffix("!")
    scope = ""
    if head.endswith(")") and "(" in head:
        head, scope = head[:-1].split("(", 1)
    if not head or not head.isalpha() or not description:
        return None
    if "(" in scope or ")" in scope:
        return None
    return head.lower(), scope.strip(), bang, description


def _breaking_footer(body: str) -> bool:
    return any(
        line.startswith(("BREAKING CHANGE:", "BREAKING-CHANGE:")) for line in body.splitlines()
    )


def commit(sha: str, message: str) -> Change:
    from ygs.core.specs import ids_in

    subject, _, body = message.strip().partition("\n")
    body = body.strip()
    parsed = header(subject.strip())
    refs = tuple(ids_in(message, "REQ", "TASK"))
    if parsed is None:
        return Change("commit", sha[:10], subject.strip(), body, refs=refs)
    kind, scope, bang, description = parsed
    category = CHORE if kind in _CHORE_TYPES else _TYPE_CATEGORY.get(kind, "Changed")
    breaking = bang or _breaking_footer(body)
    return Change("commit", sha[:10], description, body, kind, scope, breaking, category, refs)


_FIX_WORDS = ("fix", "repair", "correct", "resolve")
_REMOVE_WORDS = ("remove", "drop", "delete")
_SECURITY_WORDS = ("security", "vulnerab", "cve-", "xss", "injection", "secret")


def task(ident: str, title: str, meta: dict) -> Change:
    """A done task: `category:` (bug, enhancement: set by `ygs triage`) or `change:` wins,
    then the words of its title."""
    from ygs.core.specs import as_list

    declared = str(meta.get("category") or meta.get("change") or "").strip().lower()
    lowered = title.lower()
    if declared in ("bug", "fix"):
        category = "Fixed"
    elif declared in ("security",):
        category = "Security"
    elif declared in ("enhancement", "feature", "feat"):
        category = "Added"
    elif declared in ("chore", "refactor", "docs", "test"):
        category = CHORE
    elif any(w in lowered for w in _SECURITY_WORDS):
        category = "Security"
    elif lowered.startswith(_FIX_WORDS):
        category = "Fixed"
    elif lowered.startswith(_REMOVE_WORDS):
        category = "Removed"
    else:
        category = "Added"
    breaking = bool(meta.get("breaking")) is True
    refs = (ident, *as_list(meta.get("satisfies")))
    return Change("task", ident, title, "", "", "", breaking, category, refs)


def level(changes: list[Change], current) -> str:
    """The bump SemVer asks for: major for a breaking change (minor before 1.0.0), minor for
    a feature, otherwise patch."""
    found = max((c.level for c in changes), key=_RANK.__getitem__, default="patch")
    if found == "major" and current is not None and current.major == 0:
        return "minor"
    return found


def is_fix(change: Change) -> bool:
    return change.category == "Fixed"
