"""`ygs install / update / uninstall / installed`: safety scenarios, through the CLI.

"ygs was upgraded" is simulated with a pack copy: install `--from` a tmp copy of the
pack, change the copy, then `ygs update` (each skill is updated from the pack it was
installed from) or `ygs update --from` another copy. This is the same code path as an
upgrade of the packaged pack, whose source label is simply `packaged`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from conftest import copy_pack

SKILLS = ["ygs-adr", "ygs-implement", "ygs-review-pr"]


def manifest_path() -> Path:
    from ygs.install.manifest import location

    return location("user", None)


def manifest() -> dict:
    return json.loads(manifest_path().read_text())


def claude_dir(home: Path) -> Path:
    return home / ".claude" / "skills"


@pytest.fixture
def pack(tmp_path) -> Path:
    return copy_pack(tmp_path / "pack", SKILLS)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# ----------------------------------------------------------------------------- install


def test_default_install_is_claude_code_user_scope(ygs, isolated_home, tmp_path):
    result = ygs("install", "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    data = result.json
    assert data["scope"] == "user" and data["summary"]["create"] > 28
    skill = claude_dir(isolated_home) / "ygs-implement" / "SKILL.md"
    assert 'argument-hint: "[TASK-ID]"' in skill.read_text()
    recorded = manifest()
    files = recorded["installs"]["claude"]["ygs-implement"]["files"]
    assert ".claude/skills/ygs-implement/SKILL.md" in files
    sha = files[".claude/skills/ygs-implement/SKILL.md"]["sha256"]
    assert recorded["blobs"][sha]["text"] == skill.read_text()
    assert recorded["installs"]["claude"]["ygs-implement"]["version"] == recorded["ygs_version"]
    installed = {p.name for p in claude_dir(isolated_home).iterdir()}
    source = {p.name for p in (Path(__file__).parent.parent / "skills").glob("ygs-*")}
    assert installed == source


def test_second_install_changes_nothing(ygs, isolated_home, tmp_path, pack):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    before = snapshot(isolated_home)
    second = ygs("install", "--from", str(pack), "--json", cwd=tmp_path)
    assert second.code == 0
    assert set(second.json["summary"]) == {"keep"}
    assert snapshot(isolated_home) == before


def test_dry_run_prints_the_plan_and_writes_nothing(ygs, isolated_home, tmp_path, pack):
    before = snapshot(isolated_home)
    result = ygs("install", "--from", str(pack), "--agent", "all", "--dry-run", cwd=tmp_path)
    assert result.code == 0
    assert "create" in result.stdout and "Dry run: nothing was written." in result.stdout
    assert snapshot(isolated_home) == before and not manifest_path().exists()


def test_skills_selection_with_or_without_prefix(ygs, isolated_home, tmp_path, pack):
    result = ygs("install", "--from", str(pack), "--skills", "adr,ygs-implement", cwd=tmp_path)
    assert result.code == 0
    assert sorted(p.name for p in claude_dir(isolated_home).iterdir()) == [
        "ygs-adr",
        "ygs-implement",
    ]
    bad = ygs("install", "--from", str(pack), "--skills", "nope", cwd=tmp_path)
    assert bad.code == 2 and "no skill in the pack named nope" in bad.stderr
    assert "ygs-review-pr" in bad.stderr


def test_project_scope_writes_every_agent_and_a_project_manifest(ygs, repo, pack):
    result = ygs("install", "--from", str(pack), "--scope", "project", "--agent", "all", cwd=repo)
    assert result.code == 0, result.stderr
    for folder in (".claude/skills", ".agents/skills", ".github/skills", ".cursor/skills"):
        assert (repo / folder / "ygs-adr" / "SKILL.md").is_file(), folder
    assert (repo / ".gemini/commands/ygs/adr.toml").is_file()
    assert (repo / ".gemini/skills/ygs-adr/SKILL.md").is_file()
    recorded = json.loads((repo / ".ygs" / "install-manifest.json").read_text())
    assert set(recorded["installs"]) == {"claude", "codex", "copilot", "cursor", "gemini"}
    assert all(not p.startswith("/") for p in recorded["installs"]["codex"]["ygs-adr"]["files"])
    assert not manifest_path().exists()


# ----------------------------------------------------------------------------- update


def test_edit_then_conflicting_update_reports_and_keeps_the_edit(
    ygs, isolated_home, tmp_path, pack
):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    installed = claude_dir(isolated_home) / "ygs-adr" / "SKILL.md"
    edit(installed, "## Purpose\n", "## Purpose\n\nMY TEAM'S RULE.\n")
    edit(pack / "ygs-adr" / "SKILL.md", "## Purpose\n", "## Purpose\n\nUPSTREAM RULE.\n")

    result = ygs("update", "--json", cwd=tmp_path)
    assert result.code == 1
    conflicts = [s for s in result.json["steps"] if s["action"] == "conflict"]
    assert [c["path"] for c in conflicts] == [".claude/skills/ygs-adr/SKILL.md"]
    assert "MY TEAM'S RULE." in installed.read_text()
    new = installed.with_name("SKILL.md.ygs-new")
    assert "UPSTREAM RULE." in new.read_text() and "argument-hint" in new.read_text()

    status = ygs("installed", "--json", cwd=tmp_path).json["installs"]
    adr = next(r for r in status if r["skill"] == "ygs-adr")
    assert adr["conflicts"] == [".claude/skills/ygs-adr/SKILL.md.ygs-new"]
    assert adr["modified"] == [".claude/skills/ygs-adr/SKILL.md"]

    assert result.json["scopes"][0]["scope"] == "user"
    again = ygs("update", cwd=tmp_path)  # still unresolved: still reported, edit still kept
    assert again.code == 1 and "MY TEAM'S RULE." in installed.read_text()

    edit(installed, "MY TEAM'S RULE.\n", "MY TEAM'S RULE.\n\nUPSTREAM RULE.\n")
    new.unlink()  # settled by the user
    settled = ygs("update", "--json", cwd=tmp_path)
    assert settled.code == 0, settled.stdout
    assert "MY TEAM'S RULE." in installed.read_text()
    later = ygs("update", "--json", cwd=tmp_path)
    assert set(later.json["summary"]) == {"keep"}


def test_edit_then_unrelated_upstream_change_merges_cleanly(ygs, isolated_home, tmp_path, pack):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    installed = claude_dir(isolated_home) / "ygs-adr" / "SKILL.md"
    edit(installed, "## Purpose\n", "## Purpose\n\nMY TEAM'S RULE.\n")
    edit(pack / "ygs-adr" / "SKILL.md", "## Completion\n", "## Completion\n\nUPSTREAM NOTE.\n")
    result = ygs("update", "--json", cwd=tmp_path)
    assert result.code == 0
    assert [s["action"] for s in result.json["steps"] if s["path"].endswith("adr/SKILL.md")] == [
        "merge"
    ]
    text = installed.read_text()
    assert "MY TEAM'S RULE." in text and "UPSTREAM NOTE." in text
    assert not installed.with_name("SKILL.md.ygs-new").exists()
    # the new packaged text is the next base: the user's edit stays an edit
    edit(pack / "ygs-adr" / "SKILL.md", "## Output\n", "## Output\n\nSECOND NOTE.\n")
    assert ygs("update", cwd=tmp_path).code == 0
    text = installed.read_text()
    assert "MY TEAM'S RULE." in text and "UPSTREAM NOTE." in text and "SECOND NOTE." in text


def test_unchanged_files_follow_the_pack(ygs, isolated_home, tmp_path, pack):
    refs = pack / "ygs-review-pr" / "references"
    gone = refs / "old-notes.md"
    gone.write_text("# dropped in the next version\n")
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    first = sorted(refs.iterdir())[0]
    first.write_text(first.read_text() + "\nAdded upstream.\n")
    (refs / "brand-new.md").write_text("# new\n")
    gone.unlink()
    shutil.rmtree(pack / "ygs-implement")
    result = ygs("update", "--json", cwd=tmp_path)
    assert result.code == 0, result.stdout
    actions = {s["path"].split("/", 2)[-1]: s["action"] for s in result.json["steps"]}
    base = "ygs-review-pr/references/"
    assert actions[base + first.name] == "update"
    assert actions[base + "brand-new.md"] == "create"
    assert actions[base + gone.name] == "remove"
    installed = claude_dir(isolated_home)
    assert (installed / base / first.name).read_text().endswith("Added upstream.\n")
    assert not (installed / base / gone.name).exists()
    assert not (installed / "ygs-implement").exists()
    assert "ygs-implement" not in manifest()["installs"]["claude"]


def test_update_from_another_copy_of_the_pack(ygs, isolated_home, tmp_path, pack):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    upgraded = copy_pack(tmp_path / "v2", ["ygs-adr"])
    edit(upgraded / "ygs-adr" / "SKILL.md", "## Purpose\n", "## Purpose\n\nVERSION TWO.\n")
    result = ygs("update", "--from", str(upgraded), "--dry-run", cwd=tmp_path)
    assert result.code == 0 and "update" in result.stdout
    assert "VERSION TWO." not in (claude_dir(isolated_home) / "ygs-adr/SKILL.md").read_text()
    assert ygs("update", "--from", str(upgraded), cwd=tmp_path).code == 0
    assert "VERSION TWO." in (claude_dir(isolated_home) / "ygs-adr/SKILL.md").read_text()
    assert manifest()["installs"]["claude"]["ygs-adr"]["source"] == str(upgraded.resolve())
    assert manifest()["installs"]["claude"]["ygs-implement"]["source"] == str(pack.resolve())


def test_update_with_nothing_installed_is_fine(ygs, tmp_path):
    result = ygs("update", cwd=tmp_path)
    assert result.code == 0 and "Nothing installed" in result.stderr


# ----------------------------------------------------------------------------- uninstall


def test_uninstall_removes_only_what_ygs_installed(ygs, isolated_home, tmp_path, pack):
    mine = claude_dir(isolated_home) / "ygs-mine"
    mine.mkdir(parents=True)
    (mine / "SKILL.md").write_text("---\nname: ygs-mine\ndescription: mine\n---\nmine\n")
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    notes = claude_dir(isolated_home) / "ygs-adr" / "my-notes.md"
    notes.write_text("my notes\n")

    result = ygs("uninstall", "--json", cwd=tmp_path)
    assert result.code == 0, result.stdout
    assert (mine / "SKILL.md").read_text().endswith("mine\n")
    assert notes.read_text() == "my notes\n"
    left = sorted(
        p.relative_to(claude_dir(isolated_home)) for p in claude_dir(isolated_home).rglob("*")
    )
    assert left == [
        Path("ygs-adr"),
        Path("ygs-adr/my-notes.md"),
        Path("ygs-mine"),
        Path("ygs-mine/SKILL.md"),
    ]
    assert not manifest_path().exists()


def test_uninstall_keeps_changed_files_unless_forced(ygs, isolated_home, tmp_path, pack):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    changed = claude_dir(isolated_home) / "ygs-adr" / "SKILL.md"
    edit(changed, "## Purpose\n", "## Purpose\n\nMINE.\n")
    dry = ygs("uninstall", "--force", "--dry-run", cwd=tmp_path)
    assert dry.code == 0 and changed.exists()

    kept = ygs("uninstall", "--json", cwd=tmp_path)
    assert kept.code == 1
    assert [s["path"] for s in kept.json["steps"] if s["action"] == "kept"] == [
        ".claude/skills/ygs-adr/SKILL.md"
    ]
    assert "MINE." in changed.read_text()
    assert sorted(p.name for p in claude_dir(isolated_home).iterdir()) == ["ygs-adr"]
    assert list(manifest()["installs"]["claude"]) == ["ygs-adr"]

    forced = ygs("uninstall", "--force", cwd=tmp_path)
    assert forced.code == 0 and not changed.exists()
    backups = list((manifest_path().parent / "backups").rglob("SKILL.md"))
    assert len(backups) == 1 and "MINE." in backups[0].read_text()


def test_uninstall_after_a_conflict_removes_ygs_new_and_keeps_the_edit(
    ygs, isolated_home, tmp_path, pack
):
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    installed = claude_dir(isolated_home) / "ygs-adr" / "SKILL.md"
    edit(installed, "## Purpose\n", "## Purpose\n\nMINE.\n")
    edit(pack / "ygs-adr" / "SKILL.md", "## Purpose\n", "## Purpose\n\nTHEIRS.\n")
    assert ygs("update", cwd=tmp_path).code == 1
    assert installed.with_name("SKILL.md.ygs-new").exists()
    assert ygs("uninstall", cwd=tmp_path).code == 1
    assert "MINE." in installed.read_text()
    assert sorted(p.name for p in installed.parent.iterdir()) == ["SKILL.md"]


def test_a_skill_ygs_did_not_install_is_never_written(ygs, isolated_home, tmp_path, pack):
    theirs = claude_dir(isolated_home) / "ygs-adr"
    theirs.mkdir(parents=True)
    (theirs / "SKILL.md").write_text("---\nname: ygs-adr\ndescription: my own adr skill\n---\n")
    result = ygs("install", "--from", str(pack), "--json", cwd=tmp_path)
    assert result.code == 1
    (step,) = [s for s in result.json["steps"] if s["skill"] == "ygs-adr"]
    assert step["action"] == "conflict" and "did not install" in step["detail"]
    assert sorted(p.name for p in theirs.iterdir()) == ["SKILL.md"]
    assert "ygs-adr" not in manifest()["installs"]["claude"]
    assert ygs("uninstall", cwd=tmp_path).code == 0
    assert (theirs / "SKILL.md").read_text().endswith("my own adr skill\n---\n")


# ----------------------------------------------------------------------------- crashes


def test_a_crash_mid_install_is_repaired_by_the_next_run(ygs_proc, isolated_home, tmp_path, pack):
    crashed = ygs_proc(
        "install", "--from", str(pack), cwd=tmp_path, env={"YGS_TEST_FAIL_AFTER_FILES": "4"}
    )
    assert crashed.code in (-signal.SIGKILL, 128 + signal.SIGKILL)
    assert not manifest_path().exists()
    written = [p for p in claude_dir(isolated_home).rglob("*") if p.is_file()]
    assert len(written) == 4

    repaired = ygs_proc("install", "--from", str(pack), "--json", cwd=tmp_path)
    assert repaired.code == 0, repaired.stderr
    assert repaired.json["summary"]["keep"] == 4
    total = sum(len(list((pack / s).rglob("*.*"))) for s in SKILLS)
    assert len([p for p in claude_dir(isolated_home).rglob("*") if p.is_file()]) == total
    assert sum(len(s["files"]) for s in manifest()["installs"]["claude"].values()) == total
    assert set(
        ygs_proc("install", "--from", str(pack), "--json", cwd=tmp_path).json["summary"]
    ) == {"keep"}


def test_a_crash_mid_update_is_repaired_by_the_next_run(ygs_proc, isolated_home, tmp_path, pack):
    assert ygs_proc("install", "--from", str(pack), cwd=tmp_path).code == 0
    for skill in SKILLS:
        path = pack / skill / "SKILL.md"
        path.write_text(path.read_text() + "\nVersion two.\n")
    crashed = ygs_proc("update", cwd=tmp_path, env={"YGS_TEST_FAIL_AFTER_FILES": "1"})
    assert crashed.code in (-signal.SIGKILL, 128 + signal.SIGKILL)
    again = ygs_proc("update", "--json", cwd=tmp_path)
    assert again.code == 0, again.stdout
    assert again.json["summary"] == {"keep": again.json["summary"]["keep"], "update": 2}
    for skill in SKILLS:
        assert (
            (claude_dir(isolated_home) / skill / "SKILL.md").read_text().endswith("Version two.\n")
        )
    assert set(ygs_proc("update", "--json", cwd=tmp_path).json["summary"]) == {"keep"}


# ----------------------------------------------------------------------------- bad input


def test_an_invalid_third_party_pack_installs_nothing(ygs, isolated_home, tmp_path):
    bad = tmp_path / "third-party" / "their-skill"
    bad.mkdir(parents=True)
    (bad / "SKILL.md").write_text("---\nname: their-skill\ndescription: [unclosed\n---\nbody\n")
    other = tmp_path / "third-party" / "other-skill"
    other.mkdir()
    (other / "SKILL.md").write_text("---\nname: other-skill\ndescription: ok\ncolor: red\n---\n")
    result = ygs("install", "--from", str(tmp_path / "third-party"), cwd=tmp_path)
    assert result.code == 2
    assert re.search(r"their-skill/SKILL\.md:\d+: SKL002", result.stderr)
    assert "other-skill/SKILL.md:4" in result.stderr and "'color'" in result.stderr
    assert "nothing was installed" in result.stderr
    assert not (isolated_home / ".claude").exists() and not manifest_path().exists()


def test_a_pack_link_that_leaves_the_pack_is_refused(ygs, isolated_home, tmp_path, pack):
    secret = tmp_path / "secret.md"
    secret.write_text("secret\n")
    (pack / "ygs-adr" / "references").mkdir(exist_ok=True)
    (pack / "ygs-adr" / "references" / "leak.md").symlink_to(secret)
    result = ygs("install", "--from", str(pack), cwd=tmp_path)
    assert result.code == 2 and "outside the pack" in result.stderr
    assert not (isolated_home / ".claude").exists()


def test_unknown_agent_lists_the_valid_ones(ygs, tmp_path):
    result = ygs("install", "--agent", "vim", cwd=tmp_path)
    assert result.code == 2
    assert "unknown agent 'vim'" in result.stderr
    assert "claude, codex, copilot, cursor, gemini, all" in result.stderr


def test_an_unwritable_target_is_a_clear_error_and_records_nothing(
    ygs, isolated_home, tmp_path, pack
):
    (isolated_home / ".claude").write_text("not a folder\n")
    result = ygs("install", "--from", str(pack), cwd=tmp_path)
    assert result.code == 2
    assert "cannot write" in result.stderr and ".claude" in result.stderr
    assert not manifest_path().exists()


def test_a_target_blocked_half_way_is_finished_by_the_next_run(ygs, isolated_home, tmp_path, pack):
    claude_dir(isolated_home).mkdir(parents=True)
    blocker = claude_dir(isolated_home) / "ygs-review-pr"
    blocker.write_text("in the way\n")
    result = ygs("install", "--from", str(pack), cwd=tmp_path)
    assert result.code == 2 and "cannot write" in result.stderr
    assert (claude_dir(isolated_home) / "ygs-adr" / "SKILL.md").is_file()
    assert not manifest_path().exists()
    blocker.unlink()
    assert ygs("install", "--from", str(pack), cwd=tmp_path).code == 0
    assert set(manifest()["installs"]["claude"]) == set(SKILLS)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_target_folder(ygs, isolated_home, tmp_path, pack):
    claude_dir(isolated_home).mkdir(parents=True)
    claude_dir(isolated_home).chmod(0o500)
    try:
        result = ygs("install", "--from", str(pack), cwd=tmp_path)
    finally:
        claude_dir(isolated_home).chmod(0o700)
    assert result.code == 2 and "cannot write" in result.stderr
    assert not manifest_path().exists()


def test_missing_home_is_a_clear_error(ygs, monkeypatch, repo, pack):
    monkeypatch.delenv("HOME")
    result = ygs("install", "--from", str(pack), cwd=repo)
    assert result.code == 2 and "HOME is not set" in result.stderr
    assert "--scope project" in result.stderr
    assert ygs("install", "--from", str(pack), "--scope", "project", cwd=repo).code == 0


# ----------------------------------------------------------------------------- link mode


def test_link_mode_symlinks_the_source_folders(ygs, isolated_home, tmp_path):
    source = tmp_path / "dev" / "skills"
    shutil.copytree(Path(__file__).parent.parent / "skills", source, symlinks=True)
    result = ygs("install", "--link", "--from", str(source), "--skills", "review-pr", cwd=tmp_path)
    assert result.code == 0, result.stderr
    linked = claude_dir(isolated_home) / "ygs-review-pr"
    assert linked.is_symlink() and linked.resolve() == (source / "ygs-review-pr").resolve()
    for ref in (linked / "references").iterdir():  # _shared links still resolve through it
        assert ref.read_text()
    edit(source / "ygs-review-pr" / "SKILL.md", "## Purpose\n", "## Purpose\n\nLIVE.\n")
    assert "LIVE." in (linked / "SKILL.md").read_text()
    assert set(
        ygs(
            "install",
            "--link",
            "--from",
            str(source),
            "--skills",
            "review-pr",
            "--json",
            cwd=tmp_path,
        ).json["summary"]
    ) == {"keep"}

    copy = ygs("install", "--from", str(source), "--skills", "review-pr", cwd=tmp_path)
    assert copy.code == 2 and "as a link" in copy.stderr
    gemini = ygs("install", "--link", "--agent", "gemini", "--from", str(source), cwd=tmp_path)
    assert gemini.code == 2 and "--link" in gemini.stderr

    assert ygs("uninstall", cwd=tmp_path).code == 0
    assert not os.path.lexists(linked)
    assert (source / "ygs-review-pr" / "SKILL.md").is_file()


# ----------------------------------------------------------------------------- status


def test_installed_lists_what_where_and_which_version(ygs, isolated_home, tmp_path, pack):
    assert ygs("installed", "--json", cwd=tmp_path).json["installs"] == []
    assert ygs("install", "--from", str(pack), "--agent", "claude,codex", cwd=tmp_path).code == 0
    edit(claude_dir(isolated_home) / "ygs-adr" / "SKILL.md", "## Purpose\n", "## Purpose\nX\n")
    edit(pack / "ygs-implement" / "SKILL.md", "## Purpose\n", "## Purpose\nY\n")
    rows = ygs("install", "--status", "--json", cwd=tmp_path).json["installs"]
    assert len(rows) == 6
    by = {(r["agent"], r["skill"]): r for r in rows}
    adr = by["claude", "ygs-adr"]
    assert adr["scope"] == "user" and adr["mode"] == "copy" and adr["version"]
    assert adr["modified"] == [".claude/skills/ygs-adr/SKILL.md"]
    assert adr["paths"] == ["~/.claude/skills/ygs-adr/SKILL.md"]
    assert by["codex", "ygs-adr"]["modified"] == []
    assert by["codex", "ygs-implement"]["update_available"] is True
    assert by["codex", "ygs-adr"]["update_available"] is False
    human = ygs("installed", cwd=tmp_path)
    assert "changed by you: .claude/skills/ygs-adr/SKILL.md" in human.stdout
    assert "update available" in human.stdout
