"""`ygs undo`, and SIGKILL in the middle of `ygs checkpoint` or `ygs undo`: the repository
and the run stay consistent and the next command finishes or explains."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from buildkit import add_sub, calc_project, gone, records, run_json
from conftest import git, run_proc, ygs_executable

QUICK = "true"  # undo and recovery need a green suite, not a real one (test_build_loop has it)


def _two_checkpoints(root, ygs):
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    assert ygs("checkpoint", cwd=root).code == 0
    first = git(root, "rev-parse", "HEAD")
    (root / "calc" / "ops.py").write_text((root / "calc" / "ops.py").read_text() + "\nY = 2\n")
    (root / "calc" / "extra.py").write_text("Z = 3\n")
    assert ygs("checkpoint", cwd=root).code == 0
    return first


def test_undo_drops_the_latest_checkpoint_and_keeps_a_backup(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=QUICK)
    first = _two_checkpoints(root, ygs)
    second = git(root, "rev-parse", "HEAD")
    (root / "calc" / "ops.py").write_text((root / "calc" / "ops.py").read_text() + "W = 9\n")
    uncommitted = (root / "calc" / "ops.py").read_bytes()
    result = ygs("undo", "--json", cwd=root)
    assert result.code == 0, result.stderr
    data = result.json
    assert data["to"] == 1 and data["removed_commits"] == [second]
    assert git(root, "rev-parse", "HEAD") == first
    assert not (root / "calc" / "extra.py").exists()
    assert "Y = 2" not in (root / "calc" / "ops.py").read_text()
    assert git(root, "status", "--porcelain", "--", "calc") == ""
    assert [r["n"] for r in records(root)] == [1]
    backup = data["backup"]
    assert backup.startswith(f"refs/ygs/backup/{data['run']}/")
    assert git(root, "rev-parse", f"{backup}^") == second
    assert git(root, "show", f"{backup}:calc/ops.py").encode() + b"\n" == uncommitted
    whole = ygs("undo", "--run", "--json", cwd=root)
    assert whole.code == 0 and whole.json["to_base"]
    assert git(root, "rev-parse", "HEAD") == git(root, "rev-parse", "main")
    assert "def sub" not in (root / "calc" / "ops.py").read_text()
    assert records(root) == []


def test_undo_refuses_pushed_and_foreign_commits(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=QUICK)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    _two_checkpoints(root, ygs)
    branch = run_json(root)["branch"]
    git(root, "push", "-q", "origin", branch)
    pushed = ygs("undo", cwd=root)
    assert pushed.code == 3 and "already pushed" in pushed.stderr
    assert ygs("undo", "--to", "7", cwd=root).code == 2
    (root / "calc" / "ops.py").write_text((root / "calc" / "ops.py").read_text() + "V = 1\n")
    git(root, "commit", "-qam", "my own commit")
    foreign = ygs("undo", "--to", "1", cwd=root)
    assert foreign.code == 3 and "not checkpoints of run" in foreign.stderr


def _start_checkpoint(root, env=None):
    return subprocess.Popen(
        [*ygs_executable(), "checkpoint", "--json"],
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_kill_9_while_the_tests_run(tmp_path, ygs):
    marker = tmp_path / "started"
    slow = (
        f'{sys.executable} -c "import os,time,pathlib; '
        f"t = pathlib.Path(r'{marker}.tmp'); t.write_text(str(os.getpid())); "
        f"t.replace(r'{marker}'); time.sleep(60)\""  # renamed whole: never read half-written
    )
    root = calc_project(tmp_path / "calc", test_command=slow)
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    head = git(root, "rev-parse", "HEAD")
    before = git(root, "status", "--porcelain")
    proc = _start_checkpoint(root)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert gone(int(marker.read_text())), "the test runner outlived the killed checkpoint"
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == before
    folder = root / ".ygs" / "runs" / run_json(root)["id"]
    assert (folder / "pending.json").exists()
    status = run_proc("guard", "status", "--json", cwd=root)
    assert status.code == 0, status.stderr
    assert "interrupted before it committed" in status.stderr
    assert not (folder / "pending.json").exists()


def test_kill_9_after_the_commit_lands_is_finished_by_the_next_command(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=QUICK)
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    killed = run_proc("checkpoint", cwd=root, env={"YGS_TEST_CRASH_AT": "checkpoint:after-ref"})
    assert killed.code == -signal.SIGKILL
    assert "checkpoint 1" in git(root, "log", "-1", "--format=%s")
    assert records(root) == []
    again = ygs("checkpoint", "--json", cwd=root)
    assert again.code == 0, again.stderr
    assert "now complete" in again.stderr
    assert again.json["committed"] is False  # nothing left to commit
    assert [r["n"] for r in records(root)] == [1]
    assert git(root, "status", "--porcelain", "--", "calc", "tests") == ""


def test_kill_9_before_the_commit_changes_nothing(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=QUICK)
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    head = git(root, "rev-parse", "HEAD")
    killed = run_proc("checkpoint", cwd=root, env={"YGS_TEST_CRASH_AT": "checkpoint:before-ref"})
    assert killed.code == -signal.SIGKILL
    assert git(root, "rev-parse", "HEAD") == head
    assert not list((root / ".ygs" / "runs").glob("*/index.tmp"))
    redo = ygs("checkpoint", "--json", cwd=root)
    assert redo.code == 0 and redo.json["committed"], redo.stderr
    assert "interrupted before it committed" in redo.stderr


def test_kill_9_in_the_middle_of_undo_is_completed(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=QUICK)
    first = _two_checkpoints(root, ygs)
    killed = run_proc("undo", cwd=root, env={"YGS_TEST_CRASH_AT": "undo:after-ref"})
    assert killed.code == -signal.SIGKILL
    assert git(root, "rev-parse", "HEAD") == first
    assert (root / "calc" / "extra.py").exists()  # files not restored yet
    status = ygs("guard", "status", "--json", cwd=root)
    assert status.code == 0, status.stderr
    assert "undo was interrupted" in status.stderr
    assert not (root / "calc" / "extra.py").exists()
    assert [r["n"] for r in records(root)] == [1]
    assert json.loads(status.stdout)["touched"] == 2


def test_one_command_at_a_time_per_run(tmp_path, ygs):
    from ygs.build import runs

    root = calc_project(tmp_path / "calc", test_command=QUICK)
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    run = runs.load(root, run_json(root)["id"])
    with run.lock():
        busy = run_proc("checkpoint", cwd=root)
        assert busy.code == 3 and "another ygs command is working on run" in busy.stderr
    assert ygs("checkpoint", cwd=root).code == 0
