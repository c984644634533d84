"""One review, end to end: intake → trusted reviewer → offline rules → model or merged
findings → verification → baseline → verdict. The imperative shell around the pure parts of
`ygs.review`.

The diff is read with the working settings; everything that judges it (settings, rules,
skills, the baseline of a committed change) comes from the base revision (ygs.review.trust).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ygs.core.findings import fails, verdict
from ygs.errors import Exit, YgsError
from ygs.review import findings as rf
from ygs.review import rules, trust
from ygs.review.diff import DELETED, Diff, Limits, only, parse
from ygs.review.lang import LENSES, lenses_for
from ygs.review.source import Scope

DEFAULT_BASELINE = ".ygs/review-baseline.json"
LAST_REVIEW = ".ygs/runs/last-review.json"
CACHE_DIR = ".ygs/cache/review"


@dataclass(frozen=True)
class Ask:
    """What the user asked for (flags, already parsed)."""

    staged: bool = False
    base: str | None = None
    pr: int | None = None
    paths: tuple[str, ...] = ()
    lenses: tuple[str, ...] = ()  # empty: every lens that applies
    offline: bool = False
    backend: str | None = None
    max_cost: float | None = None
    fail_on: str = "must"
    baseline: Path | None = None  # explicit --baseline
    use_baseline: bool = True
    update_baseline: bool = False
    merge: list | None = None  # findings from --merge
    gate: bool = False
    cache: bool = True
    combined: bool = False  # review-pr: one skill for every lens


@dataclass
class Result:
    data: dict
    findings: list[rf.ReviewFinding]
    diff: Diff
    code: int
    pr: object = None
    extra: dict = field(default_factory=dict)


def lens_scope(diff: Diff, wanted: tuple[str, ...]) -> dict[str, list[str]]:
    """In-scope files per lens (the `files` key): changed files each lens applies to."""
    scope: dict[str, list[str]] = {lens: [] for lens in (wanted or LENSES)}
    for f in diff.files:
        if f.status == DELETED:
            continue
        for lens in lenses_for(f.path):
            if lens in scope:
                scope[lens].append(f.path)
    return scope


def _settings(project) -> tuple[rules.Settings, Limits, dict, list[str]]:
    cfg = project.config
    overrides = {str(k).upper(): str(v) for k, v in (cfg["review.rules"] or {}).items()}
    problems = rf.check_overrides(overrides)
    if problems:
        raise YgsError(
            problems[0],
            path=".ygs/config.yaml",
            details=problems[1:],
            remedy="rules are listed by `ygs review --rules`",
        )
    limits = Limits(huge_lines=cfg["review.huge_file_lines"])
    settings = rules.Settings(
        max_lines=cfg["review.max_lines"],
        max_files=cfg["review.max_files"],
        window=limits.huge_line_chars,
    )
    return settings, limits, overrides, list(cfg["review.exclude"])


def intake(project, ask: Ask, limits: Limits, log: Callable[[str], None]):
    """(diff, scope, pull request or None)."""
    if ask.pr is not None:
        from ygs.review import github

        pr, data = github.fetch(ask.pr, cwd=project.root)
        found = parse(data, limits)
        if ask.paths:
            found = only(
                found, lambda p: any(p == x or p.startswith(x.rstrip("/") + "/") for x in ask.paths)
            )
        from ygs.review.source import trusted_base

        scope = Scope(
            "pr", pr.base, pr.head_sha[:12] or pr.head, trusted_base(project.root, pr.base)
        )
        return found, scope, pr
    from ygs.review import source

    found, scope = source.load(
        project.root,
        staged=ask.staged,
        base=ask.base,
        paths=list(ask.paths),
        limits=limits,
        base_branch=project.config["git.base_branch"],
    )
    return found, scope, None


def _excluded(diff: Diff, globs: list[str]) -> tuple[Diff, list[str]]:
    if not globs:
        return diff, []
    gone = [f.path for f in diff.files if any(fnmatch.fnmatch(f.path, g) for g in globs)]
    return only(diff, lambda p: p not in gone), gone


def offline(
    diff: Diff, ask: Ask, settings, overrides, ruff: str | None = None
) -> tuple[list, list, list]:
    """Offline findings, suppressed ones, and notes of the engines ((path, note) pairs)."""
    from ygs.review import pyscan

    lenses = set(ask.lenses or LENSES)
    python = pyscan.start(diff, ruff)  # runs while ygs's own rules do
    try:
        hits = [
            h for h in rules.run(diff, settings, python) if rules.CATALOGUE[h.rule].family in lenses
        ]
    finally:
        notes = list(python.outcome().notes)  # ruff has ended and its files are gone
    kept, suppressed = rf.suppress(rf.from_hits(hits, diff, overrides), diff)
    return kept, suppressed, notes


@dataclass
class Judge:
    """What judges a change, all from the trusted revision: settings, rules, skills."""

    reviewer: trust.Reviewer
    settings: rules.Settings
    limits: Limits
    overrides: dict
    excludes: list[str]

    @property
    def ruff(self) -> str | None:
        return self.project.config["review.ruff"]

    @property
    def fail_on_unreviewed(self) -> bool:
        return bool(self.project.config["review.fail_on_unreviewed"])

    @property
    def project(self):
        return self.reviewer.project


def review(project, ask: Ask, log: Callable[[str], None] = lambda _m: None) -> Result:
    limits = _settings(project)[1]  # the working settings only read the diff
    diff, scope, pr = intake(project, ask, limits, log)
    note = "" if scope.trusted else "no base revision: installed skill packs and defaults"
    with trust.reviewer(project, scope.trusted, note) as reviewer:
        judge = Judge(reviewer, *_settings(reviewer.project))
        if judge.limits != limits or _base_branch(judge.project) != _base_branch(project):
            diff, scope, pr = intake(judge.project, ask, judge.limits, log)
        return _reviewed(judge, ask, diff, scope, pr, log)


def _base_branch(project) -> str:
    return project.config["git.base_branch"]


def _reviewed(judge: Judge, ask: Ask, diff: Diff, scope: Scope, pr, log) -> Result:
    project, reviewer = judge.project, judge.reviewer
    guarded = rf.from_hits(trust.guard(diff, reviewer.prefix), diff, judge.overrides)
    diff, excluded = _excluded(diff, judge.excludes)
    files = lens_scope(diff, ask.lenses)
    found, suppressed, engine_notes = offline(
        diff, ask, judge.settings, judge.overrides, judge.ruff
    )
    found = rf.numbered(guarded + found)
    judged, dropped, model = _judgment(project, reviewer, ask, diff, files, found, log)
    kept, duplicates = _dedupe(found + rf.numbered(judged))
    kept, baselined = _baseline(_baseline_file(project, reviewer, scope, ask), ask, kept)
    kept = rf.ranked(kept)
    data = _data(
        diff, scope, ask, files, kept, dropped + duplicates, suppressed, baselined, model, excluded
    )
    data["notes"] += [{"file": path, "note": note} for path, note in engine_notes]
    data["unreviewed"] = unreviewed(diff)
    data["reviewer"] = {**reviewer.to_dict(), "notes": reviewer.notes}
    failing = fails([f.to_finding() for f in kept], ask.fail_on)
    if judge.fail_on_unreviewed and data["unreviewed"] and ask.fail_on != "never":
        failing = True
        data["failed_on_unreviewed"] = True
    code = Exit.FINDINGS if failing else Exit.OK
    if ask.gate:
        code = _gate(project, kept, data)
    if model.get("error"):
        code = Exit.UNAVAILABLE
    if ask.update_baseline:
        data["baseline_written"] = _write_baseline(project, ask, kept)
        code = Exit.OK
    _write_last(project, data, scope)
    return Result(data, kept, diff, int(code), pr)


def _judgment(project, reviewer, ask: Ask, diff: Diff, files, found, log):
    """Merged findings (an agent's) or the model's, verified; model stats."""
    if ask.merge is not None:
        kept, dropped = rf.judged(ask.merge, diff, source="merge", context_ok=False)
        return kept, [d.to_dict() for d in dropped], {"backend": "merge", "calls": 0}
    if ask.offline:
        return [], [], {"backend": "offline", "calls": 0, "note": "--offline: rules only"}
    if not any(files.values()):
        return [], [], {"backend": "none", "calls": 0, "note": "no file for the model to review"}
    from ygs import llm

    session = llm.connect(
        project,
        backend=ask.backend,
        max_cost=ask.max_cost,
        run_dir=llm.run_dir(project.root, "review"),
    )
    if session is None:
        note = "no model backend configured: rules only (see `ygs doctor`)"
        return [], [], {"backend": "offline", "calls": 0, "note": note}
    return _model(project, reviewer, session, ask, diff, files, found, log)


def _model(project, reviewer, session, ask, diff, files, found, log):
    from ygs.review import model

    cfg = project.config
    budget = cfg["review.chunk_tokens"] * 4
    units = model.plan(diff, files, combined=ask.combined, budget=budget)
    cache = model.Cache(_contained(project, f"{CACHE_DIR}/x").parent if ask.cache else None)
    texts = _skill_texts(reviewer.skills)
    outcome = model.review(
        session,
        texts,
        units,
        diff,
        found,
        cache,
        max_tokens=cfg["model.max_tokens"],
        timeout_s=cfg["model.timeout_s"],
        progress=log,
    )
    skipped = {f.path: model.sendable(f) for f in diff.files if model.sendable(f)}
    info = {
        "backend": session.backend.name,
        "model": session.backend.model_for("reasoning"),
        "calls": outcome.calls,
        "cache_hits": outcome.cache_hits,
        "units": outcome.units,
        "cost_usd": round(session.ledger.spent_usd, 6),
        "not_sent": skipped,
    }
    if outcome.error is not None:
        info["error"] = outcome.error.to_dict()
    return outcome.findings, [d.to_dict() for d in outcome.dropped], info


def _skill_texts(loaded: dict) -> Callable[[str], tuple[str, ...]]:
    """The system text of a review skill: from the trusted packs only (never the change)."""
    from ygs import skills as packs
    from ygs.review.model import system_blocks

    memo: dict[str, tuple[str, ...]] = {}

    def text(name: str) -> tuple[str, ...]:
        if name not in memo:
            skill = loaded.get(name)
            if skill is None:
                raise YgsError(
                    f"the skill {name} is not in any pack",
                    remedy="`ygs skills list` shows what is installed",
                )
            refs = sorted(
                r
                for r in packs.read_files(skill.folder).references
                if r[0].startswith("references/")
            )
            memo[name] = system_blocks(skill, refs)
        return memo[name]

    return text


def unreviewed(diff: Diff) -> list[dict]:
    """Changed files the review did not read in full, and why (`review.fail_on_unreviewed`)."""
    out = []
    for f in diff.files:
        if f.coverage != "full":
            why = next((n for n in f.notes if "review" in n), ", ".join(f.notes))
            out.append({"file": f.path, "coverage": f.coverage, "why": why})
    return out


def _dedupe(items: list[rf.ReviewFinding]) -> tuple[list, list]:
    kept, dropped, seen = [], [], {}
    for f in items:
        if f.fingerprint in seen:
            first = seen[f.fingerprint]
            dropped.append(
                {
                    **f.to_dict(),
                    "reason": f"duplicate of {first.rule_id} at "
                    f"{first.file}:{first.line} ({first.source})",
                }
            )
            continue
        seen[f.fingerprint] = f
        kept.append(f)
    return kept, dropped


def _baseline_path(project, ask: Ask) -> Path:
    chosen = ask.baseline or Path(project.config["review.baseline"] or DEFAULT_BASELINE)
    return chosen if chosen.is_absolute() else project.root / chosen


def _baseline_file(project, reviewer, scope: Scope, ask: Ask) -> Path | None:
    """The baseline to read. A committed change (branch, pull request) is judged against the
    base revision's, so it cannot accept its own findings; your own uncommitted work (staged,
    working tree) and an explicit --baseline use the file on disk."""
    if ask.baseline is not None or scope.mode not in ("branch", "pr"):
        return _baseline_path(project, ask)
    return reviewer.file(project.config["review.baseline"] or DEFAULT_BASELINE)


def _baseline(path: Path | None, ask: Ask, kept: list) -> tuple[list, list]:
    if path is None or not ask.use_baseline or ask.update_baseline or not path.is_file():
        if ask.baseline is not None and not ask.update_baseline and path and not path.is_file():
            raise YgsError(
                f"baseline {path} does not exist",
                path=str(path),
                remedy="write it with `ygs review --update-baseline`",
            )
        return kept, []
    from ygs.store import read_text

    try:
        prints = rf.baseline_fingerprints(json.loads(read_text(path)))
    except ValueError as err:
        raise YgsError(f"baseline is not JSON: {err}", path=str(path)) from None
    if isinstance(prints, str):
        raise YgsError(f"baseline: {prints}", path=str(path))
    return [f for f in kept if f.fingerprint not in prints], [
        f for f in kept if f.fingerprint in prints
    ]


def _write_baseline(project, ask: Ask, items: list) -> str:
    from ygs.store import atomic_write

    path = _baseline_path(project, ask)
    if ask.baseline is None:  # the path comes from the config, which a clone controls
        _contained(project, str(project.config["review.baseline"] or DEFAULT_BASELINE))
    atomic_write(path, json.dumps(rf.baseline_doc(items), indent=2) + "\n")
    return project.rel(path)


def _gate(project, kept: list, data: dict) -> int:
    from ygs.review import gate

    path = project.root / gate.FREEZE_FILE
    text = path.read_bytes().decode("utf-8", "replace") if path.is_file() else None
    result = gate.compute(text, datetime.now(UTC), [f.severity for f in kept])
    data["gate"] = result.word
    data["gate_detail"] = result.to_dict()
    return result.exit_code


def _data(diff, scope, ask, files, kept, dropped, suppressed, baselined, model, excluded) -> dict:
    notes = [{"file": f.path, "note": n} for f in diff.files for n in f.notes]
    notes += [{"file": "", "note": n} for n in diff.notes]
    notes += [{"file": p, "note": "excluded by review.exclude"} for p in excluded]
    return {
        "scope": scope.to_dict(),
        "lenses": [lens for lens, paths in files.items() if paths],
        "files": files,
        "stats": diff.stats,
        "findings": [f.to_dict() for f in kept],
        "dropped": dropped,
        "suppressed": suppressed,
        "baselined": len(baselined),
        "counts": rf.counts(kept),
        "verdict": verdict([f.to_finding() for f in kept]),
        "fail_on": ask.fail_on,
        "notes": notes,
        "model": model,
    }


def _write_last(project, data: dict, scope: Scope) -> None:
    from ygs.store import atomic_write

    last = {
        "verdict": data["verdict"],
        "counts": data["counts"],
        "base": scope.base,
        "mode": scope.mode,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if "gate" in data:
        last["gate"] = data["gate"]
    atomic_write(_contained(project, LAST_REVIEW), json.dumps(last, indent=2) + "\n")


def _contained(project, rel: str) -> Path:
    """A path ygs writes in the project, through real folders only (see ygs.store.inside)."""
    from ygs.store import inside

    return inside(project.root, rel, opt_in=None)
