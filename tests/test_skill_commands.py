"""The skills are the contract: every `ygs …` command a skill, a reference, the README or a
message of ygs itself names must exist, with every flag it names.

Each command line is taken from inline code (`ygs …`) and fenced blocks, reduced to its
command path and flags, and checked by running `ygs <command path> --help` for real.
Commands that later issues build are listed in NOT_YET; each of those issues removes its
names, until the list is empty.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO

# Built by later issues; they shrink this list to empty.
NOT_YET: set[str] = set()
# Flags of existing commands that a later issue adds; empty: every flag a skill names exists.
NOT_YET_FLAGS: set[tuple[str, ...]] = set()
GLOBAL_FLAGS = {"--json", "--non-interactive", "-C", "--directory", "-v", "--verbose", "-q"}
GLOBAL_FLAGS |= {"--quiet", "--version", "-h", "--help"}
_SPAN = re.compile(r"`(ygs [^`]+)`")
_FENCE_LINE = re.compile(r"^\s*(?:\$\s+)?(ygs\s.+)$")
_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
_FLAG = re.compile(r"^(--?[A-Za-z][\w-]*)")


def _sources() -> list[Path]:
    found = sorted((REPO / "skills").rglob("*.md"))
    return [*found, REPO / "README.md"]


def command_lines(text: str) -> list[str]:
    """Every `ygs …` in inline code, and every `ygs …` line of a fenced block."""
    found = [" ".join(m.group(1).split()) for m in _SPAN.finditer(text)]
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = _FENCE_LINE.match(line) if fenced else None
        if match:
            found.append(" ".join(match.group(1).split()))
    return found


def _tokens(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def parse(line: str, groups: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """(command path, flags). `groups`: command -> its subcommands, for the known groups."""
    words = _tokens(line)[1:]
    path: list[str] = []
    flags: list[str] = []
    for word in words:
        if word in ("|", "&&", ";", ">"):
            break  # the rest is another program
        if word.startswith("-"):
            match = _FLAG.match(word)
            if match:
                flags.append(match.group(1))
            continue
        if (not path and _WORD.match(word)) or (
            len(path) == 1 and word in groups.get(path[0], set())
        ):
            path.append(word)
        elif flags and not path:
            continue
    return path, flags


def _name(command) -> str:
    return command.name or command.callback.__name__.replace("_", "-")


def _groups() -> dict[str, set[str]]:
    """command group -> its subcommands; "" -> every top-level command."""
    import typer

    from ygs.cli.app import COMMAND_MODULES

    app = typer.Typer()
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(f"ygs.cli.{name}").register(app)
    found = {
        "": {_name(c) for c in app.registered_commands} | {g.name for g in app.registered_groups}
    }
    for group in app.registered_groups:
        instance = group.typer_instance
        names = {
            c.name or c.callback.__name__.replace("_", "-") for c in instance.registered_commands
        }
        names |= {g.name for g in instance.registered_groups}
        found[group.name] = names
    return found


GROUPS = _groups()


def collect() -> dict[tuple[str, ...], dict[str, set[str]]]:
    """command path -> {flag: the files that name it}, plus the files naming the command."""
    found: dict[tuple[str, ...], dict[str, set[str]]] = {}
    for source in _sources():
        rel = source.relative_to(REPO).as_posix()
        for line in command_lines(source.read_text(encoding="utf-8")):
            path, flags = parse(line, GROUPS)
            if not path:
                continue
            entry = found.setdefault(tuple(path), {"": set()})
            entry[""].add(rel)
            for flag in flags:
                entry.setdefault(flag, set()).add(rel)
    return found


COMMANDS = collect()


def test_the_extraction_finds_the_planning_commands():
    for path in (("wbs", "plan"), ("wbs",), ("estimate", "calc"), ("spike",), ("task", "move")):
        assert path in COMMANDS, path
    assert "--best" in COMMANDS[("estimate", "calc")]
    assert parse("ygs wbs plan --from .ygs/wbs/x.yaml --json", GROUPS) == (
        ["wbs", "plan"],
        ["--from", "--json"],
    )
    assert parse('ygs spike "can it?" --answers FILE', GROUPS) == (["spike"], ["--answers"])


def test_the_allowlist_only_names_commands_that_do_not_exist_yet(ygs):
    assert {"wbs", "task", "estimate", "spike", "check"} <= GROUPS[""]
    built = sorted(NOT_YET & GROUPS[""])
    assert built == [], f"built now: remove {built} from NOT_YET"
    assert ygs("no-such-command", "--help").code == 2  # what the allowlist stands for


@pytest.mark.parametrize("path", sorted(p for p in COMMANDS if p[0] not in NOT_YET), ids=" ".join)
def test_every_named_command_and_flag_exists(ygs, path):
    result = ygs(*path, "--help")
    where = ", ".join(sorted(COMMANDS[path][""]))
    assert result.code == 0, f"`ygs {' '.join(path)}` (named in {where}): {result.stderr}"
    missing = [
        f"{flag} (in {', '.join(sorted(files))})"
        for flag, files in COMMANDS[path].items()
        if flag
        and flag not in GLOBAL_FLAGS
        and (*path, flag)[-2:] not in NOT_YET_FLAGS
        and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", result.stdout)
    ]
    assert missing == [], f"`ygs {' '.join(path)} --help` does not list {missing}"


def _code_strings() -> list[tuple[str, str]]:
    """`ygs …` commands named in ygs's own messages: Next: suggestions and remedies."""
    found = []
    for source in sorted((REPO / "ygs").rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        for match in _SPAN.finditer(text):
            found.append((source.relative_to(REPO).as_posix(), match.group(1)))
    return found


def test_messages_name_commands_that_exist(ygs):
    from ygs.core import lifecycle
    from ygs.interview.session import NEXT

    lines = [line for _, line in _code_strings()]
    lines += [f"ygs {text.split('ygs ', 1)[1]}" for text in NEXT.values() if "ygs " in text]
    source = Path(lifecycle.__file__).read_text(encoding="utf-8")
    lines += re.findall(r'"(ygs [a-z][a-z -]*)', source)
    assert len(lines) > 30  # the scan found the messages
    paths = {tuple(parse(line.split(" or ")[0], GROUPS)[0]) for line in lines}
    missing = [p for p in sorted(paths) if p and p[0] not in NOT_YET and ygs(*p, "--help").code]
    assert missing == []
