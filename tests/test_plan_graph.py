"""The plan graph (pure) and `ygs wbs plan` on task files and decomposition files."""

from __future__ import annotations

import itertools
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, make_repo
from ygs.core import decomposition as dec
from ygs.core import plan_graph as pg
from ygs.core import plan_render

N = pg.Node


def test_waves_are_topological_levels_and_ready_follows_done():
    nodes = [
        N("TASK-001", status="done"),
        N("TASK-002", depends_on=("TASK-001",)),
        N("TASK-003", depends_on=("TASK-001",), priority="P0"),
        N("TASK-004", depends_on=("TASK-002", "TASK-003")),
        N("TASK-005", priority="P2"),
    ]
    a = pg.analyse(nodes)
    assert a.waves == {"TASK-001": 1, "TASK-005": 1, "TASK-002": 2, "TASK-003": 2, "TASK-004": 3}
    assert a.ready == ["TASK-003", "TASK-005", "TASK-002"]  # P0, P2, then no priority
    assert pg.next_ready(nodes).id == "TASK-003"
    assert a.per_wave[2] == ["TASK-002", "TASK-003"] and a.peak == (1, 2)


def test_next_ready_prefers_priority_then_the_lowest_id():
    nodes = [N("TASK-010", priority="P1"), N("TASK-9", priority="P1"), N("TASK-011", priority="P2")]
    assert pg.next_ready(nodes).id == "TASK-9"
    assert (
        pg.next_ready([N("TASK-1", depends_on=("TASK-2",)), N("TASK-2", status="in-progress")])
        is None
    )


def test_critical_path_uses_days_then_points_then_one_and_reports_slack():
    nodes = [
        N("A", expected_days=2.0),
        N("B", depends_on=("A",), points=5),
        N("C", depends_on=("A",)),
        N("D", depends_on=("B", "C"), points=1),
    ]
    a = pg.analyse(nodes)
    assert a.critical_path == ["A", "B", "D"] and a.critical_weight == 8.0
    assert a.slack == {"A": 0.0, "B": 0.0, "C": 4.0, "D": 0.0}
    assert {i: a.weight_basis[i] for i in "ABCD"} == {
        "A": "days",
        "B": "points",
        "C": "unit",
        "D": "points",
    }


def test_done_work_leaves_the_critical_path():
    a = pg.analyse([N("A", status="done", points=8), N("B", depends_on=("A",), points=2)])
    assert a.critical_path == ["B"] and a.critical_weight == 2.0


def test_cycles_are_paths_and_unknown_dependencies_are_reported():
    a = pg.analyse(
        [
            N("T1", depends_on=("T3",)),
            N("T2", depends_on=("T1",)),
            N("T3", depends_on=("T2",)),
            N("T4", depends_on=("T4", "T9")),
            N("T5", depends_on=("T1",)),
        ]
    )
    assert a.cycles == [["T1", "T3", "T2", "T1"], ["T4", "T4"]]
    assert [(u.task, u.dependency) for u in a.unknown] == [("T4", "T9")]
    assert a.waves == {}  # every task is in or behind a cycle
    assert not a.ok()


def test_bottlenecks_split_signals_points_and_coverage():
    nodes = [
        N("A", title="Build the API and also the UI", satisfies=("REQ-001",), criteria=2),
        N("B", depends_on=("A",), points=4, planned_files=tuple(f"src/f{i}.py" for i in range(8))),
        N("C", depends_on=("A",), planned_files=("api/x.py", "web/y.ts", "db/z.sql", "tests/t.py")),
        N("D", depends_on=("A",), goal="Ship it and verify it", planned_lines=900, points=21),
    ]
    requirements = [pg.Requirement("REQ-001", "MUST"), pg.Requirement("REQ-002", "MUST")]
    requirements.append(pg.Requirement("REQ-003", "SHOULD"))
    a = pg.analyse(nodes, requirements)
    assert a.bottlenecks == ["A"]
    assert a.split["A"] == ['title joins two tasks with "and also"']
    assert a.split["B"] == ["8 planned files (8+)"]
    assert a.split["C"] == ["3 top-level directories (api, web, db)"]
    assert a.split["D"] == [
        "900 planned lines (800+)",
        "21 points (13+)",
        'goal joins two tasks with "and verify"',
    ]
    assert a.points_flags == {
        "B": "4 points is not one of 1, 2, 3, 5, 8, 13",
        "D": "21 points: a task this big must be split",
    }
    assert a.uncovered == ["REQ-002"]
    assert a.satisfies_nothing == ["B", "C", "D"] and a.few_criteria == ["B", "C", "D"]


def test_size_classes():
    assert pg.size_of(["a.py"], 100) == "S" and pg.size_class(["a.py"], 100) == "light"
    assert pg.size_of(["a.py"] * 4) == "M" and pg.size_of(["a.py"], 300) == "M"
    assert pg.size_of([f"{i}.py" for i in range(8)]) == "L" and pg.size_of([], 800) == "L"
    assert pg.size_of(["src/a.py", "lib/b.py", "tests/c.py"]) == "S"  # tests travel along
    assert pg.size_class(["src/a.py", "lib/b.py", "cli/c.py"]) == "heavy"


def test_milestones_need_three_with_seven_tasks():
    nodes = [N(f"k{i}", milestone="m1") for i in range(7)]
    a = pg.analyse(nodes, milestones=["m1"])
    assert a.milestone_flags == ["7 tasks need at least 3 milestones; there are 1"]
    a = pg.analyse([N("k1", milestone="m9")], milestones=["m1"])
    assert a.milestone_flags == ["k1 names milestone 'm9', which is not defined"]


def test_renderers():
    a = pg.analyse([N("TASK-001", title='Say "hi"'), N("TASK-002", depends_on=("TASK-001",))])
    text = plan_render.mermaid(a)
    assert text.startswith("flowchart TD\n") and 'subgraph W1["Wave 1"]' in text
    assert "TASK_001 ==> TASK_002" in text and "#quot;hi#quot;" in text
    md = plan_render.markdown(a)
    assert "| 1 | TASK-001 * |" in md and "```mermaid" in md


ids = st.sampled_from([f"T{i}" for i in range(12)])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            ids,
            st.lists(ids | st.text(max_size=4), max_size=4),
            st.sampled_from(["backlog", "in-progress", "done", ""]),
            st.none() | st.integers(-3, 40),
            st.none() | st.floats(0, 50, allow_nan=False),
        ),
        max_size=15,
    )
)
def test_arbitrary_graphs_never_crash_and_keep_their_invariants(rows):
    nodes = [
        N(i, depends_on=tuple(d), status=s, points=p, expected_days=e) for i, d, s, p, e in rows
    ]
    a = pg.analyse(nodes)
    a.to_dict()
    plan_render.mermaid(a)
    plan_render.markdown(a)
    by_id = {n.id: n for n in a.nodes}
    for ident, wave in a.waves.items():
        for dep in by_id[ident].depends_on:
            if dep in a.waves:
                assert a.waves[dep] < wave
    in_cycle = {i for c in a.cycles for i in c}
    assert not in_cycle & set(a.waves)
    for cycle in a.cycles:
        assert cycle[0] == cycle[-1]
        for before, after in itertools.pairwise(cycle):
            assert after in by_id[before].depends_on
    assert all(v >= 0 for v in a.slack.values())
    assert set(a.critical_path) <= set(a.waves)
    nxt = pg.next_ready(a.nodes)
    assert (nxt is None) == (not a.ready)


# --- decomposition files ---------------------------------------------------------------------


def test_decomposition_errors_name_the_line():
    text = textwrap.dedent(
        """\
        tasks:
          - key: a
            title: First
          - key: b
            title: Second
            size: L
        """
    )
    try:
        dec.parse(text)
    except dec.DecompositionError as err:
        assert err.line == 6 and "size is computed" in err.message
    else:
        raise AssertionError("size must be rejected")
    for bad, line in (
        ("tasks:\n  - key: a\n    title: x\n  - key: a\n    title: y\n", 4),
        ("tasks:\n  - key: A B\n    title: x\n", 2),
        ("tasks:\n  - key: a\n    title: x\n    points: many\n", 4),
        ("tasks:\n  - key: a\n    title: x\n    estimate: {best: 5, likely: 2, worst: 9}\n", 4),
        ("tasks:\n  - key: a\n    titel: x\n", 3),
        ("tasks: [\n", 2),
        ("- a\n", 1),
    ):
        try:
            dec.parse(bad)
        except dec.DecompositionError as err:
            assert err.line == line, (bad, err.line, err.message)
        else:
            raise AssertionError(bad)


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def task(ident, deps="[]", extra=""):
    return f"""\
---
id: {ident}
type: task
title: Task {ident}
status: backlog
priority: P1
points: 3
mode: AFK
depends_on: {deps}
{extra}---

# {ident}
"""


def test_wbs_plan_cycle_exits_1_with_the_path(tmp_path, ygs):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    write(root, "tasks/backlog/TASK-001-a.md", task("TASK-001", "[TASK-002]"))
    write(root, "tasks/backlog/TASK-002-b.md", task("TASK-002", "[TASK-001]"))
    write(root, "tasks/backlog/TASK-003-c.md", task("TASK-003", "[TASK-404]"))
    result = ygs("wbs", "plan", cwd=root)
    assert result.code == 1
    assert "cycle: TASK-001 → TASK-002 → TASK-001" in result.stdout
    assert "unknown dependency: TASK-003 depends on TASK-404" in result.stdout


def test_wbs_plan_malformed_frontmatter_exits_2_with_the_line(tmp_path, ygs):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    write(root, "tasks/backlog/TASK-001-a.md", "---\nid: TASK-001\ndepends_on: [oops\n---\n")
    result = ygs("wbs", "plan", cwd=root)
    assert result.code == 2 and "tasks/backlog/TASK-001-a.md:" in result.stderr
    assert "Traceback" not in result.stderr


def test_wbs_plan_from_a_decomposition_file(tmp_path, ygs):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    write(root, "tasks/done/TASK-001-base.md", task("TASK-001"))
    write(
        root,
        ".ygs/wbs/x.yaml",
        """\
        tasks:
          - key: api
            title: Serve the API
            depends_on: [TASK-001]
            points: 3
          - key: ui
            title: Show it
            depends_on: [api]
            points: 5
        """,
    )
    result = ygs("wbs", "plan", "--from", ".ygs/wbs/x.yaml", "--json", cwd=root)
    assert result.code == 0, result.stderr
    assert result.json["waves"] == {"TASK-001": 1, "api": 2, "ui": 3}
    assert result.json["critical_path"]["tasks"] == ["api", "ui"]
    write(root, ".ygs/wbs/bad.yaml", "tasks:\n  - key: a\n    title: x\n    wave: 2\n")
    bad = ygs("wbs", "plan", "--from", ".ygs/wbs/bad.yaml", cwd=root)
    assert bad.code == 2 and ".ygs/wbs/bad.yaml:4" in bad.stderr
    mermaid = ygs("wbs", "plan", "--from", ".ygs/wbs/x.yaml", "--format", "mermaid", cwd=root)
    assert mermaid.stdout.startswith("flowchart TD")


def test_wbs_from_file_writes_tasks_and_refuses_unknown_requirements(tmp_path, ygs):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    write(root, "plan.yaml", "tasks:\n  - key: a\n    title: Do it\n    satisfies: [REQ-042]\n")
    result = ygs("wbs", "--from", "plan.yaml", cwd=root)
    assert result.code == 2 and "REQ-042" in result.stderr
    assert not list((root / "tasks").rglob("*.md"))
    write(
        root,
        "plan.yaml",
        "tasks:\n  - key: a\n    title: Do it\n"
        "  - key: b\n    title: Then this\n    depends_on: [a]\n",
    )
    result = ygs("wbs", "--from", "plan.yaml", "--json", cwd=root)
    assert result.code == 0, result.stderr
    assert [(t["id"], t["wave"]) for t in result.json["tasks"]] == [
        ("TASK-001", 1),
        ("TASK-002", 2),
    ]
    again = ygs("wbs", "--from", "plan.yaml", "--json", cwd=root)
    assert [t["id"] for t in again.json["tasks"]] == ["TASK-003", "TASK-004"]
    write(
        root,
        "cycle.yaml",
        "tasks:\n  - key: a\n    title: A\n    depends_on: [b]\n"
        "  - key: b\n    title: B\n    depends_on: [a]\n",
    )
    cycle = ygs("wbs", "--from", "cycle.yaml", cwd=root)
    assert cycle.code == 1 and "a (TASK-005) → b (TASK-006) → a (TASK-005)" in cycle.stderr


def test_status_points_at_a_cycle(tmp_path, ygs):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    ygs("refine-prd", "--answers", str(REPO / "tests/data/plan/prd.yaml"), cwd=root)
    write(
        root,
        "tasks/backlog/TASK-001-a.md",
        task("TASK-001", "[TASK-002]", "satisfies: [REQ-001, REQ-002, REQ-003]\n"),
    )
    write(root, "tasks/backlog/TASK-002-b.md", task("TASK-002", "[TASK-001]"))
    data = ygs("status", "--json", cwd=root).json
    assert data["next"]["command"] == "ygs wbs plan"
    assert "TASK-001 → TASK-002 → TASK-001" in data["next"]["reason"]
    assert data["waves"] == {"?": {"backlog": 2, "in-progress": 0, "done": 0}}
