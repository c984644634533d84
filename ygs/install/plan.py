"""The install planner, pure: what the disk holds + what ygs recorded + what the pack wants
-> steps (create / update / merge / keep / conflict / remove / link / relink / unlink) and
the records to keep.

Nothing here reads or writes files. The rules that keep a user's work safe:

- a file is overwritten only when it still holds what ygs installed (its recorded sha256);
- a file the user changed is merged three ways (base = what was installed, theirs = the
  user's file, ours = the new version); a clean merge is written, a conflict leaves the
  user's file alone and puts the new version in `<path>.ygs-new`;
- a file or skill ygs did not install is never written, only reported;
- deleting `<path>.ygs-new` after a conflict marks it resolved (the new version becomes
  the base of the next merge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ygs.core import merge3
from ygs.install.manifest import FileRecord, SkillRecord, sha256

NEW_SUFFIX = ".ygs-new"
# How much a step needs the user's attention: a skill shows its most urgent step.
RANK = {
    "keep": 0,
    "create": 1,
    "link": 1,
    "update": 2,
    "relink": 2,
    "remove": 2,
    "unlink": 2,
    "merge": 3,
    "kept": 4,
    "conflict": 5,
    "refused": 6,
}


class Other:
    """A path that exists but is not a regular file ygs may use (a folder, or reached
    through a symlink the user made)."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = Other()
Disk = bytes | Other | None  # content, something else, or missing


@dataclass(frozen=True)
class Step:
    agent: str
    skill: str
    path: str  # relative to the scope root
    action: str
    detail: str = ""
    data: bytes | None = None  # written at `path` (create, update, merge)
    new: bytes | None = None  # conflict: written at `path + NEW_SUFFIX`
    target: str | None = None  # link, relink: the symlink's target
    drop_new: str | None = None  # remove `path + NEW_SUFFIX` if its sha256 is this
    backup: bool = False  # remove --force of a changed file: keep a copy first

    @property
    def changes(self) -> bool:
        if self.action == "refused":
            return False  # outside the agents' folders: never touched
        return self.action not in ("keep", "kept") or self.drop_new is not None

    def to_dict(self) -> dict:
        return {
            "agent": self.agent,
            "skill": self.skill,
            "path": self.path,
            "action": self.action,
            "detail": self.detail,
            **({"new": self.path + NEW_SUFFIX} if self.new is not None else {}),
        }


@dataclass(frozen=True)
class SkillPlan:
    steps: tuple[Step, ...]
    record: SkillRecord | None  # what the manifest holds for this skill afterwards


class Decision(NamedTuple):
    action: str
    detail: str = ""
    data: bytes | None = None  # to write at the path
    new: bytes | None = None  # to write beside it as `.ygs-new`
    record: FileRecord | None = None  # what the manifest keeps for the path


def _decide(want: bytes | None, rec: FileRecord | None, base: bytes | None, have: Disk):
    """One file: `want` is the new packaged content (None: no longer in the pack), `base`
    what ygs installed there (None: not ygs's file), `have` what is on disk now."""
    if have is None:
        return Decision("create", data=want, record=FileRecord(sha256(want))) if want else None
    if isinstance(have, Other):
        if want is None:
            return Decision("kept", "not a regular file; no longer tracked")
        return Decision("conflict", "something else is in the way", new=want, record=_pending(want))
    if want is not None and have == want:
        recorded = rec is not None and rec.sha256 == sha256(want)
        return Decision("keep", "" if recorded else "recorded", record=FileRecord(sha256(want)))
    if base is None:
        if want is None:
            return Decision("kept", "not installed by ygs")
        detail = "exists and was not installed by ygs"
        return Decision("conflict", detail, new=want, record=_pending(want))
    if have == base:
        if want is None:
            return Decision("remove", "no longer in the pack")
        return Decision("update", data=want, record=FileRecord(sha256(want)))
    return _changed_by_user(want, rec, base, have)


def _pending(want: bytes, base_sha: str | None = None) -> FileRecord:
    return FileRecord(base_sha, sha256(want))


def _changed_by_user(want: bytes | None, rec: FileRecord, base: bytes, have: bytes) -> Decision:
    if want is None:
        return Decision("kept", "changed by you and no longer in the pack: now yours")
    if want == base:
        return Decision("keep", "changed by you", record=FileRecord(rec.sha256))
    try:
        merged = merge3.merge(base.decode(), have.decode(), want.decode())
    except UnicodeDecodeError:  # not text: cannot merge
        merged = None
    if merged is not None and merged.clean:
        data = merged.text.encode()
        return Decision("merge", "your changes kept", data=data, record=FileRecord(sha256(want)))
    detail = "changed by you and in the new version"
    return Decision("conflict", detail, new=want, record=_pending(want, rec.sha256))


def _resolved(rec: FileRecord | None, new_exists: bool, blobs: dict[str, bytes]):
    """A deleted `.ygs-new` means the user settled the conflict: the new version is the base."""
    if rec and rec.pending and not new_exists and rec.pending in blobs:
        return FileRecord(rec.pending)
    return rec


def plan_copy(
    agent: str,
    skill: str,
    desired: dict[str, bytes],
    record: SkillRecord | None,
    blobs: dict[str, bytes],
    disk: dict[str, Disk],
    new_exists: frozenset[str],
    stamp: tuple[str, str],  # (ygs version, source) recorded for the skill
) -> SkillPlan:
    if record is None and _foreign(desired, disk):
        first = next(p for p in sorted(desired) if disk.get(p) not in (None, desired[p]))
        detail = "a skill with this name exists that ygs did not install; left alone"
        return SkillPlan((Step(agent, skill, first, "conflict", detail),), None)
    recorded = record.files if record else {}
    steps, files = [], {}
    for path in _ordered(set(desired) | set(recorded)):
        rec = _resolved(recorded.get(path), path in new_exists, blobs)
        base = blobs.get(rec.sha256) if rec and rec.sha256 else None
        d = _decide(desired.get(path), rec, base, disk.get(path))
        if d is None:
            continue
        stale = _stale_new(recorded.get(path), d.record, path in new_exists)
        steps.append(Step(agent, skill, path, d.action, d.detail, d.data, d.new, drop_new=stale))
        if d.record is not None:
            files[path] = d.record
    version, source = stamp
    return SkillPlan(tuple(steps), SkillRecord(version, source, "copy", files) if files else None)


def _stale_new(old: FileRecord | None, new: FileRecord | None, new_exists: bool) -> str | None:
    """The `.ygs-new` of a settled conflict, to delete (only if it is still ours)."""
    if old is None or not old.pending or not new_exists:
        return None
    if new is not None and new.pending is not None:
        return None  # still in conflict: the step rewrites `.ygs-new`
    return old.pending


def _foreign(desired: dict[str, bytes], disk: dict[str, Disk]) -> bool:
    return any(disk.get(p) not in (None, data) for p, data in desired.items())


def _ordered(paths: set[str]) -> list[str]:
    """SKILL.md files last: a half-written skill never looks complete."""
    return sorted(paths, key=lambda p: (p.endswith("SKILL.md"), p))


def plan_link(
    agent: str,
    skill: str,
    path: str,
    target: str,
    record: SkillRecord | None,
    have: str | Other | None,  # the symlink's target, something else, or missing
    stamp: tuple[str, str],
) -> SkillPlan:
    version, source = stamp
    linked = SkillRecord(version, source, "link", {}, (path, target))
    if have is None:
        return SkillPlan((Step(agent, skill, path, "link", target=target),), linked)
    if have == target:
        return SkillPlan((Step(agent, skill, path, "keep"),), linked)
    if record is not None and record.link is not None and have == record.link[1]:
        return SkillPlan((Step(agent, skill, path, "relink", target=target),), linked)
    detail = "exists and is not a link ygs made; left alone"
    return SkillPlan((Step(agent, skill, path, "conflict", detail),), record)


def plan_removal(
    agent: str,
    skill: str,
    record: SkillRecord,
    blobs: dict[str, bytes],
    disk: dict[str, Disk],
    new_exists: frozenset[str],
    force: bool,
) -> SkillPlan:
    """Uninstall: remove what still holds what ygs installed; keep (and report) the rest."""
    if record.link is not None:
        return _unlink(agent, skill, record, disk.get(record.link[0]))
    steps, files = [], {}
    for path, rec in sorted(record.files.items()):
        have = disk.get(path)
        drop = rec.pending if rec.pending and path in new_exists else None
        if have is None or rec.sha256 is None or isinstance(have, Other):
            if drop:
                steps.append(Step(agent, skill, path, "keep", "", drop_new=drop))
            continue
        if have == blobs.get(rec.sha256) or force:
            changed = have != blobs.get(rec.sha256)
            detail = "changed by you; removed (--force), a copy is kept" if changed else ""
            steps.append(Step(agent, skill, path, "remove", detail, drop_new=drop, backup=changed))
            continue
        detail = "changed by you; pass --force to remove"
        steps.append(Step(agent, skill, path, "kept", detail, drop_new=drop))
        files[path] = FileRecord(rec.sha256)
    if not files:
        return SkillPlan(tuple(steps), None)
    return SkillPlan(tuple(steps), SkillRecord(record.version, record.source, "copy", files))


def _unlink(agent: str, skill: str, record: SkillRecord, have) -> SkillPlan:
    path, target = record.link
    if have is None:
        return SkillPlan((), None)
    if have == target:
        return SkillPlan((Step(agent, skill, path, "unlink"),), None)
    detail = "no longer the link ygs made; left alone"
    return SkillPlan((Step(agent, skill, path, "kept", detail),), None)
