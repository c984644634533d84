"""The Prompter: questionary in a terminal, an answers file otherwise. One interface.

A prompter only moves text between a person (or a file) and the interview
loop; deciding what an answer means is `ygs.interview.answers`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ygs.errors import Exit, YgsError
from ygs.interview.answers import as_text

COMMANDS = ("?", "back", "skip", "done", "keep")
NOT_APPLICABLE = "n/a"  # `n/a because …` marks the whole section not applicable
ACCEPT = ""  # empty input: take the recommendation


@dataclass(frozen=True)
class View:
    key: str
    label: str  # "Requirements 2"
    text: str  # the question
    why: str
    kind: str
    recommended: Any
    help: str = ""
    choices: tuple[str, ...] = ()
    unit: str = ""
    required: bool = True
    is_more: bool = False
    progress: str = ""
    rationale: str = ""  # the model's reason for this question, when a model asked it
    draft: Any = None  # what the person typed last time, rejected: offered again to edit
    problem: str = ""  # why the draft was rejected
    rules: tuple[str, ...] = ()  # the checks the answer must pass, as a person reads them
    section: str = ""  # the section (dimension) title, for `n/a because …`


class Prompter(Protocol):
    interactive: bool

    def has(self, key: str) -> bool: ...

    def ask(self, view: View) -> Any: ...

    def rejected(self, view: View, message: str) -> None: ...

    def challenged(self, view: View, ask: str) -> Any: ...

    def confirm(self, summary: str, gaps: list[str], target: str) -> bool: ...

    def say(self, text: str) -> None: ...


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(f"    - {as_text(v)}" for v in value) or "    (none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return as_text(value) or "(none)"


@dataclass
class TerminalPrompter:
    """questionary prompts on a real terminal; Enter accepts the recommendation."""

    interactive: bool = True

    def _line(self, message: str, default: str = "") -> str:
        import questionary

        answer = questionary.text(message, qmark="›", default=default).ask()
        if answer is None:  # Ctrl-C or Ctrl-D: the journal already holds every answer given
            raise KeyboardInterrupt
        return answer

    def has(self, key: str) -> bool:
        return False

    def say(self, text: str) -> None:
        sys.stdout.write(text.rstrip("\n") + "\n")
        sys.stdout.flush()

    def ask(self, view: View) -> Any:
        self.say(_header(view))
        if view.is_more:
            answer = self._line(f"{view.text} [{'Y/n' if view.recommended else 'y/N'}]").strip()
            return answer if answer in COMMANDS else (answer or view.recommended)
        if view.kind in ("list", "scenario"):
            return self._lines(view)
        if view.kind == "choice":
            self.say("\n".join(f"  {i}. {c}" for i, c in enumerate(view.choices, 1)))
        if view.draft is not None:
            self.say(f"  your answer is kept below; edit it, or Enter keeps it ({view.problem})")
        return self._line("Answer", as_text(view.draft or "")).strip()

    def _lines(self, view: View) -> Any:
        hint = "Given …, when …, then …" if view.kind == "scenario" else "one item"
        kept = [as_text(x) for x in view.draft] if isinstance(view.draft, list) else []
        if kept:
            self.say(
                "  kept from your answer:\n"
                + "\n".join(f"    - {x}" for x in kept)
                + f"\n  add what is missing ({view.problem}); an empty line ends"
            )
        items: list[str] = []
        while True:
            line = self._line(f"{hint} per line, empty line ends").strip()
            if not items and (line in COMMANDS or line.startswith(NOT_APPLICABLE)):
                return line
            if not items and line == ACCEPT:
                return kept or line
            if not line:
                return kept + items
            items.append(line)

    def rejected(self, view: View, message: str) -> None:
        self.say(f"  ✗ {message}")

    def challenged(self, view: View, ask: str) -> Any:
        self.say(
            f"  ? {ask}\n    Type a sharper answer, or `keep` to keep yours"
            " (it becomes an open question)."
        )
        if view.kind in ("list", "scenario"):
            return self._lines(view)
        return self._line("Answer").strip()

    def confirm(self, summary: str, gaps: list[str], target: str) -> bool:
        self.say("\n" + summary)
        if gaps:
            self.say("Still open (written as TBD): " + ", ".join(gaps))
        answer = self._line(f"Write {target}? [Y/n]").strip().lower()
        return answer in ("", "y", "yes")


def _header(view: View) -> str:
    lines = [f"\n[{view.label}] {view.progress}  {view.key}".rstrip(), f"  {view.text}"]
    if view.why and not view.is_more:
        lines.append(f"  why: {view.why}")
    if view.rationale:
        lines.append(f"  (asked because: {view.rationale})")
    if view.unit:
        lines.append(f"  unit: {view.unit}")
    if not view.is_more:
        lines.append(
            f"  recommended:\n{_shown(view.recommended)}"
            if isinstance(view.recommended, list)
            else f"  recommended: {_shown(view.recommended)}"
        )
        extra = "" if view.required else ", skip"
        if view.recommended in ("", [], None):
            lines[-1] = "  recommended: (none: type your answer)"
        lines.append(
            f"  (Enter accepts the recommendation; ? explains, back, done{extra}, "
            f"{NOT_APPLICABLE} because …)"
        )
    return "\n".join(lines)


def help_text(view: View) -> str:
    """What `?` adds beyond the header: guidance, an example, the checks, the commands."""
    lines = [f"  {view.help}"] if view.help else []
    if view.recommended not in ("", [], None):
        lines.append("  example (the recommendation):\n" + _shown(view.recommended))
    if view.rules:
        lines.append("  checked: " + "; ".join(view.rules))
    if view.why:
        lines.append(f"  what it changes: {view.why}")
    lines.append(
        "  commands: Enter accepts, back, done, skip (optional questions), "
        f"keep (after a challenge), {NOT_APPLICABLE} because … (the whole section"
        + (f" '{view.section}')" if view.section else ")")
    )
    return "\n".join(lines)


@dataclass
class FilePrompter:
    """Non-interactive: answers by key from a YAML file, then the recommendation."""

    answers: dict
    source: str = "defaults"
    lines: dict = field(default_factory=dict)
    interactive: bool = False
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_file(cls, path: Path | None) -> FilePrompter:
        if path is None:
            return cls({})
        from ygs.core import yamltext
        from ygs.store import read_text

        text = read_text(path)
        try:
            data, lines = yamltext.load_with_lines(text)
        except yamltext.YamlError as err:
            raise YgsError(
                err.message,
                path=str(path),
                line=err.line,
                remedy="fix the YAML; keys are question ids",
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise YgsError("an answers file maps question ids to answers", path=str(path), line=1)
        return cls(data, str(path), lines)

    def lookup(self, key: str) -> tuple[bool, Any]:
        node: Any = self.answers
        for part in _parts(key):
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return False, None
            elif not isinstance(node, dict) or part not in node:
                return False, None
            node = node[part]
        return True, node

    def has(self, key: str) -> bool:
        found, value = self.lookup(key)
        return found and value is not None

    def line_of(self, key: str) -> int | None:
        return self.lines.get(tuple(_parts(key)))

    def ask(self, view: View) -> Any:
        found, value = self.lookup(view.key)
        if view.is_more:  # the file's list decides; without one, the recommendation does
            listed, _ = self.lookup(view.key.rsplit("[", 1)[0])
            return found if listed else view.recommended
        if found and value is not None:
            return value
        return ACCEPT

    def rejected(self, view: View, message: str) -> None:
        if not self.lines:  # no answers file: the answer came from ygs itself
            raise YgsError(
                f"answer for '{view.key}': {message}",
                remedy=f"pass --answers FILE with a '{view.key}' answer, or run in a terminal",
            )
        raise YgsError(
            f"answer for '{view.key}': {message}",
            path=self.source,
            line=self.line_of(view.key),
            remedy="fix the answer in the answers file",
        )

    def challenged(self, view: View, ask: str) -> Any:
        self.notes.append(f"{view.key}: kept as an open question ({ask})")
        return "keep"

    def confirm(self, summary: str, gaps: list[str], target: str) -> bool:
        return True

    def say(self, text: str) -> None:
        sys.stderr.write(text.rstrip("\n") + "\n")


def _parts(key: str) -> list[str | int]:
    """`requirements[1].statement` → ['requirements', 1, 'statement']."""
    parts: list[str | int] = []
    for piece in key.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append(int(index))
            rest = rest.lstrip("[")
    return parts


def missing_answer(key: str, answers: dict | None = None) -> YgsError:
    """Exit 3 naming the key, with a ready-to-fill answers file of every answer so far."""
    import yaml

    filled = {k: v for k, v in (answers or {}).items() if v not in (None, [], "", [{}])}
    nested = "." in key or "[" in key
    if not nested:
        filled[key] = "…"
    text = yaml.safe_dump(filled, sort_keys=False, allow_unicode=True).rstrip()
    return YgsError(
        f"no answer for required question '{key}' in non-interactive mode",
        code=Exit.BLOCKED,
        details=["a ready-to-fill answers file (fill in '…', then pass it with --answers):"]
        + text.splitlines()
        + ([f"# and the answer for {key}"] if nested else []),
        remedy=f"add '{key}' to the --answers file, or run in a terminal",
    )
