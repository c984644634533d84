"""The redaction library: every format of the corpus is redacted, in every setting, and what
is not a secret survives; lines keep their numbers; structured values are redacted before
they are serialised; the review rules keep their ids."""

from __future__ import annotations

import json
import random

import pytest

from tests.secret_corpus import FORMATS, NOT_SECRETS
from ygs.core import secrets


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_redacted(name):
    for seed in range(20):
        text, secret = FORMATS[name](random.Random(seed))
        redacted = secrets.redact(text)
        assert secret not in redacted, (name, text, redacted)
        assert "[REDACTED " in redacted
        assert redacted.count("\n") == text.count("\n")  # line numbers still hold


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_redacted_inside_structured_values_before_serialising(name):
    text, secret = FORMATS[name](random.Random(1))
    data = {"answers": {"notes": text, "list": [text, {"nested": text}]}, "n": 3}
    out = json.dumps(secrets.redact_data(data))
    assert secret not in out
    assert json.loads(out)["n"] == 3


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_what_is_not_a_secret_survives(text):
    assert secrets.redact(text) == text


def test_values_under_secret_names_are_replaced_whole():
    data = {"password": "hunter2", "apiKey": 123456, "token_count": 5, "user": "bob"}
    assert secrets.redact_data(data) == {
        "password": "[REDACTED password]",
        "apiKey": "[REDACTED apiKey]",
        "token_count": 5,
        "user": "bob",
    }


def test_the_serialised_journal_case_stays_json():
    # Redacting after encoding used to eat the closing `"}` of this line.
    value = {"t": "-----BEGIN A PRIVATE KEY-----"}
    assert json.loads(json.dumps(secrets.redact_data(value))) == {"t": "[REDACTED private key]"}
    assert json.loads(secrets.redact(json.dumps(value))) == {"t": "[REDACTED private key]"}


def test_a_private_key_without_end_stops_at_the_first_line_that_is_not_key_material():
    text = "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq0\nabc+/=\n\nThe end.\n"
    assert secrets.redact(text).split("\n") == [
        "before",
        "[REDACTED private key]",
        "[REDACTED private key]",
        "[REDACTED private key]",
        "",
        "The end.",
        "",
    ]


def test_redact_lines_keeps_the_count():
    lines = [
        "x = 1",
        "-----BEGIN EC PRIVATE KEY-----",
        "MHcCAQEEIBb",
        "-----END EC PRIVATE KEY-----",
    ]
    out = secrets.redact_lines(lines)
    assert len(out) == 4 and out[0] == "x = 1" and "MHcCAQEEIBb" not in "".join(out)


@pytest.mark.parametrize(
    "text,rule",
    [
        ('AWS_ACCESS_KEY_ID = "AKIAQWERTYUIOPASDFGH"', "SEC001"),
        ('const gh = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";', "SEC001"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "SEC002"),
        ('db_password = "q8Zr2LmW4xVt9KpB7nYc"', "SEC003"),
    ],
)
def test_find_keeps_the_review_rule_ids(text, rule):
    assert [h.rule for h in secrets.find(text)] == [rule]


def test_find_ignores_placeholders_and_references():
    for text in (
        'db_password = "changeme-please-0000"',
        "db_password = os.environ['DB_PASSWORD']",
        'token = "${GITHUB_TOKEN}"',
        "api_key = settings.STRIPE_SECRET_KEY",
    ):
        assert secrets.find(text) == [], text


def test_a_token_inside_a_longer_word_is_not_that_format():
    assert secrets.find("xAKIAQWERTYUIOPASDFGH") == []


def test_the_quadratic_assignment_repro_is_instant():
    # 16k characters took 19 s and 50k over 120 s with the old `name = value` pattern;
    # the time bound is tests/test_regex_linear.py's, this checks the result.
    for text in ("a" * 50_000, "password" * 6_000, "a=" * 25_000, "token: " + "x" * 50_000):
        assert secrets.redact(text).startswith(text[:4]) or "[REDACTED" in secrets.redact(text)


def test_secret_files_are_recognised():
    for path in (".env", "config/.env.production", "id_ed25519", "deploy/server.pem", ".npmrc"):
        assert secrets.is_secret_file(path), path
    for path in (".env.example", "README.md", "src/env.py", "docs/keys.md"):
        assert not secrets.is_secret_file(path), path
