"""The guardrail policy, pure: which touched files are planned, the size class, when a
checkpoint is due and when the run stops, what a deviation line must say, branch names.

Standard library only and no dataclasses: the Claude Code hook imports this on every tool
call. Paths are POSIX paths relative to the repository root.
"""

from __future__ import annotations

import fnmatch
import posixpath

from ygs.core.sizes import CLASS_OF_SIZE as SIZE_CLASS
from ygs.core.sizes import CLASSES, modules, size_class

DEFAULT_LIMITS = {"unplanned_files": 3, "checkpoint_every": 5, "max_fix_attempts": 3}
DEBUG_MARKER = "YGS-DEBUG"
BRANCH_PREFIX = "ygs/"
_GLOB_CHARS = frozenset("*?[")
_JS_EXTS = frozenset({"js", "jsx", "ts", "tsx", "mjs", "cjs"})


# --- planned files ------------------------------------------------------------------------


def clean_glob(pattern: str) -> str:
    """`./src\\a.py` -> `src/a.py`; a trailing `/` means everything below the folder."""
    text = pattern.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    if text.endswith("/"):
        text = text.rstrip("/") + "/**"
    return text


def has_magic(pattern: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in pattern)


def glob_match(pattern: str, path: str) -> bool:
    """Git-style glob: `*`, `?` and `[..]` stay inside one path segment, `**` spans any
    number of segments. A pattern without wildcards also matches the files below it (a
    planned folder). Segment-wise dynamic programming: linear in the path per pattern."""
    pattern = clean_glob(pattern)
    if not pattern:
        return False
    if not has_magic(pattern):
        return path == pattern or path.startswith(pattern.rstrip("/") + "/")
    pat, parts = pattern.split("/"), path.split("/")
    # reachable[j]: the pattern segments seen so far can consume exactly parts[:j]
    reachable = [True] + [False] * len(parts)
    for seg in pat:
        if seg == "**":
            for j in range(1, len(parts) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
            continue
        nxt = [False] * (len(parts) + 1)
        for j in range(len(parts)):
            if reachable[j] and fnmatch.fnmatchcase(parts[j], seg):
                nxt[j + 1] = True
        reachable = nxt
    return reachable[len(parts)]


def _tested_module(path: str) -> tuple[str | None, str] | None:
    """For a test file, (folder the module must be in, or None for anywhere; module name)."""
    folder, name = posixpath.split(path)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return None
    if ext == "py":
        if stem.startswith("test_") and len(stem) > 5:
            return None, stem[5:] + ".py"
        if stem.endswith("_test") and len(stem) > 5:
            return None, stem[:-5] + ".py"
    if ext == "go" and stem.endswith("_test") and len(stem) > 5:
        return folder, stem[:-5] + ".go"
    if ext in _JS_EXTS:
        for kind in (".test", ".spec"):
            if stem.endswith(kind) and len(stem) > len(kind):
                return None, f"{stem[: -len(kind)]}.{ext}"
    return None


def tests_planned_module(path: str, planned: list[str] | tuple[str, ...]) -> bool:
    """The test-file convention: `tests/test_<module>.py` (or `<module>_test.py`) tests a
    planned `<module>.py` anywhere; `<module>_test.go` tests a planned `<module>.go` in the
    same folder; `<module>.test.ts` / `.spec.ts` (and js, jsx, tsx) a planned `<module>.ts`."""
    found = _tested_module(path)
    if found is None:
        return False
    folder, module = found
    for pattern in planned:
        pattern = clean_glob(pattern)
        if folder is not None:
            if glob_match(pattern, posixpath.join(folder, module) if folder else module):
                return True
            continue
        last = pattern.rsplit("/", 1)[-1]
        if last == "**" or fnmatch.fnmatchcase(module, last):
            return True
    return False


def is_planned(path: str, planned: list[str] | tuple[str, ...]) -> bool:
    return any(glob_match(p, path) for p in planned) or tests_planned_module(path, planned)


def split_planned(touched: list[str], planned: list[str] | tuple[str, ...], accepted=()):
    """(planned, unplanned) touched files; `accepted` are unplanned files a person allowed."""
    scope = [*planned, *accepted]
    yes = [p for p in touched if is_planned(p, scope)]
    chosen = set(yes)
    return yes, [p for p in touched if p not in chosen]


def unmatched_globs(planned, files) -> list[str]:
    """Planned entries with wildcards that match no file of the repository."""
    return [
        p for p in planned if has_magic(clean_glob(p)) and not any(glob_match(p, f) for f in files)
    ]


def bad_globs(planned) -> list[str]:
    """Planned entries that leave the repository or are empty."""
    bad = []
    for p in planned:
        text = clean_glob(str(p))
        if not text or text.startswith("/") or ".." in text.split("/"):
            bad.append(str(p))
    return bad


# --- sizes -------------------------------------------------------------------------------


def top_dirs(paths) -> list[str]:
    """Top-level modules touched (`ygs.core.sizes.modules`: tests and docs never count)."""
    return sorted(modules(paths))


def planned_class(size: str, planned, planned_lines: int | None = None) -> str:
    """The task's class: its `size` (S, M, L) when set, else from its planned files; the
    larger of the two when both say something."""
    cleaned = [clean_glob(str(p)) for p in planned]
    counted = size_class(len(cleaned), planned_lines, len(top_dirs(cleaned)))
    given = SIZE_CLASS.get(str(size or "").strip().upper())
    if given is None:
        return counted
    return max(given, counted, key=CLASSES.index)


# --- decisions ---------------------------------------------------------------------------


def checkpoint_due(since_checkpoint: int, every: int) -> bool:
    return every > 0 and since_checkpoint >= every


def must_stop(unplanned: int, limit: int) -> bool:
    return limit > 0 and unplanned >= limit


def would_stop(unplanned: int, limit: int) -> bool:
    """True when one more unplanned file reaches the limit."""
    return limit > 0 and unplanned + 1 >= limit


def attempts_exhausted(red_in_a_row: int, limit: int) -> bool:
    return limit > 0 and red_in_a_row >= limit


# --- deviations --------------------------------------------------------------------------


def _word(token: str) -> str:
    return token.strip(",.;:!?()\"'`").lower()


def parse_deviation(text: str) -> tuple[str, list[str]]:
    """(the line to log, the parts missing). A deviation says what the design said, what was
    done instead, and why: `design said X, did Y because Z`."""
    words = " ".join(text.split()).split(" ")
    if words and _word(words[0]) == "deviation":
        words = words[1:]
    lower = [_word(w) for w in words]
    end = len(lower)
    said = lower.index("said") if "said" in lower else -1
    did = next((i for i in range(said + 1, end) if lower[i] == "did"), -1)
    because = next((i for i in range(max(did, said) + 1, end) if lower[i] == "because"), -1)
    said_stop = did if did >= 0 else because if because >= 0 else end
    missing = []
    if said <= 0 or said_stop - said < 2:
        missing.append("what the design said (`design said X`)")
    if did < 0 or (because if because >= 0 else end) - did < 2:
        missing.append("what was done instead (`did Y`)")
    if because < 0 or end - because < 2:
        missing.append("why (`because Z`)")
    return "Deviation: " + " ".join(words).strip(), missing


# --- names -------------------------------------------------------------------------------


def slugify(text: str, limit: int = 40) -> str:
    out, dash = [], False
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:limit].strip("-") or "task"


def run_id(task_id: str, nonce: str) -> str:
    return f"{task_id}-{nonce}"


def branch_name(task_id: str, slug: str, nonce: str) -> str:
    return f"{BRANCH_PREFIX}{task_id}-{slugify(slug)}-{nonce}"


def run_of_branch(branch: str) -> str | None:
    """`ygs/TASK-004-fix-login-a3f1` -> `TASK-004-a3f1`; None for any other branch."""
    if not branch.startswith(BRANCH_PREFIX):
        return None
    name = branch[len(BRANCH_PREFIX) :]
    head, _, nonce = name.rpartition("-")
    parts = head.split("-")
    if len(parts) < 2 or len(nonce) != 4 or not all(c in "0123456789abcdef" for c in nonce):
        return None
    if not parts[1].isdigit():
        return None
    return f"{parts[0]}-{parts[1]}-{nonce}"


# --- the final status line ----------------------------------------------------------------

# A run's completion status -> the exit code an orchestrator routes on (DESIGN's codes; the
# skills' orchestrated-runs.md has the same table).
STATUS_EXIT = {
    "DONE": 0,
    "DONE_WITH_CONCERNS": 0,
    "NEEDS_INPUT": 3,
    "BLOCKED": 3,
    "TESTS_FAILING": 4,
}


def final_status(text: str) -> dict | None:
    """The agent's final status object: the last line of `text` that is a JSON object with
    a `status` key (everything before it is for humans)."""
    import json

    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "status" in value:
            return value
    return None


def status_exit(line: str) -> int:
    """The exit code for an agent's output: its last JSON object with a `status` key; a run
    that ends without one is BLOCKED (3)."""
    found = final_status(line)
    if found is None:
        return 3
    return STATUS_EXIT.get(str(found["status"]).upper(), 3)


# --- picking the next task ---------------------------------------------------------------


def _id_number(task_id: str) -> int:
    digits = "".join(ch for ch in task_id if ch.isdigit())
    return int(digits) if digits else 0


def priority_rank(priority: str) -> int:
    text = str(priority or "").strip().upper()
    return int(text[1:]) if len(text) == 2 and text[0] == "P" and text[1].isdigit() else 9


def pick_next(tasks) -> list:
    """Backlog tasks whose dependencies are all done, best first: P0 before P1 before P2,
    then the lowest id."""
    done = {t.id for t in tasks if t.status == "done"}
    ready = [t for t in tasks if t.status == "backlog" and all(d in done for d in t.depends_on)]
    return sorted(ready, key=lambda t: (priority_rank(t.priority), _id_number(t.id), t.id))
