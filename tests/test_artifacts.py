"""Project conventions: paths, slugs, ids, discovery, and bad input as clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ygs.core.artifacts import (
    Layout,
    artifact_path,
    build_catalog,
    classify,
    next_id,
    slugify,
)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def doc(kind: str, ident: str, status: str = "draft", extra: str = "", body: str = "") -> str:
    head = f"id: {ident}\ntype: {kind}\ntitle: {ident} title\nstatus: {status}\n{extra}"
    return f"---\n{head}---\n{body}"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Notify users of overdue invoices!", "notify-users-of-overdue-invoices"),
        ("  Ünïcödé  café  ", "unicode-cafe"),
        ("***", "untitled"),
        ("a" * 80, "a" * 60),
        (
            "Use an outbox for order events, not dual writes",
            "use-an-outbox-for-order-events-not-dual-writes",
        ),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_paths_follow_the_conventions():
    assert artifact_path("prd", "alerts", date="2026-11-27") == "docs/prd/2026-11-27-alerts.md"
    assert artifact_path("prd", "alerts", date="2026-11-27", subdir="shop/checkout") == (
        "docs/prd/shop/checkout/2026-11-27-alerts.md"
    )
    assert artifact_path("adr", "use-outbox", number=7) == "docs/adr/0007-use-outbox.md"
    assert (
        artifact_path("task", "login", number=12, status="backlog")
        == "tasks/backlog/TASK-012-login.md"
    )
    assert artifact_path("architecture", "billing") == "docs/architecture/billing.md"
    assert artifact_path("uat", "alerts", date="2026-11-27") == "docs/qa/2026-11-27-alerts-uat.md"
    assert artifact_path("prd", "x", date="2026-01-01", layout=Layout(docs="documentation")) == (
        "documentation/prd/2026-01-01-x.md"
    )


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("docs/prd/2026-11-27-a.md", "prd"),
        ("docs/prd/shop/checkout/2026-11-27-a.md", "prd"),
        ("docs/adr/0001-x.md", "adr"),
        ("docs/qa/2026-11-27-a-uat.md", "uat"),
        ("docs/qa/2026-11-27-a-qa.md", "qa"),
        ("docs/threat-models/2026-11-27-a.md", "threat-model"),
        ("tasks/done/TASK-001-a.md", "task"),
        ("tasks/someday/TASK-001-a.md", None),
        ("docs/prd/README.md", None),
        ("docs/notes/x.md", None),
        ("src/docs/prd/x.md", None),
    ],
)
def test_classify(path, kind):
    assert classify(path) == kind


def catalog_of(files: dict[str, str]):
    return build_catalog((p, t.encode()) for p, t in files.items())


def test_next_id_is_robust_to_gaps_nesting_and_stray_mentions():
    catalog = catalog_of(
        {
            "docs/prd/a/b/2026-01-01-x.md": doc(
                "prd", "x", body="### REQ-001: a\n### REQ-004: b\n"
            ),
            "docs/trd/2026-01-02-x.md": doc(
                "trd", "x", extra="prd: x\n", body="| REQ-009 | D1 | r |\n"
            ),
            "docs/adr/0003-a.md": doc("adr", "ADR-0003"),
            "docs/adr/0010-b.md": "# no frontmatter at all\n",
            "tasks/backlog/TASK-002-a.md": doc("task", "TASK-002", "backlog"),
            "tasks/done/TASK-041-b.md": doc("task", "TASK-041", "done"),
        }
    )
    assert next_id(catalog, "REQ") == "REQ-010"  # REQ-009 appears only in the TRD
    assert next_id(catalog, "ADR") == "ADR-0011"  # from the file number alone
    assert next_id(catalog, "TASK") == "TASK-042"  # max over every status folder
    assert next_id(catalog, "THR") == "THR-001"


def test_duplicate_ids_are_findings_not_crashes():
    catalog = catalog_of(
        {
            "tasks/backlog/TASK-001-a.md": doc("task", "TASK-001", "backlog"),
            "tasks/done/TASK-001-b.md": doc("task", "TASK-001", "done"),
            "docs/prd/2026-01-01-x.md": doc("prd", "x", body="### REQ-001: a\n"),
            "docs/prd/2026-01-02-y.md": doc("prd", "y", body="\n### REQ-001: again\n"),
        }
    )
    dupes = [f for f in catalog.findings if f.rule == "ART003"]
    assert {f.path for f in dupes} == {"tasks/done/TASK-001-b.md", "docs/prd/2026-01-02-y.md"}
    assert any(f.line == 8 and "REQ-001" in f.message for f in dupes)


def test_ygs_artifacts_lists_and_filters(ygs, repo):
    write(repo, "docs/prd/2026-11-01-alerts.md", doc("prd", "alerts", "approved"))
    write(repo, "docs/prd/shop/2026-11-02-cart.md", doc("prd", "cart"))
    write(repo, "tasks/in-progress/TASK-003-x.md", doc("task", "TASK-003", "in-progress"))
    result = ygs("artifacts", "--json", cwd=repo)
    assert result.code == 0
    rows = {a["path"]: a for a in result.json["artifacts"]}
    assert rows["docs/prd/shop/2026-11-02-cart.md"]["id"] == "cart"
    assert rows["tasks/in-progress/TASK-003-x.md"]["status"] == "in-progress"
    only = ygs("artifacts", "--type", "task", "--json", cwd=repo).json["artifacts"]
    assert [a["id"] for a in only] == ["TASK-003"]
    assert ygs("artifacts", "--type", "nope", cwd=repo).code == 2


def test_ygs_next_id(ygs, repo):
    write(repo, "docs/adr/0004-x.md", doc("adr", "ADR-0004"))
    assert ygs("next-id", "adr", cwd=repo).stdout.strip() == "ADR-0005"
    assert ygs("next-id", "REQ", "--json", cwd=repo).json["id"] == "REQ-001"
    bad = ygs("next-id", "FOO", cwd=repo)
    assert bad.code == 2 and "REQ, ADR, TASK, THR, MIT" in bad.stderr


def test_duplicates_reported_by_listing_commands(ygs, repo):
    write(repo, "tasks/backlog/TASK-001-a.md", doc("task", "TASK-001", "backlog"))
    write(repo, "tasks/backlog/TASK-001-b.md", doc("task", "TASK-001", "backlog"))
    listing = ygs("artifacts", cwd=repo)
    assert listing.code == 0
    assert "tasks/backlog/TASK-001-b.md:2: MUST ART003: duplicate id TASK-001" in listing.stdout
    status = ygs("status", "--json", cwd=repo)
    assert status.code == 0 and status.json["problems"][0]["rule"] == "ART003"


def test_malformed_frontmatter_exits_2_naming_file_and_line(ygs, repo):
    write(
        repo, "docs/prd/2026-11-01-bad.md", "---\nid: bad\ntitle: [unclosed\nstatus: draft\n---\n"
    )
    write(repo, "docs/prd/2026-11-01-good.md", doc("prd", "good"))
    result = ygs("artifacts", cwd=repo)
    assert result.code == 2
    assert "docs/prd/2026-11-01-bad.md:4: MUST ART001: malformed YAML" in result.stdout
    assert "good" in result.stdout  # the rest is still listed
    assert "Traceback" not in result.stderr


def test_non_utf8_artifact_exits_2_naming_file_and_line(ygs, repo):
    write(repo, "docs/adr/0001-latin.md", b"---\nid: ADR-0001\n---\n" + b"caf\xe9\n")
    result = ygs("status", cwd=repo)
    assert result.code == 2
    assert "docs/adr/0001-latin.md:4: MUST ART002: not UTF-8" in result.stdout


def test_unclosed_frontmatter_is_a_finding(ygs, repo):
    write(repo, "docs/trd/2026-11-01-x.md", "---\nid: x\n")
    result = ygs("artifacts", "--json", cwd=repo)
    assert result.code == 2
    assert result.json["problems"][0]["line"] == 1
