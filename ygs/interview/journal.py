"""Interview journals: `.ygs/sessions/<skill>-<time>.jsonl`, one fsynced line per event.

The first line is a header (skill, bank hash, context, meta); then events;
a final `written` line marks a finished session. Ctrl-C or a crash at any
point loses no answer that was given. Secrets in answers are redacted as values
before a line is encoded, so every line stays valid JSON.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ygs.core.secrets import redact_data
from ygs.errors import YgsError
from ygs.interview.machine import Event
from ygs.store import append_line


@dataclass
class Journal:
    path: Path
    header: dict
    events: list[Event]
    written: str | None = None

    @classmethod
    def start(cls, sessions: Path, skill: str, header: dict) -> Journal:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        path = sessions / f"{skill}-{stamp}-{secrets.token_hex(2)}.jsonl"
        journal = cls(path, {"t": "start", "skill": skill, **header}, [])
        append_line(path, _line(journal.header))
        return journal

    def add(self, event: Event) -> None:
        append_line(self.path, _line(event.to_json()))
        self.events.append(event)

    def mark_written(self, artifact: str) -> None:
        append_line(self.path, _line({"t": "written", "path": artifact}))
        self.written = artifact

    @classmethod
    def load(cls, path: Path) -> Journal:
        header: dict = {}
        events: list[Event] = []
        written = None
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                if number == len(lines):
                    break  # a line cut short by a crash: everything before it stands
                raise _bad(path, number, "is not JSON") from None
            if not isinstance(data, dict):
                raise _bad(path, number, f"is JSON but not an object ({type(data).__name__})")
            kind = data.get("t")
            if kind == "start":
                header = data
            elif kind == "written":
                written = data.get("path")
            else:
                events.append(_event(data, path, number))
        if not header:
            raise YgsError("not an interview journal (no start line)", path=str(path), line=1)
        return cls(path, header, events, written)


def _bad(path: Path, number: int, why: str) -> YgsError:
    return YgsError(
        f"journal line {why}",
        path=str(path),
        line=number,
        remedy="fix or delete that line, or start a new interview (without --resume)",
    )


def _event(data: dict, path: Path, number: int) -> Event:
    if not isinstance(data.get("kept", []), list) or not isinstance(data.get("t", ""), str):
        raise _bad(path, number, "has fields of the wrong type")
    return Event.from_json(data)


def _line(data: dict) -> str:
    """One journal line: secrets redacted in the values, then encoded (never the other way)."""
    return json.dumps(redact_data(data), ensure_ascii=False, default=str)


def sessions_dir(root: Path) -> Path:
    return root / ".ygs" / "sessions"


def latest_unfinished(root: Path, skill: str) -> Journal | None:
    folder = sessions_dir(root)
    if not folder.is_dir():
        return None
    for path in sorted(
        folder.glob(f"{skill}-*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True
    ):
        journal = Journal.load(path)
        if journal.written is None:
            return journal
    return None


def find(root: Path, ref: str) -> Journal:
    """A journal by path or by file name in .ygs/sessions/."""
    candidates = [Path(ref), sessions_dir(root) / ref, sessions_dir(root) / f"{ref}.jsonl"]
    for path in candidates:
        if path.is_file():
            return Journal.load(path)
    raise YgsError(
        f"no interview journal '{ref}'",
        remedy="list them with `ls .ygs/sessions/`; pass a file name or path",
    )
