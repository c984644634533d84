"""Secrets never leave the machine: which files to exclude, which values to redact.

Pure. Used by every context builder (what a model may see), by logs and run
artifacts (what is written), and by the review rules (what a diff must not add).
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter
from dataclasses import dataclass

SECRET_FILE_GLOBS = (
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
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
    "*.kdbx",
    "credentials",
    "credentials.json",
    "*secret*",
    "*.tfstate",
    "*.tfvars",
)


def is_secret_file(path: str) -> bool:
    """True for files whose contents must never reach a model or a log."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name in (".env.example", ".env.sample", ".env.template"):
        return False
    return any(fnmatch.fnmatchcase(name, glob) for glob in SECRET_FILE_GLOBS)


@dataclass(frozen=True)
class Pattern:
    rule: str  # stable id, shared with the review rules
    name: str
    regex: re.Pattern[str]


def _p(rule: str, name: str, regex: str, flags: int = 0) -> Pattern:
    return Pattern(rule, name, re.compile(regex, flags))


PATTERNS: tuple[Pattern, ...] = (
    _p("SEC001", "AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    _p("SEC001", "Anthropic API key", r"\bsk-ant-[A-Za-z0-9_\-]{8,}"),
    _p("SEC001", "OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9]{20,}"),
    _p("SEC001", "GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b"),
    _p("SEC001", "GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    _p("SEC001", "Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    _p("SEC001", "Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    _p("SEC001", "Stripe key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
    _p("SEC001", "GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
    _p("SEC002", "private key", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    _p(
        "SEC001",
        "JSON web token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    ),
)

_ASSIGNMENT = re.compile(
    r"""(?ix)
    (?P<name>[a-z0-9_.\-]*(?:secret|token|passwd|password|api[_-]?key|apikey|access[_-]?key|
        private[_-]?key|auth|credential|client[_-]?secret)[a-z0-9_.\-]*)
    ["']?\s*(?::=|=|:)\s*
    (?P<quote>["'])?(?P<value>[A-Za-z0-9+/=_\-.~!@#$%^&*]{16,})(?P=quote)?
    """
)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_random(value: str) -> bool:
    classes = sum(
        bool(re.search(rx, value)) for rx in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    return len(value) >= 16 and entropy(value) >= 3.5 and classes >= 2


@dataclass(frozen=True)
class Hit:
    rule: str
    name: str
    start: int
    end: int


def find(text: str) -> list[Hit]:
    """Credential-looking spans: known key formats, private keys, random values named secret."""
    hits = [
        Hit(p.rule, p.name, m.start(), m.end()) for p in PATTERNS for m in p.regex.finditer(text)
    ]
    for match in _ASSIGNMENT.finditer(text):
        value = match.group("value")
        if looks_random(value) and not _placeholder(value):
            hits.append(
                Hit(
                    "SEC003",
                    f"high-entropy value for {match.group('name')}",
                    match.start("value"),
                    match.end("value"),
                )
            )
    return sorted(hits, key=lambda h: h.start)


_REFERENCE = re.compile(r"^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z][A-Z0-9_]+|\$\{?\w+\}?)$")
_PLACEHOLDERS = ("example", "placeholder", "changeme", "your_", "xxxx", "dummy")


def _placeholder(value: str) -> bool:
    """Not a secret: a placeholder word, or a reference to one (process.env.TOKEN, API_KEY)."""
    lowered = value.lower()
    return any(word in lowered for word in _PLACEHOLDERS) or bool(_REFERENCE.match(value))


_PRIVATE_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----.*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|\Z)", re.S
)


def redact(text: str) -> str:
    """Replace every credential-looking value with a marker naming what it was."""
    text = _PRIVATE_BLOCK.sub("[REDACTED private key]", text)
    merged: list[Hit] = []
    for hit in find(text):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Hit(last.rule, last.name, last.start, max(last.end, hit.end))
        else:
            merged.append(hit)
    for hit in reversed(merged):
        text = f"{text[: hit.start]}[REDACTED {hit.name}]{text[hit.end :]}"
    return text
