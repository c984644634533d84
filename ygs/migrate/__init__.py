"""`ygs import openspec|spec-kit`: convert foreign specs to ygs artifacts, for good.

Pure: the catalogue, the mapping already on disk and an id allocator come in; the
files to write (path, text) and the new mapping go out.

- Each OpenSpec capability spec, or spec-kit feature spec, becomes a PRD. Its
  requirements (and spec-kit user stories) become `### REQ-NNN` sections with a
  `**Source:**` line naming the original id, so `covers: auth#user-logs-in` and
  `covers: FR-001` keep counting for the new requirement.
- spec-kit tasks and the tasks of active OpenSpec changes become TASK files that
  satisfy the requirements they were linked to.
- The mapping table (`docs/import-<format>.md`) lists source id, ygs id and path; a
  second run reads it back and reuses every id and path, so importing twice changes
  nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from ygs.core.artifacts import Artifact, Catalog, slugify

MAPPING = "docs/import-{format}.md"
_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|")
_LEVEL = {"MUST": "MUST (P0)", "SHOULD": "SHOULD (P1)", "MAY": "MAY (P2)"}
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


class Row(NamedTuple):
    source: str
    target: str  # REQ-004, TASK-007, or a PRD id
    path: str


class Plan(NamedTuple):
    files: list[tuple[str, str]]
    rows: list[Row]


def read_mapping(text: str) -> dict[str, Row]:
    rows = {}
    for line in text.split("\n"):
        match = _ROW.match(line)
        if match and match.group(1) not in ("source", "---") and not match.group(1).startswith("-"):
            rows[match.group(1)] = Row(*match.groups())
    return rows


def mapping_text(fmt: str, rows: list[Row]) -> str:
    lines = [
        f"# Imported from {fmt}",
        "",
        f"Written by `ygs import {fmt}`; it reads this table back, so a second run reuses "
        "every id. The originals are left in place; delete them when the team has moved.",
        "",
        "| source | ygs | path |",
        "|---|---|---|",
    ]
    lines += [f"| {r.source} | {r.target} | {r.path} |" for r in rows]
    return "\n".join(lines) + "\n"


def plan(
    catalog: Catalog,
    fmt: str,
    mapping: dict[str, Row],
    allocate: Callable[[str], str],
    today: str,
) -> Plan:
    from ygs.core.formats.join import join

    docs = [a for a in catalog.artifacts if a.format == fmt and a.parsed is not None]
    joined = join(docs)
    rows: list[Row] = []
    files: list[tuple[str, str]] = []
    req_ids: dict[str, str] = {}  # source requirement id (and alias) -> REQ id
    for spec in (a for a in docs if a.kind == "spec"):
        prd_file, prd_rows = _prd(spec, joined, mapping, allocate, today, req_ids)
        files.append(prd_file)
        rows.extend(prd_rows)
    for task_id, task in joined.tasks.items():
        linked = [req_ids[r] for r, ts in joined.links.items() if task_id in ts and r in req_ids]
        if fmt == "openspec" and "/archive/" in task.path:
            continue  # archived changes are done history, not work
        key = task.qualified or task_id
        row = mapping.get(key)
        ident = row.target if row else allocate("TASK")
        status = "done" if task.done else "backlog"
        path = row.path if row else f"tasks/{status}/{ident}-{slugify(task.title, 40)}.md"
        files.append((path, _task(ident, task.title, status, today, linked, key)))
        rows.append(Row(key, ident, path))
    return Plan(files, rows)


def _prd(spec: Artifact, joined, mapping, allocate, today: str, req_ids: dict):
    doc_row = mapping.get(spec.path)
    slug = slugify(spec.parsed.doc.replace("/", "-"), 50)
    path = doc_row.path if doc_row else f"docs/prd/{today}-{slug}.md"
    date = path.rsplit("/", 1)[-1][:10] if doc_row else today
    rows = [Row(spec.path, slug, path)]
    sections = []
    for req in joined.requirements:
        if req.path != spec.path:
            continue
        key = req.aliases[0] if req.aliases else req.id  # spec-kit: always feature/FR-001
        row = mapping.get(key)
        ident = row.target if row else allocate("REQ")
        req_ids[req.id] = ident
        for alias in req.aliases:
            req_ids[alias] = ident
        rows.append(Row(key, ident, path))
        sections.append(_requirement(ident, req))
    criteria = [r for r in spec.parsed.reqs if r.kind == "criterion"]
    status = "approved" if spec.status in ("current", "approved", "accepted") else "draft"
    text = "\n".join(
        [
            "---",
            f"id: {slug}",
            "type: prd",
            f"title: {_yaml(spec.title)}",
            f"status: {status}",
            f"date: {date}",
            f"source: {spec.path}",
            "---",
            f"# {spec.title}",
            "",
            "## Problem",
            "",
            _problem(spec),
            "",
            "## Success criteria",
            "",
            *([f"- {_plain(c.statement)}" for c in criteria] or ["- TBD"]),
            "",
            "## Requirements",
            "",
            *sections,
            "## Non-goals",
            "",
            "- TBD",
            "",
            "## Open questions",
            "",
            *([f"- {q}" for _, q in spec.parsed.questions] or ["- None recorded."]),
            "",
        ]
    )
    return (path, text), rows


def _requirement(ident: str, req) -> str:
    lines = [f"### {ident}: {_plain(req.title)}"]
    if req.priority:
        lines.append(f"- **Priority:** {_LEVEL[req.priority]}")
    lines.append(f"- **Source:** {req.aliases[0] if req.aliases else req.id}")
    statement = req.fields["statement"].value if "statement" in req.fields else req.title
    lines.append(f"- **Statement:** {_plain(statement)}")
    if req.scenarios:
        lines.append("- **Scenarios:**")
        lines += [f"  - {_plain(s.text)}" for s in req.scenarios]
    return "\n".join(lines) + "\n"


def _task(ident: str, title: str, status: str, today: str, satisfies, source: str) -> str:
    listed = ", ".join(dict.fromkeys(satisfies))
    return "\n".join(
        [
            "---",
            f"id: {ident}",
            "type: task",
            f"title: {_yaml(_plain(title))}",
            f"status: {status}",
            f"date: {today}",
            "priority: P1",
            "size: S",
            "points: 2",
            "wave: 1",
            "mode: AFK",
            "depends_on: []",
            f"satisfies: [{listed}]",
            "mitigates: []",
            "planned_files: []",
            f"source: {_yaml(source)}",
            "---",
            f"# {ident}: {_plain(title)}",
            "",
            "## Goal",
            "",
            _plain(title),
            "",
            "## Acceptance criteria",
            "",
            "- TBD",
            "",
        ]
    )


def _problem(spec: Artifact) -> str:
    from ygs.core.markdown import Doc

    section = Doc(spec.text).section("purpose", "summary")
    text = section.text if section is not None else ""
    return " ".join(text.split()) or "TBD"


def _plain(text: str) -> str:
    return " ".join(_BOLD.sub(r"\1", text).split())


def _yaml(text: str) -> str:
    text = text.replace('"', "'")
    return f'"{text}"' if re.search(r"[:#\[\]{},&*!|>'%@`]", text) else text
