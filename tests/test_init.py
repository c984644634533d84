"""`ygs init`: conventions, detection, .gitignore, idempotence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import git, make_repo
from ygs.core.detect import detect


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git/" not in p.as_posix() + "/"
    }


def test_init_creates_conventions_and_is_idempotent(ygs, repo):
    first = ygs("init", "--json", cwd=repo)
    assert first.code == 0
    for rel in (
        "docs/prd",
        "docs/adr",
        "docs/threat-models",
        "tasks/backlog",
        "tasks/in-progress",
        "tasks/done",
    ):
        assert (repo / rel).is_dir(), rel
    assert (repo / "CONTEXT.md").is_file()
    ignored = (repo / ".gitignore").read_text().splitlines()
    for entry in (".ygs/sessions/", ".ygs/runs/", ".ygs/cache/"):
        assert entry in ignored
    before = snapshot(repo)
    second = ygs("init", "--json", cwd=repo)
    assert second.json["created"] == [] and second.json["updated"] == []
    assert snapshot(repo) == before


def test_init_keeps_existing_gitignore_lines(ygs, repo):
    (repo / ".gitignore").write_text("node_modules/\n.ygs/cache/")
    ygs("init", cwd=repo)
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["node_modules/", ".ygs/cache/"]
    assert lines.count(".ygs/cache/") == 1 and ".ygs/runs/" in lines


def test_init_outside_git_says_so_and_works(ygs, tmp_path):
    result = ygs("init", cwd=tmp_path)
    assert result.code == 0 and "Not a git repository" in result.stdout
    assert (tmp_path / "docs" / "prd").is_dir()


def test_init_writes_detected_config(ygs, repo):
    (repo / "pyproject.toml").write_text('[project]\nname="x"\n[tool.pytest.ini_options]\n')
    (repo / "app.py").write_text("print(1)\n")
    ygs("init", cwd=repo)
    cfg = ygs("config", "list", "--json", cwd=repo).json
    values = {row["key"]: row["value"] for row in cfg["keys"]}
    assert values["commands.test"] == "pytest"
    assert values["project.languages"] == ["python"]
    assert values["git.base_branch"] == "main"


def test_base_branch_from_local_refs_only(ygs, tmp_path):
    repo = make_repo(tmp_path / "r", branch="trunk")
    git(repo, "checkout", "-q", "-b", "feature")
    assert ygs("init", "--json", cwd=repo).json["base_branch"] == "trunk"
    other = make_repo(tmp_path / "o", branch="work")
    git(other, "update-ref", "refs/remotes/origin/develop", "HEAD")
    git(other, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    assert ygs("init", "--json", cwd=other).json["base_branch"] == "develop"


def pkg(scripts: dict) -> str:
    return json.dumps({"name": "x", "scripts": scripts})


@pytest.mark.parametrize(
    ("files", "exts", "test"),
    [
        ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, {".py"}, "pytest"),
        (
            {"pyproject.toml": '[project]\noptional-dependencies = {test = ["pytest>=8"]}\n'},
            set(),
            "pytest",
        ),
        ({"setup.cfg": "[tool:pytest]\n", "setup.py": ""}, set(), "pytest"),
        ({"tox.ini": "[pytest]\n", "requirements.txt": ""}, set(), "pytest"),
        ({"pytest.ini": "", "requirements.txt": ""}, set(), "pytest"),
        ({"pyproject.toml": "[project]\nname='x'\n"}, {".py"}, None),
        ({"package.json": pkg({"test": "vitest"})}, {".js"}, "npm test"),
        ({"package.json": pkg({"test": 'echo "Error: no test specified" && exit 1'})}, set(), None),
        ({"package.json": pkg({"build": "vite build"})}, set(), None),
        ({"Cargo.toml": "[package]\n"}, set(), "cargo test"),
        ({"go.mod": "module x\n"}, set(), "go test ./..."),
        ({"Makefile": "all:\n\techo\ntest: all\n\techo\n"}, set(), "make test"),
        ({"Makefile": "CC := gcc\nbuild:\n\tcc\n"}, set(), None),
        ({"pyproject.toml": "not [valid toml"}, {".py"}, None),
    ],
)
def test_detect_chooses_exactly_one_test_command(files, exts, test):
    assert detect(files, exts).test == test


def test_detect_reports_why_it_chose_nothing():
    found = detect({"package.json": pkg({"test": 'echo "Error: no test specified"'})}, set())
    assert any("placeholder" in note for note in found.notes)
    broken = detect({"package.json": "{not json"}, set())
    assert broken.test is None and any("not valid JSON" in n for n in broken.notes)


def test_init_creates_a_named_folder(ygs, tmp_path):
    result = ygs("init", "demo", "--json", cwd=tmp_path)
    assert result.code == 0 and result.json["root"] == str(tmp_path / "demo")
    assert (tmp_path / "demo" / "docs" / "prd").is_dir()
    assert ygs("init", "demo/../demo", cwd=tmp_path).code == 0  # again: nothing changes


def test_readme_quick_start_runs_offline_without_a_terminal(tmp_path):
    """The README's first line, after `pip install .`, in a shell with no terminal and no model."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    block = (REPO / "README.md").read_text().split("## Quick start", 1)[1].split("```sh\n", 1)[1]
    first, second = block.split("```", 1)[0].strip().splitlines()
    assert first.startswith("pip install . && ") and "pytest" in second
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        first.removeprefix("pip install . && "),
        shell=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    (prd,) = (tmp_path / "demo" / "docs" / "prd").glob("*-overdue-invoice-reminders.md")
    assert "### REQ-001:" in prd.read_text() and "## Non-goals" in prd.read_text()
