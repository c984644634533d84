"""The guard's counts carried forward between git counts (ygs's own write tools see every
write): the same counts git gives, or more (fail closed), never fewer."""

from __future__ import annotations

from buildkit import calc_project

from ygs.build.guard import Snapshot
from ygs.build.session import current


def test_counts_carried_forward_match_a_fresh_count(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "pyproject.toml").write_text("# the user's own edit\n")  # before the run: baseline
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    ctx = current(root)
    counted = Snapshot(ctx.run, ctx.top)
    for rel, text in (
        ("calc/ops.py", "def add(a, b):\n    return b + a\n"),  # planned
        ("calc/extra.py", "X = 1\n"),  # unplanned, new
        ("docs/notes.md", "notes\n"),  # unplanned, new folder
        ("calc/extra.py", "X = 2\n"),  # the same file again
        (".ygs/scratch.txt", "ygs's own\n"),  # bookkeeping: never counted
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        counted = counted.plus(rel)
        fresh = Snapshot(ctx.run, ctx.top)
        assert counted.touched == fresh.touched, rel
        assert (counted.planned, counted.unplanned) == (fresh.planned, fresh.unplanned), rel
        assert counted.since_checkpoint == fresh.since_checkpoint, rel
        assert counted.dirs == fresh.dirs and counted.stop == fresh.stop, rel
    assert counted.unplanned == ["calc/extra.py", "docs/notes.md"]
    assert counted.plus("pyproject.toml") is None  # the user's file: only git can say


def test_a_write_back_to_the_old_content_is_overcounted_never_under(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    ctx = current(root)
    old = (root / "calc" / "ops.py").read_text()
    (root / "calc" / "ops.py").write_text(old)  # unchanged after all
    counted = Snapshot(ctx.run, ctx.top).plus("calc/ops.py")
    assert counted.touched == ["calc/ops.py"]
    assert Snapshot(ctx.run, ctx.top).touched == []
