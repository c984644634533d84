"""Learnings-search benchmark: `ygs learnings search` over 10,000 documents (SQLite FTS5).

Run: python bench/learnings.py [--rounds N] [--docs N]
Budget: 20 results from 10,000 documents (lessons, 4 to a learning file, so 2,500 files) in
100 ms or less: median CPU of the in-process search, the incremental index check included
(every file is stat'ed; none changed). 10,000 one-lesson files are timed too, not budgeted:
there the check's one stat per file dominates. The peer, run in the same process and
rounds, is a plain scan that reads every file and matches the words (what a grep over
docs/learnings/ does); its CPU ratio to the search is printed. The whole command (start-up
included) and the first, cold index build are printed too. Rounds are interleaved; medians
are printed. Exits 1 when the budget is missed.
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
from datetime import date
from pathlib import Path

BUDGET_S = 0.100
VOCABULARY = (
    "cache invoice retry webhook timezone rounding ledger export import queue worker token "
    "session migration index schema currency refund tax batch report upload parser locale "
    "signature checksum deadlock timeout pagination cursor encoding unicode formatter"
)
WORDS = VOCABULARY.split()
CATEGORIES = ("Edge Case", "Integration Gotcha", "Performance Cliff", "Tooling Quirk")
Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def lesson(rng: random.Random, n: int) -> str:
    a, b, c = rng.sample(WORDS, 3)
    category = CATEGORIES[n % len(CATEGORIES)]
    return (
        f"### {category}: When touching {a}, check the {b} path ({n})\n\n"
        f"- **Applies to:** src/{a}/\n- **Trigger:** Any change to {a} or {b}\n"
        f"- **Cause:** the {b} step assumed {c} was ready\n"
        f"- **Evidence:** tests/test_{a}.py\n- **Search terms:** {a}, {b}, {c}\n"
        "- **Confidence:** HIGH\n"
    )


def learning(i: int, rng: random.Random, lessons: int) -> str:
    a, b = rng.sample(WORDS, 2)
    reviewed = "2020-01-01" if i % 10 == 0 else "2026-11-01"
    body = "\n".join(lesson(rng, i * lessons + k) for k in range(lessons))
    return (
        f'---\nid: learning-{i:05d}\ntype: learning\ntitle: "Learnings: {a} and {b} {i}"\n'
        f"status: active\ndate: 2026-01-01\nreviewed: {reviewed}\ncategories: [Edge Case]\n"
        f"tags: [{a}, {b}]\nrefs: [TASK-{i:05d}]\nrelated: []\n---\n\n"
        f"# Learnings: {a} and {b} {i}\n\n## Context\n\n- **Work:** the {a} change\n"
        f"- **From:** TASK-{i:05d}\n\n## What went well\n\n- the {b} test came first\n\n"
        f"## What to improve\n\n- None recorded.\n\n## Lessons\n\n{body}"
    )


def write_project(root: Path, documents: int, per_file: int) -> None:
    (root / ".ygs").mkdir(parents=True)
    (root / ".ygs" / "config.yaml").write_text("{}\n")
    folder = root / "docs" / "learnings"
    folder.mkdir(parents=True)
    rng = random.Random(1)
    for i in range(documents // per_file):
        (folder / f"2026-01-01-learning-{i:05d}.md").write_text(learning(i, rng, per_file))


def search_once(root: Path, term: str) -> tuple[Timing, int]:
    from ygs.ship import learnings

    start, cpu = time.perf_counter(), time.process_time()
    connection = learnings.open_index(root)
    try:
        counts = learnings.refresh(connection, root, "docs", "tasks")
        found = learnings.search(connection, term, stale_days=180, today=date(2026, 11, 29))
    finally:
        connection.close()
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    if counts["updated"]:
        raise SystemExit(f"the warm index read {counts['updated']} file(s) again")
    return elapsed, len(found)


def scan_once(root: Path, term: str) -> tuple[Timing, int]:
    start, cpu = time.perf_counter(), time.process_time()
    words = term.lower().split()
    hits = 0
    for path in (root / "docs" / "learnings").iterdir():
        text = path.read_text().lower()
        hits += all(w in text for w in words)
    return (time.perf_counter() - start, time.process_time() - cpu), hits


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command_once(root: Path, term: str) -> Timing:
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [*ygs_command(), "learnings", "search", term, "--json"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ygs learnings search failed: {done.stderr.decode()[-400:]}")
    return time.perf_counter() - start, _children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    terms = ("webhook retry", "timezone", "ledger cursor")
    layouts = {"4 lessons a file": 4, "1 lesson a file": 1}
    times: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {name: Path(tmp) / str(per) for name, per in layouts.items()}
        for name, root in roots.items():
            write_project(root, args.docs, layouts[name])
            start = time.perf_counter()
            command_once(root, "warm")  # the cold build of the index
            print(f"{name}: cold index build (one command) {time.perf_counter() - start:.1f} s")
        for root in roots.values():
            search_once(root, "warm")  # warm-up: imports and the page cache
        results = 0
        for round_ in range(args.rounds):  # interleaved rounds
            term = terms[round_ % len(terms)]
            for name, root in roots.items():
                timing, results = search_once(root, term)
                times.setdefault(f"search, {name}", []).append(timing)
                times.setdefault(f"peer scan, {name}", []).append(scan_once(root, term)[0])
                times.setdefault(f"command, {name}", []).append(command_once(root, term))
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    print(f"{args.docs:,} documents")
    print(f"{'case':<30} {'wall ms':>9} {'cpu ms':>9}")
    for name in times:
        print(f"{name:<30} {wall[name] * 1000:>9.1f} {cpu[name] * 1000:>9.1f}")
    for name in layouts:
        ratio = cpu[f"peer scan, {name}"] / cpu[f"search, {name}"]
        print(f"{name}: {results} results; a plain scan of the files costs x{ratio:.1f} the CPU")
    core = "search, 4 lessons a file"
    if cpu[core] > BUDGET_S:
        print(f"over budget: {core} {cpu[core] * 1000:.0f} ms > {BUDGET_S * 1000:.0f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
