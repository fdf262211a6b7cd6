"""Running git: streamed, parsed log walks, ref resolution, tags and blobs.

Every question is one git process whose output is parsed as it streams; nothing here knows what the
records mean for statistics.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TypeVar

import git

from reporter.errors import UserError, quoted
from reporter.git import guard
from reporter.model import NUMSTAT_ENTRY, Commit, RevRange, decoded, encoded, numstat_totals
from reporter.progress import warning

# Every field is NUL-terminated: git allows any other byte (0x1e, 0x1f, newlines) in names and paths.
# %an/%ae are what `git log` shows by default; %aN/%aE fold identities through .mailmap.
_FORMAT = "%H%x00%P%x00{name}%x00{email}%x00%at%x00%ct"
_HEADER_FIELDS = 6
# A seventh field when asked: the trailers as git parses them (the message's last paragraph, folded lines
# unfolded, so a value holds no newline), one `key:value` a line; a key never holds the colon.
_TRAILERS = "%x00%(trailers:only,unfold,key_value_separator=%x3a,separator=%x0a)"
_HASH = rb"(?:[0-9a-f]{40}|[0-9a-f]{64})"
# One commit of `git log -z --format=_FORMAT[_TRAILERS] [--numstat]`: its NUL-terminated header fields, then,
# when it has a diff, a newline and its numstat entries. A record is complete once the next one's hash
# follows it (a hash holds no tab, so it never reads as an entry); the stream's end gets a sentinel hash.
_FIELD = rb"([^\0]*)\0"
_RECORD = {
    trailers: re.compile(
        rb"(%s)\0" % _HASH
        + _FIELD * 3
        + rb"(\d+)\0(\d+)\0"
        + (_FIELD if trailers else b"")
        + rb"(?:\n((?:%s)*))?(?=%s\0)" % (NUMSTAT_ENTRY, _HASH)
    )
    for trailers in (False, True)
}
_SENTINEL = b"0" * 40 + b"\0"
_PIPE = 1 << 20  # what git may write ahead of the parser
# What the parser waits for before it parses: a few hundred commits. git writes a few kilobytes at a time;
# waking for each of those cost about a fifth of the parser's time.
_READ = 1 << 16

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    date: int  # tagger date of an annotated tag, commit date of a lightweight one (unix seconds)
    # The object the tag ref names (the tag object of an annotated tag): its target and date never change.
    oid: str = ""


def open_repo(path: str | Path, trusted: bool = False) -> git.Repo:
    """The repository at `path`: a work tree, a linked worktree, or a git directory as git accepts it
    (bare, even without a `config` file), or a UserError saying why not. `trusted`: whoever owns it (a
    clone retrospect made or checked; git refuses another user's repository otherwise).

    git itself finds the git directory, never looking above `path`; every later git process is pinned to
    it with `--git-dir` (GitPython alone takes a bare directory without `config` for a work tree and runs
    git in its parent, which may be another repository).
    """
    where = Path(path)
    if not where.is_dir():
        raise UserError(f"{path}: no such directory")
    owner = guard.trusted(where) if trusted else []
    git_dir, inside = _probe(where, owner, "--absolute-git-dir", "--is-inside-work-tree")
    top = _probe(where, owner, "--show-toplevel")[0] if inside == "true" else None
    if top is not None and Path(top) != where.resolve():
        raise UserError(f"{path}: not the top of a git work tree (that is {top})")
    try:
        repo = git.Repo(git_dir, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError(f"{path}: not a git repository") from None
    repo._working_tree_dir = top  # GitPython's own guess is the parent of a bare directory without config
    repo.working_dir = top or git_dir
    repo.git = git.Git(repo.working_dir)
    pinned = {"git_dir": git_dir} | ({"work_tree": top} if top else {})
    repo.git.set_persistent_git_options(**pinned, c=[f"core.deltaBaseCacheLimit={DELTA_BASE_CACHE}", *guard.SETTINGS])
    # git flushes its output after every commit into a pipe: a write, and a wake-up of the reader, each.
    repo.git.update_environment(GIT_FLUSH="0")
    return repo


# git's cache of inflated delta bases (default 96 MiB): larger, a whole-history diff inflates fewer blobs
# twice, for about 10% less CPU (measured on the benchmark's Linux year; each git process may hold this much).
DELTA_BASE_CACHE = "256m"

# Variables that would point git at another repository than the one asked for.
_REPO_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def _probe(where: Path, owner: list[str], *questions: str) -> list[str]:
    """`git rev-parse QUESTIONS` as git answers in `where`, which must itself be the repository (`owner`:
    git's options that trust it)."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
    env["GIT_CEILING_DIRECTORIES"] = str(where.resolve().parent)
    done = subprocess.run(
        guard.command(*owner, "rev-parse", *questions),
        check=False,
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    if done.returncode != 0:
        reason = _first_line(done.stderr)
        # git's own wording names parent directories it was told not to search: keep only the gist.
        raise UserError(f"{where}: " + ("not a git repository" if "not a git repository" in reason else reason))
    return done.stdout.splitlines()


def repo_name(repo: git.Repo) -> str:
    return Path(repo.working_tree_dir or repo.git_dir).name


def git_date(moment: int) -> str:
    """A date git reads as the moment it is: git takes `@N` for a timestamp only from N = 100000000 on
    (1973) and ignores smaller ones (counting every commit); before 1970 is 1970 (no commit is older)."""
    return datetime.fromtimestamp(max(moment, 0), UTC).strftime("%Y-%m-%d %H:%M:%S +0000")


def check_ref(ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise UserError(f"invalid ref {ref!r}: a ref must not be empty or start with '-'")
    if re.search(r"[\x00-\x20\x7f]", ref):  # git allows none in a ref name, and a NUL ends an argument
        raise UserError(f"invalid ref {ref!r}: a ref holds no space or control character")
    return ref


def resolve_all(repo: git.Repo, refs: Sequence[str]) -> dict[str, str]:
    """{ref: what `resolve` answers}: asked of one git process when each ref names one commit, else ref by
    ref (so that the first unknown one is reported as `resolve` reports it)."""
    for ref in refs:
        check_ref(ref)
    try:
        answers = fed(
            repo, "cat_file", ["--batch-check=%(objectname) %(objecttype)"], (f"{r}^{{commit}}" for r in refs)
        )
    except git.GitCommandError:
        answers = ""
    found = [line.split(" ") for line in answers.split("\n")]
    if len(found) == len(refs) and all(
        len(f) == 2 and f[1] == "commit" and re.fullmatch(_HASH, f[0].encode()) for f in found
    ):
        return {ref: f[0] for ref, f in zip(refs, found, strict=True)}
    return {ref: resolve(repo, ref) for ref in refs}  # a range (A..B) or an unknown ref among them


def fed(repo: git.Repo, command: str, args: Sequence[str], lines: Iterable[str]) -> str:
    """`git COMMAND ARGS` given `lines` on its standard input: revisions and refs never go on the command
    line, where thousands of them (a tag pattern matching 200,000 tags) exceed the system's limit."""
    with tempfile.TemporaryFile() as feed:
        feed.write(encoded("".join(line + "\n" for line in lines)))
        feed.seek(0)
        out: str = getattr(repo.git, command)(*args, istream=feed)
    return out


@dataclass
class _Answers:
    refs: dict[str, str]
    tags: list[Tag] | None = None


# What `resolve` and `tags` answered for a repository as opened (each open_repo makes a new git.Repo; its
# entry goes with it): a run asks for the same refs and tags dozens of times. `forget` drops them after a fetch.
_KNOWN: dict[int, _Answers] = {}
_KNOWN_LOCK = threading.Lock()


def _known(repo: git.Repo) -> _Answers:
    with _KNOWN_LOCK:
        if id(repo) not in _KNOWN:
            _KNOWN[id(repo)] = _Answers({})
            weakref.finalize(repo, _KNOWN.pop, id(repo), None)  # before its id can be another object's
        return _KNOWN[id(repo)]


def forget(repo: git.Repo) -> None:
    """Ask git again for refs and tags: a fetch may have moved them."""
    with _KNOWN_LOCK:
        _KNOWN.pop(id(repo), None)


_K = TypeVar("_K")
ARGV_BUDGET = 512 * 1024
"""Bytes of pathspecs one git command line carries: a quarter of Linux's ARG_MAX (2 MB, shared with the
environment), half of macOS's. A single argument is bounded too (`ARG_MOST`: Linux's MAX_ARG_STRLEN).
A MAINTAINERS section (input from the repository) may hold a million paths: past the budget, pathspecs go
on git's standard input or are asked in several command lines (`in_chunks`)."""
ARG_MOST = 128 * 1024 - 1


def _fed_paths(revisions: Sequence[str], pathspecs: Sequence[str]) -> tuple[list[str], str]:
    """(command-line tail, standard input) of `git log/rev-list --stdin`: the revisions, then after a `--`
    line the pathspecs, one a line. git reads a line without its newline and a trailing CR, so a pathspec
    holding either stays on the command line (as it was always given, exactly)."""
    lines = [p for p in pathspecs if "\n" not in p and not p.endswith("\r")]
    kept = [p for p in pathspecs if "\n" in p or p.endswith("\r")]
    _bounded(kept)
    paths = "".join(f"{p}\n" for p in ["--", *lines]) if lines else ""
    return ["--", *kept], "".join(f"{r}\n" for r in revisions) + paths


def _bounded(args: Sequence[str], what: str = "pathspecs") -> None:
    """UserError, rather than the system's E2BIG traceback, for arguments no command line can carry."""
    _each_fits(args, what)
    if (size := sum(len(encoded(a)) + 1 for a in args)) > ARGV_BUDGET:
        raise UserError(f"{len(args)} {what} ({size} bytes) are more than one git command line can carry")


def _each_fits(args: Sequence[str], what: str) -> None:
    """UserError for arguments longer than one git argument may be (counted among all of `args`)."""
    if too_long := [a for a in args if not fits(a)]:
        raise UserError(f"{len(too_long)} of {len(args)} {what} longer than one git argument may be ({ARG_MOST} bytes)")


def fits(arg: str) -> bool:
    """Whether one argument is short enough for git's command line."""
    return len(encoded(arg)) <= ARG_MOST


def in_chunks(
    pathspecs: Sequence[str], ask: Callable[[Sequence[str]], Mapping[_K, frozenset[str]]]
) -> dict[_K, frozenset[str]]:
    """What `ask` (git matching the pathspecs on its command line, for each of some keys) answers for all
    of `pathspecs`, asked in command lines within the budget. git selects a path that one positive
    pathspec matches and no exclude does (every path when all are excludes), so: the union of what the
    positive chunks select, within what each exclude chunk alone leaves."""
    if sum(len(encoded(s)) + 1 for s in pathspecs) <= ARGV_BUDGET:
        _bounded(pathspecs)
        return dict(ask(pathspecs))
    excludes = [s for s in pathspecs if _excludes(s)]
    positive = [s for s in pathspecs if not _excludes(s)]
    found: dict[_K, frozenset[str]] = {}
    for chunk in chunks(positive) if positive else [[]]:
        for key, paths in ask(chunk).items():
            found[key] = found.get(key, frozenset()) | paths
    for chunk in chunks(excludes):
        left = ask(chunk)
        found = {key: paths & left.get(key, frozenset()) for key, paths in found.items()}
    return found


def _excludes(spec: str) -> bool:
    """Whether a pathspec carries exclude magic (`:(exclude,glob)x`, `:!x`, `:^x`, `:/!x`)."""
    if spec.startswith(":("):
        return "exclude" in {w.strip() for w in spec[2:].partition(")")[0].split(",")}
    short = re.match(r":([/!^]*)", spec)  # git's short magic signs (any other one is git's error)
    return short is not None and bool({"!", "^"} & set(short.group(1)))


def chunks(args: Sequence[str], what: str = "pathspecs") -> list[list[str]]:
    """`args` in runs that each fit one command line (ARGV_BUDGET); UserError for one that fits none."""
    _each_fits(args, what)
    runs: list[list[str]] = [[]]
    size = 0
    for arg in args:
        length = len(encoded(arg)) + 1
        if runs[-1] and size + length > ARGV_BUDGET:
            runs.append([])
            size = 0
        runs[-1].append(arg)
        size += length
    return runs


def resolve(repo: git.Repo, ref: str) -> str:
    """The commit hash `ref` names; UserError for an unknown ref."""
    check_ref(ref)
    known = _known(repo).refs
    if ref in known:
        return known[ref]
    try:
        commit: str = repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except git.GitCommandError:
        raise UserError(f"unknown ref {ref!r} in {repo_name(repo)}") from None
    known[ref] = commit
    return commit


def parse_range(text: str) -> RevRange:
    """`A..B` or a single ref (everything reachable from it); refs must not start with '-'."""
    start, dots, end = text.partition("..")
    if dots and (not end or end.startswith(".")):
        raise UserError(f"invalid range {text!r}: expected A..B")
    if not dots:
        start, end = "", text
    if start:
        check_ref(start)
    check_ref(end)
    return RevRange(start, end)


def git_path(repo: git.Repo, name: str, *more: str) -> Path:
    """Where git keeps `name` (`shallow`, ...) for this repository: the common directory of a worktree.
    Asked of git once per repository and name (a report asks before every walk); `more` names are asked in
    the same process, for later calls."""
    if wanted := [n for n in (name, *more) if (str(repo.git_dir), n) not in _GIT_PATHS]:
        asked = [arg for n in wanted for arg in ("--git-path", n)]
        paths = repo.git.rev_parse("--path-format=absolute", *asked).split("\n")
        if len(paths) != len(wanted):  # a newline in the directory's name: one name at a time
            paths = [repo.git.rev_parse("--path-format=absolute", "--git-path", n) for n in wanted]
        _GIT_PATHS.update({(str(repo.git_dir), n): Path(p) for n, p in zip(wanted, paths, strict=True)})
    return _GIT_PATHS[(str(repo.git_dir), name)]


_GIT_PATHS: dict[tuple[str, str], Path] = {}


def shallow_boundary(repo: git.Repo) -> list[str]:
    """The commits a shallow clone has without their parents (none in a complete repository)."""
    path = git_path(repo, "shallow")
    return path.read_text().split() if path.exists() else []


def shallow_cut(repo: git.Repo, end: str, start: str = "", options: Sequence[str] = ()) -> str | None:
    """A commit of `start..end` (of all of `end` without `start`) that a shallow clone holds without its
    parents, or None when that history is complete."""
    boundary = set(shallow_boundary(repo))
    if not boundary:
        return None
    hashes, _ = rev_list(repo, [*options, end, *(["^" + start] if start else [])])
    return next((h for h in hashes if h in boundary), None)


def rewritten(repo: git.Repo) -> str | None:
    """What makes git show other parents or trees than the commits' own: replace refs (unless git is told
    to ignore them), or grafts; None when neither is in effect."""
    base = os.environ.get("GIT_REPLACE_REF_BASE") or "refs/replace/"
    # Whether git is told to ignore replace refs is asked only when there are some (most repositories have none).
    if "GIT_NO_REPLACE_OBJECTS" not in os.environ and repo.git.for_each_ref("--count=1", "--format=%(refname)", base):
        replacing = True
        with contextlib.suppress(git.GitCommandError):  # unset
            replacing = repo.git.config("--type=bool", "--get", "core.useReplaceRefs").strip() != "false"
        if replacing:
            return f"replace refs ({base})"
    # The shallow file's place too, in the same git process: every walk reads it next.
    grafts = Path(os.environ.get("GIT_GRAFT_FILE") or git_path(repo, "info/grafts", "shallow"))
    if grafts.is_file() and grafts.stat().st_size:
        return f"grafts ({grafts.name})"
    return None


# What a shallow clone that lacks history needs, as its error says it.
UNSHALLOW = (
    "fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` for actions/checkout), "
    "or let retrospect clone the repository"
)


def history_start(repo: git.Repo) -> str | None:
    """The day (UTC) of the oldest shallow boundary commit of a shallow clone: its history reaches no further
    back than that; None for a complete repository."""
    boundary = shallow_boundary(repo)
    if not boundary:
        return None
    dates = fed(repo, "log", ["--no-walk=unsorted", "--format=%ct", "--stdin", "--"], boundary).split()
    return datetime.fromtimestamp(min(map(int, dates)), UTC).date().isoformat()


def is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", older, newer)
        return True
    except git.GitCommandError as err:
        if err.status == 1:
            return False
        raise


def tags(repo: git.Repo) -> list[Tag]:
    """Every tag of a commit with its date, from one for-each-ref process. A tag of a tree or a blob can
    bound no range: it is left out, with a warning naming it."""
    known = _known(repo)
    if known.tags is None:
        known.tags = _tags(repo)
    return list(known.tags)


def _tags(repo: git.Repo) -> list[Tag]:
    out = repo.git.for_each_ref(
        "--format=%(refname:strip=2)%00%(objecttype)%00%(*objecttype)%00%(taggerdate:unix)%00%(committerdate:unix)"
        "%00%(objectname)",
        "refs/tags",
    )
    entries = [line.split("\0") for line in out.splitlines()]
    # `*objecttype` peels one level: a tag of a tag is peeled to the end by git itself.
    nested = _peeled_types(repo, [name for name, kind, peeled, *_ in entries if kind == peeled == "tag"])
    found = []
    for name, kind, peeled, tagger, committer, oid in entries:
        target = nested.get(name, peeled) if kind == "tag" else kind
        if target != "commit":
            warning(
                f"tag {name!r} of {repo_name(repo)} points to a {target or 'missing object'}, not a commit: left out"
            )
            continue
        date = tagger if kind == "tag" else committer
        if date:
            found.append(Tag(name, int(date), oid))
    return found


def _peeled_types(repo: git.Repo, names: Sequence[str]) -> dict[str, str]:
    """{tag name: the type of the object it names at the end of its chain of tags}, from one process that
    reads the names on stdin."""
    if not names:
        return {}
    proc = repo.git.cat_file("--batch-check=%(objecttype)", as_process=True, istream=subprocess.PIPE)
    requests = "".join(f"refs/tags/{name}^{{}}\n" for name in names)
    threading.Thread(target=_feed, args=(proc.stdin, requests), daemon=True).start()
    try:
        return {name: decoded(proc.stdout.readline()).split(" ")[-1].strip() for name in names}
    finally:
        proc.stdout.close()
        proc.wait()


def show_file(repo: git.Repo, ref: str, path: str) -> str | None:
    """The text of `path` at `ref`, or None when the ref has no such file."""
    commit = resolve(repo, ref)
    try:
        text: str = repo.git.cat_file("blob", f"{commit}:{path}", strip_newline_in_stdout=False)
        return text
    except git.GitCommandError:
        return None


def blob_lines(
    repo: git.Repo, commit: str, paths: Sequence[str], longest: int
) -> Iterator[tuple[str, Iterator[str] | None]]:
    """For each of `paths` at `commit` (a commit hash), in order: its lines as `decoded` text, each with its
    "\n", or None where the tree holds no file there; from one `cat-file --batch` process, read as it
    streams, so a large file never lies in memory whole. Lines a consumer leaves unread are skipped; a line
    longer than `longest` bytes is refused (one line could otherwise be the whole file)."""
    proc = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    requests = "".join(f"{commit}:{path}\n" for path in paths if "\n" not in path)
    threading.Thread(target=_feed, args=(proc.stdin, requests), daemon=True).start()
    try:
        for path in paths:
            if "\n" in path:  # the batch protocol cannot name it: asked alone
                alone = blobs_at(repo, [(commit, path)]).get((commit, path))
                yield path, None if alone is None else iter(_Blob(io.BytesIO(alone), len(alone), path, longest))
                continue
            header = proc.stdout.readline().split()
            if len(header) != 3:  # "<name> missing"
                yield path, None
                continue
            blob = _Blob(proc.stdout, int(header[2]), path, longest)
            yield path, iter(blob) if header[1] == b"blob" else None
            blob.skip()
    finally:
        proc.proc.kill()
        proc.proc.wait()


class _Blob:
    """One object of a `cat-file --batch` stream, line by line; its end is the size git announced."""

    def __init__(self, stream: IO[bytes], size: int, path: str, longest: int) -> None:
        self.stream, self.left, self.path, self.longest = stream, size, path, longest

    def __iter__(self) -> Iterator[str]:
        number = 0
        while self.left > 0:
            line = self._read(self.stream.readline(min(self.left, self.longest + 2)))
            number += 1
            if len(line.removesuffix(b"\n")) > self.longest:
                raise UserError(f"{quoted(self.path)}: line {number} is longer than {self.longest:,} bytes: refused")
            yield decoded(line)

    def skip(self) -> None:
        while self.left > 0:
            self._read(self.stream.read(min(self.left, 1 << 16)))
        self.stream.read(1)  # the newline after each object

    def _read(self, data: bytes) -> bytes:
        if not data:
            raise UserError("git cat-file ended inside a file")
        self.left -= len(data)
        return data


def blobs_at(repo: git.Repo, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    """{(commit, path): content} of the files that exist, from one `cat-file --batch` process (a path
    with a newline, which that protocol cannot name, is asked for alone)."""
    batch = [w for w in wanted if "\n" not in w[1]]
    found = {}
    for commit, path in wanted:
        if "\n" in path:
            try:
                found[(commit, path)] = repo.git.cat_file("blob", f"{commit}:{path}", stdout_as_string=False)
            except git.GitCommandError:
                continue
    proc = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    requests = "".join(f"{commit}:{path}\n" for commit, path in batch)
    threading.Thread(target=_feed, args=(proc.stdin, requests), daemon=True).start()
    try:
        for key in batch:
            header = proc.stdout.readline().split()
            if len(header) != 3:  # "<name> missing"
                continue
            data = proc.stdout.read(int(header[2]) + 1)[:-1]
            if header[1] == b"blob":
                found[key] = data
    finally:
        proc.proc.kill()
        proc.proc.wait()
    return found


def tree_dirs(repo: git.Repo, ref: str) -> set[str]:
    """Every directory at `ref` (MAINTAINERS patterns that name a directory get a trailing slash)."""
    out = repo.git.ls_tree("-r", "-d", "--name-only", "-z", resolve(repo, ref))
    return set(filter(None, out.split("\0")))


def symlinks(repo: git.Repo, ref: str) -> frozenset[str]:
    """The paths at `ref` that git stores as symbolic links (mode 120000; their blob is the target)."""
    return _with_modes(repo, ref, (b"120000 ",))


def regular_files(repo: git.Repo, ref: str) -> frozenset[str]:
    """The paths at `ref` that git stores as files (modes 100644, 100755): no symbolic link, no submodule."""
    return _with_modes(repo, ref, (b"100644 ", b"100755 "))


def _with_modes(repo: git.Repo, ref: str, modes: tuple[bytes, ...]) -> frozenset[str]:
    out = repo.git.ls_tree("-r", "-z", resolve(repo, ref), stdout_as_string=False)
    entries = (decoded(entry) for entry in out.split(b"\0") if entry.startswith(modes))
    return frozenset(entry.partition("\t")[2] for entry in entries)


def count_files(repo: git.Repo, commit: str, pathspecs: Sequence[str] | None) -> int:
    """How many files `pathspecs` select at `commit` (all of them for None): the tree against the empty
    tree, as git's own pathspec matching (magic included) lists it, without reading a blob."""
    empty = repo.git.hash_object("-t", "tree", "--stdin", istream=subprocess.DEVNULL)

    def ask(specs: Sequence[str]) -> dict[None, frozenset[str]]:
        out = repo.git.diff_tree("-r", "--name-only", "--no-renames", "-z", empty, commit, "--", *specs)
        return {None: frozenset(filter(None, out.split("\0")))}

    return len(in_chunks(pathspecs or (), ask)[None])


def tree_files(repo: git.Repo, ref: str) -> list[str]:
    out = repo.git.ls_tree("-r", "--name-only", "-z", resolve(repo, ref))
    return list(filter(None, out.split("\0")))


def log(
    repo: git.Repo,
    revisions: Sequence[str],
    pathspecs: Sequence[str] | None = None,
    *,
    numstat: bool = True,
    files: bool = False,
    mailmap: bool = False,
    trailers: bool = False,
    options: Sequence[str] = (),
    progress: Progress | None = None,
    rows: list[bytes] | None = None,
) -> Iterator[Commit]:
    """Commits of `git log OPTIONS REVISIONS -- PATHSPECS`, newest first, as git orders them.

    With `numstat`, each commit carries its insertions and deletions (within the pathspecs, renames
    paired as git pairs them there); with `files`, also its changed files; with `trailers`, its
    trailers. Merges have no diff, as in plain `git log`. `rows` receives each commit's cache row
    (`cache.walk_row`), cut from git's own bytes as they come.
    """
    tail, stdin = _fed_paths(revisions, pathspecs or ())
    args = [*_log_options(numstat, mailmap, trailers), *options, "--stdin", *tail]
    yield from _stream(repo, args, files, progress, stdin, trailers, rows)


def log_commits(
    repo: git.Repo,
    hashes: Sequence[str],
    files: bool = False,
    progress: Progress | None = None,
    pathspecs: Sequence[str] = (),
) -> Iterator[Commit]:
    """The given commits, each with its own diff (within `pathspecs`, if given: then a commit that changes
    nothing there is left out, as `git log` leaves it out), in the given order (no walk)."""
    if not hashes:  # git would read none and show HEAD
        return
    tail, stdin = _fed_paths(hashes, pathspecs)
    yield from _stream(
        repo, [*_log_options(True, False), "--no-walk=unsorted", "--stdin", *tail], files, progress, stdin
    )


def count(repo: git.Repo, revisions: Sequence[str]) -> int:
    """`git rev-list --count REVISIONS`: how many commits a walk of them examines (cheap: no diffs)."""
    options, refs = _options_apart(revisions)
    return int(fed(repo, "rev_list", ["--count", *options, "--stdin", "--"], refs))


def rev_list(repo: git.Repo, revisions: Sequence[str]) -> tuple[list[str], set[str]]:
    """Commit hashes of the revisions, in the order `git log` shows them, and the boundary: the excluded
    commits that are parents of listed ones."""
    hashes, boundary = [], set()
    options, refs = _options_apart(revisions)
    for line in fed(repo, "rev_list", ["--boundary", *options, "--stdin", "--"], refs).split():
        if line.startswith("-"):
            boundary.add(line[1:])
        else:
            hashes.append(line)
    return hashes, boundary


def _options_apart(revisions: Sequence[str]) -> tuple[list[str], list[str]]:
    """(options, revisions) of a list of both: git takes no option on its standard input, and no ref
    starts with '-' (check_ref)."""
    return [r for r in revisions if r.startswith("-")], [r for r in revisions if not r.startswith("-")]


def _log_options(numstat: bool, mailmap: bool, trailers: bool = False) -> list[str]:
    fmt = _FORMAT.format(name="%aN" if mailmap else "%an", email="%aE" if mailmap else "%ae")
    fmt += _TRAILERS if trailers else ""
    return ["-z", f"--format={fmt}"] + (["--numstat"] if numstat else [])


def _feed(pipe: IO[bytes], text: str) -> None:
    try:
        pipe.write(encoded(text))
    except BrokenPipeError:  # git died; its exit status says why
        pass
    finally:
        pipe.close()


def _stream(
    repo: git.Repo,
    args: list[str],
    keep_files: bool,
    progress: Progress | None,
    stdin: str | None = None,
    trailers: bool = False,
    rows: list[bytes] | None = None,
) -> Iterator[Commit]:
    proc = repo.git.log(*args, as_process=True, istream=subprocess.PIPE if stdin is not None else None)
    _widen(proc.stdout)
    if stdin is not None:
        # A separate writer, so git never blocks on a full stdout while we block on its stdin.
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    count = 0
    try:
        for commit in _commits(proc.stdout, keep_files, trailers, rows):
            yield commit
            count += 1
            if progress and count % 1000 == 0:
                progress(count)
    except _Malformed as err:
        raise UserError(f"git log output not understood in {repo_name(repo)}: {err}") from None
    else:
        stderr = proc.stderr.read().decode(errors="replace")
        if proc.proc.wait() != 0:
            raise UserError(f"git log failed in {repo_name(repo)}: {_first_line(stderr)}")
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
            proc.proc.wait()
    if progress:
        progress(count)


def _widen(pipe: IO[bytes]) -> None:
    """Let git write ahead while the output already read is parsed (Linux pipes hold 64 KiB by default)."""
    # Not Linux, or above /proc/sys/fs/pipe-max-size: the default is fine.
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE)


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return re.sub(r"^(fatal|error): ", "", lines[0]) if lines else "unknown error"


class _Malformed(Exception):
    """git log output that does not follow the requested format."""


def _commits(
    stream: io.BufferedIOBase, keep_files: bool, trailers: bool, rows: list[bytes] | None = None
) -> Iterator[Commit]:
    """The commits of a `git log -z --format=_FORMAT[_TRAILERS] [--numstat]` stream, as they arrive; with
    `rows`, each one's cache row too: its header fields are the row's first six as git wrote them (a fifth
    of the parser's time when made again from the record).

    git goes on writing into the pipe, widened (`_widen`), while a read's worth is parsed: the two overlap."""
    record = _RECORD[trailers]
    pending, pos, eof = b"", 0, False
    while not eof:
        chunk = stream.read(max(_READ, len(pending) - pos))  # a record longer than a read: read ahead
        eof = not chunk
        pending = pending[pos:] + (chunk or _SENTINEL)
        pos = 0
        while found := record.match(pending, pos):
            commit = _commit(found.groups()[: _HEADER_FIELDS + trailers + 1], keep_files, trailers)
            if rows is not None:
                counts = b"\0%d\0%d" % (commit.insertions, commit.deletions)
                rows.append(pending[pos : found.end(_HEADER_FIELDS)] + counts)
            yield commit
            pos = found.end()
    if pending[pos:] != _SENTINEL:
        raise _Malformed(f"unexpected output {pending[pos : pos + 80]!r}")


def _commit(fields: tuple[bytes, ...], keep_files: bool, trailers: bool) -> Commit:
    hash_, parents, name, email, atime, ctime, *rest = fields
    entries = rest[-1] or b""
    insertions, deletions = numstat_totals(entries) if entries else (0, 0)
    # Positional: keywords cost a fifth of the parse (80,000 commits a kernel year).
    return Commit(
        hash_.decode(),
        tuple(parents.decode().split()),
        decoded(name),
        decoded(email),
        int(atime),
        int(ctime),
        insertions,
        deletions,
        entries if keep_files else b"",
        _trailers(rest[0]) if trailers else (),
    )


def _trailers(field: bytes) -> tuple[tuple[str, str], ...]:
    pairs = (decoded(line).partition(":") for line in field.split(b"\n") if line)
    return tuple((key, value) for key, _, value in pairs)


def check_mailmap(repo: git.Repo, contacts: Iterable[str]) -> dict[str, str]:
    """{`Name <email>` or `<email>`: what the repository's mailmap makes of it}, from one git process.

    The mailmap is git's own (.mailmap, mailmap.file, mailmap.blob), as `git shortlog` and `%aN` read it.
    """
    asked = sorted(set(contacts))
    if not asked:
        return {}
    # One contact per line: a newline in a contact would be read as two, so none is passed.
    lines = [c for c in asked if "\n" not in c]
    out = repo.git.check_mailmap("--stdin", istream=subprocess.PIPE, as_process=True)
    answer, errors = out.proc.communicate(encoded("".join(c + "\n" for c in lines)))
    if out.proc.returncode != 0:
        raise UserError(
            f"git check-mailmap failed in {repo_name(repo)}: {_first_line(errors.decode(errors='replace'))}"
        )
    mapped = decoded(answer).split("\n")
    return dict(zip(lines, mapped, strict=False)) | {c: c for c in asked if "\n" in c}


def commit_time(repo: git.Repo, ref: str) -> int:
    """The committer date of the commit `ref` names."""
    return int(repo.git.log("-1", "--format=%ct", resolve(repo, ref), "--"))


def log_fields(
    repo: git.Repo,
    fmt: Sequence[str],
    revisions: Sequence[str],
    options: Sequence[str] = (),
    pathspecs: Sequence[str] = (),
) -> list[tuple[str, ...]]:
    """Each commit of `git log -z OPTIONS REVISIONS -- PATHSPECS` as the values of the placeholders `fmt` (`%B`, say,
    for its message), from one process. Revisions go to git's standard input (there may be thousands of
    hashes; `--no-walk=unsorted` in `options` gives exactly those commits)."""
    if not revisions:  # git would read none and show HEAD
        return []
    fields = "%x00".join(fmt)
    tail, stdin = _fed_paths([check_ref(r) for r in revisions], pathspecs)
    proc = repo.git.log(
        "-z", f"--format={fields}", *options, "--stdin", *tail, as_process=True, istream=subprocess.PIPE
    )
    out, errors = proc.proc.communicate(encoded(stdin))
    if proc.proc.returncode != 0:
        raise UserError(f"git log failed in {repo_name(repo)}: {_first_line(errors.decode(errors='replace'))}")
    values = decoded(out).split("\0")
    values.pop()  # after the last commit's terminator (--format ends each commit's output with one)
    if len(values) % len(fmt):
        raise UserError(f"git log output not understood in {repo_name(repo)}: {len(values)} fields")
    return [tuple(values[i : i + len(fmt)]) for i in range(0, len(values), len(fmt))]


NAME_REV_BATCH = 4096  # commits per name-rev process: 170 KB of arguments, well under any system's limit


def _glob_literal(name: str) -> str:
    """`name` as a pattern that matches only itself (git's wildmatch escapes with a backslash)."""
    return re.sub(r"([*?[\\])", r"\\\1", name)


def first_tags(repo: git.Repo, hashes: Sequence[str], tags: Sequence[str]) -> dict[str, str]:
    """{hash: the oldest of `tags` that contains it} for the commits some of them contain, from one
    `git name-rev` process: name-rev names a commit after the tag with the oldest date (the tagger's, or a
    lightweight tag's commit's) among those that reach it."""
    if not hashes or not tags:
        return {}
    patterns = [f"--refs=refs/tags/{_glob_literal(t)}" for t in tags]
    _bounded(patterns, "tags of the tag pattern")  # name-rev reads no --refs on its standard input
    found = {}
    # Commits named on the command line (on its standard input name-rev would walk the whole history: it
    # stops at the oldest asked commit's date only for those), so a few thousand at a time.
    for start in range(0, len(hashes), NAME_REV_BATCH):
        for line in repo.git.name_rev(*patterns, *hashes[start : start + NAME_REV_BATCH]).splitlines():
            commit, _, name = line.partition(" ")
            if name != "undefined":
                found[commit] = re.split(r"[~^]", name.removeprefix("tags/"), maxsplit=1)[0]
    return found
