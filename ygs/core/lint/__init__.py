"""`ygs check`: deterministic lint of every artifact, one module per rule family.

    findings = lint(catalog, exists=path_exists, overrides={"PRD011": None})

Pure: the catalog comes in, findings (sorted by file and line) go out. Parse
problems already in the catalog (ART001-003) are findings like any other.
Suppressions (`<!-- ygs: ignore RULE reason -->`) and the `check.rules`
overrides are applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from ygs.core.artifacts import Catalog
from ygs.core.catalogue import Rule, apply_overrides, catalogue
from ygs.core.findings import Finding, Severity
from ygs.core.lint import (
    adr,
    common,
    design_doc,
    foreign,
    prd,
    spike,
    suppress,
    task,
    threat_model,
    trd,
)
from ygs.core.lint.context import Context, SpikeMerge
from ygs.core.specs import Index

FAMILIES = (common, prd, trd, design_doc, adr, threat_model, task, spike, foreign)
# Families that read only the file they lint (lookups aside) run over a few hundred files
# at a time, whose parsed bodies are then dropped: memory stays flat as the project grows.
# The others also look across files (dependency cycles, merges) and run once.
PER_FILE = (common, prd, trd, design_doc, adr, threat_model, foreign)
ACROSS_FILES = (task, spike)
CHUNK = 256
RULES: dict[str, Rule] = catalogue(*(family.RULES for family in FAMILIES))


def all_rules() -> dict[str, Rule]:
    """Lint rules and the trace-gate rules: everything `--explain` and reports describe."""
    from ygs.core.lint.trace import RULES as TRACE_RULES

    return {
        **RULES,
        common.NOTHING_CHECKED.id: common.NOTHING_CHECKED,
        **{r.id: r for r in TRACE_RULES},
    }


def lint(
    catalog: Catalog,
    *,
    exists: Callable[[str], bool] | None = None,
    overrides: Mapping[str, Severity | None] | None = None,
    paths: Collection[str] | None = None,
    index: Index | None = None,
    today: str = "",
    spike_merges: Collection[SpikeMerge] = (),
    fan_out: Callable[[list, Callable[[list], Any]], list] | None = None,
) -> list[Finding]:
    """Every finding for the project; with `paths`, only those in these files. `today`
    (ISO date) defaults to the clock; `spike_merges` come from git (`ygs.plan.spike`).
    `fan_out(items, work)` gives `work(slice)` for slices of items (the shell's worker
    processes, `ygs.cache.parallel`); the per-file rules run through it."""
    if not today:
        from datetime import date

        today = date.today().isoformat()
    targets = frozenset(paths) if paths is not None else None
    ctx = Context(
        index or Index(catalog),
        exists or (lambda _p: True),
        targets,
        today=today,
        spike_merges=tuple(spike_merges),
    )
    findings: list[Finding] = list(catalog.findings)
    selected = ctx.mine()
    if fan_out is None or len(selected) < 2:
        found, reqs = per_file(ctx, selected)
        findings.extend(found)
        ctx.index.learn(reqs)
    else:
        ctx.refs, ctx._lookup  # noqa: B018  # computed once, before the split
        for found, reqs in fan_out(selected, lambda part: per_file(ctx, part)):
            findings.extend(found)
            ctx.index.learn(reqs)
    for family in ACROSS_FILES:
        findings.extend(family.check(ctx))
    findings = covered(findings, {a.path: a.format for a in catalog.artifacts})
    texts = {a.path: (a.text, a.body_line) for a in catalog.artifacts}
    known = all_rules()
    findings = suppress.apply(
        findings,
        texts,
        known=known.__contains__,
        no_reason=_no_reason,
        unknown_rule=_unknown_rule,
    )
    findings = apply_overrides(findings, overrides or {})
    if paths is not None:
        wanted = set(paths)
        findings = [f for f in findings if f.path in wanted]
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.rule, f.message))


def per_file(ctx: Context, artifacts: list) -> tuple[list[Finding], dict]:
    """The per-file families' findings for these artifacts, a chunk at a time, and the
    shapes of the requirements they parsed, by path (`Index.shapes_in`). Each chunk's
    parsed bodies and requirements are dropped once its findings are out: only the shapes
    stay, so memory does not grow with the project."""
    found: list[Finding] = []
    reqs: dict = {}
    for start in range(0, len(artifacts), CHUNK):
        ctx.chunk = artifacts[start : start + CHUNK]
        for family in PER_FILE:
            found.extend(family.check(ctx))
        reqs.update(ctx.index.parsed_shapes(a.path for a in ctx.chunk if a.kind == "prd"))
        ctx.index.forget((a.path for a in ctx.chunk), requirements=True)
    ctx.chunk = None
    return found, reqs


def covered(findings: list[Finding], formats: Mapping[str, str]) -> list[Finding]:
    """Drop findings of rules that do not read the format of the file they are about."""
    kept = []
    for f in findings:
        rule = RULES.get(f.rule)
        if rule is None or rule.covers(formats.get(f.path, "ygs")):
            kept.append(f)
    return kept


def _no_reason(path: str, line: int, rules: str) -> Finding:
    rule = common.R["ART007"]
    if not rules:
        return rule.at(path, line, "suppression names no rule (ygs: ignore RULE reason)")
    return rule.at(path, line, f"suppression of {rules} gives no reason, so it is ignored")


def _unknown_rule(path: str, line: int, rule_id: str) -> Finding:
    return common.R["ART008"].at(path, line, f"suppression names unknown rule {rule_id}")


__all__ = ["RULES", "Rule", "all_rules", "lint"]
