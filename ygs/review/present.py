"""How a review reads: the rule catalogue for renderers, markdown, and report files (pure)."""

from __future__ import annotations

import json

from ygs.core.catalogue import Rule
from ygs.core.findings import Finding, Severity
from ygs.review.findings import ReviewFinding, judgment_rule
from ygs.review.lang import LENSES
from ygs.review.rules import CATALOGUE

FORMATS = ("text", "rich", "markdown", "json", "sarif", "github", "rdjsonl")
SKILLS = {
    "code": "ygs-code-review",
    "security": "ygs-security-review",
    "sre": "ygs-sre-review",
    "api": "ygs-api-review",
    "ui": "ygs-ui-review",
}


NAMES = {"code": "Code", "security": "Security", "sre": "SRE", "api": "API", "ui": "UI"}


def _lens_rule(lens: str) -> Rule:
    return Rule(
        judgment_rule(lens),
        Severity.SHOULD,
        f"{NAMES[lens]} review finding",
        f"judgment finding of the {SKILLS[lens]} skill",
        "Apply the fix given with the finding.",
        f"A finding from the {SKILLS[lens]} skill (a model run by ygs, or a reviewer's merged "
        "findings). ygs verified that it points at a line the change adds and de-duplicated it "
        "by fingerprint; its severity and confidence are the reviewer's judgment.",
        lens,
    )


def catalogue() -> dict[str, Rule]:
    """Offline rules and one rule per lens for judgment findings."""
    return {**CATALOGUE, **{judgment_rule(lens): _lens_rule(lens) for lens in LENSES}}


def explain(rule: Rule) -> str:
    import textwrap

    body = textwrap.fill(rule.rationale, width=88)
    return (
        f"{rule.id} ({rule.severity.value}, lens {rule.family}): {rule.title}\n\n{body}\n\n"
        f"Remedy: {rule.remedy}\n"
        f"Re-rank or disable it in .ygs/config.yaml: review: {{rules: {{{rule.id}: off}}}}; "
        f"suppress one line with `ygs: ignore[{rule.id}] reason` on it or the line above."
    )


def report(findings: list[ReviewFinding], fail_on: str, version: str, notes=()):
    """A `ygs.report.Report` whose fingerprints and SARIF properties are the review's own."""
    from ygs.report import Report

    by_finding: dict[Finding, ReviewFinding] = {f.to_finding(): f for f in findings}

    def properties(finding: Finding) -> dict:
        f = by_finding[finding]
        return {
            "lens": f.lens,
            "confidence": f.confidence,
            "severity": f.severity.value,
            "source": f.source,
            "why": f.why,
        }

    return Report(
        "ygs review",
        list(by_finding),
        catalogue(),
        version=version,
        fail_on=fail_on,
        fingerprints=lambda finding: by_finding[finding].fingerprint,
        properties=properties,
        notes=tuple(notes),
    )


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(data: dict, title: str) -> str:
    """The skill's report format: headline, counts, ranked table, details for MUST and SHOULD."""
    c = data["counts"]
    lines = [
        f"**{title}: {data['verdict']}**",
        f"Lenses: {', '.join(data['lenses']) or 'none'} · MUST {c['MUST']} · "
        f"SHOULD {c['SHOULD']} · MAY {c['MAY']} · dropped {len(data['dropped'])}",
        "",
    ]
    for path, note in unreviewed_notes(data):
        lines.append(f"> Not fully reviewed: `{_cell(path)}`: {_cell(note)}")
    if len(lines) > 3:
        lines.append("")
    findings = data["findings"]
    if not findings:
        return "\n".join([*lines, "No findings."]) + "\n"
    lines += [
        "| # | Severity | Confidence | Lens | Location | Title |",
        "|---|---|---|---|---|---|",
    ]
    for i, f in enumerate(findings, 1):
        where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
        lines.append(
            f"| {i} | {f['severity']} | {f['confidence']} | {f['lens']} | "
            f"`{_cell(where)}` | {_cell(f['title'])} |"
        )
    for i, f in enumerate(findings, 1):
        if f["severity"] == "MAY":
            continue
        lines += [
            "",
            f"### {i}. {f['title']}",
            f"`{f['rule']}` · **Why:** {f['why']}",
            f"**Fix:** {f['fix']}",
        ]
    return "\n".join(lines) + "\n"


def render(fmt: str, data: dict, findings: list[ReviewFinding], version: str, title: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(data, title)
    if fmt in ("text", "rich"):
        return text(data)
    from ygs.report import render as shared

    return shared(fmt, report(findings, data["fail_on"], version, unreviewed_notes(data)))


def unreviewed_notes(data: dict) -> list[tuple[str, str]]:
    """(path, note) for each changed file the review did not read in full."""
    return [(u["file"], f"{u['coverage']} review: {u['why']}") for u in data.get("unreviewed", ())]


def text(data: dict) -> str:
    """Plain lines: one per finding with its fix, notes, model line, verdict."""
    out = []
    for f in data["findings"]:
        where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
        out.append(f"{where}: {f['severity']} {f['rule']} [{f['lens']}] {f['title']}")
        out.append(f"  fix: {f['fix']}")
    for note in data["notes"]:
        out.append(f"note: {note['file'] + ': ' if note['file'] else ''}{note['note']}")
    out.append(headline(data))
    return "\n".join(out) + "\n"


def headline(data: dict) -> str:
    c, s, scope = data["counts"], data["stats"], data["scope"]
    model = data["model"]
    calls = (
        (
            f"model {model.get('model', model['backend'])}: {model['calls']} call(s), "
            f"{model.get('cache_hits', 0)} cached"
        )
        if model.get("units") is not None
        else (model.get("note") or model["backend"])
    )
    parts = [
        f"{scope['mode']} {scope['base']}..{scope['head']}: {s['files']} file(s), "
        f"+{s['added']} -{s['removed']}",
        calls,
        f"MUST {c['MUST']} · SHOULD {c['SHOULD']} · MAY {c['MAY']} · dropped "
        f"{len(data['dropped'])} · suppressed {len(data['suppressed'])} · baselined "
        f"{data['baselined']}",
    ]
    error = model.get("error")
    if isinstance(error, dict):  # the model failed: say why and what to do, not only "0 calls"
        parts.append(f"model failed: {error.get('message', 'unknown error')}")
        if error.get("remedy"):
            parts.append(f"  remedy: {error['remedy']}")
    gate = f" · gate {data['gate']}" if "gate" in data else ""
    return "\n".join(parts) + f"\nVerdict: {data['verdict']}{gate}"
