"""Secrets never leave the machine: which files to exclude, which values to redact.

Pure. One library for everything that decides what a model, a log or a run
artifact may see, and for the review rules that stop a diff adding a credential:

- `is_secret_file(path)`: files whose contents are never read into a prompt.
- `redact(text)`: a text value with every credential replaced by a marker; the
  number of lines is kept, so line numbers still point at the same lines.
- `redact_data(value)`: the same over a JSON-like value (dict, list, str), done
  *before* it is serialised; values under secret-named keys are replaced whole.
- `find(text)`: credential-looking spans with a rule id (SEC001 provider token,
  SEC002 private key, SEC003 random value named like a secret), for the review.

Every pattern here runs on untrusted text and is linear-time: each starts at a
fixed prefix that cannot occur inside its own body (a negative look-behind on the
body's characters), and every repetition is possessive or bounded.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SECRET_FILE_GLOBS = (
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.p8",
    "*.pfx",
    "*.ppk",
    "*.jks",
    "*.keystore",
    "*.crt",
    "*.cer",
    "*.der",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".pgpass",
    ".htpasswd",
    ".git-credentials",
    ".dockercfg",
    "*.kdbx",
    "*.kubeconfig",
    "credentials",
    "credentials.json",
    "*secret*",
    "*.tfstate",
    "*.tfvars",
)
EXAMPLE_FILES = (".env.example", ".env.sample", ".env.template", ".env.dist")


def is_secret_file(path: str) -> bool:
    """True for files whose contents must never reach a model or a log."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name in EXAMPLE_FILES:
        return False
    return any(fnmatch.fnmatchcase(name, glob) for glob in SECRET_FILE_GLOBS)


def marker(what: str) -> str:
    """What replaces a secret: no quotes, no newline, never itself a match."""
    return f"[REDACTED {what}]"


# ------------------------------------------------------------------ provider tokens

_LEFT = r"(?<![A-Za-z0-9_-])"  # a token starts where a token-ish run starts
_RIGHT = r"(?![A-Za-z0-9_-])"


@dataclass(frozen=True)
class Token:
    name: str
    regex: str  # prefix and body, without the boundaries
    random: bool = False  # generic prefix: the body must also look random


def _t(name: str, prefix: str, body: str, low: int, high: int | None = None, **kw) -> Token:
    """`prefix` then exactly `low` characters of `body` (not followed by another), or at least
    `low` of them, possessively: a longer run is one longer token, never a failed match."""
    if high == low:
        return Token(name, f"{prefix}[{body}]{{{low}}}{_RIGHT}", **kw)
    return Token(name, f"{prefix}[{body}]{{{low},}}+", **kw)


TOKENS: tuple[Token, ...] = (
    _t("AWS access key id", "(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])", "A-Z0-9", 16, 16),
    _t("Anthropic API key", "sk-ant-", r"A-Za-z0-9_\-", 8),
    _t("OpenAI API key", "sk-(?:proj|svcacct|admin)-", r"A-Za-z0-9_\-", 20),
    _t("OpenAI API key", "sk-", "A-Za-z0-9", 20, random=True),
    _t("GitHub token", "gh[pousr]_", "A-Za-z0-9", 30),
    _t("GitHub fine-grained token", "github_pat_", "A-Za-z0-9_", 22),
    _t("GitLab token", "gl(?:pat|dt|ptt|rt|soat|cbt|ft|imt|oas|agent)-", r"A-Za-z0-9_\-", 20),
    _t("GitLab runner token", "GR1348941", r"A-Za-z0-9_\-", 20),
    _t("Slack token", r"xox(?:[abposr]|e\.xox[bp]|e)-", r"A-Za-z0-9\-", 10),
    _t("Slack app token", "xapp-", r"A-Za-z0-9\-", 10),
    _t(
        "Slack webhook",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/",
        r"A-Za-z0-9/_+\-",
        16,
    ),
    _t(
        "Discord webhook",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/",
        r"A-Za-z0-9/_\-",
        20,
    ),
    _t("Stripe key", "(?:sk|rk)_(?:live|test)_", "A-Za-z0-9", 16),
    _t("Stripe webhook secret", "whsec_", "A-Za-z0-9", 24),
    _t("Google API key", "AIza", r"A-Za-z0-9_\-", 35, 35),
    _t("Google OAuth client secret", "GOCSPX-", r"A-Za-z0-9_\-", 20),
    _t("Google OAuth token", r"ya29\.", r"A-Za-z0-9_\-", 20),
    _t("Twilio API key", "SK", "0-9a-fA-F", 32, 32, random=True),
    Token("SendGrid API key", rf"SG\.[A-Za-z0-9_\-]{{22}}\.[A-Za-z0-9_\-]{{43}}{_RIGHT}"),
    _t("npm token", "npm_", "A-Za-z0-9", 36, 36),
    _t("PyPI token", "pypi-AgE", r"A-Za-z0-9_\-", 40),
    _t("Hugging Face token", "hf_", "A-Za-z0-9", 30, random=True),
    _t("Mailgun key", "key-", "0-9a-f", 32, 32, random=True),
    Token("Mailchimp key", rf"[0-9a-f]{{32}}-us[0-9]{{1,2}}{_RIGHT}", random=True),
    _t("Shopify token", "shp(?:at|ca|pa|ss)_", "a-fA-F0-9", 32, 32),
    _t("Square token", r"sq0(?:atp|csp)-", r"A-Za-z0-9_\-", 22),
    _t("DigitalOcean token", "do[opr]_v1_", "a-f0-9", 64, 64),
    _t("Databricks token", "dapi", "a-f0-9", 32, 32, random=True),
    _t("Atlassian API token", "ATATT3", r"A-Za-z0-9_=\-", 50),
    _t("Vault token", r"hv[sb]\.", r"A-Za-z0-9_\-", 24),
    _t("age secret key", "AGE-SECRET-KEY-1", "0-9A-Z", 58, 58),
    _t("Postman API key", "PMAK-", r"a-fA-F0-9\-", 50),
    _t("Grafana token", "gl(?:c|sa)_", r"A-Za-z0-9_=\-", 32),
    _t("Sentry token", "sntry[su]_", r"A-Za-z0-9_=+/\-", 40),
    _t("Linear API key", "lin_api_", "A-Za-z0-9", 40),
    _t("Doppler token", r"dp\.(?:pt|st|sa|ct|scim|audit)\.", "A-Za-z0-9", 40),
    _t("Heroku token", "HRKU-", r"A-Za-z0-9_\-", 30),
    Token("Telegram bot token", rf"[0-9]{{8,10}}:AA[A-Za-z0-9_\-]{{33}}{_RIGHT}"),
    Token(
        "JSON web token",
        r"eyJ[A-Za-z0-9_\-]{10,}+\.eyJ[A-Za-z0-9_\-]{10,}+\.[A-Za-z0-9_\-]{10,}+",
    ),
)
# One pattern per format: each starts with a literal prefix the engine finds fast, where one
# alternation of them all would try every format at every position. The JWT's prefix can occur
# inside its own body, so it alone also needs the look-behind.
_TOKEN_RES = tuple(
    re.compile(f"{_LEFT if t.regex.startswith('eyJ') else ''}{t.regex}") for t in TOKENS
)
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

# ----------------------------------------------------------------- private keys

_KEY_LABEL = r"[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?"
_KEY_BEGIN = rf"-----BEGIN {_KEY_LABEL}-----"
_KEY_END = rf"-----END {_KEY_LABEL}-----"
_NL = r"(?:\r?\n|\\r\\n|\\n)"  # a real line break, or one escaped inside a JSON/YAML string
_B64 = r"[A-Za-z0-9+/=]++"
_KEY_HEADER = r"(?:Proc-Type|DEK-Info|Comment|Version|Hash):[^\n\\]*+"
# BEGIN, base64 on the same line, then whole lines of key material; END when there is one.
_KEY_BLOCK = re.compile(
    rf"{_KEY_BEGIN}(?:[ \t]++{_B64})*+"
    rf"(?:[ \t]*+{_NL}[ \t]*+(?:{_B64}|{_KEY_HEADER})?+(?=[ \t]*+(?:{_NL}|-----|[\"']|\Z)))*+"
    rf"(?:[ \t]*+{_NL}?[ \t]*+{_KEY_END})?"
)
_KEY_LINE = re.compile(rf"\A[ \t]*+(?:{_B64}|{_KEY_HEADER})?+[ \t]*+\Z")
_KEY_END_LINE = re.compile(rf"\A[ \t]*+{_KEY_END}[ \t]*+\Z")
_PRIVATE_KEY = "private key"

# ------------------------------------------------------------ secrets by context

# `scheme://user:password@host`: the password part.
_URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}+://[^\s/?#@:'\"<>]{0,256}+:"
    r"(?P<value>[^\s/?#'\"<>]{1,256})@"
)
# `Authorization: Bearer …`, `Proxy-Authorization: Basic …`: whatever follows the scheme.
_AUTH_HEADER = re.compile(
    r"(?i)(?<![\w\-])(?:proxy-)?authorization[\"']?+[ \t]*+[:=][ \t]*+[\"']?+"
    r"(?:(?:bearer|basic|token|digest|negotiate|apikey|sso-key)[ \t]++)?+"
    r"(?P<value>[^\s'\"]{4,}+)"
)
# `Bearer …` / `Basic …` outside a header line (curl -H, code, logs).
_AUTH_SCHEME = re.compile(
    r"(?<![\w\-])(?:[Bb]earer|BEARER|[Bb]asic|BASIC)[ \t]++"
    r"(?P<value>[A-Za-z0-9._~+/\-]{8,}+=*+)"
)
# `name: value`, `name = "value"`, `"name": "value"`, `name := value`, `name => value`.
_ASSIGNMENT = re.compile(
    r"(?<![\w.\-])(?P<name>[A-Za-z_\-][\w.\-]{0,100}+)\\?+[\"']?+[ \t]*+"
    r"(?::=|=>|===?|!==?|=|:)(?![:=/])[ \t]*+"
    r"(?:\\?+(?P<q>[\"'`])(?P<quoted>(?:(?!(?P=q))[^\\\n]|\\.)*+)"
    r"|(?P<bare>[^\s\"'`,;)}\]<>]++))"
)
# `--password value`: a command-line flag and its separate value.
_FLAG = re.compile(
    r"(?<![\w\-])--(?P<name>[A-Za-z][\w\-]{0,60}+)[ \t]++(?P<bare>[^\s\"'`\-][^\s\"'`]*+)"
)
# `<password>value</password>`
_XML = re.compile(r"<(?P<name>[\w.:\-]{1,60}+)>(?P<bare>[^<\n]{1,512}+)</(?P=name)>")

# Names whose value is a secret whatever it looks like (compared without separators).
SECRET_NAMES = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "accountkey",
    "authkey",
    "credential",
    "credentials",
    "authorization",
    "cookie",
)
# Names whose value is a secret when it also looks random (SEC003).
SECRET_WORDS = (
    "secret",
    "token",
    "passw",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "auth",
)
_SEPARATORS = str.maketrans("", "", "_-.$@ ")


def _normal(name: str) -> str:
    return name.lower().translate(_SEPARATORS)


def secret_name(name: str) -> bool:
    """`db_password`, `apiKey`, `X-API-Key`, `AWS_SECRET_ACCESS_KEY`: the value is secret."""
    return _normal(name).endswith(SECRET_NAMES)


def secretish_name(name: str) -> bool:
    """The name mentions a secret somewhere (`token_value`): random values are secret."""
    normal = _normal(name).replace("author", "")  # `__author_email__` is no auth anything
    return any(word in normal for word in SECRET_WORDS)


# ------------------------------------------------------------------ what is a value

# Whole-value tests (used with fullmatch), anchored so no position but the first is tried.
_TEMPLATE = re.compile(r"\A(?:\$\{?+\w++\}?+|%\(\w++\)s|\{\{[^{}]{0,200}+\}\}|<[^<>]{1,200}+>)\Z")
_CODE = re.compile(r"\A(?:[A-Za-z_]\w*+(?:\.[A-Za-z_]\w*+)++|[\w.]*+\(.*|[\w.]++\[.*)\Z", re.S)
_ENV_NAME = re.compile(r"\A[A-Z][A-Z0-9_]++\Z")
_PLACEHOLDERS = ("example", "placeholder", "changeme", "your_", "your-", "xxxx", "dummy", "***")
_LITERALS = frozenset(
    {"true", "false", "null", "none", "nil", "yes", "no", "on", "off", "~"}
    | {"bearer", "basic", "token", "digest"}  # `Authorization: Bearer …`: the value follows
    | {"str", "string", "bytes", "int", "integer", "number", "text", "secretstr", "any"}  # types
)


def placeholder(value: str, *, quoted: bool = True) -> bool:
    """Not a secret: a placeholder word or template (`${TOKEN}`, `<your key>`); unquoted, also
    a reference in code (`process.env.TOKEN`, `API_KEY`, `get_token()`)."""
    lowered = value.lower()
    if any(word in lowered for word in _PLACEHOLDERS) or value.startswith("[REDACTED"):
        return True
    if _TEMPLATE.fullmatch(value):
        return True
    if quoted:
        return False
    return bool(_CODE.fullmatch(value)) or (
        bool(_ENV_NAME.fullmatch(value)) and not looks_random(value)
    )


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def looks_random(value: str) -> bool:
    return len(value) >= 16 and entropy(value) >= 3.5 and _classes(value) >= 2


def _named_value(name: str, value: str, *, quoted: bool = True) -> bool:
    """Whether `value`, assigned to `name`, is to be redacted."""
    if not value or value.lower() in _LITERALS or placeholder(value, quoted=quoted):
        return False
    if secret_name(name):
        return _normal(value) != _normal(name)  # `password=password` in code is no secret
    return secretish_name(name) and looks_random(value)


def _token_like(value: str) -> bool:
    """`Bearer abc123…`, not `Basic understanding`: a digit, a symbol or an inner capital."""
    return (
        len(value) >= 20
        or any(c.isdigit() or c in "+/=_.~-" for c in value)
        or any(c.isupper() for c in value[1:])
    )


# ----------------------------------------------------------------------- finding


@dataclass(frozen=True)
class Hit:
    rule: str  # SEC001 provider token, SEC002 private key, SEC003 random named value
    name: str
    start: int
    end: int
    guess: bool = False  # found by how random a value looks, not by a format


def _tokens(text: str) -> list[Hit]:
    hits = []
    for token, regex in zip(TOKENS, _TOKEN_RES, strict=True):
        for match in regex.finditer(text):
            start = match.start()
            if start and text[start - 1] in _TOKEN_CHARS:
                continue  # inside a longer word: not this format
            if token.random and not _random_body(match.group()):
                continue
            hits.append(Hit("SEC001", token.name, start, match.end()))
    return hits


def _random_body(value: str) -> bool:
    return entropy(value) >= 3.0 and _classes(value) >= 2


def _value_span(match: re.Match) -> tuple[int, int, str, bool]:
    quoted = match.group("quoted") is not None
    group = "quoted" if quoted else "bare"
    return match.start(group), match.end(group), match.group(group), quoted


def find(text: str) -> list[Hit]:
    """Credential-looking spans: provider tokens, private keys, random values named secret."""
    hits = _tokens(text)
    hits += [Hit("SEC002", _PRIVATE_KEY, m.start(), m.end()) for m in _KEY_BLOCK.finditer(text)]
    for match in (m for a, b in _hinted_lines(text) for m in _ASSIGNMENT.finditer(text, a, b)):
        start, end, value, quoted = _value_span(match)
        name = match.group("name")
        if secretish_name(name) and looks_random(value) and not placeholder(value, quoted=quoted):
            hits.append(Hit("SEC003", f"high-entropy value for {name}", start, end))
    hits += _in_context(text)
    return sorted(hits, key=lambda h: (h.start, -h.end))


def _in_context(text: str) -> list[Hit]:
    """Random-looking credentials where their place names them: a URL's password, an
    Authorization header, a `--password` flag, a `<password>` element."""
    hits = []
    for pattern, where, label in _CONTEXT_FINDS:
        for a, b in where(text):
            for m in pattern.finditer(text, a, b):
                group = "value" if "value" in m.groupdict() else "bare"
                value = m.group(group)
                if label is None and not secret_name(m.group("name")):
                    continue
                if value.startswith("$") or "{" in value or placeholder(value, quoted=False):
                    continue  # a template (`{PASSWORD}`, `${TOKEN}`) or a placeholder
                if looks_random(value):
                    name = label or f"value for {m.group('name')}"
                    rule = "SEC001" if label else "SEC003"
                    hits.append(Hit(rule, name, m.start(group), m.end(group), guess=True))
    return hits


# ---------------------------------------------------------------------- redacting


def redact(text: str) -> str:
    """Every credential in `text` replaced by a marker; the lines stay where they were."""
    if not text:
        return text
    if "PRIVATE KEY" in text:
        text = _redact_keys(text)
    text = _replace(text, [(h.start, h.end, h.name) for h in _tokens(text)])
    for rule in _CONTEXT_RULES:
        text = rule(text)
    return text


def redact_lines(lines: list[str]) -> list[str]:
    """`redact` over a file's lines: a private key spread over lines is redacted line by line."""
    return redact("\n".join(lines)).split("\n") if lines else []


def redact_data(value: Any, key: str = "") -> Any:
    """A JSON-like value with every secret redacted, ready to be serialised."""
    if isinstance(value, str):
        return marker(key) if key and _named_value(key, value) else redact(value)
    if isinstance(value, dict):
        return {k: redact_data(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    if isinstance(value, int | float) and key and secret_name(key) and not isinstance(value, bool):
        return marker(key)
    return value


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping spans (overlaps merge into the first) with markers."""
    if not spans:
        return text
    out, last = [], 0
    for start, end, name in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < last:
            continue
        out += [text[last:start], marker(name)]
        last = end
    out.append(text[last:])
    return "".join(out)


def _redact_keys(text: str) -> str:
    """Private keys: the block on its BEGIN line, then each following line of key material."""
    lines = text.split("\n")
    out, inside = [], False
    for line in lines:
        if inside and _KEY_END_LINE.fullmatch(line.rstrip("\r")):
            out.append(marker(_PRIVATE_KEY))
            inside = False
            continue
        if inside and _KEY_LINE.fullmatch(line.rstrip("\r")):
            out.append(marker(_PRIVATE_KEY) if line.strip() else line)
            continue
        inside = False
        if "PRIVATE KEY" in line:
            line, inside = _key_line(line)
        out.append(line)
    return "\n".join(out)


def _key_line(line: str) -> tuple[str, bool]:
    """The line with its key block redacted, and whether the key goes on to the next lines."""
    spans, open_block = [], False
    for match in _KEY_BLOCK.finditer(line):
        spans.append((match.start(), match.end(), _PRIVATE_KEY))
        open_block = "-----END " not in match.group()
    return _replace(line, spans), open_block and not line.rstrip("\r").endswith(("'", '"'))


def _contextual(
    pattern: re.Pattern,
    keep: Callable[[re.Match], tuple[int, int, str] | None],
    where: Callable[[str], list[tuple[int, int]]] = lambda text: [(0, len(text))],
):
    """A rule that redacts what `keep` picks of `pattern`'s matches, in the parts of the text
    `where` says may hold one (a cheap test first: most text holds no secret at all)."""

    def rule(text: str) -> str:
        spans = [
            span
            for start, end in where(text)
            for m in pattern.finditer(text, start, end)
            if (span := keep(m)) is not None
        ]
        return _replace(text, spans)

    return rule


def _containing(*needles: str, fold: bool = False) -> Callable[[str], list[tuple[int, int]]]:
    def where(text: str) -> list[tuple[int, int]]:
        haystack = text.lower() if fold else text
        return [(0, len(text))] if any(n in haystack for n in needles) else []

    return where


# A name that can be secret holds one of these; only its lines are parsed as assignments.
_SECRET_HINTS = ("pass", "secret", "token", "auth", "credential", "cookie", "key")


def _hinted_lines(text: str) -> list[tuple[int, int]]:
    """The lines that mention a secret-ish word (found with str.find, which is fast)."""
    lowered = text.lower()
    starts = set()
    for needle in _SECRET_HINTS:
        at = lowered.find(needle)
        while at >= 0:
            start = lowered.rfind("\n", 0, at) + 1
            starts.add(start)
            end = lowered.find("\n", at)
            at = lowered.find(needle, end) if end >= 0 else -1
    spans = []
    for start in sorted(starts):
        end = text.find("\n", start)
        spans.append((start, len(text) if end < 0 else end))
    return spans


def _keep_assignment(match: re.Match) -> tuple[int, int, str] | None:
    start, end, value, quoted = _value_span(match)
    name = match.group("name")
    return (start, end, name.strip("-")) if _named_value(name, value, quoted=quoted) else None


def _keep_value(label: str, test: Callable[[str], bool] = lambda _v: True):
    def keep(match: re.Match) -> tuple[int, int, str] | None:
        value = match.group("value")
        if value.startswith("$") or placeholder(value, quoted=False) or not test(value):
            return None
        return match.start("value"), match.end("value"), label

    return keep


def _keep_named(match: re.Match) -> tuple[int, int, str] | None:
    name, value = match.group("name"), match.group("bare")
    if secret_name(name) and _named_value(name, value, quoted=False):
        return match.start("bare"), match.end("bare"), name
    return None


# (pattern, where it can be, the credential's name or None for a named flag or element)
_CONTEXT_FINDS = (
    (_URL_CREDENTIALS, _containing("://"), "password in a URL"),
    (
        _AUTH_HEADER,
        _containing("authorization", fold=True),
        "credential in an Authorization header",
    ),
    (_AUTH_SCHEME, _containing("earer", "EARER", "asic", "ASIC"), "bearer or basic credential"),
    (_FLAG, _hinted_lines, None),
    (_XML, _hinted_lines, None),
)
_CONTEXT_RULES = (
    _contextual(_URL_CREDENTIALS, _keep_value("password"), _containing("://")),
    _contextual(_AUTH_HEADER, _keep_value("credential"), _containing("authorization", fold=True)),
    _contextual(
        _AUTH_SCHEME,
        _keep_value("credential", _token_like),
        _containing("earer", "EARER", "asic", "ASIC"),
    ),
    _contextual(_ASSIGNMENT, _keep_assignment, _hinted_lines),
    _contextual(_FLAG, _keep_named, _hinted_lines),
    _contextual(_XML, _keep_named, _hinted_lines),
)
