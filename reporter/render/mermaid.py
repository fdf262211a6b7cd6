"""Mermaid `xychart-beta` blocks, which GitHub renders as charts inside markdown."""

from __future__ import annotations

from collections.abc import Sequence


def _quote(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def xychart(
    title: str, x_labels: Sequence[str], y_label: str, bars: Sequence[int], lines: Sequence[Sequence[int]] = ()
) -> str:
    """A bar series with optional line series over the same x axis, as a fenced mermaid block."""
    body = [
        "xychart-beta",
        f"    title {_quote(title)}",
        "    x-axis [" + ", ".join(_quote(x) for x in x_labels) + "]",
        f"    y-axis {_quote(y_label)}",
        "    bar [" + ", ".join(str(v) for v in bars) + "]",
        *("    line [" + ", ".join(str(v) for v in series) + "]" for series in lines),
    ]
    return "```mermaid\n" + "\n".join(body) + "\n```\n"
