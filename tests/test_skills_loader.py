"""Skill packs: loading with overrides, listing, showing, and validating any pack."""

from __future__ import annotations

from pathlib import Path

import pytest

GOOD = """---
name: {name}
description: Does one thing well. Use it when that thing is needed.
license: MIT
metadata:
  author: someone
---
# {name}

See [the guide](references/guide.md) and `references/guide.md`.
"""


def skill(
    pack: Path, name: str, text: str | None = None, files: dict[str, str] | None = None
) -> Path:
    folder = pack / name
    (folder / "references").mkdir(parents=True, exist_ok=True)
    (folder / "references" / "guide.md").write_text("# guide\n")
    (folder / "SKILL.md").write_text(text if text is not None else GOOD.format(name=name))
    for rel, content in (files or {}).items():
        (folder / rel).write_text(content)
    return folder


def test_valid_third_party_pack_is_clean(ygs, tmp_path):
    skill(tmp_path / "pack", "tidy-first")
    result = ygs("skills", "validate", str(tmp_path / "pack"))
    assert result.code == 0, result.stdout
    assert "1 skills checked, 0 problems" in result.stdout


@pytest.mark.parametrize(
    ("text", "rule", "line", "words"),
    [
        ("---\nname: other\ndescription: d\n---\n", "SKL003", 2, "differs from folder"),
        ("---\nname: Bad--Name\ndescription: d\n---\n", "SKL003", 2, "a-z"),
        ("---\nname: s\ndescription: " + "x" * 1100 + "\n---\n", "SKL004", 3, "1024"),
        ("---\nname: s\n---\n", "SKL004", 1, "missing 'description'"),
        ("---\nname: s\ndescription: d\nargument-hint: x\n---\n", "SKL005", 4, "argument-hint"),
        ("---\nname: s\ndescription: d\nmetadata:\n  n: 1\n---\n", "SKL006", 4, "text values"),
        ("---\nname: s\ndescription: d\n---\n" + "line\n" * 600, "SKL007", 501, "500"),
        (
            "---\nname: s\ndescription: d\n---\n\nSee [x](references/missing.md)\n",
            "SKL008",
            6,
            "does not",
        ),
        ("---\nname: s\ndescription: d\n---\nSee [x](../other/SKILL.md)\n", "SKL008", 5, "outside"),
        ("---\nname: s\ndescription: d\n---\nRun ~/.claude/skills/x/run.sh\n", "SKL009", 5, "home"),
        ("---\nname: s\ndescription: d\n---\nRead /home/me/pack/x.md\n", "SKL009", 5, "absolute"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(ygs, tmp_path, text, rule, line, words):
    folder = skill(tmp_path / "pack", "s", text)
    result = ygs("skills", "validate", str(tmp_path / "pack"))
    assert result.code == 1, result.stdout
    expected = f"{folder}/SKILL.md:{line}: MUST {rule}:"
    matching = [row for row in result.stdout.splitlines() if row.startswith(expected)]
    assert matching and words in matching[0], result.stdout


def test_malformed_frontmatter_exits_2(ygs, tmp_path):
    folder = skill(tmp_path / "pack", "s", "---\nname: s\ndescription: [oops\n---\n")
    result = ygs("skills", "validate", str(folder))
    assert result.code == 2
    assert f"{folder}/SKILL.md:4: MUST SKL002: malformed YAML" in result.stdout


INTERVIEW = """version: 1
artifact: prd
title: title
dimensions:
  - id: basics
    title: Basics
    questions:
      - id: title
        prompt: What is it called?
        why: It names the file.
        kind: text
        recommended: "{{ context.idea }}"
"""


def test_interview_yaml_schema_is_enforced(ygs, tmp_path):
    good = skill(tmp_path / "ok", "s", files={"interview.yaml": INTERVIEW})
    assert ygs("skills", "validate", str(good)).code == 0
    broken = INTERVIEW.replace("kind: text", "kind: essay").replace(
        "        why: It names the file.\n", ""
    )
    folder = skill(tmp_path / "bad", "s", files={"interview.yaml": broken})
    result = ygs("skills", "validate", str(folder))
    assert result.code == 1
    assert (
        f"{folder}/interview.yaml:10: MUST SKL010: question 'title': kind must be one of"
        in result.stdout
    )
    assert f"{folder}/interview.yaml:8: MUST SKL010: question 'title' has no 'why'" in result.stdout


def test_malformed_interview_yaml_exits_2_with_line(ygs, tmp_path):
    folder = skill(
        tmp_path / "pack", "s", files={"interview.yaml": "version: 1\ndimensions: [\n  - id: x\n"}
    )
    result = ygs("skills", "validate", str(folder))
    assert result.code == 2
    assert (
        f"{folder}/interview.yaml:" in result.stdout and "SKL012: malformed YAML" in result.stdout
    )


def test_later_sources_override_earlier_and_list_shows_where(ygs, repo, isolated_home):
    user_pack = isolated_home / ".local" / "share" / "ygs" / "skills"
    skill(user_pack, "ygs-refine-prd")
    skill(user_pack, "mine")
    skill(repo / ".ygs" / "skills", "mine")
    listing = ygs("skills", "list", "--json", cwd=repo).json["skills"]
    by_name = {s["name"]: s for s in listing}
    assert by_name["ygs-refine-prd"]["source"] == "user"
    assert by_name["ygs-refine-prd"]["overrides"] == ["packaged"]
    assert by_name["mine"]["source"] == "project" and by_name["mine"]["overrides"] == ["user"]
    extra = tmp_path_pack = repo / "extra"
    skill(tmp_path_pack, "mine")
    again = ygs("skills", "list", "--path", str(extra), "--json", cwd=repo).json["skills"]
    assert {s["name"]: s["source"] for s in again}["mine"] == "path"


def test_skills_list_reports_a_broken_skill_and_still_lists_the_rest(ygs, repo):
    skill(repo / ".ygs" / "skills", "broken", "---\nname: [\n---\n")
    result = ygs("skills", "list", cwd=repo)
    assert result.code == 2
    assert "ygs-refine-prd" in result.stdout and "broken/SKILL.md:3: MUST SKL002" in result.stdout


def test_skills_show_renders_a_skill(ygs, repo):
    result = ygs("skills", "show", "refine-prd", cwd=repo)
    assert result.code == 0 and "ygs-refine-prd" in result.stdout
    assert ygs("skills", "show", "nope", cwd=repo).code == 2
