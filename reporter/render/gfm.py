"""GitHub-flavoured markdown: tables for job summaries, comments and the news page."""

from __future__ import annotations

from collections.abc import Sequence


def _cell(value: object) -> str:
    # A pipe would end the cell early and a newline the row.
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[object], rows: Sequence[Sequence[object]], numeric_from: int = 1) -> str:
    """A GFM table; columns from `numeric_from` on are right-aligned, as numbers read best."""
    align = ["---" if i < numeric_from else "--:" for i in range(len(headers))]
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
