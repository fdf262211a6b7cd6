"""Progress: a total from git's own count, reached exactly; steady lines in Actions; warnings on their own line."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from reporter import progress
from reporter.cli import main
from reporter.errors import UserError
from reporter.progress import Progress, warning


def _git_count(repo: Path, *revisions: str) -> int:
    return int(
        subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--count", *revisions], capture_output=True, text=True, check=True
        ).stdout
    )


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")


def _done_line(err: str) -> str:
    [line] = [line for line in err.splitlines() if line.endswith("(done)")]
    return line


def test_authors_progress_reaches_git_rev_list_count(
    kernel_repo: Path, actions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["authors", str(kernel_repo), "--range", "v1.1-rc1..v1.4-rc2", "--no-merges", "--no-cache"]) == 0
    n = _git_count(kernel_repo, "--no-merges", "v1.1-rc1..v1.4-rc2")
    assert _done_line(capsys.readouterr().err).startswith(f"walking: {n}/{n} commits (100%), ")


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_table_progress_ends_at_its_total(
    kernel_repo: Path, actions: None, capsys: pytest.CaptureFixture[str], cache: list[str]
) -> None:
    assert main(["table", "commits", "lines", "community", str(kernel_repo), "--year", "2023", *cache]) == 0
    done = [line for line in capsys.readouterr().err.splitlines() if line.endswith("(done)")]
    assert done
    for line in done:
        found = re.match(r"walking: (\d+)/(\d+) commits \(100%\)", line)
        assert found and int(found[1]) == int(found[2]) > 0, line


def test_quiet_shows_nothing(kernel_repo: Path, actions: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["authors", str(kernel_repo), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_steady_lines_say_what_how_far_and_time_left(
    monkeypatch: pytest.MonkeyPatch, actions: None, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "STEADY_INTERVAL", 0.05)
    with Progress("cloning linux", unit="objects", total=10) as shown:
        shown.update(3)
        time.sleep(0.3)  # no update meanwhile: the lines keep coming
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 3
    assert re.fullmatch(r"cloning linux: 3/10 objects \(30%\), .+ objects/s, \S+ left", lines[0]), lines[0]
    assert lines[-1].endswith("(done)") and not [line for line in lines if "\r" in line]


def test_no_terminal_outside_actions_shows_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress("walking", total=5) as shown:
        shown.update(5)
    assert capsys.readouterr().err == ""


def test_warning_gets_its_own_line_while_a_bar_is_drawn(capsys: pytest.CaptureFixture[str]) -> None:
    shown = Progress("walking", total=10)
    shown.style = "bar"  # as on a terminal
    shown.update(4)
    warning("no GitHub token")
    shown.update(2)
    shown.close()
    err = capsys.readouterr().err
    assert "walking" in err
    assert "retrospect: warning: no GitHub token" in re.split(r"[\r\n]", err)


def test_git_shows_its_own_clone_progress_on_a_terminal(
    tool_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from reporter.git import repos

    monkeypatch.setattr(progress, "style", lambda enabled=None: "bar")
    repo = repos.ensure("damo", f"file://{tool_repo}", tmp_path / "clones", 2023, False, False)
    assert (
        repo.git.rev_parse("HEAD")
        == subprocess.run(
            ["git", "-C", str(tool_repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    err = capfd.readouterr().err
    assert "Receiving objects" in err or "Counting objects" in err, err
    with pytest.raises(UserError, match=r"^git (clone|fetch) failed: fatal: .*nowhere"):
        repos.ensure("none", f"file://{tmp_path}/nowhere", tmp_path / "clones", 2023, False, False)


def test_each_warning_once_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    progress.new_run()
    for text in ("tag 'x' points to a tree", "tag 'x' points to a tree", "another"):
        progress.warning(text)
    progress.new_run()
    progress.warning("another")
    assert capsys.readouterr().err.splitlines() == [
        "retrospect: warning: tag 'x' points to a tree",
        "retrospect: warning: another",
        "retrospect: warning: another",
    ]


@pytest.mark.parametrize(("term", "shown"), [("xterm-256color", "bar"), ("dumb", "lines"), (None, "bar")])
def test_a_dumb_terminal_gets_lines_not_a_bar(monkeypatch: pytest.MonkeyPatch, term: str | None, shown: str) -> None:
    """A bar redraws its line with \\r and ANSI codes, which TERM=dumb (an editor's shell buffer) prints as is."""
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    if term is None:
        monkeypatch.delenv("TERM", raising=False)
    else:
        monkeypatch.setenv("TERM", term)
    assert progress.style() == shown
