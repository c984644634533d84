"""Every interview, Enter only, in a real terminal, on three kinds of project (issue #16):
each finishes with no loop and no exit 2, writes its document with the assumptions marked,
and recommends nothing that does not fit the project (a library gets no outbox, tenants,
feature-flag rollout or mutual TLS)."""

from __future__ import annotations

import pytest

from tests.pty_driver import Interview
from ygs.core import frontmatter

KINDS = {
    "library": {
        "pyproject.toml": '[project]\nname = "signet"\ndependencies = []\n',
        "signet/__init__.py": "def sign(key, value):\n    return value\n",
    },
    "service": {
        "pyproject.toml": (
            '[project]\nname = "billing-api"\ndependencies = ["flask", "sqlalchemy"]\n'
        ),
        "Dockerfile": "FROM python:3.12\n",
        "app/main.py": "app = None\n",
    },
    "cli": {
        "pyproject.toml": '[project]\nname = "tidy"\n[project.scripts]\ntidy = "tidy:main"\n',
        "tidy/__init__.py": "def main():\n    return 0\n",
    },
}
FLOWS = (  # in a real terminal
    (["refine-prd", "Key rotation for signed values"], "prd"),
    (["refine-trd"], "trd"),
    (["threat-model"], "threat-model"),
    (["adr", "Keep old keys for verification"], "adr"),
    (["estimate", "Key rotation"], "estimate"),
)
# The two longest banks run the same conversation with Enter taken as the answer
# (--non-interactive), which keeps this suite fast; the terminal adds nothing to them.
QUICK = (
    (["refine-architecture"], "architecture"),
    (["refine-architecture", "--design-doc"], "design-doc"),
)
NEVER_FOR_A_LIBRARY = ("outbox", "tenant", "feature flag", "mutual TLS", "5 %, 50 %")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_interview_finishes_with_enter_only(kind, repo, ygs):
    for rel, text in KINDS[kind].items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    assert ygs("init", cwd=repo).code == 0
    written: dict[str, str] = {}
    for args, doc_type in FLOWS:
        session = Interview(args, cwd=repo)
        session.answer(loop_limit=3)
        code = session.finish()
        assert code == 0, (args, session.transcript[-3000:])
        assert "recommended: (none: type your answer)" not in session.transcript, args
        path = next(
            line.split()[1] for line in session.transcript.splitlines() if line.startswith("Wrote ")
        )
        text = (repo / path).read_text()
        assert frontmatter.parse(text).meta["type"] == doc_type
        written[doc_type] = text
        print(f"{kind} {doc_type}: {len(session.keys)} prompts")
        if doc_type in ("prd", "trd"):
            assert "[assumed]" in text, doc_type
    for args, doc_type in QUICK:
        result = ygs(*args, "--non-interactive", "--json", cwd=repo)
        assert result.code == 0, (args, result.stderr)
        written[doc_type] = (repo / result.json["path"]).read_text()
        assert result.json["assumptions"] > 0, doc_type
    assert "billing-api" in written["prd"] if kind == "service" else repo.name not in written["prd"]
    if kind == "library":
        for doc_type in ("trd", "threat-model", "architecture"):
            lowered = written[doc_type].lower()
            assert not [w for w in NEVER_FOR_A_LIBRARY if w.lower() in lowered], doc_type
