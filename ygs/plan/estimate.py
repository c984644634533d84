"""`ygs estimate calc`: the arithmetic, from flags or from the estimates in task frontmatter.

Capacity comes from flags, else the config's `team.capacity`, else the seed's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ygs.core import estimate as est
from ygs.core import plan_graph
from ygs.errors import YgsError
from ygs.plan import tasks as store

CAPACITY_KEYS = ("feature", "ktlo", "oncall", "vacation", "meetings")


@dataclass
class Inputs:
    best: float | None = None
    likely: float | None = None
    worst: float | None = None
    skewed: bool = False
    new_tech: bool = False
    external_dep: bool = False
    unclear: bool = False
    legacy: bool = False
    scope: str | None = None  # forgotten work: None = not asked
    forgotten: dict[str, Any] = field(default_factory=dict)
    shares: dict[str, Any] = field(default_factory=dict)  # capacity flags, percent
    new_team_pct: float | None = None
    team: float = 1.0
    samples: int = 10_000
    seed: int = 0
    distribution: str = "pert"

    @property
    def single(self) -> bool:
        return any(v is not None for v in (self.best, self.likely, self.worst))


def bad(err: est.EstimateError, where: str = "") -> YgsError:
    flag = f"--{err.field.replace('_', '-')}" if err.field else ""
    return YgsError(
        err.message,
        path=where or None,
        remedy=err.remedy or (f"fix {flag}" if flag else "fix the numbers"),
    )


def capacity(config, inputs: Inputs) -> dict[str, Any]:
    configured = config["team.capacity"] if config is not None else {}
    shares = {k: inputs.shares.get(k, configured.get(k)) for k in CAPACITY_KEYS}
    new_team = inputs.new_team_pct
    if new_team is None and configured.get("new_team") not in (None, False, ""):
        new_team = configured.get("new_team")
        new_team = est.NEW_TEAM[2] if new_team is True else new_team
    try:
        return est.capacity(shares, new_team)
    except est.EstimateError as err:
        source = "" if err.field in inputs.shares else ".ygs/config.yaml (team.capacity)"
        raise bad(err, source if err.field not in inputs.shares else "") from None


def single(inputs: Inputs, config=None) -> dict[str, Any]:
    """One feature from --best/--likely/--worst."""
    missing = [n for n in ("best", "likely", "worst") if getattr(inputs, n) is None]
    if missing:
        raise YgsError(
            f"--{missing[0]} is missing",
            remedy="give all three: --best B --likely M --worst W (engineer-days)",
        )
    factor = est.multiplier(inputs.new_tech, inputs.external_dep, inputs.unclear, inputs.legacy)
    try:
        three = est.three(
            inputs.best, inputs.likely, inputs.worst, skewed=inputs.skewed, factor=factor
        )
        data: dict[str, Any] = {"mode": "feature", "estimate": three.to_dict()}
        data["multipliers"] = _flags(inputs)
        total = three.expected
        if inputs.scope is not None:
            data["forgotten"] = est.forgotten(three.expected, inputs.scope, inputs.forgotten)
            total = data["forgotten"]["total"]
        cap = capacity(config, inputs)
        data["capacity"] = cap
        data["calendar"] = _calendar(total, three, inputs, cap)
    except est.EstimateError as err:
        raise bad(err) from None
    return data


def _flags(inputs: Inputs) -> dict[str, Any]:
    return {
        "new_tech": inputs.new_tech,
        "external_dep": inputs.external_dep,
        "unclear": inputs.unclear,
        "legacy": inputs.legacy,
        "factor": est.multiplier(
            inputs.new_tech, inputs.external_dep, inputs.unclear, inputs.legacy
        ),
        "table": {**est.MULTIPLIERS, "new_tech_and_external_dep": est.BOTH_NEW_AND_EXTERNAL},
    }


def _calendar(total: float, three: est.Three, inputs: Inputs, cap: dict) -> dict[str, Any]:
    extra = total - three.expected
    pct = cap["effective_pct"]
    return {
        "engineers": inputs.team,
        "effective_pct": pct,
        "expected_weeks": round(est.weeks(total, inputs.team, pct), 3),
        "range_weeks": [
            round(est.weeks(three.low + extra, inputs.team, pct), 3),
            round(est.weeks(three.high + extra, inputs.team, pct), 3),
        ],
        "tail_weeks": round(est.weeks(three.tail + extra, inputs.team, pct), 3),
    }


def from_tasks(project, inputs: Inputs) -> dict[str, Any]:
    """Every remaining task's estimate, the totals, the critical path in days and the
    Monte Carlo over the dependency graph."""
    all_tasks = store.tasks(project.catalog)
    analysis = plan_graph.analyse(store.nodes(project.catalog))
    by_id = {t.id: t for t in all_tasks}
    remaining = [t for t in all_tasks if t.status != store.DONE]
    if not remaining:
        raise YgsError(
            "no remaining tasks to estimate",
            remedy="give --best --likely --worst for one feature, or plan tasks with `ygs wbs`",
        )
    rows, missing = [], []
    for task in remaining:
        if task.estimate is None:
            missing.append(task.id)
            continue
        try:
            three = est.three(*task.estimate)
        except est.EstimateError as err:
            raise bad(err, task.path) from None
        rows.append({"task": task.id, "title": task.title, **three.to_dict()})
    if not rows:
        raise YgsError(
            f"none of the {len(remaining)} remaining tasks has an estimate",
            remedy="add `estimate: {best: B, likely: M, worst: W}` (engineer-days) to each "
            "task, e.g. with `ygs task new … --estimate B,M,W`",
        )
    order = [i for ids in analysis.per_wave.values() for i in ids]
    stuck = [t.id for t in remaining if t.id not in analysis.waves]
    draws = [
        est.Draw(i, *by_id[i].estimate, depends_on=by_id[i].depends_on)
        for i in order
        if by_id[i].status != store.DONE and by_id[i].estimate is not None
    ]
    cap = capacity(project.config, inputs)
    try:
        simulation = est.monte_carlo(
            draws,
            samples=inputs.samples,
            seed=inputs.seed,
            team=inputs.team,
            effective_pct=cap["effective_pct"],
            distribution=inputs.distribution,
        )
    except est.EstimateError as err:
        raise bad(err) from None
    total = sum(r["expected"] for r in rows)
    data: dict[str, Any] = {
        "mode": "tasks",
        "tasks": rows,
        "unestimated": missing,
        "in_cycles": stuck,
        "total_expected_days": round(total, 3),
        "critical_path": {
            "tasks": analysis.critical_path,
            "weight": round(analysis.critical_weight, 3),
            "basis": sorted({analysis.weight_basis[i] for i in analysis.critical_path}),
        },
        "capacity": cap,
        "monte_carlo": simulation,
    }
    if inputs.scope is not None:
        try:
            data["forgotten"] = est.forgotten(total, inputs.scope, inputs.forgotten)
        except est.EstimateError as err:
            raise bad(err) from None
    return data
