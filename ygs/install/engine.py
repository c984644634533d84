"""The install shell: find the scope, read the disk, run the planner, apply, write the manifest.

Order of writes: every file first (each one atomic), the manifest last (atomic). A run
killed half-way leaves files that either hold the new content or the old; the next run
sees files that already match and records them, and writes the rest.

Test hook: when the environment variable `YGS_TEST_FAIL_AFTER_FILES=N` is set, the
process kills itself (SIGKILL) right after writing its N-th file, to prove that a crash
is repaired by the next run. Nothing else reads it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType

from ygs import __version__
from ygs.errors import Exit, YgsError
from ygs.install import manifest as mf
from ygs.install import pack, plan
from ygs.install.plan import NEW_SUFFIX, OTHER, SkillPlan, Step
from ygs.install.targets import all_targets
from ygs.store import atomic_write

FAIL_AFTER_ENV = "YGS_TEST_FAIL_AFTER_FILES"
SCOPES = ("user", "project")


@dataclass(frozen=True)
class Scope:
    name: str
    root: Path
    manifest_path: Path

    def show(self, rel: str) -> str:
        return f"~/{rel}" if self.name == "user" else rel


@dataclass
class Outcome:
    scope: Scope
    steps: list[Step] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False  # the manifest changed on disk

    @property
    def conflicts(self) -> list[Step]:
        return [s for s in self.steps if s.action == "conflict"]

    def to_dict(self) -> dict:
        summary: dict[str, int] = {}
        for step in self.steps:
            summary[step.action] = summary.get(step.action, 0) + 1
        return {
            "scope": self.scope.name,
            "root": str(self.scope.root),
            "manifest": str(self.scope.manifest_path),
            "dry_run": self.dry_run,
            "summary": summary,
            "steps": [{"scope": self.scope.name, **s.to_dict()} for s in self.steps],
        }


# ----------------------------------------------------------------------------- scopes


def home() -> Path:
    value = os.environ.get("HOME", "").strip()
    if not value or not Path(value).is_dir():
        raise YgsError(
            "HOME is not set or is not a folder; user-scope installs go under your home folder"
            if not value
            else f"HOME={value} is not a folder",
            remedy="set HOME to your home folder, or install into a project with --scope project",
        )
    return Path(value)


def scope(name: str, cwd: Path) -> Scope:
    if name not in SCOPES:
        raise YgsError(f"unknown scope '{name}'", remedy="use --scope user or --scope project")
    if name == "user":
        root = home()
        return Scope(name, root, mf.location(name, None))
    from ygs.project import find_root

    root = find_root(cwd.resolve())
    return Scope(name, root, mf.location(name, root))


def load_manifest(where: Scope) -> mf.Manifest:
    path = where.manifest_path
    if not path.is_file():
        return mf.Manifest(where.name)
    from ygs.store import read_text

    return mf.from_json(read_text(path), where.name, str(path))


# ----------------------------------------------------------------------------- disk


def _protected(where: Scope) -> set[Path]:
    """Folders never removed: every target's roots and their parents, and the scope root."""
    keep = {where.root}
    for target in all_targets().values():
        for rel in target.ROOTS[where.name]:
            path = where.root / rel
            keep |= {path, *path.parents}
    return keep


def _split(target: ModuleType, scope_name: str, rel: str) -> tuple[str, list[str]]:
    """(target root, parts below it): a symlink below the root makes the path foreign."""
    for base in target.ROOTS[scope_name]:
        if rel.startswith(base + "/"):
            return base, rel[len(base) + 1 :].split("/")
    return "", rel.split("/")


def read_disk(where: Scope, target: ModuleType, paths) -> dict[str, plan.Disk]:
    disk: dict[str, plan.Disk] = {}
    for rel in paths:
        base, parts = _split(target, where.name, rel)
        disk[rel] = _read_one(where.root / base, parts)
    return disk


def _read_one(base: Path, parts: list[str]) -> plan.Disk:
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            return OTHER
    if not os.path.lexists(current):
        return None
    if not current.is_file():
        return OTHER
    try:
        return current.read_bytes()
    except OSError as err:
        raise _io_error(current, err) from None


def _new_exists(where: Scope, paths) -> frozenset[str]:
    return frozenset(p for p in paths if (where.root / (p + NEW_SUFFIX)).is_file())


def read_link(path: Path) -> str | plan.Other | None:
    if path.is_symlink():
        return os.readlink(path)
    return OTHER if os.path.lexists(path) else None


def _io_error(path: Path, err: OSError) -> YgsError:
    reason = err.strerror or type(err).__name__
    return YgsError(
        f"cannot write {path}: {reason}",
        path=str(path),
        code=Exit.USAGE,
        remedy="check that the folder exists and is writable (or choose the other --scope); "
        "nothing was recorded, so running again after fixing it picks up where this stopped",
    )


# ----------------------------------------------------------------------------- planning


def plan_skill(
    where: Scope,
    target: ModuleType,
    skill: pack.SourceSkill,
    manifest: mf.Manifest,
    link: bool,
) -> tuple[SkillPlan, dict[str, bytes]]:
    """One skill for one agent: the plan, and the rendered files (the new merge bases)."""
    record = manifest.skills(target.NAME).get(skill.name)
    stamp = (__version__, skill.source)
    if link:
        rel = target.link_path(skill, where.name)
        have = read_link(where.root / rel)
        target_path = str(skill.folder)
        return plan.plan_link(target.NAME, skill.name, rel, target_path, record, have, stamp), {}
    desired = target.render(skill, where.name)
    paths = set(desired) | set(record.files if record else ())
    disk = read_disk(where, target, paths)
    found = plan.plan_copy(
        target.NAME,
        skill.name,
        desired,
        record,
        manifest.blobs,
        disk,
        _new_exists(where, paths),
        stamp,
    )
    return found, desired


def plan_removal(
    where: Scope, target: ModuleType, name: str, manifest: mf.Manifest, force: bool
) -> SkillPlan:
    record = manifest.skills(target.NAME)[name]
    if record.link is not None:
        disk = {record.link[0]: read_link(where.root / record.link[0])}
        return plan.plan_removal(target.NAME, name, record, {}, disk, frozenset(), force)
    disk = read_disk(where, target, record.files)
    new = _new_exists(where, record.files)
    return plan.plan_removal(target.NAME, name, record, manifest.blobs, disk, new, force)


def check_mode(manifest: mf.Manifest, target: ModuleType, name: str, link: bool) -> None:
    record = manifest.skills(target.NAME).get(name)
    mode = "link" if link else "copy"
    if record is not None and record.mode != mode:
        raise YgsError(
            f"{name} is installed for {target.TITLE} as a {record.mode}, not a {mode}",
            remedy=f"run `ygs uninstall --agent {target.NAME} --skills {name}` first",
        )
    if link and not target.LINKABLE:
        raise YgsError(
            f"{target.TITLE} cannot use --link: ygs renders its files",
            remedy=f"install {target.NAME} without --link",
        )


# ----------------------------------------------------------------------------- applying


class _Writer:
    """Applies steps; counts written files for the crash test hook."""

    def __init__(self, where: Scope) -> None:
        self.where = where
        self.count = 0
        self.limit = int(os.environ.get(FAIL_AFTER_ENV, "0") or 0)
        self.protected = _protected(where)
        self.stamp = datetime.now().strftime("%Y%m%dT%H%M%S")

    def apply(self, step: Step) -> None:
        path = self.where.root / step.path
        try:
            self._apply(step, path)
        except OSError as err:
            raise _io_error(Path(err.filename or path), err) from None

    def _apply(self, step: Step, path: Path) -> None:
        if step.drop_new:
            self._drop_new(path, step.drop_new)
        if step.data is not None:
            self._write(path, step.data)
        if step.new is not None:
            self._write(Path(f"{path}{NEW_SUFFIX}"), step.new)
        if step.action in ("link", "relink"):
            self._link(path, step.target)
        if step.action in ("remove", "unlink"):
            if step.backup:
                self._backup(path, step.path)
            path.unlink(missing_ok=True)
            self._prune(path.parent)

    def _write(self, path: Path, data: bytes) -> None:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return
        atomic_write(path, data)
        self._written()

    def _link(self, path: Path, target: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.ygs-link")
        if os.path.lexists(temp):
            temp.unlink()
        temp.symlink_to(target, target_is_directory=True)
        os.replace(temp, path)
        self._written()

    def _drop_new(self, path: Path, sha: str) -> None:
        new = Path(f"{path}{NEW_SUFFIX}")
        if new.is_file() and mf.sha256(new.read_bytes()) == sha:
            new.unlink()

    def _backup(self, path: Path, rel: str) -> None:
        folder = self.where.manifest_path.parent / "backups" / f"uninstall-{self.stamp}"
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / rel)

    def _prune(self, folder: Path) -> None:
        while folder not in self.protected and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _written(self) -> None:
        self.count += 1
        if self.limit and self.count >= self.limit:
            import signal

            os.kill(os.getpid(), signal.SIGKILL)


def finish(where: Scope, after: mf.Manifest, steps: list[Step], dry_run: bool) -> Outcome:
    """Apply the steps, then write the manifest (only when it changed)."""
    outcome = Outcome(where, steps, dry_run)
    if dry_run:
        return outcome
    writer = _Writer(where)
    for step in steps:
        if step.changes:
            writer.apply(step)
    outcome.written = save_manifest(where, after.compact())
    return outcome


def save_manifest(where: Scope, after: mf.Manifest) -> bool:
    path = where.manifest_path
    if not after.installs:
        if path.exists():
            path.unlink()
            return True
        return False
    text = mf.to_json(after, __version__)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    try:
        atomic_write(path, text)
    except OSError as err:
        raise _io_error(path, err) from None
    return True


def with_blobs(manifest: mf.Manifest, files: dict[str, bytes]) -> mf.Manifest:
    if not files:
        return manifest
    blobs = dict(manifest.blobs)
    blobs.update({mf.sha256(data): data for data in files.values()})
    return replace(manifest, blobs=blobs)
