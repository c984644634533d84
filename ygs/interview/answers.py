"""Turn what a person typed into a typed answer, or say precisely what is wrong with it.

Pure. Validators and challenges are the question bank's vocabulary
(skills/README.md). A failed validator asks again; a challenge asks for a
number and may be kept, which records an open question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ygs.core.scan import in_order
from ygs.interview.bank import Challenge, Question, Validator

PRIORITIES = {
    "MUST": "MUST",
    "SHOULD": "SHOULD",
    "MAY": "MAY",
    "P0": "MUST",
    "P1": "SHOULD",
    "P2": "MAY",
}

VAGUE = {
    "fast": "fast means what: 100 ms p99? 1 s? half of today's time?",
    "quick": "quick means what: under 1 s? under 1 minute?",
    "quickly": "quickly means what: within 1 s? within 5 minutes?",
    "slow": "slow means what today: 2 s p95? 10 s?",
    "scalable": "scalable to what: 10x today's load? 1,000 requests per second? 1 million rows?",
    "scale": "scale to what: how many users, requests per second or records?",
    "robust": "robust against what, and how often may it fail: 99.9% of requests?",
    "reliable": "reliable means what: 99.9% availability? at most 1 failed job in 10,000?",
    "real-time": "real-time means what: under 100 ms? under 1 s end to end?",
    "realtime": "real-time means what: under 100 ms? under 1 s end to end?",
    "user-friendly": "user-friendly measured how: finish the task in 3 steps? 90% succeed unaided?",
    "intuitive": "intuitive measured how: 9 of 10 first-time users succeed without help?",
    "secure": "secure against which threat, checked how: which data, which attacker, which test?",
    "performant": "performant means what: p95 latency? throughput? memory ceiling?",
    "efficient": "efficient means what: cost per request? CPU per job? minutes saved per week?",
    "easy": "easy means what: done in under 5 minutes? no documentation needed?",
    "simple": "simple measured how: one screen? 3 steps? no configuration?",
    "flexible": "flexible for which exact variation? name the change it must absorb",
    "seamless": "seamless means what: zero downtime? no re-login? under 1 s of interruption?",
    "many": "many means how many: 10? 1,000? 1 million?",
    "large": "large means how large: 10 MB? 1 million rows? 100 users?",
    "minimal": "minimal means what: under 1%? under 5 ms? zero?",
    "high availability": "highly available means what: 99.9%? 99.99%? minutes down a month?",
    "etc": "'etc.' hides items: list every one you mean",
    "and so on": "'and so on' hides items: list every one you mean",
}

TECHNOLOGY = (
    "kafka",
    "redis",
    "postgres",
    "postgresql",
    "mysql",
    "mongodb",
    "mongo",
    "dynamodb",
    "cassandra",
    "elasticsearch",
    "rabbitmq",
    "sqs",
    "sns",
    "kinesis",
    "kubernetes",
    "k8s",
    "docker",
    "lambda",
    "aws",
    "gcp",
    "azure",
    "react",
    "vue",
    "angular",
    "svelte",
    "django",
    "flask",
    "rails",
    "spring",
    "node.js",
    "nodejs",
    "graphql",
    "grpc",
    "microservice",
    "microservices",
    "serverless",
    "blockchain",
    "terraform",
    "sqlite",
    "snowflake",
    "spark",
    "websocket",
    "websockets",
    "llm",
    "event bus",
    "event-driven",
    "nosql",
)

_NUMBER = re.compile(r"\d")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_RFC2119 = re.compile(r"\b(?:MUST|SHOULD|MAY)(?: NOT)?\b")
_MODAL = r"\b(?:MUST|SHALL|SHOULD|MAY|must|shall|should|may)\b"
# "A … B … C" shapes, each part searched once after the previous one (linear time).
_EARS = (
    in_order(r"\Athe\s++\S", _MODAL, flags=re.I),
    in_order(r"\Awhen\b.", ",", _MODAL, flags=re.I | re.S),
    in_order(r"\Awhile\b.", ",", _MODAL, flags=re.I | re.S),
    in_order(r"\Awhere\b.", ",", _MODAL, flags=re.I | re.S),
    in_order(r"\Aif\b.", r"\bthen\b", _MODAL, flags=re.I | re.S),
)
_GIVEN = re.compile(r"\Agiven\b", re.I)
_WHEN = re.compile(r"\bwhen\b", re.I)
_THEN = re.compile(r"\bthen\b", re.I)
_IF_THEN = in_order(r"\bif\b", r"\bthen\b", flags=re.I)


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Rejected:
    message: str


@dataclass(frozen=True)
class Challenged:
    value: Any
    words: tuple[str, ...]
    ask: str


Outcome = Accepted | Rejected | Challenged


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text.strip()) if s]


def parse_scenario(text: str) -> dict | None:
    """`Given …, when …, then …` (each part non-empty) as its three parts."""
    text = text.strip()
    given = _GIVEN.match(text)
    when = given and _WHEN.search(text, given.end() + 1)
    then = when and _THEN.search(text, when.end() + 1)
    if not then or then.end() == len(text):
        return None
    parts = (text[given.end() : when.start()], text[when.end() : then.start()], text[then.end() :])
    return {k: part.strip(" ,;") for k, part in zip(("given", "when", "then"), parts, strict=True)}


def scenario_text(value: dict) -> str:
    given, when, then = (value.get(k, "") for k in ("given", "when", "then"))
    return f"Given {given}, when {when}, then {then}"


def as_text(value: Any) -> str:
    """One line of text for any answer (for validators, summaries, prompts)."""
    if isinstance(value, dict):
        return scenario_text(value)
    if isinstance(value, list):
        return "; ".join(as_text(v) for v in value)
    return "" if value is None else str(value)


def coerce(question: Question, raw: Any) -> Any:
    """A raw answer (typed text, or a value from an answers file) in the question's shape.

    Raises ValueError with a message a person can act on.
    """
    kind = question.kind
    if kind in ("list", "scenario"):
        items = raw if isinstance(raw, list) else [line for line in str(raw).splitlines()]
        items = [item for item in items if not (isinstance(item, str) and not item.strip())]
        if kind == "list":
            return [as_text(item).strip() for item in items]
        return [_scenario(item) for item in items]
    if isinstance(raw, list | dict):
        raise ValueError("expected a single value, not a list")
    text = str(raw).strip()
    if not text and not question.required:
        return ""  # an optional question left blank: no answer
    if kind == "number":
        return _number(question, text)
    if kind == "priority":
        value = PRIORITIES.get(text.upper().split(" ")[0].strip("()"))
        if value is None:
            raise ValueError("answer MUST, SHOULD or MAY (or P0, P1, P2)")
        return value
    if kind == "choice":
        return _choice(question, text)
    return text


def _scenario(item: Any) -> dict:
    if isinstance(item, dict) and {"given", "when", "then"} <= set(item):
        return {k: str(item[k]).strip() for k in ("given", "when", "then")}
    parsed = parse_scenario(str(item))
    if parsed is None:
        raise ValueError(f"'{as_text(item)}' is not 'Given …, when …, then …'")
    return parsed


def _number(question: Question, text: str) -> int | float:
    cleaned = text.replace(",", "").replace("_", "")
    if question.unit and cleaned.endswith(question.unit):
        cleaned = cleaned[: -len(question.unit)].strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if question.min is not None and value < question.min:
        raise ValueError(f"must be at least {question.min:g}")
    if question.max is not None and value > question.max:
        raise ValueError(f"must be at most {question.max:g}")
    return int(value) if value.is_integer() else value


def _choice(question: Question, text: str) -> str:
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    exact = [c for c in question.choices if c.lower() == text.lower()]
    prefix = [c for c in question.choices if c.lower().startswith(text.lower())] if text else []
    found = exact or (prefix if len(prefix) == 1 else [])
    if not found:
        raise ValueError(f"choose one of: {', '.join(question.choices)} (or its number)")
    return found[0]


def validate(question: Question, value: Any) -> str | None:
    """The first validator the value fails, as a message; None when it passes."""
    for validator in question.validators:
        problem = _check(validator, value)
        if problem:
            return problem
    return None


def _items(value: Any) -> list[str]:
    return [as_text(v) for v in value] if isinstance(value, list) else [as_text(value)]


def _check(validator: Validator, value: Any) -> str | None:
    name, arg = validator.name, validator.arg
    if name in ("min_items", "max_items"):
        count = len(value) if isinstance(value, list) else int(bool(value))
        if name == "min_items" and count < arg:
            return f"give at least {arg} item(s)"
        if name == "max_items" and count > arg:
            return f"give at most {arg} item(s)"
        return None
    for text in _items(value):
        problem = _check_text(name, arg, text)
        if problem:
            return problem if not isinstance(value, list) else f"'{text}': {problem}"
    return None


def _check_text(name: str, arg: Any, text: str) -> str | None:
    ok, message = _TEXT_CHECKS[name](arg, text)
    return None if ok else message


_EARS_HINT = (
    "use an EARS shape: 'When …, the system MUST …', 'While …', 'Where …', "
    "'If …, then the system MUST …' or 'The system MUST …'"
)
_TEXT_CHECKS = {
    "one_sentence": lambda _a, t: (len(sentences(t)) <= 1, "state it in one sentence"),
    "no_technology": lambda _a, t: (
        not _technology(t),
        f"name the pain, not a technology ({_technology(t)})",
    ),
    "has_number": lambda _a, t: (
        bool(_NUMBER.search(t)),
        "include a number (a target, a count, a time)",
    ),
    "rfc2119": lambda _a, t: (bool(_RFC2119.search(t)), "use MUST, SHOULD or MAY (upper case)"),
    "ears": lambda _a, t: (any(p.search(t.strip()) for p in _EARS), _EARS_HINT),
    "gwt": lambda _a, t: (parse_scenario(t) is not None, "write it as 'Given …, when …, then …'"),
    "if_then": lambda _a, t: (_IF_THEN.search(t), "write it as 'If …, then …'"),
    "min_words": lambda a, t: (len(t.split()) >= a, f"use at least {a} words"),
    "max_words": lambda a, t: (len(t.split()) <= a, f"use at most {a} words"),
    "pattern": lambda a, t: (bool(re.search(a, t)), f"must match {a}"),
}


def _technology(text: str) -> str:
    lowered = text.lower()
    found = [t for t in TECHNOLOGY if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", lowered)]
    return ", ".join(found)


def challenge(question: Question, value: Any) -> Challenged | None:
    """A follow-up when vague or flagged words appear without a number in the same sentence."""
    for rule in question.challenges:
        hits = [w for text in _items(value) for w in _vague_hits(rule, text)]
        if hits:
            words = tuple(dict.fromkeys(hits))
            ask = rule.ask if not rule.is_vague else VAGUE.get(words[0], f"{words[0]} means what?")
            return Challenged(value, words, ask)
    return None


def _vague_hits(rule: Challenge, text: str) -> list[str]:
    words = rule.words or tuple(VAGUE)
    hits = []
    for sentence in sentences(text) or [text]:
        if rule.is_vague and _NUMBER.search(sentence):
            continue
        lowered = sentence.lower()
        for word in words:
            if re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", lowered):
                hits.append(word)
    return hits


def interpret(question: Question, raw: Any, *, keep: tuple[str, ...] = ()) -> Outcome:
    """Coerce, validate, then challenge (unless the person chose to keep these words)."""
    try:
        value = coerce(question, raw)
    except ValueError as err:
        return Rejected(str(err))
    if value in ("", []) and question.required:
        return Rejected("an answer is required here")
    if value in ("", []):
        return Accepted(None)
    problem = validate(question, value)
    if problem:
        return Rejected(problem)
    found = challenge(question, value)
    if found and not set(found.words) <= set(keep):
        return found
    return Accepted(value)


def _shortened(question: Question, text: str) -> str:
    """`text` cut to fit the question's word and sentence limits (the repairable rules)."""
    for validator in question.validators:
        if validator.name == "one_sentence":
            text = (sentences(text) or [text])[0]
        if validator.name == "max_words" and len(text.split()) > validator.arg:
            words = text.split()[: validator.arg]
            while len(words) > 1 and words[-1].lower().strip(",;:-") in _DANGLING:
                words.pop()  # "Signing key rotation for" reads better as "… rotation"
            text = " ".join(words).rstrip(" ,;:-")
    return text


_DANGLING = {"a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "with", "by", "at"}


def offerable(question: Question, value: Any) -> Any:
    """ygs's own recommendation, checked by the rules a typed answer meets: kept when it
    passes, repaired when it can be (shortened; failing list items dropped), else nothing
    (`""` or `[]`), so the person types. Never offers what its own checks reject."""
    if value in ("", [], None) or isinstance(interpret(question, value), Accepted | Challenged):
        return value
    if isinstance(value, list):
        kept = [x for x in value if isinstance(_item_check(question, x), Accepted | Challenged)]
        repaired: Any = kept
    else:
        repaired = _shortened(question, str(value))
    if repaired and isinstance(interpret(question, repaired), Accepted | Challenged):
        return repaired
    return [] if isinstance(value, list) else ""


def _item_check(question: Question, item: Any) -> Outcome:
    """One list item against the per-item rules (the count rules are the list's)."""
    rules = tuple(v for v in question.validators if v.name not in ("min_items", "max_items"))
    try:
        value = coerce(question, [item])
    except ValueError as err:
        return Rejected(str(err))
    single = replace(question, validators=rules)
    problem = validate(single, value)
    return Rejected(problem) if problem else Accepted(value)


def describe(validator: Validator) -> str:
    """A rule as a person reads it, for `?`."""
    words = {
        "one_sentence": "one sentence",
        "no_technology": "no technology names (the TRD names them)",
        "has_number": "contains a number",
        "rfc2119": "uses MUST, SHOULD or MAY",
        "ears": "an EARS sentence ('When …, the system MUST …')",
        "gwt": "'Given …, when …, then …'",
        "if_then": "'If …, then …'",
        "min_items": f"at least {validator.arg} item(s)",
        "max_items": f"at most {validator.arg} item(s)",
        "min_words": f"at least {validator.arg} words",
        "max_words": f"at most {validator.arg} words",
        "pattern": f"matches {validator.arg}",
    }
    return words.get(validator.name, validator.name)
