"""Year boundaries from tag dates, on tags named and dated like Linux's."""

from __future__ import annotations

from pathlib import Path

import git
import pytest
from kernelrepo import SJ, Builder, ts

from reporter.cli import main
from reporter.git import walk
from reporter.kernel.ranges import DEFAULT_RELEASE_PATTERN, overlaps

LINUX_TAGS = [
    ("v6.1", "2022-12-11T22:15:00"),
    ("v6.2-rc1", "2022-12-25T22:00:00"),
    ("v6.2-rc8", "2023-02-12T22:00:00"),
    ("v6.2", "2023-02-19T23:00:00"),
    ("v6.3-rc1", "2023-03-05T22:00:00"),
    ("v6.3", "2023-04-23T19:00:00"),
    ("v6.4", "2023-06-25T23:00:00"),
    ("v6.5", "2023-08-27T21:00:00"),
    ("v6.6", "2023-10-30T06:00:00"),
    ("v6.7-rc1", "2023-11-12T23:00:00"),
    ("v6.7-rc8", "2023-12-31T21:58:00"),
    ("v6.7", "2024-01-07T20:00:00"),
    ("v6.8", "2024-03-10T21:00:00"),
    ("v6.13-rc1", "2024-12-01T22:00:00"),
    ("next-20231231", "2023-12-31T23:00:00"),
]


@pytest.fixture(scope="module")
def linux_tags(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("tags") / "linux")
    for i, (name, date) in enumerate(LINUX_TAGS):
        b.commit(name, SJ, ts(date) - 60, files={"Makefile": f"{name}\n"})
        b.tag(name, ts(date), annotated=i % 2 == 0)  # lightweight tags are dated by their commit
    return b.path


def ranges(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["ranges", *args]) == 0
    return capsys.readouterr().out.split()


def test_2023_matches_stat_branches(linux_tags: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ranges(capsys, str(linux_tags), "--year", "2023") == [
        "v6.2-rc1",
        "v6.3",
        "v6.4",
        "v6.5",
        "v6.6",
        "v6.7-rc8",
    ]


def test_cutoff_and_next_year(linux_tags: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ranges(capsys, str(linux_tags), "--year", "2023", "--cutoff", "2023-09-01") == [
        "v6.2-rc1",
        "v6.3",
        "v6.4",
        "v6.5",
    ]
    assert ranges(capsys, str(linux_tags), "--year", "2024") == ["v6.7-rc8", "v6.8", "v6.13-rc1"]


def test_output_is_a_valid_refs_file(linux_tags: Path, tmp_path: Path, capsys) -> None:
    refs = tmp_path / "stat_branches_2023"
    refs.write_text("\n".join(ranges(capsys, str(linux_tags), "--year", "2023")) + "\n")
    assert (
        main(
            [
                "table",
                "commits",
                str(linux_tags),
                "--refs",
                str(refs),
                "--subsystem",
                "path:Makefile",
                "--parent",
                "path:Makefile",
                "--quiet",
            ]
        )
        == 0
    )
    assert len(capsys.readouterr().out.splitlines()) == 1 + 5 + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # The regex as written (its repr doubled each backslash), and no cutoff that nobody gave.
        (["--year", "2030"], "no tag matching '^v\\d+\\.\\d+(-rc\\d+)?$' is dated in 2030\n"),
        (["--year", "2030", "--cutoff", "2030-06-30"], "is dated in 2030 up to 2030-06-30\n"),
        (["--year", "2022"], "is dated before 2022-01-01 to start 2022 from (the oldest, v6.1, is dated 2022-12-11)"),
        (["--year", "2023", "--cutoff", "2023-13-01"], "invalid date '2023-13-01'"),
        (["--year", "2023", "--release-pattern", "("], "invalid release pattern"),
    ],
)
def test_errors(linux_tags: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["ranges", str(linux_tags), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_patterns_that_match_no_tag_are_named(linux_tags: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ranges", str(linux_tags), "--year", "2023", "--tag-pattern", "^RELEASE-"]) == 2
    err = capsys.readouterr().err
    assert "the tag pattern '^RELEASE-' matches none of the 15 tags (the newest: v6.13-rc1, v6.8, v6.7)" in err
    assert main(["ranges", str(linux_tags), "--year", "2023", "--release-pattern", "^v7"]) == 2
    assert "the release pattern '^v7' matches none of the 15 tags" in capsys.readouterr().err


def test_boundaries_on_separate_branches_warn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Xen's releases are tagged on stable branches: consecutive boundaries are not ancestors of each other,
    so the rows overlap; the ranges still come out, with a warning naming the pair."""
    b = Builder(tmp_path / "xen")
    b.commit("root", SJ, ts("2022-01-01T00:00:00"), files={"Makefile": "0\n"})
    for minor, month in ((17, "2022-12"), (18, "2023-11"), (19, "2024-07")):
        b.git("checkout", "-q", "master")
        b.commit(f"dev {minor}", SJ, ts(f"{month}-01T00:00:00"), files={"Makefile": f"{minor}\n"})
        b.git("checkout", "-q", "-b", f"stable-4.{minor}")
        b.commit(f"release {minor}", SJ, ts(f"{month}-10T00:00:00"), files={"VERSION": f"4.{minor}\n"})
        b.tag(f"RELEASE-4.{minor}.0", ts(f"{month}-10T00:00:00"))
    pattern = r"^RELEASE-\d+\.\d+\.0$"
    args = ["ranges", str(b.path), "--year", "2024", "--tag-pattern", pattern, "--release-pattern", pattern]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["RELEASE-4.18.0", "RELEASE-4.19.0"]
    assert captured.err == (
        "retrospect: warning: RELEASE-4.18.0 is not an ancestor of RELEASE-4.19.0: the rows overlap (or miss "
        "commits) and do not add up to the total row\n"
    )
    assert main(["ranges", str(b.path), "--year", "2024", "--tag-pattern", "^RELEASE-"]) == 2
    assert f"the release pattern '{DEFAULT_RELEASE_PATTERN}' matches none of the 3 tags" in capsys.readouterr().err


def test_a_boundary_named_twice_is_paired_as_given(tmp_path: Path) -> None:
    """Explicit refs (a config's) may come back to an earlier boundary: each consecutive pair is checked,
    the second naming of a ref too, not one pair per distinct ref."""
    b = Builder(tmp_path / "xen")
    b.commit("root", SJ, ts("2022-01-01T00:00:00"), files={"Makefile": "0\n"})
    for minor, month in ((17, "2022-12"), (18, "2023-11")):
        b.git("checkout", "-q", "master")
        b.git("checkout", "-q", "-b", f"stable-4.{minor}")
        b.commit(f"release {minor}", SJ, ts(f"{month}-10T00:00:00"), files={"VERSION": f"4.{minor}\n"})
        b.tag(f"RELEASE-4.{minor}.0", ts(f"{month}-10T00:00:00"))
    repo = walk.open_repo(b.path)
    refs = ["RELEASE-4.17.0", "RELEASE-4.18.0", "RELEASE-4.17.0"]
    found = overlaps(repo, refs, walk.resolve_all(repo, refs), lambda a, b: walk.is_ancestor(repo, a, b))
    assert [line.split(":")[0] for line in found] == [
        "RELEASE-4.17.0 is not an ancestor of RELEASE-4.18.0",
        "RELEASE-4.18.0 is not an ancestor of RELEASE-4.17.0",
    ]


def test_tags_of_trees_and_blobs_are_left_out_with_a_warning(tmp_path: Path, capsys) -> None:
    """An annotated tag of a tree was the year's last tag, and the year failed with "unknown ref"."""
    b = Builder(tmp_path / "repo")
    b.commit("one", SJ, ts("2022-11-01T00:00:00"), files={"a": "1\n"})
    b.tag("v1.0", ts("2022-12-01T00:00:00"))
    b.commit("two", SJ, ts("2023-03-01T00:00:00"), files={"a": "2\n"})
    b.tag("v1.1", ts("2023-06-01T00:00:00"))
    late = {"GIT_COMMITTER_DATE": f"@{ts('2023-12-15T00:00:00')} +0000"}
    b.git("tag", "-a", "v1.2", "-m", "a tree", "HEAD^{tree}", env=late)
    b.git("tag", "-a", "v1.3", "-m", "a blob", "HEAD:a", env=late)
    b.git("tag", "v1.4", "HEAD^{tree}")
    b.git("tag", "-a", "v1.5", "-m", "a tag of a tree", "v1.2", env=late)
    b.git(
        "tag",
        "-a",
        "v1.6",
        "-m",
        "a tag of a commit's tag",
        "v1.1",
        env={"GIT_COMMITTER_DATE": f"@{ts('2023-11-01T00:00:00')} +0000"},
    )
    b.git(
        "tag",
        "-a",
        "v1.7",
        "-m",
        "a tag of a commit's tag's tag",
        "v1.6",
        env={"GIT_COMMITTER_DATE": f"@{ts('2023-12-01T00:00:00')} +0000"},
    )
    assert sorted(t.name for t in walk.tags(git.Repo(b.path))) == ["v1.0", "v1.1", "v1.6", "v1.7"]
    capsys.readouterr()
    assert main(["ranges", str(b.path), "--year", "2023", "--tag-pattern", r"^v\d+\.\d+$"]) == 0
    out, err = capsys.readouterr()
    assert out.split() == ["v1.0", "v1.1", "v1.6", "v1.7"]
    for name, kind in [("v1.2", "tree"), ("v1.3", "blob"), ("v1.4", "tree"), ("v1.5", "tree")]:
        assert err.count(f"tag {name!r} of repo points to a {kind}, not a commit") == 1, err
