"""Statistics from commit records: author rankings and the per-release tables."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from reporter.kernel.maintainers import SectionIndex
from reporter.model import (
    AuthorCount,
    AuthorRanking,
    ChangedFile,
    Commit,
    PathSet,
    Ratio,
    RevRange,
    SectionStats,
    Table,
    TableRow,
)

IDENTITIES = ("all", "name", "email", "domain")


def identities(commits: Iterable[Commit], kind: str) -> list[str]:
    """Each commit's author as `kind` counts them: `Name <email>` (all), the name, the email or its domain.
    One loop per kind: a call per commit would cost more than the rest of a ranking of a kernel year."""
    if kind == "name":
        return [c.author_name for c in commits]
    if kind == "email":
        return [c.author_email for c in commits]
    if kind == "domain":
        return [c.author_email.rpartition("@")[2] for c in commits]
    return [c.author for c in commits]


def rank_authors(
    commits: Iterable[Commit],
    kind: str = "all",
    sortby: str = "commits",
    exclude: Iterable[str] = (),
    limit: int | None = None,
    lines: bool = True,
    group: Callable[[Commit], str] | None = None,
) -> AuthorRanking:
    """Authors by commits (or lines), descending; ties keep the order in which authors first appear.

    Without `lines` (commits walked without diffs), line counts are None rather than a wrong zero.
    `group` ranks something else an author stands for (an employer) instead of an identity of `kind`.
    """
    kept = list(without(commits, exclude) if exclude else commits)
    who = list(map(group, kept)) if group else identities(kept, kind)
    counts = collections.Counter(who)  # a dict: in order of first appearance
    changed: dict[str, int] = dict.fromkeys(counts, 0)
    if lines:
        for ident, commit in zip(who, kept, strict=True):
            changed[ident] += commit.lines
    return ranked([AuthorCount(i, c, changed[i] if lines else None) for i, c in counts.items()], sortby, limit)


def ranked(counts: Sequence[AuthorCount], sortby: str = "commits", limit: int | None = None) -> AuthorRanking:
    """`counts` (in order of first appearance) by commits or lines, descending; ties keep their order."""
    authors = sorted(counts, key=lambda a: -((a.lines or 0) if sortby == "lines" else a.commits))  # stable
    lines = [a.lines for a in authors]
    return AuthorRanking(
        sortby=sortby,
        authors=authors[:limit] if limit is not None else authors,
        total_authors=len(authors),
        total_commits=sum(a.commits for a in authors),
        total_lines=None if None in lines else sum(n for n in lines if n is not None),
    )


def without(commits: Iterable[Commit], exclude: Iterable[str]) -> Iterator[Commit]:
    """The commits whose author is none of `exclude` (each `Name <email>`, a name or an email)."""
    excluded = set(exclude)
    for commit in commits:
        if not (excluded and excluded & {commit.author, commit.author_name, commit.author_email}):
            yield commit


def is_maintainer(commit: Commit, maintainers: Sequence[str]) -> bool:
    """A maintainer is a `Name <email>`, a name or an email; a commit is theirs if its author's name or
    email equals one of them."""
    for entry in maintainers:
        name, _, email = entry.partition("<")
        name, email = name.strip(), email.rstrip(">").strip()
        if email and commit.author_email.casefold() == email.casefold():
            return True
        if not email and "@" in name and commit.author_email.casefold() == name.casefold():
            return True
        if name and commit.author_name == name:
            return True
    return False


Selected = dict[tuple[RevRange, str], list[Commit]]


def _rows(ranges: Sequence[RevRange], values) -> list[TableRow]:  # type: ignore[no-untyped-def]
    return [TableRow(str(r), values(r)) for r in ranges]


def _kept(commits: list[Commit], merges: bool) -> list[Commit]:
    return commits if merges else [c for c in commits if not c.is_merge]


def community_table(
    selected: Selected,
    ranges: Sequence[RevRange],
    subsystem: PathSet,
    maintainers: Sequence[str],
    label: str,
    merges: bool = True,
) -> Table:
    def values(r: RevRange) -> list[int]:
        commits = _kept(selected[(r, subsystem.label)], merges)
        mine = sum(1 for c in commits if is_maintainer(c, maintainers))
        return [mine, len(commits) - mine]

    return Table(
        kind="community",
        labels=[f"from_{label}", f"non_{label}"],
        header=["range", f"from_{label}", f"non_{label}", f"non_{label}_portion"],
        layout=[0, 1, (1, (0, 1))],
        rows=_rows(ranges, values),
    )


def share_table(
    kind: str,
    selected: Selected,
    ranges: Sequence[RevRange],
    pathsets: Sequence[PathSet],
    merges: bool = False,
) -> Table:
    """`commits` or `lines` of a subsystem, its parent and the whole: S P S/P T S/T."""
    sub, parent, total = pathsets

    def measure(commits: list[Commit]) -> int:
        if kind == "lines":  # merges carry no diff in git log, so they add no lines either way
            return sum(c.insertions + c.deletions for c in commits)
        return len(commits) if merges else sum(1 for c in commits if len(c.parents) < 2)

    def values(r: RevRange) -> list[int]:
        return [measure(selected[(r, p.label)]) for p in pathsets]

    return Table(
        kind=kind,
        labels=[sub.label, parent.label, total.label],
        header=[
            "range",
            sub.label,
            parent.label,
            f"{sub.label}/{parent.label}",
            total.label,
            f"{sub.label}/{total.label}",
        ],
        layout=[0, 1, (0, (1,)), 2, (0, (2,))],
        rows=_rows(ranges, values),
    )


@dataclass(frozen=True, slots=True)
class Change:
    """How a figure moved from last year to this year."""

    before: float
    after: float

    @property
    def direction(self) -> str:
        if self.after == self.before:
            return "equal"
        return "increased" if self.after > self.before else "reduced"

    @property
    def percent_of_before(self) -> int | None:
        """This year as a percentage of last year (None when last year was zero)."""
        return None if self.before == 0 else round(100 * self.after / self.before)


def share_total(table: Table, part: str, whole: str) -> Ratio:
    """The total row's `part/whole` ratio of a commits or lines table."""
    total = table.rows[-1]
    return Ratio(total.values[table.labels.index(part)], total.values[table.labels.index(whole)])


def non_maintainer_share(table: Table) -> Ratio:
    mine, others = table.rows[-1].values
    return Ratio(others, mine + others)


def crossing_renames(commits: Iterable[Commit], index: SectionIndex) -> set[tuple[str, str]]:
    """The (commit, path) blobs whose whole lines a section's own diff counts: a file renamed into a
    section from outside it is an addition there, one renamed out a deletion (git pairs renames only
    inside the pathspec). The old side is named by the commit's first parent."""
    wanted = set()
    for commit in commits:
        if commit.is_merge:
            continue
        for changed in commit.files:
            if changed.old_path is None or changed.binary:
                continue
            new, old = index.of(changed.path), index.of(changed.old_path)
            if new - old:
                wanted.add((commit.hash, changed.path))
            if old - new and commit.parents:
                wanted.add((commit.parents[0], changed.old_path))
    return wanted


def count_lines(content: bytes) -> int:
    """The lines `git diff --numstat` counts for a whole file; 0 for one git takes as binary."""
    if b"\0" in content[:8000]:
        return 0
    return content.count(b"\n") + (not content.endswith(b"\n") and bool(content))


def section_stats(
    commits: Iterable[Commit], index: SectionIndex, whole_lines: dict[tuple[str, str], int]
) -> list[SectionStats]:
    """Every section that a non-merge commit touched, ranked by commits, then lines.

    A commit counts for a section when its own diff touches a file of the section, as
    `git log --no-merges --full-history RANGE -- PATHSPECS` lists it, and its lines are that command's
    `--numstat` sum: a rename across the section's edge counts the whole file (`whole_lines`, see
    `crossing_renames`).
    """
    commits_of: dict[int, int] = {}
    lines_of: dict[int, int] = {}
    authors_of: dict[int, set[str]] = {}
    others_of: dict[int, int] = {}
    for commit in commits:
        if commit.is_merge:
            continue
        lines: dict[int, int] = {}
        for changed in commit.files:
            for i, count in _section_lines(commit, changed, index, whole_lines):
                lines[i] = lines.get(i, 0) + count
        for i, count in lines.items():
            commits_of[i] = commits_of.get(i, 0) + 1
            lines_of[i] = lines_of.get(i, 0) + count
            authors_of.setdefault(i, set()).add(commit.author)
            if not is_maintainer(commit, index.sections[i].maintainers):
                others_of[i] = others_of.get(i, 0) + 1
    ranked = sorted(commits_of, key=lambda i: (-commits_of[i], -lines_of[i], index.sections[i].name))
    return [
        SectionStats(
            index.sections[i].name,
            commits_of[i],
            lines_of[i],
            len(authors_of[i]),
            Ratio(others_of.get(i, 0), commits_of[i]),
        )
        for i in ranked
    ]


def _section_lines(
    commit: Commit, changed: ChangedFile, index: SectionIndex, whole_lines: dict[tuple[str, str], int]
) -> Iterator[tuple[int, int]]:
    """(section, lines) for each section one changed file counts in."""
    new = index.of(changed.path)
    if changed.old_path is None:
        for i in new:
            yield i, changed.insertions + changed.deletions
        return
    old = index.of(changed.old_path)
    for i in new & old:
        yield i, changed.insertions + changed.deletions
    for i in new - old:
        yield i, whole_lines.get((commit.hash, changed.path), 0)
    for i in old - new:
        yield i, whole_lines.get((commit.parents[0], changed.old_path), 0) if commit.parents else 0
