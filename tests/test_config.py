"""Configuration: precedence, comments kept, and every problem named by key and file:line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ygs import config


def user_file(home: Path) -> Path:
    path = home / ".config" / "ygs" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def project_file(root: Path) -> Path:
    path = root / ".ygs" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_precedence_flags_env_project_user_defaults(repo, isolated_home):
    user_file(isolated_home).write_text("model:\n  timeout_s: 1\n  max_tokens: 11\n  fast: u\n")
    project_file(repo).write_text("model:\n  timeout_s: 2\n  max_tokens: 22\n")
    env = {"YGS_MODEL_TIMEOUT_S": "3"}
    cfg = config.load(repo, env, {"model.timeout_s": 4.0})
    assert cfg["model.timeout_s"] == 4.0 and cfg.sources["model.timeout_s"] == "flag"
    cfg = config.load(repo, env)
    assert cfg["model.timeout_s"] == 3.0 and cfg.sources["model.timeout_s"] == "env"
    assert cfg["model.max_tokens"] == 22 and cfg.sources["model.max_tokens"].startswith("project")
    assert cfg["model.fast"] == "u" and cfg.sources["model.fast"].startswith("user")
    assert cfg["model.max_cost_usd"] == 5.0 and cfg.sources["model.max_cost_usd"] == "default"


def test_set_keeps_comments_and_order(ygs, repo):
    path = project_file(repo)
    path.write_text(
        "# top comment\ncommands:\n  test: pytest  # the runner\ngit:\n  base_branch: main\n"
    )
    result = ygs("config", "set", "commands.build", "make", cwd=repo)
    assert result.code == 0
    text = path.read_text()
    assert "# top comment" in text and "# the runner" in text
    assert text.index("test:") < text.index("build:") < text.index("git:")
    assert ygs("config", "get", "commands.build", cwd=repo).stdout.strip() == "make"


def test_set_parses_types(ygs, repo):
    assert ygs("config", "set", "project.languages", "python, go", cwd=repo).code == 0
    assert ygs("config", "get", "project.languages", "--json", cwd=repo).json["value"] == [
        "python",
        "go",
    ]
    bad = ygs("config", "set", "guard.unplanned_files", "three", cwd=repo)
    assert bad.code == 2 and "guard.unplanned_files" in bad.stderr and "whole number" in bad.stderr
    assert ygs("config", "set", "model.backend", "nonsense", cwd=repo).code == 2


def test_unknown_key_in_file_names_key_file_and_line(ygs, repo):
    project_file(repo).write_text("commands:\n  test: pytest\n  tset: oops\n")
    result = ygs("status", cwd=repo)
    assert result.code == 2
    assert ".ygs/config.yaml:3: unknown config key 'commands.tset'" in result.stderr
    assert "did you mean 'commands.test'" in result.stderr


def test_wrong_type_in_file_names_key_file_and_line(ygs, repo):
    project_file(repo).write_text("guard:\n  checkpoint_every: lots\n")
    result = ygs("config", "list", cwd=repo)
    assert result.code == 2
    assert ".ygs/config.yaml:2: 'guard.checkpoint_every' must be a whole number" in result.stderr


def test_malformed_yaml_in_config_names_the_line(ygs, repo, isolated_home):
    user_file(isolated_home).write_text("model:\n  backend: auto\n   fast: x\n")
    result = ygs("config", "list", cwd=repo)
    assert result.code == 2 and "config.yaml:3: malformed YAML" in result.stderr


def test_bad_env_value_names_the_variable(ygs, repo, monkeypatch):
    monkeypatch.setenv("YGS_MODEL_MAX_COST_USD", "cheap")
    result = ygs("config", "get", "model.max_cost_usd", cwd=repo)
    assert result.code == 2 and "YGS_MODEL_MAX_COST_USD" in result.stderr


def test_api_key_only_in_user_config_written_0600_and_never_shown(ygs, repo, isolated_home):
    refused = ygs("config", "set", "anthropic.api_key", "sk-ant-123", cwd=repo)
    assert refused.code == 2 and "--user" in refused.stderr
    result = ygs("config", "set", "--user", "anthropic.api_key", "sk-ant-123", cwd=repo)
    assert result.code == 0 and "sk-ant-123" not in result.stdout
    path = user_file(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listing = ygs("config", "list", "--json", cwd=repo)
    assert "sk-ant-123" not in listing.stdout
    project_file(repo).write_text("anthropic:\n  api_key: sk-ant-leak\n")
    assert ygs("status", cwd=repo).code == 2


@pytest.mark.parametrize("bad", ["[1, 2]", "just text", "- a\n- b\n"])
def test_non_mapping_config_is_a_clear_error(ygs, repo, bad):
    project_file(repo).write_text(bad)
    result = ygs("status", cwd=repo)
    assert result.code == 2 and "mapping" in result.stderr
