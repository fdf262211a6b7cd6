"""Credentials in a configured URL (user and password, a token as user name, percent-encoded, ssh's user):
they authenticate, and are never printed, annotated, written into the report or stored in a cached clone."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from git_http_server import GitHTTPServer
from kernelrepo import offline_config
from news_repos import hermetic_git, make_remote

from reporter import redact
from reporter.cli import main
from reporter.git import remote, repos

__all__ = ["hermetic_git"]

SECRET = "ghs_s3cr3t/Tok+en"  # '/' and '+' percent-encoded in a URL
QUOTED = "ghs_s3cr3t%2FTok%2Ben"

# (URL as configured, as shown)
SHOWN = [
    ("https://user:PASSWORD@example.org/r.git", "https://***@example.org/r.git"),
    ("https://TOKEN@example.org/r.git", "https://***@example.org/r.git"),
    ("https://us%40er:PA%3ASS@example.org:8443/r.git", "https://***@example.org:8443/r.git"),
    ("https://user:PASS@WORD@example.org/r.git", "https://***@example.org/r.git"),
    ("ssh://git:PASSWORD@example.org/r.git", "ssh://***@example.org/r.git"),
    ("git@example.org:owner/r.git", "***@example.org:owner/r.git"),
    ("https://example.org/r.git", "https://example.org/r.git"),
]


@pytest.mark.parametrize(("given", "shown"), SHOWN)
def test_a_url_is_shown_without_its_user_info(given: str, shown: str) -> None:
    assert redact.url(given) == shown
    if "://" in given:
        assert redact.text(f"fatal: unable to access '{given}/': 403") == f"fatal: unable to access '{shown}/': 403"


def test_addresses_in_text_stay() -> None:
    text = "1. Alice <alice@example.org>: 3 commits; see https://lore.kernel.org/r/20231130.5-2-sj@kernel.org/"
    assert redact.text(text) == text


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://user:PASSWORD@example.org/r.git", "https://example.org/r.git"),
        ("https://TOKEN@example.org:8443/r.git", "https://example.org:8443/r.git"),
        ("ssh://git:PASSWORD@example.org/r.git", "ssh://git@example.org/r.git"),
        ("git@example.org:owner/r.git", "git@example.org:owner/r.git"),
    ],
)
def test_a_clone_keeps_the_url_without_its_secret(given: str, kept: str) -> None:
    assert redact.public(given) == kept


def test_credentials_go_as_a_header_to_the_urls_host_only() -> None:
    env = remote.credentials(f"https://x-access-token:{QUOTED}@example.org:8443/r.git")
    header = base64.b64encode(f"x-access-token:{SECRET}".encode()).decode()
    assert env["GIT_CONFIG_KEY_0"] == "http.https://example.org:8443/.extraheader"
    assert env["GIT_CONFIG_VALUE_0"] == f"Authorization: Basic {header}"
    assert ("http.followRedirects", "false") in {(env[k], env[k.replace("KEY", "VALUE")]) for k in env if "KEY" in k}
    assert remote.credentials("ssh://git:PASSWORD@example.org/r.git") == {}
    assert remote.credentials("https://example.org/r.git") == {}


def everything(*roots: Path) -> str:
    return "".join(p.read_bytes().decode(errors="replace") for r in roots for p in r.rglob("*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize(("token", "given"), [(SECRET, QUOTED), ("ghs_PlainToken", "ghs_PlainToken")])
def test_a_clone_from_a_url_with_credentials_authenticates_and_stores_none(
    token: str, given: str, tmp_path: Path, hermetic_git: Path
) -> None:
    """The token percent-encoded in the URL (as a '/' or '+' in it must be), or as it is."""
    userinfo = f"x-access-token:{given}"
    root = tmp_path / "srv"
    root.mkdir()
    make_remote(root / "damo.git", {"a": "1\n"})
    server = GitHTTPServer(root, token=token).start()
    try:
        url = server.url.replace("://", f"://{userinfo}@") + "/damo.git"
        repos.ensure("damo", url, tmp_path / "cache", 2023, offline=False, shallow=False)
        repos.ensure("damo", url, tmp_path / "cache", 2023, offline=False, shallow=False)  # a fetch
    finally:
        server.stop()
    assert server.seen and all(server.authorized(auth) for _, _, auth in server.seen)
    clone = tmp_path / "cache" / "damo.git"
    assert repos.foreign(clone, server.url + "/damo.git") is None
    stored = everything(tmp_path / "cache")
    assert token not in stored and given not in stored and "x-access-token" not in stored


@pytest.mark.slow
@pytest.mark.parametrize("userinfo", ["user:PASSWORD", "PASSWORD", "us%40er:PASS%40WORD"])
def test_no_message_of_the_command_line_or_the_action_shows_credentials(
    userinfo: str, tmp_path: Path, hermetic_git: Path, kernel_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A remote that refuses the connection, and --offline without a clone: each one line without them."""
    url = f"http://{userinfo}@127.0.0.1:1/damo.git"
    config = offline_config(tmp_path / "retrospect.yml", url)
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(tmp_path / "out"), "--quiet"]
    args += ["--repo", f"linux={kernel_repo}", "--cache-dir", str(tmp_path / "c")]
    for extra in ([], ["--offline"]):
        assert main([*args, *extra]) == 2
        err = capsys.readouterr().err
        assert "PASS" not in err and err.count("\n") == 1 and "127.0.0.1:1/damo.git" in err, err
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "retrospect.yml").write_text(config.read_text())
    env = {"GITHUB_WORKSPACE": str(workspace), "INPUT_CONFIG": "retrospect.yml", "INPUT_YEAR": "2023"}
    env |= {"INPUT_REPOSITORIES": f"linux={kernel_repo}", "PATH": "/usr/bin:/bin", "HOME": str(hermetic_git)}
    done = subprocess.run([sys.executable, "-m", "reporter", "action"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "127.0.0.1:1/damo.git" in errors[0], done.stdout
    assert "PASS" not in done.stdout + done.stderr
