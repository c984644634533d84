"""Decomposition files (`.ygs/wbs/<slug>.yaml`): the agent's or the model's breakdown of a
design into tasks, before ygs allocates ids and writes task files.

Pure: text in, a `Decomposition` out, or `DecompositionError` with the 1-based line and a
remedy. Tasks refer to each other by `key`; a `depends_on` entry may also name an existing
TASK id. `size` and `wave` are computed by ygs and rejected here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ygs.core import plan_graph
from ygs.core.yamltext import YamlError, load_with_lines

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TASK_ID = re.compile(r"^TASK-\d+$")
LAYERS = ("foundation", "core", "integration", "polish")
MODES = ("AFK", "HITL")
PRIORITY_OF = {"MUST": "P0", "SHOULD": "P1", "MAY": "P2"}
TOP_KEYS = {"prd", "trd", "milestones", "deliverables", "tasks"}
TASK_KEYS = {
    "key": "a-z, 0-9 and hyphens, unique in the file",
    "title": "a short imperative title",
    "goal": "the behaviour, one or two sentences",
    "layer": "foundation | core | integration | polish",
    "milestone": "a milestone key",
    "priority": "P0 | P1 | P2 (default: from the satisfied requirement)",
    "points": "1 2 3 5 8 13",
    "mode": "AFK | HITL",
    "hitl_reason": "why a human is needed",
    "depends_on": "keys in this file or existing TASK ids",
    "satisfies": "REQ ids",
    "mitigates": "MIT ids",
    "planned_files": "paths the task will touch",
    "planned_lines": "estimated changed lines",
    "estimate": "{best, likely, worst} engineer-days",
    "acceptance": "at least 2 {given, when, then}",
    "notes": "a list of lines",
    "deliverable": "the deliverable it belongs to (flat `tasks:` files)",
    "work_package": "the work package it belongs to (flat `tasks:` files)",
}
COMPUTED = {
    "size": "size is computed from planned_files and planned_lines",
    "wave": "waves are computed from the dependency graph",
    "id": "ids are allocated by ygs; use `key` to refer to tasks",
}


class DecompositionError(ValueError):
    def __init__(self, message: str, line: int | None = None, remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.line, self.remedy = message, line, remedy


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    line: int
    goal: str = ""
    layer: str = ""
    milestone: str = ""
    priority: str = ""
    points: int | None = None
    mode: str = "AFK"
    hitl_reason: str = ""
    depends_on: tuple[str, ...] = ()
    satisfies: tuple[str, ...] = ()
    mitigates: tuple[str, ...] = ()
    planned_files: tuple[str, ...] = ()
    planned_lines: int | None = None
    estimate: tuple[float, float, float] | None = None
    acceptance: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()
    deliverable: str = ""
    work_package: str = ""

    @property
    def size(self) -> str:
        return plan_graph.size_of(self.planned_files, self.planned_lines)

    def criteria(self) -> int:
        count = 0
        for item in self.acceptance:
            if isinstance(item, dict):
                count += all(str(item.get(k) or "").strip() for k in ("given", "when", "then"))
            else:
                text = str(item).lower()
                count += "given" in text and "when" in text and "then" in text
        return count

    def node(self, requirements: dict[str, str]) -> plan_graph.Node:
        from ygs.core.estimate import expected

        return plan_graph.Node(
            id=self.key,
            title=self.title,
            goal=self.goal,
            priority=self.priority or priority_for(self.satisfies, requirements),
            depends_on=self.depends_on,
            satisfies=self.satisfies,
            mitigates=self.mitigates,
            planned_files=self.planned_files,
            planned_lines=self.planned_lines,
            points=self.points,
            expected_days=None if self.estimate is None else expected(*self.estimate),
            criteria=self.criteria(),
            mode=self.mode,
            milestone=self.milestone,
            line=self.line,
        )

    def to_answers(self) -> dict[str, Any]:
        """The entry as the task template's `answers`."""
        return {
            "title": self.title,
            "goal": self.goal,
            "acceptance": list(self.acceptance),
            "notes": list(self.notes),
            "deliverable": self.deliverable,
            "work_package": self.work_package,
            "milestone": self.milestone,
            "hitl_reason": self.hitl_reason,
            "mode": self.mode,
        }


@dataclass(frozen=True)
class Decomposition:
    prd: str = ""
    trd: str = ""
    milestones: tuple[tuple[str, str], ...] = ()  # (key, title)
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def milestone_title(self, key: str) -> str:
        return next((title for k, title in self.milestones if k == key), key)


def priority_for(satisfies: tuple[str, ...], requirements: dict[str, str]) -> str:
    """The highest priority among the satisfied requirements (MUST=P0, SHOULD=P1, MAY=P2);
    P1 when it satisfies none that is known."""
    found = [PRIORITY_OF[requirements[r]] for r in satisfies if requirements.get(r) in PRIORITY_OF]
    return min(found) if found else "P1"


def parse(text: str) -> Decomposition:
    try:
        data, lines = load_with_lines(text)
    except YamlError as err:
        raise DecompositionError(err.message, err.line, "fix the YAML") from None
    return from_data(data, lines)


def from_data(data: Any, lines: dict[tuple, int] | None = None) -> Decomposition:
    """A decomposition from plain data (a parsed YAML file or a model's JSON reply)."""
    lines = lines or {}

    def at(*path: Any) -> int | None:
        while path and path not in lines:
            path = path[:-1]
        return lines.get(path)

    if not isinstance(data, dict):
        raise DecompositionError(
            "a decomposition is a mapping with `deliverables:` or `tasks:`",
            1,
            "see skills/ygs-wbs/references/decomposition-format.md",
        )
    for key in data:
        if key not in TOP_KEYS:
            raise DecompositionError(
                f"unknown key '{key}'", at(key), f"top-level keys: {', '.join(sorted(TOP_KEYS))}"
            )
    milestones = _milestones(data.get("milestones"), at)
    entries: list[Entry] = []
    for index, item in enumerate(_list(data, "tasks", at)):
        entries.append(_entry(item, ("tasks", index), at, "", ""))
    for d, deliverable in enumerate(_list(data, "deliverables", at)):
        where = ("deliverables", d)
        deliverable = _mapping(deliverable, where, at, {"title", "work_packages"})
        d_title = _text(deliverable.get("title"), (*where, "title"), at)
        for w, package in enumerate(_list(deliverable, "work_packages", at, where)):
            pwhere = (*where, "work_packages", w)
            package = _mapping(package, pwhere, at, {"title", "tasks"})
            p_title = _text(package.get("title"), (*pwhere, "title"), at)
            for t, item in enumerate(_list(package, "tasks", at, pwhere)):
                entries.append(_entry(item, (*pwhere, "tasks", t), at, d_title, p_title))
    if not entries:
        raise DecompositionError(
            "the decomposition has no tasks", 1, "add tasks under deliverables or `tasks:`"
        )
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.key in seen:
            raise DecompositionError(
                f"key '{entry.key}' is used twice (first at line {seen[entry.key]})",
                entry.line,
                "give every task its own key",
            )
        seen[entry.key] = entry.line
    return Decomposition(
        prd=_text(data.get("prd"), ("prd",), at),
        trd=_text(data.get("trd"), ("trd",), at),
        milestones=milestones,
        entries=tuple(entries),
    )


def _list(data: dict, key: str, at, where: tuple = ()) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecompositionError(
            f"`{key}` must be a list", at(*where, key), f"write `{key}:` items as `- …`"
        )
    return value


def _mapping(value: Any, where: tuple, at, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise DecompositionError("expected a mapping (key: value lines)", at(*where))
    for key in value:
        if key not in allowed:
            raise DecompositionError(
                f"unknown key '{key}'", at(*where, key), f"allowed: {', '.join(sorted(allowed))}"
            )
    return value


def _text(value: Any, where: tuple, at, required: bool = False) -> str:
    if value is None:
        if required:
            raise DecompositionError(f"`{where[-1]}` is required", at(*where))
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DecompositionError(f"`{where[-1]}` must be text", at(*where))
    text = " ".join(str(value).split())
    if required and not text:
        raise DecompositionError(f"`{where[-1]}` is empty", at(*where))
    return text


def _strings(value: Any, where: tuple, at) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list):
        raise DecompositionError(f"`{where[-1]}` must be a list", at(*where))
    found = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise DecompositionError(f"`{where[-1]}` item {i + 1} must be text", at(*where, i))
        text = str(item).strip()
        if text and text not in found:
            found.append(text)
    return tuple(found)


def _whole(value: Any, where: tuple, at, low: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise DecompositionError(
            f"`{where[-1]}` is {value!r}: expected a whole number from {low}", at(*where)
        )
    return value


def _estimate(value: Any, where: tuple, at) -> tuple[float, float, float] | None:
    if value is None:
        return None
    from ygs.core.estimate import EstimateError, check_three

    if not isinstance(value, dict) or set(value) != {"best", "likely", "worst"}:
        raise DecompositionError(
            "`estimate` must be {best: B, likely: M, worst: W} in engineer-days", at(*where)
        )
    try:
        check_three(value["best"], value["likely"], value["worst"])
    except EstimateError as err:
        raise DecompositionError(err.message, at(*where, err.field or "best"), err.remedy) from None
    return (float(value["best"]), float(value["likely"]), float(value["worst"]))


def _choice(value: Any, where: tuple, at, allowed: tuple[str, ...], default: str = "") -> str:
    if value is None or value == "":
        return default
    text = str(value).strip()
    match = next((a for a in allowed if a.lower() == text.lower()), None)
    if match is None:
        raise DecompositionError(
            f"`{where[-1]}` is '{text}', not one of {' | '.join(allowed)}", at(*where)
        )
    return match


def _entry(item: Any, where: tuple, at, deliverable: str, package: str) -> Entry:
    if not isinstance(item, dict):
        raise DecompositionError("a task is a mapping (key: value lines)", at(*where))
    for key in item:
        if key in COMPUTED:
            raise DecompositionError(
                f"`{key}` is not written by hand: {COMPUTED[key]}", at(*where, key), "remove it"
            )
        if key not in TASK_KEYS:
            raise DecompositionError(
                f"unknown task key '{key}'", at(*where, key), f"allowed: {', '.join(TASK_KEYS)}"
            )
    key = _text(item.get("key"), (*where, "key"), at, required=True)
    if not KEY.match(key) or TASK_ID.match(key.upper()):
        raise DecompositionError(
            f"key '{key}' is not a-z, 0-9 and hyphens", at(*where, "key"), "e.g. key: save-card"
        )
    acceptance = item.get("acceptance") or []
    if not isinstance(acceptance, list):
        raise DecompositionError("`acceptance` must be a list", at(*where, "acceptance"))
    for i, criterion in enumerate(acceptance):
        if isinstance(criterion, dict):
            _mapping(criterion, (*where, "acceptance", i), at, {"given", "when", "then"})
        elif not isinstance(criterion, str):
            raise DecompositionError(
                "a criterion is {given, when, then} or one line", at(*where, "acceptance", i)
            )
    notes = item.get("notes")
    return Entry(
        key=key,
        title=_text(item.get("title"), (*where, "title"), at, required=True),
        line=at(*where) or 1,
        goal=_text(item.get("goal"), (*where, "goal"), at),
        layer=_choice(item.get("layer"), (*where, "layer"), at, LAYERS),
        milestone=_text(item.get("milestone"), (*where, "milestone"), at),
        priority=_choice(item.get("priority"), (*where, "priority"), at, plan_graph.PRIORITIES),
        points=_whole(item.get("points"), (*where, "points"), at, 1),
        mode=_choice(item.get("mode"), (*where, "mode"), at, MODES, "AFK"),
        hitl_reason=_text(item.get("hitl_reason"), (*where, "hitl_reason"), at),
        depends_on=tuple(
            d.upper() if TASK_ID.match(d.upper()) else d
            for d in _strings(item.get("depends_on"), (*where, "depends_on"), at)
        ),
        satisfies=_strings(item.get("satisfies"), (*where, "satisfies"), at),
        mitigates=_strings(item.get("mitigates"), (*where, "mitigates"), at),
        planned_files=_strings(item.get("planned_files"), (*where, "planned_files"), at),
        planned_lines=_whole(item.get("planned_lines"), (*where, "planned_lines"), at),
        estimate=_estimate(item.get("estimate"), (*where, "estimate"), at),
        acceptance=tuple(acceptance),
        notes=(notes,) if isinstance(notes, str) else _strings(notes, (*where, "notes"), at),
        deliverable=deliverable or _text(item.get("deliverable"), (*where, "deliverable"), at),
        work_package=package or _text(item.get("work_package"), (*where, "work_package"), at),
    )


def _milestones(value: Any, at) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DecompositionError("`milestones` must be a list", at("milestones"))
    found = []
    for i, item in enumerate(value):
        where = ("milestones", i)
        item = _mapping(item, where, at, {"key", "title"})
        found.append(
            (
                _text(item.get("key"), (*where, "key"), at, required=True),
                _text(item.get("title"), (*where, "title"), at),
            )
        )
    return tuple(found)


# The shape a model must reply with (a flat task list; ygs adds ids, waves and sizes).
MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["tasks"],
    "additionalProperties": False,
    "properties": {
        "milestones": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "title"],
                "properties": {"key": {"type": "string"}, "title": {"type": "string"}},
            },
        },
        "tasks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": [
                    "key",
                    "title",
                    "goal",
                    "satisfies",
                    "depends_on",
                    "planned_files",
                    "acceptance",
                    "points",
                    "mode",
                ],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "minLength": 1},
                    "title": {"type": "string", "minLength": 1},
                    "goal": {"type": "string"},
                    "satisfies": {"type": "array", "items": {"type": "string"}},
                    "mitigates": {"type": "array", "items": {"type": "string"}},
                    "depends_on": {"type": "array", "items": {"type": "string"}},
                    "planned_files": {"type": "array", "items": {"type": "string"}},
                    "planned_lines": {"type": "integer"},
                    "acceptance": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["given", "when", "then"],
                            "properties": {
                                "given": {"type": "string"},
                                "when": {"type": "string"},
                                "then": {"type": "string"},
                            },
                        },
                    },
                    "points": {"type": "integer", "enum": list(plan_graph.FIBONACCI)},
                    "mode": {"type": "string", "enum": list(MODES)},
                    "hitl_reason": {"type": "string"},
                    "milestone": {"type": "string"},
                    "layer": {"type": "string", "enum": list(LAYERS)},
                    "notes": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def to_data(decomposition: Decomposition) -> dict[str, Any]:
    """The decomposition as plain data in the file format (flat `tasks:`), for saving."""
    from ygs.core.estimate import as_mapping

    tasks = []
    for e in decomposition.entries:
        item: dict[str, Any] = {"key": e.key, "title": e.title}
        optional = {
            "goal": e.goal,
            "layer": e.layer,
            "milestone": e.milestone,
            "priority": e.priority,
            "points": e.points,
            "mode": e.mode,
            "hitl_reason": e.hitl_reason,
            "depends_on": list(e.depends_on),
            "satisfies": list(e.satisfies),
            "mitigates": list(e.mitigates),
            "planned_files": list(e.planned_files),
            "planned_lines": e.planned_lines,
            "estimate": as_mapping(e.estimate),
            "acceptance": list(e.acceptance),
            "notes": list(e.notes),
            "deliverable": e.deliverable,
            "work_package": e.work_package,
        }
        item.update({k: v for k, v in optional.items() if v not in (None, "", [])})
        tasks.append(item)
    data: dict[str, Any] = {}
    if decomposition.prd:
        data["prd"] = decomposition.prd
    if decomposition.trd:
        data["trd"] = decomposition.trd
    if decomposition.milestones:
        data["milestones"] = [{"key": k, "title": t} for k, t in decomposition.milestones]
    data["tasks"] = tasks
    return data
