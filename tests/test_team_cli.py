"""The five team commands end to end, against the fakes only: a fake `gh` on PATH replaying
recorded JSON, a local fake Jira, a local fake Slack, the fake Anthropic server. Everything of
ours runs for real (a real git repo with the team's commits, real subprocesses)."""

from __future__ import annotations

import json
import shutil
import socket

import pytest
from team_fakes import (
    CONFIG,
    NOW,
    SECRET,
    FakeJira,
    FakeSlack,
    gh_calls,
    install_fake_gh,
    make_team_repo,
    set_gh_mode,
)

from tests.conftest import git, make_repo
from ygs.testing.fake_anthropic import FakeAnthropic

COMMANDS = {
    "standup": ["standup"],
    "risk-scan": ["risk-scan"],
    "sprint-plan": ["sprint-plan"],
    "pr-queue": ["pr-queue"],
    "ask": ["ask", "What is blocked?"],
}
TEAM = {"Ana", "Ben", "Carla", "Dev"}


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("team")
    return {t: make_team_repo(base / t, t) for t in ("github", "jira")}


@pytest.fixture
def gh(tmp_path, monkeypatch):
    return install_fake_gh(tmp_path, monkeypatch)


@pytest.fixture
def jira(monkeypatch):
    with FakeJira() as fake:
        monkeypatch.setenv("JIRA_BASE_URL", fake.url)
        monkeypatch.setenv("JIRA_EMAIL", "ana@example.com")
        monkeypatch.setenv("JIRA_API_TOKEN", "jira-token")
        yield fake


@pytest.fixture(params=["github", "jira"])
def tracker(request, repos, gh):
    """(repo, key prefix) for each tracker; Jira's fake runs for the Jira case."""
    if request.param == "jira":
        request.getfixturevalue("jira")
    return repos[request.param], "#" if request.param == "github" else "PROJ-"


def status_line(stderr: str) -> dict:
    last = stderr.strip().splitlines()[-1]
    return json.loads(last)


def run(ygs, repo, *args):
    return ygs(*args, "--date", NOW, cwd=repo)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_works_with_both_trackers(ygs, tracker, command):
    repo, k = tracker
    result = run(ygs, repo, *COMMANDS[command], "--json")
    assert result.code == 0, result.stderr
    data = result.json
    assert data["command"] == command and data["exit_code"] == 0
    assert data["narrative"]["source"] == "signals"
    assert "no model" in data["narrative"]["note"]
    assert set(data["team"]) == TEAM
    line = status_line(result.stderr)
    assert line["status"] == "DONE" and line["command"] == command and line["exit_code"] == 0
    if command == "risk-scan":
        assert data["counts"] == {"HIGH": 8, "MEDIUM": 8, "LOW": 0}
        assert data["chains"] == [[f"{k}103", f"{k}104", f"{k}105"], [f"{k}107", f"{k}108"]]
        assert data["capacity"]["available_hours"] == 25.6
    elif command == "standup":
        people = {p["name"]: p for p in data["people"]}
        assert set(people) == TEAM and people["Dev"]["silent"]
        commits = [e["detail"] for e in people["Ben"]["did"] if e["kind"] == "commit"]
        assert commits == ["Session store: Redis adapter"]  # from git, by author e-mail
        assert data["call_to_action"].startswith(f"move {k}112, {k}111, {k}105 out")
    elif command == "sprint-plan":
        assert data["to_apply"] == [f"{k}121", f"{k}123", f"{k}127", f"{k}128"]
        assert data["budget"] == 148.0 and data["target"]["name"] == "Sprint 15"
    elif command == "pr-queue":
        assert data["open"] == 6 and data["review_loads"] == {"Ana": [201, 202, 203, 206]}
    else:
        assert data["intents"] == ["blocked"]
        assert sorted(r["key"] for r in data["sections"][0]["rows"]) == [
            f"{k}104",
            f"{k}107",
            f"{k}108",
        ]
    text = result.stdout
    for outsider in ("Zed", "zed-contractor", "acc-zed", "zed@contractor.io"):
        assert outsider not in text


def test_text_markdown_and_slack_renderings(ygs, repos, gh, tmp_path):
    repo = repos["github"]
    text = run(ygs, repo, "risk-scan")
    assert text.code == 0 and "Risks: 8 HIGH, 8 MEDIUM, 0 LOW" in text.stdout
    assert "#103 → #104 → #105" in text.stdout
    md = run(ygs, repo, "risk-scan", "--format", "markdown")
    assert "## Dependency chains" in md.stdout
    assert "[#103](https://github.com/acme/shop/issues/103)" in md.stdout
    assert "| severity | risk | action | step |" in md.stdout
    slack = run(ygs, repo, "standup", "--format", "slack")
    assert "*Call to action*" in slack.stdout and "• " in slack.stdout
    assert "<https://github.com/acme/shop/pull/203|PR #203>" in slack.stdout
    out = tmp_path / "queue.md"
    written = run(ygs, repo, "pr-queue", "-f", "markdown", "-o", str(out))
    assert written.code == 0 and written.stdout == ""
    assert out.read_text().startswith("# PR queue · 6 open")
    bad = run(ygs, repo, "pr-queue", "-f", "html")
    assert bad.code == 2 and "--format must be one of" in bad.stderr
    assert status_line(bad.stderr)["status"] == "BLOCKED"


def test_standup_for_one_person(ygs, repos, gh):
    result = run(ygs, repos["github"], "standup", "@carla-s", "--json")
    assert result.code == 0
    assert result.json["person"] == "Carla"
    assert [p["name"] for p in result.json["people"]] == ["Carla"]
    unknown = run(ygs, repos["github"], "standup", "zed-contractor")
    assert unknown.code == 2 and "not on the team" in unknown.stderr


def test_post_reaches_slack_through_chat_post_message(ygs, tracker, monkeypatch):
    repo, k = tracker
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", f"{slack.url}/api")
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        result = run(ygs, repo, "risk-scan", "--post", "--json")
    assert result.code == 0, result.stderr
    assert result.json["posted"]["via"] == "chat.postMessage"
    first, *rest = slack.messages
    assert first["channel"] == "#team" and first["mrkdwn"] is True
    assert first["text"].startswith("*Risk scan · 2025-03-13*")
    assert all(len(m["text"]) <= 3500 for m in slack.messages)
    assert rest and {m["thread_ts"] for m in rest} == {"1710320400.001"}  # the rest in a thread
    assert result.json["posted"]["messages"] == len(slack.messages)
    assert f"|{k}103>" in "".join(m["text"] for m in slack.messages)  # keys are Slack links
    assert status_line(result.stderr)["posted"] is True


def test_post_through_an_incoming_webhook_splits_long_reports(ygs, repos, gh, monkeypatch):
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{slack.url}/hooks/T000/B000/XXX")
        result = run(ygs, repos["github"], "ask", "what about #104?", "--post", "--json")
    assert result.code == 0, result.stderr
    assert result.json["posted"] == {"via": "webhook", "messages": 1}
    [message] = slack.webhook
    assert "*Ask*" in message["text"]


def test_a_bad_slack_token_fails_before_any_tracker_call(ygs, repos, gh, monkeypatch):
    _, log = gh
    with FakeSlack() as slack:
        monkeypatch.setenv("SLACK_API_URL", f"{slack.url}/api")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
        result = run(ygs, repos["github"], "standup", "--post")
    assert result.code == 2 and "Slack auth.test failed: invalid_auth" in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr  # the remedy
    assert gh_calls(log) == [] and slack.messages == [] and result.stdout == ""


def test_post_without_credentials_is_a_usage_error(ygs, repos, gh):
    result = run(ygs, repos["github"], "pr-queue", "--post")
    assert result.code == 2 and "no Slack credentials" in result.stderr


# ------------------------------------------------------------------ faults


def test_gh_not_logged_in_is_exit_2_never_an_empty_report(ygs, repos, gh):
    data, _ = gh
    set_gh_mode(data, "logged_out")
    result = run(ygs, repos["github"], "risk-scan", "--json")
    assert result.code == 2
    assert result.json["error"]["message"].startswith("`gh` is not logged in")
    assert "gh auth login" in result.json["error"]["remedy"]
    assert "risks" not in result.json
    assert status_line(result.stderr) == {
        "status": "BLOCKED",
        "command": "risk-scan",
        "exit_code": 2,
        "error": result.json["error"]["message"],
    }


def test_github_unreachable_is_exit_2(ygs, repos, gh):
    data, _ = gh
    set_gh_mode(data, "offline")
    result = run(ygs, repos["github"], "standup")
    assert result.code == 2 and "GitHub is unreachable" in result.stderr
    assert result.stdout == ""


def test_gh_missing_is_exit_2(ygs, repos, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run(ygs, repos["github"], "pr-queue")
    assert result.code == 2 and "`gh` is not on PATH" in result.stderr


def test_older_github_without_dependency_fields_still_works(ygs, repos, gh):
    data, log = gh
    set_gh_mode(data, "old_server")
    result = run(ygs, repos["github"], "risk-scan", "--json")
    assert result.code == 0, result.stderr
    queries = [
        c[3] for c in gh_calls(log) if c[:2] == ["api", "graphql"] and "SprintIssues" in c[3]
    ]
    assert any("blockedBy" in q for q in queries) and any("blockedBy" not in q for q in queries)
    assert len(result.json["chains"]) == 2  # the body's "Depends on #103" still links them


def test_jira_bad_credentials_is_exit_2(ygs, repos, gh, jira, monkeypatch):
    monkeypatch.setenv("JIRA_API_TOKEN", "wrong")
    result = run(ygs, repos["jira"], "standup")
    assert result.code == 2 and "Jira rejected the credentials (HTTP 401)" in result.stderr
    assert "JIRA_API_TOKEN" in result.stderr and result.stdout == ""
    assert jira.requests == [("GET", "/rest/api/3/myself")]  # nothing read after the check


def test_jira_rate_limit_is_retried_once_then_exit_2(ygs, repos, gh, jira):
    jira.mode = "rate_limit"
    result = run(ygs, repos["jira"], "risk-scan")
    assert result.code == 2 and "rate-limiting" in result.stderr
    assert "retry after 0 s" in result.stderr
    assert jira.requests == [("GET", "/rest/api/3/myself")] * 2


def test_jira_server_error_is_exit_2(ygs, repos, gh, jira):
    jira.mode = "server_error"
    result = run(ygs, repos["jira"], "risk-scan")
    assert result.code == 2 and "Jira answered HTTP 503" in result.stderr


def test_jira_unreachable_is_exit_2(ygs, repos, gh, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens
    monkeypatch.setenv("JIRA_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("JIRA_EMAIL", "ana@example.com")
    monkeypatch.setenv("JIRA_API_TOKEN", "jira-token")
    result = run(ygs, repos["jira"], "risk-scan")
    assert result.code == 2 and "Jira is unreachable at 127.0.0.1" in result.stderr


def test_jira_credentials_missing_or_not_https(ygs, repos, gh, monkeypatch):
    monkeypatch.delenv("JIRA_API_TOKEN", raising=False)
    missing = run(ygs, repos["jira"], "risk-scan")
    assert missing.code == 2 and "JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN" in missing.stderr
    monkeypatch.setenv("JIRA_BASE_URL", "http://jira.example.com")
    monkeypatch.setenv("JIRA_EMAIL", "a@b.c")
    monkeypatch.setenv("JIRA_API_TOKEN", "x")
    plain = run(ygs, repos["jira"], "risk-scan")
    assert plain.code == 2 and "is not an https:// URL" in plain.stderr


def test_a_bad_tracker_yml_names_file_and_line(ygs, tmp_path, gh):
    repo = make_repo(tmp_path / "bad")
    (repo / ".ygs").mkdir()
    (repo / ".ygs" / "tracker.yml").write_text("tracker: github\nthresholds:\n  stale_dayz: 3\n")
    result = ygs("risk-scan", cwd=repo)
    assert result.code == 2
    assert ".ygs/tracker.yml:3: unknown key 'thresholds.stale_dayz'" in result.stderr
    (repo / ".ygs" / "tracker.yml").write_text(
        "tracker: github\ncapacity:\n  allocation: {feature: 100, ktlo: 0, on_call: 0,"
        " vacation: 0, meetings: 0}\n"
    )
    never = ygs("risk-scan", cwd=repo)
    assert never.code == 2 and "capacity is never 100 %" in never.stderr


def test_fail_on_turns_risks_into_exit_1(ygs, repos, gh):
    result = run(ygs, repos["github"], "pr-queue", "--fail-on", "high")
    assert result.code == 1
    assert status_line(result.stderr)["status"] == "DONE_WITH_CONCERNS"


# ------------------------------------------------------------------ the model


@pytest.fixture
def model(monkeypatch):
    reply = {"narrative": "Carla's token refresh holds Ben's session store (model)."}
    with FakeAnthropic([{"text": json.dumps(reply)}]) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
        yield fake


def test_the_model_writes_only_the_narrative_and_never_sees_a_secret(ygs, tmp_path, gh, model):
    repo = make_team_repo(tmp_path / "repo", "github")
    result = run(ygs, repo, "ask", "Why is #104 not moving?", "--json")
    assert result.code == 0, result.stderr
    data = result.json
    assert data["narrative"] == {
        "text": "Carla's token refresh holds Ben's session store (model).",
        "source": "model",
        "note": "",
    }
    assert [s["topic"] for s in data["sections"]] == ["stale", "#104"]  # the program's data
    [request] = model.requests
    sent = request["raw"]
    assert "Session store" in sent and "Repro: export TOKEN=" in sent  # the description went
    assert SECRET not in sent and "[REDACTED GitHub token]" in sent  # the token did not
    assert SECRET not in result.stdout
    assert "Answer from the sections only" in json.dumps(request["body"]["system"])  # the skill


def test_a_failing_model_falls_back_to_the_signals_and_exits_5(ygs, tmp_path, gh, monkeypatch):
    repo = make_team_repo(tmp_path / "repo", "github")
    with FakeAnthropic([{"status": 400, "text": "bad request"}]) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
        result = run(ygs, repo, "standup")
    assert result.code == 5
    assert "the model failed" in result.stdout and "Call to action" in result.stdout
    assert status_line(result.stderr)["status"] == "DONE_WITH_CONCERNS"


def test_a_model_backend_without_a_key_still_gives_the_report(ygs, repos, gh, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = run(ygs, repos["github"], "risk-scan", "--model-backend", "anthropic", "--json")
    assert result.code == 5
    assert result.json["counts"] == {"HIGH": 8, "MEDIUM": 8, "LOW": 0}
    assert "needs an API key" in result.json["narrative"]["note"]


# ------------------------------------------------------------------ sprint-plan --apply


def test_apply_needs_confirmation_then_moves_issues_on_github(ygs, repos, gh):
    _, log = gh
    blocked = run(ygs, repos["github"], "sprint-plan", "--apply", "--non-interactive")
    assert blocked.code == 3 and status_line(blocked.stderr)["status"] == "NEEDS_INPUT"
    assert not [c for c in gh_calls(log) if "--method" in c]
    done = run(ygs, repos["github"], "sprint-plan", "--apply", "--yes", "--json")
    assert done.code == 0, done.stderr
    moves = [c for c in gh_calls(log) if "--method" in c]
    assert [(c[3], c[5]) for c in moves] == [
        (f"repos/acme/shop/issues/{n}", "milestone=15") for n in (121, 123, 127, 128)
    ]
    assert done.json["applied"]["moved"] == ["#121", "#123", "#127", "#128"]


def test_apply_moves_issues_into_the_future_jira_sprint(ygs, repos, gh, jira):
    result = run(ygs, repos["jira"], "sprint-plan", "--apply", "--yes", "--json")
    assert result.code == 0, result.stderr
    assert jira.posted == [("415", {"issues": ["PROJ-121", "PROJ-123", "PROJ-127", "PROJ-128"]})]


def test_sprint_plan_capacity_override_needs_a_unit(ygs, repos, gh):
    result = run(ygs, repos["github"], "sprint-plan", "--capacity", "40", "--json")
    assert result.code == 2 and "give a number and its unit" in result.stderr
    points = run(ygs, repos["github"], "sprint-plan", "--capacity", "60pt", "--json")
    assert points.code == 0 and points.json["unit"] == "points"
    # 42 points carried over; 13 points of #127 do not fit in 60, the 2 of #128 do
    assert [p["key"] for p in points.json["pulled"]] == ["#121", "#120", "#123", "#128"]


# ------------------------------------------------------------------ tracker init, check, detect


def test_tracker_init_detects_github_and_writes_a_roster(ygs, tmp_path, gh):
    repo = make_repo(tmp_path / "fresh")
    git(repo, "remote", "add", "origin", "https://github.com/acme/shop.git")
    result = ygs("tracker", "init", "--slack-channel", "#eng", "--json", cwd=repo)
    assert result.code == 0, result.stderr
    assert result.json["tracker"] == "github"
    assert "zed-contractor" in result.json["team"]  # the user removes people not on the team
    text = (repo / ".ygs" / "tracker.yml").read_text()
    assert "tracker: github" in text and "channel: '#eng'" in text and "feature: 55" in text
    again = ygs("tracker", "init", cwd=repo)
    assert again.code == 2 and "already exists" in again.stderr
    forced = ygs("tracker", "init", "--force", "--json", cwd=repo)
    assert forced.code == 0 and forced.json["backup"]


def test_tracker_init_for_jira_finds_the_board_and_people(ygs, tmp_path, gh, jira):
    repo = make_repo(tmp_path / "fresh")
    result = ygs("tracker", "init", "--json", cwd=repo)
    assert result.code == 0, result.stderr
    assert result.json["tracker"] == "jira"
    assert result.json["team"] == [
        "Ana Lima",
        "Ben Kim",
        "Carla Souza",
        "Dev Patel",
        "Zed Outsider",
    ]
    text = (repo / ".ygs" / "tracker.yml").read_text()
    assert "board: 7" in text and "jira: acc-carla" in text


def test_tracker_check_reports_who_is_logged_in(ygs, repos, gh, jira):
    result = ygs("tracker", "check", "--json", cwd=repos["jira"])
    assert result.code == 0, result.stderr
    assert result.json["checked"] == {
        "jira": {"tracker": "jira", "user": "Ana Lima"},
        "github": {"tracker": "github", "user": "ana-dev"},
    }


def test_without_tracker_yml_github_is_detected_and_the_roster_derived(ygs, tmp_path, gh):
    repo = make_team_repo(tmp_path / "repo", "github")
    (repo / ".ygs" / "tracker.yml").unlink()
    git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
    result = run(ygs, repo, "risk-scan", "--json")
    assert result.code == 0, result.stderr
    assert result.json["roster"] == "derived"
    assert "zed-contractor" in result.json["team"]


def test_nothing_to_detect_is_a_usage_error(ygs, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    if shutil.which("gh"):
        pytest.skip("a real gh is installed system-wide")
    repo = make_repo(tmp_path / "none")
    result = ygs("standup", cwd=repo)
    assert result.code == 2 and "ygs tracker init" in result.stderr


def test_a_scheduler_gets_the_status_line_last_from_a_real_process(ygs_proc, repos, gh):
    result = ygs_proc("risk-scan", "--date", NOW, "--format", "slack", cwd=repos["github"])
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("*Risk scan")
    line = status_line(result.stderr)
    assert line == {
        "status": "DONE",
        "command": "risk-scan",
        "exit_code": 0,
        "tracker": "github",
        "sprint": "Sprint 14",
        "risks": {"HIGH": 8, "MEDIUM": 8, "LOW": 0},
        "narrative": "signals",
        "posted": False,
    }


def test_config_template_is_what_the_tests_use():
    assert "hours_per_point: 2" in CONFIG
