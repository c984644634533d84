"""Task size classes, one rule for planning and for the guard. Pure, standard library only
(the Claude Code hook imports it on every tool call).

light (S): 1-3 files and under 300 lines; standard (M): 4-7 files or 300-799 lines;
heavy (L): 8+ files, 800+ lines, or 3+ top-level modules. A module is a top-level folder;
tests, docs and specs travel with every vertical slice and never count as one, and files at
the repository root belong to none.
"""

from __future__ import annotations

from collections.abc import Iterable

CLASSES = ("light", "standard", "heavy")
CLASS_OF_SIZE = {"S": "light", "M": "standard", "L": "heavy"}
SIZE_OF_CLASS = {v: k for k, v in CLASS_OF_SIZE.items()}
HEAVY_FILES, HEAVY_LINES, HEAVY_MODULES = 8, 800, 3
STANDARD_FILES, STANDARD_LINES = 4, 300
SLICE_FOLDERS = frozenset({"test", "tests", "doc", "docs", "spec", "specs", "__tests__"})


def modules(paths: Iterable[str]) -> list[str]:
    """Top-level folders the paths touch, in first-seen order; tests and docs excluded."""
    found: list[str] = []
    for path in paths:
        text = str(path).strip()
        while text.startswith("./"):
            text = text[2:]
        head, sep, _ = text.partition("/")
        if sep and head not in SLICE_FOLDERS and head not in found:
            found.append(head)
    return found


def size_class(files: int, lines: int | None = None, modules_touched: int = 0) -> str:
    lines = lines or 0
    if files >= HEAVY_FILES or lines >= HEAVY_LINES or modules_touched >= HEAVY_MODULES:
        return "heavy"
    if files >= STANDARD_FILES or lines >= STANDARD_LINES:
        return "standard"
    return "light"
