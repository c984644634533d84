"""Check and trace at scale, side by side with OpenSpec on equal corpora.

Run: python bench/check_corpus.py [--rounds N] [--sizes 100,1000,10000]

For each size N it writes two corpora with the same number of documents, requirements and
scenarios: N OpenSpec capability specs, and N ygs PRDs, each with 5 requirements of one
scenario. It then times, in interleaved rounds (every command once per round, so load on
a shared machine hits all of them alike), and reports medians of wall and CPU time, and
peak memory from one more round that samples it (sampling costs the sampled processes
CPU; ygs is byte-compiled first, as an installed wheel is):

- `openspec validate --all` on the OpenSpec corpus;
- `ygs check` and `ygs trace --gate` with a cold cache, on the ygs corpus and on the
  OpenSpec corpus (ygs reads it in place);
- `ygs check` with a warm cache and nothing changed, and `ygs check --changed` after one
  file was edited (uncommitted) since the last run;
- `ygs trace --gate` with nothing changed since the last trace, and right after a cold
  `ygs check` (as a CI job runs them: the check's caches, not the trace's);
- `ygs --version`, the start-up floor that every command pays.

Cold runs over many files parse and lint in worker processes (`ygs.cache.parallel`): the
CPU time includes theirs, and the memory figure is the peak of the whole process tree
(PSS summed; see `run_once`), never the parent's alone.

Targets at the largest size: cold `ygs check` at least 1.5x faster than
`openspec validate --all`; cold `ygs trace --gate` no slower; warm `ygs check` and
`--changed` (one file) within 0.3 s; ygs peak RSS at most OpenSpec's. Exits 1 when a
target is missed. OpenSpec is timed when `openspec` is on PATH, in .ci/node, or named by
OPENSPEC_BIN (`npm install --prefix .ci/node @fission-ai/openspec`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REQS_PER_PRD = 5
CHECK_RATIO = 1.5  # openspec time / ygs check time, cold
TRACE_RATIO = 1.0  # openspec time / ygs trace --gate time, cold
WARM_BUDGET_S = 0.3
REPO = Path(__file__).resolve().parent.parent


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def compile_package() -> None:
    """Byte-compile ygs as an installed wheel is (PYTHONDONTWRITEBYTECODE would otherwise
    make every timed run compile its modules again)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "ygs")],
        env=env,
        check=False,
        capture_output=True,
    )


def openspec_command() -> list[str] | None:
    local = REPO / ".ci/node/node_modules/.bin/openspec"
    exe = os.environ.get("OPENSPEC_BIN") or shutil.which("openspec")
    exe = exe or (str(local) if local.exists() else None)
    return [exe] if exe else None


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def prd(k: int) -> str:
    reqs = []
    for j in range(REQS_PER_PRD):
        n = k * REQS_PER_PRD + j + 1
        prio = ("MUST", "MUST", "MUST", "SHOULD", "MAY")[j]
        reqs.append(
            f"""### REQ-{n:03d}: Deliver notice {n}
- **Priority:** {prio} (P{min(j, 2)})
- **Kind:** business
- **Statement:** When event {n} is recorded, the system {prio} notify the owner in {j + 1} min.
- **Failure mode:** If delivery {n} fails, then the system MUST retry 3 times and alert on-call.
- **Scenarios:**
  - Given event {n} is recorded, when {j + 1} minutes pass, then the owner has one notice.
"""
        )
    return f"""---
id: feature-{k}
type: prd
title: Feature {k}
status: approved
date: 2026-01-01
---
# Feature {k}

## Problem

Owners miss event {k} notices for 3 days on average, so 12 % of their orders ship late.

## Success criteria

- Late orders fall from 12 % to 4 % within 60 days.

## Capabilities

| Capability | Change | Notes |
|---|---|---|
| Notice {k} | New | first version |

## Requirements

{chr(10).join(reqs)}
## Non-goals

- Text messages.
"""


def write_openspec(root: Path, total: int) -> None:
    """`total` OpenSpec specs, each with requirements and scenarios."""
    write(root / "openspec" / "config.yaml", "schema: spec-driven\n")
    (root / "openspec" / "changes" / "archive").mkdir(parents=True, exist_ok=True)
    for k in range(total):
        reqs = "\n".join(
            f"""### Requirement: Notice {k}-{j}
The system SHALL notify the owner of event {k}-{j} within {j + 1} minutes.

#### Scenario: Event {k}-{j} recorded
- **WHEN** event {k}-{j} is recorded
- **THEN** the owner has one notice within {j + 1} minutes
"""
            for j in range(REQS_PER_PRD)
        )
        write(
            root / f"openspec/specs/capability-{k}/spec.md",
            f"# capability-{k} Specification\n\n## Purpose\nOwners learn about event {k} "
            f"within minutes instead of days, so fewer orders ship late.\n\n"
            f"## Requirements\n{reqs}",
        )


def write_prds(root: Path, total: int) -> None:
    """`total` ygs PRDs with REQS_PER_PRD requirements of one scenario each: the same
    counts as write_openspec."""
    write(root / ".ygs" / "config.yaml", "project:\n  name: bench\n")
    for k in range(total):
        write(root / f"docs/prd/2026-01-01-feature-{k}.md", prd(k))


def run_once(
    cmd: list[str], cwd: Path, env: dict, *, sample: bool = True
) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system, worker processes included) and peak memory
    (KiB) of one run. On a shared machine the wall time includes waiting for a core; the
    CPU time does not. Memory is the larger of the process's own peak RSS and, with
    `sample`, the peak, sampled every few milliseconds, of the proportional set size (PSS)
    summed over the process and all its worker processes: workers forked from ygs share
    its pages, which PSS counts once, so the figure is what the whole run holds. Sampling
    is not free (the kernel walks a process's page tables for each read, ~2 ms for 100 MB,
    for each process every 20 ms), so timed runs do without it (`measure`). The peak RSS
    has a floor: Linux carries the high-water mark of this process, which starts the
    command, across the command's exec (~40 MB once the 10,000-document corpora are
    written). It holds for every command alike and shows only on the smallest ones
    (`--version`, a warm check)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak), daemon=True)
    if sample:
        sampler.start()
    _, _status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    return elapsed, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, peak[0])


def _sample_tree(pid: int, done: threading.Event, peak: list[int]) -> None:
    while not done.wait(0.02):
        peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(pid)))


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc; elsewhere the process alone)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        todo.extend(int(c) for c in children.split())
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def clear_cache(root: Path) -> None:
    shutil.rmtree(root / ".ygs" / "cache", ignore_errors=True)
    shutil.rmtree(
        Path(os.environ.get("XDG_CACHE_HOME", "")) / "ygs" / "projects", ignore_errors=True
    )


def git_init(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    # No automatic gc: committing 10,000 loose objects would start `git gc --auto` in the
    # background, busy on a core through the first timed rounds (and ygs, seeing the core
    # taken, would rightly start fewer workers).
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "gc.auto", "0"],
        ["config", "maintenance.auto", "false"],
        ["add", "-A"],
        ["commit", "-q", "-m", "corpus"],
    ):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def measure(size: int, rounds: int, tmp: Path, ygs: list[str], peer: list[str] | None) -> dict:
    native, foreign = tmp / f"ygs-{size}", tmp / f"openspec-{size}"
    write_prds(native, size)
    write_openspec(foreign, size)
    for root in (native, foreign):
        (root / "tests").mkdir(exist_ok=True)
        write(root / "tests/test_cover.py", "# covers: REQ-001\n")
        git_init(root)
    changed = native / "docs/prd/2026-01-01-feature-0.md"
    original = changed.read_text(encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "DO_NOT_TRACK": "1", "OPENSPEC_TELEMETRY": "0"}
    env["XDG_CACHE_HOME"] = str(tmp / "xdg-cache")
    env.pop("PRE_COMMIT", None)
    env.pop("YGS_NO_CACHE", None)
    os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]
    check = [*ygs, "check", "--fail-on", "never"]
    steps: list[tuple[str, Path, list[str], str]] = [
        ("ygs --version (start-up floor)", native, [*ygs, "--version"], ""),
        ("check cold", native, check, "cold"),
        ("trace --gate cold", native, [*ygs, "trace", "--gate"], "cold"),
        ("check warm", native, check, "warm"),
        ("check --changed", native, [*check, "--changed"], "changed"),
        ("trace --gate warm", native, [*ygs, "trace", "--gate"], "warm"),
        ("trace --gate after check", native, [*ygs, "trace", "--gate"], "after check"),
        ("check cold, openspec corpus", foreign, check, "cold"),
        ("trace --gate cold, openspec corpus", foreign, [*ygs, "trace", "--gate"], "cold"),
    ]
    if peer:
        steps.append(
            (
                "openspec validate --all",
                foreign,
                [*peer, "validate", "--all", "--no-interactive"],
                "",
            )
        )
    samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name, *_ in steps}
    for round_ in range(rounds + 1):  # the timed rounds, then one that samples memory
        for name, root, cmd, state in steps:
            if state in ("cold", "after check"):
                clear_cache(root)
                if state == "after check":  # as in CI: the check, then the gate
                    subprocess.run(check, cwd=root, env=env, capture_output=True)
            elif state in ("warm", "changed"):
                changed.write_text(original, encoding="utf-8")
                fill = cmd if "trace" in cmd else check  # fill the cache
                subprocess.run(fill, cwd=root, env=env, capture_output=True)
                time.sleep(2.1)  # out of the cache's racy window, as in real use
                subprocess.run(fill, cwd=root, env=env, capture_output=True)
                if state == "changed":  # one edit since the last run, not yet committed
                    changed.write_text(
                        original.replace("Text messages.", f"Text messages {time.time()}."),
                        encoding="utf-8",
                    )
            samples[name].append(run_once(cmd, root, env, sample=round_ == rounds))
    changed.write_text(original, encoding="utf-8")
    return {
        name: (
            statistics.median(t for t, _, _ in s[:-1]),
            statistics.median(c for _, c, _ in s[:-1]),
            max(r for _, _, r in s),
        )
        for name, s in samples.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    ygs = ygs_command()
    compile_package()
    peer = openspec_command()
    if peer is None:
        print("(openspec not installed: ratios not computed; set OPENSPEC_BIN or put it on PATH)")
    table: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            table[size] = measure(size, args.rounds, Path(tmp), ygs, peer)
            report(size, table[size])
    return verdict(table[max(sizes)], max(sizes), peer is not None)


def report(size: int, row: dict) -> None:
    reqs = size * REQS_PER_PRD
    print(f"\n{size} documents, {reqs} requirements, {reqs} scenarios per corpus (medians)")
    print(f"  {'':<36} {'wall':>8}    {'cpu':>8}    {'peak mem':>9}  openspec/this: wall  cpu")
    peer = row.get("openspec validate --all")
    for name, (seconds, cpu, rss) in row.items():
        ratio = (
            ""
            if not peer or name == "openspec validate --all"
            else (f"{peer[0] / seconds:5.2f}x {peer[1] / max(cpu, 1e-3):5.2f}x")
        )
        print(
            f"  {name:<36} {seconds * 1000:8.0f} ms {cpu * 1000:8.0f} ms {rss / 1024:6.0f} MB"
            f"     {ratio}"
        )


def mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def verdict(row: dict, size: int, with_peer: bool) -> int:
    failed = False
    print(f"\nTargets at {size} documents:")
    floor = row["ygs --version (start-up floor)"]
    for name in ("check warm", "check --changed"):
        ok = row[name][0] <= WARM_BUDGET_S
        failed |= not ok
        print(
            f"  {name}: {row[name][0]:.2f} s wall, {row[name][1]:.2f} s cpu (budget "
            f"{WARM_BUDGET_S} s; start-up alone {floor[0]:.2f} s wall) {mark(ok)}"
        )
    if with_peer:
        peer_s, _peer_cpu, peer_rss = row["openspec validate --all"]
        for corpus in ("", ", openspec corpus"):
            for name, target in (("check cold", CHECK_RATIO), ("trace --gate cold", TRACE_RATIO)):
                ratio = peer_s / row[name + corpus][0]
                ok = ratio >= target
                failed |= not ok
                print(
                    f"  {name}{corpus}: {ratio:.2f}x faster than openspec "
                    f"(target >= {target}x) {mark(ok)}"
                )
        rss = max(v[2] for k, v in row.items() if k != "openspec validate --all")
        ok = rss <= peer_rss
        failed |= not ok
        print(
            f"  ygs peak memory (with workers) {rss / 1024:.0f} MB vs openspec "
            f"{peer_rss / 1024:.0f} MB {mark(ok)}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
