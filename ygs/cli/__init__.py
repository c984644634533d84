"""The command line: global options, error handling, exit codes.

Commands live in sibling modules, one small function each; they import the
heavy libraries they need inside their bodies.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from pathlib import Path

from ygs.cli.output import Options, opts, reset
from ygs.errors import Exit, YgsError

GLOBAL_FLAGS = {"--json", "--non-interactive", "-v", "--verbose", "-q", "--quiet"}


def hoist(argv: list[str]) -> tuple[list[str], Options]:
    """Global options may appear anywhere (`ygs status --json`): read them and move them first."""
    options = Options()
    rest: list[str] = []
    front: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            rest.append(arg)
            rest.extend(args)
            break
        if arg == "--json":
            options.json = True
        elif arg == "--non-interactive":
            options.non_interactive = True
        elif arg in ("-q", "--quiet"):
            options.verbosity = -1
        elif arg in ("-v", "--verbose") or (arg.startswith("-v") and set(arg[1:]) == {"v"}):
            options.verbosity = max(options.verbosity, 0) + (len(arg) - 1 if arg[1] == "v" else 1)
        elif arg in ("-C", "--directory"):
            value = next(args, None)
            if value is None:
                raise YgsError(f"{arg} needs a folder", remedy="ygs -C DIR COMMAND")
            options.directory = Path(value)
            front += [arg, value]
            continue
        elif arg.startswith("--directory="):
            options.directory = Path(arg.split("=", 1)[1])
        elif arg.startswith("-C") and len(arg) > 2:
            options.directory = Path(arg[2:])
        else:
            rest.append(arg)
            continue
        front.append(arg)
    return front + rest, options


def _after_globals(args: list[str]) -> list[str]:
    """The arguments after the hoisted global options (-C takes a value)."""
    rest = list(args)
    while rest and (
        rest[0] in (*GLOBAL_FLAGS, "-C", "--directory")
        or rest[0].startswith(("-C", "--directory=", "-v"))
    ):
        rest = rest[2:] if rest[0] in ("-C", "--directory") else rest[1:]
    return rest


def _fast(args: list[str], options: Options) -> int | None:
    """`ygs guard status|hook` (see ygs.build.fast) and a plain `ygs check` or `ygs trace`
    (`ygs.cli.cmd_check.fast`, `trace_fast`) answer without building the typer app."""
    rest = _after_globals(args)
    if rest[:1] == ["check"]:
        from ygs.cli.cmd_check import fast

        return fast(rest[1:])
    if rest[:1] == ["trace"]:
        from ygs.cli.cmd_check import trace_fast

        return trace_fast(rest[1:])
    if rest[:1] != ["guard"] or "-h" in rest or "--help" in rest:
        return None
    from ygs.build.fast import dispatch

    return dispatch(rest, options)


def _click_exception_type() -> type:
    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # typer releases before it vendored click
        from click.exceptions import ClickException
    return ClickException


def run(argv: list[str]) -> int:
    try:
        args, options = hoist(argv)
    except YgsError as err:
        return report(err)
    reset(options)
    try:
        fast = _fast(args, options)
        if fast is not None:
            return fast
        from ygs.cli.app import build

        result = build(_after_globals(args))(args=args, prog_name="ygs", standalone_mode=False)
        return int(result or 0)
    except YgsError as err:
        return report(err)
    except KeyboardInterrupt:
        sys.stderr.write("ygs: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:
        return _from_click(err)


def _from_click(err: Exception) -> int:
    import typer

    if isinstance(err, typer.Exit):
        return err.exit_code
    if isinstance(err, typer.Abort):
        sys.stderr.write("ygs: aborted\n")
        return 130
    if isinstance(err, _click_exception_type()):
        return usage_error(err)
    if isinstance(err, OSError) and err.errno in _FULL:
        return cannot_write(err)
    return internal_error(err)


# errors of a device that takes no more (not ygs's bug): disk full, quota, file too large
_FULL = frozenset(getattr(errno, name, errno.ENOSPC) for name in ("ENOSPC", "EDQUOT", "EFBIG"))


def cannot_write(err: OSError) -> int:
    """The output (or a file) could not be written: exit 2 with a remedy, or 0 for a pipe
    its reader closed. Whatever is still buffered for stdout is dropped, so leaving does
    not fail again."""
    import os

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if isinstance(err, BrokenPipeError):
        return 0
    message = f"cannot write: {err.strerror or err}"
    if err.filename:
        message += f" ({err.filename})"
    remedy = "free some space on that device, or send the output elsewhere, and run it again"
    return report(YgsError(message, code=Exit.USAGE, remedy=remedy))


def report(err: YgsError) -> int:
    from ygs.cli.output import emit

    if opts().json and not opts().emitted:
        emit({"error": err.to_dict()}, code=err.code)
    sys.stderr.write(f"ygs: error: {err}\n")
    for detail in err.details:
        sys.stderr.write(f"  {detail}\n")
    if err.remedy:
        sys.stderr.write(f"  remedy: {err.remedy}\n")
    return err.code


def usage_error(err) -> int:
    message = err.format_message()
    if type(err).__name__ == "NoArgsIsHelpError":  # bare `ygs`: the help is the answer
        sys.stdout.write(message.rstrip("\n") + "\n")
        return 0
    command = getattr(getattr(err, "ctx", None), "command_path", "ygs") or "ygs"
    return report(YgsError(message, code=Exit.USAGE, remedy=f"see `{command} --help`"))


def internal_error(err: Exception) -> int:
    from ygs.core.secrets import redact

    if opts().verbosity > 0:
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(err))))
    sys.stderr.write(
        redact(f"ygs: internal error: {type(err).__name__}: {err}") + "\n"
        "  this is a bug in ygs; rerun with -v for the traceback and report it\n"
    )
    return Exit.INTERNAL
