"""`ygs check --changed` after a full check lints only the files edited since, against the
state that check left (`ygs.cache.incremental`), and answers exactly what a run with no
cache answers: whether it linted them alone or had to read the whole catalogue."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO, edit, git

from ygs.cache import FORMAT_VERSION
from ygs.cache.incremental import Defined, Snapshot, State, _positions, md_names

CLEAN = REPO / "tests" / "fixtures" / "check" / "clean"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
ADR1 = "docs/adr/0001-publish-after-commit.md"
ADR2 = "docs/adr/0002-use-an-outbox.md"
DESIGN = "docs/design/2026-01-14-alert-delivery.md"
TASK3 = "tasks/backlog/TASK-003-rate-limit.md"
ALONE = "linted again against it"


@pytest.fixture
def project(repo):
    """The clean fixture committed on main, its files older than the racy window, and
    one full check run (which leaves the state)."""
    shutil.copytree(CLEAN, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "project")
    from test_cache_equivalence import backdate

    backdate(repo)
    return repo


def run(ygs, root, *args) -> tuple[list[tuple], str]:
    result = ygs("-v", "check", *args, "--json", "--fail-on", "never", cwd=root)
    assert result.code == 0, result.stderr
    found = result.json["findings"]
    return sorted((f["rule"], f["path"], f["line"] or 0, f["message"]) for f in found), (
        result.stderr
    )


def changed_agrees(ygs, root, monkeypatch) -> tuple[list[tuple], bool]:
    """`--changed` from the state and with no cache at all: the same findings. Returns
    them, and whether the state answered (the edited files linted alone)."""
    cached, log = run(ygs, root, "--changed")
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    fresh, fresh_log = run(ygs, root, "--changed")
    monkeypatch.delenv("YGS_NO_CACHE")
    assert cached == fresh
    assert ALONE not in fresh_log
    return cached, ALONE in log


def full_check(ygs, root) -> list[tuple]:
    found, _ = run(ygs, root)
    assert (root / ".ygs/cache/check.state").is_file()
    return found


@pytest.mark.parametrize(
    ("rel", "old", "new", "rule"),
    [
        # an id nothing defines
        (ADR2, "## Context\n", "## Context\n\nSee REQ-999 for the load limit.\n", "ART005"),
        # a link to a heading another file does not have
        (
            ADR2,
            "## Context\n",
            "## Context\n\nAs [ADR-0001](0001-publish-after-commit.md#nope).\n",
            "ART006",
        ),
        # a link to a heading it has: nothing to report
        (
            ADR2,
            "## Context\n",
            "## Context\n\nAs [ADR-0001](0001-publish-after-commit.md#context).\n",
            None,
        ),
        # a file that does not exist
        (DESIGN, "\n## ", "\nSee [the runbook](../../ops/runbook.md).\n\n## ", "ART006"),
        # a suppression without a reason
        (ADR2, "## Context\n", "## Context\n\n<!-- ygs: ignore ART005 -->\n", "ART007"),
    ],
)
def test_a_body_edit_is_linted_alone_and_agrees(ygs, project, monkeypatch, rel, old, new, rule):
    before = full_check(ygs, project)
    edit(project, rel, old, new)
    found, alone = changed_agrees(ygs, project, monkeypatch)
    assert alone
    rules = {f[0] for f in found if f[1] == rel} - {f[0] for f in before if f[1] == rel}
    assert rules == ({rule} if rule else set())


def test_a_second_edit_after_the_first_is_linted_alone_too(ygs, project, monkeypatch):
    full_check(ygs, project)
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-998.\n")
    first, alone = changed_agrees(ygs, project, monkeypatch)
    assert alone and any(f[0] == "ART005" for f in first)
    edit(project, ADR2, "See REQ-998.", "See REQ-001.")
    edit(project, DESIGN, "\n## ", "\nSee REQ-997.\n\n## ")
    second, alone = changed_agrees(ygs, project, monkeypatch)
    assert alone
    assert [f[1] for f in second if f[0] == "ART005"] == [DESIGN]


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        # a new id, defined elsewhere too: the other file's finding may change
        (ADR2, "id: ADR-0002", "id: ADR-0001"),
        # the status others read (a superseded ADR)
        (ADR1, "status: superseded", "status: accepted"),
        # a heading others may link to
        (ADR1, "## Context", "## Background"),
        # a task: dependency cycles span every task
        (TASK3, "title:", "title: Rate limit again\nold_title:"),
        # a PRD that a TRD traces: the TRD reads its requirements
        (PRD, "\n## ", "\nMore words.\n\n## "),
    ],
)
def test_an_edit_others_can_see_reads_the_catalogue_and_agrees(
    ygs, project, monkeypatch, rel, old, new
):
    full_check(ygs, project)
    edit(project, rel, old, new)
    _found, alone = changed_agrees(ygs, project, monkeypatch)
    assert not alone


def test_a_duplicate_id_in_an_edited_file_reports_on_both(ygs, project, monkeypatch):
    """An id the edit defines again: the full catalogue is read, and the finding (on the
    later file) is the same as with no cache."""
    full_check(ygs, project)
    edit(project, ADR2, "id: ADR-0002", "id: ADR-0001")
    found, alone = changed_agrees(ygs, project, monkeypatch)
    assert not alone
    assert any(f[0] == "ART003" and f[1] == ADR2 for f in found)


def test_a_link_target_created_after_the_full_check_is_seen(ygs, project, monkeypatch):
    edit(project, DESIGN, "\n## ", "\nSee [the runbook](../../ops/runbook.md).\n\n## ")
    from test_cache_equivalence import backdate

    backdate(project)
    before = full_check(ygs, project)
    assert any(f[0] == "ART006" and f[1] == DESIGN for f in before)
    (project / "ops").mkdir()
    (project / "ops/runbook.md").write_text("# Runbook\n", encoding="utf-8")
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-996.\n")
    found, _alone = changed_agrees(ygs, project, monkeypatch)
    assert not any(f[0] == "ART006" and f[1] == DESIGN for f in found)


def test_a_file_added_or_removed_reads_the_catalogue(ygs, project, monkeypatch):
    full_check(ygs, project)
    (project / "docs/adr/0003-new.md").write_text(
        (project / ADR2).read_text().replace("ADR-0002", "ADR-0003"), encoding="utf-8"
    )
    _found, alone = changed_agrees(ygs, project, monkeypatch)
    assert not alone


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-version"])
def test_a_damaged_state_is_never_trusted(ygs, project, monkeypatch, damage):
    full_check(ygs, project)
    path = project / ".ygs/cache/check.state"
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"ygs-cache\n" + b"\x80" * 200)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(data.replace(f"({FORMAT_VERSION},".encode(), b"(1,", 1))
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-995.\n")
    found, alone = changed_agrees(ygs, project, monkeypatch)
    assert not alone
    assert any(f[0] == "ART005" for f in found)


def test_snapshot_tells_edited_added_and_racy_files(tmp_path):
    import os
    import time

    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(name)
        os.utime(tmp_path / name, (time.time() - 60, time.time() - 60))

    def snap():
        return Snapshot.of([(n, os.stat(tmp_path / n)) for n in sorted(os.listdir(tmp_path))])

    state = State.__new__(State)
    state.files, state.written = snap(), time.time()
    assert state.changed_since(snap()) == set()
    (tmp_path / "b.md").write_text("bb")
    assert state.changed_since(snap()) == {"b.md"}
    state.files, state.written = snap(), time.time()
    assert state.changed_since(snap()) == {"b.md"}  # racy: written within RACY_S of its mtime
    (tmp_path / "c.md").write_text("c")
    assert state.changed_since(snap()) is None


def test_joined_lookups_find_every_item_and_only_whole_ones():
    joined = "\0" + "\0".join(["docs/adr/a.md", "docs/adr/ba.md", "docs/prd/a.md"]) + "\0"
    assert _positions(joined, "\0docs/adr/a.md\0") == [0]
    assert _positions(joined, "/a.md\0") == [0, 2]
    assert _positions(joined, "/ba.md\0") == [1]
    defined = Defined("\0ADR-0001\0REQ-001\0")
    assert "REQ-001" in defined and "REQ-00" not in defined
    assert "ADR-0001\0REQ-001" not in defined
    assert sorted(defined) == ["ADR-0001", "REQ-001"] and len(defined) == 2


def test_changed_reports_a_duplicate_it_causes_in_another_file(ygs, project, monkeypatch):
    """The earlier file takes the later one's id: the finding lands on the later, unchanged
    file, and `--changed` reports it as a full check does."""
    full_check(ygs, project)
    edit(project, ADR1, "id: ADR-0001", "id: ADR-0002")
    found, _alone = changed_agrees(ygs, project, monkeypatch)
    full, _ = run(ygs, project)
    duplicate = [f for f in full if f[0] == "ART003" and f[1] == ADR2]
    assert duplicate and set(duplicate) <= set(found)
    assert set(found) <= set(full)


def test_changed_reports_references_to_an_id_it_removed(ygs, project, monkeypatch):
    full_check(ygs, project)
    edit(project, PRD, "### REQ-002", "### REQ-012")
    found, _alone = changed_agrees(ygs, project, monkeypatch)
    full, _ = run(ygs, project)
    elsewhere = [f for f in full if f[1] != PRD and "REQ-002" in f[3]]
    assert elsewhere and set(elsewhere) <= set(found)
    assert set(found) <= set(full)
    unrelated = [f for f in full if f[1] != PRD and f not in elsewhere]
    assert not set(unrelated) & set(found)


def test_changed_reports_what_other_files_say_of_it_from_the_state(ygs, project, monkeypatch):
    """A body edit linted alone still reports another file's finding about an id the
    changed file mentions, read from the last full check."""
    edit(project, DESIGN, "\n## ", "\nSee REQ-990.\n\n## ")
    git(project, "commit", "-qam", "design cites a requirement to come")
    from test_cache_equivalence import backdate

    backdate(project)
    full = full_check(ygs, project)
    assert any(f[0] == "ART005" and f[1] == DESIGN for f in full)
    edit(project, ADR2, "## Context\n", "## Context\n\nREQ-990 is not written yet.\n")
    found, alone = changed_agrees(ygs, project, monkeypatch)
    assert alone
    assert {f[1] for f in found if "REQ-990" in f[3]} == {ADR2, DESIGN}


def test_a_plain_check_answers_without_typer_and_as_the_full_command_line(project):
    """`ygs check [--changed] [--fail-on X] [-f X]` skips building the typer app; any
    other option goes through it. Both give the same answer."""
    import subprocess
    import sys

    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-994.\n")
    script = (
        "import sys, io, contextlib; from ygs.cli import run; out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out): code = run(sys.argv[1:])\n"
        "print(code, 'typer' in sys.modules, out.getvalue())\n"
    )

    def answer(*args):
        done = subprocess.run(
            [sys.executable, "-c", script, "-C", str(project), "check", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        code, typer, out = done.stdout.split(" ", 2)
        return code, typer == "True", out

    for args in (
        ["--changed", "-f", "json"],
        ["--fail-on=should", "--format=json"],
        ["--fail-on", "may", "--changed"],
        ["--format", "text"],
    ):
        code, typer, out = answer(*args)
        assert not typer, args
        assert (code, out) == answer(*args, "--force")[::2], args  # --force: the app
    assert answer("--changed", "--help")[1]
    code, typer, _ = answer("--format", "yaml")
    assert (code, typer) == ("2", False)


SOLO = "docs/prd/2026-02-01-digest.md"
SOLO_TEXT = """---
id: digest
type: prd
title: Digest
status: draft
date: 2026-02-01
---
# Digest

## Requirements

### REQ-101: Send a daily digest
- **Priority:** MUST
- **Statement:** The system MUST send one digest a day.
- **Scenarios:**
  - Given a day with alerts, when the day ends, then the owner gets one digest.
"""


def full_agrees(ygs, root, monkeypatch) -> tuple[dict, bool]:
    """A full check from the state and with no cache: the same findings, count and input
    totals. Returns the answer, and whether the state gave it."""

    def answer() -> tuple[dict, str]:
        result = ygs("-v", "check", "--json", "--fail-on", "never", cwd=root)
        data = result.json
        keep = ("findings", "checked", "inputs")
        return {k: data[k] for k in keep}, result.stderr

    cached, log = answer()
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    fresh, _ = answer()
    monkeypatch.delenv("YGS_NO_CACHE")
    assert cached == fresh
    return cached, "since the last full check" in log


def test_a_full_check_after_edits_reads_the_state(ygs, project, monkeypatch):
    (project / SOLO).write_text(SOLO_TEXT, encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a PRD no TRD traces")
    from test_cache_equivalence import backdate

    backdate(project)
    before = full_check(ygs, project)
    edit(project, ADR2, "## Context\n", "## Context\n\nSee REQ-993.\n")
    edit(
        project,
        SOLO,
        "one digest.\n",
        "one digest.\n  - Given no alerts, when the day ends, then none.\n",
    )
    after, alone = full_agrees(ygs, project, monkeypatch)
    assert alone
    assert len(after["findings"]) == len(before) + 1
    edit(project, SOLO, "### REQ-101", "### REQ-102")  # an id: others may see it
    _after, alone = full_agrees(ygs, project, monkeypatch)
    assert not alone


def test_md_names_are_the_file_names_a_text_mentions():
    text = 'see [x](../adr/0001-a.md#c), b.md. (c.md) "d.md" e.mdx f.md_g'
    assert md_names(text) == {"0001-a.md", "b.md", "c.md", "d.md"}
    assert md_names("a" * 1000 + ".md") == {"a" * 255 + ".md"}


def test_an_interface_is_a_function_of_the_values_alone():
    """Equal artifacts have equal interfaces however their strings were made (interned or
    not, one object used twice or two): the state compares them across runs."""
    from ygs.cache.incremental import interfaces
    from ygs.core.artifacts import definitions, parse_artifact

    text = "---\nid: p\ntype: prd\nstatus: draft\n---\n# P\n\n## Requirements\n\n### REQ-001: A\n"
    one = parse_artifact("docs/prd/p.md", text, "prd")
    built = "".join(["p", "rd"])  # equal to the interned "prd", not the same object
    other = parse_artifact("docs/prd/p.md", "".join(text), built)
    other.__dict__.update(kind=built, status="".join(["dra", "ft"]), date=built)
    one.__dict__.update(date="prd")
    assert other.kind is not one.kind and other.date is other.kind
    ids = [d.id for d in definitions(one)]
    assert interfaces(one, ids) == interfaces(other, [d.id for d in definitions(other)])


def test_an_interface_changes_with_what_other_files_read_and_only_that():
    """Frontmatter, headings and HTML anchors are read by other files' lint; the rest of
    the body is not. Frontmatter that marshal cannot write (a date) is digested too."""
    from datetime import date

    from ygs.cache.incremental import interfaces
    from ygs.core.artifacts import definitions, parse_artifact

    def face(text: str, **meta) -> tuple[bytes, bytes]:
        artifact = parse_artifact("docs/prd/p.md", text, "prd")
        artifact.meta.update(meta)
        return interfaces(artifact, [d.id for d in definitions(artifact)])

    text = "---\nid: p\ntype: prd\nstatus: draft\n---\n# P\n\n## Scope\n\nSome text.\n"
    base = face(text)
    assert face(text.replace("Some text.", "Other text.")) == base
    assert face(text.replace("## Scope", "## Range")) != base
    assert face(text.replace("Some text.", '<a id="x"></a>')) != base
    assert face(text.replace("status: draft", "status: approved")) != base
    assert face(text, tags=["a"]) != face(text, tags=["b"])
    assert face(text, when=date(2026, 1, 1)) != face(text, when="2026-01-01")
    assert face(text, when=date(2026, 1, 1)) == face(text, when=date(2026, 1, 1))
