"""Model requests are built only by the redacting builder, and no planted secret of any
corpus format, anywhere in the repository, a document, a diff or an error, ever reaches a
model: checked on what the fake Anthropic server and the fake `claude` receive."""

from __future__ import annotations

import ast
import json
import os
import random
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from tests.secret_corpus import FORMATS
from ygs.errors import YgsError
from ygs.llm.port import DEFAULT_PRICES, Ledger, Message, Prices, Request, Session, request
from ygs.testing.fake_anthropic import FakeAnthropic

YGS = Path(__file__).resolve().parent.parent / "ygs"
PLACES = ("readme", "answer", "prd", "diff added", "diff context", "diff removed", "error")

# ------------------------------------------------------------ the only way in


def test_a_request_cannot_be_made_or_changed_except_by_the_builder():
    with pytest.raises(TypeError, match="request\\(\\)"):
        Request("review", "reasoning", (), ())
    built = request("p", "fast", ["skill"], ["key sk-ant-api03-abcdefghijklmnopqrstuvwx"])
    assert built.messages == (Message("user", "key [REDACTED Anthropic API key]"),)
    with pytest.raises(AttributeError):
        built.system = ("pre-approved",)
    longer = built.followed_by(Message("user", "password: hunter2"))
    assert longer.messages[-1].content == "password: [REDACTED password]"


def _port_names(tree: ast.AST) -> set[str]:
    """Names a module binds to the model port's Request (`from ygs.llm.port import Request`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("ygs.llm.port", "ygs.llm"):
            names |= {a.asname or a.name for a in node.names if a.name == "Request"}
    return names


def _uses_port(tree: ast.AST) -> bool:
    """Whether a module imports the model port (or the package that holds it)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        if any(name.startswith("ygs.llm") for name in names):
            return True
    return False


def _violations(path: Path) -> list[str]:
    return _source_violations(
        path.relative_to(YGS.parent).as_posix(), path.read_text(encoding="utf-8")
    )


def _source_violations(rel: str, source: str) -> list[str]:
    """What in one module could build or change a Request around the builder: a direct
    `Request(...)`, and in a module that imports the port, `__new__` or `__setattr__` (a
    module that never sees the port may build its own objects so, as the catalogue does)."""
    tree = ast.parse(source)
    ours = _port_names(tree)
    near_port = rel.startswith("ygs/llm/") or _uses_port(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        via_port = isinstance(func, ast.Attribute) and ast.unparse(func.value).endswith("port")
        if (isinstance(func, ast.Name) and name in ours) or (name == "Request" and via_port):
            found.append(f"{rel}:{node.lineno}: Request(...) built directly")
        if name in ("__new__", "__setattr__") and near_port and rel != "ygs/llm/port.py":
            found.append(f"{rel}:{node.lineno}: {name} outside the builder")
        if name == "complete" and rel != "ygs/llm/port.py" and "backend" in ast.unparse(func):
            found.append(f"{rel}:{node.lineno}: a backend called around the Session")
    return found


def test_the_guard_sees_a_request_built_around_the_builder():
    around = "from ygs.llm.port import Request\nr = object.__new__(Request)\n"
    assert _source_violations("ygs/x.py", around) == ["ygs/x.py:2: __new__ outside the builder"]
    changed = "from ygs import llm\nobject.__setattr__(reply, 'system', ())\n"
    assert _source_violations("ygs/x.py", changed) == [
        "ygs/x.py:2: __setattr__ outside the builder"
    ]
    direct = "from ygs.llm.port import Request as R\nR('review', 'fast', (), ())\n"
    assert _source_violations("ygs/x.py", direct) == ["ygs/x.py:2: Request(...) built directly"]
    catalogue = "class Artifact: ...\na = object.__new__(Artifact)\n"
    assert _source_violations("ygs/core/x.py", catalogue) == []


def test_no_other_path_in_ygs_builds_a_request():
    violations = [v for path in sorted(YGS.rglob("*.py")) for v in _violations(path)]
    assert violations == []
    port = (YGS / "llm" / "port.py").read_text(encoding="utf-8")
    assert port.count("object.__new__(Request)") == 1  # the builder, and nothing else


def test_the_session_refuses_anything_but_a_built_request():
    session = Session(_NoBackend(), 1.0, Prices(DEFAULT_PRICES), Ledger(None))
    with pytest.raises(TypeError):
        session.ask(object())


class _NoBackend:
    name = "none"

    def model_for(self, tier: str) -> str:
        return "none"

    def complete(self, request):  # pragma: no cover - never reached
        raise AssertionError


# ---------------------------------------------------------- errors and logs


def test_an_api_error_that_echoes_the_key_prints_redacted(tmp_path, monkeypatch):
    from tests.conftest import git, make_repo, run_ygs

    key = "sk-ant-api03-" + "Zq7" * 30 + "AA"
    repo = make_repo(tmp_path / "repo")
    (repo / "app.py").write_text("def f():\n    return 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "app.py").write_text("def f():\n    return 2\n")
    script = [{"status": 400, "text": f"invalid request: bad key {key}"}]
    with FakeAnthropic(script) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("YGS_MODEL_BACKEND", "anthropic")
        result = run_ygs("review", "--json", cwd=repo)
        headers = fake.requests[0]["headers"]
        assert key in headers.get("x-api-key", "") + headers.get("authorization", "")  # it was used
    assert result.code == 5
    printed = result.stdout + result.stderr
    assert key not in printed and key[:30] not in printed
    assert "bad key [REDACTED Anthropic API key]" in printed


def test_log_lines_and_internal_errors_are_redacted(capsys):
    from ygs.cli import internal_error
    from ygs.cli.output import log

    log("connecting with Authorization: Bearer abc123def456ghi789")
    internal_error(RuntimeError("token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"))
    err = capsys.readouterr().err
    assert "abc123def456ghi789" not in err and "ghp_0123456789" not in err
    assert err.count("[REDACTED") == 2


def test_the_api_key_is_not_in_the_backends_repr():
    from ygs.llm.anthropic_backend import AnthropicBackend

    backend = AnthropicBackend("sk-ant-api03-secretsecretsecret", {"reasoning": "m"})
    assert "secretsecret" not in repr(backend)


# ------------------------------------------------------------- the property


def _fake_reply(body: dict) -> dict:
    text = json.dumps(body["messages"])
    if "<repository-diff" in text:
        return {"text": "[]"}
    if "Review the document below" in text:
        return {"text": '{"findings": []}'}
    return {"text": "ok"}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _diff(planted: list[str], where: str) -> bytes:
    mark = {"diff added": "+", "diff context": " ", "diff removed": "-"}[where]
    body = [" def f():", *(mark + line for line in planted), "+    x = 2", "     return 1"]
    old = sum(1 for line in body if line[0] in " -")
    new = sum(1 for line in body if line[0] in " +")
    head = "diff --git a/app/x.py b/app/x.py\n--- a/app/x.py\n+++ b/app/x.py\n"
    head += f"@@ -1,{old} +1,{new} @@\n"
    return (head + "\n".join(body) + "\n").encode()


def _packaged(name: str):
    from ygs import skills
    from ygs.resources import pack_dir

    loaded, _ = skills.load([("packaged", pack_dir("skills"))])
    return loaded[name]


def _send(session, where: str, text: str) -> None:
    """Build requests the way each command does, from text planted at `where`."""
    from ygs.interview.advisor import Advisor
    from ygs.llm.context import summary
    from ygs.review import diff as diffs
    from ygs.review import documents, model

    if where in ("readme", "answer"):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            readme = text if where == "readme" else "# demo"
            (root / "README.md").write_text(f"# demo\n\n{readme}\n")
            skill = _packaged("ygs-refine-prd")
            advisor = Advisor(session, skill, "bank", summary(root), "template")
            answers = {"notes": text if where == "answer" else "none", "list": [text]}
            advisor.draft({"id": "x", "type": "prd"}, answers, {"idea": text}, lambda _t: [])
    elif where == "prd":
        skill = _packaged("ygs-review-prd")
        documents.model_findings(session, skill, "docs/prd/x.md", f"# PRD\n\n{text}\n\nEnd.\n", [])
    elif where.startswith("diff"):
        diff = diffs.parse(_diff(text.split("\n"), where))
        units = model.plan(diff, {"code": ["app/x.py"]}, combined=False, budget=40_000)
        system = model.system_blocks(_packaged("ygs-code-review"), [])
        outcome = model.review(session, lambda _n: system, units, diff, [], model.Cache(None))
        assert outcome.error is None and outcome.calls == 2


def _planted(data) -> tuple[str, str, str]:
    name, seed, where = data
    text, secret = FORMATS[name](random.Random(seed))
    return f"Some text before.\n{text}\nSome text after.", secret, where


SEEDS = st.integers(0, 2**32)
PLANTS = st.tuples(st.sampled_from(sorted(FORMATS)), SEEDS, st.sampled_from(PLACES))


def _session(backend) -> Session:
    return Session(backend, 100.0, Prices(DEFAULT_PRICES), Ledger(None))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLANTS)
def test_no_planted_secret_reaches_the_anthropic_api(plant):
    from ygs.llm.anthropic_backend import AnthropicBackend

    text, secret, where = _planted(plant)
    script = [{"status": 400, "text": f"rejected: {text}"}] if where == "error" else _fake_reply
    with FakeAnthropic(script) as fake:
        backend = AnthropicBackend("test", {"reasoning": "m", "fast": "m"}, fake.url, 0)
        session = _session(backend)
        if where == "error":
            with pytest.raises(YgsError) as caught:
                session.ask(request("p", "fast", ["skill"], ["hello"]))
            err = caught.value
            shown = [str(err), err.remedy or "", *err.details, json.dumps(err.to_dict())]
            assert not any(secret in s for s in shown), shown
            return
        _send(session, where, text)
    assert fake.requests
    for sent in fake.requests:
        strings = [*_strings(sent["body"]), sent["raw"]]
        assert not any(secret in s for s in strings), (where, secret)


@pytest.fixture(scope="module")
def claude_bin(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("claude-bin")
    shim = folder / "claude"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m ygs.testing.fake_claude "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return folder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(plant=st.tuples(st.sampled_from(sorted(FORMATS)), SEEDS, st.sampled_from(PLACES[:-1])))
def test_no_planted_secret_reaches_claude_code(plant, claude_bin, monkeypatch):
    from ygs.llm.claude_code import ClaudeCodeBackend

    text, secret, where = _planted(plant)
    with tempfile.TemporaryDirectory() as folder:
        log, replies = Path(folder) / "calls.jsonl", Path(folder) / "replies.json"
        reply = {"prd": '{"findings": []}', "diff added": "[]"}.get(where, "ok")
        replies.write_text(json.dumps(["[]" if where.startswith("diff") else reply]))
        monkeypatch.setenv("PATH", f"{claude_bin}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("PYTHONPATH", str(REPO))
        monkeypatch.setenv("YGS_FAKE_CLAUDE_LOG", str(log))
        monkeypatch.setenv("YGS_FAKE_CLAUDE_REPLIES", str(replies))
        _send(_session(ClaudeCodeBackend({})), where, text)
        calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls
    for call in calls:
        assert secret not in call["prompt"] and not any(secret in a for a in call["argv"])


def test_a_readme_that_links_to_a_secret_file_is_not_read(tmp_path):
    from ygs.llm.context import summary

    (tmp_path / ".env").write_text("PAYMENTS_KEY=pk_planted_0123456789\n")
    (tmp_path / "README.md").symlink_to(tmp_path / ".env")
    (tmp_path / "app.py").write_text("x = 1\n")
    text = summary(tmp_path)
    assert "pk_planted" not in text and ".env" not in text and "app.py" in text
