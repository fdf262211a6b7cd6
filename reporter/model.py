"""The domain model: plain, JSON-serialisable records that know nothing of git processes.

One piece of git's output is kept as git wrote it: a commit's changed files, its `--numstat -z` entries.
Most runs only sum them, so they are decoded into ChangedFile records only where a file is looked at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


def _entry(paths: bool) -> bytes:
    """The entry's pattern, its counts captured, and with `paths` its paths (path, or old and new) too."""
    path, other = (rb"([^\0]+)", rb"([^\0]*)") if paths else (rb"[^\0]+", rb"[^\0]*")
    return rb"(\d+|-)\t(\d+|-)\t(?:%s|\0%s\0%s)\0" % (path, other, other)


# One `--numstat -z` entry: `added TAB deleted TAB path NUL`, or for a rename or copy `added TAB deleted TAB
# NUL old NUL new NUL`; `-` for a binary file's counts. Entries follow one another with nothing between.
NUMSTAT_ENTRY = _entry(paths=True)
_ENTRY = re.compile(NUMSTAT_ENTRY)
_COUNTS = re.compile(_entry(paths=False))  # sums are faster without the paths captured


def numstat_totals(numstat: bytes) -> tuple[int, int]:
    """(insertions, deletions) of `--numstat -z` entries, as git's own sums count them (binary files 0)."""
    insertions = deletions = 0
    for added, deleted in _COUNTS.findall(numstat):
        if added != b"-":
            insertions += int(added)
            deletions += int(deleted)
    return insertions, deletions


def decoded(raw: bytes) -> str:
    """Git's bytes as text, exactly: undecodable bytes survive as surrogates, so identities and paths stay
    what git says (`encoded` gives the same bytes back)."""
    return raw.decode("utf-8", errors="surrogateescape")


def encoded(text: str) -> bytes:
    """The bytes git gave for `decoded` text."""
    return text.encode("utf-8", errors="surrogateescape")


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One file of a commit's diff; `old_path` is set for a rename or copy."""

    path: str
    insertions: int
    deletions: int
    old_path: str | None = None
    binary: bool = False


# Not frozen, though nothing changes a Commit: a frozen dataclass is five times as slow to make, and a
# kernel year holds 80,000 of them, made on every run.
@dataclass(slots=True)
class Commit:
    hash: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int
    committer_time: int
    insertions: int = 0
    deletions: int = 0
    # The commit's `--numstat -z` entries (NUMSTAT_ENTRY) as git wrote them, when its files are kept.
    numstat: bytes = b""
    # (key, value) of each trailer as git parses the message (folded lines unfolded), when asked for.
    trailers: tuple[tuple[str, str], ...] = ()

    @property
    def files(self) -> tuple[ChangedFile, ...]:
        return tuple(
            ChangedFile(
                decoded(path or new),
                0 if added == b"-" else int(added),
                0 if added == b"-" else int(deleted),
                None if path else decoded(old),
                added == b"-",
            )
            for added, deleted, path, old, new in _ENTRY.findall(self.numstat)
        )

    @property
    def raw_paths(self) -> list[bytes]:
        """The paths its diff names, as git wrote them: each changed file's, and a renamed or copied file's
        old path too."""
        entries = _ENTRY.findall(self.numstat)
        return [p for _, _, path, old, new in entries for p in ((path,) if path else (old, new))]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def lines(self) -> int:
        return self.insertions + self.deletions

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"


@dataclass(frozen=True, slots=True)
class RevRange:
    """`start..end`: commits reachable from end but not from start (start may be empty: all of end)."""

    start: str
    end: str

    def __str__(self) -> str:
        return f"{self.start}..{self.end}" if self.start else self.end


@dataclass(frozen=True, slots=True)
class PathSet:
    """A labelled set of git pathspecs; `pathspecs=None` is the whole repository."""

    label: str
    pathspecs: tuple[str, ...] | None = None
    section: str | None = None
    maintainers: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()  # the section's mailing-list addresses (its L: entries)

    @property
    def whole_repository(self) -> bool:
        return self.pathspecs is None


@dataclass(frozen=True, slots=True)
class AuthorCount:
    identity: str
    commits: int
    lines: int | None  # None when the ranking was made without diffs (sorted by commits)


@dataclass(slots=True)
class AuthorRanking:
    """Authors in rank order; totals count everyone, even those cut from `authors`."""

    sortby: str
    authors: list[AuthorCount]
    total_authors: int
    total_commits: int
    total_lines: int | None
    # Set when only newcomers are ranked: since what (a ref or a date), and how far back the history
    # that tells them apart reaches when the clone is shallow.
    new_since: str | None = None
    # Set when the ranking counts lines and merges too: what a merge's lines are (git's diff shows none).
    merge_rule: str | None = None
    persons: bool = False  # ranks persons (identities folded), not identities


@dataclass(frozen=True, slots=True)
class CreditCount:
    identity: str
    commits: int


@dataclass(slots=True)
class CreditRanking:
    """Who is credited by one trailer key, in rank order; totals count everyone, even those cut."""

    key: str
    noun: str  # "reviews" for Reviewed-by
    credits: list[CreditCount]
    total_people: int
    total_credits: int
    total_commits: int  # commits that carry the key at least once
    persons: bool = False  # credits persons (identities folded), not identities


@dataclass(frozen=True, slots=True)
class Ratio:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else 100.0 * self.part / self.whole

    def __str__(self) -> str:
        pct = self.percent
        return "-" if pct is None else f"{pct:.2f}%"


# A table column: the index of a value, or a ratio (part index, indices of the values summed as whole).
Column = int | tuple[int, tuple[int, ...]]


@dataclass(slots=True)
class TableRow:
    range: str
    values: list[int]


@dataclass(frozen=True, slots=True)
class PathSource:
    """Where a table's path set came from: a MAINTAINERS section as the file reads at `ref` (its commit), or
    pathspecs given as they are (`section` None); how many pathspecs it holds and files they select there.
    `range` is the row it serves when each range reads MAINTAINERS at its own end (None: every row)."""

    label: str
    section: str | None
    ref: str
    commit: str
    pathspecs: int
    files: int
    range: str | None = None


@dataclass(slots=True)
class Table:
    """A per-release table: one row per consecutive pair of refs, then the total row `first..last`."""

    kind: str
    labels: list[str]
    header: list[str]
    layout: list[Column]
    rows: list[TableRow] = field(default_factory=list)
    resolved: dict[str, str] = field(default_factory=dict)
    sources: list[PathSource] = field(default_factory=list)  # what its path sets were read from
    # "end", "each" or a ref: where MAINTAINERS was read ("each": every range at its own end, the total row
    # the sum of the rows)
    maintainers_at: str = "end"

    def cells(self, row: TableRow) -> list[object]:
        out: list[object] = [row.range]
        for col in self.layout:
            if isinstance(col, int):
                out.append(row.values[col])
            else:
                part, whole = col
                out.append(Ratio(row.values[part], sum(row.values[w] for w in whole)))
        return out


@dataclass(frozen=True, slots=True)
class SectionStats:
    """One MAINTAINERS section's year: commits whose own diff touches its files, and their lines."""

    section: str
    commits: int
    lines: int
    authors: int
    non_maintainer: Ratio
