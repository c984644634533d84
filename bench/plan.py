"""Planning benchmark: `ygs wbs plan` at 500 and 5,000 tasks (2 dependencies per task) and the
`ygs estimate calc` Monte Carlo (10,000 samples over 500 tasks).

Run: python bench/plan.py [--rounds N]
Budgets: the 5,000-task plan and the Monte Carlo each <= 1 s; the plan grows linearly (the
5,000/500 ratio stays far from the 100 of a quadratic algorithm; random dependencies cost
some cache locality, so 10-20 is expected). Rounds are interleaved; medians of wall time and
of CPU time are printed, and the budgets are judged on CPU time so that a machine busy with
other work does not fail them. Exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import random
import resource
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


Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def core_once(n: int) -> Timing:
    from ygs.core import plan_graph

    nodes = [plan_graph.Node(i, depends_on=tuple(d), points=3) for i, d in graph(n)]
    start, cpu = time.perf_counter(), time.process_time()
    plan_graph.analyse(nodes).to_dict()
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_once(root: Path) -> Timing:
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [*ygs_command(), "wbs", "plan", "--json"], cwd=root, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"ygs wbs plan failed: {done.stderr.decode()[-400:]}")
    return elapsed


def monte_carlo_once(n: int = 500, samples: int = 10_000) -> Timing:
    from ygs.core import estimate

    rows = graph(n)
    rng = random.Random(2)
    draws = []
    for ident, deps in rows:
        best = rng.uniform(0.5, 3)
        likely = best + rng.uniform(0, 3)
        draws.append(estimate.Draw(ident, best, likely, likely + rng.uniform(0, 6), tuple(deps)))
    start, cpu = time.perf_counter(), time.process_time()
    estimate.monte_carlo(draws, samples=samples, seed=0)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[Timing]] = {}
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
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    print(f"{'case':<34} {'wall s':>8} {'cpu s':>8}")
    for name in times:
        print(f"{name:<34} {wall[name]:>8.3f} {cpu[name]:>8.3f}")
    small, large = SIZES
    for label, key in (
        ("graph core", "graph core, {:,} tasks"),
        ("command", "ygs wbs plan, {:,} task files"),
    ):
        ratio = cpu[key.format(large)] / cpu[key.format(small)]
        print(f"growth {small:,} -> {large:,} tasks (10x), {label}: cpu x{ratio:.1f}")
    core_ratio = cpu[f"graph core, {large:,} tasks"] / cpu[f"graph core, {small:,} tasks"]
    missed = [
        name
        for name in (f"graph core, {large:,} tasks", "Monte Carlo 10,000 x 500")
        if cpu[name] > BUDGET_S
    ]
    if core_ratio > 30:  # linear with a sort is ~10-15x; quadratic would be ~100x
        missed.append("linear growth of the graph core")
    for name in missed:
        print(f"over budget: {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
