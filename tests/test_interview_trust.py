"""Interviews a person can trust: ygs never offers what its own checks reject, never loops,
never drops what the person typed (issue #16, section 1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from ygs.interview import engine as iv
from ygs.interview import machine as core
from ygs.interview.bank import parse_bank
from ygs.interview.prompts import ACCEPT

BANKS = sorted((REPO / "skills").glob("*/interview.yaml"))
WORDS = [
    "signing",
    "key",
    "rotation",
    "for",
    "serializers",
    "users",
    "of",
    "flask",
    "and",
    "django",
    "apps",
    "report",
    "fast",
    "scalable",
    "kafka",
    "postgres",
    "invoices",
    "late",
    "reminders",
    "3",
    "100",
    "the",
    "a",
    "of",
    "Signing",
    "API",
    "é",
]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)


@dataclass
class MemoryJournal:
    events: list = field(default_factory=list)
    path: Path = Path("memory.jsonl")

    def add(self, event) -> None:
        self.events.append(event)


@dataclass
class EnterOnly:
    """Presses Enter at every question; types only where `typed` says, or where ygs offers
    nothing for a required question (then a plain answer; a rejected one ends with done)."""

    typed: dict
    interactive: bool = True
    failures: list = field(default_factory=list)
    asks: int = 0
    stuck: set = field(default_factory=set)
    last: object = None

    def has(self, key: str) -> bool:
        return False

    def ask(self, view):
        self.asks += 1
        if self.asks > 600:
            self.failures.append(("loop", view.key))
            return "done"
        if view.is_more:
            return view.recommended
        name = view.key.rsplit(".", 1)[-1].split("[")[0]
        if view.key in self.stuck:
            self.last = "done"
        elif name in self.typed:
            self.last = self.typed[name]
        elif view.recommended in ("", [], None) and view.required:
            self.last = ["Operators lose 3 hours a week."] if view.kind == "list" else "Ops 3"
        else:
            self.last = ACCEPT
        return self.last

    def rejected(self, view, message: str) -> None:
        if self.last == ACCEPT and view.recommended not in ("", [], None):
            self.failures.append((view.key, view.recommended, message))
        self.stuck.add(view.key)

    def challenged(self, view, ask: str):
        if self.last == ACCEPT:
            self.failures.append(("challenged its own recommendation", view.key, ask))
        return "keep"

    def say(self, text: str) -> None:
        pass


def _context(title: str, project: str, requirement: str) -> dict:
    source = {
        "id": "signing-key-rotation",
        "type": "prd",
        "title": title,
        "path": "docs/prd/x.md",
        "requirements": [
            {"id": "REQ-001", "title": requirement, "priority": "MUST", "statement": requirement}
        ],
    }
    return {
        "project": project,
        "languages": ["python"],
        "idea": title,
        "today": "2026-01-01",
        "user": "",
        "design_doc": False,
        "source": source,
    }


@pytest.fixture(scope="module")
def banks():
    return [(path.parent.name, parse_bank(path.read_text())) for path in BANKS]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=phrase, project=phrase, who=phrase, what=phrase, requirement=phrase)
def test_no_recommendation_fails_its_own_checks(banks, title, project, who, what, requirement):
    typed = {"pain_who": who, "pain_what": what, "pain_frequency": f"{what} 3 times a week"}
    for name, bank in banks:
        prompter = EnterOnly(typed)
        conversation = iv.Conversation(
            bank, _context(title, project, requirement), MemoryJournal(), prompter
        )
        conversation.run()
        assert not prompter.failures, (name, prompter.failures)


def test_the_reported_titles_get_recommendations_that_pass(banks):
    """The newcomer's run: a 5-word PRD title and a 'who' that names two frameworks."""
    title = "Signing key rotation for serializers"
    who = "Users of Flask and Django apps that sign cookies"
    for name, bank in banks:
        prompter = EnterOnly({"pain_who": who})
        context = _context(title, "itsdangerous", title)
        conversation = iv.Conversation(bank, context, MemoryJournal(), prompter)
        state = conversation.run()
        assert not prompter.failures, (name, prompter.failures)
        for item in state.answers.get("entities") or []:
            assert len(str(item.get("entity_name", "")).split()) <= 4


def test_recommendation_origin_is_journalled_and_rejected_text_is_kept(banks):
    bank = dict(banks)["ygs-refine-prd"]

    @dataclass
    class Scripted(EnterOnly):
        script: list = field(default_factory=list)
        said: list = field(default_factory=list)

        def ask(self, view):
            if view.key == "pain_frequency" and self.script:
                self.said.append(view.draft)
                self.last = self.script.pop(0)
                return self.last
            return super().ask(view)

        def rejected(self, view, message):
            self.said.append(message)

    prompter = Scripted({}, script=["a few times a year per app", "a few times a year per app"])
    journal = MemoryJournal()
    state = iv.Conversation(bank, _context("Key rotation", "x", "y"), journal, prompter).run()
    assert state.answers["pain_frequency"] == "a few times a year per app"
    rule = "include a number (a target, a count, a time)"
    assert prompter.said[:3] == [None, rule, "a few times a year per app"]  # offered to edit
    kept = [k for k in state.kept if k[0] == "pain_frequency"]
    assert kept and "include a number" in kept[0][2]
    origins = {e.key: e.origin for e in journal.events if e.kind == "answer"}
    assert origins["pain_frequency"] == "typed" and origins["pain_what"] == "recommended"


def test_keep_at_a_question_is_never_written_as_text(banks):
    bank = dict(banks)["ygs-refine-prd"]
    prompter = EnterOnly({"pain_cost": "keep", "why_now": "keep"})
    state = iv.Conversation(bank, _context("Key rotation", "x", "y"), MemoryJournal(), prompter)
    answers = state.run().answers
    assert answers["pain_cost"] and "keep" not in answers["pain_cost"].lower().split()
    assert answers["why_now"] != "keep"


def test_list_answer_keeps_typed_items_and_asks_only_for_what_is_missing(banks):
    bank = dict(banks)["ygs-refine-trd"]
    mine, more = "Rotate by hand: rejected, error-prone", "A key server: rejected, too heavy"

    @dataclass
    class Lists(EnterOnly):
        shown: list = field(default_factory=list)

        def ask(self, view):
            if view.key != "decisions[0].alternatives":
                return super().ask(view)
            self.shown.append(view.draft)
            self.last = [mine] if view.draft is None else [*view.draft, more]
            return self.last

    prompter = Lists({})
    context = _context("Key rotation", "x", "y")
    state = iv.Conversation(bank, context, MemoryJournal(), prompter).run()
    assert prompter.shown == [None, [mine]]
    assert state.answers["decisions"][0]["alternatives"] == [mine, more]


def test_not_applicable_ends_the_section_and_records_why(banks):
    bank = dict(banks)["ygs-refine-trd"]
    prompter = EnterOnly({"data_model": "n/a because the library stores nothing"})
    journal = MemoryJournal()
    state = iv.Conversation(bank, _context("Key rotation", "x", "y"), journal, prompter).run()
    assert state.not_applicable == {"data_model": "the library stores nothing"}
    assert "retention" not in state.answers and "parse_boundary" not in state.answers
    assert not core.gaps(bank, _context("Key rotation", "x", "y"), state)


@pytest.fixture
def project(repo, ygs):
    assert ygs("init", cwd=repo).code == 0
    return repo


def test_terminal_rejected_answer_then_enter_keeps_the_typed_text(project):
    from tests.pty_driver import Interview

    typed = "a few times a year per app"
    session = Interview(["refine-prd", "Key rotation"], cwd=project)
    session.answer({"pain_frequency": (typed, "")})
    assert session.finish() == 0, session.transcript
    assert session.keys.count("pain_frequency") == 2  # asked again once, not forever
    assert "include a number" in session.transcript
    (path,) = (project / "docs" / "prd").glob("*.md")
    text = path.read_text()
    assert typed in text and "About 10 times a week" not in text
    assert "kept as typed although it fails a check" in text.split("## Open questions", 1)[1]


def test_non_interactive_without_answers_file_exits_3_with_a_ready_to_fill_file(ygs, project):
    result = ygs("refine-prd", "Rotate keys for Flask apps", "--non-interactive", cwd=project)
    assert result.code == 3, result.stderr
    assert "no answer for required question 'problem'" in result.stderr
    assert "answers file" in result.stderr and "problem: …" in result.stderr
    assert "fix the answer in the answers file" not in result.stderr
    assert not list((project / "docs" / "prd").glob("*.md"))


def test_accepted_defaults_are_marked_assumed_and_block_approval_until_confirmed(ygs, project):
    result = ygs(
        "refine-prd", "Overdue invoice reminders", "--non-interactive", "--json", cwd=project
    )
    assert result.code == 0, result.stderr
    assert result.json["assumptions"] > 10
    path = project / result.json["path"]
    text = path.read_text()
    assert (
        "About 10 times a week (estimate; confirm from support tickets or logs) [assumed]" in text
    )
    assert "### REQ-001: Support overdue invoice reminders\n" in text  # names stay clean
    assert "[assumed]" not in (project / "CONTEXT.md").read_text()
    journal = Path(result.json["journal"]).read_text()
    assert '"origin": "recommended"' in journal
    draft = ygs("check", result.json["path"], "--json", cwd=project)
    (finding,) = [f for f in draft.json["findings"] if f["rule"] == "ART014"]
    assert finding["severity"] == "SHOULD" and draft.code == 0
    status = ygs("status", "--json", cwd=project).json
    assert status["assumptions"] == {result.json["path"]: result.json["assumptions"]}
    review = ygs("review-prd", result.json["path"], "--offline", "--json", cwd=project)
    assert review.json["assumptions"] == result.json["assumptions"]
    assert "rules only, no model" in review.stderr
    path.write_text(text.replace("status: draft", "status: approved"))
    approved = ygs("check", result.json["path"], "--json", cwd=project)
    (finding,) = [f for f in approved.json["findings"] if f["rule"] == "ART014"]
    assert finding["severity"] == "MUST" and approved.code == 1
    path.write_text(text.replace(" [assumed]", ""))  # edited and confirmed by hand
    assert not [
        f
        for f in ygs("check", result.json["path"], "--json", cwd=project).json["findings"]
        if f["rule"] == "ART014"
    ]
    path.write_text(text)
    refined = ygs("refine-prd", "--from", str(path), "--non-interactive", "--json", cwd=project)
    assert refined.code == 0, refined.stderr
    assert refined.json["assumptions"] == 0 and "[assumed]" not in path.read_text()


TARGETS = {"ygs-refine-prd": 15, "ygs-refine-trd": 20}  # light depth, stated in each bank


@pytest.mark.parametrize("skill", sorted(TARGETS))
def test_question_count_targets_per_depth(banks, skill, capsys):
    from ygs.core.detect import Profile

    bank = dict(banks)[skill]
    text = (REPO / "skills" / skill / "interview.yaml").read_text()
    assert f"light: at most {TARGETS[skill]} questions" in text  # the target is in the bank
    counts = {}
    for depth, kind in (("light", "library"), ("standard", "service"), ("heavy", "service")):
        context = {**_context("Key rotation", "signet", "Rotate keys"), "depth": depth}
        context["repo"] = Profile(kind).to_dict()
        prompter = EnterOnly({})
        state = iv.Conversation(bank, context, MemoryJournal(), prompter).run()
        assert state.answers["depth"] == depth and not prompter.failures
        counts[depth] = state.asked
    with capsys.disabled():
        print(f"\n{skill}: questions by depth {counts} (target light <= {TARGETS[skill]})")
    assert counts["light"] <= TARGETS[skill] < counts["standard"] <= counts["heavy"]
