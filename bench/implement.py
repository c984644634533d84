"""Implement benchmark: what ygs adds to an executor turn, and what the cache saves.

Run: python bench/implement.py [--files N] [--rounds R]

1. Per-turn overhead on an N-file repository (default 10,000), no model: one turn of the
   anthropic executor's bookkeeping, in process: a write_file tool call (the path resolved
   inside the repository, the guard policy checked, the file written, the guard counts
   taken again from git) and the conversation lines of the turn. Budget: median <= 50 ms.
   `git status --porcelain` runs in the same interleaved rounds; its ratio is printed.
2. Cost: a driven run against the fake Messages API (ygs.testing.fake_anthropic). Every
   request after the first must read the static prefix from the cache
   (cache_read_input_tokens > 0 in the run's usage.json) and result.json must report a cost
   within --max-cost.

Exits 1 when a budget or a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from guard import commit_all, git, make_repo, ygs_command  # bench/guard.py

BUDGET_MS = 50.0
MAX_COST = 1.0


def _quiet(*_args) -> None:
    return None


def _driver(root: Path):
    from ygs.build.drive import Driver, Limits
    from ygs.build.session import current
    from ygs.build.tools import ToolBox

    ctx = current(root)
    driver = Driver(ctx, Limits(timeout_s=3600, max_turns=10_000, max_cost=None), "bench", _quiet)
    return driver, ToolBox(driver)


def overhead(root: Path, rounds: int) -> dict[str, list[float]]:
    """Interleaved rounds: a turn's bookkeeping in process, `git status` as the peer."""
    driver, tools = _driver(root)
    samples: dict[str, list[float]] = {"ygs turn (write_file + log)": [], "git status": []}

    def turn(i: int) -> None:
        args = {"path": "pkg2/mod2/f2.py", "content": f"VALUE = {i}\n"}
        driver.conversation.add("assistant", blocks=[{"type": "tool_use", "input": args}])
        text, error = tools.call("write_file", args)
        if error:
            raise SystemExit(f"the bench write was refused: {text}")
        driver.conversation.add("tool", name="write_file", input=args, error=error, result=text)
        driver.progress()

    turn(-1)  # warm-up: imports, git's index refresh
    for i in range(rounds):
        start = time.perf_counter()
        turn(i)
        samples["ygs turn (write_file + log)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, check=True)
        samples["git status"].append(time.perf_counter() - start)
    return samples


OPS = "def add(a, b):\n    return a + b\n"
SUB_OPS = OPS + "\n\ndef sub(a, b):\n    return a - b\n"
SUB_TESTS = (
    "from calc.ops import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
    "def test_sub():\n    assert sub(3, 1) == 2\n"
)


def _calc(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    (root / "calc").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "ops.py").write_text(OPS)
    (root / "tests").mkdir()
    (root / "tests" / "test_ops.py").write_text(
        "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    (root / ".gitignore").write_text("__pycache__/\n")
    (root / ".ygs").mkdir()
    command = json.dumps(f"{sys.executable} -m pytest -q -p no:cacheprovider")
    (root / ".ygs" / "config.yaml").write_text(
        f"commands:\n  test: {command}\nguard:\n  checkpoint_every: 2\n"
    )
    (root / "tasks" / "backlog").mkdir(parents=True)
    (root / "tasks" / "backlog" / "TASK-001-subtract.md").write_text(
        "---\nid: TASK-001\ntype: task\ntitle: Subtract\nstatus: backlog\npriority: P0\n"
        "size: S\nplanned_files: [calc/ops.py]\n---\n\n# TASK-001: Subtract\n\n"
        "## Acceptance criteria\n\n- [ ] sub works\n"
    )
    commit_all(root, "calc")


def cache_check(tmp: Path) -> list[str]:
    """Problems with the driven run's caching and cost (empty: none)."""
    from ygs.testing.fake_anthropic import FakeAnthropic

    root = tmp / "calc"
    root.mkdir()
    _calc(root)
    done = {"status": "DONE", "task": "TASK-001", "reason": "", "deviations": []}
    script = [
        {"tool_use": {"name": "read_file", "input": {"path": "calc/ops.py"}}},
        {"tool_use": {"name": "write_file", "input": {"path": "calc/ops.py", "content": SUB_OPS}}},
        {
            "tool_use": {
                "name": "write_file",
                "input": {"path": "tests/test_ops.py", "content": SUB_TESTS},
            }
        },
        {"text": "Done.\n" + json.dumps(done)},
    ]
    with FakeAnthropic(script) as fake:
        env = {**os.environ, "ANTHROPIC_API_KEY": "sk-ant-bench-not-real"}
        env.update(ANTHROPIC_BASE_URL=fake.url, YGS_MODEL_MAX_RETRIES="0", NO_COLOR="1")
        argv = [*ygs_command(), "--json", "implement", "--executor", "anthropic"]
        argv += ["--max-cost", f"{MAX_COST:g}"]
        ran = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
    if ran.returncode != 0:
        return [f"the driven run ended with exit {ran.returncode}: {ran.stderr[-500:]}"]
    result = json.loads(ran.stdout)
    folder = root / result["run_dir"]
    calls = json.loads((folder / "usage.json").read_text())["calls"]
    problems = []
    print(f"\ndriven run: {len(calls)} model calls, cost ${result['cost_usd']:.4f}")
    for n, call in enumerate(calls, 1):
        print(
            f"  call {n}: input {call['input_tokens']}, cache write {call['cache_write_tokens']}, "
            f"cache read {call['cache_read_tokens']}"
        )
        if n > 1 and call["cache_read_tokens"] <= 0:
            problems.append(f"call {n} read nothing from the cache")
    if len(calls) < 2:
        problems.append("fewer than two model calls: nothing to compare")
    if not 0 < result["cost_usd"] <= MAX_COST:
        problems.append(f"cost {result['cost_usd']} is not within --max-cost {MAX_COST}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        make_repo(root, args.files)
        config = root / ".ygs" / "config.yaml"
        config.write_text(config.read_text() + "guard:\n  checkpoint_every: 1000000\n")
        started = subprocess.run(
            [*ygs_command(), "implement", "TASK-001", "--manual", "-q"], cwd=root
        )
        if started.returncode != 0:
            return 2
        samples = overhead(root, args.rounds)
        peer = statistics.median(samples["git status"])
        print(f"{args.files} files, {args.rounds} rounds")
        print(f"{'case':<30} {'median ms':>10} {'x git status':>13} {'budget':>8}")
        failed = False
        for name, values in samples.items():
            median = statistics.median(values)
            budget = f"{BUDGET_MS:g}" if name.startswith("ygs") else ""
            print(f"{name:<30} {median * 1000:>10.1f} {median / peer:>13.2f} {budget:>8}")
            failed |= name.startswith("ygs") and median * 1000 > BUDGET_MS
        problems = cache_check(Path(tmp))
        for problem in problems:
            print(f"FAIL: {problem}")
    if failed:
        print(f"FAIL: the per-turn overhead is above {BUDGET_MS:g} ms")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
