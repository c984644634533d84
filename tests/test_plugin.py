"""`ygs plugin build OUT`: a Claude Code plugin and marketplace that the official validator
accepts (`claude plugin validate --strict`, skipped with a reason when `claude` is absent)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_pack

from ygs import __version__
from ygs.core import frontmatter

SOURCE = Path(__file__).parent.parent / "skills"


def claude() -> str:
    path = shutil.which("claude")
    if path is None:
        pytest.skip(
            "`claude` is not installed: npm install @anthropic-ai/claude-code (.ci/run does)"
        )
    return path


def validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [claude(), "plugin", "validate", "--strict", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def built(ygs, tmp_path) -> Path:
    out = tmp_path / "plugin"
    result = ygs("plugin", "build", str(out), "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.json["out"] == str(out) and len(result.json["skills"]) == 33
    return out


def test_plugin_has_manifest_marketplace_and_every_skill(built):
    plugin = json.loads((built / ".claude-plugin/plugin.json").read_text())
    assert plugin["name"] == "ygs" and plugin["version"] == __version__
    assert plugin["description"] and plugin["author"]["name"]
    market = json.loads((built / ".claude-plugin/marketplace.json").read_text())
    assert market["name"] and market["owner"]["name"]
    assert market["plugins"] == [
        {
            "name": "ygs",
            "source": "./",
            "description": plugin["description"],
            "version": __version__,
        }
    ]
    skills = sorted(p.name for p in (built / "skills").iterdir())
    assert skills == sorted(p.name for p in SOURCE.glob("ygs-*"))
    implement = frontmatter.parse((built / "skills/ygs-implement/SKILL.md").read_text())
    assert implement.meta["argument-hint"] == "[TASK-ID]"
    assert not any(p.is_symlink() for p in built.rglob("*"))
    refs = built / "skills/ygs-review-pr/references"
    assert sorted(p.name for p in refs.iterdir()) == sorted(
        p.name for p in (SOURCE / "ygs-review-pr/references").iterdir()
    )


def test_plugin_and_marketplace_pass_the_official_validator(built):
    for manifest in ("plugin.json", "marketplace.json"):
        out = validate(built / ".claude-plugin" / manifest)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "Validation passed" in out.stdout


def test_the_validator_sees_a_broken_skill(built):
    broken = built / "skills/ygs-adr/SKILL.md"
    broken.write_text("---\nname: [ygs-adr\n---\nbody\n")
    assert validate(built / ".claude-plugin/plugin.json").returncode != 0


def test_a_non_empty_folder_needs_force_and_keeps_other_files(ygs, built, tmp_path):
    (built / "README.md").write_text("mine\n")
    (built / "skills" / "stale").mkdir()
    refused = ygs("plugin", "build", str(built), cwd=tmp_path)
    assert refused.code == 2 and "not empty" in refused.stderr and "--force" in refused.stderr
    pack = copy_pack(tmp_path / "pack", ["ygs-adr"])
    forced = ygs("plugin", "build", str(built), "--force", "--from", str(pack), cwd=tmp_path)
    assert forced.code == 0, forced.stderr
    assert (built / "README.md").read_text() == "mine\n"
    assert sorted(p.name for p in (built / "skills").iterdir()) == ["ygs-adr"]


def test_plugin_build_selects_skills_and_refuses_a_bad_pack(ygs, tmp_path):
    out = tmp_path / "some"
    result = ygs("plugin", "build", str(out), "--skills", "adr,wbs", "--json", cwd=tmp_path)
    assert result.code == 0 and result.json["skills"] == ["ygs-adr", "ygs-wbs"]
    bad = tmp_path / "bad" / "x"
    bad.mkdir(parents=True)
    (bad / "SKILL.md").write_text("---\nname: y\ndescription: d\n---\n")
    refused = ygs(
        "plugin", "build", str(tmp_path / "other"), "--from", str(bad.parent), cwd=tmp_path
    )
    assert refused.code == 2 and "differs from folder" in refused.stderr
    assert not (tmp_path / "other").exists()


def test_claude_installs_the_built_plugin_from_its_marketplace(built, isolated_home):
    """Offline: `claude plugin marketplace add OUT` then `claude plugin install ygs@ygs`."""
    for args in (["marketplace", "add", str(built)], ["install", "ygs@ygs"]):
        out = subprocess.run(
            [claude(), "plugin", *args], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stdout + out.stderr
    listed = subprocess.run(
        [claude(), "plugin", "list"], capture_output=True, text=True, timeout=120
    )
    assert "ygs@ygs" in listed.stdout and __version__ in listed.stdout
    record = json.loads((isolated_home / ".claude/plugins/installed_plugins.json").read_text())
    (entry,) = record["plugins"]["ygs@ygs"]
    skills = Path(entry["installPath"]) / "skills"
    assert sorted(p.name for p in skills.iterdir()) == sorted(p.name for p in SOURCE.glob("ygs-*"))
