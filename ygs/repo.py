"""Git: plain `git` subprocesses on the check and trace paths, gitpython (imported only
when a command needs it) elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ygs.errors import YgsError


def git_available() -> bool:
    if os.name == "nt":  # PATHEXT and the current folder: shutil knows Windows' rules
        import shutil

        return shutil.which("git") is not None
    # as shutil.which on POSIX, without importing shutil (and the archive libraries it
    # loads) on the path of every check
    return any(
        os.path.isfile(path) and os.access(path, os.X_OK)
        for path in (os.path.join(folder or ".", "git") for folder in os.get_exec_path())
    )


def toplevel(start: Path) -> Path | None:
    """The work-tree root containing `start`, found from the file system alone."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def require_git(why: str) -> None:
    """Exit 2 when git is missing: `why` names what needed it (docs-only commands never do)."""
    if not git_available():
        raise YgsError(
            f"git is not on PATH: {why} needs git",
            remedy="install git (https://git-scm.com/downloads) and put it on PATH",
        )


def _open(root: Path, search_parents: bool = False):
    require_git("this command")
    import git

    try:
        return git.Repo(root, search_parent_directories=search_parents)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise YgsError(f"{root} is not a git repository", path=str(root)) from None


def base_branch(root: Path, fallback: str = "main") -> str:
    """The default base branch from local refs only: never the network."""
    repo = _open(root)
    import git

    try:
        ref = repo.git.symbolic_ref("--quiet", "refs/remotes/origin/HEAD")
        return ref.rsplit("/", 1)[-1]
    except git.GitCommandError:
        pass  # no origin/HEAD: decide from the branch names we have
    local = {h.name for h in repo.heads}
    remote = {r.remote_head for remote in repo.remotes for r in remote.refs}
    for name in ("main", "master", "trunk", "develop"):
        if name in local or name in remote:
            return name
    try:
        return repo.active_branch.name
    except TypeError:  # detached HEAD
        return fallback


def user_name(root: Path) -> str:
    """git's user.name, or "" (unset, or no git: documents can still be written)."""
    if not git_available():
        return ""
    repo = _open(root)
    import git

    try:
        return repo.git.config("user.name")
    except git.GitCommandError:
        return ""  # user.name unset


def _run(top: Path, *args: str) -> str | None:
    """stdout of `git ARGS` run at the work-tree root `top`; None when git fails. A plain
    subprocess: the hot paths of check and trace do not pay for importing gitpython."""
    import subprocess

    done = subprocess.run(["git", *args], cwd=top, capture_output=True, check=False)
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


def _top(root: Path) -> Path:
    require_git("this command")
    top = toplevel(root.resolve())
    if top is None:
        raise YgsError(f"{root} is not a git repository", path=str(root))
    return top


def _paths(top: Path, output: str | None, root: Path) -> list[str]:
    """NUL-separated paths relative to the work tree, as paths relative to `root` (the project
    may sit in a subfolder of the repository); paths outside `root` are dropped."""
    prefix = _prefix(top, root.resolve())
    cut = len(prefix)  # "" when the project is the work tree: every name starts with it
    names = (output or "").split("\0")
    return [name[cut:] for name in names if name and name.startswith(prefix)]


@dataclass(frozen=True)
class Status:
    """What `git status` shows: HEAD's commit ("" before the first one), the paths that
    differ from it (staged, edited, deleted, unmerged or untracked; never ignored ones),
    and which of those are deleted."""

    head: str
    listed: frozenset[str]
    deleted: frozenset[str]


def status(root: Path, pathspecs: tuple[str, ...], *, untracked: bool = True) -> Status | None:
    """`git status` of the paths under `root` within `pathspecs` (relative to `root`),
    untracked files listed or not (not: git reads no folder); None when git cannot tell.
    Takes no lock: safe beside other git commands and in hooks."""
    return status_started(root, pathspecs, untracked=untracked)()


def status_started(root: Path, pathspecs: tuple[str, ...], *, untracked: bool = True):
    """`status`, started now and answered when called: git works while the caller does."""
    root = root.resolve()
    top = toplevel(root)
    if top is None or not git_available():
        return lambda: None
    args = ["--no-optional-locks", "--literal-pathspecs", "status", "--porcelain=v2"]
    args += ["-z", "--branch", "--untracked-files=" + ("all" if untracked else "no")]
    args += ["--no-renames", "--", *pathspecs]
    return started(root, args, lambda out: _status_of(out, _prefix(top, root)))


def started(cwd: Path, args: list[str], parse):
    """`git ARGS` started now; the answer, when called (once computed, kept), is
    parse(its output), or None when git cannot run or fails."""
    import subprocess

    try:
        proc = subprocess.Popen(
            ["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return lambda: None
    answered: list = []

    def answer():
        if not answered:
            out, _ = proc.communicate()
            text = out.decode("utf-8", "surrogateescape")
            answered.append(parse(text) if proc.returncode == 0 else None)
        return answered[0]

    return answer


def _status_of(out: str, prefix: str) -> Status:
    """A Status from `git status --porcelain=v2 -z --branch` output (paths less `prefix`)."""
    head, paths, deleted, skip = "", set(), set(), False
    for record in out.split("\0"):
        if skip or not record:
            skip = False
            continue
        kind = record[0]
        if record.startswith("# branch.oid "):
            oid = record[len("# branch.oid ") :]
            head = "" if oid == "(initial)" else oid
            continue
        fields = _STATUS_FIELDS.get(kind)
        if fields is None:
            continue
        name = record.split(" ", fields)[-1]
        skip = kind == "2"  # a rename's original path follows
        rel = _under_prefix(name, prefix)
        if rel is not None:
            paths.add(rel)
            if kind in "12" and "D" in record[2:4]:
                deleted.add(rel)
    return Status(head, frozenset(paths), frozenset(deleted))


# The fields before the path in each kind of `git status --porcelain=v2` record.
_STATUS_FIELDS = {"1": 8, "2": 9, "u": 10, "?": 1}


def tracked_files(root: Path, pathspecs: tuple[str, ...]) -> set[str] | None:
    """The paths under `root` (relative to it, within `pathspecs`) in git's index."""
    return tracked_started(root, pathspecs)()


def tracked_started(root: Path, pathspecs: tuple[str, ...]):
    """`tracked_files`, started now and answered when called."""
    root = root.resolve()
    top = toplevel(root)
    if top is None or not git_available():
        return lambda: None
    args = ["--literal-pathspecs", "ls-files", "-z", "--", *pathspecs]
    return started(root, args, lambda out: set(_paths(top, out, root)))


def changed_commits(
    root: Path, old: str, new: str, pathspecs: tuple[str, ...], *, filtered: bool = False
) -> set[str] | None:
    """The paths under `root` that differ between two commits (no work tree is read);
    `filtered`: only those added, copied, modified or renamed."""
    top = toplevel(root.resolve())
    if top is None:
        return None
    args = ["diff", "--name-only", "-z", "--no-renames", old, new, "--", *pathspecs]
    if filtered:
        args.insert(1, "--diff-filter=ACMR")
    out = _run(root, "--literal-pathspecs", *args)
    return None if out is None else set(_paths(top, out, root))


def committed_since_fork_started(root: Path, base: str, pathspecs: tuple[str, ...]):
    """`committed_since_fork`, started now and answered when called: one git process
    (`diff base...HEAD` diffs from the merge-base) works while the caller does; when it
    cannot answer (no commit yet, `base` only on origin), the full path runs then."""
    top = _top(root)
    args = ["--literal-pathspecs", "diff", "--name-only", "--diff-filter=ACMR", "-z"]
    args += ["--no-renames", f"{base}...HEAD", "--", *pathspecs]
    quick = started(root, args, lambda out: set(_paths(top, out, root)))

    def answer() -> set[str] | None:
        found = quick()
        return found if found is not None else committed_since_fork(root, base, pathspecs)

    return answer


def committed_since_fork(root: Path, base: str, pathspecs: tuple[str, ...]) -> set[str] | None:
    """The paths under `root` that commits since the merge-base of HEAD with `base` added,
    copied, modified or renamed (commits only: no work tree is read); None before the
    first commit."""
    top = _top(root)
    fork = _fork(top, base)
    if not fork:
        return None
    return changed_commits(root, fork, "HEAD", pathspecs, filtered=True)


def _prefix(top: Path, root: Path) -> str:
    """`root` relative to the work tree's root, with a trailing slash ("" when the same)."""
    rel = root.relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def _under_prefix(name: str, prefix: str) -> str | None:
    if not prefix:
        return name
    return name[len(prefix) :] if name.startswith(prefix) else None


def changed_files(root: Path, base: str, *, staged: bool) -> list[str]:
    """Files added, copied, modified or renamed: in the index (`staged`), or else since the
    merge-base of HEAD with `base` (commits, uncommitted edits and untracked files)."""
    top = _top(root)
    diff = ("diff", "--name-only", "--diff-filter=ACMR", "-z")
    if staged:
        return _paths(top, _run(top, diff[0], "--cached", *diff[1:]), root)
    untracked = _paths(top, _run(top, "ls-files", "--others", "--exclude-standard", "-z"), root)
    fork = _fork(top, base)
    if fork == "":  # no commit yet
        return sorted({*_paths(top, _run(top, "ls-files", "-z"), root), *untracked})
    return sorted({*_paths(top, _run(top, diff[0], fork, *diff[1:]), root), *untracked})


def _fork(top: Path, base: str) -> str:
    """The merge-base of HEAD with the base branch (local, else origin's); "" when there
    is no commit yet. The common case costs one git process."""
    fork = _run(top, "merge-base", base, "HEAD")
    if fork is not None:
        return fork.strip()
    if _run(top, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return ""
    ref = _existing_ref(top, base)
    fork = _run(top, "merge-base", ref, "HEAD")
    if fork is None:
        raise YgsError(
            f"HEAD and {ref} have no common ancestor",
            remedy="set git.base_branch to the branch this work started from",
        )
    return fork.strip()


def changed_lines(root: Path, base: str, *, staged: bool, between: tuple[str, str] = ()) -> str:
    """The lines added and removed under `root`, against what `changed_files` (or, with
    `between`, `changed_between`) compares with: the `+`/`-` lines of a diff without
    context; "" when git cannot tell."""
    top = _top(root)
    diff = ("diff", "-U0", "--no-color", "--no-ext-diff", "--diff-filter=ACMR")
    where = ("--", str(root.resolve()))
    if between:
        out = _run(top, *diff, f"{between[0]}...{between[1]}", *where)
    elif staged:
        out = _run(top, *diff, "--cached", *where)
    else:
        fork = _fork(top, base)
        out = _run(top, *diff, fork, *where) if fork else None
    return "\n".join(
        line
        for line in (out or "").split("\n")
        if line[:1] in ("+", "-") and not line.startswith(("+++ ", "--- "))
    )


def _existing_ref(top: Path, base: str) -> str:
    for ref in (base, f"origin/{base}", f"refs/remotes/origin/{base}"):
        if _run(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is not None:
            return ref
    raise YgsError(
        f"base branch '{base}' not found (neither locally nor as origin/{base})",
        remedy="`ygs config set git.base_branch BRANCH`, or fetch it (`git fetch origin`)",
    )


def commit_messages(root: Path, limit: int = 20000) -> list[tuple[str, str]]:
    """(sha, full message) of the commits reachable from HEAD, newest first; [] without any."""
    out = _run(_top(root), "log", f"-n{limit}", "--format=%H%x00%B%x1e")
    entries = []
    for record in (out or "").split("\x1e"):
        record = record.strip("\n")
        if "\0" in record:
            sha, message = record.split("\0", 1)
            entries.append((sha.strip(), message))
    return entries


def changed_between(root: Path, old: str, new: str) -> list[str]:
    """Files added, copied, modified or renamed between two commits (pre-push ranges)."""
    top = _top(root)
    out = _run(top, "diff", f"{old}...{new}", "--name-only", "--diff-filter=ACMR", "-z")
    if out is None:
        raise YgsError(
            f"cannot compare {old} with {new}", remedy="fetch both commits, or drop --changed"
        )
    return sorted(_paths(top, out, root))


def tracked(root: Path, rel: str) -> bool:
    """Is `rel` (relative to `root`) tracked by the git repository around `root`?"""
    import subprocess

    if toplevel(root) is None or not git_available():
        return False
    try:
        done = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", rel],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
