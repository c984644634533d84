"""The install shell: find the scope, read the disk, run the planner, apply, write the manifest.

Order of writes: every file first (each one atomic), the manifest last (atomic). A run
killed half-way leaves files that either hold the new content or the old; the next run
sees files that already match and records them, and writes the rest.

Containment: every path comes from the pack (trusted) or from the manifest (untrusted: a
project's manifest is committed, so a cloned repository can say anything). Each one must
lie under one of the agent's folders (`.claude/skills/…`), with no `..`, and no folder on
the way may be a symbolic link unless the user passed `--follow-symlinks` (in user scope
the agent's folder itself is trusted, links included: the user made it). Manifest entries
that break the first rule are reported as `refused`, dropped, and never touched; a link on
the way stops the whole command before anything is written. The scope is locked (the
project's `.ygs/lock`, or the user manifest's folder) from reading the manifest to writing
it, so parallel installs never lose each other's records.

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
from ygs.store import Escape, atomic_write, inside, lexical_problem

FAIL_AFTER_ENV = "YGS_TEST_FAIL_AFTER_FILES"
SCOPES = ("user", "project")


@dataclass(frozen=True)
class Scope:
    name: str
    root: Path
    manifest_path: Path
    follow_symlinks: bool = False

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


def scope(name: str, cwd: Path, follow_symlinks: bool = False) -> Scope:
    if name not in SCOPES:
        raise YgsError(f"unknown scope '{name}'", remedy="use --scope user or --scope project")
    if name == "user":
        root = home()
        return Scope(name, root, mf.location(name, None), follow_symlinks)
    from ygs.project import find_root

    root = find_root(cwd.resolve())
    return Scope(name, root, mf.location(name, root), follow_symlinks)


def locked(where: Scope):
    """The scope's lock: held from reading the manifest to writing it."""
    from ygs.store import lock, project_lock

    if where.name == "project":
        return project_lock(where.root)
    return lock(where.manifest_path.parent)


def load_manifest(where: Scope) -> tuple[mf.Manifest, list[Step]]:
    """The manifest, minus entries that point outside the agents' folders (reported as
    `refused` steps: they are never read, written or deleted)."""
    path = where.manifest_path
    if where.name == "project":
        inside(where.root, path.relative_to(where.root).as_posix(), opt_in=None)
    if not path.is_file():
        return mf.Manifest(where.name), []
    from ygs.store import read_text

    return screen(where, mf.from_json(read_text(path), where.name, str(path)))


def screen(where: Scope, manifest: mf.Manifest) -> tuple[mf.Manifest, list[Step]]:
    known = all_targets()
    refused: list[Step] = []
    for agent, skills in sorted(manifest.installs.items()):
        target = known.get(agent)
        for name, record in sorted(skills.items()):
            paths = [record.link[0]] if record.link else list(record.files)
            bad = {p: why for p in paths if (why := _outside(where, target, p))}
            if not bad:
                continue
            refused += [Step(agent, name, p, "refused", why) for p, why in sorted(bad.items())]
            files = {p: r for p, r in record.files.items() if p not in bad}
            kept = replace(record, files=files) if files and not record.link else None
            manifest = manifest.with_skill(agent, name, kept)
    return manifest, refused


def _outside(where: Scope, target: ModuleType | None, rel: str) -> str | None:
    """Why a manifest entry is not a path ygs may touch for this agent, or None."""
    problem = lexical_problem(rel)
    if problem is not None:
        return f"{problem}: outside the {where.name} scope; never touched"
    if target is None:
        return None  # an agent this ygs does not know is never touched anyway
    if _base(target, where.name, rel) is None:
        roots = ", ".join(f"{r}/" for r in target.ROOTS[where.name])
        return f"not under {roots}: not a file ygs installs for {target.TITLE}; never touched"
    return None


def _base(target: ModuleType, scope_name: str, rel: str) -> str | None:
    if rel in getattr(target, "SETTINGS_FILES", ()):
        return rel  # one exact settings file the agent keeps beside its skills
    return next((b for b in target.ROOTS[scope_name] if rel.startswith(b + "/")), None)


def contain(where: Scope, target: ModuleType, rel: str) -> Path:
    """The absolute path of `rel`, or Escape: it must be under one of the agent's folders,
    through real folders (links only with --follow-symlinks; in user scope the agent's
    folder itself may be a link the user made)."""
    base = _base(target, where.name, rel)
    if base is None and lexical_problem(rel) is None:
        raise Escape(f"{rel}: {_outside(where, target, rel)}", path=rel)
    if where.name == "user" and base is not None and base != rel:
        inside(where.root / base, rel[len(base) + 1 :], follow_symlinks=where.follow_symlinks)
        return where.root / rel
    return inside(where.root, rel, follow_symlinks=where.follow_symlinks)


def contain_all(where: Scope, target: ModuleType, paths) -> None:
    """Check every path before anything is written: the first problem stops the command."""
    problems: dict[str, Escape] = {}
    for rel in sorted(paths):
        try:
            contain(where, target, rel)
        except Escape as err:
            problems.setdefault(err.message, err)
    if problems:
        first, *rest = problems.values()
        first.details = [e.message for e in rest]
        raise first


def clean_temps(where: Scope, targets) -> None:
    """Remove temp files a killed run left in the agents' folders and beside the manifest
    (under the scope lock, so none belongs to a live run)."""
    from ygs.store import clean_temps as clean

    for target in targets:
        for base in target.ROOTS[where.name]:
            try:
                folder = contain(where, target, f"{base}/x").parent
            except Escape:
                continue  # a linked folder: the command refuses it before writing anything
            clean(folder, recursive=True)
    clean(where.manifest_path.parent, names=[where.manifest_path.name])


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
    base = _base(target, scope_name, rel)
    if base is not None:
        return base, rel[len(base) + 1 :].split("/")
    return "", rel.split("/")


def read_disk(where: Scope, target: ModuleType, paths) -> dict[str, plan.Disk]:
    disk: dict[str, plan.Disk] = {}
    contain_all(where, target, paths)
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
        contain_all(where, target, [rel])
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
        contain_all(where, target, [record.link[0]])
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
        self.backups: Path | None = None

    def apply(self, step: Step) -> None:
        target = all_targets()[step.agent]
        path = contain(self.where, target, step.path)  # again: the disk may have changed
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
        from ygs.store import unique_folder

        if self.backups is None:
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S.%f")
            parent = self.where.manifest_path.parent / "backups"
            self.backups = unique_folder(parent, f"uninstall-{stamp}")
        (self.backups / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, self.backups / rel, follow_symlinks=False)

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
