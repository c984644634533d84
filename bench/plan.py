"""Planning benchmark: `ygs wbs plan` at 500 and 5,000 tasks (2 dependencies per task) and the
`ygs estimate calc` Monte Carlo (10,000 samples over 500 tasks).

Run: python bench/plan.py [--rounds N]
Budgets: the 5,000-task plan and the Monte Carlo each <= 1 s; the plan grows linearly (the
5,000/500 ratio stays near 10). Rounds are interleaved; medians are printed. Exits 1 when a
budget is missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (500, 5_000)
BUDGET_S = 1.0


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def graph(n: int, seed: int = 1) -> list[tuple[str, list[str]]]:
    """n tasks, each (after the first two) depending on 2 earlier ones: 2n edges, no cycle."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        deps = sorted({f"TASK-{rng.randrange(1, i):04d}" for _ in range(2)}) if i > 2 else []
        rows.append((f"TASK-{i:04d}", deps))
    return rows


def write_project(root: Path, n: int) -> None:
    (root / ".ygs").mkdir(parents=True)
    (root / ".ygs" / "config.yaml").write_text("{}\n")
    folder = root / "tasks" / "backlog"
    folder.mkdir(parents=True)
    for ident, deps in graph(n):
        (folder / f"{ident}-task.md").write_text(
            f"---\nid: {ident}\ntype: task\ntitle: Task {ident}\nstatus: backlog\n"
            f"priority: P1\npoints: 3\nmode: AFK\ndepends_on: [{', '.join(deps)}]\n"
            "planned_files: [src/a.py, tests/test_a.py]\n---\n\n# Task\n\n## Goal\n\nDo it.\n\n"
            "## Acceptance criteria\n\n- Given a, when b, then c\n- Given d, when e, then f\n"
        )


def core_once(n: int) -> float:
    from ygs.core import plan_graph

    nodes = [plan_graph.Node(i, depends_on=tuple(d), points=3) for i, d in graph(n)]
    start = time.perf_counter()
    plan_graph.analyse(nodes).to_dict()
    return time.perf_counter() - start


def command_once(root: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [*ygs_command(), "wbs", "plan", "--json"], cwd=root, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ygs wbs plan failed: {done.stderr.decode()[-400:]}")
    return elapsed


def monte_carlo_once(n: int = 500, samples: int = 10_000) -> float:
    from ygs.core import estimate

    rows = graph(n)
    rng = random.Random(2)
    draws = []
    for ident, deps in rows:
        best = rng.uniform(0.5, 3)
        likely = best + rng.uniform(0, 3)
        draws.append(estimate.Draw(ident, best, likely, likely + rng.uniform(0, 6), tuple(deps)))
    start = time.perf_counter()
    estimate.monte_carlo(draws, samples=samples, seed=0)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {n: Path(tmp) / f"p{n}" for n in SIZES}
        for n, root in roots.items():
            write_project(root, n)
        monte_carlo_once(50, 1_000)  # warm-up: numpy import
        for _ in range(args.rounds):  # interleaved rounds
            for n, root in roots.items():
                times.setdefault(f"graph core, {n:,} tasks", []).append(core_once(n))
                times.setdefault(f"ygs wbs plan, {n:,} task files", []).append(command_once(root))
            times.setdefault("Monte Carlo 10,000 x 500", []).append(monte_carlo_once())
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'case':<34} {'median s':>9}")
    for name, value in medians.items():
        print(f"{name:<34} {value:>9.3f}")
    small, large = SIZES
    core_ratio = medians[f"graph core, {large:,} tasks"] / medians[f"graph core, {small:,} tasks"]
    command_ratio = (
        medians[f"ygs wbs plan, {large:,} task files"]
        / medians[f"ygs wbs plan, {small:,} task files"]
    )
    print(f"growth {small:,} -> {large:,} tasks (10x): core x{core_ratio:.1f}, ", end="")
    print(f"command x{command_ratio:.1f}")
    missed = [
        name
        for name in (f"graph core, {large:,} tasks", "Monte Carlo 10,000 x 500")
        if medians[name] > BUDGET_S
    ]
    if core_ratio > 15:
        missed.append("linear growth of the graph core")
    for name in missed:
        print(f"over budget: {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
