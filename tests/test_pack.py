"""The packaged skill pack: complete, valid by both validators, and faithful to its sources."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from ygs.core import frontmatter

SKILLS = REPO / "skills"
EXPECTED = {
    "requirements": ["refine-prd", "review-prd"],
    "design": [
        "refine-trd",
        "review-trd",
        "refine-architecture",
        "review-architecture",
        "adr",
        "threat-model",
    ],
    "planning": ["estimate", "wbs", "spike"],
    "build": ["implement", "investigate"],
    "review": [
        "code-review",
        "security-review",
        "sre-review",
        "api-review",
        "ui-review",
        "review-pr",
    ],
    "test": ["qa", "uat"],
    "close": ["sync", "ship", "changelog", "retro", "learn", "handoff", "triage"],
    "team": ["standup", "risk-scan", "sprint-plan", "pr-queue", "ask"],
}
INTERVIEWS = {
    "refine-prd",
    "refine-trd",
    "refine-architecture",
    "adr",
    "threat-model",
    "estimate",
    "spike",
    "wbs",
    "qa",
    "uat",
    "retro",
    "learn",
}
REASONING = {"refine-prd", "refine-trd", "refine-architecture", "code-review", "security-review"}
FAST = {"implement", "wbs", "ship", "standup", "risk-scan", "sprint-plan", "pr-queue", "ask"}
NAMES = [f"ygs-{n}" for group in EXPECTED.values() for n in group]


def meta(name: str) -> dict:
    return frontmatter.parse((SKILLS / name / "SKILL.md").read_text()).meta


def test_all_33_skills_and_nothing_else():
    found = sorted(p.name for p in SKILLS.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert found == sorted(NAMES) and len(found) == 33


@pytest.mark.parametrize("name", NAMES)
def test_metadata_matches_the_lifecycle(name):
    data = meta(name)["metadata"]
    short = name.removeprefix("ygs-")
    phase = next(p for p, names in EXPECTED.items() if short in names)
    assert data["ygs-phase"] == phase
    if short in REASONING:
        assert data["ygs-tier"] == "reasoning"
    if short in FAST:
        assert data["ygs-tier"] == "fast"
    assert data["ygs-command"].startswith("ygs ")
    assert (SKILLS / name / "interview.yaml").is_file() == (short in INTERVIEWS)


def test_ygs_validator_is_clean_on_the_pack(ygs):
    result = ygs("skills", "validate", str(SKILLS))
    assert result.code == 0, result.stdout
    assert "33 skills checked, 0 problems" in result.stdout


def agentskills() -> str | None:
    return shutil.which("agentskills", path=str(Path(sys.executable).parent)) or shutil.which(
        "agentskills"
    )


@pytest.mark.parametrize("name", NAMES)
def test_open_spec_validator_accepts_each_skill(name):
    exe = agentskills()
    if exe is None:
        pytest.skip("agentskills (PyPI skills-ref) is not installed")
    out = subprocess.run([exe, "validate", str(SKILLS / name)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def coverage_rows() -> list[tuple[str, str, list[str]]]:
    text = (SKILLS / "README.md").read_text()
    section = text.split("## Coverage of the source material", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and cells[1].startswith("ygs-"):
            rows.append((cells[0], cells[1], [x.strip() for x in cells[2].split(";") if x.strip()]))
    return rows


def skill_text(name: str) -> str:
    folder = SKILLS / name
    return "\n".join(p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()).lower()


def test_coverage_table_literals_appear_in_their_skill():
    rows = coverage_rows()
    assert len(rows) > 400
    texts = {name: skill_text(name) for name in NAMES}
    missing = [
        f"{skill}: {literal!r} ({rule})"
        for rule, skill, literals in rows
        for literal in literals
        if literal.lower() not in texts[skill]
    ]
    assert missing == []


def test_coverage_table_covers_every_skill():
    assert {skill for _, skill, _ in coverage_rows()} == set(NAMES)


def test_shared_material_is_stored_once_and_linked():
    shared = {p.name for p in (SKILLS / "_shared").iterdir()}
    for link in SKILLS.rglob("*.md"):
        if link.is_symlink():
            target = Path(link.parent, link.readlink()).resolve()
            assert target.parent == (SKILLS / "_shared").resolve() and target.name in shared
    references = SKILLS.glob("ygs-*/references/*.md")
    copies = [p for p in references if p.name in shared and not p.is_symlink()]
    assert copies == []


def test_no_sentences_copied_from_the_seed():
    seed = Path("/work/shared/seed/000_ef77a61a3da7625b.txt")
    if not seed.exists():
        pytest.skip("the source blog is not on this machine")
    sentences = {
        s.strip().lower()
        for s in re.split(r"(?<=[.!?])\s+", seed.read_text(errors="replace"))
        if len(s.split()) >= 12
    }
    pack = " ".join(" ".join(skill_text(n).split()) for n in NAMES)
    copied = [s for s in sentences if " ".join(s.split()) in pack]
    assert copied == []
