"""Bad input: one line on stderr naming the problem, exit status 2, nothing on stdout, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kernelrepo import SJ, Builder, ts


@pytest.fixture(scope="module")
def no_maintainers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("plain") / "repo")
    b.commit("one", SJ, ts("2023-01-01T00:00:00"), files={"a": "1\n"})
    b.tag("v1.0", ts("2023-01-01T00:00:00"))
    b.commit("two", SJ, ts("2023-02-01T00:00:00"), files={"a": "2\n"})
    b.tag("v1.1", ts("2023-02-01T00:00:00"))
    return b.path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "reporter.cli", *args], capture_output=True, text=True)


def refs_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "refs"
    path.write_text(text)
    return str(path)


CASES = [
    (lambda k, n, t: ["authors", str(t / "missing")], "no such directory"),
    (lambda k, n, t: ["authors", str(t)], "not a git repository"),
    (lambda k, n, t: ["authors", str(k), "--range", "v1.1..nope"], "unknown ref 'nope'"),
    (lambda k, n, t: ["authors", str(k), "--range=-x..v1.1"], "must not be empty or start with '-'"),
    (lambda k, n, t: ["authors", str(k), "--range", "v1.1.."], "invalid range"),
    (lambda k, n, t: ["authors", str(k), "--since", "yesterday"], "invalid date 'yesterday'"),
    (
        lambda k, n, t: ["authors", str(k), "--subsystem", "DATA ACCESS MONITR"],
        "no MAINTAINERS section titled 'DATA ACCESS MONITR'; closest: 'DATA ACCESS MONITOR'",
    ),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "")], "needs at least two refs"),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "v1.1 v1.2\n")], "expected one ref per line"),
    (
        lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "v1.1\n--all\n")],
        "must not be empty or start with '-'",
    ),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", str(t / "nope")], "cannot read refs file"),
    (lambda k, n, t: ["table", "lines", str(n), "--year", "2023"], "no tag dated before 2023-01-01"),
    (lambda k, n, t: ["table", "lines", str(n), "--refs", refs_file(t, "v1.0\nv1.1\n")], "no MAINTAINERS file at"),
    (
        lambda k, n, t: ["table", "community", str(k), "--year", "2023", "--subsystem", "path:drivers/"],
        "has no M: entries",
    ),
    (lambda k, n, t: ["table", "bogus", str(k), "--year", "2023"], "invalid choice: 'bogus'"),
    (lambda k, n, t: ["table", "commits", str(k)], "one of the arguments --refs --year is required"),
]


@pytest.mark.parametrize(("make_args", "message"), CASES)
def test_bad_input(kernel_repo: Path, no_maintainers: Path, tmp_path: Path, make_args, message: str) -> None:
    result = run(*make_args(kernel_repo, no_maintainers, tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("retrospect: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
