"""Python calls and imports that ruff's bandit ports miss because they go through an alias, a
submodule or a literal argument list (pure): bandit follows the module's imports, so ygs does
too. One parse per changed Python file, and only when its text names a module these rules
are about.

- DNG012: a broken cipher's `.new(...)` through an alias (`from Crypto.Cipher import ARC4 as
  c; c.new(key)`), which ruff's S304 does not resolve for every cipher.
- DNG020: a process started without a shell (bandit's B603). ruff's S603 reports only calls
  with a variable argument; this reports the others, so every process a change starts is
  pointed at (MAY).
- DNG021: jsonpickle's `Unpickler().restore(...)`, which runs code like `pickle.loads`.
- DNG022: a submodule of a risky module imported (`import xml.sax.expatreader as x`,
  `from pyghmi.ipmi import command`): ruff's S4xx rules match the module's exact name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ygs.review import lang as kinds
from ygs.review import pyscan
from ygs.review.diff import FileDiff

# a call these rules are about names one of these modules; a submodule import is dotted
_CALL_HINT = re.compile(r"subprocess|Crypto|jsonpickle")
_IMPORT_HINT = re.compile(
    r"^[ \t]*+(?:import|from)[ \t]++[^\n]*?\b(?:telnetlib|ftplib|c?[pP]ickle|dill|shelve|xml"
    r"|lxml|xmlrpc|Crypto|pyghmi)\.",
    re.MULTILINE,
)
_CIPHERS = frozenset(
    f"{package}.Cipher.{name}"
    for package in ("Crypto", "Cryptodome")
    for name in ("ARC2", "ARC4", "Blowfish", "CAST", "DES", "DES3", "XOR")
)
_PROCESS = frozenset(
    f"subprocess.{name}" for name in ("Popen", "call", "check_call", "check_output", "run")
)
_UNPICKLERS = frozenset({"jsonpickle.unpickler.Unpickler", "jsonpickle.Unpickler"})
# the modules of ruff's S401-S415 import rules (bandit's B401-B415)
RISKY_MODULES = (
    "telnetlib", "ftplib", "pickle", "cPickle", "dill", "shelve", "subprocess", "xml.etree",
    "xml.sax", "xml.dom.expatbuilder", "xml.dom.minidom", "xml.dom.pulldom", "lxml", "xmlrpc",
    "Crypto", "pyghmi",
)  # fmt: skip
EXEMPT_IN_TESTS = frozenset({"DNG020", "DNG021", "DNG022"})


def hits(f: FileDiff) -> Iterator[tuple[str, int]]:
    """(rule, line) for each call or import above on an added line of a Python file."""
    if kinds.lang(f.path) != "py" or not f.added or f.new_lines is None:
        return
    text = "\n".join(f.new_lines)
    if not (_CALL_HINT.search(text) or _IMPORT_HINT.search(text)):
        return
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    test = kinds.is_test(f.path)
    nodes: list[ast.Import | ast.ImportFrom | ast.Call] = [
        n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom | ast.Call)
    ]
    names = _aliases(nodes)
    for node in nodes:
        rule = _rule(node, names)
        if rule is None or (test and rule in EXEMPT_IN_TESTS):
            continue
        end = node.end_lineno or node.lineno
        anchor = next((n for n in range(node.lineno, end + 1) if n in f.added), None)
        if anchor is not None and not (rule == "DNG020" and pyscan.nosec(f, "S603", anchor, end)):
            yield rule, anchor


def _rule(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "DNG022" if any(_submodule(m) for m in _imported(node)) else None
    if not isinstance(node, ast.Call):
        return None
    called = _qualified(node.func, names)
    if called in _PROCESS:
        return "DNG020" if _without_shell(node) else None
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "new" and _qualified(func.value, names) in _CIPHERS:
        return "DNG012"
    made = func.value
    if func.attr == "restore" and isinstance(made, ast.Call):
        return "DNG021" if _qualified(made.func, names) in _UNPICKLERS else None
    return None


def _aliases(nodes: list) -> dict[str, str]:
    """Local name → the dotted name it was imported as (relative imports are the project's)."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".", 1)[0]
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.AST, names: dict[str, str]) -> str | None:
    """`pop` → `subprocess.Popen` after `from subprocess import Popen as pop`; a name nothing
    imports stands for itself (`subprocess.call` without an import, as bandit reads it)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([names.get(node.id, node.id), *reversed(parts)])


def _without_shell(call: ast.Call) -> bool:
    """No `shell=`, or a literal false one (`shell=False`, `0`, `None`, `[]`, `{}`): a value
    that is or may be true is a shell call (ruff's S602, ygs's DNG018)."""
    shell = next((k.value for k in call.keywords if k.arg == "shell"), None)
    if shell is None:
        return True
    if isinstance(shell, ast.Constant):
        return not shell.value
    return isinstance(shell, ast.List | ast.Tuple | ast.Dict) and not _items(shell)


def _items(node: ast.List | ast.Tuple | ast.Dict) -> list:
    return node.keys if isinstance(node, ast.Dict) else node.elts


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module] if node.level == 0 and node.module else []


def _submodule(module: str) -> bool:
    return any(module.startswith(f"{risky}.") for risky in RISKY_MODULES)
