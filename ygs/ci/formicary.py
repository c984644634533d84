"""Formicary job definitions for the issue-to-PR pipeline (pure), after the seed's
declarative replacement of a home-made coordinator:

- `ai-gh-issue-picker`: a 7-field `cron_trigger`, `max_concurrency: 1`, and a `skip_if` that
  counts pending implement jobs at the scheduler; it moves `ygs:ready` issues to
  `ygs:in-progress` and submits one `ai-gh-implement` job per issue.
- `ai-gh-implement`: setup → plan → implement → unit-test → (fix-tests once) → self-verify →
  create-pr, routed with `on_exit_code` on ygs's exit codes (3 needs a human, 4 red,
  5 timeout or budget), a `timeout` per task, artifacts kept `when: always`, and a cleanup
  task with `always_run: true`.
- `ai-gh-cleanup`: a daily cron that deletes the branches of merged ygs runs.
- with `team`: the team reports as cron jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ygs.ci.yamltext import dump

HEADER = "Written by `ygs ci formicary`. Edit freely: ygs does not overwrite it without --force."
PICKER, IMPLEMENT, CLEANUP = "ai-gh-issue-picker", "ai-gh-implement", "ai-gh-cleanup"
TIMEOUTS = {
    "setup": "5m",
    "plan": "15m",
    "implement": "45m",
    "unit-test": "10m",
    "fix-tests": "45m",
    "self-verify": "15m",
    "create-pr": "5m",
    "notify-blocked": "5m",
    "cleanup": "1m",
}
# The team reports: 7-field cron (seconds first), UTC.
TEAM = (
    ("standup", "0 30 8 * * 1-5 *"),
    ("risk-scan", "0 0 9 * * 1-5 *"),
    ("sprint-plan", "0 0 7 * * 1 *"),
    ("pr-queue", "0 0 10,14 * * 1-5 *"),
)


@dataclass(frozen=True)
class Options:
    ygs_spec: str
    base: str = "main"
    image: str | None = None  # KUBERNETES with this image; None: SHELL on the worker
    max_pending: int = 10
    run_minutes: int = 40  # ygs's own limit inside the 45m implement task


def _method(opts: Options) -> dict:
    if opts.image is None:
        return {"method": "SHELL"}
    return {
        "method": "KUBERNETES",
        "container": {
            "image": opts.image,
            "env_value_from": [
                {
                    "name": "ANTHROPIC_API_KEY",
                    "secret_name": "ygs-agent-secrets",
                    "key": "anthropic-api-key",
                },
                {"name": "GH_TOKEN", "secret_name": "ygs-agent-secrets", "key": "github-token"},
            ],
        },
    }


def _task(name: str, opts: Options, script: str, artifacts: list[str], **routing) -> dict:
    task = {
        "task_type": name,
        **_method(opts),
        "timeout": TIMEOUTS[name],
        "report_stdout": True,
        "script": [script],
        "artifacts": {"paths": artifacts, "when": "always"},
    }
    task.update(routing)
    return task


# Every script starts in the task's own folder (where artifacts are written and read) and
# works in the shared workspace; meta.env carries WS, TASK, RUN and BRANCH forward.
ENTER = """\
TASK_DIR="$PWD"
. "$TASK_DIR/meta.env"
cd "$WS/repo"
R="{{.GitHubOrg}}/{{.GitHubRepo}}"
if [ -f "$TASK_DIR/branch.env" ]; then . "$TASK_DIR/branch.env"; fi
get() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' "$@"
}
"""

SETUP = """\
TASK_DIR="$PWD"
NONCE=$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' \\n')
WS="$HOME/ygs_workspace/{{.IssueNumber}}-$NONCE"
mkdir -p "$WS"
git clone --quiet "https://github.com/{{.GitHubOrg}}/{{.GitHubRepo}}.git" "$WS/repo"
python3 -m venv "$WS/venv"
"$WS/venv/bin/pip" install --quiet "$YGS_SPEC"
printf 'WS=%s\\nPATH=%s/venv/bin:%s\\nexport PATH\\n' "$WS" "$WS" "$PATH" > "$TASK_DIR/meta.env"
"""

PLAN = (
    ENTER
    + """\
gh issue view {{.IssueNumber}} -R "$R" --json title,body > "$TASK_DIR/issue.json"
TASK=$(get "$TASK_DIR/issue.json" body | grep -oE 'TASK-[0-9]+' | head -n 1)
if [ -z "$TASK" ]; then
  TITLE=$(get "$TASK_DIR/issue.json" title)
  ygs --json task new "$TITLE" --goal "Resolve GitHub issue #{{.IssueNumber}}" \\
    > "$TASK_DIR/plan_task.json" || exit 3
  TASK=$(get "$TASK_DIR/plan_task.json" id)
  git add -A tasks && git commit -qm "$TASK: planned from issue #{{.IssueNumber}}"
fi
ygs wbs plan --format json > "$TASK_DIR/plan.json"
printf 'TASK=%s\\n' "$TASK" >> "$TASK_DIR/meta.env"
"""
)

IMPLEMENT_RUN = (
    ENTER
    + """\
ygs --json implement "$TASK" --executor claude-code --timeout {run_minutes}m \\
  > "$TASK_DIR/impl_result.json"
code=$?
RUN=$(get "$TASK_DIR/impl_result.json" run)
BRANCH=$(get "$TASK_DIR/impl_result.json" branch)
printf 'RUN=%s\\nBRANCH=%s\\n' "$RUN" "$BRANCH" > "$TASK_DIR/branch.env"
cp -r ".ygs/runs/$RUN" "$TASK_DIR/run" 2>/dev/null
[ -n "$BRANCH" ] && git push --quiet origin "$BRANCH"
exit $code
"""
)

UNIT_TEST = (
    ENTER
    + """\
ygs --json test > "$TASK_DIR/test_result.json"
code=$?
cp .ygs/runs/adhoc/test_output.txt "$TASK_DIR/test_output.txt" 2>/dev/null
exit $code
"""
)

FIX_TESTS = (
    ENTER
    + """\
ygs --json investigate --run "$RUN" > "$TASK_DIR/investigate.json"
cp ".ygs/runs/$RUN/investigate.md" "$TASK_DIR/investigate.md" 2>/dev/null
ygs --json implement --resume --executor claude-code --timeout {run_minutes}m \\
  > "$TASK_DIR/fix_result.json"
code=$?
git push --quiet origin "$BRANCH"
exit $code
"""
)

VERIFY = (
    ENTER
    + """\
ygs --json verify --run "$RUN" > "$TASK_DIR/verify_result.json"
"""
)

CREATE_PR = (
    ENTER
    + """\
note="ygs verify: no MUST finding."
if [ "$(get "$TASK_DIR/verify_result.json" exit_code)" = "1" ]; then
  note="Unresolved: ygs verify reported MUST findings (see the artifacts)."
fi
printf 'Closes #{{.IssueNumber}}\\n\\nRun %s by ygs.\\n\\n%s\\n' "$RUN" "$note" \\
  > "$TASK_DIR/pr_body.md"
gh pr create -R "$R" --base "{base}" --head "$BRANCH" --fill-first \\
  --body-file "$TASK_DIR/pr_body.md" > "$TASK_DIR/pr_url.txt"
gh issue edit {{.IssueNumber}} -R "$R" --remove-label ygs:in-progress --add-label ygs:pr-open
"""
)

BLOCKED = (
    ENTER
    + """\
printf 'ygs stopped before a pull request (run %s).\\n' "$RUN" > "$TASK_DIR/comment.md"
printf 'Exit codes: 3 needs a human, 4 tests still red after one fix, 5 timeout or budget.\\n' \\
  >> "$TASK_DIR/comment.md"
printf 'The conversation, diff and test output are in the job artifacts.\\n' \\
  >> "$TASK_DIR/comment.md"
gh issue comment {{.IssueNumber}} -R "$R" --body-file "$TASK_DIR/comment.md"
gh issue edit {{.IssueNumber}} -R "$R" --remove-label ygs:in-progress --add-label ygs:blocked
"""
)

CLEANUP_RUN = """\
TASK_DIR="$PWD"
. "$TASK_DIR/meta.env" 2>/dev/null || exit 0
if [ -f "$TASK_DIR/branch.env" ]; then . "$TASK_DIR/branch.env"; fi
if [ ! -f "$TASK_DIR/pr_url.txt" ] && [ -n "$BRANCH" ]; then
  git -C "$WS/repo" push --quiet origin --delete "$BRANCH"
fi
rm -rf "$WS"
"""

GATHER = """\
python3 - <<'PY'
import json, os, subprocess

repo = f"{os.environ['GH_ORG']}/{os.environ['GH_REPO']}"
found = subprocess.run(
    ["gh", "issue", "list", "-R", repo, "--label", "ygs:ready", "--state", "open",
     "--limit", os.environ.get("MAX_PENDING", "10"), "--json", "number,title,url"],
    capture_output=True, text=True,
)
issues = json.loads(found.stdout) if found.returncode == 0 else []
for issue in issues:
    subprocess.run(
        ["gh", "issue", "edit", str(issue["number"]), "-R", repo,
         "--remove-label", "ygs:ready", "--add-label", "ygs:in-progress"],
        check=False,
    )
text = json.dumps([{"IssueNumber": i["number"], "IssueTitle": i["title"]} for i in issues])
with open("issues.json", "w") as handle:
    handle.write(text + "\\n")
print(f"::set-output name=IssuesJSON::{text}")
PY
"""

STALE = """\
git clone --quiet "https://github.com/{{.GitHubOrg}}/{{.GitHubRepo}}.git" repo
cd repo
git branch -r --merged "origin/{base}" --format '%(refname:lstrip=3)' \\
  | grep '^ygs/TASK-' > ../merged.txt || true
while read -r branch; do git push --quiet origin --delete "$branch"; done < ../merged.txt
"""


def picker(opts: Options) -> dict:
    return {
        "job_type": PICKER,
        "description": "Moves GitHub issues labelled ygs:ready into ai-gh-implement jobs",
        "cron_trigger": "0 * * * * * *",
        "max_concurrency": 1,
        "skip_if": (
            f'{{{{if ge (CountByJobTypeAndState "{IMPLEMENT}" "PENDING" "EXECUTING") '
            f"{opts.max_pending}}}}} true {{{{end}}}}"
        ),
        "job_variables": {"GitHubOrg": "", "GitHubRepo": "", "MaxPending": opts.max_pending},
        "tasks": [
            {
                "task_type": "gather-issues",
                **_method(opts),
                "timeout": "2m",
                "environment": {
                    "GH_ORG": "{{.GitHubOrg}}",
                    "GH_REPO": "{{.GitHubRepo}}",
                    "MAX_PENDING": "{{.MaxPending}}",
                },
                "script": [GATHER],
                "artifacts": {"paths": ["issues.json"], "when": "always"},
                "on_completed": "submit-jobs",
            },
            {
                "task_type": "submit-jobs",
                "method": "SHELL",
                "timeout": "1m",
                "dependencies": ["gather-issues"],
                "environment": {
                    "SUBMITTED_IDS": (
                        f'{{{{if .IssuesJSON}}}}{{{{SubmitJobsFromJSON "{IMPLEMENT}" .IssuesJSON '
                        '(printf "GitHubOrg=%s" .GitHubOrg) (printf "GitHubRepo=%s" .GitHubRepo)'
                        "}}{{end}}"
                    ),
                    "PENDING_COUNT": f'{{{{CountByJobTypeAndState "{IMPLEMENT}" "PENDING"}}}}',
                },
                "script": ['echo "submitted: $SUBMITTED_IDS (pending: $PENDING_COUNT)"'],
            },
        ],
    }


def implement(opts: Options) -> dict:
    minutes = str(opts.run_minutes)
    blocked = "notify-blocked"
    tasks = [
        _task("setup", opts, SETUP, ["meta.env"], on_completed="plan", on_failed=blocked),
        _task(
            "plan",
            opts,
            PLAN,
            ["meta.env", "issue.json", "plan.json", "plan_task.json"],
            dependencies=["setup"],
            on_completed="implement",
            on_failed=blocked,
        ),
        _task(
            "implement",
            opts,
            IMPLEMENT_RUN.replace("{run_minutes}", minutes),
            ["meta.env", "branch.env", "impl_result.json", "run/"],
            dependencies=["plan"],
            on_exit_code={"COMPLETED": "unit-test", "3": blocked, "4": "fix-tests", "5": blocked},
            on_failed=blocked,
        ),
        _task(
            "unit-test",
            opts,
            UNIT_TEST,
            ["meta.env", "test_result.json", "test_output.txt"],
            dependencies=["implement"],
            on_exit_code={"COMPLETED": "self-verify", "4": "fix-tests", "5": blocked},
            on_failed=blocked,
        ),
        _task(
            "fix-tests",
            opts,
            FIX_TESTS.replace("{run_minutes}", minutes),
            ["meta.env", "investigate.json", "investigate.md", "fix_result.json"],
            dependencies=["implement"],
            on_exit_code={"COMPLETED": "self-verify", "3": blocked, "4": blocked, "5": blocked},
            on_failed=blocked,
        ),
        _task(
            "self-verify",
            opts,
            VERIFY,
            ["meta.env", "verify_result.json"],
            dependencies=["implement"],
            on_exit_code={"COMPLETED": "create-pr", "1": "create-pr", "4": blocked, "5": blocked},
            on_failed=blocked,
        ),
        _task(
            "create-pr",
            opts,
            CREATE_PR.replace("{base}", opts.base),
            ["pr_body.md", "pr_url.txt"],
            dependencies=["implement", "self-verify"],
            on_completed="cleanup",
            on_failed=blocked,
        ),
        _task(
            blocked,
            opts,
            BLOCKED,
            ["comment.md"],
            dependencies=["plan", "implement"],
            on_completed="cleanup",
            on_failed="cleanup",
        ),
        {
            **_task("cleanup", opts, CLEANUP_RUN, []),
            "always_run": True,
            "dependencies": ["plan", "implement", "create-pr"],
        },
    ]
    for task in tasks:
        if not task["artifacts"]["paths"]:
            del task["artifacts"]
    return {
        "job_type": IMPLEMENT,
        "description": "GitHub issue {{.IssueNumber}} → ygs plan, implement, test, verify, PR",
        "max_concurrency": opts.max_pending,
        "retry": 1,
        "delay_between_retries": "1m",
        "job_variables": {"GitHubOrg": "", "GitHubRepo": "", "IssueNumber": ""},
        "environment": {"YGS_SPEC": opts.ygs_spec},
        "tasks": tasks,
    }


def cleanup(opts: Options) -> dict:
    return {
        "job_type": CLEANUP,
        "description": "Deletes the branches of ygs runs merged into the base branch",
        "cron_trigger": "0 0 3 * * * *",
        "max_concurrency": 1,
        "job_variables": {"GitHubOrg": "", "GitHubRepo": ""},
        "tasks": [
            {
                "task_type": "delete-merged-branches",
                **_method(opts),
                "timeout": "5m",
                "script": [STALE.replace("{base}", opts.base)],
                "artifacts": {"paths": ["merged.txt"], "when": "always"},
            }
        ],
    }


TEAM_SCRIPT = """\
git clone --quiet "https://github.com/{{{{.GitHubOrg}}}}/{{{{.GitHubRepo}}}}.git" repo
python3 -m venv venv && venv/bin/pip install --quiet "$YGS_SPEC"
cd repo
post=""
[ -n "$SLACK_BOT_TOKEN$SLACK_WEBHOOK_URL" ] && post="--post"
../venv/bin/ygs {command} --format markdown --output ../ygs-{command}.md $post
"""


def team_job(opts: Options, command: str, cron: str) -> dict:
    return {
        "job_type": f"ygs-{command}",
        "description": f"ygs {command} for the team, on a schedule",
        "cron_trigger": cron,
        "max_concurrency": 1,
        "job_variables": {"GitHubOrg": "", "GitHubRepo": ""},
        "environment": {"YGS_SPEC": opts.ygs_spec},
        "tasks": [
            {
                "task_type": command,
                **_method(opts),
                "timeout": "10m",
                "script": [TEAM_SCRIPT.format(command=command)],
                "artifacts": {"paths": [f"ygs-{command}.md"], "when": "always"},
            }
        ],
    }


def definitions(opts: Options, *, team: bool = False) -> dict[str, str]:
    """{file name: YAML text} for every job definition."""
    jobs = [picker(opts), implement(opts), cleanup(opts)]
    if team:
        jobs += [team_job(opts, command, cron) for command, cron in TEAM]
    return {f"{job['job_type']}.yaml": dump(job, HEADER) for job in jobs}
