"""`retrospect subsystems`: every section from the shared whole-repository pass, checked against git."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from command_json import output
from gitcheck import count, git
from kernelrepo import MAINTAINERS

from reporter.cli import main
from reporter.kernel import maintainers


def test_every_section_equals_full_history_git_log(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--format", "json", "--quiet"]) == 0
    data = output("subsystems", capsys.readouterr().out)
    assert data["range"] == "v1.1-rc1..v1.4-rc2" and "full-history" in data["semantics"]
    commit = git(kernel_repo, "rev-parse", "v1.4-rc2^{commit}").strip()
    assert data["maintainers"] == {"ref": "v1.4-rc2", "commit": commit}  # where the sections were read
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
    # Lines are the --numstat sum of the same command: the docs renamed into DATA ACCESS MONITOR from
    # outside it count as the whole file there, as git pairs renames only inside the pathspec.
    for row in data["sections"]:
        specs = by_title[row["section"]].pathspecs(dirs, files)
        assert row["lines"] == numstat(kernel_repo, "v1.1-rc1..v1.4-rc2", specs), row["section"]


def numstat(repo: Path, span: str, specs: Sequence[str]) -> int:
    """Insertions + deletions of `git log --no-merges --full-history --numstat SPAN -- SPECS`."""
    out = git(repo, "log", "--no-merges", "--full-history", "--numstat", "--format=", span, "--", *specs)
    return sum(int(a) + int(d) for a, d, _ in (line.split("\t", 2) for line in out.split("\n") if line) if a != "-")


def test_top_and_text(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--top", "2", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    commit = git(kernel_repo, "rev-parse", "v1.4-rc2^{commit}").strip()
    assert lines[0].startswith(
        "# v1.1-rc1..v1.4-rc2: 2 of 4 sections with commits (4 sections, 0 without commits); sections as "
        f"MAINTAINERS reads at v1.4-rc2 ({commit[:12]}); full-history"
    )
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--format", "md", "--quiet"]) == 0
    assert f"; sections as MAINTAINERS reads at v1.4-rc2 ({commit[:12]}); " in capsys.readouterr().out
    assert lines[1] == "rank\tsection\tcommits\tlines\tauthors\tnon_maintainer_portion"
    assert len(lines) == 4 and lines[2].startswith("1\tMEMORY MANAGEMENT\t")
    assert main(["subsystems", str(kernel_repo), "--year", "2023", "--top", "0"]) == 2
