"""Files on disk: atomic writes, safe overwrites with backups, journals."""

from __future__ import annotations

import contextlib
import os
import shutil
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


def read_text(path: Path, display: str | None = None) -> str:
    """UTF-8 text, or exit 2 naming the file and line of the first bad byte."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise YgsError(f"{name} does not exist", path=name) from None
    except IsADirectoryError:
        raise YgsError(f"{name} is a folder, not a file", path=name) from None
    except PermissionError:
        raise YgsError(
            f"{name} is not readable", path=name, remedy="check its permissions"
        ) from None
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
