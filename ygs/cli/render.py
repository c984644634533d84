"""Small rendering helpers shared by commands: tables and findings."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ygs.core.findings import Finding


def table(
    console, columns: Sequence[str], rows: Sequence[Sequence[object]], title: str = ""
) -> None:
    """A rich table on a terminal (up to a screenful), aligned plain columns otherwise."""
    if console.is_terminal and len(rows) <= screenful(console):
        from rich.table import Table

        grid = Table(title=title or None, title_justify="left", show_edge=False)
        for column in columns:
            grid.add_column(column, overflow="fold")
        for row in rows:
            grid.add_row(*(str(cell) for cell in row))
        console.print(grid)
        return
    if title:
        sys.stdout.write(title + "\n")
    cells = [list(columns), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for row in cells:
        line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        sys.stdout.write(line + "\n")


def screenful(console) -> int:
    return max(console.height - 2, 10)


def findings(console, items: Sequence[Finding]) -> None:
    """Styled on a terminal when they fit on a screen; otherwise plain lines, one write."""
    if not console.is_terminal or len(items) > screenful(console):
        console.file.flush()
        sys.stdout.write(plain_findings(items))
        sys.stdout.flush()
        return
    from rich.markup import escape

    for f in items:
        head = (
            f"{escape(f.location)}: [bold]{f.severity.value}[/bold] {f.rule}: {escape(f.message)}"
        )
        console.print(head, markup=True)
        if f.remedy:
            console.print(f"  remedy: {f.remedy}", markup=False)


def plain_findings(items: Sequence[Finding]) -> str:
    """`file:line: SEVERITY RULE: message` and the remedy below, as one string."""
    out = []
    for f in items:
        out.append(str(f))
        if f.remedy:
            out.append(f"  remedy: {f.remedy}")
    return "\n".join(out) + "\n" if out else ""
