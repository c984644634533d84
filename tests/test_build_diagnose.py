"""`ygs investigate` and `ygs verify` after a run: the evidence for red tests (with and
without a model, a test-gaming fix rejected) and the self-verify phase's exit codes."""

from __future__ import annotations

import json

from agentkit import api_env
from buildkit import add_sub, calc_project, fix_sub
from conftest import git

from ygs.build import diagnose
from ygs.testing.fake_anthropic import FakeAnthropic

GOOD = {
    "hypotheses": [
        {"hypothesis": "sub adds", "evidence": "3 + 1 == 4", "verdict": "confirmed"},
        {"hypothesis": "the import is stale", "evidence": "same module", "verdict": "refuted"},
    ],
    "root_cause": "sub() returns a + b",
    "evidence": "test_sub expects 2 and gets 4",
    "minimal_fix": {"files": ["calc/ops.py"], "change": "return a - b in sub()"},
    "regression_test": "tests/test_ops.py::test_sub",
}
GAMING = {
    **GOOD,
    "minimal_fix": {
        "files": ["tests/test_ops.py"],
        "change": "Add @pytest.mark.skip to test_sub until the math is settled",
    },
}
WEAKER = {
    **GOOD,
    "minimal_fix": {"files": ["tests/test_ops.py"], "change": "Loosen the assertion to >= 2"},
}


def _red_run(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root, correct=False)
    return root


def test_investigate_offline_collects_failures_mapped_to_changed_lines(tmp_path, ygs):
    root = _red_run(tmp_path, ygs)
    done = ygs("investigate", "--offline", "--json", cwd=root)
    assert done.code == 0, done.stderr
    data = done.json
    assert data["green"] is False and data["analysis"] is None
    (failure,) = data["failures"]
    assert failure["name"].endswith("test_sub")
    hot = [f for f in failure["frames"] if f["changed"]]
    assert {f["path"] for f in hot} >= {"tests/test_ops.py"}
    assert "calc/ops.py" in data["changed_files"]
    report = (root / data["report"]).read_text()
    assert "FAILED" in report and "← changed by this run" in report
    assert "+    return a + b" in report  # the run's diff
    assert "No model" in report


def test_investigate_with_a_model_writes_the_root_cause(tmp_path, monkeypatch, ygs):
    root = _red_run(tmp_path, ygs)
    with FakeAnthropic([{"text": json.dumps(GOOD)}]) as fake:
        api_env(monkeypatch, fake)
        done = ygs("investigate", "--model-backend", "anthropic", "--json", cwd=root)
    assert done.code == 0, done.stderr
    assert done.json["analysis"]["root_cause"] == "sub() returns a + b"
    assert done.json["rejected"] == []
    report = (root / done.json["report"]).read_text()
    assert "**Root cause:** sub() returns a + b" in report
    assert "def test_sub" in json.dumps(fake.requests[0])  # the evidence went as data


def test_investigate_rejects_a_fix_that_skips_or_weakens_a_test(tmp_path, monkeypatch, ygs):
    root = _red_run(tmp_path, ygs)
    with FakeAnthropic([{"text": json.dumps(GAMING)}, {"text": json.dumps(WEAKER)}]) as fake:
        api_env(monkeypatch, fake)
        done = ygs("investigate", "--model-backend", "anthropic", "--json", cwd=root)
        asked_again = json.dumps(fake.requests[1]["body"]["messages"][-1])
    assert done.code == 3, done.stderr
    data = done.json
    assert data["status"] == "NEEDS_INPUT" and data["analysis"] is None
    assert [r["because"] for r in data["rejected"]] == [["pytest.mark.skip"], ["loosen the assert"]]
    assert "Rejected" in asked_again
    report = (root / data["report"]).read_text()
    assert "rejected" in report and "Loosen the assertion" not in report


def test_investigate_on_green_tests_says_so(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    done = ygs("investigate", "--offline", "--json", cwd=root)
    assert done.code == 0 and done.json["green"] is True and done.json["failures"] == []
    assert "nothing to investigate" in (root / done.json["report"]).read_text()


def test_investigate_and_verify_need_a_run_on_its_branch(tmp_path, ygs):
    root = calc_project(tmp_path / "calc")
    none = ygs("verify", cwd=root)
    assert none.code == 2 and "no ygs run" in none.stderr
    assert ygs("implement", "TASK-001", "--manual", cwd=root).code == 0
    add_sub(root)
    git(root, "commit", "-qam", "sub")
    run = json.loads(next((root / ".ygs/runs").glob("TASK-*/run.json")).read_text())
    git(root, "switch", "-q", "main")
    away = ygs("investigate", "--run", run["id"], "--offline", cwd=root)
    assert away.code == 3 and f"git switch {run['branch']}" in away.stderr
    unknown = ygs("verify", "--run", "TASK-009-ffff", cwd=root)
    assert unknown.code == 2 and "no run TASK-009-ffff" in unknown.stderr


def test_verify_routes_red_to_4_must_to_1_clean_to_0(tmp_path, ygs):
    root = _red_run(tmp_path, ygs)
    git(root, "commit", "-qam", "sub, wrong")
    red = ygs("verify", "--offline", "--json", cwd=root)
    assert red.code == 4, red.stderr
    assert red.json["status"] == "TESTS_FAILING" and red.json["tests"]["failed"] == 1
    assert "verdict" in red.json["review"]  # the review ran too
    fix_sub(root)
    git(root, "commit", "-qam", "sub, right")
    green = ygs("verify", "--offline", "--json", cwd=root)
    assert green.code == 0, green.stderr
    assert green.json["status"] == "DONE" and green.json["review"]["exit_code"] == 0
    assert green.json["base"] == git(root, "rev-parse", "main")
    with open(root / "calc" / "ops.py", "a") as handle:  # a MUST finding: a debugger stop
        handle.write("\n\ndef mul(a, b):\n    breakpoint()\n    return a * b\n")
    git(root, "commit", "-qam", "mul")
    must = ygs("verify", "--offline", "--json", cwd=root)
    assert must.code == 1, must.stderr
    assert must.json["status"] == "DONE_WITH_CONCERNS"
    assert must.json["review"]["counts"].get("MUST")
    kept = json.loads((root / must.json["report"]).read_text())
    assert kept["exit_code"] == 1


def test_gaming_spots_skips_and_weakening_but_not_a_real_fix():
    assert diagnose.gaming("return a - b in sub()") == []
    assert diagnose.gaming("call sys.exit(1) on error") == []
    assert diagnose.gaming("Skip  the\ntest for now") == ["skip the test"]
    assert "it.skip(" in diagnose.gaming("use it.skip('sub', ...)")
    assert diagnose.gaming("#[ignore] the flaky one") == ["#[ignore]"]


def test_changed_lines_and_frames_from_a_diff_and_a_traceback():
    patch = (
        "diff --git a/calc/ops.py b/calc/ops.py\n--- a/calc/ops.py\n+++ b/calc/ops.py\n"
        "@@ -1,2 +1,5 @@\n def add(a, b):\n     return a + b\n"
        "+\n+def sub(a, b):\n+    return a + b\n"
        "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
    )
    assert diagnose.changed_lines(patch) == {"calc/ops.py": {3, 4, 5}}
    trace = (
        'File "/repo/calc/ops.py", line 5, in sub\n'
        "tests/test_ops.py:9: in test_sub\n"
        "/usr/lib/python3/x.py:3: AssertionError\n"
        "see https://example.com:443 and 10:30\n"
    )
    found = diagnose.frames(trace, diagnose.changed_lines(patch), "/repo")
    assert [(f.path, f.line, f.changed) for f in found] == [
        ("calc/ops.py", 5, True),
        ("tests/test_ops.py", 9, False),
    ]
