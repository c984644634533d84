"""GitHub Actions workflows for the issue-to-PR pipeline (pure).

`implement()`: an issue labelled `ygs:ready` → plan → implement (claude-code) → test →
(fix once on red) → verify → PR, with label transitions, a timeout per job, one concurrency
group per issue, every artifact uploaded `if: always()`, routing on ygs's exit codes through
step outputs, least-privilege permissions, actions pinned by full commit SHA and a cleanup
job that always runs. `wave()`: a wave's ready tasks as a matrix with `max-parallel`.
`team()`: the team reports on a schedule.

Untrusted text (issue titles and bodies, branch names) reaches scripts only through `env:`,
never through `${{ }}` inside `run:`; no workflow runs on `pull_request_target`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ygs.ci.yamltext import dump

# Actions pinned by full commit SHA (the tag is the comment); bump them together.
PINS = {
    "checkout": ("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "setup-python": ("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "upload": ("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "download": ("actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
    "upload-sarif": (
        "github/codeql-action/upload-sarif",
        "5d4e8d1aca955e8d8589aabd499c5cae939e33c7",
        "v4.31.9",
    ),
}
CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.197"
LABELS = {
    "ready": "ygs:ready",
    "progress": "ygs:in-progress",
    "blocked": "ygs:blocked",
    "pr": "ygs:pr-open",
}
TIMEOUTS = {"plan": 15, "implement": 45, "test": 10, "verify": 15, "fix": 45, "cleanup": 5}
HEADER = "Written by `ygs ci github`. Edit freely: ygs does not overwrite it without --force."
_PINNED_SPEC = re.compile(r"^ygs==\d[0-9A-Za-z.+-]*$")
_SHA_SPEC = re.compile(r"@[0-9a-f]{40}(?:#[^\s]*)?$")
_PIN_MARK = "#pin:"
# The Claude Code CLI is pinned to an exact version; zizmor asks for a lockfile.
_NPM_OK = "#zizmor-ok"
_NPM_COMMENT = "  # zizmor: ignore[adhoc-packages] exact version pinned in CLAUDE_CODE_SPEC"


@dataclass(frozen=True)
class Options:
    ygs_spec: str  # what `pip install` gets: ygs==X.Y.Z or git+https://…@<40-hex sha>
    python: str = "3.12"
    base: str = "main"
    run_minutes: int = 40  # ygs's own limit inside the implement job (below its timeout)
    max_parallel: int = 2


def spec_problem(spec: str) -> str | None:
    """Why `spec` is not a pinned install source (None: it is)."""
    if _PINNED_SPEC.match(spec) or _SHA_SPEC.search(spec):
        return None
    return f"'{spec}' is not pinned: use ygs==X.Y.Z or a git URL ending in @<40-hex commit>"


def uses(name: str) -> str:
    repo, sha, tag = PINS[name]
    return f"{repo}@{sha}{_PIN_MARK}{tag}"


def render(data: dict) -> str:
    """YAML text with each pinned action's tag as a comment after its SHA."""
    text = dump(data, HEADER)
    return text.replace(_PIN_MARK, " # ").replace(_NPM_OK, _NPM_COMMENT)


def _checkout(ref: str | None = None) -> dict:
    step = {"uses": uses("checkout"), "with": {"persist-credentials": False, "fetch-depth": 0}}
    if ref:
        step["with"]["ref"] = ref
    return step


def _setup(opts: Options, claude: bool = False) -> list[dict]:
    steps = [
        {"uses": uses("setup-python"), "with": {"python-version": opts.python}},
        {"name": "Install ygs (pinned)", "run": 'python -m pip install --quiet "$YGS_SPEC"'},
    ]
    if claude:
        steps.append(
            {
                "name": "Install Claude Code (pinned)",
                "run": 'npm install --global --no-audit --no-fund "$CLAUDE_CODE_SPEC"' + _NPM_OK,
            }
        )
    return steps


def _git_identity() -> dict:
    return {
        "name": "Commit as the ygs bot",
        "run": 'git config user.name "ygs[bot]"\n'
        'git config user.email "ygs-bot@users.noreply.github.com"',
    }


def _upload(name: str, paths: list[str]) -> dict:
    return {
        "name": "Keep the evidence",
        "if": "always()",
        "uses": uses("upload"),
        "with": {
            "name": f"{name}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}",
            "path": "\n".join(paths) + "\n",
            "include-hidden-files": True,
            "if-no-files-found": "ignore",
            "retention-days": 14,
        },
    }


def _download(name: str) -> dict:
    return {
        "uses": uses("download"),
        "with": {"name": f"{name}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"},
    }


ISSUE_ENV = {
    "GH_TOKEN": "${{ github.token }}",
    "ISSUE": "${{ github.event.issue.number }}",
}
_READ_RESULT = (
    "value() { python -c 'import json,sys; d=json.load(open(sys.argv[1])); "
    'print(d.get(sys.argv[2]) or "")\' "$1" "$2" 2>/dev/null; }'
)

PLAN = """\
set +e
mkdir -p ygs-plan
task=$(printf '%s\\n' "$ISSUE_BODY" | grep -oE 'TASK-[0-9]+' | head -n 1)
code=0
if [ -z "$task" ]; then
  ygs --json task new "$ISSUE_TITLE" --goal "Resolve GitHub issue #$ISSUE" > ygs-plan/task.json
  code=$?
  task=$(value ygs-plan/task.json id)
fi
ygs wbs plan --format json > ygs-plan/plan.json
printf '%s\\n' "$task" > ygs-plan/task.txt
{ echo "task=$task"; echo "code=$code"; } >> "$GITHUB_OUTPUT"
exit "$code"
"""

IMPLEMENT = """\
set +e
git add -A tasks
git commit -qm "$TASK: planned from issue #$ISSUE" || true
ygs --json implement "$TASK" --executor claude-code --timeout "$RUN_MINUTES"m > ygs-result.json
code=$?
branch=$(value ygs-result.json branch)
run=$(value ygs-result.json run)
{ echo "code=$code"; echo "branch=$branch"; echo "run=$run"; } >> "$GITHUB_OUTPUT"
if [ -n "$branch" ]; then
  gh auth setup-git
  git push --quiet origin "refs/heads/$branch:refs/heads/$branch"
fi
exit "$code"
"""

TEST = """\
set +e
ygs --json test > ygs-test.json
code=$?
echo "code=$code" >> "$GITHUB_OUTPUT"
exit "$code"
"""

FIX = """\
set +e
ygs --json investigate --run "$RUN" > ygs-investigate.json
ygs --json implement --resume --executor claude-code --timeout "$RUN_MINUTES"m > ygs-fix.json
code=$?
echo "code=$code" >> "$GITHUB_OUTPUT"
gh auth setup-git
git push --quiet origin "HEAD:refs/heads/$BRANCH"
exit "$code"
"""

VERIFY = """\
set +e
ygs --json verify --run "$RUN" > ygs-verify.json
code=$?
echo "code=$code" >> "$GITHUB_OUTPUT"
exit "$code"
"""

PR = """\
note="ygs verify: no MUST finding."
if [ "$VERIFY_CODE" = "1" ]; then
  note="Unresolved: ygs verify reported MUST findings; see the run's artifacts."
fi
printf 'Closes #%s\\n\\nRun %s by ygs (claude-code executor).\\n\\n%s\\n' \\
  "$ISSUE" "$RUN" "$note" > pr-body.md
gh pr create --repo "$GITHUB_REPOSITORY" --base "$BASE" --head "$BRANCH" \\
  --title "$ISSUE_TITLE" --body-file pr-body.md
gh issue edit "$ISSUE" --repo "$GITHUB_REPOSITORY" \\
  --remove-label "ygs:in-progress" --add-label "ygs:pr-open"
"""

BLOCKED = """\
{
  printf 'ygs stopped before a pull request.\\n\\n'
  printf -- '- plan: %s, implement exit %s, test exit %s, fix exit %s, verify exit %s\\n' \\
    "$PLAN_RESULT" "$IMPLEMENT_CODE" "$TEST_CODE" "$FIX_CODE" "$VERIFY_CODE"
  printf -- '- 3: needs a human; 4: tests still red after one fix; 5: timeout or budget\\n'
  printf -- '- evidence: %s/%s/actions/runs/%s\\n' \\
    "$GITHUB_SERVER_URL" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID"
} > comment.md
gh issue comment "$ISSUE" --repo "$GITHUB_REPOSITORY" --body-file comment.md
gh issue edit "$ISSUE" --repo "$GITHUB_REPOSITORY" \\
  --remove-label "ygs:in-progress" --add-label "ygs:blocked"
"""

CLEANUP = """\
gh issue edit "$ISSUE" --repo "$GITHUB_REPOSITORY" --remove-label "ygs:in-progress" || true
if [ -n "$BRANCH" ] && [ "$PR_RESULT" != "success" ]; then
  # No pull request: the branch's diff, commits and conversation are in the artifacts.
  gh api --method DELETE "repos/$GITHUB_REPOSITORY/git/refs/heads/$BRANCH" || true
fi
"""


def _out(job: str, name: str = "code") -> str:
    return f"${{{{ needs.{job}.outputs.{name} }}}}"


def implement(opts: Options) -> str:
    env = {
        "YGS_SPEC": opts.ygs_spec,
        "CLAUDE_CODE_SPEC": CLAUDE_CODE,
        "RUN_MINUTES": str(opts.run_minutes),
    }
    branch = _out("implement", "branch")
    jobs = {
        "plan": {
            "name": "plan",
            "if": f"github.event.label.name == '{LABELS['ready']}'",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["plan"],
            "permissions": {"contents": "read", "issues": "write"},
            "outputs": {
                "task": "${{ steps.plan.outputs.task }}",
                "code": "${{ steps.plan.outputs.code }}",
            },
            "steps": [
                _checkout(),
                *_setup(opts),
                {
                    "name": "Label in progress",
                    "env": ISSUE_ENV,
                    "run": 'gh issue edit "$ISSUE" --repo "$GITHUB_REPOSITORY" '
                    f'--remove-label "{LABELS["ready"]}" --add-label "{LABELS["progress"]}"',
                },
                {
                    "name": "Plan the issue",
                    "id": "plan",
                    "env": {
                        **ISSUE_ENV,
                        "ISSUE_TITLE": "${{ github.event.issue.title }}",
                        "ISSUE_BODY": "${{ github.event.issue.body }}",
                    },
                    "run": _READ_RESULT + "\n" + PLAN,
                },
                _upload("ygs-plan", ["ygs-plan/", "tasks/", ".ygs/wbs/"]),
            ],
        },
        "implement": {
            "name": "implement",
            "needs": "plan",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["implement"],
            "permissions": {"contents": "write"},
            "outputs": {
                "code": "${{ steps.implement.outputs.code }}",
                "branch": "${{ steps.implement.outputs.branch }}",
                "run": "${{ steps.implement.outputs.run }}",
            },
            "steps": [
                _checkout(),
                *_setup(opts, claude=True),
                _download("ygs-plan"),
                _git_identity(),
                {
                    "name": "Implement (claude-code executor)",
                    "id": "implement",
                    "env": {
                        "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
                        "GH_TOKEN": "${{ github.token }}",
                        "ISSUE": "${{ github.event.issue.number }}",
                        "TASK": _out("plan", "task"),
                    },
                    "run": _READ_RESULT + "\n" + IMPLEMENT,
                },
                _upload("ygs-implement", [".ygs/runs/", "ygs-result.json"]),
            ],
        },
        "test": {
            "name": "test",
            "needs": "implement",
            "if": "needs.implement.outputs.code == '0'",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["test"],
            "permissions": {"contents": "read"},
            "outputs": {"code": "${{ steps.test.outputs.code }}"},
            "steps": [
                _checkout(branch),
                *_setup(opts),
                {"name": "Test", "id": "test", "run": TEST},
                _upload("ygs-test", [".ygs/runs/", "ygs-test.json"]),
            ],
        },
        "fix": {
            "name": "fix the tests (once)",
            "needs": ["implement", "test"],
            "if": "always() && (needs.implement.outputs.code == '4' "
            "|| needs.test.outputs.code == '4')",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["fix"],
            "permissions": {"contents": "write"},
            "outputs": {"code": "${{ steps.fix.outputs.code }}"},
            "steps": [
                _checkout(branch),
                *_setup(opts, claude=True),
                _download("ygs-implement"),
                _git_identity(),
                {
                    "name": "Investigate, then resume the run once",
                    "id": "fix",
                    "env": {
                        "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
                        "GH_TOKEN": "${{ github.token }}",
                        "RUN": _out("implement", "run"),
                        "BRANCH": branch,
                    },
                    "run": FIX,
                },
                _upload("ygs-fix", [".ygs/runs/", "ygs-investigate.json", "ygs-fix.json"]),
            ],
        },
        "verify": {
            "name": "verify",
            "needs": ["implement", "test", "fix"],
            "if": "always() && (needs.test.outputs.code == '0' || needs.fix.outputs.code == '0')",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["verify"],
            "permissions": {"contents": "read"},
            "outputs": {"code": "${{ steps.verify.outputs.code }}"},
            "steps": [
                _checkout(branch),
                *_setup(opts),
                _download("ygs-implement"),
                {
                    "name": "Verify (tests, then review against the run's base)",
                    "id": "verify",
                    "env": {
                        "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
                        "RUN": _out("implement", "run"),
                    },
                    "run": VERIFY,
                },
                _upload("ygs-verify", [".ygs/runs/", "ygs-verify.json"]),
            ],
        },
        "pr": {
            "name": "open the pull request",
            "needs": ["implement", "verify"],
            "if": "always() && (needs.verify.outputs.code == '0' "
            "|| needs.verify.outputs.code == '1')",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 5,
            "permissions": {"contents": "read", "pull-requests": "write", "issues": "write"},
            "steps": [
                {
                    "name": "gh pr create",
                    "env": {
                        **ISSUE_ENV,
                        "ISSUE_TITLE": "${{ github.event.issue.title }}",
                        "BRANCH": branch,
                        "RUN": _out("implement", "run"),
                        "BASE": opts.base,
                        "VERIFY_CODE": _out("verify"),
                    },
                    "run": PR,
                }
            ],
        },
        "blocked": {
            "name": "notify: blocked",
            "needs": ["plan", "implement", "test", "fix", "verify", "pr"],
            "if": "always() && needs.plan.result != 'skipped' && needs.pr.result != 'success'",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 5,
            "permissions": {"issues": "write"},
            "steps": [
                {
                    "name": "Comment and label ygs:blocked",
                    "env": {
                        **ISSUE_ENV,
                        "PLAN_RESULT": "${{ needs.plan.result }}",
                        "IMPLEMENT_CODE": _out("implement"),
                        "TEST_CODE": _out("test"),
                        "FIX_CODE": _out("fix"),
                        "VERIFY_CODE": _out("verify"),
                    },
                    "run": BLOCKED,
                }
            ],
        },
        "cleanup": {
            "name": "cleanup",
            "needs": ["plan", "implement", "pr", "blocked"],
            "if": "always() && needs.plan.result != 'skipped'",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": TIMEOUTS["cleanup"],
            "permissions": {"contents": "write", "issues": "write"},
            "steps": [
                {
                    "name": "Drop the in-progress label and an unused nonce branch",
                    "env": {**ISSUE_ENV, "BRANCH": branch, "PR_RESULT": "${{ needs.pr.result }}"},
                    "run": CLEANUP,
                }
            ],
        },
    }
    data = {
        "name": "ygs implement",
        "on": {"issues": {"types": ["labeled"]}},
        "permissions": {},
        "concurrency": {
            "group": "ygs-implement-${{ github.event.issue.number }}",
            "cancel-in-progress": False,
        },
        "env": env,
        "jobs": jobs,
    }
    return render(data)


WAVE_LIST = """\
ygs --json task list --wave "$WAVE" --ready > ygs-wave.json
tasks=$(python -c 'import json; d=json.load(open("ygs-wave.json"))
print(json.dumps([t["id"] for t in d["tasks"]]))')
echo "tasks=$tasks" >> "$GITHUB_OUTPUT"
"""

WAVE_TASK = """\
set +e
ygs --json implement "$TASK" --executor claude-code --timeout "$RUN_MINUTES"m > ygs-result.json
code=$?
branch=$(value ygs-result.json branch)
run=$(value ygs-result.json run)
if [ "$code" = "0" ]; then
  ygs --json verify --run "$run" > ygs-verify.json
  code=$?
fi
echo "code=$code" >> "$GITHUB_OUTPUT"
if [ -n "$branch" ]; then
  gh auth setup-git
  git push --quiet origin "refs/heads/$branch:refs/heads/$branch"
fi
if [ "$code" = "0" ] || [ "$code" = "1" ]; then
  printf 'Task %s, run %s, wave %s (ygs verify exit %s).\\n' "$TASK" "$run" "$WAVE" "$code" \\
    > pr-body.md
  gh pr create --repo "$GITHUB_REPOSITORY" --base "$BASE" --head "$branch" \\
    --title "$TASK (ygs wave $WAVE)" --body-file pr-body.md
fi
exit "$code"
"""


def wave(opts: Options) -> str:
    """workflow_dispatch(wave): the wave's ready tasks as a matrix, `max-parallel` at once."""
    data = {
        "name": "ygs wave",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "wave": {"description": "The wave to run", "required": True, "type": "number"}
                }
            }
        },
        "permissions": {},
        "concurrency": {"group": "ygs-wave-${{ inputs.wave }}", "cancel-in-progress": False},
        "env": {
            "YGS_SPEC": opts.ygs_spec,
            "CLAUDE_CODE_SPEC": CLAUDE_CODE,
            "RUN_MINUTES": str(opts.run_minutes),
            "WAVE": "${{ inputs.wave }}",
        },
        "jobs": {
            "tasks": {
                "name": "ready tasks of the wave",
                "runs-on": "ubuntu-latest",
                "timeout-minutes": TIMEOUTS["plan"],
                "permissions": {"contents": "read"},
                "outputs": {"tasks": "${{ steps.list.outputs.tasks }}"},
                "steps": [
                    _checkout(),
                    *_setup(opts),
                    {"name": "List", "id": "list", "run": WAVE_LIST},
                ],
            },
            "implement": {
                "name": "${{ matrix.task }}",
                "needs": "tasks",
                "if": "needs.tasks.outputs.tasks != '[]'",
                "runs-on": "ubuntu-latest",
                "timeout-minutes": TIMEOUTS["implement"] + TIMEOUTS["verify"],
                "permissions": {"contents": "write", "pull-requests": "write"},
                "strategy": {
                    "fail-fast": False,
                    "max-parallel": opts.max_parallel,
                    "matrix": {"task": "${{ fromJSON(needs.tasks.outputs.tasks) }}"},
                },
                "steps": [
                    _checkout(),
                    *_setup(opts, claude=True),
                    _git_identity(),
                    {
                        "name": "Implement, verify, open the PR",
                        "id": "task",
                        "env": {
                            "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
                            "GH_TOKEN": "${{ github.token }}",
                            "TASK": "${{ matrix.task }}",
                            "BASE": opts.base,
                        },
                        "run": _READ_RESULT + "\n" + WAVE_TASK,
                    },
                    {
                        **_upload("ygs-wave-${{ matrix.task }}", [".ygs/runs/", "ygs-*.json"]),
                    },
                ],
            },
        },
    }
    return render(data)


# The team reports on a schedule (UTC); `ask` runs on demand with a question.
TEAM = (
    ("standup", "30 8 * * 1-5", "Daily standup brief"),
    ("risk-scan", "0 9 * * 1-5", "Sprint risks"),
    ("sprint-plan", "0 7 * * 1", "Sprint plan"),
    ("pr-queue", "0 10,14 * * 1-5", "Pull requests waiting for review"),
)
TEAM_RUN = """\
post=()
if [ -n "$SLACK_BOT_TOKEN$SLACK_WEBHOOK_URL" ]; then post=(--post); fi
ygs {command} --format markdown --output ygs-{command}.md "${{post[@]}}"
code=$?
cat ygs-{command}.md >> "$GITHUB_STEP_SUMMARY"
exit "$code"
"""
ASK_RUN = """\
ygs ask "$QUESTION" --format markdown --output ygs-ask.md
code=$?
cat ygs-ask.md >> "$GITHUB_STEP_SUMMARY"
exit "$code"
"""


def team(opts: Options) -> str:
    secrets_env = {
        "GH_TOKEN": "${{ github.token }}",
        "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
        "SLACK_BOT_TOKEN": "${{ secrets.SLACK_BOT_TOKEN }}",
        "SLACK_WEBHOOK_URL": "${{ secrets.SLACK_WEBHOOK_URL }}",
    }
    jobs = {}
    for command, cron, title in TEAM:
        jobs[command.replace("-", "_")] = {
            "name": title,
            "if": f"github.event.schedule == '{cron}' || inputs.report == '{command}'",
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 10,
            "permissions": {"contents": "read", "issues": "read", "pull-requests": "read"},
            "steps": [
                _checkout(),
                *_setup(opts),
                {
                    "name": f"ygs {command}",
                    "shell": "bash {0}",
                    "env": secrets_env,
                    "run": TEAM_RUN.format(command=command),
                },
                _upload(f"ygs-{command}", [f"ygs-{command}.md"]),
            ],
        }
    jobs["ask"] = {
        "name": "Answer a question",
        "if": "inputs.report == 'ask' && inputs.question != ''",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        "permissions": {"contents": "read", "issues": "read", "pull-requests": "read"},
        "steps": [
            _checkout(),
            *_setup(opts),
            {
                "name": "ygs ask",
                "shell": "bash {0}",
                "env": {**secrets_env, "QUESTION": "${{ inputs.question }}"},
                "run": ASK_RUN,
            },
            _upload("ygs-ask", ["ygs-ask.md"]),
        ],
    }
    choices = [c for c, _, _ in TEAM] + ["ask"]
    data = {
        "name": "ygs team",
        "on": {
            "schedule": [{"cron": cron} for _, cron, _ in TEAM],
            "workflow_dispatch": {
                "inputs": {
                    "report": {
                        "description": "Which report",
                        "required": True,
                        "type": "choice",
                        "options": choices,
                    },
                    "question": {
                        "description": "For ask: the question",
                        "required": False,
                        "type": "string",
                    },
                }
            },
        },
        "permissions": {},
        "concurrency": {"group": "ygs-team-${{ github.workflow }}", "cancel-in-progress": False},
        "env": {"YGS_SPEC": opts.ygs_spec},
        "jobs": jobs,
    }
    return render(data)


REVIEW = """\
set +e
ygs check --changed --format github
check=$?
ygs trace --gate --format github
trace=$?
post=()
if [ -n "$PR_NUMBER" ]; then post=(--post-pr "$PR_NUMBER"); fi
ygs review --base "origin/$BASE_REF" --format sarif --output ygs.sarif --fail-on "$FAIL_ON" \\
  "${post[@]}"
review=$?
echo "check exit $check, trace exit $trace, review exit $review"
for code in "$review" "$check" "$trace"; do
  if [ "$code" != "0" ]; then exit "$code"; fi
done
"""


def review(opts: Options, *, pr_comments: bool, fail_on: str = "must") -> str:
    """Every pull request: `ygs check`, `ygs trace --gate` and `ygs review`, SARIF kept."""
    permissions = {"contents": "read", "security-events": "write"}
    env = {
        "ANTHROPIC_API_KEY": "${{ secrets.ANTHROPIC_API_KEY }}",
        "BASE_REF": f"${{{{ github.base_ref || '{opts.base}' }}}}",
        "FAIL_ON": fail_on,
        "PR_NUMBER": "",
    }
    if pr_comments:
        permissions["pull-requests"] = "write"
        env["GH_TOKEN"] = "${{ github.token }}"
        env["PR_NUMBER"] = "${{ github.event.pull_request.number }}"
    data = {
        "name": "ygs review",
        "on": {
            "pull_request": {"types": ["opened", "synchronize", "reopened", "ready_for_review"]}
        },
        "permissions": {},
        "concurrency": {
            "group": "ygs-review-${{ github.event.pull_request.number }}",
            "cancel-in-progress": True,
        },
        "env": {"YGS_SPEC": opts.ygs_spec},
        "jobs": {
            "review": {
                "name": "ygs check, trace and review",
                "runs-on": "ubuntu-latest",
                "timeout-minutes": 20,
                "permissions": permissions,
                "steps": [
                    _checkout("${{ github.event.pull_request.head.sha }}"),
                    *_setup(opts),
                    {
                        "name": "Check, trace and review the pull request",
                        "shell": "bash {0}",
                        "env": env,
                        "run": REVIEW,
                    },
                    {
                        "name": "Upload SARIF to code scanning",
                        "if": "always() && hashFiles('ygs.sarif') != ''",
                        "uses": uses("upload-sarif"),
                        "with": {"sarif_file": "ygs.sarif", "category": "ygs-review"},
                    },
                ],
            }
        },
    }
    return render(data)
