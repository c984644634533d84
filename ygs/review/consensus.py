"""Consensus over N independent document reviewers (`--parallel N`). Pure.

The rules are the ones in skills/ygs-review-architecture/references/parallel-consensus.md:

- two findings are the same when they cite the same criterion at the same line (without a
  criterion id, the same title at the same line); a reviewer counts once per finding;
- all N raised it: HIGH; more than half: MEDIUM; fewer: LOW;
- a conflict is a SPLIT: a reviewer explicitly judged the criterion fine while another
  raised it, or the raisers' severities span MUST to MAY. A SPLIT is never averaged away:
  it leaves the findings and goes to a human, with each position on one line;
- severity is the most common among the raisers, the higher on a tie;
- a LOW finding proposed as MUST is not a MUST: it becomes a SHOULD phrased as a question,
  for the lead reviewer to re-check against the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

MIN_REVIEWERS, MAX_REVIEWERS = 2, 5
RANK = {"MUST": 3, "SHOULD": 2, "MAY": 1}


@dataclass(frozen=True)
class Opinion:
    """One reviewer's reply: its findings, and the criteria it checked and found fine."""

    findings: tuple[dict, ...]
    fine: frozenset[str] = frozenset()  # criterion ids, never ""

    @classmethod
    def of(cls, reply: object) -> Opinion:
        """From the reply's JSON; anything malformed counts as raising nothing."""
        if not isinstance(reply, dict):
            return cls(())
        items, fine = reply.get("findings"), reply.get("fine")
        items = items if isinstance(items, list) else []
        fine = fine if isinstance(fine, list) else []
        ids = {_criterion(c) for c in fine if isinstance(c, str) and c.strip()}
        return cls(tuple(i for i in items if _usable(i)), frozenset(ids))


@dataclass(frozen=True)
class Split:
    criterion: str
    line: int
    title: str
    positions: tuple[str, ...]
    must: bool  # some side proposed MUST: a human decides before the review is complete

    def to_dict(self) -> dict:
        return {
            "criterion": self.criterion,
            "line": self.line,
            "title": self.title,
            "positions": list(self.positions),
            "must": self.must,
        }


@dataclass
class Consensus:
    reviewers: int
    findings: list[dict] = field(default_factory=list)  # finding dicts with `consensus`
    split: list[Split] = field(default_factory=list)


def merge(opinions: Iterable[Opinion]) -> Consensus:
    """The merged findings of the reviewers, and the conflicts left for a human."""
    opinions = list(opinions)
    groups: dict[tuple[str, int], dict[int, dict]] = {}
    for who, opinion in enumerate(opinions):
        for item in opinion.findings:
            groups.setdefault(_key(item), {}).setdefault(who, item)
    result = Consensus(len(opinions))
    for (anchor, line), raised in groups.items():
        criterion = "" if anchor.startswith("title:") else anchor
        objectors = [w for w, o in enumerate(opinions) if w not in raised and criterion in o.fine]
        severities = [_severity(i) for i in raised.values()]
        if objectors or {"MUST", "MAY"} <= set(severities):
            result.split.append(_split(criterion, line, raised, len(objectors)))
        else:
            result.findings.append(_merged(raised, len(opinions)))
    return result


def _merged(raised: dict[int, dict], total: int) -> dict:
    severity = _vote([_severity(i) for i in raised.values()])
    count = len(raised)
    confidence = "HIGH" if count == total else "MEDIUM" if 2 * count > total else "LOW"
    item = dict(_clearest(raised.values(), severity))
    item.update(severity=severity, confidence=confidence, consensus=f"{count}/{total}")
    if confidence == "LOW" and severity == "MUST":
        title = str(item.get("title", "")).strip().rstrip(".?")
        item.update(severity="SHOULD", title=f"Is this so: {title}?", recheck=True)
    return item


def _split(criterion: str, line: int, raised: dict[int, dict], objectors: int) -> Split:
    by_severity = Counter(_severity(i) for i in raised.values())
    title = str(_clearest(raised.values(), _vote(list(by_severity.elements()))).get("title", ""))
    positions = [
        f"{n} reviewer{'s' if n > 1 else ''} raised it as {s}"
        for s, n in sorted(by_severity.items(), key=lambda kv: -RANK[kv[0]])
    ]
    if objectors:
        positions.append(
            f"{objectors} reviewer{'s' if objectors > 1 else ''} judged {criterion} fine"
        )
    return Split(criterion, line, title.strip(), tuple(positions), "MUST" in by_severity)


def _vote(severities: list[str]) -> str:
    counts = Counter(severities)
    return max(counts, key=lambda s: (counts[s], RANK[s]))


def _clearest(items: Iterable[dict], severity: str) -> dict:
    """The wording to keep: a finding at the agreed severity with the fullest why and fix."""
    pool = [i for i in items if _severity(i) == severity] or list(items)
    return max(pool, key=lambda i: len(str(i.get("why", ""))) + len(str(i.get("fix", ""))))


def _key(item: dict) -> tuple[str, int]:
    criterion = _criterion(str(item.get("criterion") or ""))
    anchor = criterion or "title:" + " ".join(str(item.get("title", "")).casefold().split())
    return anchor, int(item["line"])


def _criterion(text: str) -> str:
    return text.strip().upper()


def _severity(item: dict) -> str:
    return str(item.get("severity", "")).upper()


def _usable(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("line"), int)
        and not isinstance(item.get("line"), bool)
        and _severity(item) in RANK
    )
