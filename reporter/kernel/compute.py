"""What each question needs: path sets from MAINTAINERS at a ref, the walks, then the statistics."""

from __future__ import annotations

import posixpath
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Generic, TypeVar

import git

from reporter.errors import UserError
from reporter.git import walk
from reporter.git.history import History
from reporter.kernel import credits as credit
from reporter.kernel import maintainers, people, stats
from reporter.kernel import series as patch_series
from reporter.kernel.employers import EmployerMap, employer_of, unmapped_domains
from reporter.kernel.ranges import compile_pattern, consecutive, date_or_ref
from reporter.model import (
    AuthorRanking,
    Commit,
    CreditRanking,
    PathSet,
    PathSource,
    Ratio,
    RevRange,
    SectionStats,
    Table,
)
from reporter.progress import warning

TABLE_KINDS = ("community", "commits", "lines")
_MAX_LINKS = 8


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "subsystem"


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Kept(Generic[K, V]):
    """The values last made, kept for the next ask while together they hold at most `most` bytes; one that
    holds more is made again when asked again, so that a history of large MAINTAINERS is never held whole."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.values: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.held = 0  # by the values kept

    def get(self, key: K, make: Callable[[], tuple[V, int]]) -> V:
        """The value of `key`, made by `make` (the value and the bytes it holds) unless kept."""
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key][0]
        value, held = make()
        self.values[key] = (value, held)
        self.held += held
        while self.held > self.most:
            self.held -= self.values.popitem(last=False)[1][1]
        return value

    def clear(self) -> None:
        self.values.clear()
        self.held = 0


# One reader at a time, and one path set made at a time: a report asks from several threads (its tables,
# its authors, last year's), which would otherwise read the same file twice, or two large ones at once.
_READING = threading.RLock()
_KEPT = 32 << 20  # bytes of readings, and of path sets, kept: Linux's MAINTAINERS holds a few MB once read
_READINGS: _Kept[tuple[git.Repo, str], tuple[list[maintainers.Section], frozenset[str]]] = _Kept(_KEPT)
_WARNED: set[tuple[git.Repo, str]] = set()  # a file read again has been warned about once


def _sections_at(repo: git.Repo, commit: str) -> tuple[list[maintainers.Section], frozenset[str]]:
    with _READING:
        return _READINGS.get((repo, commit), lambda: _sections_read(repo, commit))


def _sections_read(repo: git.Repo, commit: str) -> tuple[tuple[list[maintainers.Section], frozenset[str]], int]:
    parsed = maintainers.read_files(_maintainers_texts(repo, commit))
    if (repo, commit) not in _WARNED:
        _WARNED.add((repo, commit))
        for problem in parsed.warnings:
            warning(f"{problem} (at {commit[:12]})")
    return (parsed.sections, frozenset(walk.tree_dirs(repo, commit))), parsed.held


def _maintainers_texts(repo: git.Repo, commit: str) -> Iterator[tuple[str, Iterator[str]]]:
    """(name, lines) of each MAINTAINERS file at `commit`, symlinks followed, streamed from git: only the
    sections parsed from them stay in memory, not their text."""
    links = walk.symlinks(repo, commit)
    sources: list[tuple[str, str, str]] = []  # (the name, the path read, how a link led there)
    for path in _maintainers_paths(repo, commit):
        try:
            resolved, where = _followed(repo, commit, path, links) if path in links else (path, "")
        except UserError as err:
            if path == "MAINTAINERS":
                raise
            warning(f"{err}: skipped")
            continue
        sources.append((path, resolved, where))
    read = walk.blob_lines(repo, commit, [resolved for _, resolved, _ in sources], maintainers.MAX_LINE)
    for (path, _, where), (_, lines) in zip(sources, read, strict=True):
        if lines is not None:
            yield path, lines
            continue
        missing = f"{where}, which the tree does not hold as a file" if where else ""
        if path == "MAINTAINERS":
            raise UserError(missing or f"no MAINTAINERS file at {commit[:12]} in {walk.repo_name(repo)}")
        warning(f"{missing or path + ' is not a file'}: skipped")


def _followed(repo: git.Repo, commit: str, path: str, links: frozenset[str]) -> tuple[str, str]:
    """The path a symlinked MAINTAINERS leads to, followed inside the tree as git stores it (as the script
    would open it in a checkout), and the words that say so; a link out of the tree or in a loop is refused."""
    target = walk.show_file(repo, commit, path) or ""
    where = f"{path} at {commit[:12]} in {walk.repo_name(repo)} is a symlink to {target!r}"
    seen = {path}
    for _ in range(_MAX_LINKS):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise UserError(f"{where}, outside the tree")
        if resolved not in links:
            return resolved, where
        if resolved in seen:
            break
        seen.add(resolved)
        path, target = resolved, walk.show_file(repo, commit, resolved) or ""
    raise UserError(f"{where}, a loop of symlinks")


def _maintainers_paths(repo: git.Repo, commit: str) -> list[str]:
    """MAINTAINERS, and every other file of that name when the tree's `.get_maintainer.conf` tells
    get_maintainer.pl to find them all (U-Boot's does: `--find-maintainer-files --maintainer-path=.`)."""
    conf = (walk.show_file(repo, commit, ".get_maintainer.conf") or "").split()
    if "--find-maintainer-files" not in conf or not {"--maintainer-path=.", "--mpath=."} & set(conf):
        return ["MAINTAINERS"]
    others = sorted(p for p in _files_at(repo, commit) if p.endswith("/MAINTAINERS"))
    return ["MAINTAINERS", *others]


@lru_cache(maxsize=8)
def _files_at(repo: git.Repo, commit: str) -> tuple[str, ...]:
    """Every file at `commit`: read for the other MAINTAINERS files and again for `N:` regexes."""
    return tuple(walk.tree_files(repo, commit))


def section_pathset(repo: git.Repo, ref: str, title: str, label: str | None = None) -> PathSet:
    """The path set of MAINTAINERS section `title` as the file reads at `ref`."""
    found = _section_pathset(repo, walk.resolve(repo, ref), title, label)
    if not any(not spec.startswith(":(exclude") for spec in found.pathspecs or ()):
        raise UserError(f"MAINTAINERS section {found.section!r} selects no paths at {ref}")
    if too_long := [spec for spec in found.pathspecs or () if not walk.fits(spec)]:
        raise UserError(
            f"MAINTAINERS section {found.section!r} has {len(too_long)} paths longer than one git argument"
            f" may be ({walk.ARG_MOST} bytes) at {ref}"
        )
    return found


_PATHSETS: _Kept[tuple[git.Repo, str, str, str | None], PathSet] = _Kept(_KEPT)


def _section_pathset(repo: git.Repo, commit: str, title: str, label: str | None) -> PathSet:
    """Asked again for the same section (a table's maintainers, an author ranking beside the tables): its
    `N:` regexes, matched against every file of a large tree, are matched once."""
    with _READING:
        return _PATHSETS.get((repo, commit, title, label), lambda: _section_pathset_made(repo, commit, title, label))


def _section_pathset_made(repo: git.Repo, commit: str, title: str, label: str | None) -> tuple[PathSet, int]:
    sections, dirs = _sections_at(repo, commit)
    section = maintainers.find(sections, title)
    files = _files_at(repo, commit) if section.regexes else ()
    pathspecs = section.pathspecs(set(dirs), files)
    found = PathSet(
        label=label or _slug(section.name),
        pathspecs=pathspecs,
        section=section.name,
        maintainers=tuple(section.maintainers),
        lists=tuple(address for entry in section.lists if (address := _list_address(entry))),
    )
    return found, sum(sys.getsizeof(spec) + 8 for spec in pathspecs)


def _list_address(entry: str) -> str | None:
    """The address of an `L:` entry (`linux-mm@kvack.org`, or `x@y (moderated for non-subscribers)`); None
    for a web forum's URL."""
    first = entry.split(maxsplit=1)[0] if entry.strip() else ""
    return first if "@" in first and "://" not in first else None


def resolve_spec(repo: git.Repo, spec: str, ref: str) -> PathSet:
    """`[LABEL=]SECTION TITLE` or `[LABEL=]path:P1,P2,...` (raw git pathspecs)."""
    label, eq, rest = spec.partition("=")
    if not eq or not re.fullmatch(r"[\w.+-]+", label):
        label, rest = "", spec
    rest = rest.strip()
    if rest.startswith("path:"):
        paths = tuple(p.strip() for p in rest[5:].split(",") if p.strip())
        if not paths:
            raise UserError(f"subsystem spec {spec!r} names no paths")
        return PathSet(label or _slug(paths[0].rstrip("/").rpartition("/")[2]), paths)
    if not rest:
        raise UserError(f"subsystem spec {spec!r} names no section")
    return section_pathset(repo, ref, rest, label or None)


@dataclass(slots=True)
class TableRequest:
    refs: Sequence[str]
    subsystem: str  # SPEC: [LABEL=]SECTION TITLE or [LABEL=]path:P1,P2
    parent: str
    total_label: str
    maintainers: Sequence[str] = ()
    maintainer_label: str | None = None
    merges: dict[str, bool] = field(default_factory=dict)  # per kind; default: community only
    # Where MAINTAINERS is read: at the last ref ("end"), at each range's own end ("each"), or at a ref.
    maintainers_at: str = "end"


def maintainer_label(people: Sequence[str]) -> str:
    """`sj` for `SeongJae Park <sj@kernel.org>`: the local part of the first maintainer's email."""
    first = people[0]
    local = _bracketed_local_part(first)
    if local is not None:
        return local
    match = re.match(r"([^@\s]+)@", first)
    return match.group(1) if match else _slug(first)


def _bracketed_local_part(text: str) -> str | None:
    """What `<([^@>]+)@` would capture, in one pass: the entry comes from MAINTAINERS, and that regex
    backtracks quadratically over a run of `<`."""
    start = text.find("<")
    while start >= 0:
        end = next((i for i in range(start + 1, len(text)) if text[i] in "@>"), -1)
        if end < 0:
            return None
        if text[end] == "@" and end > start + 1:
            return text[start + 1 : end]
        start = text.find("<", end)
    return None


def maintainers_ref(request: TableRequest) -> str:
    """The one ref the section's maintainers and lists are read at: the ref asked for, else the last ref
    (with "each" too: the rows' path sets change, the people named are those of the year's end)."""
    return request.refs[-1] if request.maintainers_at in ("end", "each") else request.maintainers_at


def maintainers_of(history: History, request: TableRequest) -> list[str]:
    """The request's maintainers, or else the subsystem section's `M:` entries (as MAINTAINERS reads at the
    maintainers ref)."""
    if request.maintainers:
        return list(request.maintainers)
    return list(resolve_spec(history.repo, request.subsystem, maintainers_ref(request)).maintainers)


def lists_of(history: History, request: TableRequest) -> list[str]:
    """The subsystem section's mailing lists as MAINTAINERS reads at the maintainers ref (none for paths)."""
    return list(resolve_spec(history.repo, request.subsystem, maintainers_ref(request)).lists)


def tables(history: History, kinds: Sequence[str], request: TableRequest) -> dict[str, Table]:
    """Every table of `kinds` over the request's refs, from one set of walks (a single range is its own
    total, so it is one row)."""
    refs = list(request.refs)
    rows = consecutive(refs)
    ranges = rows + ([RevRange(refs[0], refs[-1])] if len(refs) > 2 else [])
    lines = "lines" in kinds
    reads = _reads(request)
    # The line counts' walks (the long ones) run while MAINTAINERS is read.
    with history.walking(rows if lines else []):
        read = {at: _pathsets(history, request, ref, kinds) for at, ref in reads.items()}
    if None in read:
        selected = history.commits(ranges, read[None], numstat=lines)
    else:
        selected = {}
        for r in rows:
            selected |= history.commits([r], read[r], numstat=lines)
        for p in read[rows[0]]:  # the total row: the sum of the rows, each over its own path sets
            selected |= {(t, p.label): [c for r in rows for c in selected[(r, p.label)]] for t in ranges[len(rows) :]}
    sub, *_ = pathsets = next(iter(read.values()))  # the labels are the same whichever ref reads them
    sources = _sources(history, reads, read)
    out: dict[str, Table] = {}
    for kind in kinds:
        merges = request.merges.get(kind, kind == "community")
        if kind == "community":
            people = maintainers_of(history, request)
            if not people:
                raise UserError(f"subsystem {sub.label!r} has no M: entries: name one with --maintainer")
            label = request.maintainer_label or maintainer_label(people)
            out[kind] = stats.community_table(selected, ranges, sub, people, label, merges)
        else:
            out[kind] = stats.share_table(kind, selected, ranges, pathsets, merges)
        out[kind].resolved = history.hashes(refs)
        used = {sub.label} if kind == "community" else {p.label for p in pathsets}
        out[kind].sources = [s for s in sources if s.label in used]
        out[kind].maintainers_at = request.maintainers_at
    return out


def _reads(request: TableRequest) -> dict[RevRange | None, str]:
    """Each row's ref to read MAINTAINERS at ("each": its own end), or one ref for all rows (the key None)."""
    if request.maintainers_at == "each":
        return {r: r.end for r in consecutive(request.refs)}
    return {None: maintainers_ref(request)}


def table_sources(history: History, request: TableRequest) -> list[PathSource]:
    """Where the share tables' path sets are read, as `tables` states them, without a walk."""
    reads = _reads(request)
    return _sources(history, reads, {at: _pathsets(history, request, ref, TABLE_KINDS) for at, ref in reads.items()})


def _sources(
    history: History, reads: dict[RevRange | None, str], read: dict[RevRange | None, list[PathSet]]
) -> list[PathSource]:
    return [_source(history, p, reads[at], at) for at, found in read.items() for p in found if not p.whole_repository]


def _pathsets(history: History, request: TableRequest, ref: str, kinds: Sequence[str]) -> list[PathSet]:
    """The subsystem's path set as read at `ref`, and for the share tables its parent's and the whole tree."""
    sub = resolve_spec(history.repo, request.subsystem, ref)
    if not set(kinds) - {"community"}:
        return [sub]
    return [sub, resolve_spec(history.repo, request.parent, ref), PathSet(request.total_label)]


def _source(history: History, pathset: PathSet, ref: str, row: RevRange | None) -> PathSource:
    """Where `pathset` was read (`ref`, for `row` alone or for every row) and how many files it selects there."""
    commit = walk.resolve(history.repo, ref)
    specs = pathset.pathspecs or ()
    files = walk.count_files(history.repo, commit, specs)
    return PathSource(pathset.label, pathset.section, ref, commit, len(specs), files, None if row is None else str(row))


@dataclass(slots=True)
class AuthorsRequest:
    rev_range: RevRange | None = None
    since: int | None = None
    until: int | None = None
    date_kind: str = "committer"
    merges: bool = True
    subsystems: Sequence[str] = ()
    paths: Sequence[str] = ()
    sortby: str = "commits"
    max_authors: int | None = 30
    identity: str = "all"
    exclude: Sequence[str] = ()
    new_since: str | None = None  # a date or a ref: only authors with no commit before it
    people: people.Rules | None = None  # rank persons (folded identities) instead of identities


def authors(history: History, request: AuthorsRequest) -> AuthorRanking:
    """authors.py's ranking: one walk, dates as git compares them (or by author date).

    Commits are diffed only when lines are asked for (`sortby` lines): counting needs no diff, so a ranking
    by commits runs at `git log --format`'s pace and reads no blob. By author date the walk has no date
    bound at all: git can bound a walk by committer date only, and a commit authored inside the dates may
    be committed after them (or, rebased with an odd clock, before), so no committer-date bound is exact.
    """
    lines = request.sortby == "lines"
    commits = selected(history, request, numstat=lines)
    since: str | None = None
    earlier: list[Commit] = []
    if request.new_since:
        earlier, since = _earlier_commits(history, request, request.new_since)
    if request.people is not None:
        # A person is new when none of their identities has an earlier commit: fold over both sides.
        found = persons(history, stats.without(commits, request.exclude), request.people, lines, earlier)
        known = {(c.author_name, c.author_email) for c in earlier}
        found = [p for p in found if not any(i.key in known for i in p.identities)]
        ranking = people.ranking(found, request.sortby, request.max_authors)
    else:
        if request.new_since:
            known_ids = set(stats.identities(earlier, request.identity))
            commits = [
                c
                for c, i in zip(commits, stats.identities(commits, request.identity), strict=True)
                if i not in known_ids
            ]
        ranking = stats.rank_authors(
            commits, request.identity, request.sortby, request.exclude, request.max_authors, lines=lines
        )
    ranking.new_since = since
    ranking.merge_rule = merge_rule(request)
    return ranking


# authors.py skips merges when it ranks by lines; here they stay counted unless --no-merges asks, so that
# the commit counts beside the lines are git's, and each merge adds what `git log --numstat` shows for it.
MERGE_LINES = "merges counted, 0 lines each (git log --numstat shows no diff for a merge)"


def merge_rule(request: AuthorsRequest) -> str | None:
    """What a ranking by lines counts for merges, stated beside its totals (None: no merges, or no lines)."""
    return MERGE_LINES if request.sortby == "lines" and request.merges else None


def _earlier_commits(history: History, request: AuthorsRequest, since: str) -> tuple[list[Commit], str]:
    """The commits to the request's paths before `since`: a date (as `--since` reads it: commits of the
    range's end dated before it, those that git's `--since` with the same moment leaves out), a ref
    (commits it reaches) or a range `A..B` (its commits: a window that any clone holding it answers alike);
    and `since` as the ranking states it, with how far a shallow clone's history reaches where that
    matters."""
    end = (request.rev_range or RevRange("", "HEAD")).end
    options = [] if request.merges else ["--no-merges"]
    given = date_or_ref(since)
    moment = given if isinstance(given, int) else None
    if moment is not None and request.date_kind == "committer":
        options.append(f"--until={walk.git_date(moment - 1)}")
    window = walk.parse_range(since) if moment is None else RevRange("", end)
    commits = history.log(history.resolve(window), _pathspecs(history, request), options, numstat=False)
    if moment is not None and request.date_kind == "author":
        commits = [c for c in commits if c.author_time < moment]
    reach = None if window.start else walk.history_start(history.repo)
    stated = since if reach is None else f"{since} (the shallow clone's history starts {reach})"
    return commits, stated


def persons(
    history: History,
    commits: Iterable[Commit],
    rules: people.Rules,
    lines: bool = False,
    earlier: Iterable[Commit] = (),
) -> list[people.Person]:
    """The persons behind the authors of `commits`: identities folded by the rules and the repository's
    .mailmap (as `git check-mailmap` reads it); line counts only when the commits carry their diffs. The
    authors of `earlier` commits join the fold with nothing counted (so a newcomer check sees them)."""
    found = people.identities(commits, lines)
    seen = {i.key for i in found}
    for key in dict.fromkeys((c.author_name, c.author_email) for c in earlier):
        if key not in seen:
            found.append(people.Identity(*key, 0, 0 if lines else None))
    return people.fold(found, rules, walk.check_mailmap(history.repo, [str(i) for i in found]))


def employers(
    history: History, request: AuthorsRequest, emap: EmployerMap
) -> tuple[AuthorRanking, list[tuple[str, int]]]:
    """Employers ranked as `authors` ranks authors, and the domains the map should name first."""
    lines = request.sortby == "lines"
    commits = selected(history, request, numstat=lines)
    ranking = stats.rank_authors(
        commits, sortby=request.sortby, limit=request.max_authors, lines=lines, group=lambda c: employer_of(emap, c)
    )
    ranking.merge_rule = merge_rule(request)
    return ranking, unmapped_domains(emap, commits)


def credits(history: History, request: AuthorsRequest, keys: Sequence[str]) -> list[CreditRanking]:
    """Per trailer key, the identities (or persons, with `request.people`) credited by the commits `authors`
    would count (as shortlog counts)."""
    return reviews(history, request, keys)[0]


def reviews(history: History, request: AuthorsRequest, keys: Sequence[str]) -> tuple[list[CreditRanking], Ratio]:
    """`credits`, and the share of the commits reviewed (credit.REVIEW_KEYS) by someone other than the author."""
    commits = selected(history, request, numstat=False, trailers=True)
    found = [c.trailers for c in commits]
    wanted = history.mailmap or request.people is not None  # persons fold by .mailmap, as authors' do
    mailmap = walk.check_mailmap(history.repo, credit.contacts(found, [*keys, *credit.REVIEW_KEYS])) if wanted else {}
    mapped = mailmap if history.mailmap else {}
    credited = credit.credits_of(found, keys, mapped)
    person = credit.persons_of(credited, request.people, mailmap) if request.people is not None else None
    reviewed = credit.reviewed_by_others(commits, credit.REVIEW_KEYS, mapped)
    return credit.rank(credited, keys, person, request.max_authors), reviewed


def selected(history: History, request: AuthorsRequest, numstat: bool, trailers: bool = False) -> list[Commit]:
    """The commits of the request's range, dates, merges and paths, from one walk."""
    rev_range = request.rev_range or RevRange("", "HEAD")
    options = _date_options(request)
    if not request.merges:
        options.append("--no-merges")
    pathspecs = _pathspecs(history, request)
    rev = history.resolve(rev_range)
    if not request.new_since:  # a ranking of newcomers states how far a shallow clone reaches instead
        history.require_complete(rev, request.since)
    commits = history.log(rev, pathspecs, options, numstat=numstat, trailers=trailers)
    # A reversed range holds no commit, so only an empty one is asked about: git answers by walking every
    # commit between the two ends, as long as the walk itself.
    if not commits and rev.start and rev.start != rev.end and history.contains(rev.end, rev.start):
        raise UserError(
            f"the range {rev_range} is reversed: {rev_range.end} is an ancestor of {rev_range.start}, so it holds "
            f"no commit (the other way round: {rev_range.end}..{rev_range.start})"
        )
    if request.date_kind == "author":
        commits = [c for c in commits if _within(c.author_time, request.since, request.until)]
    return commits


def _pathspecs(history: History, request: AuthorsRequest) -> list[str] | None:
    """The request's paths and those of its sections (as MAINTAINERS reads at the range's end)."""
    pathspecs = list(request.paths)
    for found in _sections(history, request)[1]:
        pathspecs += found.pathspecs or ()
    return pathspecs or None


def _sections(history: History, request: AuthorsRequest) -> tuple[str, list[PathSet]]:
    """The ref MAINTAINERS is read at for a ranking (the range's end), and its sections' path sets there,
    each labelled with the title as given."""
    end = (request.rev_range or RevRange("", "HEAD")).end
    return end, [replace(section_pathset(history.repo, end, title), label=title) for title in request.subsystems]


def section_sources(history: History, request: AuthorsRequest) -> list[PathSource]:
    """Where a ranking's MAINTAINERS sections were read, with their pathspecs and the files they select there."""
    end, found = _sections(history, request)
    return [_source(history, pathset, end, None) for pathset in found]


def _date_options(request: AuthorsRequest) -> list[str]:
    if request.date_kind == "author":
        return []  # see authors(): filtered by author date after an unbounded walk
    options = []
    if request.since is not None and request.since > 0:  # before 1970: every commit
        options.append(f"--since={walk.git_date(request.since)}")
    if request.until is not None:
        options.append(f"--until={walk.git_date(request.until)}")
    return options


def _within(moment: int, since: int | None, until: int | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment <= until)


def subsystems(history: History, refs: Sequence[str]) -> tuple[list[SectionStats], int]:
    """Every MAINTAINERS section (as the file reads at the last ref) over `first..last`, from the one
    whole-repository walk the per-release tables share, with the pathspecs `table` uses (`N:` resolved
    against the tree at the last ref); and how many sections the file has."""
    ranges = consecutive(refs) + [RevRange(refs[0], refs[-1])]
    whole = PathSet("all")
    selected = history.commits(ranges, [whole], numstat=True, files=True)
    commits = selected[(ranges[-1], whole.label)]
    commit = walk.resolve(history.repo, refs[-1])
    sections, dirs = _sections_at(history.repo, commit)
    index = maintainers.SectionIndex(sections, dirs, frozenset(_files_at(history.repo, commit)))
    blobs = walk.blobs_at(history.repo, sorted(stats.crossing_renames(commits, index)))
    whole_lines = {key: stats.count_lines(content) for key, content in blobs.items()}
    return stats.section_stats(commits, index, whole_lines), len(sections)


def series(
    history: History, ranges: Sequence[RevRange], request: AuthorsRequest, tag_pattern: str
) -> list[list[patch_series.Series]]:
    """The patch series of each range's commits to the request's paths (merges left out, as the tables'
    commit counts leave them), each with its first tag of `tag_pattern` (see `series.find`)."""
    selections = [
        selected(history, replace(request, rev_range=r, merges=False), numstat=True, trailers=True) for r in ranges
    ]
    pathspecs = _pathspecs(history, replace(request, rev_range=ranges[-1]))
    pattern = compile_pattern(tag_pattern, "tag pattern")
    tags = sorted((t for t in walk.tags(history.repo) if pattern.search(t.name)), key=lambda t: t.date)
    return patch_series.find(history, ranges, selections, pathspecs, tags)
