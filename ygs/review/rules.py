"""The offline review rules: deterministic, no model, added lines only (pure).

Each rule has an id, a lens, a severity, a title, a remedy and a rationale
(`ygs review --explain RULE`). `run(diff, settings)` returns hits; the caller
turns them into findings, applies config overrides and suppressions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ygs.core import secrets
from ygs.core.catalogue import Rule
from ygs.core.findings import Severity
from ygs.core.scan import AnyOf, Matcher, Opened, in_order
from ygs.review import lang as kinds
from ygs.review import pycalls, pyscan, secretscan
from ygs.review.diff import ADDED, RENAMED, Diff, FileDiff

MUST, SHOULD, MAY = Severity.MUST, Severity.SHOULD, Severity.MAY


@dataclass(frozen=True)
class Hit:
    rule: str
    path: str
    line: int | None
    detail: str = ""  # replaces the rule title when set (e.g. the kind of key)
    severity: Severity | None = None  # when the rule grades by size
    why: str = ""  # replaces the rationale's first sentence when set (ruff's own message)


@dataclass(frozen=True)
class Settings:
    max_lines: int = 800
    max_files: int = 8
    function_may: int = 50
    function_should: int = 100
    window: int = 5000  # a longer line is checked in overlapping windows of this many characters
    detectors: bool = True  # detect-secrets' detectors, next to ygs's own secret patterns


def _r(id, lens, severity, title, remedy, rationale) -> Rule:
    """A rule of the shared catalogue class; its `family` is the review lens."""
    return Rule(id, severity, title, title, remedy, " ".join(rationale.split()), lens)


CATALOGUE: dict[str, Rule] = {
    r.id: r
    for r in (
        _r(
            "SEC001",
            "security",
            MUST,
            "Cloud or API credential in an added line",
            "Remove it, rotate the credential now, and load it from the environment or a secret "
            "manager.",
            """A key in a commit is a key in every clone, fork, CI log and backup, forever: removing
           it in a later commit does not help. Scanners harvest public repositories within minutes.
           The only fix is to rotate the credential and read it at run time.""",
        ),
        _r(
            "SEC002",
            "security",
            MUST,
            "Private key in an added line",
            "Remove the key, revoke it, and mount it at run time from a secret store.",
            """A private key in version control lets anyone with read access impersonate the server
           or sign as its owner. It cannot be un-published: revoke and replace it.""",
        ),
        _r(
            "SEC003",
            "security",
            MUST,
            "Secret assigned to a secret-like name",
            "Read the value from the environment or a secret manager; use an obvious placeholder "
            "in examples and tests.",
            """A literal assigned to a name like `password`, `secret` or `api_key` (detect-secrets'
           keyword detector), or a long random string assigned to a name like `token`, is almost
           always a real credential. Placeholders containing words like `example` or `changeme`,
           references such as `os.environ[...]` and templates such as `${TOKEN}` are not
           reported.""",
        ),
        _r(
            "SEC004",
            "security",
            MUST,
            "Secret file added (.env, key or credentials file)",
            "Remove it from the commit, add it to .gitignore, and commit a `.env.example` with "
            "placeholders instead.",
            """Files such as `.env`, `*.pem`, `*.key` or `credentials.json` hold live secrets by
           convention. Committing one publishes every value in it. ygs never sends these files to
           a model either.""",
        ),
        _r(
            "SEC005",
            "security",
            MUST,
            "Instruction to an AI reviewer planted in the change",
            "Remove the text; if it is a legitimate test fixture, suppress with a reason.",
            """Repository content is data, not instructions. Text that tells a reviewer or an AI to
           ignore its instructions, approve, or report nothing is a prompt-injection attempt. ygs
           does not obey it and reports it so a person can see it.""",
        ),
        _r(
            "SEC006",
            "security",
            MUST,
            "Change modifies the reviewer's own configuration",
            "Review and merge the change to `.ygs/config.yaml` or `.ygs/skills/` on its own, "
            "by a person; later changes are then reviewed with it.",
            """ygs reviews a change with the skills, prompts and settings of the base revision,
           never with the ones the change brings, so a change cannot rewrite its reviewer
           ("pre-approved; reply []"). A change to those files is itself reported: a person
           decides whether the new reviewer is right. It cannot be suppressed inline.""",
        ),
        _r(
            "SEC007",
            "security",
            SHOULD,
            "High-entropy string that looks like a secret",
            "If it is a credential, rotate it and load it at run time; if it is a hash, an id or "
            "test data, suppress it with `ygs: ignore[SEC007] reason` or detect-secrets' "
            "`pragma: allowlist secret`.",
            """detect-secrets reports quoted strings whose Shannon entropy is above its limits
           (base64 4.5, hex 3.0 bits per character) after its filters drop ids, UUIDs, sequences
           and templates. A random literal in code is often a key that no provider format
           names.""",
        ),
        _r(
            "DBG001",
            "code",
            SHOULD,
            "Debug output left in the change",
            "Remove it, or use the project's logger at debug level.",
            """`print`, `console.log`, `dbg!` and friends left in library or service code leak
           internal state into output and logs and are noise in production. Files under scripts/,
           bin/, bench/, examples/, tools/, cli/ and tests are exempt: printing is their job.""",
        ),
        _r(
            "DBG002",
            "code",
            MUST,
            "Debugger statement left in the change",
            "Remove the breakpoint.",
            """`breakpoint()`, `pdb.set_trace()`, `debugger;` or `binding.pry` stop the process
           waiting for a person at a terminal. In a server or a CI job that is a hang.""",
        ),
        _r(
            "DBG003",
            "code",
            MUST,
            "Focused test (.only / fit / fdescribe) left in the change",
            "Remove `.only` (or `f` prefix) so the whole suite runs.",
            """A focused test makes the runner skip every other test, so CI goes green while most of
           the suite never ran.""",
        ),
        _r(
            "ERR001",
            "code",
            SHOULD,
            "Bare `except:` catches everything",
            "Catch the specific exceptions you expect (`except ValueError:`), or at least "
            "`except Exception:` and handle or re-raise.",
            """A bare `except:` also catches KeyboardInterrupt and SystemExit and hides the real
           error. It turns bugs into silent wrong results.""",
        ),
        _r(
            "ERR002",
            "code",
            SHOULD,
            "Error swallowed: empty handler",
            "Handle the error, log it with context and re-raise, or document why ignoring it is "
            "safe (`ygs: ignore[ERR002] reason`).",
            """`except X: pass`, an empty `catch {}` or `if err != nil {}` discards a failure. On a
           write path the data is lost silently; elsewhere the next failure happens far from the
           cause.""",
        ),
        _r(
            "ERR003",
            "code",
            SHOULD,
            "Error result discarded with `_`",
            "Check the error and handle or return it.",
            """`_ = f()` or `v, _ := f()` in Go and `let _ = f()` in Rust throw away the error a
           call returned. The caller proceeds as if it succeeded.""",
        ),
        _r(
            "DNG001",
            "security",
            MUST,
            "eval/exec of dynamic code",
            "Parse the data instead (`json.loads`, `ast.literal_eval`), or dispatch through a "
            "table of allowed functions.",
            """`eval`, `exec` and `new Function` run whatever string reaches them. If any part of
           that string comes from input, it is remote code execution.""",
        ),
        _r(
            "DNG002",
            "security",
            MUST,
            "Unsafe deserialisation (pickle/marshal)",
            "Use a data format (JSON, msgpack with plain types) for anything that crosses a trust "
            "boundary.",
            """`pickle.loads` and `marshal.loads` execute code chosen by whoever wrote the bytes.
           Loading data from a file, a cache, a queue or the network this way is code
           execution.""",
        ),
        _r(
            "DNG003",
            "security",
            MUST,
            "yaml.load without a safe loader",
            "Use `yaml.safe_load(...)` or `yaml.load(..., Loader=yaml.SafeLoader)`.",
            """PyYAML's full and unsafe loaders construct arbitrary Python objects from tags in the
           document, so a crafted YAML file runs code.""",
        ),
        _r(
            "DNG004",
            "security",
            MUST,
            "Shell command built from interpolated input",
            'Pass an argument list without `shell=True` (`subprocess.run(["git", "log", '
            "ref])`), or quote with `shlex.quote`.",
            """With `shell=True` (or `exec` of a template string) the shell parses the whole
           string; a value containing `;`, `$(...)` or a backtick runs a second command.""",
        ),
        _r(
            "DNG005",
            "security",
            SHOULD,
            "os.system / os.popen call",
            "Use `subprocess.run([...], check=True)` with an argument list.",
            """`os.system` always goes through the shell, ignores failures unless the code checks
           the status, and makes injection easy the moment an argument becomes dynamic.""",
        ),
        _r(
            "DNG006",
            "security",
            MUST,
            "SQL built with string formatting",
            'Use bound parameters (`cursor.execute("... WHERE id = %s", (id,))`) or the query '
            "builder.",
            """SQL assembled with f-strings, `%`, `.format()`, `+` or template literals is SQL
           injection as soon as one value comes from a user.""",
        ),
        _r(
            "DNG007",
            "security",
            MUST,
            "TLS certificate verification disabled",
            'Keep verification on; for a private CA pass its bundle (`verify="/path/ca.pem"`).',
            """`verify=False`, `CERT_NONE`, `rejectUnauthorized: false` or `InsecureSkipVerify`
           accept any certificate, so anyone on the network path can read and change the
           traffic.""",
        ),
        _r(
            "DNG008",
            "security",
            SHOULD,
            "World-writable permissions (chmod 777)",
            "Grant the least access needed (e.g. 0o755 for directories, 0o644 for files).",
            """777 lets every local user and process replace the file, a classic privilege
           escalation path on shared hosts and containers.""",
        ),
        _r(
            "DNG009",
            "security",
            SHOULD,
            "Model or dataset from the Hugging Face Hub without a pinned revision",
            'Pin the commit: `from_pretrained("org/model", revision="<commit sha>")`.',
            """`from_pretrained`, `hf_hub_download`, `snapshot_download` and `load_dataset`
           fetch whatever the branch or tag points to today (`main` by default). Whoever can
           push to that repository can swap the weights or the loading code under you; a
           commit id cannot move. A revision passed as a variable is not reported.""",
        ),
        _r(
            "DNG010",
            "security",
            MUST,
            "torch.load without weights_only=True",
            "Pass `weights_only=True` (the default from PyTorch 2.6), or load safetensors.",
            """`torch.load` unpickles the file: a checkpoint from anywhere else runs code on
           load. `weights_only=True` restricts it to tensors and plain containers.""",
        ),
        _r(
            "DNG011",
            "security",
            MUST,
            "Broken SSL/TLS protocol version",
            "Use TLS 1.2 or newer (`ssl.PROTOCOL_TLS_CLIENT`, `SSL.TLS_METHOD` with a minimum "
            "version).",
            """SSLv2, SSLv3, TLS 1.0 and 1.1 have practical attacks (DROWN, POODLE, BEAST) and are
           deprecated (RFC 8996). Naming one as a protocol, in `ssl` or pyOpenSSL, lets a
           connection fall back to it. ruff's S502/S503 catch it in `ssl.wrap_socket` and
           defaults; this rule catches the constant wherever it is passed.""",
        ),
        _r(
            "DNG012",
            "security",
            MUST,
            "Broken or deprecated cipher (RC4, DES, 3DES, Blowfish, CAST5, IDEA, SEED)",
            "Use AES-GCM or ChaCha20-Poly1305 (`cryptography`'s AEAD classes).",
            """These ciphers have practical attacks or 64-bit blocks (Sweet32), and NIST no longer
           allows 3DES. ruff's S304 catches the common spellings; this rule also catches
           `cryptography`'s CAST5, SEED and TripleDES and PyCryptodome's `ARC4.new`,
           `DES3.new` and friends.""",
        ),
        _r(
            "DNG013",
            "security",
            MAY,
            "random.getrandbits/sample is not for secrets, tokens or keys",
            "Use `secrets` (`secrets.token_bytes()`, `secrets.SystemRandom().sample()`) for "
            "anything an attacker must not guess.",
            """The `random` module is a Mersenne Twister: 624 outputs reveal its state and every
           later value. ruff's S311 covers its other functions; this rule adds `getrandbits`,
           `sample` and `shuffle`, which bandit also reports. Test files are exempt.""",
        ),
        _r(
            "DNG014",
            "security",
            SHOULD,
            "Output not escaped (|safe, autoescape off, SafeString)",
            "Escape the value (drop `|safe`), or sanitise it first (e.g. with `bleach`) and say "
            "why it is trusted.",
            """Jinja2 and Django escape what a template prints; `|safe`, `{% autoescape off %}`
           and `{% autoescape false %}` in a template, and Django's `SafeString`, `SafeText`,
           `SafeUnicode` or `SafeBytes` around a value in Python (ruff's S308 covers
           `mark_safe`), turn that off, so a value that holds user input becomes stored or
           reflected cross-site scripting. A literal string is not reported; test templates
           are exempt.""",
        ),
        _r(
            "DNG015",
            "security",
            MUST,
            "CGI handler open to httpoxy (a Proxy header becomes HTTP_PROXY)",
            "Do not serve through CGI, or drop the `Proxy` request header before the handler runs.",
            """Under CGI a request header `Proxy: …` reaches the program as the `HTTP_PROXY`
           environment variable, which HTTP clients obey: an attacker routes the server's own
           outgoing requests through their host (httpoxy, CVE-2016-5385). ruff's S412 sees the
           import of `wsgiref.handlers.CGIHandler`; this rule sees `CGIHandler()`,
           `CGIScript(…)` and `CGIDirectory(…)` wherever they come from.""",
        ),
        _r(
            "DNG016",
            "security",
            MAY,
            "Risky module imported by name at run time (pickle, subprocess, telnetlib, …)",
            "Import it with an `import` statement, where readers and tools can see it; then "
            "check its calls as for S403/S404.",
            """`__import__("pickle")` and `importlib.import_module("subprocess")` load the same
           modules that ruff's S4xx import rules point at, out of sight of those rules. An
           import by a computed name is not reported.""",
        ),
        _r(
            "DNG017",
            "security",
            SHOULD,
            "Command run through the remote shell (exec_command)",
            "Build the command from fixed words; quote every value with `shlex.quote`.",
            """paramiko's `exec_command` (and its look-alikes) hands the string to the shell of
           the remote host, where `;`, `$(...)` and backticks start more commands. ruff's S601
           sees it only when it can tell the object is a paramiko client; this rule sees the
           call wherever the client comes from.""",
        ),
        _r(
            "DNG018",
            "security",
            SHOULD,
            "shell= set from a variable or a call",
            "Pass `shell=False` (the default) and an argument list; never decide it at run time.",
            """`subprocess.call(cmd, shell=flag)` runs `cmd` through the shell whenever `flag`
           is truthy, and any object but an empty one is. ruff's S602 reports literal true
           values; this rule reports the ones decided at run time.""",
        ),
        _r(
            "DNG019",
            "security",
            SHOULD,
            "tempfile.mktemp is racy",
            "Use `tempfile.mkstemp()` or `NamedTemporaryFile()`, which create the file.",
            """`tempfile.mktemp` returns a name that does not exist yet; another process can
           create it (or a symlink to a file you own) before you open it. ruff's S306 sees it
           when `tempfile` is imported under that name; this rule sees the call however the
           module was bound.""",
        ),
        _r(
            "DNG020",
            "security",
            MAY,
            "Process started without a shell: check its arguments",
            "Check that no argument comes from untrusted input; start the program by its "
            "absolute path.",
            """bandit's B603: every `subprocess` call without a shell starts a program, and
           whoever controls an argument controls what it does (`git` with `--upload-pack=`,
           `tar` with `--checkpoint-action=`). ruff's S603 reports such calls when an argument
           is a variable; this rule points at the others, through any alias
           (`from subprocess import Popen as pop`). A pointer for the reviewer, not a
           vulnerability by itself. Test files are exempt; bandit's `# nosec B603` is
           honoured.""",
        ),
        _r(
            "DNG021",
            "security",
            MUST,
            "Unsafe deserialisation (jsonpickle Unpickler.restore)",
            "Use a data format (JSON) for anything that crosses a trust boundary.",
            """jsonpickle's `Unpickler().restore(...)` rebuilds arbitrary Python objects, like
           `pickle.loads`: data from outside runs code on load. ruff's S301 sees
           `jsonpickle.decode`; this rule sees the unpickler used directly. Test files are
           exempt.""",
        ),
        _r(
            "DNG022",
            "security",
            MAY,
            "Submodule of a risky module imported (XML parsers, IPMI, pickle, telnet, …)",
            "Check its calls as for the module itself (S401-S415): `defusedxml` for XML, SSH "
            "or Redfish over telnet and IPMI, JSON over pickle.",
            """ruff's S4xx import rules match a module's exact name, so
           `import xml.sax.expatreader as x` or `from pyghmi.ipmi import command` pass them by;
           bandit reports both. ygs points at the submodule import where ruff did not report
           the line. Test files are exempt.""",
        ),
        _r(
            "SEC008",
            "security",
            MUST,
            "Bidirectional control character (Trojan Source)",
            "Remove the character; write right-to-left text as an escape (`\\u202e`) if it is "
            "data.",
            """Unicode bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make
           an editor show code in a different order than the compiler reads it
           (CVE-2021-42574): a reviewer approves one program and another one runs.""",
        ),
        _r(
            "GEN001",
            "code",
            SHOULD,
            "Build artifact, generated or vendored file added",
            "Remove it from the commit and ignore it (.gitignore); generate it in the build.",
            """Build outputs, caches, compiled files and vendored dependencies bloat the history,
           cause merge conflicts and drift from their sources. Lockfiles are not reported.""",
        ),
        _r(
            "SIZE001",
            "code",
            SHOULD,
            "Change too large to review well",
            "Split it into smaller changes that each do one thing.",
            """Review quality drops sharply past a few hundred lines: beyond 800 changed lines or 8
           files, defects slip through. Lockfiles, binary and generated files are not counted.""",
        ),
        _r(
            "SIZE002",
            "code",
            MAY,
            "Long function in the change",
            "Extract the steps into well-named functions, or split responsibilities.",
            """Functions over 50 lines (MAY) and over 100 lines (SHOULD) usually do several things,
           are hard to test, and hide defects. Measured on functions that the change touches.""",
        ),
        _r(
            "TODO001",
            "code",
            MAY,
            "TODO/FIXME without an issue reference",
            "Link an issue (`TODO(#123)`, `FIXME: PROJ-42`) or do it now.",
            """A TODO without a tracked issue is forgotten work nobody owns. A reference makes it
           findable and schedulable.""",
        ),
        _r(
            "DEP001",
            "security",
            SHOULD,
            "Dependency added without a pinned or bounded version",
            "Pin it (`==1.4.2`) or bound it (`>=1.4,<2`) in the manifest.",
            """An unbounded dependency upgrades itself on the next install, so a build can break,
           or a compromised release can ship, without any change in the repository.""",
        ),
        _r(
            "TST001",
            "code",
            MAY,
            "Source changed but no test changed",
            "Add or update a test that covers the change.",
            """A behaviour change with no test change is either untested or silently changes what
           existing tests assert. Documentation-only and test-only changes are not reported.""",
        ),
        _r(
            "SRE001",
            "sre",
            SHOULD,
            "HTTP call without a timeout",
            "Pass `timeout=` (e.g. `timeout=10`) so a slow dependency cannot hang the caller.",
            """`requests` and `httpx` calls without a timeout can wait forever. One slow dependency
           then exhausts the worker pool and the outage cascades.""",
        ),
        _r(
            "UI001",
            "ui",
            SHOULD,
            "Image without alt text",
            'Add `alt="…"` describing the image, or `alt=""` if it is decorative.',
            """Screen readers announce an image without `alt` by its file name or not at all; the
           content is lost for people who cannot see it.""",
        ),
        _r(
            "UI002",
            "ui",
            SHOULD,
            "Focus outline removed",
            "Keep a visible focus style (`:focus-visible { outline: 2px solid … }`).",
            """`outline: none` without a replacement leaves keyboard users unable to see where they
           are.""",
        ),
    )
}


CATALOGUE.update(
    {
        code: _r(r.code, r.lens, r.severity, r.title, r.remedy, pyscan.explanation(r))
        for code, r in pyscan.RUFF_RULES.items()
    }
)
# Rules that report the same thing: on one line, only the first of a group is kept (ruff's
# rule over ygs's own for Python, a named secret over ruff's hardcoded password).
OVERLAPS: tuple[tuple[str, ...], ...] = (
    ("S307", "S102", "DNG001"),
    ("S301", "S302", "DNG002", "DNG021"),
    ("S506", "DNG003"),
    ("S602", "S604", "S605", "DNG004", "DNG005", "DNG018"),
    ("S601", "DNG017"),
    ("S306", "DNG019"),
    ("S603", "DNG020"),
    ("S608", "DNG006"),
    ("S501", "S323", "DNG007"),
    ("S502", "S503", "DNG011"),
    ("S304", "DNG012"),
    ("S311", "DNG013"),
    ("S412", "DNG015"),
    ("S103", "DNG008"),
    ("S113", "SRE001"),
    ("S110", "S112", "ERR002"),
    ("SEC002", "SEC001", "SEC003", "SEC007", "S105", "S106", "S107"),
)
# ygs's own Python rules that ruff does better: not run on a file ruff checked.
# DNG006 (SQL) runs next to ruff's S608: each finds one-line formattings the other misses.
RUFF_COVERS = frozenset({"DNG001", "DNG002", "DNG003", "DNG004", "DNG005", "DNG007"})
RUFF_COVERS |= {"DNG008", "SRE001"}


def explain(rule_id: str) -> Rule | None:
    return CATALOGUE.get(rule_id.upper())


# ---------------------------------------------------------------- line rules


class Lazy:
    """A regular expression compiled on first use: the checks of a language cost nothing
    until a file in it is reviewed. After that, `search` is the compiled pattern's own."""

    __slots__ = ("_compiled", "flags", "search", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source, self.flags, self._compiled = source, flags, None
        self.search = self._first_search

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
            self.search = self._compiled.search
        return self._compiled

    def _first_search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)


@dataclass(frozen=True)
class LineCheck:
    rule: str
    langs: frozenset[str] | None  # None: every text file
    hints: Lazy  # cheap test before the pattern: any of its literal substrings
    pattern: Matcher | Lazy  # a pattern, or a linear-time combination (ygs.core.scan)
    unless: Lazy | None = None
    code_only: bool = True  # skip comment lines


def _c(rule, langs, hints, pattern, unless=None, flags=0, code_only=True) -> LineCheck:
    return LineCheck(
        rule,
        frozenset(langs.split()) if langs else None,
        Lazy("|".join(re.escape(h) for h in hints.split("|"))),
        Lazy(pattern, flags) if isinstance(pattern, str) else pattern,
        Lazy(unless, flags) if unless else None,
        code_only,
    )


_INTERP = (  # f-string, % formatting, .format(), concatenation, template interpolation
    r"""(\bf|\brf|\bfr)["']|["']\s*%\s*[\w(\[{]|["']\s*\.format\("""
    r"""|["']\s*\+\s*\w|\w\s*\+\s*["']|\$\{"""
    r"""|["']\s*\.replace\(\s*["']["']\s*,\s*[A-Za-z_]"""  # "… '[V]'".replace("[V]", value)
)
_SQL = AnyOf(
    (
        in_order(r"\bSELECT\s", r"\sFROM\b"),
        re.compile(
            r"\b(?:INSERT\s++INTO|UPDATE\s++\S++\s++SET|DELETE\s++FROM|DROP\s++TABLE"
            r"|ALTER\s++TABLE|TRUNCATE\s++TABLE)\b"
        ),
        in_order(r"\bselect\s", r"\sfrom\s++\S++\s++(?:where|join|order|group|limit)\b"),
        re.compile(
            r"\b(?:insert\s++into\s++[^\s(]++\s*+(?:\(|values)|update\s++\S++\s++set\s++\w++\s*+="
            r"|delete\s++from\s++\S++\s++where\b)"
        ),
    )
)
_HAS_INTERP = re.compile(_INTERP)
_TEMPLATE_OR_SPRINTF = re.compile(r"`[^`]*+\$\{|Sprintf\(")


class _SqlBuilt:
    """SQL text in a line whose code (outside string literals) formats or concatenates it:
    `"... WHERE id = '%s'", (x,)` is a bound parameter, `"... = %s" % x` is not."""

    def search(self, text: str) -> bool:
        if not _SQL.search(text):
            return False
        return bool(_HAS_INTERP.search(shape(text)) or _TEMPLATE_OR_SPRINTF.search(text))


BIDI = "\u202a|\u202b|\u202c|\u202d|\u202e|\u2066|\u2067|\u2068|\u2069"
_EMPTY_GO_CHECK = Opened(re.compile(r"\bif\b"), re.compile(r"\berr\s*+!=\s*+nil\s*+\{\s*+\}"), "{")
_IMG_WITHOUT_ALT = r"<img\b(?![^<>]*\balt\s*=)[^<>]*+>"  # a tag ends at the next < or >
LINE_CHECKS: tuple[LineCheck, ...] = (
    _c("DBG001", "py", "print", r"^\s*print\s*\("),
    _c("DBG001", "js", "console.", r"\bconsole\.(log|debug|trace|dir|table)\s*\("),
    _c("DBG001", "rs", "dbg!", r"\bdbg!\s*\("),
    _c("DBG001", "php", "var_dump|print_r", r"\b(var_dump|print_r)\s*\("),
    _c("DBG001", "java", "System.", r"\bSystem\.(out|err)\.print"),
    _c(
        "DBG002",
        "py",
        "breakpoint|pdb",
        r"\bbreakpoint\s*\(\s*\)|\b(i?pdb)\.set_trace\s*\(|^\s*import\s+i?pdb\b",
    ),
    _c("DBG002", "js", "debugger", r"^\s*debugger\s*;?\s*$"),
    _c("DBG002", "rb", "binding.pry|byebug", r"\bbinding\.pry\b|^\s*byebug\b"),
    _c(
        "DBG003",
        "js",
        ".only|fit(|fdescribe(",
        r"\b(describe|it|test|context|suite)\.only\s*\(|^\s*(fit|fdescribe)\s*\(",
    ),
    _c("ERR001", "py", "except", r"^\s*except\s*:"),
    _c("ERR002", "py", "except", r"^\s*except\b[^:]*:\s*(pass|\.\.\.)\s*(#.*)?$"),
    _c(
        "ERR002",
        "js java php",
        "catch",
        r"\bcatch\s*+(?:\([^()]*+\))?+\s*+\{\s*+\}|\.catch\(\s*+\(?+\w*+\)?+\s*+=>\s*+\{\s*+\}\s*+\)",
    ),
    _c("ERR002", "go", "err != nil", _EMPTY_GO_CHECK),
    _c("ERR003", "go", "_", r"^\s*_\s*=\s*[\w.]+\(|,\s*_\s*:?=\s*[\w.]+\("),
    _c("ERR003", "rs", "let _", r"^\s*let\s+_\s*=\s*.*\("),
    _c("DNG001", "py", "eval|exec", r"(?<![\w.])(eval|exec)\s*\(", r"\bdef\s+(eval|exec)\b"),
    _c(
        "DNG001",
        "js",
        "eval|Function(",
        r"(?<![\w.])eval\s*\(|\bnew\s+Function\s*\(",
        r"\bfunction\s+eval\b",
    ),
    _c("DNG001", "php rb", "eval", r"(?<![\w.>$])eval\s*\("),
    _c(
        "DNG002",
        "py",
        "pickle|marshal|dill|shelve",
        r"\b(c?pickle|marshal|dill|jsonpickle)\.(loads?|Unpickler|decode)\b|\bshelve\.open\(",
    ),
    _c(
        "DNG003",
        "py",
        "yaml.",
        r"\byaml\.(load|load_all)\s*\(|\byaml\.unsafe_load|Loader\s*=\s*yaml\.(Unsafe|Full)?Loader\b",
        r"Safe(Loader)?\b|safe_load|CSafeLoader|BaseLoader",
    ),
    _c("DNG005", "py", "os.system|os.popen", r"\bos\.(system|popen)\s*\("),
    _c("DNG004", "js", "exec", r"\b(exec|execSync)\s*\(\s*`[^`]*\$\{"),
    _c(
        "DNG006",
        None,
        "SELECT|select|INSERT|insert|UPDATE|update|DELETE|delete|DROP|drop|ALTER|alter|TRUNCATE|truncate",
        _SqlBuilt(),
    ),
    _c(
        "DNG007",
        None,
        "verify|CERT_NONE|_create_unverified|check_hostname|rejectUnauthorized|NODE_TLS|InsecureSkipVerify|--insecure",
        AnyOf(
            (
                re.compile(
                    r"\bverify\s*=\s*False\b|\bCERT_NONE\b|_create_unverified_context"
                    r"|check_hostname\s*=\s*False|rejectUnauthorized\s*:\s*false"
                    r"|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['\"]?0|InsecureSkipVerify\s*:\s*true"
                ),
                in_order(r"\bcurl\b", r"\s--insecure\b"),
            )
        ),
    ),
    _c(
        "DNG008",
        None,
        "777|rwx",
        in_order(r"\bchmod\b", r"\b0o?777\b|\b777\b|\ba\+rwx\b|\bugo\+rwx\b"),
    ),
    _c(
        "DNG011",
        "py",
        "PROTOCOL_|_METHOD",
        r"\b(?:PROTOCOL_(?:SSLv2|SSLv3|TLSv1|TLSv1_1)|(?:SSLv2|SSLv23|SSLv3|TLSv1|TLSv1_1)_METHOD)\b",
    ),
    _c(
        "DNG012",
        "py",
        "algorithms.|.new",
        r"\balgorithms\.(?:ARC4|Blowfish|CAST5|IDEA|SEED|TripleDES)\s*\("
        r"|\b(?:ARC2|ARC4|Blowfish|CAST|DES|DES3|XOR)\.new\s*\(",
    ),
    _c("DNG013", "py", "random", r"\brandom\.(?:getrandbits|sample|shuffle)\s*\("),
    _c(
        "DNG014",
        "py",
        "Safe",
        r"\bSafe(?:Text|String|Unicode|Bytes)\s*+\(",
        r"""\bSafe(?:Text|String|Unicode|Bytes)\s*+\(\s*+(?:'[^'\\]*+'|"[^"\\]*+")\s*+\)""",
    ),
    _c("DNG015", "py", "CGI", r"\bCGI(?:Handler|Script|Directory)\s*+\("),
    _c(
        "DNG016",
        "py",
        "import",
        r"""\b(?:__import__|import_module)\s*+\(\s*+(?:name\s*+=\s*+)?+["']"""
        r"(?:pickle|cPickle|dill|shelve|marshal|subprocess|telnetlib|ftplib|xmlrpc|pyghmi"
        r"|Crypto|xml\.(?:etree|sax|dom))\b",
    ),
    _c("DNG017", "py", "exec_command", r"\.exec_command\s*+\("),
    _c("DNG018", "py", "shell", r"\bshell\s*+=\s*+(?!True\b|False\b|None\b)[A-Za-z_]"),
    _c("DNG019", "py", "mktemp", r"\btempfile\s*+\.\s*+mktemp\s*+\("),
    _c("SEC008", None, BIDI, f"[{BIDI.replace('|', '')}]", code_only=False),
    _c("UI001", "js", "<img", _IMG_WITHOUT_ALT),
    _c("UI002", None, "outline", r"\boutline\s*:\s*(none|0)\b", r"focus-visible"),
    _c(
        "SEC005",
        None,
        "gnore|isregard|pprove|findings|reviewer|AI |nstructions",
        r"(?i)\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|your)\s+(instructions|rules|prompts?)"
        r"|\b(report|return)\s+no\s+(findings|issues)\b|\b(you|reviewers?|the\s+ai)\s+(must|should)\s+approve\b"
        r"|\bchange\s+the\s+output\s+schema\b|\bdear\s+(ai|llm|reviewer)\b",
        code_only=False,
    ),
)
_HTML_IMG = _c("UI001", None, "<img", _IMG_WITHOUT_ALT)
_TEMPLATE_SAFE = _c(
    "DNG014",
    None,
    "safe|autoescape",
    r"\|\s*+safe\b|\{%-?+\s*+autoescape\s++(?:off|false)\b",
    code_only=False,
)
TEMPLATE_EXT = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml", ".tmpl"})
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*|<!--|--|;)")
_TODO = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_ISSUE_REF = re.compile(r"#\d+|\b[A-Z][A-Z0-9]+-\d+\b|https?://|\bgh-\d+\b|issues?/\d+", re.I)


PROSE_EXT = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".rdoc"})
PROSE_NAMES = ("HISTORY", "CHANGELOG", "CHANGES", "NEWS", "README", "AUTHORS", "LICENSE")
# What a file too big for every rule still gets: the cheap checks for dangerous code.
HUGE_RULES = frozenset({"DNG001", "DNG002", "DNG003", "DNG004", "DNG005", "DNG007", "SEC005"})


def is_prose(path: str) -> bool:
    """Documentation, where code-like text is an example, not code (`verify=False` in a
    HISTORY entry)."""
    name = path.rsplit("/", 1)[-1]
    return kinds.ext(path) in PROSE_EXT or name.split(".", 1)[0].upper() in PROSE_NAMES


def _checks_for(language: str | None, path: str) -> list[LineCheck]:
    found = [c for c in LINE_CHECKS if c.langs is None or (language in c.langs)]
    if kinds.ext(path) in (".html", ".htm"):
        found.append(_HTML_IMG)
    if kinds.ext(path) in TEMPLATE_EXT and not kinds.is_test(path):
        found.append(_TEMPLATE_SAFE)
    if kinds.is_test(path):
        found = [c for c in found if c.rule != "DNG013"]
    if kinds.is_test(path) or kinds.is_script(path):
        found = [c for c in found if c.rule != "DBG001"]
    if not kinds.is_ui(path) and language != "js":
        found = [c for c in found if not c.rule.startswith("UI")]
    if is_prose(path):
        found = [c for c in found if not c.code_only]
    return found


def shape(text: str) -> str:
    """The line with the inside of every string literal blanked (`"a %s b"` → `""`), so that
    operators and calls are only seen in code. Linear: one pass, quotes close on the line."""
    out, quote, i = [], "", 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                out.append(char)
                quote = ""
        elif char in "\"'`":
            quote = char
            out.append(char)
        elif char == "#" and (not out or text[i - 1] in " \t"):
            break  # a comment: nothing after it is code
        else:
            out.append(char)
        i += 1
    return "".join(out)


def docstring_lines(lines: dict[int, str]) -> set[int]:
    """Line numbers inside Python triple-quoted strings (docstrings, doctests, long text)."""
    inside, delimiter, found = False, "", set()
    for n in sorted(lines):
        text = lines[n]
        if inside:
            found.add(n)
            if delimiter in text:
                inside = text.count(delimiter) % 2 == 0
            continue
        for quote in ('"""', "'''"):
            if quote in text and text.count(quote) % 2 == 1:
                inside, delimiter = True, quote  # the opening line itself is code
                break
    return found


def _pieces(text: str, limit: int) -> list[str]:
    """The line, or overlapping windows of it past `limit` characters: never skipped."""
    if len(text) <= limit:
        return [text]
    step = limit - 200
    return [text[i : i + limit] for i in range(0, max(1, len(text) - 200), step)]


def _line_hits(
    f: FileDiff,
    skip: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
    limit: int = 5000,
) -> Iterator[Hit]:
    language = kinds.lang(f.path)
    checks = [
        c
        for c in _checks_for(language, f.path)
        if c.rule not in skip and (only is None or c.rule in only)
    ]
    quiet = docstring_lines(_lines(f)) if language == "py" else set()
    todo = only is None and not is_prose(f.path)
    for number, line in f.added.items():
        comment = bool(_COMMENT.match(line)) or number in quiet
        found: set[str] = set()
        for text in _pieces(line, limit):
            for check in checks:
                if (comment and check.code_only) or check.rule in found:
                    continue
                if not check.hints.search(text) or not check.pattern.search(
                    shape(text) if check.rule in SHAPED else text
                ):
                    continue
                if check.unless is None or not check.unless.search(text):
                    found.add(check.rule)
                    yield Hit(check.rule, f.path, number)
        if todo and _TODO.search(line[:limit]) and not _ISSUE_REF.search(line[:limit]):
            yield Hit("TODO001", f.path, number)


# Checks that look at code only: string contents are blanked first (`"eval(" in docs`).
SHAPED = frozenset({"DNG001", "DNG005", "DNG002", "DNG003"})


DOC_EXT = frozenset({".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".rdoc"})


def _secret_hits(f: FileDiff, detectors: bool = True) -> Iterator[Hit]:
    code = kinds.lang(f.path) is not None
    # A random-looking string (SEC007, or a random value in an Authorization header or a URL)
    # is a nonce, a hash or an example key in tests and documentation; a provider format or a
    # secret by name there is still reported.
    doc = kinds.ext(f.path) in DOC_EXT or f.name.split(".", 1)[0].upper() in PROSE_NAMES
    quiet = doc or kinds.is_test(f.path)
    for hit in secretscan.scan(f.path, f.added, code=code, engine=detectors):
        if hit.guess and quiet:
            continue
        detail = f"{hit.detail} in an added line" if hit.rule in ("SEC001", "SEC002") else ""
        if hit.rule == "SEC007":
            detail = f"{hit.detail} that looks like a secret" if hit.detail else ""
        yield Hit(hit.rule, f.path, hit.line, detail)


# ------------------------------------------------------------ multi-line rules


def _lines(f: FileDiff) -> dict[int, str]:
    """New-side lines known for this file: the whole file when read, else the hunks."""
    if f.new_lines is not None:
        return dict(enumerate(f.new_lines, 1))
    return f.visible


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _next_code(lines: dict[int, str], number: int, limit: int = 5) -> tuple[int, str] | None:
    for n in range(number + 1, number + 1 + limit):
        text = lines.get(n)
        if text is None:
            return None
        if text.strip() and not _COMMENT.match(text):
            return n, text
    return None


_EXCEPT_OPEN = re.compile(r"^\s*except\b[^:]*:\s*(#.*)?$")
_CATCH_OPEN = AnyOf(
    (
        re.compile(r"\bcatch\s*+(?:\([^()]*+\))?+\s*+\{\s*+$"),
        Opened(re.compile(r"\bif\b"), re.compile(r"\berr\s*+!=\s*+nil\s*+\{\s*+$"), "{"),
    )
)


def _swallowed(f: FileDiff) -> Iterator[Hit]:
    """`except X:` / `catch (e) {` on an added line whose body is only `pass` / `}`."""
    language = kinds.lang(f.path)
    if language not in ("py", "js", "java", "php", "go"):
        return
    if language == "py" and kinds.is_test(f.path):
        return  # as ruff's S110/S112: a test swallows what it provokes
    lines = _lines(f)
    opener = _EXCEPT_OPEN if language == "py" else _CATCH_OPEN
    for number, text in f.added.items():
        if not opener.search(text):
            continue
        following = _next_code(lines, number)
        if following is None:
            continue
        body = following[1].strip()
        if language != "py":
            if body.startswith("}"):
                yield Hit("ERR002", f.path, number)
            continue
        handler = [lines.get(n, "") for n in range(number, following[0] + 1)]
        if (
            body in ("pass", "...")
            and _block_ends(lines, following[0], text)
            and not pyscan.swallow_explained(handler)
        ):
            yield Hit("ERR002", f.path, number)


def _block_ends(lines: dict[int, str], number: int, opener: str) -> bool:
    after = _next_code(lines, number)
    return after is None or _indent(after[1]) <= _indent(opener)


def _call_text(lines: dict[int, str], number: int, limit: int = 12) -> str:
    """The statement starting at `number`, up to balanced parentheses."""
    parts, depth = [], 0
    for n in range(number, number + limit):
        text = lines.get(n)
        if text is None:
            break
        parts.append(text)
        depth += text.count("(") - text.count(")")
        if depth <= 0:
            break
    return " ".join(parts)


_SUBPROCESS = re.compile(r"\bsubprocess\.\w+\s*\(|\bPopen\s*\(")
_SHELL_TRUE = re.compile(r"\bshell\s*=\s*True\b")
# httpx has a 5 s default timeout: only clients without one are reported.
_HTTP_CALL = re.compile(
    r"\brequests\.(get|post|put|patch|delete|head|options|request)\s*\(|\burlopen\s*\("
)


_HUB_CALL = re.compile(
    r"\.from_pretrained\s*\(|\b(?:hf_hub_download|snapshot_download|load_dataset)\s*\("
)
_HUB_MODULE = re.compile(r"^\s*(?:from|import)\s+(?:transformers|datasets|huggingface_hub)\b")
# pinned: a commit id (7+ hex digits), or a value the code computes (not judged)
_PINNED = re.compile(r"""\b(?:revision|commit_id)\s*=\s*(?:(["'])[0-9a-fA-F]{7,}\1|[^"'\s])""")
_LOCAL_MODEL = re.compile(r"""\.from_pretrained\s*\(\s*["'](?:\.|/|~)""")  # a local folder
_TORCH_LOAD = re.compile(r"\btorch\.load\s*\(")
_WEIGHTS_ONLY = re.compile(r"\bweights_only\s*=\s*True\b")


def _hub_call(text: str) -> bool:
    hinted = "_pretrained" in text or "_download" in text or "load_dataset" in text
    return hinted and bool(_HUB_CALL.search(shape(text))) and not _LOCAL_MODEL.search(text)


def _torch_load(text: str) -> bool:
    return "torch.load" in text and bool(_TORCH_LOAD.search(shape(text)))


def _call_hits(f: FileDiff, skip: frozenset[str] = frozenset()) -> Iterator[Hit]:
    if kinds.lang(f.path) != "py":
        return
    lines = _lines(f)
    quiet = docstring_lines(lines)
    test = kinds.is_test(f.path)
    hub: bool | None = None  # whether the file imports a Hugging Face library
    for number, text in f.added.items():
        if _COMMENT.match(text) or number in quiet:
            continue
        if "DNG010" in skip:
            pass
        elif _torch_load(text) and not _WEIGHTS_ONLY.search(_call_text(lines, number)):
            yield Hit("DNG010", f.path, number)
        if "DNG009" not in skip and _hub_call(text):
            hub = any(_HUB_MODULE.search(line) for line in lines.values()) if hub is None else hub
            if hub and not _PINNED.search(_call_text(lines, number)):
                yield Hit("DNG009", f.path, number)
        if "DNG004" not in skip and ("subprocess" in text or "Popen" in text):
            call = _call_text(lines, number)
            if _SUBPROCESS.search(call) and _SHELL_TRUE.search(call) and _HAS_INTERP.search(call):
                yield Hit("DNG004", f.path, number)
        http = "requests." in text or "urlopen" in text
        if "SRE001" in skip or test or not http or not _HTTP_CALL.search(shape(text)):
            continue
        if "timeout" not in _call_text(lines, number):
            yield Hit("SRE001", f.path, number)


# ---------------------------------------------------------- function length

_PY_DEF = re.compile(r"^(\s*)(async\s+)?def\s+\w+")
_BRACE_DEF = re.compile(
    r"^\s*+(?:export\s++)?+(?:default\s++)?+(?:async\s++)?+function\b"
    r"|^\s*+(?:export\s++)?+(?:const|let|var)\s++\w++\s*+=\s*+(?:async\s*)?"
    r"(?:\([^)]*+\)|\w++)\s*+=>\s*+\{"
    r"|^func\b|^\s*+(?:pub(?:\([\w:]++\))?+\s++)?+(?:async\s++)?+(?:unsafe\s++)?+fn\s++\w"
    r"|^\s*+(?:(?:public|private|protected|internal|static|final|override|abstract|async|suspend)"
    r"\s++)++[\w<>\[\],.? ]*+(?<=[\w ])\([^;]*+$"
)


def _function_spans(lines: dict[int, str], language: str) -> Iterator[tuple[int, int]]:
    numbers = sorted(lines)
    for n in numbers:
        text = lines[n]
        if language == "py" and _PY_DEF.match(text):
            yield n, _py_end(lines, n)
        elif language in kinds.BRACES and _BRACE_DEF.search(text):
            end = _brace_end(lines, n)
            if end is not None:
                yield n, end


def _py_end(lines: dict[int, str], start: int) -> int:
    base, end, n = _indent(lines[start]), start, start + 1
    while n in lines:
        text = lines[n]
        if text.strip():
            if _indent(text) <= base and not text.lstrip().startswith((")", "]")):
                break
            end = n
        n += 1
    return end


def _brace_end(lines: dict[int, str], start: int, limit: int = 3000) -> int | None:
    depth, opened = 0, False
    for n in range(start, start + limit):
        text = lines.get(n)
        if text is None:
            return None
        code = re.sub(r"(\"([^\"\\]|\\.)*\"|'([^'\\]|\\.)*'|`[^`]*`|//.*$)", "", text)
        depth += code.count("{") - code.count("}")
        opened = opened or "{" in code
        if opened and depth <= 0:
            return n
    return None


def _long_functions(f: FileDiff, settings: Settings) -> Iterator[Hit]:
    language = kinds.lang(f.path)
    if language is None or not f.added:
        return
    lines = _lines(f)
    added = sorted(f.added)
    for start, end in _function_spans(lines, language):
        length = end - start + 1
        first = bisect.bisect_left(added, start)  # the first added line in the function
        if length <= settings.function_may or first == len(added) or added[first] > end:
            continue
        severity = SHOULD if length > settings.function_should else MAY
        anchor = added[first]
        yield Hit("SIZE002", f.path, anchor, f"Function of {length} lines in the change", severity)


# ------------------------------------------------------------- dependencies

_REQ_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(;.*)?$")
_PEP508_NAME = re.compile(
    r"""^\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(;[^"']*)?["']\s*,?\s*$"""
)
_JSON_DEP = re.compile(r"""^\s*"([^"]+)"\s*:\s*"([^"]*)"\s*,?\s*$""")
_JSON_DEP_BLOCK = re.compile(r'"(dev|peer|optional)?[dD]ependencies"\s*:\s*\{')
_TOML_STAR = re.compile(r"""^\s*[\w-]+\s*=\s*(["']\*["']|\{[^}]*version\s*=\s*["']\*["'])""")
_DEV_REQUIREMENTS = re.compile(r"(?i)dev|test|doc|lint|typing")
_GEM = re.compile(r"""^\s*gem\s+["'][\w-]+["']\s*(#.*)?$""")


def _opener(lines: dict[int, str], number: int) -> str:
    """The nearest earlier line with less indentation: the block that holds this line."""
    own = _indent(lines[number])
    for n in range(number - 1, max(0, number - 400), -1):
        text = lines.get(n)
        if text is None:
            return ""
        if text.strip() and _indent(text) < own:
            return text
        if text.strip().endswith("[") and _indent(text) <= own:
            return text
    return ""


def _section(lines: dict[int, str], number: int) -> str:
    for n in range(number, 0, -1):
        text = lines.get(n)
        if text is None:
            return ""
        if re.match(r"^\s*\[[^\]]+\]\s*$", text):
            return text.strip()
    return ""


def _dependencies(f: FileDiff) -> Iterator[Hit]:
    name, lines = f.name, _lines(f)
    for number, text in f.added.items():
        if name.startswith("requirements") and name.endswith((".txt", ".in")):
            bad = not _DEV_REQUIREMENTS.search(name) and bool(_REQ_LINE.match(text))
        elif name == "pyproject.toml":
            bad = _pyproject_bad(lines, number, text)
        elif name == "package.json":
            bad = _package_json_bad(lines, number, text)
        elif name == "Cargo.toml":
            bad = "dependencies" in _section(lines, number) and bool(_TOML_STAR.match(text))
        elif name == "Gemfile":
            bad = bool(_GEM.match(text))
        else:
            return
        if bad:
            yield Hit("DEP001", f.path, number)


def _pyproject_bad(lines: dict[int, str], number: int, text: str) -> bool:
    section = _section(lines, number)
    inline = re.match(r"^\s*dependencies\s*=\s*\[(.*)\]\s*$", text)
    if inline and section == "[project]":
        items = re.findall(r"""["']([^"']+)["']""", inline.group(1))
        return any(_PEP508_NAME.match(f'"{item}"') for item in items)
    if section == "[tool.poetry.dependencies]" or (
        "poetry" in section and "dependencies" in section
    ):
        return bool(_TOML_STAR.match(text))
    if not _PEP508_NAME.match(text):
        return False
    # Extras and dependency groups (dev, test, docs) of a library are bounded by the
    # library's users, not pinned by it: only the runtime dependencies are reported.
    opener = _opener(lines, number)
    in_array = "[" in opener and "=" in opener
    return in_array and section == "[project]" and opener.strip().startswith("dependencies")


def _package_json_bad(lines: dict[int, str], number: int, text: str) -> bool:
    match = _JSON_DEP.match(text)
    if not match or not _JSON_DEP_BLOCK.search(_opener(lines, number)):
        return False
    spec = match.group(2).strip()
    unbounded = spec.startswith(">") and "<" not in spec
    return spec in ("", "*", "x", "latest", "next") or unbounded


# ------------------------------------------------------------- file rules

_ARTIFACT_DIRS = re.compile(
    r"(^|/)(node_modules|__pycache__|\.pytest_cache|\.mypy_cache|\.tox|\.venv|\.next|\.nuxt"
    r"|\.gradle|bower_components|[^/]+\.egg-info)/"
    r"|^(vendor|dist|build|target|venv|htmlcov|coverage|out)/"
)
_ARTIFACT_FILES = re.compile(
    r"\.(pyc|pyo|class|o|obj|so|dylib|dll|exe|a|jar|war|whl|min\.js|min\.css|js\.map|css\.map)$"
    r"|(^|/)(\.DS_Store|Thumbs\.db)$"
)
_GENERATED = re.compile(
    r"(?i)code generated .*do not edit|@generated\b|do not edit[,.!]? this file"
    r"|auto-?generated|generated by the protocol buffer compiler"
)


def _artifact_root(f: FileDiff) -> str | None:
    match = _ARTIFACT_DIRS.search(f.path)
    if match:
        return f.path[: match.end()]
    if _ARTIFACT_FILES.search(f.path):
        return f.path
    head = [f.added[n] for n in sorted(f.added)[:5]]
    if any(_GENERATED.search(text) for text in head):
        return f.path
    return None


PUBLIC_CERTIFICATES = (".crt", ".cer", ".der")


def _public(f: FileDiff) -> bool:
    """A certificate is public: one with no private key in it is not a secret file."""
    if f.path.lower().endswith(PUBLIC_CERTIFICATES):
        return True
    text = "\n".join(f.added.values())
    return f.path.lower().endswith(".pem") and "CERTIFICATE-----" in text and "PRIVATE" not in text


def _file_hits(diff: Diff) -> Iterator[Hit]:
    roots: dict[str, list[FileDiff]] = {}
    for f in diff.files:
        if f.status not in (ADDED, RENAMED):
            continue
        if secrets.is_secret_file(f.path) and kinds.lang(f.path) is None and not _public(f):
            yield Hit("SEC004", f.path, 1 if f.added else None)
        if f.lockfile:
            continue
        root = _artifact_root(f)
        if root is not None:
            roots.setdefault(root, []).append(f)
    for root, files in roots.items():
        first = files[0]
        detail = f"{len(files)} build, generated or vendored files added under {root}"
        yield Hit(
            "GEN001", first.path, 1 if first.added else None, detail if len(files) > 1 else ""
        )


def counted(diff: Diff) -> list[FileDiff]:
    """Files that count toward the size limit: no lockfiles, binaries or generated files."""
    return [f for f in diff.files if not (f.lockfile or f.binary or _artifact_root(f))]


def _diff_hits(diff: Diff, settings: Settings) -> Iterator[Hit]:
    files = counted(diff)
    lines = sum(len(f.added) + f.removed for f in files)
    if files and (lines > settings.max_lines or len(files) > settings.max_files):
        first = files[0]
        detail = (
            f"Change of {lines} lines in {len(files)} files (limits "
            f"{settings.max_lines} lines, {settings.max_files} files)"
        )
        yield Hit("SIZE001", first.path, None, detail)
    sources = [
        f
        for f in files
        if f.added
        and kinds.is_source(f.path)
        and not kinds.is_test(f.path)
        and not kinds.is_script(f.path)
    ]
    tests = [f for f in diff.files if kinds.is_test(f.path)]
    if sources and not tests:
        first = sources[0]
        yield Hit("TST001", first.path, min(first.added))


# ------------------------------------------------------------------ runner


def run(
    diff: Diff,
    settings: Settings = Settings(),
    python: pyscan.Outcome | pyscan.Running | None = None,
) -> list[Hit]:
    """Every rule over the added lines of a diff, with ruff's findings (`python`) merged in.
    Order: file, line, rule. ruff may still be running: its files are checked as if it read
    them, and the few it could not parse are checked again by ygs's own Python rules.

    A file too big for every rule (`huge`) still gets the secret scan and the checks for
    dangerous calls; a long line is checked in windows. Neither is ever skipped."""
    planned = python.planned if isinstance(python, pyscan.Running) else None
    ruffed = planned if planned is not None else (python.checked if python else frozenset())
    hits: list[Hit] = list(_file_hits(diff)) + list(_diff_hits(diff, settings))
    own: dict[str, list[Hit]] = {}
    with secretscan.session():
        for f in diff.files:
            own[f.path] = _file_rules(f, settings, f.path in ruffed)
        outcome = python.outcome() if isinstance(python, pyscan.Running) else python
        for f in diff.files:
            if f.path in ruffed and outcome is not None and f.path not in outcome.checked:
                own[f.path] += _covered_rules(f, settings)  # ruff could not read it
    hits += [
        Hit(h.rule, h.path, h.line, severity=h.severity, why=f"ruff {h.rule}: {h.message}")
        for h in (outcome.hits if outcome else ())
    ]
    hits += [h for found in own.values() for h in found]
    swallowed = {(h.path, h.line) for h in hits if h.rule == "ERR002"}
    hits = [h for h in hits if h.rule != "ERR001" or (h.path, h.line) not in swallowed]
    imports = {(h.path, h.line) for h in hits if h.rule.startswith("S4")}  # ruff saw the import
    hits = [h for h in hits if h.rule != "DNG022" or (h.path, h.line) not in imports]
    return _overlaps(sorted(hits, key=lambda h: (h.path, h.line or 0, h.rule)))


def _file_rules(f: FileDiff, settings: Settings, ruffed: bool) -> list[Hit]:
    """The rules that read one file's added lines (a huge file: only the cheap ones)."""
    if f.status == "deleted" or f.binary or f.special or not f.added:
        return []
    hits = list(_secret_hits(f, settings.detectors))
    if f.lockfile:
        return hits
    skip = RUFF_COVERS if ruffed else frozenset()
    if f.huge:
        return hits + list(_line_hits(f, skip, HUGE_RULES, settings.window))
    hits += _line_hits(f, skip, None, settings.window)
    hits += _swallowed(f)
    hits += _call_hits(f, skip)
    hits += (Hit(rule, f.path, line) for rule, line in pycalls.hits(f))
    hits += _dependencies(f)
    hits += _long_functions(f, settings)
    return hits


def _covered_rules(f: FileDiff, settings: Settings) -> list[Hit]:
    """The rules `_file_rules` left to ruff (RUFF_COVERS), for a file ruff could not parse."""
    if f.status == "deleted" or f.binary or f.special or not f.added or f.lockfile:
        return []
    only = RUFF_COVERS & HUGE_RULES if f.huge else RUFF_COVERS
    hits = list(_line_hits(f, frozenset(), only, settings.window))
    if not f.huge:
        hits += _call_hits(f, frozenset({"DNG009", "DNG010"}))
    return hits


_GROUP = {rule: (i, rank) for i, group in enumerate(OVERLAPS) for rank, rule in enumerate(group)}


def _overlaps(hits: list[Hit]) -> list[Hit]:
    """One hit per line and overlap group: the first rule of the group wins."""
    best: dict[tuple, Hit] = {}
    for hit in hits:
        group = _GROUP.get(hit.rule)
        if group is None or hit.line is None:
            continue
        key = (hit.path, hit.line, group[0])
        if key not in best or group[1] < _GROUP[best[key].rule][1]:
            best[key] = hit
    return [
        h
        for h in hits
        if h.rule not in _GROUP or h.line is None or best[(h.path, h.line, _GROUP[h.rule][0])] is h
    ]
