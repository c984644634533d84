"""`ygs doctor`: what this machine and project have, each problem with a remedy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ygs import __version__
from ygs.errors import YgsError


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail | info
    detail: str
    remedy: str = ""


def _tool(name: str, why: str, remedy: str, required: bool = False) -> Check:
    path = shutil.which(name)
    if path is None:
        return Check(name, "fail" if required else "warn", f"not on PATH ({why})", remedy)
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        version = (
            (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check(name, "warn", f"{path} did not answer --version ({err})", remedy)
    return Check(name, "ok", f"{version} ({path})")


def run_checks(cwd: Path) -> list[Check]:
    from ygs import config as config_mod
    from ygs.llm import api_key, choose_backend
    from ygs.project import Project
    from ygs.resources import pack_dir

    py = sys.version_info
    checks = [
        Check(
            "python",
            "ok" if py >= (3, 11) else "fail",
            f"{py.major}.{py.minor}.{py.micro} ({sys.executable})",
            "install Python 3.11 or newer",
        ),
        Check("ygs", "info", f"{__version__}, pack at {pack_dir('skills').parent}"),
        _tool("git", "checkpoints, reviews and diffs need it", "install git", required=True),
        _tool("gh", "only `ygs review --pr` and PR comments need it", "install the GitHub CLI"),
        _tool(
            "claude", "the claude-code backend needs it", "npm install -g @anthropic-ai/claude-code"
        ),
    ]
    try:
        proj = Project.at(cwd)
    except YgsError as err:
        return [*checks, Check("project", "fail", str(err), err.remedy or "")]
    cfg = config_mod.load(proj.root, os.environ)
    problems = cfg.problems
    if problems:
        layer, first = problems[0]
        where = f"{layer.path}:{first.line}: " if layer.path and first.line else ""
        checks.append(
            Check(
                "config",
                "fail",
                f"{len(problems)} problem(s); first: {where}{first.message}",
                first.remedy or "fix the key, or remove it",
            )
        )
    else:
        checks.append(Check("config", "ok", "valid (user, project and YGS_* environment)"))
    checks += _review_engines(cfg.get("review.ruff"))
    key, source = api_key(os.environ, cfg)
    checks.append(
        Check(
            "api key",
            "ok" if key else "info",
            f"configured ({source})" if key else "not configured: interviews run offline",
            "export ANTHROPIC_API_KEY=… or `ygs config set --user anthropic.api_key …`",
        )
    )
    backend = choose_backend(cfg.get("model.backend", "auto"), bool(key))
    checks.append(
        Check("model backend", "info", f"{backend} (setting: {cfg.get('model.backend')})")
    )
    checks.append(
        Check(
            "project",
            "ok" if proj.initialised else "warn",
            f"{proj.root} ({'initialised' if proj.initialised else 'not initialised'})",
            "run `ygs init`",
        )
    )
    checks.append(_pack_check(proj))
    checks.extend(_foreign_checks(proj))
    return checks


def _review_engines(configured: str | None) -> list[Check]:
    """ruff and detect-secrets, the engines of `ygs review --offline`, with their versions."""
    from importlib import metadata

    from ygs.review import pyscan

    remedy = "pip install --upgrade ygs (it depends on ruff and detect-secrets)"
    if (configured or "").strip().lower() == "off":
        ruff = Check("ruff", "info", "off (review.ruff): Python is checked by ygs's rules only")
    else:
        cmd = pyscan.command(configured)
        version = pyscan.version(cmd)
        where = f"review.ruff: {configured}" if configured else (cmd[0] if cmd else "")
        ruff = (
            Check("ruff", "ok", f"{version} ({where})")
            if version
            else Check("ruff", "warn", f"not found ({configured or 'installed with ygs'})", remedy)
        )
    try:
        found = Check("detect-secrets", "ok", metadata.version("detect-secrets"))
    except metadata.PackageNotFoundError:
        found = Check("detect-secrets", "warn", "not installed: ygs's secret rules only", remedy)
    return [ruff, found]


def _foreign_checks(proj) -> list[Check]:
    """Specs kept by OpenSpec or spec-kit: ygs reads them in place; say so and what next."""
    from ygs.project import foreign_specs

    return [
        Check(
            f"{item['format']} specs",
            "info",
            f"{item['detail']} in {item['where']}; next: {item['next']}",
        )
        for item in foreign_specs(proj.root)
    ]


def _pack_check(proj) -> Check:
    from ygs import skills

    try:
        pack_sources = skills.sources(proj.root)
        count, findings = skills.validate([p for _, p in pack_sources if p.is_dir()])
    except YgsError as err:
        return Check("skills", "fail", str(err), err.remedy or "")
    if findings:
        return Check(
            "skills",
            "fail",
            f"{len(findings)} problem(s) in {count} skills; first: {findings[0]}",
            "run `ygs skills validate` for the full list",
        )
    return Check("skills", "ok", f"{count} skills valid")
