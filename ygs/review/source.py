"""Where a diff comes from: git (working tree, index, a base ref). The shell around `diff.parse`.

Git runs as a plain subprocess with fixed options so user settings (external
diff tools, colour, prefixes, quoting) cannot change the format.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ygs.errors import Exit, YgsError
from ygs.review import diff as diffs
from ygs.review.lang import lang

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
GIT = [
    "git",
    "-c",
    "core.quotepath=false",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "color.ui=never",
]
DIFF = [
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-M",
    "-U3",
    "--src-prefix=a/",
    "--dst-prefix=b/",
]
MAX_UNTRACKED = 500
MAX_FILE_BYTES = 256 * 1024 * 1024  # a bigger new file is listed as binary: not reviewed
MANIFESTS = ("pyproject.toml", "package.json", "Cargo.toml")
LOCAL_STATE = (".ygs/runs/", ".ygs/cache/", ".ygs/sessions/", ".ygs/backups/")  # ygs's own


def _ours(path: str) -> bool:
    return path.startswith(LOCAL_STATE)


@dataclass(frozen=True)
class Scope:
    mode: str  # worktree | staged | branch | pr
    base: str  # what the change is compared against (a ref, a sha, "HEAD", "index")
    head: str  # "working tree", "index", a sha or a PR head
    trusted: str | None = None  # the commit whose reviewer settings and skills are trusted

    def to_dict(self) -> dict:
        return {"mode": self.mode, "base": self.base, "head": self.head}


def _run(root: Path, args: tuple[str, ...], data: bytes | None = None):
    try:
        return subprocess.run(
            [*GIT, *args], cwd=root, input=data, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise YgsError(
            "git is not on PATH: reviewing a change needs git",
            remedy="install git (https://git-scm.com/downloads) and put it on PATH",
        ) from None
    except subprocess.TimeoutExpired:
        raise YgsError(f"git {args[0]} took longer than 120 s", code=Exit.UNAVAILABLE) from None


def git(root: Path, *args: str, ok: tuple[int, ...] = (0,), data: bytes | None = None) -> bytes:
    proc = _run(root, args, data)
    if proc.returncode not in ok:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise YgsError(
            f"git {args[0]} failed: {message[-1] if message else proc.returncode}", path=str(root)
        )
    return proc.stdout


def _verify(root: Path, ref: str) -> str | None:
    proc = _run(root, ("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"))
    return proc.stdout.decode().strip() or None if proc.returncode == 0 else None


def trusted_base(root: Path, branch: str) -> str | None:
    """The commit of a pull request's base branch in this clone, if it has it."""
    return _verify(root, f"origin/{branch}") or _verify(root, branch) if branch else None


def _ensure_repo(root: Path) -> str | None:
    """HEAD's sha, or None in a repository without commits; exit 2 outside git."""
    inside = _run(root, ("rev-parse", "--is-inside-work-tree"))
    if inside.returncode != 0:
        raise YgsError(
            f"{root} is not a git repository",
            path=str(root),
            remedy="run `git init`, or review a pull request with `--pr N`",
        )
    return _verify(root, "HEAD")


def resolve_base(root: Path, ref: str) -> str:
    if not ref.strip() or ref.startswith("-"):
        raise YgsError(
            f"--base needs a branch, tag or commit, not {ref!r}",
            remedy="e.g. `ygs review --base main`",
        )
    for candidate in (ref, f"origin/{ref}"):
        sha = _verify(root, candidate)
        if sha:
            return sha
    raise YgsError(
        f"unknown base ref '{ref}'",
        remedy="name a branch, tag or commit "
        "(`git fetch origin <branch>` first in a shallow CI checkout)",
    )


def load(
    root: Path,
    *,
    staged: bool,
    base: str | None,
    paths: list[str],
    limits: diffs.Limits,
    base_branch: str,
) -> tuple[diffs.Diff, Scope]:
    """The change to review, with the whole new version of files the rules need."""
    head = _ensure_repo(root)
    spec = ["--", *paths] if paths else []
    if base is not None:
        return _branch(root, base, head, spec, limits)
    _refuse_conflicts(root)
    if staged:
        data = git(root, *DIFF, "--cached", head or EMPTY_TREE, *spec)
        found = diffs.parse(data, limits)
        scope = Scope("staged", "HEAD", "index", head)
        return _attach(root, found, lambda: _index_blobs(root)), scope
    data = git(root, *DIFF, head or EMPTY_TREE, *spec) + _untracked(root, paths)
    found = diffs.only(diffs.parse(data, limits), lambda p: not _ours(p))
    if not found.files and head and base_branch and _branch_differs(root, base_branch, head):
        return _branch(root, base_branch, head, spec, limits)
    return _attach(root, found, None), Scope("worktree", "HEAD", "working tree", head)


def _refuse_conflicts(root: Path) -> None:
    """An index with unmerged entries has no single staged version to review: exit 2."""
    listing = git(root, "ls-files", "--unmerged", "-z", "--full-name", "--", ":/")
    names = sorted({e.split("\t", 1)[-1] for e in _entries(listing)})
    if names:
        more = f" and {len(names) - 1} more" if len(names) > 1 else ""
        raise YgsError(
            f"the index has unresolved merge conflicts in {names[0]!r}{more}: nothing to review",
            path=str(root),
            details=[repr(n) for n in names[1:20]],
            remedy="resolve the conflicts and `git add` the files (or `git merge --abort`)",
        )


def _entries(listing: bytes) -> list[str]:
    return [e for e in listing.decode("utf-8", "surrogateescape").split("\0") if e]


def _branch(root, base, head, spec, limits) -> tuple[diffs.Diff, Scope]:
    if head is None:
        raise YgsError("the repository has no commits yet", remedy="commit first, or use --staged")
    base_sha = resolve_base(root, base)
    merge_base = git(root, "merge-base", base_sha, head, ok=(0, 1)).decode().strip()
    if not merge_base:
        raise YgsError(f"'{base}' and HEAD share no history", remedy="choose another --base")
    found = diffs.parse(git(root, *DIFF, merge_base, head, *spec), limits)
    scope = Scope("branch", base, head[:12], merge_base)
    return _attach(root, found, lambda: _tree_blobs(root, head)), scope


def _branch_differs(root: Path, base_branch: str, head: str) -> bool:
    for candidate in (base_branch, f"origin/{base_branch}"):
        sha = _verify(root, candidate)
        if sha:
            merge_base = git(root, "merge-base", sha, head, ok=(0, 1)).decode().strip()
            return bool(merge_base) and merge_base != head
    return False


def _untracked(root: Path, paths: list[str]) -> bytes:
    """New files git does not track yet, as the diff `git diff --no-index` would print."""
    listing = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", *paths)
    names = [
        n for n in listing.decode("utf-8", "surrogateescape").split("\0") if n and not _ours(n)
    ]
    return b"".join(_new_file(root, name) for name in sorted(names)[:MAX_UNTRACKED])


def _new_file(root: Path, name: str) -> bytes:
    from ygs.store import Unreadable, read_bytes

    path = root / name
    raw = name.encode("utf-8", "surrogateescape")
    if path.is_symlink():
        mode, data = "120000", os.fsencode(os.readlink(path))
    elif path.is_file():
        mode = "100755" if path.stat().st_mode & 0o111 else "100644"
        try:
            data = read_bytes(path, limit=MAX_FILE_BYTES)
        except Unreadable:  # too big to read: listed as binary, not reviewed
            data = b"\0"
    else:
        return b""  # a FIFO, a device or a socket: nothing git could stage either
    old, new = _header_name(b"a/", raw), _header_name(b"b/", raw)
    head = b"diff --git %s %s\nnew file mode %s\n" % (old, new, mode.encode())
    if not data:
        return head
    if b"\0" in data[:8000]:
        return head + b"Binary files /dev/null and %s differ\n" % new
    lines = data.split(b"\n")
    ending = b"" if lines[-1] == b"" else b"\n\\ No newline at end of file\n"
    body = lines[:-1] if lines[-1] == b"" else lines
    hunk = b"@@ -0,0 +1,%d @@\n" % len(body)
    added = b"\n".join(b"+" + line for line in body)
    return head + b"--- /dev/null\n+++ %s\n" % new + hunk + added + (ending or b"\n")


_UNSAFE = re.compile(rb'[\x00-\x1f"\\\x7f]')
_ESCAPES = {9: b"\\t", 10: b"\\n", 13: b"\\r", 34: b'\\"', 92: b"\\\\"}


def _header_name(prefix: bytes, name: bytes) -> bytes:
    """A path as git writes it in a diff header: in C quotes when it holds a control
    character, a double quote or a backslash (`diff.unquote` reads it back)."""
    full = prefix + name
    if not _UNSAFE.search(full):
        return full
    escaped = b"".join(
        _ESCAPES.get(c, b"\\%03o" % c) if c < 32 or c in (34, 92, 127) else bytes([c]) for c in full
    )
    return b'"' + escaped + b'"'


def _wanted(f: diffs.FileDiff) -> bool:
    """Files whose whole new version the rules read: source (a huge one too, for ruff) and
    manifests."""
    readable = not (f.binary or f.special or f.status == diffs.DELETED)
    return readable and bool(f.added) and (lang(f.path) is not None or f.name in MANIFESTS)


def _attach(root: Path, found: diffs.Diff, blobs) -> diffs.Diff:
    """Whole new versions: from disk (working tree, `blobs` None) or by object id through
    `git cat-file --batch` (`blobs()` maps each path to its blob in the index or commit).
    Requests are object ids, one a line: a path with a newline cannot break them."""
    from ygs.store import Unreadable, read_bytes

    wanted = [f.path for f in found.files if _wanted(f)]
    if not wanted:
        return found
    contents: dict[str, tuple[str, ...]] = {}
    if blobs is None:
        for p in wanted:
            try:
                contents[p] = _lines(read_bytes(root / p, within=root, limit=MAX_FILE_BYTES))
            except Unreadable:
                continue  # a FIFO, a device or a link out of the repository: diff lines only
    else:
        ids = blobs()
        pairs = [(p, ids[p]) for p in wanted if p in ids]
        answers = objects(root, [sha.decode() for _, sha in pairs])
        contents = {p: _lines(b) for (p, _), b in zip(pairs, answers, strict=True) if b is not None}
    return diffs.with_contents(found, contents)


def _index_blobs(root: Path) -> dict[str, bytes]:
    """Path -> blob id of every stage-0 index entry (`mode sha stage<TAB>path`, NUL-ended)."""
    listing = git(root, "ls-files", "--stage", "-z", "--full-name", "--", ":/")
    return _blob_ids(listing, lambda f: f[2] == "0", sha=1)


def _tree_blobs(root: Path, commit: str) -> dict[str, bytes]:
    """Path -> blob id in a commit (`mode type sha<TAB>path`, NUL-ended)."""
    listing = git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    return _blob_ids(listing, lambda f: f[1] == "blob", sha=2)


def _blob_ids(listing: bytes, keep, *, sha: int) -> dict[str, bytes]:
    found = {}
    for entry in _entries(listing):
        info, _, path = entry.partition("\t")
        fields = info.split()
        if len(fields) == 3 and keep(fields):
            found[path] = fields[sha].encode()
    return found


def objects(root: Path, names: list[str], max_bytes: int | None = None) -> list[bytes | None]:
    """The contents of git objects (a sha, `HEAD:path`, `:path`) in one `cat-file --batch`;
    None for a missing object, one that is not a blob, one over `max_bytes`, or a name with
    a newline (the protocol is one name a line: such a name is never sent)."""
    sendable = [n for n in names if "\n" not in n]
    if not sendable:
        return [None] * len(names)
    data = git(root, "cat-file", "--batch", data="".join(n + "\n" for n in sendable).encode())
    answers = iter(_batch_answers(data, max_bytes))
    return [None if "\n" in n else next(answers, None) for n in names]


def _batch_answers(data: bytes, max_bytes: int | None) -> list[bytes | None]:
    out: list[bytes | None] = []
    pos = 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) < 3:
            out.append(None)  # "<name> missing"
            continue
        size = int(header[2])
        fits = header[1] == b"blob" and (max_bytes is None or size <= max_bytes)
        out.append(data[pos : pos + size] if fits else None)
        pos += size + 1
    return out


def _lines(data: bytes) -> tuple[str, ...]:
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(line.removesuffix("\r") for line in lines)
