"""Spike rules: a time box that ran out without a verdict, and spike code promoted silently
(a `spike/` or `fafo/` branch merged into the base branch)."""

from __future__ import annotations

from collections.abc import Iterator

from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.core.lint.context import Context

F = "spike"

RULES = (
    Rule(
        "SPK001",
        Severity.SHOULD,
        "a spike past its time box has a verdict",
        "spike past its time box with no verdict",
        "close it: `ygs spike close SLUG --verdict INCONCLUSIVE` records what was learned",
        """A time box is the spike's budget. When it runs out, the spike ends with the evidence
        it has (INCONCLUSIVE is a verdict); extending it silently turns an experiment into
        an unplanned project.""",
        F,
    ),
    Rule(
        "SPK002",
        Severity.MUST,
        "spike branches are never merged into the base branch",
        "a spike/ or fafo/ branch was merged into the base branch",
        "revert the merge; rebuild what the spike proved through the TRD or an ADR, to "
        "production standards",
        """Spike code is written with production standards relaxed (no tests, hard-coded
        configuration, no error handling). Merging it promotes a proof of concept silently:
        the findings document is the only thing that leaves a spike branch.""",
        F,
    ),
)
R = {r.id: r for r in RULES}


def check(ctx: Context) -> Iterator[Finding]:
    spikes = ctx.mine("spike")
    if not spikes and not ctx.spike_merges:
        return
    from ygs.core.spike import VERDICTS, overdue  # with spikes only: their time boxes

    for spike in spikes:
        verdict = str(spike.meta.get("verdict") or "").upper()
        verdict = verdict if verdict in VERDICTS else ""
        ends = str(spike.meta.get("ends") or "")
        if spike.status != "done" and overdue(ends, verdict, ctx.today):
            yield R["SPK001"].at(
                spike.path, spike.line_of("ends"), f"time box ended {ends} and no verdict yet"
            )
    by_branch = {str(s.meta.get("branch") or ""): s for s in spikes}
    for merge in ctx.spike_merges:
        doc = by_branch.get(merge.branch)
        where = doc.path if doc is not None else ctx.base_branch_ref
        yield R["SPK002"].at(
            where,
            doc.line_of("branch") if doc is not None else None,
            f"commit {merge.commit[:12]} merged {merge.branch} into the base branch",
        )
