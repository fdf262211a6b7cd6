"""Every GitHub REST call of retrospect, through PyGithub: metrics, sticky comments, pull requests.

Four concerns live here because they are all about talking to the API politely and safely:
- retries: PyGithub's `GithubRetry` (5xx with backoff, rate limits), bounded by `max_wait` for every kind
  of rate limit (it only bounds primary limits announced in the body by itself);
- requests-cache as PyGithub's `requests` session, revalidating every GET with its ETag, so an unchanged
  list costs a 304, which GitHub does not count against the rate limit;
- bounds on what an answer can make us do (`Conversation`): every request goes to the API URL's own origin
  (an absolute URL, a `Link` or a redirect naming another one is refused before anything is sent, so the
  token never leaves it), and every paged list stops at a page cap, a time budget, or a `next` page it
  has read already;
- errors turned into one-line `UserError`s that never carry the token.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

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
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.Repository import Repository
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
from reporter.services.http import PausingRetry, WatchedAdapter, cached_session, network_reason, user_agent

DEFAULT_MAX_PAGES = 1000  # pages of one list (100 items each): GitHub itself stops listing stars at 400
DEFAULT_LIST_BUDGET = 900.0  # seconds for one list, its rate-limit waits included (3 x DEFAULT_MAX_WAIT)
MAX_SAME_REQUEST = 10  # times one client sends the same request (a run asks for a repository or an issue 3 times)

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


class _BoundedRetry(PausingRetry, GithubRetry):
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


def _caching_connection(base: type, cache_dir: Path, conversation: Conversation) -> type:
    """PyGithub's connection class for `base`'s scheme, its session a requests-cache one: every GET goes out
    with the stored answer's ETag, and an unchanged list comes back as a 304, which GitHub does not count
    against the rate limit. requests-cache keeps the answers, never the token. Each request is first put
    to `conversation`, which refuses another origin and an unbounded list."""

    class Caching(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            session = cached_session(cache_dir, EXPIRE_IMMEDIATELY)
            session.auth = Requester.noopAuth  # as PyGithub's own session: no fallback to ~/.netrc
            # As PyGithub's (its retry policy, its pool size), with a deadline on each request.
            self.adapter = WatchedAdapter(
                max_retries=self.retry, pool_connections=self.pool_size, pool_maxsize=self.pool_size
            )
            session.mount(f"{self.protocol}://", self.adapter)
            self.session = session

        def getresponse(self) -> Any:
            conversation.check(self.protocol, self.host, self.port, self.verb, self.url)
            return super().getresponse()

    return Caching


# ------------------------------------------------------------------------------------------- the bounds


class OutOfBounds(Exception):
    """An answer would take the conversation somewhere it may not go; the message says where and why."""


@dataclass
class _Listing:
    what: str
    deadline: float
    seen: set[str] = field(default_factory=set)


class Conversation:
    """What one client may still ask: requests to the API URL's origin only (scheme, host and port, so the
    token goes nowhere else whatever an answer names), and, inside `listing`, at most `max_pages` pages in
    `budget` seconds, never a page already read (a `next` that loops)."""

    def __init__(self, api_url: str, max_pages: int, budget: float) -> None:
        parts = urlsplit(api_url)
        default = 443 if parts.scheme == "https" else 80
        self.origin = (parts.scheme, (parts.hostname or "").lower(), parts.port or default)
        self.max_pages, self.budget = max_pages, budget
        self._listing: _Listing | None = None
        self._sent: Counter[tuple[str, str]] = Counter()

    def check(self, protocol: str, host: str, port: int | None, verb: str, path: str) -> None:
        origin = (protocol, host.lower(), port or (443 if protocol == "https" else 80))
        if origin != self.origin:
            named = f"{protocol}://{host}" + (f":{port}" if port else "")
            api = f"{self.origin[0]}://{self.origin[1]}:{self.origin[2]}"
            raise OutOfBounds(f"an answer points to {named}, not to the API at {api}: refused, the token stays")
        # PyGithub asks again, with no bound, after a 202 ("processing") and after a 301 on the same host: a
        # server answering so for ever, or redirecting in a circle, would keep it asking.
        self._sent[verb, path] += 1
        if self._sent[verb, path] > MAX_SAME_REQUEST:
            again = "answers 202 or redirects in a circle"
            raise OutOfBounds(f"{verb} {path.split('?')[0]} sent {MAX_SAME_REQUEST} times ({again}), stopped")
        if self._listing is not None and verb == "GET":
            self._page(self._listing, path)

    def _page(self, listing: _Listing, path: str) -> None:
        if path in listing.seen:
            raise OutOfBounds(
                f"{listing.what}: the server's next page is one already read (a loop), "
                f"stopped after {len(listing.seen)} pages"
            )
        if len(listing.seen) >= self.max_pages:
            raise OutOfBounds(f"{listing.what}: more than {self.max_pages} pages, stopped")
        if time.monotonic() > listing.deadline:
            raise OutOfBounds(
                f"{listing.what}: not listed in {self.budget:g} s, stopped after {len(listing.seen)} pages"
            )
        listing.seen.add(path)

    @contextmanager
    def listing(self, what: str) -> Iterator[None]:
        """Bound the pages read inside the block as one list, named `what` in the error."""
        self._listing = _Listing(what, time.monotonic() + self.budget)
        try:
            yield
        finally:
            self._listing = None


class Client(github.Github):
    """PyGithub's client with the `Conversation` that bounds it."""

    def __init__(self, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conversation = conversation


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
    max_pages: int = DEFAULT_MAX_PAGES,
    list_budget: float = DEFAULT_LIST_BUDGET,
) -> Client:
    """A PyGithub client with retries, rate-limit waits up to `max_wait` seconds, the ETag cache, and each
    list bounded by `max_pages` and `list_budget` seconds.

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
    conversation = Conversation(api_url, max_pages, list_budget)
    kwargs: dict[str, Any] = {
        "base_url": api_url,
        "auth": github.Auth.Token(token) if token else None,
        "per_page": 100,
        "user_agent": user_agent(),
        "retry": _retry(retries, backoff, max_wait),
        # GitHub asks for serial requests and a pause between writes; serial GETs need no extra pause
        "seconds_between_requests": None,
    }
    classes = (
        _caching_connection(HTTPRequestsConnectionClass, cache, conversation),
        _caching_connection(HTTPSRequestsConnectionClass, cache, conversation),
    )
    with _INJECT:
        Requester.injectConnectionClasses(*classes)
        try:
            client = Client(conversation, **kwargs)
        finally:
            Requester.resetConnectionClasses()
    # A connection to another host (an absolute URL in an answer) is made from these attributes when it is
    # needed, long after the reset above: set on the instance, it too goes through the conversation.
    requester = client.requester
    requester._Requester__httpConnectionClass, requester._Requester__httpsConnectionClass = classes  # type: ignore[attr-defined]
    return client


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
    except OutOfBounds as err:
        raise UserError(f"{what}: {err}") from None
    except (RuntimeError, AssertionError) as err:
        # PyGithub's own refusals of an answer: a 301 to another host or scheme, an absolute URL outside
        # the API's path (its checks are asserts).
        raise UserError(f"{what}: GitHub's answer was refused ({type(err).__name__}: {err})"[:300]) from None
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
    gh: Client,
    full_name: str,
    year: int,
    milestones: Sequence[int] = DEFAULT_STAR_MILESTONES,
    release_milestones: Sequence[int] = DEFAULT_RELEASE_MILESTONES,
) -> GithubMetrics:
    """Stars, releases, tags and contributors of `full_name` (OWNER/REPO), every list paged through."""
    check_full_name(full_name)
    with _api_errors(gh, full_name):
        repo = gh.get_repo(full_name)
        starred = [s.starred_at for s in _every(gh, "stargazers", repo.get_stargazers_with_dates())]
        published = [
            r.published_at for r in _every(gh, "releases", repo.get_releases()) if not r.draft and r.published_at
        ]
        with gh.conversation.listing("tags"):
            tags = repo.get_tags().totalCount
        people = [u.type for u in _every(gh, "contributors", repo.get_contributors(anon="true"))]
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


# ---------------------------------------------------------------------------------------------- lists

T = TypeVar("T")


def _every(gh: Client, what: str, items: Iterable[T]) -> list[T]:
    """Every item of a paged list, read within the conversation's bounds."""
    with gh.conversation.listing(what):
        return list(items)


def _first(gh: Client, what: str, items: Iterable[T], test: Callable[[T], bool]) -> T | None:
    """The first item of a paged list that passes `test`, read within the conversation's bounds."""
    with gh.conversation.listing(what):
        return next((item for item in items if test(item)), None)


# ------------------------------------------------------------------------------------- write requests

_VIEWER = "query { viewer { login } }"


def identity(gh: Client) -> str | None:
    """The login the token acts as, as GitHub says it: the GraphQL viewer (an app's installation token too:
    GITHUB_TOKEN is `github-actions[bot]`), else `GET /user` (a person's token; installation tokens are
    refused there); None when neither answers."""
    try:
        _, data = gh.requester.graphql_query(_VIEWER, {})
        login = data["data"]["viewer"]["login"]
        if isinstance(login, str) and login:
            return login
    except BadCredentialsException:
        raise
    except (GithubException, KeyError, TypeError):
        pass
    try:
        return str(gh.get_user().login)
    except BadCredentialsException:
        raise
    except GithubException:
        return None


def _author(comment: IssueComment) -> str | None:
    return comment.user.login if comment.user else None


def _marked(body: str | None, marker: str) -> bool:
    """Whether `body` is a sticky comment's: the marker is its first or last line, where retrospect puts it
    (a marker quoted inside someone's text or code block is not)."""
    lines = (body or "").strip().splitlines()
    return bool(lines) and marker in (lines[0].strip(), lines[-1].strip())


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Sticky(NamedTuple):
    """The sticky comment after an upsert: its page, its id, and what this run did to it."""

    url: str
    id: int
    operation: str  # CREATED, UPDATED or UNCHANGED

    @property
    def changed(self) -> bool:
        return self.operation != UNCHANGED


def _pull_request_issue(gh: Client, full_name: str, number: int) -> Issue:
    """Issue `number` of `full_name`, refused when it is not a pull request."""
    issue = gh.get_repo(full_name).get_issue(number)
    if issue.pull_request is None:
        raise UserError(f"{full_name}#{number} is an issue, not a pull request: mode comment comments on pull requests")
    return issue


def upsert_sticky_comment(gh: Client, full_name: str, number: int, marker: str, body: str) -> Sticky:
    """Keep one comment of ours, found by the hidden `marker` (e.g. `<!-- retrospect -->`), on pull request
    `number`.

    Ours: written by the token's own identity (`identity`); a marked comment by anyone else is left alone.
    Updates it when `body` differs, leaves it when identical, creates it when absent. The marker is appended
    to `body` when missing so that the next run finds the comment.
    """
    check_full_name(full_name)
    text = body if marker in body else f"{body.rstrip()}\n\n{marker}\n"
    if len(text) > COMMENT_LIMIT:
        raise UserError(f"comment of {len(text)} characters is over GitHub's limit of {COMMENT_LIMIT}")
    with _api_errors(gh, f"{full_name}#{number}"):
        issue = _pull_request_issue(gh, full_name, number)
        comments = _every(gh, f"comments of {full_name}#{number}", issue.get_comments())
        marked = [c for c in comments if _marked(c.body, marker)]
        if not marked:
            created = issue.create_comment(text)
            return Sticky(created.html_url, created.id, CREATED)
        me = identity(gh)
        if me is None:
            return _sticky_by_trial(issue, marked, text)
        ours = next((c for c in marked if _author(c) == me), None)
        if ours is None:
            created = issue.create_comment(text)
            return Sticky(created.html_url, created.id, CREATED)
        return _update(ours, text)


def _update(comment: IssueComment, text: str) -> Sticky:
    if comment.body == text:
        return Sticky(comment.html_url, comment.id, UNCHANGED)
    comment.edit(text)
    return Sticky(comment.html_url, comment.id, UPDATED)


def _sticky_by_trial(issue: Issue, marked: list[IssueComment], text: str) -> Sticky:
    """Neither /user nor the GraphQL viewer names the token's identity: the comment created now does. When
    an older marked comment has the same author it is the sticky one: it is updated and the new one, ours by
    its id, deleted."""
    created = issue.create_comment(text)
    ours = next((c for c in marked if _author(c) == _author(created)), None)
    if ours is None:
        return Sticky(created.html_url, created.id, CREATED)
    created.delete()
    return _update(ours, text)


class Pull(NamedTuple):
    """The pull request after an open-or-update: its page, its number, and whether this run created it."""

    url: str
    number: int
    created: bool
    closed: bool = False


def _open_pull(gh: Client, repo: Repository, head: str, base: str) -> PullRequest | None:
    qualified = head if ":" in head else f"{repo.full_name.split('/')[0]}:{head}"
    pulls = repo.get_pulls(state="open", head=qualified, base=base)
    return _first(gh, f"pull requests of {repo.full_name}", pulls, lambda p: True)


def open_or_update_pull_request(gh: Client, full_name: str, head: str, base: str, title: str, body: str) -> Pull:
    """The open PR from `head` (branch, or OWNER:branch for a fork) to `base`: updated, or created."""
    check_full_name(full_name)
    with _api_errors(gh, f"{full_name} pull request {head} -> {base}"):
        repo = gh.get_repo(full_name)
        pull = _open_pull(gh, repo, head, base)
        if pull is None:
            created = repo.create_pull(base=base, head=head, title=title, body=body)
            return Pull(created.html_url, created.number, True)
        if (pull.title, pull.body or "") != (title, body):
            pull.edit(title=title, body=body)
        return Pull(pull.html_url, pull.number, False)


def close_pull_request(gh: Client, full_name: str, head: str, base: str) -> Pull | None:
    """Close the open PR from `head` to `base`, if there is one (it has nothing left to propose)."""
    check_full_name(full_name)
    with _api_errors(gh, f"{full_name} pull request {head} -> {base}"):
        pull = _open_pull(gh, gh.get_repo(full_name), head, base)
        if pull is None:
            return None
        pull.edit(state="closed")
        return Pull(pull.html_url, pull.number, False, closed=True)


def check_reach(gh: Client, full_name: str, number: int | None = None, push: bool = False) -> None:
    """Fail early (UserError) when the token cannot see `full_name` or its pull request `number` (an issue
    that is not a pull request is refused), or, with `push`, when GitHub says it cannot push there (only
    user tokens get `permissions` in the answer)."""
    check_full_name(full_name)
    with _api_errors(gh, full_name if number is None else f"{full_name}#{number}"):
        if number is not None:
            _pull_request_issue(gh, full_name, number)
            return
        repo = gh.get_repo(full_name)
        if push and repo.permissions is not None and not repo.permissions.push:
            raise UserError(f"the token cannot push to {full_name} (it needs contents: write there)")
