"""The packaged skills/ and templates/, wherever ygs is installed from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def pack_dir(name: str) -> Path:
    """`skills` or `templates`: inside the wheel (ygs/_pack/), else the source tree."""
    package = resources.files("ygs")
    bundled = package / "_pack" / name
    if bundled.is_dir():
        return Path(str(bundled))
    source = Path(str(package)).parent / name  # editable install or a source checkout
    return source
