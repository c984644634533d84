"""`ygs guard hook`: the guard as a Claude Code hook (PreToolUse, PostToolUse, Stop).

Contract (code.claude.com/docs/en/hooks, checked against Claude Code 2.1): the event comes
as one JSON object on stdin (`hook_event_name`, `cwd`, `tool_name`, `tool_input`,
`tool_response`, `stop_hook_active`, …); the answer is one JSON object on stdout with exit
0. PreToolUse answers `hookSpecificOutput.permissionDecision` (`deny` or `ask`, with
`permissionDecisionReason`, shown to Claude); PostToolUse and Stop answer
`{"decision": "block", "reason": …}` (PostToolUse: the reason goes to Claude; Stop: Claude
keeps working), or `hookSpecificOutput.additionalContext` for a note. No output allows.

In a run ygs drives (`ygs implement --executor claude-code`), a checkpoint that falls due
after a tool call is run by the hook itself: green is a note, red goes back to Claude as a
block with the failures (the loop's fix turn inside the session).

Outside a run (the checked-out branch is not a `ygs/…` run branch) it answers nothing after
one file read. Malformed input or any failure of ours allows the call and says why on
stderr: the hook never blocks an agent by crashing.
"""

from __future__ import annotations

import json
import os
import sys

# Nothing else at import time (not even pathlib): outside a run the hook answers after
# reading one file. `ygs guard hook` reaches main() straight from ygs.__main__.
RUN_BRANCH_PREFIX = "ygs/"
WRITE_TOOLS = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
GUARDED_TOOLS = (*WRITE_TOOLS, "Bash")
DRIVEN = ("claude-code", "anthropic")  # ygs.build.drive.DRIVEN, without importing it
MATCHER = "|".join(GUARDED_TOOLS)


def deny(reason: str) -> dict:
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }


def ask(reason: str) -> dict:
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "ask",
            "permissionDecisionReason": reason,
        }
    }


def note(event: str, text: str) -> dict:
    return {"hookSpecificOutput": {"hookEventName": event, "additionalContext": text}}


def block(reason: str) -> dict:
    return {"decision": "block", "reason": reason}


class Where:
    """The run the event belongs to, found from the event's cwd."""

    def __init__(self, cwd, top, root, run) -> None:  # pathlib.Path x3, runs.Run
        self.cwd, self.top, self.root, self.run = cwd, top, root, run
        self._snap = None

    @property
    def snap(self):
        if self._snap is None:
            from ygs.build.guard import Snapshot

            self._snap = Snapshot(self.run, self.top)
        return self._snap


def _run_branch(start: str) -> str | None:
    """The checked-out branch of the work tree around `start` when it is a ygs run branch;
    os.path only, one small file read."""
    folder = os.path.abspath(start)
    while True:
        dot = os.path.join(folder, ".git")
        if os.path.exists(dot):
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    head = os.path.join(dot, "HEAD")
    try:
        if os.path.isfile(dot):
            with open(dot, encoding="utf-8", errors="replace") as handle:
                target = handle.read().strip().removeprefix("gitdir:").strip()
            head = os.path.join(folder, target, "HEAD")
        with open(head, encoding="utf-8", errors="replace") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    branch = text.removeprefix("ref: refs/heads/")
    return branch if branch != text and branch.startswith(RUN_BRANCH_PREFIX) else None


def locate(payload: dict) -> Where | None:
    start = str(payload.get("cwd") or os.environ.get("CLAUDE_PROJECT_DIR") or os.getcwd())
    branch = _run_branch(start)
    if branch is None:
        return None  # not on a run branch: the common case
    from pathlib import Path

    from ygs.build import git, runs

    cwd = Path(start)
    top = git.find_top(cwd)
    if top is None or git.head_branch(top) != branch:
        return None
    root = runs.find_root(cwd.resolve())
    run = runs.for_branch(root, branch)
    if run is None or not run.is_open:
        return None
    return Where(cwd, top, root, run)


def decide(payload: dict) -> dict | None:
    where = locate(payload)
    if where is None:
        return None
    event = payload.get("hook_event_name")
    tool = str(payload.get("tool_name") or "")
    tool_input = payload.get("tool_input") if isinstance(payload.get("tool_input"), dict) else {}
    if event == "PreToolUse" and tool in WRITE_TOOLS:
        return _pre_write(where, str(tool_input.get(WRITE_TOOLS[tool]) or ""))
    if event == "PreToolUse" and tool == "Bash":
        return _pre_bash(where, str(tool_input.get("command") or ""))
    if event == "PostToolUse" and tool in GUARDED_TOOLS:
        return _post(where)
    if event in ("Stop", "SubagentStop"):
        return _stop(where, payload.get("stop_hook_active") is True)
    return None


def _scope(where: Where) -> list[str]:
    return [*where.run.planned, *where.run.accepted]


def _unplanned_check(where: Where, rels: list[str]) -> dict | None:
    """Refuse the write that would take the unplanned files to the limit."""
    from ygs.build import policy

    run = where.run
    fresh = [r for r in rels if not run.bookkeeping(r) and not policy.is_planned(r, _scope(where))]
    if not fresh:
        return None
    snap = where.snap
    for rel in fresh:
        if rel in snap.user_changes:
            return deny(
                f"{rel} holds the user's own uncommitted changes from before this run. Do not "
                "edit it: ask the user to commit or stash their changes first."
            )
    new = [r for r in fresh if r not in snap.touched]
    limit = snap.limits["unplanned_files"]
    count = len(snap.unplanned) + len(set(new))
    if new and limit > 0 and count >= limit:
        already = ", ".join(snap.unplanned) or "none yet"
        return deny(
            f"STOP: writing {', '.join(new)} would make {count} unplanned files (the limit is "
            f"{limit}; unplanned so far: {already}). Stop and ask the user whether the wider "
            "scope is wanted, naming each unplanned file and why it is needed. If they say "
            'yes, run `ygs deviation "design said …, did … because …" --accept FILE` for '
            "each new file, then retry. Do not work around this with another tool."
        )
    return None


def write_refusal(where: Where, raw: str) -> str | None:
    """Why the guard refuses a write to `raw` (a path as the agent spelled it), or None.
    The anthropic executor's write tools ask this too: one set of rules for every agent."""
    answer = _pre_write(where, raw)
    if answer is None:
        return None
    return answer["hookSpecificOutput"]["permissionDecisionReason"]


def _pre_write(where: Where, raw: str) -> dict | None:
    from ygs.build import pathrules

    rel, reason = pathrules.check_path(raw, str(where.cwd), str(where.top))
    if reason:
        return deny(reason)
    return _unplanned_check(where, [rel]) if rel else None


def _pre_bash(where: Where, command: str) -> dict | None:
    from ygs.build import pathrules, policy

    targets = pathrules.bash_targets(command)
    rels = []
    for raw in targets or ():
        expanded = os.path.expandvars(raw)
        rel, reason = pathrules.check_path(expanded, str(where.cwd), str(where.top), temp_ok=True)
        if reason:
            return deny(f"this command writes {raw}: {reason}")
        if rel and not policy.has_magic(rel) and "$" not in rel:
            rels.append(rel)
    refused = _unplanned_check(where, rels)
    if refused:
        return refused
    risky = pathrules.risky_git(command)
    if risky:
        return ask(
            f"`{risky}` during ygs run {where.run.id}: it can discard work or step around "
            "the checkpoints. Commits go through `ygs checkpoint`, undo through `ygs undo`. "
            "The user decides."
        )
    return None


def _post(where: Where) -> dict | None:
    snap = where.snap
    if snap.stop:
        return block(
            f"STOP: {len(snap.unplanned)} unplanned files touched (the limit is "
            f"{snap.limits['unplanned_files']}): {', '.join(snap.unplanned)}. Do not continue: "
            "report each unplanned file and why it was needed, and ask the user to confirm "
            "the wider scope (NEEDS_INPUT)."
        )
    if snap.checkpoint_due and where.run.data.get("executor") in DRIVEN:
        from ygs.build.drive import checkpoint_feedback

        text, red = checkpoint_feedback(where.root, where.run)  # ygs drives: ygs checkpoints
        return block(text) if red else note("PostToolUse", text)
    if snap.checkpoint_due:
        return note(
            "PostToolUse",
            f"Checkpoint due: {len(snap.since_checkpoint)} files touched since the last "
            "checkpoint. Run `ygs checkpoint --json` now (build and tests must pass).",
        )
    return None


def _stop(where: Where, active: bool) -> dict | None:
    if active or where.run.data.get("executor") in DRIVEN:
        return None  # reminded once already (never loop); or ygs checkpoints at the end itself
    snap = where.snap
    if snap.stop or snap.tests_failing or not snap.since_checkpoint:
        return None  # stopping is right, or nothing is owed
    return block(
        f"{len(snap.since_checkpoint)} files touched since the last checkpoint of ygs run "
        f"{where.run.id}: {', '.join(snap.since_checkpoint[:8])}. Run `ygs checkpoint --json` "
        "before you stop, or say in your final report why the work is left unchecked."
    )


def _audit(payload: dict, answer: dict) -> None:
    """Denials and blocks go to the run's hook log: the evidence of what was refused."""
    try:
        where = locate(payload)
        if where is None:
            return
        tool_input = payload.get("tool_input")
        tool_input = tool_input if isinstance(tool_input, dict) else {}
        target = next((tool_input[k] for k in ("file_path", "notebook_path", "command")
                       if isinstance(tool_input.get(k), str)), None)  # fmt: skip
        record = {
            "event": payload.get("hook_event_name"),
            "tool": payload.get("tool_name"),
            "target": target[:500] if target else None,
            "answer": answer,
        }
        with open(where.run.folder / "hook.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
    except Exception:  # the log is a courtesy; the answer has gone out already
        pass


def main(stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        payload = json.loads(stdin.read() or "null")
    except (ValueError, UnicodeDecodeError) as err:
        sys.stderr.write(f"ygs guard hook: input is not JSON ({err}); allowing the call\n")
        return 0
    if not isinstance(payload, dict):
        sys.stderr.write("ygs guard hook: input is not a JSON object; allowing the call\n")
        return 0
    try:
        answer = decide(payload)
    except Exception as err:  # a crash must never block the agent
        sys.stderr.write(f"ygs guard hook: {type(err).__name__}: {err}; allowing the call\n")
        return 0
    if answer is not None:
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()
        _audit(payload, answer)
    return 0
