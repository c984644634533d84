"""`ygs version` and `ygs changelog`: the version sources on disk, the changes since the
last tag, and CHANGELOG.md (the shell around semver, commits, versions, keepachangelog)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ygs.errors import YgsError
from ygs.ship import commits, gitinfo, keepachangelog, semver, versions

CHANGELOG = "CHANGELOG.md"


def _reader(root: Path):
    from ygs.store import Unreadable, read_bytes

    def read(rel: str) -> str | None:
        if versions_lexical(rel):
            return None
        path = root / rel
        if not os.path.lexists(path):
            return None
        try:
            return read_bytes(path, within=root).decode("utf-8")
        except (Unreadable, UnicodeDecodeError):
            return None

    return read


def versions_lexical(rel: str) -> bool:
    from ygs.store import lexical_problem

    return lexical_problem(rel) is not None


def _packages(root: Path) -> list[str]:
    """`__init__.py` of the top-level packages (and of those under src/)."""
    found = []
    for base in ("", "src/"):
        folder = root / base if base else root
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")) or entry.name in ("tests", "test", "docs"):
                continue
            if entry.is_dir(follow_symlinks=False) and os.path.isfile(
                os.path.join(entry.path, "__init__.py")
            ):
                found.append(f"{base}{entry.name}/__init__.py")
    return found


def sources(root: Path) -> list[versions.Spot]:
    try:
        return versions.find(_reader(root), _packages(root))
    except versions.SourceError as err:
        raise _error(err) from None


def _error(err: versions.SourceError) -> YgsError:
    return YgsError(err.message, path=err.path, line=err.line, remedy=err.remedy or None)


def current(root: Path) -> tuple[semver.Version, list[versions.Spot]]:
    spots = sources(root)
    try:
        return versions.current(spots), spots
    except versions.SourceError as err:
        raise _error(err) from None


def show(root: Path) -> dict:
    version, spots = current(root)
    top = gitinfo.top(root)
    tag = gitinfo.last_tag(top) if top else None
    return {
        "version": str(version),
        "sources": [s.to_dict() for s in spots],
        "last_tag": tag,
        "released": _tag_version(tag) == version if tag else False,
    }


def _tag_version(tag: str | None) -> semver.Version | None:
    if not tag:
        return None
    try:
        return semver.parse(tag.removeprefix("v"))
    except semver.VersionError:
        return None


# --- what changed since the last tag -----------------------------------------------------


def changes(project) -> dict:
    """Commits since the last tag and the tasks done since then, each classified."""
    top = gitinfo.top(project.root)
    tag = gitinfo.last_tag(top) if top else None
    found = (
        [commits.commit(sha, msg) for sha, msg in gitinfo.commits_since(top, tag)] if top else []
    )
    found = [c for c in found if not _ours(c)]
    tasks = _done_tasks(project, top, tag)
    return {
        "last_tag": tag,
        "since": tag or "the first commit",
        "commits": found,
        "tasks": tasks,
    }


def _ours(change: commits.Change) -> bool:
    """ygs's own bookkeeping commits (checkpoints, release commits) are not changes."""
    return "Ygs-Release:" in change.body or change.subject.startswith("release ")


def _done_tasks(project, top, tag) -> list[commits.Change]:
    from ygs.plan import tasks as store

    done = [t for t in store.tasks(project.catalog) if t.status == store.DONE]
    if top is not None and tag:
        prefix = project.rel(project.root)
        changed = set(gitinfo.changed_since(top, tag))
        root_prefix = "" if prefix in (".", "") else prefix + "/"
        done = [t for t in done if root_prefix + t.path in changed]
    return [commits.task(t.id, t.title, t.artifact.meta) for t in done]


def auto_level(project, version: semver.Version | None) -> tuple[str, dict]:
    found = changes(project)
    items = [*found["commits"], *found["tasks"]]
    level = commits.level(items, version)
    reasons = {
        "breaking": [c.ref for c in items if c.breaking],
        "features": [c.ref for c in items if c.category == "Added" and not c.breaking],
        "fixes": [c.ref for c in items if c.category == "Fixed"],
    }
    return level, {"since": found["since"], **reasons}


# --- bump ---------------------------------------------------------------------------------


def plan_bump(project, level: str, pre: str | None) -> dict:
    version, spots = current(project.root)
    why: dict = {}
    if level == "auto":
        level, why = auto_level(project, version)
    if level not in (*semver.LEVELS, "prerelease"):
        raise YgsError(f"unknown level '{level}'", remedy="patch, minor, major, auto or prerelease")
    new = semver.bump(version, level, pre)
    return {"from": str(version), "to": str(new), "level": level, "why": why, "spots": spots}


def write_versions(root: Path, spots: list[versions.Spot], new: str) -> list[str]:
    """Each source file rewritten atomically with only its version string changed."""
    from ygs.store import atomic_write, inside, read_text

    written = []
    by_file: dict[str, list[versions.Spot]] = {}
    for spot in spots:
        by_file.setdefault(spot.path, []).append(spot)
    for rel, items in by_file.items():
        path = inside(root, rel)
        text = read_text(path, rel)
        updated = text
        for spot in items:
            try:
                updated = versions.replace(updated, spot, new)
            except versions.SourceError as err:
                raise _error(err) from None
        if updated != text:
            atomic_write(path, updated)
            written.append(rel)
    return written


def bump(project, level: str, pre: str | None, *, dry_run: bool) -> dict:
    from ygs.store import project_lock

    with project_lock(project.root):
        planned = plan_bump(project, level, pre)
        spots = planned.pop("spots")
        files = [] if dry_run else write_versions(project.root, spots, planned["to"])
    return {**planned, "files": files or sorted({s.path for s in spots}), "dry_run": dry_run}


# --- changelog ----------------------------------------------------------------------------


def _render(project):
    from ygs.core.render import render_template

    overrides = project.root / ".ygs" / "templates"

    def render(answers: dict) -> str:
        return render_template(
            "changelog-entry", {}, answers, {"today": date.today().isoformat()}, overrides
        )

    return render


def read_changelog(project) -> tuple[Path, str | None]:
    from ygs.store import inside, read_text

    path = inside(project.root, CHANGELOG)
    return path, read_text(path, CHANGELOG) if os.path.lexists(path) else None


def parse_changelog(text: str) -> keepachangelog.Changelog:
    try:
        return keepachangelog.parse(text)
    except keepachangelog.NotKeepAChangelog as err:
        first = err.problems[0]
        raise YgsError(
            f"not Keep a Changelog: {first.message}",
            path=CHANGELOG,
            line=first.line,
            details=[f"{CHANGELOG}:{p.line}: {p.message}" for p in err.problems[1:]],
            remedy="fix the file (https://keepachangelog.com/en/1.1.0/): a '# ' title, "
            "'## [x.y.z] - YYYY-MM-DD' sections and '### Added|Changed|Fixed|…' groups",
        ) from None


def auto_entries(found: dict) -> list[dict]:
    """One entry per done task and per commit no task covers (commits naming a done task
    are its evidence, not entries of their own)."""
    entries = []
    task_ids = {t.ref for t in found["tasks"]}
    for task in found["tasks"]:
        entries.append(_entry(task, refs=list(task.refs)))
    for change in found["commits"]:
        if set(change.refs) & task_ids:
            continue
        entries.append(_entry(change, refs=[r for r in change.refs] or []))
    return entries


def _entry(change: commits.Change, refs: list[str]) -> dict:
    summary = change.subject.strip().rstrip(".")
    summary = summary[:1].upper() + summary[1:]
    return {
        "category": change.category,
        "summary": summary,
        "refs": refs,
        "breaking": change.breaking,
        "source": change.source,
        "ref": change.ref,
    }


def target_section(project, version: str | None) -> str:
    """An explicit version; else the current version when it is not released yet; else
    Unreleased."""
    if version:
        try:
            semver.parse(version)
        except semver.VersionError as err:
            raise YgsError(f"--version: {err}", remedy="e.g. --version 1.4.0") from None
        return version
    try:
        info = show(project.root)
    except YgsError as err:
        if "no version source" in err.message:
            return keepachangelog.UNRELEASED
        raise
    if info["last_tag"] and info["released"]:
        return keepachangelog.UNRELEASED  # not bumped since the last release
    return info["version"]


def changelog(
    project, *, version: str | None, when: str | None, entries: list[dict] | None, dry_run: bool
) -> dict:
    from ygs.store import atomic_write, project_lock

    found = changes(project)
    proposed = auto_entries(found) if entries is None else entries
    section = target_section(project, version)
    day = when or date.today().isoformat()
    with project_lock(project.root):
        path, text = read_changelog(project)
        if text is not None:
            parse_changelog(text)
        try:
            new, report = keepachangelog.merge(text, section, day, proposed, _render(project))
        except ValueError as err:
            raise YgsError(
                f"changelog entries: {err}",
                remedy=f"categories: {', '.join(commits.CATEGORIES)} or Chore",
            ) from None
        wrote = not dry_run and new != (text or "")
        if wrote:
            atomic_write(path, new)
    return {
        "path": CHANGELOG,
        "section": section,
        "date": day,
        "last_tag": found["last_tag"],
        "since": found["since"],
        "commits": [c.to_dict() for c in found["commits"]],
        "tasks": [c.to_dict() for c in found["tasks"]],
        "entries": proposed,
        "chore": [e for e in proposed if e.get("category") == commits.CHORE],
        **report,
        "written": wrote,
        "dry_run": dry_run,
    }
