"""What ygs installed, per scope: every file, its sha256, and the base content for merging.

One JSON file per scope: the platform's user data folder for user scope
(`~/.local/share/ygs/install-manifest.json` on Linux), `.ygs/install-manifest.json` in
the project for project scope. File paths are relative to the scope root (HOME or the
project), so a moved project keeps its manifest. Base contents are stored once per
sha256 in `blobs` (the same reference installed for five agents is stored once).
The engine writes it atomically, after the files.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ygs.errors import Exit, YgsError

FORMAT = 1
FILE_NAME = "install-manifest.json"
DAMAGED_REMEDY = (
    "restore it from a backup, or move it aside (ygs then treats installed files as not its "
    "own and leaves them alone)"
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileRecord:
    sha256: str | None  # the packaged content installed (the merge base); None: not ygs's file
    pending: str | None = None  # a conflicting new version waiting in `<path>.ygs-new`


@dataclass(frozen=True)
class SkillRecord:
    version: str  # ygs version that installed it
    source: str  # "packaged" or the pack's absolute path
    mode: str = "copy"  # copy | link
    files: dict[str, FileRecord] = field(default_factory=dict)
    link: tuple[str, str] | None = None  # (path, target) in link mode


@dataclass(frozen=True)
class Manifest:
    scope: str
    installs: dict[str, dict[str, SkillRecord]] = field(default_factory=dict)  # agent -> skill
    blobs: dict[str, bytes] = field(default_factory=dict)
    ygs_version: str = ""

    def skills(self, agent: str) -> dict[str, SkillRecord]:
        return self.installs.get(agent, {})

    def with_skill(self, agent: str, name: str, record: SkillRecord | None) -> Manifest:
        skills = dict(self.skills(agent))
        if record is None:
            skills.pop(name, None)
        else:
            skills[name] = record
        installs = {**self.installs, agent: skills}
        return replace(self, installs={a: s for a, s in installs.items() if s})

    def compact(self) -> Manifest:
        """Drop blobs no record points at."""
        used = {
            sha
            for skills in self.installs.values()
            for record in skills.values()
            for f in record.files.values()
            for sha in (f.sha256, f.pending)
            if sha
        }
        return replace(self, blobs={k: v for k, v in self.blobs.items() if k in used})


def location(scope: str, project_root: Path | None) -> Path:
    if scope == "project":
        assert project_root is not None
        return project_root / ".ygs" / FILE_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir("ygs", appauthor=False)) / FILE_NAME


def to_json(manifest: Manifest, version: str) -> str:
    installs = {
        agent: {name: _record_json(r) for name, r in sorted(skills.items())}
        for agent, skills in sorted(manifest.installs.items())
    }
    blobs = {sha: _blob_json(data) for sha, data in sorted(manifest.blobs.items())}
    document = {
        "format": FORMAT,
        "ygs_version": version,
        "scope": manifest.scope,
        "installs": installs,
        "blobs": blobs,
    }
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def _record_json(record: SkillRecord) -> dict:
    data: dict = {"version": record.version, "source": record.source, "mode": record.mode}
    data["files"] = {
        path: {k: v for k, v in (("sha256", f.sha256), ("pending", f.pending)) if v}
        for path, f in sorted(record.files.items())
    }
    if record.link:
        data["link"] = {"path": record.link[0], "target": record.link[1]}
    return data


def _blob_json(data: bytes) -> dict:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def from_json(text: str, scope: str, path: str) -> Manifest:
    """Parse a manifest; a damaged one exits 2 naming the file (it is never guessed at)."""
    try:
        data = json.loads(text)
        installs = {
            agent: {name: _record(r) for name, r in skills.items()}
            for agent, skills in data.get("installs", {}).items()
        }
        blobs = {sha: _blob(b) for sha, b in data.get("blobs", {}).items()}
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
    except RecursionError:
        raise YgsError(
            "the install manifest is damaged: nested too deeply to be a manifest",
            path=path,
            code=Exit.USAGE,
            remedy=DAMAGED_REMEDY,
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        line = getattr(err, "lineno", None)
        raise YgsError(
            f"the install manifest is damaged: {err}",
            path=path,
            line=line,
            code=Exit.USAGE,
            remedy=DAMAGED_REMEDY,
        ) from None
    return Manifest(scope, installs, blobs, str(data.get("ygs_version", "")))


def _record(data: dict) -> SkillRecord:
    files = {
        path: FileRecord(f.get("sha256"), f.get("pending")) for path, f in data["files"].items()
    }
    link = data.get("link")
    return SkillRecord(
        version=str(data["version"]),
        source=str(data["source"]),
        mode=str(data.get("mode", "copy")),
        files=files,
        link=(link["path"], link["target"]) if link else None,
    )


def _blob(data: dict) -> bytes:
    if "text" in data:
        return data["text"].encode("utf-8")
    return base64.b64decode(data["base64"])
