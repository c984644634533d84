"""A run on disk: `.ygs/runs/<run-id>/` (git-ignored) beside the task branch it belongs to.

    run.json           what the run is: task, branch, base commit, planned scope, the user's
                       pre-existing changes (left alone), status, fix attempts
    checkpoints.jsonl  one record per checkpoint, green or red (format: ygs.plan.tasks)
    pending.json       the journal of a checkpoint or undo in flight; a kill leaves it behind
                       and the next command finishes or rolls back what it describes
    limits.json        the guard limits from config, cached by the config files' stamps
    test_output.txt    the full output of the last test run (build_output.txt for builds)

The branch names the run (`ygs/TASK-004-slug-a3f1` is run `TASK-004-a3f1`), so finding
the run of the checked-out branch is one file read. Standard library only: the Claude Code
hook reads runs on every tool call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ygs.build import policy

RUNS_DIR = ".ygs/runs"
OPEN, DONE, ABANDONED = "open", "done", "abandoned"


def find_root(start: Path) -> Path:
    """The project root: the nearest folder with `.ygs/`, else the git work tree (the same
    rule as ygs.project.find_root, without its imports)."""
    for folder in (start, *start.parents):
        if (folder / ".ygs").is_dir():
            return folder
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def runs_dir(root: Path) -> Path:
    return root / RUNS_DIR


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


class Run:
    """One run: its folder and the parsed run.json (a plain dict, saved atomically)."""

    def __init__(self, root: Path, data: dict) -> None:
        self.root = root
        self.data = data

    @property
    def id(self) -> str:
        return str(self.data.get("id") or "")

    @property
    def folder(self) -> Path:
        return runs_dir(self.root) / self.id

    @property
    def task(self) -> str:
        return str(self.data.get("task") or "")

    @property
    def branch(self) -> str:
        return str(self.data.get("branch") or "")

    @property
    def base(self) -> str:
        return str(self.data.get("base") or "")

    @property
    def status(self) -> str:
        return str(self.data.get("status") or OPEN)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def prefix(self) -> str:
        """The project folder inside the work tree ('' when they are the same)."""
        return str(self.data.get("prefix") or "")

    @property
    def planned(self) -> list[str]:
        return [self.prefix + policy.clean_glob(p) for p in self.data.get("planned") or ()]

    @property
    def accepted(self) -> list[str]:
        return list(self.data.get("accepted") or ())

    @property
    def baseline(self) -> dict[str, list]:
        """Files with uncommitted changes before the run: path -> [size, mtime_ns, blob sha]."""
        value = self.data.get("baseline")
        return value if isinstance(value, dict) else {}

    @property
    def fix_attempts(self) -> int:
        value = self.data.get("fix_attempts")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def bookkeeping(self, path: str) -> bool:
        """ygs's own files, never counted as touched: `.ygs/` and this run's task file."""
        rel = path[len(self.prefix) :] if self.prefix and path.startswith(self.prefix) else path
        if rel.startswith(".ygs/"):
            return True
        tasks = str(self.data.get("tasks_dir") or "tasks").strip("/") + "/"
        name = rel.rsplit("/", 1)[-1]
        return rel.startswith(tasks) and (
            name.startswith(self.task + "-") or name == self.task + ".md"
        )

    def save(self) -> None:
        from ygs.store import atomic_write

        atomic_write(self.folder / "run.json", json.dumps(self.data, indent=2) + "\n")

    # --- checkpoint records --------------------------------------------------------------

    def records(self) -> list[dict]:
        from ygs.core.jsonshape import object_lines

        try:
            lines = (self.folder / "checkpoints.jsonl").read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []
        return object_lines(lines)

    def append_record(self, record: dict) -> None:
        from ygs.store import append_line

        append_line(self.folder / "checkpoints.jsonl", json.dumps(record, sort_keys=True))

    def rewrite_records(self, records: list[dict]) -> None:
        from ygs.store import atomic_write

        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        atomic_write(self.folder / "checkpoints.jsonl", text)

    def last_green(self) -> dict | None:
        greens = [r for r in self.records() if r.get("green") is True]
        return greens[-1] if greens else None

    def next_number(self) -> int:
        numbers = [r.get("n") for r in self.records() if isinstance(r.get("n"), int)]
        return max(numbers, default=0) + 1

    # --- the journal of work in flight ---------------------------------------------------

    @property
    def pending_path(self) -> Path:
        return self.folder / "pending.json"

    def pending(self) -> dict | None:
        value = _read_json(self.pending_path)
        return value if isinstance(value, dict) else None

    def set_pending(self, data: dict) -> None:
        from ygs.store import atomic_write

        atomic_write(self.pending_path, json.dumps(data, indent=2) + "\n")

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)

    def lock(self) -> RunLock:
        """One mutating ygs command per run at a time (checkpoint, undo, implement)."""
        return RunLock(self)


class RunLock:
    """An advisory lock on the run folder (`with run.lock(): …`); a second holder exits 3."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.handle = None

    def __enter__(self) -> RunLock:
        self.run.folder.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; the journal still protects
            return self
        self.handle = open(self.run.folder / "lock", "a+")  # held until __exit__
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            self.handle = None
            from ygs.errors import Exit, YgsError

            raise YgsError(
                f"another ygs command is working on run {self.run.id}",
                code=Exit.BLOCKED,
                remedy="wait for it to finish, then run this again",
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def load(root: Path, run_id: str) -> Run | None:
    data = _read_json(runs_dir(root) / run_id / "run.json")
    if not isinstance(data, dict) or data.get("id") != run_id:
        return None
    return Run(root, data)


def for_branch(root: Path, branch: str | None) -> Run | None:
    """The run whose branch is `branch`, or None (not a run branch, or no such run here)."""
    run_id = policy.run_of_branch(branch or "")
    if run_id is None:
        return None
    run = load(root, run_id)
    return run if run is not None and run.branch == branch else None


def all_runs(root: Path) -> list[Run]:
    folder = runs_dir(root)
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.iterdir()):
        run = load(root, child.name) if child.is_dir() else None
        if run is not None:
            found.append(run)
    return found


def ensure_ignored(root: Path) -> None:
    """`.ygs/runs/` ignores itself, so run files never show up in `git status`."""
    folder = runs_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".gitignore"
    if not marker.exists():
        from ygs.store import atomic_write

        atomic_write(marker, "# ygs run state: local, never committed\n*\n")


# --- the guard limits, cached -------------------------------------------------------------

LIMIT_KEYS = {
    "unplanned_files": "guard.unplanned_files",
    "checkpoint_every": "guard.checkpoint_every",
    "max_fix_attempts": "guard.max_fix_attempts",
}


def _stamp(path: Path) -> list | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [str(path), info.st_mtime_ns, info.st_size]


def user_config() -> Path:
    """ygs.config.user_config_path() without platformdirs (and the dozen modules it loads)
    on Linux, where the rule is one line: $XDG_CONFIG_HOME, else ~/.config."""
    import sys

    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "ygs" / "config.yaml"
    from ygs.config import user_config_path

    return user_config_path()


def limits(run: Run) -> dict[str, int]:
    """guard.* from config (flags > env > project > user > defaults), cached in the run
    folder until a config file or a YGS_GUARD_* variable changes."""
    env = {k: v for k, v in os.environ.items() if k.startswith("YGS_GUARD_")}
    stamp = [_stamp(run.root / ".ygs" / "config.yaml"), _stamp(user_config()), env]
    cache_path = run.folder / "limits.json"
    cached = _read_json(cache_path)
    if isinstance(cached, dict) and cached.get("stamp") == stamp:
        return cached["limits"]
    from ygs import config

    values = config.load(run.root).require_valid()
    found = {name: int(values[key]) for name, key in LIMIT_KEYS.items()}
    try:
        tmp = cache_path.with_name(f".limits.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"stamp": stamp, "limits": found}), encoding="utf-8")
        os.replace(tmp, cache_path)
    except OSError:
        pass  # a cache that cannot be written is only slower
    return found
