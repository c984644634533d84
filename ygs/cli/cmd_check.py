"""Deterministic checks: `ygs check` (lint the artifacts) and `ygs trace` (the
requirement -> task -> test graph and its gate)."""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated

from ygs.cli.output import emit, log, opts
from ygs.cli.reports import FAIL_ON, REPORT_FORMATS, choice, deliver
from ygs.errors import Exit, YgsError

if TYPE_CHECKING:  # the signatures' names: imported by `register`, see `_signature_names`
    import typer

    from ygs.cli.reports import FailOn, OutputForce, ReportFormat

TRACE_FORMATS = ("table", "json", "markdown", "mermaid", "sarif", "github")
MAX_TEST_FILE = 2_000_000


def register(app: typer.Typer) -> None:
    _signature_names()
    app.command("check")(check)
    app.command("trace")(trace)


def _signature_names() -> None:
    """typer reads the commands' signatures (strings, resolved in this module) when it
    builds the command line: the names they use are imported then, not with this module,
    so that `fast` answers `ygs check` without loading typer."""
    import typer

    from ygs.cli import reports

    names = {"ReportFormat": reports.ReportFormat, "FailOn": reports.FailOn}
    globals().update(typer=typer, OutputForce=reports.OutputForce, **names)


def fast(args: list[str]) -> int | None:
    """`ygs check` with no paths and only --changed, --fail-on and --format, run without
    building the typer command line (a warm check is mostly start-up); None for anything
    else, which the full command line then parses."""
    parsed = _plain_options(args, {"--fail-on": "must", "--format": "text"}, "--changed")
    if parsed is None:
        return None
    options, changed = parsed
    opts().command = "check"
    return check(None, options["--format"], options["--fail-on"], changed, None, None, False)


def trace_fast(args: list[str]) -> int | None:
    """`ygs trace` with only --gate and --format, as `fast` runs `ygs check`."""
    parsed = _plain_options(args, {"--format": "table"}, "--gate")
    if parsed is None:
        return None
    options, gate = parsed
    opts().command = "trace"
    return trace(options["--format"], gate, None, False)


def _plain_options(args: list[str], valued: dict[str, str], flag: str):
    """(the `valued` options, name -> value or default, and whether `flag` is there) of a
    command line with nothing else (`-f` is --format); None for anything else."""
    options, seen = dict(valued), False
    rest = iter(args)
    for arg in rest:
        name, eq, value = arg.partition("=")
        name = "--format" if name == "-f" and not eq else name
        if arg == flag:
            seen = True
        elif name in options and eq:
            options[name] = value
        elif name in options:
            given = next(rest, None)
            if given is None or given.startswith("-"):
                return None
            options[name] = given
        else:
            return None
    return options, seen


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Artifact files or folders to report on (default: all)."),
    ] = None,
    fmt: ReportFormat = "text",
    fail_on: FailOn = "must",
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Only artifacts changed since the merge-base with git.base_branch "
            "(staged ones when PRE_COMMIT is set).",
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", metavar="RULE", help="Print a rule's rationale ('all' lists)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
    ] = None,
    force: OutputForce = False,
) -> int:
    """Lint PRDs, TRDs, design docs, ADRs, threat models and tasks.

    Every finding has a rule id, a severity (MUST/SHOULD/MAY), `file:line` and
    a remedy. Rules are re-ranked or turned off in .ygs/config.yaml
    (check.rules: {PRD011: off}); one place is suppressed with
    <!-- ygs: ignore RULE reason -->. Exit 1 when a finding is at or above
    --fail-on (default must).
    """
    fmt = choice(fmt, REPORT_FORMATS, "--format")
    fail_on = choice(fail_on, FAIL_ON, "--fail-on")
    if explain is not None:
        return _explain(explain)
    from ygs import __version__
    from ygs.core.findings import fails
    from ygs.report import Report

    proj = _project_for(paths or [])
    with no_gc():
        result = _check_result(proj, paths or [], changed)
    opts().quick_exit = True  # what is left to do is the report
    findings = result["findings"]
    rules = result["rules"]
    if fmt == "sarif":  # SARIF lists every rule; the other formats only the ones used
        from ygs.core.lint import all_rules

        rules = all_rules()
    code = Exit.FINDINGS if fails(findings, fail_on) else Exit.OK
    lines = result["lines"]
    report = Report(
        "ygs check",
        findings,
        rules,
        __version__,
        fail_on,
        lambda path, line: lines.get((path, line), ""),
        checked=result["checked"],
    )
    extra = {"checked": result["checked"], "inputs": result["inputs"]}
    return deliver(report, fmt, output, code, extra, force=force)


@contextlib.contextmanager
def no_gc():
    """Parsing thousands of files allocates many small, acyclic objects: the cyclic
    collector only costs time then. Restored afterwards (commands also run in-process),
    with what the block made frozen: the first collection after it would walk all of it
    (~10 ms for 10,000 PRDs) just before the process ends. The next block lets it go."""
    was = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


def _overrides(proj):
    from ygs.core.catalogue import OverrideError, parse_overrides
    from ygs.core.lint import all_rules

    rules = all_rules()
    try:
        return parse_overrides(proj.config["check.rules"], rules)
    except OverrideError as err:
        where = proj.config.sources.get("check.rules", "")
        raise YgsError(
            err.message, path=where.split(": ", 1)[-1] or None, remedy=err.remedy
        ) from None


def _check_result(proj, paths: list[Path], changed: bool) -> dict:
    """Findings, line texts (for fingerprints), the count checked and input totals; a warm
    run whose inputs are all unchanged reads them from the result cache, and `--changed`
    after a few edits lints only those files against the last full check (`check.state`)."""
    from ygs.cache import MISS, ResultCache, inputs_key, refs_stamp
    from ygs.cache.incremental import Snapshot

    began = time.time()  # what changes from now on may not be what the lint reads
    scope_args = sorted(_relative(proj, p) for p in paths)
    full = not paths and not changed  # a full check: its state may be saved
    proj.note_folders = full  # the state marks the walk's folders (see `_save_state`)
    if changed:
        _need_repo(proj)
    cold = proj.lazy_stats = full and _uncached(proj)  # every file is read: stat'ed then
    seen = _status(proj, untracked=changed) if changed or full else None  # git starts now
    committed = _committed(proj) if changed and seen is not None else None  # and this
    # a cold check lints everything: what the state reads of git can start now too
    git = _git_for_state(proj, seen, began) if cold else None
    merges = _spike_merges(proj)
    if not _state_path(proj).exists():  # no state to spare the walk: walk while git works
        proj.artifact_entries  # noqa: B018
    merges = merges()
    settings = _settings(proj, merges)
    # a cold run found no cache: a state that another run writes meanwhile is not read
    # (this walk took no stats to compare with it): only the full lint below answers
    state = _load_state(proj, settings) if seen is not None and not cold else None
    files = _since(proj, state, seen) if state is not None else None
    changed_files = sorted(_changed(proj, seen() if seen else None, committed)) if changed else None
    walked = files is None
    # --changed also reads what git compares with (the lines a change removed)
    refs = refs_stamp(proj.root) if changed else None
    cache = ResultCache(proj.root, "check")
    if not cold:  # else no result is cached
        if walked:
            files = Snapshot.of(proj.artifact_entries)
        key = inputs_key("check", settings, files.key(), scope_args, changed_files, refs)
        cached = cache.get(key, files.newest())
        if cached is not MISS and all(
            (proj.root / p).exists() == was for p, was in cached["exists"].items()
        ):
            return cached
    result = None
    if (changed_files is not None or not paths) and not cold:
        result = _relint(proj, paths, changed_files, files, settings, merges, state)
    if result is None:
        if git is None and full:  # runs while the lint does
            git = _git_for_state(proj, seen, began)
        if full and not walked:  # the state could not answer: walk, for the next one
            files = Snapshot.of(proj.artifact_entries)
        result, index, known = _lint_index(proj, paths, changed_files, _overrides(proj), merges)
        if cold:  # the files as they were read
            proj.fill_stats()
            files = Snapshot.of(proj.artifact_entries)
            key = inputs_key("check", settings, files.key(), scope_args, changed_files, refs)
        if full:
            _save_state(proj, files, result, settings, index, known, git)
    cache.put(key, result)
    return result


def _uncached(proj) -> bool:
    """Whether no check has left its state or result here. The catalogue's cache (which
    other commands write too) does not count: at scale, the workers of a cold check parse
    the files as fast as the parent would read that cache, and hold far less."""
    folder = _state_path(proj).parent
    return not any((folder / name).exists() for name in ("check.state", "check.result"))


def _settings(proj, merges) -> bytes:
    """A digest of what the findings depend on besides the artifact files."""
    from datetime import date

    from ygs.cache import inputs_key

    return inputs_key(
        "check",
        str(proj.root),
        proj.config["paths.docs"],
        proj.config["paths.tasks"],
        _stat(proj.root / "CONTEXT.md"),
        repr(proj.config["check.rules"]),
        date.today().isoformat(),  # time boxes (SPK001) depend on the day
        repr(merges),  # merged spike branches (SPK002) come from git history
    )


def _state_path(proj) -> Path:
    from ygs.cache import cache_dir

    return cache_dir(proj.root, proj.env) / "check.state"


def _save_state(proj, files, result: dict, settings: bytes, index, known=None, git=None) -> None:
    """Keep the full check's state (`known`: the interfaces and TRD mentions worker
    processes computed, when the catalogue holds no texts; `git`: `_git_for_state`)."""
    from ygs.cache import enabled
    from ygs.cache.incremental import State, mark

    if enabled(proj.env):
        faces, watched = known or (None, None)
        state = State.build(index.catalog, files, result, settings, index, faces, watched)
        if state is not None:
            started, began = git or (None, None)
            listing = proj.artifact_listing
            if proj.walked_folders is not None:  # the walk that gave `files` noted them
                listing = _as_walked(proj.walked_folders, files.entries)
            roots = _roots(proj)
            state.git = mark(proj.root, files, proj.plain_files, roots, listing, started, began)
            state.save(_state_path(proj), proj.env)


def _as_walked(folders: list, entries: str):
    """`Project.artifact_listing` as the walk saw it: its folders (with their mtimes, taken
    before each was listed) and the paths it found; the listing need not be read again."""

    def listing(out: list) -> str:
        out.extend(folders)
        return entries

    return listing


def _git_for_state(proj, seen, began: float):
    """What the state's GitMark reads of git, started before the files are read: the
    status `seen` (begun with the check, untracked files not listed) and the tracked files;
    and `began`, when the check began. None without git, or without a cache to keep the
    state in."""
    from ygs import repo
    from ygs.cache import enabled

    if seen is None or not enabled(proj.env):
        return None
    return (seen, repo.tracked_started(proj.root, _roots(proj))), began


def _roots(proj) -> tuple[str, ...]:
    """The folders the artifact walk reads, as git pathspecs."""
    return tuple(top for top, _keep in proj.artifact_roots)


def _load_state(proj, settings: bytes):
    """The last full check's state, or None."""
    from ygs.cache import MISS, enabled
    from ygs.cache.incremental import State

    if not enabled(proj.env):
        return None
    state = State.load(_state_path(proj), settings, proj.env)
    return None if state is MISS else state


def _status(proj, *, untracked: bool):
    """`git status` of the artifact folders, started: call it for its `ygs.repo.Status`
    (None when git cannot tell). None without git. `untracked`: list untracked files too
    (`--changed` checks them; what changed since the last full check does not need them:
    the folder listing sees new files)."""
    from ygs import repo

    if not repo.git_available() or repo.toplevel(proj.root) is None:
        return None
    return repo.status_started(proj.root, _roots(proj), untracked=untracked)


def _since(proj, state, seen):
    """The artifact files now, from the state and `git status` (`seen`) without looking
    at each one; None when a walk is needed (`ygs.cache.incremental.since`)."""
    from ygs.cache.incremental import since

    return since(proj.root, state, proj.artifact_listing, seen, _roots(proj))


def _relint(proj, paths, changed_files, files, settings, merges, state=None) -> dict | None:
    """A full check, or `--changed`, from the last full check (`state`, else read now),
    linting again only the files edited since (`ygs.cache.incremental`); None when that
    state cannot answer. Without git the state is read only here, past the result cache."""
    from ygs.cache.incremental import full_inputs, relint

    state = state or _load_state(proj, settings)
    if state is None:
        return None
    also = changed_files or ()
    update = relint(proj, state, files, also, lambda: _overrides(proj), merges)
    if update is None:
        return None
    if changed_files is None:  # the whole project
        inputs = full_inputs(state, update)
        if inputs is None:
            return None
        log(f"ygs: {len(update.dirty)} file(s) edited since the last full check", level=1)
        return _from_state(state, state.full_findings(), state.lines, len(state.artifacts), inputs)
    scope = _scope(proj, state.known, paths, changed_files)
    everything = state.full_findings()
    findings = [f for f in everything if f.path in scope]
    others = [f for f in everything if f.path not in scope and f.rule in CROSS_RULES]
    if others:  # the change may have given other files these findings
        mine = [a for a in update.catalog.artifacts if a.path in scope]
        touched = _touched(proj, mine)
        findings = [f for f in everything if f.path in scope or about(f, touched)]
    log(
        f"ygs: {len(update.dirty)} file(s) edited since the last full check, linted again "
        "against it",
        level=1,
    )
    lines = {k: v for k, v in state.lines.items() if k[0] in scope}
    inputs = inputs_summary(update.catalog, update.index, scope)
    return _from_state(state, findings, lines, len(scope), inputs)


def _from_state(state, findings: list, lines: dict, checked: int, inputs: dict) -> dict:
    """A check result answered from the last full check's state."""
    return {
        "findings": findings,
        "rules": {f.rule: state.rules[f.rule] for f in findings if f.rule in state.rules},
        "lines": lines,
        "checked": checked,
        "inputs": inputs,
        "exists": dict(state.exists),
    }


# Rules whose findings in one file can come from another: `--changed` reports them in
# any file when they name an id the changed files define or mention, or no longer do.
CROSS_RULES = frozenset(
    {"ART003", "ART004", "ART005", "TRD002", "TRD005", "TSK004", "TSK005", "ADR002"}
)
# Frontmatter keys whose values name other artifacts (what ART004, ADR002, TSK004 and the
# TRD rules look up).
LINK_KEYS = ("satisfies", "mitigates", "depends_on", "supersedes", "superseded_by", "prd")
_QUOTED = re.compile(r"'([^'\n]{1,200})'")
MAX_TOUCHED = 500
_DUPLICATE = re.compile(r"^duplicate id (\S+):")
_REMOVED_ID = re.compile(r"^-\s*id:\s*(\S+)", re.MULTILINE)


def _touched(proj, changed) -> frozenset[str]:
    """The ids and names the changed artifacts define or mention, and those the change
    removed from them (the lines git shows as removed)."""
    from ygs.cache.incremental import leaves
    from ygs.core.artifacts import ID_RE, definitions
    from ygs.core.lint.context import normal_id

    found: set[str] = set()
    for artifact in changed:
        found.add(artifact.id)
        found.update(d.id for d in definitions(artifact))
        found.update(m.group(0) for m in ID_RE.finditer(artifact.text))
        found.update(v for k in LINK_KEYS if k in artifact.meta for v in leaves(artifact.meta[k]))
    removed = "\n".join(line for line in _changed_lines(proj).split("\n") if line[:1] == "-")
    found.update(m.group(0) for m in ID_RE.finditer(removed))
    found.update(_REMOVED_ID.findall(removed))
    found.discard("")
    return frozenset(found | {normal_id(x) for x in found})


def _naming(touched: frozenset[str]):
    """A test of whether a text names one of `touched` as a whole word (any text does,
    past MAX_TOUCHED of them: every file is linted then)."""
    words = sorted(touched, key=len, reverse=True)
    if not words:
        return lambda _text: False
    if len(words) > MAX_TOUCHED:
        return lambda _text: True
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")

    def named(text: str) -> bool:
        return any(w in text for w in words) and pattern.search(text) is not None

    return named


def about(finding, touched: frozenset[str]) -> bool:
    """A cross-file finding that names one of the `touched` ids."""
    if finding.rule not in CROSS_RULES:
        return False
    from ygs.core.artifacts import ID_RE

    message = finding.message
    names = {m.group(0) for m in ID_RE.finditer(message)}
    names.update(_QUOTED.findall(message))
    names.update(_DUPLICATE.findall(message))
    return not names.isdisjoint(touched)


def _spike_merges(proj):
    """(commit, branch) of the spike merges on the base branch (SPK002), started now and
    answered when called (git works while the files are walked). git is asked only when
    the refs changed since the last run: a warm check spawns no process."""
    from ygs.cache import MISS, ResultCache, inputs_key, refs_stamp

    base = proj.config["git.base_branch"]
    stamp = refs_stamp(proj.root)
    cache = ResultCache(proj.root, "spike-merges", proj.env)
    key = inputs_key("spike-merges", base, stamp)
    if stamp is not None:
        cached = cache.get(key, max((s[2] for s in stamp), default=0))
        if cached is not MISS:
            return lambda: cached
    from ygs.plan.spike import merged_spike_branches_started

    started = merged_spike_branches_started(proj.root, base)

    def answer() -> tuple[tuple[str, str], ...]:
        merges = tuple(tuple(m) for m in started())
        if stamp is not None:
            cache.put(key, merges)
        return merges

    return answer


def _source(catalog):
    """(path, line) -> that line's text, for fingerprints that survive line moves."""
    texts = {a.path: a.text for a in catalog.artifacts}
    cache: dict[str, list[str]] = {}

    def line_text(path: str, line: int | None) -> str:
        if path not in texts or not line:
            return ""
        lines = cache.get(path)
        if lines is None:  # split each file once (setdefault would split on every call)
            lines = cache[path] = texts[path].split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""

    return line_text


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _lint_index(proj, paths: list[Path], changed_files, overrides, merges=()) -> tuple:
    """The check's result, the Index it was computed with, and (after a cold check over
    worker processes, whose catalogue holds no texts) the files' interfaces and what the
    TRDs mention, for the state; else None."""
    from ygs.core.lint import lint
    from ygs.core.lint.common import NOTHING_CHECKED
    from ygs.core.specs import Index

    if not paths and changed_files is None and proj.extra is None:
        from ygs.cache import cold

        done = cold.check(proj, overrides, merges)
        if done is not None:
            return _cold_result(proj, done), done.index, (done.faces, done.watched)
    catalog = proj.catalog
    index = Index(catalog)
    known = {a.path for a in catalog.artifacts} | {f.path for f in catalog.findings}
    scope = _scope(proj, known, paths, changed_files)
    seen: dict[str, bool] = {}

    def exists(rel: str) -> bool:
        if rel not in seen:
            seen[rel] = (proj.root / rel).exists()
        return seen[rel]

    from ygs.core.lint.context import SpikeMerge

    merges = [SpikeMerge(*m) for m in merges]

    def fan_out(items: list, work) -> list:
        from ygs.cache import parallel

        def work_and_seen(part: list):  # what a worker learnt of the files that exist, too
            return work(part), seen

        results = parallel.fan_out(items, work_and_seen, merge=list)
        for _, found in results:
            seen.update(found)
        return [result for result, _ in results]

    related: set[str] = set()
    if changed_files is not None:  # and the files the change may have given findings
        mine = [a for a in catalog.artifacts if a.path in scope]
        touched = _touched(proj, mine)
        defs = catalog.definitions()
        named = _naming(touched)
        related = {
            a.path
            for a in catalog.artifacts
            if a.path not in scope and (any(d.id in touched for d in defs[a.path]) or named(a.text))
        }
    findings = lint(
        catalog,
        exists=exists,
        overrides=overrides,
        paths=scope | related if scope is not None else None,
        index=index,
        spike_merges=merges,
        fan_out=fan_out,
    )
    if related:
        findings = [f for f in findings if f.path in scope or about(f, touched)]
    checked = len(scope) if scope is not None else len(catalog.artifacts)
    if not catalog.artifacts and not catalog.findings:
        findings.append(NOTHING_CHECKED.at(".", None, f"nothing was checked: {_looked(proj)}"))
    line_text = _source(catalog)
    lines = {(f.path, f.line): line_text(f.path, f.line) for f in findings if f.line}
    from ygs.core.lint import all_rules

    known = all_rules()
    return (
        {
            "findings": findings,
            "rules": {f.rule: known[f.rule] for f in findings if f.rule in known},
            "lines": lines,
            "checked": checked,
            "inputs": inputs_summary(catalog, index, scope),
            "exists": seen,
        },
        index,
        None,
    )


def _cold_result(proj, done) -> dict:
    """`_lint_index`'s result from a cold check (`ygs.cache.cold`)."""
    from ygs.core.lint import all_rules
    from ygs.core.lint.common import NOTHING_CHECKED

    catalog = done.index.catalog
    findings = done.findings
    if not catalog.artifacts and not catalog.findings:
        findings.append(NOTHING_CHECKED.at(".", None, f"nothing was checked: {_looked(proj)}"))
    known = all_rules()
    return {
        "findings": findings,
        "rules": {f.rule: known[f.rule] for f in findings if f.rule in known},
        "lines": done.lines,
        "checked": len(catalog.artifacts),
        "inputs": inputs_summary(catalog, done.index),
        "exists": done.exists,
    }


def inputs_summary(catalog, index, scope=None) -> dict:
    """What the check read: documents by format, requirements, stories and scenarios (with
    a scope, counted from those files alone, so `--changed` parses nothing else)."""
    from collections import Counter
    from operator import itemgetter

    from ygs.core.specs import tally

    read = catalog.artifacts if scope is None else [a for a in catalog.artifacts if a.path in scope]
    docs = Counter(a.format for a in read)
    if scope is None:  # the others' requirements are counted below
        tallies = [index.tally_in(a.path) for a in read if a.kind == "prd"]
    else:
        tallies = [
            index.tally_in(a.path)  # what the lint already counted
            if a.parsed is None and a.kind == "prd"
            else tally(
                (r.kind, len(r.scenarios), ())
                for r in (a.parsed.reqs if a.parsed is not None else index.requirements_in(a.path))
                if r.kind != "criterion" and getattr(r, "op", "") in ("", "ADDED")
            )
            for a in read
            if a.parsed is None or not a.parsed.archived
        ]
    totals = [sum(map(itemgetter(i), tallies)) for i in range(3)]
    imported = set().union(*(t[3] for t in tallies if t[3]))
    foreign = (0, 0, 0)
    if scope is None:
        from ygs.core.formats.join import count

        foreign = count(catalog.artifacts, frozenset(imported))
    return {
        "documents": sum(docs.values()),
        "by_format": dict(sorted(docs.items())),
        "requirements": totals[0] + foreign[0],
        "stories": totals[1] + foreign[1],
        "scenarios": totals[2] + foreign[2],
    }


def _looked(proj) -> str:
    """Where ygs looked, for messages about finding nothing."""
    from ygs.core.formats import FOREIGN_ROOTS

    roots = [proj.layout.docs, proj.layout.tasks, "openspec", "specs/NNN-*", FOREIGN_ROOTS[-1]]
    found = [f for f in _stray_markdown(proj)]
    note = f"; markdown there that is not an artifact: {', '.join(found)}" if found else ""
    return f"no artifacts under {', '.join(r + '/' for r in roots)} of {proj.root}{note}"


def _stray_markdown(proj, limit: int = 3) -> list[str]:
    found = []
    base = proj.root / proj.layout.docs
    if base.is_dir():
        for path in sorted(base.rglob("*.md")):
            found.append(proj.rel(path))
            if len(found) >= limit:
                break
    return found


def _project_for(paths: list[Path]):
    """The project; for `ygs check sub/docs` in a monorepo, the one that holds those paths
    when they lie in a nested project (a folder with its own docs/prd, openspec/, …)."""
    from ygs.project import Project, find_root

    proj = _project()
    if not paths:
        return proj
    roots = set()
    for path in paths:
        full = (path if path.is_absolute() else opts().cwd / path).resolve()
        if not full.exists():
            raise YgsError(f"{path} does not exist", path=str(path), remedy="check the path")
        start = full if full.is_dir() else full.parent
        roots.add(find_root(start))
    if len(roots) == 1:
        (nested,) = roots
        if nested != proj.root and proj.root in nested.parents:
            log(f"ygs: checking the project at {proj.rel(nested)}", level=1)
            return Project.at(nested)
    return proj


def _explain(rule_id: str) -> int:
    from ygs.core.lint import all_rules

    rules = all_rules()
    if rule_id.lower() == "all":
        items = sorted(rules.values(), key=lambda r: (r.family, r.id))

        def listing(console) -> None:
            for r in items:
                console.print(
                    f"{r.id}  {r.severity.value:<6} {r.family:<12} {r.title}", markup=False
                )

        return emit({"rules": [r.to_dict() for r in items]}, listing)
    rule = rules.get(rule_id.strip().upper())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), list(rules), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise YgsError(f"unknown rule '{rule_id}'", remedy=hint + "`ygs check --explain all`")
    return emit(
        {"rule": rule.to_dict()}, lambda console: console.print(rule.explain(), markup=False)
    )


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _scope(proj, known, paths: list[Path], changed: list[str] | None) -> set[str] | None:
    """The artifact paths to report on (of the `known` ones), or None for all of them."""
    scope: set[str] | None = None
    if paths:
        prefixes = [_relative(proj, p) for p in paths]
        scope = {k for k in known if any(_under(k, p) for p in prefixes)}
        for prefix in prefixes:
            if (proj.root / prefix).is_file() and prefix not in known:
                log(f"ygs: {prefix} is not an artifact (docs/<type>/ or tasks/<status>/): skipped")
    if changed is not None:
        files = set(changed)
        scope = (known if scope is None else scope) & files
        log(f"ygs: {len(scope)} changed artifact(s)", level=1)
    return scope


def _under(path: str, prefix: str) -> bool:
    return prefix in ("", ".") or path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _relative(proj, path: Path) -> str:
    full = (path if path.is_absolute() else opts().cwd / path).resolve()
    if not full.exists():
        raise YgsError(f"{path} does not exist", path=str(path), remedy="check the path")
    try:
        return full.relative_to(proj.root).as_posix()
    except ValueError:
        raise YgsError(
            f"{path} is outside the project at {proj.root}",
            path=str(path),
            remedy="run ygs from the project (or -C DIR)",
        ) from None


def _need_repo(proj) -> None:
    from ygs import repo

    if not proj.is_git and repo.toplevel(proj.root) is None:
        raise YgsError(
            "--changed needs a git repository", remedy="run `git init`, or drop --changed"
        )
    repo.require_git("--changed")


def _changed(proj, seen=None, committed=None) -> list[str]:
    """The files `--changed` checks. From the work tree: those commits since the fork
    point changed (`committed()`, when `_committed` started it) and those `git status`
    (`seen`) lists, less the deleted ones."""
    from ygs import repo

    _need_repo(proj)
    between, staged = _comparison()
    base = proj.config["git.base_branch"]
    if between:
        return repo.changed_between(proj.root, *between)
    if seen is not None and seen.head and not staged:
        if committed is None:
            committed = _committed(proj)
        found = committed() if committed is not None else None
        if found is not None:
            return sorted((found | seen.listed) - seen.deleted)
    return repo.changed_files(proj.root, base, staged=staged)


def _committed(proj):
    """What commits since the fork point changed, started now (see `_changed`); None when
    `--changed` compares something else (pre-commit's refs or the index)."""
    from ygs import repo

    between, staged = _comparison()
    if between or staged:
        return None
    return repo.committed_since_fork_started(
        proj.root, proj.config["git.base_branch"], _roots(proj)
    )


def _changed_lines(proj) -> str:
    """The lines `_changed`'s comparison adds and removes (a diff without context)."""
    from ygs import repo

    between, staged = _comparison()
    if between:
        return repo.changed_lines(proj.root, "", staged=False, between=between)
    return repo.changed_lines(proj.root, proj.config["git.base_branch"], staged=staged)


def _comparison() -> tuple[tuple[str, str] | tuple[()], bool]:
    """What `--changed` compares: pre-commit's (from, to) refs when it names them, else
    the index (under pre-commit) or the work tree, against the base branch."""
    env = os.environ
    if env.get("PRE_COMMIT_FROM_REF") and env.get("PRE_COMMIT_TO_REF"):
        return (env["PRE_COMMIT_FROM_REF"], env["PRE_COMMIT_TO_REF"]), False
    return (), bool(env.get("PRE_COMMIT"))


# ---------------------------------------------------------------- trace


def trace(
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="table, json, markdown, mermaid (gate findings: sarif, github)."
        ),
    ] = "table",
    gate: Annotated[
        bool,
        typer.Option(
            "--gate",
            help="Exit 1 when a MUST requirement has no task or no test, a High threat has no "
            "mitigation, or a task satisfies an unknown requirement.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the output to FILE (a table as markdown)."),
    ] = None,
    force: OutputForce = False,
) -> int:
    """Traceability: requirements -> TRD decisions -> tasks -> tests -> commits,
    and threats -> mitigations -> tasks -> tests.

    Tests declare what they cover with a `covers: REQ-003` comment (any
    language) or `@pytest.mark.covers("REQ-003")`; test files are found by the
    `trace.tests` globs. Commits count when their message names a TASK or REQ id.
    """
    fmt = choice(fmt, TRACE_FORMATS, "--format")
    proj = _project()
    with no_gc():  # on to the output: the graph's many objects are not cyclic garbage
        return _trace(proj, fmt, gate, output, force)


def _trace(proj, fmt: str, gate: bool, output: Path | None, force: bool) -> int:
    from ygs.core import trace as tr

    graph, unreadable = _trace_graph(proj)
    opts().quick_exit = True  # what is left to do is the output
    # where ygs looked (a walk of the docs) is named only when nothing was found
    looked = _looked(proj) if gate and not graph.requirements and not graph.threats else ""
    rows = tr.gate_rows(graph, looked) if gate else []  # the gate's findings, as tuples
    code = Exit.FINDINGS if gate and (unreadable or rows) else Exit.OK
    if fmt in ("sarif", "github") and not opts().json:
        return deliver(_trace_report(unreadable, rows), fmt, output, code, {}, force=force)
    if opts().json or fmt == "json":
        data = {**graph.to_dict(), "gate": _gate_data(unreadable, rows, gate)}
        opts().json = True  # --format json is --json
        if output is not None:
            _write(output, _json(data), force)
        return emit(data, None, code)
    if fmt == "table" and output is None:
        return _show_table(graph, gate, unreadable, rows, code)
    text = tr.mermaid(graph) if fmt == "mermaid" else tr.markdown(graph)
    if gate and fmt != "mermaid":
        from ygs.report import render

        text += "\n" + render("markdown", _trace_report(unreadable, rows))
    if output is not None:
        _write(output, text, force)  # the table is for terminals: a file gets markdown
    if fmt == "table":
        return _show_table(graph, gate, unreadable, rows, code)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return code


def _trace_report(unreadable: list, rows: list):
    from ygs import __version__
    from ygs.core import trace as tr
    from ygs.core.lint import all_rules
    from ygs.report import Report

    problems = [*unreadable, *tr.findings_of(rows)]
    return Report("ygs trace", problems, all_rules(), __version__)


def _trace_graph(proj):
    """`_build_trace_graph`, or the graph it built last time when none of its inputs has
    changed since (`trace.result`): the artifact files, the test files, the settings it
    reads, CONTEXT.md and git's refs, each by path, size and mtime. Without a plain `.git`
    folder at the root (whose refs tell when a commit was made) nothing is kept."""
    from ygs.cache import MISS, ResultCache, inputs_key, refs_stamp
    from ygs.cache.incremental import Snapshot
    from ygs.core import trace as tr
    from ygs.project import CONTEXT_FILE

    stamp = refs_stamp(proj.root)
    if stamp is None:
        graph, unreadable = _build_trace_graph(proj)
    else:
        files = Snapshot.of(proj.artifact_entries)
        tests = Snapshot.of(find_test_entries(proj.root, proj.config["trace.tests"], proj.layout))
        config = [repr(proj.config[k]) for k in _TRACE_SETTINGS]  # never a key or token
        context = _stat(proj.root / CONTEXT_FILE)
        key = inputs_key("trace", str(proj.root), config, context, stamp, files.key(), tests.key())
        cache = ResultCache(proj.root, "trace", proj.env)
        found = cache.get(key, max(files.newest(), tests.newest(), (context or (0, 0))[1]))
        if found is MISS:
            graph, unreadable = _build_trace_graph(proj)
            cache.put(key, (tr.frozen(graph), unreadable))
        else:
            graph, unreadable = tr.thawed(found[0]), found[1]
            _log_unreadable(unreadable)
    return graph, unreadable


# the settings the trace graph depends on (the paths give the layout)
_TRACE_SETTINGS = ("paths.docs", "paths.tasks", "trace.tests", "trace.skip_statuses")


def _build_trace_graph(proj):
    """`build_trace` for the command, over the slim catalogue and the requirement rows
    of `ygs.cache.traced` (kept in caches of the trace's own, or parsed over worker
    processes)."""
    from ygs.cache import traced
    from ygs.core.specs import Index

    proj.extra = prd_requirements  # computed as each file is parsed
    catalog, ready = traced.parse(proj, _without_fields)
    graph = build_trace(
        proj, catalog, Index(catalog), with_commits=True, keep_fields=False, ready=ready
    )
    return graph


def _gate_data(unreadable: list, rows: list, gate: bool) -> dict:
    """The gate's part of `trace --json`: its findings as `Finding.to_dict` gives them."""
    from collections import Counter

    from ygs.core.findings import Severity
    from ygs.core.lint import all_rules

    found = [f.to_dict() for f in unreadable]
    rules = all_rules()
    found += [
        {
            "rule": rule,
            "severity": rules[rule].severity.value,
            "path": path,
            "line": line,
            "message": message,
            "remedy": remedy,
        }
        for path, _, rule, message, line, remedy in rows
    ]
    tally = Counter(f["severity"] for f in found)
    return {
        "enabled": gate,
        "passed": not found,
        "counts": {s.value: tally.get(s.value, 0) for s in Severity},
        "findings": found,
    }


def _json(data: dict) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _write(output: Path, text: str, force: bool) -> None:
    from ygs.cli.reports import write_output

    write_output(output, text, force=force)
    log(f"ygs: wrote {output}")


def _show_table(graph, gate: bool, unreadable: list, rows: list, code: int) -> int:
    """The trace as tables on a terminal (rich, when they fit), else as plain lines
    written a few thousand at a time, without rich."""
    from ygs.cli.render import plain_stdout, write_lines

    if not plain_stdout():
        return emit({}, lambda console: _trace_table(console, graph, gate, unreadable, rows), code)
    opts().emitted = True  # as `emit` notes it
    write_lines(_plain_trace(graph, gate, unreadable, rows))
    return code


def _trace_table(console, graph, gate: bool, unreadable: list, rows: list) -> None:
    from ygs.cli.render import findings, table
    from ygs.core import trace as tr

    if graph.requirements:
        table(console, tr.REQ_COLUMNS, tr.requirement_rows(graph), title="Requirements")
    else:
        console.print(NO_REQUIREMENTS)
    if graph.threats:
        table(console, tr.THREAT_COLUMNS, tr.threat_rows(graph), title="Threats")
    for line in tr.summary_lines(graph):
        console.print(line, markup=False)
    if gate:
        findings(console, [*unreadable, *tr.findings_of(rows)])
        console.print(_gate_line(unreadable or rows), markup=False)


def _plain_trace(graph, gate: bool, unreadable: list, rows: list):
    """The lines `_trace_table` prints when stdout is no terminal."""
    from ygs.cli.render import plain_findings, plain_rows, plain_table
    from ygs.core import trace as tr

    if graph.requirements:
        yield from plain_table(tr.REQ_COLUMNS, tr.requirement_rows(graph), "Requirements")
    else:
        yield NO_REQUIREMENTS + "\n"
    if graph.threats:
        yield from plain_table(tr.THREAT_COLUMNS, tr.threat_rows(graph), "Threats")
    for line in tr.summary_lines(graph):
        yield line + "\n"
    if gate:
        yield from plain_findings(unreadable)
        yield from plain_rows(rows)
        yield _gate_line(unreadable or rows) + "\n"


NO_REQUIREMENTS = "No requirements yet (PRD `### REQ-NNN: title` sections)."


def _gate_line(failed) -> str:
    return "Gate: " + ("FAILED." if failed else "passed.")


def build_trace(proj, catalog, index, *, with_commits: bool, keep_fields: bool = True, ready=None):
    """The trace graph for a project, plus the input errors that make it incomplete.
    `keep_fields`: the requirements in `index` keep the fields besides the heading and
    priority that readers of the index use (`TRACE_FIELDS`); the graph needs none.
    `ready`: PRD path -> its requirement rows (`prd_requirements`), already cached (taken
    from it as they are read)."""
    from ygs.core import trace as tr

    files, tests = _test_refs(proj)
    commits = []
    if with_commits:
        from ygs import repo

        if repo.toplevel(proj.root) is not None and repo.git_available():
            commits = tr.parse_commits(repo.commit_messages(proj.root))
    _prd_requirements(proj, catalog, index, keep_fields, ready or {})
    graph = tr.build(index, tests, commits, proj.config["trace.skip_statuses"])
    graph.tests_scanned = len(files)
    graph.commits_scanned = len(commits)
    _log_unreadable(catalog.input_errors)
    return graph, list(catalog.input_errors)


def _log_unreadable(unreadable: list) -> None:
    if unreadable:
        log(f"ygs: {len(unreadable)} artifact(s) could not be read: the graph is incomplete")
        for finding in unreadable:
            log(f"  {finding.location}: {finding.rule}: {finding.message}")


def _prd_requirements(proj, catalog, index, keep_fields: bool, ready: dict) -> None:
    """Hand `index` each PRD's requirements as trace keeps them (`prd_requirements`): those
    in `ready`, those the catalogue computed as it parsed, an unchanged file's from the
    cache (`requirements.cache`), so trace re-reads only the edges of changed files; the
    others parsed, over worker processes when there are many."""
    from ygs.cache import MISS, parallel

    prds = catalog.of_kind("prd")
    found = {
        a.path: _requirements(a, ready.pop(a.path), keep_fields) for a in prds if a.path in ready
    }
    if len(found) == len(prds):
        index.learn_requirements(found)
        return
    cache = requirements_cache(proj)
    stats = dict(proj.artifact_entries)
    extras = proj.extras if proj.extra is prd_requirements else {}
    todo = []
    for artifact in prds:
        path = artifact.path
        if path in found:
            continue
        st = stats.get(path)
        ready_here = extras.get(path)
        if ready_here is not None:
            found[path] = _requirements(artifact, ready_here[1], keep_fields)
            if isinstance(st, os.stat_result):
                cache.put_digest(path, st, ready_here[0], ready_here[1])
            continue
        value = cache.get(path, st) if isinstance(st, os.stat_result) else MISS
        if value is MISS:
            todo.append(artifact)
        else:
            found[path] = _requirements(artifact, value, keep_fields)

    def work(part: list) -> list:
        return [prd_requirements(a) for a in part]

    for artifact, rows in zip(todo, parallel.fan_out(todo, work), strict=True):
        found[artifact.path] = _requirements(artifact, rows, keep_fields)
        st = stats.get(artifact.path)
        if isinstance(st, os.stat_result):
            cache.put(artifact.path, st, artifact.text.encode("utf-8"), rows)
    cache.save()
    extras.clear()  # handed over
    index.learn_requirements(found)


def requirements_cache(proj):
    """The FileCache of each PRD's requirement rows (`prd_requirements`)."""
    from ygs.cache import FileCache

    layout = proj.layout
    return FileCache.open(proj.root, "requirements", (layout.docs, layout.tasks, 3), proj.env)


# The fields of a requirement without any: one, read-only, for all of them
_NO_FIELDS: Mapping = MappingProxyType({})
# The fields of a requirement that what reads the trace's index uses besides its heading and
# priority (the ship evidence: failure modes); the others, and its scenarios, are not kept.
TRACE_FIELDS = ("failure mode",)


def prd_requirements(artifact) -> tuple | None:
    """A PRD's requirements as trace keeps them, in plain tuples (quick to pickle; the
    artifact's path, id and status left out): without the fields and scenarios it does not
    read. None for another kind of artifact."""
    if artifact.kind != "prd":
        return None
    # per file: `import a.b as b`, not `from a.b import x`, which in CPython 3.11 costs a
    # formatted AttributeError (the module's missing __path__) on every call
    import ygs.core.markdown as markdown
    import ygs.core.specs as specs

    rows = []
    for r in specs.requirements_of(artifact, markdown.Doc(artifact.body, artifact.body_line)):
        fields, kept = r.fields, ()
        for k in TRACE_FIELDS:  # a loop, not a generator: 50,000 requirements at scale
            if k in fields:
                kept += ((k, *fields[k]),)
        rows.append(
            (r.id, r.title, r.line, r.priority, kept, r.format, r.kind, r.aliases, r.inferred)
        )
    return tuple(rows)


def _without_fields(rows: tuple | None) -> tuple | None:
    """`prd_requirements` rows without the fields, which the trace graph does not read."""
    if rows is None:
        return None
    return tuple((*row[:4], (), *row[5:]) for row in rows)


def _requirements(artifact, rows: tuple, keep_fields: bool = True) -> tuple:
    """The Requirements `prd_requirements` describes (without fields unless `keep_fields`)."""
    import ygs.core.markdown as markdown  # per file: see `prd_requirements`
    import ygs.core.specs as specs

    path, prd, status = artifact.path, artifact.id, artifact.status
    make, Field = specs.Requirement._make, markdown.Field
    return tuple(
        make(
            (
                ident,
                title,
                path,
                line,
                prd,
                status,
                priority,
                {k: Field(*field) for k, *field in fields}
                if fields and keep_fields
                else _NO_FIELDS,
                (),
                fmt,
                kind,
                aliases,
                inferred,
            ),
        )
        for ident, title, line, priority, fields, fmt, kind, aliases, inferred in rows
    )


def _test_refs(proj) -> tuple[list[str], list]:
    """The test files and their `covers:` lines; unchanged files come from the cache."""
    from ygs.cache import MISS, FileCache
    from ygs.core import trace as tr
    from ygs.store import Unreadable, read_bytes

    globs = proj.config["trace.tests"]
    cache = FileCache.open(proj.root, "tests", tuple(globs), proj.env)
    files, refs = [], []

    def compute(rel: str):
        def scan(data: bytes):
            if b"\0" in data[:1024]:
                return None
            return tuple(tr.scan_tests([(rel, data.decode("utf-8", "replace"))]))

        return scan

    for rel, st in find_test_entries(proj.root, globs, proj.layout):
        path = proj.root / rel
        read = lambda p=path: read_bytes(p, within=proj.root, limit=MAX_TEST_FILE)  # noqa: E731
        try:  # regular files inside the project only: never a FIFO or a link out
            value = cache.fetch(rel, st, path, compute(rel), read=read)
        except Unreadable:
            continue
        if value is not MISS and value is not None:
            files.append(rel)
            refs.extend(value)
    cache.save()
    return files, refs


def glob_regex(pattern: str) -> re.Pattern:
    """A path glob where `**/` spans folders, `*` and `?` stay inside one.

    Linear on hostile globs: repeated `**/` collapse into one, and a `*` followed by text and
    another `*` in the same folder takes the first place the text fits, atomically (as
    `fnmatch` does), so `*a*a*a*b` cannot try every split of a long name.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            if not out or out[-1] != "(?:.*/)?":
                out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            text, end = _glob_text(pattern, i + 1)
            if text and pattern.startswith("*", end) and not pattern.startswith("**", end):
                out.append(f"(?>[^/]*?{text})")
                i = end
            else:
                out.append("[^/]*")
                i += 1
        else:
            text, i = _glob_text(pattern, i)
            out.append(text)
    return re.compile("".join(out) + r"\Z")


def _glob_text(pattern: str, i: int) -> tuple[str, int]:
    """The regex for the glob's text from `i` to the next `*` or `/`, and where it ends."""
    out = []
    while i < len(pattern) and pattern[i] not in "*/":
        out.append("[^/]" if pattern[i] == "?" else re.escape(pattern[i]))
        i += 1
    if not out and i < len(pattern) and pattern[i] == "/":
        return "/", i + 1
    return "".join(out), i


def find_test_files(root: Path, globs: list[str], layout=None):
    """(path, text) of files under root matching a glob; artifact folders are skipped."""
    from ygs.store import Unreadable, read_bytes

    for rel, _st in find_test_entries(root, globs, layout):
        try:  # regular files inside the project only: never a FIFO or a link out
            data = read_bytes(root / rel, within=root, limit=MAX_TEST_FILE)
        except Unreadable:
            continue
        if b"\0" not in data[:1024]:
            yield rel, data.decode("utf-8", "replace")


def find_test_entries(root: Path, globs: list[str], layout=None):
    """(path, stat) of files under root matching a glob and at most MAX_TEST_FILE bytes;
    artifact folders are skipped."""
    from ygs.project import SKIP_DIRS

    patterns = [glob_regex(g) for g in globs]
    skip = {".", "", "openspec"}
    if layout is not None:
        skip |= {layout.docs, layout.tasks}
    for folder, dirs, names in os.walk(root):
        rel_folder = Path(folder).relative_to(root).as_posix()
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS and (f"{rel_folder}/{d}" if rel_folder != "." else d) not in skip
        )
        for name in sorted(names):
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if not any(p.match(rel) for p in patterns):
                continue
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            if st.st_size <= MAX_TEST_FILE:
                yield rel, st
