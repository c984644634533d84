"""A cold `ygs trace` of a large project parses over worker processes and keeps a slim
catalogue (`ygs.cache.traced`), and writes the gate's findings and the tables without
rich or a Finding each: every output is the one a single process prints, and the caches
it leaves answer later runs of trace and check alike."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from ygs.cache import parallel, traced
from ygs.cli import cmd_check
from ygs.cli.render import plain_findings, plain_rows, plain_table
from ygs.core import trace as tr
from ygs.core.findings import Finding, Severity
from ygs.core.lint.trace import R
from ygs.report import Report

FIXTURES = Path(__file__).parent / "fixtures"
PRD = "docs/prd/2026-01-10-alert-delivery.md"
OUTPUTS = (
    ("--gate",),
    ("--gate", "--json"),
    ("--json",),
    ("--gate", "--format", "markdown"),
    ("--gate", "--format", "sarif"),
    ("--gate", "--format", "github"),
    ("--format", "mermaid"),
)


@pytest.fixture
def many(proj):
    """The clean project with OpenSpec and spec-kit specs, a PRD whose frontmatter is
    malformed, one without priority lines, and a task that satisfies an unknown id."""
    for name in ("openspec-project", "speckit-project"):
        shutil.copytree(FIXTURES / name, proj, dirs_exist_ok=True)
    prd = (proj / PRD).read_text(encoding="utf-8")
    (proj / "docs/prd/2026-01-11-broken.md").write_text(
        prd.replace("title:", "title: [oops", 1), encoding="utf-8"
    )
    (proj / "docs/prd/2026-01-12-keywords.md").write_text(
        prd.replace("id: alert-delivery", "id: keywords")
        .replace("REQ-00", "REQ-10")
        .replace("- **Priority:**", "- **Note:**"),
        encoding="utf-8",
    )
    (proj / "tasks/backlog/TASK-009-orphan.md").write_text(
        "---\nid: TASK-009\ntitle: Orphan\nstatus: backlog\nsatisfies: [REQ-777, REQ-778]\n"
        "---\n# Orphan\n",
        encoding="utf-8",
    )
    backdate(proj, 90)  # older than the caches' racy window: a warm run is warm
    return proj


def outputs(ygs, root) -> dict:
    found = {}
    for args in OUTPUTS:
        shutil.rmtree(root / ".ygs" / "cache", ignore_errors=True)
        result = ygs("trace", *args, cwd=root)
        found[args] = (result.code, result.stdout)
    return found


def test_a_cold_trace_over_workers_prints_what_one_process_prints(ygs, many, monkeypatch):
    monkeypatch.setenv("YGS_WORKERS", "1")
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    alone = outputs(ygs, many)
    assert alone[("--gate",)][0] == 1 and "TRC004" in alone[("--gate",)][1]
    assert "ART001" in alone[("--gate",)][1]  # the malformed PRD
    assert "priority unknown" not in alone[("--gate",)][1]  # inferred from the keywords
    check = ygs("check", "--json", "--fail-on", "never", cwd=many).json["findings"]
    monkeypatch.delenv("YGS_NO_CACHE")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", "3")
    spawned, spawn = [], parallel._spawn
    monkeypatch.setattr(parallel, "_spawn", lambda *a: spawned.append(1) or spawn(*a))
    slim, catalog = [], traced._catalog
    monkeypatch.setattr(traced, "_catalog", lambda *a: slim.append(1) or catalog(*a))
    assert outputs(ygs, many) == alone  # each cold, over workers
    assert len(spawned) == 2 * len(OUTPUTS) and len(slim) == len(OUTPUTS)
    for args in OUTPUTS:  # warm: from the parts the workers wrote
        result = ygs("trace", *args, cwd=many)
        assert (result.code, result.stdout) == alone[args]
    assert len(spawned) == 2 * len(OUTPUTS)
    assert ygs("check", "--json", "--fail-on", "never", cwd=many).json["findings"] == check


def test_a_cold_trace_computes_the_requirements_no_cache_gave(ygs, many, monkeypatch):
    """Every file touched since and the requirements' cache gone: the slim records cached
    are not read (no PRD's text is in them), and the workers parse every file again."""
    want = ygs("trace", "--gate", "--json", cwd=many).json
    cache = many / ".ygs" / "cache"
    (cache / f"{traced.ROWS}.cache").unlink()
    (cache / "trace.result").unlink(missing_ok=True)  # (kept only in a git repository)
    backdate(many)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", "2")
    spawned, spawn = [], parallel._spawn
    monkeypatch.setattr(parallel, "_spawn", lambda *a: spawned.append(1) or spawn(*a))
    assert ygs("trace", "--gate", "--json", cwd=many).json == want
    assert spawned and (cache / f"{traced.ROWS}.cache").is_file()
    assert ygs("trace", "--gate", "--json", cwd=many).json == want


def backdate(root: Path, seconds: float = 60) -> None:
    then = time.time() - seconds
    for path in root.rglob("*.md"):
        os.utime(path, (then, then))


def _graph() -> tr.Trace:
    def req(ident, priority, *, line=3, tasks=(), tests=(), gated=True, path="docs/prd/a.md"):
        tasks, tests = list(tasks), list(tests)
        return tr.ReqNode(ident, "t", priority, "a", "draft", path, line, gated, [], tasks, tests)

    requirements = [
        req("REQ-002", "MUST", line=9),
        req("REQ-001", "", line=5, tasks=["TASK-001"]),
        req("REQ-003", "SHOULD"),
        req("REQ-004", "MUST", gated=False),
        req("REQ-005", "MAY", path="docs/prd/b.md"),
        req("REQ-006", "MUST", path="docs/prd/0.md", tests=["t.py:1"]),
    ]
    threats = [
        tr.ThreatNode("THR-001", "High", "open", "spoof", "docs/tm.md", 7, True),
        tr.ThreatNode("THR-002", "High", "accepted", "spoof", "docs/tm.md", 8, True),
    ]
    unknown = [
        R["TRC004"].at("tasks/a.md", 4, "TASK-1 satisfies REQ-9: no such requirement"),
        R["TRC004"].at("tasks/a.md", 4, "TASK-1 satisfies REQ-8: no such requirement"),
    ]
    return tr.Trace(requirements, threats, unknown)


def _old_gate_data(report: Report, gate: bool) -> dict:
    """What `trace --json` said of the gate when it was a list of Findings."""
    return {
        "enabled": gate,
        "passed": not report.findings,
        "counts": report.counts,
        "findings": [f.to_dict() for f in report.findings],
    }


@pytest.mark.parametrize("graph", [_graph(), tr.Trace([], [], [])])
def test_the_gate_as_tuples_says_what_its_findings_say(graph):
    rows = tr.gate_rows(graph, "docs/")
    found = tr.gate(graph, "docs/")
    assert found == tr.findings_of(rows)
    key = [(f.path, f.line or 0, f.rule) for f in found]
    assert key == sorted(key) and found  # sorted, and never empty here
    if graph.requirements:  # the two TRC004 at one place keep their order
        assert [f.message[17:23] for f in found if f.rule == "TRC004"] == ["REQ-9:", "REQ-8:"]
    assert "".join(plain_rows(rows)) == "".join(plain_findings(found))
    unreadable = [Finding("ART001", Severity.MUST, "docs/x.md", 2, "bad", "fix it")]
    for gate in (True, False):
        problems = [*unreadable, *found] if gate else unreadable
        report = Report("ygs trace", problems, {})
        want = _old_gate_data(report, gate)
        assert cmd_check._gate_data(unreadable, rows if gate else [], gate) == want


@pytest.mark.parametrize("graph", [_graph(), tr.Trace([], [], [])])
def test_the_plain_trace_is_what_rich_prints_off_a_terminal(graph):
    rows = tr.gate_rows(graph)
    unreadable = [Finding("ART001", Severity.MUST, "docs/x.md", None, "bad", "")]
    for gate in (True, False):
        out = io.StringIO()
        console = Console(file=out, no_color=True, highlight=False, soft_wrap=True)
        assert not console.is_terminal
        with contextlib.redirect_stdout(out):  # where the long parts are written
            cmd_check._trace_table(console, graph, gate, unreadable, rows)
        assert "".join(cmd_check._plain_trace(graph, gate, unreadable, rows)) == out.getvalue()


def _table_as_it_was(columns, rows, title=""):
    """`plain_table` before it used %-formatting and stopped copying the rows."""
    cells = [tuple(columns), *[tuple(map(str, row)) for row in rows]]
    widths = [max(map(len, column)) for column in zip(*cells, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths)
    if title:
        yield title + "\n"
    for row in cells:
        yield line.format(*row).rstrip() + "\n"


CELLS = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.floats(allow_nan=False))


@settings(suppress_health_check=[HealthCheck.too_slow])  # a busy machine
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.tuples(
            st.lists(st.text(max_size=6), min_size=n, max_size=n),
            st.lists(st.lists(CELLS, min_size=n, max_size=n), max_size=5),
            st.sampled_from(["", "Requirements"]),
        )
    )
)
def test_the_plain_table_is_what_it_was(table):
    columns, rows, title = table
    assert list(plain_table(columns, rows, title)) == list(_table_as_it_was(columns, rows, title))


def test_the_graph_as_data_reads_every_field():
    def as_it_was(node) -> dict:
        return {
            k: list(v) if isinstance(v, (list, tuple)) else v
            for k, v in ((k, getattr(node, k)) for k in node.__slots__)
        }

    graph = _graph()
    data = graph.to_dict()
    assert data["requirements"] == [as_it_was(r) for r in graph.requirements]
    assert data["threats"] == [as_it_was(t) for t in graph.threats]
    assert all(type(r["tasks"]) is list for r in data["requirements"])
