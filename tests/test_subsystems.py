"""`retrospect subsystems`: every section from the shared whole-repository pass, checked against git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitcheck import count, git
from kernelrepo import MAINTAINERS

from reporter import maintainers
from reporter.cli import main


def test_every_section_equals_full_history_git_log(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--format", "json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["range"] == "v1.1-rc1..v1.4-rc2" and "full-history" in data["semantics"]
    files = git(kernel_repo, "ls-tree", "-r", "--name-only", "v1.4-rc2").splitlines()
    dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    by_title = {s.title: s for s in maintainers.parse(MAINTAINERS)}
    assert {row["section"] for row in data["sections"]} == set(by_title)
    for row in data["sections"]:
        specs = by_title[row["section"]].pathspecs(dirs, files)
        assert row["commits"] == count(
            kernel_repo, "--no-merges", "--full-history", "v1.1-rc1..v1.4-rc2", "--", *specs
        ), row["section"]
    counts = [row["commits"] for row in data["sections"]]
    assert counts == sorted(counts, reverse=True)
    # No rename crosses DRIVER FOO's files, so its lines are the plain numstat sum.
    foo = next(row for row in data["sections"] if row["section"] == "DRIVER FOO")
    numstat = git(
        kernel_repo,
        "log",
        "--no-merges",
        "--numstat",
        "--format=",
        "v1.1-rc1..v1.4-rc2",
        "--",
        *by_title["DRIVER FOO"].pathspecs(dirs, files),
    )
    assert foo["lines"] == sum(
        int(a) + int(d) for a, d, _ in (line.split("\t") for line in numstat.split("\n") if line)
    )


def test_top_and_text(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--top", "2", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("# v1.1-rc1..v1.4-rc2: 2 of 4 sections with commits; full-history semantics")
    assert lines[1] == "rank\tsection\tcommits\tlines\tauthors\tnon_maintainer_portion"
    assert len(lines) == 4 and lines[2].startswith("1\tMEMORY MANAGEMENT\t")
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--top", "0"]) == 2
