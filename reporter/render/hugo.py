"""The yearly post as Hugo markdown (TOML front matter), in the seed post's order and words, and the
GFM region (tables and chart) that the news page, the job summary and pull request comments show."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reporter import stats
from reporter.config import Config, ToolConfig
from reporter.config import default as default_config
from reporter.model import AuthorRanking, Ratio, Table
from reporter.render import escape, gfm, mermaid, text

if TYPE_CHECKING:
    from reporter.report import Extras, ToolYear, YearStats


def _n(value: float) -> str:
    return f"{value:,}"


def _pct(ratio: Ratio) -> str:
    return str(ratio)


def change_phrase(before: float, after: float, fmt: Callable[[float], str] = _n, relative: bool = True) -> str:
    """ "reduced (40 -> 24)", "increased to about 180 percent (1,054 -> 1,872)", "not changed (0.21%)"."""
    change = stats.Change(before, after)
    span = f"({fmt(before)} -> {fmt(after)})"
    if change.direction == "equal":
        return f"not changed ({fmt(after)})"
    if change.direction == "reduced":
        return f"reduced {span}"
    percent = change.percent_of_before
    if relative and percent is not None:
        return f"increased to about {percent} percent {span}"
    return f"increased {span}"


def _ratio_phrase(before: Ratio, after: Ratio) -> str:
    return change_phrase(before.percent or 0.0, after.percent or 0.0, lambda v: f"{v:.2f}%", relative=False)


def _block(command: str, output: str) -> str:
    lines = ([f"$ {command}"] if command else []) + output.rstrip("\n").splitlines()
    return "".join(f"    {escape.code_line(line)}\n" if line else "\n" for line in lines)


def _span(refs: Sequence[str]) -> str:
    """`first..last` for prose: tag names may hold markdown ('<', '*', '[', ...), shown as they are."""
    return escape.inline(f"{refs[0]}..{refs[-1]}")


def _day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")


class _Words:
    """Names and commands of one config, shared by every section."""

    def __init__(self, config: Config) -> None:
        self.config = config
        k = config.kernel
        self.sub = k.display
        self.parent = k.parent.name
        self.total = k.total_display
        self.sub_label, self.parent_label, self.total_label = k.subsystem.label, k.parent.label, k.total_label

    def shares(self, year: YearStats) -> dict[str, list[Ratio]]:
        """{commits|lines: [share in the parent, share in the whole]} of the year's total row."""
        return {
            kind: [
                stats.share_total(year.kernel.tables[kind], self.sub_label, other)
                for other in (self.parent_label, self.total_label)
            ]
            for kind in ("commits", "lines")
        }

    def kernel_path(self) -> str:
        return f"./{self.config.kernel.name}"

    def authors_command(self, refs: Sequence[str]) -> str:
        k = self.config.kernel
        args = ["retrospect", "authors", self.kernel_path(), "--range", f"{refs[0]}..{refs[-1]}", "--no-merges"]
        args += ["--subsystem", k.subsystem.section] if k.subsystem.section else ["--paths", *k.subsystem.paths]
        return shlex.join(args)

    def tool_command(self, tool: ToolConfig, year: ToolYear) -> str:
        args = ["retrospect", "authors", f"./{tool.name}", "--since", _day(year.since), "--until", _day(year.until)]
        if not year.merges:
            args.append("--no-merges")
        if tool.date_kind != "committer":
            args += ["--date-kind", tool.date_kind]
        return shlex.join(args)

    def table_command(self, kind: str, year: int, refs: Sequence[str]) -> str:
        k, defaults = self.config.kernel, default_config().kernel
        args = ["retrospect", "table", kind, self.kernel_path()]
        for option, value, default in [
            ("--subsystem", k.subsystem.spec(), defaults.subsystem.spec()),
            ("--parent", k.parent.spec(), defaults.parent.spec()),
            ("--total-label", k.total_label, defaults.total_label),
            ("--tag-pattern", k.tag_pattern, defaults.tag_pattern),
            ("--release-pattern", k.release_pattern, defaults.release_pattern),
        ]:
            if value != default and (kind != "community" or option == "--subsystem"):
                args += [option, value]
        if kind == "community" and k.maintainer_label:
            args += ["--maintainer-label", k.maintainer_label]
        command = shlex.join(args + ["--format", "text"])
        if year in k.refs:
            return command + " --refs <(printf '%s\\n' " + " ".join(shlex.quote(r) for r in refs) + ")"
        return command + f" --year {year}"


def _aligned(table: Table) -> str:
    return text.aligned(text.table_rows(table))


def _footer(ranking: AuthorRanking) -> str:
    return text.authors(ranking).splitlines()[-1]


def front_matter(config: Config, year: int, date: str) -> str:
    title = config.title.format(subsystem=config.kernel.display, year=year)
    tags = ", ".join(escape.toml_string(t) for t in config.tags)
    when = escape.toml_datetime(date)
    return f"+++\ntitle = {escape.toml_string(title)}\ndate = {when}\ndraft = true\ntags = [{tags}]\n+++\n"


def summary(config: Config, cur: YearStats, prev: YearStats, extras: Extras) -> str:
    w = _Words(config)
    k, pk = cur.kernel, prev.kernel
    (c_mm, c_all), (l_mm, l_all) = w.shares(cur).values()
    (p_c_mm, p_c_all), (p_l_mm, p_l_all) = w.shares(prev).values()
    non = stats.non_maintainer_share(k.tables["community"])
    figures = [
        f"{_n(len(k.people))} people contributed their code to {w.sub} by making "
        f"{_n(k.authors.total_commits)} commits merged in {cur.year} ({_span(k.refs)}).",
        f"About {_pct(non)} of the commits were made by people other than the maintainer.",
        f"Among the changes for {w.sub}'s parent subsystem, {w.parent}, about {_pct(c_mm)} of commits and "
        f"{_pct(l_mm)} of changed lines were made for {w.sub}.",
        f"About {_pct(c_all)} of the commits and {_pct(l_all)} of the changed lines for {w.total} were "
        f"made for {w.sub}.",
    ]
    for tool, year in zip(config.tools, cur.tools, strict=True):
        figures.append(
            f"{_n(len(year.people))} people contributed {_n(year.authors.total_commits)} commits to {tool.display}."
        )
    compared = [
        f"Compared to {prev.year}, the number of {w.sub} contributors has "
        f"{change_phrase(len(pk.people), len(k.people))} and the number of commits has "
        f"{change_phrase(pk.authors.total_commits, k.authors.total_commits)}.",
        f"The share of commits made by non-maintainers has "
        f"{_ratio_phrase(stats.non_maintainer_share(pk.tables['community']), non)}.",
        f"The share of {w.parent} commits has {_ratio_phrase(p_c_mm, c_mm)}, and that of {w.parent} changed "
        f"lines has {_ratio_phrase(p_l_mm, l_mm)}.",
        f"The share of {w.total} commits has {_ratio_phrase(p_c_all, c_all)}, and that of its changed lines "
        f"has {_ratio_phrase(p_l_all, l_all)}.",
    ]
    for tool, year, before in zip(config.tools, cur.tools, prev.tools, strict=True):
        compared.append(
            f"For {tool.display}, the number of contributors has "
            f"{change_phrase(len(before.people), len(year.people))} and the number of "
            f"commits has {change_phrase(before.authors.total_commits, year.authors.total_commits)}."
        )
    outside = _extra_sentences(extras, cur.year)
    paragraphs = [" ".join(figures), " ".join(compared)] + ([" ".join(outside)] if outside else [])
    return "Summary\n=======\n\n" + "\n\n".join(paragraphs) + "\n"


def _extra_sentences(extras: Extras, year: int) -> list[str]:
    sentences = []
    for item in extras.github:
        if "metrics" in item:
            sentences += text.summary_sentences(item["metrics"], year)
    for item in extras.packaging:
        if item.get("packaging") or item.get("downloads"):
            sentences.append(text.packaging_summary(item["project"], item.get("packaging"), item.get("downloads")))
    return sentences


def contributors(config: Config, cur: YearStats, prev: YearStats) -> str:
    w = _Words(config)
    k, pk = cur.kernel, prev.kernel
    parts = [
        "Contributors\n------------\n",
        f"According to retrospect, {_n(len(k.people))} people have contributed to {w.sub} "
        f"development in {cur.year} ({_span(k.refs)}).\n",
        _block(w.authors_command(k.refs), text.authors(k.authors)),
        f"The last line of the output for {prev.year} ({_span(pk.refs)}) was as below.\n",
        _block("", _footer(pk.authors)),
        f"The number of contributors has {change_phrase(len(pk.people), len(k.people))} "
        f"compared to that of {prev.year}.\n",
    ]
    for tool, year, before in zip(config.tools, cur.tools, prev.tools, strict=True):
        parts += [
            f"For the {tool.description}, {tool.display}, {_n(len(year.people))} people contributed "
            f"{_n(year.authors.total_commits)} commits in {cur.year}.\n",
            _block(w.tool_command(tool, year), text.authors(year.authors)),
            f"The numbers for {prev.year} are as below.\n",
            _block(w.tool_command(tool, before), text.authors(before.authors)),
            f"So the number of commits has {change_phrase(before.authors.total_commits, year.authors.total_commits)}"
            f" and the number of contributors has "
            f"{change_phrase(len(before.people), len(year.people))}, compared to those of "
            f"{prev.year}.\n",
        ]
    return "\n".join(parts)


def _table_section(
    title: str, intro: str, kind: str, w: _Words, cur: YearStats, prev: YearStats, comparison: str
) -> str:
    heading = f"{title}\n{'-' * len(title)}\n"
    table, before = cur.kernel.tables[kind], prev.kernel.tables[kind]
    return "\n".join(
        [
            heading,
            intro + "\n",
            _block(w.table_command(kind, cur.year, cur.kernel.refs), _aligned(table)),
            f"The output for {prev.year} was as below.\n",
            _block("", _aligned(before)),
            comparison + "\n",
        ]
    )


def tables(config: Config, cur: YearStats, prev: YearStats) -> str:
    w = _Words(config)
    non = stats.non_maintainer_share(cur.kernel.tables["community"])
    p_non = stats.non_maintainer_share(prev.kernel.tables["community"])
    shares, before = w.shares(cur), w.shares(prev)
    sections = [
        _table_section(
            "Contributions from non-maintainers",
            f"The maintainer has driven the development of {w.sub}, but the help from the community was "
            f"huge: about {_pct(non)} of {w.sub} commits have been made by people other than the maintainer.",
            "community",
            w,
            cur,
            prev,
            f"The share has {_ratio_phrase(p_non, non)} compared to that of {prev.year}.",
        ),
        _table_section(
            f"The Portion of {w.sub} Commits in {w.parent} and {w.total}",
            f"To show how much change {w.sub} made to its parent subsystem, {w.parent}, and to {w.total}, "
            f"retrospect counted the commits that touched their files in {cur.year}: about "
            f"{_pct(shares['commits'][0])} of {w.parent} commits and {_pct(shares['commits'][1])} of "
            f"{w.total} commits were made for {w.sub}.",
            "commits",
            w,
            cur,
            prev,
            f"Compared to {prev.year}, the portion of {w.sub} commits in {w.parent} has "
            f"{_ratio_phrase(before['commits'][0], shares['commits'][0])}, and in {w.total} it has "
            f"{_ratio_phrase(before['commits'][1], shares['commits'][1])}.",
        ),
        _table_section(
            "By Number of Lines",
            f"Counting changed lines (insertions plus deletions) instead: about {_pct(shares['lines'][0])} "
            f"of the changed lines for {w.parent} and {_pct(shares['lines'][1])} of those for {w.total} "
            f"were for {w.sub}.",
            "lines",
            w,
            cur,
            prev,
            f"Compared to {prev.year}, the portion of {w.sub} lines in {w.parent} has "
            f"{_ratio_phrase(before['lines'][0], shares['lines'][0])}, and in {w.total} it has "
            f"{_ratio_phrase(before['lines'][1], shares['lines'][1])}.",
        ),
    ]
    return "\n".join(sections)


def chart(config: Config, cur: YearStats) -> str:
    w = _Words(config)
    commits, community = cur.kernel.tables["commits"], cur.kernel.tables["community"]
    releases = [row.range.partition("..")[2] for row in commits.rows[:-1]]
    return mermaid.xychart(
        f"{w.sub} commits per release in {cur.year}",
        releases,
        "commits",
        [row.values[0] for row in commits.rows[:-1]],
        [[row.values[1] for row in community.rows[:-1]]],
    )


def _extras_sections(extras: Extras) -> str:
    parts = []
    if extras.github:
        parts.append("GitHub\n------\n")
        for item in extras.github:
            body = (
                gfm.github_metrics_md(item["metrics"])
                if "metrics" in item
                else (f"Figures of {item['repo']} are unavailable: {item['error']}\n")
            )
            parts.append(body)
    if extras.packaging:
        parts.append("Packaging and downloads\n-----------------------\n")
        for item in extras.packaging:
            if "error" in item:
                parts.append(f"Figures of {item['project']} are unavailable: {item['error']}\n")
            else:
                parts.append(gfm.packaging_md(item.get("packaging"), item.get("downloads"), item.get("warnings", ())))
    return "\n".join(parts)


def post(config: Config, cur: YearStats, prev: YearStats, extras: Extras, date: str) -> str:
    w = _Words(config)
    body = [
        front_matter(config, cur.year, date),
        summary(config, cur, prev, extras),
        "Development Statistics\n======================\n",
        f"The numbers below were collected by retrospect from the {w.config.kernel.name} and "
        + ", ".join(t.name for t in config.tools)
        + " repositories. Please note that numbers don't say everything.\n",
        contributors(config, cur, prev),
        tables(config, cur, prev),
        f"Per-release chart\n-----------------\n\n{w.sub} commits per release (bars) and those made by "
        f"non-maintainers (line).\n",
        chart(config, cur),
    ]
    extra = _extras_sections(extras)
    return "\n".join(body + ([extra] if extra else []))


def region(config: Config, cur: YearStats) -> str:
    """GFM tables and the chart: the text for the news page region, job summaries and comments."""
    w = _Words(config)
    k = cur.kernel
    parts = [
        f"### {w.sub} development statistics for {cur.year} ({_span(k.refs)})\n",
        f"#### Contributors\n\n{gfm.authors(k.authors)}",
        *(
            f"#### {title}\n\n{gfm.result_table(k.tables[kind])}"
            for kind, title in [
                ("community", "Contributions from non-maintainers"),
                ("commits", f"Portion of {w.sub} commits in {w.parent} and {w.total}"),
                ("lines", "By number of lines"),
            ]
        ),
        *(
            f"#### {tool.display}\n\n{gfm.authors(year.authors)}"
            for tool, year in zip(config.tools, cur.tools, strict=True)
        ),
        chart(config, cur),
    ]
    return "\n".join(parts)
