"""The build loop by hand, end to end, in real git repositories with a real pytest project:
`ygs implement --manual` → edit → `ygs guard status` → `ygs checkpoint` → … → done."""

from __future__ import annotations

from buildkit import add_sub, calc_project, fix_sub, records, run_json, snapshot, write_task
from conftest import git


def test_the_whole_loop_by_hand(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    started = ygs("implement", "TASK-001", "--manual", "--json", cwd=root)
    assert started.code == 0, started.stderr
    data = started.json
    assert data["branch"].startswith("ygs/TASK-001-subtract-")
    assert len(data["branch"].rsplit("-", 1)[1]) == 4
    assert data["path"] == "tasks/in-progress/TASK-001-subtract.md"
    assert data["base"] == git(root, "rev-parse", "main")
    assert data["size_class"] == "light"
    assert data["budgets"] == {
        "unplanned_files": 3,
        "checkpoint_every": 5,
        "max_fix_attempts": 3,
        "timeout_s": 900,
    }
    assert git(root, "branch", "--show-current") == data["branch"]

    add_sub(root)
    status = ygs("guard", "status", "--json", cwd=root)
    assert status.code == 0, status.stderr
    counts = status.json
    assert counts["touched"] == 2 and counts["unplanned"] == 0  # the test file of ops.py
    assert counts["touched_files"] == ["calc/ops.py", "tests/test_ops.py"]
    assert counts["lines_added"] == 10 and counts["lines_removed"] == 0
    assert counts["dirs"] == 1  # tests/ travels with the slice
    assert not counts["checkpoint_due"] and not counts["stop"]

    point = ygs("checkpoint", "--json", cwd=root)
    assert point.code == 0, point.stderr
    result = point.json
    assert result["green"] and result["committed"] and result["n"] == 1
    assert result["tests"]["passed"] == 2 and result["tests"]["counted_from"] == "junit"
    message = git(root, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "TASK-001: checkpoint 1 (2 files)"
    assert f"Ygs-Run: {data['run']}" in message and "Ygs-Checkpoint: 1" in message
    assert "Ygs-Task: TASK-001" in message
    assert git(root, "status", "--porcelain", "--", "calc", "tests") == ""
    assert records(root)[0]["green"] is True

    after = ygs("guard", "status", "--json", cwd=root).json
    assert after["since_checkpoint"] == 0 and after["checkpoints"] == 1

    done = ygs("task", "move", "TASK-001", "done", "--json", cwd=root)
    assert done.code == 0, done.stderr
    assert done.json["closed_runs"] == [data["run"]]
    log = (root / "tasks/done/TASK-001-subtract.md").read_text()
    assert "- Run TASK-001-" in log and "- Checkpoint 1: green, 2 files" in log
    assert run_json(root)["status"] == "done"


def test_done_needs_a_green_checkpoint_with_nothing_touched_since(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    refused = ygs("task", "move", "TASK-001", "done", cwd=root)
    assert refused.code == 3 and "no checkpoint recorded" in refused.stderr
    add_sub(root)
    assert ygs("checkpoint", cwd=root).code == 0
    (root / "calc" / "ops.py").write_text((root / "calc" / "ops.py").read_text() + "# more\n")
    again = ygs("task", "move", "TASK-001", "done", cwd=root)
    assert again.code == 3
    assert "1 files touched since checkpoint 1: calc/ops.py" in again.stderr
    forced = ygs("task", "move", "TASK-001", "done", "--force", "--reason", "by hand", cwd=root)
    assert forced.code == 0


def test_red_checkpoints_count_fix_attempts_then_tests_failing(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root, correct=False)
    head = git(root, "rev-parse", "HEAD")
    for attempt in (1, 2):
        red = ygs("checkpoint", "--json", cwd=root)
        assert red.code == 4, red.stderr
        assert red.json["fix_attempts"] == attempt and red.json["state"] == "working"
        assert red.json["committed"] is False
    failure = red.json["tests"]["failures"][0]
    assert failure["name"].endswith("test_sub")
    assert failure["file"] == "tests/test_ops.py" and isinstance(failure["line"], int)
    assert "assert" in (root / red.json["output"]).read_text()
    last = ygs("checkpoint", "--json", cwd=root)
    assert last.code == 4
    assert last.json["state"] == "tests_failing" and "ygs-investigate" in last.json["advice"]
    assert git(root, "rev-parse", "HEAD") == head  # nothing committed while red
    status = ygs("guard", "status", "--json", cwd=root).json
    assert status["state"] == "tests_failing" and status["fix_attempts"] == 3
    fix_sub(root)
    fixed = ygs("checkpoint", "--json", cwd=root)
    assert fixed.code == 0, fixed.stdout
    assert fixed.json["fix_attempts"] == 0
    log = (root / "tasks/in-progress/TASK-001-subtract.md").read_text()
    assert "fix attempt 3 of 3" in log


def test_the_third_unplanned_file_stops_the_run(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    (root / "calc" / "helpers.py").write_text("X = 1\n")
    (root / "docs").mkdir()
    (root / "docs" / "notes.md").write_text("n\n")
    two = ygs("guard", "status", "--json", cwd=root)
    assert two.code == 0 and two.json["unplanned"] == 2 and not two.json["stop"]
    (root / "setup.cfg").write_text("[x]\n")
    three = ygs("guard", "status", "--json", cwd=root)
    assert three.code == 3
    assert three.json["stop"] and three.json["state"] == "stopped"
    assert three.json["unplanned_files"] == ["calc/helpers.py", "docs/notes.md", "setup.cfg"]
    human = ygs("guard", "status", cwd=root)
    assert human.code == 3 and "STOP" in human.stdout
    refused = ygs("checkpoint", cwd=root)
    assert refused.code == 3 and "3 unplanned files" in refused.stderr
    yes = ygs(
        "deviation",
        "design said only calc/ops.py, did add helpers because the user agreed",
        "--accept",
        "calc/helpers.py",
        "--accept",
        "setup.cfg",
        "--json",
        cwd=root,
    )
    assert yes.code == 0, yes.stderr
    assert yes.json["accepted"] == ["calc/helpers.py", "setup.cfg"]
    now = ygs("guard", "status", "--json", cwd=root).json
    assert now["unplanned"] == 1 and not now["stop"]
    text = (root / "tasks/in-progress/TASK-001-subtract.md").read_text()
    assert "- Deviation: design said only calc/ops.py, did add helpers" in text


def test_checkpoint_is_due_every_five_touched_files(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    task = root / "tasks/in-progress/TASK-001-subtract.md"
    task.write_text(task.read_text().replace('["calc/ops.py"]', '["calc/*.py"]'))
    resumed = ygs("implement", "--resume", "--json", cwd=root).json
    assert resumed["planned_files"] == ["calc/*.py"]
    assert "planned files taken from the task again: +calc/*.py, -calc/ops.py" in " ".join(
        resumed["warnings"]
    )
    for i in range(4):
        (root / "calc" / f"m{i}.py").write_text(f"X = {i}\n")
    assert not ygs("guard", "status", "--json", cwd=root).json["checkpoint_due"]
    (root / "calc" / "m4.py").write_text("X = 4\n")
    due = ygs("guard", "status", "--json", cwd=root).json
    assert due["checkpoint_due"] and due["since_checkpoint"] == 5 and due["unplanned"] == 0


def test_deviation_needs_what_the_design_said_what_was_done_and_why(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    for text, missing in (
        ("did three retries because of the budget", "what the design said"),
        ("design said five retries because of the budget", "what was done instead"),
        ("design said five retries, did three", "why"),
    ):
        result = ygs("deviation", text, cwd=root)
        assert result.code == 2 and missing in result.stderr, (text, result.stderr)
    good = ygs("deviation", "Deviation: design said 5, did 3 because of time", cwd=root)
    assert good.code == 0
    assert ygs("guard", "status", "--json", cwd=root).json["deviations"] == 1


def test_the_users_uncommitted_work_survives_byte_for_byte(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "README.md").write_text("# demo\nstaged line\n")
    git(root, "add", "README.md")
    (root / "README.md").write_text("# demo\nstaged line\nunstaged line\n")
    (root / "notes.txt").write_bytes(b"my notes \x00\xff binary\r\n")
    (root / "tasks" / "backlog" / "TASK-009-idea.md").write_text("---\nid: TASK-009\n---\n")
    mine = ["README.md", "notes.txt", "tasks/backlog/TASK-009-idea.md"]
    before = snapshot(root, mine)
    staged = git(root, "diff", "--cached", "--", "README.md")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    status = ygs("guard", "status", "--json", cwd=root).json
    assert status["touched"] == 0 and sorted(status["user_changes"]) == sorted(mine)
    add_sub(root, correct=False)
    assert ygs("checkpoint", cwd=root).code == 4
    fix_sub(root)
    assert ygs("checkpoint", cwd=root).code == 0
    assert snapshot(root, mine) == before
    assert git(root, "diff", "--cached", "--", "README.md") == staged
    assert "README.md" not in git(root, "show", "--stat", "--format=", "HEAD")
    assert ygs("undo", "--run", cwd=root).code == 0
    assert snapshot(root, mine) == before
    assert git(root, "diff", "--cached", "--", "README.md") == staged


def test_a_change_to_a_file_that_held_the_users_work_is_not_committed(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "README.md").write_text("# demo\nmine\n")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    (root / "README.md").write_text("# demo\nmine\nagent\n")
    refused = ygs("checkpoint", cwd=root)
    assert refused.code == 3 and "held your uncommitted changes" in refused.stderr


def test_resume_returns_to_the_open_run(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    first = ygs("implement", "--json", cwd=root).json  # picks TASK-001 (P0, ready)
    assert first["task"] == "TASK-001"
    git(root, "switch", "-q", "main")
    elsewhere = ygs("guard", "status", cwd=root)
    assert elsewhere.code == 3 and first["run"] in elsewhere.stderr
    back = ygs("implement", "--resume", "--json", cwd=root)
    assert back.code == 0, back.stderr
    assert back.json["resumed"] and back.json["switched"] and back.json["run"] == first["run"]
    again = ygs("implement", "TASK-001", "--json", cwd=root).json
    assert again["resumed"] and again["run"] == first["run"]


def test_starting_is_refused_for_what_needs_a_human(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    waiting = ygs("implement", "TASK-002", "--manual", cwd=root)
    assert waiting.code == 3 and "depends on TASK-001" in waiting.stderr
    (root / "calc" / "ops.py").write_text(" # edited\n")
    dirty = ygs("implement", "TASK-001", "--manual", cwd=root)
    assert dirty.code == 3 and "calc/ops.py" in dirty.stderr
    assert git(root, "branch", "--show-current") == "main"
    git(root, "checkout", "-q", "--", "calc/ops.py")
    write_task(root, 3, "Huge", ["a/x.py", "b/y.py", "c/z.py"], size="L")
    heavy = ygs("implement", "TASK-003", "--manual", cwd=root)
    assert heavy.code == 3 and "--accept-heavy" in heavy.stderr
    ok = ygs("implement", "TASK-003", "--manual", "--accept-heavy", "--json", cwd=root)
    assert ok.code == 0 and ok.json["size_class"] == "heavy"


def test_bad_input_gets_exit_2_or_3_never_a_traceback(tmp_path, ygs):
    plain = tmp_path / "plain"
    plain.mkdir()
    for args in (["implement", "TASK-001"], ["guard", "status"], ["checkpoint"], ["undo"]):
        result = ygs(*args, cwd=plain)
        assert result.code == 2 and "not in a git repository" in result.stderr, args
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert "no commits yet" in ygs("implement", "TASK-001", cwd=empty).stderr
    root = calc_project(tmp_path / "calc")
    unknown = ygs("implement", "TASK-404", cwd=root)
    assert unknown.code == 2 and "no task TASK-404" in unknown.stderr
    git(root, "checkout", "-q", "--detach")
    detached = ygs("implement", "TASK-001", cwd=root)
    assert detached.code == 2 and "detached" in detached.stderr
    assert ygs("guard", "status", cwd=root).code == 2
    git(root, "switch", "-q", "main")
    nothing = ygs("guard", "status", cwd=root)
    assert nothing.code == 2 and "ygs implement TASK-ID --manual" in nothing.stderr


def test_a_deleted_run_branch_is_explained(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    run = ygs("implement", "TASK-001", "--json", cwd=root).json
    git(root, "switch", "-q", "main")
    git(root, "branch", "-q", "-D", run["branch"])
    gone = ygs("implement", "TASK-001", "--resume", cwd=root)
    assert gone.code == 3 and "was deleted" in gone.stderr
    assert run_json(root)["status"] == "abandoned"
    fresh = ygs("implement", "TASK-001", "--manual", "--json", cwd=root)
    assert fresh.code == 0 and fresh.json["run"] != run["run"]


def test_planned_globs_matching_nothing_warn(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    write_task(root, 4, "Typo", ["calc/*.pyy", "calc/new_module.py", "../outside.py"])
    result = ygs("implement", "TASK-004", "--manual", "--json", cwd=root)
    assert result.code == 0, result.stderr
    warnings = " ".join(result.json["warnings"])
    assert "calc/*.pyy' matches no file" in warnings
    assert "'../outside.py' points outside the repository" in warnings
    assert "new_module" not in warnings  # a file to create is not a typo


def test_missing_test_command_is_named(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command="no-such-runner --fast")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    result = ygs("checkpoint", cwd=root)
    assert result.code == 2 and "`no-such-runner`" in result.stderr
    assert not (root / ".ygs/runs" / run_json(root)["id"] / "pending.json").exists()
    assert ygs("test", cwd=root).code == 2


def test_every_command_speaks_to_a_person_too(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    started = ygs("implement", "TASK-001", cwd=root)
    assert started.code == 0 and "Started run TASK-001-" in started.stdout
    add_sub(root, correct=False)
    red = ygs("checkpoint", cwd=root)
    assert red.code == 4 and "RED (test failed)" in red.stdout
    assert "FAILED tests.test_ops::test_sub tests/test_ops.py:" in red.stdout
    assert "fix attempt 1 of 3" in red.stdout
    fix_sub(root)
    green = ygs("checkpoint", "--tidy", "-m", "why", cwd=root)
    assert green.code == 0 and "checkpoint 2: green; committed" in green.stdout
    assert "(2 files, tidying)" in git(root, "log", "-1", "--format=%s")
    assert "Ygs-Kind: tidy" in git(root, "log", "-1", "--format=%B")
    assert "nothing to do" in ygs("checkpoint", cwd=root).stdout
    assert "touched 2: 2 planned, 0 unplanned" in ygs("guard", "status", cwd=root).stdout
    assert (
        "TASK-001: Deviation: design said"
        in ygs("deviation", "design said a, did b because c", cwd=root).stdout
    )
    undone = ygs("undo", cwd=root)
    assert undone.code == 0 and "back to the run's base" in undone.stdout
    assert "nothing to build" in ygs("build", cwd=root).stdout
