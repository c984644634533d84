"""The task graph, computed: waves, cycles, the critical path, bottlenecks, split signals and
coverage. Pure: plan nodes in, an `Analysis` out; linear in tasks + dependencies.

A node is a task file or an entry of a decomposition file (then its id is the entry's key).
Waves are topological levels: wave 1 has no prerequisites, and every task sits one wave
after the latest of its dependencies. Done tasks keep their wave; the critical path and the
slack are computed over the work that remains.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ygs.core.sizes import (
    CLASS_OF_SIZE,
    HEAVY_FILES,
    HEAVY_LINES,
    HEAVY_MODULES,
    SIZE_OF_CLASS,
    modules,
)
from ygs.core.sizes import size_class as class_of_counts

FIBONACCI = (1, 2, 3, 5, 8, 13)
PRIORITIES = ("P0", "P1", "P2")
HEAVY_POINTS = 13
BOTTLENECK = 3
SPLIT_PHRASES = ("and also", "and verify")
_ID_NUMBER = re.compile(r"^(.*?)(\d+)$")
EPSILON = 1e-9


@dataclass(frozen=True)
class Node:
    id: str
    title: str = ""
    goal: str = ""
    status: str = "backlog"
    priority: str = ""
    depends_on: tuple[str, ...] = ()
    satisfies: tuple[str, ...] = ()
    mitigates: tuple[str, ...] = ()
    planned_files: tuple[str, ...] = ()
    planned_lines: int | None = None
    points: int | None = None
    expected_days: float | None = None  # PERT expected value, when the task has an estimate
    criteria: int = 0  # Given/When/Then acceptance criteria
    mode: str = ""
    milestone: str = ""
    path: str = ""
    line: int = 0

    @property
    def done(self) -> bool:
        return self.status == "done"


# --- size ------------------------------------------------------------------------------


def size_of(files: Sequence[str], lines: int | None = None) -> str:
    """S, M or L: the frontmatter letter of `ygs.core.sizes.size_class`."""
    return SIZE_OF_CLASS[class_of_counts(len(files), lines, len(modules(files)))]


def size_class(files: Sequence[str], lines: int | None = None) -> str:
    """light | standard | heavy: the class the implement loop uses."""
    return CLASS_OF_SIZE[size_of(files, lines)]


def split_reasons(node: Node) -> list[str]:
    """Why this task should be split (empty when it should not)."""
    reasons = []
    if len(node.planned_files) >= HEAVY_FILES:
        reasons.append(f"{len(node.planned_files)} planned files (8+)")
    if (node.planned_lines or 0) >= HEAVY_LINES:
        reasons.append(f"{node.planned_lines} planned lines (800+)")
    spans = modules(node.planned_files)
    if len(spans) >= HEAVY_MODULES:
        reasons.append(f"{len(spans)} top-level directories ({', '.join(spans)})")
    if node.points is not None and node.points >= HEAVY_POINTS:
        reasons.append(f"{node.points} points (13+)")
    for where, text in (("title", node.title), ("goal", node.goal)):
        lowered = " ".join(text.lower().split())
        for phrase in SPLIT_PHRASES:
            if phrase in lowered:
                reasons.append(f'{where} joins two tasks with "{phrase}"')
    return reasons


def fibonacci_problem(points: int | None) -> str:
    if points is None or points in FIBONACCI:
        return ""
    if points >= 21:
        return f"{points} points: a task this big must be split"
    return f"{points} points is not one of {', '.join(map(str, FIBONACCI))}"


# --- ordering ----------------------------------------------------------------------------


def id_key(ident: str) -> tuple[str, int, str]:
    """TASK-9 before TASK-10."""
    match = _ID_NUMBER.match(ident)
    return (match.group(1), int(match.group(2)), ident) if match else (ident, -1, ident)


def priority_rank(priority: str) -> int:
    value = priority.strip().upper()
    return PRIORITIES.index(value) if value in PRIORITIES else len(PRIORITIES)


def ready(nodes: Iterable[Node]) -> list[Node]:
    """Backlog tasks whose dependencies are all done (an unknown dependency never is)."""
    nodes = list(nodes)
    done = {n.id for n in nodes if n.done}
    found = [n for n in nodes if n.status == "backlog" and all(d in done for d in n.depends_on)]
    return sorted(found, key=lambda n: (priority_rank(n.priority), id_key(n.id)))


def next_ready(nodes: Iterable[Node]) -> Node | None:
    """The task to start next: dependencies done, P0 before P1 before P2, lowest id."""
    found = ready(nodes)
    return found[0] if found else None


# --- cycles ------------------------------------------------------------------------------


def strongly_connected(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's algorithm without recursion: the components with more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, ())
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def cycle_path(component: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[str]:
    """One cycle through the component's first node, as a path that ends where it starts:
    [A, B, A] reads 'A depends on B, which depends on A'."""
    members = set(component)
    start = min(component, key=id_key)
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(edges.get(node, ()), key=id_key):
            if target not in members:
                continue
            if target == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(parent[chain[-1]])
                return [*reversed(chain), start]
            if target not in parent:
                parent[target] = node
                queue.append(target)
    return [start, start]  # unreachable for a real component


# --- the analysis ------------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    task: str
    dependency: str
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Requirement:
    id: str
    priority: str  # MUST | SHOULD | MAY
    title: str = ""


@dataclass
class Analysis:
    nodes: list[Node]
    unknown: list[Unknown]
    cycles: list[list[str]]
    waves: dict[str, int]  # id -> wave; absent for tasks in or behind a cycle
    ready: list[str]
    critical_path: list[str]
    critical_weight: float
    weights: dict[str, float]
    weight_basis: dict[str, str]  # id -> days | points | unit
    slack: dict[str, float]
    dependents: dict[str, list[str]]
    bottlenecks: list[str]
    per_wave: dict[int, list[str]]
    split: dict[str, list[str]]
    points_flags: dict[str, str]
    uncovered: list[str]
    satisfies_nothing: list[str]
    few_criteria: list[str]
    milestone_flags: list[str] = field(default_factory=list)

    @property
    def peak(self) -> tuple[int, int]:
        """(wave, tasks) of the widest wave; (0, 0) without waves."""
        if not self.per_wave:
            return 0, 0
        wave = max(self.per_wave, key=lambda w: (len(self.per_wave[w]), -w))
        return wave, len(self.per_wave[wave])

    def size(self, node: Node) -> str:
        return size_of(node.planned_files, node.planned_lines)

    def ok(self) -> bool:
        """No cycle and no unknown dependency: the graph can be scheduled."""
        return not self.cycles and not self.unknown

    def to_dict(self) -> dict[str, Any]:
        by_id = {n.id: n for n in self.nodes}
        critical = set(self.critical_path)
        wave, width = self.peak
        return {
            "tasks": [self._task(n, critical) for n in self.nodes],
            "waves": dict(self.waves),
            "per_wave": [
                {"wave": w, "tasks": ids, "count": len(ids)} for w, ids in self.per_wave.items()
            ],
            "peak_parallelism": {"wave": wave, "tasks": width},
            "ready": list(self.ready),
            "next": self.ready[0] if self.ready else None,
            "cycles": [list(c) for c in self.cycles],
            "unknown_dependencies": [
                {"task": u.task, "dependency": u.dependency} for u in self.unknown
            ],
            "critical_path": {
                "tasks": list(self.critical_path),
                "weight": _round(self.critical_weight),
                "points": sum(by_id[i].points or 0 for i in self.critical_path),
                "basis": _basis(self.weight_basis[i] for i in self.critical_path),
            },
            "bottlenecks": [
                {"task": b, "dependents": len(self.dependents[b])} for b in self.bottlenecks
            ],
            "size_flags": [
                {"task": i, "size": self.size(by_id[i]), "reasons": r}
                for i, r in self.split.items()
                if r
            ],
            "points_flags": [{"task": i, "problem": p} for i, p in self.points_flags.items()],
            "criteria_flags": list(self.few_criteria),
            "uncovered": list(self.uncovered),
            "satisfies_nothing": list(self.satisfies_nothing),
            "milestone_flags": list(self.milestone_flags),
            "summary": {
                "tasks": len(self.nodes),
                "done": sum(1 for n in self.nodes if n.done),
                "waves": len(self.per_wave),
                "cycles": len(self.cycles),
                "unknown_dependencies": len(self.unknown),
            },
        }

    def _task(self, n: Node, critical: set[str]) -> dict[str, Any]:
        size = self.size(n)
        return {
            "id": n.id,
            "title": n.title,
            "status": n.status,
            "priority": n.priority,
            "wave": self.waves.get(n.id),
            "size": size,
            "class": CLASS_OF_SIZE[size],
            "points": n.points,
            "weight": _round(self.weights.get(n.id, 0.0)),
            "slack": None if n.id not in self.slack else _round(self.slack[n.id]),
            "critical": n.id in critical,
            "depends_on": list(n.depends_on),
            "dependents": list(self.dependents.get(n.id, ())),
            "mode": n.mode,
            "path": n.path,
        }


def _round(value: float) -> float:
    return round(value + 0.0, 3)


def _basis(values: Iterable[str]) -> str:
    found = set(values)
    return found.pop() if len(found) == 1 else ("mixed" if found else "")


def weight_of(node: Node) -> tuple[float, str]:
    if node.expected_days is not None:
        return float(node.expected_days), "days"
    if node.points is not None:
        return float(node.points), "points"
    return 1.0, "unit"


def analyse(
    nodes: Sequence[Node],
    requirements: Sequence[Requirement] = (),
    milestones: Sequence[str] | None = None,
) -> Analysis:
    """Everything `ygs wbs plan` reports. `milestones`: the decomposition's milestone keys
    (None for task files, which carry no milestone list)."""
    by_id: dict[str, Node] = {}
    for n in nodes:
        by_id.setdefault(n.id, n)  # a duplicate id is the catalogue's finding (ART003)
    nodes = sorted(by_id.values(), key=lambda n: id_key(n.id))
    unknown: list[Unknown] = []
    edges: dict[str, list[str]] = {}
    loops: list[list[str]] = []
    for n in nodes:
        known = []
        for dep in dict.fromkeys(n.depends_on):
            if dep == n.id:
                loops.append([dep, dep])
            elif dep in by_id:
                known.append(dep)
            else:
                unknown.append(Unknown(n.id, dep, n.path, n.line))
        edges[n.id] = known
    cycles = sorted(
        loops + [cycle_path(c, edges) for c in strongly_connected(edges)],
        key=lambda c: id_key(c[0]),
    )
    waves, order = _waves(nodes, edges, {loop[0] for loop in loops})
    dependents: dict[str, list[str]] = {n.id: [] for n in nodes}
    for ident, deps in edges.items():
        for dep in deps:
            dependents[dep].append(ident)
    weights, basis = {}, {}
    for n in nodes:
        weights[n.id], basis[n.id] = weight_of(n)
    path, total, slack = _critical(order, edges, dependents, by_id, weights)
    per_wave: dict[int, list[str]] = {}
    for ident in order:
        per_wave.setdefault(waves[ident], []).append(ident)
    return Analysis(
        nodes=list(nodes),
        unknown=unknown,
        cycles=cycles,
        waves=waves,
        ready=[n.id for n in ready(nodes)],
        critical_path=path,
        critical_weight=total,
        weights=weights,
        weight_basis=basis,
        slack=slack,
        dependents=dependents,
        bottlenecks=sorted(
            (i for i, d in dependents.items() if len(d) >= BOTTLENECK),
            key=lambda i: (-len(dependents[i]), id_key(i)),
        ),
        per_wave=dict(sorted(per_wave.items())),
        split={n.id: r for n in nodes if (r := split_reasons(n))},
        points_flags={n.id: p for n in nodes if (p := fibonacci_problem(n.points))},
        uncovered=_uncovered(nodes, requirements),
        satisfies_nothing=[n.id for n in nodes if not n.satisfies and not n.mitigates],
        few_criteria=[n.id for n in nodes if n.criteria < 2],
        milestone_flags=_milestones(nodes, milestones) if milestones is not None else [],
    )


def _waves(
    nodes: Sequence[Node], edges: Mapping[str, list[str]], loops: set[str]
) -> tuple[dict[str, int], list[str]]:
    """Kahn's algorithm: the topological level of every task outside (and not behind) a
    cycle, and those tasks in topological order. `loops`: tasks that depend on themselves."""
    waiting = {n.id: len(edges[n.id]) + (n.id in loops) for n in nodes}
    dependents: dict[str, list[str]] = {n.id: [] for n in nodes}
    for ident, deps in edges.items():
        for dep in deps:
            dependents[dep].append(ident)
    waves: dict[str, int] = {}
    queue = deque(n.id for n in nodes if waiting[n.id] == 0)
    for ident in queue:
        waves[ident] = 1
    order: list[str] = []
    while queue:
        ident = queue.popleft()
        order.append(ident)
        for child in dependents[ident]:
            waves[child] = max(waves.get(child, 1), waves[ident] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                queue.append(child)
    return {i: waves[i] for i in order}, order


def _critical(order, edges, dependents, by_id, weights):
    """Longest remaining path through the schedulable tasks; slack = latest - earliest start."""
    remaining = {i: (0.0 if by_id[i].done else weights[i]) for i in order}
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    for ident in order:
        start[ident] = max((finish[d] for d in edges[ident]), default=0.0)
        finish[ident] = start[ident] + remaining[ident]
    end = max(finish.values(), default=0.0)
    latest: dict[str, float] = {}
    for ident in reversed(order):
        late_finish = min((latest[c] for c in dependents[ident] if c in latest), default=end)
        latest[ident] = late_finish - remaining[ident]
    slack = {i: max(0.0, latest[i] - start[i]) for i in order}
    todo = [i for i in order if not by_id[i].done]
    if not todo:
        return [], 0.0, slack
    tail = min(todo, key=lambda i: (-finish[i], id_key(i)))
    path = [tail]
    while True:
        current = path[-1]
        before = [
            d
            for d in edges[current]
            if not by_id[d].done and abs(finish[d] - start[current]) <= EPSILON
        ]
        if not before:
            break
        path.append(min(before, key=id_key))
    path.reverse()
    return path, finish[tail], slack


def _uncovered(nodes: Sequence[Node], requirements: Sequence[Requirement]) -> list[str]:
    covered = {r for n in nodes for r in n.satisfies}
    return [r.id for r in requirements if r.priority == "MUST" and r.id not in covered]


def _milestones(nodes: Sequence[Node], milestones: Sequence[str]) -> list[str]:
    flags = []
    if len(nodes) >= 7 and len(milestones) < 3:
        flags.append(f"{len(nodes)} tasks need at least 3 milestones; there are {len(milestones)}")
    known = set(milestones)
    for n in nodes:
        if not n.milestone:
            flags.append(f"{n.id} belongs to no milestone")
        elif n.milestone not in known:
            flags.append(f"{n.id} names milestone '{n.milestone}', which is not defined")
    if len(nodes) < 7 and not milestones:
        flags = []  # small plans may do without milestones
    return flags
