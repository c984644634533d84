"""The anthropic executor's tools: what a model may do to the repository, and nothing more.

read_file, list_files, search, write_file, edit_file (exact-string replace), run_tests,
guard_status and checkpoint. There is no general shell. Every path goes through
`ygs.store.inside` (relative, no `..`, no linked folder on the way) and then the guard's
own rules: nothing outside the repository once links are resolved, nothing under `.git/`
in any letter case, no `.env*` or key files, and for writes everything `ygs guard hook`
refuses (`.ygs/`, the user's own uncommitted files, the write that would make the 3rd
unplanned file). A refusal is the tool's answer, with the reason, and a line in the run's
`hook.jsonl`; nothing is read or written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ygs.build import git
from ygs.core.secrets import is_secret_file, redact
from ygs.errors import YgsError

READ_LIMIT = 200_000  # characters of one read_file answer
LIST_LIMIT = 500
SEARCH_HITS = 100
SEARCH_FILE_BYTES = 1_000_000

_PATH = {"type": "string", "description": "A path relative to the repository root."}

DEFINITIONS = (
    {
        "name": "read_file",
        "description": "Read a text file of the repository (secret files are never shown).",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": _PATH,
                "offset": {"type": "integer", "description": "First line (1-based)."},
                "limit": {"type": "integer", "description": "Number of lines."},
            },
            "required": ["path"],
        },
    },
    {
        "name": "list_files",
        "description": "List the repository's files (tracked and new, not ignored) under a folder.",
        "input_schema": {
            "type": "object",
            "properties": {"path": {**_PATH, "description": "A folder; default the root."}},
        },
    },
    {
        "name": "search",
        "description": "Find lines containing a literal text (not a regex) in the repository.",
        "input_schema": {
            "type": "object",
            "properties": {"text": {"type": "string"}, "path": _PATH},
            "required": ["text"],
        },
    },
    {
        "name": "write_file",
        "description": "Create or replace a file with the given content.",
        "input_schema": {
            "type": "object",
            "properties": {"path": _PATH, "content": {"type": "string"}},
            "required": ["path", "content"],
        },
    },
    {
        "name": "edit_file",
        "description": "Replace the one occurrence of old_text in a file with new_text.",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": _PATH,
                "old_text": {"type": "string"},
                "new_text": {"type": "string"},
            },
            "required": ["path", "old_text", "new_text"],
        },
    },
    {
        "name": "run_tests",
        "description": "Run the project's test command (optionally with extra arguments, "
        "such as one test file) under its timeout; returns the counts and the failures.",
        "input_schema": {
            "type": "object",
            "properties": {"args": {"type": "array", "items": {"type": "string"}}},
        },
    },
    {
        "name": "guard_status",
        "description": "The run's counts from git: touched, planned and unplanned files, "
        "files since the last checkpoint, whether a checkpoint is due or the run must stop.",
        "input_schema": {"type": "object", "properties": {}},
    },
    {
        "name": "checkpoint",
        "description": "Build and test now; when green ygs commits the run's files.",
        "input_schema": {"type": "object", "properties": {}},
    },
)
WRITES = frozenset({"write_file", "edit_file"})


class Refused(Exception):
    """A tool call the rules do not allow; the message is the reason."""


class ToolBox:
    def __init__(self, driver) -> None:
        self.driver = driver
        self.run = driver.run
        self.top = driver.top
        self.end_session = False  # set when the guard stops the run or the fixes are used up

    def definitions(self) -> list[dict]:
        return [dict(d) for d in DEFINITIONS]

    def call(self, name: str, args: dict) -> tuple[str, bool]:
        """(the answer for the model, is it an error)."""
        handler = getattr(self, f"_{name}", None)
        if name not in {d["name"] for d in DEFINITIONS} or handler is None:
            return f"unknown tool {name}: use one of the tools given", True
        if not isinstance(args, dict):
            return "the tool input must be a JSON object", True
        try:
            return handler(args), False
        except Refused as refusal:
            self._audit(name, args, str(refusal))
            return f"refused: {refusal}", True
        except YgsError as err:
            return f"error: {err.message}" + (f" ({err.remedy})" if err.remedy else ""), True

    # --- paths ---------------------------------------------------------------------------

    def resolve(self, raw, *, write: bool = False) -> tuple[str, Path]:
        """(path relative to the work tree, absolute path), or Refused with the reason."""
        from ygs.store import Escape, inside

        if not isinstance(raw, str) or not raw.strip():
            raise Refused("give a path relative to the repository root")
        text = raw.strip().replace("\\", "/")
        while text.startswith("./"):
            text = text[2:]
        if ".." in text.split("/"):
            raise Refused(f"{raw} contains '..': name the plain path inside the repository")
        if os.path.isabs(text) or text.startswith("~"):
            raise Refused(f"{raw} is absolute: name a path relative to the repository root")
        try:
            path = inside(self.top, text or ".", opt_in=None)
        except Escape as err:
            raise Refused(f"{raw}: {err.message}") from None
        real = os.path.realpath(path)
        root = os.path.realpath(self.top)
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            raise Refused(f"{raw} leads outside the repository ({real})")
        rel = os.path.relpath(real, root).replace(os.sep, "/")
        parts = {p.casefold() for p in (*text.split("/"), *rel.split("/"))}
        if ".git" in parts:
            raise Refused(f"{raw} is inside .git/: git's own files are not for reading or writing")
        if not write and (is_secret_file(text) or is_secret_file(rel)):
            raise Refused(f"{raw} is a secret file (.env*, a key, credentials): never read")
        if write:
            from ygs.build.hook import Where, write_refusal

            where = Where(self.top, self.top, self.driver.ctx.root, self.run)
            where._snap = self.driver.counted  # the last counts, when there are any
            reason = write_refusal(where, str(self.top / text))
            if reason:
                raise Refused(reason)
        return ("" if rel == "." else rel), path

    def _audit(self, name: str, args: dict, reason: str) -> None:
        from ygs.core.secrets import redact_data
        from ygs.store import append_line

        shown = {
            k: (v if k != "content" else f"<{len(str(v))} characters>") for k, v in args.items()
        }
        record = {"event": "tool", "tool": name, "input": shown, "answer": {"refused": reason}}
        append_line(self.run.folder / "hook.jsonl", json.dumps(redact_data(record), sort_keys=True))
        self.driver.conversation.add("refused", tool=name, reason=reason)

    # --- reading -------------------------------------------------------------------------

    def _read_file(self, args: dict) -> str:
        from ygs.store import Unreadable, read_bytes

        rel, path = self.resolve(args.get("path"))
        try:
            data = read_bytes(path, within=self.top)
        except Unreadable as err:
            raise Refused(f"{rel} {err.message}") from None
        if b"\0" in data[:8192]:
            return f"{rel} is a binary file ({len(data)} bytes)"
        lines = data.decode("utf-8", "replace").splitlines()
        start = max(int(args.get("offset") or 1), 1)
        count = int(args.get("limit") or len(lines))
        chosen = lines[start - 1 : start - 1 + max(count, 0)]
        text = "\n".join(f"{n:>5}  {line}" for n, line in enumerate(chosen, start))
        if len(text) > READ_LIMIT:
            text = text[:READ_LIMIT] + "\n[… cut: read a smaller range with offset and limit]"
        return text or f"{rel} is empty"

    def _files(self) -> list[str]:
        listing = git.run(self.top, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        return [f for f in git.paths(listing.stdout) if not is_secret_file(f)]

    def _list_files(self, args: dict) -> str:
        rel, _ = self.resolve(args.get("path") or ".")
        prefix = rel + "/" if rel else ""
        found = [f for f in self._files() if f.startswith(prefix) and not f.startswith(".ygs/")]
        shown = found[:LIST_LIMIT]
        more = f"\n[… {len(found) - LIST_LIMIT} more]" if len(found) > LIST_LIMIT else ""
        return "\n".join(shown) + more if shown else f"no files under {rel or '.'}"

    def _search(self, args: dict) -> str:
        needle = str(args.get("text") or "")
        if not needle:
            raise Refused("give the text to search for")
        rel, _ = self.resolve(args.get("path") or ".")
        prefix = rel + "/" if rel else ""
        hits: list[str] = []
        for name in self._files():
            if not name.startswith(prefix) and name != rel:
                continue
            path = self.top / name
            try:
                if path.is_symlink() or path.stat().st_size > SEARCH_FILE_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:8192] or needle.encode() not in data:
                continue
            for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if needle in line:
                    hits.append(f"{name}:{number}: {line.strip()[:200]}")
                    if len(hits) >= SEARCH_HITS:
                        return "\n".join(hits) + "\n[… more hits: narrow the search]"
        return "\n".join(hits) or f"no line contains {needle!r}"

    # --- writing -------------------------------------------------------------------------

    def _after(self, rel: str, verb: str) -> str:
        self.driver.conversation.add("write", tool=verb, path=rel)
        note, end = self.driver.after_write(rel)
        if end:
            self.end_session = True
        return f"{verb} {rel}" + (f"\n\n{note}" if note else "")

    def _write_file(self, args: dict) -> str:
        from ygs.store import atomic_write

        content = args.get("content")
        if not isinstance(content, str):
            raise Refused("content must be text")
        rel, path = self.resolve(args.get("path"), write=True)
        if path.is_dir():
            raise Refused(f"{rel} is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content)
        return self._after(rel, "wrote")

    def _edit_file(self, args: dict) -> str:
        from ygs.store import Unreadable, atomic_write, read_bytes

        old, new = args.get("old_text"), args.get("new_text")
        if not isinstance(old, str) or not isinstance(new, str) or not old:
            raise Refused("old_text (not empty) and new_text must be text")
        rel, path = self.resolve(args.get("path"), write=True)
        try:
            text = read_bytes(path, within=self.top).decode("utf-8")
        except (Unreadable, UnicodeDecodeError) as err:
            raise Refused(f"{rel} cannot be edited: {getattr(err, 'message', err)}") from None
        count = text.count(old)
        if count != 1:
            raise YgsError(
                f"old_text occurs {count} times in {rel}",
                remedy="quote more lines around it, so it occurs exactly once",
            )
        atomic_write(path, text.replace(old, new, 1))
        return self._after(rel, "edited")

    # --- the loop's own commands ---------------------------------------------------------

    def _run_tests(self, args: dict) -> str:
        from ygs.build import runner

        extra = args.get("args") or []
        if not isinstance(extra, list) or not all(isinstance(a, str) for a in extra):
            raise Refused("args must be a list of strings")
        ctx = self.driver.ctx
        command = runner.resolve(ctx.root, ctx.config, "test")
        runner.require_test_command(command)
        self.driver.forget_counts()  # the tests may write files
        timeout = min(ctx.timeout(None), max(self.driver.remaining(), 1.0))
        outcome = runner.run("test", command, ctx.root, self.run.folder, timeout, extra=extra)
        lines = [outcome.line()]
        for failure in outcome.counts.failures[:5]:
            where = f" ({failure.where})" if failure.where else ""
            lines.append(f"FAILED {failure.name}{where}: {failure.message}")
        if not outcome.green and outcome.output:
            text = (ctx.root / outcome.output).read_text(encoding="utf-8", errors="replace")
            lines += ["", *text.splitlines()[-40:]]
        return redact("\n".join(lines))

    def _guard_status(self, args: dict) -> str:
        snap = self.driver.snapshot()
        return json.dumps(snap.summary())

    def _checkpoint(self, args: dict) -> str:
        from ygs.build.drive import feedback

        data, _ = self.driver.checkpoint()
        if data.get("state") == "tests_failing" or data.get("refused"):
            self.end_session = True
        return feedback(self.driver.ctx.root, data)
