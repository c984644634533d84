"""Files on disk: atomic writes, safe overwrites with backups, journals."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path

from ygs.core.artifacts import decode
from ygs.core.findings import Finding
from ygs.errors import Exit, YgsError


def atomic_write(path: Path, text: str | bytes, *, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the rename already landed
    finally:
        os.close(fd)


def write_new(
    path: Path, text: str, *, force: bool = False, backup_dir: Path | None = None, now=None
) -> Path | None:
    """Write a file that must not exist yet; with force, keep a timestamped backup.

    Returns the backup path when one was made.
    """
    backup = None
    if path.exists():
        if not force:
            raise YgsError(
                f"{path} already exists",
                path=str(path),
                remedy="choose another name, or pass --force (a timestamped backup is kept)",
            )
        stamp = (now or datetime.now)().strftime("%Y%m%dT%H%M%S")
        folder = backup_dir or path.parent
        folder.mkdir(parents=True, exist_ok=True)
        backup = folder / f"{path.name}.{stamp}.bak"
        shutil.copy2(path, backup)
    atomic_write(path, text)
    return backup


# Reading untrusted files: only regular files, never blocking, never unbounded.
MAX_READ_BYTES = 32 * 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Unreadable(Exception):
    """A path ygs will not read, and why: `message` completes "<path> ..."."""

    def __init__(self, message: str, remedy: str) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy


def special_kind(mode: int) -> str | None:
    """'a FIFO (named pipe)', 'a character device', ... for anything but files and folders."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_bytes(path: Path, *, within: Path | None = None, limit: int = MAX_READ_BYTES) -> bytes:
    """The bytes of a regular file. FIFOs, devices and sockets are refused before they are
    opened (a FIFO would block, /dev/zero never ends), as are dangling links, links that
    resolve outside `within`, and files over `limit` bytes: each raises Unreadable."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise Unreadable(
                f"is a link to {os.readlink(path)}, which does not exist",
                "restore the link's target, or remove the link",
            ) from None
        raise Unreadable("does not exist", "check the path") from None
    except PermissionError:
        raise Unreadable("is not readable", "check its permissions") from None
    except OSError as err:  # ELOOP, ENAMETOOLONG, ...
        raise Unreadable(f"cannot be read: {err.strerror}", "fix or remove the link") from None
    _require_regular(info.st_mode)
    if within is not None:
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(within)):
            raise Unreadable(
                f"is a link to {real}, outside {within}",
                "links may only point at files inside the project",
            )
    if info.st_size > limit:
        raise Unreadable(f"has {info.st_size} bytes; the limit is {limit}", "split the file")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise Unreadable("is not readable", "check its permissions") from None
    except OSError as err:
        raise Unreadable(f"cannot be read: {err.strerror}", "check the file") from None
    with os.fdopen(fd, "rb") as handle:
        _require_regular(os.fstat(handle.fileno()).st_mode)  # swapped since the stat?
        try:
            data = handle.read(limit + 1)
        except OSError as err:  # EISDIR, EIO
            raise Unreadable(f"cannot be read: {err.strerror}", "check the file") from None
    if len(data) > limit:
        raise Unreadable(f"has more than {limit} bytes", "split the file")
    return data


def _require_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise Unreadable("is a folder, not a file", "name a file")
    kind = special_kind(mode)
    if kind is not None:
        raise Unreadable(f"is {kind}, not a regular file", "replace it with a regular file")


def read_text(path: Path, display: str | None = None) -> str:
    """UTF-8 text, or exit 2 naming the file (and the line of the first bad byte)."""
    name = display or str(path)
    try:
        data = read_bytes(path)
    except Unreadable as err:
        raise YgsError(f"{name} {err.message}", path=name, remedy=err.remedy) from None
    text = decode(name, data)
    if isinstance(text, Finding):
        raise YgsError(text.message, path=name, line=text.line, remedy=text.remedy, code=Exit.USAGE)
    return text


def append_line(path: Path, line: str) -> None:
    """Append one line and fsync: a journal entry survives a crash right after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line.rstrip("\n") + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_findings_input(source: str, cwd: Path) -> list:
    """An agent's findings for `--merge`: a JSON array (or {"findings": [...]}) from a file or -."""
    import json
    import sys

    name = "standard input" if source == "-" else source
    text = sys.stdin.read() if source == "-" else read_text(cwd / source, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise YgsError(
            f"--merge: not JSON: {err.msg}",
            path=name,
            line=err.lineno,
            remedy="pass a JSON array of findings (see severity-and-verdict.md)",
        ) from None
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        data = data["findings"]
    if not isinstance(data, list):
        raise YgsError("--merge: expected a JSON array of findings", path=name)
    return data
