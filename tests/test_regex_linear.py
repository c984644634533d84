"""Every regex in ygs runs in linear time on untrusted text.

The patterns are collected, not listed: every compiled pattern reachable from a
module's globals, and every literal pattern passed to a `re` function anywhere
in `ygs/`. A call with a pattern built at run time must be named in DYNAMIC with
the reason it is safe, so a new regex cannot slip past this test.

Each pattern scans (finditer, every match) 1 MB lines of each character class
under a generous bound: a linear pattern takes milliseconds, a quadratic one hours.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import random
import re
import signal
import string
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

import ygs
from ygs.review import rules

ROOT = Path(ygs.__file__).parent
SIZE = 1 << 20
SMALL = 1 << 17  # the pattern's own words: quadratic on 128 KB is still minutes
SEPARATORS = [" ", ", ", ": ", "=", "-", "_", ".", '"', "'", "/", "(", ")", "{", "<", "\\n", "\t"]
BOUND_S = 15.0  # seconds per pattern and input: far above linear, far below quadratic
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn"}
RE_FUNCTIONS |= {"split"}
# Calls whose pattern is built at run time, and why each is bounded.
DYNAMIC = {
    ("ygs/review/rules.py", "compiled"): "the line checks' patterns, collected from LINE_CHECKS",
    ("ygs/cli/cmd_check.py", "glob_regex"): "glob translation: tested below on a hostile glob",
    ("ygs/interview/answers.py", "<lambda>"): "a bank's `pattern` validator on one answer",
    ("ygs/interview/answers.py", "_technology"): "re.escape of a fixed word list",
    ("ygs/interview/answers.py", "_vague_hits"): "re.escape of a fixed word list",
    ("ygs/interview/bank.py", "_compiles"): "only checks that a bank pattern compiles",
    ("ygs/core/scan.py", "in_order"): "builds module constants, collected like the others",
    ("ygs/team/render.py", "_link_pattern"): "an alternation of re.escape'd tracker keys",
    ("ygs/cli/cmd_check.py", "_naming"): "an alternation of re.escape'd ids (at most 500)",
}


def _modules() -> list[str]:
    names = ["ygs"]
    for info in pkgutil.walk_packages([str(ROOT)], prefix="ygs."):
        names.append(info.name)
    return sorted(names)


def _reachable(value, depth: int = 0) -> Iterator[re.Pattern]:
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, rules.Lazy):  # compiled on first use: compile it now
        yield value.compiled
    elif depth > 4 or isinstance(value, str | bytes | int | float | type):
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from _reachable(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _reachable(item, depth + 1)
    elif is_dataclass(value):
        for f in fields(value):
            yield from _reachable(getattr(value, f.name), depth + 1)
    elif hasattr(type(value), "__slots__"):  # ygs.core.scan's matchers
        for cls in type(value).__mro__:
            for name in getattr(cls, "__slots__", ()):
                yield from _reachable(getattr(value, name), depth + 1)


def _flags(node: ast.expr | None) -> int:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute):
        return getattr(re, node.attr)
    if isinstance(node, ast.BinOp):
        return _flags(node.left) | _flags(node.right)
    raise ValueError(ast.dump(node))


def _literal_calls() -> tuple[list[tuple[str, re.Pattern]], list[tuple[str, str, int]]]:
    """(literal patterns found in re.* calls, dynamic calls not in DYNAMIC)."""
    found, unexplained = [], []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.Lambda | ast.Module):
                continue
            name = getattr(func, "name", "<lambda>" if isinstance(func, ast.Lambda) else "")
            for call in ast.walk(func):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "re"
                    and call.func.attr in RE_FUNCTIONS
                    and call.args
                ):
                    continue
                arg = call.args[0]
                if isinstance(arg, ast.Constant):
                    flags_node = next((k.value for k in call.keywords if k.arg == "flags"), None)
                    if flags_node is None and call.func.attr == "compile" and len(call.args) > 1:
                        flags_node = call.args[1]
                    found.append(
                        (f"{rel}:{call.lineno}", re.compile(arg.value, _flags(flags_node)))
                    )
                elif not isinstance(func, ast.Module) and (rel, name) not in DYNAMIC:
                    unexplained.append((rel, name, call.lineno))
    return found, unexplained


def collect() -> list[tuple[str, re.Pattern]]:
    seen: dict[tuple, str] = {}
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            for pattern in _reachable(value):
                seen.setdefault((pattern.pattern, pattern.flags), f"{name}.{attr}")
    literals, _ = _literal_calls()
    for where, pattern in literals:
        seen.setdefault((pattern.pattern, pattern.flags), where)
    return [(where, re.compile(p, f)) for (p, f), where in sorted(seen.items(), key=str)]


def words_of(pattern: re.Pattern) -> list[str]:
    """The literal words of a pattern: repeated, they make it start (and fail) everywhere."""
    source = pattern.pattern
    source = source.decode("latin-1") if isinstance(source, bytes) else source
    return sorted(set(re.findall(r"[A-Za-z_]{2,}", re.sub(r"\\.", " ", source))))


def _words() -> list[str]:
    words = {"-----BEGIN", "-----END", "PRIVATE KEY-----", "://", "@", "==", ":="}
    for _where, pattern in PATTERNS:
        words.update(words_of(pattern))
    return sorted(words)


def _line(alphabet: str, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choices(alphabet, k=SIZE))


def inputs() -> dict[str, str]:
    base64 = string.ascii_letters + string.digits + "+/="
    return {
        "letters": _line(string.ascii_letters, 1),
        "digits": _line(string.digits, 2),
        "name run": _line(string.ascii_lowercase + string.digits + "_.-", 3),
        "spaces": " " * SIZE,
        "punctuation": _line(string.punctuation, 5),
        "base64": _line(base64, 6),
        "printable": _line(string.printable.replace("\n", "").replace("\r", ""), 8),
        "words": _soup(_words(), 9, SIZE),
    }


def _soup(words: list[str], seed: int, size: int) -> str:
    if not words:
        return ""
    pieces = [word + sep for word in words for sep in SEPARATORS]
    average = sum(map(len, pieces)) / len(pieces)
    return "".join(random.Random(seed).choices(pieces, k=int(size / average) + 1))[:size]


def adversarial(pattern: re.Pattern) -> dict[str, str]:
    """Lines made of the pattern's own words: each repeated, all mixed, all but one mixed
    (the shape that makes `A.*B` try every A and find no B)."""
    words = words_of(pattern)
    lines = {"all words": _soup(words, 11, SMALL)}
    for i, word in enumerate(words):
        lines[f"no {word}"] = _soup([w for w in words if w != word] or [word], i, SMALL)
    return lines


PATTERNS = collect()
_LINES: dict[str, str] = {}


@pytest.fixture
def lines() -> dict[str, str]:
    if not _LINES:
        _LINES.update(inputs())
    return _LINES


class Slow(Exception):
    pass


def _alarm(_signum, _frame):
    raise Slow


@pytest.mark.slow  # about a minute of CPU in all, spread over the xdist workers
@pytest.mark.parametrize("where,pattern", PATTERNS, ids=[w for w, _ in PATTERNS])
def test_pattern_is_linear_on_1mb_lines(where, pattern, lines):
    own = adversarial(pattern)
    previous = signal.signal(signal.SIGALRM, _alarm)
    slow = []
    try:
        for label, text in {**lines, **own}.items():
            data = text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text
            signal.setitimer(signal.ITIMER_REAL, BOUND_S)
            try:
                pattern.subn("" if isinstance(data, str) else b"", data)  # every match, in C
            except Slow:
                slow.append(label)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not slow, f"{where}: /{pattern.pattern}/ is super-linear on 1 MB of {slow}"


def test_every_regex_built_at_run_time_is_explained():
    _, unexplained = _literal_calls()
    assert not unexplained, (
        "re.* calls with a pattern built at run time; make it a module constant (collected "
        f"here) or add it to DYNAMIC with the reason it is bounded: {unexplained}"
    )


def test_the_collector_sees_the_patterns_that_matter():
    sources = {p.pattern for _, p in PATTERNS}
    from ygs.core import secrets
    from ygs.review import rules

    assert secrets._ASSIGNMENT.pattern in sources and all(
        r.pattern in sources for r in secrets._TOKEN_RES
    )
    assert all(p.pattern in sources for p in _reachable(rules.LINE_CHECKS))
    assert len(list(_reachable(rules.LINE_CHECKS))) > len(rules.LINE_CHECKS)
    assert len(PATTERNS) > 100


def test_hostile_globs_match_in_linear_time():
    from ygs.cli.cmd_check import glob_regex

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, BOUND_S)
    try:
        assert not glob_regex("*a" * 20 + "*b").match("a" * 250)
        assert not glob_regex("**/" * 200 + "x").match("/".join(["a"] * 2000))
        assert glob_regex("*a*b*c").match("xaybzc") and glob_regex("**/**/t_*.py").match("t_1.py")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
