"""`retrospect github` and reporter.services.github against the loopback GitHub API of tests/github_server.py."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from command_json import validated
from github_server import GithubAPI

from reporter.cli import main
from reporter.errors import UserError
from reporter.render.text import ordinal, summary_sentences
from reporter.services import github

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

TOKEN = "ghp_s3cretTOKENvalue0123456789abcdefXYZ"
REPO = "damonitor/damo"


def _stars() -> list[tuple[str, str]]:
    # 250 stars: 40 in 2022, 150 in 2023 (the 100th on 2023-06-...), 60 in 2024 -> three pages of 100
    days = [f"2022-12-{1 + i % 28:02d}T08:00:00Z" for i in range(40)]
    days += [f"2023-{1 + i // 15:02d}-{1 + i % 15:02d}T09:00:00Z" for i in range(150)]
    days += [f"2024-02-{1 + i % 28:02d}T10:00:00Z" for i in range(60)]
    return [(f"user{i}", day) for i, day in enumerate(days)]


def _releases() -> list[tuple[str, str | None]]:
    # 120 published (20 in 2022, 100 in 2023: the 100th on 2023-09-...), plus two drafts that do not count
    published = [(f"v0.{i}", f"2022-05-{1 + i:02d}T12:00:00Z") for i in range(20)]
    published += [(f"v1.{i}", f"2023-{1 + i // 10:02d}-{1 + i % 10:02d}T12:00:00Z") for i in range(100)]
    return published + [("v9-draft", None), ("v9-draft2", None)]


@pytest.fixture
def damo(github_api: GithubAPI):
    github_api.token = TOKEN
    return github_api.add_repo(
        REPO,
        stars=_stars(),
        releases=_releases(),
        tags=[f"v{i}" for i in range(205)],
        contributors=[f"dev{i}" for i in range(130)] + [None, None, None],
        prs=[7],
    )


def _connect(api: GithubAPI, tmp_path: Path, **kwargs) -> object:
    return github.connect(TOKEN, api.url, cache_dir=tmp_path / "cache", **kwargs)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["github", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _fails(capsys, *args: str) -> str:
    """The error line of a run that must fail with exit 2 and print nothing on stdout: the only line, or
    the last one after the command's usage when the command line itself is wrong."""
    status, out, err = _run(capsys, *args)
    assert (status, out) == (2, "")
    lines = err.splitlines()
    if lines[0].startswith("usage: retrospect github "):
        assert lines[-1].startswith("retrospect github: error: "), err
    else:
        assert len(lines) == 1 and lines[0].startswith("retrospect: error: "), err
    return lines[-1]


# ------------------------------------------------------------------------------------------- metrics


def test_metrics_page_through_every_list(github_api, damo, tmp_path):
    m = github.fetch_metrics(_connect(github_api, tmp_path), REPO, 2023)

    assert (m.repo, m.year, m.stars, m.stars_in_year) == (REPO, 2023, 250, 150)
    assert (m.releases, m.releases_in_year, m.tags) == (120, 100, 205)
    assert (m.contributors, m.anonymous_contributors) == (130, 3)
    star_pages = [r for r in github_api.requests if r.path.endswith("/stargazers")]
    assert [r.query.get("page", "1") for r in star_pages] == ["1", "2", "3"]
    assert all("star+json" in r.headers["Accept"] for r in star_pages)
    assert [r.query.get("anon") for r in github_api.requests if r.path.endswith("/contributors")] == ["true", "true"]


def test_milestone_dates_and_year_filter(github_api, damo, tmp_path):
    gh = _connect(github_api, tmp_path)
    m = github.fetch_metrics(gh, REPO, 2024, milestones=(50, 100, 250, 251), release_milestones=(20, 100))

    # star 50 is the 10th of 2023, star 100 the 60th (Apr 15), star 250 the last of 2024
    assert [(x.count, x.reached) for x in m.star_milestones] == [
        (50, "2023-01-10"),
        (100, "2023-04-15"),
        (250, "2024-02-28"),
        (251, None),
    ]
    assert [(x.count, x.reached) for x in m.release_milestones] == [(20, "2022-05-20"), (100, "2023-08-10")]
    assert (m.stars_in_year, m.releases_in_year) == (60, 0)
    assert github.fetch_metrics(gh, REPO, 2021).stars_in_year == 0


def test_cli_formats(github_api, damo, capsys):
    status, out, err = _run(capsys, REPO, "--year", "2023", "--token", TOKEN, "--format", "json")
    assert (status, err) == (0, "")
    data = validated("github", out)
    assert data["star_milestones"][0] == {"count": 100, "reached": "2023-04-15"}
    assert (data["stars"], data["anonymous_contributors"]) == (250, 3)

    status, out, _ = _run(capsys, REPO, "--year", "2023", "--token", TOKEN)
    assert status == 0
    assert "stars         250  +150 in 2023" in out and "100th release   2023-08-10" in out

    status, out, _ = _run(
        capsys,
        REPO,
        "--year",
        "2023",
        "--token",
        TOKEN,
        "--format",
        "md",
        "--milestones",
        "100",
        "--release-milestones",
        "500",
    )
    assert status == 0
    assert "| stars | 250 | 150 |" in out and "| 100th star | 2023-04-15 |" in out
    assert "| 500th release | not yet |" in out and "200th star" not in out


def test_second_run_is_answered_by_304s_with_the_same_result(github_api, damo, capsys):
    first = _run(capsys, REPO, "--token", TOKEN, "--format", "json")
    count = len(github_api.requests)
    assert set(github_api.statuses()) == {200}
    second = _run(capsys, REPO, "--token", TOKEN, "--format", "json")

    assert second == first and first[0] == 0
    assert github_api.statuses()[count:] == [304] * count
    assert github_api.remaining == 5000 - count  # 304s cost no rate limit


def test_changed_list_is_fetched_again(github_api, damo, capsys):
    _run(capsys, REPO, "--token", TOKEN, "--format", "json")
    damo.stars.append(("latecomer", "2024-12-31T23:00:00Z"))
    status, out, _ = _run(capsys, REPO, "--token", TOKEN, "--format", "json")
    assert status == 0 and json.loads(out)["stars"] == 251


def test_token_never_leaves_the_process(github_api, damo, capsys, tmp_path):
    cache = tmp_path / "cache"
    outputs = [_run(capsys, REPO, "--token", TOKEN, "--cache-dir", str(cache), "--format", f) for f in ("json", "md")]
    outputs.append(_run(capsys, "damonitor/missing", "--token", TOKEN, "--cache-dir", str(cache)))

    assert github_api.requests[0].headers["Authorization"] == f"token {TOKEN}"
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    assert not [p for p in files if TOKEN.encode() in p.read_bytes() or TOKEN in p.name]  # sqlite: bytes
    assert not [o for o in outputs if TOKEN in o[1] or TOKEN in o[2]]


def test_token_and_api_url_from_the_environment(github_api, damo, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)  # the fixture set GITHUB_API_URL
    status, _, err = _run(capsys, REPO, "--format", "json")
    assert (status, err) == (0, "")
    assert github_api.requests[0].headers["Authorization"] == f"token {TOKEN}"


def test_anonymous_warns_and_sends_no_authorization(github_api, capsys):
    github_api.add_repo("o/r")
    status, _, err = _run(capsys, "o/r")
    assert status == 0
    assert "warning: no GitHub token" in err and "60 an hour" in err
    assert all("Authorization" not in r.headers for r in github_api.requests)


# -------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["damo", "a/b/c", "/damo", "owner/", "a b/c"])
def test_bad_repository_name(capsys, name):
    assert f"expected a repository as OWNER/REPO, got {name!r}" in _fails(capsys, name)


def test_bad_milestones(capsys):
    assert "expected positive counts like 100,200,500, got '100,x'" in _fails(capsys, REPO, "--milestones", "100,x")


def test_bad_api_url(github_api, capsys):
    line = _fails(capsys, REPO, "--token", TOKEN, "--api-url", "api.github.com")
    assert line == "retrospect: error: GitHub API URL must start with http:// or https://: api.github.com"


def test_missing_repository(github_api, damo, capsys):
    line = _fails(capsys, "damonitor/nope", "--token", TOKEN)
    assert line == "retrospect: error: damonitor/nope: not found on GitHub (or not visible with this token)"


def test_bad_token(github_api, damo, capsys):
    line = _fails(capsys, REPO, "--token", "wrong-token")
    assert "401 Bad credentials" in line and "wrong-token" not in line


def test_forbidden_without_rate_limit_headers(github_api, damo, capsys):
    github_api.fail(403, path="/releases", message="Resource not accessible by integration")
    line = _fails(capsys, REPO, "--token", TOKEN)
    assert line == f"retrospect: error: {REPO}: forbidden (403): Resource not accessible by integration"


def test_network_error(github_api, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = _fails(capsys, REPO, "--token", TOKEN, "--api-url", f"http://127.0.0.1:{port}")
    assert line.startswith(f"retrospect: error: cannot reach the GitHub API at http://127.0.0.1:{port}")


def test_server_error_is_retried(github_api, damo, capsys):
    github_api.fail(500, path="/tags")
    status, out, _ = _run(capsys, REPO, "--token", TOKEN, "--format", "json")
    assert status == 0 and json.loads(out)["tags"] == 205
    assert github_api.statuses("/tags") == [500, 200]


def test_server_errors_that_persist(github_api, damo, tmp_path):
    github_api.fail(502, times=5)
    with pytest.raises(UserError, match=f"^{REPO}: GitHub kept failing"):
        github.fetch_metrics(_connect(github_api, tmp_path, retries=2, backoff=0.1), REPO, 2023)


# ---------------------------------------------------------------------------------------- rate limits


@pytest.mark.parametrize("status", [403, 429])
def test_primary_rate_limit_is_waited_for_under_the_bound(github_api, damo, capsys, status):
    github_api.rate_limit(reset_in=1, status=status)
    status_code, out, _ = _run(capsys, REPO, "--token", TOKEN, "--format", "json", "--max-wait", "5")
    assert status_code == 0 and json.loads(out)["stars"] == 250
    assert github_api.statuses()[:2] == [status, 200]


def test_secondary_rate_limit_waits_for_retry_after(github_api, damo, capsys):
    github_api.rate_limit(retry_after=1)
    status, out, _ = _run(capsys, REPO, "--token", TOKEN, "--format", "json", "--max-wait", "5")
    assert status == 0 and json.loads(out)["tags"] == 205
    assert github_api.statuses()[:2] == [403, 200]


def test_primary_rate_limit_over_the_bound(github_api, damo, capsys):
    github_api.rate_limit(reset_in=3600)
    reset = int(github_api.failures[0].headers["X-RateLimit-Reset"])
    line = _fails(capsys, REPO, "--token", TOKEN, "--max-wait", "5")
    assert f"it resets at {github._when(reset)}" in line and "longer than the 5 s allowed" in line
    assert github_api.statuses() == [403]


def test_secondary_rate_limit_over_the_bound(github_api, damo, capsys):
    github_api.rate_limit(retry_after=600, status=429)
    line = _fails(capsys, REPO, "--token", TOKEN, "--max-wait", "5")
    assert "GitHub API rate limit exceeded: retry after 600 s" in line
    assert github_api.statuses() == [429]


# ------------------------------------------------------------------------------------ write requests

MARKER = "<!-- retrospect:summary -->"


def test_sticky_comment_create_update_skip(github_api, damo, tmp_path):
    gh = _connect(github_api, tmp_path)
    damo.comments[7] = [{"id": i, "body": f"chatter {i}"} for i in range(150)]  # the sticky one lands on page 2

    url, comment_id, changed = github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nfirst")
    assert (
        changed
        and url.endswith(f"#issuecomment-{damo.comments[7][-1]['id']}")
        and comment_id == damo.comments[7][-1]["id"]
    )
    assert damo.comments[7][-1]["body"] == f"{MARKER}\nfirst"

    assert github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nsecond") == (url, comment_id, "updated")
    assert github.upsert_sticky_comment(gh, REPO, 7, MARKER, f"{MARKER}\nsecond") == (url, comment_id, "unchanged")
    assert len(damo.comments[7]) == 151 and damo.comments[7][-1]["body"] == f"{MARKER}\nsecond"
    assert [r.method for r in github_api.requests if r.method != "GET" and r.path != "/graphql"] == ["POST", "PATCH"]


def test_sticky_comment_appends_a_missing_marker(github_api, damo, tmp_path):
    gh = _connect(github_api, tmp_path)
    github.upsert_sticky_comment(gh, REPO, 7, MARKER, "numbers")
    assert github.upsert_sticky_comment(gh, REPO, 7, MARKER, "numbers").changed is False
    assert damo.comments[7] == [{"id": damo.comments[7][0]["id"], "body": f"numbers\n\n{MARKER}\n"}]


def test_sticky_comment_errors(github_api, damo, tmp_path):
    gh = _connect(github_api, tmp_path)
    with pytest.raises(UserError, match=f"^{REPO}#8: not found"):
        github.upsert_sticky_comment(gh, REPO, 8, MARKER, "x")
    with pytest.raises(UserError, match="over GitHub's limit of 65536"):
        github.upsert_sticky_comment(gh, REPO, 7, MARKER, "x" * 65536)


def test_pull_request_create_then_update(github_api, damo, tmp_path):
    gh = _connect(github_api, tmp_path)
    damo.pulls.append(
        {"number": 3, "state": "open", "title": "other", "body": "", "head": "damonitor:other", "base": "main"}
    )

    pull = github.open_or_update_pull_request(gh, REPO, "retrospect-2023", "main", "News 2023", "v1")
    url, number, created = pull.url, pull.number, pull.created
    assert created and url.endswith("/pull/8") and number == 8
    assert github.open_or_update_pull_request(gh, REPO, "retrospect-2023", "main", "News: 2023", "v2") == github.Pull(
        url, 8, False
    )
    assert github.open_or_update_pull_request(gh, REPO, "retrospect-2023", "main", "News: 2023", "v2") == github.Pull(
        url, 8, False
    )

    ours = [p for p in damo.pulls if p["head"] == "damonitor:retrospect-2023"]
    assert [(p["title"], p["body"]) for p in ours] == [("News: 2023", "v2")]
    assert [r.method for r in github_api.requests if r.method != "GET" and r.path != "/graphql"] == ["POST", "PATCH"]


# ---------------------------------------------------------------------------------------- sentences


def _metrics(stars: list[tuple[int, str | None]], releases: list[tuple[int, str | None]]) -> github.GithubMetrics:
    return github.GithubMetrics(
        repo=REPO,
        year=2023,
        stars=0,
        stars_in_year=0,
        releases=0,
        releases_in_year=0,
        tags=0,
        contributors=0,
        anonymous_contributors=0,
        star_milestones=[github.Milestone(*s) for s in stars],
        release_milestones=[github.Milestone(*r) for r in releases],
    )


def test_summary_sentences():
    m = _metrics([(100, "2023-08-03"), (200, "2023-11-30"), (500, None)], [(50, "2022-08-01"), (100, "2023-08-21")])
    assert summary_sentences(m, 2023) == [
        "'damo' got its 100th GitHub star and release in August.",
        "'damo' got its 200th GitHub star in November.",
    ]
    assert summary_sentences(m, 2022) == ["'damo' got its 50th GitHub release in August."]
    assert summary_sentences(m, 2024) == []


def test_ordinal():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 100, 101, 111, 1000)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "100th",
        "101st",
        "111th",
        "1000th",
    ]
