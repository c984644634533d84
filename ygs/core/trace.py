"""The traceability graph and its gate.

REQ (PRD headings) -> TRD decisions (Traceability rows) -> tasks (`satisfies:`) ->
tests (`covers: REQ-003` comments or `@pytest.mark.covers("REQ-003")`) -> commits
(messages that mention the ids). Threats (THR rows) -> mitigations (MIT ids) ->
tasks (`mitigates:`) -> tests.

Pure: the shell hands in the catalog index, test files as (path, text) and
commits as (sha, message); everything here is arithmetic over those values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter, itemgetter
from typing import NamedTuple

from ygs.core.findings import Finding
from ygs.core.lint.trace import R
from ygs.core.markdown import is_placeholder
from ygs.core.specs import Index, as_list, ids_in, traceability_of

_SPLIT = re.compile(r"[\s,;()\[\]\"'`]+")
_FOREIGN_ID = re.compile(r"N?FR-\d+|US\d+|T\d+")
_PATH_PART = re.compile(r"[\w.-]+")
_ANCHOR_HEAD = re.compile(r"\w[\w./-]*")
_ANCHOR_TAIL = re.compile(r"\w[\w.-]*")
_COVERS = re.compile(r"\bcovers\b\s*(?:[:=(]|\s+(?=(?:REQ|THR|MIT|TASK)-))", re.IGNORECASE)
DEFAULT_SKIP = ("superseded",)


class TestRef(NamedTuple):
    path: str
    line: int
    ids: tuple[str, ...]

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


class Commit(NamedTuple):
    sha: str
    subject: str
    ids: tuple[str, ...]


@dataclass(slots=True)  # tens of thousands at scale: no dict each
class ReqNode:
    id: str
    title: str
    priority: str
    prd: str
    prd_status: str
    path: str
    line: int
    gated: bool
    # each a list once it has an item: most requirements have no edge, and 4 empty lists
    # apiece would be 14 MB of 50,000 requirements
    decisions: list[str] | tuple[()] = ()
    tasks: list[str] | tuple[()] = ()
    tests: list[str] | tuple[()] = ()
    commits: list[str] | tuple[()] = ()
    format: str = "ygs"
    kind: str = "requirement"


@dataclass(slots=True)
class ThreatNode:
    id: str
    priority: str
    status: str
    threat: str
    path: str
    line: int
    gated: bool
    mitigations: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    implemented: bool = False  # it has mitigation tasks, and every one of them is done


@dataclass
class Trace:
    requirements: list[ReqNode]
    threats: list[ThreatNode]
    unknown: list[Finding]  # tasks that satisfy requirements nobody defined
    tests_scanned: int = 0
    commits_scanned: int = 0

    def to_dict(self) -> dict:
        return {
            "requirements": [_plain(r) for r in self.requirements],
            "threats": [_plain(t) for t in self.threats],
            "coverage": coverage(self),
            "tests_scanned": self.tests_scanned,
            "commits_scanned": self.commits_scanned,
        }


def frozen(trace: Trace) -> tuple:
    """The graph as plain values, for a result cache (`thawed` gives it back): its nodes
    as tuples of their fields, marshalled (tens of thousands of slotted objects pickle
    slowly), the other fields as they are."""
    import marshal

    nodes = [
        marshal.dumps(list(map(_shape(cls)[1], items)))
        for cls, items in ((ReqNode, trace.requirements), (ThreatNode, trace.threats))
    ]
    return (*nodes, list(trace.unknown), trace.tests_scanned, trace.commits_scanned)


def thawed(value: tuple) -> Trace:
    """The graph `frozen` made plain."""
    import marshal

    requirements, threats, unknown, tests, commits = value
    return Trace(
        [ReqNode(*fields_) for fields_ in marshal.loads(requirements)],
        [ThreatNode(*fields_) for fields_ in marshal.loads(threats)],
        unknown,
        tests,
        commits,
    )


def _plain(node) -> dict:
    """A node as JSON-ready data (dataclasses.asdict deep-copies, slowly): its fields in
    order, read at once, the edge lists (or empty tuples) as lists."""
    names, read, lists = _shape(type(node))
    found = dict(zip(names, read(node), strict=True))
    for k in lists:
        found[k] = list(found[k])
    return found


@cache
def _shape(cls: type) -> tuple:
    """A node class's field names, a getter of them all and its edge lists' names."""
    names = cls.__slots__
    lists = tuple(f.name for f in fields(cls) if f.default == () or f.default_factory is list)
    return names, attrgetter(*names), lists


def scan_tests(files: Iterable[tuple[str, str]]) -> list[TestRef]:
    """`covers: REQ-003` (any comment syntax) and `@pytest.mark.covers("REQ-003")` lines;
    OpenSpec (`auth#user-signs-in`) and spec-kit (`FR-001`, `001-chat/FR-002`) ids too."""
    found = []
    for path, text in files:
        if "covers" not in text.lower():
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            match = _COVERS.search(line)
            if match:
                ids = covered_ids(line[match.end() :]) or ids_in(line[match.start() :])
                if ids:
                    found.append(TestRef(path, number, tuple(ids)))
    return found


def covered_ids(rest: str) -> list[str]:
    """The ids a `covers:` line names: ygs ids, and tokens shaped like foreign ids."""
    found = ids_in(rest)
    for token in _SPLIT.split(rest):
        token = token.strip(".:")
        if token and token not in found and foreign_ref(token):
            found.append(token)
    return found


def foreign_ref(token: str) -> bool:
    """`FR-001`, `001-feature/FR-001`, `US1`, `T012` (spec-kit) or `capability#slug`
    (OpenSpec). Checked part by part: linear in the token."""
    head, hash_, tail = token.partition("#")
    if hash_:
        return bool(_ANCHOR_HEAD.fullmatch(head) and _ANCHOR_TAIL.fullmatch(tail))
    *folders, last = token.split("/")
    return bool(_FOREIGN_ID.fullmatch(last)) and all(_PATH_PART.fullmatch(f) for f in folders)


def gated_as_must(priority: str) -> bool:
    """MUST, and any priority that cannot be read: the gate fails closed."""
    return priority not in ("SHOULD", "MAY")


def parse_commits(entries: Iterable[tuple[str, str]]) -> list[Commit]:
    found = []
    for sha, message in entries:
        ids = ids_in(message, "REQ", "TASK", "THR", "MIT")
        if ids:
            found.append(Commit(sha, message.strip().split("\n", 1)[0], tuple(ids)))
    return found


def _index_by_id(refs: Iterable, attr: str = "ids") -> dict[str, list]:
    by_id: dict[str, list] = {}
    for ref in refs:
        for ident in getattr(ref, attr):
            by_id.setdefault(ident, []).append(ref)
    return by_id


def _added(items: list[str] | tuple[()], values: Iterable[str]) -> list[str]:
    """`items` and the `values` not in it yet, as a list."""
    found = list(items)
    _add(found, values)
    return found


def _add(target: list[str], values: Iterable[str]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


def build(
    index: Index,
    tests: Iterable[TestRef] = (),
    commits: Iterable[Commit] = (),
    skip_statuses: Iterable[str] = DEFAULT_SKIP,
) -> Trace:
    skip = set(skip_statuses)
    tests_by_id = _index_by_id(tests)
    commits_by_id = _index_by_id(commits)
    tasks = index.tasks
    satisfied: dict[str, list[str]] = {}
    mitigated: dict[str, list[str]] = {}
    for task_id, task in tasks.items():
        for req in as_list(task.meta.get("satisfies")):
            known = index.requirements.get(req)
            satisfied.setdefault(known.id if known else req, []).append(task_id)
        for mit in as_list(task.meta.get("mitigates")):
            mitigated.setdefault(mit, []).append(task_id)
    imported = {str(t.meta["source"]) for t in tasks.values() if t.meta.get("source")}
    for req_id, task_ids in index.foreign.links.items():
        known = index.requirements.get(req_id)
        foreign_tasks = index.foreign.tasks
        fresh = [
            t
            for t in task_ids
            if t not in imported
            and (t not in foreign_tasks or foreign_tasks[t].qualified not in imported)
        ]
        _add(satisfied.setdefault(known.id if known else req_id, []), fresh)
    decisions = _decisions(index)
    requirements = []
    linked = tests_by_id or commits_by_id
    for req in index.requirement_list:
        node = ReqNode(  # all positional, the lists given: twice as quick, 50,000 times
            req.id,
            req.title,
            req.priority,
            req.prd,
            req.prd_status,
            req.path,
            req.line,
            req.prd_status not in skip,
            (),
            (),
            (),
            (),
            req.format,
            req.kind,
        )
        if req.id in decisions:  # most requirements have no edges: no call for those
            node.decisions = _added(node.decisions, decisions[req.id])
        if req.id in satisfied:
            node.tasks = _added(node.tasks, satisfied[req.id])
        for name in (req.id, *req.aliases, *node.tasks) if linked else ():
            if name in tests_by_id:
                node.tests = _added(node.tests, (t.location for t in tests_by_id[name]))
            if name in commits_by_id:
                node.commits = _added(node.commits, (c.sha for c in commits_by_id[name]))
        requirements.append(node)
    threats = _threats(index, mitigated, tests_by_id, skip)
    for node in threats:
        node.implemented = bool(node.tasks) and all(
            t in tasks and tasks[t].path.split("/")[-2:-1] == ["done"] for t in node.tasks
        )
    unknown = [
        R["TRC004"].at(
            task.path, task.line_of("satisfies"), f"{task_id} satisfies {req}: no such requirement"
        )
        for task_id, task in tasks.items()
        for req in as_list(task.meta.get("satisfies"))
        if req not in index.requirements
    ]
    return Trace(requirements, threats, unknown)


def _decisions(index: Index) -> dict[str, list[str]]:
    """REQ -> TRD decisions; a row counts only for requirements of the TRD's own PRD (when
    the TRD names a PRD that exists)."""
    found: dict[str, list[str]] = {}
    for trd in index.catalog.of_kind("trd"):
        if trd.status == "superseded":
            continue
        own = prd_requirements(index, trd)
        for row in traceability_of(index.doc(trd)):
            if row.decision and is_placeholder(row.decision):
                continue  # "TBD" is the absence of a decision, not one
            label = f"{trd.id}: {row.decision}".strip().rstrip(":") if row.decision else trd.id
            for req in row.requirements:
                if own is None or req in own:
                    found.setdefault(req, []).append(label)
    return found


def prd_requirements(index: Index, trd) -> set[str] | None:
    """The REQ ids of the PRD a TRD links, or None when it links none that exists."""
    value = str(trd.meta.get("prd") or "").strip()
    if not value:
        return None
    stem = value.rsplit("/", 1)[-1].removesuffix(".md")
    for prd in index.catalog.of_kind("prd"):
        name = prd.path.rsplit("/", 1)[-1].removesuffix(".md")
        if value in (prd.id, prd.path) or stem == name or prd.path.endswith("/" + value):
            return {r.id for r in index.requirements_by_path.get(prd.path, [])}
    return None


def _threats(index: Index, mitigated, tests_by_id, skip: set[str]) -> list[ThreatNode]:
    statuses = {a.path: a.status for a in index.catalog.of_kind("threat-model")}
    listed: dict[str, list[str]] = {}
    for mit in index.mitigations.values():
        for thr in mit.threats:
            listed.setdefault(thr, []).append(mit.id)
    nodes = []
    for t in index.threats:
        node = ThreatNode(
            t.id,
            t.priority.strip().capitalize(),
            t.status.strip().lower(),
            t.threat,
            t.path,
            t.line,
            statuses.get(t.path, "") not in skip,
        )
        _add(node.mitigations, [*t.mitigations, *listed.get(t.id, [])])
        for ident in [t.id, *node.mitigations]:
            _add(node.tasks, mitigated.get(ident, []))
        for ident in [t.id, *node.mitigations, *node.tasks]:
            _add(node.tests, (r.location for r in tests_by_id.get(ident, [])))
        nodes.append(node)
    return nodes


def gate(trace: Trace, looked: str = "") -> list[Finding]:
    """What `ygs trace --gate` fails on (all MUST); `looked` names where the inputs were
    searched, for the finding when there were none."""
    return findings_of(gate_rows(trace, looked))


def findings_of(rows: list[tuple]) -> list[Finding]:
    """The Findings of `gate_rows`."""
    return [
        R[rule].at(path, line, message, remedy) for path, _, rule, message, line, remedy in rows
    ]


def gate_rows(trace: Trace, looked: str = "") -> list[tuple]:
    """`gate`'s findings as plain tuples, in its order: (path, line or 0, rule, message,
    line, remedy). A large project has tens of thousands: they are written out without
    a Finding each (`ygs.cli.render.plain_rows`)."""
    found = []
    if not trace.requirements and not trace.threats:
        where = f" (looked in {looked})" if looked else ""
        found.append(_row(".", None, "TRC005", f"no requirements or threats to gate{where}"))
    no_task, no_test = R["TRC001"].remedy, R["TRC002"].remedy
    for req in trace.requirements:
        if not req.gated or not gated_as_must(req.priority):
            continue
        label = "MUST" if req.priority == "MUST" else "priority unknown, gated as MUST"
        path, line = req.path, req.line
        if not req.tasks:
            found.append(
                (path, line or 0, "TRC001", f"{req.id} ({label}) has no task", line, no_task)
            )
        if not req.tests:
            found.append(
                (path, line or 0, "TRC002", f"{req.id} ({label}) has no test", line, no_test)
            )
    for t in trace.threats:
        accepted = t.status in ("accepted", "transferred")
        if t.gated and t.priority == "High" and not t.mitigations and not accepted:
            found.append(_row(t.path, t.line, "TRC003", f"{t.id} (High) has no mitigation"))
    found.extend((f.path, f.line or 0, f.rule, f.message, f.line, f.remedy) for f in trace.unknown)
    found.sort(key=_ORDER)  # stable: rows at one place keep the order they were found in
    return found


def _row(path: str, line: int | None, rule: str, message: str) -> tuple:
    return (path, line or 0, rule, message, line, R[rule].remedy)


_ORDER = itemgetter(0, 1, 2)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def coverage(trace: Trace) -> dict:
    reqs = trace.requirements
    must = [r for r in reqs if r.priority not in ("SHOULD", "MAY")]  # `gated_as_must`
    high = [t for t in trace.threats if t.priority == "High"]

    def share(items: list, attr: str) -> dict:
        done = sum(map(bool, map(attrgetter(attr), items)))  # tens of thousands: in C
        return {"count": done, "total": len(items), "percent": _percent(done, len(items))}

    return {
        "requirements": len(reqs),
        "must": len(must),
        "must_with_task": share(must, "tasks"),
        "must_with_test": share(must, "tests"),
        "with_decision": share(reqs, "decisions"),
        "with_task": share(reqs, "tasks"),
        "with_test": share(reqs, "tests"),
        "with_commit": share(reqs, "commits"),
        "threats": len(trace.threats),
        "high_threats": len(high),
        "threats_mitigated": share(trace.threats, "implemented"),
        "threats_with_mitigation": share(trace.threats, "mitigations"),
        "threats_with_task": share(trace.threats, "tasks"),
        "threats_with_test": share(trace.threats, "tests"),
        "open_threats": sum(1 for t in trace.threats if t.status == "open"),
        "open_high_threats": sum(1 for t in high if t.status == "open"),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def summary_lines(trace: Trace) -> list[str]:
    c = coverage(trace)
    lines = [
        f"MUST requirements with a task: {c['must_with_task']['count']}/{c['must']} "
        f"({_pct(c['must_with_task']['percent'])}); with a test: "
        f"{c['must_with_test']['count']}/{c['must']} ({_pct(c['must_with_test']['percent'])})",
        f"All requirements: decision {_pct(c['with_decision']['percent'])}, task "
        f"{_pct(c['with_task']['percent'])}, test {_pct(c['with_test']['percent'])}, commit "
        f"{_pct(c['with_commit']['percent'])} of {c['requirements']}",
        f"Threats: {c['threats']} ({c['high_threats']} High); mitigated "
        f"{_pct(c['threats_mitigated']['percent'])}, with a task "
        f"{_pct(c['threats_with_task']['percent'])}, with a test "
        f"{_pct(c['threats_with_test']['percent'])}; open {c['open_threats']} "
        f"({c['open_high_threats']} High)",
    ]
    return lines if c["threats"] else lines[:2]


def _cell(items: list[str], limit: int = 3) -> str:
    if not items:
        return "-"
    shown = ", ".join(items[:limit])
    return shown + (f" +{len(items) - limit}" if len(items) > limit else "")


def requirement_rows(trace: Trace) -> list[tuple[str, ...]]:
    return [
        (
            r.id,
            r.priority or "?",
            r.prd,
            _cell([d.split(":", 1)[-1].strip() or d for d in r.decisions], 2),
            _cell(r.tasks),
            str(len(r.tests)) if r.tests else "-",
            str(len(r.commits)) if r.commits else "-",
        )
        for r in trace.requirements
    ]


def threat_rows(trace: Trace) -> list[tuple[str, ...]]:
    return [
        (
            t.id,
            t.priority or "?",
            t.status or "?",
            _cell(t.mitigations),
            _cell(t.tasks),
            str(len(t.tests)) if t.tests else "-",
        )
        for t in trace.threats
    ]


REQ_COLUMNS = ("requirement", "priority", "prd", "decisions", "tasks", "tests", "commits")
THREAT_COLUMNS = ("threat", "priority", "status", "mitigations", "tasks", "tests")


def markdown(trace: Trace) -> str:
    def table(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
        out = ["| " + " | ".join(c.capitalize() for c in columns) + " |"]
        out.append("|" + "---|" * len(columns))
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return out

    lines = ["# Traceability", "", *(f"- {s}" for s in summary_lines(trace)), ""]
    lines += ["## Requirements", "", *table(REQ_COLUMNS, requirement_rows(trace)), ""]
    if trace.threats:
        lines += ["## Threats", "", *table(THREAT_COLUMNS, threat_rows(trace)), ""]
    return "\n".join(lines)


def _node(ident: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", ident)


def _label(text: str, limit: int = 48) -> str:
    text = " ".join(text.split()).replace('"', "#quot;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mermaid(trace: Trace) -> str:
    """A left-to-right flowchart: requirements and threats to decisions, tasks, tests, commits."""
    lines = ["flowchart LR"]
    declared: set[str] = set()

    def node(key: str, label: str, shape: str = "[]") -> str:
        name = _node(key)
        if name not in declared:
            declared.add(name)
            lines.append(f'  {name}{shape[0]}"{_label(label)}"{shape[1]}')
        return name

    def edge(a: str, b: str) -> None:
        lines.append(f"  {a} --> {b}")

    for r in trace.requirements:
        req = node(r.id, f"{r.id} {r.priority}: {r.title}")
        for d in r.decisions:
            edge(req, node("dec " + d, d, "()"))
        for t in r.tasks:
            edge(req, node(t, t))
        for test in r.tests:
            edge(req, node("test " + test, test, "[]"))
        for sha in r.commits[:3]:
            edge(req, node("commit " + sha, sha[:8], "{}"))
    for t in trace.threats:
        thr = node(t.id, f"{t.id} {t.priority}: {t.threat}")
        for m in t.mitigations:
            edge(thr, node(m, m))
        for task in t.tasks:
            edge(thr, node(task, task))
        for test in t.tests:
            edge(thr, node("test " + test, test))
    if len(lines) == 1:
        lines.append('  empty["no requirements or threats yet"]')
    return "\n".join(lines) + "\n"
