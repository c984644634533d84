"""Entry point. `ygs --version` answers before any library is imported."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args in (["--version"], ["-V"]):
        from ygs import __version__

        sys.stdout.write(f"ygs {__version__}\n")
        return 0
    if args == ["guard", "hook"]:  # Claude Code runs this on every tool call: no CLI layer
        from ygs.build.hook import main as hook

        return hook()
    from ygs.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
