"""Pull requests through the `gh` CLI: fetch one, and post one review that re-runs update.

The only boundary to GitHub. Every comment ygs posts carries a hidden marker
with the finding's fingerprint, and the review body a marker of its own, so a
re-run edits what is there instead of adding duplicates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field

from ygs.errors import Exit, YgsError

REVIEW_MARK = "<!-- ygs-review -->"
COMMENT_MARK = "<!-- ygs-fingerprint:{} -->"
PR_FIELDS = "number,title,body,baseRefName,headRefName,headRefOid,author,url,statusCheckRollup"
TIMEOUT_S = 60


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    base: str
    head: str
    head_sha: str
    author: str
    url: str
    checks: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "base": self.base,
            "head": self.head,
            "head_sha": self.head_sha,
            "author": self.author,
            "url": self.url,
        }


def run_gh(*args: str, data: str | None = None, cwd=None) -> subprocess.CompletedProcess:
    """Run `gh` with a timeout; the caller reads the exit code and stderr (team/ uses it)."""
    exe = shutil.which("gh")
    if exe is None:
        raise YgsError(
            "the GitHub CLI `gh` is not on PATH",
            remedy="install it (https://cli.github.com) and run `gh auth login`",
        )
    try:
        return subprocess.run(
            [exe, *args],
            input=data,
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise YgsError(
            f"`gh {args[0]}` did not answer within {TIMEOUT_S} s",
            code=Exit.UNAVAILABLE,
            remedy="check the network and retry",
        ) from None


def gh(*args: str, data: str | None = None, cwd=None) -> str:
    proc = run_gh(*args, data=data, cwd=cwd)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        raise YgsError(
            f"`gh {' '.join(args[:3])}` failed: {lines[-1]}",
            remedy="check the PR number and `gh auth status`",
        )
    return proc.stdout


def _json_lines(text: str, what: str) -> list:
    """`gh api --paginate --jq '.[]'` output: one JSON value per line, across pages."""
    return [_json(line, what) for line in text.splitlines() if line.strip()]


def _json(text: str, what: str):
    try:
        return json.loads(text)
    except ValueError:
        raise YgsError(
            f"`gh` returned something that is not JSON for {what}", code=Exit.UNAVAILABLE
        ) from None


def checks_summary(rollup) -> dict:
    """CI status of the head commit: counts of passing, failing and pending checks."""
    summary = {"passing": 0, "failing": 0, "pending": 0, "failed": []}
    for check in rollup or []:
        state = str(check.get("conclusion") or check.get("state") or check.get("status") or "")
        state = state.upper()
        name = check.get("name") or check.get("context") or "?"
        if state in ("SUCCESS", "NEUTRAL", "SKIPPED"):
            summary["passing"] += 1
        elif state in ("FAILURE", "ERROR", "TIMED_OUT", "CANCELLED", "ACTION_REQUIRED"):
            summary["failing"] += 1
            summary["failed"].append(name)
        else:
            summary["pending"] += 1
    return summary


def fetch(number: int, cwd=None) -> tuple[PullRequest, bytes]:
    """The pull request's metadata and its diff."""
    meta = _json(gh("pr", "view", str(number), "--json", PR_FIELDS, cwd=cwd), f"PR #{number}")
    diff = gh("pr", "diff", str(number), "--color=never", cwd=cwd)
    author = meta.get("author") or {}
    pr = PullRequest(
        number=int(meta.get("number", number)),
        title=meta.get("title", ""),
        body=meta.get("body") or "",
        base=meta.get("baseRefName", ""),
        head=meta.get("headRefName", ""),
        head_sha=meta.get("headRefOid", ""),
        author=author.get("login", "") if isinstance(author, dict) else str(author),
        url=meta.get("url", ""),
        checks=checks_summary(meta.get("statusCheckRollup")),
    )
    return pr, diff.encode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ posting

EVENTS = {"APPROVE": "APPROVE", "REQUEST_CHANGES": "REQUEST_CHANGES", "COMMENT": "COMMENT"}


def comment_body(finding: dict) -> str:
    mark = COMMENT_MARK.format(finding["fingerprint"])
    return (
        f"**{finding['severity']}** · {finding['lens']} · `{finding['rule']}` · "
        f"confidence {finding['confidence']}\n\n**{finding['title']}**\n\n{finding['why']}\n\n"
        f"**Fix:** {finding['fix']}\n\n{mark}"
    )


def _fingerprint_of(body: str) -> str | None:
    prefix = COMMENT_MARK.split("{}")[0]
    start = body.find(prefix)
    if start < 0:
        return None
    end = body.find(" -->", start)
    return body[start + len(prefix) : end] if end > 0 else None


def plan_post(findings: list[dict], reviews: list, comments: list) -> dict:
    """What to send (pure): a new review, or an update of the previous ygs review.

    Inline findings are those with a line; a finding whose fingerprint already has a
    comment is edited in place, never posted twice; comments of findings that are gone
    are marked resolved.
    """
    inline = [f for f in findings if f.get("line")]
    previous = next((r for r in reviews if REVIEW_MARK in (r.get("body") or "")), None)
    existing = {}
    for c in comments:
        fp = _fingerprint_of(c.get("body") or "")
        if fp:
            existing.setdefault(fp, c)
    current = {f["fingerprint"] for f in inline}
    return {
        "previous": previous,
        "new": [f for f in inline if f["fingerprint"] not in existing],
        "edit": [
            (existing[f["fingerprint"]], f)
            for f in inline
            if f["fingerprint"] in existing
            and existing[f["fingerprint"]].get("body") != comment_body(f)
        ],
        "resolve": [
            c
            for fp, c in existing.items()
            if fp not in current and not (c.get("body") or "").startswith("~~")
        ],
    }


def _inline(f: dict) -> dict:
    return {"path": f["file"], "line": f["line"], "side": "RIGHT", "body": comment_body(f)}


def post(pr: PullRequest, findings: list[dict], verdict: str, body: str, cwd=None) -> dict:
    """Post or update the one ygs review on the pull request; returns what was done."""
    api = f"repos/{{owner}}/{{repo}}/pulls/{pr.number}"
    listing = ("api", "--paginate", "--jq", ".[]")
    reviews = _json_lines(gh(*listing, f"{api}/reviews", cwd=cwd), "reviews")
    comments = _json_lines(gh(*listing, f"{api}/comments", cwd=cwd), "review comments")
    todo = plan_post(findings, reviews, comments)
    body = f"{body}\n\n{REVIEW_MARK}"
    if todo["previous"] is not None:
        return _update(api, pr, todo, body, cwd)
    payload = {
        "commit_id": pr.head_sha,
        "body": body,
        "event": EVENTS[verdict],
        "comments": [_inline(f) for f in todo["new"]],
    }
    created = _create(api, payload, cwd)
    return {
        "review": created.get("id"),
        "action": "created",
        "created": len(todo["new"]),
        "edited": 0,
        "resolved": 0,
        "event": created.get("_event", payload["event"]),
    }


def _send(method: str, path: str, payload: dict, cwd) -> str:
    return gh("api", "--method", method, path, "--input", "-", data=json.dumps(payload), cwd=cwd)


def _update(api: str, pr: PullRequest, todo: dict, body: str, cwd) -> dict:
    """Edit the previous ygs review: its body, new comments, edited and resolved ones."""
    review_id = todo["previous"]["id"]
    _send("PUT", f"{api}/reviews/{review_id}", {"body": body}, cwd)
    for f in todo["new"]:
        _send("POST", f"{api}/comments", {**_inline(f), "commit_id": pr.head_sha}, cwd)
    for comment, f in todo["edit"]:
        _patch(comment["id"], comment_body(f), cwd)
    for comment in todo["resolve"]:
        resolved = f"~~{comment.get('body', '')}~~\n\nResolved: no longer reported by ygs review."
        _patch(comment["id"], resolved, cwd)
    return {
        "review": review_id,
        "action": "updated",
        "created": len(todo["new"]),
        "edited": len(todo["edit"]),
        "resolved": len(todo["resolve"]),
    }


def _create(api: str, payload: dict, cwd) -> dict:
    """POST the review; if the host refuses the event (a bot may not approve, an author may
    not request changes on their own PR), post it once more as a plain COMMENT."""
    try:
        return _json(_send("POST", f"{api}/reviews", payload, cwd), "the new review")
    except YgsError:
        if payload["event"] == "COMMENT":
            raise
    retry = {**payload, "event": "COMMENT"}
    created = _json(_send("POST", f"{api}/reviews", retry, cwd), "the new review")
    return {**created, "_event": "COMMENT"}


def _patch(comment_id, body: str, cwd) -> None:
    _send("PATCH", f"repos/{{owner}}/{{repo}}/pulls/comments/{comment_id}", {"body": body}, cwd)
