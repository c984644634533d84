"""`ygs verify [--run ID]`: the self-verify phase of a run, by a session that did not write
the code: `ygs test`, then `ygs review --base <the run's base>`.

Both always run, so the evidence is complete; the exit code is 4 when the tests are red,
5 when they timed out or the model failed, else 1 on MUST findings, else 0. The result is
kept as `verify.json` (and the test output under `verify/`) in the run folder.
"""

from __future__ import annotations

import json

from ygs.build.session import Context
from ygs.errors import Exit

STATUS = {
    Exit.OK: "DONE",
    Exit.FINDINGS: "DONE_WITH_CONCERNS",
    Exit.TESTS_FAILING: "TESTS_FAILING",
    Exit.UNAVAILABLE: "BLOCKED",
}


def verify(ctx: Context, timeout_s: float, ask, log=lambda _m: None) -> tuple[dict, int]:
    """`ask` is the review's Ask without its base; the run's base is filled in here."""
    from dataclasses import replace

    from ygs.build.investigate import run_tests
    from ygs.review.run import review
    from ygs.store import atomic_write

    run = ctx.run
    outcome = run_tests(ctx, "verify", timeout_s, log)[1]
    log(f"ygs verify: review against the run's base {run.base[:10]}")
    result = review(ctx.project, replace(ask, base=run.base, fail_on="must"), log)
    code = _code(outcome, result.code)
    data = {
        "run": run.id,
        "task": run.task,
        "branch": run.branch,
        "base": run.base,
        "status": STATUS.get(code, "BLOCKED"),
        "exit_code": int(code),
        "tests": outcome.to_dict(),
        "review": {
            "verdict": result.data["verdict"],
            "counts": result.data["counts"],
            "findings": result.data["findings"],
            "exit_code": result.code,
            "model": result.data.get("model"),
        },
    }
    atomic_write(run.folder / "verify.json", json.dumps(data, indent=2) + "\n")
    data["report"] = (run.folder / "verify.json").relative_to(ctx.root).as_posix()
    return data, code


def _code(outcome, review_code: int) -> int:
    if outcome.status == "timeout":
        return Exit.UNAVAILABLE
    if not outcome.green:
        return Exit.TESTS_FAILING
    return review_code
