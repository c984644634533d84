"""Side by side with the real OpenSpec CLI on the same project: every spec and every
requirement OpenSpec reports, ygs reports, with the same counts.

Needs `openspec` (`npm install --prefix .ci/node @fission-ai/openspec`, as .ci/run does);
skipped with the reason when it is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/openspec-project"


def openspec_bin() -> str | None:
    local = REPO / ".ci/node/node_modules/.bin/openspec"
    return (
        os.environ.get("OPENSPEC_BIN")
        or shutil.which("openspec")
        or (str(local) if local.exists() else None)
    )


pytestmark = pytest.mark.skipif(
    openspec_bin() is None,
    reason="the OpenSpec CLI is not installed (npm install --prefix .ci/node "
    "@fission-ai/openspec, or set OPENSPEC_BIN)",
)


def openspec(root: Path, *args: str, ok: bool = True) -> dict:
    env = {**os.environ, "OPENSPEC_TELEMETRY": "0", "DO_NOT_TRACK": "1", "NO_COLOR": "1"}
    out = subprocess.run(
        [openspec_bin(), *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 or not ok, out.stderr
    return json.loads(out.stdout)


def test_ygs_reports_every_requirement_openspec_reports(ygs, tmp_path):
    root = Path(shutil.copytree(FIXTURE, tmp_path / "os"))
    validated = openspec(root, "validate", "--all", "--json", "--no-interactive")
    specs = [item["id"] for item in validated["items"] if item["type"] == "spec"]
    assert validated["summary"]["totals"]["failed"] == 0
    check = ygs("check", "--format", "json", cwd=root)
    assert check.code == 0, check.stdout
    assert check.json["findings"] == []  # OpenSpec finds the project valid; so does ygs
    trace = ygs("trace", "--json", cwd=root).json["requirements"]
    main = [r for r in trace if r["prd_status"] == "current"]
    assert sorted({r["prd"] for r in main}) == sorted(specs)
    total_reqs = total_scenarios = 0
    for spec in specs:
        shown = openspec(root, "show", spec, "--type", "spec", "--json")
        ours = [r for r in main if r["prd"] == spec]
        assert len(ours) == shown["requirementCount"] == len(shown["requirements"])
        total_reqs += len(ours)
        total_scenarios += sum(len(r["scenarios"]) for r in shown["requirements"])
    # the ADDED requirement of the active change is counted once, with its change
    proposed = [r for r in trace if r["prd_status"] == "proposed"]
    assert [r["prd"] for r in proposed] == ["add-2fa"]
    inputs = check.json["inputs"]
    assert inputs["requirements"] == total_reqs + len(proposed)
    assert inputs["scenarios"] == total_scenarios + 2


def test_a_spec_openspec_rejects_is_a_finding_in_ygs(ygs, tmp_path):
    root = Path(shutil.copytree(FIXTURE, tmp_path / "os"))
    spec = root / "openspec/specs/billing/invoices/spec.md"
    spec.write_text(
        spec.read_text().replace(
            "#### Scenario: First invoice of the year\n- **WHEN** the first invoice of a year is "
            "issued\n- **THEN** it has number 1\n",
            "",
        )
    )
    validated = openspec(root, "validate", "--all", "--json", "--no-interactive", ok=False)
    failed = [i["id"] for i in validated["items"] if not i["valid"]]
    assert failed == ["billing/invoices"]
    found = ygs("check", "--json", cwd=root).json["findings"]
    assert [(f["rule"], f["path"]) for f in found] == [
        ("OSP003", "openspec/specs/billing/invoices/spec.md")
    ]
