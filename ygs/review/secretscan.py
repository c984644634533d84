"""Secrets in added lines: ygs's own patterns (`ygs.core.secrets`) and detect-secrets' detectors
(every provider plugin, keyword detection of hardcoded passwords, high-entropy strings, with
its filters), one finding per line and rule.

ygs's patterns run once over all added lines of a file (each is linear-time). detect-secrets
runs only on candidate windows: a line, or a window of a long line, that mentions a secret-ish
word, a URL with a user, a key header or a token-length run of letters and digits. A line
longer than WINDOW is cut into overlapping windows, so no line is skipped and no line costs
more than its length.
"""

from __future__ import annotations

import bisect
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass

from ygs.core import secrets

WINDOW = 2000
OVERLAP = 250  # longer than any single-line secret detect-secrets knows
_KEYWORDS = ("key", "pass", "pwd", "secret", "token", "auth", "credential", "contrase", "private")
_HINT = re.compile("|".join((*_KEYWORDS, "-----begin")))  # literals only: linear
_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{16,}+")
_DIGIT = re.compile(r"[0-9]")
_ENTROPY = ("Base64 High Entropy String", "Hex High Entropy String")
_SKIPPED_PLUGINS = ("IPPublicDetector",)  # a public IP address is not a secret


@dataclass(frozen=True)
class SecretHit:
    rule: str  # SEC001 provider token, SEC002 private key, SEC003 named secret, SEC007 entropy
    line: int
    detail: str  # what was found, e.g. "AWS Access Key"
    engine: str  # ygs | detect-secrets
    guess: bool = False  # by how random a value looks (SEC007 always), not by a format


def candidate(text: str) -> bool:
    """Whether a line (or window) can hold anything detect-secrets would report (a Python
    `pass` statement, alone on its line, names no password)."""
    if _HINT.search(text.lower()) and text.strip() != "pass":
        return True
    if "://" in text and "@" in text:
        return True
    return any(_DIGIT.search(m.group()) for m in _RUN.finditer(text))


def windows(text: str) -> Iterator[str]:
    """The line itself, or overlapping windows of it when it is longer than WINDOW."""
    if len(text) <= WINDOW:
        yield text
        return
    step = WINDOW - OVERLAP
    for start in range(0, len(text) - OVERLAP, step):
        yield text[start : start + WINDOW]


def own(added: dict[int, str], code: bool) -> list[SecretHit]:
    """ygs's own patterns over every added line, in one pass per pattern."""
    if not added:
        return []
    numbers = sorted(added)
    starts, parts, at = [], [], 0
    for n in numbers:
        starts.append(at)
        parts.append(added[n])
        at += len(added[n]) + 1
    text = "\n".join(parts)
    found = []
    for hit in secrets.find(text):
        if hit.rule == "SEC003" and code and not _quoted(text, hit.start):
            continue  # in code an unquoted value is an expression (`process.env.TOKEN`)
        if hit.rule == "SEC003" and code and _prose(text, hit):
            continue
        line = numbers[bisect.bisect_right(starts, hit.start) - 1]
        detail = "" if hit.rule == "SEC003" else f"{hit.name[0].upper()}{hit.name[1:]}"
        found.append(SecretHit(hit.rule, line, detail, "ygs", hit.guess))
    return found


_COMMENT = re.compile(r"^\s*+(?:#|//|/\*|\*|--)")


def _commented(secret, added: dict[int, str]) -> bool:
    """A password named in a comment with a value that does not look random (see _prose)."""
    line = added.get(secret.line_number, "")
    value = secret.secret_value or ""
    return (
        secret.type == "Secret Keyword"
        and bool(_COMMENT.match(line))
        and not (secrets.looks_random(value))
    )


def _prose(text: str, hit) -> bool:
    """A comment in code that names a password (`# default password: 'admin'`) with a value
    that does not look random: prose about a setting, not a leaked secret."""
    start = text.rfind("\n", 0, hit.start) + 1
    value = text[hit.start : hit.end]
    return bool(_COMMENT.match(text[start : hit.start])) and not secrets.looks_random(value)


def _quoted(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in "\"'`"


def detected(path: str, added: dict[int, str], code: bool = False) -> list[SecretHit]:
    """detect-secrets' findings on the candidate lines (and windows) of one file."""
    units = [(n, piece) for n in sorted(added) for piece in windows(added[n]) if candidate(piece)]
    if not units:
        return []
    with session():
        found = session.ready().scan(units, path)
        return [
            _mapped(s.type, s.line_number)
            for s in found
            if not dummy(s.secret_value or "")
            and not _revision(s, added)
            and not (code and _commented(s, added))
        ]


# A commit id pinned as a revision (`revision="3f1c…"`) is a hash, not a secret.
_REVISION = re.compile(
    r"""(?i)\b(?:revision|commit(?:_id|_sha)?|sha|rev)\s*+[=:]\s*+["'][0-9a-f]{7,64}["']"""
)


def _revision(secret, added: dict[int, str]) -> bool:
    if secret.type != "Hex High Entropy String":
        return False
    return bool(_REVISION.search(added.get(secret.line_number, "")))


# Words that make up the stand-in values of tests, docs and examples (`password="test"`,
# `SECRET_KEY = "dev"`, `http://user:pass@host`): a value made only of them is not a secret.
DUMMY_WORDS = frozenset({
    "test", "testing", "tests", "dev", "development", "devel", "config", "secret", "secrets",
    "key", "keys", "pass", "password", "passwd", "pwd", "foo", "bar", "baz", "qux", "dummy",
    "example", "sample", "fake", "mock", "default", "demo", "user", "username", "local",
    "localhost", "my", "your", "value", "here", "changeme", "placeholder", "xxx", "abc",
    "none", "null", "token", "api", "private", "public", "string", "hello", "world", "temp",
    "tmp",
})  # fmt: skip
_WORD = re.compile(r"[a-z0-9]++")


def dummy(value: str) -> bool:
    """A stand-in, not a credential: only dummy words (`test key`, `pass%20pass`), or one of
    ygs's placeholders (`changeme`, `${TOKEN}`)."""
    words = _WORD.findall(value.lower().replace("%20", " ").replace("%23", " "))
    return (bool(words) and all(w in DUMMY_WORDS for w in words)) or secrets.placeholder(value)


def _mapped(kind: str, line: int) -> SecretHit:
    if kind == "Private Key":
        return SecretHit("SEC002", line, "Private key", "detect-secrets")
    if kind == "Secret Keyword":
        return SecretHit("SEC003", line, "", "detect-secrets")
    if kind in _ENTROPY:
        return SecretHit("SEC007", line, kind, "detect-secrets", True)
    if kind == "Basic Auth Credentials":
        return SecretHit("SEC001", line, "Password in a URL", "detect-secrets")
    return SecretHit("SEC001", line, kind, "detect-secrets")


class offline_import:
    """Import detect-secrets without `requests`: it imports it only to verify secrets with
    their providers over the network, which ygs never does, and importing it costs more than
    scanning a whole change. A stand-in module is seen by detect-secrets' modules only; the
    real `requests` stays importable for anything else."""

    def __enter__(self):
        self.stubbed = "requests" not in sys.modules
        if self.stubbed:
            stub = types.ModuleType("requests", "stand-in: ygs never verifies secrets online")
            stub.exceptions = types.SimpleNamespace(RequestException=_NeverRaised)  # type: ignore[attr-defined]
            stub.Response = object  # type: ignore[attr-defined]
            stub.get = stub.post = _offline  # type: ignore[attr-defined]
            sys.modules["requests"] = stub
        return self

    def __exit__(self, *exc):
        if self.stubbed:
            sys.modules.pop("requests", None)


class _NeverRaised(Exception):
    pass


def _offline(*_args, **_kwargs):
    raise RuntimeError("ygs does not verify secrets over the network")


class Detectors:
    """detect-secrets' plugins (all but _SKIPPED_PLUGINS, with their default settings) and its
    default filters, called directly: the same steps as its line scan (a line filter first,
    then each plugin, then the filters on what it found), without its settings context and
    per-call argument injection, which cost more than scanning a change."""

    LINE = frozenset({"filename", "line", "context"})
    SECRET = frozenset({"filename", "secret", "plugin", "line"})
    FOUND = SECRET | {"context"}

    def __init__(self) -> None:
        with offline_import():  # the plugins are imported here
            from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
            from detect_secrets.settings import get_filters
            from detect_secrets.util.code_snippet import get_code_snippet

            kinds = get_mapping_from_secret_type_to_class().values()
            self.plugins = [k() for k in kinds if k.__name__ not in _SKIPPED_PLUGINS]
            filters = get_filters()
        self.snippet = get_code_snippet
        # each filter with the arguments it takes, at the step whose arguments it needs
        self.on_line = self._taking(filters, "line", self.LINE)
        self.on_secret = self._taking(filters, "secret", self.SECRET)
        self.on_found = self._taking(filters, "context", self.FOUND)

    @staticmethod
    def _taking(filters, needed: str, given: frozenset[str]) -> list:
        return [
            (f, tuple(f.injectable_variables))
            for f in filters
            if needed in f.injectable_variables and f.injectable_variables <= given
        ]

    @staticmethod
    def _out(filters, **given) -> bool:
        return any(f(**{k: given[k] for k in names}) for f, names in filters)

    def scan(self, units: list[tuple[int, str]], path: str) -> list:
        texts = [text for _, text in units]
        found = []
        for number, raw in units:
            line = raw.rstrip()
            context = self.snippet(lines=texts, line_number=number)
            if self._out(self.on_line, filename=path, line=line, context=context):
                continue
            for plugin in self.plugins:
                for secret in (
                    plugin.analyze_line(
                        filename=path, line=line, line_number=number, context=context
                    )
                    or ()
                ):
                    given = {"filename": path, "secret": secret.secret_value, "plugin": plugin}
                    if self._out(self.on_secret, line=line, **given):
                        continue
                    if not self._out(self.on_found, line=line, context=context, **given):
                        found.append(secret)
        return found


class session:
    """detect-secrets' detectors for one review: set up on first use, inside the outermost
    `with session():`, and kept until it ends (setting them up costs more than scanning a
    small file; a change without candidate lines never imports the library)."""

    depth = 0
    detectors: Detectors | None = None

    def __enter__(self):
        session.depth += 1
        return self

    def __exit__(self, *exc):
        session.depth -= 1
        if session.depth == 0:
            session.detectors = None

    @staticmethod
    def ready() -> Detectors:
        if session.detectors is None:
            session.detectors = Detectors()
        return session.detectors


RANK = {"SEC002": 0, "SEC001": 1, "SEC003": 2, "SEC007": 3}


def scan(path: str, added: dict[int, str], *, code: bool, engine: bool = True) -> list[SecretHit]:
    """One hit per line: the strongest rule found on it (a private key over a provider token
    over a named secret over a random-looking string), its details joined."""
    hits = own(added, code) + (detected(path, added, code) if engine else [])
    best: dict[int, list[SecretHit]] = {}
    for hit in hits:
        best.setdefault(hit.line, []).append(hit)
    out = []
    for line, found in sorted(best.items()):
        top = min(found, key=lambda h: RANK[h.rule])
        details: dict[str, str] = {}  # "GitLab token" and "GitLab Token" are one name
        for h in found:
            if h.rule == top.rule and h.detail:
                details.setdefault(h.detail.lower(), h.detail)
        guess = all(h.guess for h in found if h.rule == top.rule)
        out.append(SecretHit(top.rule, line, ", ".join(details.values()), top.engine, guess))
    return out
