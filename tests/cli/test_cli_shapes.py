"""The command line's shapes: options that take one value each (REPO after them stays REPO), compact dates."""

from __future__ import annotations

import dataclasses
import shlex
import subprocess
from pathlib import Path

import pytest

from reporter.cli import build_parser, main
from reporter.kernel.ranges import parse_date
from reporter.render.post import _Commands
from reporter.report.config import PathSetConfig, default


@pytest.mark.parametrize(
    ("args", "field", "values"),
    [
        (["authors", "--subsystem", "DATA ACCESS MONITOR", "REPO"], "subsystems", ["DATA ACCESS MONITOR"]),
        (["authors", "--subsystem", "A", "--subsystem", "B", "REPO"], "subsystems", ["A", "B"]),
        (["authors", "--paths", "mm/", "REPO"], "paths", ["mm/"]),
        (["authors", "--exclude", "B Person", "--exclude", "c@y.org", "REPO"], "exclude", ["B Person", "c@y.org"]),
        (["credits", "--subsystem", "X", "REPO"], "subsystems", ["X"]),
        (["employers", "--paths", "mm/", "REPO"], "paths", ["mm/"]),
        (["table", "community", "--maintainer", "sj", "REPO", "--year", "2023"], "maintainer", ["sj"]),
        # authors.py's own spellings take several values, as it does.
        (["authors", "REPO", "--linux_subsystems", "A", "B"], "subsystems", ["A", "B"]),
        (["authors", "REPO", "--files", "mm/", "include/"], "paths", ["mm/", "include/"]),
        (["authors", "REPO", "--subsystem", "A", "--linux_subsystems", "B", "C"], "subsystems", ["A", "B", "C"]),
    ],
)
def test_an_option_takes_one_value_and_repo_stays_repo(args: list[str], field: str, values: list[str]) -> None:
    """`--subsystem TITLE REPO` took REPO for a second title and then missed REPO."""
    parsed = build_parser().parse_args(args)
    assert parsed.repo == "REPO" and getattr(parsed, field) == values


def test_a_compact_date_is_its_dashed_form() -> None:
    """`--until 20231231` stopped at 00:00:00 of that day, dropping its commits."""
    for compact, dashed in [("20231231", "2023-12-31"), ("20230101", "2023-01-01")]:
        assert parse_date(compact) == parse_date(dashed)
        assert parse_date(compact, end_of_day=True) == parse_date(dashed, end_of_day=True)
    assert parse_date("20231231T120000", end_of_day=True) == parse_date("2023-12-31T12:00:00")


def test_until_a_compact_date_counts_as_git_does(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The generated history has two commits on 2023-08-27, after midnight."""
    git = ["git", "-C", str(kernel_repo), "log", "--format=%H", "--until=2023-08-27 23:59:59 +0000"]
    expected = len(subprocess.run(git, capture_output=True, text=True, check=True).stdout.split())
    footers = []
    for until in ("20230827", "2023-08-27"):
        assert main(["authors", str(kernel_repo), "--until", until, "--quiet"]) == 0
        footers.append(capsys.readouterr().out.splitlines()[-1])
    assert footers[0] == footers[1] and footers[0].endswith(f", {expected} commits in total")


def test_the_posts_command_for_a_path_subsystem_parses() -> None:
    """The post prints the command of its console blocks: several paths are one --paths each."""
    config = default()
    kernel = dataclasses.replace(
        config.kernel, subsystem=PathSetConfig("damon", paths=["mm/damon/", "include/linux/damon.h"])
    )
    command = _Commands(dataclasses.replace(config, kernel=kernel)).authors(["v6.6", "v6.7"])
    parsed = build_parser().parse_args(shlex.split(command)[1:])
    assert parsed.repo == "./linux" and parsed.paths == ["mm/damon/", "include/linux/damon.h"]
