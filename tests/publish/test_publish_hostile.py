"""The news file as someone hostile (or unlucky) leaves it: every byte outside the region survives, the region
is found and replaced exactly, and the path written is a file in the clone, never a link or under .git."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from news_repos import NEWS_PATH, PAGE, before_push, git, hermetic_git, make_remote

from reporter.errors import UserError
from reporter.publish import news, region

__all__ = ["hermetic_git"]

BEGIN, END = region.markers("stats")
TABLE = "| year | commits |\n| --- | --: |\n| 2023 | 42 |\n"
BOT = news.Committer(message="update stats")
ONCE = news.Retry(attempts=3, backoff=0)


def inner(text: str) -> str:
    """What lies between the begin marker's line and the end marker's line."""
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"])
def test_line_separators_other_than_newline_keep_the_prose(separator: str) -> None:
    """str.splitlines() splits on these, markdown-it does not: the prose above the region was deleted."""
    doc = f"# News\n\nprose{separator}{separator}more prose\n\n{BEGIN}\nold\n{END}\n\ntail{separator}\n"
    new = region.replace_region(doc, "stats", TABLE)
    assert new == f"# News\n\nprose{separator}{separator}more prose\n\n{BEGIN}\n\n{TABLE}\n{END}\n\ntail{separator}\n"
    assert region.replace_region(new, "stats", TABLE) == new


def test_crlf_file_stays_crlf() -> None:
    doc = PAGE.replace("\n", "\r\n")
    new = region.replace_region(doc, "stats", TABLE)
    assert new is not None and "\n" not in new.replace("\r\n", "")
    assert new.startswith("# DAMON news\r\n\r\nSome prose the action must keep.\r\n\r\n" + BEGIN + "\r\n")
    assert inner(new) == "\r\n\r\n" + TABLE.replace("\n", "\r\n") + "\r\n"
    appended = region.update_document("a\r\nb", "stats", TABLE)
    assert appended.startswith("a\r\nb\r\n\r\n" + BEGIN + "\r\n") and "\n" not in appended.replace("\r\n", "")


def test_no_final_newline_stays_without() -> None:
    for doc in (PAGE.rstrip("\n"), PAGE.rstrip("\n").rsplit("\n", 2)[0]):  # prose last, or the end marker
        assert region.replace_region(doc, "stats", TABLE) == doc.replace("\nold numbers\n", f"\n\n{TABLE}\n")


def test_markers_keep_their_own_bytes() -> None:
    doc = f"x\n   {BEGIN}  \nold\n  {END}\t\n"
    assert region.replace_region(doc, "stats", "t") == f"x\n   {BEGIN}  \n\nt\n\n  {END}\t\n"


# Prose without the three characters that open code blocks and raw HTML ('`', '~', '<'), which would hide the
# markers: any such text before and after the region must come back unchanged.
PROSE = st.text(st.characters(blacklist_characters="`~<", blacklist_categories=("Cs",)), max_size=200)
EOLS = st.sampled_from(["\n", "\r\n", "\r"])


@given(PROSE, PROSE, st.text(max_size=100), st.text(max_size=100), EOLS)
@example("a\u2028b", "\x85", "old", "| x |", "\n")
def test_replacement_keeps_every_character_outside_and_is_idempotent(
    before: str, after: str, old: str, content: str, eol: str
) -> None:
    head = f"{before}{eol}{eol}{BEGIN}{eol}"
    tail = f"{END}{eol}{after}"
    doc = head + old.replace("<", "(").replace("`", "'").replace("~", "-") + eol + tail
    new = region.replace_region(doc, "stats", content)
    assert new is not None
    assert new.startswith(head) and new.endswith(tail)
    assert region.replace_region(new, "stats", content) == new
    back = new.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
    assert back == new


@given(st.text(max_size=300), st.text(max_size=50))
def test_arbitrary_text_is_replaced_or_refused_never_mangled(doc: str, content: str) -> None:
    """Whatever the file: a UserError, no region (None), or a result that keeps every character outside."""
    try:
        new = region.update_document(doc, "stats", content)
    except UserError:
        return
    assert new.startswith(doc) or (new.split(BEGIN, 1)[0] == doc.split(BEGIN, 1)[0] and doc.count(BEGIN) == 1)
    assert region.update_document(new, "stats", content) == new


# ------------------------------------------------------------------------------------------ the path written


@pytest.mark.parametrize(
    "path", [".", "/", "./", ".git/config", "a/.git/hooks/x", ".GIT/config", "../outside.md", "a/../../x", "/etc/x"]
)
def test_paths_outside_the_worktree_or_in_git_are_refused(path: str) -> None:
    with pytest.raises(UserError, match="news_path"):
        news.NewsTarget("o/r", None, path)
    with pytest.raises(UserError, match="news_path"):
        news.news_file(Path("/nonexistent"), path)


def remote_with_news_file(tmp_path: Path, make: Callable[[Path], None]) -> Path:
    """A bare remote whose news file `make(path)` wrote (bytes or a symlink, which make_remote cannot)."""
    remote = make_remote(tmp_path / "news.git", {"README.md": "x\n"})
    work = tmp_path / "seed-news"
    git(tmp_path, "clone", "-q", str(remote), str(work))
    (work / NEWS_PATH).parent.mkdir()
    make(work / NEWS_PATH)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "news file")
    git(work, "push", "-q", "origin", "HEAD")
    return remote


def test_a_symlinked_news_file_is_refused(tmp_path: Path, hermetic_git: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    remote = remote_with_news_file(tmp_path, lambda path: path.symlink_to(victim))
    with pytest.raises(UserError, match="symbolic link"):
        news.publish_commit(news.NewsTarget(str(remote), None, NEWS_PATH), TABLE, BOT, None, "", ONCE)
    assert victim.read_text() == "keep\n"


def test_a_symlink_pushed_during_the_run_is_refused_on_retry(tmp_path: Path, hermetic_git: Path) -> None:
    """The check ran once, before the retry loop: a racer's symlink had the retry rewrite its target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    remote = make_remote(tmp_path / "news.git")
    flag = hermetic_git / "raced"
    before_push(
        hermetic_git,
        f"[ -e '{flag}' ] && exit 0\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"touch '{flag}'\n"
        f"w='{hermetic_git}/racer'\n"
        f'git clone -q \'{remote}\' "$w" && rm "$w/{NEWS_PATH}" && ln -s \'{victim}\' "$w/{NEWS_PATH}" '
        f'&& git -C "$w" add -A && git -C "$w" commit -q -m racer && git -C "$w" push -q --no-verify origin HEAD',
    )
    with pytest.raises(UserError, match="symbolic link"):
        news.publish_commit(news.NewsTarget(str(remote), None, NEWS_PATH), TABLE, BOT, None, "", ONCE)
    assert flag.exists() and victim.read_text() == "keep\n"


def test_bytes_that_are_not_utf8_and_crlf_survive_a_publish(tmp_path: Path, hermetic_git: Path) -> None:
    page = PAGE.replace("\n", "\r\n").encode().replace(b"Some prose", b"Caf\xe9 prose") + b"no final newline"
    remote = remote_with_news_file(tmp_path, lambda path: path.write_bytes(page))
    landed = news.publish_commit(news.NewsTarget(str(remote), None, NEWS_PATH), "t", BOT, None, "", ONCE)
    assert landed.changed
    text = subprocess.run(["git", "show", f"main:{NEWS_PATH}"], cwd=remote, capture_output=True, check=True).stdout
    old_inner = b"\r\nold numbers\r\n"
    assert text == page.replace(old_inner, b"\r\n\r\nt\r\n\r\n")


def test_pathspec_magic_in_news_path_is_a_plain_name(tmp_path: Path, hermetic_git: Path) -> None:
    path = ":(glob)*.md"
    remote = make_remote(tmp_path / "news.git", {"README.md": "x\n", path: PAGE})
    landed = news.publish_commit(news.NewsTarget(str(remote), None, path), "t", BOT, None, "", ONCE)
    assert landed.changed
    assert git(remote, "ls-tree", "--name-only", "main").splitlines() == [":(glob)*.md", "README.md"]


@pytest.mark.parametrize(("doc", "content"), [("```", ""), ("", "```"), ("<!--\n", "x")])
def test_a_region_hidden_by_an_open_block_is_never_written(doc: str, content: str) -> None:
    """Found by hypothesis: an open fence above the region, or inside its content, hid a marker."""
    with pytest.raises(UserError, match="hidden inside a code block"):
        region.update_document(doc, "stats", content)


# ------------------------------------------------------------------------------------------ the token's way


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/o/r.git", True),
        ("https://GitHub.com:443/o/r.git", False),  # another origin string: not the server as configured
        ("http://github.com/o/r.git", False),  # plain http, even to the right host
        ("https://evil.example/o/r.git", False),
        ("https://github.com@evil.example/o/r.git", False),  # user info: the host is evil.example
        ("https://github.com.evil.example/o/r.git", False),
        ("http://127.0.0.1:8080/news.git", False),
    ],
)
def test_the_token_goes_only_over_https_to_the_github_server(
    url: str, allowed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    monkeypatch.delenv("RETROSPECT_TOKEN_HOSTS", raising=False)
    assert ("GIT_CONFIG_COUNT" in news.auth_env(url, "s3cret", "https://github.com")) == allowed


def test_another_host_gets_the_token_when_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    monkeypatch.setenv("RETROSPECT_TOKEN_HOSTS", "http://127.0.0.1:8080 https://ghe.example")
    assert "GIT_CONFIG_COUNT" in news.auth_env("http://127.0.0.1:8080/news.git", "t", "https://github.com")
    assert "GIT_CONFIG_COUNT" in news.auth_env("https://ghe.example/o/r.git", "t", "https://github.com")
    assert "GIT_CONFIG_COUNT" not in news.auth_env("http://127.0.0.1:9090/news.git", "t", "https://github.com")


@pytest.mark.parametrize("url", ["--upload-pack=touch /tmp/x", "-oProxyCommand=x", "ext::sh -c touch% /tmp/x"])
def test_urls_that_git_would_read_as_options_or_commands_are_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"must be OWNER/REPO, a URL or a path|must not start with '-'|not allowed"):
        news.publish_commit(news.NewsTarget(url, None, NEWS_PATH), "t", BOT, None, "", ONCE)
