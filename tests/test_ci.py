"""`ygs ci github` and `ygs ci formicary`: the issue-to-PR pipeline as GitHub workflows
(checked by actionlint and zizmor, then by their structure) and as Formicary job
definitions (checked against the fields the orchestration post documents)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO, run_ygs

SHA_PIN = re.compile(r"^[\w./-]+@[0-9a-f]{40}$")
WORKFLOWS = ("ygs-review.yml", "ygs-implement.yml", "ygs-wave.yml", "ygs-team.yml")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A repository with every workflow and every Formicary definition written."""
    from tests.conftest import make_repo

    repo = make_repo(tmp_path_factory.mktemp("ci") / "repo")
    done = run_ygs(
        "ci", "github", "--implement", "--wave", "--team", "--max-parallel", "3", "--json",
        cwd=repo,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    made = run_ygs("ci", "formicary", "--team", "--json", cwd=repo)
    assert made.code == 0, made.stderr
    return repo


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (the test extra installs it)")
        pytest.skip(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _workflow(repo, name: str) -> dict:
    return yaml.safe_load((repo / ".github" / "workflows" / name).read_text())


def _on(doc: dict):
    return doc.get("on", doc.get(True))


def _steps(doc: dict):
    for job in doc["jobs"].values():
        yield from job["steps"]


def test_the_workflows_pass_actionlint(written):
    paths = [str(written / ".github" / "workflows" / n) for n in WORKFLOWS]
    done = subprocess.run(
        [_tool("actionlint"), "-no-color", *paths], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflows_pass_zizmor(written):
    done = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--no-progress",
            str(written / ".github" / "workflows"),
            str(REPO / "action.yml"),  # the composite action people use directly
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


def test_every_workflow_is_pinned_least_privilege_and_injection_free(written):
    from ygs import __version__

    for name in WORKFLOWS:
        doc = _workflow(written, name)
        assert "pull_request_target" not in _on(doc), name
        assert doc["permissions"] == {}, name
        assert doc["env"]["YGS_SPEC"] == f"ygs=={__version__}", name
        for job_name, job in doc["jobs"].items():
            assert "permissions" in job and "timeout-minutes" in job, (name, job_name)
            assert "write-all" not in str(job["permissions"])
        for step in _steps(doc):
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), step["uses"]
                if step["uses"].startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
            # untrusted text reaches scripts only through env, never ${{ }} in run
            assert "${{" not in step.get("run", ""), (name, step.get("name"))
            if "upload-artifact" in step.get("uses", ""):
                assert step["if"] == "always()"
                assert step["with"]["include-hidden-files"] is True  # .ygs/runs/


def test_the_issue_pipeline_routes_on_ygs_exit_codes(written):
    doc = _workflow(written, "ygs-implement.yml")
    assert _on(doc) == {"issues": {"types": ["labeled"]}}
    assert doc["concurrency"]["group"] == "ygs-implement-${{ github.event.issue.number }}"
    jobs = doc["jobs"]
    minutes = {name: jobs[name]["timeout-minutes"] for name in ("plan", "implement", "test")}
    assert minutes == {"plan": 15, "implement": 45, "test": 10}
    assert jobs["verify"]["timeout-minutes"] == 15
    assert jobs["plan"]["if"] == "github.event.label.name == 'ygs:ready'"
    plan = jobs["plan"]["steps"]
    assert any('--add-label "ygs:in-progress"' in s.get("run", "") for s in plan)
    assert any(s.get("with", {}).get("name", "").startswith("ygs-plan-") for s in plan)
    implement = next(s for s in jobs["implement"]["steps"] if s.get("id") == "implement")
    assert "--executor claude-code" in implement["run"]
    assert implement["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    assert '"code=$code"' in implement["run"] and '"branch=$branch"' in implement["run"]
    assert jobs["implement"]["outputs"]["code"] == "${{ steps.implement.outputs.code }}"
    # 4 → one fix job (investigate, then resume), then verify or blocked
    assert "needs.implement.outputs.code == '4'" in jobs["fix"]["if"]
    fix = next(s for s in jobs["fix"]["steps"] if s.get("id") == "fix")
    assert "ygs --json investigate" in fix["run"] and "implement --resume" in fix["run"]
    assert "needs.fix.outputs.code == '0'" in jobs["verify"]["if"]
    verify = next(s for s in jobs["verify"]["steps"] if s.get("id") == "verify")
    assert 'ygs --json verify --run "$RUN"' in verify["run"]
    # 0 or 1 (MUST findings, said in the PR body) → PR; anything else → blocked
    assert "needs.verify.outputs.code == '1'" in jobs["pr"]["if"]
    pr = jobs["pr"]["steps"][0]["run"]
    assert "gh pr create" in pr and '--add-label "ygs:pr-open"' in pr and "Unresolved" in pr
    assert jobs["pr"]["permissions"]["pull-requests"] == "write"
    blocked = jobs["blocked"]
    assert "needs.pr.result != 'success'" in blocked["if"]
    assert "gh issue comment" in blocked["steps"][0]["run"]
    assert '--add-label "ygs:blocked"' in blocked["steps"][0]["run"]
    assert blocked["permissions"] == {"issues": "write"}
    cleanup = jobs["cleanup"]
    assert cleanup["if"].startswith("always()")
    assert '--remove-label "ygs:in-progress"' in cleanup["steps"][0]["run"]


def test_wave_mode_is_a_matrix_with_max_parallel(written):
    doc = _workflow(written, "ygs-wave.yml")
    assert "workflow_dispatch" in _on(doc)
    job = doc["jobs"]["implement"]
    assert job["strategy"]["max-parallel"] == 3 and job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"]["task"] == "${{ fromJSON(needs.tasks.outputs.tasks) }}"
    listing = doc["jobs"]["tasks"]["steps"][-1]["run"]
    assert 'task list --wave "$WAVE" --ready' in listing


def test_team_reports_run_on_a_schedule(written):
    doc = _workflow(written, "ygs-team.yml")
    crons = [c["cron"] for c in _on(doc)["schedule"]]
    assert len(crons) == 4
    commands = {"standup", "risk-scan", "sprint-plan", "pr-queue"}
    for command in commands:
        job = doc["jobs"][command.replace("-", "_")]
        assert any(f"github.event.schedule == '{c}'" in job["if"] for c in crons)
        assert f"ygs {command} --format markdown" in job["steps"][-2]["run"]
    assert "inputs.question" in str(doc["jobs"]["ask"])


def test_an_unpinned_ygs_is_refused(tmp_path):
    from tests.conftest import make_repo

    repo = make_repo(tmp_path / "repo")
    for spec in ("ygs", "ygs>=0.1", "git+https://github.com/ygs-dev/ygs@main"):
        done = run_ygs("ci", "github", "--ygs-spec", spec, cwd=repo)
        assert done.code == 2 and "not pinned" in done.stderr, spec
    sha = "git+https://github.com/ygs-dev/ygs@" + "a" * 40
    assert run_ygs("ci", "github", "--ygs-spec", sha, cwd=repo).code == 0
    assert not (repo / ".formicary").exists()


# ----------------------------------------------------------------- Formicary


def _job(repo, name: str) -> dict:
    return yaml.safe_load((repo / ".formicary" / f"{name}.yaml").read_text())


def _routes(task: dict) -> list[str]:
    found = [task.get("on_completed"), task.get("on_failed")]
    found += list((task.get("on_exit_code") or {}).values())
    return [t for t in found if t]


def test_the_picker_is_a_cron_job_skipped_at_the_pending_limit(written):
    job = _job(written, "ai-gh-issue-picker")
    assert job["job_type"] == "ai-gh-issue-picker"
    assert len(job["cron_trigger"].split()) == 7  # seconds first
    assert job["max_concurrency"] == 1
    assert 'CountByJobTypeAndState "ai-gh-implement" "PENDING"' in job["skip_if"]
    assert job["skip_if"].strip().endswith("10}} true {{end}}")
    gather, submit = job["tasks"]
    assert "ygs:ready" in gather["script"][0] and "ygs:in-progress" in gather["script"][0]
    assert gather["artifacts"] == {"paths": ["issues.json"], "when": "always"}
    assert 'SubmitJobsFromJSON "ai-gh-implement"' in submit["environment"]["SUBMITTED_IDS"]


def test_the_implement_job_is_a_dag_routed_on_exit_codes(written):
    job = _job(written, "ai-gh-implement")
    tasks = {t["task_type"]: t for t in job["tasks"]}
    assert list(tasks) == [
        "setup", "plan", "implement", "unit-test", "fix-tests", "self-verify", "create-pr",
        "notify-blocked", "cleanup",
    ]  # fmt: skip
    timeouts = {name: t["timeout"] for name, t in tasks.items()}
    assert timeouts["plan"] == "15m" and timeouts["implement"] == "45m"
    assert timeouts["unit-test"] == "10m" and timeouts["self-verify"] == "15m"
    assert timeouts["cleanup"] == "1m"
    assert tasks["implement"]["on_exit_code"] == {
        "COMPLETED": "unit-test", "3": "notify-blocked", "4": "fix-tests", "5": "notify-blocked",
    }  # fmt: skip
    assert tasks["unit-test"]["on_exit_code"]["4"] == "fix-tests"
    assert tasks["fix-tests"]["on_exit_code"]["4"] == "notify-blocked"  # one fix, then blocked
    assert tasks["self-verify"]["on_exit_code"]["1"] == "create-pr"
    assert tasks["cleanup"]["always_run"] is True
    for name, task in tasks.items():
        assert task["method"] == "SHELL" and task["script"], name
        for target in _routes(task):
            assert target in tasks, (name, target)
        for upstream in task.get("dependencies", ()):
            assert upstream in tasks, (name, upstream)
        if name != "cleanup":
            assert task["artifacts"]["when"] == "always", name
    assert "impl_result.json" in tasks["implement"]["artifacts"]["paths"]
    assert "--executor claude-code" in tasks["implement"]["script"][0]
    assert "ygs --json verify" in tasks["self-verify"]["script"][0]
    assert "NONCE=" in tasks["setup"]["script"][0]
    assert job["retry"] == 1


def test_every_formicary_script_is_valid_shell(written):
    bash = shutil.which("bash")
    assert bash is not None
    for path in sorted((written / ".formicary").glob("*.yaml")):
        for task in yaml.safe_load(path.read_text())["tasks"]:
            for script in task["script"]:
                done = subprocess.run(
                    [bash, "-n"], input=script, capture_output=True, text=True, check=False
                )
                assert done.returncode == 0, (path.name, task["task_type"], done.stderr)


def test_formicary_team_jobs_and_a_container_method(written, tmp_path):
    for command in ("standup", "risk-scan", "sprint-plan", "pr-queue"):
        job = _job(written, f"ygs-{command}")
        assert len(job["cron_trigger"].split()) == 7
        assert f"ygs {command} --format markdown" in job["tasks"][0]["script"][0]
    from tests.conftest import make_repo

    repo = make_repo(tmp_path / "k8s")
    done = run_ygs("ci", "formicary", "--image", "python:3.12", "--max-pending", "4", cwd=repo)
    assert done.code == 0, done.stderr
    job = _job(repo, "ai-gh-implement")
    task = job["tasks"][2]
    assert task["method"] == "KUBERNETES" and task["container"]["image"] == "python:3.12"
    names = {e["name"] for e in task["container"]["env_value_from"]}
    assert names == {"ANTHROPIC_API_KEY", "GH_TOKEN"}
    assert "ANTHROPIC_API_KEY" not in str(job.get("environment"))  # the kubelet injects it
    assert '"PENDING" "EXECUTING") 4}}' in _job(repo, "ai-gh-issue-picker")["skip_if"]
