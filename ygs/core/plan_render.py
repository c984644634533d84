"""The plan as text: table rows, a mermaid graph and a markdown report. Pure."""

from __future__ import annotations

import re

from ygs.core.plan_graph import Analysis

COLUMNS = ("wave", "id", "title", "status", "pri", "size", "pts", "weight", "slack", "depends on")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def rows(analysis: Analysis, title_width: int = 40) -> list[tuple[str, ...]]:
    """One row per task, in wave order; tasks in or behind a cycle come last with wave '-'."""
    critical = set(analysis.critical_path)
    order = {
        ident: i for i, ident in enumerate(i for ids in analysis.per_wave.values() for i in ids)
    }
    nodes = sorted(analysis.nodes, key=lambda n: order.get(n.id, len(order)))
    found = []
    for n in nodes:
        wave = analysis.waves.get(n.id)
        found.append(
            (
                "-" if wave is None else str(wave),
                n.id + (" *" if n.id in critical else ""),
                _short(n.title, title_width),
                n.status,
                n.priority or "-",
                analysis.size(n),
                "-" if n.points is None else str(n.points),
                _num(analysis.weights.get(n.id)),
                _num(analysis.slack.get(n.id)),
                ", ".join(n.depends_on) or "-",
            )
        )
    return found


def summary(analysis: Analysis) -> list[str]:
    """The findings and figures under the table, one line each."""
    data = analysis.to_dict()
    lines = []
    summary = data["summary"]
    wave, width = analysis.peak
    lines.append(
        f"{summary['tasks']} tasks ({summary['done']} done) in {summary['waves']} waves; "
        f"peak parallelism {width} in wave {wave}"
    )
    crit = data["critical_path"]
    if crit["tasks"]:
        lines.append(
            f"critical path ({crit['basis']} {_num(crit['weight'])}): " + " → ".join(crit["tasks"])
        )
    elif summary["tasks"]:
        lines.append("critical path: nothing left to do")
    lines.append("ready now: " + (", ".join(data["ready"]) or "none"))
    for cycle in data["cycles"]:
        lines.append("cycle: " + " → ".join(cycle))
    for u in data["unknown_dependencies"]:
        lines.append(f"unknown dependency: {u['task']} depends on {u['dependency']}")
    for b in data["bottlenecks"]:
        lines.append(f"bottleneck: {b['task']} has {b['dependents']} dependents")
    for flag in data["size_flags"]:
        lines.append(f"split {flag['task']}: " + "; ".join(flag["reasons"]))
    for flag in data["points_flags"]:
        lines.append(f"points {flag['task']}: {flag['problem']}")
    if data["criteria_flags"]:
        lines.append("fewer than 2 acceptance criteria: " + ", ".join(data["criteria_flags"]))
    if data["uncovered"]:
        lines.append("MUST requirements with no task: " + ", ".join(data["uncovered"]))
    if data["satisfies_nothing"]:
        lines.append("tasks that satisfy nothing: " + ", ".join(data["satisfies_nothing"]))
    lines.extend(f"milestones: {m}" for m in data["milestone_flags"])
    return lines


def _node(ident: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", ident)


def _label(text: str) -> str:
    return _short(text, 40).replace('"', "#quot;")


def mermaid(analysis: Analysis) -> str:
    """A top-down flowchart, one subgraph per wave, the critical path highlighted."""
    lines = ["flowchart TD"]
    critical = set(analysis.critical_path)
    by_id = {n.id: n for n in analysis.nodes}
    for wave, ids in analysis.per_wave.items():
        lines.append(f'  subgraph W{wave}["Wave {wave}"]')
        for ident in ids:
            lines.append(f"    {_node(ident)}{_box(analysis, by_id[ident])}")
        lines.append("  end")
    stuck = [n.id for n in analysis.nodes if n.id not in analysis.waves]
    if stuck:
        lines.append('  subgraph STUCK["In or behind a cycle"]')
        lines.extend(f"    {_node(i)}{_box(analysis, by_id[i])}" for i in stuck)
        lines.append("  end")
    known = {n.id for n in analysis.nodes}
    for n in analysis.nodes:
        for dep in n.depends_on:
            if dep in known:
                arrow = "==>" if dep in critical and n.id in critical else "-->"
                lines.append(f"  {_node(dep)} {arrow} {_node(n.id)}")
    if critical:
        lines.append("  classDef critical stroke:#d33,stroke-width:3px")
        lines.append("  class " + ",".join(_node(i) for i in analysis.critical_path) + " critical")
    done = [_node(n.id) for n in analysis.nodes if n.done]
    if done:
        lines.append("  classDef done fill:#dfd,color:#555")
        lines.append("  class " + ",".join(done) + " done")
    if len(analysis.nodes) == 0:
        lines.append('  empty["no tasks yet"]')
    return "\n".join(lines) + "\n"


def _box(analysis: Analysis, node) -> str:
    ident = node.id
    size = analysis.size(node)
    points = f", {node.points} pts" if node.points is not None else ""
    return f'["{_label(f"{ident}: {node.title}")}<br/>{size}{points}"]'


def markdown(analysis: Analysis) -> str:
    lines = ["# Plan", ""]
    lines += [f"- {line}" for line in summary(analysis)]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows(analysis, 60):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", "Tasks marked * are on the critical path.", "", "```mermaid"]
    lines += [mermaid(analysis).rstrip("\n"), "```", ""]
    return "\n".join(lines)
