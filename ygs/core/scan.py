"""Linear-time text tests that a single regex can only write with backtracking.

`A.*B` or `A[^x]*B` in one pattern rescans the rest of the line from every
place A matches: quadratic on a long line full of A. Here A is found once and
B is searched for once after it, so every test reads the text a bounded number
of times. Each matcher has `search(text)`, like a compiled pattern, so the review
rules and the linters can hold either.
"""

from __future__ import annotations

import re
from typing import Protocol


class Matcher(Protocol):
    def search(self, text: str) -> object: ...


class _Parts:
    """A matcher made of `parts` (plain slots, not a dataclass: these are built at
    import by modules every command loads, and a dataclass costs a compile per method)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple) -> None:
        self.parts = parts

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.parts!r})"


class InOrder(_Parts):
    """Every part, each after the end of the previous one's first match (`A.*B.*C`)."""

    parts: tuple[re.Pattern[str], ...]

    def search(self, text: str) -> bool:
        pos = 0
        for part in self.parts:
            match = part.search(text, pos)
            if match is None:
                return False
            pos = match.end()
        return True


class AnyOf(_Parts):
    parts: tuple[Matcher, ...]

    def search(self, text: str) -> bool:
        return any(part.search(text) for part in self.parts)


class AllOf(_Parts):
    parts: tuple[Matcher, ...]

    def search(self, text: str) -> bool:
        return all(part.search(text) for part in self.parts)


class Opened:
    """`tail` preceded by `head` with no `stop` character between (`if … err != nil {`)."""

    __slots__ = ("head", "stop", "tail")

    def __init__(self, head: re.Pattern[str], tail: re.Pattern[str], stop: str) -> None:
        self.head, self.tail, self.stop = head, tail, stop

    def search(self, text: str) -> bool:
        match = self.tail.search(text)
        if match is None:
            return False
        start = text.rfind(self.stop, 0, match.start()) + 1
        return self.head.search(text, start, match.start()) is not None


def in_order(*patterns: str, flags: int = 0) -> InOrder:
    return InOrder(tuple(re.compile(p, flags) for p in patterns))
