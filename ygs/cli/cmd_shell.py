"""`ygs completion bash|zsh|fish`: the shell completion script (click's own machinery).

Completion costs nothing at start-up: the script calls ygs with `_YGS_COMPLETE` set, and
only then is the whole command tree built (ygs.cli.app.build).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ygs.errors import YgsError

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_YGS_COMPLETE"


def register(app: typer.Typer) -> None:
    app.command("completion")(completion)


def completion(
    shell: Annotated[str, typer.Argument(help="bash, zsh or fish.")],
) -> int:
    """Print the shell completion script for ygs.

    bash: `eval "$(ygs completion bash)"` in ~/.bashrc; zsh: the same in ~/.zshrc;
    fish: `ygs completion fish > ~/.config/fish/completions/ygs.fish`.
    """
    if shell not in SHELLS:
        raise YgsError(f"unknown shell '{shell}'", remedy=f"use one of: {', '.join(SHELLS)}")
    script = completion_class(shell)(None, {}, "ygs", COMPLETE_VAR).source()
    typer.echo(script)
    return 0


def completion_class(shell: str):
    """typer's completion class for `shell` (its scripts speak typer's protocol)."""
    from typer._completion_classes import completion_init

    try:
        from typer._click.shell_completion import get_completion_class
    except ImportError:  # typer releases before it vendored click
        from click.shell_completion import get_completion_class
    completion_init()
    return get_completion_class(shell)
