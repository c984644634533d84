"""What git knows about a release: the last tag, the commits since it, the merge-base with
the base branch, changed and dirty files. Plain git subprocesses (ygs.build.git)."""

from __future__ import annotations

from pathlib import Path

from ygs.build import git

SEP = "\x1e"  # record separator between commits in `git log` output


def top(root: Path) -> Path | None:
    return git.find_top(root)


def require_top(root: Path) -> Path:
    found = git.find_top(root)
    if found is None:
        from ygs.errors import YgsError

        raise YgsError("not a git repository", path=str(root), remedy="run `git init` first")
    return found


def has_commits(top_dir: Path) -> bool:
    return git.rev(top_dir, "HEAD") is not None


def last_tag(top_dir: Path) -> str | None:
    """The newest tag reachable from HEAD that looks like a version (v1.2.3 or 1.2.3)."""
    done = git.run(
        top_dir, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD", check=False
    )
    if done.returncode != 0:
        done = git.run(
            top_dir, "describe", "--tags", "--abbrev=0", "--match", "[0-9]*", "HEAD", check=False
        )
    text = done.stdout.decode("utf-8", "replace").strip()
    return text if done.returncode == 0 and text else None


def commits_since(top_dir: Path, since: str | None, head: str = "HEAD") -> list[tuple[str, str]]:
    """(sha, full message) of each commit after `since` (all commits when None), oldest
    first; merges are left out."""
    if not has_commits(top_dir):
        return []
    span = f"{since}..{head}" if since else head
    done = git.run(
        top_dir, "log", "--no-merges", "--reverse", f"--format=%H%x00%B{SEP}", span, check=False
    )
    if done.returncode != 0:
        return []
    found = []
    for record in done.stdout.decode("utf-8", "replace").split(SEP):
        record = record.strip("\n")
        if "\0" in record:
            sha, message = record.split("\0", 1)
            found.append((sha.strip(), message.strip()))
    return found


def commit_date(top_dir: Path, ref: str) -> str | None:
    done = git.run(top_dir, "log", "-1", "--format=%cI", ref, "--", check=False)
    text = done.stdout.decode().strip()
    return text if done.returncode == 0 and text else None


def merge_base(top_dir: Path, base: str) -> str | None:
    for candidate in (base, f"origin/{base}"):
        sha = git.rev(top_dir, candidate)
        if sha:
            done = git.run(top_dir, "merge-base", sha, "HEAD", check=False)
            text = done.stdout.decode().strip()
            if done.returncode == 0 and text:
                return text
    return None


def changed_since(top_dir: Path, ref: str) -> list[str]:
    """Files that differ between `ref` and the working tree (committed or not), plus
    untracked files that are not ignored."""
    done = git.run(top_dir, "diff", "--name-only", "-z", "--no-renames", ref, check=False)
    found = set(git.paths(done.stdout)) if done.returncode == 0 else set()
    untracked = git.run(top_dir, "ls-files", "--others", "--exclude-standard", "-z", check=False)
    found |= set(git.paths(untracked.stdout))
    return sorted(p for p in found if not p.startswith(".ygs/"))


def files_changed_by(top_dir: Path, sha: str) -> list[str]:
    done = git.run(
        top_dir, "show", "--name-only", "--format=", "-z", "--no-renames", sha, check=False
    )
    return git.paths(done.stdout) if done.returncode == 0 else []


def dirty(top_dir: Path) -> list[str]:
    """Paths with uncommitted changes (staged, unstaged or untracked, not ignored)."""
    done = git.run(top_dir, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    found = []
    items = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    skip = False
    for item in items:
        if skip:
            skip = False
            continue
        if len(item) < 4:
            continue
        found.append(item[3:])
        if item[0] in "RC":
            skip = True  # the old name of a rename follows
    return found


def branch(top_dir: Path) -> str | None:
    return git.head_branch(top_dir)


def head(top_dir: Path) -> str | None:
    return git.rev(top_dir, "HEAD")


def tracked(top_dir: Path) -> list[str]:
    return git.paths(git.run(top_dir, "ls-files", "-z").stdout)


def present_tokens(top_dir: Path, tokens: list[str], exclude: list[str]) -> set[str]:
    """Which of `tokens` appear literally in some tracked text file outside `exclude`."""
    if not tokens:
        return set()
    args = ["grep", "--no-color", "-I", "-F", "-o", "-h"]
    for token in tokens:
        args += ["-e", token]
    args += ["--", "."] + [f":(exclude){e}" for e in exclude]
    done = git.run(top_dir, *args, check=False)
    if done.returncode not in (0, 1):
        return set(tokens)  # cannot tell: report nothing as gone
    return {line for line in done.stdout.decode("utf-8", "replace").splitlines() if line}


def removed_covers(top_dir: Path, ref: str) -> list[tuple[str, str]]:
    """(file, removed line) of every removed line mentioning `covers` since `ref`."""
    done = git.run(top_dir, "diff", "--no-color", "-U0", "--no-renames", ref, check=False)
    found = []
    current = ""
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("--- "):
            current = line[6:] if line.startswith("--- a/") else ""
        elif line.startswith("-") and not line.startswith("---") and "covers" in line.lower():
            found.append((current, line[1:]))
    return found
