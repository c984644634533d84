"""Git for the build loop: plain subprocesses with fixed options, standard library only.

The guard runs on every tool call of an agent, so this module never imports gitpython.
Paths go in and out NUL-separated (`-z`) and relative to the work-tree root; pathspecs are
literal (`--literal-pathspecs`), so a file named `*.py` is that file, not a glob.
"""

from __future__ import annotations

import os
from pathlib import Path

USAGE, BLOCKED = 2, 3  # ygs.errors.Exit, without importing enum on the hook's path


def _error(message: str, **kwargs):
    """A ygs.errors.YgsError, imported only when one is raised."""
    from ygs.errors import YgsError

    return YgsError(message, **kwargs)


_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(_ENV)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    if extra:
        env.update(extra)
    return env


class Done:
    """What a git process left: exit code, stdout, stderr (bytes)."""

    __slots__ = ("returncode", "stderr", "stdout")

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(top: Path, *args: str, input: bytes | None = None, env: dict | None = None, check=True):
    """`git --literal-pathspecs ARGS` in `top`; a failure exits 2 with git's own message."""
    argv = ["git", "-C", str(top), "--literal-pathspecs", "-c", "core.quotepath=off", *args]
    try:
        if hasattr(os, "posix_spawnp"):
            done = _spawn(argv, _env(env), input)
        else:  # pragma: no cover - Windows
            import subprocess

            proc = subprocess.run(argv, input=input, capture_output=True, env=_env(env))
            done = Done(proc.returncode, proc.stdout, proc.stderr)
    except FileNotFoundError:
        raise _error("git is not on PATH", remedy="install git") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise _error(f"git {args[0]} failed: {message}", code=USAGE)
    return done


def _spawn(argv: list[str], env: dict, data: bytes | None) -> Done:
    """posix_spawn with pipes, polled: the subprocess module costs the hook more to import
    than git takes to answer on a small repository."""
    import select

    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if data is not None else (os.open(os.devnull, os.O_RDONLY), None)
    actions = [
        (os.POSIX_SPAWN_DUP2, in_r, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    except BaseException:
        for fd in (out_r, err_r, in_w):
            if fd is not None:
                os.close(fd)
        raise
    finally:
        for fd in (out_w, err_w, in_r):
            os.close(fd)
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller = select.poll()
    poller.register(out_r, select.POLLIN)
    poller.register(err_r, select.POLLIN)
    pending = memoryview(data or b"")
    if in_w is not None:
        os.set_blocking(in_w, False)
        poller.register(in_w, select.POLLOUT)
    open_fds = {out_r, err_r} | ({in_w} if in_w is not None else set())
    while open_fds:
        for fd, _event in poller.poll():
            if fd == in_w:
                try:
                    pending = pending[os.write(in_w, pending[:65536]) :]
                except BrokenPipeError:
                    pending = pending[:0]
                if not pending:
                    poller.unregister(in_w)
                    os.close(in_w)
                    open_fds.discard(in_w)
                continue
            block = os.read(fd, 65536)
            if block:
                chunks[fd].append(block)
            else:
                poller.unregister(fd)
                os.close(fd)
                open_fds.discard(fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return Done(code, b"".join(chunks[out_r]), b"".join(chunks[err_r]))


def out(top: Path, *args: str, **kwargs) -> str:
    return run(top, *args, **kwargs).stdout.decode("utf-8", "surrogateescape").strip()


def paths(data: bytes) -> list[str]:
    return [p for p in data.decode("utf-8", "surrogateescape").split("\0") if p]


def nul(items) -> bytes:
    return "".join(f"{p}\0" for p in items).encode("utf-8", "surrogateescape")


# --- where we are (from the file system: no subprocess) -----------------------------------


def find_top(start: Path) -> Path | None:
    """The work-tree root containing `start` (a `.git` folder or a worktree's `.git` file)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def git_dir(top: Path) -> Path:
    dot = top / ".git"
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (top / target).resolve()
    return dot


def head_branch(top: Path) -> str | None:
    """The checked-out branch (`main`, `ygs/TASK-004-x-a3f1`), or None when HEAD is detached
    or unreadable. One small file read."""
    try:
        text = (git_dir(top) / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    prefix = "ref: refs/heads/"
    return text[len(prefix) :] if text.startswith(prefix) else None


def require_repo(start: Path) -> Path:
    """The work-tree root, or exit 2 when `start` is not in a git repository with commits."""
    top = find_top(start.resolve())
    if top is None:
        raise _error(
            f"{start} is not in a git repository",
            remedy="run `git init` and commit once, or use -C to point at your repository",
        )
    if rev(top, "HEAD") is None:
        raise _error(
            "the repository has no commits yet",
            remedy="commit once (`git add -A && git commit -m 'initial'`), then start again",
        )
    return top


# --- commits and refs --------------------------------------------------------------------


def rev(top: Path, ref: str) -> str | None:
    done = run(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    text = done.stdout.decode().strip()
    return text if done.returncode == 0 and text else None


def is_ancestor(top: Path, older: str, newer: str) -> bool:
    return run(top, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def branch_exists(top: Path, name: str) -> bool:
    return rev(top, f"refs/heads/{name}") is not None


def update_ref(top: Path, ref: str, new: str, old: str | None, message: str) -> None:
    """Move `ref` to `new` only if it still points at `old` (compare and swap)."""
    args = ["update-ref", "-m", message, ref, new]
    if old is not None:
        args.append(old)
    done = run(top, *args, check=False)
    if done.returncode != 0:
        raise _error(
            f"{ref} moved while ygs was working: {done.stderr.decode(errors='replace').strip()}",
            code=BLOCKED,
            remedy="look at `git log` of the branch, then run the command again",
        )


def trailers(top: Path, commit: str) -> dict[str, str]:
    text = out(top, "log", "-1", "--format=%(trailers:only,unfold)", commit)
    found = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            found[key.strip()] = value.strip()
    return found


def commits_between(top: Path, old: str, new: str) -> list[str]:
    """Commits reachable from `new` but not from `old`, newest first."""
    text = out(top, "rev-list", f"{old}..{new}")
    return text.split() if text else []


def pushed(top: Path, commits: list[str]) -> list[str]:
    """The commits some remote-tracking branch already contains."""
    if not commits:
        return []
    remote = out(top, "for-each-ref", "--format=%(objectname)", "refs/remotes")
    if not remote:
        return []
    reachable = set(out(top, "rev-list", *remote.split(), f"^{commits[-1]}^@").split())
    return [c for c in commits if c in reachable]


def tree_paths(top: Path, commit: str, names: list[str]) -> set[str]:
    """Which of `names` exist as files in `commit`."""
    if not names:
        return set()
    data = run(top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit).stdout
    return set(paths(data)) & set(names)
