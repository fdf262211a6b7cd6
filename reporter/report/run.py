"""The yearly report: one year's statistics and the previous year's, computed or read back, then written.

This module decides what to compute and where it goes; the numbers come from `compute`, the words and
layout from `render`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import git

from reporter import __version__, homepage
from reporter.errors import UserError
from reporter.files import write_together
from reporter.git import cache, repos, walk
from reporter.git.history import History
from reporter.kernel import compute, employers, releases, stats
from reporter.kernel import credits as credit
from reporter.kernel.people import Person, Rules
from reporter.kernel.ranges import (
    compile_pattern,
    consecutive,
    overlaps,
    parse_date,
    repo_year_boundaries,
    year_end,
    year_start,
)
from reporter.kernel.series import Series
from reporter.model import AuthorRanking, PathSource, Ratio, RevRange
from reporter.progress import Progress, group, warning
from reporter.render import data as render_data
from reporter.render import escape, hugo, mail
from reporter.render import post as render_post
from reporter.report import posts
from reporter.report.config import Config, KernelConfig, ToolConfig
from reporter.report.config import load as load_config
from reporter.report.data import SCHEMA_VERSION, Extras, Involvement, KernelYear, SeriesYear, ToolYear, YearStats
from reporter.services.defaults import DEFAULT_MAX_WAIT

if TYPE_CHECKING:
    from reporter.report.trends import Trends

TRENDS_DIR = "trends"  # below the output directory: where the report keeps every year (`trends.post`)


@dataclass(slots=True)
class ReportOptions:
    config_path: Path | None = None
    year: int | None = None
    cutoff: str | None = None
    repos: dict[str, str] = field(default_factory=dict)
    out_dir: Path = Path("retrospect-out")
    offline: bool = False
    cache_dir: Path | None = None  # the cache root; see cache.root()
    no_cache: bool = False  # no commit cache (clones are still kept under the cache root)
    jobs: int | None = None  # parallel git walks per repository; default: CPU count
    gfm: bool = False
    date: str | None = None
    quiet: bool = False
    token: str | None = None  # for the GitHub API; default: $GITHUB_TOKEN
    api_url: str | None = None  # default: $GITHUB_API_URL, else https://api.github.com
    max_wait: float = DEFAULT_MAX_WAIT  # longest GitHub rate-limit wait, seconds
    news_repo: Path | None = None  # a checkout of the news repository; default: publish.news_repository if local


@dataclass(slots=True)
class ReportResult:
    year: int
    markdown_path: Path
    json_path: Path
    region_markdown: str
    gfm_path: Path | None = None
    mail_path: Path | None = None


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


class Session:
    """The repositories, cache and progress of one report run."""

    def __init__(self, config: Config, options: ReportOptions) -> None:
        self.config = config
        self.options = options
        unknown = set(options.repos) - set(config.repo_names())
        if unknown:
            raise UserError(
                f"unknown repository name {sorted(unknown)[0]!r} in --repo (the config has: "
                f"{', '.join(config.repo_names())})"
            )
        root = cache.root(options.cache_dir)
        self.cache = None if options.no_cache else cache.Cache(root)
        self.clones = root / cache.CLONES
        self._histories: dict[str, History] = {}
        self.cached: set[str] = set()  # names cloned into the cache, which retrospect may fetch into
        self.prefetch_year: int | None = None  # a year the kernel's walks will be asked for later
        self.warnings: list[str] = []  # what the computed years leave out, for stderr and the JSON

    def history(self, name: str, url: str | None, path: str | None, since_year: int, shallow: bool = False) -> History:
        """The repository `name`: `--repo`, the config's path, or a clone kept in the cache that holds
        history from `since_year` on (the first call decides, so it names the earliest year needed)."""
        if name not in self._histories:
            local = self.options.repos.get(name) or path
            if local:
                repo = walk.open_repo(local)
            else:
                repo = repos.ensure(name, url, self.clones, since_year, self.options.offline, shallow)
                self.cached.add(name)
            progress = Progress(f"walking {name}", enabled=False if self.options.quiet else None)
            self._histories[name] = History(repo, cache=self.cache, jobs=self.options.jobs, progress=progress)
        return self._histories[name]

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        for history in self._histories.values():
            history.close()


def kernel_refs(repo: git.Repo, tags: list[walk.Tag], kernel: KernelConfig, year: int, cutoff: int | None) -> list[str]:
    if year in kernel.refs:
        return kernel.refs[year]
    return repo_year_boundaries(repo, tags, year, cutoff, kernel.release_pattern, kernel.tag_pattern)


def table_request(kernel: KernelConfig, refs: list[str]) -> compute.TableRequest:
    return compute.TableRequest(
        refs=refs,
        subsystem=kernel.subsystem.spec(),
        parent=kernel.parent.spec(),
        total_label=kernel.total_label,
        maintainers=kernel.maintainers,
        maintainer_label=kernel.maintainer_label,
    )


def kernel_authors_request(kernel: KernelConfig, refs: list[str]) -> compute.AuthorsRequest:
    return compute.AuthorsRequest(
        rev_range=RevRange(refs[0], refs[-1]),
        merges=False,
        subsystems=[kernel.subsystem.section] if kernel.subsystem.section else [],
        paths=kernel.subsystem.paths,
    )


def tool_authors_request(tool: ToolConfig, since: int, until: int) -> compute.AuthorsRequest:
    return compute.AuthorsRequest(since=since, until=until, merges=tool.merges, date_kind=tool.date_kind)


def involvement_year(
    history: History,
    kernel: KernelConfig,
    refs: list[str],
    when: int,
    maintainers: list[str],
    new_since: str | None,
    rules: Rules,
) -> Involvement:
    """The year's employers, review credits and newcomers, from the walks of the authors ranking; newcomers
    are persons, as the report counts contributors (a new name beside an old address is no newcomer)."""
    request = kernel_authors_request(kernel, refs)
    emap = employers.parse_map("\n".join(kernel.employers), "kernel.employers")
    by_employer, unmapped = compute.employers(history, request, emap)
    mine = employers.maintainer_employer(emap, maintainers, when)
    outside = None
    if mine is not None:
        own = sum(e.commits for e in by_employer.authors if e.identity == mine)
        outside = Ratio(by_employer.total_commits - own, by_employer.total_commits)
    top = replace(request, max_authors=credit.REPORTED_TOP)
    credits, reviewed = compute.reviews(history, top, credit.DEFAULT_KEYS)
    newcomers = compute.authors(history, replace(request, new_since=new_since, people=rules)) if new_since else None
    return Involvement(by_employer, unmapped, mine, outside, credits, reviewed, newcomers)


def _newcomers_window(session: Session, history: History, year: int, refs: list[str]) -> str | None:
    """What newcomers are told apart by: no commit in the previous year's range. Any clone that holds that
    range answers alike (a cached clone is fetched a year further back at most, then completed), so the
    figure is the same from a checkout and from a cached clone, and does not change as the cache grows.
    None when no tag starts the previous year (its comparisons say why)."""
    kernel = session.config.kernel
    cached = kernel.name in session.cached and not session.options.offline
    for attempt in range(2):
        try:
            before = kernel_refs(history.repo, walk.tags(history.repo), kernel, year - 1, None)[0]
            walk.resolve(history.repo, before)  # explicit refs of the previous year may name no tag here
            break
        except UserError:
            if attempt or not (cached and repos.reach_back(history.repo)):
                return None
    if cached:
        repos.complete(history.repo, [RevRange(before, refs[0])], session.options.offline)
    return f"{before}..{refs[0]}"


def _tag_date(history: History, tags: list[walk.Tag], ref: str) -> int:
    dates = {t.name: t.date for t in tags}
    if ref in dates:
        return dates[ref]
    return walk.commit_time(history.repo, ref)


def authors_and_persons(
    history: History, request: compute.AuthorsRequest, rules: Rules, trailers: bool = False
) -> tuple[AuthorRanking, list[Person]]:
    """The identities' ranking (authors.py's) and the persons behind them, from one walk; with `trailers`,
    that walk reads them and the line counts too, so that the review credits and the patch series of the
    same commits need no walk of their own."""
    lines = request.sortby == "lines"
    commits = compute.selected(history, request, numstat=lines or trailers, trailers=trailers and not lines)
    ranking = stats.rank_authors(commits, request.identity, request.sortby, (), request.max_authors, lines=lines)
    return ranking, compute.persons(history, commits, rules, lines)


def _kernel_boundaries(
    session: Session, history: History, year: int, cutoff: int | None
) -> tuple[list[walk.Tag], list[str]]:
    """The kernel's tags and the year's boundaries; a cached clone that holds no tag early enough to start
    the year from fetches older history until it does (or holds all of it)."""
    kernel = session.config.kernel
    for attempt in itertools.count():
        tags = walk.tags(history.repo)
        try:
            refs = kernel_refs(history.repo, tags, kernel, year, cutoff)
        except UserError:
            cached = kernel.name in session.cached and not session.options.offline
            if not (cached and repos.reach_back(history.repo, whole=attempt >= repos.EARLIER)):
                raise
            continue
        return tags, refs
    raise AssertionError("unreachable")


def _prefetch(session: Session, history: History, tags: list[walk.Tag]) -> list[str] | None:
    """Have the previous year's kernel ranges walked behind this year's, when it will be computed: its
    walks then fill the cores this year's leave idle (a year whose boundaries are unknown yet is left).
    Its boundaries, or None."""
    year, session.prefetch_year = session.prefetch_year, None
    if year is not None:
        with contextlib.suppress(UserError):
            refs = kernel_refs(history.repo, tags, session.config.kernel, year, None)
            history.prefetch(consecutive(refs))
            return refs
    return None


def _year_authors(
    history: History, kernel: KernelConfig, refs: list[str], rules: Rules, before: list[str] | None
) -> tuple[AuthorRanking, list[Person]]:
    """The year's authors and persons (`authors_and_persons`, with trailers); then, with `before` (the
    previous year's boundaries, when that year will be computed), the previous year's walk of the same kind,
    into the cache: it answers that year's ranking and this year's newcomers (the same range) without a
    walk on the way to the report's end. What that walk cannot do there is left to the previous year."""
    found = authors_and_persons(history, kernel_authors_request(kernel, refs), rules, True)
    if before is not None and history.cache is not None:
        with contextlib.suppress(UserError):
            compute.selected(history, kernel_authors_request(kernel, before), numstat=True, trailers=True)
    return found


def year_refs(session: Session, history: History, year: int, cutoff: int | None) -> tuple[list[walk.Tag], list[str]]:
    """The kernel's tags and the year's boundaries, with a cached clone completed over the year's ranges."""
    tags, refs = _kernel_boundaries(session, history, year, cutoff)
    if session.config.kernel.name in session.cached:
        ranges = [*consecutive(refs), RevRange(refs[0], refs[-1])]
        repos.complete(history.repo, ranges, session.options.offline)
    return tags, refs


def kernel_year(
    session: Session, year: int, cutoff: int | None, first_year: int, series_until: int | None = None
) -> KernelYear:
    """The kernel's figures of the year; with `series_until`, its patch series too (see series_year)."""
    kernel = session.config.kernel
    with group(f"{kernel.name}: {year}"):
        history = session.history(kernel.name, kernel.url, kernel.path, first_year, shallow=True)
        tags, refs = year_refs(session, history, year, cutoff)
        window = _newcomers_window(session, history, year, refs)
        if window is None:
            session.warnings.append(
                f"{kernel.display} newcomers in {year} left out: no tag of {walk.repo_name(history.repo)} "
                f"starts {year - 1}'s range, so first commits cannot be told apart"
            )
        request = table_request(kernel, refs)
        before = _prefetch(session, history, tags)
        with ThreadPoolExecutor(max_workers=1) as side:
            # The authors' walks (path-limited, with the trailers that the review credits read) are short: they
            # run beside the tables' long walks, rather than after them with a core to themselves.
            authors = side.submit(_year_authors, history, kernel, refs, session.config.people, before)
            # The series need the authors' walk and git's tags only: found there too, not after the tables.
            series = None if series_until is None else side.submit(series_year, session, year, refs, series_until)
            tables = compute.tables(history, compute.TABLE_KINDS, request)
            # The walks have told the ancestry.
            for text in overlaps(history.repo, refs, history.hashes(refs), history.contains):
                warning(text)
            ranking, persons = authors.result()
        dates = {ref: _tag_date(history, tags, ref) for ref in refs}
        found = compute.maintainers_of(history, request)
        involvement = involvement_year(history, kernel, refs, dates[refs[-1]], found, window, session.config.people)
        lists = compute.lists_of(history, request)
        found_series = None if series is None else series.result()
        return KernelYear(
            refs, history.hashes(refs), dates, ranking, tables, persons, found, involvement, lists, found_series
        )


def tool_year(session: Session, tool: ToolConfig, year: int, cutoff: int | None, first_year: int) -> ToolYear:
    with group(f"{tool.name}: {year}"):
        history = session.history(tool.name, tool.url, tool.path, first_year)
        since = year_start(year)
        until = year_end(year) if cutoff is None else min(year_end(year), cutoff)
        ranking, persons = authors_and_persons(history, tool_authors_request(tool, since, until), session.config.people)
        head = walk.resolve(history.repo, "HEAD")
        found, notes = tool_releases(history, tool, since, until)
        return ToolYear(tool.name, since, until, head, tool.merges, ranking, persons, found, notes)


def tool_releases(
    history: History, tool: ToolConfig, since: int, until: int
) -> tuple[list[releases.Release], str | None]:
    """The tool's releases in [since, until], with the items its notes file held at `until` (the last
    commit of HEAD's history committed by then), and that commit; None when there is no such file."""
    items: dict[str, list[str]] = {}
    at = history.repo.git.rev_list("-1", f"--before={until}", "HEAD").strip() if tool.notes else ""
    text = walk.show_file(history.repo, at, tool.notes.file) if tool.notes and at else None
    if tool.notes and text is not None:
        items = releases.parse_notes(text, tool.notes.shape)
    found = releases.year_releases(walk.tags(history.repo), tool.tag_pattern, since, until, items)
    return found, at if text is not None else None


def series_year(session: Session, year: int, refs: list[str], until: int) -> SeriesYear:
    """The year's patch series, those its first release delivered (from the release before the year's
    first boundary), and those of the development tree's refs that no release holds yet and that were
    committed by `until`."""
    kernel = session.config.kernel
    history = session.history(kernel.name, kernel.url, kernel.path, year)
    tags = walk.tags(history.repo)
    release = compile_pattern(kernel.release_pattern, "release pattern")
    releases = sorted((t for t in tags if release.search(t.name)), key=lambda t: t.date)
    start = _tag_date(history, tags, refs[0])
    before = [t for t in releases if t.date < start]
    first = next((t for t in releases if t.date >= start), None)
    nexts = [ref for ref in kernel.next_refs if _known(history, ref)]
    ranges = [RevRange(before[-1].name, refs[0])] if before else []
    ranges += [RevRange(refs[0], refs[-1])] + [RevRange(refs[-1], ref) for ref in nexts]
    found = compute.series(history, ranges, kernel_authors_request(kernel, refs), kernel.tag_pattern)
    delivered = found.pop(0) if before else []
    pending = [s for part in found[1:] for s in part if s.tag is None and _committed_by(s, until)]
    return SeriesYear(first.name if first else None, first.date if first else None, delivered, found[0], nexts, pending)


def _known(history: History, ref: str) -> bool:
    try:
        walk.resolve(history.repo, ref)
        return True
    except UserError:
        warning(f"kernel.next_refs: {ref!r} is not in {walk.repo_name(history.repo)}: left out")
        return False


def _committed_by(found: Series, until: int) -> bool:
    return all(p.committed <= until for p in found.patches)


def compute_year(session: Session, year: int, cutoff: int | None, first_year: int) -> YearStats:
    """Every figure of the year: any failure is the report's failure."""
    tools = [tool_year(session, tool, year, cutoff, first_year) for tool in session.config.tools]
    until = year_end(year) if cutoff is None else min(year_end(year), cutoff)
    kernel = kernel_year(session, year, cutoff, first_year, until)
    return _year_stats(session, year, kernel, tools)


def _year_stats(session: Session, year: int, kernel: KernelYear | None, tools: list[ToolYear]) -> YearStats:
    """The year's figures, with what they were made from."""
    sources = [] if kernel is None else kernel.tables["commits"].sources
    made_from = None if kernel is None else (kernel.refs, kernel.resolved, sources)
    configs = {t.name: t for t in session.config.tools}
    digests = {}
    for found in tools:
        tool = configs[found.name]
        history = session.history(tool.name, tool.url, tool.path, year)
        digests[tool.name] = tool_commits(history, tool, found.since, found.until)
    return YearStats(year, kernel, tools, year_inputs(session.config, made_from, digests))


def tool_commits(history: History, tool: ToolConfig, since: int, until: int) -> str:
    """A digest of the tool's commits of the year (as its ranking selects them by committer date)."""
    args = [f"--since={walk.git_date(since)}", f"--until={walk.git_date(until)}", "HEAD"]
    listed: str = history.repo.git.rev_list(*args, *([] if tool.merges else ["--no-merges"]))
    return hashlib.sha256(listed.encode()).hexdigest()


def year_inputs(
    config: Config, kernel: tuple[list[str], dict[str, str], list[PathSource]] | None, tools: dict[str, str]
) -> dict[str, Any]:
    """What a year's figures are made from, as its JSON holds it and `retrospect trends` fingerprints it: the
    configuration's `settings`, the kernel's refs (`kernel`: with their commits and where each path set was
    read), the tools' commits of the year (`tools`: a digest per tool)."""
    chosen = settings(config)
    found: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "people": chosen["people"],
        "tool_commits": tools,
        "tools": chosen["tools"],
        "kernel": None,
    }
    if kernel is not None:
        refs, resolved, sources = kernel
        found["kernel"] = chosen["kernel"] | {
            "refs": refs,
            "boundaries": resolved,  # each ref's commit: a moved tag is another input
            "path_sets": sources,
        }
    return _as_json(found)


def settings(config: Config) -> dict[str, Any]:
    """The configuration's parts that change a year's figures (the sections and options, the tools'
    settings), as JSON reads back. Where a repository is kept (its URL, a local path) is none: its commits
    are, and the boundaries a pattern chose are the year's refs."""
    k = config.kernel
    found = {
        "people": config.people,
        "tools": [
            {
                f.name: getattr(t, f.name)
                for f in dataclasses.fields(t)
                if f.name not in ("url", "path", "display", "description")  # where it is kept changes no figure
            }
            for t in config.tools
        ],
        "kernel": {
            "subsystem": k.subsystem.spec(),
            "parent": k.parent.spec(),
            "total_label": k.total_label,
            "maintainers": k.maintainers,
            "maintainer_label": k.maintainer_label,
            "employers": k.employers,
            "features": k.features,
            "next_refs": k.next_refs,
        },
    }
    return _as_json(found)


def _as_json(found: dict[str, Any]) -> dict[str, Any]:
    """`found` as its JSON reads back (dataclasses as objects, tuples as lists)."""
    plain: dict[str, Any] = json.loads(json.dumps(found, default=_plain))
    return plain


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _stale(session: Session, year: int, last: dict[str, Any]) -> str | None:
    """Why last year's report cannot be reused (None: it was made from this run's inputs for that year)."""
    stored = last["stats"].get("inputs")
    if not stored:
        return f"{year}.json does not say what it was made from: recomputing {year}"
    kernel = session.config.kernel
    history = session.history(kernel.name, kernel.url, kernel.path, year, shallow=True)
    tools = {}
    with contextlib.suppress(UserError):  # a tool that cannot be read now: its digest differs
        for t in session.config.tools:
            tools[t.name] = tool_commits(
                session.history(t.name, t.url, t.path, year), t, year_start(year), year_end(year)
            )
    try:
        refs = _kernel_boundaries(session, history, year, None)[1]
        sources = compute.table_sources(history, table_request(kernel, refs))
        expected = year_inputs(session.config, (refs, history.hashes(refs), sources), tools)
    except UserError:
        expected = year_inputs(session.config, None, tools)
    if stored == expected:
        return None
    differ = ", ".join(_differences(stored, expected))
    return f"{year}.json was made from other inputs ({differ} differ from this run's): recomputing {year}"


def _differences(stored: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """The inputs that differ: `kernel.refs`, ..., or a whole part (`tools`) that is not a mapping."""
    found = []
    for part in sorted(set(stored) | set(expected)):
        old, new = stored.get(part), expected.get(part)
        if isinstance(old, dict) and isinstance(new, dict):
            found += [f"{part}.{key}" for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
        elif old != new:
            found.append(part)
    return found


def _last_report(out_dir: Path, year: int) -> tuple[dict[str, Any] | None, list[str]]:
    """The report of `year` in the output directory, when it is there and readable."""
    path = out_dir / f"{year}.json"
    if not path.exists():
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("schema_version") == SCHEMA_VERSION:
            render_data.year_stats_from(data["stats"])  # readable, or recomputed
            return data, []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None, [f"{path.name} is unreadable or of another schema; recomputing {year}"]


def _previous(session: Session, year: int, last: dict[str, Any] | None) -> tuple[YearStats, list[str]]:
    """Last year's figures, from last year's report when there is one, else computed; a part that cannot
    be computed (a repository without that year's tags) is left out, with a warning."""
    if last is not None:
        return render_data.year_stats_from(last["stats"]), []
    warnings = []
    kernel, tools = None, []
    try:
        kernel = kernel_year(session, year, None, year)
    except UserError as err:
        warnings.append(f"{session.config.kernel.display} in {year} left out of the comparisons: {err}")
    for tool in session.config.tools:
        try:
            tools.append(tool_year(session, tool, year, None, year))
        except UserError as err:
            warnings.append(f"{tool.display} in {year} left out of the comparisons: {err}")
    return _year_stats(session, year, kernel, tools), warnings


def _extras(config: Config, year: int, options: ReportOptions, last: dict[str, Any] | None) -> Extras:
    extras = Extras()
    if options.offline:
        extras.warnings.append("GitHub metrics, packaging and downloads not fetched: --offline")
        extras.github = [{"repo": r, "error": "not fetched: offline"} for r in config.github]
        extras.packaging = [{"project": p.project, "error": "not fetched: offline"} for p in config.packaging]
        return extras
    from reporter.services import github, packaging

    gh = None
    for full_name in config.github:
        with group(f"GitHub: {full_name}"):
            try:
                gh = gh or github.connect(
                    options.token,
                    options.api_url,
                    cache_dir=cache.root(options.cache_dir) / cache.GITHUB,
                    max_wait=options.max_wait,
                )
                extras.github.append({"repo": full_name, "metrics": github.fetch_metrics(gh, full_name, year)})
            except UserError as err:
                extras.github.append({"repo": full_name, "error": str(err)})
                extras.warnings.append(f"GitHub metrics of {full_name} unavailable: {err}")
    for item in config.packaging:
        with group(f"packaging: {item.project}"):
            before = next(
                (p for p in (last or {}).get("extras", {}).get("packaging", []) if p.get("project") == item.project),
                None,
            )
            found, downloads, warnings = packaging.packaging_section_data(
                item.project, year, item.pypi, cache_dir=cache.root(options.cache_dir) / cache.HTTP, previous=before
            )
            extras.packaging.append(
                {"project": item.project, "packaging": found, "downloads": downloads, "warnings": warnings}
            )
            extras.warnings += warnings
    return extras


def _every_year(options: ReportOptions, year: int) -> Trends:
    """Every year up to the report's, as `retrospect trends` computes them, kept in OUT/trends."""
    from reporter.report import trends  # it builds on this module

    request = trends.TrendsOptions(replace(options, out_dir=options.out_dir / TRENDS_DIR), last_year=year)
    return trends.run_trends(request)


def _news_repo(config: Config, options: ReportOptions) -> Path | None:
    """The news repository's checkout: the option's, else the publish section's when it is a local path."""
    configured = config.publish.get("news_repository", "")
    if options.news_repo is None and configured.startswith(("/", ".", "~")):
        return Path(configured).expanduser()
    return options.news_repo


def _previous_post(config: Config, options: ReportOptions, year: int) -> tuple[Config, str | None]:
    """The configuration with `year`'s post found in the news repository where the configuration names none,
    and a warning when the repository was looked in and holds no such post."""
    where = _news_repo(config, options)
    if year in config.posts or where is None:
        return config, None
    rules = posts.Rules(
        render_post.title(config, year), config.publish.get("post_path"), config.publish.get("post_url")
    )
    found = posts.find(walk.open_repo(where), "HEAD", year, rules)
    if found is None:
        how = f"at {rules.path.format(year=year)}" if rules.path else f"titled {rules.title!r}"
        return config, f"no {year} post {how} in the news repository {where.name}: set posts.{year} in the config"
    if found.url is None:
        return (
            config,
            f"{found.path}, the {year} post, has no URL: the site's Hugo config has no baseURL (set publish.post_url)",
        )
    return replace(config, posts={year: found.url, **config.posts}), None


def run_report(options: ReportOptions) -> ReportResult:
    """Compute the year (and the previous one), then write YEAR.md and YEAR.json (and YEAR.gfm.md)."""
    config = load_config(options.config_path)
    now = _now()
    year = options.year or datetime.now(UTC).year
    cutoff = parse_date(options.cutoff, end_of_day=True) if options.cutoff else (None if options.year else now)
    if options.date is not None:
        parse_date(options.date)  # validated before the long work, not after it
    render_post.load_template(config)
    with Session(config, options) as session:  # its cache writes go on beside what follows the walks
        last, warnings = _last_report(options.out_dir, year - 1)
        stale = _stale(session, year - 1, last) if last is not None else None
        reused = None if stale else last  # only figures made from the same inputs
        warnings += [stale] if stale else []
        session.prefetch_year = None if reused else year - 1
        current = compute_year(session, year, cutoff, year - 1)
        previous, more = _previous(session, year - 1, reused)
        extras = _extras(config, year, options, last)
        every_year = _every_year(options, year) if config.trends_post else None
        warnings += more + session.warnings + extras.warnings
        for text in warnings:
            warning(text)
        warnings += every_year.warnings if every_year else []  # which `retrospect trends` printed
        assert current.kernel is not None  # compute_year computes every part or fails
        end = current.kernel.dates[current.kernel.refs[-1]]
        date = options.date or config.date or datetime.fromtimestamp(end, UTC).isoformat()
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "retrospect", "version": __version__, "url": homepage()},
            "options": {
                "config": Path(config.source).name,  # not the local path: the JSON is published
                "year": year,
                "cutoff": options.cutoff,
                "date": date,
                "offline": options.offline,
            },
            "stats": render_data.year_stats(current),
            "previous": render_data.year_stats(previous),
            "extras": render_data.extras(extras),
            "warnings": warnings,
            "trends": every_year.to_json() if every_year else None,
        }
        config, note = _previous_post(config, options, year - 1)
        if note:
            warning(note)
            warnings.append(note)  # the document's list
        post = escape.shown(render_post.post(config, document))
        region = escape.shown(hugo.region(config, current))
        out = options.out_dir
        md_path, json_path, mail_path = out / f"{year}.md", out / f"{year}.json", out / f"{year}.mbox"
        gfm_path = out / f"{year}.gfm.md" if options.gfm else None
        # All of them or none: a YEAR.json without its YEAR.md would be taken for last year's figures.
        written: dict[Path, str | bytes] = {json_path: render_data.dumps(document), md_path: post}
        written[mail_path] = mail.message(config, document)
        write_together(written | ({gfm_path: region} if gfm_path else {}))
        return ReportResult(year, md_path, json_path, region, gfm_path, mail_path)
