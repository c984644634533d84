"""The guard's counts, from git, never from the model.

`snapshot(run, top)` reads what the run touched since its base commit: committed changes on
the branch plus the working tree (tracked changes and untracked files that are not
ignored), minus ygs's own bookkeeping and minus the user's changes that were there before
the run and are still byte for byte the same. Then it applies the policy: planned or not,
size class, checkpoint due, stop. Standard library only (the hook calls it).
"""

from __future__ import annotations

import os
from pathlib import Path

from ygs.build import git, policy
from ygs.build.runs import Run, limits

_MARKER_SCAN_LIMIT = 2_000_000  # bytes per file scanned for YGS-DEBUG


def blob_sha(path: Path) -> str | None:
    """git's blob id of the file's bytes (or a symlink's target); None when it is gone."""
    import hashlib

    try:
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (IsADirectoryError, PermissionError):
        return "unreadable"
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def signature(top: Path, rel: str) -> list:
    """[size, mtime_ns, blob sha] of a file now; [None, None, None] when it does not exist."""
    path = top / rel
    try:
        info = os.lstat(path)
    except OSError:
        return [None, None, None]
    return [info.st_size, info.st_mtime_ns, blob_sha(path)]


def _unchanged(top: Path, rel: str, sig) -> bool:
    """Is this pre-existing change of the user still exactly as it was?"""
    size, mtime, sha = [*list(sig), None, None, None][:3]
    try:
        info = os.lstat(top / rel)
    except OSError:
        return sha is None
    if sha is None:
        return False
    if info.st_size == size and info.st_mtime_ns == mtime:
        return True
    return blob_sha(top / rel) == sha


def status(top: Path) -> tuple[str | None, str | None, list[str], set[str]]:
    """(HEAD commit, branch, paths that differ from HEAD: staged, unstaged or untracked;
    the untracked ones)."""
    data = git.run(
        top,
        "status",
        "--porcelain=v2",
        "-z",
        "--branch",
        "--untracked-files=all",
        "--no-renames",
    ).stdout
    head = branch = None
    changed: list[str] = []
    untracked: set[str] = set()
    records = data.decode("utf-8", "surrogateescape").split("\0")
    skip = False
    for record in records:
        if skip:
            skip = False
            continue
        if not record:
            continue
        kind = record[0]
        if record.startswith("# branch.oid "):
            oid = record[len("# branch.oid ") :]
            head = None if oid == "(initial)" else oid
        elif record.startswith("# branch.head "):
            name = record[len("# branch.head ") :]
            branch = None if name == "(detached)" else name
        elif kind == "1":
            changed.append(record.split(" ", 8)[8])
        elif kind == "2":
            changed.append(record.split(" ", 9)[9])
            skip = True  # the original path follows in its own record
        elif kind == "u":
            changed.append(record.split(" ", 10)[10])
        elif kind == "?":
            changed.append(record[2:])
            untracked.add(record[2:])
    return head, branch, changed, untracked


def changed_between(top: Path, old: str, new: str) -> list[str]:
    if old == new:
        return []
    return git.paths(git.run(top, "diff", "--name-only", "-z", "--no-renames", old, new).stdout)


class Snapshot:
    """What the run touched, and what the policy says about it."""

    def __init__(self, run: Run, top: Path) -> None:
        self.run = run
        self.top = top
        self.head, self.branch, dirty, self.untracked = status(top)
        base = run.base
        baseline = run.baseline
        present = set(dirty)
        self.user_changes = sorted(
            p for p in baseline if p in present and _unchanged(top, p, baseline[p])
        )
        left_alone = set(self.user_changes)
        self.all_dirty = dirty
        self.dirty = [p for p in dirty if p not in left_alone and not run.bookkeeping(p)]
        committed = changed_between(top, base, self.head) if self.head else []
        committed = [p for p in committed if not run.bookkeeping(p)]
        self.touched = sorted({*committed, *self.dirty})
        self.mixed = sorted(p for p in self.touched if p in baseline)
        self.planned, self.unplanned = policy.split_planned(self.touched, run.planned, run.accepted)
        self.limits = limits(run)
        self.dirs = policy.top_dirs(self.touched)
        self.lines_added = self.lines_removed = None

    def plus(self, path: str) -> Snapshot | None:
        """This snapshot after one more write to `path` (relative to the work tree), without
        asking git again; None when only a recount can say (the user's own changed file).
        Used between full counts by a writer that sees every write (ygs's own tool layer):
        it can overcount (a file written back to its old content), never undercount."""
        if self.run.bookkeeping(path):
            return self
        if path in self.run.baseline:
            return None
        import copy

        new = copy.copy(self)
        new.dirty = sorted({*self.dirty, path})
        new.all_dirty = sorted({*self.all_dirty, path})
        new.touched = sorted({*self.touched, path})
        new.planned, new.unplanned = policy.split_planned(
            new.touched, self.run.planned, self.run.accepted
        )
        new.dirs = policy.top_dirs(new.touched)
        new._since = sorted({*self.since_checkpoint, path})
        return new

    @property
    def last_checkpoint(self) -> dict | None:
        if not hasattr(self, "_last"):
            self._last = self.run.last_green()
        return self._last

    @property
    def since_checkpoint(self) -> list[str]:
        """Touched files that differ from the last green checkpoint (or the base)."""
        if not hasattr(self, "_since"):
            last, run = self.last_checkpoint, self.run
            mark = str(last.get("commit") or run.base) if last else run.base
            since = set(self.dirty)
            if self.head and mark != self.head:
                changed = changed_between(self.top, mark, self.head)
                since.update(p for p in changed if not run.bookkeeping(p))
            self._since = sorted(since)
        return self._since

    @property
    def checkpoint_due(self) -> bool:
        return policy.checkpoint_due(len(self.since_checkpoint), self.limits["checkpoint_every"])

    @property
    def stop(self) -> bool:
        return policy.must_stop(len(self.unplanned), self.limits["unplanned_files"])

    @property
    def tests_failing(self) -> bool:
        return policy.attempts_exhausted(self.run.fix_attempts, self.limits["max_fix_attempts"])

    @property
    def on_branch(self) -> bool:
        return self.branch == self.run.branch

    def count_lines(self) -> None:
        added = removed = 0
        tracked = [p for p in self.touched if p not in self.untracked]
        if tracked:
            args = ["diff", "--numstat", "-z", "--no-renames", self.run.base]
            many = len(tracked) > 500
            data = git.run(self.top, *args, *([] if many else ["--", *tracked])).stdout
            wanted = set(tracked)
            for entry in data.decode("utf-8", "surrogateescape").split("\0"):
                parts = entry.split("\t", 2)
                if len(parts) == 3 and (not many or parts[2] in wanted):
                    added += int(parts[0]) if parts[0].isdigit() else 0
                    removed += int(parts[1]) if parts[1].isdigit() else 0
        for rel in self.touched:
            if rel in self.untracked:
                added += _text_lines(self.top / rel)
        self.lines_added, self.lines_removed = added, removed

    def debug_markers(self) -> list[str]:
        found = []
        for rel in self.touched:
            path = self.top / rel
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                if path.stat().st_size > _MARKER_SCAN_LIMIT:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if policy.DEBUG_MARKER.encode() not in data or b"\0" in data[:8192]:
                continue
            for number, line in enumerate(data.split(b"\n"), 1):
                if policy.DEBUG_MARKER.encode() in line:
                    found.append(f"{rel}:{number}")
        return found

    def summary(self) -> dict:
        """The counts the hook needs (no line counting, no file reading)."""
        return {
            "run": self.run.id,
            "task": self.run.task,
            "touched": len(self.touched),
            "unplanned": len(self.unplanned),
            "unplanned_files": self.unplanned,
            "since_checkpoint": len(self.since_checkpoint),
            "checkpoint_due": self.checkpoint_due,
            "stop": self.stop,
        }


def _text_lines(path: Path) -> int:
    try:
        if path.is_symlink() or path.stat().st_size > _MARKER_SCAN_LIMIT:
            return 0
        data = path.read_bytes()
    except OSError:
        return 0
    if not data or b"\0" in data[:8192]:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def deviations(root: Path, run: Run) -> int:
    path = task_file(root, run)
    if path is None:
        return 0
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines() if line.lstrip().startswith("- Deviation:"))


def task_file(root: Path, run: Run) -> Path | None:
    rel = str(run.data.get("task_path") or "")
    if rel and (root / rel).is_file():
        return root / rel
    tasks = root / str(run.data.get("tasks_dir") or "tasks")
    for folder in ("in-progress", "done", "backlog"):
        for path in sorted((tasks / folder).glob(f"{run.task}-*.md")):
            return path
    return None


def report(root: Path, run: Run, top: Path) -> tuple[dict, Snapshot]:
    """Everything `ygs guard status --json` prints."""
    snap = Snapshot(run, top)
    snap.count_lines()
    markers = snap.debug_markers()
    lines = (snap.lines_added or 0) + (snap.lines_removed or 0)
    size_now = policy.size_class(len(snap.touched), lines, len(snap.dirs))
    planned_size = str(run.data.get("size_class") or "light")
    last = snap.last_checkpoint
    state = "stopped" if snap.stop else "tests_failing" if snap.tests_failing else "working"
    data = {
        "run": run.id,
        "task": run.task,
        "branch": run.branch,
        "on_branch": snap.on_branch,
        "base": run.base,
        "head": snap.head,
        "state": state,
        "touched": len(snap.touched),
        "planned": len(snap.planned),
        "unplanned": len(snap.unplanned),
        "touched_files": snap.touched,
        "planned_touched": snap.planned,
        "unplanned_files": snap.unplanned,
        "accepted_files": run.accepted,
        "lines": lines,
        "lines_added": snap.lines_added,
        "lines_removed": snap.lines_removed,
        "dirs": len(snap.dirs),
        "dirs_touched": snap.dirs,
        "size_class": max(planned_size, size_now, key=policy.CLASSES.index),
        "size_class_planned": planned_size,
        "size_class_now": size_now,
        "since_checkpoint": len(snap.since_checkpoint),
        "since_checkpoint_files": snap.since_checkpoint,
        "checkpoint_due": snap.checkpoint_due,
        "checkpoint_every": snap.limits["checkpoint_every"],
        "stop": snap.stop,
        "unplanned_limit": snap.limits["unplanned_files"],
        "checkpoints": len([r for r in run.records() if r.get("green") is True]),
        "last_checkpoint": last,
        "fix_attempts": run.fix_attempts,
        "max_fix_attempts": snap.limits["max_fix_attempts"],
        "debug_markers": len(markers),
        "debug_marker_lines": markers,
        "deviations": deviations(root, run),
        "user_changes": snap.user_changes,
        "mixed_files": snap.mixed,
    }
    return data, snap
