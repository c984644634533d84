"""The trace gate's rules (`ygs trace --gate`): here, apart from the graph code in
`ygs.core.trace`, so that the lint's rule registry reads them without importing it."""

from __future__ import annotations

from ygs.core.catalogue import ALL_FORMATS, Rule
from ygs.core.findings import Severity

F = "trace"
RULES = (
    Rule(
        "TRC001",
        Severity.MUST,
        "every MUST requirement has a task",
        "MUST requirement without a task",
        "plan a task that lists it in `satisfies:` (`ygs wbs`)",
        """A MUST requirement that no task satisfies will not be built. The gate catches it
        while planning is still cheap.""",
        F,
    ),
    Rule(
        "TRC002",
        Severity.MUST,
        "every MUST requirement has a test",
        "MUST requirement without a test",
        'add a test with a `covers: REQ-NNN` comment or `@pytest.mark.covers("REQ-NNN")`',
        """A MUST requirement with no test can regress silently. Tests declare what they
        cover, so the gate can tell which requirements nothing verifies.""",
        F,
    ),
    Rule(
        "TRC003",
        Severity.MUST,
        "every High threat has a mitigation",
        "High-priority threat without a mitigation",
        "give the threat a MIT id and a row in the Mitigations table, or accept the risk "
        "(status accepted)",
        """A High threat without a mitigation is a known, likely and damaging attack with no
        planned answer.""",
        F,
    ),
    Rule(
        "TRC004",
        Severity.MUST,
        "tasks satisfy requirements that exist",
        "task satisfies an unknown requirement",
        "fix the REQ id in `satisfies:` or add the requirement to the PRD",
        """A task that satisfies a requirement nobody defined is either a typo (and the real
        requirement looks unplanned) or scope nobody asked for.""",
        F,
    ),
)
RULES = (
    *RULES,
    Rule(
        "TRC005",
        Severity.MUST,
        "the gate has something to check",
        "nothing to gate",
        "write requirements (PRD `### REQ-NNN`, OpenSpec specs or spec-kit specs) where ygs "
        "looks, or run ygs from the project that holds them (`ygs -C DIR trace --gate`)",
        """A gate over zero requirements and zero threats passes by construction. It fails
        instead, naming where it looked, so a CI gate pointed at the wrong folder cannot show
        green.""",
        F,
    ),
)
RULES = tuple(r._replace(formats=ALL_FORMATS) for r in RULES)
R = {r.id: r for r in RULES}
