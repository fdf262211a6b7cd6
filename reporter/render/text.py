"""Plain-text formats of the seed scripts: tab-separated rows and `column -t`-style aligned blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from reporter.model import AuthorRanking, CreditRanking, PathSource, SectionStats, Table
from reporter.render.escape import one_line, tsv_cell

if TYPE_CHECKING:  # renderers take plain data and know nothing of HTTP
    from reporter.services.github import GithubMetrics, Milestone
    from reporter.services.packaging import Downloads, Packaging

Row = Sequence[object]


def tsv(rows: Sequence[Row]) -> str:
    """Rows joined by tabs, one per line, as the seed scripts print them."""
    return "".join("\t".join(tsv_cell(cell) for cell in row) + "\n" for row in rows)


def aligned(rows: Sequence[Row], gap: int = 2) -> str:
    """Left-aligned columns separated by `gap` spaces, as the post shows the scripts' output."""
    cells = [[one_line(str(cell)) for cell in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i] + gap) for i, cell in enumerate(row[:-1])] + row[-1:]
        lines.append("".join(padded).rstrip())
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ packaging and downloads
# The phrasing lives here once; gfm.py reuses these sentences around its own tables.


_KEEPS = "pypistats keeps 180 days"


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}"


def _span(first: str, last: str) -> str:
    return f"{_day(first)} - {_day(last)}"


def _month(key: str) -> str:
    return f"{date.fromisoformat(key + '-01'):%B %Y}"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def coverage_note(downloads: Downloads) -> str:
    """Why a figure covers less than the year ("Jul 1 - Dec 31 only: ..."); empty for a whole year."""
    if downloads.full_year or downloads.first_day is None or downloads.last_day is None:
        return ""
    why = _KEEPS if not downloads.first_day.endswith("-01-01") else "the latest data"
    return f"{_span(downloads.first_day, downloads.last_day)} only: {why}"


def _downloads_clause(downloads: Downloads) -> str:
    if downloads.first_day is None:
        return f"no PyPI download data for {downloads.year} ({_KEEPS})"
    note = coverage_note(downloads)
    return f"{downloads.downloads:,} downloads from PyPI in {downloads.year}" + (f" ({note})" if note else "")


def packaging_summary(project: str, packaging: Packaging | None, downloads: Downloads | None) -> str:
    """The report's Summary sentence: "damo is packaged by 7 distributions: A, ... and G; N downloads ..."."""
    clauses = []
    if packaging is not None:
        names = [d.name for d in packaging.distributions]
        if not names:
            clauses.append(f"{project} is packaged by no distribution known to Repology")
        else:
            plural = "s" if len(names) > 1 else ""
            new = f" (new this year: {_names(packaging.new)})" if packaging.new else ""
            clauses.append(f"{project} is packaged by {len(names)} distribution{plural}: {_names(names)}{new}")
    if downloads is not None:
        clause = _downloads_clause(downloads)
        if not clauses:  # the sentence still needs a subject
            clause = f"{project} had {clause}" if downloads.first_day else f"{project}: {clause}"
        clauses.append(clause)
    return "; ".join(clauses) + "." if clauses else ""


def downloads_lines(downloads: Downloads) -> list[str]:
    """Plain sentences on the downloads: the figure and its coverage, the busiest month, the change."""
    figure = f"{downloads.downloads:,}" if downloads.first_day else f"no data ({_KEEPS})"
    note = coverage_note(downloads)
    lines = [
        f"Downloads of {downloads.package} from PyPI in {downloads.year}, without mirrors: {figure}"
        + (f" ({note})" if note else "")
    ]
    if downloads.busiest_month:
        busiest = downloads.months[downloads.busiest_month]
        lines.append(f"Busiest month: {_month(downloads.busiest_month)} ({busiest:,})")
    before, first, last = downloads.previous_downloads, downloads.previous_first_day, downloads.previous_last_day
    if downloads.change is not None and before is not None and first and last:
        share = f", {downloads.change / before:+.0%}" if before else ""
        span = _span(first, last)
        lines.append(f"Against {downloads.year - 1}: {downloads.change:+,}{share} ({before:,} over {span})")
    return lines


DISTRIBUTION_HEADERS = ("Distribution", "Version", "Current", "Repositories")


def distribution_rows(packaging: Packaging) -> list[tuple[str, str, str, str]]:
    return [
        (d.name, d.version, "yes" if d.current else "no", ", ".join(d.repositories)) for d in packaging.distributions
    ]


def packaging_changes(packaging: Packaging) -> list[str]:
    """Sentences on distributions gained and lost since last year's data, when it was given."""
    lines = []
    if packaging.new is not None:
        lines.append(f"New since last year: {', '.join(packaging.new) or 'none'}")
    if packaging.dropped:
        lines.append(f"No longer packaging it: {', '.join(packaging.dropped)}")
    return lines


def packaging_text(packaging: Packaging | None, downloads: Downloads | None, warnings: Sequence[str] = ()) -> str:
    """`retrospect packaging --format text`: the distributions table, then the downloads."""
    blocks = []
    if packaging is not None:
        head = f"{packaging.project} in distributions (Repology, as of {packaging.as_of}): {packaging.count}\n"
        rows = distribution_rows(packaging)
        table = aligned([DISTRIBUTION_HEADERS, *rows]) if rows else ""
        blocks.append(head + table + "".join(line + "\n" for line in packaging_changes(packaging)))
    if downloads is not None:
        blocks.append("".join(line + "\n" for line in downloads_lines(downloads)))
    blocks += [f"warning: {w}\n" for w in warnings]
    return "\n".join(blocks)


# ---------------------------------------------------------------------------------------- GitHub metrics


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 100th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def github_milestone_rows(m: GithubMetrics) -> list[tuple[str, str]]:
    """("100th star", "2023-08-10" or "not yet") for every milestone asked for."""

    def rows(kind: str, marks: Sequence[Milestone]) -> list[tuple[str, str]]:
        return [(f"{ordinal(x.count)} {kind}", x.reached or "not yet") for x in marks]

    return rows("star", m.star_milestones) + rows("release", m.release_milestones)


def github_metrics_text(m: GithubMetrics) -> str:
    """`retrospect github --format text`: the counts with the year's share, then the milestones."""
    year = f"in {m.year}"
    counts = [
        ("stars", m.stars, f"+{m.stars_in_year} {year}"),
        ("releases", m.releases, f"+{m.releases_in_year} {year}"),
        ("tags", m.tags, ""),
        ("contributors", m.contributors, f"and {m.anonymous_contributors} anonymous"),
    ]
    milestones = github_milestone_rows(m)
    blocks = [f"{m.repo} on GitHub\n" + aligned(counts)]
    if milestones:
        blocks.append(aligned([("milestone", "reached"), *milestones]))
    return "\n".join(blocks)


def summary_sentences(m: GithubMetrics, year: int) -> list[str]:
    """Summary sentences for the milestones reached in `year`, a star and a release milestone of the same
    count in the same month told together: "'damo' got its 100th GitHub star and release in August."."""
    events: dict[tuple[int, str], list[str]] = {}
    for kind, marks in (("star", m.star_milestones), ("release", m.release_milestones)):
        for mark in marks:
            if mark.reached and date.fromisoformat(mark.reached).year == year:
                month = f"{date.fromisoformat(mark.reached):%B}"
                events.setdefault((mark.count, month), []).append(kind)
    name = m.repo.split("/")[-1]
    return [
        f"'{name}' got its {ordinal(count)} GitHub {' and '.join(kinds)} in {month}."
        for (count, month), kinds in events.items()
    ]


def authors(ranking: AuthorRanking, hide_rank: bool = False, who: str | None = None) -> str:
    """authors.py's output: `N. Name <email>: C commits`, then `# A authors, T commits in total` (`who`
    names what is ranked, `employers` too; by default authors, or people when persons are ranked)."""
    unit = ranking.sortby
    lines = []
    for rank, author in enumerate(ranking.authors, 1):
        value = author.lines if unit == "lines" else author.commits
        prefix = "" if hide_rank else f"{rank}. "
        lines.append(f"{prefix}{author.identity}: {value} {unit}")
    lines.append(f"# {footer(ranking, who)}")
    return "\n".join(lines) + "\n"


def footer(ranking: AuthorRanking, who: str | None = None) -> str:
    """`4 authors, 6 commits in total`, with what newcomers are new to and what merges count where it matters."""
    unit = ranking.sortby
    total = ranking.total_lines if unit == "lines" else ranking.total_commits
    rule = f"; {ranking.merge_rule}" if ranking.merge_rule else ""
    return f"{ranking.total_authors} {ranked_noun(ranking, who)}{new_since(ranking)}, {total} {unit} in total{rule}"


def ranked_noun(ranking: AuthorRanking, who: str | None = None) -> str:
    """What a ranking's footer counts: `who` when given, people for persons, else authors (authors.py's word,
    never singular)."""
    if who is not None:
        return who
    if ranking.persons:
        return "person" if ranking.total_authors == 1 else "people"
    return "authors"


def new_since(ranking: AuthorRanking) -> str:
    if not ranking.new_since:
        return ""
    window = ".." in ranking.new_since.partition(" ")[0]
    return f" with no commit in {ranking.new_since}" if window else f" new since {ranking.new_since}"


def credits_footer(ranking: CreditRanking) -> str:
    one, many = ("person", "people") if ranking.persons else ("identity", "identities")
    people = one if ranking.total_people == 1 else many
    commits = "commit" if ranking.total_commits == 1 else "commits"
    return (
        f"{ranking.total_people} {people} credited by {ranking.key}, {ranking.total_credits} {ranking.noun} in total,"
        f" in {ranking.total_commits} {commits}"
    )


def credits(rankings: Sequence[CreditRanking], hide_rank: bool = False) -> str:
    """authors.py's form per trailer key: `N. Name <email>: C reviews`, then a `# ...` footer; a blank line
    between keys."""
    blocks = []
    for ranking in rankings:
        lines = [
            f"{'' if hide_rank else f'{rank}. '}{c.identity}: {c.commits} {ranking.noun}"
            for rank, c in enumerate(ranking.credits, 1)
        ]
        blocks.append("".join(line + "\n" for line in [*lines, "# " + credits_footer(ranking)]))
    return "\n".join(blocks)


def unmapped_note(domains: Sequence[tuple[str, int]]) -> str:
    """Which domains to add to the employer map first."""
    listed = ", ".join(f"{domain} ({commits})" for domain, commits in domains)
    return f"domains not in the employer map, by commits: {listed}" if domains else ""


def employers(ranking: AuthorRanking, domains: Sequence[tuple[str, int]], hide_rank: bool = False) -> str:
    note = unmapped_note(domains)
    return authors(ranking, hide_rank, "employers") + (f"# {note}\n" if note else "")


def table_rows(table: Table) -> list[list[object]]:
    return [list(table.header), *(table.cells(row) for row in table.rows)]


def table_text(table: Table) -> str:
    """A table aligned as the post shows it, then where its path sets were read (`# ...` lines)."""
    return aligned(table_rows(table)) + "".join(f"# {line}\n" for line in table_notes(table))


def table_notes(table: Table) -> list[str]:
    """Where a table's path sets come from (source_notes); with "each", what the total row is."""
    notes = source_notes(table.sources)
    if table.maintainers_at == "each" and len(table.rows) > 1:
        notes.append("each row reads MAINTAINERS at its own end; the total row is the sum of the rows")
    return notes


def source_notes(sources: Sequence[PathSource]) -> list[str]:
    """Where path sets come from: `path sets as at v6.7 (0123456789ab): damon = MAINTAINERS section DATA
    ACCESS MONITOR (5 pathspecs, 41 files there)`, a line per ref (and per row a table reads at its own end);
    a ranking's sections are labelled by their titles as given, which go without saying twice."""
    groups: dict[tuple[str | None, str, str], list[str]] = {}
    for s in sources:
        what = f"MAINTAINERS section {s.section}" if s.section else "pathspecs as given"
        files = f"{s.pathspecs} pathspec{'s' * (s.pathspecs != 1)}, {s.files} file{'s' * (s.files != 1)} there"
        label = "" if s.label == s.section else f"{s.label} = "
        groups.setdefault((s.range, s.ref, s.commit), []).append(f"{label}{what} ({files})")
    return [
        f"path sets{f' for {row}' if row else ''} as at {ref} ({commit[:12]}): {'; '.join(found)}"
        for (row, ref, commit), found in groups.items()
    ]


def source_lines(sources: Sequence[PathSource]) -> str:
    """source_notes as `# ...` lines, after a ranking's footer."""
    return "".join(f"# {line}\n" for line in source_notes(sources))


def maintainers_note(ref: str, commit: str) -> str:
    return f"sections as MAINTAINERS reads at {ref} ({commit[:12]})"


SECTION_HEADER = ["rank", "section", "commits", "lines", "authors", "non_maintainer_portion"]
FULL_HISTORY_NOTE = (
    "full-history semantics: a commit counts for a section when its own diff touches the section's files, as "
    "`git log --no-merges --full-history RANGE -- PATHSPECS` lists it (renames paired inside the section); "
    "merges are not counted"
)


def section_rows(shown: Sequence[SectionStats]) -> list[list[object]]:
    return [
        list(SECTION_HEADER),
        *([rank, s.section, s.commits, s.lines, s.authors, s.non_maintainer] for rank, s in enumerate(shown, 1)),
    ]


def sections_note(
    span: str, read_at: tuple[str, str], ranked: Sequence[SectionStats], shown: Sequence[SectionStats], total: int
) -> str:
    count = sections_count(ranked, shown, total)
    return f"# {span}: {count}; {maintainers_note(*read_at)}; {FULL_HISTORY_NOTE}\n"


def sections_count(ranked: Sequence[SectionStats], shown: Sequence[SectionStats], total: int) -> str:
    """`2 of 4 sections with commits (6 sections, 2 without commits)`."""
    return (
        f"{len(shown)} of {len(ranked)} sections with commits ({total} sections, {total - len(ranked)} without commits)"
    )
