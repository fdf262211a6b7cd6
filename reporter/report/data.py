"""The report's data: one year's figures as plain dataclasses, the shape of the JSON a report writes
(`schema.json` beside this file). Computed by `report.run`, read by the renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporter.kernel.people import Person
from reporter.kernel.releases import Release
from reporter.kernel.series import Series
from reporter.model import AuthorRanking, CreditRanking, Ratio, Table

SCHEMA_VERSION = 5


@dataclass(slots=True)
class KernelYear:
    refs: list[str]
    resolved: dict[str, str]
    dates: dict[str, int]  # each ref's date: its tag's (the tagger's, or its commit's for a lightweight tag)
    authors: AuthorRanking
    tables: dict[str, Table]
    people: list[Person]  # the authors' identities folded into persons
    maintainers: list[str]  # `Name <email>` of the subsystem's maintainers (its M: entries by default)
    involvement: Involvement | None = None
    lists: list[str] = field(default_factory=list)  # the subsystem section's mailing lists (its L: addresses)
    series: SeriesYear | None = None


@dataclass(slots=True)
class SeriesYear:
    """The year's patch series (the subsystem's commits of the tables' range), in release order; those the
    year's first release delivered, developed the year before; and those merged in a development tree's
    refs (`kernel.next_refs`) and in no release yet."""

    release: str | None  # the year's first release (that of the year's first boundary), None: not yet
    release_date: int | None
    delivered: list[Series]  # the series of the previous release..the first boundary
    year: list[Series]
    next_refs: list[str] = field(default_factory=list)
    next: list[Series] = field(default_factory=list)


@dataclass(slots=True)
class Involvement:
    """Who stands behind the subsystem's commits of the year: employers, reviewers and testers, newcomers."""

    employers: AuthorRanking  # the authors ranking's commits, per employer
    unmapped: list[tuple[str, int]]  # the domains with most commits that the map does not name
    maintainer_employer: str | None  # from the config's employer map, for the section's first maintainer
    outside: Ratio | None  # commits from outside the maintainer's employer; None without one
    credits: list[CreditRanking]  # per trailer key, the top ones (totals count everyone)
    reviewed: Ratio  # commits with a Reviewed-by:/Acked-by: from someone other than their author
    # authors with no commit to the subsystem in the previous year's range; None without one to start from
    newcomers: AuthorRanking | None


@dataclass(slots=True)
class ToolYear:
    name: str
    since: int
    until: int
    head: str
    merges: bool
    authors: AuthorRanking
    people: list[Person]
    releases: list[Release] = field(default_factory=list)  # tags of the tool's pattern dated in the year
    notes: str | None = None  # the commit whose release notes file gave the releases' items; None: no file


@dataclass(slots=True)
class YearStats:
    """A year's figures; the previous year's may lack a part that could not be computed (kernel None, a
    tool missing): the report then compares nothing for that part."""

    year: int
    kernel: KernelYear | None
    tools: list[ToolYear]
    # What the figures were made from (see `report.run.year_inputs`): last year's JSON is reused only when
    # this year's run would make it from the same.
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Extras:
    """Figures from outside git: present when fetched, otherwise the reason they are missing."""

    github: list[dict[str, Any]] = field(default_factory=list)
    packaging: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
