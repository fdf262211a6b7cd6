"""Repositories from URLs: bare clones kept in the cache, fetched with just the history a year needs.

A kernel clone starts shallow, from July of the year before the first year asked for (enough for the
tags that bound the years); once the year's first boundary is known, `deepen_to` fetches exactly the
history not reachable from it plus one commit more, so every commit of the ranges has its parents and
every shallow boundary lies before the first range (the walks exclude those boundaries explicitly).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import git

from reporter import walk
from reporter.errors import UserError

_MARK = "retrospect-deepened-to"


def _env() -> dict[str, str]:
    # Never wait on a credential prompt in a scheduled job; fail and say so instead.
    return {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


def _run(repo_or_dir: git.Repo | Path, *args: str) -> None:
    runner = repo_or_dir.git if isinstance(repo_or_dir, git.Repo) else git.Git(str(repo_or_dir))
    try:
        runner.execute(["git", *args], env={**os.environ, **_env()})
    except git.GitCommandError as err:
        raise UserError(f"git {args[0]} failed: {_reason(err)}") from None


def _reason(err: git.GitCommandError) -> str:
    lines = [line.strip() for line in str(err.stderr).strip().strip("'").splitlines() if line.strip()]
    lines = [line.removeprefix("stderr: ").strip("' ") for line in lines]
    return next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1] if lines else "")


def ensure(name: str, url: str | None, root: Path, since_year: int, offline: bool, shallow: bool) -> git.Repo:
    """The cached clone of `url` (created or brought up to date); with `shallow`, history is kept from
    July of the year before `since_year` on."""
    if not url:
        raise UserError(f"repository {name!r} has neither a URL nor a path: give --repo {name}=PATH")
    dest = root / f"{name}.git"
    if offline:
        if not dest.exists():
            raise UserError(f"no cached clone of {name!r} at {dest}, and --offline forbids cloning {url}")
        return walk.open_repo(dest)
    since = f"--shallow-since={since_year - 1}-07-01" if shallow else None
    if dest.exists():
        repo = walk.open_repo(dest)
        # All tags of a shallow clone would drag in the history before them: there, only the tags
        # pointing into fetched history come along (git's tag following).
        tags = [] if _is_shallow(repo) else ["--tags"]
        _run(repo, "fetch", "--quiet", "--prune", *tags, "origin", "+refs/heads/*:refs/heads/*")
    else:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}.", suffix=".tmp"))
        try:
            _run(root, "clone", "--bare", "--quiet", *([since] if since else []), url, str(tmp))
            tmp.rename(dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        repo = walk.open_repo(dest)
    if not _is_shallow(repo):
        # Changed-path Bloom filters speed up path-limited walks; git ignores them in shallow clones.
        _run(repo, "commit-graph", "write", "--reachable", "--changed-paths")
    return repo


def _is_shallow(repo: git.Repo) -> bool:
    return bool(walk.shallow_boundary(repo))


def _covers(repo: git.Repo, deepest: str, wanted: str) -> bool:
    try:
        return walk.is_ancestor(repo, deepest, wanted)
    except git.GitCommandError:  # the marked commit is gone: deepen again
        return False


def deepen_to(repo: git.Repo, start: str, offline: bool) -> None:
    """Make the history of `start..` complete: everything not reachable from `start`, one commit more.

    A clone once deepened to an older start already holds it (every later range is complete there), so
    the mark keeps the oldest start asked for, and only an older one fetches again.
    """
    mark = walk.git_path(repo, _MARK)
    if offline or not _is_shallow(repo):
        return
    wanted = walk.resolve(repo, start)
    if mark.exists() and _covers(repo, mark.read_text().strip(), wanted):
        return
    _run(repo, "fetch", "--quiet", f"--shallow-exclude={start}", "origin")
    _run(repo, "fetch", "--quiet", "--deepen=1", "origin")
    mark.write_text(wanted)
