"""The commits of revision ranges within path sets: parallel git walks, answered from the cache when it can.

The whole repository needs no simplification: ranges the cache knows nothing of are walked by git with
their diffs, consecutive ones as one walk split by the parents; the others are listed with one `rev-list`
per range, and only the commits the cache does not hold are diffed. A path-limited set asked for beside the whole
repository is replayed from those same diffs (simplify.py): each commit is diffed once per run, and a
section of hundreds of pathspecs costs no walk of its own. Where the replay cannot be sure to match git
(see simplify.py and `_replayable`), git's own path-limited walk over exactly that range answers.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar

import git

from reporter.errors import UserError
from reporter.git import walk
from reporter.git.cache import Cache, walk_row
from reporter.git.replay import RENAME_LIMIT, Replay
from reporter.model import Commit, PathSet, RevRange
from reporter.progress import Progress, warning

Selected = dict[tuple[RevRange, str], list[Commit]]
T = TypeVar("T")
# Configuration under which a commit's whole diff does not tell what a path-limited `git log` sees:
# copies name unchanged sources, ignored submodules hide changes the pruning sees, log.follow follows renames.
_UNREPLAYABLE = {"diff.renames": ("copies", "copy"), "diff.ignoresubmodules": None, "log.follow": None}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A range with its ends resolved to commit hashes (start empty: everything reachable from end)."""

    start: str
    end: str
    # Shallow boundary commits: outside every range once repos.complete has checked it (or
    # History.require_complete refused it), excluded by name so that none is ever diffed.
    exclude: tuple[str, ...] = ()

    def revisions(self) -> list[str]:
        return [self.end, "^" + self.start, *("^" + h for h in self.exclude)] if self.start else [self.end]


class History:
    """Answers `commits(ranges, pathsets)` for one repository, each (range, path set) walked once."""

    def __init__(
        self,
        repo: git.Repo,
        cache: Cache | None = None,
        jobs: int | None = None,
        progress: Progress | None = None,
        mailmap: bool = False,
    ) -> None:
        self.repo = repo
        if cache is not None and (rewritten := walk.rewritten(repo)) is not None:
            # The cache keeps each commit (its parents, its diff) by hash: that is no longer what git shows.
            warning(f"{walk.repo_name(repo)} has {rewritten}: its walks are not cached")
            cache = None
        self.cache = cache
        self.jobs = jobs or os.cpu_count() or 1
        self.progress = progress
        self.mailmap = mailmap
        self._hashes: dict[str, str] = {}
        self._ancestry: dict[tuple[str, str], bool] = {}
        # Whole-repository walks with diffs run here, `jobs` at a time, in the order they were asked for.
        self._walkers = ThreadPoolExecutor(max_workers=self.jobs)
        self._writer = ThreadPoolExecutor(max_workers=1)  # cache writes, in the order they come
        self._walk_writes: dict[str, Future[None]] = {}  # walks being kept, by key
        # A walk under way for each range it answers (one walk answers a chain of ranges, split by range).
        self._walking: dict[Resolved, Future[dict[Resolved, list[Commit]]]] = {}
        self._prefetch: list[Resolved] = []
        self._live: set[Resolved] = set()  # walks started ahead of `commits()` and shown as they go
        self._stop = threading.Event()
        self._batches = 0
        self._batches_lock = threading.Lock()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the cache writes asked for so far (the cache is written beside what follows a walk: a
        ranking, its output), so that the next run finds them."""
        self._writer.submit(lambda: None).result()  # the writer takes them in order

    def resolve(self, rev_range: RevRange) -> Resolved:
        if not rev_range.start:
            return Resolved("", self.hashes([rev_range.end])[rev_range.end])
        hashes = self.hashes([rev_range.start, rev_range.end])
        shallow = tuple(walk.shallow_boundary(self.repo))  # read each time: a fetch may have deepened it
        return Resolved(hashes[rev_range.start], hashes[rev_range.end], shallow)

    def require_complete(self, rev: Resolved, since: int | None = None) -> None:
        """Stop when a shallow clone lacks history that `rev` needs (commits of the range, or of its end
        committed since `since`, whose parents the clone does not hold): git would count such a commit's
        whole tree as added, and miss everything before it."""
        window = [f"--since={walk.git_date(since)}"] if since is not None and not rev.start else []
        cut = walk.shallow_cut(self.repo, rev.end, rev.start, window)
        if cut is not None:
            what = f"{rev.start[:12]}..{rev.end[:12]}" if rev.start else f"the history of {rev.end[:12]}"
            raise UserError(
                f"{walk.repo_name(self.repo)} is a shallow clone and {what} reaches past its start (commit "
                f"{cut[:12]} has no parents there): {walk.UNSHALLOW}"
            )

    def hashes(self, refs: Sequence[str]) -> dict[str, str]:
        """{ref: the commit hash it resolves to}, those not known yet asked of git together."""
        if missing := [ref for ref in dict.fromkeys(refs) if ref not in self._hashes]:
            self._hashes.update(walk.resolve_all(self.repo, missing))
        return {ref: self._hashes[ref] for ref in refs}

    def _resolve_all(self, ranges: Sequence[RevRange]) -> list[Resolved]:
        self.hashes([ref for r in ranges for ref in (r.start, r.end) if ref])
        return [self.resolve(r) for r in ranges]

    def commits(
        self,
        ranges: Sequence[RevRange],
        pathsets: Sequence[PathSet],
        numstat: bool = True,
        files: bool = False,
    ) -> dict[tuple[RevRange, str], list[Commit]]:
        """{(range, path set label): commits, newest first}, for every range in every path set.

        A whole-repository range that a linear chain of the other ranges covers is their union, so the
        expensive unlimited walk never runs twice over the same commits. With `files`, whole-repository
        commits carry their changed files.
        """
        with self._batch():
            return self._select(ranges, pathsets, numstat, files)

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        """One piece of work shown in the progress; the last of those under way (a walk may run beside the
        tables' walks, from another thread) closes it."""
        with self._batches_lock:
            self._batches += 1
        try:
            yield
        finally:
            with self._batches_lock:
                self._batches -= 1
                last = self._batches == 0
            if last and self.progress:
                self.progress.close()

    def _select(self, ranges: Sequence[RevRange], pathsets: Sequence[PathSet], numstat: bool, files: bool) -> Selected:
        for rev in self._resolve_all(ranges):
            self.require_complete(rev)
        wholes = [p for p in pathsets if p.whole_repository]
        chains = {r: chain for r in ranges if wholes and (chain := self._chain(r, ranges))}
        replayed = self._replayed(ranges, pathsets) if numstat and wholes and self._replayable() else None
        jobs = {
            (r, p.label): (self.resolve(r), p)
            for r in ranges
            for p in pathsets
            if not (p.whole_repository and r in chains) and (replayed is None or p.whole_repository)
        }
        replay = replayed is not None and len(replayed) < len(ranges) * (len(pathsets) - len(wholes))
        keep = files or replay  # the replay reads each commit's files
        by_commit = [k for k in jobs if jobs[k][1].whole_repository and self._by_commit(None, numstat, keep, False)]
        walks = [k for k in jobs if k not in by_commit]
        # Every git walk's size up front, so that the progress has its total (and time left) from the start.
        sizes = {k: self._expect(jobs[k][0], ()) for k in walks} if self.progress and self.progress.enabled else {}
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {
                k: pool.submit(self.log, jobs[k][0], jobs[k][1].pathspecs, (), numstat, files, expected=sizes.get(k))
                for k in walks
            }
            found = self._wholes([jobs[k][0] for k in by_commit], keep) if by_commit else {}
            result = {k: found[jobs[k][0]] for k in by_commit} | {k: f.result() for k, f in futures.items()}
            # Known now from the walks' own boundaries (or asked of git): walk a chain's range that is
            # not a partition of it.
            totals = {
                (r, p.label): pool.submit(self.log, self.resolve(r), None, (), numstat, files)
                for r, chain in chains.items()
                if not self._linear(chain)
                for p in wholes
            }
            result |= {k: f.result() for k, f in totals.items()}
        for whole, chain in chains.items():
            for p in wholes:
                if (whole, p.label) not in result:
                    result[(whole, p.label)] = [c for r in reversed(chain) for c in result[(r, p.label)]]
        if replayed is not None:
            result |= replayed
            missing = [
                p for p in pathsets if not p.whole_repository and any((r, p.label) not in result for r in ranges)
            ]
            if missing:
                result |= self._replay(ranges, missing, result, wholes[0].label)
        return result

    def _config(self, name: str) -> str | None:
        """A setting's value as `git config --get NAME` reads it (a name without a subsection)."""
        return self._settings.get(name.lower())

    @functools.cached_property
    def _settings(self) -> dict[str, str]:
        """Every setting, read by one git process: as `--list` writes them, sections and keys in lower case,
        the last value of a name winning as it does for `--get`."""
        try:
            listed: str = self.repo.git.config("-z", "--list")
        except git.GitCommandError:
            return {}
        return {name: value.strip() for name, _, value in (e.partition("\n") for e in listed.split("\0") if e)}

    def kept(self, asked: list[object], answer: Callable[[], T], read: Callable[[object], T | None]) -> T:
        """`answer()` (a JSON value), kept in the cache under what determines it (`asked`: commit hashes and
        object names, which never change), and read back while that is the same; `read` checks what the cache
        holds (None: it does not read as an answer, which is asked again)."""
        if self.cache is None:
            return answer()
        key = hashlib.sha256(json.dumps(asked).encode()).hexdigest()
        stored = self.cache.answer(key)
        if stored is not None and (found := read(stored)) is not None:
            return found
        found = answer()
        self.cache.add_answer(key, found)
        return found

    def first_tags(self, hashes: Sequence[str], tags: Sequence[walk.Tag]) -> dict[str, str]:
        """`walk.first_tags` of the commits among the tags, kept in the cache: the answer depends only on the
        commits (a hash fixes its ancestry), the tags' objects (a tag object fixes its target and date, a
        lightweight tag's commit its date) and how far a shallow clone reaches."""
        names = [t.name for t in tags]
        if not hashes or any(not t.oid for t in tags):
            return walk.first_tags(self.repo, hashes, names)
        boundary = sorted(walk.shallow_boundary(self.repo))
        asked: list[object] = ["first_tags", sorted(hashes), sorted([t.name, t.oid] for t in tags), boundary]

        def read(stored: object) -> dict[str, str] | None:
            if not isinstance(stored, dict) or not set(stored) <= set(hashes) or not set(stored.values()) <= set(names):
                return None
            return {str(commit): str(tag) for commit, tag in stored.items()}

        return self.kept(asked, lambda: walk.first_tags(self.repo, hashes, names), read)

    def _replayable(self) -> bool:
        """Whether a commit's whole diff (cached by hash) tells what a path-limited `git log` sees."""
        if self.cache is None or self.mailmap:  # the per-commit cache holds %an, not .mailmap's names
            return False
        for name, bad in _UNREPLAYABLE.items():
            value = self._config(name)
            if value is not None and (bad is None or value.lower() in bad):
                return False
        return True

    def _replay_key(self, r: RevRange, p: PathSet) -> str:
        return json.dumps([self.resolve(r).revisions(), p.pathspecs, [], True, self.mailmap, "replayed"])

    def _replayed(self, ranges: Sequence[RevRange], pathsets: Sequence[PathSet]) -> Selected:
        """The replays an earlier run kept (in the whole range's order, which tables do not depend on)."""
        assert self.cache is not None
        found: Selected = {}
        for r in ranges:
            for p in pathsets:
                if not p.whole_repository and (cached := self._stored(self._replay_key(r, p))) is not None:
                    found[(r, p.label)] = cached
        return found

    def _replay(
        self, ranges: Sequence[RevRange], pathsets: Sequence[PathSet], result: Selected, whole: str
    ) -> Selected:
        """Each path set in each range, as `git log --numstat RANGE -- PATHSPECS` lists it, replayed from the
        whole-repository records in `result` (with files); git walks the few that the replay cannot decide."""
        assert self.cache is not None
        limit = self._config("diff.renameLimit")
        records = [c for r in ranges for c in result[(r, whole)]]
        replay = Replay(self.repo, records, pathsets, int(limit) if limit else RENAME_LIMIT, self.jobs)
        out: Selected = {}
        revs = {r: self.resolve(r) for r in ranges}
        in_range = {r: {c.hash for c in result[(r, whole)]} for r in ranges}
        for p in pathsets:
            lines = replay.lines[p.label]
            for r, rev in revs.items():
                shown = replay.shown(p, rev.end, in_range[r], {rev.start, *rev.exclude} - {""})
                if shown is None:
                    out[(r, p.label)] = self.log(rev, p.pathspecs, (), True, False)
                    continue
                out[(r, p.label)] = replay.commits(result[(r, whole)], shown, lines)
                self._store(self._replay_key(r, p), out[(r, p.label)])
        return out

    @staticmethod
    def _chain(target: RevRange, ranges: Sequence[RevRange]) -> list[RevRange] | None:
        """The other ranges, if they run end to end from target's start to its end."""
        chain = [r for r in ranges if r != target]
        if not chain or not target.start or (chain[0].start, chain[-1].end) != (target.start, target.end):
            return None
        if any(a.end != b.start for a, b in itertools.pairwise(chain)):
            return None
        return chain

    def _linear(self, chain: Sequence[RevRange]) -> bool:
        """Whether each range's end contains its start, so that the ranges partition the whole."""
        return all(self._contains(self.resolve(r)) for r in chain)

    def contains(self, older: str, newer: str) -> bool:
        """Whether commit `older` is an ancestor of commit `newer`: free once a walk of the range has run."""
        return self._contains(Resolved(older, newer))

    def _contains(self, rev: Resolved) -> bool:
        """Whether rev.end contains rev.start: from this run's walks, the cache, or else git."""
        pair = (rev.start, rev.end)
        if pair not in self._ancestry:
            known = self.cache.ancestry(*pair) if self.cache else None
            self._remember(pair, walk.is_ancestor(self.repo, *pair) if known is None else known)
        return self._ancestry[pair]

    def _remember(self, pair: tuple[str, str], contained: bool) -> None:
        self._ancestry[pair] = contained
        if self.cache:
            self.cache.add_ancestry(*pair, contained)

    def log(
        self,
        rev: Resolved,
        pathspecs: Sequence[str] | None = None,
        options: Sequence[str] = (),
        numstat: bool = True,
        files: bool = False,
        trailers: bool = False,
        expected: int | None = None,
    ) -> list[Commit]:
        """`git log OPTIONS RANGE -- PATHSPECS` as records, from the cache when it has the answer.

        Without `numstat`, line counts may be zero: counting commits needs no diff, and is much faster.
        Changed files come with whole-repository walks asked for `files`; cached walks keep none.
        With `trailers`, each commit carries its message's trailers. `expected` is the walk's size when
        `commits()` has already added it to the progress total; a walk on its own adds and closes its own.
        """
        with self._batch() if expected is None else contextlib.nullcontext():
            counter = self._counter()
            if counter and expected is None and not self._by_commit(pathspecs, numstat, files, trailers):
                expected = self._expect(rev, options)
            return self._log(rev, pathspecs, options, numstat, files, trailers, counter, expected or 0)

    def _expect(self, rev: Resolved, options: Sequence[str]) -> int:
        """The commits a walk of `rev` examines, added to the progress total."""
        size = walk.count(self.repo, [*options, *rev.revisions()])
        if self.progress:
            self.progress.add_total(size)
        return size

    def _log(
        self,
        rev: Resolved,
        pathspecs: Sequence[str] | None,
        options: Sequence[str],
        numstat: bool,
        files: bool,
        trailers: bool,
        counter: walk.Progress | None,
        expected: int,
    ) -> list[Commit]:
        if self._by_commit(pathspecs, numstat, files, trailers):
            return self._wholes([rev], files, options)[rev]
        key = self._key(rev, pathspecs, options, numstat, trailers)
        cached = self._cached(rev, pathspecs, options, numstat, trailers) if self.cache and not files else None
        if cached is not None:
            if counter:
                counter(expected)
            return cached
        # A path-limited walk prints only the commits that touch the paths, but examines the whole range:
        # its progress is the range, reached when it ends.
        live = counter if pathspecs is None else None
        # The cache's rows are made as the commits come, while git is still writing: not after it has finished.
        rows: list[bytes] = []
        found = walk.log(
            self.repo,
            rev.revisions(),
            pathspecs,
            numstat=numstat or files,
            files=files,
            mailmap=self.mailmap,
            trailers=trailers,
            options=options,
            progress=live,
            rows=rows if self.cache else None,
        )
        commits = list(found)
        if counter:
            counter(expected)
        if self.cache:
            self._store(json.dumps(key), commits, rows)
        return commits

    def _key(
        self, rev: Resolved, pathspecs: Sequence[str] | None, options: Sequence[str], numstat: bool, trailers: bool
    ) -> list[object]:
        # Walks with trailers are keyed apart (and earlier keys unchanged): only they hold trailers.
        key: list[object] = [rev.revisions(), pathspecs, list(options), numstat, self.mailmap]
        key += ["trailers"] if trailers else []
        # A walk to the root of a shallow clone sees only what the clone holds: keyed by how far it reaches,
        # so that it answers neither a complete clone of the same commits nor the clone once deepened.
        return key + (["shallow", *sorted(walk.shallow_boundary(self.repo))] if not rev.start else [])

    def _whole_key(self, rev: Resolved, options: Sequence[str]) -> str:
        """The cache's key of a whole-repository walk with diffs."""
        return json.dumps(self._key(rev, None, options, True, False))

    def _cached(
        self, rev: Resolved, pathspecs: Sequence[str] | None, options: Sequence[str], numstat: bool, trailers: bool
    ) -> list[Commit] | None:
        """A walk an earlier run kept; one with line counts, or with trailers, answers a question without them
        too (its extra fields are never read there)."""
        assert self.cache is not None
        for with_numstat, with_trailers in itertools.product(
            [True] if numstat else [True, False], [True] if trailers else [False, True]
        ):
            key = self._key(rev, pathspecs, options, with_numstat, with_trailers)
            if (cached := self._stored(json.dumps(key))) is not None:
                return cached
        return None

    def _store(self, key: str, commits: Sequence[Commit], rows: Sequence[bytes] | None = None) -> None:
        """Keep a walk in the cache, by the writer thread: the caller goes on with the commits meanwhile."""
        assert self.cache is not None
        self._walk_writes[key] = self._writer.submit(self.cache.add_walk, key, commits, rows)

    def _stored(self, key: str) -> list[Commit] | None:
        """A walk the cache keeps, once it is written if this History is writing it."""
        assert self.cache is not None
        self._written(key)
        return self.cache.walk(key)

    def _written(self, key: str) -> None:
        """Wait for the walk this History is writing under `key`, if any."""
        if (writing := self._walk_writes.get(key)) is not None:
            writing.result()

    def _by_commit(self, pathspecs: Sequence[str] | None, numstat: bool, files: bool, trailers: bool) -> bool:
        """Whether the walk is of the whole repository, with diffs, and answered commit by commit (_wholes)."""
        return pathspecs is None and self.cache is not None and not self.mailmap and not trailers and (numstat or files)

    def _wholes(
        self, revs: Sequence[Resolved], files: bool, options: Sequence[str] = ()
    ) -> dict[Resolved, list[Commit]]:
        """Whole-repository walks of `revs` with their diffs, each commit diffed once ever.

        A walk an earlier run kept answers when no files are asked for. Ranges the cache knows nothing of
        (neither end is a commit it holds), when there are enough of them to keep every job busy, are walked
        by git side by side, with their diffs, consecutive ranges as one walk per job (`chains`,
        `split_chain`): nothing to look up, so nothing to list first. The others are
        listed by rev-list (`options` are git log's commit limits, dates or --no-merges, which rev-list
        applies alike); the commits of all of them that the cache lacks are then split in as many slices as
        there are jobs and diffed side by side, so that no range walked last leaves a core idle.
        """
        assert self.cache is not None
        ahead = {rev: self._walking.pop(rev) for rev in revs if not options and rev in self._walking}
        found = {
            rev: cached
            for rev in revs
            if rev not in ahead and not files and (cached := self._cached(rev, None, options, True, False)) is not None
        }
        todo = [rev for rev in revs if rev not in found]
        walking = ahead | self._start_walks([rev for rev in todo if rev not in ahead], options)
        rest = [rev for rev in todo if rev not in walking]
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            lists = pool.map(lambda rev: walk.rev_list(self.repo, [*options, *rev.revisions()]), rest)
            listed = dict(zip(rest, lists, strict=True))
        walked = {rev: future.result()[rev] for rev, future in walking.items()}
        for rev in walked:  # what a call has walked is in the cache when it returns
            self._written(self._whole_key(rev, options))
        self._count_done(len(walked[rev]) for rev in ahead if rev not in self._live)
        for rev, commits in walked.items():
            listed[rev] = ([c.hash for c in commits], {p for c in commits for p in c.parents})
        for rev, (_, boundary) in listed.items():
            if rev.start and not options:
                # The start is a boundary commit exactly when the end contains it (and the range is not empty).
                self._remember((rev.start, rev.end), rev.start == rev.end or rev.start in boundary)
        known = self._diffs(list(dict.fromkeys(h for rev in rest for h in listed[rev][0])))
        for rev in rest:
            found[rev] = [known[h] for h in listed[rev][0]]
            self._store(self._whole_key(rev, options), found[rev])
        return found | walked

    def _start_walks(
        self, revs: Sequence[Resolved], options: Sequence[str]
    ) -> dict[Resolved, Future[dict[Resolved, list[Commit]]]]:
        """Git walks (with diffs) of the ranges the cache knows nothing of, when they are enough to keep every
        job busy; then, behind them, the prefetched ranges the cache knows nothing of either."""
        assert self.cache is not None
        queued, self._prefetch = self._prefetch, []
        held = self.cache.held([h for rev in [*revs, *queued] for h in (rev.start, rev.end) if h])
        cold = [rev for rev in revs if not {rev.start, rev.end} & held]
        started = self._submit(cold, options, True, self.jobs) if len(cold) >= self.jobs else {}
        later = [r for r in queued if r not in started and r not in self._walking and not {r.start, r.end} & held]
        self._walking.update(self._submit(later, (), False, 1))  # they start as jobs come free
        return started

    @contextlib.contextmanager
    def walking(self, ranges: Sequence[RevRange]) -> Iterator[None]:
        """Start the whole-repository walks (with diffs) of `ranges` that the cache knows nothing of, so that
        they run while the caller reads what else `commits()` will need (MAINTAINERS, for a section of
        thousands of files); when the block fails, they are stopped (git killed), not waited for."""
        if ranges and self._by_commit(None, True, False, False):
            revs = self._resolve_all(ranges)
            for rev in revs:
                self.require_complete(rev)
            started = self._start_walks([rev for rev in revs if rev not in self._walking], ())
            self._live.update(started)
            self._walking.update(started)
        try:
            yield
        except BaseException:
            self._stop.set()
            ahead = list(self._walking.values())
            for future in ahead:
                future.cancel()
            wait(ahead)  # each ends at its next commit; then this History walks again when asked
            self._walking.clear()
            self._live.clear()
            self._stop.clear()
            raise

    def prefetch(self, ranges: Sequence[RevRange]) -> None:
        """Walk the whole-repository `ranges`, with their diffs, behind the next walks this History runs (on
        the jobs those leave free), so that a later `commits()` over them finds them walked or under way."""
        self._prefetch = self._resolve_all(ranges)

    def _submit(
        self, revs: Sequence[Resolved], options: Sequence[str], shown: bool, walks: int
    ) -> dict[Resolved, Future[dict[Resolved, list[Commit]]]]:
        """The walk of each range, the ranges walked as chains (`chains`) of at least `walks` walks. A walk
        limited by `options` (dates, --no-merges) is not split: the parents it shows are not all the history."""
        futures: dict[Resolved, Future[dict[Resolved, list[Commit]]]] = {}
        for chain in chains(revs, walks) if not options else [[rev] for rev in revs]:
            whole = self._walkers.submit(self._walk_chain, chain, options, shown)
            futures |= dict.fromkeys(chain, whole)
        return futures

    def _walk_chain(
        self, chain: Sequence[Resolved], options: Sequence[str], shown: bool
    ) -> dict[Resolved, list[Commit]]:
        """`git log --numstat` of a chain of ranges as one walk, with every commit's files, split into its
        ranges (`split_chain`; each range walked on its own where the walk shows the chain is not linear),
        then kept in the cache. `shown` in the progress; a walk ahead of its question counts once taken."""
        span = Resolved(chain[0].start, chain[-1].end, chain[0].exclude)
        if shown and self.progress and self.progress.enabled:
            self._expect(span, options)
        commits = self._walk_files(span, options, self._counter() if shown else None)
        parts = {span: commits} if len(chain) == 1 else split_chain(commits, chain)
        if parts is None:
            parts = {r: self._walk_files(r, options, None) for r in chain}
        # Kept by a thread of its own, while the walks go on, rather than once all have ended.
        keys = {rev: self._whole_key(rev, options) for rev in parts}
        kept = self._writer.submit(self._keep, parts, keys)
        self._walk_writes.update(dict.fromkeys(keys.values(), kept))
        return parts

    def _walk_files(self, rev: Resolved, options: Sequence[str], counter: walk.Progress | None) -> list[Commit]:
        """`git log --numstat` of `rev` with every commit's files, ended (git killed) once `walking` stops it."""
        commits = []
        for commit in walk.log(self.repo, rev.revisions(), files=True, options=options, progress=counter):
            if self._stop.is_set():  # leaving the walk ends git
                raise _Stopped
            commits.append(commit)
        return commits

    def _keep(self, parts: dict[Resolved, list[Commit]], keys: dict[Resolved, str]) -> None:
        assert self.cache is not None
        rows = {rev: [walk_row(c) for c in commits] for rev, commits in parts.items()}
        self.cache.add_commits(
            [c for commits in parts.values() for c in commits], [r for rs in rows.values() for r in rs]
        )
        for rev, commits in parts.items():
            self.cache.add_walk(keys[rev], commits, rows[rev])

    def _count_done(self, sizes: Iterable[int]) -> None:
        """Walks done out of sight, added to the progress as done at once."""
        if self.progress and self.progress.enabled:
            for size in sizes:
                self.progress.add_total(size)
                self.progress.update(size)

    def _diffs(self, hashes: Sequence[str]) -> dict[str, Commit]:
        """{hash: the commit with its own diff}: from the cache, and from `jobs` git processes for the rest."""
        assert self.cache is not None
        if self.progress:
            self.progress.add_total(len(hashes))
        known = self.cache.commits(hashes)
        missing = [h for h in hashes if h not in known]
        if (counter := self._counter()) is not None:
            counter(len(hashes) - len(missing))
        if missing:
            size = -(-len(missing) // self.jobs)
            slices = [missing[i : i + size] for i in range(0, len(missing), size)]
            with ThreadPoolExecutor(max_workers=len(slices)) as pool:
                parts = pool.map(lambda part: list(walk.log_commits(self.repo, part, True, self._counter())), slices)
                fresh = [commit for part in parts for commit in part]
            self.cache.add_commits(fresh)
            known.update((c.hash, c) for c in fresh)
        return known

    def _counter(self) -> walk.Progress | None:
        return self.progress.counter() if self.progress else None


class _Stopped(Exception):
    """A walk ended by `History.walking` (its result is never read)."""


def chains(revs: Sequence[Resolved], walks: int) -> list[list[Resolved]]:
    """The ranges as runs of consecutive ones that each start where the previous one ends (one walk each,
    so that git warms its caches once per run, not once per range), the longest cut in halves until there
    are `walks` of them (one per job) or every run is one range."""
    runs: list[list[Resolved]] = []
    for rev in revs:
        last = runs[-1][-1] if runs else None
        if last is not None and rev.start and rev.start == last.end and rev.exclude == last.exclude:
            runs[-1].append(rev)
        else:
            runs.append([rev])
    while len(runs) < walks and any(len(run) > 1 for run in runs):
        longest = max(range(len(runs)), key=lambda i: len(runs[i]))
        run = runs[longest]
        runs[longest : longest + 1] = [run[: (len(run) + 1) // 2], run[(len(run) + 1) // 2 :]]
    return runs


def split_chain(commits: Sequence[Commit], chain: Sequence[Resolved]) -> dict[Resolved, list[Commit]] | None:
    """Each range of a chain (A0..A1, A1..A2, ... Ak-1..Ak) out of one walk of A0..Ak, or None unless the walk
    shows the chain linear (each Ai-1 an ancestor of Ai).

    Then range i is exactly the walk's commits that Ai reaches less those Ai-1 reaches: a commit Ai reaches
    and Ai-1 does not is reached along commits that Ai-1 does not reach either, so a search from Ai through
    the walk's own parents, stopping at what Ai-1 reaches, finds all of them; and Ai-1 is an ancestor of Ai
    exactly when it is a parent of one of them (that commit's child on the path down to Ai-1). Each range
    keeps the walk's order (git's date order, which a range walked alone may break differently where dates
    are skewed): only sums read these walks.
    """
    parents = {c.hash: c.parents for c in commits}
    reached: set[str] = set()
    parts: dict[Resolved, list[Commit]] = {}
    for rev in chain:
        if rev.end not in parents:
            return None
        found = {rev.end} - reached
        todo = list(found)
        while todo:
            for parent in parents[todo.pop()]:
                if parent in parents and parent not in reached and parent not in found:
                    found.add(parent)
                    todo.append(parent)
        if not (rev.start == rev.end or any(rev.start in parents[h] for h in found)):
            return None
        parts[rev] = [c for c in commits if c.hash in found]
        reached |= found
    return parts
