"""Estimation arithmetic (pure) and `ygs estimate calc` (flags and task frontmatter)."""

from __future__ import annotations

import pytest

from tests.conftest import make_repo
from ygs.core import estimate as est


def test_three_point_normal_and_skewed():
    t = est.three(2, 4, 12)
    assert t.expected == pytest.approx((2 + 16 + 12) / 6)
    assert t.spread == pytest.approx(10 / 6)
    s = est.three(2, 4, 12, skewed=True)
    assert s.expected == pytest.approx((2 + 12 + 24) / 6)
    assert t.to_dict()["tshirt"] == "M" and est.three(1, 2, 3).to_dict()["tshirt"] == "S"


@pytest.mark.parametrize(
    ("flags", "factor"),
    [
        ({}, 1.0),
        ({"new_tech": True}, 1.5),
        ({"external_dep": True}, 1.5),
        ({"new_tech": True, "external_dep": True}, 2.0),
        ({"new_tech": True, "external_dep": True, "legacy": True}, 2.6),
        ({"unclear": True, "legacy": True}, 1.69),
    ],
)
def test_multipliers_compound(flags, factor):
    assert est.multiplier(**flags) == pytest.approx(factor)


def test_tshirt_bands():
    assert [est.tshirt(d) for d in (0.5, 1, 3.9, 4, 9.9, 10, 19, 20, 60)] == [
        "XS", "S", "S", "M", "M", "L", "L", "XL", "XL",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("numbers", "text"),
    [
        ((5, 3, 9), "inverted"),
        ((1, 9, 3), "inverted"),
        ((0, 1, 2), "more than 0"),
        ((-1, 1, 2), "more than 0"),
    ],
)
def test_bad_three_points_are_errors(numbers, text):
    with pytest.raises(est.EstimateError, match=text):
        est.three(*numbers)


def test_forgotten_work_doubles_code_only():
    f = est.forgotten(10.0, "code only", {})
    assert f["items"]["tests"] == 3.0 and f["itemised"] == 3 + 2 + 1.5 + 1.5 + 0 + 2 + 1
    assert f["added"] == 11.0 and f["total"] == 21.0  # itemised 11 > code 10
    assert est.forgotten(4.0, "code only", {})["added"] == 9.2  # itemised beats doubling
    assert est.forgotten(40.0, "code only", {})["added"] == 40.0  # doubled
    assert est.forgotten(10.0, "code and tests", {"services": 0})["added"] == 6.0
    assert est.forgotten(10.0, "everything needed to ship", {})["added"] == 0


def test_capacity_never_100_percent():
    c = est.capacity({})
    assert c["effective_pct"] == 55 and c["warnings"] == []
    c = est.capacity({"feature": 80, "ktlo": 10, "oncall": 5, "vacation": 5, "meetings": 0})
    assert c["feature_used"] == 60 and any("capped at 60%" in w for w in c["warnings"])
    with pytest.raises(est.EstimateError, match="over 100%"):
        est.capacity({"feature": 60, "ktlo": 30, "oncall": 10, "vacation": 10, "meetings": 5})
    assert est.capacity({}, new_team_pct=90)["effective_pct"] == 55 * 0.7
    assert est.weeks(55, 2, 55) == pytest.approx(10)


def test_monte_carlo_is_seeded_and_follows_dependencies():
    chain = [est.Draw("a", 1, 2, 3), est.Draw("b", 1, 2, 3, ("a",)), est.Draw("c", 5, 5, 5)]
    one = est.monte_carlo(chain, samples=2000, seed=7)
    assert one == est.monte_carlo(chain, samples=2000, seed=7)
    assert one != est.monte_carlo(chain, samples=2000, seed=8)
    assert 2 <= one["span_days"]["p50"] <= 6 and one["span_days"]["p95"] >= 5
    assert 7 <= one["effort_days"]["p50"] <= 11
    tri = est.monte_carlo(chain, samples=2000, seed=7, distribution="triangular")
    assert tri["distribution"] == "triangular" and 7 <= tri["effort_days"]["p50"] <= 11
    for key in ("p50", "p85", "p95"):
        assert one["calendar_weeks"][key] > 0
    assert one["effort_days"]["p50"] <= one["effort_days"]["p85"] <= one["effort_days"]["p95"]


def test_report_numbers_come_from_the_answers():
    answers = {
        "features": [
            {"name": "A", "best": 1, "likely": 2, "worst": 3, "size": "S"},
            {"name": "B", "best": 2, "likely": 3, "worst": 10, "new_tech": "yes", "size": "XL"},
        ],
        "estimate_scope": "everything needed to ship",
        "team_size": 2,
    }
    r = est.report(answers)
    assert r["effort"]["code"] == pytest.approx(2 + 4 * 1.5)
    assert r["decompose"] == ["B"] and r["size_mismatch"] == ["B"]
    assert r["calendar"]["expected"] == pytest.approx(8 / (2 * 5 * 0.55), abs=1e-3)
    with pytest.raises(est.EstimateError, match="features\\[0\\] 'A'"):
        est.report({"features": [{"name": "A", "best": 3, "likely": 2, "worst": 4}]})


# --- the command ---------------------------------------------------------------------------------


def test_calc_from_flags_returns_every_intermediate_number(ygs, tmp_path):
    result = ygs(
        "estimate", "calc", "--best", "2", "--likely", "4", "--worst", "12", "--new-tech",
        "--external-dep", "--scope", "code-only", "--team", "2", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    data = result.json
    e = data["estimate"]
    assert e["expected_raw"] == 5.0 and e["multiplier"] == 2.0 and e["expected"] == 10.0
    assert e["formula"] == "(B + 4M + W) / 6" and e["tail"] == 24.0
    assert data["forgotten"]["total"] == 21.0
    assert data["capacity"]["effective_pct"] == 55
    assert data["calendar"]["expected_weeks"] == pytest.approx(21 / 5.5, abs=1e-3)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--best", "5", "--likely", "3", "--worst", "9"], "inverted"),
        (["--best", "0", "--likely", "3", "--worst", "9"], "more than 0"),
        (["--best", "-1", "--likely", "3", "--worst", "9"], "more than 0"),
        (["--best", "1", "--likely", "3"], "--worst is missing"),
        (
            [
                "--best",
                "1",
                "--likely",
                "2",
                "--worst",
                "3",
                "--feature-pct",
                "90",
                "--ktlo-pct",
                "30",
            ],
            "over 100%",
        ),
        (["--best", "1", "--likely", "2", "--worst", "3", "--scope", "code"], "unknown --scope"),
    ],
)
def test_calc_bad_input_exits_2_with_a_remedy(ygs, tmp_path, args, text):
    result = ygs("estimate", "calc", *args, cwd=tmp_path)
    assert result.code == 2 and text in result.stderr and "remedy:" in result.stderr
    assert "Traceback" not in result.stderr


def test_calc_reads_capacity_from_config(ygs, tmp_path):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    config = root / ".ygs" / "config.yaml"
    config.write_text(
        config.read_text()
        + "team:\n  capacity: {feature: 50, ktlo: 30, oncall: 10, vacation: 10, meetings: 0}\n"
    )
    result = ygs(
        "estimate", "calc", "--best", "1", "--likely", "2", "--worst", "3", "--json", cwd=root
    )
    assert result.code == 0, result.stderr
    assert result.json["capacity"]["effective_pct"] == 50
    config.write_text(config.read_text().replace("feature: 50", "feature: 70"))
    over = ygs("estimate", "calc", "--best", "1", "--likely", "2", "--worst", "3", cwd=root)
    assert over.code == 2 and "config.yaml" in over.stderr


def _task(root, ident, deps, estimate, status="backlog"):
    folder = root / "tasks" / status
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ident}-t.md").write_text(
        f"---\nid: {ident}\ntype: task\ntitle: {ident}\nstatus: {status}\npriority: P1\n"
        f"depends_on: {deps}\nestimate: {estimate}\n---\n\n# {ident}\n"
    )


def test_calc_over_the_task_graph_is_reproducible(ygs, tmp_path):
    root = make_repo(tmp_path / "p")
    ygs("init", cwd=root)
    _task(root, "TASK-001", "[]", "{best: 1, likely: 2, worst: 4}")
    _task(root, "TASK-002", "[TASK-001]", "{best: 2, likely: 3, worst: 8}")
    _task(root, "TASK-003", "[]", "")
    _task(root, "TASK-004", "[]", "{best: 9, likely: 9, worst: 9}", status="done")
    args = ("estimate", "calc", "--team", "2", "--seed", "42", "--samples", "2000", "--json")
    first = ygs(*args, cwd=root)
    assert first.code == 0, first.stderr
    assert first.json == ygs(*args, cwd=root).json
    data = first.json
    assert data["unestimated"] == ["TASK-003"] and [t["task"] for t in data["tasks"]] == [
        "TASK-001",
        "TASK-002",
    ]
    mc = data["monte_carlo"]
    assert mc["seed"] == 42 and mc["samples"] == 2000 and mc["tasks"] == 2
    assert 3 <= mc["span_days"]["p50"] <= 12  # the chain: TASK-001 then TASK-002
    human = ygs("estimate", "calc", "--seed", "42", cwd=root).stdout
    assert "P85" in human and "not counted (no estimate): TASK-003" in human
