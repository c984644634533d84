"""`ygs review` offline: scopes, odd diffs, suppression, config, baseline, merge, gate, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import git, run_ygs

SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9C\n"


def write(repo: Path, name: str, text: str | bytes) -> Path:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def review(repo: Path, *args: str, stdin: str = ""):
    return run_ygs("review", *args, "--json", cwd=repo, stdin=stdin)


def rules_at(result) -> list[tuple[str, str, int | None]]:
    return [(f["rule"], f["file"], f["line"]) for f in result.json["findings"]]


@pytest.fixture
def project(repo: Path) -> Path:
    write(repo, ".ygs/config.yaml", "review:\n  rules:\n    TST001: off\n")
    write(repo, "app/service.py", "def run():\n    return 1\n")
    commit(repo, "base")
    return repo


# ---------------------------------------------------------------- scopes


def test_working_tree_against_head_includes_untracked_files(project):
    write(project, "app/service.py", "def run():\n    breakpoint()\n    return 1\n")
    write(project, "app/new.py", "import os\nos.system('ls ' + path)\n")
    result = review(project, "--offline")
    assert result.code == 1
    assert ("DBG002", "app/service.py", 2) in rules_at(result)
    assert ("S605", "app/new.py", 2) in rules_at(result)
    assert result.json["scope"] == {"mode": "worktree", "base": "HEAD", "head": "working tree"}
    assert result.json["verdict"] == "REQUEST_CHANGES"


def test_staged_reviews_only_the_index(project):
    write(project, "app/service.py", "def run():\n    eval('1')\n    return 1\n")
    git(project, "add", "app/service.py")
    write(project, "app/unstaged.py", "breakpoint()\n")
    result = review(project, "--staged", "--offline")
    assert rules_at(result) == [("S307", "app/service.py", 2)]
    assert result.json["scope"]["mode"] == "staged"


def test_base_reviews_the_branch_and_clean_tree_falls_back_to_base_branch(project):
    git(project, "checkout", "-q", "-b", "feature")
    write(project, "app/feature.py", "import pickle\ndata = pickle.loads(b'')\n")
    commit(project, "feature")
    for args in (("--base", "main"), ()):
        result = review(project, "--offline", *args)
        assert set(rules_at(result)) == {
            ("S403", "app/feature.py", 1),
            ("S301", "app/feature.py", 2),
        }
        assert result.json["scope"]["mode"] == "branch"
        assert result.json["scope"]["base"] == "main"


def test_clean_tree_on_the_base_branch_approves_with_nothing_to_review(project):
    result = review(project, "--offline")
    assert result.code == 0
    assert result.json["verdict"] == "APPROVE" and result.json["stats"]["files"] == 0


def test_unknown_base_and_conflicting_scopes_are_usage_errors(project):
    result = review(project, "--offline", "--base", "nope")
    assert result.code == 2 and "unknown base ref 'nope'" in result.stderr
    result = review(project, "--offline", "--staged", "--base", "main")
    assert result.code == 2 and "choose one of" in result.stderr


def test_outside_git_is_a_usage_error(tmp_path):
    result = run_ygs("review", "--offline", cwd=tmp_path)
    assert result.code == 2 and "not a git repository" in result.stderr


def test_paths_limit_the_review(project):
    write(project, "app/a.py", "breakpoint()\n")
    write(project, "lib/b.py", "breakpoint()\n")
    result = review(project, "--offline", "lib")
    assert [r[1] for r in rules_at(result)] == ["lib/b.py"]
    result = review(project, "--offline", "--paths", "app/a.py")
    assert [r[1] for r in rules_at(result)] == ["app/a.py"]


# ------------------------------------------------------------- odd diffs


def test_binary_rename_delete_mode_huge_and_non_utf8_are_reported(project):
    write(project, "old/name.py", "def f():\n    return 1\n")
    write(project, "gone.txt", "bye\n")
    write(project, "tool.sh", "echo hi\n")
    commit(project, "more")
    (project / "new").mkdir()
    git(project, "mv", "old/name.py", "new/name.py")
    git(project, "rm", "-q", "gone.txt")
    (project / "tool.sh").chmod(0o755)
    write(project, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    write(project, "latin.py", "name = 'caf\xe9'\nbreakpoint()\n".encode("latin-1"))
    write(project, "big.py", "".join(f"X{i} = {i}\n" for i in range(6000)) + "eval('x')\n")
    write(project, "minified.js", "var a=1;" * 1000 + "\n")
    git(project, "add", "-A")
    result = review(project, "--staged", "--offline", "--fail-on", "never")
    assert result.code == 0, result.stderr
    notes = {(n["file"], n["note"].split(":")[0].split(" (")[0]) for n in result.json["notes"]}
    assert ("logo.png", "binary file") in notes
    assert ("new/name.py", "renamed from old/name.py") in notes
    assert ("gone.txt", "deleted") in notes
    assert ("tool.sh", "mode changed 100644 → 100755") in notes
    assert ("latin.py", "not UTF-8") in notes
    assert ("big.py", "partially reviewed") in notes
    assert ("minified.js", "a line of 8000 characters") in notes
    found = rules_at(result)
    assert ("DBG002", "latin.py", 2) in found  # non-UTF-8 text is still reviewed by the rules
    # huge: the cheap scans still look inside (eval at the end), the other rules do not
    assert {r[0] for r in found if r[1] == "big.py"} == {"SIZE001", "S307"}
    assert ("S307", "big.py", 6001) in found
    assert {u["file"]: u["coverage"] for u in result.json["unreviewed"]} == {
        "big.py": "partial",
        "logo.png": "none",
    }
    stats = result.json["stats"]
    assert stats["binary"] == 1 and stats["by_status"]["renamed"] == 1


def test_huge_file_still_gets_the_secret_rules(project):
    write(project, "dump.sql", "".join(f"-- {i}\n" for i in range(6000)) + PRIVATE_KEY)
    result = review(project, "--offline")
    assert ("SEC002", "dump.sql", 6001) in rules_at(result)


# ------------------------------------------------------- rules and config


def test_suppression_needs_a_reason(project):
    write(
        project,
        "app/a.py",
        "eval(x)  # ygs: ignore[S307] input is a constant table\n"
        "# ygs: ignore[S307] trusted admin console\neval(y)\neval(z)  # ygs: ignore[S307]\n",
    )
    result = review(project, "--offline")
    assert rules_at(result) == [("S307", "app/a.py", 4)]
    assert "has no reason" in result.json["findings"][0]["why"]
    reasons = sorted(s["reason"] for s in result.json["suppressed"])
    assert reasons == ["input is a constant table", "trusted admin console"]


def test_config_reranks_and_disables_rules(project):
    write(
        project,
        ".ygs/config.yaml",
        "review:\n  rules:\n    TST001: off\n    DBG001: off\n    TODO001: must\n",
    )
    commit(project, "review settings")  # settings apply from the base revision on
    write(project, "app/a.py", "print('x')\n# TODO later\n")
    result = review(project, "--offline")
    assert [(f["rule"], f["severity"]) for f in result.json["findings"]] == [("TODO001", "MUST")]
    assert result.code == 1


def test_unknown_rule_in_config_is_exit_2_naming_the_file(project):
    write(project, ".ygs/config.yaml", "review:\n  rules:\n    NOPE001: off\n")
    write(project, "app/a.py", "x = 1\n")
    result = review(project, "--offline")
    assert result.code == 2
    assert ".ygs/config.yaml" in result.stderr and "NOPE001" in result.stderr


def test_explain_and_rule_list(project):
    result = run_ygs("review", "--explain", "dng003", cwd=project)
    assert result.code == 0
    assert "yaml.load without a safe loader" in result.stdout and "ignore[DNG003]" in result.stdout
    listing = run_ygs("review", "--rules", "--json", cwd=project).json["rules"]
    assert {"SEC002", "SIZE001", "LENS-CODE"} <= {r["id"] for r in listing}
    assert run_ygs("review", "--explain", "XYZ999", cwd=project).code == 2


def test_lens_filter_limits_rules_and_files(project):
    write(project, "web/App.tsx", "export const A = () => <img src='a.png'>;\nconsole.log(1);\n")
    write(project, "api/routes.py", "def get():\n    return eval('1')\n")
    result = review(project, "--offline", "--lens", "ui")
    assert rules_at(result) == [("UI001", "web/App.tsx", 1)]
    assert result.json["files"] == {"ui": ["web/App.tsx"]}
    result = review(project, "--offline", "--lens", "api,security")
    assert result.json["files"]["api"] == ["api/routes.py"]
    assert rules_at(result) == [("S307", "api/routes.py", 2)]
    assert review(project, "--offline", "--lens", "perf").code == 2


@pytest.mark.parametrize(
    ("fail_on", "code"), [("must", 0), ("should", 1), ("may", 1), ("never", 0)]
)
def test_fail_on_threshold(project, fail_on, code):
    write(project, "app/a.py", "import hashlib\nhashlib.md5(b'')\n")  # one SHOULD
    assert review(project, "--offline", "--fail-on", fail_on).code == code


def test_last_review_is_written_for_status(project):
    write(project, "app/a.py", PRIVATE_KEY)
    review(project, "--offline")
    last = json.loads((project / ".ygs" / "runs" / "last-review.json").read_text())
    assert last["verdict"] == "REQUEST_CHANGES" and last["counts"]["MUST"] == 1
    assert last["base"] == "HEAD" and last["time"]


# ---------------------------------------------------------------- baseline


def test_baseline_accepts_current_findings_and_still_reports_new_ones(project):
    write(project, "app/a.py", "import hashlib\nhashlib.md5(b'')\n")
    result = review(project, "--offline", "--update-baseline", "--fail-on", "should")
    assert result.code == 0 and result.json["baseline_written"] == ".ygs/review-baseline.json"
    result = review(project, "--offline", "--fail-on", "should")
    assert result.code == 0 and result.json["findings"] == [] and result.json["baselined"] == 1
    write(project, "app/a.py", "import hashlib\n\nhashlib.md5(b'')\nhashlib.sha1(b'')\n")  # moved
    result = review(project, "--offline", "--fail-on", "should")
    assert rules_at(result) == [("S324", "app/a.py", 4)]
    assert review(project, "--offline", "--no-baseline").json["baselined"] == 0


def test_missing_explicit_baseline_is_exit_2(project):
    write(project, "app/a.py", "x = 1\n")
    result = review(project, "--offline", "--baseline", "nope.json")
    assert result.code == 2 and "does not exist" in result.stderr


# ------------------------------------------------------------------ merge


def _finding(**extra) -> dict:
    return {
        "lens": "code",
        "severity": "MUST",
        "confidence": "HIGH",
        "file": "app/pay.py",
        "line": 3,
        "title": "Charge written outside the transaction",
        "why": "A crash after charge leaves no order.",
        "fix": "Wrap both in one transaction.",
        **extra,
    }


def test_merge_validates_anchors_and_dedupes(project, tmp_path):
    write(project, "app/pay.py", "def pay(db):\n    db.begin()\n    charge()\n    eval('1')\n")
    merged = [
        _finding(),
        _finding(line=1, title="Context line only"),  # an added line too: whole file is new
        _finding(file="app/other.py", title="Not in the diff"),
        _finding(line=99, title="Past the end"),
        {"lens": "code", "title": "no severity"},
        _finding(severity="critical", confidence="low", line=2, title="Old scale"),
        {**_finding(line=4, title="eval"), "rule": "S307", "lens": "security"},
    ]
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(merged))
    result = review(project, "--offline", "--merge", str(path))
    assert result.code == 1
    titles = [f["title"] for f in result.json["findings"]]
    assert "Charge written outside the transaction" in titles and "Context line only" in titles
    old = next(f for f in result.json["findings"] if f["title"] == "Old scale")
    assert old["severity"] == "SHOULD" and old["confidence"] == "LOW"  # MUST needs HIGH/MEDIUM
    reasons = " | ".join(d["reason"] for d in result.json["dropped"])
    assert "app/other.py is not in the diff" in reasons
    assert "line 99" in reasons and "malformed" in reasons and "duplicate of S307" in reasons
    assert [f["source"] for f in result.json["findings"] if f["rule"] == "S307"] == ["offline"]
    sources = {f["title"]: f["source"] for f in result.json["findings"]}
    assert sources["Charge written outside the transaction"] == "merge"


def test_merge_from_stdin_drops_context_lines_and_reports_bad_json(project):
    write(project, "app/service.py", "def run():\n    return 2\n")
    result = review(
        project,
        "--offline",
        "--merge",
        "-",
        stdin=json.dumps([_finding(file="app/service.py", line=1)]),
    )
    assert result.json["findings"] == [] and result.code == 0
    assert "not a line added by the diff" in result.json["dropped"][0]["reason"]
    bad = review(project, "--offline", "--merge", "-", stdin="[{oops")
    assert bad.code == 2 and "standard input:1" in bad.stderr


# ------------------------------------------------------------------- gate


def test_gate_clear_hold_frozen(project):
    write(project, "app/a.py", "x = 1\n")
    result = review(project, "--offline", "--lens", "sre", "--gate")
    assert (result.code, result.json["gate"]) == (0, "CLEAR")
    write(project, "app/a.py", PRIVATE_KEY)
    result = review(project, "--offline", "--gate")
    assert (result.code, result.json["gate"]) == (1, "HOLD")
    write(
        project,
        ".deploy-freeze",
        "reason: quarter close\nuntil: 2999-01-01T00:00:00+00:00\nby: Dana\n",
    )
    result = review(project, "--offline", "--gate")
    assert (result.code, result.json["gate"]) == (3, "FROZEN")
    assert "quarter close" in result.json["gate_detail"]["reason"]


@pytest.mark.parametrize(
    "text",
    [
        "reason: x\nuntil: 2999-01-01T00:00:00\nby: D\n",
        "reason: x\nby: D\n",
        "[not: yaml",
        "just text",
    ],
)
def test_malformed_freeze_fails_closed(project, text):
    write(project, ".deploy-freeze", text)
    result = review(project, "--offline", "--gate")
    assert (result.code, result.json["gate"]) == (3, "FROZEN")
    assert "malformed" in result.json["gate_detail"]["reason"]


def test_expired_freeze_is_only_a_notice(project):
    write(project, ".deploy-freeze", "reason: x\nuntil: 2001-01-01T00:00:00Z\nby: D\n")
    result = review(project, "--offline", "--gate")
    assert (result.code, result.json["gate"]) == (0, "CLEAR")
    assert "expired" in result.json["gate_detail"]["notice"]


# ---------------------------------------------------------------- formats


def test_sarif_validates_with_rules_texts_and_fingerprints(project):
    import jsonschema

    write(project, "app/key.txt", PRIVATE_KEY)
    write(project, "app/a.py", "import hashlib\nhashlib.md5(b'')\n")
    result = review(project, "--offline", "--format", "sarif", "--output", "out/ygs.sarif")
    assert result.code == 1 and result.json["verdict"] == "REQUEST_CHANGES"
    doc = json.loads((project / "out" / "ygs.sarif").read_text())
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule in rules.values():
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert levels == {("SEC002", "error"), ("S324", "warning")}
    for r in run["results"]:
        assert len(next(iter(r["partialFingerprints"].values()))) == 16
        assert r["properties"]["confidence"] == "HIGH" and r["properties"]["lens"] == "security"
    prints = {f["fingerprint"] for f in result.json["findings"]}
    assert prints == {next(iter(r["partialFingerprints"].values())) for r in run["results"]}


def test_other_formats(project):
    write(project, "app/a.py", "import hashlib\nhashlib.md5(b'')\n")
    github = run_ygs("review", "--offline", "--format", "github", cwd=project).stdout
    assert github.startswith("::warning file=app/a.py,line=2,title=S324")
    rd = run_ygs("review", "--offline", "--format", "rdjsonl", cwd=project).stdout
    line = json.loads(rd.splitlines()[0])
    assert line["location"]["range"]["start"]["line"] == 2 and line["severity"] == "WARNING"
    md = run_ygs("review", "--offline", "--format", "markdown", cwd=project).stdout
    assert md.startswith("**Review: COMMENT**") and "| 1 | SHOULD | HIGH | security |" in md
    text = run_ygs("review", "--offline", cwd=project).stdout
    assert "app/a.py:2: SHOULD S324" in text and "Verdict: COMMENT" in text
    js = json.loads(run_ygs("review", "--offline", "--format", "json", cwd=project).stdout)
    assert {"files", "stats", "findings", "dropped", "verdict"} <= set(js)
    bad = run_ygs("review", "--offline", "--format", "sarif", "--json", cwd=project)
    assert bad.code == 2 and "needs --output" in bad.stderr
