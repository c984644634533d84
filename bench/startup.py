"""Startup benchmark: ygs commands as ratios to `python -c pass`, peers side by side.

Run: python bench/startup.py [--runs N]
Budget: `ygs --version` <= 3x, `ygs --help` <= 10x. Exits 1 when a budget is missed.
Peers (spec-kit's `specify`, OpenSpec's `openspec`) are timed when installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = {"ygs --version": 3.0, "ygs --help": 10.0}


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def timed(cmd: list[str], runs: int, cwd: str) -> float:
    """Median wall time of `runs` runs, after one warm-up run."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    ygs = ygs_command()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "ygs --version": [*ygs, "--version"],
        "ygs --help": [*ygs, "--help"],
        "ygs skills list": [*ygs, "skills", "list"],
        "ygs status": [*ygs, "status"],
    }
    for peer, argv in (
        ("specify", ["specify", "--version"]),
        ("openspec", ["openspec", "--version"]),
    ):
        if shutil.which(peer):
            cases[" ".join(argv)] = argv
    with tempfile.TemporaryDirectory() as cwd:
        base = timed(cases["python -c pass"], args.runs, cwd)
        print(f"{'command':<22} {'median ms':>10} {'ratio':>7} {'budget':>7}")
        failed = False
        for name, cmd in cases.items():
            seconds = base if name == "python -c pass" else timed(cmd, args.runs, cwd)
            ratio = seconds / base
            budget = BUDGET.get(name)
            mark = (
                "" if budget is None else (f"{budget:.0f}x" + (" MISS" if ratio > budget else ""))
            )
            failed |= budget is not None and ratio > budget
            print(f"{name:<22} {seconds * 1000:>10.1f} {ratio:>6.1f}x {mark:>7}")
        for peer in ("specify", "openspec"):
            if not shutil.which(peer):
                print(f"({peer} not installed: not timed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
