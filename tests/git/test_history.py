"""Whole-repository walks answered three ways (git walking each range with its diffs, rev-list and the
cache, a walk started ahead) give the same commits as plain git, and the cache keeps them exactly."""

from __future__ import annotations

import itertools
import re
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gitcheck import git

from reporter.errors import UserError
from reporter.git import cache as cache_module
from reporter.git import walk
from reporter.git.cache import Cache
from reporter.git.history import History, Resolved, chains, split_chain
from reporter.model import Commit, PathSet, RevRange
from reporter.progress import Progress

REFS = ["v0.9", "v1.0", "v1.1", "v1.2", "v1.3", "v1.4-rc2"]
PREVIOUS = ["v0.9-rc1", "v0.9"]
WHOLE = PathSet("all")


def ranges(refs: list[str]) -> list[RevRange]:
    return [RevRange(a, b) for a, b in itertools.pairwise(refs)]


def plain_git(repo: Path, r: RevRange) -> list[tuple[str, str, int]]:
    """(hash, parents, lines) of every commit of `git log --numstat A..B`, newest first, as git lists them."""
    out = git(repo, "log", "--format=@%H %P", "--numstat", f"{r.start}..{r.end}")
    found: list[tuple[str, str, int]] = []
    for line in out.splitlines():
        if line.startswith("@"):
            hash_, _, parents = line[1:].partition(" ")
            found.append((hash_, parents, 0))
        elif line.strip():
            added, deleted, _ = line.split("\t", 2)
            lines = 0 if added == "-" else int(added) + int(deleted)
            found[-1] = (found[-1][0], found[-1][1], found[-1][2] + lines)
    return found


def shown(commits: list[Commit]) -> list[tuple[str, str, int]]:
    return [(c.hash, " ".join(c.parents), c.lines) for c in commits]


def test_walked_listed_and_uncached_answers_equal_git(kernel_repo: Path, tmp_path: Path) -> None:
    wanted = ranges(REFS)
    repo = walk.open_repo(kernel_repo)
    cold = History(repo, cache=Cache(tmp_path / "a"), jobs=2).commits(wanted, [WHOLE], files=True)
    # The boundaries already held: every range is listed by rev-list, and its commits read from the cache.
    listed = History(repo, cache=Cache(tmp_path / "a"), jobs=2).commits(wanted, [WHOLE], files=True)
    uncached = History(repo, cache=None, jobs=2).commits(wanted, [WHOLE], files=True)
    for r in wanted:
        expected = plain_git(kernel_repo, r)
        assert expected
        for answer in (cold, listed, uncached):
            assert shown(answer[(r, "all")]) == expected, r
        assert [c.files for c in cold[(r, "all")]] == [c.files for c in uncached[(r, "all")]]
        assert [c.files for c in listed[(r, "all")]] == [c.files for c in uncached[(r, "all")]]


def test_a_prefetched_year_is_walked_behind_and_equals_git(kernel_repo: Path, tmp_path: Path) -> None:
    history = History(walk.open_repo(kernel_repo), cache=Cache(tmp_path / "cache"), jobs=2)
    history.prefetch(ranges(PREVIOUS) + [RevRange(REFS[0], REFS[1])])
    history.commits(ranges(REFS), [WHOLE])
    before = {r: history.resolve(r) for r in ranges(PREVIOUS)}
    assert set(before.values()) <= set(history._walking)  # started behind this year's walks
    later = history.commits(ranges(PREVIOUS), [WHOLE])
    for r in ranges(PREVIOUS):
        assert shown(later[(r, "all")]) == plain_git(kernel_repo, r)
    assert not history._walking  # each taken once


def test_the_walk_cache_keeps_every_field(tmp_path: Path) -> None:
    commits = [
        Commit("a" * 40, ("b" * 40, "c" * 40), "N\udcffme", "e@x", 1, 2, 3, 4, b"", (("Reviewed-by", "R <r@x>"),)),
        Commit("d" * 40, (), "", "", 0, 0, 0, 0),
        Commit("e" * 40, ("f" * 40,), "Tab\tName", "t@x", 5, 6, 7, 8, b"", ()),
    ]
    cache = Cache(tmp_path)
    cache.add_walk("k", commits)
    assert cache.walk("k") == commits


@pytest.mark.parametrize("numstat", [True, False])
@pytest.mark.parametrize("mailmap", [True, False])
@pytest.mark.parametrize("trailers", [True, False])
def test_the_rows_cut_from_gits_output_are_the_cache_rows(
    tmp_path: Path, numstat: bool, mailmap: bool, trailers: bool
) -> None:
    """A walk's cache rows are cut from git's bytes as they come; each equals the row made from its record,
    whatever the identities hold (bytes that are no UTF-8, tabs, an empty email, a mailmapped name), for
    roots, merges, binary files and commits with no diff."""
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))

    def data(text: bytes) -> bytes:
        return b"data %d\n%s\n" % (len(text), text)

    stream = b"".join(
        [
            b"commit refs/heads/main\nmark :1\nauthor N\xffme\tX <> 1 +0000\ncommitter C <c@x> 1 +0000\n",
            data(b"root\n") + b"M 644 inline a\n" + data(b"a\n") + b"M 644 inline bin\n" + data(b"\x00\x01\n"),
            b"commit refs/heads/side\nmark :2\nauthor Old Name <old@x> 2 +0000\n",
            b"committer C <c@x> 2 +0000\n" + data(b"side\n\nReviewed-by: R <r@x>\n") + b"from :1\n",
            b"M 644 inline a\n" + data(b"a\nb\n"),
            b"commit refs/heads/main\nmark :3\nauthor B <b@x> 3 +0000\ncommitter C <c@x> 3 +0000\n",
            data(b"empty\n") + b"from :1\n",
            b"commit refs/heads/main\nmark :4\nauthor B <b@x> 4 +0000\n",
            b"committer C <c@x> 4 +0000\n" + data(b"merge\n") + b"from :3\nmerge :2\n",
        ]
    )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True)
    (repo / ".mailmap").write_text("New Name <new@x> <old@x>\n")
    git(repo, "add", ".mailmap")
    git(repo, "-c", "user.name=M", "-c", "user.email=m@x", "commit", "-q", "-m", "mailmap")
    rows: list[bytes] = []
    commits = list(
        walk.log(walk.open_repo(repo), ["main"], numstat=numstat, mailmap=mailmap, trailers=trailers, rows=rows)
    )
    assert len(commits) == 5
    assert rows == [cache_module.walk_row(c) for c in commits]
    assert any(c.author_name == ("New Name" if mailmap else "Old Name") for c in commits)


def test_arguments_go_in_runs_that_each_fit_a_command_line() -> None:
    names = [f"+refs/heads/{n:06d}-{'x' * 60}:refs/heads/{n:06d}-{'x' * 60}" for n in range(8_000)]
    runs = walk.chunks(names, "refspecs")
    assert [name for run in runs for name in run] == names
    assert len(runs) > 1 and all(sum(len(n) + 1 for n in run) <= walk.ARGV_BUDGET for run in runs)
    too_long = "x" * (walk.ARG_MOST + 1)
    with pytest.raises(UserError, match=r"^2 of 4 refspecs longer than one git argument"):
        walk.chunks(["a", too_long, "b", too_long], "refspecs")


def test_bundles_keep_every_commit_and_lose_only_what_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits are kept a bundle at a time (two here); a damaged row loses its commit alone, a bundle whose
    sizes do not fit its rows loses its own commits, and the other bundles still answer."""
    monkeypatch.setattr(cache_module, "BUNDLE", 2)
    files = [b"1\t2\tp\0", b"-\t-\t\0old\0n\tew\0", b""]
    commits = [
        Commit(f"{i:040x}", (f"{i + 1:040x}",), "N\udcffme", "e@x", i, i, i, 2 * i, files[i % 3]) for i in range(7)
    ]
    cache = Cache(tmp_path)
    cache.add_commits(commits[:3])
    assert cache.held([c.hash for c in commits]) == {c.hash for c in commits[:3]}
    cache.add_commits(commits[3:])  # the same Cache looks again
    assert cache.commits([c.hash for c in commits]) == {c.hash: c for c in commits}
    db = sqlite3.connect(tmp_path / "commits.sqlite")
    sizes, first = db.execute("SELECT sizes, data FROM bundles WHERE id = 1").fetchone()
    second = int(sizes.split()[0])  # where commit 1's row starts: its hash, made another
    db.execute("UPDATE bundles SET data = ? WHERE id = 1", (first[:second] + b"x" + first[second + 1 :],))
    db.execute("UPDATE bundles SET sizes = '1 2' WHERE id = 3")  # commits 3 and 4
    db.commit()
    db.close()
    found = Cache(tmp_path).commits([c.hash for c in commits])
    assert found == {c.hash: c for i, c in enumerate(commits) if i not in (1, 3, 4)}


def test_a_walk_ahead_counts_in_the_progress_once_taken(
    kernel_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # steady lines, and a last one that says "(done)"
    shown = Progress("walking linux")
    history = History(walk.open_repo(kernel_repo), cache=Cache(tmp_path / "cache"), jobs=2, progress=shown)
    history.prefetch(ranges(PREVIOUS))
    history.commits(ranges(REFS), [WHOLE])
    history.commits(ranges(PREVIOUS), [WHOLE])
    done = [line for line in capsys.readouterr().err.splitlines() if line.endswith("(done)")]
    this_year = int(git(kernel_repo, "rev-list", "--count", f"{REFS[0]}..{REFS[-1]}"))
    last_year = int(git(kernel_repo, "rev-list", "--count", f"{PREVIOUS[0]}..{PREVIOUS[-1]}"))
    # This year's walks done at their own total (not a share of last year's too), then last year's added.
    assert [re.sub(r" \(100%\).*", "", line) for line in done] == [
        f"walking linux: {this_year}/{this_year} commits",
        f"walking linux: {this_year + last_year}/{this_year + last_year} commits",
    ]


def test_a_walk_with_trailers_answers_the_same_walk_without_them(
    kernel_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's ranking walks with the trailers its review credits read; the employers' ranking, the
    same walk without them, is then answered by the cache (no git walk), with the same commits as git."""
    history = History(walk.open_repo(kernel_repo), cache=Cache(tmp_path / "cache"), jobs=2)
    rev = history.resolve(RevRange(REFS[0], REFS[-1]))
    first = history.log(rev, ["mm/"], ["--no-merges"], numstat=False, trailers=True)

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked again")

    monkeypatch.setattr(walk, "log", no_walk)
    again = history.log(rev, ["mm/"], ["--no-merges"], numstat=False)
    hashes = git(kernel_repo, "log", "--no-merges", "--format=%H", f"{REFS[0]}..{REFS[-1]}", "--", "mm/").split()
    assert [c.hash for c in again] == [c.hash for c in first] == hashes
    assert any(c.trailers for c in first)


def test_a_walk_beside_the_tables_does_not_end_their_progress(
    kernel_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A walk run beside `commits()` from another thread (the report's ranking beside its tables): whichever
    ends first leaves the progress open for the other, so every "(done)" line counts all there was to do."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    history = History(
        walk.open_repo(kernel_repo), cache=Cache(tmp_path / "cache"), jobs=2, progress=Progress("walking linux")
    )
    rev = history.resolve(RevRange(REFS[0], REFS[-1]))
    # The walk beside runs while the tables' first walk waits for it: both under way together, and the one
    # beside ends first (a premature end would show a "(done)" line short of the total).
    started, finished = threading.Event(), threading.Event()
    log = walk.log

    def together(*args: Any, **kwargs: Any) -> Any:
        if (args[2] if len(args) > 2 else kwargs.get("pathspecs")) is None:
            started.set()
            finished.wait(60)
        else:
            started.wait(60)
        return log(*args, **kwargs)

    monkeypatch.setattr(walk, "log", together)
    with ThreadPoolExecutor(max_workers=1) as side:
        beside = side.submit(history.log, rev, ["mm/"], ["--no-merges"], False, False, True)
        beside.add_done_callback(lambda _: finished.set())
        history.commits(ranges(REFS), [WHOLE])
        beside.result()
    done = [line for line in capsys.readouterr().err.splitlines() if line.endswith("(done)")]
    assert done
    for line in done:
        counted = re.search(r": (\d+)/(\d+) commits", line)
        assert counted is not None and counted[1] == counted[2], line


def test_a_chain_of_ranges_is_walked_once_and_split_exactly(kernel_repo: Path, tmp_path: Path) -> None:
    """Consecutive ranges are one git walk, each range read out of it by the parents: the commits of each
    equal its own `git log --numstat`; a chain that is not linear (v1.3 is not in v1.2's history) is not
    split, and each of its ranges is walked on its own (History.commits, any order of refs)."""
    repo = walk.open_repo(kernel_repo)
    history = History(repo, cache=None, jobs=2)
    linear = [history.resolve(r) for r in ranges(REFS)]
    assert chains(linear, 2) == [linear[:3], linear[3:]] and chains(linear, 1) == [linear]
    whole = Resolved(linear[0].start, linear[-1].end)
    parts = split_chain(list(walk.log(repo, whole.revisions(), files=True)), linear)
    assert parts is not None
    for r, rev in zip(ranges(REFS), linear, strict=True):
        assert sorted(shown(parts[rev])) == sorted(plain_git(kernel_repo, r)), r
    crooked_refs = ["v1.1-rc1", "v1.3", "v1.2", "v1.4-rc2"]
    crooked = [history.resolve(r) for r in ranges(crooked_refs)]
    span = Resolved(crooked[0].start, crooked[-1].end)
    assert split_chain(list(walk.log(repo, span.revisions(), files=True)), crooked) is None
    found = History(repo, cache=Cache(tmp_path / "cache"), jobs=2).commits(ranges(crooked_refs), [WHOLE])
    for r in ranges(crooked_refs):
        assert shown(found[(r, "all")]) == plain_git(kernel_repo, r), r


def test_a_walk_still_being_kept_answers_a_later_question_once_kept(
    kernel_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chain walk's cache write still queued (the writer held back) is waited for by a later question on
    one of its ranges, which the kept walk then answers: git does not walk the range again."""
    repo = walk.open_repo(kernel_repo)
    history = History(repo, cache=Cache(tmp_path / "cache"), jobs=2)
    release = threading.Event()
    history._writer.submit(release.wait)  # every write queued behind this waits for the release
    wanted = ranges(REFS)
    with history.walking(wanted):
        pass
    for future in list(history._walking.values()):
        future.result()  # walked and split; their writes queued
    walked_again: list[object] = []
    real_log = walk.log

    def counting_log(*args: Any, **kwargs: Any) -> Any:
        walked_again.append(args[1])
        return real_log(*args, **kwargs)

    monkeypatch.setattr(walk, "log", counting_log)
    threading.Timer(0.3, release.set).start()
    found = history.log(history.resolve(wanted[1]), numstat=False)
    history.close()
    assert walked_again == []
    assert sorted(shown(found)) == sorted(plain_git(kernel_repo, wanted[1]))


def test_walks_started_ahead_are_stopped_when_the_request_fails(
    kernel_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables' walks start before MAINTAINERS is read; an unknown section then fails the request, and
    the walks end at once (their git processes killed), not when git is done, and leave nothing cached."""
    endless, closed = threading.Event(), threading.Event()
    log = walk.log

    def slow(*args: Any, **kwargs: Any) -> Any:
        first = next(iter(log(*args, **kwargs)))
        try:
            while True:  # a walk that would not end by itself
                endless.set()
                yield first
        finally:
            closed.set()

    monkeypatch.setattr(walk, "log", slow)
    history = History(walk.open_repo(kernel_repo), cache=Cache(tmp_path / "cache"), jobs=2)
    with pytest.raises(UserError, match="no such section"), history.walking(ranges(REFS)):
        assert endless.wait(30)
        raise UserError("no such section")
    assert closed.wait(30)
    assert history.cache is not None and history.cache.held([history.resolve(r).end for r in ranges(REFS)]) == set()
    # The History walks again when asked.
    monkeypatch.setattr(walk, "log", log)
    found = history.commits(ranges(REFS), [WHOLE])
    for r in ranges(REFS):
        assert shown(found[(r, "all")]) == plain_git(kernel_repo, r), r


def test_tables_of_an_unknown_section_with_walks_started_are_one_line(kernel_repo: Path, tmp_path: Path) -> None:
    """The CLI, walks started ahead: one line naming the section, exit status 2, no traceback."""
    refs = tmp_path / "refs"
    refs.write_text("\n".join(REFS) + "\n")
    command = [sys.executable, "-m", "reporter", "table", "lines", str(kernel_repo), "--refs", str(refs)]
    command += ["--subsystem", "NO SUCH SECTION", "--cache-dir", str(tmp_path / "c")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "NO SUCH SECTION" in result.stderr, result.stderr


def test_refs_resolved_together_answer_as_one_by_one(kernel_repo: Path) -> None:
    """A History resolves the refs it does not know in one git process; a range or an unknown ref among
    them gets `walk.resolve`'s own answer (its error, for the unknown one)."""
    repo = walk.open_repo(kernel_repo)
    head = git(kernel_repo, "rev-parse", "HEAD").strip()
    refs = [*REFS, head, "HEAD~2", REFS[0]]
    expected = {ref: git(kernel_repo, "rev-parse", "--verify", f"{ref}^{{commit}}").strip() for ref in refs}
    assert walk.resolve_all(repo, refs) == expected
    assert History(repo).hashes(refs) == expected
    with pytest.raises(UserError, match=re.escape("unknown ref 'v9.9'")):
        History(repo).hashes([REFS[0], "v9.9", REFS[1]])
    with pytest.raises(UserError, match="unknown ref"):  # not two commits, as rev-parse lists a range
        walk.resolve_all(repo, [REFS[0], f"{REFS[0]}..{REFS[1]}"])


def test_refs_and_tags_are_asked_once_per_opened_repository(kernel_repo: Path, tmp_path: Path) -> None:
    """A run asks git once for each ref and for the tags; a repository opened again, or forgotten (after a
    fetch), is asked again, so a moved tag is seen as git sees it."""
    import shutil

    copy = tmp_path / "linux"
    shutil.copytree(kernel_repo, copy, symlinks=True)
    repo = walk.open_repo(copy)
    before = walk.resolve(repo, "v1.1")
    dates = {t.name: t.date for t in walk.tags(repo)}
    git(copy, "tag", "-f", "v1.1", "v1.0")  # moved
    moved = git(copy, "rev-parse", "v1.0^{commit}").strip()
    assert walk.resolve(repo, "v1.1") == before  # this run's answers, not asked again
    assert {t.name: t.date for t in walk.tags(repo)} == dates
    walk.forget(repo)
    assert walk.resolve(repo, "v1.1") == moved and walk.resolve(walk.open_repo(copy), "v1.1") == moved
    assert {t.name: t.date for t in walk.tags(repo)}["v1.1"] == dates["v1.0"]
