"""Slack delivery: `chat.postMessage` with a bot token (SLACK_BOT_TOKEN), or an incoming
webhook (SLACK_WEBHOOK_URL). The token is checked with `auth.test` before any tracker work,
so a scheduled run with a bad token fails first, not after the report.

Long reports are split on line boundaries; with a bot token the rest go into the first
message's thread. Secrets are redacted from whatever is posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ygs.core.secrets import redact
from ygs.errors import YgsError
from ygs.team import http
from ygs.team.config import Slack

API = "https://slack.com/api"
CHUNK = 3500  # characters per message; Slack truncates text above 40,000
TOKEN_REMEDY = (
    "export SLACK_BOT_TOKEN (a bot token with chat:write, the bot invited to the channel), "
    "or SLACK_WEBHOOK_URL for an incoming webhook"
)


@dataclass(frozen=True)
class Target:
    kind: str  # api | webhook
    url: str
    token: str = ""
    channel: str = ""

    def describe(self) -> str:
        return f"Slack channel {self.channel}" if self.kind == "api" else "a Slack incoming webhook"


def target(cfg: Slack, env: Mapping[str, str]) -> Target:
    token = env.get(cfg.token_env, "")
    if token and cfg.channel:
        base = http.check_url(env.get("SLACK_API_URL") or API, "Slack API", "SLACK_API_URL")
        return Target("api", base, token=token, channel=cfg.channel)
    hook = env.get(cfg.webhook_env, "")
    if hook:
        return Target("webhook", http.check_url(hook, "webhook", cfg.webhook_env))
    if token:
        raise YgsError(
            "--post: no Slack channel configured",
            path=".ygs/tracker.yml",
            remedy='set slack.channel (e.g. "#team") in .ygs/tracker.yml',
        )
    raise YgsError(
        f"--post: no Slack credentials ({cfg.token_env} or {cfg.webhook_env})", remedy=TOKEN_REMEDY
    )


def _api(t: Target, method: str, body: dict) -> dict:
    reply = http.call(
        "POST",
        f"{t.url}/{method}",
        what="Slack",
        headers={"Authorization": f"Bearer {t.token}"},
        body=body,
    )
    if reply.status == 429:
        raise YgsError("Slack is rate-limiting posts (HTTP 429)", remedy="retry in a minute")
    data = reply.json(f"Slack {method}") if reply.status < 500 else {}
    if reply.status >= 400 or not data.get("ok"):
        error = data.get("error") or f"HTTP {reply.status}"
        raise YgsError(f"Slack {method} failed: {error}", remedy=_remedy(error))
    return data


def _remedy(error: str) -> str:
    return {
        "invalid_auth": TOKEN_REMEDY,
        "not_authed": TOKEN_REMEDY,
        "token_revoked": TOKEN_REMEDY,
        "account_inactive": TOKEN_REMEDY,
        "channel_not_found": "check slack.channel; for a private channel invite the bot first",
        "not_in_channel": "invite the bot to the channel (/invite @your-bot)",
        "missing_scope": "give the bot the chat:write scope and reinstall it",
    }.get(error, "see https://api.slack.com/methods/chat.postMessage#errors")


def check(t: Target) -> dict:
    """Fail before any work when the token is bad (a webhook cannot be checked without posting)."""
    if t.kind == "webhook":
        return {"slack": "webhook"}
    data = _api(t, "auth.test", {})
    return {"slack": data.get("team") or "ok", "bot": data.get("user")}


def chunks(text: str, size: int = CHUNK) -> list[str]:
    parts, current = [], ""
    for line in text.splitlines():
        while len(line) > size:
            parts.append(line[:size])
            line = line[size:]
        if current and len(current) + len(line) + 1 > size:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts or [""]


def post(t: Target, text: str) -> dict:
    pieces = chunks(redact(text))
    if t.kind == "webhook":
        for piece in pieces:
            reply = http.call("POST", t.url, what="the Slack webhook", body={"text": piece})
            if reply.status >= 400:
                error = reply.text.strip() or f"HTTP {reply.status}"
                raise YgsError(
                    f"the Slack webhook refused the message: {error}",
                    remedy="check SLACK_WEBHOOK_URL; a revoked webhook answers no_service",
                )
        return {"via": "webhook", "messages": len(pieces)}
    first = _api(t, "chat.postMessage", {"channel": t.channel, "text": pieces[0], "mrkdwn": True})
    for piece in pieces[1:]:
        _api(
            t,
            "chat.postMessage",
            {
                "channel": first.get("channel", t.channel),
                "text": piece,
                "thread_ts": first.get("ts"),
            },
        )
    return {
        "via": "chat.postMessage",
        "channel": t.channel,
        "ts": first.get("ts"),
        "messages": len(pieces),
    }
