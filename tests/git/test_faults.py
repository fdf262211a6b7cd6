"""Faults from outside: remotes that never answer, hooks that refuse, caches that point elsewhere. Each ends
in one line naming what failed, quickly (the limits are set low here through the environment)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from drip_server import GIT_REFS, HEADERS, DripServer
from kernelrepo import CONFIG, offline_config
from news_repos import NEWS_PATH, git, hermetic_git, make_remote, push_change
from silent_server import SilentServer

from reporter.cli import main
from reporter.errors import UserError
from reporter.git import remote, repos, walk
from reporter.publish import news

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

__all__ = ["hermetic_git"]
BOT = news.Committer(message="update stats")
ONCE = news.Retry(attempts=1, backoff=0)


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> Iterator[SilentServer]:
    monkeypatch.setenv("RETROSPECT_GIT_LOW_SPEED_TIME", "1")
    monkeypatch.setenv("RETROSPECT_GIT_TIMEOUT", "4")
    server = SilentServer().start()
    yield server
    server.stop()


def test_a_news_remote_that_never_answers_is_one_error(silent: SilentServer, hermetic_git: Path) -> None:
    url = f"http://127.0.0.1:{silent.port}/news.git"
    started = time.monotonic()
    with pytest.raises(UserError, match=rf"{url} did not answer"):
        news.publish_commit(news.NewsTarget(url, None, NEWS_PATH), "t", BOT, None, "", ONCE)
    assert time.monotonic() - started < 15 and silent.accepted


@pytest.mark.parametrize("scheme", ["http", "git"])
def test_a_source_remote_that_never_answers_is_one_error(
    scheme: str, silent: SilentServer, tmp_path: Path, kernel_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over http curl's low-speed limit ends it; over git:// (no such limit) the overall timeout does."""
    url = f"{scheme}://127.0.0.1:{silent.port}/damo.git"
    config = offline_config(tmp_path / "retrospect.yml", url)
    assert url in config.read_text()
    out = tmp_path / "out"
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out), "--quiet"]
    started = time.monotonic()
    assert main([*args, "--repo", f"linux={kernel_repo}", "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert f"{url} did not answer" in err and err.count("\n") == 1, err
    assert time.monotonic() - started < 20
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("dripped", "bound"),
    [
        # Headers a byte at a time: under curl's low-speed limit, which ends it after its time (1 s here).
        ((HEADERS, 0.2, 1), "did not answer: git fetch stopped receiving data"),
        # A ref advertisement that never ends, 2,000 bytes a second (over the low-speed limit): git's process
        # timeout (4 s here) ends it.
        ((GIT_REFS, 0.1, 200), "did not answer: git fetch gave up after 4 s"),
    ],
    ids=["headers", "fast-refs"],
)
def test_a_git_server_that_drips_is_left(
    dripped: tuple[str, float, int], bound: str, tmp_path: Path, hermetic_git: Path, monkeypatch
):
    """Each read answered in time, the whole never: the clone ends at a bound, with one error naming the remote."""
    monkeypatch.setenv("RETROSPECT_GIT_LOW_SPEED_TIME", "1")
    monkeypatch.setenv("RETROSPECT_GIT_TIMEOUT", "4")
    with DripServer(*dripped) as drip:
        started = time.monotonic()
        with pytest.raises(UserError, match=bound) as raised:
            repos.ensure("damo", f"{drip.url}/damo.git", tmp_path / "cache", 2023, offline=False, shallow=False)
        took = time.monotonic() - started
    assert drip.requests and "\n" not in str(raised.value)
    assert took < 10


def test_a_refusing_pre_receive_hook_is_reported_and_nothing_is_lost(tmp_path: Path, hermetic_git: Path) -> None:
    remote = make_remote(tmp_path / "news.git")
    before = git(remote, "rev-parse", "main")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'news is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(UserError, match=r"refused: .*news is frozen"):
        news.publish_commit(news.NewsTarget(str(remote), None, NEWS_PATH), "t", BOT, None, "", ONCE)
    assert git(remote, "rev-parse", "main") == before


def bare(path: Path, files: dict[str, str]) -> str:
    make_remote(path, files)
    return f"file://{path}"


def test_a_cached_clone_of_another_url_is_replaced(tmp_path: Path, hermetic_git: Path) -> None:
    first, second = bare(tmp_path / "a.git", {"a": "1\n"}), bare(tmp_path / "b.git", {"b": "2\n"})
    root = tmp_path / "cache"
    repos.ensure("damo", first, root, 2023, offline=False, shallow=False)
    clone = repos.ensure("damo", second, root, 2023, offline=False, shallow=False)
    assert git(root / "damo.git", "config", "remote.origin.url") == second
    assert clone.git.ls_tree("--name-only", "main") == "b"
    (root / "damo.git" / "config").unlink()  # not a clone of ours any more: replaced as well
    repos.ensure("damo", second, root, 2023, offline=False, shallow=False)
    assert git(root / "damo.git", "config", "remote.origin.url") == second


@pytest.mark.parametrize("url", ["--upload-pack=touch pwned", "-c", "ext::sh -c touch% pwned"])
def test_a_source_url_git_would_read_as_an_option_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"must not start with '-'|transport not allowed"):
        repos.ensure("damo", url, tmp_path / "cache", 2023, offline=False, shallow=False)
    assert not (tmp_path / "cache" / "pwned").exists() and not Path("pwned").exists()


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b", "x y", "", "..", "/abs"])
def test_repository_names_are_names(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "retrospect.yml"
    config.write_text(CONFIG.replace("name: damo", f"name: {name!r}"))
    assert main(["config", "--check", str(config)]) == 2
    err = capsys.readouterr().err
    assert "tools[0].name" in err and err.count("\n") == 1, err


def test_git_subprocess_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RETROSPECT_GIT_TIMEOUT", "0")
    with pytest.raises(UserError, match="RETROSPECT_GIT_TIMEOUT must be a positive number"):
        repos.ensure("damo", "file:///nowhere.git", tmp_path, 2023, offline=False, shallow=False)
    monkeypatch.setenv("RETROSPECT_GIT_TIMEOUT", "1")
    sleeper = tmp_path / "slow-ssh"  # git's ssh helper, a grandchild: the timeout must end it too
    sleeper.write_text("#!/bin/sh\nsleep 30\n")
    sleeper.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(UserError, match=r"ssh://example\.invalid/x\.git did not answer"):
        env = {**os.environ, "GIT_SSH_COMMAND": str(sleeper)}
        remote.run(["clone", "--", "ssh://example.invalid/x.git", "x"], tmp_path, "ssh://example.invalid/x.git", env)
    assert time.monotonic() - started < 10
    assert subprocess.run(["pgrep", "-f", str(sleeper)], capture_output=True, check=False).returncode == 1


GARBAGE = [
    (b'{"full_name": "damonitor/damo", "stargazers_co', 200, {}),  # truncated
    (b"<html><body>Unicorn!</body></html>", 200, {"Content-Type": "text/html"}),
    (b"[1, 2, 3]", 200, {}),
    (b'{"full_name": 5, "stargazers_count": "many"}', 200, {}),
    (b'{"stargazers_count": 1e999}', 200, {}),
    (b"null", 200, {}),
    (b"", 302, {"Location": "https://evil.example/repos/damonitor/damo"}),
]


@pytest.mark.parametrize(("body", "status", "headers"), GARBAGE)
@pytest.mark.parametrize("path", [r"/repos/damonitor/damo$", "stargazers", "contributors"])
def test_a_github_stand_in_answering_garbage_costs_one_line(
    body: bytes, status: int, headers: dict[str, str], path: str, github_api, capsys
) -> None:
    """Never a traceback and never a number read from garbage: exit 2 with one line, or (where PyGithub
    reads the answer as an empty page) figures from the other, well-formed answers."""
    github_api.add_repo("damonitor/damo", stars=[("a", "2023-01-01T00:00:00Z")], contributors=["sj"])
    github_api.garble(body, path=path, status=status, headers=headers, times=20)
    status_code = main(["github", "damonitor/damo", "--year", "2023", "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if status_code == 2:
        assert [line for line in err.splitlines() if "error:" in line] == [err.splitlines()[-1]]
    else:
        assert status_code == 0 and path != r"/repos/damonitor/damo$"
        assert json.loads(out)["stars"] == 1


def _processes(mark: str) -> list[int]:
    """The processes whose command line holds `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and mark.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # ended meanwhile
            continue
    return found


def _until(condition: Callable[[], object], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.1)
    return True


def test_a_first_clone_killed_leaves_no_process_and_its_debris_goes_at_the_next_start(
    tmp_path: Path, hermetic_git: Path
) -> None:
    """kill -9 while git fetches from a remote that never answers: git and its helper (git-remote-http)
    end with the run, and the next run removes the half-made clone."""
    server = SilentServer().start()
    url = f"http://127.0.0.1:{server.port}/damo.git"
    root = tmp_path / "cache"
    env = {**os.environ, "RETROSPECT_GIT_LOW_SPEED_TIME": "120", "RETROSPECT_GIT_TIMEOUT": "120"}
    code = (
        "import sys, pathlib; from reporter.git import repos; repos.ensure(*sys.argv[1:3], pathlib.Path(sys.argv[3]), "
    )
    code += "2023, offline=False, shallow=False)"
    run = subprocess.Popen([sys.executable, "-c", code, "damo", url, str(root)], env=env, start_new_session=True)
    try:
        assert _until(lambda: list(root.glob(".damo.*.tmp")) and len(_processes(url)) >= 2, 30)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        assert _until(lambda: not _processes(url), 5), [
            Path(f"/proc/{p}/cmdline").read_bytes() for p in _processes(url)
        ]
    finally:
        for pid in _processes(url):  # left by the code before this test's fix
            os.kill(pid, signal.SIGKILL)
        server.stop()
    assert list(root.glob(".damo.*.tmp"))
    source = make_remote(tmp_path / "damo.git", {"a": "1\n"})
    repos.ensure("damo", f"file://{source}", root, 2023, offline=False, shallow=False)
    assert sorted(p.name for p in root.iterdir()) == ["damo.git"]


def test_a_run_going_on_keeps_its_scratch_directory(tmp_path: Path, hermetic_git: Path) -> None:
    """Debris is what no run holds: another run's clone under way is left alone."""
    root = tmp_path / "cache"
    root.mkdir()
    source = make_remote(tmp_path / "damo.git", {"a": "1\n"})
    with repos._scratch(root, "linux") as scratch:
        repos.ensure("damo", f"file://{source}", root, 2023, offline=False, shallow=False)
        assert scratch.exists()
    assert sorted(p.name for p in root.iterdir()) == ["damo.git"]


def test_refs_beyond_the_argument_limit_go_to_git_on_its_standard_input(tmp_path: Path, hermetic_git: Path) -> None:
    """More refs than fit on a command line (a tag pattern matching 200,000 tags): each question is still one
    git process, and answers as plain git does."""
    repo = make_remote(tmp_path / "many.git", {"a": "1\n"})
    first = git(repo, "rev-parse", "main")
    second = push_change(repo, "a", "2\n")
    prefix = "release-candidate-of-the-stable-series-"  # long names: fewer refs exceed the limit
    names = [f"{prefix}{n}" for n in range(os.sysconf("SC_ARG_MAX") // len(prefix) + 1000)]
    packed = "".join(sorted(f"{first} refs/tags/{name}\n" for name in names))
    (repo / "packed-refs").write_text("# pack-refs with: peeled fully-peeled sorted \n" + packed)
    opened = walk.open_repo(repo)
    assert walk.resolve_all(opened, names) == dict.fromkeys(names, first)
    revisions = ["main", *(f"^{name}" for name in names)]
    assert walk.rev_list(opened, revisions) == ([second], {first})
    assert [c.hash for c in walk.log(opened, revisions)] == [second]
