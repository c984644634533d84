"""The wheel and the sdist carry skills/ and templates/; an installed ygs finds them."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def build(kind: str, out: Path, source: Path = REPO) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            f"--{kind}",
            "--no-isolation",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    suffix = ".whl" if kind == "wheel" else ".tar.gz"
    return next(out.glob(f"*{suffix}"))


def install_and_list(wheel: Path, venv: Path) -> tuple[dict, Path]:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = (
        venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # Dependencies come from this interpreter's site-packages, after the fresh install.
    deps = os.pathsep.join(p for p in site.getsitepackages() if "site-packages" in p)
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{deps}"}
    probe = "import ygs, sys; print(ygs.__file__)"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        env=env,
        capture_output=True,
        cwd=venv,
        text=True,
        check=True,
    ).stdout.strip()
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "ygs", "skills", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=venv,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), Path(where)


def source_skill_names() -> set[str]:
    return {
        p.name
        for p in (REPO / "skills").iterdir()
        if p.is_dir() and not p.name.startswith(("_", "."))
    }


def check_installed(data: dict, module_file: Path, venv: Path) -> None:
    assert str(module_file).startswith(str(venv)), module_file
    names = {s["name"] for s in data["skills"]}
    assert names == source_skill_names()
    pack = module_file.parent / "_pack"
    assert (pack / "templates").is_dir()
    links = [p for p in (pack / "skills").rglob("*") if p.is_symlink()]
    assert links == [], "installed skills must carry real files, not links"


def test_wheel_installs_into_a_fresh_venv_and_finds_the_pack(tmp_path):
    wheel = build("wheel", tmp_path / "dist")
    data, module_file = install_and_list(wheel, tmp_path / "venv")
    check_installed(data, module_file, tmp_path / "venv")


def test_sdist_builds_a_working_wheel(tmp_path):
    sdist = build("sdist", tmp_path / "dist")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    source = next((tmp_path / "src").iterdir())
    wheel = build("wheel", tmp_path / "dist2", source)
    data, module_file = install_and_list(wheel, tmp_path / "venv")
    check_installed(data, module_file, tmp_path / "venv")
