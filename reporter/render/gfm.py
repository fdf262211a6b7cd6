"""GitHub-flavoured markdown: tables for job summaries, comments and the news page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reporter.model import AuthorRanking, CreditRanking, PathSource, SectionStats, Table
from reporter.render import escape, text
from reporter.render.text import (
    DISTRIBUTION_HEADERS,
    distribution_rows,
    downloads_lines,
    github_milestone_rows,
    packaging_changes,
)

if TYPE_CHECKING:  # renderers take plain data and know nothing of HTTP
    from reporter.services.github import GithubMetrics
    from reporter.services.packaging import Downloads, Packaging


def table(headers: Sequence[object], rows: Sequence[Sequence[object]], numeric_from: int = 1) -> str:
    """A GFM table; columns from `numeric_from` on are right-aligned, as numbers read best."""
    align = ["---" if i < numeric_from else "--:" for i in range(len(headers))]
    lines = ["| " + " | ".join(escape.table_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(escape.table_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def packaging_md(packaging: Packaging | None, downloads: Downloads | None, warnings: Sequence[str] = ()) -> str:
    """The body of the "Packaging and downloads" section: the distributions table, then the downloads."""
    blocks = []
    if packaging is not None:
        head = (
            f"Distributions packaging {packaging.project}: **{packaging.count}** "
            f"([Repology]({packaging.url}), as of {packaging.as_of})."
        )
        blocks.append(" ".join([head, *(line + "." for line in packaging_changes(packaging))]) + "\n")
        if packaging.distributions:
            blocks.append(table(DISTRIBUTION_HEADERS, distribution_rows(packaging), numeric_from=4))
    if downloads is not None:
        items = [*downloads_lines(downloads), f"Source: [pypistats]({downloads.url})"]
        blocks.append("".join(f"- {item}\n" for item in items))
    if warnings:
        blocks.append("\n>\n".join(f"> **Warning:** {w}" for w in warnings) + "\n")
    return "\n".join(blocks)


def github_metrics_md(m: GithubMetrics) -> str:
    """The GitHub section's body: counts with the year's share, then the milestones (no heading)."""
    counts = table(
        [m.repo, "now", f"in {m.year}"],
        [
            ("stars", m.stars, m.stars_in_year),
            ("releases", m.releases, m.releases_in_year),
            ("tags", m.tags, ""),
            ("contributors", f"{m.contributors} (+{m.anonymous_contributors} anonymous)", ""),
        ],
    )
    milestones = github_milestone_rows(m)
    return counts + ("\n" + table(["milestone", "reached"], milestones, numeric_from=2) if milestones else "")


def authors(ranking: AuthorRanking, hide_rank: bool = False, who: str | None = None) -> str:
    unit = ranking.sortby
    heading = "person" if ranking.persons and who is None else (who or "authors").removesuffix("s")
    headers = ([] if hide_rank else ["#"]) + [heading, unit]
    rows: list[list[object]] = [
        ([] if hide_rank else [rank]) + [a.identity, a.lines if unit == "lines" else a.commits]
        for rank, a in enumerate(ranking.authors, 1)
    ]
    return table(headers, rows, numeric_from=len(headers) - 1) + f"\n{escape.inline(text.footer(ranking, who))}\n"


def employers(ranking: AuthorRanking, domains: Sequence[tuple[str, int]], hide_rank: bool = False) -> str:
    note = text.unmapped_note(domains)
    return authors(ranking, hide_rank, "employers") + (f"\n{escape.table_cell(note.capitalize())}.\n" if note else "")


def credits(rankings: Sequence[CreditRanking], hide_rank: bool = False) -> str:
    blocks = []
    for ranking in rankings:
        headers = ([] if hide_rank else ["#"]) + [ranking.key, ranking.noun]
        rows = [([] if hide_rank else [rank]) + [c.identity, c.commits] for rank, c in enumerate(ranking.credits, 1)]
        blocks.append(table(headers, rows, numeric_from=len(headers) - 1) + f"\n{text.credits_footer(ranking)}.\n")
    return "\n".join(blocks)


def result_table(result: Table) -> str:
    return table(result.header, [result.cells(row) for row in result.rows]) + _notes(text.table_notes(result))


def source_notes(sources: Sequence[PathSource]) -> str:
    """Where a ranking's MAINTAINERS sections were read, a paragraph each (text.source_notes)."""
    return _notes(text.source_notes(sources))


def _notes(notes: Sequence[str]) -> str:
    return "".join(f"\n{escape.inline(note[:1].upper() + note[1:])}.\n" for note in notes)


def sections(
    span: str, read_at: tuple[str, str], ranked: Sequence[SectionStats], shown: Sequence[SectionStats], total: int
) -> str:
    rows = text.section_rows(shown)
    count = text.sections_count(ranked, shown, total)
    note = f"{count} in {span}; {escape.inline(text.maintainers_note(*read_at))}; {text.FULL_HISTORY_NOTE}.\n\n"
    return note + table(rows[0], rows[1:], numeric_from=2)
