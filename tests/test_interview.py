"""Offline interviews: a real terminal, answers files, kill and resume, replay, refine in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.pty_driver import Interview
from ygs.core import frontmatter

FIXTURES = REPO / "tests" / "fixtures" / "templates"


def fixture_answers(name: str) -> dict:
    return yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())["answers"]


def write_answers(folder: Path, data: dict, name: str = "answers.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def project(repo, ygs):
    assert ygs("init", cwd=repo).code == 0
    return repo


def only_prd(project: Path) -> tuple[Path, frontmatter.Document]:
    (path,) = sorted((project / "docs" / "prd").glob("*.md"))
    return path, frontmatter.parse(path.read_text())


def test_answers_file_writes_a_prd_with_ids_scenarios_and_non_goals(ygs, project, tmp_path):
    answers = write_answers(tmp_path, fixture_answers("prd"))
    result = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project)
    assert result.code == 0, result.stderr
    data = result.json
    path, doc = only_prd(project)
    assert data["path"] == path.relative_to(project).as_posix()
    assert doc.meta["type"] == "prd" and doc.meta["id"] == data["id"] == "overdue-invoice-reminders"
    for needle in (
        "### REQ-001:",
        "### REQ-002:",
        "## Non-goals",
        "- Given ",
        "**Failure mode:** If",
    ):
        assert needle in doc.body
    assert "| Days-sales-outstanding |" in (project / "CONTEXT.md").read_text()
    assert "glossary term(s) added to CONTEXT.md" in data["notes"][0]
    journal = Path(data["journal"])
    assert journal.is_file() and '"t": "written"' in journal.read_text()


def test_missing_required_answer_exits_3_naming_the_key(ygs, project, tmp_path):
    partial = {k: v for k, v in fixture_answers("prd").items() if k != "title"}
    result = ygs("refine-prd", "--answers", str(write_answers(tmp_path, partial)), cwd=project)
    assert result.code == 3  # no idea on the command line, so no recommended title either
    assert "no answer for required question 'title'" in result.stderr
    assert not list((project / "docs" / "prd").glob("*.md"))


def test_invalid_answer_in_file_exits_2_naming_file_and_line(ygs, project, tmp_path):
    data = fixture_answers("prd")
    data["requirements"][0]["priority"] = "URGENT"
    path = write_answers(tmp_path, data)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "URGENT" in text)
    result = ygs("refine-prd", "--answers", str(path), cwd=project)
    assert result.code == 2
    assert f"{path}:{line}: answer for 'requirements[0].priority'" in result.stderr


def test_malformed_interview_yaml_exits_2_naming_file_and_line(ygs, project):
    override = project / ".ygs" / "skills" / "ygs-refine-prd"
    override.mkdir(parents=True)
    (override / "SKILL.md").write_text(
        (REPO / "skills" / "ygs-refine-prd" / "SKILL.md").read_text()
    )
    (override / "interview.yaml").write_text("version: 1\ndimensions:\n  - id: [x\n")
    result = ygs("refine-prd", "--non-interactive", cwd=project)
    assert result.code == 2
    assert f"{override}/interview.yaml:" in result.stderr and "malformed YAML" in result.stderr


def test_vague_answer_is_challenged_and_kept_as_open_question(ygs, project, tmp_path):
    data = fixture_answers("prd")
    data["requirements"][0]["statement"] = "When a reminder is due, the system MUST send it fast."
    result = ygs(
        "refine-prd", "--answers", str(write_answers(tmp_path, data)), "--json", cwd=project
    )
    assert result.code == 0
    assert result.json["open_questions"] == ["requirements[0].statement"]
    _, doc = only_prd(project)
    open_questions = doc.body.split("## Open questions", 1)[1]
    assert "fast" in open_questions and "100 ms" in open_questions


def test_terminal_interview_end_to_end(project):
    session = Interview(["refine-prd", "Overdue invoice reminders"], cwd=project)
    session.answer(
        {
            "capabilities[0].capability": "Reminder schedule per account",
            "requirements[0].title": "Send reminders on schedule",
        }
    )
    assert session.finish() == 0, session.transcript
    assert "Wrote docs/prd/" in session.transcript
    _, doc = only_prd(project)
    assert doc.meta["id"] == "overdue-invoice-reminders"
    assert "### REQ-001: Send reminders on schedule" in doc.body
    assert "- Given " in doc.body.split("### REQ-001", 1)[1]
    non_goals = doc.body.split("## Non-goals", 1)[1].split("##", 1)[0]
    assert non_goals.strip() and "TBD" not in non_goals


@pytest.mark.parametrize("k", [1, 4, 9])
def test_sigkill_after_k_answers_then_resume_recovers_them(project, tmp_path, ygs, k):
    typed = {
        "title": "Reminders that arrive on time",
        "pain_what": "Reminders go out late",
        "pain_who": "Account managers, about 1,200",
        "pain_frequency": "3,400 invoices a month",
        "pain_cost": "6 days later payment on average",
        "why_now": "Churn in Q3 named it",
        "problem": "Account managers chase overdue invoices by hand, so clients pay late.",
        "target_users": ["Account managers (1,200)"],
        "success_criteria": ["Median DSO falls from 38 to 32 days within 90 days"],
    }
    session = Interview(["refine-prd"], cwd=project)
    session.answer(typed, stop_after=k)
    session.kill()
    (journal,) = (project / ".ygs" / "sessions").glob("ygs-refine-prd-*.jsonl")
    events = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    assert [e["key"] for e in events] == session.keys[:k]
    rest = write_answers(tmp_path, fixture_answers("prd"))
    result = ygs("refine-prd", "--resume", "--answers", str(rest), "--json", cwd=project)
    assert result.code == 0, result.stderr
    _, doc = only_prd(project)
    for key in session.keys[:k]:
        value = typed.get(key)
        if isinstance(value, str) and key != "title":
            assert value in doc.body, key
    if "title" in session.keys[:k]:
        assert doc.meta["title"] == typed["title"]


def test_an_answer_with_a_private_key_keeps_the_journal_json_and_resume_recovers(
    project, tmp_path, ygs
):
    typed = {
        "title": "Reminders that arrive on time",
        "pain_what": "-----BEGIN A PRIVATE KEY-----",  # the minimal repro: no END line
        "pain_who": "Account managers, about 1,200",
    }
    session = Interview(["refine-prd"], cwd=project)
    session.answer(typed, stop_after=4)  # depth, title, pain_what, pain_who
    session.kill()
    (journal,) = (project / ".ygs" / "sessions").glob("ygs-refine-prd-*.jsonl")
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert all(isinstance(line, dict) for line in lines)  # every line is still a JSON object
    assert "BEGIN A PRIVATE KEY" not in journal.read_text()
    assert [e["key"] for e in lines[1:]] == session.keys[:4]
    rest = write_answers(tmp_path, fixture_answers("prd"))
    result = ygs("refine-prd", "--resume", "--answers", str(rest), "--json", cwd=project)
    assert result.code == 0, result.stderr
    _, doc = only_prd(project)
    assert doc.meta["title"] == typed["title"] and "Account managers, about 1,200" in doc.body


@pytest.mark.parametrize("bad", ["[1, 2]", '"text"', "3", "null", '{"t": "answer", "kept": 5}'])
def test_a_journal_line_that_is_json_but_not_an_event_is_exit_2_with_file_line(project, ygs, bad):
    sessions = project / ".ygs" / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    journal = sessions / "ygs-refine-prd-20260101T000000-abcd.jsonl"
    start = {"t": "start", "skill": "ygs-refine-prd", "bank": "x", "context": {}}
    answer = {"t": "answer", "key": "title", "value": "T"}
    journal.write_text("\n".join([json.dumps(start), bad, json.dumps(answer)]) + "\n")
    result = ygs("refine-prd", "--resume", "--non-interactive", cwd=project)
    assert result.code == 2, result.stderr
    assert f"{journal}:2" in result.stderr and "Traceback" not in result.stderr


def test_resume_without_an_unfinished_session_is_a_clear_error(ygs, project):
    result = ygs("refine-prd", "--resume", "--non-interactive", cwd=project)
    assert result.code == 2 and "no unfinished" in result.stderr


def test_replay_regenerates_from_the_journal(ygs, project, tmp_path):
    answers = write_answers(tmp_path, fixture_answers("prd"))
    first = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project).json
    path = project / first["path"]
    original = path.read_text()
    path.write_text("edited by hand\n")
    journal = Path(first["journal"]).name
    refused = ygs("refine-prd", "--replay", journal, cwd=project)
    assert refused.code == 2 and "--force" in refused.stderr  # README: never without --force
    assert path.read_text() == "edited by hand\n"
    result = ygs("refine-prd", "--replay", journal, "--force", "--json", cwd=project)
    assert result.code == 0, result.stderr
    assert path.read_text() == original
    backups = list((project / ".ygs" / "backups").glob("*.bak"))
    assert [b.read_text() for b in backups] == ["edited by hand\n"]  # the hand edit is kept


def test_existing_file_is_never_overwritten_without_force(ygs, project, tmp_path):
    answers = write_answers(tmp_path, fixture_answers("adr"))
    first = ygs("adr", "Use an outbox", "--answers", str(answers), "--json", cwd=project)
    assert first.code == 0, first.stderr
    second = ygs("adr", "Use an outbox", "--answers", str(answers), "--json", cwd=project)
    assert second.code == 0 and second.json["id"] == "ADR-0002"  # a new number, not a clash


def test_refine_in_place_keeps_ids(ygs, project, tmp_path):
    answers = write_answers(tmp_path, fixture_answers("prd"))
    first = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project).json
    path = project / first["path"]
    text = (
        path.read_text()
        .replace("### REQ-001:", "### REQ-007:")
        .replace("### REQ-002:", "### REQ-009:")
    )
    path.write_text(text)
    change = write_answers(
        tmp_path,
        {"problem": "Invoices are chased by hand, so clients pay 6 days late."},
        "change.yaml",
    )
    result = ygs("refine-prd", "--from", str(path), "--answers", str(change), "--json", cwd=project)
    assert result.code == 0, result.stderr
    body = path.read_text()
    assert "### REQ-007:" in body and "### REQ-009:" in body and "REQ-001" not in body
    assert "Invoices are chased by hand" in body
    assert result.json["path"] == first["path"]


def test_adr_and_supersede(ygs, project, tmp_path):
    answers = write_answers(tmp_path, fixture_answers("adr"))
    first = ygs("adr", "Use an outbox", "--answers", str(answers), "--json", cwd=project).json
    assert first["path"] == "docs/adr/0001-use-an-outbox.md" or first["path"].startswith(
        "docs/adr/0001-"
    )
    second = ygs(
        "adr",
        "supersede",
        "1",
        "Use change data capture",
        "--answers",
        str(answers),
        "--json",
        cwd=project,
    )
    assert second.code == 0, second.stderr
    old = frontmatter.parse((project / first["path"]).read_text()).meta
    new = frontmatter.parse((project / second.json["path"]).read_text()).meta
    assert old["status"] == "superseded" and old["superseded_by"] == second.json["id"]
    assert new["supersedes"] == first["id"]


@pytest.mark.parametrize(
    ("command", "fixture", "folder"),
    [
        (["refine-trd"], "trd", "docs/trd"),
        (["refine-architecture"], "architecture", "docs/architecture"),
        (["refine-architecture", "--design-doc"], "design-doc", "docs/design"),
        (["threat-model"], "threat-model", "docs/threat-models"),
    ],
)
def test_every_artifact_type_can_be_written(ygs, project, tmp_path, command, fixture, folder):
    prd = write_answers(tmp_path, fixture_answers("prd"), "prd.yaml")
    assert ygs("refine-prd", "--answers", str(prd), cwd=project).code == 0
    trd = write_answers(tmp_path, fixture_answers("trd"), "trd.yaml")
    assert ygs("refine-trd", "--answers", str(trd), cwd=project).code == 0
    answers = write_answers(tmp_path, fixture_answers(fixture))
    result = ygs(*command, "--answers", str(answers), "--json", cwd=project)
    assert result.code == 0, result.stderr
    assert result.json["path"].startswith(folder + "/")
    doc = frontmatter.parse((project / result.json["path"]).read_text())
    assert doc.meta["type"] == fixture
