"""The GFM region (tables and chart) that the news page, the job summary and pull request comments show.

The post itself is `render/post.py`'s, from a template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporter.kernel import credits as credit
from reporter.render import escape, gfm
from reporter.render.post import chart
from reporter.report.config import Config

if TYPE_CHECKING:
    from reporter.report.data import Involvement, YearStats


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
        *(_involvement(kernel.involvement) if kernel.involvement else []),
        *(
            f"#### {tool.display}\n\n{gfm.authors(year.authors)}"
            for tool, year in zip(config.tools, cur.tools, strict=True)
        ),
        chart(config, cur.year, kernel.tables["community"]),
    ]
    return "\n".join(parts)


def _involvement(year: Involvement) -> list[str]:
    """The employers, reviews and tests, and newcomers tables of the post's sections."""
    shown = credit.reported(year.credits)
    parts = [
        f"#### Employers\n\n{gfm.employers(year.employers, year.unmapped)}",
        f"#### Reviews and tests\n\n{gfm.credits(shown)}",
    ]
    if year.newcomers is not None:
        parts.append(f"#### Newcomers\n\n{gfm.authors(year.newcomers)}")
    return parts
