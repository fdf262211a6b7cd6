"""reporter.publish: regions found with markdown-it-py, commits pushed to real bare remotes (local and over
loopback smart HTTP with a token check), races, comments and pull requests against the fake GitHub API."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from git_http_server import GitHTTPServer
from news_repos import (
    NEWS_PATH,
    PAGE,
    git,
    hermetic_git,
    install_racing_hook,
    make_remote,
    push_change,
    remote_file,
)

from reporter.errors import UserError
from reporter.publish import comment, news, region
from reporter.services import github

__all__ = ["hermetic_git"]  # the fixture, imported for pytest

TABLE = "| year | commits |\n| --- | --: |\n| 2023 | 42 |\n"
NO_RETRY_WAIT = news.Retry(attempts=3, backoff=0)
BOT = news.Committer(message="update stats")


def region_of(text: str, name: str = "stats") -> str:
    begin, end = region.markers(name)
    return text.split(begin + "\n", 1)[1].split(end, 1)[0].strip("\n")


# ------------------------------------------------------------------------------------------------ regions


def test_replace_region_keeps_everything_outside_the_markers():
    new = region.replace_region(PAGE, "stats", TABLE)
    assert new is not None
    assert new.startswith("# DAMON news\n\nSome prose the action must keep.\n\n<!-- retrospect:begin stats -->\n")
    assert new.endswith("<!-- retrospect:end stats -->\n\nMore prose after the region.\n")
    assert region_of(new) == TABLE.strip()
    assert "old numbers" not in new
    assert region.replace_region(new, "stats", TABLE) == new  # idempotent: a second run changes nothing


@pytest.mark.parametrize(
    "quoted",
    [
        "```markdown\n<!-- retrospect:begin stats -->\nexample\n<!-- retrospect:end stats -->\n```\n",
        "~~~\n<!-- retrospect:begin stats -->\n~~~\n\n    <!-- retrospect:end stats -->\n",
        "Use `<!-- retrospect:begin stats -->` and <!-- retrospect:end stats --> inline.\n",
    ],
    ids=["fenced", "fenced-and-indented", "inline"],
)
def test_markers_in_code_blocks_or_inline_are_not_taken(quoted):
    doc = "# Howto\n\n" + quoted + "\n" + PAGE
    new = region.replace_region(doc, "stats", TABLE)
    assert new is not None and new.startswith("# Howto\n\n" + quoted)  # the example is untouched
    assert region_of(new.split(quoted, 1)[1]) == TABLE.strip()
    assert region.replace_region(quoted, "stats", TABLE) is None  # no real region at all


def test_other_regions_and_prose_are_left_alone():
    doc = PAGE + "\n<!-- retrospect:begin other -->\nkeep me\n<!-- retrospect:end other -->\n"
    new = region.replace_region(doc, "stats", TABLE)
    assert new is not None and "keep me" in new and region_of(new, "other") == "keep me"


@pytest.mark.parametrize(
    "doc",
    [
        "<!-- retrospect:begin stats -->\nno end\n",
        "<!-- retrospect:end stats -->\n\n<!-- retrospect:begin stats -->\n",
        PAGE + PAGE,
    ],
    ids=["no-end", "reversed", "twice"],
)
def test_broken_regions_are_a_user_error(doc):
    with pytest.raises(UserError, match="region 'stats' needs one"):
        region.replace_region(doc, "stats", TABLE)


def test_bad_region_name_is_a_user_error():
    with pytest.raises(UserError, match="region name"):
        region.markers("a -->")


def test_update_document_appends_to_a_file_without_region():
    appended = region.update_document("# Page\n\ntext\n", "stats", TABLE)
    assert appended.startswith("# Page\n\ntext\n\n<!-- retrospect:begin stats -->\n")
    assert region_of(appended) == TABLE.strip()


# --------------------------------------------------------------------------------------------- size limits


def big_table(rows: int) -> str:
    return "| author | commits |\n| --- | --: |\n" + "".join(
        f"| Author {i} <a{i}@example.com> | {i} |\n" for i in range(rows)
    )


def test_fit_shortens_tables_before_cutting():
    text = "## Authors\n\n" + big_table(3000) + "\nafter the table\n"
    fitted = region.fit(text, 5000, "_{rows}_")
    assert len(fitted) <= 5000
    assert "| Author 0 <a0@example.com> | 0 |" in fitted and "after the table" in fitted
    assert "\n_2950 more rows_\n" in fitted  # 50 rows fit: the longest cut that fits is taken
    tiny = region.fit(text, 60, "_{rows}_")
    assert len(tiny) <= 60 and tiny.startswith("## Authors\n") and tiny.endswith("\n_the rest_\n")
    assert region.fit("short", 10, "x") == "short"


def test_fit_measures_bytes_when_told():
    text = "é" * 2000
    assert len(region.fit(text, 1000, "_cut_", region.utf8_size).encode()) <= 1000


def test_comment_body_stays_under_githubs_limit_and_links_the_report():
    body = comment.comment_body("## Stats\n\n" + big_table(20000), "retrospect: 2023", "https://example.com/run/1")
    assert len(body) < github.COMMENT_LIMIT
    assert body.startswith(comment.COMMENT_MARKER + "\n### retrospect: 2023\n")
    assert "[the full report](https://example.com/run/1)" in body


def test_pull_request_number_from_input_or_event(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 17}}))
    assert comment.pull_request_number(str(event), "") == 17
    assert comment.pull_request_number(str(event), "5") == 5
    event.write_text(json.dumps({"schedule": "0 0 * * *"}))
    with pytest.raises(UserError, match="needs a pull request"):
        comment.pull_request_number(str(event), "")
    with pytest.raises(UserError, match="pr_number must be a number"):
        comment.pull_request_number(None, "x")


# ------------------------------------------------------------------------------------------------ remotes


def test_resolve_remote(tmp_path):
    assert news.resolve_remote("damonitor/news", "https://ghe.example") == news.Remote(
        "https://ghe.example/damonitor/news.git", "damonitor/news"
    )
    assert news.resolve_remote("https://github.com/a/b.git").full_name == "a/b"
    assert news.resolve_remote(str(tmp_path)) == news.Remote(str(tmp_path), None)
    for bad in ("not a repo", "a/b/c", str(tmp_path / "missing")):
        with pytest.raises(UserError):
            news.resolve_remote(bad)


def test_auth_env_sends_the_token_as_a_header_to_its_server_only(monkeypatch):
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    env = news.auth_env("https://github.com/a/b.git", "s3cret", "https://github.com")
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_0"] == "Authorization: Basic eC1hY2Nlc3MtdG9rZW46czNjcmV0"
    assert "s3cret" not in json.dumps(env)
    assert "GIT_CONFIG_COUNT" not in news.auth_env("/srv/news.git", "s3cret", "https://github.com")


# ---------------------------------------------------------------------------------------- commit mode


def target(remote: Path, branch: str | None = None, name: str = "stats") -> news.NewsTarget:
    return news.NewsTarget(str(remote), branch, NEWS_PATH, name)


def test_first_run_commits_second_changes_nothing(tmp_path, hermetic_git):
    remote = make_remote(tmp_path / "news.git")
    first = news.publish_commit(target(remote), TABLE, BOT, None, "", NO_RETRY_WAIT)
    assert first.changed and first.branch == "main"
    assert first.sha == git(remote, "rev-parse", "main")
    assert region_of(remote_file(remote)) == TABLE.strip()
    assert (
        git(remote, "log", "-1", "--format=%an <%ae>|%s", "main") == f"{news.BOT_NAME} <{news.BOT_EMAIL}>|update stats"
    )
    second = news.publish_commit(target(remote), TABLE, BOT, None, "", NO_RETRY_WAIT)
    assert not second.changed and second.sha == first.sha
    assert git(remote, "rev-list", "--count", "main") == "2"


def test_a_missing_page_is_refused_with_how_to_make_it(tmp_path, hermetic_git):
    """The whole post (placeholders and all) was pushed, with the region's tables appended after its own."""
    remote = make_remote(tmp_path / "news.git", {"README.md": "hi\n"})
    before = git(remote, "rev-parse", "main")
    for publish in (
        lambda: news.publish_commit(target(remote, "main"), TABLE, BOT, None, "", NO_RETRY_WAIT),
        lambda: news.preview(target(remote), TABLE, None, ""),
    ):
        with pytest.raises(UserError) as err:
            publish()
        message = str(err.value)
        assert f"news_path {NEWS_PATH} does not exist in the news repository {remote}" in message
        assert "<!-- retrospect:begin stats --> and <!-- retrospect:end stats -->" in message
        assert "\n" not in message
    assert git(remote, "rev-parse", "main") == before


def test_a_missing_branch_is_a_user_error(tmp_path, hermetic_git):
    remote = make_remote(tmp_path / "news.git")
    with pytest.raises(UserError, match="branch 'gh-pages' not found"):
        news.publish_commit(target(remote, "gh-pages"), TABLE, BOT, None, "", NO_RETRY_WAIT)


def test_a_concurrent_push_is_rebased_over(tmp_path, hermetic_git):
    remote = make_remote(tmp_path / "news.git")
    flag = install_racing_hook(hermetic_git, remote, "other.md", "from the other writer")
    landed = news.publish_commit(target(remote), TABLE, BOT, None, "", NO_RETRY_WAIT)
    assert flag.exists()  # the race did happen: the remote moved between our clone and our push
    assert landed.changed and landed.sha == git(remote, "rev-parse", "main")
    assert remote_file(remote, "other.md") == "from the other writer\n"  # theirs is kept
    assert region_of(remote_file(remote)) == TABLE.strip()  # ours landed on top
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["update stats", "racer", "seed"]


def test_two_racing_runs_both_land(tmp_path, hermetic_git):
    remote = make_remote(
        tmp_path / "news.git", {NEWS_PATH: PAGE + "\n<!-- retrospect:begin damo -->\n<!-- retrospect:end damo -->\n"}
    )
    runs = [("stats", "| linux | 1 |"), ("damo", "| damo | 2 |")]
    errors: list[BaseException] = []

    def run(name: str, content: str) -> None:
        try:
            news.publish_commit(target(remote, name=name), content, BOT, None, "", news.Retry(8, 0.05))
        except BaseException as err:  # reported below: a thread's exception would otherwise vanish
            errors.append(err)

    threads = [threading.Thread(target=run, args=r) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    text = remote_file(remote)
    assert region_of(text, "stats") == "| linux | 1 |" and region_of(text, "damo") == "| damo | 2 |"


def test_a_refused_push_on_an_unmoved_remote_is_reported_not_retried(tmp_path, hermetic_git):
    remote = make_remote(tmp_path / "news.git")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(UserError, match=r"refused: .*protected branch"):
        news.publish_commit(target(remote), TABLE, BOT, None, "", NO_RETRY_WAIT)


# ------------------------------------------------------------------------------------ over smart HTTP


@pytest.fixture
def http_remote(tmp_path, hermetic_git, monkeypatch):
    root = tmp_path / "srv"
    root.mkdir()
    make_remote(root / "news.git")
    git(root / "news.git", "config", "http.receivepack", "true")
    server = GitHTTPServer(root, token="ghs_right").start()
    monkeypatch.setenv("RETROSPECT_TOKEN_HOSTS", server.url)  # plain http on loopback: allowed explicitly
    yield server
    server.stop()


def test_the_token_travels_as_a_header_and_stays_out_of_the_clone(http_remote, tmp_path):
    url = http_remote.url + "/news.git"
    landed = news.publish_commit(news.NewsTarget(url, None, NEWS_PATH), TABLE, BOT, "ghs_right", "", NO_RETRY_WAIT)
    assert landed.changed
    assert region_of(remote_file(tmp_path / "srv" / "news.git")) == TABLE.strip()
    assert http_remote.seen and all(auth.lower().startswith("basic ") for _, _, auth in http_remote.seen)
    assert any(path.endswith("git-receive-pack") for _, path, _ in http_remote.seen)


def test_a_bad_token_fails_with_a_clear_error(http_remote):
    url = http_remote.url + "/news.git"
    with pytest.raises(UserError) as err:
        news.publish_commit(news.NewsTarget(url, None, NEWS_PATH), TABLE, BOT, "ghs_wrong", "", NO_RETRY_WAIT)
    assert "cannot clone the news repository" in str(err.value) and "token" in str(err.value)
    assert "ghs_wrong" not in str(err.value)


# ----------------------------------------------------------------------------------- pull request mode


def test_pull_request_mode_pushes_a_branch_and_opens_then_updates_one_pull(
    tmp_path, hermetic_git, github_api, monkeypatch
):
    github_api.add_repo("damonitor/news")
    github_api.token = "ghs_right"
    remote = make_remote(tmp_path / "news.git")
    gh = github.connect("ghs_right", github_api.url)

    def sync_pull(full_name: str, head: str, base: str, wanted: bool) -> github.Pull | None:
        if not wanted:
            return github.close_pull_request(gh, full_name, head, base)
        return github.open_or_update_pull_request(gh, full_name, head, base, "update stats", "body")

    def propose(content: str) -> news.Proposed:
        return news.publish_pull_request(
            target(remote), content, BOT, "ghs_right", "", "retrospect/2023", sync_pull, NO_RETRY_WAIT
        )

    monkeypatch.setenv("GITHUB_REPOSITORY", "damonitor/news")  # a local news remote: the workflow's repo
    first = propose(TABLE)
    second = propose(TABLE + "| 2024 | 7 |\n")
    third = propose(TABLE + "| 2024 | 7 |\n")
    assert first.landed.changed and first.pull_request_url and first.operation == "created"
    assert second.landed.changed and second.pull_request_url == first.pull_request_url
    assert second.operation == "updated"
    assert not third.landed.changed and third.pull_request_url == first.pull_request_url and third.operation == "none"
    assert len(github_api.repos["damonitor/news"].pulls) == 1
    assert remote_file(remote) == PAGE  # the base branch is untouched
    assert region_of(remote_file(remote, branch="retrospect/2023")) == (TABLE + "| 2024 | 7 |").strip()
    assert git(remote, "rev-list", "--count", "retrospect/2023") == "3"

    # The same numbers reach the base another way: nothing is left to propose, so the pull request closes;
    # a later run with the same numbers opens none (GitHub refuses a pull request without commits).
    push_change(remote, NEWS_PATH, remote_file(remote, branch="retrospect/2023"))
    fourth = propose(TABLE + "| 2024 | 7 |\n")
    assert fourth.operation == "closed" and fourth.pull is not None and fourth.pull.number == first.pull.number
    assert [p["state"] for p in github_api.repos["damonitor/news"].pulls] == ["closed"]
    fifth = propose(TABLE + "| 2024 | 7 |\n")
    assert fifth.operation == "none" and fifth.pull is None
    assert len(github_api.repos["damonitor/news"].pulls) == 1
