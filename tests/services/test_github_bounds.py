"""What an answer of the GitHub API can make retrospect do: send the token to another origin (never), page
through a list for ever (never), or edit a sticky comment someone else wrote (never)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from github import Consts
from github_server import GithubAPI

from reporter.errors import UserError
from reporter.services import github

# Servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

TOKEN = "ghs_s3cretTOKENvalue0123456789"
REPO = "damonitor/damo"
MARKER = "<!-- retrospect:comment -->"


@pytest.fixture
def damo(github_api: GithubAPI):
    github_api.token = TOKEN
    repo = github_api.add_repo(
        REPO,
        stars=[(f"user{i}", f"2023-01-{1 + i % 28:02d}T00:00:00Z") for i in range(3)],
        releases=[("v1", "2023-02-01T00:00:00Z")],
        tags=["v1"],
        contributors=["dev"],
        issues=[3],
        prs=[7],
    )
    repo.pulls.append({"number": 9, "state": "open", "title": "t", "body": "", "head": "damonitor:x", "base": "main"})
    return repo


@pytest.fixture
def other() -> Iterator[GithubAPI]:
    """Another origin, recording what it is sent."""
    api = GithubAPI().start()
    yield api
    api.stop()


def _connect(api: GithubAPI, tmp_path: Path, url: str | None = None, **kwargs: Any) -> github.Client:
    return github.connect(TOKEN, url or api.url, cache_dir=tmp_path / "cache", retries=0, **kwargs)


# --------------------------------------------------------------------------------------------- the lists

LISTS: dict[str, Callable[[github.Client], object]] = {
    "stargazers": lambda gh: github.fetch_metrics(gh, REPO, 2023),
    "releases": lambda gh: github.fetch_metrics(gh, REPO, 2023),
    "contributors": lambda gh: github.fetch_metrics(gh, REPO, 2023),
    "comments": lambda gh: github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nx"),
}


@pytest.mark.parametrize("how", ["loop", "endless"])
@pytest.mark.parametrize("name", list(LISTS))
def test_every_paged_list_stops_at_a_loop_or_the_page_cap(
    name: str, how: str, github_api: GithubAPI, damo, tmp_path: Path
) -> None:
    github_api.paginate(f"/{name}$", how)
    _comment(damo, 7, "chatter", "octocat")  # an empty page ends any list
    gh = _connect(github_api, tmp_path, max_pages=5)
    with pytest.raises(UserError) as raised:
        LISTS[name](gh)
    message = str(raised.value)
    assert "\n" not in message
    if how == "loop":  # the first page, then its own `next` twice: the second time is the loop
        assert "the server's next page is one already read (a loop)" in message
        assert len(github_api.statuses(f"/{name}$")) == 2
    else:
        assert "more than 5 pages, stopped" in message
        assert len(github_api.statuses(f"/{name}$")) == 5
    assert [r for r in github_api.requests if r.method in ("POST", "PATCH") and r.path != "/graphql"] == []


@pytest.mark.parametrize("how", ["loop", "endless"])
def test_the_tag_count_and_the_open_pull_request_read_one_page_whatever_its_links(
    how: str, github_api: GithubAPI, damo, tmp_path
) -> None:
    github_api.paginate("/(tags|pulls)$", how)
    gh = _connect(github_api, tmp_path, max_pages=5)
    assert github.fetch_metrics(gh, REPO, 2023).tags == 1
    assert github.open_or_update_pull_request(gh, REPO, "x", "main", "t", "").number == 9
    assert len(github_api.statuses("/tags$")) == len(github_api.statuses("/pulls$")) == 1


def test_a_list_stops_at_its_time_budget(github_api: GithubAPI, damo, tmp_path: Path) -> None:
    github_api.paginate("/stargazers$", "endless")
    gh = _connect(github_api, tmp_path, max_pages=10**6, list_budget=0.5)
    with pytest.raises(UserError, match=r"^damonitor/damo: stargazers: not listed in 0.5 s, stopped after \d+ pages$"):
        github.fetch_metrics(gh, REPO, 2023)


def test_the_bounds_apply_to_each_list_of_a_client(github_api: GithubAPI, damo, tmp_path: Path) -> None:
    """Pages read for one list do not count against the next, and a request outside lists is not paged."""
    gh = _connect(github_api, tmp_path, max_pages=1)
    metrics = github.fetch_metrics(gh, REPO, 2023)
    assert (metrics.stars, metrics.releases, metrics.tags, metrics.contributors) == (3, 1, 1, 1)


def test_a_server_that_keeps_answering_202_is_asked_ten_times(
    github_api: GithubAPI, damo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyGithub sleeps 2 s and asks again after each 202 ("processing"), with no bound of its own."""
    monkeypatch.setattr(Consts, "PROCESSING_202_WAIT_TIME", 0)
    github_api.fail(202, path=f"^/repos/{REPO}$", times=10**6, message="processing")
    with pytest.raises(UserError, match=r"^damonitor/damo: GET /repos/damonitor/damo sent 10 times \(answers 202 "):
        github.fetch_metrics(_connect(github_api, tmp_path), REPO, 2023)
    assert len(github_api.statuses(f"^/repos/{REPO}$")) == 10


def test_redirects_in_a_circle_on_the_api_host_stop(github_api: GithubAPI, damo, tmp_path: Path) -> None:
    """PyGithub follows a 301 on the same host by calling itself: A -> B -> A ... until RecursionError."""
    here, there = f"/repos/{REPO}", f"/repos/{REPO}/moved"
    github_api.garble(b"", path=f"^{here}$", status=301, headers={"Location": github_api.url + there}, times=10**6)
    github_api.garble(b"", path=f"^{there}$", status=301, headers={"Location": github_api.url + here}, times=10**6)
    with pytest.raises(UserError, match=r"sent 10 times \(answers 202 or redirects in a circle\), stopped$"):
        github.fetch_metrics(_connect(github_api, tmp_path), REPO, 2023)
    assert len(github_api.requests) <= 21


# ------------------------------------------------------------------------------------- the token's way


def _page_to(api: GithubAPI, path: str, elsewhere: str, status: int = 200, link: bool = True) -> None:
    """The next answer at `path`: one item, its `next` (or, for a 30x, its Location) on another origin."""
    headers = {"Link": f'<{elsewhere}>; rel="next"'} if link else {"Location": elsewhere}
    body = (
        b"" if status != 200 else json.dumps([{"starred_at": "2023-01-01T00:00:00Z", "user": api.user("a")}]).encode()
    )
    api.garble(body, path=path, status=status, headers=headers)


def _no_token_reached(other: GithubAPI) -> bool:
    return all(TOKEN not in json.dumps(r.headers) for r in other.requests)


def test_a_next_page_on_another_port_is_refused(github_api: GithubAPI, damo, other: GithubAPI, tmp_path) -> None:
    _page_to(github_api, "/stargazers$", f"{other.url}/repos/{REPO}/stargazers?page=2")
    with pytest.raises(UserError, match=r"^damonitor/damo: "):
        github.fetch_metrics(_connect(github_api, tmp_path), REPO, 2023)
    assert other.requests == []


@pytest.fixture
def named_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """`api.localhost` and `evil.api.localhost` resolve to the loopback address, as a real subdomain would."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return resolve("127.0.0.1" if str(host).endswith("localhost") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("named_hosts")
def test_a_subdomain_of_the_api_host_gets_nothing(github_api: GithubAPI, damo, other: GithubAPI, tmp_path) -> None:
    """PyGithub lets absolute URLs go to the API host's subdomains (and github.com's, githubusercontent.com's)
    with the token; retrospect's client goes to the API's origin only."""
    github_api.host, other.host = "api.localhost", "evil.api.localhost"
    _page_to(github_api, "/stargazers$", f"{other.url}/repos/{REPO}/stargazers?page=2")
    with pytest.raises(UserError, match=r"^damonitor/damo: an answer points to http://evil\.api\.localhost:\d+, "):
        github.fetch_metrics(_connect(github_api, tmp_path, github_api.url), REPO, 2023)
    assert other.requests == []


@pytest.mark.usefixtures("named_hosts")
def test_an_answers_own_url_on_another_host_gets_nothing(
    github_api: GithubAPI, damo, other: GithubAPI, tmp_path
) -> None:
    """The repository's `url` (which PyGithub builds every later request on) names another host."""
    github_api.host, other.host = "api.localhost", "evil.api.localhost"
    other.token = TOKEN
    other.add_repo(REPO, prs=[7])
    answer = github_api.repo_json(damo) | {"url": f"{other.url}/repos/{REPO}"}
    github_api.garble(json.dumps(answer).encode(), path=f"^/repos/{REPO}$")
    with pytest.raises(UserError, match="an answer points to http://evil"):
        github.upsert_sticky_comment(_connect(github_api, tmp_path, github_api.url), REPO, 7, MARKER, "x")
    assert other.requests == [] and _no_token_reached(other)


@pytest.mark.usefixtures("named_hosts")
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(
    status: int, github_api: GithubAPI, damo, other: GithubAPI, tmp_path
) -> None:
    github_api.host, other.host = "api.localhost", "evil.api.localhost"
    _page_to(github_api, f"^/repos/{REPO}$", f"{other.url}/repos/{REPO}", status=status, link=False)
    with pytest.raises(UserError) as raised:
        github.fetch_metrics(_connect(github_api, tmp_path, github_api.url), REPO, 2023)
    assert str(raised.value).startswith("damonitor/damo: ") and "\n" not in str(raised.value)
    assert other.requests == []


@pytest.mark.parametrize(
    ("api_url", "request_origin", "allowed"),
    [
        ("https://api.github.com", ("https", "api.github.com", 443), True),
        ("https://api.github.com", ("https", "API.GitHub.com", None), True),
        ("https://api.github.com", ("http", "api.github.com", 80), False),  # a downgrade PyGithub allows
        ("https://api.github.com", ("https", "uploads.github.com", 443), False),
        ("https://api.github.com", ("https", "objects.githubusercontent.com", 443), False),
        ("https://api.github.com", ("https", "api.github.com", 8443), False),
        ("https://ghes.example/api/v3", ("https", "ghes.example", 443), True),
        ("https://ghes.example/api/v3", ("https", "pages.ghes.example", 443), False),
        ("http://127.0.0.1:8080", ("http", "127.0.0.1", 8081), False),
    ],
)
def test_the_conversation_goes_to_the_api_origin_only(
    api_url: str, request_origin: tuple[str, str, int | None], allowed: bool
) -> None:
    conversation = github.Conversation(api_url, 10, 10.0)
    try:
        conversation.check(*request_origin, "GET", "/repos/a/b")
    except github.OutOfBounds:
        assert not allowed
    else:
        assert allowed


# ------------------------------------------------------------------------------------ the sticky comment


def _comment(repo, number: int, body: str, author: str) -> int:
    comment_id = 500 + sum(len(c) for c in repo.comments.values())
    repo.comments.setdefault(number, []).append({"id": comment_id, "body": body})
    repo.authors[comment_id] = author
    return comment_id


@pytest.mark.parametrize(
    ("author", "body"),
    [
        ("octocat", f"{MARKER}\n### numbers of mine"),  # another user, the marker where ours is
        ("other-app[bot]", f"{MARKER}\nanother app's report"),  # a bot of another app
        ("octocat", f"Quoting the action:\n\n```\n{MARKER}\n```\n"),  # inside a code block
        ("github-actions[bot]", f"another workflow quotes `x`\n\n```\n{MARKER}\n```\nand goes on"),  # our identity
    ],
    ids=["another-user", "another-app", "code-block", "quoted-by-our-identity"],
)
def test_a_marked_comment_that_is_not_ours_is_left_alone(
    author: str, body: str, github_api: GithubAPI, damo, tmp_path
) -> None:
    theirs = _comment(damo, 7, body, author)
    gh = _connect(github_api, tmp_path)
    first = github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nours")
    assert first.operation == "created" and first.id != theirs
    assert damo.comments[7][0] == {"id": theirs, "body": body}
    second = github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nours, again")
    assert (second.id, second.operation) == (first.id, "updated")
    assert damo.comments[7][0] == {"id": theirs, "body": body} and len(damo.comments[7]) == 2
    assert [r.path for r in github_api.requests if r.method == "PATCH"] == [f"/repos/{REPO}/issues/comments/{first.id}"]


def test_a_persons_token_is_known_by_get_user(github_api: GithubAPI, damo, tmp_path) -> None:
    github_api.login, github_api.user_endpoint, github_api.viewer = "alice", True, False
    alices = _comment(damo, 7, f"{MARKER}\nold", "alice")
    _comment(damo, 7, f"{MARKER}\nnot hers", "octocat")
    sticky = github.upsert_sticky_comment(_connect(github_api, tmp_path), REPO, 7, MARKER, f"{MARKER}\nnew")
    assert (sticky.id, sticky.operation) == (alices, "updated") and damo.comments[7][1]["body"] == f"{MARKER}\nnot hers"


def test_without_an_identity_answer_the_created_comment_tells_whose_is_the_sticky(
    github_api: GithubAPI, damo, tmp_path
) -> None:
    """Neither the viewer nor /user answers: the comment made now names the author; the older one of the same
    author is the sticky one, updated, and the one made now removed."""
    github_api.viewer = False
    ours = _comment(damo, 7, f"{MARKER}\nold", "github-actions[bot]")
    theirs = _comment(damo, 7, f"{MARKER}\nnot ours", "octocat")
    sticky = github.upsert_sticky_comment(_connect(github_api, tmp_path), REPO, 7, MARKER, f"{MARKER}\nnew")
    assert (sticky.id, sticky.operation) == (ours, "updated")
    assert [c["id"] for c in damo.comments[7]] == [ours, theirs] and damo.comments[7][0]["body"] == f"{MARKER}\nnew"


def test_an_issue_that_is_not_a_pull_request_is_refused(github_api: GithubAPI, damo, tmp_path) -> None:
    gh = _connect(github_api, tmp_path)
    for call in (
        lambda: github.upsert_sticky_comment(gh, REPO, 3, MARKER, "x"),
        lambda: github.check_reach(gh, REPO, 3),
    ):
        with pytest.raises(UserError, match=r"^damonitor/damo#3 is an issue, not a pull request"):
            call()
    assert damo.comments.get(3, []) == []
    github.check_reach(gh, REPO, 7)
    github.check_reach(gh, REPO, 9)  # a pull request known from the pulls list
