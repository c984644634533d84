"""Diff intake: unified diff bytes in, typed values out (pure).

Parsing is done by `unidiff` (imported here only). Every odd case is a value
with a note, never a crash: binary files, renames, deletions, mode changes,
submodules, symlinks, huge files and content that is not UTF-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

ADDED, MODIFIED, DELETED, RENAMED = "added", "modified", "deleted", "renamed"
LOCKFILES = frozenset(
    {
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "Cargo.lock",
        "go.sum",
        "composer.lock",
        "Gemfile.lock",
        "mix.lock",
        "pubspec.lock",
        "packages.lock.json",
        "flake.lock",
    }
)


@dataclass(frozen=True)
class HunkLine:
    kind: str  # "+" added, " " context, "-" removed
    old: int | None
    new: int | None
    text: str


@dataclass(frozen=True)
class Hunk:
    header: str  # "@@ -1,3 +1,4 @@ def f():"
    lines: tuple[HunkLine, ...]


@dataclass(frozen=True)
class FileDiff:
    path: str  # new path (old path for a deletion), repository-relative
    status: str  # added | modified | deleted | renamed
    old_path: str | None = None
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    utf8: bool = True
    huge: bool = False
    new_lines: tuple[str, ...] | None = None  # the whole new version, when the shell read it
    notes: tuple[str, ...] = ()

    @cached_property
    def added(self) -> dict[int, str]:
        """New-side line number → text, for every added line."""
        return {ln.new: ln.text for h in self.hunks for ln in h.lines if ln.kind == "+"}

    @cached_property
    def visible(self) -> dict[int, str]:
        """New-side line number → text, for added and context lines (what the diff shows)."""
        return {ln.new: ln.text for h in self.hunks for ln in h.lines if ln.kind != "-"}

    @property
    def removed(self) -> int:
        return sum(1 for h in self.hunks for ln in h.lines if ln.kind == "-")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def lockfile(self) -> bool:
        return self.name in LOCKFILES

    @property
    def reviewable(self) -> bool:
        """Text the line rules and the model may read."""
        return not (self.binary or self.huge or self.status == DELETED or self.special)

    @property
    def coverage(self) -> str:
        """How much of the change the review read: "full", "partial" (huge: only the cheap
        scans) or "none" (binary). Deleted files, links and submodules have nothing to read."""
        if self.status == DELETED or self.special:
            return "full"
        if self.binary:
            return "none"
        return "partial" if self.huge else "full"

    @property
    def special(self) -> bool:
        """Submodule or symlink: the 'content' is a commit id or a link target."""
        return self.new_mode in ("160000", "120000")

    def line_text(self, number: int | None) -> str:
        if number is None:
            return ""
        if number in self.visible:
            return self.visible[number]
        if self.new_lines is not None and 0 < number <= len(self.new_lines):
            return self.new_lines[number - 1]
        return ""


@dataclass(frozen=True)
class Diff:
    files: tuple[FileDiff, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def file(self, path: str) -> FileDiff | None:
        return self._by_path.get(path)

    @cached_property
    def _by_path(self) -> dict[str, FileDiff]:
        return {f.path: f for f in self.files}

    @property
    def stats(self) -> dict:
        added = sum(len(f.added) for f in self.files)
        removed = sum(f.removed for f in self.files)
        return {
            "files": len(self.files),
            "added": added,
            "removed": removed,
            "changed_lines": added + removed,
            "binary": sum(f.binary for f in self.files),
            "by_status": {
                s: sum(f.status == s for f in self.files)
                for s in (ADDED, MODIFIED, DELETED, RENAMED)
            },
        }


@dataclass(frozen=True)
class Limits:
    huge_lines: int = 5000  # changed lines in one file
    huge_line_chars: int = 5000  # one line longer than this: minified or data


PARTIAL = "partially reviewed"
NOT_REVIEWED = "not reviewed"
_BLOCK = re.compile(rb"(?m)^diff --git ")


def decode(data: bytes) -> tuple[str, set[str]]:
    """Diff text, and the headers of file blocks that were not UTF-8 (decoded with U+FFFD)."""
    starts = [m.start() for m in _BLOCK.finditer(data)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    bad: set[str] = set()
    parts: list[str] = []
    for begin, end in zip(starts, [*starts[1:], len(data)], strict=True):
        block = data[begin:end]
        try:
            parts.append(block.decode("utf-8"))
        except UnicodeDecodeError:
            text = block.decode("utf-8", "replace")
            bad.add(text.split("\n", 1)[0])
            parts.append(text)
    return "".join(parts), bad


def parse(data: bytes | str, limits: Limits = Limits()) -> Diff:
    """A `git diff` (or `gh pr diff`) in unified format as typed values."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    text, bad = decode(data) if isinstance(data, bytes) else (data, set())
    text = text.replace("\r\n", "\n")
    try:
        patch = PatchSet(text)
    except UnidiffParseError as err:
        return Diff((), (f"the diff could not be parsed: {err}; nothing was reviewed",))
    files = tuple(_file(p, bad, limits) for p in patch)
    return Diff(files)


def _strip(path: str | None) -> str | None:
    if path is None or path == "/dev/null":
        return None
    if len(path) >= 2 and path.startswith('"') and path.endswith('"'):
        path = unquote(path[1:-1])
    return path[2:] if re.match(r"[abciow12]/", path) else path


_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote(text: str) -> str:
    """Git's C-style quoting undone: `\\n`, `\\t`, `\\"`, `\\\\` and octal bytes (`\\303\\251`);
    other characters stand for themselves (core.quotepath=false leaves UTF-8 as is)."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "0123" and re.fullmatch(r"[0-7]{3}", text[i + 1 : i + 4]):
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
                continue
            if nxt in _C_ESCAPES:
                out.append(_C_ESCAPES[nxt])
                i += 2
                continue
        out += char.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "replace")


def _status(p) -> str:
    if p.is_added_file:
        return ADDED
    if p.is_removed_file:
        return DELETED
    return RENAMED if p.is_rename else MODIFIED


def _file(p, bad: set[str], limits: Limits) -> FileDiff:
    source, target = _strip(p.source_file), _strip(p.target_file)
    status = _status(p)
    path = (source if status == DELETED else target) or source or target or "?"
    hunks = tuple(_hunk(h) for h in p)
    changed = sum(len(h.lines) for h in hunks)
    longest = max((len(ln.text) for h in hunks for ln in h.lines), default=0)
    utf8 = not any(header for header in bad if _header_names(header, path))
    huge = changed > limits.huge_lines  # a long line alone is checked in windows, not skipped
    result = FileDiff(
        path=path,
        status=status,
        old_path=source if status == RENAMED else None,
        hunks=hunks,
        binary=bool(p.is_binary_file),
        old_mode=p.source_mode,
        new_mode=p.target_mode,
        utf8=utf8,
        huge=huge,
    )
    return _with_notes(result, changed, longest, limits)


def _header_names(header: str, path: str) -> bool:
    return header.endswith(f"b/{path}") or f"a/{path} " in header or header.endswith(path)


def _hunk(h) -> Hunk:
    lines = tuple(
        HunkLine(ln.line_type, ln.source_line_no, ln.target_line_no, ln.value.rstrip("\n"))
        for ln in h
        if ln.line_type in "+- "
    )
    header = f"@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@"
    return Hunk(f"{header} {h.section_header}".rstrip(), lines)


def _with_notes(f: FileDiff, changed: int, longest: int, limits: Limits) -> FileDiff:
    notes = []
    if f.binary:
        notes.append(f"binary file: {NOT_REVIEWED}")
    if f.status == RENAMED:
        notes.append(f"renamed from {f.old_path}")
    if f.status == DELETED:
        notes.append("deleted")
    if f.old_mode and f.new_mode and f.old_mode != f.new_mode and f.status != ADDED:
        notes.append(f"mode changed {f.old_mode} → {f.new_mode}")
    if f.new_mode == "160000":
        notes.append("submodule: not reviewed")
    elif f.new_mode == "120000":
        notes.append("symbolic link: not reviewed")
    if not f.utf8:
        notes.append("not UTF-8: decoded with replacement characters, the model does not see it")
    if f.huge:
        notes.append(
            f"{PARTIAL} ({changed} changed lines, over review.huge_file_lines): only the secret "
            "scan, the checks for dangerous calls and ruff ran"
        )
    elif longest > limits.huge_line_chars and not f.binary:
        notes.append(
            f"a line of {longest} characters: checked in windows of {limits.huge_line_chars}"
        )
    if f.lockfile:
        notes.append("lockfile: generated, only the secret rules ran")
    return replace(f, notes=tuple(notes))


def with_contents(diff: Diff, contents: dict[str, tuple[str, ...]]) -> Diff:
    """The same diff with the whole new version of some files attached."""
    files = tuple(
        replace(f, new_lines=contents[f.path]) if f.path in contents else f for f in diff.files
    )
    return replace(diff, files=files)


def only(diff: Diff, keep) -> Diff:
    """The files for which `keep(path)` is true."""
    return replace(diff, files=tuple(f for f in diff.files if keep(f.path)))
