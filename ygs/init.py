"""`ygs init`: lay down the project conventions. Idempotent: a second run changes nothing."""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ygs.config import PROJECT_FILE
from ygs.core.artifacts import DOC_FOLDERS, TASK_STATUSES
from ygs.core.detect import MARKERS, Detected, detect
from ygs.project import CONTEXT_FILE
from ygs.store import atomic_write

IGNORED = (".ygs/sessions/", ".ygs/runs/", ".ygs/cache/", ".ygs/backups/")

CONTEXT_TEXT = """\
# Context

The project's ubiquitous language: one meaning per term, used the same way in
code, docs and conversation. The refine skills add terms here as interviews
define them.

| Term | Meaning | Not to be confused with |
|---|---|---|
"""


@dataclass
class InitReport:
    root: Path
    git: bool
    detected: Detected
    base_branch: str
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "root": str(self.root),
            "git": self.git,
            "languages": self.detected.languages,
            "build_command": self.detected.build,
            "test_command": self.detected.test,
            "lint_command": self.detected.lint,
            "base_branch": self.base_branch,
            "notes": self.detected.notes,
            "created": self.created,
            "updated": self.updated,
            "kept": self.kept,
        }


def scan(root: Path) -> Detected:
    from ygs.store import Unreadable, read_bytes

    files = {}
    for name in MARKERS:
        path = root / name
        if path.is_file():
            with contextlib.suppress(Unreadable):  # a marker we cannot read detects nothing
                files[name] = read_bytes(path, within=root).decode("utf-8", "replace")
    return detect(files, _extensions(root))


def profile(root: Path):
    """What kind of project this is (ygs.core.detect.profile), from its files."""
    from ygs.core.detect import PROFILE_MARKERS, profile
    from ygs.store import Unreadable, read_bytes

    files = {}
    for name in PROFILE_MARKERS:
        path = root / name
        if path.is_file():
            with contextlib.suppress(Unreadable):
                files[name] = read_bytes(path, within=root, limit=200_000).decode(
                    "utf-8", "replace"
                )
    return profile(files, _paths(root))


def _paths(root: Path, depth: int = 3, limit: int = 5000) -> set[str]:
    found: set[str] = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED]
        rel = Path(folder).relative_to(root)
        if len(rel.parts) >= depth:
            dirs[:] = []
        found.update((rel / n).as_posix() for n in names)
        if len(found) > limit:
            break
    return found


_SKIPPED = ("node_modules", "venv", "target", "__pycache__", "dist", "build")


def _extensions(root: Path, depth: int = 3) -> set[str]:
    found: set[str] = set()
    base_depth = len(root.parts)
    for folder, dirs, names in os.walk(root):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in ("node_modules", "venv", "target")
        ]
        if len(Path(folder).parts) - base_depth >= depth:
            dirs[:] = []
        found.update(Path(n).suffix for n in names if "." in n)
    return found


def config_text(root: Path, detected: Detected, base_branch: str) -> str:
    def value(v):
        from ygs.core.yamltext import flow

        return "null" if v is None else flow(v)

    return f"""\
# ygs project configuration. `ygs config list` shows every key, its value and
# where it came from; `ygs config set KEY VALUE` edits this file and keeps comments.
project:
  name: {value(root.name)}
  languages: {value(detected.languages)}
commands:
  build: {value(detected.build)}
  test: {value(detected.test)}
  lint: {value(detected.lint)}
git:
  base_branch: {value(base_branch)}
model:
  backend: auto  # auto | anthropic | claude-code | offline
"""


def _ensure_dir(root: Path, rel: str, report: InitReport) -> None:
    folder = root / rel
    keep = folder / ".gitkeep"
    if folder.is_dir() and (keep.exists() or any(folder.iterdir())):
        report.kept.append(rel + "/")
        return
    folder.mkdir(parents=True, exist_ok=True)
    keep.touch()
    report.created.append(rel + "/")


def _ensure_file(root: Path, rel: str, text: str, report: InitReport) -> None:
    path = root / rel
    if path.exists():
        report.kept.append(rel)
        return
    atomic_write(path, text)
    report.created.append(rel)


def _ensure_ignored(root: Path, report: InitReport) -> None:
    from ygs.store import read_bytes

    path = root / ".gitignore"
    current = read_bytes(path).decode("utf-8", "replace") if path.exists() else ""
    present = {line.strip() for line in current.splitlines()}
    missing = [entry for entry in IGNORED if entry not in present]
    if not missing:
        report.kept.append(".gitignore")
        return
    prefix = "" if not current or current.endswith("\n") else "\n"
    atomic_write(path, current + prefix + "# ygs local state\n" + "\n".join(missing) + "\n")
    (report.updated if current else report.created).append(".gitignore")


def _preflight(root: Path, folders: list[str], files: list[str]) -> None:
    """Before anything is written: every folder ygs needs is a folder or absent, every file
    a regular file or absent. A file named `docs` is the user's: it is named, not touched."""
    wanted = [(rel, True) for rel in folders] + [(rel, False) for rel in files]
    for rel, is_folder in wanted:
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            path = root.joinpath(*parts[:depth])
            problem = _wrong_kind(path, folder=is_folder or depth < len(parts))
            if problem:
                _refuse(root, path, problem)


def _wrong_kind(path: Path, *, folder: bool) -> str | None:
    from ygs.store import special_kind

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "is a dangling link" if path.is_symlink() else None
    except OSError as err:
        return f"cannot be read: {err.strerror}"
    if folder and not stat.S_ISDIR(mode):
        return f"is {special_kind(mode) or 'a file'}, where ygs needs a folder"
    if not folder and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else special_kind(mode)
        return f"is {kind}, where ygs needs a file"
    return None


def _refuse(root: Path, path: Path, problem: str):
    from ygs.errors import YgsError

    rel = path.relative_to(root).as_posix()
    raise YgsError(
        f"{rel} {problem}; nothing was changed",
        path=str(path),
        remedy=f"rename or remove {rel}, then run `ygs init` again",
    )


def init(root: Path, docs: str = "docs", tasks: str = "tasks") -> InitReport:
    from ygs import repo

    folders = [f"{docs}/{f}" for f in DOC_FOLDERS] + [f"{tasks}/{s}" for s in TASK_STATUSES]
    _preflight(root, folders, [CONTEXT_FILE, PROJECT_FILE, ".gitignore"])
    git = (root / ".git").exists()
    base = repo.base_branch(root) if git and repo.git_available() else "main"
    report = InitReport(root, git, scan(root), base)
    for folder in DOC_FOLDERS:
        _ensure_dir(root, f"{docs}/{folder}", report)
    for status in TASK_STATUSES:
        _ensure_dir(root, f"{tasks}/{status}", report)
    _ensure_file(root, CONTEXT_FILE, CONTEXT_TEXT, report)
    _ensure_file(root, PROJECT_FILE, config_text(root, report.detected, base), report)
    _record_test_command(root, report)
    _ensure_ignored(root, report)
    return report


def _record_test_command(root: Path, report: InitReport) -> None:
    """An existing config without commands.test gets the detected one (`ygs test` and
    `ygs checkpoint` run it); a command already set is never replaced."""
    from ygs import config
    from ygs.errors import YgsError

    path = root / PROJECT_FILE
    if PROJECT_FILE not in report.kept or not report.detected.test:
        return
    try:
        if config.load_layer(path, user_scope=False).values.get("commands.test"):
            return
        config.set_value(path, "commands.test", report.detected.test, user_scope=False)
    except YgsError:
        return  # a config ygs cannot read is left for `ygs config list` to explain
    report.updated.append(f"{PROJECT_FILE} (commands.test: {report.detected.test})")
