"""Ground truth: the plain git commands the seed scripts ran, to compare retrospect's numbers with."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

DAMON = [
    "mm/damon/",
    "include/linux/damon.h",
    "Documentation/mm/damon/",
    "samples/damon/",
    ":(exclude)mm/damon/legacy/",
]
MM = ["mm/", "include/linux/mm.h", "tools/testing/selftests/mm/"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def count(repo: Path, *args: str) -> int:
    """`git log --oneline ARGS | wc -l`."""
    return len(git(repo, "log", "--oneline", *args).splitlines())


def shortstat(repo: Path, *args: str) -> int:
    """Insertions + deletions summed over `git log --shortstat ARGS` (singular forms included)."""
    out = git(repo, "log", "--shortstat", "--format=", *args)
    return sum(int(n) for n in re.findall(r"(\d+) (?:insertions?\(\+\)|deletions?\(-\))", out))
