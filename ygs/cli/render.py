"""Small rendering helpers shared by commands: tables and findings."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence

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
    write_lines(plain_table(columns, rows, title))


def plain_table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], title: str = ""
) -> Iterator[str]:
    """The lines of a table, each with its newline: columns padded to their widest cell,
    two spaces apart, no trailing blanks; the title on a line above."""
    head = tuple(map(str, columns))
    widths = list(map(len, head))
    for i, column in enumerate(zip(*rows, strict=True)):  # no copy of the rows
        widths[i] = max(widths[i], max(map(len, map(str, column))))
    line = "  ".join(f"%-{width}s" for width in widths)  # `%s` is str(cell); the quickest
    if title:
        yield title + "\n"
    yield (line % head).rstrip() + "\n"
    for row in rows:
        yield (line % tuple(row)).rstrip() + "\n"


def write_lines(lines: Iterable[str], batch: int = 4096) -> None:
    """Write `lines` to stdout a few thousand at a time: few writes, and the whole text
    never held at once."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= batch:
            sys.stdout.write("".join(chunk))
            chunk.clear()
    sys.stdout.write("".join(chunk))


def plain_stdout() -> bool:
    """Whether stdout is no terminal, as rich's Console decides it (TTY_COMPATIBLE,
    FORCE_COLOR, then isatty): its output is then plain text, written without rich."""
    env = os.environ
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force == ""
    try:
        return not sys.stdout.isatty()
    except ValueError:  # closed
        return True


def screenful(console) -> int:
    return max(console.height - 2, 10)


def findings(console, items: Sequence[Finding]) -> None:
    """Styled on a terminal when they fit on a screen; otherwise plain lines, a few
    thousand to a write."""
    if not console.is_terminal or len(items) > screenful(console):
        console.file.flush()
        write_lines(plain_findings(items))
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


def plain_rows(rows: Iterable[tuple]) -> Iterator[str]:
    """`plain_findings` of findings given as (path, line or 0, rule, message, line,
    remedy) tuples (`ygs.core.trace.gate_rows`): no Finding built for each."""
    from ygs.core.lint import all_rules

    rules = all_rules()
    severity: dict[str, str] = {}
    for path, _, rule, message, line, remedy in rows:
        if rule not in severity:
            severity[rule] = rules[rule].severity.value
        yield from _finding_lines(path, line, severity[rule], rule, message, remedy)


def plain_findings(items: Sequence[Finding]) -> Iterator[str]:
    """`file:line: SEVERITY RULE: message` and the remedy below, each line with its
    newline."""
    for f in items:
        yield from _finding_lines(f.path, f.line, f.severity.value, f.rule, f.message, f.remedy)


def _finding_lines(path, line, severity: str, rule: str, message: str, remedy) -> Iterator[str]:
    where = f"{path}:{line}" if line else path
    yield f"{where}: {severity} {rule}: {message}\n"
    if remedy:
        yield f"  remedy: {remedy}\n"
