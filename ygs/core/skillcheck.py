"""Validate one skill folder against the open Agent Skills spec and ygs pack rules.

Pure: the caller reads the folder into a `SkillFiles` value.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from ygs.core import frontmatter
from ygs.core.findings import Finding, Severity
from ygs.interview import bank

SPEC_FIELDS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SKILL_LINES = 500
PACK_MAX_LINES = 300
PACK_HEADINGS = (
    "Purpose",
    "Inputs",
    "Steps",
    "Guardrails",
    "Do NOT",
    "Output",
    "Completion",
    "Next",
)
PHASES = ("requirements", "design", "planning", "build", "review", "test", "close", "team")
TIERS = ("reasoning", "fast")

# Rule ids: stable, shown in every message.
NO_SKILL_MD = "SKL001"
BAD_FRONTMATTER = "SKL002"
BAD_NAME = "SKL003"
BAD_DESCRIPTION = "SKL004"
UNKNOWN_FIELD = "SKL005"
BAD_METADATA = "SKL006"
TOO_LONG = "SKL007"
BROKEN_LINK = "SKL008"
ABSOLUTE_PATH = "SKL009"
BAD_INTERVIEW = "SKL010"
PACK_CONVENTION = "SKL011"
INTERVIEW_SYNTAX = "SKL012"
UNSAFE_FILE = "SKL013"
INPUT_ERROR_RULES = frozenset({BAD_FRONTMATTER, INTERVIEW_SYNTAX, UNSAFE_FILE})

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
_BACKTICK_REF = re.compile(r"`((?:references|scripts|assets)/[^`\s]+)`")
_ABSOLUTE = re.compile(
    r"(?:(?<![\w.:/$-])(?:/(?:home|Users|usr|etc|opt|tmp|var|root|mnt|private|Library|srv)/[^\s`'\")\]]*)"
    r"|(?<![\w/])~/[^\s`'\")\]]*|\$HOME\b|\$\{HOME\}|%USERPROFILE%|\b[A-Z]:\\\\[^\s`]*)"
)


@dataclass(frozen=True)
class SkillFiles:
    folder: str  # display path of the skill folder
    name: str  # folder name
    skill_md: str | None
    interview: str | None  # interview.yaml text, when present
    existing: frozenset[str]  # relative paths of every file and folder inside
    references: tuple[tuple[str, str], ...] = ()  # (relative path, text) of other .md files
    problems: tuple[tuple[str, str], ...] = ()  # (relative path, why it was not read)


def _f(rule: str, path: str, line: int | None, message: str, remedy: str = "") -> Finding:
    return Finding(rule, Severity.MUST, path, line, message, remedy)


def unsafe_file(path: str, problem: str) -> Finding:
    """A link out of the pack, a dangling link, a loop, a FIFO or a device: never read, and
    `ygs install` refuses the pack."""
    return _f(
        UNSAFE_FILE,
        path,
        None,
        f"{path.rsplit('/', 1)[-1]} {problem}",
        "links in a pack may only point at regular files inside the pack",
    )


def check(skill: SkillFiles) -> list[Finding]:
    unsafe = [
        unsafe_file(skill.folder if rel == "." else f"{skill.folder}/{rel}", why)
        for rel, why in skill.problems
    ]
    return unsafe + _check(skill)


def _check(skill: SkillFiles) -> list[Finding]:
    md_path = f"{skill.folder}/SKILL.md"
    if skill.skill_md is None:
        return [_f(NO_SKILL_MD, skill.folder, None, "no SKILL.md", "add SKILL.md with frontmatter")]
    try:
        doc = frontmatter.parse(skill.skill_md)
    except frontmatter.FrontmatterError as err:
        return [_f(BAD_FRONTMATTER, md_path, err.line, err.message, "fix the YAML frontmatter")]
    if not doc.has_frontmatter:
        return [
            _f(BAD_FRONTMATTER, md_path, 1, "SKILL.md has no YAML frontmatter", "start with ---")
        ]
    found = _frontmatter(skill, doc, md_path)
    found += _body(skill, doc, md_path)
    if skill.interview is not None:
        found += _interview(skill)
    if _is_ygs_pack(doc.meta):
        found += _pack_rules(doc, md_path)
    return found


def _frontmatter(skill: SkillFiles, doc: frontmatter.Document, path: str) -> list[Finding]:
    meta, found = doc.meta, []
    for key in meta:
        if key not in SPEC_FIELDS:
            found.append(
                _f(
                    UNKNOWN_FIELD,
                    path,
                    doc.line_of(key),
                    f"'{key}' is not an Agent Skills field",
                    f"allowed: {', '.join(sorted(SPEC_FIELDS))}; agent-specific fields are "
                    "added by `ygs install`",
                )
            )
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        found.append(_f(BAD_NAME, path, doc.line_of("name"), "missing 'name'"))
    elif len(name) > 64 or not NAME_RE.match(name):
        found.append(
            _f(
                BAD_NAME,
                path,
                doc.line_of("name"),
                f"name '{name}' must be 1-64 characters of a-z, 0-9 and single inner hyphens",
            )
        )
    elif name != skill.name:
        found.append(
            _f(
                BAD_NAME,
                path,
                doc.line_of("name"),
                f"name '{name}' differs from folder '{skill.name}'",
            )
        )
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        found.append(_f(BAD_DESCRIPTION, path, doc.line_of("description"), "missing 'description'"))
    elif len(description) > 1024:
        found.append(
            _f(
                BAD_DESCRIPTION,
                path,
                doc.line_of("description"),
                f"description has {len(description)} characters; the limit is 1024",
            )
        )
    compat = meta.get("compatibility")
    if compat is not None and (not isinstance(compat, str) or len(compat) > 500):
        found.append(
            _f(
                UNKNOWN_FIELD,
                path,
                doc.line_of("compatibility"),
                "compatibility must be text ≤ 500",
            )
        )
    metadata = meta.get("metadata")
    if metadata is not None and not _string_map(metadata):
        found.append(
            _f(
                BAD_METADATA,
                path,
                doc.line_of("metadata"),
                "metadata must map text keys to text values",
                "quote numbers and booleans",
            )
        )
    return found


def _string_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _body(skill: SkillFiles, doc: frontmatter.Document, path: str) -> list[Finding]:
    found = []
    total = skill.skill_md.count("\n") + (0 if skill.skill_md.endswith("\n") else 1)
    if total > MAX_SKILL_LINES:
        found.append(
            _f(
                TOO_LONG,
                path,
                MAX_SKILL_LINES + 1,
                f"SKILL.md has {total} lines; keep it ≤ 500",
                "move long checklists into references/",
            )
        )
    found += check_links(doc.body, path, doc.body_line, skill.existing)
    for rel, text in skill.references:
        display = f"{skill.folder}/{rel}"
        found += check_links(text, display, 1, skill.existing, posixpath.dirname(rel))
    return found


def check_links(
    text: str, path: str, first_line: int, existing: frozenset[str], base: str = ""
) -> list[Finding]:
    """Relative links must resolve inside the folder; no absolute or home paths."""
    found = []
    in_fence = False
    for offset, line in enumerate(text.splitlines()):
        number = first_line + offset
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        for match in _ABSOLUTE.finditer(line):
            found.append(
                _f(
                    ABSOLUTE_PATH,
                    path,
                    number,
                    f"absolute or home path '{match.group(0)}'",
                    "use a path relative to the skill folder or the project root",
                )
            )
        if in_fence:
            continue
        targets = [(m.group(1) or m.group(2), base) for m in _LINK.finditer(line)]
        targets += [(ref, "") for ref in _BACKTICK_REF.findall(line)]  # named from the skill root
        for target, relative_to in targets:
            problem = _link_problem(target, relative_to, existing)
            if problem:
                found.append(_f(BROKEN_LINK, path, number, problem, "fix the link or add the file"))
    return found


def _link_problem(target: str, base: str, existing: frozenset[str]) -> str | None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
        return None  # URL, mailto: or in-page anchor
    clean = target.split("#", 1)[0].split("?", 1)[0]
    if not clean:
        return None
    if clean.startswith(("/", "~")):
        return f"link '{target}' is absolute"
    resolved = posixpath.normpath(posixpath.join(base, clean))
    if resolved.startswith(".."):
        return f"link '{target}' points outside the skill folder; installed copies would break"
    if resolved not in existing:
        return f"link '{target}' does not resolve"
    return None


def _interview(skill: SkillFiles) -> list[Finding]:
    path = f"{skill.folder}/interview.yaml"
    result = bank.parse_bank(skill.interview or "")
    if isinstance(result, bank.Bank):
        return []
    return [
        Finding(
            INTERVIEW_SYNTAX if p.message.startswith("malformed YAML") else BAD_INTERVIEW,
            Severity.MUST,
            path,
            p.line,
            p.message,
            "see the interview.yaml schema in the pack's README",
        )
        for p in result
    ]


def _is_ygs_pack(meta: dict) -> bool:
    metadata = meta.get("metadata")
    return isinstance(metadata, dict) and any(str(k).startswith("ygs-") for k in metadata)


def _pack_rules(doc: frontmatter.Document, path: str) -> list[Finding]:
    found = []
    metadata = doc.meta.get("metadata") or {}
    line = doc.line_of("metadata")
    if metadata.get("ygs-phase") not in PHASES:
        found.append(
            _f(
                PACK_CONVENTION,
                path,
                line,
                f"metadata.ygs-phase must be one of {', '.join(PHASES)}",
            )
        )
    if metadata.get("ygs-tier") not in TIERS:
        found.append(_f(PACK_CONVENTION, path, line, "metadata.ygs-tier must be reasoning or fast"))
    command = metadata.get("ygs-command", "")
    if not isinstance(command, str) or not command.startswith("ygs "):
        found.append(
            _f(PACK_CONVENTION, path, line, "metadata.ygs-command must be a `ygs …` command")
        )
    body_lines = doc.body.count("\n")
    if body_lines > PACK_MAX_LINES:
        found.append(
            _f(
                PACK_CONVENTION,
                path,
                doc.body_line + PACK_MAX_LINES,
                f"body has {body_lines} lines; pack skills keep it ≤ {PACK_MAX_LINES}",
            )
        )
    headings = [(doc.body_line + i, text) for i, text in _h2_headings(doc.body)]
    names = [h for _, h in headings]
    if names != list(PACK_HEADINGS):
        missing = [h for h in PACK_HEADINGS if h not in names]
        extra = [h for h in names if h not in PACK_HEADINGS]
        detail = "; ".join(
            part
            for part in (
                f"missing: {', '.join(missing)}" if missing else "",
                f"not allowed: {', '.join(extra)}" if extra else "",
                "out of order" if not missing and not extra else "",
            )
            if part
        )
        found.append(
            _f(
                PACK_CONVENTION,
                path,
                headings[0][0] if headings else doc.body_line,
                f"sections must be ## {' / '.join(PACK_HEADINGS)} ({detail})",
            )
        )
    return found


def _h2_headings(body: str) -> list[tuple[int, str]]:
    """Second-level headings outside fenced code blocks, with their 0-based line offsets."""
    found, fence = [], False
    for offset, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        elif not fence and line.startswith("## "):
            found.append((offset, line[3:].strip()))
    return found
