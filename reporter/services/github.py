"""Every GitHub REST call of retrospect, through PyGithub: metrics, sticky comments, pull requests.

Three concerns live here because they are all about talking to the API politely:
- retries: PyGithub's `GithubRetry` (5xx with backoff, rate limits), bounded by `max_wait` for every kind
  of rate limit (it only bounds primary limits announced in the body by itself);
- requests-cache as PyGithub's `requests` session, revalidating every GET with its ETag, so an unchanged
  list costs a 304, which GitHub does not count against the rate limit;
- errors turned into one-line `UserError`s that never carry the token.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import github
import requests
import requests.adapters
from github.GithubException import (
    BadAttributeException,
    BadCredentialsException,
    GithubException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
    UnknownObjectException,
)
from github.GithubRetry import GithubRetry
from github.Requester import (
    HTTPRequestsConnectionClass,
    HTTPSRequestsConnectionClass,
    Requester,
)
from requests_cache import EXPIRE_IMMEDIATELY
from urllib3.util.retry import Retry

from reporter.errors import UserError
from reporter.git import cache as caches
from reporter.progress import warning
from reporter.services.defaults import DEFAULT_MAX_WAIT, DEFAULT_RELEASE_MILESTONES, DEFAULT_STAR_MILESTONES
from reporter.services.http import cached_session, network_reason, user_agent

DEFAULT_API_URL = "https://api.github.com"
COMMENT_LIMIT = 65536  # characters GitHub accepts in one issue or PR comment


# ---------------------------------------------------------------------------------------------- retries


def _rate_limit_wait(headers: Any) -> float | None:
    """Seconds GitHub asks us to wait before retrying, or None when the response is not a rate limit."""
    headers = requests.structures.CaseInsensitiveDict(headers)
    retry_after = headers.get("Retry-After")
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("X-RateLimit-Reset")
    if headers.get("X-RateLimit-Remaining") == "0" and reset and reset.isdigit():
        # +1: the reset happens at some point within that second
        return max(int(reset) - time.time(), 0.0) + 1
    return None


class _BoundedRetry(GithubRetry):
    """GithubRetry that honours `max_rate_limit_wait` for Retry-After and 429 too, and waits for the reset.

    GithubRetry only recognises a primary limit by the 403 body's message and lets urllib3 sleep any
    Retry-After, however long; GitHub also answers 429 with `X-RateLimit-Remaining: 0` (docs: "primary
    rate limit"), so the wait is read from the headers here for both.
    """

    def get_retry_after(self, response: Any) -> float | None:
        return _rate_limit_wait(response.headers)

    def increment(  # type: ignore[override]  # returns Retry as GithubRetry declares; urllib3 says Self
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if response is not None and response.status in (403, 429):
            wait = _rate_limit_wait(response.headers)
            if wait is not None and self.max_rate_limit_wait is not None and wait > self.max_rate_limit_wait:
                raise RateLimitExceededExceedsMaxWait(response.status, None, dict(response.headers), wait=wait)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _retry(retries: int, backoff: float, max_wait: float) -> _BoundedRetry:
    return _BoundedRetry(
        total=retries,
        connect=1,  # a refused connection rarely heals within the backoff; fail fast with one line
        backoff_factor=backoff,
        max_rate_limit_wait=max_wait,
        secondary_rate_wait=60,  # GitHub: "wait at least one minute" when no header says how long
        status_forcelist=[*range(500, 600), 429],
    )


# ------------------------------------------------------------------------------------------- ETag cache


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/retrospect/github` (default `~/.cache/...`), beside the other caches."""
    return caches.root() / caches.GITHUB


def _caching_connection(base: type, cache_dir: Path) -> type:
    """PyGithub's connection class for `base`'s scheme, its session a requests-cache one: every GET goes out
    with the stored answer's ETag, and an unchanged list comes back as a 304, which GitHub does not count
    against the rate limit. requests-cache keeps the answers, never the token."""

    class Caching(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            session = cached_session(cache_dir, EXPIRE_IMMEDIATELY)
            session.auth = Requester.noopAuth  # as PyGithub's own session: no fallback to ~/.netrc
            session.mount(f"{self.protocol}://", self.adapter)  # PyGithub's, with its retry policy
            self.session = session

    return Caching


# PyGithub has no per-instance way to choose its requests session; a Requester takes its connection
# classes from the class attributes when it is built, so they are swapped only while one is built.
_INJECT = threading.Lock()


# --------------------------------------------------------------------------------------------- connect


def connect(
    token: str | None = None,
    api_url: str | None = None,
    *,
    cache_dir: Path | None = None,
    max_wait: float = DEFAULT_MAX_WAIT,
    retries: int = 5,
    backoff: float = 1.0,
) -> github.Github:
    """A PyGithub client with retries, rate-limit waits up to `max_wait` seconds and the ETag cache.

    token: argument, else $GITHUB_TOKEN, else anonymous (with a warning); api_url: argument, else
    $GITHUB_API_URL, else https://api.github.com. The cache is `cache_dir`, else
    $XDG_CACHE_HOME/retrospect/github.
    """
    token = token or os.environ.get("GITHUB_TOKEN") or None
    api_url = (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        raise UserError(f"GitHub API URL must start with http:// or https://: {api_url}")
    if token is None:
        warning("no GitHub token (--token or GITHUB_TOKEN): anonymous requests are limited to 60 an hour")
    cache = cache_dir if cache_dir is not None else default_cache_dir()
    kwargs: dict[str, Any] = {
        "base_url": api_url,
        "auth": github.Auth.Token(token) if token else None,
        "per_page": 100,
        "user_agent": user_agent(),
        "retry": _retry(retries, backoff, max_wait),
        # GitHub asks for serial requests and a pause between writes; serial GETs need no extra pause
        "seconds_between_requests": None,
    }
    with _INJECT:
        Requester.injectConnectionClasses(
            _caching_connection(HTTPRequestsConnectionClass, cache),
            _caching_connection(HTTPSRequestsConnectionClass, cache),
        )
        try:
            return github.Github(**kwargs)
        finally:
            Requester.resetConnectionClasses()


# ---------------------------------------------------------------------------------------------- errors


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _rate_limit_message(err: GithubException, max_wait: float | None) -> str:
    headers = requests.structures.CaseInsensitiveDict(err.headers or {})
    retry_after, reset = headers.get("Retry-After", ""), headers.get("X-RateLimit-Reset", "")
    if retry_after.strip().isdigit():
        when = f"retry after {int(retry_after)} s (at {_when(time.time() + int(retry_after))})"
    elif reset.isdigit():
        when = f"it resets at {_when(int(reset))}"
    else:
        when = "retry later"
    bound = f", longer than the {max_wait:.0f} s allowed to wait (--max-wait)" if max_wait is not None else ""
    return f"GitHub API rate limit exceeded: {when}{bound}"


def _message(err: GithubException) -> str:
    data = err.data if isinstance(err.data, dict) else {}
    return str(data.get("message") or "no message")


@contextmanager
def _api_errors(gh: github.Github, what: str) -> Iterator[None]:
    """Turn PyGithub and transport failures into one-line UserErrors; `what` names the resource."""
    retry: Retry | None = gh.requester.kwargs.get("retry")
    max_wait = getattr(retry, "max_rate_limit_wait", None)
    try:
        yield
    except RateLimitExceededExceedsMaxWait as err:
        raise UserError(_rate_limit_message(err, max_wait)) from None
    except RateLimitExceededException as err:
        raise UserError(_rate_limit_message(err, None)) from None
    except UnknownObjectException:
        raise UserError(f"{what}: not found on GitHub (or not visible with this token)") from None
    except BadCredentialsException:
        raise UserError("GitHub rejected the token (401 Bad credentials): check --token or GITHUB_TOKEN") from None
    except GithubException as err:
        if err.status in (403, 429) and _rate_limit_wait(err.headers or {}) is not None:
            raise UserError(_rate_limit_message(err, None)) from None
        if err.status == 403:
            raise UserError(f"{what}: forbidden (403): {_message(err)}") from None
        raise UserError(f"{what}: GitHub answered {err.status}: {_message(err)}") from None
    except requests.exceptions.RetryError:
        retries = retry.total if retry is not None else 0
        failing = f"GitHub kept failing (server errors or rate limits) after {retries} retries"
        raise UserError(f"{what}: {failing}") from None
    except requests.exceptions.RequestException as err:
        raise UserError(f"cannot reach the GitHub API at {gh.requester.base_url}: {network_reason(err)}") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, BadAttributeException) as err:
        # Truncated JSON, an HTML page, a list where an object belongs, a string where a count belongs:
        # the answer is not the API's, and a number read from it would be wrong. ValueError covers JSON
        # decoding, and _count's refusals.
        raise UserError(f"{what}: GitHub's answer is not the API's ({type(err).__name__}: {err})"[:300]) from None


# --------------------------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Milestone:
    """The `count`-th item (star, release) arrived on `reached` (ISO date, UTC); None: not reached yet."""

    count: int
    reached: str | None


@dataclass(frozen=True)
class GithubMetrics:
    """GitHub numbers of one repository, as of now, with `year`'s share. JSON-ready via `asdict`.

    Stars are the current stargazers: a star withdrawn later is not counted for its year or milestone.
    Releases are published (non-draft) releases.
    """

    repo: str
    year: int
    stars: int
    stars_in_year: int
    releases: int
    releases_in_year: int
    tags: int
    contributors: int
    anonymous_contributors: int
    star_milestones: list[Milestone] = field(default_factory=list)
    release_milestones: list[Milestone] = field(default_factory=list)


def _milestones(dates: Sequence[datetime], counts: Iterable[int]) -> list[Milestone]:
    """For each count, the date the count-th of the (any order) `dates` arrived."""
    ordered = sorted(dates)
    return [
        Milestone(n, ordered[n - 1].astimezone(UTC).date().isoformat() if n <= len(ordered) else None)
        for n in sorted(set(counts))
    ]


def _in_year(dates: Iterable[datetime], year: int) -> int:
    return sum(1 for d in dates if d.astimezone(UTC).year == year)


def check_full_name(full_name: str) -> str:
    owner, sep, name = full_name.partition("/")
    if not (sep and owner and name) or "/" in name or any(c.isspace() for c in full_name):
        raise UserError(f"expected a repository as OWNER/REPO, got {full_name!r}")
    return full_name


def _count(value: object) -> int:
    """A count read from an answer: an int (not a bool, not a string, not a float)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a count, got {value!r}"[:100])
    return value


def fetch_metrics(
    gh: github.Github,
    full_name: str,
    year: int,
    milestones: Sequence[int] = DEFAULT_STAR_MILESTONES,
    release_milestones: Sequence[int] = DEFAULT_RELEASE_MILESTONES,
) -> GithubMetrics:
    """Stars, releases, tags and contributors of `full_name` (OWNER/REPO), every list paged through."""
    check_full_name(full_name)
    with _api_errors(gh, full_name):
        repo = gh.get_repo(full_name)
        starred = [s.starred_at for s in repo.get_stargazers_with_dates()]
        published = [r.published_at for r in repo.get_releases() if not r.draft and r.published_at]
        tags = repo.get_tags().totalCount
        people = [u.type for u in repo.get_contributors(anon="true")]
        return GithubMetrics(
            repo=repo.full_name,
            year=year,
            stars=_count(repo.stargazers_count),
            stars_in_year=_in_year(starred, year),
            releases=len(published),
            releases_in_year=_in_year(published, year),
            tags=tags,
            contributors=sum(1 for t in people if t != "Anonymous"),
            anonymous_contributors=sum(1 for t in people if t == "Anonymous"),
            star_milestones=_milestones(starred, milestones),
            release_milestones=_milestones(published, release_milestones),
        )


# ------------------------------------------------------------------------------------- write requests

T = TypeVar("T")


def _first(items: Iterable[T], test: Callable[[T], bool]) -> T | None:
    return next((item for item in items if test(item)), None)


class Sticky(NamedTuple):
    """The sticky comment after an upsert: its page, its id, and whether this run created or changed it."""

    url: str
    id: int
    changed: bool


def upsert_sticky_comment(gh: github.Github, full_name: str, number: int, marker: str, body: str) -> Sticky:
    """Keep one comment, found by the hidden `marker` (e.g. `<!-- retrospect -->`), on issue or PR `number`.

    Updates it when `body` differs, leaves it when identical, creates it when absent. The marker is appended
    to `body` when missing so that the next run finds the comment.
    """
    check_full_name(full_name)
    text = body if marker in body else f"{body.rstrip()}\n\n{marker}\n"
    if len(text) > COMMENT_LIMIT:
        raise UserError(f"comment of {len(text)} characters is over GitHub's limit of {COMMENT_LIMIT}")
    with _api_errors(gh, f"{full_name}#{number}"):
        issue = gh.get_repo(full_name).get_issue(number)
        comment = _first(issue.get_comments(), lambda c: marker in (c.body or ""))
        if comment is None:
            created = issue.create_comment(text)
            return Sticky(created.html_url, created.id, True)
        if comment.body == text:
            return Sticky(comment.html_url, comment.id, False)
        comment.edit(text)
        return Sticky(comment.html_url, comment.id, True)


class Pull(NamedTuple):
    """The pull request after an open-or-update: its page, its number, and whether this run created it."""

    url: str
    number: int
    created: bool
    closed: bool = False


def open_or_update_pull_request(gh: github.Github, full_name: str, head: str, base: str, title: str, body: str) -> Pull:
    """The open PR from `head` (branch, or OWNER:branch for a fork) to `base`: updated, or created."""
    check_full_name(full_name)
    qualified = head if ":" in head else f"{full_name.split('/')[0]}:{head}"
    with _api_errors(gh, f"{full_name} pull request {head} -> {base}"):
        repo = gh.get_repo(full_name)
        pull = _first(repo.get_pulls(state="open", head=qualified, base=base), lambda p: True)
        if pull is None:
            created = repo.create_pull(base=base, head=head, title=title, body=body)
            return Pull(created.html_url, created.number, True)
        if (pull.title, pull.body or "") != (title, body):
            pull.edit(title=title, body=body)
        return Pull(pull.html_url, pull.number, False)


def close_pull_request(gh: github.Github, full_name: str, head: str, base: str) -> Pull | None:
    """Close the open PR from `head` to `base`, if there is one (it has nothing left to propose)."""
    check_full_name(full_name)
    qualified = head if ":" in head else f"{full_name.split('/')[0]}:{head}"
    with _api_errors(gh, f"{full_name} pull request {head} -> {base}"):
        pull = _first(gh.get_repo(full_name).get_pulls(state="open", head=qualified, base=base), lambda p: True)
        if pull is None:
            return None
        pull.edit(state="closed")
        return Pull(pull.html_url, pull.number, False, closed=True)


def check_reach(gh: github.Github, full_name: str, number: int | None = None, push: bool = False) -> None:
    """Fail early (UserError) when the token cannot see `full_name`, its issue or pull request `number`, or,
    with `push`, when GitHub says it cannot push there (only user tokens get `permissions` in the answer)."""
    check_full_name(full_name)
    with _api_errors(gh, full_name if number is None else f"{full_name}#{number}"):
        repo = gh.get_repo(full_name)
        if number is not None:
            repo.get_issue(number)
        elif push and repo.permissions is not None and not repo.permissions.push:
            raise UserError(f"the token cannot push to {full_name} (it needs contents: write there)")
