"""The pure half of closing the loop: SemVer, Conventional Commits, Keep a Changelog, version
sources, diff hygiene, the gate table, QA arithmetic, Five Whys, the sync plan, learnings."""

from __future__ import annotations

import pytest

from ygs.core.render import render_template
from ygs.ship import (
    commits,
    drift,
    fivewhys,
    gates,
    hygiene,
    keepachangelog,
    memory,
    qa,
    qareport,
    semver,
    versions,
)

# --- semver --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "pre", "expected"),
    [
        ("1.2.3", "patch", None, "1.2.4"),
        ("1.2.3", "minor", None, "1.3.0"),
        ("1.2.3", "major", None, "2.0.0"),
        ("1.2.0-rc.1", "minor", None, "1.2.0"),  # releasing the prerelease
        ("1.2.3-rc.1", "minor", None, "1.3.0"),
        ("2.0.0-beta", "major", None, "2.0.0"),
        ("1.2.3", "minor", "rc", "1.3.0-rc.1"),
        ("1.3.0-rc.1", "prerelease", None, "1.3.0-rc.2"),
        ("1.3.0", "prerelease", None, "1.3.1-rc.1"),
        ("1.0.0-alpha.beta", "prerelease", None, "1.0.0-alpha.beta.1"),
    ],
)
def test_bump(text, level, pre, expected):
    assert str(semver.bump(semver.parse(text), level, pre)) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1.2", "MAJOR.MINOR.PATCH"),
        ("01.2.3", "leading zero"),
        ("1.2.3-01", "leading zero"),
        ("v1.2.3", "not a number"),
        ("1.2.3-", "empty"),
        ("1.2.3-a_b", "character"),
        ("", "empty"),
        (" 1.2.3", "spaces"),
    ],
)
def test_malformed_versions_say_why(text, problem):
    with pytest.raises(semver.VersionError, match=problem):
        semver.parse(text)


def test_precedence_follows_semver():
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2"]
    order += ["1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1"]
    parsed = [semver.parse(v) for v in order]
    assert sorted(parsed, key=semver.Version.key) == parsed
    assert semver.parse("1.0.0+build.5").key() == semver.parse("1.0.0").key()


# --- conventional commits ------------------------------------------------------------------


def test_commits_are_classified():
    feat = commits.commit("a" * 40, "feat(api): export invoices as CSV\n\nRefs TASK-004")
    assert (feat.type, feat.scope, feat.category, feat.level) == ("feat", "api", "Added", "minor")
    assert feat.refs == ("TASK-004",)
    breaking = commits.commit("b" * 40, "fix!: drop the v1 endpoint")
    assert breaking.breaking and breaking.level == "major"
    footer = commits.commit("c" * 40, "refactor: x\n\nBREAKING CHANGE: config key renamed")
    assert footer.breaking and footer.category == "Chore"
    plain = commits.commit("d" * 40, "TASK-001: checkpoint 1 (2 files)")
    assert plain.type == "" and plain.category == "Changed" and plain.level == "patch"
    assert commits.commit("e" * 40, "perf: cache the index").category == "Performance"


def test_the_level_is_the_highest_and_breaking_is_minor_before_1_0():
    fix = commits.commit("a", "fix: x")
    feat = commits.commit("b", "feat: y")
    bang = commits.commit("c", "feat!: z")
    assert commits.level([fix], semver.parse("1.0.0")) == "patch"
    assert commits.level([fix, feat], semver.parse("1.0.0")) == "minor"
    assert commits.level([fix, bang], semver.parse("1.0.0")) == "major"
    assert commits.level([bang], semver.parse("0.4.0")) == "minor"
    assert commits.level([], None) == "patch"
    bug = commits.task("TASK-2", "Wrong sign", {"category": "bug", "satisfies": ["REQ-1"]})
    assert bug.category == "Fixed" and bug.refs == ("TASK-2", "REQ-1")
    assert commits.task("TASK-3", "Export CSV", {}).category == "Added"


# --- keep a changelog ----------------------------------------------------------------------


def render(answers):
    return render_template("changelog-entry", {}, answers, {"today": "2026-02-01"})


LOG = """\
# Changelog

Intro text.

## [Unreleased]

### Fixed

- The export keeps leading zeros.

## [1.0.0] - 2026-01-05

### Added

- Add two amounts.

[1.0.0]: https://example.com/1.0.0
"""


def test_merge_moves_unreleased_and_never_duplicates():
    entries = [
        {"category": "Added", "summary": "Subtract two amounts", "refs": ["TASK-001"]},
        {"category": "Added", "summary": "add two amounts"},  # already in 1.0.0
        {"category": "Chore", "summary": "Tidy the tests"},
    ]
    text, report = keepachangelog.merge(LOG, "1.1.0", "2026-02-01", entries, render)
    assert report["added"] == ["Subtract two amounts (TASK-001)"]
    assert report["moved"] == ["The export keeps leading zeros."] and report["created"]
    parsed = keepachangelog.parse(text)
    assert [s.name for s in parsed.sections] == ["Unreleased", "1.1.0", "1.0.0"]
    new = parsed.section("1.1.0")
    assert new.date == "2026-02-01" and list(new.groups) == ["Added", "Fixed"]
    assert parsed.section("Unreleased").entries() == []
    assert "Tidy the tests" not in text and text.count("Add two amounts") == 1
    assert "Intro text." in text and text.endswith("[1.0.0]: https://example.com/1.0.0\n")
    again, report = keepachangelog.merge(text, "1.1.0", "2026-02-09", entries, render)
    assert again == text and report["added"] == []  # idempotent


def test_merge_into_an_existing_section_keeps_other_sections_byte_for_byte():
    text, _ = keepachangelog.merge(
        LOG, "1.0.0", "x", [{"category": "Fixed", "summary": "Z"}], render
    )
    fixed = "### Fixed\n\n- The export keeps leading zeros.\n- Z\n"  # Unreleased moved in
    assert "## [1.0.0] - 2026-01-05\n\n### Added\n\n- Add two amounts.\n\n" + fixed in text
    assert text.startswith("# Changelog\n\nIntro text.\n\n## [Unreleased]\n")


def test_a_new_file_gets_the_standard_header():
    text, _ = keepachangelog.merge(
        None, "0.1.0", "2026-02-01", [{"category": "Added", "summary": "A"}], render
    )
    assert text.startswith("# Changelog") and "## [Unreleased]\n\n## [0.1.0] - 2026-02-01" in text


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Changes\n\n## [1.0.0] - 2026-01-01\n", 1, "title"),
        ("# Changelog\n\n## 1.0.0\n", 3, "is not"),
        ("# Changelog\n\n## [1.0] - 2026-01-01\n", 3, "MAJOR.MINOR.PATCH"),
        ("# Changelog\n\n## [1.0.0]\n", 3, "release date"),
        ("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n### Misc\n\n- x\n", 5, "not one of"),
        ("# C\n\n## [1.0.0] - 2026-01-01\n\n## [1.0.0] - 2026-01-02\n", 5, "also at line 3"),
        ("# C\n\n## [1.0.0] - 2026-01-01\n\n### Added\n\nloose text\n", 7, "bullet"),
    ],
)
def test_not_keep_a_changelog_names_the_line(text, line, message):
    with pytest.raises(keepachangelog.NotKeepAChangelog) as err:
        keepachangelog.parse(text)
    assert err.value.problems[0].line == line and message in err.value.problems[0].message


# --- version sources -----------------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling"]

[project]
name = "calc"   # the package
version = '1.4.0'  # keep in sync
dependencies = ["x>=1"]

[tool.other]
version = "9.9.9"
"""


def reader(files):
    return lambda rel: files.get(rel)


def test_pep621_version_is_edited_in_place():
    spots = versions.find(reader({"pyproject.toml": PYPROJECT}), [])
    assert [(s.path, s.line, s.value) for s in spots] == [("pyproject.toml", 6, "1.4.0")]
    new = versions.replace(PYPROJECT, spots[0], "1.5.0")
    assert new == PYPROJECT.replace("version = '1.4.0'", "version = '1.5.0'")


def test_dynamic_versions_follow_hatch_and_setuptools():
    hatch = '[project]\nname = "p"\ndynamic = ["version"]\n\n'
    hatch += '[tool.hatch.version]\npath = "p/about.py"\n'
    files = {"pyproject.toml": hatch, "p/about.py": 'x = 1\n__version__ = "2.0.0"\n'}
    assert [(s.path, s.line) for s in versions.find(reader(files), [])] == [("p/about.py", 2)]
    tools = '[project]\nname = "q"\ndynamic = ["version"]\n[tool.setuptools.dynamic]\n'
    files = {"pyproject.toml": tools + 'version = {attr = "q.__version__"}\n'}
    files["src/q/__init__.py"] = '__version__: str = "0.3.1"\n'
    assert [s.value for s in versions.find(reader(files), [])] == ["0.3.1"]
    files = {
        "pyproject.toml": tools + 'version = {file = "VERSION.txt"}\n',
        "VERSION.txt": "\n 4.0.0\n",
    }
    spot = versions.find(reader(files), [])[0]
    assert (spot.line, spot.value) == (2, "4.0.0")


def test_package_json_edits_only_the_top_level_version():
    text = '{\n  "name": "w",\n  "engines": {"version": "1"},\n'
    text += '  "version": "0.9.0",\n  "x": "\\"version\\""\n}\n'
    spot = versions.package_json(text)
    assert (spot.line, spot.value) == (4, "0.9.0")
    assert versions.replace(text, spot, "1.0.0") == text.replace('"0.9.0"', '"1.0.0"')


def test_cargo_package_and_workspace():
    assert versions.cargo('[package]\nname = "c"\nversion = "0.1.0"\n').line == 3
    workspace = '[package]\nname = "c"\nversion.workspace = true\n\n'
    workspace += '[workspace.package]\nversion = "2.1.0"\n'
    assert versions.cargo(workspace).value == "2.1.0"


def test_disagreeing_or_malformed_sources_name_both_places():
    files = {"pyproject.toml": PYPROJECT, "calc/__init__.py": '__version__ = "1.3.0"\n'}
    spots = versions.find(reader(files), ["calc/__init__.py"])
    with pytest.raises(versions.SourceError) as err:
        versions.current(spots)
    assert "pyproject.toml:6 says 1.4.0" in err.value.message
    assert "calc/__init__.py:1 says 1.3.0" in err.value.message
    bad = versions.find(reader({"VERSION": "1.4\n"}), [])
    with pytest.raises(versions.SourceError) as err:
        versions.current(bad)
    assert (err.value.path, err.value.line) == (
        "VERSION",
        1,
    ) and "MAJOR.MINOR.PATCH" in err.value.message
    with pytest.raises(versions.SourceError, match="no version source"):
        versions.current([])


# --- hygiene, gates, qa, five whys -----------------------------------------------------------


def test_hygiene_finds_what_must_not_ship():
    files = [
        (".env", "added", False, 10, {}),
        (".env.example", "added", False, 10, {}),
        ("certs/server.key", "added", False, 10, {}),
        ("dist/calc-1.0.whl", "added", True, 10, {}),
        ("assets/big.bin", "added", True, 900_000, {}),
        ("calc/ops.py", "modified", False, 0, {3: "    print(a)", 4: "    breakpoint()"}),
        ("calc/cli/main.py", "modified", False, 0, {1: "print('usage')"}),
        ("tests/test_ops.py", "modified", False, 0, {2: "@pytest.mark.skip", 3: "print(x)"}),
        ("web/app.js", "modified", False, 0, {7: "console.log(state)", 9: "<<<<<<< HEAD"}),
    ]
    found = {(h.kind, h.path, h.line) for h in hygiene.scan(files, 500 * 1024)}
    assert found == {
        ("env", ".env", None),
        ("key", "certs/server.key", None),
        ("artifact", "dist/calc-1.0.whl", None),
        ("binary", "assets/big.bin", None),
        ("debug", "calc/ops.py", 3),
        ("debugger", "calc/ops.py", 4),
        ("skipped-test", "tests/test_ops.py", 2),
        ("debug", "web/app.js", 7),
        ("conflict", "web/app.js", 9),
    }


def test_exit_codes_of_the_gate_table():
    ok = [gates.Gate(n, gates.PASS, "") for n in gates.ORDER]
    assert gates.exit_code(ok) == 0
    assert gates.exit_code([*ok, gates.Gate("qa", gates.FAIL, "")]) == 1
    assert (
        gates.exit_code([gates.Gate("tests", gates.FAIL, ""), gates.Gate("qa", gates.FAIL, "")])
        == 4
    )
    frozen = [gates.Gate("freeze", gates.FAIL, ""), gates.Gate("tests", gates.FAIL, "")]
    assert gates.exit_code(frozen) == 3
    assert gates.exit_code([gates.Gate("freeze", gates.WARN, "expired")]) == 0


def test_qa_pass_rule():
    good = dict(zip(qa.CATEGORIES, (9, 8, 8, 9, 7), strict=True))
    assert qa.judge(good, 0).to_dict()["health"] == 41 and qa.judge(good, 0).result == "PASS"
    assert qa.judge(good, 1).reasons == ("1 open MUST finding(s)",)
    assert qa.judge({**good, "performance": 5}, 0, 30).reasons == ("below 6: Performance 5",)
    assert "below the minimum 45" in qa.judge(good, 0, 45).reasons[0]
    assert qa.judge({**good, "functional": None}, 0).result == "FAIL"  # fail closed
    assert qa.score_of("7/10") == 7 and qa.score_of("TBD") is None
    with pytest.raises(qa.ScoreError):
        qa.score_of("11")


def test_qa_report_tables_are_updated_in_place():
    text = render_template(
        "qa", {"id": "x", "title": "QA"}, {"findings": [{"severity": "MUST", "title": "t"}]}, {}
    )
    assert qareport.open_must(text) == 1 and qareport.rounds(text) == []
    scores = dict(zip(qa.CATEGORIES, (9, 9, 9, 9, 9), strict=True))
    result = qa.judge(scores, 1)
    once = qareport.update(
        text, result, {"functional": "12 tests"}, ("2026-02-01", "first", ""), amend=False
    )
    assert "| Functional correctness | 9 | 12 tests |" in once and "**Health:** 45/50" in once
    assert "**Result:** FAIL (1 open MUST finding(s))" in once
    assert qareport.rounds(once) == [("1", "2026-02-01", "45/50", "FAIL", "first")]
    twice = qareport.update(once, result, {}, ("2026-02-02", "second", ""), amend=False)
    assert [r[0] for r in qareport.rounds(twice)] == ["1", "2"]
    amended = qareport.update(twice, result, {}, ("2026-02-02", "fixed", ""), amend=True)
    assert [r[4] for r in qareport.rounds(amended)] == ["first", "fixed"]


def test_five_whys_rejects_exhortations_with_the_reason():
    layers = {k: "something concrete" for k, _ in fivewhys.LAYERS}
    ok = {"incidents": [{**layers, "fix": "Add a timezone test category"}], "actions": []}
    assert fivewhys.check(ok) == []
    careless = {"incidents": [{**layers, "fix": "Be more careful with time zones"}]}
    [problem] = fivewhys.check(careless)
    assert problem.where == "incidents[1].fix" and "relies on people" in problem.message
    assert fivewhys.exhortation("be more careful: add a lint rule for naive datetimes") is None
    missing = fivewhys.check({"incidents": [{**layers, "isolation_gap": "", "fix": "a gate"}]})
    assert [p.where for p in missing] == ["incidents[1].isolation_gap"]
    action = {
        "incidents": [{**layers, "fix": "a canary gate"}],
        "actions": [{"action": "Pay attention in review", "owner": "a", "due": "b"}],
    }
    assert [p.where for p in fivewhys.check(action)] == ["actions[1].action"]
    assert fivewhys.check({"incidents": []})[0].where == "incidents"


# --- drift and the sync plan -------------------------------------------------------------------


def doc(path="docs/trd/x.md", kind="trd", body="## Interfaces\n\nUses `src/orders/api.py`.\n"):
    return drift.DesignDoc(path, "x", kind, "approved", body, body, 1)


def test_sync_plan_rows_are_checked_and_sections_flagged():
    docs = {"docs/trd/x.md": doc()}
    row = {
        "document": "docs/trd/x.md",
        "section": "interfaces",
        "dimension": "interfaces",
        "severity": "MUST",
        "design_said": "a",
        "code_does": "b",
        "direction": "update doc",
        "rationale": "the route changed",
    }
    bad = {**row, "section": "Nope", "severity": "HIGH", "rationale": ""}
    result = drift.check_plan([row, row, row, bad], docs, lambda d: ["Interfaces"])
    assert [r["n"] for r in result["rows"]] == [1, 2, 3, 4] and not result["valid"]
    assert len(result["rows"][3]["problems"]) == 3
    assert result["flagged"] == [
        {"document": "docs/trd/x.md", "section": "interfaces", "rows": [1, 2, 3]}
    ]


def test_drift_candidates():
    assert drift.path_tokens("`src/a.py`, `GET /orders`, `pkg/`, `x`, `https://a/b`") == [
        "src/a.py",
        "pkg/",
    ]
    gone = drift.gone_modules([doc()], lambda p: False)
    assert [c.file for c in gone] == ["src/orders/api.py"]
    named = drift.unnamed_files(
        ["src/orders/api.py", "src/other.py", "lib/x.py"], [doc().text, "the `lib/` folder"], []
    )
    assert [c.file for c in named] == ["src/other.py"]
    adr = drift.DesignDoc(
        "docs/adr/0001-q.md", "ADR-0001", "adr", "accepted", "", "", 1, (), "Use `redis-queue`."
    )
    assert [c.kind for c in drift.gone_references([adr], set())] == ["adr-reference-gone"]
    assert drift.gone_references([adr], {"redis-queue"}) == []
    record = drift.Record("abc", "t", {"src/a.py": "1"})
    changed, candidate = drift.stale(doc(), record, {"src/a.py": "2", "src/b.py": "3"})
    assert changed == ["src/a.py", "src/b.py"] and candidate.kind == "stale-doc"
    assert drift.deleted_tests({"REQ-001": "tests/t.py", "REQ-002": "tests/u.py"}, {"REQ-002"})[
        0
    ].message.startswith("REQ-001")


# --- learnings -----------------------------------------------------------------------------------

LEARNING = """\
---
id: l1
type: learning
title: "Learnings: export"
status: active
date: 2026-01-02
reviewed: 2026-01-02
categories: ["Edge Case"]
tags: ["csv"]
---

# Learnings: export

## Lessons

### L1: Edge Case

- **Rule:** When exporting user text to CSV, prefix cells starting with = + - @ with a quote
- **Applies when:** any change to the CSV export
- **Evidence:** test_export_formula
"""


def test_a_learning_becomes_one_document_per_lesson():
    docs, problems = memory.learning("docs/learnings/2026-01-02-l1.md", LEARNING)
    assert problems == [] and len(docs) == 1
    assert docs[0].ident == "l1#L1" and docs[0].line == 16 and docs[0].category == "Edge Case"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("date: 2026-01-02\n", "date: Jan 2\n", 6, "YYYY-MM-DD"),
        ('categories: ["Edge Case"]', 'categories: ["Misc"]', 8, "unknown category"),
        ("- **Rule:** When", "- **Rul:** When", 16, "no '- **Rule:**'"),
        ('tags: ["csv"]\n', "tags: [csv\n", 10, "malformed YAML"),
    ],
)
def test_an_unparsable_learning_names_its_line(old, new, line, message):
    _, problems = memory.learning("x.md", LEARNING.replace(old, new))
    assert problems and problems[0].line == line and message in problems[0].message


# --- ygs status suggests only what exists ----------------------------------------------------


def _suggested_commands() -> set[tuple[str, ...]]:
    """The command words of every `Suggestion(skill, "ygs …", why)` in the lifecycle."""
    import ast

    from tests.conftest import REPO

    tree = ast.parse((REPO / "ygs" / "core" / "lifecycle.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Suggestion":
            arg = node.args[1]
            text = arg.value if isinstance(arg, ast.Constant) else arg.values[0].value
            words = [w for w in text.split() if w.isidentifier() or "-" in w]
            found.add(tuple(w for w in words[1:] if not w.startswith("-"))[:2])
    return found


def test_every_command_status_suggests_exists(ygs):
    suggested = _suggested_commands()
    assert {("qa",), ("uat",), ("ship",)} <= suggested
    for words in sorted(suggested):
        result = ygs(*words, "--help")
        assert result.code == 0, f"ygs status suggests `ygs {' '.join(words)}`: {result.stderr}"
