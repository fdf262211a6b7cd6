"""git's history simplification for `git log A..B -- PATHS`, replayed over diffs already recorded.

Which commits such a walk shows depends only on TREESAME answers: does a commit differ from a parent
within the paths. For a non-merge commit its own recorded diff answers; at a merge git compares with the
parents in order and, at the first one it is TREESAME to that is "relevant" (inside the range, or the range's
own bottom: `^A`), follows that parent alone, dropping the others (revision.c, try_to_simplify_commit).

Relevance of a parent outside the range depends on git's walk: it marks such a commit UNINTERESTING as it
meets it, in commit-date order. `marked(merge, parent)` says where that has certainly happened before git
looks at the merge; for the other such parents the replay tries both answers, and when they lead to
different outcomes it gives up (Undecidable), so that the caller asks git's own walk instead. Every answer
it gives is the one git gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence, Set

# Whether a commit differs from one of its parents within the paths; None when not known yet.
Differs = Callable[[str, str], bool | None]
# Whether git has certainly marked the parent (outside the range) UNINTERESTING when it simplifies the merge.
Marked = Callable[[str, str], bool]


class Unknown(Exception):
    """The replay needs a comparison it was not given: (merge, parent)."""

    def __init__(self, merge: str, parent: str) -> None:
        super().__init__(merge, parent)
        self.pair = (merge, parent)


class Undecidable(Exception):
    """git's answer depends on its walk order here: ask git."""


def shown(
    end: str,
    in_range: Set[str],
    bottoms: Set[str],
    parents: Mapping[str, Sequence[str]],
    touching: Set[str],
    differs: Differs,
    marked: Marked = lambda merge, parent: False,
) -> set[str]:
    """The commits of the range that `git log` shows with the paths (merges included, as git shows them).

    `touching` are the non-merge commits that differ from their parent within the paths; `differs` answers
    for merges. Raises Unknown for a comparison `differs` does not know yet, Undecidable when git's walk
    order decides.
    """
    seen = {end}
    todo = [end]
    out: set[str] = set()
    while todo:
        commit = todo.pop()
        if commit not in in_range:
            continue  # its parents are outside the range too
        ps = parents[commit]
        if len(ps) == 1:  # whatever the parent's relevance: followed, and TREESAME unless it differs
            follow, treesame = ps, commit not in touching
        elif not ps:
            raise Undecidable(f"root commit {commit}")  # git compares it with the empty tree
        else:
            follow, treesame = _simplify(commit, ps, in_range, bottoms, differs, marked)
        if not treesame:
            out.add(commit)
        for p in follow:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return out


def _simplify(
    commit: str, ps: Sequence[str], in_range: Set[str], bottoms: Set[str], differs: Differs, marked: Marked
) -> tuple[tuple[str, ...], bool]:
    """(the parents git follows, whether the commit is TREESAME), for every relevance git may see."""
    outside = [p for p in ps if p not in in_range and p not in bottoms]
    if not outside:  # every parent relevant: one answer (most merges; the guessing below costs six times as much)
        return _try(commit, ps, {}, differs)
    known = {p: False for p in outside if marked(commit, p)}
    unsure = [p for p in outside if p not in known]
    outcomes = set()
    for guess in itertools.product((True, False), repeat=len(unsure)):
        relevant = known | dict(zip(unsure, guess, strict=True))
        outcomes.add(_try(commit, ps, relevant, differs))
        if len(outcomes) > 1:
            raise Undecidable(f"merge {commit}")
    return outcomes.pop()


def _try(
    commit: str, ps: Sequence[str], relevant: Mapping[str, bool], differs: Differs
) -> tuple[tuple[str, ...], bool]:
    """try_to_simplify_commit with simplify_history on; `relevant` guesses the unsure parents (others are)."""
    relevant_parents = 0
    relevant_change = irrelevant_change = False
    for p in ps:
        is_relevant = relevant.get(p, True)
        relevant_parents += is_relevant
        changed = differs(commit, p)
        if changed is None:
            raise Unknown(commit, p)
        if not changed:
            if is_relevant:
                return (p,), True
            continue
        if is_relevant:
            relevant_change = True
        else:
            irrelevant_change = True
    return tuple(ps), not relevant_change if relevant_parents else not irrelevant_change
