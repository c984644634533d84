"""Interviews that write artifacts: the loop, the journal, and writing the result.

The state machine is `ygs.interview.machine`; this module connects it to a
Prompter (terminal or answers file), an optional model Advisor, the journal
and the artifact store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ygs.errors import YgsError
from ygs.interview import machine as core
from ygs.interview.answers import (
    Accepted,
    Challenged,
    Rejected,
    as_text,
    coerce,
    describe,
    interpret,
    offerable,
)
from ygs.interview.bank import Bank, parse_bank
from ygs.interview.journal import Journal, sessions_dir
from ygs.interview.prompts import (
    ACCEPT,
    COMMANDS,
    NOT_APPLICABLE,
    Prompter,
    View,
    help_text,
    missing_answer,
)


@dataclass(frozen=True)
class Spec:
    """What one interview command produces."""

    skill: str  # e.g. "ygs-refine-prd"
    kind: str  # artifact type, e.g. "prd"
    links: dict[str, str] = field(default_factory=dict)  # frontmatter links: {"prd": "alerts"}
    status: str = "draft"


def load_skill(project, name: str):
    from ygs import skills

    loaded, _ = skills.load(skills.sources(project.root, project.config["skills.paths"]))
    skill = loaded.get(name)
    if skill is None:
        raise YgsError(f"skill '{name}' is not installed in any pack", remedy="ygs skills list")
    return skill


def load_bank(skill) -> tuple[Bank, str]:
    """The skill's question bank, parsed; bad YAML or schema exits 2 with file:line."""
    path = skill.interview_path
    if path is None:
        raise YgsError(f"{skill.name} has no interview.yaml", path=str(skill.folder))
    from ygs.store import read_text

    text = read_text(path)
    bank = parse_bank(text)
    if not isinstance(bank, Bank):
        first = bank[0]
        raise YgsError(
            first.message,
            path=str(path),
            line=first.line,
            details=[f"{path}:{p.line}: {p.message}" for p in bank[1:]],
            remedy="see the interview.yaml schema in skills/README.md",
        )
    return bank, hashlib.sha256(text.encode()).hexdigest()[:12]


def view_of(
    prompt: core.Prompt, state: core.State, context: dict, prior: dict | None, bank: Bank
) -> View:
    recommended = core.recommendation(prompt, state, context, prior)
    if prompt.is_more:
        repeat = prompt.dimension.repeat
        return View(
            prompt.key,
            core.label(prompt),
            repeat.more,
            "",
            "more",
            bool(recommended),
            is_more=True,
            progress=f"({len(state.answers.get(repeat.key, []))} so far)",
        )
    q = prompt.question
    total = state.asked + core.remaining(bank, context, state)
    return View(
        prompt.key,
        core.label(prompt),
        q.prompt,
        q.why,
        q.kind,
        offerable(q, recommended),
        help=q.help,
        choices=q.choices,
        unit=q.unit,
        required=q.required,
        progress=f"(question {state.asked + 1} of about {max(total, state.asked + 1)})",
        rules=tuple(describe(v) for v in q.validators),
        section=prompt.dimension.title,
    )


def recommendation_origin(state: core.State, prior: dict | None, prompt: core.Prompt) -> str:
    """Where the value Enter accepts came from (see machine.Event.origin)."""
    if state.revising is not None:
        return "typed"
    found, value = core.prior_value(prior, prompt)
    if found and value not in (None, "", []):
        return "document"
    return "recommended"


@dataclass
class Conversation:
    bank: Bank
    context: dict
    journal: Journal
    prompter: Prompter
    advisor: Any = None  # model mode: tailors questions and adds follow-ups
    prior: dict | None = None  # answers read from the artifact being refined in place
    drafts: dict = field(default_factory=dict)  # key -> (rejected typed answer, why)

    def state(self) -> core.State:
        try:
            return core.fold(self.bank, self.context, self.journal.events)
        except core.JournalMismatch as err:
            raise YgsError(
                str(err),
                path=str(self.journal.path),
                remedy="start a new interview (without --resume)",
            ) from None

    def run(self) -> core.State:
        state = self.state()
        while not state.complete:
            view = view_of(state.prompt, state, self.context, self.prior, self.bank)
            if view.key in self.drafts:
                draft, problem = self.drafts[view.key]
                view = replace(view, draft=draft, problem=problem)
            asks_model = not view.is_more and view.key != "depth"  # sizing is ygs's own call
            if self.advisor is not None and asks_model and not self.prompter.has(view.key):
                view = self.advisor.tailor(view, state, self)
                if view is None:  # the advisor recorded a follow-up or finished
                    state = self.state()
                    continue
            event = self.turn(state, view)
            if event is not None:
                self.journal.add(event)
                state = self.state()
        return state

    def turn(self, state: core.State, view: View) -> core.Event | None:
        raw = self.prompter.ask(view)
        command = raw.strip().lower() if isinstance(raw, str) else None
        if command == "?":
            self.prompter.say(help_text(view))
            return None
        if command == "back":
            if not self.journal.events:
                self.prompter.say("  Nothing to go back to.")
                return None
            return core.Event("back")
        if command == "done":
            return core.Event("finish")
        if command is not None and command.startswith(NOT_APPLICABLE):
            return self._not_applicable(view, raw)
        if view.is_more:
            return self._more(view, raw)
        if command == "skip":
            if view.required:
                self.prompter.rejected(view, "this question is required; it cannot be skipped")
                return None
            return core.Event("answer", view.key, None)
        return self._answer(state, view, raw)

    def _more(self, view: View, raw: Any) -> core.Event | None:
        if isinstance(raw, bool):
            return core.Event("more", view.key, raw)
        text = str(raw).strip().lower()
        if text in ("y", "yes", "n", "no"):
            return core.Event("more", view.key, text.startswith("y"))
        self.prompter.rejected(view, "answer y or n")
        return None

    def _not_applicable(self, view: View, raw: Any) -> core.Event | None:
        reason = str(raw).strip()[len(NOT_APPLICABLE) :].strip(" :-—")
        reason = reason.removeprefix("because").strip(" :,")
        if not reason:
            self.prompter.rejected(view, f"say why: `{NOT_APPLICABLE} because …`")
            return None
        return core.Event("not_applicable", view.key, None, note=reason, origin="typed")

    def _answer(self, state: core.State, view: View, raw: Any) -> core.Event | None:
        draft, _ = self.drafts.pop(view.key, (None, ""))
        if isinstance(raw, str) and raw.strip().lower() == "keep":
            raw = ACCEPT  # `keep` at a question keeps what is shown, never the word itself
        origin = "typed" if self.prompter.interactive else "file"
        if raw == ACCEPT and draft is not None:
            raw = draft
        elif raw == ACCEPT:
            if view.recommended in ("", [], None) and view.required:
                if not self.prompter.interactive:
                    raise missing_answer(view.key, state.answers)
            else:
                model = view.rationale or self.advisor is not None
                origin = "model" if model else self._origin(state)
            raw = view.recommended
        elif draft is not None and raw != draft:
            origin = "edited"
        question = state.prompt.question
        outcome = interpret(question, raw)
        if isinstance(outcome, Challenged) and origin in ("recommended", "document", "model"):
            outcome = Accepted(outcome.value)  # never challenge ygs's own words or the doc's
        while isinstance(outcome, Challenged):
            reply = self.prompter.challenged(view, outcome.ask)
            text = reply.strip().lower() if isinstance(reply, str) else None
            if text in ("keep", ACCEPT) or (text in COMMANDS):
                return core.Event(
                    "answer", view.key, outcome.value, outcome.words, outcome.ask, origin
                )
            outcome, origin = interpret(question, reply), "edited"
        if isinstance(outcome, Rejected):
            return self._rejected(question, view, raw, draft, outcome, origin)
        assert isinstance(outcome, Accepted)
        return core.Event("answer", view.key, outcome.value, origin=origin)

    def _origin(self, state: core.State) -> str:
        return recommendation_origin(state, self.prior, state.prompt)

    def _rejected(
        self, question, view: View, raw: Any, draft: Any, outcome: Rejected, origin: str
    ) -> core.Event | None:
        """Keep what the person typed: offered again to edit; sent unchanged a second
        time, it is kept as an answer with an open question (never a loop, never lost)."""
        typed = raw not in ("", [], None) and origin in ("typed", "edited")
        if typed and draft is not None and raw == draft:
            value = _shaped(question, raw)
            if value is not None:
                return core.Event("answer", view.key, value, (), outcome.message, origin)
        if typed:
            self.drafts[view.key] = (raw, outcome.message)
        self.prompter.rejected(view, outcome.message)
        return None


def _shaped(question, raw: Any) -> Any:
    """The typed answer in the question's shape, or None when it has no such shape."""
    try:
        value = coerce(question, raw)
    except ValueError:
        return None
    return None if value in ("", []) else value


def summary(bank: Bank, state: core.State) -> str:
    lines = ["Summary:"]
    for dim in bank.dimensions:
        if dim.repeat is not None:
            items = state.answers.get(dim.repeat.key) or []
            lines.append(f"  {dim.title}: {len(items)}")
            for item in items:
                first = next((as_text(v) for v in item.values() if v), "")
                lines.append(f"    - {first[:90]}")
            continue
        for q in dim.questions:
            if q.id in state.answers:
                lines.append(f"  {q.id}: {as_text(state.answers[q.id])[:100]}")
    for key, words, ask in state.kept:
        lines.append(f"  open question on {key}: {author_kept(words, ask)}")
    for dim_id, reason in state.not_applicable.items():
        lines.append(f"  not applicable: {dim_id} ({reason})")
    return "\n".join(lines)


def author_kept(words: tuple[str, ...], ask: str) -> str:
    from ygs.interview.author import kept_text

    return kept_text(words, ask)


def context_for(project, *, idea: str = "", source=None, design_doc: bool = False) -> dict:
    from ygs.core.detect import suggested_depth
    from ygs.init import profile

    cfg = project.config
    user = ""
    if project.is_git:
        from ygs import repo

        user = repo.user_name(project.root)
    found = profile(project.root)
    name = cfg["project.name"]
    if name == project.root.name:  # the folder's name is nobody's word for the project
        name = found.name
    src = source_context(project, source) if source is not None else None
    return {
        "project": name,
        "repo": found.to_dict(),
        "depth": suggested_depth(found.kind, len((src or {}).get("requirements") or [])),
        "languages": cfg["project.languages"],
        "test_command": cfg["commands.test"],
        "build_command": cfg["commands.build"],
        "base_branch": cfg["git.base_branch"],
        "today": date.today().isoformat(),
        "user": user,
        "idea": idea,
        "design_doc": design_doc,
        "source": src,
    }


def source_context(project, artifact) -> dict:
    """The linked input artifact, with the requirements it carries (or links to)."""
    from ygs.core import markdown, specs

    prd = artifact
    if artifact.kind != "prd" and artifact.meta.get("prd"):
        prd = project.catalog.find(str(artifact.meta["prd"])) or artifact
    requirements = []
    if prd.kind == "prd":
        for req in specs.requirements_of(prd, markdown.Doc(prd.body, prd.body_line)):
            statement = req.field("statement")
            requirements.append(
                {
                    "id": req.id,
                    "title": req.title,
                    "priority": req.priority,
                    "statement": statement.value if statement else "",
                    "scenarios": [b.text for b in req.scenarios],
                }
            )
    return {
        "id": artifact.id,
        "type": artifact.kind,
        "title": artifact.title,
        "path": artifact.path,
        "requirements": requirements,
    }


def start_or_resume(project, skill: str, bank_hash: str, header: dict, *, resume: bool) -> Journal:
    from ygs.interview.journal import latest_unfinished

    if resume:
        journal = latest_unfinished(project.root, skill)
        if journal is None:
            raise YgsError(
                f"no unfinished {skill} interview to resume",
                remedy="start a new one without --resume",
            )
        if journal.header.get("bank") != bank_hash:
            from ygs.cli.output import log

            log(
                "note: the question bank changed since this interview started; answers are kept "
                "where the questions still match"
            )
        return journal
    from ygs.store import state_folder

    header = {"bank": bank_hash, "version": 1, **header}
    state_folder(project.root, sessions_dir(project.root).name)  # no link on the way
    return Journal.start(sessions_dir(project.root), skill, header)


def interrupted(journal: Journal) -> YgsError:
    return YgsError(
        f"interrupted; every answer so far is saved in {journal.path.name}",
        code=130,
        remedy="continue with --resume",
    )
