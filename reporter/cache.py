"""The on-disk cache of walked commits, so that a later run walks only what is new.

Three tables, each keyed by content that never changes once written:
- `commits`: one commit's own diff (all files, renames as an unlimited diff pairs them), by hash;
- `walks`: the result of one path-limited walk, by the resolved range, pathspecs and options (its
  membership depends on history simplification, so it cannot be cut out of per-commit records);
- `ancestry`: whether one commit is an ancestor of another.
A cache written by another schema, retrospect or git version, or one that sqlite cannot read, is deleted and
rebuilt.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import git

from reporter import __version__, walk
from reporter.errors import UserError
from reporter.model import ChangedFile, Commit

SCHEMA_VERSION = 3


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


# A walk is one JSON list of commits without their changed files (with their trailers if it has them).
def _encode(commit: Commit) -> list[Any]:
    return [
        commit.hash,
        list(commit.parents),
        commit.author_name,
        commit.author_email,
        commit.author_time,
        commit.committer_time,
        commit.insertions,
        commit.deletions,
    ] + ([[list(pair) for pair in commit.trailers]] if commit.trailers else [])


def _decode(row: list[Any]) -> Commit:
    hash_, parents, name, email, atime, ctime, ins, dels, *rest = row
    trailers = tuple((str(key), str(value)) for key, value in rest[0]) if rest else ()
    return Commit(hash_, tuple(parents), name, email, atime, ctime, ins, dels, trailers=trailers)


# A commit row is columns, not JSON: tens of thousands are written in one go, and this is the hot path.
# Changed files are NUL-separated fields, five per file (paths cannot hold NUL).
def _row(commit: Commit) -> tuple[Any, ...]:
    fields: list[str] = []
    for f in commit.files:
        fields += [f.path, str(f.insertions), str(f.deletions), f.old_path or "", "b" if f.binary else ""]
    return (
        commit.hash,
        " ".join(commit.parents),
        walk.encoded(commit.author_name),
        walk.encoded(commit.author_email),
        commit.author_time,
        commit.committer_time,
        commit.insertions,
        commit.deletions,
        walk.encoded("\0".join(fields)),
    )


def _from_row(row: tuple[Any, ...]) -> Commit:
    hash_, parents, name, email, atime, ctime, ins, dels, files = row
    fields = walk.decoded(files).split("\0") if files else []
    changed = tuple(
        ChangedFile(fields[i], int(fields[i + 1]), int(fields[i + 2]), fields[i + 3] or None, fields[i + 4] == "b")
        for i in range(0, len(fields), 5)
    )
    if not all(isinstance(n, int) for n in (atime, ctime, ins, dels)):
        raise ValueError("a number column holds something else")
    return Commit(
        hash_, tuple(parents.split()), walk.decoded(name), walk.decoded(email), atime, ctime, ins, dels, changed
    )


def _pack(value: object) -> bytes:
    return zlib.compress(walk.encoded(json.dumps(value, separators=(",", ":"))), 1)


class _Unreadable(Exception):
    """A stored value that does not decode: treated as absent, then overwritten."""


def _unpack(blob: bytes) -> Any:  # JSON of any shape: the caller's decoding checks it
    try:
        return json.loads(walk.decoded(zlib.decompress(blob)))
    except (zlib.error, ValueError) as err:
        raise _Unreadable from err


@lru_cache(maxsize=1)
def _stamp() -> str:
    return f"retrospect {__version__}; git {'.'.join(map(str, git.Git().version_info))}"


class Cache:
    """A sqlite file shared by threads of one process (each call takes the lock) and by processes."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "commits.sqlite"
        self._lock = threading.Lock()
        self._read_only = False
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
            db.executescript("DROP TABLE IF EXISTS commits; DROP TABLE IF EXISTS walks; DROP TABLE IF EXISTS ancestry;")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (_stamp(),))
        db.executescript(
            "CREATE TABLE IF NOT EXISTS commits (hash TEXT PRIMARY KEY, parents TEXT NOT NULL, name BLOB NOT NULL,"
            " email BLOB NOT NULL, atime INTEGER NOT NULL, ctime INTEGER NOT NULL, ins INTEGER NOT NULL,"
            " dels INTEGER NOT NULL, files BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS walks (key TEXT PRIMARY KEY, data BLOB NOT NULL);"
            "CREATE TABLE IF NOT EXISTS ancestry (older TEXT, newer TEXT, result INTEGER NOT NULL,"
            " PRIMARY KEY (older, newer));"
        )
        db.commit()
        return db

    def commits(self, hashes: Sequence[str]) -> dict[str, Commit]:
        found: dict[str, Commit] = {}
        with self._lock:
            for i in range(0, len(hashes), 500):
                chunk = hashes[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"SELECT * FROM commits WHERE hash IN ({marks})", chunk):
                    try:
                        found[row[0]] = _from_row(row)
                    except (TypeError, ValueError, AttributeError, IndexError):
                        continue  # not as written: walked again, then overwritten
        return found

    def add_commits(self, commits: Iterable[Commit]) -> None:
        rows = [_row(c) for c in commits]
        self._write("INSERT OR REPLACE INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

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
            return [_decode(r) for r in _unpack(row[0])]
        except (_Unreadable, TypeError, ValueError):
            return None

    def add_walk(self, key: str, commits: Sequence[Commit]) -> None:
        """A walk's commits, without their changed files (whole-repository ones are kept per commit)."""
        blob = _pack([_encode(c) for c in commits])
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

    def close(self) -> None:
        with self._lock:
            self._db.close()
