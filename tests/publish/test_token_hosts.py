"""The token goes to one origin, the one the server URL names, on every git path: preview (dry run), clone,
fetch, push; on github.com and on GitHub Enterprise Server alike; and a redirect never carries it away.
Loopback smart-HTTP servers record the Authorization of every request they get."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from git_http_server import GitHTTPServer
from news_repos import NEWS_PATH, PAGE, git, hermetic_git, make_remote, remote_file

from reporter.errors import UserError
from reporter.publish import news

# Subprocesses and servers: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

__all__ = ["hermetic_git"]

TOKEN = "ghs_0123456789abcdefSECRET"
TABLE = "| year | commits |\n| --- | --: |\n| 2023 | 42 |\n"
BOT = news.Committer(message="update stats")
ONCE = news.Retry(attempts=1, backoff=0)


@pytest.fixture
def root(tmp_path: Path, hermetic_git: Path) -> Path:
    """Repositories served over HTTP: `damonitor/news.git`, pushable."""
    served = tmp_path / "srv"
    (served / "damonitor").mkdir(parents=True)
    remote = make_remote(served / "damonitor" / "news.git")
    git(remote, "config", "http.receivepack", "true")
    return served


@pytest.fixture
def ghes(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHTTPServer]:
    """A private news repository on a GitHub Enterprise Server: every request needs the token."""
    monkeypatch.delenv("RETROSPECT_TOKEN_HOSTS", raising=False)
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    server = GitHTTPServer(root, token=TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def elsewhere(root: Path) -> Iterator[GitHTTPServer]:
    """Another host (127.0.0.2) serving the same repositories to anyone, recording what it is sent."""
    server = GitHTTPServer(root, token=None, host="127.0.0.2").start()
    yield server
    server.stop()


def authorizations(seen: Sequence[tuple[str, str, str]]) -> list[str]:
    return [auth for _, _, auth in seen if auth]


def test_a_dry_run_on_ghes_sends_the_token_to_ghes(ghes: GitHTTPServer, root: Path) -> None:
    """The preview of a private news repository on GHES: it used to go without the token, and fail."""
    target = news.NewsTarget("damonitor/news", None, NEWS_PATH)
    diff = news.preview(target, TABLE, TOKEN, ghes.url)
    assert diff.startswith(f"--- a/{NEWS_PATH}\n+++ b/{NEWS_PATH}\n") and "+| 2023 | 42 |" in diff
    assert ghes.seen and all(ghes.authorized(auth) for _, _, auth in ghes.seen)
    assert remote_file(root / "damonitor/news.git") == PAGE  # a dry run pushes nothing


def test_commit_on_ghes_clones_fetches_and_pushes_with_the_token_to_ghes_only(ghes: GitHTTPServer, root: Path) -> None:
    target = news.NewsTarget("damonitor/news", None, NEWS_PATH)
    landed = news.publish_commit(target, TABLE, BOT, TOKEN, ghes.url, ONCE)
    assert landed.changed and "| 2023 | 42 |" in remote_file(root / "damonitor/news.git")
    methods = {(method, path.split("?")[0].rsplit("/", 1)[-1]) for method, path, _ in ghes.seen}
    assert ("POST", "git-receive-pack") in methods and ("POST", "git-upload-pack") in methods
    assert all(ghes.authorized(auth) for _, _, auth in ghes.seen)


@pytest.mark.parametrize("server_url", ["https://ghes.example", "http://127.0.0.1:1", "https://github.com:8443"])
def test_a_news_repository_on_github_com_gets_no_token_when_the_server_is_another(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case found: GITHUB_SERVER_URL a GHES host, the news repository on github.com, dry_run: the
    preview's clone carried an `http.https://github.com/.extraheader` with the token."""
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    monkeypatch.delenv("RETROSPECT_TOKEN_HOSTS", raising=False)
    envs: list[dict[str, str]] = []

    def no_network(args: Sequence[str], cwd: Path, what: str, env: dict[str, str] | None = None, shown: bool = False):
        envs.append(dict(env or {}))
        return subprocess.CompletedProcess(["git", *args], 128, "", "fatal: not reached in this test\n")

    monkeypatch.setattr(news.remote_git, "run", no_network)
    target = news.NewsTarget("https://github.com/damonitor/news.git", None, NEWS_PATH)
    for publish in (
        lambda: news.preview(target, TABLE, TOKEN, server_url),
        lambda: news.publish_commit(target, TABLE, BOT, TOKEN, server_url, ONCE),
    ):
        with pytest.raises(UserError, match="cannot clone the news repository"):
            publish()
    assert len(envs) == 2
    assert [env for env in envs if news.header_secret(TOKEN) in str(env) or "GIT_CONFIG_COUNT" in env] == []


def test_a_public_news_repository_elsewhere_is_read_and_written_without_the_token(
    elsewhere: GitHTTPServer, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """github.com as the server, the news repository on another host: the token stays home."""
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    monkeypatch.delenv("RETROSPECT_TOKEN_HOSTS", raising=False)
    target = news.NewsTarget(f"{elsewhere.url}/damonitor/news.git", None, NEWS_PATH)
    assert news.preview(target, TABLE, TOKEN, "https://github.com")
    assert news.publish_commit(target, TABLE, BOT, TOKEN, "https://github.com", ONCE).changed
    assert elsewhere.seen and authorizations(elsewhere.seen) == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_never_carries_the_token(
    status: int, ghes: GitHTTPServer, elsewhere: GitHTTPServer, root: Path
) -> None:
    """git follows the redirect of its first request, then sent every later request, the header with it, to
    the new host (curl drops the header on the redirected request only): a redirect is now refused."""
    ghes.redirect = (status, elsewhere.url)
    target = news.NewsTarget("damonitor/news", None, NEWS_PATH)
    for publish in (
        lambda: news.preview(target, TABLE, TOKEN, ghes.url),
        lambda: news.publish_commit(target, TABLE, BOT, TOKEN, ghes.url, ONCE),
    ):
        with pytest.raises(UserError, match="cannot clone the news repository"):
            publish()
    assert authorizations(elsewhere.seen) == []
    assert remote_file(root / "damonitor/news.git") == PAGE
