"""The guardrail policy and the hook's path rules, pure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ygs.build import pathrules, policy


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("src/a.py", "src/a.py", True),
        ("./src/a.py", "src/a.py", True),
        ("src/a.py", "src/ab.py", False),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/sub/a.py", False),
        ("src/**/*.py", "src/a.py", True),
        ("src/**/*.py", "src/x/y/a.py", True),
        ("src/**", "src/x/y/a.py", True),
        ("**/test_*.py", "tests/test_a.py", True),
        ("src/billing/", "src/billing/x.py", True),
        ("src/billing", "src/billing/x.py", True),
        ("src/billing", "src/billingx.py", False),
        ("src/[ab].py", "src/b.py", True),
        ("src/?.py", "src/ab.py", False),
        ("", "a", False),
    ],
)
def test_glob_match(pattern, path, expected):
    assert policy.glob_match(pattern, path) is expected


def test_glob_match_is_linear_on_hostile_input():
    pattern = "/".join(["**"] * 30 + ["*a*a*a*a*a*b"])
    path = "/".join(["a" * 50] * 200)
    assert policy.glob_match(pattern, path) is False


@pytest.mark.parametrize(
    ("path", "planned", "expected"),
    [
        ("tests/test_ops.py", ["calc/ops.py"], True),
        ("tests/unit/test_ops.py", ["calc/ops.py"], True),
        ("calc/ops_test.py", ["calc/ops.py"], True),
        ("tests/test_other.py", ["calc/ops.py"], False),
        ("tests/test_ops.py", ["calc/*.py"], True),
        ("tests/test_ops.py", ["calc/**"], True),
        ("pkg/ops_test.go", ["pkg/ops.go"], True),
        ("other/ops_test.go", ["pkg/ops.go"], False),
        ("web/button.test.tsx", ["web/button.tsx"], True),
        ("web/button.spec.ts", ["web/button.ts"], True),
        ("tests/test_.py", ["calc/.py"], False),
        ("README.md", ["calc/ops.py"], False),
    ],
)
def test_test_files_of_planned_modules_are_planned(path, planned, expected):
    assert policy.is_planned(path, planned) is expected


def test_split_planned_with_accepted_files():
    touched = ["calc/ops.py", "tests/test_ops.py", "docs/x.md", "setup.cfg"]
    planned, unplanned = policy.split_planned(touched, ["calc/ops.py"], ["setup.cfg"])
    assert planned == ["calc/ops.py", "tests/test_ops.py", "setup.cfg"]
    assert unplanned == ["docs/x.md"]


def test_size_classes():
    assert policy.size_class(3, 299, 2) == "light"
    assert policy.size_class(4, 0, 0) == "standard"
    assert policy.size_class(1, 300, 0) == "standard"
    assert policy.size_class(8, 0, 0) == "heavy"
    assert policy.size_class(1, 800, 0) == "heavy"
    assert policy.size_class(2, 10, 3) == "heavy"
    assert policy.planned_class("S", ["a.py"]) == "light"
    assert policy.planned_class("M", ["a.py"]) == "standard"
    assert policy.planned_class("L", ["a.py"]) == "heavy"
    assert policy.planned_class("S", [f"f{i}.py" for i in range(8)]) == "heavy"
    assert policy.planned_class("", ["a/x", "b/y", "c/z"]) == "heavy"
    assert policy.planned_class("", ["a.py"], 500) == "standard"


def test_decisions():
    assert not policy.checkpoint_due(4, 5) and policy.checkpoint_due(5, 5)
    assert not policy.checkpoint_due(9, 0)
    assert not policy.must_stop(2, 3) and policy.must_stop(3, 3)
    assert policy.would_stop(2, 3) and not policy.would_stop(1, 3)
    assert policy.attempts_exhausted(3, 3) and not policy.attempts_exhausted(2, 3)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("design said 5 retries, did 3 because of the 2 s budget", []),
        ("Deviation: TRD said REST, did gRPC because latency", []),
        ("ADR-0003 said Postgres; did SQLite because it is a CLI", []),
        ("did 3 because budget", ["what the design said"]),
        ("design said 5 because budget", ["what was done instead"]),
        ("design said 5, did 3", ["why"]),
        ("said x did y because z", ["what the design said"]),
        ("", ["what the design said", "what was done instead", "why"]),
    ],
)
def test_deviation_text(text, missing):
    line, found = policy.parse_deviation(text)
    assert [m.split(" (")[0] for m in found] == missing
    assert line.startswith("Deviation: ") and not line.startswith("Deviation: Deviation")


@given(
    st.integers(min_value=1, max_value=99999),
    st.text(min_size=0, max_size=60),
    st.text(alphabet="0123456789abcdef", min_size=4, max_size=4),
)
def test_branch_names_name_their_run(number, title, nonce):
    task_id = f"TASK-{number:03d}"
    branch = policy.branch_name(task_id, title, nonce)
    assert branch.startswith("ygs/") and " " not in branch
    assert policy.run_of_branch(branch) == policy.run_id(task_id, nonce)


@pytest.mark.parametrize(
    "branch", ["main", "ygs/", "ygs/TASK-001-x", "ygs/TASK-001-x-zzzz", "feature/TASK-001-x-a3f1"]
)
def test_other_branches_are_not_runs(branch):
    assert policy.run_of_branch(branch) is None


def _task(tid, status="backlog", priority="P1", deps=()):
    return SimpleNamespace(id=tid, status=status, priority=priority, depends_on=tuple(deps))


def test_pick_next_priority_then_lowest_id():
    tasks = [
        _task("TASK-010", priority="P1"),
        _task("TASK-002", priority="P2"),
        _task("TASK-003", priority="P0", deps=["TASK-009"]),
        _task("TASK-009", status="in-progress"),
        _task("TASK-011", priority="P0", deps=["TASK-001"]),
        _task("TASK-001", status="done"),
        _task("TASK-004", priority="P0"),
    ]
    assert [t.id for t in policy.pick_next(tasks)] == [
        "TASK-004",
        "TASK-011",
        "TASK-010",
        "TASK-002",
    ]


# --- the hook's path rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "targets"),
    [
        ("echo hi > out.txt", ["out.txt"]),
        ("echo hi >> a.log 2>&1", ["a.log"]),
        ("cmd &> both.txt", ["both.txt"]),
        ("make 2>/dev/null", []),
        ("cat a | tee -a b c", ["b", "c"]),
        ("cp -r src/ dest/", ["dest/"]),
        ("mv old.py new.py", ["old.py", "new.py"]),
        ("rm -f x.py y.py && touch z.py", ["x.py", "y.py", "z.py"]),
        ("sed -i 's/a/b/' f.py g.py", ["f.py", "g.py"]),
        ("sed -e 's/a/b/' -i f.py", ["f.py"]),
        ("sed 's/a/b/' f.py", []),
        ("perl -pi -e 's/a/b/' f.pl", ["f.pl"]),
        ("dd if=/dev/zero of=disk.img bs=1", ["disk.img"]),
        ("FOO=1 sudo -E tee /etc/x < in", ["/etc/x"]),
        ("cat <<EOF > gen.py", ["gen.py"]),
        ("python -m pytest -q  # > not-a-target", []),
        ("echo 'unclosed", None),
    ],
)
def test_bash_targets(command, targets):
    assert pathrules.bash_targets(command) == targets


@pytest.mark.parametrize(
    ("command", "risky"),
    [
        ("git reset --hard", "git reset --hard"),
        ("git reset --soft HEAD~1", None),
        ("git -C x clean -fdx", "git clean -fdx"),
        ("git stash pop", "git stash pop"),
        ("git stash list", None),
        ("git restore --staged a.py", None),
        ("git checkout -- a.py", "git checkout --"),
        ("git commit -m x", "git commit -m"),
        ("git branch -D old", "git branch -D"),
        ("git branch new", None),
        ("git log && git diff", None),
    ],
)
def test_risky_git(command, risky):
    assert pathrules.risky_git(command) == risky


def test_check_path(tmp_path):
    top = tmp_path / "repo"
    (top / "src").mkdir(parents=True)
    cwd = str(top)
    assert pathrules.check_path("src/a.py", cwd, str(top)) == ("src/a.py", None)
    assert pathrules.check_path(str(top / "src/a.py"), cwd, str(top)) == ("src/a.py", None)
    assert pathrules.check_path("", cwd, str(top)) == (None, None)
    assert pathrules.check_path("/tmp/x", cwd, str(top), temp_ok=True) == (None, None)
    assert "outside" in pathrules.check_path("/tmp/x", cwd, str(top))[1]
    assert "secrets" in pathrules.check_path("src/.ENV", cwd, str(top))[1]
    assert pathrules.check_path("src/secrets_test.py", cwd, str(top))[1] is None


@pytest.mark.parametrize(
    ("output", "code"),
    [
        ('work\n{"status": "DONE", "task": "TASK-004", "checkpoints": 2}', 0),
        ('{"status": "DONE_WITH_CONCERNS", "reason": "r"}\n', 0),
        ('{"status": "NEEDS_INPUT", "reason": "3 unplanned files"}', 3),
        ('{"status": "BLOCKED", "reason": "no ready task"}', 3),
        ('{"status": "TESTS_FAILING", "reason": "red after 3 attempts"}\nbye', 4),
        ('{"status": "DONE"}\n{"status": "TESTS_FAILING", "reason": "x"}', 4),
        ("no status line at all", 3),
        ('{"status": "MAYBE"}', 3),
    ],
)
def test_status_lines_route_on_design_exit_codes(output, code):
    assert policy.status_exit(output) == code


def test_the_fast_user_config_path_is_the_config_modules(monkeypatch, tmp_path):
    from ygs import config
    from ygs.build import runs

    assert runs.user_config() == config.user_config_path()
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert runs.user_config() == config.user_config_path()
