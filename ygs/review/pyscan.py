"""Python through ruff: its port of bandit's checks (`S`) and a few bugbear (`B`) rules, run as
a subprocess over the new versions of the changed Python files, mapped into ygs's vocabulary.

`RUFF_RULES` is the one table that maps each ruff rule ygs runs to a severity, a lens, a
title and a remedy; `ygs review --rules`, `--explain S608` and the README come from it.
Rules that are not in the table are not selected. A finding is kept when its span touches
an added line (a multi-line call whose `shell=True` is the added line counts), and it is
anchored on the first added line of that span.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ygs.core.findings import Severity
from ygs.review import lang as kinds
from ygs.review import secretscan
from ygs.review.diff import Diff, FileDiff

MUST, SHOULD, MAY = Severity.MUST, Severity.SHOULD, Severity.MAY
TIMEOUT_S = 120
# Selected by prefix, so any ruff version runs (a code a version lacks or removed is no
# error); what is not in RUFF_RULES is dropped when the report is read.
SELECT = "S,B"
NOT_PARSED = "not valid Python for ruff"
SETTINGS = (  # bandit's checks as bandit runs them, where ruff's defaults are narrower
    "lint.flake8-bandit.check-typed-exception = true",
    'lint.flake8-bandit.extend-markup-names = ["webhelpers.html.literal"]',
)
FALLBACK = ": Python files were checked by ygs's own rules only (see `ygs doctor`)"


@dataclass(frozen=True)
class RuffRule:
    code: str
    severity: Severity
    lens: str
    title: str
    remedy: str
    tests: bool = True  # also reported in test files


def _r(code, severity, lens, title, remedy, tests=True) -> RuffRule:
    return RuffRule(code, severity, lens, title, remedy, tests)


# ruff code → ygs. Ordered by ruff code; `tests=False`: fixtures and test servers are exempt.
RUFF_RULES: dict[str, RuffRule] = {
    r.code: r
    for r in (
        _r("S101", MAY, "security", "assert used as a check: `python -O` removes it",
           "Raise an exception (`if not ok: raise ValueError(...)`) where the check must hold.",
           False),
        _r("S102", MUST, "security", "exec() of dynamic code",
           "Dispatch through a table of allowed functions; never exec text that input reaches."),
        _r("S103", SHOULD, "security", "File permissions too permissive",
           "Grant the least access needed (0o600 for secrets, 0o644 for files, 0o755 for dirs)."),
        _r("S104", MAY, "security", "Server binds to every interface (0.0.0.0)",
           "Bind to 127.0.0.1 unless the service must be reachable from other hosts.", False),
        _r("S105", SHOULD, "security", "Hardcoded password assigned to a secret-like name",
           "Read it from the environment or a secret manager.", False),
        _r("S106", SHOULD, "security", "Hardcoded password passed as an argument",
           "Read it from the environment or a secret manager.", False),
        _r("S107", SHOULD, "security", "Hardcoded password as a parameter default",
           "Default to None and read the value from the environment or a secret manager.", False),
        _r("S108", SHOULD, "security", "Predictable temporary file or directory path",
           "Use `tempfile.mkstemp()` / `tempfile.TemporaryDirectory()` instead of a fixed /tmp "
           "path.", False),
        _r("S110", MAY, "code", "Exception swallowed (try/except/pass)",
           "Handle it, log it, or say in a comment in the handler why ignoring it is safe.",
           False),
        _r("S112", MAY, "code", "Exception swallowed in a loop (try/except/continue)",
           "Handle it, log it, or say in a comment in the handler why ignoring it is safe.",
           False),
        _r("S113", SHOULD, "sre", "HTTP request without a timeout",
           "Pass `timeout=` (e.g. `timeout=10`) so a slow dependency cannot hang the caller.",
           False),
        _r("S201", MUST, "security", "Flask debug mode on",
           "Never run with `debug=True` outside a developer's machine: the debugger runs code."),
        _r("S202", MUST, "security", "tarfile extraction without member checks",
           "Pass `filter='data'` (Python 3.12+) or check each member's path before extracting."),
        _r("S301", MUST, "security", "Unsafe deserialisation (pickle)",
           "Use a data format (JSON) for anything that crosses a trust boundary.", False),
        _r("S302", MUST, "security", "Unsafe deserialisation (marshal)",
           "Use a data format (JSON) for anything that crosses a trust boundary.", False),
        _r("S303", SHOULD, "security", "Weak hash function (MD5, SHA-1)",
           "Use SHA-256 or better; for passwords use a KDF (argon2, scrypt, bcrypt)."),
        _r("S304", MUST, "security", "Broken cipher (DES, RC4, Blowfish, …)",
           "Use AES-GCM or ChaCha20-Poly1305 from `cryptography`."),
        _r("S305", SHOULD, "security", "ECB cipher mode",
           "Use an authenticated mode (GCM) with a fresh nonce."),
        _r("S306", SHOULD, "security", "tempfile.mktemp is racy",
           "Use `tempfile.mkstemp()` or `NamedTemporaryFile()`."),
        _r("S307", MUST, "security", "eval() of dynamic code",
           "Parse the data instead (`json.loads`, `ast.literal_eval`)."),
        _r("S308", SHOULD, "security", "mark_safe() can let through cross-site scripting",
           "Escape the value (`format_html`) instead of marking it safe."),
        _r("S310", MAY, "security", "URL opened without a scheme check (file:// and custom "
           "schemes)", "Allow only http(s) URLs, or use a client that does."),
        _r("S311", MAY, "security", "random is not for secrets, tokens or keys",
           "Use `secrets` (`secrets.token_urlsafe()`) for anything an attacker must not guess.",
           False),
        _r("S312", SHOULD, "security", "Telnet sends credentials in clear text",
           "Use SSH."),
        _r("S313", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S314", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S315", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S316", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S317", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S318", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S319", SHOULD, "security", "XML parsed with a parser open to entity attacks",
           "Use `defusedxml` for untrusted XML."),
        _r("S320", SHOULD, "security", "lxml resolves external entities (XXE)",
           "Use `defusedxml.lxml`, or a parser with `resolve_entities=False`."),
        _r("S321", SHOULD, "security", "FTP sends credentials in clear text",
           "Use SFTP or FTPS."),
        _r("S323", MUST, "security", "TLS context without certificate verification",
           "Use `ssl.create_default_context()`."),
        _r("S324", SHOULD, "security", "Weak hash function (MD5, SHA-1)",
           "Use SHA-256 or better, or pass `usedforsecurity=False` for a non-security checksum."),
        _r("S401", MAY, "security", "telnetlib imported: Telnet sends everything in clear text",
           "Use SSH (`paramiko`, `asyncssh`) instead."),
        _r("S402", MAY, "security", "ftplib imported: FTP sends credentials in clear text",
           "Use SFTP or FTPS (`ftplib.FTP_TLS`)."),
        _r("S403", MAY, "security", "pickle-like module imported: loading its data runs code",
           "Make sure it never loads bytes that cross a trust boundary; prefer JSON.", False),
        _r("S404", MAY, "security", "subprocess imported: the change can start processes",
           "Check that every command it runs is fixed or validated, and passed as a list.",
           False),
        _r("S405", MAY, "security", "xml.etree imported: its parsers are open to entity attacks",
           "Parse untrusted XML with `defusedxml.ElementTree`."),
        _r("S406", MAY, "security", "xml.sax imported: its parsers are open to entity attacks",
           "Parse untrusted XML with `defusedxml.sax`."),
        _r("S407", MAY, "security", "xml.dom.expatbuilder imported: open to entity attacks",
           "Parse untrusted XML with `defusedxml.expatbuilder`."),
        _r("S408", MAY, "security", "xml.dom.minidom imported: open to entity attacks",
           "Parse untrusted XML with `defusedxml.minidom`."),
        _r("S409", MAY, "security", "xml.dom.pulldom imported: open to entity attacks",
           "Parse untrusted XML with `defusedxml.pulldom`."),
        _r("S410", SHOULD, "security", "lxml import: parsers open to entity attacks by default",
           "Parse untrusted XML with `defusedxml.lxml`, or `resolve_entities=False`."),
        _r("S411", SHOULD, "security", "xmlrpc imported: open to XML entity attacks",
           "Call `defusedxml.xmlrpc.monkey_patch()` before serving or reading XML-RPC."),
        _r("S412", MUST, "security", "CGI handler open to httpoxy (Proxy header → HTTP_PROXY)",
           "Do not run behind CGI, or drop the `Proxy` request header before the handler."),
        _r("S413", SHOULD, "security", "pycrypto imported: unmaintained, with known flaws",
           "Use `cryptography` (or `pycryptodome`, its maintained successor)."),
        _r("S415", MAY, "security", "pyghmi imported: IPMI is an insecure protocol",
           "Keep IPMI on an isolated management network; prefer Redfish over HTTPS."),
        _r("S501", MUST, "security", "TLS certificate verification disabled",
           'Keep verification on; for a private CA pass its bundle (`verify="/path/ca.pem"`).'),
        _r("S502", MUST, "security", "Broken SSL/TLS protocol version",
           "Use TLS 1.2 or newer (`ssl.PROTOCOL_TLS_CLIENT`)."),
        _r("S503", SHOULD, "security", "Default argument allows a broken SSL/TLS version",
           "Default to TLS 1.2 or newer."),
        _r("S504", SHOULD, "security", "TLS connection without a protocol version",
           "Use an `ssl.SSLContext` with `minimum_version = ssl.TLSVersion.TLSv1_2`."),
        _r("S505", SHOULD, "security", "Cryptographic key too short",
           "RSA and DSA keys of 2048 bits or more, EC curves of 224 bits or more."),
        _r("S506", MUST, "security", "yaml.load without a safe loader",
           "Use `yaml.safe_load(...)` or `Loader=yaml.SafeLoader`."),
        _r("S507", SHOULD, "security", "SSH host key not verified",
           "Use `RejectPolicy` and a known_hosts file."),
        _r("S508", SHOULD, "security", "SNMP v1/v2c is unauthenticated",
           "Use SNMPv3 with authentication and privacy."),
        _r("S509", SHOULD, "security", "SNMPv3 without encryption",
           "Set both an auth and a priv protocol."),
        _r("S601", MUST, "security", "Shell command run over SSH (paramiko exec_command)",
           "Never build the command from input; quote with `shlex.quote` if you must."),
        _r("S602", MUST, "security", "Shell command built from input (shell=True)",
           'Pass an argument list without `shell=True` (`subprocess.run(["git", "log", ref])`).'),
        _r("S603", MAY, "security", "Process started without a shell: check its arguments",
           "Check that no argument comes from untrusted input.", False),
        _r("S604", MUST, "security", "Function called with shell=True on input",
           "Pass an argument list without `shell=True`."),
        _r("S605", MUST, "security", "Shell started on input (os.system, os.popen, …)",
           "Use `subprocess.run([...], check=True)` with an argument list."),
        _r("S606", MAY, "security", "Process started without a shell (os.exec*, os.spawn*)",
           "Keep the program fixed and validate any argument that input reaches.", False),
        _r("S607", MAY, "security", "Program started by a partial path (looked up on PATH)",
           "Use an absolute path, or resolve it once with `shutil.which`.", False),
        _r("S608", MUST, "security", "SQL built with string formatting",
           'Use bound parameters (`cursor.execute("... WHERE id = %s", (id,))`).'),
        _r("S609", SHOULD, "security", "Shell wildcard in a command (wildcard injection)",
           "List the files in Python and pass them as arguments."),
        _r("S610", SHOULD, "security", "Django extra() with raw SQL",
           "Use the ORM's expressions, or bind parameters with `params=`."),
        _r("S611", MUST, "security", "Django RawSQL built from input",
           "Bind parameters with `params=`."),
        _r("S612", SHOULD, "security", "logging.config.listen() runs received configuration",
           "Do not listen for logging configuration, or pass a `verify` function."),
        _r("S701", MUST, "security", "Jinja2 autoescape off (cross-site scripting)",
           "Use `autoescape=True` or `select_autoescape()`."),
        _r("S702", SHOULD, "security", "Mako templates do not escape by default",
           'Pass `default_filters=["h"]`, or use Jinja2 with autoescape.'),
        _r("S704", SHOULD, "security", "Markup() on a dynamic value (cross-site scripting)",
           "Escape the value (`markupsafe.escape`) instead of wrapping it in Markup.", False),
        _r("B006", SHOULD, "code", "Mutable default argument",
           "Default to None and create the list or dict inside the function."),
        _r("B012", SHOULD, "code", "return/break/continue in finally swallows the exception",
           "Move the jump out of the finally block."),
        _r("B015", SHOULD, "code", "Comparison whose result is thrown away",
           "Assert it, or assign it: as written it does nothing."),
        _r("B023", SHOULD, "code", "Closure uses the loop variable (late binding)",
           "Bind the current value as a default argument (`lambda x=x: ...`)."),
    )
}  # fmt: skip
# S101 (assert), S603 (subprocess without a shell) and S607 (a program found on PATH) are MAY
# pointers outside tests: an assert that checks input vanishes under `python -O`; ruff's S603
# only sees calls with a variable argument (ygs's DNG020 the others). An assert that narrows a
# type for a checker (`isinstance`, `is not None`) is not reported: the next line fails as
# loudly without it. S110/S112 also see typed handlers (bandit's check_typed_exception), but
# not an optional import (`except ImportError: pass`) nor a handler whose comment says why.
# The S4xx import rules are preview rules in ruff (run with `--preview`): an import is no
# vulnerability by itself, so they are MAY, a pointer for the reviewer to where the risky calls
# will be. ruff says a shell call "seems safe" when the command is a literal: no injection, but
# still a shell; reported as MAY.
SAFE_WORDS = "seems safe"


def explanation(rule: RuffRule) -> str:
    return (
        f"ruff's {rule.code} (https://docs.astral.sh/ruff/rules/), run by ygs on the added lines "
        "of changed Python files. ruff ports bandit's checks to Rust; ygs maps each rule it runs "
        "to a severity, a lens and a remedy, and reports it only where the change adds or alters "
        f"the code. {'' if rule.tests else 'Test files are exempt. '}Suppress one line with "
        f"`ygs: ignore[{rule.code}] reason` or ruff's own `# noqa: {rule.code}`."
    )


@dataclass(frozen=True)
class PyHit:
    rule: str
    path: str
    line: int
    message: str
    severity: Severity | None = None  # lower than the rule's own (a shell call that seems safe)


@dataclass(frozen=True)
class Outcome:
    hits: tuple[PyHit, ...]
    checked: frozenset[str]  # paths ruff read and parsed
    notes: tuple[tuple[str, str], ...]  # (path or "", note)
    version: str = ""


# ------------------------------------------------------------------ pure part


def wanted(f: FileDiff) -> bool:
    return (
        kinds.lang(f.path) == "py"
        and bool(f.added)
        and f.new_lines is not None
        and not (f.binary or f.special)
    )


def hits_from(report: list, files: dict[str, FileDiff]) -> tuple[list[PyHit], list[tuple]]:
    """Ruff's JSON findings (keyed by the temporary file name) as hits on added lines."""
    hits, notes = [], []
    constants: dict[str, _Constants] = {}
    for item in report:
        f = files.get(Path(str(item.get("filename", ""))).name)
        if f is None:
            continue
        code = item.get("code")
        row = (item.get("location") or {}).get("row")
        if not code or code not in RUFF_RULES:
            if item.get("name") in ("invalid-syntax", "syntax-error") or code is None:
                notes.append((f.path, f"{NOT_PARSED} at line {row}: ygs's own rules checked it"))
            continue
        rule = RUFF_RULES[code]
        message = str(item.get("message", ""))
        if not rule.tests and kinds.is_test(f.path):
            continue
        end = (item.get("end_location") or {}).get("row") or row
        if code in PASSWORDS and _stand_in(f, item):
            continue
        if code in SWALLOWED and _explained(f, row, end):
            continue
        if code == "S101" and _narrows(f, row):
            continue
        if code in MARKUP:
            if f.path not in constants:  # parsed once per file, and only for these rules
                constants[f.path] = _Constants(f)
            if constants[f.path].markup_is_constant(item):
                continue
        anchor = next((n for n in range(row, end + 1) if n in f.added), None)
        if anchor is not None and not nosec(f, code, row, end):
            hits.append(
                PyHit(code, f.path, anchor, message, MAY if SAFE_WORDS in message else None)
            )
    return hits, _unique(notes)


MARKUP = ("S308",)  # mark_safe() of text the code itself wrote (bandit B703 does the same)


class _Constants:
    """Which names of a module only ever hold text written in the code: every assignment to
    them is a string literal, or a formatting, concatenation or container of such values.
    A parameter, a loop target or any other assignment makes a name variable."""

    def __init__(self, f: FileDiff) -> None:
        import ast

        self.ast = ast
        try:
            self.tree = ast.parse("\n".join(f.new_lines or ()))
        except (SyntaxError, ValueError):
            self.tree = None
        self.values: dict[str, list] = {}
        self.variable: set[str] = set()
        self.calls: dict[tuple[int, int], object] = {}  # (line, 1-based column) → call
        for node in ast.walk(self.tree) if self.tree else ():
            self._note(node)
            if isinstance(node, ast.Call):
                self.calls[(node.lineno, node.col_offset + 1)] = node

    def _note(self, node) -> None:
        ast = self.ast
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(target, node.value)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
            self._bind(node.target, node.value)
        elif isinstance(node, ast.arg):
            self.variable.add(node.arg)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension | ast.NamedExpr):
            self._vary(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._vary(node.optional_vars)
        elif isinstance(node, ast.ExceptHandler | ast.Global | ast.Nonlocal | ast.Import):
            self.variable.update(self._names(node))

    def _vary(self, target) -> None:
        self.variable.update(n.id for n in self.ast.walk(target) if isinstance(n, self.ast.Name))

    @staticmethod
    def _names(node) -> list[str]:
        if hasattr(node, "names"):
            return [getattr(n, "asname", None) or getattr(n, "name", n) for n in node.names]
        return [node.name] if getattr(node, "name", None) else []

    def _bind(self, target, value) -> None:
        ast = self.ast
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append(value)
            return
        pair = isinstance(target, ast.Tuple | ast.List) and isinstance(value, ast.Tuple | ast.List)
        if pair and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self._bind(t, v)
            return
        self._vary(target)

    def constant(self, node, seen: frozenset[str] = frozenset()) -> bool:
        ast = self.ast
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | int | float | bytes)
        if isinstance(node, ast.Name):
            if node.id in self.variable or node.id not in self.values or node.id in seen:
                return node.id in seen  # a name defined from itself adds nothing new
            return all(self.constant(v, seen | {node.id}) for v in self.values[node.id])
        if isinstance(node, ast.JoinedStr | ast.FormattedValue):
            parts = node.values if isinstance(node, ast.JoinedStr) else [node.value]
            return all(self.constant(p, seen) for p in parts)
        if isinstance(node, ast.BinOp):
            return self.constant(node.left, seen) and self.constant(node.right, seen)
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Starred):
            items = [node.value] if isinstance(node, ast.Starred) else node.elts
            return all(self.constant(i, seen) for i in items)
        if isinstance(node, ast.Dict):
            return all(self.constant(v, seen) for v in [*node.keys, *node.values] if v)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr == "format" and all(
                self.constant(a, seen)
                for a in [node.func.value, *node.args, *(k.value for k in node.keywords)]
            )
        return False

    def markup_is_constant(self, item: dict) -> bool:
        """The call ruff reports at `item` marks only constant text safe."""
        where = item.get("location") or {}
        node = self.calls.get((where.get("row"), where.get("column")))
        if node is None:
            return False
        args = [*node.args, *(k.value for k in node.keywords)]  # type: ignore[attr-defined]
        return bool(args) and all(self.constant(a) for a in args)


SWALLOWED = ("S110", "S112")
_OPTIONAL_IMPORT = re.compile(r"\b(?:ImportError|ModuleNotFoundError)\b")
_NARROWING = re.compile(r"^\s*+assert\s++(?:isinstance\s*+\(|[\w.]++\s++is\s++not\s++None\b)")


def _line(f: FileDiff, row: int | None) -> str:
    lines = f.new_lines or ()
    return lines[row - 1] if row and 0 < row <= len(lines) else ""


def _explained(f: FileDiff, row: int | None, end: int | None) -> bool:
    rows = range(row or 0, (end or row or 0) + 1)
    return swallow_explained([_line(f, n) for n in rows])


def swallow_explained(handler: list[str]) -> bool:
    """A handler that swallows an error (its `except` line first) is an optional import, or
    a comment in it says why."""
    first = handler[0] if handler else ""
    return bool(_OPTIONAL_IMPORT.search(first)) or any(comment(t).strip() for t in handler)


def _narrows(f: FileDiff, row: int | None) -> bool:
    """`assert isinstance(x, T)` / `assert x is not None`: there for a type checker."""
    return bool(_NARROWING.search(_line(f, row)))


PASSWORDS = ("S105", "S106", "S107")  # hardcoded passwords: ruff does not judge the value


def _stand_in(f: FileDiff, item: dict) -> bool:
    """The password literal ruff reports is a stand-in (`SECRET_KEY="dev"`, `"test key"`)."""
    start, end = item.get("location") or {}, item.get("end_location") or {}
    row = start.get("row")
    if not f.new_lines or not row or row > len(f.new_lines) or end.get("row") != row:
        return False
    span = f.new_lines[row - 1][(start.get("column") or 1) - 1 : (end.get("column") or 1) - 1]
    quote = max(span.rfind('"'), span.rfind("'"))
    opening = span.rfind(span[quote], 0, quote) if quote > 0 else -1
    return opening >= 0 and secretscan.dummy(span[opening + 1 : quote])


_BANDIT_CODE = re.compile(r"\bB(\d{3})\b")


def nosec(f: FileDiff, code: str, row: int, end: int) -> bool:
    """bandit's `# nosec` on a line of the finding: bare (or with test names) it silences
    every bandit port, `# nosec B602, B607` only those (ruff's S602, S607)."""
    lines = f.new_lines or ()
    depth, n = 0, row
    while n <= len(lines) and (n <= end or depth > 0):  # the call's lines, to its `)`
        depth += lines[n - 1].count("(") - lines[n - 1].count(")")
        note = comment(lines[n - 1]).partition("nosec") if "nosec" in lines[n - 1] else ("",) * 3
        n += 1
        if not note[1]:
            continue
        codes = {f"S{c}" for c in _BANDIT_CODE.findall(note[2])}
        if code.startswith("S") and (not codes or code in codes):
            return True
    return False


def comment(text: str) -> str:
    """The comment of a Python line (after a `#` outside string literals), or ""."""
    if "#" not in text:
        return ""
    quote, i = "", 0
    while i < len(text):
        char = text[i]
        if quote and char == "\\":
            i += 1
        elif quote and char == quote:
            quote = ""
        elif not quote and char in "\"'":
            quote = char
        elif not quote and char == "#":
            return text[i + 1 :]
        i += 1
    return ""


def _unique(notes: list[tuple]) -> list[tuple]:
    return list(dict.fromkeys(notes))


# --------------------------------------------------------------------- shell


def command(configured: str | None) -> list[str] | None:
    """The ruff to run: `review.ruff` when set (a path or a command on PATH), else the one
    installed with ygs, else one on PATH. None when there is none."""
    if configured:
        import shlex

        words = shlex.split(configured)
        found = shutil.which(words[0]) if words else None
        return [found, *words[1:]] if found else None
    try:
        from ruff.__main__ import find_ruff_bin  # the ruff wheel installed with ygs

        return [os.fsdecode(find_ruff_bin())]
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff", path=os.pathsep.join([str(Path(sys.executable).parent)]))
        found = found or shutil.which("ruff")
        return [found] if found else None


def version(cmd: list[str] | None) -> str:
    if not cmd:
        return ""
    try:
        out = subprocess.run(
            [*cmd, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip().removeprefix("ruff ").strip()


def check(diff: Diff, configured: str | None = None) -> Outcome:
    """Run ruff once over the new versions of the changed Python files."""
    return start(diff, configured).outcome()


class Running:
    """ruff started over a change's Python files: it runs while ygs's own rules do (a
    subprocess on another core); `outcome()` waits for it and reads its report."""

    def __init__(self, files: list[FileDiff], early: Outcome | None = None, cmd=None) -> None:
        self.planned = frozenset(f.path for f in files) if early is None else frozenset()
        self._early, self._named, self._proc, self._tmp = early, {}, None, None
        if early is not None:
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="ygs-ruff-")
        self._named = _write(Path(self._tmp.name), files)
        # the report goes to a file: a pipe would stall ruff until ygs reads it
        self._out = (Path(self._tmp.name) / "report.json").open("w+b")
        try:
            self._proc = subprocess.Popen(
                _args(cmd, sorted(self._named)),
                cwd=self._tmp.name,
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=subprocess.PIPE,
            )
        except OSError as err:
            self._early = Outcome((), frozenset(), (("", _could_not(err)),))

    def outcome(self) -> Outcome:
        if self._early is None:
            self._early = self._read()
        if self._tmp is not None:
            self._out.close()
            self._tmp.cleanup()
            self._tmp = None
        return self._early

    def _read(self) -> Outcome:
        proc = self._proc
        try:
            _, err = proc.communicate(timeout=TIMEOUT_S)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            proc.kill()  # type: ignore[union-attr]
            proc.communicate()  # type: ignore[union-attr]
            return Outcome(
                (), frozenset(), (("", f"ruff took longer than {TIMEOUT_S} s{FALLBACK}"),)
            )
        self._out.seek(0)
        result = _report(proc.returncode, self._out.read(), err)  # type: ignore[union-attr]
        if isinstance(result, str):
            return Outcome((), frozenset(), (("", result),))
        hits, notes = hits_from(result, self._named)
        # ruff skips what it cannot parse: ygs's own Python rules check those files instead
        broken = {path for path, note in notes if note.startswith(NOT_PARSED)}
        return Outcome(tuple(hits), self.planned - broken, tuple(notes))


def start(diff: Diff, configured: str | None = None) -> Running:
    """Start ruff over the new versions of the changed Python files (see Running)."""
    files = [f for f in diff.files if wanted(f)]
    if not files:
        return Running([], Outcome((), frozenset(), ()))
    if (configured or "").strip().lower() == "off":
        return Running([], Outcome((), frozenset(), (("", f"review.ruff is off{FALLBACK}"),)))
    cmd = command(configured)
    if cmd is None:
        return Running([], Outcome((), frozenset(), (("", f"ruff was not found{FALLBACK}"),)))
    return Running(files, None, cmd)


def _write(folder: Path, files: Iterable[FileDiff]) -> dict[str, FileDiff]:
    """Each new version under a safe generated name (a path may hold any byte)."""
    named = {}
    for i, f in enumerate(files):
        name = f"f{i:05d}{'.pyi' if f.path.endswith('.pyi') else '.py'}"
        (folder / name).write_text("\n".join(f.new_lines or ()) + "\n", encoding="utf-8")
        named[name] = f
    return named


def _args(cmd: list[str], names: list[str]) -> list[str]:
    return [
        *cmd,
        "check",
        "--isolated",
        "--no-cache",
        "--exit-zero",
        "--quiet",
        "--output-format",
        "json",
        "--target-version",
        "py311",
        "--preview",  # the S4xx import rules are preview rules
        *(arg for setting in SETTINGS for arg in ("--config", setting)),
        "--select",
        SELECT,
        "--",
        *names,
    ]


def _could_not(err: OSError) -> str:
    return f"ruff could not run ({err.strerror}){FALLBACK}"


def _report(code: int, out: bytes, err: bytes) -> list | str:
    try:
        report = json.loads(out.decode("utf-8", "replace") or "[]")
    except ValueError:
        report = None
    if code != 0 or not isinstance(report, list):
        why = err.decode("utf-8", "replace").strip().splitlines()
        return f"ruff failed ({why[-1] if why else code}){FALLBACK}"
    return report
