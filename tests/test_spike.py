"""`ygs spike` and `ygs spike close` in real git repositories."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import git, make_repo
from ygs.core import frontmatter
from ygs.core import spike as core

QUESTION = "Can SQLite take 10,000 writes/s at p99 under 50 ms?"


@pytest.fixture
def root(tmp_path, ygs):
    root = make_repo(tmp_path / "repo")
    assert ygs("init", cwd=root).code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init ygs")
    return root


def open_spike(ygs, root, *extra):
    result = ygs("spike", QUESTION, "--timebox", "2d", *extra, "--json", cwd=root)
    assert result.code == 0, result.stderr
    return result.json


def test_spike_opens_on_its_own_branch_with_the_time_box(ygs, root):
    data = open_spike(ygs, root)
    assert data["branch"].startswith("spike/can-sqlite-take-10-000-writes-s-at-p99")
    assert len(data["branch"].rsplit("-", 1)[1]) == 4 and data["base"] == "main"
    assert git(root, "branch", "--show-current") == data["branch"]
    meta = frontmatter.parse((root / data["path"]).read_text()).meta
    assert meta["status"] == "in-progress" and "verdict" not in meta
    assert meta["started"] == date.today().isoformat() and meta["ends"] >= meta["started"]
    assert meta["time_box_days"] == 2 and meta["branch"] == data["branch"]
    assert git(root, "status", "--porcelain") == ""  # the doc is committed on the spike branch
    assert data["path"].startswith("docs/spikes/") and data["verdict"] == "OPEN"


def test_a_retry_never_reuses_a_branch_name(ygs, root):
    first = open_spike(ygs, root)
    git(root, "switch", "-q", "main")
    second = open_spike(ygs, root, "--prefix", "fafo")
    assert second["branch"].startswith("fafo/") and second["branch"] != first["branch"]
    names = {core.branch_name("spike", "x", n) for n in ("aaaa", "bbbb")}
    assert len(names) == 2


def test_a_dirty_tree_is_refused_and_left_alone(ygs, root):
    (root / "README.md").write_text("# demo\nwork in progress\n")
    result = ygs("spike", QUESTION, cwd=root)
    assert result.code == 3 and "uncommitted changes (README.md)" in result.stderr
    assert git(root, "branch", "--show-current") == "main"
    assert git(root, "branch", "--list", "spike/*") == ""
    assert (root / "README.md").read_text() == "# demo\nwork in progress\n"


@pytest.mark.parametrize("box", ["two days", "0d", "9d", "3x"])
def test_an_unparsable_time_box_exits_2(ygs, root, box):
    result = ygs("spike", QUESTION, "--timebox", box, cwd=root)
    assert result.code == 2 and "time box" in result.stderr and "remedy:" in result.stderr
    assert git(root, "branch", "--show-current") == "main"


def test_close_commits_only_the_findings_on_the_base_branch(ygs, root, tmp_path):
    data = open_spike(ygs, root)
    (root / "bench.py").write_text("print('10k writes/s')\n")
    git(root, "add", "bench.py")
    git(root, "commit", "-qm", "experiment")
    answers = tmp_path / "close.yaml"
    answers.write_text(
        "evidence:\n  - 3 runs of 10 minutes on a 4-core laptop, 12,400 writes/s, p99 31 ms\n"
        "verdict_reason: Every run beat both numbers.\npoc_fate: delete the branch\n"
    )
    before = git(root, "rev-parse", "main")
    result = ygs(
        "spike", "close", "--verdict", "confirmed", "--next", "Record an ADR.",
        "--answers", str(answers), "--json", cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert git(root, "branch", "--show-current") == "main"
    assert git(root, "rev-list", f"{before}..main") == result.json["commit"]
    assert git(root, "show", "--name-only", "--format=", "main") == data["path"]
    assert not (root / "bench.py").exists()
    text = (root / data["path"]).read_text()
    meta = frontmatter.parse(text).meta
    assert meta["status"] == "done" and meta["verdict"] == "CONFIRMED"
    assert (
        "12,400 writes/s" in text and "Record an ADR." in text and "**Verdict:** CONFIRMED" in text
    )
    assert git(root, "log", "--merges", "--format=%H", "main") == ""
    assert ygs("check", "--fail-on", "must", cwd=root).code in (0, 1)
    spk = ygs("check", "--json", "--fail-on", "never", cwd=root).json["findings"]
    assert not [f for f in spk if f["rule"].startswith("SPK")]


def test_close_refuses_uncommitted_experiment_code(ygs, root):
    data = open_spike(ygs, root)
    (root / "README.md").write_text("changed on the spike\n")
    result = ygs("spike", "close", "--verdict", "REFUTED", cwd=root)
    assert result.code == 3 and "README.md" in result.stderr
    assert git(root, "branch", "--show-current") == data["branch"]


def test_close_needs_a_verdict(ygs, root):
    open_spike(ygs, root)
    result = ygs("spike", "close", "--verdict", "MAYBE", cwd=root)
    assert result.code == 2 and "CONFIRMED, REFUTED, INCONCLUSIVE" in result.stderr


def test_close_from_the_base_branch_finds_the_spike(ygs, root):
    data = open_spike(ygs, root)
    git(root, "switch", "-q", "main")
    result = ygs("spike", "close", "--verdict", "INCONCLUSIVE", "--json", cwd=root)
    assert result.code == 0, result.stderr
    assert result.json["branch"] == data["branch"] and (root / data["path"]).is_file()


def test_time_box_arithmetic():
    assert core.parse_timebox("2d") == 2 and core.parse_timebox("12h") == 1.5
    assert core.parse_timebox("1w") == 5 and core.parse_timebox("0.5 days") == 0.5
    friday = date(2026, 11, 27)
    assert core.end_of(friday, 2) == date(2026, 11, 30)  # Friday and Monday
    assert core.end_of(friday, 0.5) == friday
    assert core.merged_branch("Merge branch 'spike/x-1a2b' into main") == "spike/x-1a2b"
    assert core.merged_branch("Merge pull request #4 from me/fafo/try") == "fafo/try"
    assert core.merged_branch("Merge branch 'feature/x'") == ""
    assert core.overdue("2026-01-02", "", "2026-01-03") and not core.overdue(
        "2026-01-02", "REFUTED", "2026-02-01"
    )
