"""Text of the files that wire `ygs review` into git and CI (pure): the plain git hook and
the GitHub Actions workflow."""

from __future__ import annotations

HOOK_MARK = "# ygs-review hook"


def git_hook(python: str, *, model: bool) -> str:
    """A POSIX sh pre-commit hook; `python` is the interpreter ygs was installed with."""
    flags = "--staged" if model else "--staged --offline"
    return f"""#!/bin/sh
{HOOK_MARK}: installed by `ygs hooks install --git`; delete this file to remove it.
# Reviews the staged change{"" if model else " offline"}; MUST findings block the commit
# (bypass once with `git commit --no-verify`).
if command -v ygs >/dev/null 2>&1; then
  exec ygs review {flags}
fi
exec "{python}" -m ygs review {flags}
"""


def is_ours(text: str) -> bool:
    return HOOK_MARK in text


def workflow(*, base: str, pr_comments: bool, python: str = "3.12", fail_on: str = "must") -> str:
    """`.github/workflows/ygs-review.yml`: review every pull request, upload SARIF."""
    write = "\n  pull-requests: write  # one PR review, updated on re-runs" if pr_comments else ""
    post = ' --post-pr "${{ github.event.pull_request.number }}"' if pr_comments else ""
    token = "\n          GH_TOKEN: ${{ github.token }}" if pr_comments else ""
    return f"""# Written by `ygs ci github`. Edit freely: ygs does not overwrite it without --force.
name: ygs review

on:
  pull_request:
    types: [opened, synchronize, reopened, ready_for_review]

permissions:
  contents: read
  security-events: write  # upload SARIF to code scanning{write}

concurrency:
  group: ygs-review-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true

jobs:
  review:
    name: ygs review
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.sha }}}}
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install ygs
        run: python -m pip install ygs
      - name: Review the pull request
        env:
          # Without this secret (forks, or none set) the review runs the offline rules only.
          ANTHROPIC_API_KEY: ${{{{ secrets.ANTHROPIC_API_KEY }}}}{token}
        run: >-
          ygs review --base "origin/${{{{ github.base_ref || '{base}' }}}}"
          --format sarif --output ygs.sarif --fail-on {fail_on}{post}
      - name: Upload SARIF to code scanning
        if: always() && hashFiles('ygs.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: ygs.sarif
          category: ygs-review
"""
