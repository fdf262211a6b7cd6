"""Patch series: grouped and dated as plain git tells (`git log --grep`, `git tag --contains`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from command_json import output
from gitcheck import RELEASE_TAG as TAG
from gitcheck import expected, first_tag, git, tag_date

from reporter.cli import main
from reporter.kernel import series

YEAR = "v1.1-rc1..v1.4-rc2"


def series_json(capsys: pytest.CaptureFixture[str], repo: Path, span: str) -> list[dict]:
    assert main(["series", str(repo), "--range", span, "--subsystem", "DATA ACCESS MONITOR", "--format", "json"]) == 0
    series: list[dict] = output("series", capsys.readouterr().out)["series"]
    return series


def test_series_and_first_tags_equal_plain_git(series_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = series_json(capsys, series_repo, YEAR)
    want = expected(series_repo, YEAR)
    got = {
        s["title"]: {
            "patches": sorted(p["hash"] for p in s["patches"]),
            "tag": s["tag"],
            "tags": [t["tag"] for t in s["tags"]],
        }
        for s in found
    }
    assert got == {w["title"]: {k: v for k, v in w.items() if k != "title"} for w in want.values()}
    dates = [s["tag_date"] for s in found if s["tag_date"] is not None]
    assert dates == sorted(dates)  # in release order
    for s in found:
        if s["tag"]:
            assert s["tag_date"] == tag_date(series_repo, s["tag"])


def test_the_odd_series(series_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = {s["title"]: s for s in series_json(capsys, series_repo, YEAR)}
    filters = found["mm/damon: implement DAMOS filters"]  # a wrapped title ending `", v3.`
    assert (filters["version"], filters["cover"], filters["tag"]) == (3, True, "v1.2-rc1")
    assert filters["link"] == "https://lore.kernel.org/r/20221205230830.144349-1-sj@kernel.org"
    assert found["mm/damon: implement pseudo-moving sum based access rate"]["version"] == 2
    helpers = found["mm: introduce folio access helpers"]  # its cover letter's patch is outside DAMON
    assert (helpers["subsystem_patches"], len(helpers["patches"]), helpers["lines"]) == (2, 4, 2)
    goals = found["mm/damon/sysfs: add quota goals"]  # split across two releases
    assert (goals["tag"], goals["split"], goals["tags"]) == (
        "v1.3",
        True,
        [{"tag": "v1.2", "patches": 3}, {"tag": "v1.3", "patches": 2}],
    )
    tuning = found["mm/damon: feedback-driven auto-tuning"]  # its last patch came after the year
    assert tuning["tag"] == "v1.5-rc1" and [t["tag"] for t in tuning["tags"]] == ["v1.4-rc2", "v1.5-rc1"]
    cleanups = found["mm/damon: cleanups"]  # announced 3 patches; the third was resent under a new stamp
    assert (cleanups["parts"], len(cleanups["patches"])) == (3, 2)
    resent = found["mm/damon: remove a dead check"]
    assert len(resent["patches"]) == 1 and resent["link"].endswith("/20230702050505.5005-1-alice@example.com")
    vmalloc = found["mm/damon: use vmalloc"]  # no cover letter: titled by its first patch
    assert (vmalloc["cover"], len(vmalloc["patches"])) == (False, 2)
    assert "mm/damon: implement DAMOS tried regions" not in found  # in v1.0..v1.1-rc1, before the year


def test_link_and_cover_parsing() -> None:
    found = series.message_id(
        ["https://bugzilla.kernel.org/show_bug.cgi?id=1", "https://lkml.kernel.org/r/20231130023652.50284-2-a-b@x.org"]
    )
    assert found == series.MessageId("20231130023652.50284-2-a-b@x.org", "20231130023652.50284 a-b@x.org", 2)
    assert found.with_place(1) == "20231130023652.50284-1-a-b@x.org"
    b4 = series.message_id(["https://patch.msgid.link/20240102-topic-v2-3-0a1b2c@kernel.org"])
    assert b4 is not None and (b4.key, b4.place) == ("20240102-topic-v2 0a1b2c@kernel.org", 3)
    other = series.message_id(["https://lore.kernel.org/damon/CAFoo%2Bbar@mail.gmail.com/"])
    assert other == series.MessageId("CAFoo+bar@mail.gmail.com", "CAFoo+bar@mail.gmail.com", None)
    assert series.message_id(["https://example.com/r/1-2-a@b"]) is None
    message = 'x\n\nPatch series "mm: a "quoted" word and a\nwrapped title", v12.\n\nText.\n\nThis patch (of 7):\n'
    letter = series.cover(message)
    assert letter == series.Cover('mm: a "quoted" word and a wrapped title', 12, 7)
    assert series.cover("Patch series of mine") is None
    assert series.cover('Patch series "t".\n') == series.Cover("t", None, None)


def test_first_tags_in_batches_equal_one_pass(series_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reporter.git import walk

    repo = walk.open_repo(series_repo)
    hashes = git(series_repo, "log", "--no-merges", "--format=%H", "v1.0..v1.5-rc1").split()
    tags = [t.name for t in sorted(walk.tags(repo), key=lambda t: t.date) if TAG.match(t.name)]
    whole = walk.first_tags(repo, hashes, tags)
    monkeypatch.setattr(walk, "NAME_REV_BATCH", 3)
    assert walk.first_tags(repo, hashes, tags) == whole and len(whole) == len(hashes)
    assert all(first_tag(series_repo, h) == whole[h] for h in hashes[:: max(1, len(hashes) // 10)])


def test_cached_first_tags_follow_added_and_moved_tags(
    series_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run on the cache names each commit as git does now (`git tag --contains`), without asking git
    again while the commits and the tags' objects are the same; an added or a moved tag is asked again."""
    import shutil

    from reporter.git import walk
    from reporter.git.cache import Cache
    from reporter.git.history import History

    repo_dir = tmp_path / "linux"
    shutil.copytree(series_repo, repo_dir, symlinks=True)
    hashes = git(repo_dir, "log", "--no-merges", "--format=%H", "v1.0..v1.5-rc1").split()
    asked: list[int] = []
    name_rev = walk.first_tags
    monkeypatch.setattr(walk, "first_tags", lambda *args: asked.append(1) or name_rev(*args))

    def run() -> dict[str, str]:
        repo = walk.open_repo(repo_dir)
        tags = [t for t in sorted(walk.tags(repo), key=lambda t: t.date) if TAG.match(t.name)]
        with History(repo, cache=Cache(tmp_path / "cache"), jobs=2) as history:
            return history.first_tags(hashes, tags)

    def plain_git() -> dict[str, str]:
        return {h: tag for h in hashes if (tag := first_tag(repo_dir, h)) is not None}

    cold = run()
    assert cold == plain_git() and len(asked) == 1
    assert run() == cold and len(asked) == 1  # warm: from the cache
    # An annotated tag older than every other, on a commit of the middle: the first tag of its history.
    env = os.environ | {"GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000"}
    middle = hashes[len(hashes) // 2]
    subprocess.run(["git", "tag", "-a", "-m", "old", "v0.0", middle], cwd=repo_dir, check=True, env=env)
    added = run()
    assert added == plain_git() and added != cold and len(asked) == 2
    # The same name on an older commit (a moved tag): only its object changed.
    subprocess.run(["git", "tag", "-f", "-a", "-m", "moved", "v0.0", hashes[-3]], cwd=repo_dir, check=True, env=env)
    moved = run()
    assert moved == plain_git() and moved != added and len(asked) == 3
    assert run() == moved and len(asked) == 3


def test_series_on_the_cache_equal_a_walk_without_it(
    series_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Link trailers of the window's commits are read once: a warm run answers from the cache as a run
    without it does, and a new tag in the window (another window) reads them again."""
    import shutil

    from reporter.git import walk

    repo = tmp_path / "linux"
    shutil.copytree(series_repo, repo, symlinks=True)
    scans: list[int] = []
    fields = walk.log_fields

    def counted(repo: object, fmt: list[str], *args: object) -> list[tuple[str, ...]]:
        scans.extend([1] if any("trailers:key=Link" in f for f in fmt) else [])
        return fields(repo, fmt, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(walk, "log_fields", counted)
    cold = series_json(capsys, repo, YEAR)
    assert series_json(capsys, repo, YEAR) == cold and len(scans) == 1
    git(repo, "tag", "v1.9-rc1", "v1.5-rc1^")  # a candidate tag more: another window
    warm = series_json(capsys, repo, YEAR)
    assert len(scans) == 2
    assert (
        main(
            [
                "series",
                str(repo),
                "--range",
                YEAR,
                "--subsystem",
                "DATA ACCESS MONITOR",
                "--format",
                "json",
                "--no-cache",
            ]
        )
        == 0
    )
    assert output("series", capsys.readouterr().out)["series"] == warm
