"""`ygs check --changed` in real git repositories: against the base branch's merge-base,
staged files under pre-commit, pre-push ranges, and clear errors outside git."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import git

CLEAN = Path(__file__).parent / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
TRD = "docs/trd/2026-01-12-alert-delivery.md"
TASK3 = "tasks/backlog/TASK-003-rate-limit.md"


def break_prd(root: Path) -> None:
    path = root / PRD
    path.write_text(
        path.read_text().replace("- 0 lost P0 alerts in the first 90 days.", "- Fewer.")
    )


def break_task(root: Path) -> None:
    path = root / TASK3
    path.write_text(path.read_text().replace("priority: P1", "priority: soon"))


def break_trd(root: Path) -> None:
    path = root / TRD
    path.write_text(path.read_text().replace("prd: alert-delivery\n", ""))


@pytest.fixture
def project(repo: Path) -> Path:
    """The clean fixture committed on main, then a feature branch."""
    shutil.copytree(CLEAN, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "project")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def paths(result) -> set[str]:
    return {f["path"] for f in result.json["findings"]}


def test_changed_against_the_merge_base(ygs, project):
    git(project, "checkout", "-q", "main")
    break_trd(project)  # a problem on main, after the branch point: not ours
    git(project, "commit", "-qam", "main moves on")
    git(project, "checkout", "-q", "feature")
    break_prd(project)
    git(project, "commit", "-qam", "feature commit")
    break_task(project)  # uncommitted
    new = project / "tasks/backlog/TASK-004-new.md"
    new.write_text("---\nid: TASK-004\ntitle: New\nstatus: backlog\ndate: 2026-01-01\n---\n")
    result = ygs("check", "--changed", "--json", "--fail-on", "never", cwd=project)
    assert result.code == 0
    assert paths(result) == {PRD, TASK3, "tasks/backlog/TASK-004-new.md"}
    assert result.json["checked"] == 3
    everything = ygs("check", "--json", "--fail-on", "never", cwd=project)
    assert paths(everything) == {
        PRD,
        TASK3,
        "tasks/backlog/TASK-004-new.md",
    }  # main's TRD is absent


def test_changed_on_the_base_branch_itself_checks_uncommitted_work(ygs, project):
    git(project, "checkout", "-q", "main")
    assert ygs("check", "--changed", "--json", cwd=project).json["findings"] == []
    break_task(project)
    assert paths(ygs("check", "--changed", "--json", cwd=project)) == {TASK3}


def test_staged_only_under_pre_commit(ygs, project, monkeypatch):
    break_prd(project)
    break_task(project)
    git(project, "add", TASK3)
    monkeypatch.setenv("PRE_COMMIT", "1")
    result = ygs("check", "--changed", "--json", "--fail-on", "never", cwd=project)
    assert paths(result) == {TASK3}
    git(project, "reset", "-q")
    assert ygs("check", "--changed", "--json", cwd=project).json["findings"] == []


def test_pre_push_range(ygs, project, monkeypatch):
    base = git(project, "rev-parse", "HEAD")
    break_task(project)
    git(project, "commit", "-qam", "push me")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", git(project, "rev-parse", "HEAD"))
    assert paths(ygs("check", "--changed", "--json", "--fail-on", "never", cwd=project)) == {TASK3}


def test_paths_and_changed_intersect(ygs, project):
    break_prd(project)
    break_task(project)
    result = ygs("check", "tasks", "--changed", "--json", "--fail-on", "never", cwd=project)
    assert paths(result) == {TASK3}


def test_project_in_a_subfolder_of_the_repository(ygs, repo):
    sub = repo / "services" / "pager"
    shutil.copytree(CLEAN, sub)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "project")
    break_task(sub)
    result = ygs("check", "--changed", "--json", "--fail-on", "never", cwd=sub)
    assert paths(result) == {TASK3}


def test_changed_against_a_base_branch_only_the_remote_has(ygs, project, tmp_path):
    config = project / ".ygs/config.yaml"
    config.write_text(config.read_text().replace("base_branch: main", "base_branch: release"))
    git(project, "commit", "-qam", "release is the base")
    git(project, "branch", "release")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", str(project), str(clone))
    break_prd(clone)
    git(clone, "commit", "-qam", "feature commit")
    result = ygs("check", "--changed", "--json", "--fail-on", "never", cwd=clone)
    assert result.code == 0 and paths(result) == {PRD} and result.json["checked"] == 1


def test_unknown_base_branch_is_a_usage_error(ygs, project):
    config = project / ".ygs/config.yaml"
    config.write_text(config.read_text().replace("base_branch: main", "base_branch: trunk"))
    result = ygs("check", "--changed", cwd=project)
    assert result.code == 2
    assert "trunk" in result.stderr and "git.base_branch" in result.stderr


def test_changed_outside_git_is_a_usage_error(ygs, tmp_path):
    root = tmp_path / "plain"
    shutil.copytree(CLEAN, root)
    result = ygs("check", "--changed", cwd=root)
    assert result.code == 2 and "git repository" in result.stderr
