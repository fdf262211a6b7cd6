"""Path-limited `git log --numstat RANGE -- PATHSPECS` answers from the whole-repository records of a run.

Which commits: simplify.py's replay of git's simplification, with TREESAME answers from each commit's own
diff (non-merge commits) and from `git diff-tree` of merges against their parents, bounded to a few
directories. What the pathspecs select: git's own matching (treediff.py). Lines: each commit's own diff
restricted to the selected files, except where git pairs renames among the selected files only, or skips
inexact rename detection for too many files: those commits are diffed again, within the pathspecs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import git

from reporter.git import simplify, treediff, walk
from reporter.model import Commit, PathSet, decoded

# Inexact rename detection is skipped above diff.renameLimit files (git's default; <= 0 means 32767).
RENAME_LIMIT = 1000
# Pathspecs bounding the first-parent comparisons (U-Boot's 586 merges of 2025 beside ARM ROCKCHIP: 44
# directories cost git 0.6 s of CPU, 8 directories 0.3 s; none 0.26 s, but Linux's DAMON 0.16 s with its 6
# directories against 0.6 s with none).
COARSE = 8


class Replay:
    """Replays for several path sets over the ranges whose whole-repository records (with files) it holds."""

    def __init__(
        self, repo: git.Repo, records: Sequence[Commit], pathsets: Sequence[PathSet], rename_limit: int, jobs: int = 1
    ):
        self.repo = repo
        self.pathsets = pathsets
        self.records = {c.hash: c for c in records}
        self.parents = {h: c.parents for h, c in self.records.items()}
        self.rename_limit = rename_limit if rename_limit > 0 else 32767
        self.jobs = jobs
        specs = [s for p in pathsets for s in p.pathspecs or ()]
        self.bound = treediff.bounding_dirs(specs)
        self.merges = [h for h, c in self.records.items() if c.is_merge]
        # A merge differs from its first parent in what its branch brought, a small part of the tree, where
        # git spends more matching many pathspecs than reading a few more trees: a coarser bound for them.
        first = treediff.bounding_dirs(specs, most=COARSE)
        self.diffs = treediff.diff_pairs(repo, [(m, self.parents[m][0]) for m in self.merges], first, jobs)
        # Each path the non-merge commits' own diffs name (a rename's old path too), with those commits.
        # Only a diff that names a path below the bounding directories can touch a path set: the others are
        # left unread (most of a kernel year, for a section).
        near = treediff.bound_pattern(self.bound) if self.bound is not None else None
        named: dict[bytes, list[str]] = {}
        for h, c in self.records.items():
            if c.is_merge or (near is not None and not near.search(c.numstat)):
                continue
            for path in c.raw_paths:
                named.setdefault(path, []).append(h)
        self.named = {decoded(path): hashes for path, hashes in named.items()}  # each path decoded once
        # The paths matched against the pathspecs: none outside the bound can be selected.
        self.names = treediff.inside({*self.named, *(n for paths in self.diffs.values() for n in paths)}, self.bound)
        found = treediff.matching(repo, self.names, [p.pathspecs or () for p in pathsets])
        self.members = {p.label: members for p, members in zip(pathsets, found, strict=True)}
        # git compares a merge with its later parents when it differs from the first one, or when the
        # first parent may be irrelevant (outside the range): fetched in one go rather than one by one, and
        # for each path set within its own bound (a later parent often differs in much of the tree, and a
        # section's own directories are a small part of every set's).
        self.bounds = {p.label: treediff.bounding_dirs(p.pathspecs or ()) for p in pathsets}
        self.own: dict[str, dict[tuple[str, str], frozenset[str]]] = {p.label: {} for p in pathsets}
        self.touching = {
            p.label: {h for path in self.members[p.label] & self.named.keys() for h in self.named[path]}
            for p in pathsets
        }
        with ThreadPoolExecutor(max_workers=max(len(pathsets), 1)) as pool:
            # A set's lines read only the paths of non-merge commits, all matched above: the later parents'
            # paths are new, so the lines are counted (and renames walked again) beside those comparisons.
            lines = {p.label: pool.submit(self._lines, p) for p in pathsets}
            self._compare(
                {
                    p.label: [
                        (m, q)
                        for m in self.merges
                        if self.parents[m][0] not in self.records
                        or not self.diffs[(m, self.parents[m][0])].isdisjoint(self.members[p.label])
                        for q in self.parents[m][1:]
                    ]
                    for p in pathsets
                }
            )
            self.lines = {label: future.result() for label, future in lines.items()}
        self._recent: dict[tuple[tuple[str, ...], int], treediff.Recent] = {}
        self._newer: dict[tuple[tuple[str, ...], int], set[str]] = {}

    def _compare(self, asked: dict[str, list[tuple[str, str]]]) -> None:
        """Learn the paths that differ in each path set's pairs, within its own bound (the sets side by side),
        and what every set selects of the paths new to all that a still open answer needs."""
        with ThreadPoolExecutor(max_workers=max(len(asked), 1)) as pool:
            futures = {label: pool.submit(self._diff_within, label, pairs) for label, pairs in asked.items()}
            found = {label: future.result() for label, future in futures.items()}
        # A pair that differs in a path the set is known to select is answered whatever the other paths are.
        fresh = [
            paths for label, part in found.items() for paths in part.values() if paths.isdisjoint(self.members[label])
        ]
        new = treediff.inside(set[str]().union(*fresh) - self.names, self.bound)
        if new:
            self.names |= new
            matched = treediff.matching(self.repo, new, [p.pathspecs or () for p in self.pathsets])
            for p, members in zip(self.pathsets, matched, strict=True):
                self.members[p.label] = self.members[p.label] | members  # a new set: _lines may be reading

    def _diff_within(self, label: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], frozenset[str]]:
        """The paths that differ in the pairs that path set `label` has not seen yet, within its bound."""
        own = self.own[label]
        fresh = treediff.diff_pairs(
            self.repo,
            [pair for pair in pairs if pair not in own and pair not in self.diffs],
            self.bounds[label],
            self.jobs,
        )
        own.update(fresh)
        return fresh

    def shown(self, p: PathSet, end: str, in_range: set[str], bottoms: set[str]) -> set[str] | None:
        """The commits git shows for `p` in the range, or None where its walk order decides."""
        own = self.own[p.label]

        def differs(commit: str, parent: str) -> bool | None:
            paths = self.diffs.get((commit, parent), own.get((commit, parent)))
            return None if paths is None else not paths.isdisjoint(self.members[p.label])

        oldest: int | None = None  # the range's oldest merge, once a merge asks

        def marked(merge: str, parent: str) -> bool:
            # git's walk pops commits newest first, from the range's bottoms too: a parent that a path of
            # commits all newer than the merge leads to from a bottom is marked before the merge is met.
            nonlocal oldest
            key = (tuple(sorted(bottoms)), self.records[merge].committer_time)
            if key not in self._newer:
                if oldest is None:
                    oldest = min((self.records[m].committer_time for m in self.merges if m in in_range), default=key[1])
                # One walk back from the bottoms, to the range's oldest merge, answers every merge of the range.
                since = (key[0], min(oldest, key[1]))
                if since not in self._recent:
                    self._recent[since] = treediff.recent(self.repo, *since, self.parents)
                self._newer[key] = self._recent[since].newer_than(key[1])
            return parent in self._newer[key]

        while True:
            try:
                return simplify.shown(end, in_range, bottoms, self.parents, self.touching[p.label], differs, marked)
            except simplify.Unknown as unknown:
                self._compare({p.label: [unknown.pair]})
            except simplify.Undecidable:
                return None

    def _lines(self, p: PathSet) -> dict[str, tuple[int, int]]:
        """{commit: (insertions, deletions) within `p`} of the non-merge commits that touch it."""
        selected = self.members[p.label]
        lines: dict[str, tuple[int, int]] = {}
        again = []
        for h in self.touching[p.label]:
            c = self.records[h]
            mine = [f for f in c.files if f.path in selected or (f.old_path is not None and f.old_path in selected)]
            if any(f.old_path is not None for f in mine) or len(c.files) > self.rename_limit:
                again.append(h)
            else:
                lines[h] = (sum(f.insertions for f in mine), sum(f.deletions for f in mine))
        for c in walk.log_commits(self.repo, again, pathspecs=p.pathspecs or ()) if again else ():
            lines[c.hash] = (c.insertions, c.deletions)
        return lines

    def commits(self, order: Sequence[Commit], shown: set[str], lines: dict[str, tuple[int, int]]) -> list[Commit]:
        """The shown commits in `order`, with their lines within the path set (merges have none in git log)."""
        return [
            dataclasses.replace(
                c, insertions=lines.get(c.hash, (0, 0))[0], deletions=lines.get(c.hash, (0, 0))[1], numstat=b""
            )
            for c in order
            if c.hash in shown
        ]
