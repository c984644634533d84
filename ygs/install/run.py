"""The four operations behind the CLI: install, update, uninstall, status."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from ygs.errors import YgsError
from ygs.install import engine, pack
from ygs.install import manifest as mf
from ygs.install.plan import NEW_SUFFIX
from ygs.install.targets import all_targets, resolve

_SKIP = object()


def names(wanted: str | None) -> list[str] | None:
    """`adr,ygs-implement` -> ['adr', 'ygs-implement']; None means every skill."""
    if not wanted:
        return None
    return [n.strip() for n in wanted.split(",") if n.strip()]


def _pick(available: list[str], wanted: list[str] | None, what: str) -> set[str]:
    if wanted is None:
        return set(available)
    chosen, unknown = set(), []
    for name in wanted:
        match = next((n for n in (name, f"ygs-{name}") if n in available), None)
        if match is None:
            unknown.append(name)
        else:
            chosen.add(match)
    if unknown:
        raise YgsError(
            f"no {what} named {', '.join(unknown)}",
            remedy=f"choose from: {', '.join(sorted(available)) or '(none)'}",
        )
    return chosen


def select(loaded: dict[str, pack.SourceSkill], wanted: list[str] | None):
    """The pack's skills to use, by name (unknown names exit 2 listing the real ones)."""
    return [loaded[n] for n in sorted(_pick(list(loaded), wanted, "skill in the pack"))]


@contextmanager
def _session(where: engine.Scope, targets, dry_run: bool):
    """Hold the scope's lock (not for a dry run, which writes nothing) and clear the temp
    files a killed run left behind."""
    if dry_run:
        yield
        return
    with engine.locked(where):
        engine.clean_temps(where, targets)
        yield


def install(
    agents: str,
    scope_name: str,
    cwd: Path,
    wanted: list[str] | None,
    *,
    link: bool = False,
    dry_run: bool = False,
    source: str = pack.PACKAGED,
    follow_symlinks: bool = False,
) -> engine.Outcome:
    targets = resolve(agents)
    where = engine.scope(scope_name, cwd, follow_symlinks)
    loaded = pack.load(source, validate=source != pack.PACKAGED)
    skills = select(loaded, wanted)
    with _session(where, targets, dry_run):
        return _install(where, targets, skills, link, dry_run)


def _install(where, targets, skills, link: bool, dry_run: bool) -> engine.Outcome:
    before, refused = engine.load_manifest(where)
    for target in targets:
        for skill in skills:
            engine.check_mode(before, target, skill.name, link)
    after, steps = before, list(refused)
    for target in targets:
        for skill in skills:
            found, desired = engine.plan_skill(where, target, skill, after, link)
            steps += found.steps
            after = engine.with_blobs(
                after.with_skill(target.NAME, skill.name, found.record), desired
            )
    steps += settings_steps(where, targets, after)
    return engine.finish(where, after, steps, dry_run)


def settings_steps(where, targets, after: mf.Manifest) -> list:
    """Agent settings a target keeps beside its skills (Claude Code: the guard hook in
    settings.json), present while the target has skills installed in this scope."""
    found = []
    for target in targets:
        plan_settings = getattr(target, "settings_step", None)
        if plan_settings is not None:
            step = plan_settings(where.root, where.name, bool(after.skills(target.NAME)))
            if step is not None:
                found.append(step)
    return found


def _installed_targets(manifest: mf.Manifest | None, agents: str | None) -> list[ModuleType]:
    """The agents named, else those the manifest lists (every agent when it is not read yet)."""
    if agents:
        return resolve(agents)
    known = all_targets()
    if manifest is None:
        return list(known.values())
    return [known[a] for a in sorted(manifest.installs) if a in known]


def _installed_names(manifest: mf.Manifest, targets: list[ModuleType]) -> list[str]:
    return sorted({n for t in targets for n in manifest.skills(t.NAME)})


def update(
    agents: str | None,
    scopes: list[str],
    cwd: Path,
    wanted: list[str] | None,
    *,
    dry_run: bool = False,
    source: str | None = None,
    follow_symlinks: bool = False,
) -> list[engine.Outcome]:
    """Bring installed skills up to their source (or `source` for the skills it has)."""
    override = pack.load(source, validate=source != pack.PACKAGED) if source else None
    outcomes = []
    for scope_name in scopes:
        where = engine.scope(scope_name, cwd, follow_symlinks)
        if not where.manifest_path.is_file():
            continue
        with _session(where, _installed_targets(None, agents), dry_run):
            before, refused = engine.load_manifest(where)
            if before.installs or refused:
                outcome = _update_scope(where, before, agents, wanted, override, dry_run, refused)
                outcomes.append(outcome)
    return outcomes


def _update_scope(where, before, agents, wanted, override, dry_run, refused) -> engine.Outcome:
    targets = _installed_targets(before, agents)
    chosen = _pick(_installed_names(before, targets), wanted, "installed skill")
    cache: dict[str, dict[str, pack.SourceSkill]] = {}
    after, steps = before, list(refused)
    for target in targets:
        for name, record in sorted(before.skills(target.NAME).items()):
            skill = _source_for(name, record, override, cache) if name in chosen else _SKIP
            if skill is _SKIP:
                continue
            if skill is None:  # gone from its pack: remove what is unchanged
                found, desired = engine.plan_removal(where, target, name, after, False), {}
            else:
                found, desired = engine.plan_skill(
                    where, target, skill, after, record.mode == "link"
                )
            steps += found.steps
            after = engine.with_blobs(after.with_skill(target.NAME, name, found.record), desired)
    steps += settings_steps(where, targets, after)
    return engine.finish(where, after, steps, dry_run)


def _source_for(name: str, record: mf.SkillRecord, override, cache):
    if override is not None:
        return override.get(name, _SKIP)
    source = record.source
    if source not in cache:
        if not pack.pack_path(source).is_dir():
            raise YgsError(
                f"{name} was installed from {source}, which no longer exists",
                path=source,
                remedy=f"pass --from PATH, or `ygs uninstall --skills {name}`",
            )
        cache[source] = pack.load(source, validate=source != pack.PACKAGED)
    return cache[source].get(name)


def uninstall(
    agents: str | None,
    scope_name: str,
    cwd: Path,
    wanted: list[str] | None,
    *,
    force: bool = False,
    dry_run: bool = False,
    follow_symlinks: bool = False,
) -> engine.Outcome:
    where = engine.scope(scope_name, cwd, follow_symlinks)
    if not where.manifest_path.is_file():
        return engine.Outcome(where, [], dry_run)  # nothing installed: nothing to lock
    with _session(where, _installed_targets(None, agents), dry_run):
        return _uninstall(where, agents, wanted, force, dry_run)


def _uninstall(where, agents, wanted, force: bool, dry_run: bool) -> engine.Outcome:
    before, refused = engine.load_manifest(where)
    targets = _installed_targets(before, agents)
    chosen = _pick(_installed_names(before, targets), wanted, "installed skill")
    after, steps = before, list(refused)
    for target in targets:
        for name in sorted(before.skills(target.NAME)):
            if name in chosen:
                found = engine.plan_removal(where, target, name, after, force)
                steps += found.steps
                after = after.with_skill(target.NAME, name, found.record)
    steps += settings_steps(where, targets, after)
    return engine.finish(where, after, steps, dry_run)


def status(scopes: list[str], cwd: Path, agents: str | None = None) -> tuple[list[dict], list]:
    """One row per installed skill, and the manifest entries refused as unsafe."""
    rows: list[dict] = []
    refused: list[dict] = []
    cache: dict[str, dict | None] = {}
    for scope_name in scopes:
        where = engine.scope(scope_name, cwd)
        manifest, bad = engine.load_manifest(where)
        refused += [{"scope": where.name, **step.to_dict()} for step in bad]
        for target in _installed_targets(manifest, agents):
            for name, record in sorted(manifest.skills(target.NAME).items()):
                rows.append(_status_row(where, target, name, record, cache))
    return rows, refused


def _status_row(where, target, name: str, record: mf.SkillRecord, cache) -> dict:
    row = {
        "scope": where.name,
        "agent": target.NAME,
        "skill": name,
        "version": record.version,
        "mode": record.mode,
        "source": record.source,
        "modified": [],
        "missing": [],
        "conflicts": [],
    }
    if record.link is not None:
        have = engine.read_link(where.root / record.link[0])
        row["paths"] = [where.show(record.link[0])]
        row["missing"] = [] if have is not None else [record.link[0]]
        row["modified"] = [record.link[0]] if have not in (None, record.link[1]) else []
    else:
        row.update(_file_states(where, target, record))
    row["update_available"] = _outdated(where, target, name, record, cache)
    return row


def _file_states(where, target, record: mf.SkillRecord) -> dict:
    try:
        disk = engine.read_disk(where, target, record.files)
    except YgsError as err:  # a linked folder on the way: not read
        return {"paths": [], "unreadable": err.message}
    mine = {p: r for p, r in record.files.items() if r.sha256}
    return {
        "paths": [where.show(p) for p in sorted(mine) if p.endswith(("SKILL.md", ".toml"))],
        "modified": sorted(
            p for p, r in mine.items() if disk[p] is not None and _sha(disk[p]) != r.sha256
        ),
        "missing": sorted(p for p in mine if disk[p] is None),
        "conflicts": sorted(
            p + NEW_SUFFIX
            for p, r in record.files.items()
            if r.pending and (where.root / (p + NEW_SUFFIX)).is_file()
        ),
    }


def _sha(data) -> str | None:
    return mf.sha256(data) if isinstance(data, bytes) else None


def _outdated(where, target, name: str, record: mf.SkillRecord, cache) -> bool | None:
    """Would `ygs update` change this skill? None when its source cannot be read."""
    if record.source not in cache:
        try:
            cache[record.source] = pack.load(record.source, validate=False)
        except YgsError:
            cache[record.source] = None
    skills = cache[record.source]
    if skills is None:
        return None
    skill = skills.get(name)
    if skill is None:
        return True
    if record.link is not None:
        return record.link[1] != str(skill.folder)
    try:
        wanted = {p: mf.sha256(d) for p, d in target.render(skill, where.name).items()}
    except YgsError:
        return None
    return wanted != {p: r.sha256 for p, r in record.files.items() if r.sha256}
