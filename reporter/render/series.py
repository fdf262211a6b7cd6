"""Patch series as `retrospect series` prints them: text for a reader, a GFM table, JSON for a script."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from reporter.kernel.series import Series
from reporter.render import gfm


def day(moment: int | None) -> str:
    return "-" if moment is None else datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")


def merged(s: Series) -> str:
    """`merged by v6.3-rc1 (2023-03-05)`, `merged by v1.3 (2023-08-27), in parts: v1.2 (3), v1.3 (2)`."""
    parts = ", ".join(f"{tag or 'no release yet'} ({count})" for tag, count in s.tags)
    where = f"merged by {s.tag} ({day(s.tag_date)})" if s.tag else "not all in a release tag yet"
    return where + (f", in parts: {parts}" if s.split else "")


def title(s: Series) -> str:
    return s.title + (f" (v{s.version})" if s.version else "")


def text(found: Sequence[Series]) -> str:
    lines = []
    for number, s in enumerate(found, 1):
        lines += [
            f"{number}. {title(s)}",
            f"   {merged(s)}",
            f"   {s.subsystem_patches} of {len(s.patches)} patches in the subsystem, {s.lines} lines changed there",
            f"   by {', '.join(s.authors)}",
        ]
        if s.link:
            lines.append(f"   {s.link}")
    patches = sum(len(s.patches) for s in found)
    lines.append(f"# {len(found)} series, {patches} patches")
    return "\n".join(lines) + "\n"


def md(found: Sequence[Series]) -> str:
    headers = ["series", "merged", "patches (subsystem/all)", "lines", "link"]
    rows = [[title(s), merged(s), f"{s.subsystem_patches}/{len(s.patches)}", s.lines, s.link or "-"] for s in found]
    return gfm.table(headers, rows, numeric_from=len(headers))
