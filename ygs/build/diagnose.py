"""Pure parts of `ygs investigate`: the lines a run changed, the places a traceback names,
which of those the run changed, and whether a proposed fix games the tests.

No regex here has nested or overlapping quantifiers; paths in free text are found by
splitting on whitespace, not by a pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_PY_FRAME = re.compile(r'File "([^"\n]*)", line (\d+)')
_STRIP = "\"'()[]{}<>,;"

# A fix that makes tests pass by not testing: skip markers of the common runners, and the
# sentences that say so. Compared in lower case, whitespace collapsed.
SKIP_MARKERS = (
    "pytest.mark.skip",
    "pytest.skip(",
    "mark.xfail",
    "unittest.skip",
    "@skip",
    "skipif",
    "it.skip(",
    "test.skip(",
    "describe.skip(",
    " xit(",
    "xdescribe(",
    "t.skip(",
    "#[ignore]",
    "@ignore",
    "@disabled",
    "--deselect",
    "-k 'not ",
    '-k "not ',
)
GAMING_PHRASES = (
    "skip the test",
    "skip this test",
    "skip the failing",
    "skip these tests",
    "skip those tests",
    "delete the test",
    "delete this test",
    "delete the failing",
    "remove the test",
    "remove this test",
    "remove the failing",
    "comment out the test",
    "comment out the assert",
    "disable the test",
    "disable this test",
    "mark it as flaky",
    "mark the test as flaky",
    "mark as flaky",
    "mark it flaky",
    "mark it xfail",
    "mark the test xfail",
    "as an expected failure",
    "loosen the assert",
    "relax the assert",
    "weaken the assert",
    "weaken the test",
    "loosen the test",
    "relax the test",
    "remove the assert",
    "delete the assert",
    "drop the assert",
    "increase the tolerance",
    "widen the tolerance",
    "update the expected value to match",
    "change the expected value to match",
    "update the test to match the current",
    "change the test to match the current",
)


@dataclass(frozen=True)
class Frame:
    path: str  # relative to the git work tree when it lies inside it
    line: int
    changed: bool  # the run added or changed this line


def changed_lines(patch: str) -> dict[str, set[int]]:
    """{path: new-side line numbers added or changed} from a unified diff (`git diff`)."""
    found: dict[str, set[int]] = {}
    current: set[int] | None = None
    number = 0
    for line in patch.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip()
            current = None if name == "/dev/null" else found.setdefault(_side(name), set())
            continue
        if line.startswith("--- ") or line.startswith("diff --git"):
            continue
        hunk = _HUNK.match(line)
        if hunk:
            number = int(hunk.group(1))
            continue
        if current is None:
            continue
        if line.startswith("+"):
            current.add(number)
            number += 1
        elif line.startswith(" "):
            number += 1
    return found


def _side(name: str) -> str:
    return name[2:] if name.startswith(("a/", "b/")) else name


def locations(text: str) -> list[tuple[str, int]]:
    """(path, line) for every place a traceback names, in order, without repeats:
    Python frames (`File "x.py", line 3`) and `path:line` tokens (pytest, node, go, rust)."""
    seen: dict[tuple[str, int], None] = {}
    for match in _PY_FRAME.finditer(text):
        seen.setdefault((match.group(1), int(match.group(2))), None)
    for token in text.split():
        spot = _path_line(token.strip(_STRIP))
        if spot is not None:
            seen.setdefault(spot, None)
    return list(seen)


def _path_line(token: str) -> tuple[str, int] | None:
    parts = token.split(":")
    # path:line or path:line:column or path:line: (a trailing colon)
    while parts and parts[-1] == "":
        parts.pop()
    for take in (2, 3):
        if len(parts) < take:
            return None
        head, numbers = ":".join(parts[: len(parts) - take + 1]), parts[len(parts) - take + 1 :]
        if all(n.isdigit() for n in numbers) and _looks_like_file(head):
            return head, int(numbers[0])
    return None


def _looks_like_file(text: str) -> bool:
    name = text.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return bool(stem and dot and ext and ext.isalnum() and "://" not in text and len(ext) <= 6)


def frames(text: str, changed: dict[str, set[int]], top: str, prefix: str = "") -> list[Frame]:
    """The traceback's places, made relative to the work tree `top` (absolute paths) or to the
    project (`prefix` + path), each marked when the run changed that line."""
    found = []
    for path, line in locations(text):
        rel = _relative(path, top, prefix)
        if rel is None:
            continue
        found.append(Frame(rel, line, line in changed.get(rel, ())))
    return found


def _relative(path: str, top: str, prefix: str) -> str | None:
    path = path.replace("\\", "/")
    top = top.rstrip("/") + "/"
    if path.startswith("/"):
        return path[len(top) :] if path.startswith(top) else None
    while path.startswith("./"):
        path = path[2:]
    if path.startswith("../"):
        return None
    return prefix + path


def gaming(text: str) -> list[str]:
    """What in a proposed fix skips, deletes or weakens a test (empty: nothing)."""
    flat = " ".join(text.lower().split())
    hits = [m for m in SKIP_MARKERS if m in flat]
    hits += [p for p in GAMING_PHRASES if p in flat]
    return hits


def traces(junit_xml: str) -> dict[str, str]:
    """{test name (as `ygs test` names it): the full failure text} from a JUnit XML report."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(junit_xml)
    except ET.ParseError:
        return {}
    found = {}
    for case in root.iter("testcase"):
        node = case.find("failure")
        node = node if node is not None else case.find("error")
        if node is None:
            continue
        classname, name = case.get("classname") or "", case.get("name") or "?"
        full = f"{classname}::{name}" if classname else name
        found[full] = "\n".join(t for t in (node.get("message") or "", node.text or "") if t)
    return found
