"""git's own answers to two questions the replayed path-limited walks ask (see simplify.py).

Which paths a list of pathspecs selects: asked of `git ls-files` over a scratch index that holds the paths,
so every pathspec form means exactly what it means to `git log`. Which paths differ between a merge and
one of its parents: `git diff-tree`, one process for many pairs, renames not paired (as git's pruning
compares trees).
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import git

from reporter.errors import UserError
from reporter.git import walk
from reporter.model import decoded, encoded

# Long-form magic that a directory prefix still bounds; anything else (icase, attr) is not bounded by one.
_BOUNDED_MAGIC = {"glob", "literal", "top", "exclude"}
_WILDCARD = re.compile(r"[*?\[\\]")
_LITERAL = ":(literal)"


def _run(repo: git.Repo, command: str, args: Sequence[str], stdin: bytes, env: dict[str, str] | None = None) -> bytes:
    with tempfile.TemporaryFile() as feed:
        feed.write(stdin)
        feed.seek(0)
        try:
            out: bytes = getattr(repo.git, command)(*args, istream=feed, stdout_as_string=False, env=env)
        except git.GitCommandError as err:
            stderr = err.stderr.strip().splitlines()
            reason = stderr[-1] if stderr else f"exit status {err.status}"
            raise UserError(f"git {command.replace('_', '-')} failed in {walk.repo_name(repo)}: {reason}") from None
    return out


def matching(repo: git.Repo, paths: Iterable[str], pathspecs: Sequence[Sequence[str]]) -> list[set[str]]:
    """For each list of `pathspecs`, the `paths` it selects, as git matches them.

    A scratch index holds the paths (with the empty blob's id: only names matter), once for all the lists,
    which git then matches side by side. An index cannot hold a file and a directory of the same name, so
    the paths go in rounds until each has been in one.
    """
    empty_blob = _empty_blob(repo)
    pending = sorted(set(paths))
    selected: list[set[str]] = [set() for _ in pathspecs]
    with tempfile.TemporaryDirectory(prefix="retrospect-") as scratch, ThreadPoolExecutor(len(pathspecs) + 1) as pool:
        index = str(Path(scratch) / "index")
        env = {"GIT_INDEX_FILE": index}

        def listed(specs: Sequence[str]) -> dict[None, frozenset[str]]:
            out = _run(repo, "ls_files", ["-z", "--", *specs], b"", env)
            return {None: frozenset(decoded(p) for p in out.split(b"\0") if p)}

        while pending:
            Path(index).unlink(missing_ok=True)
            entries = b"".join(b"100644 %s\t%s\0" % (empty_blob.encode(), encoded(p)) for p in pending)
            _run(repo, "update_index", ["-z", "--index-info"], entries, env)
            # What the index took, and what each list selects of it, asked side by side.
            every, *found = pool.map(lambda specs: walk.in_chunks(specs, listed)[None], [(), *pathspecs])
            held = set(every)
            if not held & set(pending):
                raise UserError(f"git update-index took none of {len(pending)} paths in {walk.repo_name(repo)}")
            for chosen, paths in zip(selected, found, strict=True):
                chosen.update(paths)
            pending = [p for p in pending if p not in held]
    return selected


@lru_cache(maxsize=8)
def _empty_blob(repo: git.Repo) -> str:
    """The empty blob's id in the repository's object format."""
    return decoded(_run(repo, "hash_object", ["-t", "blob", "--stdin"], b"")).strip()


def bounding_dirs(pathspecs: Sequence[str], most: int = 64) -> list[str] | None:
    """A few `:(literal)DIR/` pathspecs that select every path `pathspecs` may select (a superset), or None
    when no directory bounds them (a pattern with a leading wildcard, icase or attr magic)."""
    dirs: set[str] = set()
    for spec in pathspecs:
        magic, pattern = _split_magic(spec)
        if magic is None:
            return None
        if "exclude" in magic:
            continue
        literal = pattern if "literal" in magic else _WILDCARD.split(pattern, maxsplit=1)[0]
        head = literal.rpartition("/")[0]
        if not head:
            return None
        dirs.add(head + "/")
    kept = _outermost(dirs)
    while len(kept) > most:  # coarser: the deepest directories give way to their parents
        depth = max(d.count("/") for d in kept)
        if depth == 1:
            break
        kept = _outermost({d.rstrip("/").rpartition("/")[0] + "/" if d.count("/") == depth else d for d in kept})
    return [_LITERAL + d for d in kept]


def bound_pattern(dirs: Sequence[str]) -> re.Pattern[bytes]:
    """The start of a path below one of `bounding_dirs`' directories in `--numstat -z` entries (after a tab,
    or a NUL for a rename's paths): a diff that holds none names no path they bound. Tried at those two bytes
    only, rather than at every byte (a kernel year's diffs: 0.08 s -> 0.06 s)."""
    return re.compile(b"[\t\0](?:%s)" % b"|".join(re.escape(encoded(d.removeprefix(_LITERAL))) for d in dirs))


def inside(paths: Iterable[str], dirs: Sequence[str] | None) -> set[str]:
    """The `paths` below one of `bounding_dirs`' directories (every path when there are none)."""
    if dirs is None:
        return set(paths)
    prefixes = tuple(d.removeprefix(_LITERAL) for d in dirs)
    return {p for p in paths if p.startswith(prefixes)}


def _outermost(dirs: set[str]) -> list[str]:
    """The directories (each ending in `/`) that are not below another one of them."""
    ordered = sorted(dirs)
    kept: list[str] = []
    for d in ordered:  # a directory sorts right after its ancestors' subtrees begin
        if not kept or not d.startswith(kept[-1]):
            kept.append(d)
    return kept


def _split_magic(spec: str) -> tuple[set[str] | None, str]:
    """(magic words, pattern) of a pathspec; None when its magic is not one a directory prefix bounds."""
    if spec.startswith(":("):
        words, _, pattern = spec[2:].partition(")")
        magic = {w.strip() for w in words.split(",") if w.strip()}
        return (magic if magic <= _BOUNDED_MAGIC else None), pattern
    if spec.startswith(":"):
        return None, spec  # short magic (:!, :^, :/): rare enough to walk with git instead
    return set(), spec


def diff_pairs(
    repo: git.Repo, pairs: Sequence[tuple[str, str]], pathspecs: Sequence[str] | None, jobs: int = 1
) -> dict[tuple[str, str], frozenset[str]]:
    """{(commit, other): the paths that differ between their trees (within `pathspecs`)}, from `jobs`
    `git diff-tree --stdin` processes side by side, each given a share of the pairs."""
    size = -(-len(pairs) // jobs) if pairs else 1
    shares = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    with ThreadPoolExecutor(max_workers=max(len(shares), 1)) as pool:
        found = pool.map(lambda share: _diff_share(repo, share, pathspecs), shares)
        return {pair: paths for part in found for pair, paths in part.items()}


def _diff_share(
    repo: git.Repo, pairs: Sequence[tuple[str, str]], pathspecs: Sequence[str] | None
) -> dict[tuple[str, str], frozenset[str]]:
    """One `git diff-tree --stdin` (raw, so that a path is always the token after a `:` status entry) for
    each command line of pathspecs (git reads none on its standard input there)."""
    return walk.in_chunks(pathspecs or (), lambda specs: _diff_chunk(repo, pairs, specs))


def _diff_chunk(
    repo: git.Repo, pairs: Sequence[tuple[str, str]], pathspecs: Sequence[str]
) -> dict[tuple[str, str], frozenset[str]]:
    stdin = b"".join(b"%s %s\n" % (c.encode(), o.encode()) for c, o in pairs)
    out = _run(repo, "diff_tree", ["--stdin", "-r", "--no-renames", "-z", "--always", "--", *pathspecs], stdin)
    tokens = iter(out.split(b"\0"))
    found: list[set[bytes]] = []
    for token in tokens:
        if token.startswith(b":"):
            if not found:
                raise UserError(f"git diff-tree output not understood in {walk.repo_name(repo)}")
            found[-1].add(next(tokens, b""))
        elif token.strip():
            found.append(set())
    if len(found) != len(pairs):
        raise UserError(f"git diff-tree answered {len(found)} of {len(pairs)} comparisons in {walk.repo_name(repo)}")
    names = {raw: decoded(raw) for raw in set().union(*found)}  # a path differs in many pairs: decoded once
    return {pair: frozenset(map(names.__getitem__, paths)) for pair, paths in zip(pairs, found, strict=True)}


@dataclasses.dataclass(frozen=True, slots=True)
class Recent:
    """The commits reachable from `tips` along paths of commits all committed after a moment, with the
    commit time and parents of each, and the tips' own parents: what `rev-list --since` walks (it stops at
    an older commit), from which the same walk after any later moment is read without git."""

    tips: tuple[str, ...]
    commits: dict[str, tuple[int, tuple[str, ...]]]
    tip_parents: frozenset[str]

    def newer_than(self, moment: int) -> set[str]:
        """`rev-list --parents --since=@(moment + 1) TIPS` and `rev-list --no-walk --parents TIPS`: the
        commits reached along commits all committed after `moment`, their parents, the tips and theirs."""
        reached: set[str] = set()
        todo = list(self.tips)
        while todo:
            commit = todo.pop()
            found = self.commits.get(commit)
            if commit in reached or found is None or found[0] <= moment:
                continue
            reached.add(commit)
            todo.extend(found[1])
        return reached | {p for c in reached for p in self.commits[c][1]} | self.tip_parents


def _lines(revisions: Sequence[str]) -> bytes:
    """Revisions for git's standard input (never its command line: see walk.fed)."""
    return "".join(r + "\n" for r in revisions).encode()


def recent(repo: git.Repo, tips: Sequence[str], moment: int, parents: Mapping[str, Sequence[str]]) -> Recent:
    """What `Recent.newer_than` reads for `moment` and every later one, from git (the parents of a tip that
    `parents` holds are not asked again)."""
    commits: dict[str, tuple[int, tuple[str, ...]]] = {}
    if tips:
        args = ["--parents", "--timestamp", f"--since=@{moment + 1}", "--stdin", "--"]
        for line in decoded(_run(repo, "rev_list", args, _lines(tips))).splitlines():
            time, commit, *above = line.split()
            commits[commit] = (int(time), tuple(above))
    own = {p for tip in tips if tip in parents for p in (tip, *parents[tip])}
    if asked := [tip for tip in tips if tip not in parents]:
        own.update(decoded(_run(repo, "rev_list", ["--no-walk", "--parents", "--stdin", "--"], _lines(asked))).split())
    return Recent(tuple(tips), commits, frozenset(own))
