"""What the guard hook refuses to let an agent write, and which files a shell command writes.

`check_path` resolves a path the way the file system will (symlinks included) and refuses
anything outside the repository, under `.git/` (in any letter case), under ygs's own state
(`.ygs/`), a path spelled with `..`, and `.env*` and key files. `bash_targets` reads the
files a shell command writes from its redirections and from the usual file commands (tee,
cp, mv, rm, touch, sed -i, dd of=…); it is a best effort that never raises: the PostToolUse
hook counts from git afterwards whatever it misses. Standard library only.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath

# .env* and key files: ygs.core.secrets.SECRET_FILE_GLOBS without the `*secret*` catch-all,
# which would also refuse ordinary source files such as `secrets_test.py`.
SECRET_GLOBS = (
    ".env", ".env.*", "*.env", ".envrc", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks",
    "*.keystore", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", ".npmrc", ".pypirc",
    ".netrc", "*.kdbx", "credentials", "credentials.json", "*.tfstate", "*.tfvars",
)  # fmt: skip
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template")

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "|&", "(", ")", ";;", "!"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", ">&"})
_READS = frozenset({"<", "<<", "<<<", "<&", "<>"})
_WRAPPERS = frozenset({"sudo", "command", "nohup", "time", "exec", "builtin", "nice"})
_LAST_IS_TARGET = frozenset({"cp", "install", "ln", "rsync"})
_ALL_ARE_TARGETS = frozenset({"rm", "rmdir", "touch", "truncate", "shred", "unlink", "mkdir"})
_DEV = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")
_RISKY_GIT = {
    "reset": "--hard",
    "clean": None,
    "stash": None,
    "checkout": None,
    "switch": None,
    "restore": None,
    "commit": None,
    "push": None,
    "rebase": None,
    "branch": "-D",
}


def is_secret_name(name: str) -> bool:
    low = name.lower()
    if low in ENV_EXAMPLES:
        return False
    return any(fnmatch.fnmatchcase(low, glob) for glob in SECRET_GLOBS)


def _temp_dirs() -> list[str]:
    import tempfile

    found = {os.path.realpath(tempfile.gettempdir()), "/tmp", "/var/tmp"}
    return [d for d in found if d]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_path(raw: str, cwd: str, top: str, *, temp_ok: bool = False):
    """(path relative to `top`, None) when the write may go ahead as far as the path goes;
    (None, None) for a permitted path outside the repository (temp files, with `temp_ok`);
    (None, reason) when it must be refused."""
    if not raw:
        return None, None
    text = os.path.expanduser(raw)
    if ".." in text.replace("\\", "/").split("/"):
        return None, f"the path {raw} contains '..': write to the plain path inside the repository"
    absolute = text if os.path.isabs(text) else os.path.join(cwd, text)
    real = os.path.realpath(absolute)
    root = os.path.realpath(top)
    if not _inside(real, root):
        if temp_ok and any(_inside(real, t) for t in _temp_dirs()):
            return None, None
        if temp_ok and real in _DEV:
            return None, None
        return None, (
            f"{raw} is outside the repository ({real}): a ygs run only writes inside {root}"
        )
    rel = os.path.relpath(real, root).replace(os.sep, "/")
    parts = [p.casefold() for p in (*rel.split("/"), *text.replace("\\", "/").split("/"))]
    if ".git" in parts:
        return None, f"{raw} is inside .git/: never write git's own files; use git commands"
    if rel.split("/", 1)[0].casefold() == ".ygs" or "/.ygs/" in f"/{rel}/".casefold():
        return None, f"{raw} is ygs's run state (.ygs/): change it through ygs commands only"
    if is_secret_name(posixpath.basename(rel)):
        return None, (
            f"{raw} is a secrets file (.env* or a key): agents never write secrets; "
            "ask the user to edit it"
        )
    return rel, None


# --- shell commands ----------------------------------------------------------------------


def _tokens(command: str) -> list[str] | None:
    import shlex

    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        return None


def _simple_commands(tokens: list[str]):
    """Split into simple commands: (words, redirection targets)."""
    words: list[str] = []
    targets: list[str] = []
    it = iter(range(len(tokens)))
    for i in it:
        token = tokens[i]
        if token in _SEPARATORS:
            yield words, targets
            words, targets = [], []
        elif token in _REDIRECTS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            next(it, None)
            if not (token == ">&" and (nxt.isdigit() or nxt == "-")):
                targets.append(nxt)
        elif token in _READS:
            next(it, None)
        else:
            words.append(token)
    yield words, targets


def _strip(words: list[str]) -> list[str]:
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        words = words[1:]
    while words and (words[0] in _WRAPPERS or words[0] == "env"):
        words = words[1:]
        while words and (words[0].startswith("-") or "=" in words[0]):
            words = words[1:]
    return words


def _args(words: list[str]) -> list[str]:
    return [w for w in words[1:] if not w.startswith("-") or w == "-"]


def _command_targets(words: list[str]) -> list[str]:
    words = _strip(words)
    if not words:
        return []
    name = posixpath.basename(words[0])
    if name == "tee":
        return _args(words)
    if name in _LAST_IS_TARGET:
        args = _args(words)
        return args[-1:] if len(args) >= 2 else []
    if name == "mv":
        args = _args(words)
        return args if len(args) >= 2 else []
    if name in _ALL_ARE_TARGETS:
        return _args(words)
    if name == "dd":
        return [w[3:] for w in words[1:] if w.startswith("of=")]
    if name in ("sed", "perl") and any(_in_place(w) for w in words[1:]):
        return _in_place_files(name, words)
    return []


def _in_place(word: str) -> bool:
    """`-i`, `-i.bak`, `--in-place`, or `i` in a cluster of short options (`-pi`)."""
    if word.startswith("--"):
        return word.startswith("--in-place")
    return word.startswith("-") and "i" in word[1:].split(".", 1)[0]


def _in_place_files(name: str, words: list[str]) -> list[str]:
    files, script_given, skip = [], False, False
    for word in words[1:]:
        if skip:
            skip = False
            continue
        if word in ("-e", "-f", "--expression", "--file"):
            script_given, skip = True, True
        elif word.startswith("-") and word != "-":
            if name == "perl" and "e" in word[1:] and not word.startswith("--"):
                script_given, skip = True, True
        elif not script_given:
            script_given = True  # sed's first operand is the script
        else:
            files.append(word)
    return files


def bash_targets(command: str) -> list[str] | None:
    """Files the command would write (or delete); None when it cannot be parsed."""
    tokens = _tokens(command)
    if tokens is None:
        return None
    found: list[str] = []
    for words, redirected in _simple_commands(tokens):
        found += [t for t in redirected if t]
        found += _command_targets(words)
    return [t for t in dict.fromkeys(found) if t not in _DEV and not t.startswith("/dev/fd/")]


def risky_git(command: str) -> str | None:
    """A git subcommand that can throw work away or step around the checkpoints."""
    tokens = _tokens(command)
    if tokens is None:
        return None
    for words, _ in _simple_commands(tokens):
        words = _strip(words)
        if not words or posixpath.basename(words[0]) != "git":
            continue
        rest = words[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in ("-C", "-c") else rest[1:]
        if not rest or rest[0] not in _RISKY_GIT:
            continue
        needed = _RISKY_GIT[rest[0]]
        if rest[0] == "stash" and len(rest) > 1 and rest[1] in ("list", "show"):
            continue
        if rest[0] == "restore" and "--staged" in rest and "--worktree" not in rest:
            continue
        if needed is None or needed in rest:
            return "git " + " ".join(rest[:2]).strip()
    return None
