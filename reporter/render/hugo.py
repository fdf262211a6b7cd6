"""The GFM region (tables and chart) that the news page, the job summary and pull request comments show.

The post itself is `render/post.py`'s, from a template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporter.config import Config
from reporter.render import escape, gfm
from reporter.render.post import chart

if TYPE_CHECKING:
    from reporter.report import YearStats


def region(config: Config, cur: YearStats) -> str:
    """GFM tables and the chart: the text for the news page region, job summaries and comments."""
    k = config.kernel
    kernel = cur.kernel
    assert kernel is not None  # the current year has every part
    span = escape.inline(f"{kernel.refs[0]}..{kernel.refs[-1]}")
    parts = [
        f"### {k.display} development statistics for {cur.year} ({span})\n",
        f"#### Contributors\n\n{gfm.authors(kernel.authors)}",
        *(
            f"#### {title}\n\n{gfm.result_table(kernel.tables[kind])}"
            for kind, title in [
                ("community", "Contributions from non-maintainers"),
                ("commits", f"Portion of {k.display} commits in {k.parent.name} and {k.total_display}"),
                ("lines", "By number of lines"),
            ]
        ),
        *(
            f"#### {tool.display}\n\n{gfm.authors(year.authors)}"
            for tool, year in zip(config.tools, cur.tools, strict=True)
        ),
        chart(config, cur.year, kernel.tables["community"]),
    ]
    return "\n".join(parts)
