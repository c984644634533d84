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


def _open(root: Path):
    if not git_available():
        raise YgsError("git is not on PATH", remedy="install git, or run outside a repository")
    import git

    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise YgsError(f"{root} is not a git repository", path=str(root)) from None


def base_branch(root: Path, fallback: str = "main") -> str:
    """The default base branch from local refs only: never the network."""
    import git

    repo = _open(root)
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
    import git

    repo = _open(root)
    try:
        return repo.git.config("user.name")
    except git.GitCommandError:
        return ""  # user.name unset
