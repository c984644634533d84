"""Entry point. `ygs --version` answers before any library is imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):
        from ygs import __version__

        try:
            sys.stdout.write(f"ygs {__version__}\n")
            sys.stdout.flush()
        except OSError as err:  # a full device (exit 2), a closed pipe (0)
            from ygs.cli import cannot_write

            return cannot_write(err)
        return 0
    if args == ["guard", "hook"]:  # Claude Code runs this on every tool call: no CLI layer
        from ygs.build.hook import main as hook

        return hook()
    from ygs.cli import run

    code = run(args)
    if argv is None:  # this process runs the command: it may end at once
        _end_quickly(code)
    return code


def _end_quickly(code: int) -> None:
    """End the process now when the command asked to (`Options.quick_exit`): freeing a
    large catalogue at interpreter exit takes longer than the output of a warm check."""
    from ygs.cli.output import opts

    if not opts().quick_exit:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: leave the normal way, which reports nothing more
        return
    import os

    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
