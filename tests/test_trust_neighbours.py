"""The neighbours of the interviews (issue #16, sections 5 and 6): TM006 by status, trace
counts only real decisions, status counts only implemented mitigations, hooks uninstall,
uninstall in every scope."""

from __future__ import annotations

from tests.conftest import edit, git, make_repo

TM = "docs/threat-models/2026-01-15-alert-delivery.md"


def _tm006(ygs, proj):
    found = ygs("check", "--json", cwd=proj).json["findings"]
    return [f for f in found if f["rule"] == "TM006"]


def test_open_high_threat_is_should_in_a_draft_and_must_once_approved(ygs, proj):
    edit(proj, TM, "| MIT-001 | mitigated | SRE |", "| MIT-001 | open | SRE |")
    edit(proj, TM, "status: review", "status: draft")
    (draft,) = _tm006(ygs, proj)
    assert draft["severity"] == "SHOULD"
    edit(proj, TM, "status: draft", "status: approved")
    (approved,) = _tm006(ygs, proj)
    assert approved["severity"] == "MUST"


def test_trace_does_not_count_tbd_as_a_decision(ygs, proj):
    (trd,) = (proj / "docs" / "trd").glob("*.md")
    before = ygs("trace", "--json", cwd=proj).json
    edit(
        proj,
        trd.relative_to(proj).as_posix(),
        "| REQ-002 | D2 Outbox for alert events |",
        "| REQ-002 | TBD |",
    )
    after = ygs("trace", "--json", cwd=proj).json
    share = lambda data: data["coverage"]["with_decision"]["count"]  # noqa: E731
    assert share(after) == share(before) - 1
    mermaid = ygs("trace", "--format", "mermaid", cwd=proj).stdout
    assert "TBD" not in mermaid


def test_status_counts_threats_whose_mitigation_tasks_are_done(ygs, proj):
    coverage = ygs("status", "--json", cwd=proj).json["traceability"]
    assert coverage["threats_mitigated"]["count"] == 1  # THR-001: TASK-001 is done
    assert coverage["threats_with_mitigation"]["count"] == 2  # THR-002's task is in backlog
    done = proj / "tasks" / "done" / "TASK-001-signed-ingest.md"
    done.rename(proj / "tasks" / "backlog" / done.name)
    coverage = ygs("status", "--json", cwd=proj).json["traceability"]
    assert coverage["threats_mitigated"]["count"] == 0


def test_hooks_uninstall_removes_only_the_hook_ygs_wrote(ygs, repo):
    assert ygs("hooks", "install", "--git", cwd=repo).code == 0
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert hook.is_file()
    removed = ygs("hooks", "uninstall", "--json", cwd=repo)
    assert removed.code == 0 and removed.json["action"] == "removed" and not hook.exists()
    assert ygs("hooks", "uninstall", "--json", cwd=repo).json["action"] == "absent"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = ygs("hooks", "uninstall", cwd=repo)
    assert refused.code == 2 and hook.read_text() == "#!/bin/sh\necho mine\n"


def test_uninstall_without_scope_removes_every_scope_and_lists_the_files(ygs, tmp_path):
    repo = make_repo(tmp_path / "r")
    git(repo, "commit", "--allow-empty", "-qm", "init")
    for scope in ("user", "project"):
        assert ygs("install", "--scope", scope, "--skills", "ygs-adr", cwd=repo).code == 0
    result = ygs("uninstall", "--json", cwd=repo)
    assert result.code == 0, result.stderr
    assert {s["scope"] for s in result.json["scopes"]} == {"user", "project"}
    assert result.json["summary"].get("remove", 0) >= 2
    assert not (repo / ".claude" / "skills" / "ygs-adr").exists()
    text = ygs("uninstall", cwd=repo)
    assert "nothing removed" in text.stderr.lower()


def test_shell_completion_scripts_and_completing_a_subcommand(ygs, ygs_proc, tmp_path):
    import os

    for shell in ("bash", "zsh", "fish"):
        result = ygs("completion", shell)
        assert result.code == 0 and "_YGS_COMPLETE" in result.stdout, shell
    assert ygs("completion", "tcsh").code == 2
    env = {**os.environ, "_YGS_COMPLETE": "complete_bash", "COMP_WORDS": "ygs hooks un"}
    env["COMP_CWORD"] = "2"
    done = ygs_proc(cwd=tmp_path, env=env)
    assert done.stdout.split() == ["uninstall"], done.stderr


def test_config_list_shows_yaml_values(ygs, tmp_path):
    out = ygs("config", "list", cwd=tmp_path).stdout
    assert "None" not in out and "['" not in out
    assert ygs("config", "get", "commands.test", cwd=tmp_path).stdout.strip() == "null"


def test_skills_show_piped_keeps_every_line_unwrapped(ygs, tmp_path):
    from tests.conftest import REPO

    body = (REPO / "skills" / "ygs-refine-prd" / "SKILL.md").read_text()
    out = ygs("skills", "show", "ygs-refine-prd", cwd=tmp_path).stdout
    longest = max(body.splitlines(), key=len)
    assert len(longest) > 100 and longest in out
