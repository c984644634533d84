"""Estimation arithmetic: three-point (PERT), t-shirt sizes, uncertainty multipliers,
forgotten work, capacity, and a seeded Monte Carlo over the task graph.

Pure and deterministic (the Monte Carlo is seeded). Every number `ygs estimate calc` prints
and every number in an estimate report comes from here. Bad input raises `EstimateError`,
which the shell turns into exit 2 with the offending field named.

Figures from the seed: three-point (B + 4M + W) / 6, skewed (B + 3M + 2W) / 6, spread
(W - B) / 6; new tech x1.5, external dependency x1.5, both x2; capacity shares feature
50-60%, KTLO 20-30%, on-call 5-15%, vacation 10-15%, meetings 5-10%; a new team runs at
60-70%; tests add 20-40%; code-only estimates are doubled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TSHIRT = (("XS", 1.0), ("S", 4.0), ("M", 10.0), ("L", 20.0), ("XL", 40.0))
TSHIRT_BANDS = {"XS": (0.0, 1.0), "S": (1.0, 4.0), "M": (4.0, 10.0), "L": (10.0, 20.0)}
TSHIRT_BANDS["XL"] = (20.0, 40.0)
# Compounding uncertainty: the seed's figures for new tech and external dependencies (both
# together x2, not x2.25); unclear requirements and legacy code are ygs's own defaults.
MULTIPLIERS = {"new_tech": 1.5, "external_dep": 1.5, "unclear": 1.3, "legacy": 1.3}
BOTH_NEW_AND_EXTERNAL = 2.0
# Capacity: (low, high, default) percent of a person's time.
CAPACITY = {
    "feature": (50.0, 60.0, 55.0),
    "ktlo": (20.0, 30.0, 20.0),
    "oncall": (5.0, 15.0, 10.0),
    "vacation": (10.0, 15.0, 10.0),
    "meetings": (5.0, 10.0, 5.0),
}
NEW_TEAM = (60.0, 70.0, 65.0)
WORK_DAYS_PER_WEEK = 5
SCOPES = ("code only", "code and tests", "everything needed to ship")
FORGOTTEN_DEFAULTS = {
    "tests_pct": 30.0,
    "services": 1.0,
    "observed_components": 1.0,
    "runbooks": 1.0,
    "migration_days": 0.0,
    "security_days": 2.0,
    "docs_days": 1.0,
}
DAYS_PER = {"services": 2.0, "observed_components": 1.5, "runbooks": 1.5}


class EstimateError(ValueError):
    """Bad numbers: `field` names what to fix."""

    def __init__(self, message: str, field: str = "", remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.field, self.remedy = message, field, remedy


def _r(value: float) -> float:
    return round(value + 0.0, 3)


# --- one feature ---------------------------------------------------------------------------


def as_mapping(numbers: tuple[float, float, float] | list[float] | None) -> dict | None:
    """(best, likely, worst) as the `estimate:` mapping task files carry; None stays None."""
    if numbers is None:
        return None
    return dict(zip(("best", "likely", "worst"), numbers, strict=True))


def check_three(best: float, likely: float, worst: float, where: str = "") -> None:
    label = f"{where}: " if where else ""
    for name, value in (("best", best), ("likely", likely), ("worst", worst)):
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            raise EstimateError(f"{label}{name} is not a number", name, "give days, e.g. 2.5")
        if value <= 0:
            raise EstimateError(
                f"{label}{name} is {value:g}: an estimate must be more than 0 days",
                name,
                "give engineer-days above 0 (half a day is 0.5)",
            )
    if best > likely or likely > worst:
        raise EstimateError(
            f"{label}best {best:g} / likely {likely:g} / worst {worst:g} is inverted: "
            "best ≤ likely ≤ worst must hold",
            "best" if best > likely else "worst",
            "swap the numbers, or rethink the case that is out of order",
        )


def multiplier(
    new_tech: bool = False, external_dep: bool = False, unclear: bool = False, legacy: bool = False
) -> float:
    """The uncertainty factors compound (they multiply, they are not added)."""
    if new_tech and external_dep:
        factor = BOTH_NEW_AND_EXTERNAL
    elif new_tech or external_dep:
        factor = MULTIPLIERS["new_tech" if new_tech else "external_dep"]
    else:
        factor = 1.0
    if unclear:
        factor *= MULTIPLIERS["unclear"]
    if legacy:
        factor *= MULTIPLIERS["legacy"]
    return factor


def tshirt(days: float) -> str:
    for size, below in TSHIRT:
        if days < below:
            return size
    return "XL"


def expected(best: float, likely: float, worst: float, skewed: bool = False) -> float:
    if skewed:
        return (best + 3 * likely + 2 * worst) / 6
    return (best + 4 * likely + worst) / 6


@dataclass(frozen=True)
class Three:
    best: float
    likely: float
    worst: float
    skewed: bool = False
    factor: float = 1.0

    @property
    def raw_expected(self) -> float:
        return expected(self.best, self.likely, self.worst, self.skewed)

    @property
    def expected(self) -> float:
        return self.raw_expected * self.factor

    @property
    def spread(self) -> float:
        return (self.worst - self.best) / 6 * self.factor

    @property
    def low(self) -> float:
        return max(self.expected - self.spread, self.best * self.factor)

    @property
    def high(self) -> float:
        return self.expected + self.spread

    @property
    def tail(self) -> float:
        return self.worst * self.factor

    def to_dict(self) -> dict[str, Any]:
        size = tshirt(self.expected)
        return {
            "best": self.best,
            "likely": self.likely,
            "worst": self.worst,
            "formula": "(B + 3M + 2W) / 6" if self.skewed else "(B + 4M + W) / 6",
            "expected_raw": _r(self.raw_expected),
            "multiplier": _r(self.factor),
            "expected": _r(self.expected),
            "spread": _r(self.spread),
            "range": [_r(self.low), _r(self.high)],
            "tail": _r(self.tail),
            "tshirt": size,
            "decompose": size == "XL",
        }


def three(
    best: float, likely: float, worst: float, *, skewed: bool = False, factor: float = 1.0,
    where: str = "",
) -> Three:  # fmt: skip
    check_three(best, likely, worst, where)
    return Three(float(best), float(likely), float(worst), skewed, factor)


# --- forgotten work and capacity -----------------------------------------------------------


def _number(values: Mapping[str, Any], key: str, default: float) -> float:
    value = values.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EstimateError(f"{key} is '{value}', not a number", key)
    if value < 0:
        raise EstimateError(f"{key} is {value:g}: it cannot be negative", key)
    return float(value)


def forgotten(code_days: float, scope: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The work teams leave out. Code-only numbers are doubled (or the itemised list is used
    when it is larger); code-and-tests numbers get every other item added."""
    if scope not in SCOPES:
        raise EstimateError(f"scope '{scope}' is not one of: {', '.join(SCOPES)}", "scope")
    n = {k: _number(values, k, d) for k, d in FORGOTTEN_DEFAULTS.items()}
    items = {
        "tests": code_days * n["tests_pct"] / 100 if scope == "code only" else 0.0,
        "deployment": n["services"] * DAYS_PER["services"],
        "observability": n["observed_components"] * DAYS_PER["observed_components"],
        "runbooks": n["runbooks"] * DAYS_PER["runbooks"],
        "migrations": n["migration_days"],
        "security_fixes": n["security_days"],
        "docs": n["docs_days"],
    }
    if scope == "everything needed to ship":
        items = dict.fromkeys(items, 0.0)
    itemised = sum(items.values())
    if scope == "code only":
        added, rule = max(itemised, code_days), "code only: doubled, or the itemised list if larger"
    elif scope == "code and tests":
        added, rule = itemised, "code and tests: every other item added"
    else:
        added, rule = 0.0, "everything needed to ship: each item confirmed as included"
    return {
        "scope": scope,
        "rule": rule,
        "inputs": n,
        "items": {k: _r(v) for k, v in items.items()},
        "itemised": _r(itemised),
        "added": _r(added),
        "total": _r(code_days + added),
    }


def capacity(shares: Mapping[str, Any], new_team_pct: float | None = None) -> dict[str, Any]:
    """Shares in percent. Over 100% in total is an error; a share outside the seed's range
    is a warning; feature work above 60% is capped there (capacity is never 100%)."""
    values = {k: _number(shares, k, CAPACITY[k][2]) for k in CAPACITY}
    for key, value in values.items():
        if value > 100:
            raise EstimateError(
                f"{key} share is {value:g}%: a share cannot exceed 100%", key, "give a percent"
            )
    total = sum(values.values())
    if total > 100 + 1e-9:
        raise EstimateError(
            f"capacity shares add up to {total:g}%, over 100%",
            "capacity",
            "lower the shares so feature + KTLO + on-call + vacation + meetings ≤ 100",
        )
    warnings = []
    for key, (low, high, _) in CAPACITY.items():
        if not low <= values[key] <= high:
            warnings.append(f"{key} at {values[key]:g}% is outside the usual {low:g}-{high:g}%")
    if total < 100 - 1e-9:
        warnings.append(f"the shares add up to {total:g}%, not 100%")
    feature = values["feature"]
    if feature > CAPACITY["feature"][1]:
        warnings.append(
            f"feature work capped at {CAPACITY['feature'][1]:g}% (asked {feature:g}%): "
            "capacity is never 100%"
        )
        feature = CAPACITY["feature"][1]
    if feature <= 0:
        raise EstimateError("feature share is 0%: no time is left for this work", "feature")
    ramp = 100.0
    if new_team_pct is not None:
        if not 0 < new_team_pct <= 100:
            raise EstimateError(f"new-team share {new_team_pct:g}% is not in 1-100", "new_team")
        low, high, _ = NEW_TEAM
        if new_team_pct > high:
            warnings.append(
                f"a new team capped at {high:g}% of steady capacity (asked {new_team_pct:g}%)"
            )
            new_team_pct = high
        elif new_team_pct < low:
            warnings.append(f"a new team at {new_team_pct:g}% is below the usual {low:g}-{high:g}%")
        ramp = new_team_pct
    effective = feature * ramp / 100
    return {
        "shares": values,
        "total": _r(total),
        "feature_used": feature,
        "new_team_pct": new_team_pct,
        "effective_pct": _r(effective),
        "warnings": warnings,
    }


def weeks(days: float, engineers: float, effective_pct: float) -> float:
    """Calendar weeks = effort days / (engineers × 5 × effective feature share)."""
    if engineers <= 0:
        raise EstimateError(f"team of {engineers:g}: at least 1 engineer", "team")
    return days / (engineers * WORK_DAYS_PER_WEEK * effective_pct / 100)


# --- the estimate report (docs/estimates) ---------------------------------------------------


def _feature(item: Mapping[str, Any], index: int) -> dict[str, Any]:
    name = str(item.get("name") or f"feature {index + 1}")
    where = f"features[{index}] '{name}'"
    numbers = []
    for key in ("best", "likely", "worst"):
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EstimateError(f"{where}: {key} is missing or not a number", key)
        numbers.append(float(value))
    factor = multiplier(
        item.get("new_tech") == "yes",
        item.get("external_dependency") == "yes",
        item.get("unclear") == "yes",
        item.get("legacy") == "yes",
    )
    est = three(
        *numbers, skewed=item.get("likely_confidence") == "shaky", factor=factor, where=where
    )
    row = est.to_dict()
    size = str(item.get("size") or "")
    band = TSHIRT_BANDS.get(size)
    row.update(
        name=name,
        size=size,
        size_mismatch=bool(band and not band[0] <= est.likely <= band[1]),
        variance=_r(est.spread**2),
    )
    return row


def report(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every number of an estimate report, from the estimate bank's answers."""
    rows = [_feature(f, i) for i, f in enumerate(answers.get("features") or [])]
    code = sum(r["expected"] for r in rows)
    spread = math.sqrt(sum(r["spread"] ** 2 for r in rows))
    best = sum(r["best"] * r["multiplier"] for r in rows)
    worst = sum(r["tail"] for r in rows)
    scope = str(answers.get("estimate_scope") or "code only")
    extra = forgotten(code, scope, answers)
    added = extra["added"]
    new_team = (
        _number(answers, "new_team_pct", NEW_TEAM[2]) if answers.get("new_team") == "yes" else None
    )
    cap = capacity(
        {
            "feature": answers.get("feature_pct"),
            "ktlo": answers.get("ktlo_pct"),
            "oncall": answers.get("oncall_pct"),
            "vacation": answers.get("vacation_pct"),
            "meetings": answers.get("meetings_pct"),
        },
        new_team,
    )
    team = _number(answers, "team_size", 1.0) or 1.0
    effort = {
        "code": _r(code),
        "code_range": [_r(max(code - spread, best)), _r(code + spread)],
        "code_tail": _r(code + 2 * spread),
        "best": _r(best),
        "worst": _r(worst),
        "spread": _r(spread),
        "expected": _r(code + added),
        "range": [_r(max(code - spread, best) + added), _r(code + spread + added)],
        "tail": _r(code + 2 * spread + added),
        "all_worst": _r(worst + added),
    }

    def wk(days: float) -> float:
        return _r(weeks(days, team, cap["effective_pct"]))

    calendar = {
        "engineers": team,
        "days_per_week": _r(team * WORK_DAYS_PER_WEEK * cap["effective_pct"] / 100),
        "expected": wk(effort["expected"]),
        "range": [wk(effort["range"][0]), wk(effort["range"][1])],
        "tail": wk(effort["tail"]),
        "all_worst": wk(effort["all_worst"]),
    }
    return {
        "features": rows,
        "effort": effort,
        "forgotten": extra,
        "capacity": cap,
        "calendar": calendar,
        "decompose": [r["name"] for r in rows if r["size"] == "XL" or r["decompose"]],
        "size_mismatch": [r["name"] for r in rows if r["size_mismatch"]],
    }


# --- Monte Carlo over the task graph --------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """One task's duration distribution, in engineer-days, and what it waits for."""

    id: str
    best: float
    likely: float
    worst: float
    depends_on: tuple[str, ...] = ()


def percentile_summary(values, points: Sequence[int] = (50, 85, 95)) -> dict[str, float]:
    import numpy as np

    found = np.percentile(values, list(points))
    return {f"p{p}": _r(float(v)) for p, v in zip(points, found, strict=True)}


def monte_carlo(
    draws: Sequence[Draw],
    *,
    samples: int = 10_000,
    seed: int = 0,
    team: float = 1.0,
    effective_pct: float = CAPACITY["feature"][2],
    distribution: str = "pert",
) -> dict[str, Any]:
    """Sample every task's duration (PERT-beta or triangular) `samples` times, vectorised.

    Per sample: effort is the sum of all durations; the span is the longest dependency chain;
    calendar days with `team` engineers are max(span, effort / team) at the effective
    capacity (a lower bound any schedule must respect). Draws must be in topological order
    of `depends_on` (dependencies on tasks not in `draws` are ignored). numpy is imported
    here and only here.
    """
    import numpy as np

    if samples < 100:
        raise EstimateError(f"{samples} samples: use at least 100", "samples")
    if distribution not in ("pert", "triangular"):
        raise EstimateError(f"unknown distribution '{distribution}'", "distribution")
    rng = np.random.default_rng(seed)
    n = len(draws)
    position = {d.id: i for i, d in enumerate(draws)}
    column = np.array
    best = column([d.best for d in draws], dtype=np.float32)[:, None]
    likely = column([d.likely for d in draws], dtype=np.float32)[:, None]
    worst = column([d.worst for d in draws], dtype=np.float32)[:, None]
    width = worst - best
    flat = width <= 0
    safe = np.where(flat, np.float32(1), width)
    # one row per task, one column per sample: each task's draws are contiguous
    if distribution == "pert":
        alpha = 1 + 4 * (likely - best) / safe
        beta = 1 + 4 * (worst - likely) / safe
        x = rng.standard_gamma(alpha, size=(n, samples), dtype=np.float32)
        y = rng.standard_gamma(beta, size=(n, samples), dtype=np.float32)
        unit = x / (x + y)
    else:
        unit = _triangular(rng, np.where(flat, np.float32(0.5), (likely - best) / safe), samples)
    durations = best + unit * np.where(flat, np.float32(0), width)
    effort = durations.sum(axis=0, dtype=np.float64)
    finish = np.empty_like(durations)
    for i, d in enumerate(draws):
        deps = [position[x] for x in d.depends_on if x in position and position[x] < i]
        if not deps:
            finish[i] = durations[i]
        elif len(deps) == 1:
            np.add(finish[deps[0]], durations[i], out=finish[i])
        else:
            np.add(finish[deps].max(axis=0), durations[i], out=finish[i])
    span = finish.max(axis=0).astype(np.float64) if n else np.zeros(samples)
    calendar_days = np.maximum(span, effort / team) / (effective_pct / 100)
    calendar_weeks = calendar_days / WORK_DAYS_PER_WEEK
    return {
        "samples": samples,
        "seed": seed,
        "distribution": distribution,
        "tasks": n,
        "team": team,
        "effective_pct": _r(effective_pct),
        "effort_days": {**percentile_summary(effort), "mean": _r(float(effort.mean()))},
        "span_days": {**percentile_summary(span), "mean": _r(float(span.mean()))},
        "calendar_weeks": {
            **percentile_summary(calendar_weeks),
            "mean": _r(float(calendar_weeks.mean())),
        },
    }


def _triangular(rng, mode, samples: int):
    """Standard triangular draws on [0, 1] with a per-task mode (a column), by inverting the
    CDF."""
    import numpy as np

    u = rng.random((mode.shape[0], samples), dtype=np.float32)
    left = np.sqrt(u * mode)
    right = 1 - np.sqrt((1 - u) * (1 - mode))
    return np.where(u < mode, left, right)
