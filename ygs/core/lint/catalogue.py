"""The rule catalogue lives in `ygs.core.catalogue` (importing it there does not load every
lint family, which `ygs review` does not need); these names stay importable from here."""

from ygs.core.catalogue import (
    ADR_STYLES,
    ALL_FORMATS,
    LEVELS,
    RULE_ID,
    YGS,
    OverrideError,
    Rule,
    apply_overrides,
    catalogue,
    parse_overrides,
)

__all__ = [
    "ADR_STYLES",
    "ALL_FORMATS",
    "LEVELS",
    "RULE_ID",
    "YGS",
    "OverrideError",
    "Rule",
    "apply_overrides",
    "catalogue",
    "parse_overrides",
]
