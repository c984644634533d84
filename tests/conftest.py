"""Shared fixtures: isolated HOME/XDG dirs, real git repos, and two ways to run ygs.

`ygs(...)` runs the CLI in-process (fast, same code path as the console
script); `ygs_proc(...)` runs the installed `ygs` in a real subprocess.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.update({"NO_COLOR": "1", "COLUMNS": "120", "_TYPER_FORCE_DISABLE_TERMINAL": "1"})
for _name in ("CI", "PRE_COMMIT", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
    os.environ.pop(_name, None)
for _name in [k for k in os.environ if k.startswith("YGS_")]:
    os.environ.pop(_name)

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # CI puts the real `claude` on PATH; tests that want a model choose their backend.
    monkeypatch.setenv("YGS_MODEL_BACKEND", "offline")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")
    return home


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def make_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    (path / "README.md").write_text("# demo\n")
    git(path, "add", "README.md")
    git(path, "commit", "-q", "-m", "initial")
    return path


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


def run_ygs(*args: str, cwd: Path | None = None, stdin: str = "") -> Result:
    from ygs.cli import run

    out, err = io.StringIO(), io.StringIO()
    argv = [*(["-C", str(cwd)] if cwd else []), *args]
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def ygs():
    return run_ygs


def ygs_executable() -> list[str]:
    exe = Path(sys.executable).parent / "ygs"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ygs"]


def run_proc(*args: str, cwd: Path | None = None, env: dict | None = None, timeout=60) -> Result:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [*ygs_executable(), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def ygs_proc():
    return run_proc


def copy_pack(dest: Path, names: list[str] | None = None) -> Path:
    """A copy of the packaged skills (symlinks dereferenced), for tests that edit skills."""
    src = REPO / "skills"
    dest.mkdir(parents=True, exist_ok=True)
    for folder in sorted(src.iterdir()):
        if folder.name.startswith(("_", ".")) or not folder.is_dir():
            continue
        if names is None or folder.name in names:
            shutil.copytree(folder, dest / folder.name, symlinks=False)
    return dest


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    """One PRE_COMMIT_HOME per test session, so hook environments are built once and reused."""
    return tmp_path_factory.mktemp("pre-commit-home")


HOOK_SOURCE = (
    "ygs",
    "skills",
    "templates",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    ".pre-commit-hooks.yaml",
)
# the real pip cache (HOME is isolated per test), so wheels are not fetched again each session
PIP_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """This working tree committed in a tmp repo (try-repo installs the committed HEAD).

    Tests using it share one pre-commit environment: mark them
    `@pytest.mark.xdist_group("pre-commit")` so they run in the same worker.
    """
    dest = tmp_path_factory.mktemp("hook-repo") / "ygs"
    dest.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ruff_cache")
    for name in HOOK_SOURCE:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, ignore=ignore, symlinks=False)
        else:
            shutil.copy2(REPO / name, dest / name)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)
    return dest


def try_repo(hooks: Path, target: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    """`pre-commit try-repo HOOKS HOOK` in `target`, with the shared environment cache."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_CACHE_DIR": str(PIP_CACHE)}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--color=never"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


CHECK_CLEAN = REPO / "tests" / "fixtures" / "check" / "clean"


@pytest.fixture
def proj(tmp_path) -> Path:
    """A copy of the clean fixture project that every check rule passes."""
    root = tmp_path / "proj"
    shutil.copytree(CHECK_CLEAN, root, ignore=shutil.ignore_patterns("cache"))
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace `old` by `new` in one file; `old` must be there."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
