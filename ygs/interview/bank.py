"""The question bank (`interview.yaml`): parsed into typed values at the edge.

`parse_bank` returns a `Bank`, or the list of every problem with its line.
The schema is documented in skills/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ygs.core import yamltext

KINDS = ("text", "choice", "list", "number", "priority", "scenario")
VALIDATORS_NO_ARG = (
    "one_sentence",
    "no_technology",
    "has_number",
    "rfc2119",
    "ears",
    "gwt",
    "if_then",
)
VALIDATORS_INT_ARG = ("min_items", "max_items", "min_words", "max_words")
ID_PREFIXES = ("REQ", "ADR", "TASK", "THR", "MIT")
# The sizing answer (question id `depth`) asks a question only at its depth or deeper.
DEPTHS = ("light", "standard", "heavy")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Validator:
    name: str
    arg: Any = None


@dataclass(frozen=True)
class Challenge:
    words: tuple[str, ...] = ()  # empty: the built-in vague-word list
    ask: str = ""

    @property
    def is_vague(self) -> bool:
        return not self.words


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    why: str
    kind: str
    recommended: Any
    line: int
    help: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    validators: tuple[Validator, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    when: str | None = None
    depth: str = "light"  # asked at this depth and deeper (see DEPTHS)


@dataclass(frozen=True)
class Repeat:
    key: str
    id_prefix: str | None = None
    extra_ids: dict[str, str] = field(default_factory=dict)
    min: int = 0
    max: int = 50
    more: str = "Add another?"


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    questions: tuple[Question, ...]
    line: int
    intro: str = ""
    repeat: Repeat | None = None


@dataclass(frozen=True)
class Bank:
    artifact: str
    title: str
    dimensions: tuple[Dimension, ...]

    def questions(self) -> list[tuple[Dimension, Question]]:
        return [(d, q) for d in self.dimensions for q in d.questions]


@dataclass(frozen=True)
class BankProblem:
    line: int
    message: str


class _Reader:
    """Reads typed fields and records a problem (with its line) for each bad one."""

    def __init__(self, lines: dict[tuple, int]) -> None:
        self.lines = lines
        self.problems: list[BankProblem] = []

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: tuple, message: str) -> None:
        self.problems.append(BankProblem(self.line(path), message))

    def mapping(self, value: Any, path: tuple, allowed: set[str], what: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"{what} must be a mapping")
            return {}
        for key in value:
            if key not in allowed:
                self.fail((*path, key), f"unknown field '{key}' in {what}")
        return value

    def text(self, node: dict, key: str, path: tuple, *, required: bool, what: str) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(path, f"{what} has no '{key}'")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail((*path, key), f"'{key}' in {what} must be non-empty text")
            return ""
        return value

    def number(self, node: dict, key: str, path: tuple) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail((*path, key), f"'{key}' must be a number")
            return None
        return value


def parse_bank(text: str) -> Bank | list[BankProblem]:
    try:
        data, lines = yamltext.load_with_lines(text)
    except yamltext.YamlError as err:
        return [BankProblem(err.line or 1, err.message)]
    r = _Reader(lines)
    top = r.mapping(data, (), {"version", "artifact", "title", "dimensions"}, "interview.yaml")
    if top.get("version") != 1 and top:
        r.fail(("version",), "'version' must be 1")
    artifact = r.text(top, "artifact", (), required=True, what="interview.yaml")
    title = r.text(top, "title", (), required=True, what="interview.yaml")
    dims = top.get("dimensions")
    dimensions: list[Dimension] = []
    if not isinstance(dims, list) or not dims:
        if top:
            r.fail(("dimensions",), "'dimensions' must be a non-empty list")
    else:
        parsed = [_dimension(r, raw, i) for i, raw in enumerate(dims)]
        dimensions = [d for d in parsed if d is not None]
    _check_ids(r, dimensions, title)
    if r.problems:
        return sorted(r.problems, key=lambda p: p.line)
    return Bank(artifact, title, tuple(dimensions))


def _dimension(r: _Reader, raw: Any, index: int) -> Dimension | None:
    path = ("dimensions", index)
    allowed = {"id", "title", "intro", "questions", "repeat"}
    node = r.mapping(raw, path, allowed, f"dimension {index + 1}")
    if not node:
        return None
    ident = r.text(node, "id", path, required=True, what=f"dimension {index + 1}")
    if ident and not _ID.match(ident):
        r.fail((*path, "id"), f"dimension id '{ident}' must match [a-z][a-z0-9_]*")
    what = f"dimension '{ident or index + 1}'"
    title = r.text(node, "title", path, required=True, what=what)
    intro = r.text(node, "intro", path, required=False, what=what)
    repeat = _repeat(r, node.get("repeat"), (*path, "repeat"), ident) if "repeat" in node else None
    raw_questions = node.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        r.fail((*path, "questions"), f"{what} needs a non-empty 'questions' list")
        raw_questions = []
    parsed = [_question(r, raw, (*path, "questions", i)) for i, raw in enumerate(raw_questions)]
    questions = tuple(q for q in parsed if q is not None)
    return Dimension(ident, title, questions, r.line(path), intro, repeat)


def _repeat(r: _Reader, raw: Any, path: tuple, default_key: str) -> Repeat | None:
    allowed = {"key", "id_prefix", "extra_ids", "min", "max", "more"}
    node = r.mapping(raw, path, allowed, "repeat")
    key = r.text(node, "key", path, required=False, what="repeat") or default_key
    prefix = node.get("id_prefix")
    if prefix is not None and prefix not in ID_PREFIXES:
        r.fail((*path, "id_prefix"), f"id_prefix must be one of {', '.join(ID_PREFIXES)}")
        prefix = None
    extra = node.get("extra_ids") or {}
    if not isinstance(extra, dict) or any(v not in ID_PREFIXES for v in extra.values()):
        r.fail((*path, "extra_ids"), f"extra_ids maps item keys to one of {', '.join(ID_PREFIXES)}")
        extra = {}
    low, high = r.number(node, "min", path), r.number(node, "max", path)
    low, high = int(low or 0), int(high if high is not None else 50)
    if low > high:
        r.fail(path, f"repeat min ({low}) is above max ({high})")
    more = r.text(node, "more", path, required=False, what="repeat") or "Add another?"
    return Repeat(key, prefix, dict(extra), low, high, more)


_QUESTION_FIELDS = {
    "id",
    "prompt",
    "why",
    "help",
    "kind",
    "required",
    "recommended",
    "choices",
    "min",
    "max",
    "unit",
    "validators",
    "challenges",
    "when",
    "depth",
}


def _question(r: _Reader, raw: Any, path: tuple) -> Question | None:
    node = r.mapping(raw, path, _QUESTION_FIELDS, "question")
    if not node:
        return None
    ident = r.text(node, "id", path, required=True, what="question")
    if ident and not _ID.match(ident):
        r.fail((*path, "id"), f"question id '{ident}' must match [a-z][a-z0-9_]*")
    what = f"question '{ident}'"
    kind = node.get("kind")
    if kind not in KINDS:
        r.fail((*path, "kind"), f"{what}: kind must be one of {', '.join(KINDS)}")
        kind = "text"
    if "recommended" not in node:
        r.fail(path, f"{what} has no 'recommended' answer")
    recommended = node.get("recommended")
    if not isinstance(recommended, str | int | float | list) or isinstance(recommended, bool):
        if recommended is not None:
            r.fail(
                (*path, "recommended"), f"{what}: 'recommended' must be text, a number or a list"
            )
        recommended = ""
    required = node.get("required", True)
    if not isinstance(required, bool):
        r.fail((*path, "required"), f"{what}: 'required' must be true or false")
        required = True
    choices = node.get("choices") or []
    if kind == "choice" and (
        not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices)
    ):
        r.fail((*path, "choices"), f"{what}: a choice question needs a list of text 'choices'")
        choices = []
    when = node.get("when")
    if when is not None and not isinstance(when, str):
        r.fail((*path, "when"), f"{what}: 'when' must be an expression in text")
        when = None
    depth = node.get("depth", "light")
    if depth not in DEPTHS:
        r.fail((*path, "depth"), f"{what}: depth must be one of {', '.join(DEPTHS)}")
        depth = "light"
    return Question(
        id=ident,
        prompt=r.text(node, "prompt", path, required=True, what=what),
        why=r.text(node, "why", path, required=True, what=what),
        kind=kind,
        recommended=recommended,
        line=r.line(path),
        help=r.text(node, "help", path, required=False, what=what),
        required=required,
        choices=tuple(choices),
        min=r.number(node, "min", path),
        max=r.number(node, "max", path),
        unit=r.text(node, "unit", path, required=False, what=what),
        validators=_validators(r, node.get("validators"), (*path, "validators"), what),
        challenges=_challenges(r, node.get("challenges"), (*path, "challenges"), what),
        when=when,
        depth=depth,
    )


def _validators(r: _Reader, raw: Any, path: tuple, what: str) -> tuple[Validator, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.fail(path, f"{what}: 'validators' must be a list")
        return ()
    found = []
    for index, item in enumerate(raw):
        name, arg = (item, None) if isinstance(item, str) else _single(item)
        where = (*path, index)
        if name in VALIDATORS_NO_ARG and arg is None:
            found.append(Validator(name))
        elif _valid_arg(name, arg):
            found.append(Validator(name, arg))
        else:
            known = ", ".join((*VALIDATORS_NO_ARG, *(f"{n}: N" for n in VALIDATORS_INT_ARG)))
            r.fail(
                where,
                f"{what}: unknown or malformed validator {item!r} (known: {known}, pattern: REGEX)",
            )
    return tuple(found)


def _valid_arg(name: str | None, arg: Any) -> bool:
    if name in VALIDATORS_INT_ARG:
        return isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0
    return name == "pattern" and isinstance(arg, str) and _compiles(arg)


def _single(item: Any) -> tuple[str | None, Any]:
    if isinstance(item, dict) and len(item) == 1:
        ((name, arg),) = item.items()
        return name, arg
    return None, None


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _challenges(r: _Reader, raw: Any, path: tuple, what: str) -> tuple[Challenge, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.fail(path, f"{what}: 'challenges' must be a list")
        return ()
    found = []
    for index, item in enumerate(raw):
        if item == "vague":
            found.append(Challenge())
            continue
        words = item.get("words") if isinstance(item, dict) else None
        ask = item.get("ask") if isinstance(item, dict) else None
        ok_words = isinstance(words, list) and words and all(isinstance(w, str) for w in words)
        if ok_words and isinstance(ask, str) and ask.strip() and set(item) <= {"words", "ask"}:
            found.append(Challenge(tuple(words), ask))
        else:
            r.fail(
                (*path, index), f"{what}: a challenge is 'vague' or {{words: [...], ask: '...'}}"
            )
    return tuple(found)


def _check_ids(r: _Reader, dimensions: list[Dimension], title: str) -> None:
    seen_dims: set[str] = set()
    top_level: dict[str, int] = {}
    for dim in dimensions:
        if dim.id in seen_dims:
            r.problems.append(BankProblem(dim.line, f"duplicate dimension id '{dim.id}'"))
        seen_dims.add(dim.id)
        scope: dict[str, int] = {} if dim.repeat else top_level
        for q in dim.questions:
            if q.id in scope:
                r.problems.append(BankProblem(q.line, f"duplicate question id '{q.id}'"))
            scope[q.id] = q.line
        if dim.repeat and dim.repeat.key in top_level:
            r.problems.append(
                BankProblem(dim.line, f"repeat key '{dim.repeat.key}' clashes with a question id")
            )
    if title and dimensions and title not in top_level:
        r.problems.append(BankProblem(1, f"'title' names question '{title}', which does not exist"))
