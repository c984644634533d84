"""The few `gh` calls ship and triage make, through the one runner (ygs.review.github), with
clear messages when `gh` is missing or not logged in."""

from __future__ import annotations

import json
import shutil

from ygs.errors import Exit, YgsError

INSTALL = "install the GitHub CLI (https://cli.github.com), then run `gh auth login`"
_AUTH_WORDS = ("gh auth login", "not logged in", "authentication", "GH_TOKEN", "401")


def missing() -> YgsError:
    return YgsError("the GitHub CLI `gh` is not on PATH", code=Exit.BLOCKED, remedy=INSTALL)


def logged_out(detail: str) -> YgsError:
    return YgsError(
        f"`gh` is not logged in to GitHub ({detail})" if detail else "`gh` is not logged in",
        code=Exit.BLOCKED,
        remedy="run `gh auth login` (or set GH_TOKEN), then run this again",
    )


def call(*args: str, data: str | None = None, cwd=None) -> str:
    """`gh ARGS`: its stdout; a failure raises with gh's own last line, an auth failure as
    'not logged in'."""
    if shutil.which("gh") is None:
        raise missing()
    from ygs.review.github import run_gh

    proc = run_gh(*args, data=data, cwd=cwd)
    if proc.returncode == 0:
        return proc.stdout
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else f"exit {proc.returncode}"
    if proc.returncode == 4 or any(w.lower() in proc.stderr.lower() for w in _AUTH_WORDS):
        raise logged_out(last)
    raise YgsError(f"`gh {' '.join(args[:2])}` failed: {last}", code=Exit.UNAVAILABLE)


def require_login(cwd=None) -> None:
    """Stop before anything changes when gh cannot act for the user."""
    if shutil.which("gh") is None:
        raise missing()
    from ygs.review.github import run_gh

    proc = run_gh("auth", "status", cwd=cwd)
    if proc.returncode != 0:
        text = (proc.stderr or proc.stdout).strip().splitlines()
        raise logged_out(text[-1] if text else "")


def pr_for_branch(branch: str, cwd=None) -> dict | None:
    """The open pull request of `branch`, or None."""
    text = call(
        "pr", "list", "--head", branch, "--state", "open", "--json", "number,url,title", cwd=cwd
    )
    try:
        items = json.loads(text or "[]")
    except ValueError:
        raise YgsError("`gh pr list` did not return JSON", code=Exit.UNAVAILABLE) from None
    return items[0] if isinstance(items, list) and items else None


def create_pr(base: str, branch: str, title: str, body: str, cwd=None) -> str:
    """`gh pr create`: the new pull request's URL. Never merges, never enables auto-merge."""
    out = call(
        "pr",
        "create",
        "--base",
        base,
        "--head",
        branch,
        "--title",
        title,
        "--body-file",
        "-",
        data=body,
        cwd=cwd,
    )
    urls = [w for w in out.split() if w.startswith("http")]
    return urls[-1] if urls else out.strip()


def issue(number: int, cwd=None) -> dict:
    text = call(
        "issue",
        "view",
        str(number),
        "--json",
        "number,title,body,labels,state,url,author,comments",
        cwd=cwd,
    )
    try:
        return json.loads(text)
    except ValueError:
        raise YgsError("`gh issue view` did not return JSON", code=Exit.UNAVAILABLE) from None


def issues(cwd=None, limit: int = 100) -> list[dict]:
    text = call(
        "issue",
        "list",
        "--state",
        "open",
        "--limit",
        str(limit),
        "--json",
        "number,title,body,labels,createdAt,url,author,comments",
        cwd=cwd,
    )
    try:
        data = json.loads(text or "[]")
    except ValueError:
        raise YgsError("`gh issue list` did not return JSON", code=Exit.UNAVAILABLE) from None
    return data if isinstance(data, list) else []
