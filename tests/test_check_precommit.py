"""The `ygs-check` pre-commit hook, through `pre-commit try-repo` in a tmp repository.

try-repo installs the hook repository's committed HEAD into its own virtualenv, so
the working tree (uncommitted work included) is copied into a tmp git repository
with one commit first. Hook environments live in the session's PRE_COMMIT_HOME.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, git, make_repo, try_repo

CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"


def test_the_hook_definition():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["ygs-check"]
    assert hook["entry"] == "ygs check --changed"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["stages"] == ["pre-commit", "pre-push", "manual"]
    assert hook["minimum_pre_commit_version"] == "3.2.0"


@pytest.mark.slow
@pytest.mark.xdist_group("pre-commit")
@pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit not installed"
)
def test_try_repo_blocks_a_bad_artifact_and_passes_a_good_one(tmp_path, hook_repo, pre_commit_home):
    hooks = hook_repo
    target = make_repo(tmp_path / "target")
    shutil.copytree(CLEAN, target, dirs_exist_ok=True)
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "specs")
    prd = target / PRD
    prd.write_text(
        prd.read_text().replace("- New delivery channels beyond SMS, push and e-mail.", "- None.")
    )
    git(target, "add", PRD)
    bad = try_repo(hooks, target, "ygs-check", pre_commit_home)
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert "PRD012" in output and PRD in output
    git(target, "checkout", "-q", "--", ".")
    git(target, "reset", "-q", "--hard")
    note = target / "tasks/backlog/TASK-003-rate-limit.md"
    note.write_text(note.read_text().replace("## Goal\n", "## Goal\n\nPer integration.\n"))
    git(target, "add", "-A")
    good = try_repo(hooks, target, "ygs-check", pre_commit_home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
