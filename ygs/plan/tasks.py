"""Task files and their lifecycle: the folder is the status.

`tasks/<status>/TASK-NNN-slug.md`, status one of backlog | in-progress | done. This module
reads tasks (a typed view over the artifact catalogue), decides whether a move is allowed
(pure), and performs it atomically (the shell half). Planning (`ygs wbs`, `ygs task new`)
and the build loop (`ygs implement`, `ygs checkpoint`) both go through it.

The checkpoint record that gates `done` is one JSON object per line in
`.ygs/runs/<run>/checkpoints.jsonl`, with the run's task in `.ygs/runs/<run>/run.json`
(`{"task": "TASK-004", ...}`); a line reads `{"n": 2, "green": true, "commit": "<sha>",
"time": "<iso>", "files": [...]}`. The build loop writes them; `latest_checkpoint` reads them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ygs.core import plan_graph
from ygs.core.artifacts import TASK_STATUSES, Artifact, Catalog
from ygs.core.specs import as_list
from ygs.errors import Exit, YgsError

BACKLOG, IN_PROGRESS, DONE = TASK_STATUSES
_LOG_HEADING = "## Execution log"


@dataclass(frozen=True)
class Task:
    """A task file, typed. `status` is always the folder the file sits in."""

    id: str
    title: str
    status: str
    path: str  # relative to the project root
    priority: str
    depends_on: tuple[str, ...]
    satisfies: tuple[str, ...]
    mitigates: tuple[str, ...]
    planned_files: tuple[str, ...]
    points: int | None
    wave: int | None
    mode: str
    artifact: Artifact
    planned_lines: int | None = None
    estimate: tuple[float, float, float] | None = None  # best, likely, worst engineer-days

    @property
    def size(self) -> str:
        """S | M | L, computed from the planned files and lines (never typed by a person)."""
        return plan_graph.size_of(self.planned_files, self.planned_lines)

    @property
    def size_class(self) -> str:
        """light | standard | heavy: the class the implement loop uses."""
        return plan_graph.CLASS_OF_SIZE[self.size]

    @property
    def slug(self) -> str:
        stem = self.path.rsplit("/", 1)[-1].removesuffix(".md")
        return stem.removeprefix(self.id).lstrip("-") or self.id.lower()

    def summary(self) -> dict[str, Any]:
        from ygs.core.estimate import as_mapping

        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "path": self.path,
            "priority": self.priority,
            "depends_on": list(self.depends_on),
            "satisfies": list(self.satisfies),
            "mitigates": list(self.mitigates),
            "planned_files": list(self.planned_files),
            "points": self.points,
            "wave": self.wave,
            "mode": self.mode,
            "planned_lines": self.planned_lines,
            "size": self.size,
            "size_class": self.size_class,
            "estimate": as_mapping(self.estimate),
        }


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _days(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


def estimate_of(meta: dict[str, Any]) -> tuple[float, float, float] | None:
    """`estimate: {best: B, likely: M, worst: W}` in days, when all three are numbers > 0."""
    value = meta.get("estimate")
    if not isinstance(value, dict):
        return None
    found = tuple(_days(value.get(k)) for k in ("best", "likely", "worst"))
    if any(v is None for v in found):
        return None
    return found  # type: ignore[return-value]


def from_artifact(artifact: Artifact) -> Task:
    meta = artifact.meta
    return Task(
        id=artifact.id,
        title=artifact.title,
        status=artifact.path.split("/")[-2],
        path=artifact.path,
        priority=str(meta.get("priority") or "").strip(),
        depends_on=tuple(as_list(meta.get("depends_on"))),
        satisfies=tuple(as_list(meta.get("satisfies"))),
        mitigates=tuple(as_list(meta.get("mitigates"))),
        planned_files=tuple(as_list(meta.get("planned_files"))),
        points=_int(meta.get("points")),
        wave=_int(meta.get("wave")),
        mode=str(meta.get("mode") or "").strip(),
        artifact=artifact,
        planned_lines=_int(meta.get("planned_lines")),
        estimate=estimate_of(meta),
    )


def tasks(catalog: Catalog) -> list[Task]:
    return [from_artifact(a) for a in catalog.of_kind("task")]


def find(catalog: Catalog, task_id: str) -> Task:
    """The task with this id (case-insensitive), or exit 2 naming what exists."""
    wanted = task_id.strip().upper()
    found = [t for t in tasks(catalog) if t.id.upper() == wanted]
    if not found:
        raise YgsError(
            f"no task {task_id}",
            remedy="list them with `ygs task list`; create one with `ygs task new`",
        )
    if len(found) > 1:
        raise YgsError(
            f"{task_id} is defined {len(found)} times",
            path=found[1].path,
            remedy="renumber one of them; `ygs next-id TASK` gives a free id",
            details=[t.path for t in found],
        )
    return found[0]


# --- the rules of a move (pure) ---------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A move that is not allowed: why, and what to do."""

    message: str
    remedy: str
    code: int = Exit.BLOCKED


def unmet_dependencies(task: Task, all_tasks: Iterable[Task]) -> list[str]:
    """Dependencies that are not done, unknown ids included."""
    done = {t.id for t in all_tasks if t.status == DONE}
    return [d for d in task.depends_on if d not in done]


def check_move(
    task: Task,
    to: str,
    all_tasks: Iterable[Task],
    *,
    green: bool = False,
    force: bool = False,
    reason: str = "",
) -> Refusal | None:
    """None when `task` may move to `to`. `green`: its latest checkpoint is green with
    nothing touched since (the build loop decides that)."""
    if to not in TASK_STATUSES:
        return Refusal(f"unknown status '{to}'", f"one of: {', '.join(TASK_STATUSES)}", Exit.USAGE)
    if force and not reason.strip():
        return Refusal("--force needs --reason", "say why, e.g. --reason 'verified by hand'", 2)
    if to == IN_PROGRESS and not force:
        waiting = unmet_dependencies(task, all_tasks)
        if waiting:
            return Refusal(
                f"{task.id} depends on {', '.join(waiting)}, not done yet",
                f"finish {waiting[0]} first (`ygs task show {waiting[0]}`)",
            )
    if to == DONE and not green and not force:
        return Refusal(
            f"{task.id} has no green checkpoint with nothing touched since",
            "run `ygs checkpoint` until it is green, or `ygs task move "
            f"{task.id} done --force --reason TEXT`",
        )
    return None


# --- the shell: moving files and writing the log ---------------------------------------


def _tracked(root: Path, rel: str) -> bool:
    from ygs.repo import tracked

    return tracked(root, rel)


def set_field(text: str, key: str, value: str) -> str:
    """Rewrite one top-level frontmatter value in place (see `frontmatter.set_value`)."""
    from ygs.core.frontmatter import set_value

    return set_value(text, key, value)


def set_status(text: str, status: str) -> str:
    return set_field(text, "status", status)


def move(root: Path, task: Task, to: str) -> str:
    """Move the file to tasks/<to>/ and set its status; returns the new relative path.

    The rename comes first and is atomic (git mv when tracked, so history follows): a kill
    never leaves two copies or none. The status line is rewritten after; if a kill lands in
    between, the folder is still the truth and `ygs check` (TSK001) names the stale line.
    """
    from ygs.store import atomic_write, inside, read_text

    if task.status == to:
        return task.path
    parts = task.path.split("/")
    parts[-2] = to
    new_rel = "/".join(parts)
    src, dst = inside(root, task.path), inside(root, new_rel)
    if dst.exists():
        raise YgsError(f"{new_rel} already exists", path=new_rel, remedy="rename one of them")
    dst.parent.mkdir(parents=True, exist_ok=True)
    if _tracked(root, task.path):
        done = subprocess.run(
            ["git", "mv", "--", task.path, new_rel], cwd=root, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise YgsError(f"git mv failed: {done.stderr.strip()}", path=task.path)
    else:
        os.rename(src, dst)
    text = read_text(dst, new_rel)
    updated = set_status(text, to)
    if updated != text:
        atomic_write(dst, updated)
    return new_rel


def append_log(root: Path, rel: str, line: str) -> None:
    """Add one bullet to the task's `## Execution log` section (created when missing)."""
    from ygs.store import atomic_write, inside, read_text

    path = inside(root, rel)
    text = read_text(path, rel)
    bullet = "- " + " ".join(line.split())
    if _LOG_HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{_LOG_HEADING}\n\n{bullet}\n"
    else:
        start = text.index(_LOG_HEADING) + len(_LOG_HEADING)
        after = text.find("\n## ", start)
        end = len(text) if after < 0 else after
        section = text[start:end].rstrip("\n") or "\n"
        tail = "\n" + text[end:].lstrip("\n") if after >= 0 else ""
        text = text[:start] + section + "\n" + bullet + "\n" + tail
    atomic_write(path, text)


# --- checkpoint records -----------------------------------------------------------------


RUNS_DIR = ".ygs/runs"


@dataclass(frozen=True)
class Checkpoint:
    run: str
    n: int
    green: bool
    commit: str
    time: str
    files: tuple[str, ...]


def _json_lines(path: Path) -> list[dict]:
    from ygs.core.jsonshape import object_lines
    from ygs.store import Unreadable, read_bytes

    try:
        return object_lines(read_bytes(path).decode("utf-8").splitlines())
    except (Unreadable, UnicodeDecodeError):
        return []


def run_task(run_dir: Path) -> str:
    from ygs.store import Unreadable, read_bytes

    try:
        value = json.loads(read_bytes(run_dir / "run.json").decode("utf-8"))
    except (Unreadable, UnicodeDecodeError, ValueError, RecursionError):
        return ""
    return str(value.get("task") or "") if isinstance(value, dict) else ""


def latest_checkpoint(root: Path, task_id: str) -> Checkpoint | None:
    """The newest checkpoint record of any run of this task, by time."""
    runs = root / RUNS_DIR
    if not runs.is_dir():
        return None
    best: Checkpoint | None = None
    for run_dir in sorted(p for p in runs.iterdir() if p.is_dir()):
        if run_task(run_dir).upper() != task_id.upper():
            continue
        for record in _json_lines(run_dir / "checkpoints.jsonl"):
            point = Checkpoint(
                run=run_dir.name,
                n=_int(record.get("n")) or 0,
                green=record.get("green") is True,
                commit=str(record.get("commit") or ""),
                time=str(record.get("time") or ""),
                files=tuple(str(f) for f in record.get("files") or ()),
            )
            if best is None or (point.time, point.n) >= (best.time, best.n):
                best = point
    return best


# --- planning: graph nodes, ids, new task files, computed fields -------------------------


def _doc(artifact: Artifact):
    from ygs.core.markdown import Doc

    return Doc(artifact.body, artifact.body_line)


def criteria_count(artifact: Artifact, doc=None) -> int:
    """Given/When/Then bullets under `## Acceptance criteria` (placeholders do not count)."""
    from ygs.core.specs import is_gwt

    section = (doc or _doc(artifact)).section("acceptance criteria", "acceptance")
    if section is None:
        return 0
    return sum(1 for b in section.bullets() if is_gwt(b.text) and "TBD" not in b.text)


def node(task: Task) -> plan_graph.Node:
    """The task as a node of the plan graph (its body parsed once)."""
    from ygs.core.estimate import expected

    doc = _doc(task.artifact)
    section = doc.section("goal")
    return plan_graph.Node(
        id=task.id,
        title=task.title,
        goal=section.text if section is not None else "",
        status=task.status,
        priority=task.priority,
        depends_on=task.depends_on,
        satisfies=task.satisfies,
        mitigates=task.mitigates,
        planned_files=task.planned_files,
        planned_lines=task.planned_lines,
        points=task.points,
        expected_days=None if task.estimate is None else expected(*task.estimate),
        criteria=criteria_count(task.artifact, doc),
        mode=task.mode,
        path=task.path,
        line=task.artifact.line_of("depends_on"),
    )


def nodes(catalog: Catalog) -> list[plan_graph.Node]:
    return [node(t) for t in tasks(catalog)]


def allocate_ids(project, count: int, *, by: str = "task") -> list[str]:
    """The one place TASK ids are allocated: `count` fresh ids, max + 1 over every id used
    anywhere in the project (every status folder, mentions included) and every id handed
    out but not yet written, under the project lock (`ygs.store.allocate`)."""
    from ygs.store import allocate

    return allocate(project, "TASK", count, by=by)


def task_path(layout, ident: str, title: str, status: str = BACKLOG) -> str:
    from ygs.core.artifacts import artifact_path, slugify

    return artifact_path(
        "task", slugify(title, 50), number=int(ident.split("-")[1]), status=status, layout=layout
    )


def render(meta: dict[str, Any], entry: dict[str, Any], overrides: Path, today: str) -> str:
    """A task file from templates/task.md.j2: ids and computed fields in `meta`, the
    decomposition entry (goal, acceptance, notes, …) in `entry`."""
    from ygs.core.render import render_template

    return render_template("task", meta, entry, {"today": today}, overrides_dir=overrides)


def write_computed(root: Path, task: Task, **values: Any) -> bool:
    """Store computed fields (wave, size) in the task's frontmatter; nothing else changes.
    Returns whether the file changed."""
    from ygs.store import atomic_write, read_text

    path = root / task.path
    text = read_text(path, task.path)
    updated = text
    for key, value in values.items():
        if value is not None:
            updated = set_field(updated, key, str(value))
    if updated == text:
        return False
    atomic_write(path, updated)
    return True
