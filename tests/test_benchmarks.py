"""The benchmark's repository generator: deterministic, with Linux-like tags and a kernel MAINTAINERS."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

GENREPO = Path(__file__).resolve().parent.parent / "benchmarks" / "genrepo.py"
TINY = "300"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def generate(out: Path) -> Path:
    subprocess.run([sys.executable, str(GENREPO), "--commits", TINY, "--out", str(out), "--quiet"], check=True)
    return out


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("genrepo")
    return generate(base / "one"), generate(base / "two")


def tags(repo: Path) -> list[tuple[str, str, str, str]]:
    """(name, object type, tagged commit, tagger date) of every tag."""
    fmt = "%(refname:short) %(objecttype) %(*objectname) %(taggerdate:iso-strict)"
    return [tuple(line.split(" ")) for line in git(repo, "for-each-ref", f"--format={fmt}", "refs/tags").splitlines()]


def test_two_generations_are_identical(repos: tuple[Path, Path]) -> None:
    one, two = repos
    assert git(one, "rev-parse", "HEAD") == git(two, "rev-parse", "HEAD")
    assert tags(one) == tags(two)
    assert len(tags(one)) == 60


def test_a_different_seed_gives_a_different_history(tmp_path: Path, repos: tuple[Path, Path]) -> None:
    other = tmp_path / "other"
    subprocess.run(
        [sys.executable, str(GENREPO), "--commits", TINY, "--seed", "7", "--out", str(other), "--quiet"], check=True
    )
    assert git(other, "rev-parse", "HEAD") != git(repos[0], "rev-parse", "HEAD")


def year_refs(repo: Path, year: int) -> list[str]:
    """The field notes' boundary rule, applied to the tags' dates."""
    dated = sorted((datetime.fromisoformat(date).astimezone(UTC), name) for name, _, _, date in tags(repo))
    start_of_year = datetime(year, 1, 1, tzinfo=UTC)
    end_of_year = datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC)
    start = max(d for d in dated if d[0] < start_of_year)
    end = max(d for d in dated if d[0] <= end_of_year)
    own_release = re.sub(r"-rc\d+$", "", start[1])
    between = [n for d, n in dated if start[0] < d < end[0] and re.fullmatch(r"v\d+\.\d+", n) and n != own_release]
    return [start[1], *between, end[1]]


def test_tags_are_annotated_and_dated_like_linux(repos: tuple[Path, Path]) -> None:
    repo = repos[0]
    by_name = {name: (kind, date) for name, kind, _, date in tags(repo)}
    assert all(kind == "tag" for kind, _ in by_name.values())
    for name, day in (
        ("v6.1", "2022-12-11"),
        ("v6.2-rc1", "2022-12-25"),
        ("v6.3", "2023-04-23"),
        ("v6.4", "2023-06-25"),
        ("v6.5", "2023-08-27"),
        ("v6.6", "2023-10-30"),
        ("v6.7-rc8", "2023-12-31"),
        ("v6.7", "2024-01-07"),
    ):
        assert by_name[name][1].startswith(day), name
    assert year_refs(repo, 2023) == ["v6.2-rc1", "v6.3", "v6.4", "v6.5", "v6.6", "v6.7-rc8"]
    # The year's range is mostly first-parent merges of topic branches, and non-merge commits.
    assert int(git(repo, "rev-list", "--count", "--merges", "v6.2-rc1..v6.7-rc8")) > 0
    assert int(git(repo, "rev-list", "--count", "--no-merges", "v6.2-rc1..v6.7-rc8")) > 150


def test_maintainers_has_the_kernel_layout(repos: tuple[Path, Path]) -> None:
    text = git(repos[0], "show", "v6.7-rc8:MAINTAINERS")
    header, _, sections = text.partition("\nMaintainers List\n----------------\n")
    assert "F:\tdrivers/net/\tall files in and below drivers/net" in header
    paragraphs = [p.split("\n") for p in sections.split("\n\n") if p.strip() and not p.startswith(".. note")]
    by_title = {lines[0]: lines[1:] for lines in paragraphs}
    assert len(by_title) > 300
    assert by_title["DATA ACCESS MONITOR"][0] == "M:\tSeongJae Park <sj@kernel.org>"
    assert [e for e in by_title["DATA ACCESS MONITOR"] if e.startswith("F:")] == [
        "F:\tDocumentation/admin-guide/mm/damon/",
        "F:\tinclude/linux/damon.h",
        "F:\tmm/damon/",
        "F:\tsamples/damon/",
        "F:\ttools/testing/selftests/damon/",
    ]
    assert by_title["MEMORY MANAGEMENT"][0] == "M:\tAndrew Morton <akpm@linux-foundation.org>"
    assert [e for e in by_title["MEMORY MANAGEMENT"] if e.startswith("F:")] == [
        "F:\tinclude/linux/mm.h",
        "F:\tmm/",
        "F:\ttools/testing/selftests/mm/",
    ]
    entries = [e.split(":")[0] for lines in paragraphs for e in lines[1:]]
    assert {"F", "X", "N"} <= set(entries)
    files = git(repos[0], "ls-tree", "-r", "--name-only", "v6.7-rc8").splitlines()
    assert len(files) > 3000
    assert any(f.startswith("mm/damon/") for f in files) and any(f.endswith(".bin") for f in files)


def load_genrepo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("genrepo", GENREPO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["genrepo"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_series_change_only_the_messages(
    tmp_path: Path, repos: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generation whose messages name no series has the same commits but for their messages: the same
    trees, parents' trees, identities and dates, so every figure but the series' is the same."""
    genrepo = load_genrepo()
    monkeypatch.setattr(genrepo.Poster, "messages", lambda self, drafts, mm_tree: [d.message("", None) for d in drafts])
    plain = tmp_path / "plain"
    genrepo.generate(plain, int(TINY), genrepo.DEFAULT_SEED, quiet=True)
    fmt = "--format=%T %an <%ae> %ad %cn <%ce> %cd %s"
    assert git(plain, "log", fmt, "--date=raw", "--all") == git(repos[0], "log", fmt, "--date=raw", "--all")
    assert "Link:" not in git(plain, "log", "--format=%B", "--all")
    assert git(plain, "log", "--format=%B", "--all") != git(repos[0], "log", "--format=%B", "--all")


def test_patch_series_as_git_send_email_numbers_them(repos: tuple[Path, Path]) -> None:
    """Each cover letter's posting: its patches share STAMP.PID-K-SENDER's key, K from 2 (the cover letter is
    1) to N+1 for `This patch (of N):`; other links are lore's, and some patches have none."""
    repo = repos[0]
    links = re.findall(r"^Link: https://(\S+)/(\d{14}\.\d+)-(\d+)-(\S+@\S+)$", git(repo, "log", "--format=%B"), re.M)
    assert {host for host, *_ in links} == {"lkml.kernel.org/r", "lore.kernel.org/r"}
    places: dict[tuple[str, str], list[int]] = {}
    for _, stamp, k, sender in links:
        places.setdefault((stamp, sender), []).append(int(k))
    covers = 0
    for body in git(repo, "log", "--format=%B%x00", '--grep=^Patch series "').split("\0")[:-1]:
        parts = int(re.search(r"^This patch \(of (\d+)\):$", body, re.M).group(1))  # type: ignore[union-attr]
        stamp, k, sender = re.search(r"/(\d{14}\.\d+)-(\d+)-(\S+)$", body, re.M).groups()  # type: ignore[union-attr]
        assert k == "2" and sorted(places[stamp, sender]) == list(range(2, parts + 2))
        covers += 1
    assert covers > 2
    patches = int(git(repo, "rev-list", "--count", "--no-merges", "--all"))
    assert len(links) < patches - 60  # the Linux X.Y commits, and some patches without Link
