"""Planted-defect corpus: every offline rule finds its defect at the expected line, and the
clean twin of each defect produces no finding at all."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import git, make_repo, run_ygs
from ygs.review.pyscan import RUFF_RULES
from ygs.review.rules import CATALOGUE, OVERLAPS

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "review" / "corpus.yaml").read_text(encoding="utf-8")
)
# TST001 fires on any source change without a test change (off except in its own case); the
# pointers S404, S603, S607 and DNG020 on any subprocess import or call (MAY; off except in
# their own cases).
POINTERS = ("TST001", "S404", "S603", "S607", "DNG020")


def config(rule: str) -> str:
    off = [p for p in POINTERS if p not in _group(rule)]
    return "review:\n  rules:\n" + "".join(f"    {p}: off\n" for p in off)


def _ids(case: dict) -> str:
    return f"{case['rule']}-{case['file']}"


def staged_review(tmp_path: Path, files: dict[str, str], before: dict[str, str], rule: str):
    repo = make_repo(tmp_path / "repo")
    (repo / ".ygs").mkdir()
    (repo / ".ygs" / "config.yaml").write_text(config(rule))
    for name, text in before.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "before")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    result = run_ygs("review", "--staged", "--offline", "--json", "--fail-on", "never", cwd=repo)
    assert result.code == 0, result.stderr
    return result.json["findings"]


@pytest.mark.parametrize("case", CORPUS, ids=_ids)
def test_defect_is_found_at_its_line(tmp_path, case):
    before = {case["file"]: case["before"]} if "before" in case else {}
    findings = staged_review(tmp_path, {case["file"]: case["defect"]}, before, case["rule"])
    hits = [(f["rule"], f["file"], f["line"]) for f in findings]
    # ruff's rule stands in for ygs's own on Python (S307 for DNG001): either one counts
    same = _group(case["rule"])
    assert any((r, case["file"], case["line"]) in hits for r in same), hits
    mine = next(f for f in findings if f["rule"] in same and f["line"] == case["line"])
    assert mine["lens"] == CATALOGUE[mine["rule"]].family
    assert mine["severity"] == CATALOGUE[mine["rule"]].severity.value
    assert mine["confidence"] == "HIGH" and mine["fix"] and len(mine["fingerprint"]) == 16


@pytest.mark.parametrize("case", CORPUS, ids=_ids)
def test_clean_twin_has_no_finding(tmp_path, case):
    before = {case["file"]: case["before"]} if "before" in case else {}
    files = {case.get("clean_file", case["file"]): case["clean"], **case.get("clean_extra", {})}
    findings = staged_review(tmp_path, files, before, case["rule"])
    assert findings == [], [(f["rule"], f["file"], f["line"], f["title"]) for f in findings]


def _group(rule: str) -> tuple[str, ...]:
    return next((g for g in OVERLAPS if rule in g), (rule,))


def test_every_rule_has_a_planted_defect():
    planted = {case["rule"] for case in CORPUS} | {"SIZE001", "SIZE002"}
    assert planted == set(CATALOGUE) - set(RUFF_RULES)


def _function(name: str, body_lines: int) -> str:
    body = "".join(f"    total += {i}\n" for i in range(body_lines))
    return f"def {name}():\n    total = 0\n{body}    return total\n"


@pytest.mark.parametrize(("body", "severity"), [(60, "MAY"), (110, "SHOULD")])
def test_long_function_is_graded_by_length(tmp_path, body, severity):
    findings = staged_review(tmp_path, {"app/long.py": _function("long", body)}, {}, "SIZE002")
    size = [f for f in findings if f["rule"] == "SIZE002"]
    assert [(f["line"], f["severity"]) for f in size] == [(1, severity)]


def test_short_function_twin_is_clean(tmp_path):
    assert staged_review(tmp_path, {"app/short.py": _function("short", 40)}, {}, "SIZE002") == []


def test_long_function_edited_in_place_is_measured_from_the_whole_file(tmp_path):
    before = {"app/long.py": _function("long", 70)}
    edited = before["app/long.py"].replace("total += 35\n", "total += 35 * 2\n")
    findings = staged_review(tmp_path, {"app/long.py": edited}, before, "SIZE002")
    size = [f for f in findings if f["rule"] == "SIZE002"]
    assert [(f["line"], f["severity"]) for f in size] == [(38, "MAY")]


def test_large_change_should_be_split(tmp_path):
    files = {f"app/m{i}.py": "".join(f"V{j} = {j}\n" for j in range(100)) for i in range(9)}
    findings = staged_review(tmp_path, files, {}, "SIZE001")
    size = [f for f in findings if f["rule"] == "SIZE001"]
    assert len(size) == 1 and size[0]["severity"] == "SHOULD" and size[0]["line"] is None
    assert "900 lines in 9 files" in size[0]["title"]


def test_small_change_is_not_a_size_finding(tmp_path):
    files = {f"app/m{i}.py": "".join(f"V{j} = {j}\n" for j in range(80)) for i in range(8)}
    assert staged_review(tmp_path, files, {}, "SIZE001") == []
