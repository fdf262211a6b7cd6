"""Plain-text formats of the seed scripts: tab-separated rows and `column -t`-style aligned blocks."""

from __future__ import annotations

from collections.abc import Sequence

Row = Sequence[object]


def tsv(rows: Sequence[Row]) -> str:
    """Rows joined by tabs, one per line, as the seed scripts print them."""
    return "".join("\t".join(str(cell) for cell in row) + "\n" for row in rows)


def aligned(rows: Sequence[Row], gap: int = 2) -> str:
    """Left-aligned columns separated by `gap` spaces, as the post shows the scripts' output."""
    cells = [[str(cell) for cell in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i] + gap) for i, cell in enumerate(row[:-1])] + row[-1:]
        lines.append("".join(padded).rstrip())
    return "\n".join(lines) + "\n"
