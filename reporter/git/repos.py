"""Repositories from URLs: bare clones kept in the cache, holding the history the years asked for need.

A kernel clone is shallow by date, over every branch still active then: each fetch names the date it
keeps history from (July of the year before the first year asked for) and the branches whose tips are not
older (read first from a throwaway fetch of the tips alone: a branch whose tip is older than the date would
bring its whole history). git follows the tags that point into what it fetches, so the tags of every
active branch come along. A later run fetches with the same date (only what is new), an older year with an
earlier one. Once the ranges are known, `complete` checks that no commit of any range lacks its parents,
and fetches from an earlier date until none does: never git's `--shallow-exclude`/`--deepen`, whose
`shallow` file can name commits the clone does not hold.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import git

from reporter import files, progress, redact
from reporter.errors import UserError
from reporter.git import guard, remote, walk
from reporter.model import RevRange

_SINCE = "retrospect-shallow-since"  # the date the clone keeps history from (absent: complete history)
EARLIER = 3  # years `complete` reaches back, one at a time, before it fetches the whole history


# The credentials each configured URL held, by the URL without them (the one clones keep): given to git's
# processes in their environment (remote.credentials), never written into a clone.
_CREDENTIALS: dict[str, dict[str, str]] = {}


def _run(git_dir: Path, *args: str, what: str = "") -> str:
    """`git --git-dir=GIT_DIR ARGS`: the one way this module runs git, remote calls included (bounded, see
    reporter.git.remote; `what` is the remote's URL, default the clone's). On a terminal, a clone or fetch
    shows git's own progress (minutes for a large repository otherwise silent)."""
    url = what or _origin(git_dir) or ""
    what = redact.url(url) or f"the remote of {git_dir.name}"
    shown = args[0] in ("clone", "fetch") and "--quiet" in args and progress.style() == "bar"
    if shown:
        args = tuple("--progress" if arg == "--quiet" else arg for arg in args)
    env = dict(os.environ) | _CREDENTIALS.get(url, {})
    done = remote.run([f"--git-dir={git_dir}", *args], git_dir, what, env, shown=shown)
    if done.returncode != 0:
        if remote.stalled(done.stderr):
            raise UserError(f"{what} did not answer: git {args[0]} stopped receiving data")
        raise UserError(f"git {args[0]} failed: {_reason(done.stderr)}")
    return done.stdout


def _reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1] if lines else "")


def _origin(clone: Path) -> str | None:
    """The URL a cached clone fetches from (None when it is no clone of ours)."""
    found = guard.settings(clone / "config")
    return dict(found).get("remote.origin.url") if found is not None else None


# What `git init --bare` and `git remote add` write in a clone's configuration (the core settings git
# chooses from the file system among them), each once; remote.origin.url is checked apart.
_WRITTEN = {
    "core.repositoryformatversion": ("0",),
    "core.filemode": ("true", "false"),
    "core.bare": ("true",),
    "core.symlinks": ("false",),
    "core.ignorecase": ("true",),
    "core.precomposeunicode": ("true", "false"),
    "remote.origin.fetch": ("+refs/heads/*:refs/remotes/origin/*",),
}
# What a clone of retrospect's holds: at its top these files, and these directories holding only files
# whose names end so (None: anything; git's default templates included, since clones made before
# `--template=` hold them, and no hook runs, see guard).
_FILES = {"HEAD", "config", "description", "FETCH_HEAD", "packed-refs", "shallow", _SINCE}
_DIRECTORIES: dict[str, tuple[str, ...] | None] = {
    "objects": None,
    "objects/info": ("commit-graph", "commit-graphs", "packs"),
    "refs": None,
    "hooks": (".sample",),
    "info": ("exclude", "refs"),  # refs, objects/info/packs: written by `git repack` (update-server-info)
    "branches": (),
}
ANOTHER_URL = "another URL"


def foreign(clone: Path, url: str) -> str | None:
    """What a clone found in the cache holds that retrospect does not write there, or None: a setting
    beyond `_WRITTEN` (a hooks path, an ssh command, an include, a URL rewrite...), a hook, attributes,
    grafts, alternates, replace refs, a symbolic link; ANOTHER_URL when it fetches from another URL. The
    cache is not to be trusted: a pull request or a poisoned actions/cache entry can plant a clone there."""
    if files.crossing(clone, clone) is not None:
        return "a symbolic link"
    found = guard.settings(clone / "config") if (clone / "config").is_file() else None
    if found is None:
        return "no configuration git reads"
    names = [name for name, _ in found]
    for name, value in found:
        if names.count(name) > 1 or (name != "remote.origin.url" and value not in _WRITTEN.get(name, ())):
            return f"the setting {name}"
    if dict(found).get("remote.origin.url") != url:
        return ANOTHER_URL
    for entry in clone.iterdir():
        if entry.name not in _FILES and entry.name not in _DIRECTORIES:
            return f"the file {entry.name}"
    for name, endings in _DIRECTORIES.items():
        if endings is not None and (clone / name).is_dir():
            for entry in (clone / name).iterdir():
                if not entry.name.endswith(endings):
                    return f"the file {name}/{entry.name}"
    packed = clone / "packed-refs"
    if (clone / "refs/replace").exists() or (packed.is_file() and b" refs/replace/" in packed.read_bytes()):
        return "replace refs"
    return None


def ensure(name: str, given: str | None, root: Path, since_year: int, offline: bool, shallow: bool) -> git.Repo:
    """The cached clone of URL `given`, created or brought up to date; with `shallow`, holding history from
    July of the year before `since_year` on (an earlier date kept from a previous run stays). The clone
    keeps the URL without the credentials it may hold; git gets them when it talks to the remote."""
    if not given:
        raise UserError(f"repository {name!r} has neither a URL nor a path: give --repo {name}=PATH")
    url = redact.public(given)
    _CREDENTIALS[url] = remote.credentials(given)
    root = root.absolute()  # git runs with --git-dir from other directories
    dest = root / f"{name}.git"
    if offline:
        if not dest.exists():
            raise UserError(f"no cached clone of {name!r} at {dest}, and --offline forbids cloning {redact.url(url)}")
        if (why := foreign(dest, url)) not in (None, ANOTHER_URL):
            raise UserError(f"the cached clone of {name!r} at {dest} holds {why}, and --offline forbids cloning again")
        return walk.open_repo(dest, trusted=True)
    wanted = f"{since_year - 1}-07-01" if shallow else None
    remote.check_url(given, f"repository {name!r}")
    _clear_debris(root)
    if dest.exists() or dest.is_symlink():
        if (why := foreign(dest, url)) not in (None, ANOTHER_URL):
            progress.warning(f"cloning {name} again: its cached clone holds {why}, which retrospect does not write")
        if why is not None:  # another URL configured since, or not a clone of ours: start again
            _remove(dest)
    if dest.exists():
        kept = _kept_since(dest)
        _fetch(dest, _earliest(kept, wanted) if kept else None)
    else:
        root.mkdir(parents=True, exist_ok=True)
        with _scratch(root, name) as tmp:
            _run(tmp, "init", "--quiet", "--bare", "--template=")
            _run(tmp, "remote", "add", "origin", "--", url)
            _fetch(tmp, wanted)
            tmp.rename(dest)
    _follow_remote_head(dest)
    if not _kept_since(dest):
        # Changed-path Bloom filters speed up path-limited walks; git ignores them in shallow clones.
        _run(dest, "commit-graph", "write", "--reachable", "--changed-paths")
    return walk.open_repo(dest, trusted=True)


def _remove(path: Path) -> None:
    """A directory and what it holds, or only the link when it is a symbolic link."""
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path)


@contextlib.contextmanager
def _scratch(root: Path, name: str) -> Iterator[Path]:
    """A new directory `.NAME.*.tmp` in `root`, locked while in use (so that `_clear_debris` leaves it
    alone) and removed afterwards, unless renamed away."""
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}.", suffix=".tmp"))
    lock = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)


def _clear_debris(root: Path) -> None:
    """Remove the scratch directories of runs that were killed (a first clone of Linux leaves hundreds of
    megabytes, which actions/cache would keep); those of a run still going on are locked."""
    for tmp in root.glob(".*.tmp") if root.is_dir() else []:
        try:
            lock = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:  # not a directory (a symbolic link among them), or gone meanwhile
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(tmp, ignore_errors=True)
        except BlockingIOError:
            continue
        finally:
            os.close(lock)


def _follow_remote_head(git_dir: Path) -> None:
    """HEAD names the remote's default branch (a tool's year is read from HEAD): `git init` pointed it at
    its own default, which the remote may not have (master, main, next...)."""
    out = _run(git_dir, "ls-remote", "--symref", "origin", "HEAD")
    for line in out.splitlines():
        target, _, name = line.partition("\t")
        if name == "HEAD" and target.startswith("ref: refs/heads/"):
            head = target.removeprefix("ref: ")
            if _run(git_dir, "for-each-ref", "--format=%(refname)", head).strip() == head:
                _run(git_dir, "symbolic-ref", "HEAD", head)


def _earliest(a: str, b: str | None) -> str | None:
    """The earlier of two dates (None: from the beginning)."""
    return None if b is None else min(a, b)


def _kept_since(git_dir: Path) -> str | None:
    mark = git_dir / _SINCE
    return mark.read_text().strip() if mark.exists() else None


def _fetch(git_dir: Path, since: str | None) -> None:
    """Fetch the branches (and the tags git follows into them): from `since` on, or all of history."""
    kept = _kept_since(git_dir)
    if since is None:
        unshallow = ["--unshallow"] if _is_shallow(git_dir) else []
        _run(
            git_dir,
            "fetch",
            "--quiet",
            "--prune",
            *unshallow,
            "origin",
            "+refs/heads/*:refs/heads/*",
            "+refs/tags/*:refs/tags/*",
        )
        (git_dir / _SINCE).unlink(missing_ok=True)
    else:
        heads = _active_heads(git_dir, since)
        # The remote names its branches, as many as it likes: their refspecs go in as many fetches as the
        # command line needs (remote.run gives git no standard input, so that nothing waits on ours).
        for refspecs in walk.chunks([f"+{head}:{head}" for head in heads], "refspecs") if heads else []:
            _forget_absent_boundaries(git_dir)
            _run(git_dir, "fetch", "--quiet", f"--shallow-since={since}", "origin", *refspecs)
            _forget_absent_boundaries(git_dir)
        (git_dir / _SINCE).write_text(since + "\n")
    if kept is not None and (since is None or since < kept):
        # Reaching back resends objects the clone holds (the server cannot count shallow commits as
        # haves): one pack again, or the clone ends bigger than a full one.
        _run(git_dir, "repack", "-a", "-d", "-q")


def _forget_absent_boundaries(git_dir: Path) -> None:
    """Drop from `shallow` the commits the clone does not hold. git 2.39's `--shallow-since` writes some
    there (boundaries of history it did not send); left in, the next fetch that reaches further back fails
    with "error in object: unshallow <hash>". An entry for an absent commit cuts nothing in the clone."""
    path = git_dir / "shallow"
    if not path.exists():
        return
    listed = path.read_text().split()
    done = subprocess.run(
        guard.command(f"--git-dir={git_dir}", "cat-file", "--batch-check=%(objecttype)"),
        input="".join(h + "\n" for h in listed),
        capture_output=True,
        text=True,
        check=True,
    )
    present = [h for h, kind in zip(listed, done.stdout.splitlines(), strict=True) if kind == "commit"]
    if present == listed:
        return
    if not present:
        path.unlink()
        return
    tmp = path.with_name("shallow.retrospect")
    tmp.write_text("".join(h + "\n" for h in present))
    tmp.replace(path)


def _is_shallow(git_dir: Path) -> bool:
    return (git_dir / "shallow").exists()


def _active_heads(git_dir: Path, since: str) -> list[str]:
    """The remote's branches whose tips are dated on or after `since`, read from a throwaway clone of the
    tip commits alone (without trees where the server can filter)."""
    url = _run(git_dir, "config", "--get", "remote.origin.url").strip()
    with _scratch(git_dir.parent, "probe") as scratch:
        probe = scratch / "tips.git"
        clone = ["clone", "--quiet", "--bare", "--depth=1", "--no-single-branch", "--no-tags", "--filter=tree:0"]
        _run(scratch, *clone, "--template=", "--", url, str(probe), what=url)
        out = _run(probe, "for-each-ref", "--format=%(committerdate:unix) %(refname)", "refs/heads")
    limit = int(datetime.fromisoformat(since).replace(tzinfo=UTC).timestamp())
    return [ref for stamp, _, ref in (line.partition(" ") for line in out.splitlines()) if int(stamp) >= limit]


def complete(repo: git.Repo, ranges: Sequence[RevRange], offline: bool) -> None:
    """Make every range's history complete: while a commit of a range lacks its parents, fetch from a
    year earlier (after a few years, the whole history)."""
    for attempt in range(EARLIER + 1):
        if offline or not _cut(repo, ranges) or not reach_back(repo, whole=attempt == EARLIER):
            return


def reach_back(repo: git.Repo, whole: bool = False) -> bool:
    """Fetch history from a year before the date the clone keeps (`whole`: all of it); False when the
    clone is complete already."""
    git_dir = Path(repo.git.rev_parse("--absolute-git-dir").strip())
    since = _kept_since(git_dir)
    if since is None:
        return False
    _fetch(git_dir, None if whole else f"{int(since[:4]) - 1}{since[4:]}")
    walk.forget(repo)
    return True


def _cut(repo: git.Repo, ranges: Sequence[RevRange]) -> bool:
    """Whether a commit of the ranges is a shallow boundary commit (its parents missing)."""
    resolve = functools.partial(walk.resolve, repo)
    return any(walk.shallow_cut(repo, resolve(r.end), resolve(r.start) if r.start else "") for r in ranges)
