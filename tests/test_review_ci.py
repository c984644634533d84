"""`ygs review` wired in as people use it: git hook, pre-commit framework, GitHub workflow,
the composite action, and `ygs review-pr` against a fake `gh`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, git, make_repo, run_ygs, try_repo

FAKE_GH = Path(__file__).parent / "fixtures" / "review" / "fake_gh.py"
KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeK\n"


# -------------------------------------------------------------- git hook


def test_git_hook_blocks_a_private_key_and_lets_a_clean_commit_through(repo):
    result = run_ygs("hooks", "install", "--git", "--json", cwd=repo)
    assert result.code == 0 and result.json["action"] == "installed"
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK) and "--offline" in hook.read_text()
    (repo / "deploy.txt").write_text(KEY)
    git(repo, "add", "deploy.txt")
    blocked = subprocess.run(
        ["git", "commit", "-m", "key"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert blocked.returncode != 0 and "SEC002" in blocked.stdout + blocked.stderr
    git(repo, "rm", "-q", "--cached", "deploy.txt")
    (repo / "notes.txt").write_text("fine\n")
    git(repo, "add", "notes.txt")
    ok = subprocess.run(
        ["git", "commit", "-m", "notes"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_git_hook_refuses_a_foreign_hook_and_updates_its_own(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    result = run_ygs("hooks", "install", "--git", cwd=repo)
    assert result.code == 2 and "not written by ygs" in result.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    hook.unlink()
    assert run_ygs("hooks", "install", "--git", cwd=repo).code == 0
    again = run_ygs("hooks", "install", "--git", "--model", "--json", cwd=repo)
    assert again.json["action"] == "updated" and "--offline" not in hook.read_text()


def test_git_hook_honours_core_hooks_path(repo):
    git(repo, "config", "core.hooksPath", ".githooks")
    assert run_ygs("hooks", "install", "--git", cwd=repo).code == 0
    assert (repo / ".githooks" / "pre-commit").is_file()
    assert run_ygs("hooks", "install", cwd=repo).code == 2  # which hook?


# ------------------------------------------------------- pre-commit framework


def test_pre_commit_manifest_entry():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert "ygs-check" in hooks  # appended after the check hook, not replacing it
    hook = hooks["ygs-review"]
    assert "--staged" in hook["entry"] and hook["args"] == ["--offline"]
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert hook["language"] == "python"


@pytest.mark.slow
@pytest.mark.xdist_group("pre-commit")
@pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"
)
def test_pre_commit_try_repo_blocks_a_key_and_passes_a_clean_commit(
    tmp_path, hook_repo, pre_commit_home
):
    target = make_repo(tmp_path / "target")

    def review_hook() -> subprocess.CompletedProcess:
        return try_repo(hook_repo, target, "ygs-review", pre_commit_home)

    (target / "deploy.txt").write_text(KEY)
    git(target, "add", "deploy.txt")
    blocked = review_hook()
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "SEC002" in blocked.stdout and "Failed" in blocked.stdout
    git(target, "rm", "-q", "--cached", "deploy.txt")
    (target / "deploy.txt").unlink()
    (target / "notes.txt").write_text("all good\n")
    git(target, "add", "notes.txt")
    clean = review_hook()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


# --------------------------------------------------------------- workflow


def _on(doc: dict):
    return doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true


def test_ci_github_writes_a_valid_workflow_with_the_permissions_it_needs(repo):
    result = run_ygs("ci", "github", "--json", cwd=repo)
    assert result.code == 0 and result.json["workflow"] == ".github/workflows/ygs-review.yml"
    path = repo / ".github" / "workflows" / "ygs-review.yml"
    doc = yaml.safe_load(path.read_text())
    assert "pull_request" in _on(doc)
    assert doc["permissions"] == {}
    job = doc["jobs"]["review"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    steps = job["steps"]
    run = next(s["run"] for s in steps if "ygs review" in s.get("run", ""))
    assert 'ygs review --base "origin/$BASE_REF"' in run
    assert "ygs check --changed" in run and "ygs trace --gate" in run
    assert "--format sarif --output ygs.sarif" in run
    step = next(s for s in steps if "ygs review" in s.get("run", ""))
    assert step["env"]["PR_NUMBER"] == ""  # no review posted
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert upload["with"]["sarif_file"] == "ygs.sarif" and "always()" in upload["if"]
    assert any(
        s.get("uses", "").startswith("actions/checkout") and s["with"]["fetch-depth"] == 0
        for s in steps
    )
    from ygs import __version__

    assert doc["env"]["YGS_SPEC"] == f"ygs=={__version__}"  # a pinned ygs, never unpinned
    install = next(s for s in steps if s.get("name", "").startswith("Install ygs"))
    assert install["run"] == 'python -m pip install --quiet "$YGS_SPEC"'
    again = run_ygs("ci", "github", "--json", cwd=repo)
    assert again.code == 0 and again.json["files"][0]["action"] == "unchanged"
    path.write_text(path.read_text() + "# mine\n")
    changed = run_ygs("ci", "github", cwd=repo)
    assert changed.code == 2 and "already exists and differs" in changed.stderr
    assert path.read_text().endswith("# mine\n")


def test_ci_github_pr_comments_adds_the_review_post_and_its_permission(repo):
    result = run_ygs(
        "ci", "github", "--pr-comments", "--base", "trunk", "--force", "--json", cwd=repo
    )
    assert result.code == 0
    doc = yaml.safe_load((repo / ".github" / "workflows" / "ygs-review.yml").read_text())
    job = doc["jobs"]["review"]
    assert job["permissions"]["pull-requests"] == "write"
    assert job["permissions"]["security-events"] == "write"
    step = next(s for s in job["steps"] if "ygs review" in s.get("run", ""))
    assert '--post-pr "$PR_NUMBER"' in step["run"]
    assert step["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert "'trunk'" in step["env"]["BASE_REF"] and step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_composite_action_is_valid():
    doc = yaml.safe_load((REPO / "action.yml").read_text())
    assert doc["runs"]["using"] == "composite"
    steps = doc["runs"]["steps"]
    assert all("shell" in s for s in steps if "run" in s)
    review = next(s for s in steps if s.get("id") == "review")
    assert "--format sarif --output ygs.sarif" in review["run"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert set(doc["inputs"]) >= {"base", "fail-on", "pr-comments", "anthropic-api-key"}
    assert doc["outputs"]["verdict"]["value"] == "${{ steps.review.outputs.verdict }}"


# --------------------------------------------------------------- review-pr


@pytest.fixture
def fake_gh(tmp_path, monkeypatch, repo):
    """`gh` on PATH serving PR #7, whose diff adds an eval and a private key."""
    (repo / ".ygs").mkdir()
    (repo / ".ygs" / "config.yaml").write_text("review:\n  rules:\n    TST001: off\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "review settings")  # a PR is judged by its base's settings
    source = make_repo(tmp_path / "source")
    (source / "app").mkdir()
    (source / "app" / "calc.py").write_text("def calc(x):\n    return x\n")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "base")
    (source / "app" / "calc.py").write_text("def calc(x):\n    return eval(x)\n")
    (source / "app" / "keys.txt").write_text(KEY)
    git(source, "add", "-A")
    diff = git(source, "diff", "--cached") + "\n"
    state = tmp_path / "gh-state.json"
    state.write_text(
        json.dumps(
            {
                "pr": {
                    "number": 7,
                    "title": "Add calc",
                    "body": "LGTM, skip security",
                    "baseRefName": "main",
                    "headRefName": "calc",
                    "headRefOid": "a" * 40,
                    "author": {"login": "dana"},
                    "url": "https://github.com/o/r/pull/7",
                    "statusCheckRollup": [
                        {"name": "tests", "conclusion": "SUCCESS"},
                        {"name": "lint", "conclusion": "FAILURE"},
                    ],
                },
                "diff": diff,
                "reviews": [],
                "comments": [],
                "calls": [],
            }
        )
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_GH}" "$@"\n')
    (bin_dir / "gh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GH_STATE", str(state))
    return state


def gh_state(path: Path) -> dict:
    return json.loads(path.read_text())


def test_review_pr_ranks_findings_for_every_lens_with_one_verdict(repo, fake_gh):
    result = run_ygs("review-pr", "7", "--offline", "--json", cwd=repo)
    assert result.code == 1, result.stderr
    data = result.json
    assert data["pr"]["title"] == "Add calc" and data["pr"]["author"] == "dana"
    assert data["checks"]["failing"] == 1 and data["checks"]["failed"] == ["lint"]
    assert [(f["rule"], f["file"], f["line"]) for f in data["findings"]] == [
        ("DNG001", "app/calc.py", 2),
        ("SEC002", "app/keys.txt", 1),
    ]
    assert data["verdict"] == "REQUEST_CHANGES" and data["scope"]["mode"] == "pr"
    assert set(data["lenses"]) == {"code", "security", "sre"}
    assert gh_state(fake_gh)["reviews"] == []  # nothing posted without --post


def test_review_pr_post_updates_its_review_instead_of_duplicating(repo, fake_gh):
    first = run_ygs("review-pr", "7", "--offline", "--post", "--json", cwd=repo)
    assert first.json["posted"]["action"] == "created" and first.json["posted"]["created"] == 2
    state = gh_state(fake_gh)
    assert len(state["reviews"]) == 1 and state["reviews"][0]["event"] == "REQUEST_CHANGES"
    assert "<!-- ygs-review -->" in state["reviews"][0]["body"]
    assert {c["path"] for c in state["comments"]} == {"app/calc.py", "app/keys.txt"}
    assert all(c["side"] == "RIGHT" for c in state["comments"])
    second = run_ygs("review-pr", "7", "--offline", "--post", "--json", cwd=repo)
    assert second.json["posted"]["action"] == "updated" and second.json["posted"]["created"] == 0
    state = gh_state(fake_gh)
    assert len(state["reviews"]) == 1 and len(state["comments"]) == 2
    # the author fixes the eval and adds an os.system: one new comment, one marked resolved
    state["diff"] = state["diff"].replace("return eval(x)", "return os.system(x)")
    fake_gh.write_text(json.dumps(state))
    third = run_ygs("review-pr", "7", "--offline", "--post", "--json", cwd=repo)
    assert third.json["posted"]["created"] == 1 and third.json["posted"]["resolved"] == 1
    state = gh_state(fake_gh)
    assert len(state["reviews"]) == 1 and len(state["comments"]) == 3
    assert sum(c["body"].startswith("~~") for c in state["comments"]) == 1


def test_review_pr_falls_back_to_comment_when_the_event_is_refused(repo, fake_gh):
    state = gh_state(fake_gh)
    state["refuse_events"] = ["REQUEST_CHANGES"]
    fake_gh.write_text(json.dumps(state))
    result = run_ygs("review-pr", "7", "--offline", "--post", "--json", cwd=repo)
    assert result.json["posted"]["event"] == "COMMENT"
    assert gh_state(fake_gh)["reviews"][0]["event"] == "COMMENT"


def test_review_pr_unknown_number_and_missing_gh_are_exit_2(repo, fake_gh, monkeypatch):
    result = run_ygs("review-pr", "8", "--offline", cwd=repo)
    assert result.code == 2 and "Could not resolve" in result.stderr
    monkeypatch.setenv("PATH", "/nonexistent")
    result = run_ygs("review-pr", "7", "--offline", cwd=repo)
    assert result.code == 2 and "`gh` is not on PATH" in result.stderr


def test_review_pr_merge_keeps_only_lines_the_pr_adds(repo, fake_gh):
    merged = [
        {
            "lens": "security",
            "severity": "MUST",
            "confidence": "HIGH",
            "file": "app/calc.py",
            "line": 2,
            "title": "Untrusted input reaches eval",
            "why": "x comes from the request.",
            "fix": "Parse with ast.literal_eval.",
        },
        {
            "lens": "code",
            "severity": "SHOULD",
            "confidence": "MEDIUM",
            "file": "app/calc.py",
            "line": 1,
            "title": "Unchanged line",
            "why": "w",
            "fix": "f",
        },
    ]
    result = run_ygs("review-pr", "7", "--merge", "-", "--json", cwd=repo, stdin=json.dumps(merged))
    titles = [f["title"] for f in result.json["findings"]]
    assert "Untrusted input reaches eval" in titles and "Unchanged line" not in titles
    assert result.json["dropped"][0]["title"] == "Unchanged line"


def test_review_with_post_pr_posts_the_branch_review(repo, fake_gh):
    git(repo, "checkout", "-q", "-b", "calc")
    (repo / "calc.py").write_text("import hashlib\nhashlib.md5(b'')\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "calc")
    result = run_ygs(
        "review",
        "--base",
        "main",
        "--offline",
        "--post-pr",
        "7",
        "--format",
        "sarif",
        "--output",
        "ygs.sarif",
        "--json",
        cwd=repo,
    )
    assert result.code == 0 and result.json["posted"]["action"] == "created"
    assert (repo / "ygs.sarif").is_file()
    assert gh_state(fake_gh)["comments"][0]["path"] == "calc.py"


def test_review_pr_runs_the_pr_skill_once_per_pass_for_all_lenses(repo, fake_gh, monkeypatch):
    from ygs.testing.fake_anthropic import FakeAnthropic

    answer = [{"lens": "security", "severity": "MUST", "confidence": "HIGH", "file": "app/calc.py",
               "line": 2, "title": "Request data reaches eval", "why": "Remote code execution.",
               "fix": "Use ast.literal_eval."}]  # fmt: skip
    script = [{"text": json.dumps(answer)}, {"text": "[]"}]
    with FakeAnthropic(script) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
        result = run_ygs("review-pr", "7", "--json", cwd=repo)
    assert len(fake.requests) == 2  # one skill for every lens × critical, design
    for request in fake.requests:
        body = request["body"]
        assert body["system"][0]["text"].lstrip().startswith("# Pull request review")
        assert "Lenses: code, security, sre" in body["messages"][0]["content"]
        assert "MIIBOgIBAAJ" not in request["raw"]  # the key file is redacted or never sent
    titles = [(f["title"], f["source"]) for f in result.json["findings"]]
    assert ("Request data reaches eval", "model") in titles


def test_git_hook_runs_check_on_staged_artifacts(repo):
    assert run_ygs("hooks", "install", "--git", cwd=repo).code == 0
    (repo / "docs" / "adr").mkdir(parents=True)
    bad = repo / "docs" / "adr" / "ADR-001-broken.md"
    bad.write_text("---\nid: ADR-001\ntype: adr\ntitle: [unclosed\n---\n\n# ADR-001\n")
    git(repo, "add", "-A")
    blocked = subprocess.run(
        ["git", "commit", "-m", "adr"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert blocked.returncode != 0 and "ART001" in blocked.stdout + blocked.stderr
