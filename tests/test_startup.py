"""Fast start: slow libraries stay out of the start-up path (checked through sys.modules)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("anthropic", "questionary", "git")

PROBE = """
import sys, json, io, contextlib
sys.argv = ["ygs", *json.loads(sys.argv[1])]
from ygs.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded(args: list[str], cwd) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], cwd=cwd, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_version_imports_no_typer(tmp_path):
    modules = loaded(["--version"], tmp_path)
    assert "typer" not in modules and "rich" not in modules


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["skills", "list"], ["status"]])
def test_no_heavy_imports(tmp_path, args):
    modules = loaded(args, tmp_path)
    for name in HEAVY:
        assert name not in modules, f"`ygs {' '.join(args)}` imported {name}"


CHECK_PROBE = """
import sys, io, contextlib
from ygs.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])  # an argv: the process is not ended early (see ygs.__main__)
print(" ".join(sorted(sys.modules)))
"""


def test_a_warm_text_check_reads_without_the_writing_and_json_libraries(proj):
    # the second check answers from the result cache: nothing to write, nothing in JSON
    def modules() -> set[str]:
        args = [sys.executable, "-c", CHECK_PROBE, "check", "--fail-on", "never"]
        out = subprocess.run(args, cwd=proj, capture_output=True, text=True, check=True)
        return set(out.stdout.split())

    modules()
    loaded_now = modules()
    assert "ygs.cli.cmd_check" in loaded_now
    for name in ("json", "tempfile", "shutil", "rich", "typer"):
        assert name not in loaded_now, f"a warm `ygs check` imported {name}"


def test_a_plain_trace_runs_without_the_command_line_library(proj):
    args = [sys.executable, "-c", CHECK_PROBE, "trace", "--gate", "-f", "markdown"]
    out = subprocess.run(args, cwd=proj, capture_output=True, text=True, check=True)
    modules = set(out.stdout.split())
    assert "ygs.cli.cmd_check" in modules and "typer" not in modules and "rich" not in modules
