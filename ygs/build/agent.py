"""`ygs implement --executor claude-code|anthropic`: start (or resume) the run, write its
`context.md`, build the executor and drive it through the loop (`ygs.build.drive`)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ygs.build import drive
from ygs.build.drive import Driver, Limits
from ygs.errors import YgsError

CONTEXT_FILE = "context.md"


class Display:
    """Progress on stderr: plain lines, plus the run's counts on a terminal (rich)."""

    def __init__(self, enabled: bool = True, tty: bool | None = None) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.console = None
        self.last = None
        self.shown_at = 0.0
        self.driver = None

    def echo(self, line: str) -> None:
        if not self.enabled:
            return
        if self.tty:
            if self.console is None:
                from rich.console import Console

                self.console = Console(stderr=True, highlight=False)
            self.console.print(line, markup=False)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def progress(self) -> None:
        """The counts after a tool call (on a terminal, when they changed)."""
        if not (self.enabled and self.tty and self.driver is not None):
            return
        if time.monotonic() - self.shown_at < 0.5:
            return
        snap = self.driver.snapshot()
        greens = len([r for r in self.driver.run.records() if r.get("green") is True])
        counts = (len(snap.touched), len(snap.unplanned), len(snap.since_checkpoint), greens)
        self.shown_at = time.monotonic()
        if counts == self.last:
            return
        self.last = counts
        if self.console is not None:
            self.console.print(
                f"[dim]touched {counts[0]} · unplanned {counts[1]}/"
                f"{snap.limits['unplanned_files']} · since checkpoint {counts[2]} · "
                f"checkpoints {counts[3]}[/dim]"
            )


def budgets(ctx, limits: Limits):
    from ygs.build import runner
    from ygs.build.context import Budgets
    from ygs.build.runs import limits as guard_limits

    found = guard_limits(ctx.run)
    return Budgets(
        unplanned_files=found["unplanned_files"],
        checkpoint_every=found["checkpoint_every"],
        max_fix_attempts=found["max_fix_attempts"],
        test_timeout_s=ctx.timeout(None),
        max_turns=limits.max_turns,
        timeout_s=limits.timeout_s,
        max_cost_usd=limits.max_cost,
        test_command=runner.resolve(ctx.root, ctx.config, "test").text,
        build_command=runner.resolve(ctx.root, ctx.config, "build").text,
    )


def write_context(ctx, limits: Limits) -> str:
    """`.ygs/runs/<run>/context.md` for the run's task; returns its text."""
    from ygs.build import context, git
    from ygs.core.specs import Index
    from ygs.plan import tasks as store
    from ygs.store import atomic_write, fresh_catalog

    catalog = fresh_catalog(ctx.project)
    task = store.find(catalog, ctx.run.task)
    listing = git.run(ctx.top, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    text = context.render(
        task, Index(catalog), ctx.top, git.paths(listing.stdout), budgets(ctx, limits), ctx.run
    )
    atomic_write(ctx.run.folder / CONTEXT_FILE, text)
    return text


def system_blocks(project) -> tuple[str, ...]:
    """The ygs-implement skill, its references and the executor's rules (trusted, static)."""
    from ygs import skills
    from ygs.interview.engine import load_skill

    skill = load_skill(project, "ygs-implement")
    references = skills.reference_texts(skill.folder)
    return (skill.body, *references, drive.INSTRUCTIONS)


def make_executor(name: str, ctx, limits: Limits):
    config = ctx.config
    system = system_blocks(ctx.project)
    if name == "anthropic":
        from ygs.build.api_exec import AnthropicExecutor
        from ygs.llm import connect

        session = connect(
            ctx.project, backend="anthropic", max_cost=limits.max_cost, run_dir=ctx.run.folder
        )
        return AnthropicExecutor(
            session,
            system,
            max_tokens=config["model.max_tokens"],
            call_timeout=config["model.timeout_s"],
        )
    from ygs.build import claude_exec, runner
    from ygs.install.targets.claude import hook_command

    test = runner.resolve(ctx.root, config, "test").text
    build = runner.resolve(ctx.root, config, "build").text
    hook_timeout = int(ctx.timeout(None) * 2 + 60)  # a due checkpoint runs inside the hook
    settings = claude_exec.settings(hook_command(), hook_timeout)
    return claude_exec.ClaudeExecutor(
        model=config["model.fast"],
        system="\n\n".join(system),
        allowed=claude_exec.allowed_tools(test, build),
        settings_json=json.dumps(settings),
    )


def resumed_info(ctx) -> dict:
    from ygs.build.guard import Snapshot

    run = ctx.run
    greens = [r for r in run.records() if r.get("green") is True]
    snap = Snapshot(run, ctx.top)
    last = greens[-1].get("commit") if greens else None
    return {
        "checkpoints": len(greens),
        "last": (last or "")[:10] or None,
        "since": snap.since_checkpoint,
    }


def implement(
    start: Path,
    task_id: str | None,
    *,
    executor: str,
    limits: Limits,
    resume: bool = False,
    accept_heavy: bool = False,
    display: Display | None = None,
) -> tuple[dict, int]:
    """The whole driven run; (result.json, exit code)."""
    from ygs.build.start import begin

    if limits.timeout_s <= 0 or limits.max_turns <= 0:
        raise YgsError("--timeout and --max-turns must be more than 0", remedy="--timeout 45m")
    if limits.max_cost is not None and limits.max_cost <= 0:
        raise YgsError("--max-cost must be more than 0", remedy="--max-cost 5")
    display = display or Display()
    ctx, data = begin(start, task_id, resume=resume, accept_heavy=accept_heavy, executor=executor)
    verb = "resumed" if data["resumed"] else "started"
    display.echo(f"ygs: {verb} run {data['run']} ({data['task']}) on {data['branch']}, {executor}")
    for warning in data["warnings"]:
        display.echo(f"ygs: warning: {warning}")
    context = write_context(ctx, limits)
    runner = make_executor(executor, ctx, limits)
    driver = Driver(ctx, limits, executor, display.echo)
    driver.progress = display.progress
    display.driver = driver
    if limits.skip_permissions:
        display.echo(
            "ygs: WARNING: --dangerously-skip-permissions: claude may run any command; only the "
            "guard hook stands between it and your machine. Use it in a sandbox only."
        )
    info = resumed_info(ctx) if data["resumed"] else None
    rel = ctx.run.folder.relative_to(ctx.root).as_posix() + "/" + CONTEXT_FILE
    return drive.drive(driver, runner, drive.prompt(ctx.run.task, rel, info), context)


def parse_duration(text: str) -> float:
    """`45m`, `90s`, `1h`, `1h30m` or plain seconds."""
    value = text.strip().lower()
    if not value:
        raise ValueError("empty")
    if value.replace(".", "", 1).isdigit():
        return float(value)
    total, number = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1}
    for ch in value:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
        else:
            raise ValueError(text)
    if number:
        raise ValueError(text)
    return total
