"""`ygs check --changed` finds the files edited since the last full check from `git
status` and the few files git cannot vouch for, without a walk that stats every artifact
(`ygs.cache.incremental.since`). Whatever it answers must be what the walk finds."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from conftest import edit, git
from test_cache_equivalence import backdate
from test_check_incremental import ADR2, CLEAN, PRD, changed_agrees, full_check

from ygs.cache import cache_dir, incremental, read_blob
from ygs.cache.incremental import Snapshot
from ygs.cli import cmd_check
from ygs.project import Project


@pytest.fixture
def project(repo):
    """The clean fixture, with one gitignored PRD, committed on main and older than the
    racy window (files and folders)."""
    shutil.copytree(CLEAN, repo, dirs_exist_ok=True)
    (repo / ".gitignore").write_text("docs/prd/private-*.md\n", encoding="utf-8")
    private = (repo / PRD).read_text(encoding="utf-8").replace("REQ-00", "REQ-10")
    (repo / "docs/prd/private-notes.md").write_text(private, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "project")
    backdate_all(repo)
    return repo


def backdate_all(root) -> None:
    backdate(root)
    then = time.time() - 60
    for folder, _dirs, _names in os.walk(root):
        if "/.git" not in folder:
            os.utime(folder, (then, then))


def quick(root) -> Snapshot | None:
    """What `since` answers now, having checked it agrees with a full walk."""
    proj = Project.at(root)
    state = read_blob(cache_dir(proj.root, proj.env) / "check.state", "check-state")
    assert state.git is not None
    found = cmd_check._since(proj, state, cmd_check._status(proj, untracked=False))
    walked = Snapshot.of(Project.at(root).artifact_entries)
    if found is not None:
        assert (found.entries, found.sizes, found.mtimes, found.odd) == (
            walked.entries,
            walked.sizes,
            walked.mtimes,
            walked.odd,
        )
    return found


def linted_alone_without_a_walk(ygs, root, monkeypatch, req: str) -> None:
    """A full check, then ADR2 names an undefined `req`: `--changed` finds the edit from
    git, lints ADR2 alone, and agrees with a run without cache."""
    full_check(ygs, root)
    edit(root, ADR2, "## Context\n", f"## Context\n\nSee {req}.\n")
    assert quick(root) is not None
    found, alone = changed_agrees(ygs, root, monkeypatch)
    assert alone and ("ART005", ADR2) in {f[:2] for f in found}


def test_an_edited_tracked_file_is_found_without_a_walk(ygs, project, monkeypatch):
    linted_alone_without_a_walk(ygs, project, monkeypatch, "REQ-999")


def test_an_edited_ignored_file_is_looked_at_every_time(ygs, project):
    full_check(ygs, project)
    edit(project, "docs/prd/private-notes.md", "## Problem\n", "## Problem\n\nMore.\n")
    assert quick(project) is not None


def test_an_edit_committed_since_is_found_from_the_commits(ygs, project, monkeypatch):
    full_check(ygs, project)
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-998.\n")
    git(project, "commit", "-qam", "edit")
    assert quick(project) is not None
    changed_agrees(ygs, project, monkeypatch)  # on main: nothing changed since the fork


@pytest.mark.parametrize("how", ["in place", "checkout"])
def test_an_edit_reverted_since_is_found(ygs, project, monkeypatch, how):
    original = (project / ADR2).read_text(encoding="utf-8")
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-997.\n")
    full_check(ygs, project)  # the edit is in the state: git lists it as loose
    if how == "in place":
        (project / ADR2).write_text(original, encoding="utf-8")
        assert quick(project) is not None
    else:  # git writes a new file: its folder changed, so this one walks
        git(project, "checkout", "-q", "--", ADR2)
        quick(project)
    changed_agrees(ygs, project, monkeypatch)


def test_a_linked_file_is_looked_at_every_time(ygs, project):
    target = project / "shared.md"
    target.write_text((project / PRD).read_text().replace("REQ-00", "REQ-20"), "utf-8")
    os.symlink("../../shared.md", project / "docs/prd/linked.md")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "link")
    backdate_all(project)
    full_check(ygs, project)
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\nOne more line.\n")
    assert quick(project) is not None


@pytest.mark.parametrize("how", ["ignored", "untracked", "deleted", "folder", "renamed"])
def test_a_file_added_or_removed_makes_it_walk(ygs, project, monkeypatch, how):
    full_check(ygs, project)
    text = (project / ADR2).read_text(encoding="utf-8").replace("ADR-0002", "ADR-0009")
    if how == "ignored":
        (project / "docs/prd/private-more.md").write_text(text, encoding="utf-8")
    elif how == "untracked":
        (project / "docs/adr/0009-new.md").write_text(text, encoding="utf-8")
    elif how == "deleted":
        (project / ADR2).unlink()
    elif how == "folder":
        (project / "docs/adr/more").mkdir()
        (project / "docs/adr/more/0009-new.md").write_text(text, encoding="utf-8")
    else:
        (project / "docs/prd/private-notes.md").rename(project / "docs/prd/private-moved.md")
    assert quick(project) is None
    changed_agrees(ygs, project, monkeypatch)


def test_a_project_in_a_subfolder_of_the_repository(ygs, repo, monkeypatch):
    shutil.copytree(CLEAN, repo / "sub", dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "sub")
    backdate_all(repo)
    linted_alone_without_a_walk(ygs, repo / "sub", monkeypatch, "REQ-996")


def test_a_file_rewritten_in_place_of_itself_needs_no_walk(ygs, project):
    full_check(ygs, project)  # an editor that saves to a new file and renames it over
    text = (project / ADR2).read_text(encoding="utf-8")
    (project / "docs/adr/.0002.tmp").write_text(text + "\nMore.\n", encoding="utf-8")
    os.replace(project / "docs/adr/.0002.tmp", project / ADR2)
    assert quick(project) is not None


def test_the_listing_is_the_walk_without_looking_at_files(project):
    os.symlink("0002-use-an-outbox.md", project / "docs/adr/0003-link.md")
    (project / "docs/adr/folder.md").mkdir()
    (project / "docs/.hidden").mkdir()
    (project / "docs/.hidden/x.md").write_text("# x\n", encoding="utf-8")
    (project / "specs/001-auth").mkdir(parents=True)
    (project / "specs/001-auth/spec.md").write_text("# Spec\n", encoding="utf-8")
    (project / "specs/001-auth/notes.md").write_text("# Notes\n", encoding="utf-8")
    proj = Project.at(project)
    listed = proj.artifact_listing()
    assert listed == Snapshot.of(proj.artifact_entries).entries
    assert "specs/001-auth/spec.md" in listed.split("\0")


def _marked(root):
    proj = Project.at(root)
    return proj, read_blob(cache_dir(proj.root, proj.env) / "check.state", "check-state")


def test_unchanged_folders_answer_without_listing_them(ygs, project):
    """Folders older than the racy window are marked with their mtimes; while each keeps
    it, their listing is the state's, so `since` does not list them again."""
    full_check(ygs, project)
    edit(project, ADR2, "## Context\n", "## Context\n\nMore.\n")
    proj, state = _marked(project)
    assert ("docs/adr", os.stat(project / "docs/adr").st_mtime_ns) in state.git.folders
    assert ("openspec", -1) in state.git.folders  # missing then, and still

    def listing():
        raise AssertionError("listed although no folder changed")

    seen = cmd_check._status(proj, untracked=False)
    found = incremental.since(proj.root, state, listing, seen, cmd_check._roots(proj))
    assert found is not None
    assert found.entries == Snapshot.of(Project.at(project).artifact_entries).entries


def test_the_full_check_marks_the_folders_its_walk_listed(ygs, project, monkeypatch):
    """The walk notes each folder's mtime as it lists it: the state need not list them
    again, and marks what a listing would."""

    def listed_again(self, folders=None):
        raise AssertionError("the folders were listed again")

    with monkeypatch.context() as patch:
        patch.setattr(Project, "artifact_listing", listed_again)
        full_check(ygs, project)
    proj, state = _marked(project)
    folders: list = []
    assert proj.artifact_listing(folders) == state.files.entries
    assert state.git.folders == tuple(folders) and ("openspec", -1) in folders


@pytest.mark.parametrize("where", ["specs/001-auth/spec.md", "openspec/specs/auth/spec.md"])
def test_a_folder_missing_then_and_created_since_makes_it_walk(ygs, project, where):
    full_check(ygs, project)
    (project / where).parent.mkdir(parents=True)
    (project / where).write_text("# Feature Specification: Auth\n", encoding="utf-8")
    assert quick(project) is None


def test_folders_changed_within_the_racy_window_are_not_marked(ygs, project):
    (project / "docs/adr/.keep").write_text("", encoding="utf-8")  # docs/adr changes now
    full_check(ygs, project)
    assert _marked(project)[1].git.folders is None


def test_a_file_changed_while_the_check_ran_is_looked_at_again(ygs, project):
    """A file git shows clean at the end, but changed within the racy window of the
    check's start (an edit reverted meanwhile looks clean to git, yet was read edited), is
    loose: a later run looks at it."""
    (project / ADR2).touch()  # clean content, fresh mtime
    full_check(ygs, project)
    loose = _marked(project)[1].git.loose
    assert ADR2 in loose and PRD not in loose


def test_a_cold_check_stats_each_file_as_it_reads_it(ygs, project):
    """With no cache to answer, the walk only lists the files (LATER for a regular one)
    and each is stat'ed as it is read; the state saved holds what a stat-ing walk finds."""
    from ygs.project import LATER

    (project / "docs/prd/linked.md").symlink_to("private-notes.md")
    lazy = Project.at(project)
    lazy.lazy_stats = True
    kinds = {rel: st is LATER for rel, st in lazy.artifact_entries}
    assert kinds["docs/prd/private-notes.md"] and not kinds["docs/prd/linked.md"]
    walked = _fields(Snapshot.of(Project.at(project).artifact_entries))
    lazy.fill_stats()
    assert _fields(Snapshot.of(lazy.artifact_entries)) == walked
    shutil.rmtree(project / ".ygs/cache", ignore_errors=True)
    assert cmd_check._uncached(Project.at(project))
    assert ygs("check", "--fail-on", "never", cwd=project).code == 0
    proj = Project.at(project)
    state = read_blob(cache_dir(proj.root, proj.env) / "check.state", "check-state")
    assert _fields(state.files) == walked


def _fields(found: Snapshot) -> tuple:
    return found.entries, found.sizes, found.mtimes, found.odd
