"""Reading and updating a QA report's tables (pure): the scores, the findings, the rounds.

Only the lines that carry a score, the health, the result and the rounds change; the rest
of the report (the agent's evidence, findings and notes) stays as it was written.
"""

from __future__ import annotations

from ygs.core.frontmatter import set_value
from ygs.core.markdown import split_row
from ygs.ship import qa

_LABEL_TO_KEY = {label.lower(): key for key, label in qa.LABELS.items()}


def _section(lines: list[str], title: str) -> tuple[int, int]:
    """[start, end) line indexes of the `## title` section (the heading excluded)."""
    start = next((i for i, ln in enumerate(lines) if ln.strip().lower() == f"## {title}"), -1)
    if start < 0:
        return -1, -1
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return start + 1, end


def _rows(lines: list[str], title: str) -> list[tuple[int, tuple[str, ...]]]:
    start, end = _section(lines, title)
    found = []
    for i in range(max(start, 0), max(end, 0)):
        line = lines[i]
        if line.startswith("|") and not set(line.replace("|", "").strip()) <= {"-", ":", " "}:
            found.append((i, split_row(line)))
    return found[1:]  # the header row


def scores(text: str) -> dict[str, tuple[object, str]]:
    """category -> (the score cell, the evidence cell) from the Scores table."""
    found = {}
    for _, cells in _rows(text.split("\n"), "scores"):
        key = _LABEL_TO_KEY.get(cells[0].strip().lower()) if cells else None
        if key:
            found[key] = (
                cells[1].strip() if len(cells) > 1 else "",
                cells[2].strip() if len(cells) > 2 else "",
            )
    return found


def open_must(text: str) -> int:
    count = 0
    for _, cells in _rows(text.split("\n"), "findings"):
        if (
            len(cells) >= 6
            and cells[1].strip().upper() == "MUST"
            and cells[5].strip().lower() == "open"
        ):
            count += 1
    return count


def rounds(text: str) -> list[tuple[str, ...]]:
    return [
        cells
        for _, cells in _rows(text.split("\n"), "rounds")
        if len(cells) >= 4 and cells[3].strip().upper() in ("PASS", "FAIL")
    ]


def update(
    text: str,
    result: qa.Result,
    evidence: dict[str, str],
    round_row: tuple[str, str, str],
    *,
    amend: bool,
) -> str:
    """The report with the scores, health, result and a rounds row (date, summary, status)."""
    lines = text.split("\n")
    for i, cells in _rows(lines, "scores"):
        key = _LABEL_TO_KEY.get(cells[0].strip().lower()) if cells else None
        if key is None:
            continue
        score = result.scores.get(key)
        proof = evidence.get(key) or (cells[2].strip() if len(cells) > 2 else "TBD")
        lines[i] = f"| {qa.LABELS[key]} | {score if score is not None else 'TBD'} | {proof} |"
    health = f"{result.health}" if result.health is not None else "TBD"
    reason = f" ({'; '.join(result.reasons)})" if result.reasons else ""
    for i, line in enumerate(lines):
        if line.startswith("**Health:**"):
            lines[i] = f"**Health:** {health}/50"
        elif line.startswith("**Result:**"):
            lines[i] = f"**Result:** {result.result}{reason}"
    date, summary, _ = round_row
    table = _rows(lines, "rounds")
    done = [(i, c) for i, c in table if len(c) >= 4 and c[3].strip().upper() in ("PASS", "FAIL")]
    placeholders = [i for i, c in table if (i, c) not in done]
    number = len(done) if amend and done else len(done) + 1
    row = f"| {number} | {date} | {health}/50 | {result.result} | {summary or 'scored'} |"
    if amend and done:
        lines[done[-1][0]] = row
    elif placeholders:
        lines[placeholders[0]] = row
    else:
        at = (done[-1][0] + 1) if done else _section(lines, "rounds")[1]
        if at < 0:
            lines += [
                "",
                "## Rounds",
                "",
                "| Round | Date | Health | Result | What changed |",
                "|---|---|---|---|---|",
            ]
            at = len(lines)
        lines.insert(at, row)
    out = "\n".join(lines)
    out = set_value(out, "health", health)
    out = set_value(out, "result", result.result)
    out = set_value(out, "rounds", str(number))
    if result.result == "PASS" or number >= qa.MAX_ROUNDS:
        out = set_value(out, "status", "final")
    return out
