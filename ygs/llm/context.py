"""What a model may see of the repository: a short summary, secrets excluded.

File names matching the secret list are left out of the tree, and their
contents are never read: not even through a README that is a symlink to one.
The README text is redacted here, and the request builder redacts again.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ygs.core.secrets import is_secret_file, redact
from ygs.project import SKIP_DIRS

MAX_FILES = 300
README_CHARS = 4000


def tracked_files(root: Path) -> list[str]:
    if (root / ".git").exists():
        try:
            out = subprocess.run(
                ["git", "ls-files", "-co", "--exclude-standard"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=20,
                check=True,
            )
            return sorted(set(out.stdout.splitlines()))
        except (OSError, subprocess.SubprocessError):
            pass  # fall back to walking the folder
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found += [(Path(folder) / n).relative_to(root).as_posix() for n in names]
    return sorted(found)


def summary(root: Path, catalog=None) -> str:
    """File tree, README head and artifact list, with nothing secret in it."""
    files = [
        f
        for f in tracked_files(root)
        if not is_secret_file(f) and not any(part in SKIP_DIRS for part in f.split("/"))
    ]
    shown = files[:MAX_FILES]
    parts = [
        f"Repository: {root.name}",
        f"Files ({len(files)}, first {len(shown)}):",
        *(f"  {f}" for f in shown),
    ]
    readme = next(
        (root / n for n in ("README.md", "README.rst", "README") if _readable(root, root / n)),
        None,
    )
    if readme is not None:
        from ygs.store import Unreadable, read_bytes

        try:  # a link out of the repository is not the project's README
            text = read_bytes(readme, within=root).decode("utf-8", "replace")[:README_CHARS]
            parts += ["", f"{readme.name} (start):", redact(text)]
        except Unreadable:
            pass
    if catalog is not None and catalog.artifacts:
        parts += ["", "Artifacts:"]
        parts += [f"  {a.kind} {a.id} [{a.status}] {a.title} ({a.path})" for a in catalog.artifacts]
    return redact("\n".join(parts))


def _readable(root: Path, path: Path) -> bool:
    """A regular file inside the repository that is not (a link to) a secret file."""
    try:
        real = path.resolve(strict=True)
        real.relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return real.is_file() and not is_secret_file(real.name) and not is_secret_file(path.name)
