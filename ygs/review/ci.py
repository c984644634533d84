"""Text of the plain git pre-commit hook that runs `ygs check` and `ygs review` (pure); the
GitHub workflows are written by ygs.ci.github."""

from __future__ import annotations

HOOK_MARK = "# ygs-review hook"


def git_hook(python: str, *, model: bool) -> str:
    """A POSIX sh pre-commit hook; `python` is the interpreter ygs was installed with."""
    flags = "--staged" if model else "--staged --offline"
    return f"""#!/bin/sh
{HOOK_MARK}: installed by `ygs hooks install --git`; delete this file to remove it.
# Lints the staged spec artifacts (`ygs check`) and reviews the staged change
# {"" if model else "(offline) "}(`ygs review`); MUST findings block the commit
# (bypass once with `git commit --no-verify`).
if command -v ygs >/dev/null 2>&1; then
  PRE_COMMIT=1 ygs check --changed || exit $?
  exec ygs review {flags}
fi
PRE_COMMIT=1 "{python}" -m ygs check --changed || exit $?
exec "{python}" -m ygs review {flags}
"""


def is_ours(text: str) -> bool:
    return HOOK_MARK in text
