"""The CLI shell: version, help, global options, exit codes, the --json contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ygs import __version__


def test_version_fast_path(ygs_proc):
    result = ygs_proc("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"ygs {__version__}"


def test_python_dash_m_works(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ygs", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout


def test_help_lists_commands_and_exit_codes(ygs):
    result = ygs("--help")
    assert result.code == 0
    for word in ("init", "status", "config", "skills", "doctor", "artifacts", "next-id", "--json"):
        assert word in result.stdout
    assert "Exit codes" in result.stdout


def test_no_args_shows_help(ygs):
    result = ygs()
    assert "Usage" in result.stdout + result.stderr


@pytest.mark.parametrize("args", [["bogus"], ["status", "--bogus"], ["next-id"]])
def test_usage_errors_exit_2_with_one_clear_line(ygs, args):
    result = ygs(*args)
    assert result.code == 2
    assert result.stderr.startswith("ygs: error:")
    assert "Traceback" not in result.stderr


def test_json_flag_anywhere_prints_exactly_one_object(ygs, repo):
    for args in (["--json", "status"], ["status", "--json"]):
        result = ygs(*args, cwd=repo)
        assert result.code == 0
        data = json.loads(result.stdout)  # raises if there is anything else on stdout
        assert data["command"] == "status" and data["ok"] is True and data["exit_code"] == 0


def test_json_error_is_one_object_on_stdout_and_message_on_stderr(ygs, repo):
    result = ygs("--json", "config", "get", "no.such", cwd=repo)
    assert result.code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["error"]["message"].startswith("unknown config key")
    assert "unknown config key" in result.stderr


def test_directory_option_runs_elsewhere(ygs, repo, tmp_path):
    assert ygs("-C", str(repo), "init").code == 0
    assert (repo / ".ygs" / "config.yaml").is_file()
    missing = ygs("-C", str(tmp_path / "nope"), "status")
    assert missing.code == 2 and "is not a folder" in missing.stderr


def test_quiet_and_verbose_are_accepted_anywhere(ygs, repo):
    assert ygs("status", "-q", cwd=repo).code == 0
    assert ygs("-vv", "status", cwd=repo).code == 0


def test_no_color_output_has_no_escape_codes(ygs_proc, repo):
    result = ygs_proc("status", cwd=repo, env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout


def test_subprocess_bad_input_never_shows_a_traceback(ygs_proc, repo):
    (repo / ".ygs").mkdir()
    (repo / ".ygs" / "config.yaml").write_text("model: [unclosed\n")
    result = ygs_proc("status", cwd=repo)
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert ".ygs/config.yaml:" in result.stderr


def test_json_is_one_line_through_a_pipe_and_indented_at_a_terminal(ygs_proc, repo):
    piped = ygs_proc("status", "--json", cwd=repo)
    assert piped.stdout.count("\n") == 1 and json.loads(piped.stdout)["command"] == "status"
    import pexpect

    from tests.conftest import ygs_executable

    exe = ygs_executable()
    child = pexpect.spawn(exe[0], [*exe[1:], "status", "--json"], cwd=str(repo), encoding="utf-8")
    child.expect(pexpect.EOF, timeout=60)
    shown = child.before.replace("\r\n", "\n")
    assert shown.startswith('{\n  "command": "status"'), shown[:80]
    assert json.loads(shown)["command"] == "status"
