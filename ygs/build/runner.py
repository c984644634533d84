"""Running the project's test and build commands: found in config or detected, run in their
own process group under a timeout (the whole group is killed on expiry), full output saved
(secrets redacted), results parsed from JUnit XML or the runner's summary line.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ygs.build import results
from ygs.errors import Exit, YgsError

KINDS = ("test", "build")
_SHELL_WORDS = frozenset(
    {"cd", "export", "set", "unset", "source", ".", "exec", "eval", "if", "for", "while"}
    | {"until", "case", "{", "(", "!", "true", "false", "test", "[", "env", "time", "nohup"}
    | {"command", "builtin"}
)
_SHELL_OPERATORS = frozenset(";&|<>`$()\n")
_PYTEST_WRAPPERS = frozenset({"uv", "poetry", "pdm", "hatch", "pipenv", "rye"})
_GRACE_S = 3.0


@dataclass(frozen=True)
class Command:
    kind: str  # test | build
    text: str | None
    source: str  # config | detected | none
    note: str = ""

    def to_dict(self) -> dict:
        return {"command": self.text, "source": self.source, "note": self.note}


def resolve(root: Path, config, kind: str) -> Command:
    """`commands.<kind>` from config, else what `ygs init` would detect, else none."""
    configured = config.get(f"commands.{kind}")
    if configured and str(configured).strip():
        return Command(kind, str(configured).strip(), "config")
    from ygs.init import scan

    detected = getattr(scan(root), kind)
    if detected:
        note = (
            f"detected `{detected}`; record it with `ygs config set commands.{kind} "
            f"{shlex.quote(detected)}`"
        )
        return Command(kind, detected, "detected", note)
    return Command(kind, None, "none")


def require_test_command(command: Command) -> str:
    if command.text:
        return command.text
    raise YgsError(
        "no test command: commands.test is not set and none was detected "
        "(pytest, npm test, go test, cargo test, make test)",
        remedy="`ygs config set commands.test 'pytest -q'` (or your runner's command)",
    )


def _words(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        words = words[1:]  # leading VAR=value assignments
    return words


def missing_program(command: str, cwd: Path) -> str | None:
    """The program the command starts, when it does not exist (shell syntax is not judged)."""
    words = _words(command)
    if not words or words[0] in _SHELL_WORDS:
        return None
    first = words[0]
    if "/" in first:
        path = Path(first) if os.path.isabs(first) else cwd / first
        return None if os.access(path, os.X_OK) and path.is_file() else first
    return None if shutil.which(first) else first


def runs_pytest(command: str) -> bool:
    """A plain pytest invocation, to which `--junitxml` can be appended safely."""
    if any(ch in _SHELL_OPERATORS for ch in command):
        return False
    words = _words(command)
    if words and words[0] in _PYTEST_WRAPPERS and len(words) > 2 and words[1] == "run":
        words = words[2:]
    if not words:
        return False
    name = os.path.basename(words[0])
    if name in ("pytest", "py.test"):
        return True
    return name.startswith("python") and words[1:3] == ["-m", "pytest"]


@dataclass
class Outcome:
    kind: str
    command: Command
    status: str  # passed | failed | no_tests | timeout | skipped
    exit_code: int | None = None
    duration_s: float = 0.0
    timeout_s: float | None = None
    counts: results.Counts = field(default_factory=results.Counts)
    output: str | None = None  # path of the saved output, relative to the project root

    @property
    def green(self) -> bool:
        return self.status in ("passed", "skipped")

    @property
    def code(self) -> int:
        if self.status == "timeout":
            return Exit.UNAVAILABLE
        return Exit.OK if self.green else Exit.TESTS_FAILING

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "status": self.status,
            **self.command.to_dict(),
            "runner_exit_code": self.exit_code,
            **self.counts.to_dict(),
            "duration_s": round(self.duration_s, 3),  # wall time, runner start to end
            "timeout_s": self.timeout_s,
            "output": self.output,
        }

    def line(self) -> str:
        """One human line: `tests: 3 passed, 1 failed in 0.4 s (pytest -q)`."""
        what = "tests" if self.kind == "test" else "build"
        if self.status == "skipped":
            return f"{what}: no build command configured; nothing to build (passes)"
        if self.status == "timeout":
            return f"{what}: TIMED OUT after {self.timeout_s:g} s ({self.command.text})"
        c = self.counts
        parts = [f"{c.passed} passed", f"{c.failed} failed"]
        parts += [f"{c.errors} errors"] if c.errors else []
        parts += [f"{c.skipped} skipped"] if c.skipped else []
        counts = ", ".join(parts) if c.counted else f"runner exit {self.exit_code}"
        verdict = {"passed": "ok", "failed": "FAILED", "no_tests": "NO TESTS RAN"}[self.status]
        if self.kind == "build":
            return f"build: {verdict} in {self.duration_s:.1f} s ({self.command.text})"
        return f"tests: {verdict}: {counts} in {self.duration_s:.1f} s ({self.command.text})"


# A watcher holds the read end of a pipe only ygs writes to. When ygs ends normally it says
# "done"; when ygs is killed (even by SIGKILL) the pipe closes unsaid, and the watcher kills
# the runner's process group, so no test process outlives the command that started it.
_WATCHER = (
    'read said; [ "$said" = done ] && exit 0; '
    'kill -TERM "-$0" 2>/dev/null; sleep 2; kill -KILL "-$0" 2>/dev/null; exit 0'
)


def _watch(pgid: int):
    if not hasattr(os, "killpg") or not shutil.which("sh"):
        return None
    return subprocess.Popen(
        ["sh", "-c", _WATCHER, str(pgid)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _release(watcher) -> None:
    if watcher is None:
        return
    with contextlib.suppress(OSError):
        watcher.stdin.write(b"done\n")
        watcher.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        watcher.wait(timeout=5)


def _echo(chunk: bytes) -> None:
    """The runner's output, live, on stderr (a person at a terminal watches it)."""
    stream = getattr(sys.stderr, "buffer", None)
    if stream is not None:
        stream.write(chunk)
    else:
        sys.stderr.write(chunk.decode("utf-8", "replace"))
    sys.stderr.flush()


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def execute(
    command: str, cwd: Path, timeout_s: float, output: Path, *, echo: bool = False
) -> tuple[int | None, bool, float, str]:
    """Run `command` in a shell in its own process group: (exit code, timed out, seconds,
    full output). On timeout the whole group gets SIGTERM, then SIGKILL."""
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    watcher = _watch(proc.pid)
    chunks: list[bytes] = []

    def pump() -> None:
        assert proc.stdout is not None
        for chunk in iter(lambda: proc.stdout.read1(65536), b""):
            chunks.append(chunk)
            if echo:
                _echo(chunk)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=_GRACE_S)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid, signal.SIGKILL)
            proc.wait()
    _kill_group(proc.pid, signal.SIGKILL)  # stragglers left in the group
    _release(watcher)
    reader.join(timeout=5)
    text = b"".join(chunks).decode("utf-8", "replace")
    return proc.returncode, timed_out, time.monotonic() - started, text


def _save(path: Path, text: str) -> None:
    from ygs.core.secrets import redact
    from ygs.store import atomic_write

    atomic_write(path, redact(text))


def run(
    kind: str,
    command: Command,
    root: Path,
    folder: Path,
    timeout_s: float,
    *,
    extra: list[str] = (),
    echo: bool = False,
) -> Outcome:
    """Run the test or build command once; the output goes to `folder/<kind>_output.txt`."""
    if not command.text:
        return Outcome(kind, command, "skipped")
    text = command.text + "".join(" " + shlex.quote(a) for a in extra)
    missing = missing_program(text, root)
    if missing is not None:
        raise YgsError(
            f"the {kind} command `{text}` starts `{missing}`, which does not exist",
            remedy=f"install it, or fix commands.{kind} (`ygs config set commands.{kind} …`)",
        )
    junit = folder / "junit.xml"
    junit.unlink(missing_ok=True)
    if kind == "test" and runs_pytest(text):
        text += f" --junitxml={shlex.quote(str(junit))}"
    out_path = folder / f"{kind}_output.txt"
    code, timed_out, seconds, output = execute(text, root, timeout_s, out_path, echo=echo)
    _save(out_path, output)
    shown = _rel(out_path, root)
    if code == 127 and "not found" in output[-2000:]:
        raise YgsError(
            f"the {kind} command `{command.text}` failed: command not found",
            path=shown,
            remedy=f"install the program, or fix commands.{kind}",
        )
    counts = _counts(junit, output)
    if timed_out:
        status = "timeout"
    elif code == 0:
        status = "no_tests" if kind == "test" and counts.counted and counts.total == 0 else "passed"
    else:
        status = "no_tests" if kind == "test" and _no_tests(code, command, counts) else "failed"
    return Outcome(kind, command, status, code, seconds, timeout_s, counts, shown)


def _no_tests(code: int, command: Command, counts: results.Counts) -> bool:
    return (code == 5 and runs_pytest(command.text or "")) or (counts.counted and counts.total == 0)


def _counts(junit: Path, output: str) -> results.Counts:
    if junit.is_file():
        parsed = results.parse_junit(junit.read_text(encoding="utf-8", errors="replace"))
        if parsed is not None:
            return parsed
    return results.parse_output(output)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
