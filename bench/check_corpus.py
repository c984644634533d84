"""Lint and trace benchmark: `ygs check` and `ygs trace --gate` on generated corpora of
250, 500 and 1,000 artifacts, and `openspec validate --all` on an equivalent OpenSpec corpus.

Run: python bench/check_corpus.py [--runs N] [--sizes 250,500,1000]
Targets at 1,000 artifacts: `ygs check` <= 2 s and at least 3x faster than
`openspec validate --all`; `ygs trace --gate` <= 2 s; cost grows linearly (the
marginal cost per artifact from 500 to 1,000 is at most 2x that from 250 to 500).
Exits 1 when a target is missed. OpenSpec is timed when `openspec` is on PATH or
OPENSPEC_BIN names it (`npm install --prefix /tmp/os @fission-ai/openspec`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REQS_PER_PRD = 5
CHECK_BUDGET_S = 2.0
TRACE_BUDGET_S = 2.0
PEER_RATIO = 3.0
LINEARITY = 2.0


def ygs_command() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def openspec_command() -> list[str] | None:
    exe = os.environ.get("OPENSPEC_BIN") or shutil.which("openspec")
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


def trd(k: int) -> str:
    rows = "\n".join(
        f"| REQ-{k * REQS_PER_PRD + j + 1:03d} | D1 Outbox | one transaction |"
        for j in range(REQS_PER_PRD)
    )
    return f"""---
id: feature-{k}
type: trd
title: Feature {k} design
status: approved
date: 2026-01-01
prd: feature-{k}
---
# Feature {k} design

## Decisions

### D1: Outbox

- **Rationale:** one transaction per notice.
- **Alternatives:** direct publish; rejected, dual write.

## Traceability

| Requirement | Decision | Rationale |
|---|---|---|
{rows}

## Failure modes

- If the relay stops, then notices queue for at most 5 minutes.

## Security

- Only the owner reads their notices.

## Test strategy

- Unit tests for the core, one integration test per channel.
"""


def adr(k: int) -> str:
    return f"""---
id: ADR-{k:04d}
type: adr
title: Decision {k}
status: accepted
date: 2026-01-01
reversibility: reversible
---
# ADR-{k:04d}: Decision {k}

## Context

Notices {k} need one transaction with the order.

## Decision

We will write notice {k} through an outbox table.

## Alternatives

- Direct publish: rejected, dual write.

## Consequences

- One more table to clean up.

## Reversibility

Reversible: drop the table after draining it.
"""


def task(n: int, req: str, dep: str | None) -> str:
    depends = f"[{dep}]" if dep else "[]"
    return f"""---
id: TASK-{n:03d}
type: task
title: Build part {n}
status: backlog
date: 2026-01-01
priority: P1
size: S
points: 2
wave: 2
mode: AFK
depends_on: {depends}
satisfies: [{req}]
mitigates: []
prd: feature-0
planned_files: [src/part_{n}.py, tests/test_part_{n}.py]
---
# TASK-{n:03d}: Build part {n}

## Goal

Part {n} sends its notice.

## Acceptance criteria

- Given event {n}, when it is recorded, then one notice is sent.
- Given the relay is down, when event {n} is recorded, then the notice is sent after recovery.
"""


def write_corpus(root: Path, total: int) -> dict[str, int]:
    """`total` artifacts: 10% PRDs, 10% TRDs, 10% ADRs, 70% tasks; tests cover most REQs."""
    docs = max(1, total // 10)
    tasks = total - 3 * docs
    write(root / ".ygs" / "config.yaml", "project:\n  name: bench\n")
    for k in range(docs):
        write(root / f"docs/prd/2026-01-01-feature-{k}.md", prd(k))
        write(root / f"docs/trd/2026-01-02-feature-{k}.md", trd(k))
        write(root / f"docs/adr/{k + 1:04d}-decision-{k}.md", adr(k + 1))
    reqs = docs * REQS_PER_PRD
    for n in range(1, tasks + 1):
        req = f"REQ-{(n - 1) % reqs + 1:03d}"
        dep = f"TASK-{n - 1:03d}" if n > 1 and n % 5 else None
        write(root / f"tasks/backlog/TASK-{n:03d}-part-{n}.md", task(n, req, dep))
    for k in range(reqs):
        write(
            root / f"tests/test_req_{k + 1}.py",
            f"# covers: REQ-{k + 1:03d}\ndef test_x():\n    pass\n",
        )
    return {"prd": docs, "trd": docs, "adr": docs, "task": tasks}


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


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, int]:
    """Fastest wall time of `runs` runs after one warm-up, and the exit code. The minimum,
    not the median: on a shared machine other load only ever adds time."""
    env = {**os.environ, "NO_COLOR": "1", "DO_NOT_TRACK": "1", "OPENSPEC_TELEMETRY": "0"}
    env.pop("PRE_COMMIT", None)
    warm = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
    return min(samples), warm.returncode


def git_init(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "TASK-001"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="250,500,1000")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    ygs = ygs_command()
    peer = openspec_command()
    results: dict[int, dict[str, float]] = {}
    print(f"{'artifacts':>9} {'ygs check':>10} {'trace --gate':>13} {'openspec':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"ygs-{size}"
            write_corpus(root, size)
            if shutil.which("git"):
                git_init(root)
            row = {}
            row["check"], code = timed([*ygs, "check", "--fail-on", "never"], root, args.runs)
            if code != 0:
                print(f"ygs check exited {code} on the corpus", file=sys.stderr)
            row["trace"], _ = timed([*ygs, "trace", "--gate"], root, args.runs)
            if peer:
                spec_root = Path(tmp) / f"openspec-{size}"
                write_openspec(spec_root, size)
                row["openspec"], code = timed(
                    [*peer, "validate", "--all", "--no-interactive"], spec_root, args.runs
                )
                if code != 0:
                    print(f"openspec validate exited {code} on its corpus", file=sys.stderr)
            results[size] = row
            ratio = f"{row['openspec'] / row['check']:.1f}x" if "openspec" in row else "-"
            peer_ms = f"{row['openspec'] * 1000:.0f}" if "openspec" in row else "-"
            print(
                f"{size:>9} {row['check'] * 1000:>8.0f}ms {row['trace'] * 1000:>11.0f}ms "
                f"{peer_ms:>7}ms {ratio:>6}"
            )
    return verdict(results, sizes, peer is not None)


def mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def verdict(results: dict[int, dict[str, float]], sizes: list[int], with_peer: bool) -> int:
    failed = False
    top = max(sizes)
    biggest = results[top]
    for key, budget in (("check", CHECK_BUDGET_S), ("trace", TRACE_BUDGET_S)):
        ok = biggest[key] <= budget
        failed |= not ok
        print(f"{key} at {top}: {biggest[key]:.2f} s (budget {budget:.1f} s) {mark(ok)}")
    if with_peer:
        ratio = biggest["openspec"] / biggest["check"]
        ok = ratio >= PEER_RATIO
        failed |= not ok
        print(f"openspec validate --all / ygs check at {top}: {ratio:.1f}x ", end="")
        print(f"(target >= {PEER_RATIO:.0f}x) {mark(ok)}")
    else:
        print("(openspec not installed: not timed; set OPENSPEC_BIN or put it on PATH)")
    if len(sizes) >= 3:
        a, b, c = sorted(sizes)[:3]
        for key in ("check", "trace"):
            first = (results[b][key] - results[a][key]) / (b - a)
            second = (results[c][key] - results[b][key]) / (c - b)
            growth = second / first if first > 0 else 0.0
            ok = growth <= LINEARITY
            failed |= not ok
            print(
                f"{key}: {first * 1e6:.0f} us/artifact ({a}->{b}), "
                f"{second * 1e6:.0f} us/artifact ({b}->{c}), growth {growth:.2f} "
                f"(<= {LINEARITY:.0f} is linear) {mark(ok)}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
