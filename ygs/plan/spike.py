"""`ygs spike`: a time-boxed question on its own branch, and closing it with a verdict.

Git is driven through the `git` executable (the same one people use); the user's
uncommitted work is never stashed, reset or committed: a dirty tree stops with exit 3."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ygs.core import spike as core
from ygs.core.lint.context import SpikeMerge
from ygs.errors import Exit, YgsError

# Answers that belong to closing a spike: never written when it opens.
FINDINGS = frozenset(
    {"evidence", "time_spent_days", "verdict", "verdict_reason", "next_step", "poc_fate"}
    | {"follow_ups"}
)


def git(root: Path, *args: str, check: bool = True, strip: bool = True) -> str:
    from ygs.repo import require_git

    require_git(f"git {args[0]}")
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise YgsError(
            f"git {' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}",
            remedy="see the git message above; nothing else was changed",
        )
    return done.stdout.strip() if strip else done.stdout


def require_git(project) -> None:
    if not project.is_git:
        raise YgsError(
            "a spike needs a git repository: it runs on its own branch",
            remedy="`git init` and commit once, then run `ygs spike` again",
        )


def current_branch(root: Path) -> str:
    name = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not name:
        raise YgsError(
            "HEAD is detached: a spike starts from a branch",
            code=Exit.BLOCKED,
            remedy="switch to a branch (`git switch main`) first",
        )
    return name


def dirty(root: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """Tracked files with uncommitted changes (staged or not); untracked files are not
    touched by a branch switch and do not count."""
    out = git(root, "status", "--porcelain", "--untracked-files=no", strip=False)
    found = [line[3:] for line in out.splitlines() if line.strip()]
    return [f for f in found if f not in ignore]


def refuse_dirty(root: Path, ignore: tuple[str, ...] = ()) -> None:
    changed = dirty(root, ignore)
    if changed:
        raise YgsError(
            f"the working tree has uncommitted changes ({', '.join(changed[:3])}"
            + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            + ")",
            code=Exit.BLOCKED,
            remedy="commit or stash them yourself, then run it again; ygs never stashes or "
            "discards your work",
        )


def branch_exists(root: Path, name: str) -> bool:
    done = subprocess.run(
        ["git", "show-ref", "--verify", "--quiet", f"refs/heads/{name}"], cwd=root, check=False
    )
    return done.returncode == 0


def fresh_branch(root: Path, prefix: str, slug: str) -> str:
    """A branch name no run has used: a new 4-hex nonce until it is free."""
    import secrets  # only to name a branch: `ygs check` reads merges without it

    for _ in range(64):
        name = core.branch_name(prefix, slug, secrets.token_hex(2))
        if not branch_exists(root, name):
            return name
    raise YgsError("could not find a free spike branch name", remedy="delete old spike branches")


@dataclass(frozen=True)
class Opened:
    branch: str
    base: str


def open_branch(root: Path, prefix: str, slug: str) -> Opened:
    base = current_branch(root)
    refuse_dirty(root)
    name = fresh_branch(root, prefix, slug)
    git(root, "switch", "--quiet", "-c", name)
    return Opened(name, base)


def abandon(root: Path, opened: Opened) -> None:
    """Undo `open_branch` when nothing was written: back to the base, the empty branch gone."""
    git(root, "switch", "--quiet", opened.base, check=False)
    git(root, "branch", "--quiet", "-D", opened.branch, check=False)


def commit_only(root: Path, rel: str, message: str) -> str:
    """Commit exactly this one file (whatever else is staged stays staged)."""
    git(root, "add", "--", rel)
    git(root, "commit", "--quiet", "--no-verify", "-m", message, "--only", "--", rel)
    return git(root, "rev-parse", "HEAD")


def read_at(root: Path, ref: str, rel: str) -> str | None:
    done = subprocess.run(
        ["git", "show", f"{ref}:{rel}"], cwd=root, capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def merged_spike_branches_started(root: Path, base: str):
    """Merge commits on the base branch's first-parent history that brought in a spike/ or
    fafo/ branch (by the merge subject, or by a parent that is a spike branch's tip), as
    SpikeMerges: the git commands start now, and calling the result answers (git works
    while the caller does)."""
    from ygs.repo import git_available, started

    if not (root / ".git").exists() or not git_available():
        return list  # SPK002 reads git history; docs-only checks keep working without git
    log = ["log", "--merges", "--first-parent", "--format=%H%x00%P%x00%s", base]
    refs = ["for-each-ref", "--format=%(objectname) %(refname:short)"]
    merges = started(root, log, str)
    tips = started(root, [*refs, "refs/heads/spike", "refs/heads/fafo"], str)
    return lambda: _spike_merges(merges() or "", tips() or "")


def _spike_merges(log: str, refs: str) -> list[SpikeMerge]:
    """The spike merges in `git log` output (hash, parents, subject), a parent named
    by the tips of the spike branches in `git for-each-ref` output (hash, name)."""
    tips: dict[str, str] = {}
    for line in refs.splitlines():
        sha, _, name = line.partition(" ")
        tips[sha] = name
    found = []
    for line in log.splitlines():
        parts = line.split("\x00")
        if len(parts) != 3:
            continue
        sha, parents, subject = parts
        branch = core.merged_branch(subject)
        if not branch:
            branch = next((tips[p] for p in parents.split()[1:] if p in tips), "")
        if branch:
            found.append(SpikeMerge(sha, branch))
    return found


def today() -> str:
    return date.today().isoformat()


# --- opening and closing ----------------------------------------------------------------------


def _days(timebox: str | None) -> float | None:
    if timebox is None:
        return None
    try:
        return core.parse_timebox(timebox)
    except core.TimeboxError as err:
        raise YgsError(str(err), remedy="--timebox 2d (working days), 12h or 1w") from None


def open_spike(project, question, timebox, prefix, answers, resume) -> dict:
    from ygs.interview import author
    from ygs.interview import engine as iv
    from ygs.plan.wbs import prompter_for
    from ygs.store import inside, write_new

    require_git(project)
    current_branch(project.root)
    refuse_dirty(project.root)
    days = _days(timebox)
    skill = iv.load_skill(project, "ygs-spike")
    bank, bank_hash = iv.load_bank(skill)
    context = iv.context_for(project, idea=question or "")
    prior = {"question": question} if question else {}
    prior |= {"time_box_days": days} if days is not None else {}
    prior |= {"branch_kind": prefix} if prefix else {}
    journal = iv.start_or_resume(
        project, skill.name, bank_hash, {"context": context, "prior": prior}, resume=resume
    )
    conversation = iv.Conversation(
        bank, context, journal, prompter_for(answers), None, journal.header.get("prior", prior)
    )
    try:
        state = conversation.run()
    except KeyboardInterrupt:
        raise iv.interrupted(journal) from None
    values = {k: v for k, v in state.answers.items() if k not in FINDINGS}
    if days is not None:
        values["time_box_days"] = days
    if prefix:
        values["branch_kind"] = prefix
    box = values.get("time_box_days")
    days = _days(f"{box}d") if isinstance(box, int | float) and not isinstance(box, bool) else 2.0
    kind = str(values.get("branch_kind") or "spike")
    plan = author.plan(project, bank, values, "spike", {}, "in-progress")
    opened = open_branch(project.root, kind, plan.meta["slug"])
    started = date.today()
    plan.meta.update(
        branch=opened.branch,
        base_branch=opened.base,
        started=started.isoformat(),
        ends=core.end_of(started, days).isoformat(),
    )
    written = False
    try:
        text = author.render(plan, context, project.root / ".ygs" / "templates")
        write_new(inside(project.root, plan.path), text)
        written = True
        journal.mark_written(plan.path)
        commit = commit_only(project.root, plan.path, f"spike: {plan.meta['title']}")
    except BaseException:
        if written:  # never remove a file a parallel run created first
            (project.root / plan.path).unlink(missing_ok=True)
        abandon(project.root, opened)
        raise
    return {
        "id": plan.meta["id"],
        "path": plan.path,
        "branch": opened.branch,
        "base": opened.base,
        "commit": commit,
        "time_box_days": days,
        "started": plan.meta["started"],
        "ends": plan.meta["ends"],
        "status": "in-progress",
        "verdict": "OPEN",
    }


def _closing_answers(path: Path | None) -> dict:
    if path is None:
        return {}
    from ygs.interview.prompts import FilePrompter

    return dict(FilePrompter.from_file(path).answers)


def _spike_docs_on(root: Path, ref: str, docs: str) -> list[tuple[str, str]]:
    names = git(root, "ls-tree", "-r", "--name-only", ref, "--", f"{docs}/spikes", check=False)
    found = []
    for rel in names.splitlines():
        if rel.endswith(".md"):
            text = read_at(root, ref, rel)
            if text is not None:
                found.append((rel, text))
    return found


def _find(project, slug: str | None, here: str) -> tuple[str, str, str]:
    """(path, text, spike branch) of the spike to close."""
    from ygs.core import frontmatter

    candidates: list[tuple[str, str, str]] = []
    if core.is_spike_branch(here):
        for spike in project.catalog.of_kind("spike"):
            if str(spike.meta.get("branch") or "") == here:
                candidates.append((spike.path, spike.text, here))
    else:
        refs = git(project.root, "for-each-ref", "--format=%(refname:short)",
                   "refs/heads/spike", "refs/heads/fafo", check=False)  # fmt: skip
        for branch in refs.splitlines():
            for rel, text in _spike_docs_on(project.root, branch, project.layout.docs):
                try:
                    meta = frontmatter.parse(text).meta
                except frontmatter.FrontmatterError:
                    continue
                if str(meta.get("branch") or "") == branch:
                    candidates.append((rel, text, branch))
    if slug:
        wanted = slug.strip().removesuffix(".md")
        candidates = [c for c in candidates if wanted in (c[0], c[2]) or wanted in c[0]]
    if not candidates:
        raise YgsError(
            "no open spike found" + (f" matching '{slug}'" if slug else ""),
            remedy="run it on the spike branch, or name it: `ygs spike close SLUG --verdict …`",
        )
    if len(candidates) > 1:
        raise YgsError(
            f"{len(candidates)} spikes match; name one",
            details=[f"{c[0]} ({c[2]})" for c in candidates],
            remedy="`ygs spike close SLUG --verdict …`",
        )
    return candidates[0]


def close_spike(project, slug, verdict, next_step, reason, evidence, answers) -> dict:
    from ygs.core import frontmatter
    from ygs.store import atomic_write, inside

    extra = _closing_answers(answers)
    verdict = (verdict or str(extra.get("verdict") or "")).strip().upper()
    if verdict not in core.VERDICTS:
        raise YgsError(
            f"--verdict is '{verdict or 'missing'}'",
            remedy=f"one of: {', '.join(core.VERDICTS)}",
        )
    require_git(project)
    here = current_branch(project.root)
    rel, text, branch = _find(project, slug, here)
    meta = frontmatter.parse(text).meta
    base = str(meta.get("base_branch") or project.config["git.base_branch"])
    spent = extra.get("time_spent_days")
    closing = core.Closing(
        verdict=verdict,
        today=today(),
        reason=reason or str(extra.get("verdict_reason") or ""),
        next_step=next_step or str(extra.get("next_step") or ""),
        evidence=tuple(evidence) + tuple(str(e) for e in extra.get("evidence") or ()),
        fate=str(extra.get("poc_fate") or ""),
        spent_days=float(spent) if isinstance(spent, int | float) else None,
        follow_ups=tuple(str(f) for f in extra.get("follow_ups") or ()),
    )
    if here == branch:
        refuse_dirty(project.root, ignore=(rel,))
        closed = core.close((project.root / rel).read_text(encoding="utf-8"), closing)
        atomic_write(inside(project.root, rel), closed)
        commit_only(project.root, rel, f"spike: {verdict} ({meta.get('title') or rel})")
        git(project.root, "switch", "--quiet", base)
    else:
        closed = core.close(text, closing)
        if here != base:
            log_note = f"closing on {here}, not the spike's base branch {base}"
            from ygs.cli.output import log

            log(f"note: {log_note}")
            base = here
    atomic_write(inside(project.root, rel), closed)
    commit = commit_only(
        project.root, rel, f"docs: spike findings, {verdict}: {meta.get('title') or rel}"
    )
    return {
        "id": str(meta.get("id") or rel),
        "path": rel,
        "verdict": verdict,
        "branch": branch,
        "base": base,
        "commit": commit,
        "merged": False,
    }
