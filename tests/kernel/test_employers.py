"""`retrospect employers`: commits per employer from a gitdm-style map, each figure checked against git log."""

from __future__ import annotations

from pathlib import Path

import pytest
from command_json import output
from gitcheck import count
from kernelrepo import Builder, ts

from reporter.cli import main
from reporter.errors import UserError
from reporter.kernel.employers import parse_map

ALICE = ("Alice Mover", "alice@corp.example")  # OldCorp until June 2023, then Corp (by her domain)
BOB = ("Bob Sub", "bob@mail.sub.example")  # a parent domain in the map
CAROL = ("Carol Home", "carol@gmail.com")  # a mail provider: (Unknown)
DAVE = ("Dave Free", "DAVE@Unknown.Example")  # no map entry: his domain, listed as unmapped
EVE = ("Eve Named", "eve@gmail.com")  # a provider address the map names

MAP = """\
# employer map (gitdm EmailMap form)
corp.example            Corp
alice@corp.example      Old Corp < 2023-06-01
sub.example\tSub Inc   # a comment
eve@gmail.com           Eve Corp
"""

COMMITS = [  # in date order, so that git's --since and --before cut where the dates say
    (ALICE, "2023-02-01"),
    (BOB, "2023-03-01"),
    (CAROL, "2023-04-01"),
    (DAVE, "2023-04-02"),
    (ALICE, "2023-05-31"),
    (ALICE, "2023-06-01"),
    (DAVE, "2023-07-01"),
    (DAVE, "2023-08-01"),
    (EVE, "2023-09-01"),
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("employers") / "repo")
    for i, (who, day) in enumerate(COMMITS):
        b.commit(f"c{i}", who, ts(f"{day}T12:00:00"), files={f"{'mm' if i % 2 else 'doc'}/f{i}": "x\n" * (i + 1)})
    return b.path


def employers(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["employers", *args, "--quiet"]) == 0
    return capsys.readouterr().out


def test_counts_equal_git(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "map").write_text(MAP)
    data = output("employers", employers(capsys, str(repo), "--map", str(tmp_path / "map"), "--format", "json"))
    got = {e["employer"]: e["commits"] for e in data["employers"]}
    alice = "--author=<alice@corp.example>"
    assert (
        got
        == {
            "Old Corp": count(repo, alice, "--before=2023-06-01 00:00:00 +0000"),
            "Corp": count(repo, alice, "--since=2023-06-01 00:00:00 +0000"),
            "Sub Inc": count(repo, "--author=@mail.sub.example>"),
            "(Unknown)": count(repo, "--author=<carol@gmail.com>"),
            "unknown.example": count(repo, "--regexp-ignore-case", "--author=@unknown.example>"),
            "Eve Corp": count(repo, "--author=<eve@gmail.com>"),
        }
        == {"Old Corp": 2, "Corp": 1, "Sub Inc": 1, "(Unknown)": 1, "unknown.example": 3, "Eve Corp": 1}
    )
    assert data["total_commits"] == count(repo, "HEAD")
    assert data["unmapped_domains"] == [{"domain": "unknown.example", "commits": 3}]


def test_text_lines_and_paths(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "map").write_text(MAP)
    out = employers(capsys, str(repo), "--map", str(tmp_path / "map"), "--paths", "mm/", "--sortby", "lines")
    # mm/ has commits 1, 3, 5, 7 (with 2, 4, 6 and 8 lines): Bob, Dave, Alice (June), Dave
    assert out == (
        "1. unknown.example: 12 lines\n"
        "2. Corp: 6 lines\n"
        "3. Sub Inc: 2 lines\n"
        "# 3 employers, 20 lines in total; merges counted, 0 lines each (git log --numstat shows no diff for a merge)\n"
        "# domains not in the employer map, by commits: unknown.example (2)\n"
    )
    assert count(repo, "HEAD", "--", "mm/") == 4


def test_without_map(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = employers(capsys, str(repo), "--format", "md").splitlines()
    assert out[:4] == [
        "| # | employer | commits |",
        "| --- | --- | --: |",
        "| 1 | unknown.example | 3 |",  # a tie: Dave's newest commit comes first
        "| 2 | corp.example | 3 |",
    ]
    assert "| (Unknown) | 2 |" in "\n".join(out)


@pytest.mark.parametrize(
    "text",
    ["corp.example\n", "corp.example Corp < 2023-13-01\n", "corp.example Corp < soon\n", "@ Corp\n"],
)
def test_bad_map_lines(text: str) -> None:
    with pytest.raises(UserError, match=r"^m:1: "):
        parse_map(text, "m")


def test_bad_map_file(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["employers", str(repo), "--map", str(tmp_path / "absent"), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("retrospect: error: cannot read the employer map")
