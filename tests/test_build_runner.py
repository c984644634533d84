"""`ygs test` and `ygs build`: real runners in real processes, timeouts that kill the whole
process group, results from JUnit XML or the runner's summary line."""

from __future__ import annotations

import sys
import time

from buildkit import PYTEST, calc_project, gone
from conftest import git

from ygs.build import results, runner


def test_green_tests_with_counts_from_junit(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    result = ygs("test", "--json", cwd=root)
    assert result.code == 0, result.stderr
    data = result.json
    assert data["status"] == "passed" and data["passed"] == 1 and data["failed"] == 0
    assert data["counted_from"] == "junit" and data["source"] == "config"
    assert data["output"] == ".ygs/runs/adhoc/test_output.txt"
    assert "1 passed" in (root / data["output"]).read_text()
    assert git(root, "status", "--porcelain") == ""  # .ygs/runs ignores itself


def test_red_tests_exit_4_with_the_first_failure_located(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "tests" / "test_more.py").write_text(
        "def test_ok():\n    pass\n\n\ndef test_wrong():\n    x = 1\n    assert x == 2\n"
    )
    result = ygs("test", "--json", cwd=root)
    assert result.code == 4
    data = result.json
    assert (data["passed"], data["failed"]) == (2, 1)
    failure = data["failures"][0]
    assert failure["name"] == "tests.test_more::test_wrong"
    assert (failure["file"], failure["line"]) == ("tests/test_more.py", 7)
    human = ygs("test", cwd=root)
    assert "FAILED tests.test_more::test_wrong (tests/test_more.py:7)" in human.stdout


def test_extra_arguments_narrow_the_run(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "tests" / "test_more.py").write_text("def test_wrong():\n    assert False\n")
    narrowed = ygs("test", "--json", "--", "tests/test_ops.py", cwd=root)
    assert narrowed.code == 0 and narrowed.json["passed"] == 1


def test_no_tests_collected_is_not_green(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    (root / "tests" / "test_ops.py").unlink()
    result = ygs("test", "--json", cwd=root)
    assert result.code == 4 and result.json["status"] == "no_tests"


def test_timeout_kills_the_whole_process_group(tmp_path, ygs):
    pids = tmp_path / "pids"
    script = tmp_path / "spawn.py"
    script.write_text(
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open(r'{pids}', 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(60)\n"
    )
    root = calc_project(tmp_path / "calc", test_command=f"{sys.executable} {script}")
    started = time.monotonic()
    result = ygs("test", "--json", "--timeout", "2", cwd=root)
    assert result.code == 5 and result.json["status"] == "timeout"
    assert time.monotonic() - started < 30
    for pid in map(int, pids.read_text().split()):
        assert gone(pid), f"process {pid} survived the timeout"


def test_no_test_command_and_a_missing_program_exit_2(tmp_path, ygs):
    bare = tmp_path / "bare"
    bare.mkdir()
    none = ygs("test", cwd=bare)
    assert none.code == 2 and "no test command" in none.stderr and "commands.test" in none.stderr
    root = calc_project(tmp_path / "calc", test_command="pytesst -q")
    missing = ygs("test", "--json", cwd=root)
    assert missing.code == 2 and "`pytesst`" in missing.json["error"]["message"]


def test_the_detected_command_is_reported(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=None)
    result = ygs("test", "--json", "--timeout", "120", cwd=root)
    assert result.json["source"] == "detected" and result.json["command"] == "pytest"
    assert "ygs config set commands.test pytest" in result.stderr


def test_build_without_a_command_passes_and_says_so(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    result = ygs("build", "--json", cwd=root)
    assert result.code == 0 and result.json["status"] == "skipped"
    assert "nothing to build" in ygs("build", cwd=root).stdout
    (root / ".ygs" / "config.yaml").write_text(
        f"commands:\n  build: {sys.executable} -c 'raise SystemExit(3)'\n  test: {PYTEST}\n"
    )
    failed = ygs("build", "--json", cwd=root)
    assert failed.code == 4 and failed.json["runner_exit_code"] == 3


def test_secrets_in_the_output_are_redacted(tmp_path):
    key = "sk-ant-" + "a1B2c3D4e5F6g7H8"
    out = tmp_path / "run"
    command = runner.Command("test", f"{sys.executable} -c \"print('{key}')\"", "config")
    outcome = runner.run("test", command, tmp_path, out, 30)
    assert key not in (tmp_path / outcome.output).read_text()


def test_pytest_invocations_get_junit_and_others_do_not():
    assert runner.runs_pytest("pytest -q")
    assert runner.runs_pytest("python3 -m pytest tests")
    assert runner.runs_pytest("uv run pytest")
    assert runner.runs_pytest("PYTHONPATH=src pytest")
    assert not runner.runs_pytest("pytest && echo ok")
    assert not runner.runs_pytest("make test")
    assert not runner.runs_pytest("npm test")


# --- summary lines of other runners (their real closing output) ----------------------------

UNITTEST = """\
..F
======================================================================
FAIL: test_b (test_x.T.test_b)
----------------------------------------------------------------------
Ran 3 tests in 0.002s

FAILED (failures=1, skipped=1)
"""

JEST = """\
  ● math › adds

    expect(received).toBe(expected)

Test Suites: 1 failed, 1 total
Tests:       1 failed, 4 passed, 5 total
Snapshots:   0 total
Time:        0.512 s
"""

GO = """\
=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
=== RUN   TestSub
    calc_test.go:14: sub(3, 1) = 4, want 2
--- FAIL: TestSub (0.00s)
FAIL
FAIL	example.com/calc	0.002s
"""

CARGO = """\
running 2 tests
test tests::adds ... ok
test tests::subs ... FAILED

failures:

---- tests::subs stdout ----
thread 'tests::subs' panicked at src/lib.rs:12:9:
assertion failed

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
"""

MOCHA = "  3 passing (12ms)\n  1 failing\n  2 pending\n"

PYTEST_SHORT = """\
FAILED tests/test_a.py::test_x - AssertionError: nope
tests/test_a.py:9: AssertionError
1 failed, 3 passed, 2 skipped in 0.12s
"""


def test_summary_lines_of_known_runners():
    unit = results.parse_output(UNITTEST)
    assert (unit.passed, unit.failed, unit.skipped, unit.source) == (1, 1, 1, "unittest")
    jest = results.parse_output(JEST)
    assert (jest.passed, jest.failed, jest.source) == (4, 1, "jest")
    assert jest.failures[0].name == "math › adds"
    go = results.parse_output(GO)
    assert (go.passed, go.failed) == (1, 1)
    assert (go.failures[0].name, go.failures[0].file, go.failures[0].line) == (
        "TestSub",
        "calc_test.go",
        14,
    )
    cargo = results.parse_output(CARGO)
    assert (cargo.passed, cargo.failed, cargo.source) == (1, 1, "cargo")
    assert cargo.failures[0].where == "src/lib.rs:12"
    mocha = results.parse_output(MOCHA)
    assert (mocha.passed, mocha.failed, mocha.skipped) == (3, 1, 2)
    short = results.parse_output(PYTEST_SHORT)
    assert (short.passed, short.failed, short.skipped, short.duration_s) == (3, 1, 2, 0.12)
    assert short.failures[0].where == "tests/test_a.py:9"
    assert not results.parse_output("make: *** [test] Error 1\n").counted


def test_junit_that_cannot_be_read_is_ignored():
    assert results.parse_junit("<testsuite><testcase") is None
    assert results.parse_junit("<other/>") is None


def test_init_records_the_detected_test_command_in_an_existing_config(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command=None)
    result = ygs("init", "--json", cwd=root)
    assert result.code == 0, result.stderr
    assert ".ygs/config.yaml (commands.test: pytest)" in result.json["updated"]
    assert ygs("config", "get", "commands.test", cwd=root).stdout.strip() == "pytest"
    (root / ".ygs" / "config.yaml").write_text("commands:\n  test: make check\n")
    assert ygs("init", cwd=root).code == 0
    assert "make check" in (root / ".ygs" / "config.yaml").read_text()


def test_a_runner_without_a_summary_still_reports_its_time(tmp_path, ygs):
    root = calc_project(tmp_path / "calc", test_command="true")
    result = ygs("test", "--json", cwd=root)
    assert result.code == 0 and result.json["counted_from"] == "none"
    assert isinstance(result.json["duration_s"], float)
    assert "runner exit 0" in ygs("test", cwd=root).stdout
