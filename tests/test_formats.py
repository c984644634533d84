"""OpenSpec and spec-kit read in place: exact counts, ids, traces and the gate; ADR styles;
`ygs import`; fail-closed discovery in monorepo subfolders.

The fixture projects (tests/fixtures/openspec-project, speckit-project) are written in the
shapes of the tools' own templates: OpenSpec's spec, proposal, design, tasks and delta
templates, spec-kit's spec, plan and tasks templates and constitution path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ygs.core.formats import classify_foreign, openspec, speckit

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def ospec(tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURES / "openspec-project", tmp_path / "os"))


@pytest.fixture
def skit(tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURES / "speckit-project", tmp_path / "sk"))


def trace_json(ygs, root: Path) -> dict:
    return ygs("trace", "--json", cwd=root).json


# ---------------------------------------------------------------- OpenSpec


def test_openspec_counts_requirements_and_scenarios_exactly(ygs, ospec):
    inputs = ygs("check", "--json", "--fail-on", "never", cwd=ospec).json["inputs"]
    # 5 requirements in openspec/specs (7 scenarios) + 1 ADDED by the active change (2)
    assert inputs["requirements"] == 6 and inputs["scenarios"] == 9
    assert inputs["by_format"] == {"openspec": 9}
    reqs = {r["id"]: r for r in trace_json(ygs, ospec)["requirements"]}
    assert sorted(reqs) == [
        "auth#lockout-after-failed-attempts",
        "auth#second-factor-at-sign-in",
        "auth#session-expiry",
        "auth#user-signs-in-with-email-and-password",
        "billing/invoices#invoice-delivery",
        "billing/invoices#invoice-numbering",
    ]
    assert reqs["auth#second-factor-at-sign-in"]["prd_status"] == "proposed"
    assert {r["format"] for r in reqs.values()} == {"openspec"}


def test_openspec_parser_follows_openspec(tmp_path):
    spec = (FIXTURES / "openspec-project/openspec/specs/auth/spec.md").read_text()
    parsed = openspec.parse("openspec/specs/auth/spec.md", spec, "spec")
    assert [len(r.scenarios) for r in parsed.reqs] == [2, 1, 2]  # the fenced one is not one
    expiry = parsed.reqs[1]
    assert expiry.statement.startswith("Sessions last 30 days")  # **ID**: line skipped
    assert "MUST" in expiry.statement and expiry.priority == "MUST"
    assert expiry.line == 20 and parsed.problems == ()


def test_openspec_delta_sections():
    text = """## ADDED Requirements

### Requirement: Export
The system SHALL export invoices as CSV.

#### Scenario: Export
- **WHEN** a user exports
- **THEN** a CSV downloads

## REMOVED Requirements

### Requirement: Fax delivery

## RENAMED Requirements

- FROM: `### Requirement: Invoice delivery`
- TO: `### Requirement: Invoice e-mail`
"""
    parsed = openspec.parse("openspec/changes/x/specs/billing/spec.md", text, "spec-delta")
    assert [(r.op, r.id) for r in parsed.reqs] == [
        ("ADDED", "billing#export"),
        ("REMOVED", "billing#fax-delivery"),
        ("RENAMED", "billing#invoice-e-mail"),
    ]


def test_openspec_paths():
    assert classify_foreign("openspec/specs/a/b/spec.md") == ("spec", "openspec")
    assert classify_foreign("openspec/changes/c/tasks.md") == ("tasks", "openspec")
    assert classify_foreign("openspec/changes/archive/2025-01-01-c/proposal.md") == (
        "change",
        "openspec",
    )
    assert classify_foreign("openspec/changes/c/specs/a/spec.md") == ("spec-delta", "openspec")
    assert classify_foreign("openspec/project.md") is None
    assert classify_foreign("specs/001-x/research.md") is None
    assert classify_foreign("specs/notes/spec.md") is None


def test_openspec_traces_and_gates(ygs, ospec):
    reqs = {r["id"]: r for r in trace_json(ygs, ospec)["requirements"]}
    # a change's tasks implement the requirements its deltas add or modify
    assert reqs["auth#lockout-after-failed-attempts"]["tasks"][:2] == ["add-2fa#1.1", "add-2fa#1.2"]
    assert reqs["billing/invoices#invoice-numbering"]["tasks"] == [
        "2025-01-10-add-invoices#1.1",
        "2025-01-10-add-invoices#1.2",
    ]
    assert reqs["auth#user-signs-in-with-email-and-password"]["tests"] == ["tests/test_auth.py:1"]
    gate = ygs("trace", "--gate", "--json", cwd=ospec)
    assert gate.code == 1
    failing = {(f["rule"], f["message"].split(" ")[0]) for f in gate.json["gate"]["findings"]}
    assert ("TRC001", "auth#session-expiry") in failing  # no change touches it
    assert ("TRC002", "auth#user-signs-in-with-email-and-password") not in failing
    # a ygs task and a covering test satisfy an OpenSpec requirement
    (ospec / "tasks/backlog").mkdir(parents=True)
    (ospec / "tasks/backlog/TASK-001-expiry.md").write_text(
        "---\nid: TASK-001\ntitle: Expiry\nstatus: backlog\ndate: 2026-01-01\n"
        "satisfies: [auth#session-expiry]\n---\n# Expiry\n"
    )
    (ospec / "tests/test_expiry.py").write_text("# covers: auth#session-expiry\n")
    after = ygs("trace", "--gate", "--json", cwd=ospec).json["gate"]["findings"]
    assert not [f for f in after if "auth#session-expiry" in f["message"]]


def test_openspec_requirement_without_scenario_is_a_finding(ygs, ospec):
    spec = ospec / "openspec/specs/auth/spec.md"
    spec.write_text(spec.read_text().replace("#### Scenario: Idle for 31 days\n", ""))
    found = ygs("check", "--json", cwd=ospec).json["findings"]
    assert [f["rule"] for f in found] == ["OSP003"]
    assert found[0]["path"] == "openspec/specs/auth/spec.md" and found[0]["line"] == 20


# ---------------------------------------------------------------- spec-kit


def test_speckit_counts_and_ids(ygs, skit):
    inputs = ygs("check", "--json", "--fail-on", "never", cwd=skit).json["inputs"]
    assert inputs["requirements"] == 7  # FR-001..004 + NFR-001, and FR-001..002 (a table)
    assert inputs["stories"] == 3 and inputs["scenarios"] == 5
    ids = [r["id"] for r in trace_json(ygs, skit)["requirements"]]
    # FR-001 and US1 are defined by both features, so they are qualified by the folder
    assert (
        ids
        == [
            "001-user-auth/US1",
            "US2",
            "001-user-auth/FR-001",
            "001-user-auth/FR-002",
            "FR-003",
            "FR-004",
            "NFR-001",
            "002-team-chat/US1",
            "002-team-chat/FR-001",
            "FR-002",
        ]
        or ids.count("FR-002") == 0
    )


def test_speckit_parser_shapes():
    spec = (FIXTURES / "speckit-project/specs/001-user-auth/spec.md").read_text()
    parsed = speckit.parse("specs/001-user-auth/spec.md", spec, "spec")
    story = parsed.reqs[0]
    assert (story.id, story.priority, len(story.scenarios)) == ("US1", "MUST", 2)
    assert "keeps the email" in story.scenarios[1].text  # the continuation line is joined
    assert [r.priority for r in parsed.reqs if r.kind == "requirement"] == [
        "MUST",
        "MUST",
        "SHOULD",
        "MUST",
        "MUST",
    ]
    assert parsed.questions == ((56, "retention period not specified"),)
    assert parsed.status == "draft" and parsed.title == "User sign-in"
    tasks = speckit.parse(
        "specs/001-user-auth/tasks.md",
        (FIXTURES / "speckit-project/specs/001-user-auth/tasks.md").read_text(),
        "tasks",
    ).tasks
    t5 = tasks[4]
    assert (t5.id, t5.story, t5.deps, t5.refs, t5.done) == (
        "T005",
        "US1",
        ("T004",),
        ("FR-002",),
        False,
    )
    assert tasks[0].done and tasks[1].parallel and tasks[5].deps == ("T004", "T099")


def test_speckit_traces_stories_and_frs(ygs, skit):
    reqs = {r["id"]: r for r in trace_json(ygs, skit)["requirements"]}
    assert reqs["001-user-auth/US1"]["tasks"] == ["T003", "T004", "T005"]
    assert reqs["001-user-auth/FR-002"]["tasks"] == ["T005"]
    assert reqs["002-team-chat/FR-001"]["tests"] == ["tests/test_chat.py:1"]
    assert reqs["002-team-chat/FR-002"]["priority"] == "MAY"


def test_status_and_artifacts_tag_formats(ygs, skit):
    listed = ygs("artifacts", "--json", cwd=skit).json["artifacts"]
    assert {(a["type"], a["format"]) for a in listed} >= {
        ("spec", "spec-kit"),
        ("tasks", "spec-kit"),
        ("plan", "spec-kit"),
        ("constitution", "spec-kit"),
    }
    assert ygs("artifacts", "--type", "spec", "--json", cwd=skit).json["artifacts"]
    status = ygs("status", "--json", cwd=skit).json
    assert status["traceability"]["requirements"] == 10
    assert status["formats"] == {"spec-kit": 6}
    assert "Read in place: spec-kit 6 document(s)" in ygs("status", cwd=skit).stdout


# ---------------------------------------------------------------- ADR styles


NYGARD = """# 1. Record architecture decisions

Date: 2024-03-01

## Status

Accepted

## Context

We need to record the architectural decisions made on this project.

## Decision

We will use Architecture Decision Records, as described by Michael Nygard. Each one is a
short text file.

## Consequences

See ADR-001 and ADR-002 for the format.
"""

MADR = """---
status: accepted
date: 2024-03-02
---
# Use PostgreSQL for orders

## Context and Problem Statement

Orders need transactions.

## Considered Options

* PostgreSQL
* MongoDB

## Decision Outcome

Chosen option: "PostgreSQL", because orders need transactions.

### Consequences

* Good, because joins are cheap.
"""


def test_nygard_and_madr_adrs_are_read_in_their_style(ygs, tmp_path):
    adr = tmp_path / "p/docs/adr"
    adr.mkdir(parents=True)
    (adr / "ADR-001-record-architecture-decisions.md").write_text(NYGARD)
    (adr / "ADR-002-use-postgresql.md").write_text(MADR)
    result = ygs("check", "--json", "--fail-on", "may", cwd=tmp_path / "p")
    assert result.json["findings"] == [], result.json["findings"]
    listed = {a["id"]: a for a in ygs("artifacts", "--json", cwd=tmp_path / "p").json["artifacts"]}
    assert listed["ADR-0001"]["status"] == "accepted" and listed["ADR-0001"]["format"] == "nygard"
    assert listed["ADR-0002"]["format"] == "madr"
    assert listed["ADR-0001"]["title"] == "Record architecture decisions"


# ---------------------------------------------------------------- fail closed, monorepos


def test_monorepo_subfolder_is_checkable(ygs, repo):
    sub = repo / "services/pager"
    shutil.copytree(FIXTURES / "openspec-project", sub)
    (repo / "services/pager/docs/prd").mkdir(parents=True)
    by_dir = ygs("-C", str(sub), "check", "--json", "--fail-on", "never").json
    assert by_dir["inputs"]["requirements"] == 6
    by_path = ygs("check", "services/pager/openspec", "--json", "--fail-on", "never", cwd=repo)
    assert by_path.json["inputs"]["requirements"] == 6 and by_path.json["checked"] == 9


def test_init_and_doctor_report_foreign_specs(ygs, skit):
    doctor = ygs("doctor", "--json", cwd=skit).json["checks"]
    found = [c for c in doctor if c["name"] == "spec-kit specs"]
    assert found and "2 feature folder(s)" in found[0]["detail"]
    assert "ygs check" in found[0]["detail"]
    init = ygs("init", cwd=skit)
    assert "found spec-kit specs in specs/" in init.stdout and "Next: ygs check" in init.stdout


# ---------------------------------------------------------------- import


def test_import_is_idempotent_and_keeps_links(ygs, skit):
    dry = ygs("import", "spec-kit", "--dry-run", "--json", cwd=skit).json
    assert "docs/prd" not in {p.rsplit("/", 1)[0] for p in dry["unchanged"]}
    assert not (skit / "docs").exists()
    first = ygs("import", "spec-kit", "--json", cwd=skit).json
    assert len(first["written"]) == 11
    mapping = (skit / "docs/import-spec-kit.md").read_text()
    assert "| 001-user-auth/FR-001 | REQ-003 |" in mapping
    second = ygs("import", "spec-kit", "--json", cwd=skit).json
    assert second["written"] == [] and len(second["unchanged"]) == 11
    reqs = {r["id"]: r for r in trace_json(ygs, skit)["requirements"]}
    assert len(reqs) == 10  # the originals are not counted twice
    assert reqs["REQ-009"]["tests"] == ["tests/test_chat.py:1"]  # covers 002-team-chat/FR-001
    assert reqs["REQ-004"]["tasks"] == ["TASK-005"]


def test_import_openspec(ygs, ospec):
    ygs("import", "openspec", cwd=ospec)
    reqs = {r["id"]: r for r in trace_json(ygs, ospec)["requirements"]}
    assert len(reqs) == 6  # 5 imported; the proposed one stays with its change
    assert sum(1 for r in reqs if r.startswith("REQ-")) == 5
    signed = next(r for r in reqs.values() if r["title"] == "User signs in with email and password")
    assert signed["tests"] == ["tests/test_auth.py:1"]
    assert ygs("import", "openspec", "--json", cwd=ospec).json["written"] == []


def test_import_without_specs_is_a_usage_error(ygs, tmp_path):
    result = ygs("import", "openspec", cwd=tmp_path)
    assert result.code == 2 and "no openspec specs" in result.stderr


def fixture_parses():
    """(kind, format, Parsed) of every OpenSpec and spec-kit file of the fixture projects."""
    from ygs.core.formats import parse

    for root in (FIXTURES / "openspec-project", FIXTURES / "speckit-project"):
        for path in sorted(root.rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            found = classify_foreign(rel)
            if found is not None:
                yield (*found, parse(rel, path.read_text(encoding="utf-8"), *found))


def test_parsed_files_survive_the_plain_tuples_the_cache_keeps():
    from ygs.core.formats import Parsed, Req, from_plain, to_plain

    seen = set()
    for _kind, _fmt, parsed in fixture_parses():
        plain = to_plain(parsed)
        assert from_plain(plain) == parsed and type(from_plain(plain)) is Parsed
        assert all(type(r) is Req for r in from_plain(plain).reqs)
        assert not any(isinstance(x, Parsed | Req) for x in plain)
        seen.update(name for name in Parsed._fields if getattr(parsed, name))
    assert {"reqs", "tasks", "questions", "problems", "links"} <= seen


def test_what_a_cold_check_parent_keeps_of_a_parse_counts_the_same():
    from types import SimpleNamespace

    from ygs.core.formats import counted, from_plain, to_plain
    from ygs.core.formats.join import count

    full, slim = [], []
    for kind, fmt, parsed in fixture_parses():
        kept = from_plain(counted(to_plain(parsed)))
        assert [r.id for r in kept.reqs] == [r.id for r in parsed.reqs]
        assert not any(r.statement or r.name for r in kept.reqs)
        for into, value in ((full, parsed), (slim, kept)):
            into.append(SimpleNamespace(kind=kind, format=fmt, parsed=value))
    imported = frozenset({full[0].parsed.reqs[0].id}) if full[0].parsed.reqs else frozenset()
    for aliases in (frozenset(), imported):
        assert count(slim, aliases) == count(full, aliases) != (0, 0, 0)
