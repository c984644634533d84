"""Files on disk: containment, atomic writes, exclusive creation, unique backups, the
project lock and the id allocator, journals.

Every write and delete ygs makes goes through `inside()` first: the path must stay in
its scope root (the repository, or an agent's folder in the home folder), and no folder
on the way may be a symbolic link unless the user opted in (`--follow-symlinks`). A
cloned repository is untrusted input: its committed links and manifests must never make
ygs touch a file outside it.

Parallel runs share `.ygs/lock` (`project_lock`): ids, numbers and artifact names are
allocated under it (`allocate`, `allocate_slug`), with a small ledger of ids handed out
but not yet written (`.ygs/reserved-ids.json`), so two processes never get the same one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

from ygs.errors import Exit, YgsError

STATE_DIR = ".ygs"
LOCK_FILE = "lock"
LEDGER_FILE = "reserved-ids.json"
LOCK_WAIT_S = 120.0
RESERVATION_TTL_S = 7 * 24 * 3600  # an id handed out and never written is free again after this
FOLLOW_FLAG = "--follow-symlinks"
# `.ygs/.gitignore`: the lock and the ledger are per checkout (the file ignores itself too,
# so a repository that never ran `ygs init` shows nothing new in `git status`).
STATE_IGNORE = f"# written by ygs: local state\n{LOCK_FILE}\n{LEDGER_FILE}\n.gitignore\n"


# ----------------------------------------------------------------------------- containment


class Escape(YgsError):
    """A path that would leave its scope root: refused, never touched."""


class Exists(YgsError):
    """A file that must be new exists already (or a parallel run just created it)."""


def lexical_problem(rel: str) -> str | None:
    """Why a relative path from untrusted input (a manifest, a config) is unsafe, or None."""
    if not isinstance(rel, str) or not rel.strip():
        return "is empty"
    if "\0" in rel:
        return "contains a NUL byte"
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).anchor:
        return "is an absolute path"
    if ".." in PurePosixPath(rel.replace("\\", "/")).parts:
        return "climbs out with '..'"
    return None


def inside(
    root: Path, rel: str, *, follow_symlinks: bool = False, opt_in: str | None = FOLLOW_FLAG
) -> Path:
    """`root / rel`, after checking that it stays inside `root`.

    `rel` must be relative with no `..`; every folder between `root` and the file must be
    a real folder, not a symbolic link, unless `follow_symlinks` (the user's explicit
    opt-in, `opt_in` names the flag). The last part may be a link: ygs replaces or
    removes a link itself, never what it points at. Raises `Escape` (exit 2).
    """
    problem = lexical_problem(rel)
    if problem is not None:
        raise Escape(
            f"the path {problem}: ygs writes and deletes only inside {root}",
            path=str(rel),
            remedy="nothing was touched; remove that entry or path",
        )
    current = root
    parts = PurePosixPath(rel).parts
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink() and not follow_symlinks:
            raise Escape(
                f"a symbolic link (to {os.readlink(current)}): ygs does not write or delete "
                "through links (a cloned repository could point them anywhere)",
                path=_show(root, current),
                remedy=f"pass {opt_in} if you made that link and trust it"
                if opt_in
                else "replace the link with a folder, or choose a path without links",
            )
    return root.joinpath(*parts)


def _show(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def state_folder(root: Path, rel: str) -> Path:
    """A folder under the project's `.ygs/` (created), through real folders only."""
    state_dir(root)
    folder = inside(root, f"{STATE_DIR}/{rel}/x", opt_in=None).parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def state_dir(root: Path) -> Path:
    """The project's `.ygs/` folder, created if missing; a symlinked one is refused."""
    folder = inside(root, f"{STATE_DIR}/x", opt_in=None).parent  # refuses a linked .ygs
    if folder.exists() and not folder.is_dir():
        raise YgsError(
            f"{folder} is a file, not the folder ygs keeps its state in",
            path=str(folder),
            remedy="move that file aside",
        )
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not os.path.lexists(ignore):
            with contextlib.suppress(FileExistsError):
                create_new(ignore, STATE_IGNORE)
    except OSError as err:
        raise YgsError(
            f"cannot write in {folder}: {err.strerror or err}",
            path=str(folder),
            remedy="ygs keeps its lock and local state there; make the folder writable",
        ) from None
    return folder


def atomic_write(path: Path, text: str | bytes, *, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_copy(path, text, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def create_new(path: Path, text: str | bytes, *, mode: int | None = None) -> None:
    """Create `path` whole and exclusively: FileExistsError when anything (even a dangling
    link) has the name already, so a parallel writer never silently replaces a file.

    The content is written to a temp file and hard-linked into place (atomic, fails if the
    name exists); where hard links are unsupported, an O_EXCL create is the fallback.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = _temp_copy(path, data, mode)
    try:
        try:
            os.link(tmp, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError as err:
            if err.errno not in _NO_LINKS:
                raise
            _exclusive_write(path, data, os.stat(tmp).st_mode & 0o7777)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


def _exclusive_write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


def _temp_copy(path: Path, text: str | bytes, mode: int | None) -> str:
    """The content in a fsynced temp file beside `path` (`.NAME.XXXXXXXX.tmp`), with the
    mode `path` has (or `mode`, or the umask's default)."""
    import tempfile  # only where files are written: the checks that only read skip it

    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.is_file() and not path.is_symlink():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


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


def is_temp(name: str) -> bool:
    """A temp file ygs writes (`.NAME.XXXXXXXX.tmp`, `.NAME.ygs-link`): never real content."""
    if name.endswith(".ygs-link"):
        return name.startswith(".")
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False
    token = name[: -len(".tmp")].rsplit(".", 1)
    return len(token) == 2 and len(token[1]) == 8 and token[0] != ""


def clean_temps(folder: Path, *, recursive: bool = False, names: Iterable[str] = ()) -> int:
    """Remove temp files a killed ygs left in `folder` (call it under the lock that every
    writer of that folder holds, so none is in use). `names` limits it to the temps of
    those files. Links are never followed. Returns how many were removed."""
    wanted = set(names)
    removed = 0
    for current, _dirs, files in _walk(folder, recursive):
        for name in files:
            if is_temp(name) and (not wanted or _temp_target(name) in wanted):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(current, name))
                    removed += 1
    return removed


def _walk(folder: Path, recursive: bool):
    if not folder.is_dir() or folder.is_symlink():
        return iter(())
    if recursive:
        return os.walk(folder, followlinks=False)
    names = [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    return iter([(str(folder), [], names)])


def _temp_target(name: str) -> str:
    if name.endswith(".ygs-link"):
        return name[1 : -len(".ygs-link")]
    return name[1:-4].rsplit(".", 1)[0]


# ----------------------------------------------------------------------------- overwrites


def write_new(
    path: Path, text: str, *, force: bool = False, backup_dir: Path | None = None, now=None
) -> Path | None:
    """Write a file that must not exist yet; with force, keep a unique timestamped backup.

    Without force the file is created exclusively: a file that exists, or that a parallel
    run creates first, is never replaced. Returns the backup path when one was made.
    """
    if path.is_dir() and not path.is_symlink():
        raise YgsError(f"{path} is a folder", path=str(path), remedy="choose a file name")
    if not force:
        try:
            create_new(path, text)
        except FileExistsError:
            raise Exists(
                f"{path} already exists",
                path=str(path),
                remedy="choose another name, or pass --force (a timestamped backup is kept)",
            ) from None
        return None
    backup = None
    if os.path.lexists(path):
        backup = backup_copy(path, backup_dir or path.parent, now=now)
    atomic_write(path, text)
    return backup


def backup_copy(path: Path, folder: Path, *, now=None) -> Path:
    """Copy `path` into `folder` as `NAME.<time to the microsecond>[-N].bak`, created
    exclusively: two backups never share a name, even in the same microsecond."""
    from datetime import datetime

    stamp = (now or datetime.now)().strftime("%Y%m%dT%H%M%S.%f")
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(10_000):
        target = folder / f"{path.name}.{stamp}{f'-{n}' if n else ''}.bak"
        try:
            if path.is_symlink():
                os.symlink(os.readlink(path), target)
            else:
                import shutil

                _exclusive_write(target, path.read_bytes(), 0o600)
                shutil.copystat(path, target)
        except FileExistsError:
            continue
        return target
    raise YgsError(f"cannot find a free backup name for {path} in {folder}", path=str(folder))


def unique_folder(parent: Path, stem: str) -> Path:
    """A new empty folder `parent/stem[-N]` that no other run has (mkdir is exclusive)."""
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(10_000):
        folder = parent / (f"{stem}-{n}" if n else stem)
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise YgsError(f"cannot create a backup folder in {parent}", path=str(parent))


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


def read_bytes(
    path: Path | str, *, within: Path | None = None, limit: int = MAX_READ_BYTES
) -> bytes:
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
        real = Path(_realpath(path))
        if not real.is_relative_to(_real_folder(os.fspath(within))):
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
    try:
        now = os.fstat(fd)
        _require_regular(now.st_mode)  # swapped since the stat?
        return _read_capped(fd, now.st_size, limit)
    finally:
        os.close(fd)


def _read_capped(fd: int, size: int, limit: int) -> bytes:
    """The rest of an open file, refused (Unreadable) when it holds more than `limit` bytes.
    `size` is what its stat said: one read of that many bytes (and one more to find the
    end), without a buffer of `limit` bytes; a file that grew since is read on, in chunks."""
    try:
        data = os.read(fd, min(size, limit) + 1)
        if len(data) <= min(size, limit):  # a short read of a regular file: its end
            return data
        chunks = [data]
        total = len(data)
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:  # EISDIR, EIO
        raise Unreadable(f"cannot be read: {err.strerror}", "check the file") from None
    if total > limit:
        raise Unreadable(f"has more than {limit} bytes", "split the file")
    return data if len(chunks) == 1 else b"".join(chunks)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)


def read_walked(path: str, *, within: Path, limit: int = MAX_READ_BYTES) -> bytes:
    """`read_bytes` for a file that a folder walk found as a regular file, not a link,
    reached without following a link from a folder inside `within`: so it is inside, and
    its path need not be resolved. It is opened without following a link; one that became
    a link, a FIFO or anything else since the walk gets `read_bytes`' full checks instead
    (raising Unreadable as it does)."""
    found = _read_regular(path, limit)
    return found[1] if found is not None else read_bytes(path, within=within, limit=limit)


def read_walked_stat(
    path: str, *, within: Path, limit: int = MAX_READ_BYTES
) -> tuple[os.stat_result, bytes]:
    """`read_walked`, with the file's stat: the open file's, taken before it is read (one
    that `read_bytes` reads instead is stat'ed by path first; OSError when that fails)."""
    found = _read_regular(path, limit)
    if found is not None:
        return found
    info = os.stat(path)
    return info, read_bytes(path, within=within, limit=limit)


def _read_regular(path: str, limit: int) -> tuple[os.stat_result, bytes] | None:
    """(stat, bytes) of `path` opened without following a link; None when it cannot be
    opened so, or is no regular file (Unreadable when it holds more than `limit` bytes)."""
    if not _NOFOLLOW:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _NOCTTY)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:
            raise Unreadable(f"has {info.st_size} bytes; the limit is {limit}", "split the file")
        return info, _read_capped(fd, info.st_size, limit)
    finally:
        os.close(fd)


def _realpath(path: Path | str) -> str:
    """`os.path.realpath`; the file's folder is resolved once per `many_reads()` block
    when the file itself is no link."""
    path = os.fspath(path)
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(_real_folder(folder), name)


_REAL_FOLDERS: dict[str, str] | None = None  # set inside `many_reads()`


@contextlib.contextmanager
def many_reads():
    """Within this block, each folder's real path is resolved once (reading thousands of
    files in a few folders); outside it, every read resolves its path afresh."""
    global _REAL_FOLDERS
    outer = _REAL_FOLDERS
    _REAL_FOLDERS = {} if outer is None else outer
    try:
        yield
    finally:
        _REAL_FOLDERS = outer


def _real_folder(folder: str) -> str:
    if _REAL_FOLDERS is None:
        return os.path.realpath(folder)
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        real = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return real


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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from ygs.core.artifacts import decode

        text = decode(name, data)
    assert not isinstance(text, str)
    raise YgsError(text.message, path=name, line=text.line, remedy=text.remedy, code=Exit.USAGE)


def append_line(path: Path, line: str, *, sync: bool = True) -> None:
    """Append one line and fsync: a journal entry survives a crash right after. A log that
    nothing recovers from (a transcript) passes sync=False: a killed process loses nothing
    flushed, only a crash of the machine can."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line.rstrip("\n") + "\n")
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def read_source(source: str, cwd: Path) -> tuple[str, str]:
    """(the name to cite in messages, the text) of FILE, or of standard input for `-`."""
    if source == "-":
        import sys

        return "standard input", sys.stdin.read()
    return source, read_text(cwd / source, source)


def read_json_list(
    source: str, cwd: Path, *, key: str, not_json: str, not_list: str, remedy: str
) -> list:
    """A JSON array (or {key: [...]}) from FILE or `-`; `not_json` heads the parse error,
    `not_list` is the error for any other shape."""
    import json

    name, text = read_source(source, cwd)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise YgsError(
            f"{not_json}: {err.msg}", path=name, line=err.lineno, remedy=remedy
        ) from None
    if isinstance(data, dict) and isinstance(data.get(key), list):
        data = data[key]
    if not isinstance(data, list):
        raise YgsError(not_list, path=name)
    return data


def read_findings_input(source: str, cwd: Path) -> list:
    """An agent's findings for `--merge`: a JSON array (or {"findings": [...]}) from a file or -."""
    return read_json_list(
        source,
        cwd,
        key="findings",
        not_json="--merge: not JSON",
        not_list="--merge: expected a JSON array of findings",
        remedy="pass a JSON array of findings (see severity-and-verdict.md)",
    )


# ----------------------------------------------------------------------------- locks

_HELD: dict[str, list[int]] = {}  # lock file -> [fd, depth]: reentrant within a process


@contextlib.contextmanager
def lock(folder: Path, *, wait: float = LOCK_WAIT_S) -> Iterator[Path]:
    """Hold `folder/lock` exclusively: `fcntl.flock` on POSIX, released by the kernel if
    the process dies. Reentrant within one process. Waits up to `wait` seconds (saying
    so on stderr after a second), then exits 5. The file is never written or removed."""
    path = folder / LOCK_FILE
    key = os.path.realpath(path)
    held = _HELD.get(key)
    if held is not None:
        held[1] += 1
        try:
            yield path
        finally:
            held[1] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as err:
        raise YgsError(
            f"cannot open the lock {path}: {err.strerror or err}",
            path=str(path),
            remedy="ygs needs to write there to keep parallel runs apart; check that the "
            "folder is writable (and that the lock is a plain file)",
        ) from None
    try:
        _acquire(fd, path, wait)
        _HELD[key] = [fd, 1]
        try:
            yield path
        finally:
            del _HELD[key]
            _unlock(fd)
    finally:
        os.close(fd)


def project_lock(root: Path, *, wait: float = LOCK_WAIT_S):
    """The project's lock, `.ygs/lock`: hold it to allocate ids or names, to create an
    artifact, or to read-modify-write a shared file (CONTEXT.md, the install manifest)."""
    return lock(state_dir(root), wait=wait)


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    waited_since = time.monotonic()
    delay, told = 0.002, False
    while not _try_lock(fd):
        now = time.monotonic()
        if now > deadline:
            raise YgsError(
                f"another ygs run still holds {path} after {wait:.0f} s",
                path=str(path),
                code=Exit.UNAVAILABLE,
                remedy="let it finish, or stop it and run again",
            )
        if not told and now - waited_since > 1.0:
            sys.stderr.write(f"ygs: waiting for another ygs run to release {path} …\n")
            told = True
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


# ----------------------------------------------------------------------------- allocation


def allocate(
    project, prefix: str, count: int = 1, *, avoid: Iterable[str] = (), by: str = ""
) -> list[str]:
    """Hand out `count` new ids with `prefix` (REQ, ADR, TASK, THR, MIT): the one way ygs
    numbers things, safe across parallel processes.

    Under `project_lock`, the catalogue is read again from disk and the ids are
    max + 1 over every number it uses and every number handed out before but not yet
    seen in it (the ledger `.ygs/reserved-ids.json`, where the new ids are recorded).
    So a caller may write the ids later, in another process, and nobody else gets them.
    An entry leaves the ledger once the catalogue uses the id (or after 7 days).
    `avoid`: ids the caller already holds and has not written. `by` names the caller in
    the ledger. Call it while holding `project_lock` to also write under the same lock
    (the lock is reentrant). Exits 2 on an unknown prefix.
    """
    from ygs.core.artifacts import ID_WIDTH, format_id, used_numbers

    prefix = prefix.upper().rstrip("-")
    if prefix not in ID_WIDTH:
        raise YgsError(f"unknown id prefix '{prefix}'", remedy=f"one of: {', '.join(ID_WIDTH)}")
    if count < 1:
        return []
    mine = {_number(i) for i in avoid if i.upper().startswith(prefix + "-")}
    with project_lock(project.root):
        catalog = fresh_catalog(project)
        _require_readable(catalog)
        ledger = _Ledger.load(project.root).pruned(catalog)
        numbers = used_numbers(catalog, prefix) | ledger.numbers(prefix) | mine
        start = max(numbers, default=0) + 1
        ids = [format_id(prefix, n) for n in range(start, start + count)]
        ledger.add(ids, by).save()
    return ids


def allocate_slug(project, kind: str, slug: str, *, date: str = "", by: str = "") -> str:
    """A name for a new artifact of `kind` (prd, trd, architecture, …): `slug`, or
    `slug-2`, `slug-3`… when an artifact of that kind, a file at its path, or a parallel
    run already has it. Reserved in the ledger like `allocate`'s ids."""
    from ygs.core.artifacts import artifact_path

    with project_lock(project.root):
        catalog = fresh_catalog(project)
        ledger = _Ledger.load(project.root).pruned(catalog)
        used = {a.id for a in catalog.of_kind(kind)} | ledger.slugs(kind)

        def free(name: str) -> bool:
            rel = artifact_path(kind, name, date=date, layout=project.layout)
            return name not in used and not os.path.lexists(project.root / rel)

        candidate, n = slug, 2
        while not free(candidate):
            candidate, n = f"{slug}-{n}", n + 1
        ledger.add([f"{kind}:{candidate}"], by).save()
    return candidate


def release(project, names: Iterable[str]) -> None:
    """Give back ids or names from `allocate`/`allocate_slug` that will not be written."""
    names = list(names)
    if not names or not (project.root / STATE_DIR / LEDGER_FILE).is_file():
        return
    with project_lock(project.root):
        _Ledger.load(project.root).without(names).save()


def _require_readable(catalog) -> None:
    """An id used only in a file that could not be read would be handed out again."""
    if not catalog.input_errors:
        return
    first = catalog.input_errors[0]
    raise YgsError(
        f"{len(catalog.input_errors)} artifact(s) could not be read, so no id is safe to "
        f"allocate: {first.message}",
        path=first.path,
        line=first.line,
        details=[f"{f.location}: {f.rule}: {f.message}" for f in catalog.input_errors[1:]],
        remedy="fix them (`ygs check` lists them), then ask again",
    )


def fresh_catalog(project):
    """The project's catalogue read again from disk (the cached one may be stale)."""
    project.__dict__.pop("catalog", None)
    project.__dict__.pop("artifact_entries", None)  # the walk too: files may have moved
    return project.catalog


def _number(ident: str) -> int:
    try:
        return int(ident.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _is_entry(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("at"), int | float)


class _Ledger:
    """Ids and names handed out and not yet seen in the catalogue: {name: {at, by}}."""

    def __init__(self, root: Path, entries: dict[str, dict]) -> None:
        self.path = root / STATE_DIR / LEDGER_FILE
        self.entries = entries
        self.changed = False

    @classmethod
    def load(cls, root: Path) -> _Ledger:
        import json

        path = root / STATE_DIR / LEDGER_FILE
        clean_temps(path.parent, names=[LEDGER_FILE])  # the caller holds the lock
        if not os.path.lexists(path):
            return cls(root, {})
        try:
            data = json.loads(read_text(path))
            entries = data["reserved"]
            if not isinstance(entries, dict) or not all(map(_is_entry, entries.values())):
                raise ValueError("'reserved' is not a map of entries")
        except (ValueError, KeyError, TypeError, RecursionError) as err:
            raise YgsError(
                f"the id reservation ledger is damaged: {type(err).__name__}: {err}"[:300],
                path=str(path),
                remedy="delete it: it only lists ids handed out and not yet written",
            ) from None
        return cls(root, entries)

    def pruned(self, catalog) -> _Ledger:
        from ygs.core.artifacts import ID_RE, used_numbers

        now = time.time()
        used: dict[str, set[int]] = {}
        keep = {}
        for name, entry in self.entries.items():
            if now - entry["at"] > RESERVATION_TTL_S:
                continue
            if ID_RE.fullmatch(name):
                prefix = name.split("-")[0]
                if prefix not in used:
                    used[prefix] = used_numbers(catalog, prefix)
                if _number(name) in used[prefix]:
                    continue
            elif ":" in name:
                kind, slug = name.split(":", 1)
                if any(a.id == slug for a in catalog.of_kind(kind)):
                    continue
            keep[name] = entry
        self.changed = keep != self.entries
        self.entries = keep
        return self

    def numbers(self, prefix: str) -> set[int]:
        return {_number(n) for n in self.entries if n.startswith(prefix + "-")}

    def slugs(self, kind: str) -> set[str]:
        return {n.split(":", 1)[1] for n in self.entries if n.startswith(kind + ":")}

    def add(self, names: Iterable[str], by: str) -> _Ledger:
        for name in names:
            self.entries[name] = {"at": round(time.time(), 3), "by": by or "ygs"}
            self.changed = True
        return self

    def without(self, names: Iterable[str]) -> _Ledger:
        for name in names:
            self.changed |= self.entries.pop(name, None) is not None
        return self

    def save(self) -> None:
        import json

        if not self.changed:
            return
        if not self.entries:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        atomic_write(self.path, json.dumps({"format": 1, "reserved": self.entries}, indent=1))
