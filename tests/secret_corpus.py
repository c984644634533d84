"""Planted secrets of every format ygs redacts: each maker returns (text, secret).

`text` is the secret in its natural setting (a URL, a header, a YAML key, a
provider token); `secret` is the part that must never reach a model or a log.
The makers take a `random.Random`, so hypothesis can draw them (`st.randoms()`)
and shrink a failure to a seed.
"""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    """n random characters, with at least one letter and one digit when the alphabet has both."""
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(n))
        letters = any(c.isalpha() for c in alphabet)
        digits = any(c.isdigit() for c in alphabet)
        if (not letters or any(c.isalpha() for c in value)) and (
            not digits or any(c.isdigit() for c in value)
        ):
            return value


def password(rng: random.Random) -> str:
    return pick(rng, ALNUM, rng.randint(10, 24))


def _named(template: str) -> Callable[[random.Random], tuple[str, str]]:
    def make(rng: random.Random) -> tuple[str, str]:
        secret = password(rng)
        return template.format(s=secret), secret

    return make


def _token(template: str, body: Callable[[random.Random], str]):
    def make(rng: random.Random) -> tuple[str, str]:
        secret = template.format(s=body(rng))
        return f"value {secret} here", secret

    return make


def _private_key(label: str, end: bool, escaped: bool = False):
    def make(rng: random.Random) -> tuple[str, str]:
        lines = [pick(rng, B64, 64) for _ in range(rng.randint(1, 4))]
        parts = [f"-----BEGIN {label}-----", *lines]
        if end:
            parts.append(f"-----END {label}-----")
        joined = ("\\n" if escaped else "\n").join(parts)
        text = f'"private_key": "{joined}\\n",' if escaped else f"key:\n{joined}\nnext line."
        return text, lines[0]

    return make


def _basic(rng: random.Random) -> tuple[str, str]:
    secret = base64.b64encode(f"admin:{password(rng)}".encode()).decode()
    return f"Authorization: Basic {secret}", secret


def _slack_webhook(rng: random.Random) -> tuple[str, str]:
    secret = pick(rng, ALNUM, 24)
    team, bot = pick(rng, UPPER_ALNUM, 8), pick(rng, UPPER_ALNUM, 8)
    url = f"https://hooks.slack.com/services/T{team}/B{bot}"
    return f"webhook: {url}/{secret}", secret


def _jwt(rng: random.Random) -> str:
    head = "eyJ" + pick(rng, URLSAFE, 20)
    return f"{head}.eyJ{pick(rng, URLSAFE, 40)}.{pick(rng, URLSAFE, 43)}"


FORMATS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "url password": _named("DATABASE_URL=postgres://app:{s}@db.internal:5432/app"),
    "url password, no user": _named("cache: redis://:{s}@cache:6379/0"),
    "bearer header": _named("Authorization: Bearer {s}"),
    "bearer in curl": _named("curl -H 'Authorization: Bearer {s}' https://api.example.com"),
    "bearer in code": _named('headers = {{"X-Auth": "Bearer {s}"}}'),
    "basic header": _basic,
    "yaml password": _named("database:\n  password: {s}\n  host: db"),
    "yaml quoted secret": _named('client_secret: "{s}"'),
    "json api_key": _named('{{"api_key": "{s}", "region": "eu-west-1"}}'),
    "ini password": _named("[db]\npassword = {s}\nport = 5432"),
    "toml secret_key": _named('secret_key = "{s}"'),
    "env token": _named("export API_TOKEN={s}"),
    "env github token": _named("GH_ACCESS_TOKEN='{s}'"),
    "camelCase apiKey": _named("const client = new Client({{ apiKey: '{s}' }});"),
    "xml password": _named("<password>{s}</password>"),
    "cli flag": _named("mysqladmin --password {s} status"),
    "php array": _named("'db_password' => '{s}',"),
    "aws secret access key": _named("aws_secret_access_key = {s}"),
    "AWS AKIA": _token("AKIA{s}", lambda r: pick(r, UPPER_ALNUM, 16)),
    "AWS ASIA": _token("ASIA{s}", lambda r: pick(r, UPPER_ALNUM, 16)),
    "AWS A3T": _token("A3TX{s}", lambda r: pick(r, UPPER_ALNUM, 16)),
    "AWS ABIA": _token("ABIA{s}", lambda r: pick(r, UPPER_ALNUM, 16)),
    "AWS ACCA": _token("ACCA{s}", lambda r: pick(r, UPPER_ALNUM, 16)),
    "Anthropic": _token("sk-ant-api03-{s}AA", lambda r: pick(r, URLSAFE, 93)),
    "OpenAI project": _token("sk-proj-{s}", lambda r: pick(r, URLSAFE, 100)),
    "OpenAI legacy": _token("sk-{s}", lambda r: pick(r, ALNUM, 48)),
    "GitHub classic": _token("ghp_{s}", lambda r: pick(r, ALNUM, 36)),
    "GitHub app": _token("ghs_{s}", lambda r: pick(r, ALNUM, 36)),
    "GitHub fine-grained": _token(
        "github_pat_{s}", lambda r: pick(r, ALNUM, 22) + "_" + pick(r, ALNUM, 59)
    ),
    "GitLab": _token("glpat-{s}", lambda r: pick(r, URLSAFE, 20)),
    "Slack bot token": _token(
        "xoxb-{s}", lambda r: f"{pick(r, string.digits, 12)}-{pick(r, ALNUM, 24)}"
    ),
    "Slack user token": _token(
        "xoxp-{s}", lambda r: f"{pick(r, string.digits, 12)}-{pick(r, ALNUM, 32)}"
    ),
    "Slack webhook": _slack_webhook,
    "Stripe live": _token("sk_live_{s}", lambda r: pick(r, ALNUM, 24)),
    "Stripe restricted": _token("rk_test_{s}", lambda r: pick(r, ALNUM, 24)),
    "Google API key": _token("AIza{s}", lambda r: pick(r, URLSAFE, 35)),
    "Google OAuth secret": _token("GOCSPX-{s}", lambda r: pick(r, URLSAFE, 28)),
    "Twilio API key": _token("SK{s}", lambda r: pick(r, HEX, 32)),
    "SendGrid": _token("SG.{s}", lambda r: f"{pick(r, URLSAFE, 22)}.{pick(r, URLSAFE, 43)}"),
    "npm": _token("npm_{s}", lambda r: pick(r, ALNUM, 36)),
    "PyPI": _token("pypi-AgEIcHlwaS5vcmc{s}", lambda r: pick(r, URLSAFE, 60)),
    "Hugging Face": _token("hf_{s}", lambda r: pick(r, ALNUM, 34)),
    "Mailgun": _token("key-{s}", lambda r: pick(r, HEX, 32)),
    "Shopify": _token("shpat_{s}", lambda r: pick(r, HEX, 32)),
    "DigitalOcean": _token("dop_v1_{s}", lambda r: pick(r, HEX, 64)),
    "Databricks": _token("dapi{s}", lambda r: pick(r, HEX, 32)),
    "Vault": _token("hvs.{s}", lambda r: pick(r, URLSAFE, 24)),
    "Heroku": _token("HRKU-{s}", lambda r: pick(r, URLSAFE, 60)),
    "Linear": _token("lin_api_{s}", lambda r: pick(r, ALNUM, 40)),
    "Telegram bot": _token(
        "{s}", lambda r: f"{pick(r, string.digits, 10)}:AA{pick(r, URLSAFE, 33)}"
    ),
    "JWT": _token("{s}", _jwt),
    "private key": _private_key("RSA PRIVATE KEY", end=True),
    "private key, no END": _private_key("PRIVATE KEY", end=False),
    "OpenSSH key": _private_key("OPENSSH PRIVATE KEY", end=True),
    "PGP key block": _private_key("PGP PRIVATE KEY BLOCK", end=True),
    "service-account JSON key": _private_key("PRIVATE KEY", end=True, escaped=True),
    "escaped key, no END": _private_key("EC PRIVATE KEY", end=False, escaped=True),
}

# Text that looks a little like a secret and must survive redaction unchanged.
NOT_SECRETS = (
    "max_tokens: 4096",
    "token_expiry_seconds = 3600",
    "password = os.environ['DB_PASSWORD']",
    "api_key = settings.API_KEY",
    "token = get_token(request)",
    'password: "${DB_PASSWORD}"',
    "secret: <your secret here>",
    "a basic understanding of bearer authentication",
    "Passwords MUST be at least 12 characters long.",
    "see https://example.com:8080/path?q=1",
    "The API key is read from the environment.",
    "def verify(password: str) -> bool:",
    "if token is None:",
    "git@github.com:org/repo.git",
    "sha256: 3f786850e387550fdab836ed7e6dc881de23001b",
    "REQ-001: the system MUST lock the account after 5 failed logins",
)
