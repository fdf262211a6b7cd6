"""Every year since the start: a few figures per year (contributors, commits, lines, shares, the tools'),
each year computed once and kept in its own JSON file with the fingerprint of what it was computed from.

A kept year is read back while its inputs are unchanged: the configuration's parts that decide its figures,
the commits its boundaries resolve to, and each tool's commits of the year. So next year's run computes one
year, and years computed on different machines (a CI matrix, one job a year) merge into the same result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reporter.errors import UserError
from reporter.files import write_together
from reporter.git import walk
from reporter.git.history import History
from reporter.kernel import compute, stats
from reporter.kernel.ranges import consecutive, year_end, year_start
from reporter.model import Ratio
from reporter.progress import group, warning
from reporter.report.config import Config, ToolConfig
from reporter.report.config import load as load_config
from reporter.report.run import (
    ReportOptions,
    Session,
    authors_and_persons,
    kernel_authors_request,
    settings,
    table_request,
    tool_authors_request,
    tool_commits,
    year_inputs,
    year_refs,
)

# The per-year file's layout: a file of another layout is computed again.
FORMAT = 2
PREFIX = "trends-"


@dataclass(slots=True)
class ToolTrend:
    name: str
    people: int
    commits: int


@dataclass(slots=True)
class Share:
    part: int
    whole: int

    @property
    def ratio(self) -> Ratio:
        return Ratio(self.part, self.whole)


@dataclass(slots=True)
class TrendYear:
    year: int
    refs: list[str]  # the year's boundaries, as the report's
    people: int  # contributors, identities folded into persons
    commits: int  # the subsystem's commits, merges excluded (the authors ranking's total)
    lines: int  # the subsystem's changed lines (the lines table's total)
    shares: dict[str, dict[str, Share]]  # {"commits"|"lines": {"parent"|"total": Share}}
    tools: list[ToolTrend] = field(default_factory=list)


@dataclass(slots=True)
class TrendsOptions:
    report: ReportOptions  # the repositories, cache and output directory (per-year files go there)
    years: list[int] = field(default_factory=list)  # only these; default: first_year to last_year
    first_year: int | None = None  # default: the config's trends.first_year, else the subsystem's first commit
    last_year: int | None = None  # default: the current year, up to now


def to_json(year: TrendYear) -> dict[str, Any]:
    return asdict(year)


def from_json(data: dict[str, Any]) -> TrendYear:
    return TrendYear(
        int(data["year"]),
        [str(r) for r in data["refs"]],
        int(data["people"]),
        int(data["commits"]),
        int(data["lines"]),
        {k: {w: Share(int(s["part"]), int(s["whole"])) for w, s in v.items()} for k, v in data["shares"].items()},
        [ToolTrend(str(t["name"]), int(t["people"]), int(t["commits"])) for t in data["tools"]],
    )


def _fingerprint(year: int, inputs: dict[str, Any]) -> str:
    """The year's inputs as its report records them (`run.year_inputs`), hashed with this file's layout."""
    found = {"format": FORMAT, "year": year, "inputs": inputs}
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


def path_of(directory: Path, year: int) -> Path:
    return directory / f"{PREFIX}{year}.json"


def _kept(path: Path, fingerprint: str) -> TrendYear | None:
    """The year kept at `path`, when it was computed from the same inputs."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == FORMAT and data.get("fingerprint") == fingerprint:
            return from_json(data["trend"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _compute(
    session: Session, history: History, year: int, refs: list[str], cutoff: int | None, first: int
) -> TrendYear:
    """The year's figures, as the year's report computes them."""
    kernel = session.config.kernel
    tables = compute.tables(history, ("commits", "lines"), table_request(kernel, refs))
    ranking, persons = authors_and_persons(history, kernel_authors_request(kernel, refs), session.config.people)
    sub, parent, total = kernel.subsystem.label, kernel.parent.label, kernel.total_label
    shares = {
        kind: {
            "parent": Share(*_parts(stats.share_total(tables[kind], sub, parent))),
            "total": Share(*_parts(stats.share_total(tables[kind], sub, total))),
        }
        for kind in ("commits", "lines")
    }
    lines = tables["lines"].rows[-1].values[tables["lines"].labels.index(sub)]
    tools = [_tool_year(session, tool, year, cutoff, first) for tool in session.config.tools]
    return TrendYear(year, refs, len(persons), ranking.total_commits, lines, shares, tools)


def _parts(ratio: Ratio) -> tuple[int, int]:
    return ratio.part, ratio.whole


def _tool_year(session: Session, tool: ToolConfig, year: int, cutoff: int | None, first: int) -> ToolTrend:
    history = session.history(tool.name, tool.url, tool.path, first)
    since, until = year_start(year), _until(year, cutoff)
    ranking, persons = authors_and_persons(history, tool_authors_request(tool, since, until), session.config.people)
    return ToolTrend(tool.name, len(persons), ranking.total_commits)


def _until(year: int, cutoff: int | None) -> int:
    return year_end(year) if cutoff is None else min(year_end(year), cutoff)


def first_commit_year(history: History, config: Config) -> int:
    """The year of the subsystem's first commit (its paths as MAINTAINERS reads at HEAD)."""
    pathspecs = compute.resolve_spec(history.repo, config.kernel.subsystem.spec(), "HEAD").pathspecs or ()
    dates = walk.log_fields(history.repo, ["%ct"], ["HEAD"], ["--reverse"], pathspecs)
    if not dates:
        raise UserError(f"no commit of {config.kernel.display} in {walk.repo_name(history.repo)}")
    return datetime.fromtimestamp(int(dates[0][0]), UTC).year


@dataclass(slots=True)
class Trends:
    settings: dict[str, Any]
    years: list[TrendYear]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "settings": self.settings, "years": [to_json(y) for y in self.years]}


@dataclass(slots=True)
class _Planned:
    """A year whose boundaries are known: read back from `kept`, or computed and kept with `fingerprint`."""

    year: int
    refs: list[str]
    cutoff: int | None
    fingerprint: str
    kept: TrendYear | None


def run_trends(options: TrendsOptions) -> Trends:
    """Each asked year, read back when kept with the same inputs, else computed and kept."""
    config = load_config(options.report.config_path)
    now = int(datetime.now(UTC).timestamp())
    this_year = datetime.fromtimestamp(now, UTC).year
    kernel = config.kernel
    found: list[TrendYear] = []
    skipped: list[str] = []
    with Session(config, options.report) as session:
        known_first = min(options.years) if options.years else options.first_year or config.trends_first_year
        history = session.history(kernel.name, kernel.url, kernel.path, known_first or 1970, shallow=True)
        first = known_first or first_commit_year(history, config)
        planned = []
        for year in options.years or range(first, (options.last_year or this_year) + 1):
            try:
                planned.append(_plan(session, history, year, now if year >= this_year else None, first))
            except UserError as err:
                skipped.append(f"{year} left out: {err}")
        # The years to compute are walked at once, as chains spread over the jobs, not one year after another.
        missing = [r for p in planned if p.kept is None for r in consecutive(p.refs)]
        with history.walking(missing):
            for plan in planned:
                with group(f"{kernel.name}: {plan.year}"):
                    found.append(plan.kept or _computed(session, history, plan, first))
    for text in skipped:
        warning(text)
    return Trends(settings(config), found, skipped)


def _plan(session: Session, history: History, year: int, cutoff: int | None, first: int) -> _Planned:
    """The year's boundaries and inputs' fingerprint, and the year kept with them (None: none is)."""
    config = session.config
    _, refs = year_refs(session, history, year, cutoff)
    resolved = history.hashes(refs)  # explicit refs may name no commit here
    until = _until(year, cutoff)
    tools = {
        t.name: tool_commits(session.history(t.name, t.url, t.path, first), t, year_start(year), until)
        for t in config.tools
    }
    sources = compute.table_sources(history, table_request(config.kernel, refs))
    fingerprint = _fingerprint(year, year_inputs(config, (refs, resolved, sources), tools))
    return _Planned(year, refs, cutoff, fingerprint, _kept(path_of(session.options.out_dir, year), fingerprint))


def _computed(session: Session, history: History, plan: _Planned, first: int) -> TrendYear:
    """The year computed, then kept in the output directory."""
    trend = _compute(session, history, plan.year, plan.refs, plan.cutoff, first)
    data = {"format": FORMAT, "fingerprint": plan.fingerprint, "settings": settings(session.config)}
    data["trend"] = to_json(trend)
    path = path_of(session.options.out_dir, plan.year)
    write_together({path: json.dumps(data, indent=2, ensure_ascii=False) + "\n"})
    return trend


def merge(directory: Path, config: Config) -> Trends:
    """The years kept under `directory` (one machine's, or a matrix's artifacts), one result: each year once,
    all computed with the configuration's settings."""
    paths = sorted(directory.rglob(f"{PREFIX}*.json"))
    if not paths:
        raise UserError(f"no {PREFIX}YEAR.json file under {directory}")
    by_year: dict[int, TrendYear] = {}
    wanted = settings(config)
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise UserError(f"{path}: not a trends year of format {FORMAT}")
            trend = from_json(data["trend"])
            these = data["settings"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise UserError(f"{path}: unreadable trends year ({err})") from None
        if these != wanted:
            raise UserError(f"{path}: computed with other settings than the configuration's ({config.source})")
        if by_year.setdefault(trend.year, trend) != trend:
            raise UserError(f"{path}: {trend.year} differs from another file's {trend.year}")
    return Trends(wanted, [by_year[y] for y in sorted(by_year)])
