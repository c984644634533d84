"""Hostile inputs: what a cloned repository, a third-party pack or an unlucky user can put in
front of ygs. The real CLI runs over each hostile tree in a child process with a fake HOME,
a memory cap and a timeout, and must never crash (exit 70), print a traceback, hang, or write
outside the project. Cases that need no protection from a hang run in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CHECK_CLEAN, copy_pack, git
from tests.conftest import Result as Ran

PRD = "docs/prd/2026-01-10-alert-delivery.md"
ADR = "docs/adr/0001-publish-after-commit.md"
MEMORY_CAP = 2 * 1024**3  # bytes of address space for one case
TIMEOUT_S = 90  # per case, for all its commands together; a clean case takes about 2 s
OK_CODES = {0, 1, 2, 3}

# Runs several commands in one interpreter (one start-up per case), and says which one runs,
# so a timeout names the command that hung.
DRIVER = r"""
import contextlib, io, json, sys
from ygs.cli import run
results = []
for argv in json.loads(sys.argv[1]):
    sys.stderr.write("RUNNING " + json.dumps(argv) + "\n")
    sys.stderr.flush()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["-v", *argv])
    results.append({"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
sys.__stdout__.write(json.dumps(results))
"""


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024**2, 256 * 1024**2))


@dataclass
class Case:
    name: str
    setup: Callable[[Path, Path], None]  # (project, a folder outside it)
    commands: tuple[tuple[str, ...], ...] = ()
    expect: Callable[[dict[str, Ran]], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    repo: bool = False


PROJECT_COMMANDS = (
    ("check",),
    ("check", "--json"),
    ("status", "--json"),
    ("artifacts",),
    ("trace", "--gate"),
    ("next-id", "REQ"),
    ("config", "list"),
)


def snapshot(base: Path, *skip: Path) -> dict[str, tuple]:
    """Every path under `base` but those in `skip`, with type, size and modification time."""
    found = {}
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if Path(folder) / d not in skip]
        for name in [*dirs, *names]:
            path = Path(folder) / name
            info = path.lstat()
            found[str(path.relative_to(base))] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def run_case(base: Path, case: Case) -> dict[str, Ran]:
    project, outside, home = base / "proj", base / "outside", base / "home"
    shutil.copytree(CHECK_CLEAN, project)
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    home.mkdir()
    if case.repo:
        git(project, "init", "-q", "-b", "main")
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", "initial")
    case.setup(project, outside)
    own_cache = home / ".cache" / "ygs"  # ygs's own user cache (a project with no .ygs/)
    own_cache.mkdir(parents=True)
    before = snapshot(base, project, own_cache)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "YGS_MODEL_BACKEND": "offline",
        "CI": "1",
        **case.env,
    }
    commands = [list(c) for c in (case.commands or PROJECT_COMMANDS)]
    try:
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER, json.dumps(commands)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            preexec_fn=_limits,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        running = [ln for ln in (err.stderr or b"").decode().splitlines() if "RUNNING" in ln]
        pytest.fail(f"{case.name}: hung in {running[-1] if running else 'start-up'}")
    assert proc.returncode == 0, f"{case.name}: the driver died\n{proc.stderr[-3000:]}"
    results = {
        " ".join(r["argv"]): Ran(r["code"], r["stdout"], r["stderr"])
        for r in json.loads(proc.stdout)
    }
    for key, ran in results.items():
        assert ran.code in OK_CODES, f"{case.name}: `ygs {key}` exited {ran.code}\n{ran.stderr}"
        assert "Traceback" not in ran.stderr, f"{case.name}: `ygs {key}`\n{ran.stderr}"
    after = snapshot(base, project, own_cache)
    assert after == before, f"{case.name}: something changed outside"
    assert (outside / "precious.txt").read_text() == "keep me\n"
    return results


# ------------------------------------------------------------------ building hostile trees


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def alias_bomb(indent: str = "") -> str:
    """Nine levels of nine aliases each: a few hundred bytes, 387 million strings expanded."""
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{indent}{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def prd_with(front: str, body: str = "# Hostile\n") -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        write(project / "docs/prd/2026-02-01-hostile.md", f"---\n{front}---\n{body}")

    return setup


def replace_file(rel: str, data: str | bytes) -> Callable[[Path, Path], None]:
    return lambda project, outside: write(project / rel, data)


def link(rel: str, target: str | Callable[[Path, Path], str]) -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        path.symlink_to(target(project, outside) if callable(target) else target)

    return setup


def fifo(rel: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        if (project / rel).exists():
            (project / rel).unlink()
        os.mkfifo(project / rel)

    return setup


def unix_socket(rel: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        folder = (project / rel).parent
        folder.mkdir(parents=True, exist_ok=True)
        old = os.getcwd()
        os.chdir(folder)  # a socket path is limited to 108 bytes: bind a relative name
        try:
            sock = socket.socket(socket.AF_UNIX)
            sock.bind(Path(rel).name)
            sock.close()
        finally:
            os.chdir(old)

    return setup


def config(text: str) -> Callable[[Path, Path], None]:
    return replace_file(".ygs/config.yaml", text)


def user_config(text: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        write(project.parent / "home" / ".config" / "ygs" / "config.yaml", text)

    return setup


def both(*steps: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def setup(project: Path, outside: Path) -> None:
        for step in steps:
            step(project, outside)

    return setup


# ------------------------------------------------------------------ expectations


def finding(rule: str, path: str, words: str = "") -> Callable[[dict[str, Ran]], None]:
    """`ygs check --json` reports `rule` at `path`; nothing crashed, nothing hung."""

    def expect(results: dict[str, Ran]) -> None:
        found = [
            f
            for f in results["check --json"].json["findings"]
            if f["rule"] == rule and f["path"] == path
        ]
        assert found, results["check --json"].stdout[:2000]
        assert words.lower() in found[0]["message"].lower(), found[0]
        assert results["artifacts"].code == 2  # listing still lists, bad input exits 2
        assert results["next-id REQ"].code == 2 and path in results["next-id REQ"].stderr

    return expect


def every_command_refuses(*words: str) -> Callable[[dict[str, Ran]], None]:
    """Every command exits 2 with a message naming the problem (e.g. the file and line)."""

    def expect(results: dict[str, Ran]) -> None:
        for key, ran in results.items():
            assert ran.code == 2, f"`ygs {key}` exited {ran.code}: {ran.stderr}"
            for word in words:
                assert word in ran.stderr, f"`ygs {key}`: {word!r} not in {ran.stderr!r}"

    return expect


def codes(wanted: dict[str, int], *words: str) -> Callable[[dict[str, Ran]], None]:
    """Exit codes by command line, and words every one of those commands says."""

    def expect(results: dict[str, Ran]) -> None:
        for key, code in wanted.items():
            ran = results[key]
            assert ran.code == code, f"`ygs {key}` exited {ran.code}: {ran.stderr}"
            for word in words:
                said = ran.stdout + ran.stderr
                assert word in said, f"`ygs {key}`: {word!r} not in {said!r}"

    return expect


def pack(*steps: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    """A one-skill pack at pack/ (a copy of ygs-adr), then the hostile steps inside it."""

    def setup(project: Path, outside: Path) -> None:
        copy_pack(project / "pack", ["ygs-adr"])
        for step in steps:
            step(project, outside)

    return setup


PACK_COMMANDS = (
    ("skills", "validate", "pack"),
    ("install", "--from", "pack", "--scope", "project", "--agent", "claude"),
)
REFS = "pack/ygs-adr/references"


def pack_refused(*words: str) -> Callable[[dict[str, Ran]], None]:
    """`skills validate` flags it (SKL013) and `install --from` refuses the pack."""

    def expect(results: dict[str, Ran]) -> None:
        validate = results["skills validate pack"]
        assert validate.code == 2 and "SKL013" in validate.stdout + validate.stderr, validate
        install = results[" ".join(PACK_COMMANDS[1])]
        assert install.code == 2 and "nothing was installed" in install.stderr, install
        for word in words:
            assert word in validate.stdout + validate.stderr, validate

    return expect


def staged_names(project: Path, outside: Path) -> None:
    """Staged files whose names hold a newline, a tab, a quote, a backslash, a leading dash,
    non-ASCII and invalid UTF-8 bytes: every one must reach the review."""
    for name in WEIRD_NAMES:
        (project / os.fsdecode(name)).write_text("token = 1\n")
    git(project, "add", "-A")


WEIRD_NAMES = [
    b"new\nline.py",
    b"tab\there.py",
    b'quote"d.py',
    b"back\\slash.py",
    b"-leading-dash.py",
    b"caf\xc3\xa9 \t\x01.py",
    b"latin\xe9.py",
]


def conflicted(project: Path, outside: Path) -> None:
    (project / "x.py").write_text("a = 1\n")
    git(project, "add", "x.py")
    git(project, "commit", "-q", "-m", "x")
    git(project, "checkout", "-q", "-b", "other")
    (project / "x.py").write_text("a = 2\n")
    git(project, "commit", "-q", "-am", "other")
    git(project, "checkout", "-q", "main")
    (project / "x.py").write_text("a = 3\n")
    git(project, "commit", "-q", "-am", "main")
    subprocess.run(["git", "merge", "other"], cwd=project, capture_output=True, check=False)


def no_git_path() -> str:
    """A PATH with Python's folder but no git."""
    folder = Path(sys.executable).parent
    assert not (folder / "git").exists()
    return str(folder)


HOSTILE_PRD = "docs/prd/2026-02-01-hostile.md"
DEEP = "[" * 10_000 + "]" * 10_000

CASES = [
    # --- YAML in frontmatter: findings with a line, never a hang
    Case(
        "frontmatter alias bomb",
        prd_with(alias_bomb()),
        expect=finding("ART001", HOSTILE_PRD, "alias"),
    ),
    Case(
        "frontmatter anchor",
        prd_with("id: x\nt: &t hello\n"),
        expect=finding("ART001", HOSTILE_PRD, "anchor"),
    ),
    Case(
        "frontmatter merge key",
        prd_with("base: &b {a: 1}\nx:\n  <<: *b\n"),
        expect=finding("ART001", HOSTILE_PRD, "anchor"),
    ),
    Case(
        "frontmatter nested 10k deep",
        prd_with(f"a: {DEEP}\n"),
        expect=finding("ART001", HOSTILE_PRD),
    ),
    Case(
        "frontmatter of 3 MB",
        prd_with("a: " + "x" * 3_000_000 + "\nb: [1,\n"),
        expect=finding("ART001", HOSTILE_PRD, "too large"),
    ),
    Case(
        "frontmatter python tag",
        prd_with("x: !!python/object/apply:os.system ['touch ../outside/pwned']\n"),
        expect=finding("ART001", HOSTILE_PRD),
    ),
    Case("frontmatter list", prd_with("- a\n- b\n"), expect=finding("ART001", HOSTILE_PRD)),
    Case("frontmatter scalar", prd_with("just words\n"), expect=finding("ART001", HOSTILE_PRD)),
    Case("frontmatter tab only", prd_with("\t\n"), expect=finding("ART001", HOSTILE_PRD)),
    Case("frontmatter never closed", replace_file(HOSTILE_PRD, "---\nid: x\n# Body\n")),
    Case("BOM and CRLF", replace_file(HOSTILE_PRD, "\ufeff---\r\nid: x\r\n---\r\n# T\r\n")),
    Case(
        "not UTF-8",
        replace_file(HOSTILE_PRD, b"---\nid: x\ntitle: caf\xe9\n---\n"),
        expect=finding("ART002", HOSTILE_PRD),
    ),
    Case("NUL bytes", replace_file(HOSTILE_PRD, b"---\nid: x\x00\n---\n\x00\x00# T\n")),
    Case("a 2 MB line", prd_with("id: x\n", "# T\n\n" + "word, " * 350_000 + "\n")),
    Case(
        "deep markdown nesting",
        prd_with(
            "id: x\n",
            "# T\n\n"
            + "> " * 20_000
            + "deep\n\n"
            + "".join("  " * i + "- item\n" for i in range(2000)),
        ),
    ),
    # --- configuration: exit 2 naming the file and line, for every command
    Case(
        "project config alias bomb",
        config("project:\n  name: x\nreview:\n  rules:\n" + alias_bomb("    ")),
        expect=every_command_refuses(".ygs/config.yaml:5", "alias"),
    ),
    Case(
        "user config alias bomb",
        user_config("model:\n  prices:\n" + alias_bomb("    ")),
        expect=every_command_refuses("config.yaml:3", "alias"),
    ),
    Case(
        "config nested 10k deep",
        config(f"project:\n  name: {DEEP}\n"),
        expect=every_command_refuses(".ygs/config.yaml:2"),
    ),
    Case(
        "config python tag",
        config("project:\n  name: !!python/object/apply:os.system ['touch pwned']\n"),
        expect=every_command_refuses(".ygs/config.yaml:2"),
    ),
    Case(
        "paths.docs leaves the project",
        config("paths:\n  docs: ../..\n"),
        expect=every_command_refuses(".ygs/config.yaml:2", "inside the project"),
    ),
    Case(
        "paths.tasks is absolute",
        config("paths:\n  tasks: /etc\n"),
        expect=every_command_refuses(".ygs/config.yaml:2", "inside the project"),
    ),
    Case(
        "docs is a link out of the project",
        both(
            lambda p, o: shutil.move(p / "docs", o / "docs"),
            link("docs", lambda p, o: str(o / "docs")),
        ),
        commands=(("check",), ("status",), ("artifacts",), ("next-id", "REQ")),
        expect=every_command_refuses("outside the project"),
    ),
    Case(
        "docs is a link to /",
        both(lambda p, o: shutil.rmtree(p / "docs"), link("docs", "/")),
        commands=(("check",), ("status",)),
        expect=every_command_refuses("outside the project"),
    ),
    Case(
        "config.yaml is a folder",
        both(
            lambda p, o: (p / ".ygs/config.yaml").unlink(),
            lambda p, o: (p / ".ygs/config.yaml").mkdir(),
        ),
        commands=(*PROJECT_COMMANDS, ("config", "set", "commands.test", "pytest")),
        expect=every_command_refuses("config.yaml", "folder"),
    ),
    Case(
        "config.yaml is a FIFO",
        fifo(".ygs/config.yaml"),
        expect=every_command_refuses("config.yaml", "FIFO"),
    ),
    Case(
        "user config is a link to /dev/zero",
        lambda p, o: link("config.yaml", "/dev/zero")(p.parent / "home" / ".config" / "ygs", o),
        expect=every_command_refuses("config.yaml", "character device"),
    ),
    Case(
        "config of 3 MB",
        config("project:\n  name: " + "x" * 3_000_000 + "\n"),
        expect=every_command_refuses("too large"),
    ),
    # --- special files where artifacts belong: ART012, never opened
    Case("artifact FIFO", fifo(HOSTILE_PRD), expect=finding("ART012", HOSTILE_PRD, "FIFO")),
    Case(
        "artifact link to /dev/zero",
        link(HOSTILE_PRD, "/dev/zero"),
        expect=finding("ART012", HOSTILE_PRD, "character device"),
    ),
    Case(
        "artifact dangling link",
        link(HOSTILE_PRD, "gone.md"),
        expect=finding("ART012", HOSTILE_PRD, "does not exist"),
    ),
    Case(
        "artifact link loop",
        link(HOSTILE_PRD, "2026-02-01-hostile.md"),
        expect=finding("ART012", HOSTILE_PRD, "symbolic links"),
    ),
    Case(
        "artifact link out of the project",
        link(HOSTILE_PRD, lambda p, o: str(o / "precious.txt")),
        expect=finding("ART012", HOSTILE_PRD, "outside"),
    ),
    Case(
        "artifact socket", unix_socket(HOSTILE_PRD), expect=finding("ART012", HOSTILE_PRD, "socket")
    ),
    Case("task folder is a link to /", link("tasks/backlog", "/")),
    Case(
        "last review record nested 100k deep",
        replace_file(".ygs/runs/last-review.json", "[" * 100_000 + "]" * 100_000),
        commands=(("status",), ("status", "--json")),
        expect=codes({"status": 0}, "last-review.json is unreadable"),
    ),
    Case(
        "CONTEXT.md and a test file are FIFOs",
        both(fifo("CONTEXT.md"), fifo("tests/test_hang.py")),
    ),
    Case(
        "init over files where folders belong",
        both(
            lambda p, o: shutil.rmtree(p / "tasks"),
            replace_file("tasks", "mine\n"),
            fifo(".gitignore"),
        ),
        commands=(("init",),),
        expect=codes({"init": 2}, "tasks is a file", "nothing was changed"),
    ),
    Case(
        "check --output to a folder",
        lambda p, o: (p / "out").mkdir(),
        commands=(("check", "--output", "out"), ("trace", "--output", "out")),
        expect=codes({"check --output out": 2, "trace --output out": 2}, "is a folder"),
    ),
    # --- answers files and question banks
    Case(
        "answers file alias bomb",
        replace_file("answers.yaml", alias_bomb()),
        commands=(("refine-prd", "--answers", "answers.yaml", "--offline"),),
        expect=every_command_refuses("answers.yaml:1", "anchor"),
    ),
    Case(
        "answers file is /dev/zero",
        link("answers.yaml", "/dev/zero"),
        commands=(("refine-prd", "--answers", "answers.yaml", "--offline"),),
        expect=every_command_refuses("answers.yaml", "character device"),
    ),
    Case(
        "question bank alias bomb in a project skill",
        both(
            lambda p, o: copy_pack(p / ".ygs" / "skills", ["ygs-refine-prd"]),
            replace_file(".ygs/skills/ygs-refine-prd/interview.yaml", alias_bomb()),
        ),
        commands=(("refine-prd", "--offline", "an idea"),),
        expect=every_command_refuses("interview.yaml", "anchor"),
    ),
    # --- skill packs: links never followed out of the pack, loops and special files refused
    Case(
        "pack link to /",
        pack(link(f"{REFS}/root", "/")),
        PACK_COMMANDS,
        pack_refused("outside the pack"),
    ),
    Case(
        "pack link to /etc/passwd",
        pack(link(f"{REFS}/passwd.md", "/etc/passwd")),
        PACK_COMMANDS,
        pack_refused("outside the pack"),
    ),
    Case("pack link loop", pack(link(f"{REFS}/loop", "loop")), PACK_COMMANDS, pack_refused()),
    Case(
        "pack folder loop",
        pack(link(f"{REFS}/up", "..")),
        PACK_COMMANDS,
        pack_refused("loop"),
    ),
    Case(
        "pack link to /dev/zero",
        pack(link(f"{REFS}/zero.md", "/dev/zero")),
        PACK_COMMANDS,
        pack_refused(),
    ),
    Case("pack FIFO", pack(fifo(f"{REFS}/pipe.md")), PACK_COMMANDS, pack_refused("FIFO")),
    Case(
        "pack skill folder is a link out",
        pack(
            lambda p, o: shutil.copytree(p / "pack/ygs-adr", o / "adr"),
            link("pack/ygs-adr", lambda p, o: str(o / "adr")),
        ),
        PACK_COMMANDS,
        pack_refused("outside the pack"),
    ),
    Case(
        "pack SKILL.md alias bomb",
        pack(replace_file("pack/ygs-adr/SKILL.md", "---\n" + alias_bomb() + "---\n# x\n")),
        PACK_COMMANDS,
        codes({"skills validate pack": 2, " ".join(PACK_COMMANDS[1]): 2}, "anchor"),
    ),
    # --- git: NUL-safe plumbing, conflicts, bad refs, no git at all
    Case(
        "staged names with newlines, tabs, quotes and bad UTF-8",
        staged_names,
        commands=(
            ("review", "--staged", "--offline", "--json"),
            ("review", "--offline", "--json"),
            ("check", "--changed"),
        ),
        expect=lambda r: _all_reviewed(r["review --staged --offline --json"]),
        repo=True,
    ),
    Case(
        "conflicted index",
        conflicted,
        commands=(("review", "--staged", "--offline"), ("review", "--offline")),
        expect=codes({"review --staged --offline": 2, "review --offline": 2}, "conflicts"),
        repo=True,
    ),
    Case(
        "empty or option-like --base",
        lambda p, o: None,
        commands=(("review", "--base", "", "--offline"), ("review", "--base", "-x", "--offline")),
        expect=codes({"review --base  --offline": 2, "review --base -x --offline": 2}, "--base"),
        repo=True,
    ),
    Case(
        "git missing from PATH",
        replace_file("answers.yaml", "title: Faster alerts\n"),
        commands=(
            *PROJECT_COMMANDS,
            ("review", "--offline"),
            ("check", "--changed"),
            ("refine-prd", "--offline", "--non-interactive", "--answers", "answers.yaml"),
        ),
        expect=lambda r: _git_missing(r),
        env={"PATH": no_git_path()},
        repo=True,
    ),
]


def _all_reviewed(ran: Ran) -> None:
    data = ran.json
    assert data["stats"]["files"] == len(WEIRD_NAMES), data["stats"]
    assert data["verdict"] != "APPROVE" or data["findings"] == []


def _git_missing(results: dict[str, Ran]) -> None:
    for key in ("review --offline", "check --changed"):
        ran = results[key]
        assert ran.code == 2 and "git is not on PATH" in ran.stderr, ran
    docs_only = ("check --json", "status --json", "artifacts", "trace --gate", "next-id REQ")
    for key in docs_only:
        assert results[key].code in (0, 1), results[key]
    wrote = results["refine-prd --offline --non-interactive --answers answers.yaml"]
    assert wrote.code == 0 and "Wrote docs/prd/" in wrote.stdout + wrote.stderr, wrote


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_project(tmp_path, case):
    results = run_case(tmp_path, case)
    if case.expect is not None:
        case.expect(results)


# ------------------------------------------------------------------ in-process: no hang possible


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (alias_bomb(), 1, "anchor '&a'"),
        ("a: 1\nb: *x\n", 2, "alias '*x'"),
        ("a:\n  - 1\n  - &k two\n", 3, "anchor '&k'"),
        ("a: " + DEEP[:200] + "\n", 1, "nested more than 64"),
        ("[" + "1," * 200_001 + "1]", 1, "more than 200000 values"),
        ("a: " + "x" * 2_000_001, 1, "too large"),
    ],
)
def test_yaml_screen_refuses_what_could_expand_without_bound(text, line, words):
    from ygs.core import yamltext

    for load in (yamltext.load, lambda t: yamltext.load_with_lines(t)[0]):
        with pytest.raises(yamltext.YamlError) as err:
            load(text)
        assert words in err.value.message and err.value.line == line


def test_yaml_duplicate_keys_are_found_in_linear_time():
    from ygs.core import yamltext

    text = "".join(f"k{i}: {i}\n" for i in range(50_000)) + "k7: again\n"
    with pytest.raises(yamltext.YamlError) as err:
        yamltext.load_with_lines(text)
    assert "duplicate key 'k7'" in err.value.message and err.value.line == 50_001


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=30).filter(lambda b: b"\0" not in b and b"/" not in b))
def test_git_header_quoting_round_trips(name):
    """What `_new_file` writes for an untracked file, `diff.unquote` reads back."""
    from ygs.review import diff, source

    quoted = source._header_name(b"b/", name)
    text = quoted.decode("utf-8", "replace")
    back = diff._strip(text)
    assert back == ("b/" + name.decode("utf-8", "replace"))[2:]


def test_untracked_and_staged_weird_names_get_their_whole_new_version(tmp_path):
    from ygs.review import diff, source

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "start")
    staged_names(root, tmp_path)
    wanted = sorted(
        os.fsdecode(n).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        for n in WEIRD_NAMES
    )
    for staged in (True, False, False):  # the index, the index vs HEAD, then untracked files
        found, _ = source.load(
            root, staged=staged, base=None, paths=[], limits=diff.Limits(), base_branch="main"
        )
        assert sorted(f.path for f in found.files) == wanted
        readable = [f for f in found.files if "\ufffd" not in f.path]
        assert len(readable) == 6 and all(f.new_lines == ("token = 1",) for f in readable)
        git(root, "reset", "-q")
    git(root, "checkout", "-q", "-b", "topic")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "weird names")
    found, scope = source.load(
        root, staged=False, base="main", paths=[], limits=diff.Limits(), base_branch="main"
    )
    assert scope.mode == "branch" and sorted(f.path for f in found.files) == wanted
    readable = [f for f in found.files if "\ufffd" not in f.path]
    assert len(readable) == 6 and all(f.new_lines == ("token = 1",) for f in readable)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_artifact_nobody_may_read_is_a_finding(ygs, proj):
    path = proj / "docs" / "adr" / "0009-secret.md"
    path.write_text("---\nid: ADR-0009\n---\n")
    path.chmod(0)
    result = ygs("check", "--json", cwd=proj)
    found = [f for f in result.json["findings"] if f["rule"] == "ART012"]
    assert found and "not readable" in found[0]["message"]
    assert ygs("next-id", "ADR", cwd=proj).code == 2


class _CountingText(str):
    splits = 0

    def split(self, *args, **kwargs):
        type(self).splits += 1
        return super().split(*args, **kwargs)


def test_report_line_lookup_splits_each_file_once():
    """`check --json` fingerprints every finding by its line: 8,000 findings in one file once
    split the file 8,000 times (quadratic). Each file is split once now."""
    from types import SimpleNamespace

    from ygs.cli.cmd_check import _source

    text = _CountingText("line\n" * 10_000)
    catalog = SimpleNamespace(artifacts=[SimpleNamespace(path="docs/prd/a.md", text=text)])
    line_text = _source(catalog)
    assert [line_text("docs/prd/a.md", n) for n in range(1, 5001)] == ["line"] * 5000
    assert _CountingText.splits == 1


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("paths.docs", "../..", "inside the project"),
        ("paths.tasks", "/tmp", "inside the project"),
        ("model.prices", "{opus: 5}", "opus"),
        ("model.prices", "{a: &x {input: 1}, b: *x}", "anchor"),
        ("check.rules", "{PRD999: off}", "unknown rule 'PRD999'"),
        ("check.rules", "{PRD001: loud}", "must, should, may or off"),
        ("review.rules", "{PRD001: off}", "unknown rule 'PRD001'"),
        ("review.rules", "{SEC001: disabled}", "must, should, may or off"),
        ("project.languages", "[[1]]", "list of text"),
    ],
)
def test_config_set_refuses_what_the_loader_would_refuse_and_writes_nothing(
    ygs, proj, key, value, words
):
    path = proj / ".ygs" / "config.yaml"
    before = path.read_bytes()
    result = ygs("config", "set", key, value, cwd=proj)
    assert result.code == 2 and words in result.stderr, result.stderr
    assert path.read_bytes() == before
    assert ygs("status", cwd=proj).code == 0


@pytest.mark.parametrize("value", ["1_000", "1:30", "0o17", "yes", "~x", "2026-01-01", "a: b"])
def test_config_set_keeps_text_that_yaml_11_would_read_as_something_else(ygs, proj, value):
    assert ygs("config", "set", "commands.test", value, cwd=proj).code == 0
    assert ygs("config", "get", "commands.test", "--json", cwd=proj).json["value"] == value


@pytest.mark.parametrize("blocker", [".ygs", ".ygs/config.yaml"])
def test_config_set_where_a_folder_or_file_is_in_the_way_is_exit_2(ygs, tmp_path, blocker):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    if blocker == ".ygs":
        (root / ".ygs").write_text("mine\n")
    else:
        (root / ".ygs" / "config.yaml").mkdir(parents=True)
    result = ygs("config", "set", "commands.test", "pytest", cwd=root)
    assert result.code == 2 and ".ygs" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    if blocker == ".ygs":
        assert (root / ".ygs").read_text() == "mine\n"


def test_a_walked_file_swapped_for_a_link_out_is_refused(tmp_path):
    """Files the walk found as plain files are read without resolving their path, opened
    with O_NOFOLLOW: one swapped for a link since (here, to a secret outside the project)
    gets read_bytes' full checks and is refused, never read."""
    from ygs.project import Project

    root = tmp_path / "proj"
    shutil.copytree(CHECK_CLEAN, root, ignore=shutil.ignore_patterns("cache"))
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: x\n---\nSECRET\n", encoding="utf-8")
    proj = Project.at(root)
    entries = dict(proj.artifact_entries)
    rel = "docs/prd/2026-01-10-alert-delivery.md"
    assert rel in proj.plain_files and rel in entries
    (root / rel).unlink()
    (root / rel).symlink_to(secret)
    found = dict(proj.artifact_files())[rel]
    assert not isinstance(found, bytes)
    assert found.rule == "ART012" and "outside" in found.message
    others = [data for path, data in proj.artifact_files() if path != rel]
    assert others and all(isinstance(data, bytes) for data in others)
