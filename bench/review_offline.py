"""Offline review benchmark: `ygs review --offline` on a generated 30,000-line diff.

Run: python bench/review_offline.py [--lines 30000] [--files 40] [--runs 5]
Target: <= 2 s wall time for 30,000 changed lines (median of --runs runs, one warm-up).
Reports findings per second, and `bandit -r` on the same changed files for scale when
bandit is installed. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0
# A realistic mix: mostly clean code, with a planted defect every ~50 lines.
CLEAN = [
    "def handler_{n}(request, db):",
    "    items = db.fetch(request.user_id)",
    "    total = sum(item.price for item in items)",
    "    if total > LIMIT:",
    "        raise ValueError(f'total {{total}} over limit')",
    "    log.info('handled %s', request.id)",
    "    return {{'total': total, 'count': len(items)}}",
    "",
]
DEFECTS = [
    "    print(items)",
    "    data = pickle.loads(request.body)",
    '    cursor.execute(f"SELECT * FROM users WHERE id = {{request.user_id}}")',
    "    requests.get(url, verify=False)",
    "    # TODO speed this up",
    "    os.system('rm -rf /tmp/cache')",
]


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def module(index: int, lines: int) -> str:
    out: list[str] = ["import os, pickle, requests", ""]
    n = 0
    while len(out) < lines:
        for template in CLEAN:
            out.append(template.format(n=f"{index}_{n}"))
        if n % 6 == 0:
            out.insert(len(out) - 2, DEFECTS[(n // 6) % len(DEFECTS)].format())
        n += 1
    # end on a whole function (valid Python, as a staged change almost always is), padded
    # with comment lines to exactly `lines`
    out = out[: max(i for i, text in enumerate(out[:lines]) if text == "") + 1]
    out += [f"# line {i}" for i in range(lines - len(out))]
    return "\n".join(out) + "\n"


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@b",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def build(root: Path, lines: int, files: int) -> list[Path]:
    """A repo whose working tree adds `lines` lines over `files` Python modules."""
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# bench\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    per_file = lines // files
    paths = []
    for i in range(files):
        path = root / "svc" / f"module_{i:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(i, per_file))
        paths.append(path)
    git(root, "add", "-A")  # tracked, so the working-tree diff is one `git diff HEAD`
    return paths


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "NO_COLOR": "1"}
    last = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        last = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = build(root, args.lines, args.files)
        cmd = [*ygs_command(), "review", "--offline", "--json", "--fail-on", "never"]
        seconds, proc = timed(cmd, root, args.runs)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return 2
        data = json.loads(proc.stdout)
        found = len(data["findings"])
        changed = data["stats"]["changed_lines"]
        print(f"ygs review --offline: {changed} changed lines in {data['stats']['files']} files")
        print(f"  median {seconds:.3f} s over {args.runs} runs (target <= {TARGET_S:.1f} s)")
        print(
            f"  {found} findings, {found / seconds:,.0f} findings/s, "
            f"{changed / seconds:,.0f} lines/s"
        )
        bandit = shutil.which("bandit")
        if bandit:
            b_seconds, _ = timed([bandit, "-q", "-r", *map(str, paths)], root, 1)
            print(
                f"bandit -r on the same {len(paths)} files: {b_seconds:.3f} s "
                f"({b_seconds / seconds:.1f}x ygs)"
            )
        else:
            print("bandit: not installed (pip install bandit to compare)")
    return 0 if seconds <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
