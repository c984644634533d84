"""`ygs implement --wave N --parallel K --executor E`: the ready tasks of wave N, K at a time,
each in its own `git worktree` (detached at HEAD, under `.ygs/worktrees/`), each run by a
`ygs implement TASK --executor E` of its own: its own nonce branch, its own run folder.

The user's work tree is never touched: no branch switch, no file written outside ygs's
git-ignored state. A task that ends DONE has its run folder copied to `.ygs/runs/` and its
worktree removed (the branch stays); any other end keeps the worktree for a person to look
at (`cd` there and `ygs implement --resume`). A live table on a terminal, plain lines
otherwise, and a summary at the end. The exit code is the highest of the tasks' codes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ygs.build import git, runs
from ygs.build.drive import Limits
from ygs.errors import Exit, YgsError

POLL_S = 0.2


@dataclass
class Job:
    task: str
    title: str
    worktree: Path
    project: Path  # the project folder inside the worktree
    log: Path
    state: str = "queued"
    proc: subprocess.Popen | None = None
    started: float = 0.0
    ended: float = 0.0
    result: dict = field(default_factory=dict)
    code: int | None = None

    @property
    def out(self) -> Path:
        return self.log.with_suffix(".json")

    def run_data(self) -> dict:
        found = sorted((self.project / runs.RUNS_DIR).glob(f"{self.task}-*/run.json"))
        if not found:
            return {}
        try:
            return json.loads(found[-1].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def greens(self) -> int:
        data = self.run_data()
        if not data:
            return 0
        path = self.project / runs.RUNS_DIR / str(data.get("id")) / "checkpoints.jsonl"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return 0
        return sum(1 for line in lines if '"green": true' in line)


def ready_in_wave(catalog, wave: int) -> list:
    from ygs.core import plan_graph
    from ygs.plan import tasks as store

    analysis = plan_graph.analyse(store.nodes(catalog))
    ready = set(analysis.ready)
    chosen = [t for t in store.tasks(catalog) if analysis.waves.get(t.id) == wave]
    return [t for t in chosen if t.id in ready and t.status == store.BACKLOG]


def _ignored_folder(root: Path) -> Path:
    from ygs.store import atomic_write, state_folder

    folder = state_folder(root, "worktrees")
    marker = folder / ".gitignore"
    if not marker.exists():
        atomic_write(marker, "# ygs wave worktrees: local, never committed\n*\n")
    return folder


def _argv(job: Job, executor: str, limits: Limits) -> list[str]:
    argv = [sys.executable, "-m", "ygs", "-C", str(job.project), "--json", "implement", job.task]
    argv += ["--executor", executor, "--timeout", f"{limits.timeout_s:g}s"]
    argv += ["--max-turns", str(limits.max_turns)]
    if limits.max_cost is not None:
        argv += ["--max-cost", f"{limits.max_cost:g}"]
    if limits.skip_permissions:
        argv.append("--dangerously-skip-permissions")
    return argv


def run_wave(
    start: Path, wave: int, parallel: int, executor: str, limits: Limits, *, quiet: bool = False
) -> tuple[dict, int]:
    from ygs.project import Project

    project = Project.at(start)
    top = git.require_repo(project.root)
    prefix = os.path.relpath(project.root.resolve(), top.resolve())
    tasks = ready_in_wave(project.catalog, wave)
    if not tasks:
        raise YgsError(
            f"no ready task in wave {wave}",
            code=Exit.BLOCKED,
            remedy="`ygs task list --wave N` shows the waves; finish the earlier ones first",
        )
    folder = _ignored_folder(project.root)
    head = git.rev(top, "HEAD")
    jobs = []
    for task in tasks:
        name = f"{task.id}-{secrets.token_hex(2)}"
        path = folder / name
        git.run(top, "worktree", "add", "--detach", str(path), head)
        inner = path if prefix == "." else path / prefix
        jobs.append(Job(task.id, task.title, path, inner, folder / f"{name}.log"))
    notes = _uncommitted_note(top)
    board = Board(jobs, tty=sys.stderr.isatty() and not quiet, quiet=quiet)
    board.say(f"wave {wave}: {len(jobs)} tasks, {parallel} at a time, executor {executor}")
    for note in notes:
        board.say(f"note: {note}")
    _schedule(jobs, parallel, executor, limits, board)
    board.close()
    items = [_finish(project.root, top, job) for job in jobs]
    code = max((i["exit_code"] for i in items), default=0)
    return {
        "wave": wave,
        "parallel": parallel,
        "executor": executor,
        "tasks": items,
        "done": [i["task"] for i in items if i["exit_code"] == 0],
        "notes": notes,
    }, code


def _uncommitted_note(top: Path) -> list[str]:
    status = git.run(top, "status", "--porcelain", "--untracked-files=no").stdout
    if status.strip():
        return ["your uncommitted changes stay in your work tree; the worktrees start from HEAD"]
    return []


def _schedule(jobs: list[Job], parallel: int, executor: str, limits: Limits, board) -> None:
    queued = list(jobs)
    running: list[Job] = []
    while queued or running:
        while queued and len(running) < parallel:
            job = queued.pop(0)
            with open(job.log, "wb") as log, open(job.out, "wb") as out:
                job.proc = subprocess.Popen(
                    _argv(job, executor, limits),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=log,
                    start_new_session=True,
                )
            job.state, job.started = "running", time.monotonic()
            running.append(job)
            board.changed(job)
        for job in list(running):
            if job.proc.poll() is None:
                continue
            out = job.out.read_text(encoding="utf-8", errors="replace")
            job.code, job.ended = job.proc.returncode, time.monotonic()
            try:
                job.result = json.loads(out) if out.strip() else {}
            except ValueError:
                job.result = {}
            job.state = str(job.result.get("status") or f"exit {job.code}")
            running.remove(job)
            board.changed(job)
        board.tick()
        time.sleep(POLL_S)


def _finish(root: Path, top: Path, job: Job) -> dict:
    result = job.result
    kept = None
    if job.code == 0 and result.get("run"):
        source = job.project / runs.RUNS_DIR / str(result["run"])
        runs.ensure_ignored(root)
        target = runs.runs_dir(root) / str(result["run"])
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock", "lock"))
        git.run(top, "worktree", "remove", "--force", str(job.worktree), check=False)
    else:
        kept = str(job.worktree)
    error = None if result else _last_line(job.log)
    return {
        "task": job.task,
        "title": job.title,
        "status": result.get("status") or "BLOCKED",
        "exit_code": job.code if job.code is not None else Exit.BLOCKED,
        "reason": result.get("reason") or error or "",
        "branch": result.get("branch") or job.run_data().get("branch"),
        "run": result.get("run") or job.run_data().get("id"),
        "checkpoints": len(result.get("checkpoints") or []),
        "cost_usd": result.get("cost_usd"),
        "worktree": kept,
        "log": str(job.log),
    }


def _last_line(path: Path) -> str | None:
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln]
    except OSError:
        return None
    return lines[-1][:300] if lines else None


class Board:
    """The wave's table: live on a terminal (rich), one line per change otherwise."""

    def __init__(self, jobs: list[Job], *, tty: bool, quiet: bool) -> None:
        self.jobs = jobs
        self.quiet = quiet
        self.live = None
        if tty:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(self._table(), console=Console(stderr=True), refresh_per_second=4)
            self.live.start()

    def say(self, line: str) -> None:
        if self.quiet:
            return
        if self.live is not None:
            self.live.console.print(line, markup=False)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def changed(self, job: Job) -> None:
        if self.live is None:
            extra = f" (exit {job.code})" if job.code is not None else ""
            self.say(f"{job.task}: {job.state}{extra}")

    def tick(self) -> None:
        if self.live is not None:
            self.live.update(self._table())

    def close(self) -> None:
        if self.live is not None:
            self.live.update(self._table())
            self.live.stop()

    def _table(self):
        from rich.table import Table

        table = Table(title="ygs wave", expand=False)
        for column in ("task", "state", "branch", "checkpoints", "time"):
            table.add_column(column)
        now = time.monotonic()
        for job in self.jobs:
            seconds = (job.ended or now) - job.started if job.started else 0
            table.add_row(
                job.task,
                job.state,
                str(job.run_data().get("branch") or "-"),
                str(job.greens()),
                f"{seconds:.0f} s" if job.started else "-",
            )
        return table


def summary_lines(data: dict) -> str:
    lines = [f"wave {data['wave']}: {len(data['done'])} of {len(data['tasks'])} tasks done"]
    for item in data["tasks"]:
        where = f", worktree kept: {item['worktree']}" if item["worktree"] else ""
        reason = f": {item['reason']}" if item["reason"] else ""
        lines.append(
            f"  {item['task']}: {item['status']} (exit {item['exit_code']}), "
            f"{item['checkpoints']} checkpoints, branch {item['branch'] or '-'}{where}{reason}"
        )
    return "\n".join(lines)
