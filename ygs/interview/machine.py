"""The interview as a pure state machine: (question bank, events) → state and the next prompt.

Events are what the journal stores, one per line, fsynced as they happen.
Folding them again reproduces the state exactly, which is what makes
`--resume` after a crash and `--replay` after a template upgrade work.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ygs.interview.bank import DEPTHS, Bank, Dimension, Question

UNDOABLE = ("answer", "more", "followup", "not_applicable")


@dataclass(frozen=True)
class Prompt:
    key: str  # answers-file key: "problem", "requirements[1].statement", "requirements[2]"
    dimension: Dimension
    question: Question | None = None  # None for "add another item?"
    item: int | None = None

    @property
    def is_more(self) -> bool:
        return self.question is None


@dataclass(frozen=True)
class Event:
    kind: str  # answer | more | back | finish | followup
    key: str = ""
    value: Any = None
    kept: tuple[str, ...] = ()
    note: str = ""  # the follow-up question, or the challenge that was kept
    # where the answer came from: typed | edited | recommended (ygs's offline default,
    # an assumption) | model | file | document (the artifact being refined)
    origin: str = ""

    def to_json(self) -> dict:
        data: dict[str, Any] = {"t": self.kind}
        if self.key:
            data["key"] = self.key
        if self.kind in UNDOABLE:
            data["value"] = self.value
        if self.kept:
            data["kept"] = list(self.kept)
        if self.note:
            data["note"] = self.note
        if self.origin:
            data["origin"] = self.origin
        return data

    @classmethod
    def from_json(cls, data: dict) -> Event:
        return cls(
            kind=str(data.get("t", "")),
            key=str(data.get("key", "")),
            value=data.get("value"),
            kept=tuple(data.get("kept", ())),
            note=str(data.get("note", "")),
            origin=str(data.get("origin", "")),
        )


@dataclass
class State:
    answers: dict[str, Any]
    prompt: Prompt | None  # None: every question has an answer (or the person said done)
    asked: int = 0
    kept: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    revising: Any = None  # the answer being revised after `back`
    finished_early: bool = False
    origins: dict[str, str] = field(default_factory=dict)  # prompt key -> Event.origin
    not_applicable: dict[str, str] = field(default_factory=dict)  # dimension id -> reason

    @property
    def complete(self) -> bool:
        return self.prompt is None


class JournalMismatch(ValueError):
    """The journal does not fit this question bank (it was edited, or the bank changed)."""


# A bank expression that fails (a typo, a missing answer) means "unknown", never a crash.
_BANK_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError)


@lru_cache(maxsize=1)
def _jinja():
    from jinja2 import ChainableUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=ChainableUndefined)


@lru_cache(maxsize=1024)
def _compiled(source: str, as_expression: bool):
    """The compiled expression or template, or None when it does not compile."""
    from jinja2 import TemplateError

    try:
        if as_expression:
            return _jinja().compile_expression(source, undefined_to_none=True)
        return _jinja().from_string(source)
    except TemplateError:
        return None


def expression(source: str, answers: dict, item: dict | None, context: dict) -> Any:
    """Evaluate a Jinja expression from the bank; errors count as 'unknown' (None)."""
    from jinja2 import TemplateError

    compiled = _compiled(source, True)
    try:
        return (
            None
            if compiled is None
            else compiled(answers=answers, item=item or {}, context=context)
        )
    except (TemplateError, *_BANK_ERRORS):
        return None


def render_text(source: str, answers: dict, item: dict | None, context: dict) -> str:
    """Render a Jinja string from the bank; a failure gives an empty string, never an error."""
    from jinja2 import TemplateError

    template = _compiled(source, False)
    try:
        return (
            ""
            if template is None
            else template.render(answers=answers, item=item or {}, context=context)
        )
    except (TemplateError, *_BANK_ERRORS):
        return ""


def finished(answers: dict, key: str, index: int) -> dict:
    """The answers as a bank expression sees them inside item `index`: earlier items only."""
    return {**answers, key: answers.get(key, [])[:index]}


def _deep_enough(question: Question, answers: dict) -> bool:
    chosen = answers.get("depth")
    if chosen not in DEPTHS:
        return True  # no sizing answer (yet): every question
    return DEPTHS.index(question.depth) <= DEPTHS.index(chosen)


def _asked(question: Question, answers: dict, item: dict | None, context: dict) -> bool:
    if not _deep_enough(question, answers):
        return False
    if question.when is None:
        return True
    result = expression(question.when, answers, item, context)
    return True if result is None and "context." not in question.when else bool(result)


def _walk(
    bank: Bank, context: dict, answers: dict, skipped: dict | None = None
) -> Iterator[Prompt]:
    """Prompts in order; reads `answers` lazily, so conditions see every earlier answer.
    `skipped` (dimension id -> reason) is read lazily too: a section marked not
    applicable ends at once."""
    skipped = {} if skipped is None else skipped
    for dim in bank.dimensions:
        if dim.id in skipped:
            continue
        if dim.repeat is None:
            for q in dim.questions:
                if dim.id in skipped:
                    break
                if _asked(q, answers, None, context):
                    yield Prompt(q.id, dim, q)
            continue
        if not any(_asked(q, answers, {}, context) for q in dim.questions):
            continue
        key = dim.repeat.key
        items = answers.setdefault(key, [])
        index = 0
        while index < dim.repeat.max and dim.id not in skipped:
            if index >= dim.repeat.min:
                yield Prompt(f"{key}[{index}]", dim, None, index)
                if len(items) <= index:
                    break
            if len(items) <= index:
                items.append({})
            for q in dim.questions:
                if dim.id in skipped:
                    break
                if _asked(q, finished(answers, key, index), items[index], context):
                    yield Prompt(f"{key}[{index}].{q.id}", dim, q, index)
            index += 1


def _normalise(events: list[Event]) -> tuple[list[Event], Any]:
    """Apply `back`: each one removes the latest answer. Returns (events, value being revised)."""
    kept: list[Event] = []
    revising = None
    for event in events:
        if event.kind == "back":
            while kept and kept[-1].kind not in UNDOABLE:
                kept.pop()
            revising = kept.pop().value if kept else None
        else:
            kept.append(event)
            revising = None
    return kept, revising


def _apply(answers: dict, prompt: Prompt, event: Event) -> None:
    if prompt.is_more:
        if event.value:
            answers[prompt.dimension.repeat.key].append({})
        return
    if prompt.item is None:
        answers[prompt.question.id] = event.value
    else:
        answers[prompt.dimension.repeat.key][prompt.item][prompt.question.id] = event.value


def fold(bank: Bank, context: dict, events: list[Event]) -> State:
    events, revising = _normalise(events)
    answers: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    walk = _walk(bank, context, answers, skipped)
    prompt = next(walk, None)
    state = State(answers, prompt, revising=revising, not_applicable=skipped)
    for event in events:
        if event.kind == "finish":
            state.prompt, state.finished_early = None, True
            break
        if event.kind == "followup":
            answers.setdefault("follow_ups", []).append(
                {"question": event.note, "answer": event.value}
            )
            continue
        if event.kind == "not_applicable" and prompt is not None:
            skipped[prompt.dimension.id] = event.note
            _drop_partial(answers, prompt)
            prompt = next(walk, None)
            state.prompt = prompt
            continue
        if prompt is None or event.key != prompt.key:
            expected = prompt.key if prompt else "the end of the interview"
            raise JournalMismatch(
                f"the journal answers '{event.key}' where the bank asks {expected}"
            )
        _apply(answers, prompt, event)
        if event.origin:
            state.origins[event.key] = event.origin
        if event.kept or (event.note and event.kind == "answer"):
            state.kept.append((event.key, event.kept, event.note))
        state.asked += 1
        prompt = next(walk, None)
        state.prompt = prompt
    return state


def _drop_partial(answers: dict, prompt: Prompt) -> None:
    """A section marked not applicable keeps none of its half-answered group item."""
    repeat = prompt.dimension.repeat
    if repeat is not None and prompt.item is not None:
        items = answers.get(repeat.key) or []
        del items[prompt.item :]


def remaining(bank: Bank, context: dict, state: State) -> int:
    """About how many prompts are still to come: group items counted at their minimum."""
    answers = copy.deepcopy(state.answers)
    count = 0
    for prompt in _walk(bank, context, answers, dict(state.not_applicable)):
        if prompt.is_more:
            continue
        item = _item(answers, prompt)
        target = item if item is not None else answers
        if prompt.question.id not in target:
            count += 1
            target[prompt.question.id] = None
    return count


def prior_value(prior: dict | None, prompt: Prompt) -> tuple[bool, Any]:
    """The answer an existing artifact already gives at this prompt (refining in place)."""
    if not prior:
        return False, None
    if prompt.item is None:
        return (prompt.question.id in prior), prior.get(prompt.question.id)
    items = prior.get(prompt.dimension.repeat.key) or []
    if prompt.item >= len(items):
        return False, None
    if prompt.is_more:
        return True, True
    item = items[prompt.item]
    return (prompt.question.id in item), item.get(prompt.question.id)


def recommendation(prompt: Prompt, state: State, context: dict, prior: dict | None = None) -> Any:
    """What Enter accepts: the answer being revised, the existing artifact's answer, else the
    bank's rendered recommendation."""
    if state.revising is not None:
        return state.revising
    found, value = prior_value(prior, prompt)
    if found and value not in (None, "", []):
        return value
    if prompt.is_more:
        return prompt.item < prompt.dimension.repeat.min
    item = _item(state.answers, prompt)
    answers = state.answers
    if prompt.item is not None:
        answers = finished(answers, prompt.dimension.repeat.key, prompt.item)
    raw = prompt.question.recommended
    if isinstance(raw, list):
        rendered = [render_text(str(x), answers, item, context).strip() for x in raw]
        return [x for x in rendered if x]
    return render_text(str(raw), answers, item, context).strip()


def _item(answers: dict, prompt: Prompt) -> dict | None:
    if prompt.item is None:
        return None
    return answers[prompt.dimension.repeat.key][prompt.item]


def gaps(bank: Bank, context: dict, state: State) -> list[str]:
    """Required questions still unanswered if the interview stopped now."""
    answers = copy.deepcopy(state.answers)
    found: list[str] = []
    for prompt in _walk(bank, context, answers, dict(state.not_applicable)):
        if prompt.is_more:
            continue  # no more items: the group keeps what it has
        item = _item(answers, prompt)
        current = (item or answers).get(prompt.question.id)
        if current in (None, "", []) and prompt.question.required:
            found.append(prompt.key)
        if current is None:
            (item if item is not None else answers)[prompt.question.id] = None
    return found


def label(prompt: Prompt) -> str:
    """Human position: 'Requirements 2' for group items, the dimension title otherwise."""
    title = prompt.dimension.title
    return f"{title} {prompt.item + 1}" if prompt.item is not None else title
