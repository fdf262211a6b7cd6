"""`retrospect trends` output: a table per year (aligned text, or GitHub markdown with a Mermaid chart)
and JSON, from the trends' data only."""

from __future__ import annotations

from typing import Any

from reporter.model import Ratio
from reporter.render import gfm, mermaid, text
from reporter.report.config import Config


def _header(config: Config) -> list[str]:
    k = config.kernel
    sub, parent, total = k.subsystem.label, k.parent.label, k.total_label
    tools = [f"{t.name} {what}" for t in config.tools for what in ("people", "commits")]
    return [
        "year",
        "range",
        "people",
        "commits",
        "lines",
        f"commits {sub}/{parent}",
        f"commits {sub}/{total}",
        f"lines {sub}/{parent}",
        f"lines {sub}/{total}",
        *tools,
    ]


def _share(data: dict[str, Any], kind: str, whole: str) -> str:
    share = data["shares"][kind][whole]
    return str(Ratio(share["part"], share["whole"]))


def rows(config: Config, trends: dict[str, Any]) -> list[list[object]]:
    """A row a year, from the trends' JSON; a tool the year's data lacks shows `-`."""
    found = []
    for y in trends["years"]:
        tools = {t["name"]: t for t in y["tools"]}
        cells: list[object] = [y["year"], f"{y['refs'][0]}..{y['refs'][-1]}", y["people"], y["commits"], y["lines"]]
        cells += [_share(y, kind, whole) for kind in ("commits", "lines") for whole in ("parent", "total")]
        for tool in config.tools:
            t = tools.get(tool.name)
            cells += [t["people"], t["commits"]] if t else ["-", "-"]
        found.append(cells)
    return found


def aligned(config: Config, trends: dict[str, Any]) -> str:
    return text.aligned([_header(config), *rows(config, trends)])


def chart(config: Config, trends: dict[str, Any]) -> str:
    """Commits per year (bars) and contributors (line)."""
    years = trends["years"]
    return mermaid.xychart(
        f"{config.kernel.display} commits (bars) and contributors (line) per year",
        [str(y["year"]) for y in years],
        "count",
        [y["commits"] for y in years],
        [[y["people"] for y in years]],
    )


def markdown(config: Config, trends: dict[str, Any]) -> str:
    table = gfm.table(_header(config), rows(config, trends), numeric_from=2)
    return table + "\n" + chart(config, trends)
