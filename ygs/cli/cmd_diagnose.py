"""`ygs investigate` and `ygs verify`: after a run, the evidence for red tests and the
self-verify phase (logic in ygs.build.investigate and ygs.build.verify)."""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts, plain

RunOpt = Annotated[
    str | None,
    typer.Option(
        "--run",
        metavar="ID",
        help="The run (default: the run of the checked-out branch, else the newest).",
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--timeout", metavar="S", help="Seconds for the tests (commands.timeout_s)."),
]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="No model: the evidence only.")]
BackendOpt = Annotated[
    str | None, typer.Option("--model-backend", help="auto, anthropic, claude-code or offline.")
]
CostOpt = Annotated[float | None, typer.Option("--max-cost", help="Model budget, USD.")]


def register(app: typer.Typer) -> None:
    app.command("investigate")(investigate)
    app.command("verify")(verify)


def _context(run_id: str | None):
    from ygs.build.investigate import require_at_run
    from ygs.build.session import chosen

    ctx = chosen(opts().cwd, run_id)
    require_at_run(ctx)
    return ctx


def investigate(
    run: RunOpt = None,
    timeout: TimeoutOpt = None,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
) -> int:
    """Collect the evidence for red tests into the run folder's investigate.md.

    Runs the tests; lists each failing test with its traceback, marking the traceback's
    places that the run changed; adds the run's diff. With a model (ygs-investigate), a
    root-cause analysis: hypotheses, evidence, root cause, minimal fix. A fix that skips,
    deletes or weakens a test is rejected (asked again once; then exit 3). Exit 0 with the
    report written (also when the tests are green), 5 when the tests time out.
    """
    from ygs import llm
    from ygs.build.investigate import investigate as run_investigate

    ctx = _context(run)

    def connect(folder):
        return llm.connect(
            ctx.project, backend=model_backend, offline=offline, max_cost=max_cost, run_dir=folder
        )

    data, code = run_investigate(ctx, ctx.timeout(timeout), connect, log)

    def human(_console) -> None:
        lines = [f"{data['run']}: {data['tests']['status']}, report {data['report']}"]
        for item in data["failures"]:
            hot = [f"{f['path']}:{f['line']}" for f in item["frames"] if f["changed"]]
            lines.append(
                f"  FAILED {item['name']}" + (f" (run changed {', '.join(hot)})" if hot else "")
            )
        found = data["analysis"]
        if found:
            lines.append(f"  root cause: {found['root_cause']}")
        for rejected in data["rejected"]:
            lines.append(
                f"  rejected fix (attempt {rejected['attempt']}): {', '.join(rejected['because'])}"
            )
        plain("\n".join(lines))

    return emit(data, human, code)


def verify(
    run: RunOpt = None,
    timeout: TimeoutOpt = None,
    offline: OfflineOpt = False,
    model_backend: BackendOpt = None,
    max_cost: CostOpt = None,
) -> int:
    """The self-verify phase: `ygs test`, then `ygs review --base <the run's base>`.

    Both run, and verify.json in the run folder keeps both results. Exit 4 when the tests
    are red, 5 when they time out or the model fails, 1 on MUST findings, else 0.
    """
    from ygs.build.verify import verify as run_verify
    from ygs.review.run import Ask

    ctx = _context(run)
    ask = Ask(offline=offline, backend=model_backend, max_cost=max_cost)
    data, code = run_verify(ctx, ctx.timeout(timeout), ask, log)

    def human(_console) -> None:
        review = data["review"]
        counts = ", ".join(f"{v} {k}" for k, v in review["counts"].items() if v) or "no findings"
        plain(
            f"{data['run']}: {data['status']}\n  tests: {data['tests']['status']}\n"
            f"  review: {review['verdict']} ({counts})\n  kept: {data['report']}"
        )

    return emit(data, human, code)
