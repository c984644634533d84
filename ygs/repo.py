"""Git, through gitpython (imported only when a command needs git)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ygs.errors import YgsError


def git_available() -> bool:
    return shutil.which("git") is not None


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


def _paths(repo, output: str, root: Path) -> list[str]:
    """NUL-separated paths relative to the work tree, as paths relative to `root` (the project
    may sit in a subfolder of the repository); paths outside `root` are dropped."""
    top = Path(repo.working_tree_dir).resolve()
    base = root.resolve()
    found = []
    for name in output.split("\0"):
        if not name:
            continue
        try:
            found.append((top / name).relative_to(base).as_posix())
        except ValueError:
            continue  # outside the project folder
    return found


def changed_files(root: Path, base: str, *, staged: bool) -> list[str]:
    """Files added, copied, modified or renamed: in the index (`staged`), or else since the
    merge-base of HEAD with `base` (commits, uncommitted edits and untracked files)."""
    repo = _open(root, search_parents=True)
    import git

    if staged:
        return _paths(
            repo, repo.git.diff("--cached", "--name-only", "--diff-filter=ACMR", "-z"), root
        )
    untracked = _paths(repo, repo.git.ls_files("--others", "--exclude-standard", "-z"), root)
    try:
        repo.git.rev_parse("--verify", "--quiet", "HEAD")
    except git.GitCommandError:  # no commit yet: everything is new
        tracked = repo.git.ls_files("-z")
        return sorted({*_paths(repo, tracked, root), *untracked})
    ref = _existing_ref(repo, base)
    try:
        fork = repo.git.merge_base(ref, "HEAD")
    except git.GitCommandError:
        raise YgsError(
            f"HEAD and {ref} have no common ancestor",
            remedy="set git.base_branch to the branch this work started from",
        ) from None
    diff = repo.git.diff(fork, "--name-only", "--diff-filter=ACMR", "-z")
    return sorted({*_paths(repo, diff, root), *untracked})


def _existing_ref(repo, base: str) -> str:
    import git

    for ref in (base, f"origin/{base}", f"refs/remotes/origin/{base}"):
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
            return ref
        except git.GitCommandError:
            continue
    raise YgsError(
        f"base branch '{base}' not found (neither locally nor as origin/{base})",
        remedy="`ygs config set git.base_branch BRANCH`, or fetch it (`git fetch origin`)",
    )


def commit_messages(root: Path, limit: int = 20000) -> list[tuple[str, str]]:
    """(sha, full message) of the commits reachable from HEAD, newest first; [] without any."""
    repo = _open(root, search_parents=True)
    import git

    try:
        out = repo.git.log(f"-n{limit}", "--format=%H%x00%B%x1e")
    except git.GitCommandError:
        return []  # no commits yet
    entries = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if "\0" in record:
            sha, message = record.split("\0", 1)
            entries.append((sha.strip(), message))
    return entries


def changed_between(root: Path, old: str, new: str) -> list[str]:
    """Files added, copied, modified or renamed between two commits (pre-push ranges)."""
    repo = _open(root, search_parents=True)
    import git

    try:
        out = repo.git.diff(f"{old}...{new}", "--name-only", "--diff-filter=ACMR", "-z")
    except git.GitCommandError:
        raise YgsError(
            f"cannot compare {old} with {new}", remedy="fetch both commits, or drop --changed"
        ) from None
    return sorted(_paths(repo, out, root))


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
