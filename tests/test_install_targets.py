"""Every agent target's output against that agent's format.

- Claude Code skills (with Claude-only fields): `claude plugin validate --strict`;
- Codex, Copilot, Cursor and the Gemini skill folder (open spec): `agentskills validate`;
- Gemini commands: `tomllib`;
- every installed copy is self-contained: each relative link resolves inside its folder.

The external validators run when installed (`.ci/run` installs both); otherwise those
tests skip and say why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import copy_pack
from hypothesis import given, settings
from hypothesis import strategies as st

from ygs.core import frontmatter, skillcheck
from ygs.install.targets import all_targets, gemini

SKILLS = ["ygs-adr", "ygs-implement", "ygs-review-pr"]
SKILL_FOLDERS = {
    "claude": ".claude/skills",
    "codex": ".agents/skills",
    "copilot": ".github/skills",
    "cursor": ".cursor/skills",
    "gemini": ".gemini/skills",
}


def need(tool: str) -> str:
    path = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
    if path is None:
        hint = {
            "claude": "npm install @anthropic-ai/claude-code (.ci/run does)",
            "agentskills": "pip install skills-ref (in the test extras)",
        }[tool]
        pytest.skip(f"`{tool}` is not installed: {hint}")
    return path


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory):
    """The packaged pack installed for every agent in one project (no HOME needed)."""
    from conftest import run_ygs

    project = tmp_path_factory.mktemp("project")
    result = run_ygs("install", "--scope", "project", "--agent", "all", cwd=project)
    assert result.code == 0, result.stderr
    return project


def test_every_target_is_found_by_module():
    assert sorted(all_targets()) == ["claude", "codex", "copilot", "cursor", "gemini"]
    for target in all_targets().values():
        assert set(target.ROOTS) == {"user", "project"}


@pytest.mark.parametrize("agent", sorted(SKILL_FOLDERS))
def test_installed_copies_are_self_contained(everywhere, agent):
    base = everywhere / SKILL_FOLDERS[agent]
    folders = sorted(p for p in base.iterdir() if p.is_dir())
    source = sorted(p.name for p in (Path(__file__).parent.parent / "skills").glob("ygs-*"))
    assert [p.name for p in folders] == source
    for folder in folders:
        assert not any(p.is_symlink() for p in folder.rglob("*")), folder
        from ygs import skills

        problems = skillcheck.check(skills.read_files(folder))
        links = [
            f for f in problems if f.rule in (skillcheck.BROKEN_LINK, skillcheck.ABSOLUTE_PATH)
        ]
        assert links == [], links


def validate_plugin(claude: str, manifest: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [claude, "plugin", "validate", "--strict", str(manifest)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_claude_skills_pass_claude_plugin_validate(everywhere, tmp_path):
    claude = need("claude")
    wrapper = tmp_path / "wrapper"
    (wrapper / ".claude-plugin").mkdir(parents=True)
    manifest = wrapper / ".claude-plugin" / "plugin.json"
    plugin = {"name": "wrapper", "version": "0.0.1", "description": "installed skills"}
    manifest.write_text(json.dumps({**plugin, "author": {"name": "test"}}))
    shutil.copytree(everywhere / ".claude/skills", wrapper / "skills")
    out = validate_plugin(claude, manifest)
    assert out.returncode == 0, out.stdout + out.stderr
    # the validator reads every skill: one broken frontmatter fails it
    broken = wrapper / "skills" / "ygs-adr" / "SKILL.md"
    broken.write_text(broken.read_text().replace("name: ygs-adr", "name: [ygs-adr", 1))
    assert validate_plugin(claude, manifest).returncode != 0


def test_claude_adds_its_fields_and_nothing_else(everywhere):
    source = Path(__file__).parent.parent / "skills" / "ygs-implement" / "SKILL.md"
    installed = everywhere / ".claude/skills/ygs-implement/SKILL.md"
    extra = set(installed.read_text().splitlines()) - set(source.read_text().splitlines())
    assert extra == {'argument-hint: "[TASK-ID]"'}
    assert frontmatter.parse(installed.read_text()).meta["argument-hint"] == "[TASK-ID]"
    assert "argument-hint" not in source.read_text()
    codex = everywhere / ".agents/skills/ygs-implement/SKILL.md"
    assert codex.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("agent", ["codex", "copilot", "cursor", "gemini"])
def test_open_spec_targets_pass_agentskills_validate(ygs, tmp_path, agent):
    tool = need("agentskills")
    project = tmp_path / "project"
    project.mkdir()
    pack = copy_pack(tmp_path / "pack", SKILLS)
    result = ygs(
        "install", "--scope", "project", "--agent", agent, "--from", str(pack), cwd=project
    )
    assert result.code == 0, result.stderr
    for skill in SKILLS:
        folder = project / SKILL_FOLDERS[agent] / skill
        out = subprocess.run([tool, "validate", str(folder)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_gemini_commands_are_toml_with_the_skill_body(everywhere):
    commands = sorted((everywhere / ".gemini/commands/ygs").glob("*.toml"))
    assert len(commands) == len(list((everywhere / ".gemini/skills").iterdir()))
    for path in commands:
        data = tomllib.loads(path.read_text())
        skill = everywhere / ".gemini/skills" / f"ygs-{path.stem}" / "SKILL.md"
        doc = frontmatter.parse(skill.read_text())
        assert set(data) == {"description", "prompt"}
        assert data["description"] == " ".join(doc.meta["description"].split())
        assert doc.body.strip() in data["prompt"]
        assert data["prompt"].rstrip().endswith("{{args}}")
        assert f".gemini/skills/ygs-{path.stem}/" in data["prompt"]


def test_gemini_user_scope_points_at_the_home_skill_folder(ygs, isolated_home, tmp_path):
    pack = copy_pack(tmp_path / "pack", ["ygs-adr"])
    assert ygs("install", "--agent", "gemini", "--from", str(pack), cwd=tmp_path).code == 0
    prompt = tomllib.loads((isolated_home / ".gemini/commands/ygs/adr.toml").read_text())["prompt"]
    assert "`~/.gemini/skills/ygs-adr/`" in prompt


def test_gemini_refuses_text_it_would_execute(ygs, isolated_home, tmp_path):
    pack = copy_pack(tmp_path / "pack", ["ygs-adr"])
    skill = pack / "ygs-adr" / "SKILL.md"
    skill.write_text(skill.read_text().replace("## Purpose\n", "## Purpose\n\nRun !{rm -rf ~}.\n"))
    result = ygs("install", "--agent", "gemini", "--from", str(pack), cwd=tmp_path)
    assert result.code == 2 and "'!{'" in result.stderr
    assert not (isolated_home / ".gemini").exists()
    assert ygs("install", "--agent", "codex", "--from", str(pack), cwd=tmp_path).code == 0


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_toml_strings_read_back_exactly(text):
    data = tomllib.loads(f"a = {gemini.basic(text)}\nb = {gemini.multiline(text)}\n")
    assert data == {"a": text, "b": text}
