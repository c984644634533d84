"""Line-based three-way merge (diff3), pure.

`merge(base, theirs, ours)` merges two descendants of one base text. Lines
both sides left alone are kept; a region only one side changed takes that
side; a region both sides changed the same way is taken once; a region both
sides changed differently is a conflict, shown with diff3 markers.

Why our own and not `git merge-file`: installing skills must work where git
is absent (user-scope installs run outside any repository), the core stays a
pure function that tests drive directly, and the callers only need "clean
text or conflict" on small markdown files, so a quadratic matcher is fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Merge:
    text: str  # the merged text; conflicting regions carry <<<<<<< ||||||| ======= >>>>>>>
    conflicts: int  # number of conflicting regions

    @property
    def clean(self) -> bool:
        return self.conflicts == 0


def merge(base: str, theirs: str, ours: str, labels=("yours", "base", "new")) -> Merge:
    """Merge `theirs` (the user's edit) and `ours` (the new version) of `base`."""
    if theirs == ours:
        return Merge(theirs, 0)
    if theirs == base:
        return Merge(ours, 0)
    if ours == base:
        return Merge(theirs, 0)
    o, a, b = (s.splitlines(keepends=True) for s in (base, theirs, ours))
    out: list[str] = []
    conflicts = 0
    for chunk in _chunks(o, a, b):
        lines, conflict = _resolve(*chunk, labels)
        out += lines
        conflicts += conflict
    return Merge("".join(out), conflicts)


def _matches(base: list[str], other: list[str]) -> dict[int, int]:
    """base line index -> other line index, for lines a longest matching keeps."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    pairs: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pairs[block.a + k] = block.b + k
    return pairs


def _chunks(o: list[str], a: list[str], b: list[str]):
    """Alternating stable and unstable chunks as (base, theirs, ours) line lists."""
    ma, mb = _matches(o, a), _matches(o, b)
    i = j = k = 0
    while True:
        run = 0
        while i + run < len(o) and ma.get(i + run) == j + run and mb.get(i + run) == k + run:
            run += 1
        if run:
            yield o[i : i + run], a[j : j + run], b[k : k + run]
            i, j, k = i + run, j + run, k + run
            continue
        nxt = next((n for n in range(i, len(o)) if n in ma and n in mb), None)
        if nxt is None:
            yield o[i:], a[j:], b[k:]
            return
        yield o[i:nxt], a[j : ma[nxt]], b[k : mb[nxt]]
        i, j, k = nxt, ma[nxt], mb[nxt]


def _resolve(o: list[str], a: list[str], b: list[str], labels) -> tuple[list[str], int]:
    if a == b or b == o:
        return a, 0
    if a == o:
        return b, 0
    yours, base, new = labels
    lines = [f"<<<<<<< {yours}\n", *_ended(a), f"||||||| {base}\n", *_ended(o), "=======\n"]
    return [*lines, *_ended(b), f">>>>>>> {new}\n"], 1


def _ended(lines: list[str]) -> list[str]:
    """Lines for a conflict block: the last one gets a newline so markers stay on their own."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines
