"""Mermaid `xychart-beta` blocks, which GitHub renders as charts inside markdown."""

from __future__ import annotations

from collections.abc import Sequence

from reporter.render.escape import mermaid_label


def xychart(
    title: str, x_labels: Sequence[str], y_label: str, bars: Sequence[int], lines: Sequence[Sequence[int]] = ()
) -> str:
    """A bar series with optional line series over the same x axis, as a fenced mermaid block."""
    body = [
        "xychart-beta",
        f"    title {mermaid_label(title)}",
        "    x-axis [" + ", ".join(mermaid_label(x) for x in x_labels) + "]",
        f"    y-axis {mermaid_label(y_label)}",
        "    bar [" + ", ".join(str(v) for v in bars) + "]",
        *("    line [" + ", ".join(str(v) for v in series) + "]" for series in lines),
    ]
    return "```mermaid\n" + "\n".join(body) + "\n```\n"
