"""The on-disk cache of walked commits, so that a later run walks only what is new.

Three tables, each keyed by content that never changes once written:
- `bundles`: commits with their own diffs (all files, renames as an unlimited diff pairs them), a walk's
  worth in a few rows, with the hashes they hold (one row per commit cost a kernel year's walk more CPU
  than all its other bookkeeping: an index entry each);
- `walks`: the result of one path-limited walk, by the resolved range, pathspecs and options (its
  membership depends on history simplification, so it cannot be cut out of per-commit records);
- `ancestry`: whether one commit is an ancestor of another;
- `answers`: other answers of git's that the commits and objects asked about determine (JSON), by those.
A cache written by another schema, retrospect or git version, or one that sqlite cannot read, is deleted and
rebuilt.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Sequence
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

import git

from reporter import __version__
from reporter.errors import UserError
from reporter.model import NUMSTAT_ENTRY, Commit, decoded, encoded

SCHEMA_VERSION = 6


# The cache root's named subdirectories (the commit cache is `commits.sqlite` in the root itself).
CLONES = "repos"  # clones of the configured repositories, fetched into by `report`
HTTP = "http"  # Repology and pypistats answers
GITHUB = "github"  # GitHub API answers


def root(cache_dir: Path | None = None) -> Path:
    """`--cache-dir`, else `$XDG_CACHE_HOME/retrospect` (default `~/.cache/retrospect`): every cache is under it."""
    if cache_dir is not None:
        return cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "retrospect"


# A commit is its fields, NUL-separated (no field holds a NUL): a walk keeps them row by row, tens of
# thousands read and written in one go, after the number of its commits and the trailers of each as JSON
# (empty when none has any); a bundle keeps the same rows, each with the commit's numstat entries as git
# wrote them after it. One encoding serves both, so a walk's rows are made once.
def walk_row(commit: Commit) -> bytes:
    """One commit as the cache keeps it (its trailers and changed files aside)."""
    # One string built at once (made for every commit of every walk).
    return encoded(
        f"{commit.hash}\0{' '.join(commit.parents)}\0{commit.author_name}\0{commit.author_email}\0"
        f"{commit.author_time}\0{commit.committer_time}\0{commit.insertions}\0{commit.deletions}"
    )


_FIELDS = 8


def _pack_walk(commits: Sequence[Commit], rows: Sequence[bytes]) -> bytes:
    trailers = json.dumps([c.trailers for c in commits]) if any(map(attrgetter("trailers"), commits)) else ""
    # Not compressed: zlib would take longer than the rest of the encoding, for half the size.
    return b"\0".join(itertools.chain([b"%d" % len(commits), encoded(trailers)], rows))


def _unpack_walk(blob: bytes) -> list[Commit]:
    try:
        size, trailers, *fields = decoded(blob).split("\0")
        n = int(size)
        pairs = [tuple((str(k), str(v)) for k, v in tr) for tr in json.loads(trailers)] if trailers else [()] * n
    except ValueError as err:
        raise _Unreadable from err
    if len(fields) != _FIELDS * n or len(pairs) != n:
        raise _Unreadable
    hashes, parents, names, emails = (fields[i::_FIELDS] for i in range(4))
    numbers = [map(int, fields[i::_FIELDS]) for i in range(4, _FIELDS)]
    rows = zip(hashes, map(str.split, parents), names, emails, *numbers, strict=True)
    return [
        Commit(h, tuple(p), name, email, at, ct, ins, dels, b"", tr)
        for (h, p, name, email, at, ct, ins, dels), tr in zip(rows, pairs, strict=True)
    ]


_ENTRIES = re.compile(rb"(?:%s)*" % NUMSTAT_ENTRY)
# Commits per bundle: a lookup of a few commits reads a few megabytes at most, and no value nears sqlite's
# limit (1 GB) however long the walk.
BUNDLE = 10_000


def _bundle(hashes: Sequence[str], rows: Sequence[bytes]) -> tuple[bytes, bytes, bytes]:
    """(hashes, sizes, data) of one bundle: the hashes and each row's size, space-separated, and the rows."""
    return " ".join(hashes).encode(), " ".join(map(str, map(len, rows))).encode(), b"".join(rows)


def _unbundle(sizes: bytes, data: bytes) -> list[bytes]:
    """A bundle's rows, in the order of its hashes."""
    try:
        ends = list(itertools.accumulate(map(int, sizes.split())))
    except (AttributeError, ValueError) as err:
        raise _Unreadable from err
    if not isinstance(data, bytes) or (ends[-1] if ends else 0) != len(data):
        raise _Unreadable
    return [data[start:end] for start, end in itertools.pairwise([0, *ends])]


def _from_row(hash_: str, data: bytes) -> Commit:
    fields = data.split(b"\0", _FIELDS)
    if len(fields) != _FIELDS + 1:
        raise ValueError("not a commit row")
    stored, parents, name, email, atime, ctime, ins, dels, files = fields
    if stored != hash_.encode() or not _ENTRIES.fullmatch(files):
        raise ValueError("a field holds something else")
    return Commit(
        hash_,
        tuple(parents.decode().split()),
        decoded(name),
        decoded(email),
        int(atime),
        int(ctime),
        int(ins),
        int(dels),
        files,
    )


class _Unreadable(Exception):
    """A stored value that does not decode: treated as absent, then overwritten."""


@lru_cache(maxsize=1)
def _stamp() -> str:
    return f"retrospect {__version__}; git {'.'.join(map(str, git.Git().version_info))}"


class Cache:
    """A sqlite file shared by threads of one process (each call takes the lock) and by processes."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "commits.sqlite"
        self._lock = threading.Lock()
        self._read_only = False
        # {hash: bundle} of the bundles up to `_indexed`, read as lookups need them.
        self._index: dict[str, int] = {}
        self._indexed = 0
        try:
            directory.mkdir(parents=True, exist_ok=True)
            try:
                self._db = self._open()
            except sqlite3.DatabaseError:  # not a database (any more): start afresh
                self.path.unlink(missing_ok=True)
                self._db = self._open()
        except (OSError, sqlite3.Error) as err:
            raise UserError(f"cannot use the cache at {self.path}: {err} (use --cache-dir or --no-cache)") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        stamp = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
        if version != SCHEMA_VERSION or stamp != (_stamp(),):
            # Written by another schema, retrospect or git (whose diffs it holds): not to be trusted.
            db.executescript(
                "DROP TABLE IF EXISTS commits; DROP TABLE IF EXISTS bundles; DROP TABLE IF EXISTS walks;"
                " DROP TABLE IF EXISTS ancestry; DROP TABLE IF EXISTS answers;"
            )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (_stamp(),))
        db.executescript(
            "CREATE TABLE IF NOT EXISTS bundles (id INTEGER PRIMARY KEY, hashes BLOB NOT NULL, sizes BLOB NOT NULL,"
            " data BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS walks (key TEXT PRIMARY KEY, data BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS ancestry (older TEXT, newer TEXT, result INTEGER NOT NULL,"
            " PRIMARY KEY (older, newer));"
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, data TEXT NOT NULL);"
        )
        db.commit()
        return db

    def commits(self, hashes: Sequence[str]) -> dict[str, Commit]:
        found: dict[str, Commit] = {}
        wanted: dict[int, list[str]] = {}
        with self._lock:
            where = self._where()
            for hash_ in hashes:
                if hash_ in where:
                    wanted.setdefault(where[hash_], []).append(hash_)
            stored = {
                b: self._db.execute("SELECT hashes, sizes, data FROM bundles WHERE id = ?", (b,)).fetchone()
                for b in wanted
            }
        for bundle, asked in wanted.items():
            try:
                names, sizes, data = stored[bundle]
                rows = dict(zip(names.decode().split(), _unbundle(sizes, data), strict=True))
            except (_Unreadable, TypeError, ValueError, AttributeError, UnicodeDecodeError):
                continue  # not as written: its commits walked again, then kept anew
            for hash_ in asked:
                with contextlib.suppress(TypeError, ValueError, AttributeError, KeyError):
                    found[hash_] = _from_row(hash_, rows[hash_])
        return found

    def held(self, hashes: Sequence[str]) -> set[str]:
        """Which of the commits the cache holds."""
        with self._lock:
            where = self._where()
            return {h for h in hashes if h in where}

    def _where(self) -> dict[str, int]:
        """{hash: bundle} of every commit kept, the latest bundle holding it (under the lock): the bundles
        written since the last lookup (by this process or another) are read then. Made without a loop in
        Python: a run's first lookup (the range ends the walks start from) reads a kernel year's 80,000."""
        for bundle, hashes in self._db.execute(
            "SELECT id, hashes FROM bundles WHERE id > ? ORDER BY id", (self._indexed,)
        ):
            if isinstance(hashes, bytes):
                self._index.update(dict.fromkeys(hashes.decode(errors="replace").split(), bundle))
            self._indexed = bundle
        return self._index

    def add_commits(self, commits: Sequence[Commit], rows: Sequence[bytes] | None = None) -> None:
        """Commits with their changed files; `rows` are their `walk_row`s when the caller has made them."""
        rows = [walk_row(c) for c in commits] if rows is None else rows
        data = [row + b"\0" + c.numstat for c, row in zip(commits, rows, strict=True)]
        bundles = [
            _bundle([c.hash for c in commits[i : i + BUNDLE]], data[i : i + BUNDLE])
            for i in range(0, len(commits), BUNDLE)
        ]
        self._write("INSERT INTO bundles (hashes, sizes, data) VALUES (?, ?, ?)", bundles)

    def _write(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """One transaction. When it fails (a full disk, a read-only file), it is rolled back, so the cache
        stays as it was, and this run goes on without writing to it: the cache saves time, never a number."""
        with self._lock:
            if self._read_only:
                return
            try:
                self._db.executemany(statement, rows)
                self._db.commit()
            except sqlite3.Error as err:
                self._db.rollback()
                self._read_only = True
                print(f"retrospect: warning: not writing the cache at {self.path} any more: {err}", file=sys.stderr)

    def walk(self, key: str) -> list[Commit] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM walks WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return _unpack_walk(row[0])
        except (_Unreadable, TypeError, ValueError):
            return None

    def add_walk(self, key: str, commits: Sequence[Commit], rows: Sequence[bytes] | None = None) -> None:
        """A walk's commits, without their changed files (whole-repository ones are kept per commit); `rows`
        are their `walk_row`s when the caller has made them already."""
        blob = _pack_walk(commits, [walk_row(c) for c in commits] if rows is None else rows)
        self._write("INSERT OR REPLACE INTO walks VALUES (?, ?)", [(key, blob)])

    def ancestry(self, older: str, newer: str) -> bool | None:
        """Whether commit `older` is an ancestor of `newer`, if that was asked before (it never changes)."""
        with self._lock:
            row = self._db.execute(
                "SELECT result FROM ancestry WHERE older = ? AND newer = ?", (older, newer)
            ).fetchone()
        return None if row is None else bool(row[0])

    def add_ancestry(self, older: str, newer: str, result: bool) -> None:
        self._write("INSERT OR REPLACE INTO ancestry VALUES (?, ?, ?)", [(older, newer, int(result))])

    def answer(self, key: str) -> object:
        """The JSON value kept under `key` (None when there is none, or it does not read)."""
        with self._lock:
            row = self._db.execute("SELECT data FROM answers WHERE key = ?", (key,)).fetchone()
        try:
            found: object = json.loads(row[0]) if row is not None else None
        except (TypeError, ValueError):
            return None
        return found

    def add_answer(self, key: str, value: object) -> None:
        self._write("INSERT OR REPLACE INTO answers VALUES (?, ?)", [(key, json.dumps(value))])

    def close(self) -> None:
        with self._lock:
            self._db.close()
