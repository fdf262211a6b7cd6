"""Every failure a user can cause or meet is one line and exit status 2 (the action: one ::error:: line and
exit 1), with nothing half-written; each case here once ended in a traceback, a hang or a wrong number."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gitcheck import count
from kernelrepo import CONFIG
from news_repos import NEWS_PATH, hermetic_git, make_remote

from reporter import files
from reporter.action import main as action_main
from reporter.cli import main
from reporter.errors import UserError
from reporter.git import cache
from reporter.publish import comment

__all__ = ["hermetic_git"]


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one error line of a failed command (a usage error also shows the usage above it, as git does)."""
    assert main(list(args)) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Traceback" not in err and err.endswith(errors[0] + "\n"), err
    return errors[0]


@pytest.mark.parametrize("year", ["0", "-5", "99999", "1969", "²", "2O23", " 2023"])
def test_years_that_are_not_years(year: str, kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["ranges", str(kernel_repo)], ["table", "commits", str(kernel_repo)]):
        err = one_line_error(capsys, *command, f"--year={year}")
        assert "expected a year like 2024" in err


@pytest.mark.parametrize("line", [b"v1.2\x00x", b"v1.2 v1.3", b"v1.\x1b[2J", b"\xff\xfe"])
def test_refs_files_with_bytes_no_ref_holds(
    line: bytes, kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = tmp_path / "refs"
    refs.write_bytes(b"v1.1-rc1\n" + line + b"\nv1.3\n")
    one_line_error(capsys, "table", "commits", str(kernel_repo), "--refs", str(refs))


def test_a_config_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yml"
    config.write_bytes(CONFIG.replace("DAMON", "DAM\xd6N").encode("latin-1"))
    assert "not UTF-8" in one_line_error(capsys, "config", "--check", str(config))


@pytest.mark.parametrize("title", ["{oops}", "{0}", "{year:>99999999}", "{subsystem.__class__}", "{", "}"])
def test_titles_config_check_refuses(title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`title: "{oops}"` passed config --check, then crashed the report."""
    config = tmp_path / "c.yml"
    config.write_text(re.sub(r"(?m)^title: .*$", f"title: {json.dumps(title)}", CONFIG))
    assert json.dumps(title) in config.read_text()
    assert "title" in one_line_error(capsys, "config", "--check", str(config))


def test_until_before_1973_counts_what_git_counts(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git ignores `--until=@N` below 100000000: 1970-01-01 counted every commit."""
    for until in ("1970-01-01", "1972-12-31", "1969-06-01"):
        assert main(["authors", str(kernel_repo), "--until", until, "--format", "json", "--quiet"]) == 0
        assert json.loads(capsys.readouterr().out)["total_commits"] == 0
    assert main(["authors", str(kernel_repo), "--since", "1960-01-01", "--format", "json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["total_commits"] == count(kernel_repo)


# ----------------------------------------------------------------------------------------------- full disk


def test_a_full_disk_leaves_neither_report_file(
    tmp_path: Path, kernel_repo: Path, tool_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A stand-in for a full disk: the write of YEAR.md fails with ENOSPC (YEAR.json was left alone)."""
    real = files._staged

    def staged(path: Path, data: str | bytes) -> Path:
        if path.suffix == ".md":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(files, "_staged", staged)
    config = tmp_path / "c.yml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    err = one_line_error(
        capsys,
        *["report", "--config", str(config), "--year", "2023", "--out", str(out), "--offline", "--quiet"],
        *["--repo", f"linux={kernel_repo}", "--repo", f"damo={tool_repo}"],
    )
    assert "No space left on device" in err and "2023.md" in err
    assert sorted(p.name for p in out.iterdir()) == []  # neither file, and no temporary one


def test_a_full_cache_is_rolled_back_and_the_numbers_stay_right(
    tmp_path: Path, kernel_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """sqlite's own "database or disk is full" (a page limit stands in for the disk): a warning, the
    cache as it was before the failed write, and the same numbers as without a cache."""
    real = cache.Cache._open

    def small(self: cache.Cache) -> sqlite3.Connection:
        db = real(self)
        db.execute("PRAGMA max_page_count = 12")
        return db

    monkeypatch.setattr(cache.Cache, "_open", small)
    args = ["table", "commits", "lines", str(kernel_repo), "--year", "2023", "--format", "json", "--quiet"]
    assert main([*args, "--cache-dir", str(tmp_path / "c")]) == 0
    cached, err = capsys.readouterr()
    assert "warning: not writing the cache" in err and "full" in err and "Traceback" not in err
    assert main([*args, "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(cached)
    db = sqlite3.connect(tmp_path / "c" / "commits.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_full_github_output_is_one_error_line(
    tmp_path: Path, hermetic_git: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """/dev/full as $GITHUB_OUTPUT: every write fails with ENOSPC, after the work is done."""
    monkeypatch.setattr("reporter.action.run", lambda environ: {"changed": "true", "sha": "0" * 40})
    assert action_main({"GITHUB_OUTPUT": "/dev/full"}) == 1
    out = capsys.readouterr().out
    assert out.count("::error::") == 1 and "No space left on device" in out and "Traceback" not in out


# ------------------------------------------------------------------------------------------------- the action


def action_error(monkeypatch: pytest.MonkeyPatch, capsys, **inputs: str) -> str:
    environ = {f"INPUT_{k.upper()}": v for k, v in inputs.items()} | {"GITHUB_WORKSPACE": str(Path.cwd())}
    for key in list(os.environ):
        if key.startswith(("INPUT_", "GITHUB_")):
            monkeypatch.delenv(key)
    assert action_main(environ) == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "Traceback" not in out, out
    return errors[0]


@pytest.mark.parametrize("year", ["²", "0", "-5", "99999", "2023.0"])
def test_action_year_that_is_not_a_year(year: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert "input 'year'" in action_error(monkeypatch, capsys, year=year)


@pytest.mark.parametrize("path", [".", ".git/config", "../x.md", "a/../../x"])
def test_action_news_path_outside_the_worktree(path: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    error = action_error(monkeypatch, capsys, mode="commit", news_repository="o/r", news_path=path)
    assert "news_path" in error


@pytest.mark.parametrize(
    "event",
    [b"{not json", b"\xff\xfe", b"[]", b'"x"', b'{"pull_request": "7"}', b'{"pull_request": {"number": "7"}}'],
)
def test_malformed_events(event: bytes, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(event)
    with pytest.raises(UserError):
        comment.pull_request_number(str(path), None)


# ------------------------------------------------------------------------------------------------- SIGTERM

_PUBLISH_AND_WAIT = """
import signal
import sys
from reporter import cli
from reporter.publish import news
target = news.NewsTarget(sys.argv[1], None, sys.argv[2])
signal.signal(signal.SIGTERM, cli._terminated)  # as cli.main installs it
news.publish_commit(target, "t", news.Committer(message="m"), None, "", news.Retry(1, 0))
"""


def test_sigterm_removes_the_temporary_clone(tmp_path: Path, hermetic_git: Path) -> None:
    """A job cancelled while git pushes (a hook that takes its time): no retrospect-news-* stays behind."""
    remote = make_remote(tmp_path / "news.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nsleep 60\n")
    hook.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", _PUBLISH_AND_WAIT, str(remote), NEWS_PATH], env=env)
    deadline = time.monotonic() + 30
    while not list(tmp.glob("retrospect-news-*/news/.git/COMMIT_EDITMSG")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # into the push
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    assert list(tmp.glob("retrospect-news-*")) == []


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda text: "title: " + "[" * 20000 + "]" * 20000 + "\n", "nested deeper than 32 levels"),
        (lambda text: text + "kernel:\n  name: other\n", "duplicate key 'kernel' (first at line"),
        (lambda text: text + "x: &a [a, b]\ny: [" + ", ".join(["*a"] * 40) + "]\n", "too many YAML aliases"),
    ],
)
def test_configs_that_yaml_would_choke_on_or_misread(edit, problem: str, tmp_path: Path, capsys) -> None:
    """A RecursionError traceback, a second `kernel:` silently replacing the first, an alias bomb."""
    config = tmp_path / "c.yml"
    config.write_text(edit(CONFIG))
    assert problem in one_line_error(capsys, "config", "--check", str(config))
