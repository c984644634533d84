"""Test results from what a runner leaves behind, pure: JUnit XML when the runner wrote it,
otherwise its closing summary lines (pytest, unittest, jest, vitest, mocha, go test, cargo
test). Every regex here is a single pass without nested quantifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_FAILURES = 10
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Failure:
    name: str
    file: str | None = None
    line: int | None = None
    message: str = ""

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict:
        return {"name": self.name, "file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Counts:
    """What the runner reported; `source` says how we know (junit, pytest, …, or none)."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    duration_s: float | None = None
    failures: tuple[Failure, ...] = field(default_factory=tuple)
    source: str = "none"

    @property
    def counted(self) -> bool:
        return self.source != "none"

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
            "total": self.total,
            "reported_duration_s": self.duration_s,  # the runner's own figure, when it says
            "counted_from": self.source,
            "failures": [f.to_dict() for f in self.failures],
        }


def _short(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:_MESSAGE_LIMIT]


# --- JUnit XML ---------------------------------------------------------------------------

_LOCATION = re.compile(r"^([^\s:][^:\n]*\.[A-Za-z0-9]+):(\d+):", re.M)


def _location(text: str) -> tuple[str | None, int | None]:
    """The last `path.ext:NN:` line of a traceback: where the failure happened."""
    found = _final(_LOCATION, text or "")
    return (found.group(1).strip(), int(found.group(2))) if found else (None, None)


def _final(pattern: re.Pattern, text: str):
    """The last match of `pattern` in `text`, or None."""
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - the loop keeps the last one
        pass
    return found


def _num(value, kind=int):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def parse_junit(xml_text: str) -> Counts | None:
    """Counts from a JUnit XML report; None when it cannot be read."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError:
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    if not suites:
        return None
    passed = failed = errors = skipped = 0
    duration = 0.0
    failures: list[Failure] = []
    for suite in suites:
        duration += _num(suite.get("time"), float) or 0.0
        for case in suite.iter("testcase"):
            outcome = _case(case)
            if outcome == "passed":
                passed += 1
            elif outcome == "skipped":
                skipped += 1
            else:
                failed += outcome == "failed"
                errors += outcome == "error"
                if len(failures) < MAX_FAILURES:
                    failures.append(_case_failure(case))
    return Counts(passed, failed, errors, skipped, round(duration, 3), tuple(failures), "junit")


def _case(case) -> str:
    if case.find("failure") is not None:
        return "failed"
    if case.find("error") is not None:
        return "error"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def _case_failure(case) -> Failure:
    node = case.find("failure")
    if node is None:
        node = case.find("error")
    text = (node.text or "") if node is not None else ""
    message = (node.get("message") if node is not None else "") or _short(text)
    file, line = _location(text)
    if file is None:
        file, line = case.get("file"), _num(case.get("line"))
        line = line + 1 if line is not None and case.get("file") else line  # 0-based in pytest
    classname, name = case.get("classname") or "", case.get("name") or "?"
    full = f"{classname}::{name}" if classname else name
    return Failure(full, file, line, message[:_MESSAGE_LIMIT])


# --- summary lines -----------------------------------------------------------------------

_PYTEST_COUNT = re.compile(
    r"(?<!\d)(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)\b"
)
_PYTEST_TIME = re.compile(r" in (\d+(?:\.\d+)?)s\b")
_PYTEST_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)(?: - (.*))?$", re.M)
_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in (\d+(?:\.\d+)?)s$", re.M)
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \(([^)\n]*)\))?$", re.M)
_JEST_TESTS = re.compile(r"^Tests:[ \t]+([^\n]*)$", re.M)
_JEST_COUNT = re.compile(r"(?<!\d)(\d+) (passed|failed|skipped|todo|total)\b")
_JEST_FAILED = re.compile(r"^[ \t]*\u25cf ([^\n]+)$", re.M)
_VITEST_TESTS = re.compile(r"^[ \t]*Tests[ \t]+([^\n]*)$", re.M)
_MOCHA = re.compile(r"^[ \t]*(\d+) (passing|failing|pending)\b", re.M)
_GO_RESULT = re.compile(r"^[ \t]*--- (PASS|FAIL|SKIP): (\S+)", re.M)
_GO_PACKAGE = re.compile(r"^(ok|FAIL)[ \t]+\S+", re.M)
_GO_LOCATION = re.compile(r"^[ \t]+(\S+\.go):(\d+): ([^\n]*)$", re.M)
_CARGO = re.compile(
    r"^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored;[^\n]*?"
    r"(?:finished in (\d+(?:\.\d+)?)s)?$",
    re.M,
)
_CARGO_PANIC = re.compile(r"^thread '([^'\n]+)' panicked at ([^\n:]+):(\d+)", re.M)


def parse_output(text: str) -> Counts:
    """Counts from a runner's own output, trying each known summary format."""
    for parser in (_pytest, _unittest, _cargo, _jest, _vitest, _mocha, _go):
        found = parser(text)
        if found is not None:
            return found
    return Counts()


def _pytest(text: str) -> Counts | None:
    summary = None
    for line in text.splitlines():
        bare = line.strip().strip("=").strip()
        counted = bare[:1].isdigit() and ";" not in bare and " in " in bare
        if (counted and _PYTEST_COUNT.search(bare)) or bare.startswith("no tests ran"):
            summary = bare
    if summary is None:
        return None
    counts: dict[str, int] = {}
    for number, word in _PYTEST_COUNT.findall(summary):
        key = "errors" if word.startswith("error") else word
        counts[key] = counts.get(key, 0) + int(number)
    time = _PYTEST_TIME.search(summary)
    failures = []
    for node, message in _PYTEST_FAILED.findall(text)[:MAX_FAILURES]:
        file = node.split("::", 1)[0]
        failures.append(Failure(node, file if "." in file else None, None, (message or "")[:300]))
    return Counts(
        counts.get("passed", 0) + counts.get("xfailed", 0),
        counts.get("failed", 0),
        counts.get("errors", 0),
        counts.get("skipped", 0),
        float(time.group(1)) if time else None,
        tuple(_with_locations(failures, text)),
        "pytest",
    )


def _with_locations(failures: list[Failure], text: str) -> list[Failure]:
    """Fill in file:line from `path:NN: Error` lines naming the failing test's file."""
    located = {}
    for match in _LOCATION.finditer(text):
        located.setdefault(match.group(1).strip(), int(match.group(2)))
    out = []
    for failure in failures:
        line = located.get(failure.file or "")
        out.append(Failure(failure.name, failure.file, line, failure.message) if line else failure)
    return out


def _unittest(text: str) -> Counts | None:
    ran, end = _final(_UNITTEST_RAN, text), _final(_UNITTEST_END, text)
    if ran is None or end is None:
        return None
    details = dict(
        part.strip().split("=", 1) for part in (end.group(2) or "").split(",") if "=" in part
    )
    failed, errors = int(details.get("failures", 0)), int(details.get("errors", 0))
    skipped = int(details.get("skipped", 0))
    total = int(ran.group(1))
    passed = max(total - failed - errors - skipped, 0)
    return Counts(passed, failed, errors, skipped, float(ran.group(2)), (), "unittest")


def _cargo(text: str) -> Counts | None:
    found = _CARGO.findall(text)
    if not found:
        return None
    passed = sum(int(p) for p, _, _, _ in found)
    failed = sum(int(f) for _, f, _, _ in found)
    skipped = sum(int(i) for _, _, i, _ in found)
    duration = sum(float(t) for _, _, _, t in found if t) or None
    failures = [Failure(name, file, int(line)) for name, file, line in _CARGO_PANIC.findall(text)][
        :MAX_FAILURES
    ]
    return Counts(passed, failed, 0, skipped, duration, tuple(failures), "cargo")


def _jest_like(line: str | None, source: str) -> Counts | None:
    if line is None:
        return None
    counts = {word: int(n) for n, word in _JEST_COUNT.findall(line)}
    if not counts:
        return None
    return Counts(
        counts.get("passed", 0),
        counts.get("failed", 0),
        0,
        counts.get("skipped", 0) + counts.get("todo", 0),
        None,
        (),
        source,
    )


def _last(pattern: re.Pattern, text: str) -> str | None:
    found = pattern.findall(text)
    return found[-1] if found else None


def _jest(text: str) -> Counts | None:
    counts = _jest_like(_last(_JEST_TESTS, text), "jest")
    if counts is None:
        return None
    names = [Failure(n.strip()) for n in _JEST_FAILED.findall(text)[:MAX_FAILURES]]
    return Counts(**{**counts.__dict__, "failures": tuple(names)})


def _vitest(text: str) -> Counts | None:
    line = _last(_VITEST_TESTS, text)
    return _jest_like(line.replace("|", ",") if line else None, "vitest")


def _mocha(text: str) -> Counts | None:
    counts = {word: int(n) for n, word in _MOCHA.findall(text)}
    if "passing" not in counts and "failing" not in counts:
        return None
    passed, failed = counts.get("passing", 0), counts.get("failing", 0)
    return Counts(passed, failed, 0, counts.get("pending", 0), None, (), "mocha")


def _go(text: str) -> Counts | None:
    results = _GO_RESULT.findall(text)
    packages = _GO_PACKAGE.findall(text)
    if not results and not packages:
        return None
    passed = sum(1 for kind, _ in results if kind == "PASS")
    skipped = sum(1 for kind, _ in results if kind == "SKIP")
    failed_names = [name for kind, name in results if kind == "FAIL"]
    locations = _GO_LOCATION.findall(text)
    failures = []
    for i, name in enumerate(failed_names[:MAX_FAILURES]):
        file, line, message = locations[i] if i < len(locations) else (None, None, "")
        failures.append(Failure(name, file, int(line) if line else None, message[:300]))
    failed = len(failed_names) or (1 if "FAIL" in packages and not failed_names else 0)
    return Counts(passed, failed, 0, skipped, None, tuple(failures), "go")
