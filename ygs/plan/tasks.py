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

    @property
    def slug(self) -> str:
        stem = self.path.rsplit("/", 1)[-1].removesuffix(".md")
        return stem.removeprefix(self.id).lstrip("-") or self.id.lower()

    def summary(self) -> dict[str, Any]:
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
        }


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


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


def set_status(text: str, status: str) -> str:
    """Rewrite the value of the frontmatter's `status:` line (added when missing); the rest
    of the file, a trailing comment, other comments and key order included, is kept."""
    if not text.startswith("---"):
        return text
    end = text.find("\n---", 3)
    if end < 0:
        return text
    lines = text[:end].split("\n")
    for i, line in enumerate(lines):
        if line.startswith("status:"):
            comment = line.find(" #")
            lines[i] = f"status: {status}" + (line[comment:] if comment >= 0 else "")
            break
    else:
        lines.append(f"status: {status}")
    return "\n".join(lines) + text[end:]


def move(root: Path, task: Task, to: str) -> str:
    """Move the file to tasks/<to>/ and set its status; returns the new relative path.

    The rename comes first and is atomic (git mv when tracked, so history follows): a kill
    never leaves two copies or none. The status line is rewritten after; if a kill lands in
    between, the folder is still the truth and `ygs check` (TSK001) names the stale line.
    """
    from ygs.store import atomic_write, read_text

    if task.status == to:
        return task.path
    parts = task.path.split("/")
    parts[-2] = to
    new_rel = "/".join(parts)
    src, dst = root / task.path, root / new_rel
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
    from ygs.store import atomic_write, read_text

    path = root / rel
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
    from ygs.store import Unreadable, read_bytes

    try:
        lines = read_bytes(path).decode("utf-8").splitlines()
    except (Unreadable, UnicodeDecodeError):
        return []
    found = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue  # a torn last line after a kill: ignore it
        if isinstance(value, dict):
            found.append(value)
    return found


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
