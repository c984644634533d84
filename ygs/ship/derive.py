"""Numbers and verdicts the qa and uat templates show but must not compute (pure): called
by `ygs.core.render` before those templates render."""

from __future__ import annotations

from typing import Any

from ygs.ship import qa

RESULTS = ("PASS", "PARTIAL", "FAIL", "BLOCKED")


def qa_answers(answers: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Flat `<category>_score`/`_evidence` answers as the `scores` table, and health and
    result once all five are scored."""
    scores = dict(answers.get("scores") or {})
    for category in qa.CATEGORIES:
        if category in scores:
            continue
        raw = answers.get(f"{category}_score")
        try:
            number = qa.score_of(raw)
        except qa.ScoreError:
            number = None
        scores[category] = {"score": number, "evidence": answers.get(f"{category}_evidence") or ""}
    out = {**answers, "scores": scores}
    values = {c: scores[c].get("score") for c in qa.CATEGORIES}
    if all(isinstance(v, int) for v in values.values()) and "health" not in answers:
        findings = answers.get("findings") or []
        open_must = sum(
            1
            for f in findings
            if str(f.get("severity")).upper() == "MUST" and (f.get("status") or "open") == "open"
        )
        result = qa.judge(values, open_must, int(context.get("qa_min") or 40))
        out.update(
            health=result.health, result=result.result, result_reason="; ".join(result.reasons)
        )
    return out


def uat_verdict(answers: dict[str, Any], requirements: list[dict]) -> dict[str, Any]:
    """PASS only when every scenario and weird path passed, every reviewed message helps,
    and every MUST requirement of the PRD was walked at least once."""
    scenarios = answers.get("scenarios") or []
    weird = answers.get("weird_paths") or []
    messages = answers.get("error_messages") or []
    reasons = []
    if not scenarios:
        return {"result": "TBD", "reasons": ["no scenario walked yet"], "missing": []}
    walked = {s.get("requirement") for s in scenarios}
    must = [r.get("id") for r in requirements if r.get("priority") == "MUST"]
    missing = [r for r in must if r not in walked]
    if missing:
        reasons.append(f"MUST requirement(s) not walked: {', '.join(missing)}")
    bad = [s for s in scenarios if s.get("result") != "PASS"]
    if bad:
        reasons.append(f"{len(bad)} scenario(s) not PASS")
    odd = [w for w in weird if w.get("result") != "PASS"]
    if odd:
        reasons.append(f"{len(odd)} weird path(s) not PASS")
    unhelpful = [m for m in messages if m.get("verdict") and m.get("verdict") != "HELPFUL"]
    if unhelpful:
        reasons.append(f"{len(unhelpful)} error message(s) do not help a user")
    return {"result": "FAIL" if reasons else "PASS", "reasons": reasons, "missing": missing}


def uat_answers(answers: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    source = context.get("source") or {}
    requirements = source.get("requirements") if isinstance(source, dict) else None
    verdict = uat_verdict(answers, list(requirements or []))
    return {**answers, "verdict": verdict}
