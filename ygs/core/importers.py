"""Read an existing artifact back into interview answers, so it can be refined in place.

Pure. Keyed by the question ids of the packaged refine-prd bank and the PRD
format in templates/README.md; placeholders (TBD, "None recorded.") read as
unanswered.
"""

from __future__ import annotations

from typing import Any

from ygs.core import markdown, specs
from ygs.core.artifacts import Artifact
from ygs.interview.answers import parse_scenario

_PAIN = {
    "what is broken": "pain_what",
    "who feels it": "pain_who",
    "how often": "pain_frequency",
    "what it costs": "pain_cost",
    "why now": "why_now",
}
_LISTS = {
    "target users": "target_users",
    "success criteria": "success_criteria",
    "non goals": "non_goals",
    "nice to haves": "nice_to_haves",
    "constraints": "constraints",
    "glossary": "glossary",
    "open questions": "open_questions",
}


def _value(text: str) -> str | None:
    text = text.strip()
    return None if markdown.is_placeholder(text) or text.lower() == "none recorded." else text


def _bullets(section: markdown.Section | None, own_only: bool = False) -> list[str]:
    if section is None:
        return []
    lines = section.content(own_only=own_only)
    found = [b for b in section.bullets(top_only=True) if any(b.line == n for n, _ in lines)]
    return [v for b in found if (v := _value(b.text))]


def prd_answers(artifact: Artifact) -> dict[str, Any]:
    doc = markdown.Doc(artifact.body, artifact.body_line)
    answers: dict[str, Any] = {"title": artifact.title}
    problem = doc.section("problem")
    if problem is not None and _value(problem.text):
        answers["problem"] = problem.text
    pain = doc.section("pain")
    for name, field in (pain.fields() if pain else {}).items():
        if name in _PAIN and _value(field.value):
            answers[_PAIN[name]] = field.value
    for heading, key in _LISTS.items():
        items = _bullets(doc.section(heading))
        if items:
            answers[key] = items
    data = doc.section("supporting data")
    if _bullets(data, own_only=True):
        answers["supporting_data"] = _bullets(data, own_only=True)
    gaps = data.section("known gaps") if data else None
    if _bullets(gaps):
        answers["data_gaps"] = _bullets(gaps)
    answers["capabilities"] = _capabilities(doc)
    answers["requirements"] = _requirements(artifact, doc)
    return {k: v for k, v in answers.items() if v not in (None, [], "")}


def _capabilities(doc: markdown.Doc) -> list[dict]:
    section = doc.section("capabilities")
    found = []
    for table in section.tables() if section else []:
        cap, change, notes = (table.column(n) for n in ("capability", "change", "notes"))
        for row in table.rows:
            if _value(row.cell(cap)):
                found.append(
                    {
                        "capability": row.cell(cap),
                        "change": _value(row.cell(change)),
                        "notes": _value(row.cell(notes)) or "",
                    }
                )
    return found


def _requirements(artifact: Artifact, doc: markdown.Doc) -> list[dict]:
    found = []
    for req in specs.requirements_of(artifact, doc):

        def field(name: str, req=req) -> str | None:
            value = req.field(name)
            return _value(value.value) if value else None

        scenarios = [s for b in req.scenarios if (s := parse_scenario(b.text))]
        item = {
            "id": req.id,
            "title": _value(req.title),
            "priority": req.priority or None,
            "kind": field("kind"),
            "statement": field("statement"),
            "failure": field("failure mode"),
            "scenarios": scenarios,
        }
        found.append({k: v for k, v in item.items() if v not in (None, [], "")})
    return found
