"""A loopback server that answers like the GitHub REST API for the endpoints retrospect uses.

Usage (the `github_api` fixture in conftest.py starts one per test):

    repo = github_api.add_repo("damonitor/damo", stars=[("alice", "2023-08-01T10:00:00Z")],
                               releases=[("v1.0", "2023-01-02T00:00:00Z")], tags=["v1.0"],
                               contributors=["sj", None], issues=[7])
    github_api.token = "secret"          # then any other Authorization answers 401 (None: accept all)
    github_api.fail(500)                 # the next request answers 500 (path=regex, times=n, method=...)
    github_api.rate_limit(reset_in=1)    # the next request: 403 primary limit, reset in 1 s
    github_api.rate_limit(retry_after=1) # the next request: 403 secondary limit with Retry-After
    github_api.paginate("/stargazers", "loop")  # that list's `next` repeats its page ("endless": never ends)
    github_api.url                       # http://127.0.0.1:PORT, for --api-url / GITHUB_API_URL
    github_api.requests                  # every Request seen: method, path, query, headers, status
    repo.comments[7], repo.pulls         # state after the calls (lists of dicts, as the API shows them)

The token acts as `login` (default `github-actions[bot]`): as for GITHUB_TOKEN, `GET /user` answers 403
unless `user_endpoint` is set, and the GraphQL `viewer` names it unless `viewer` is unset. A comment's author
is `repo.authors[id]`: the token's login for the comments it creates, `octocat` for the ones a test adds.
`prs` are the issue numbers that are pull requests (their issue carries `pull_request`). With a `prefix`
(`/api/v3`, as GitHub Enterprise Server) every path is under it, and GraphQL is at `/api/graphql`.

Every list is paginated with `Link` headers (per_page honoured, default 30, max 100), responses carry
rate-limit headers and an ETag, and a matching If-None-Match gets a 304 that costs no rate limit.
Contributors: a login is a user, None an anonymous (email-only) contributor, listed with `anon=true` only.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

STAR_MEDIA_TYPE = "star+json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    body: Any  # JSON, or bytes sent as they are
    path: str  # regex searched in the path
    method: str | None
    times: int


@dataclass
class Repo:
    owner: str
    name: str
    stars: list[tuple[str, str]] = field(default_factory=list)  # (login, starred_at), oldest first
    releases: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contributors: list[str | None] = field(default_factory=list)
    issues: set[int] = field(default_factory=set)
    prs: set[int] = field(default_factory=set)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    authors: dict[int, str] = field(default_factory=dict)
    pulls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GithubAPI:
    """State plus an HTTP server on 127.0.0.1; `start()` then `url`, `stop()` at the end."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.host = "127.0.0.1"  # the name in its own URLs (it listens on 127.0.0.1)
        self.repos: dict[str, Repo] = {}
        self.requests: list[Request] = []
        self.token: str | None = None
        self.login = "github-actions[bot]"
        self.user_endpoint = False
        self.viewer = True
        self.pagination: dict[str, str] = {}
        self.failures: list[Failure] = []
        self.remaining = 5000
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- set-up API for tests

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.origin + self.prefix

    def start(self) -> GithubAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_repo(
        self,
        full_name: str,
        stars: list[tuple[str, str]] = (),  # type: ignore[assignment]
        releases: list[tuple[str, str | None]] = (),  # type: ignore[assignment]
        tags: list[str] = (),  # type: ignore[assignment]
        contributors: list[str | None] = (),  # type: ignore[assignment]
        issues: list[int] = (),  # type: ignore[assignment]
        prs: list[int] = (),  # type: ignore[assignment]
    ) -> Repo:
        """A repository; releases are (tag, published_at) with None for a draft; `prs` are pull requests."""
        owner, name = full_name.split("/")
        repo = Repo(owner, name, list(stars), tags=list(tags), contributors=list(contributors), issues={*issues, *prs})
        repo.prs = set(prs)
        for tag, published in releases:
            repo.releases.append(
                {
                    "id": next(self._ids),
                    "tag_name": tag,
                    "name": tag,
                    "draft": published is None,
                    "prerelease": False,
                    "created_at": published or "2000-01-01T00:00:00Z",
                    "published_at": published,
                }
            )
        self.repos[full_name] = repo
        return repo

    def fail(
        self,
        status: int,
        *,
        path: str = "",
        method: str | None = None,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "Server Error",
    ) -> None:
        """The next `times` requests whose path matches `path` (regex) answer `status` instead."""
        self.failures.append(Failure(status, headers or {}, {"message": message}, path, method, times))

    def garble(
        self, body: bytes, *, path: str = "", times: int = 1, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """The next `times` requests whose path matches `path` get `body` as it is: truncated JSON, an HTML
        page, JSON of the wrong shape; `headers` may add a Location or change the Content-Type."""
        self.failures.append(Failure(status, headers or {}, body, path, None, times))

    def rate_limit(
        self, *, reset_in: int | None = None, retry_after: int | None = None, status: int = 403, times: int = 1
    ) -> None:
        """A primary limit (`reset_in` s, X-RateLimit-Remaining 0) or a secondary one (`retry_after` s)."""
        if retry_after is not None:
            headers = {"Retry-After": str(retry_after)}
            message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        else:
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + (reset_in or 0))}
            message = "API rate limit exceeded for 127.0.0.1."
        self.fail(status, headers=headers, message=message, times=times)

    def paginate(self, path: str, how: str) -> None:
        """Lists whose path matches `path` (regex) page wrongly: "loop" (`next` is the page just sent) or
        "endless" (`next` is one more page, the same items again, for ever)."""
        self.pagination[path] = how

    def statuses(self, path: str = "") -> list[int]:
        """Statuses answered to requests whose path matches `path` (regex), in order."""
        return [r.status for r in self.requests if re.search(path, r.path)]

    # -- JSON shapes

    def user(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": int(hashlib.sha1(login.encode()).hexdigest()[:6], 16),
            "type": "User",
            "url": f"{self.url}/users/{login}",
            "html_url": f"{self.url}/{login}",
        }

    def repo_json(self, repo: Repo) -> dict[str, Any]:
        base = f"{self.url}/repos/{repo.full_name}"
        return {
            "id": abs(hash(repo.full_name)) % 10**8,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self.user(repo.owner),
            "private": False,
            "url": base,
            "html_url": f"{self.url}/{repo.full_name}",
            "stargazers_count": len(repo.stars),
            "default_branch": "main",
        }

    def comment_json(self, repo: Repo, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            **comment,
            "url": f"{self.url}/repos/{repo.full_name}/issues/comments/{comment['id']}",
            "html_url": f"{self.origin}/{repo.full_name}/issues/{number}#issuecomment-{comment['id']}",
            "user": self.user(repo.authors.get(comment["id"], "octocat")),
        }

    def pull_json(self, repo: Repo, pull: dict[str, Any]) -> dict[str, Any]:
        n = pull["number"]
        return {
            **pull,
            "head": {"label": pull["head"], "ref": pull["head"].split(":")[-1]},
            "base": {"label": f"{repo.owner}:{pull['base']}", "ref": pull["base"]},
            "url": f"{self.url}/repos/{repo.full_name}/pulls/{n}",
            "html_url": f"{self.url}/{repo.full_name}/pull/{n}",
        }


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up on a rate limit drops the connection mid-answer; that is not a server bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # -- plumbing

    def _serve(self, method: str) -> None:
        api: GithubAPI = self.server.api
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"null") if length else None
        record = Request(method, parts.path, query, dict(self.headers.items()))
        with api._lock:
            api.requests.append(record)
            status, headers, body = self._answer(api, method, parts.path, query, payload)
        self._send(api, record, status, headers, body)

    def _answer(
        self, api: GithubAPI, method: str, path: str, query: dict[str, str], payload: Any
    ) -> tuple[int, dict[str, str], Any]:
        for failure in api.failures:
            if failure.times > 0 and re.search(failure.path, path) and failure.method in (None, method):
                failure.times -= 1
                return failure.status, failure.headers, failure.body
        accepted = (f"token {api.token}", f"Bearer {api.token}")
        if api.token is not None and self.headers.get("Authorization") not in accepted:
            return 401, {}, {"message": "Bad credentials"}
        api.remaining -= 1
        graphql = "/api/graphql" if api.prefix else "/graphql"
        if path == graphql:
            path = "/graphql"
        elif path.startswith(api.prefix):
            path = path.removeprefix(api.prefix)
        else:
            return 404, {}, {"message": "Not Found"}
        try:
            return _route(api, method, path, query, payload, self.headers.get("Accept", ""))
        except KeyError:
            return 404, {}, {"message": "Not Found"}

    def _send(self, api: GithubAPI, record: Request, status: int, extra: dict[str, str], body: Any) -> None:
        data = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        etag = f'W/"{hashlib.sha1(data + self.headers.get("Accept", "").encode()).hexdigest()}"'
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(max(api.remaining, 0)),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Resource": "core",
            "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
        }
        if status == 200 and self.command == "GET":
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                status, data = 304, b""
                api.remaining += 1  # GitHub does not count a 304
        headers.update(extra)
        record.status = status
        headers["Content-Length"] = str(len(data))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _page(api: GithubAPI, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, dict[str, str], Any]:
    """One page of `items` with GitHub's Link header (first/prev/next/last) in the server's own URLs."""
    per_page = min(int(query.get("per_page", 30)), 100)
    page = int(query.get("page", 1))
    last = max((len(items) + per_page - 1) // per_page, 1)

    def link(n: int) -> str:
        return f"{api.url}{path}?{urlencode({**query, 'page': n})}"

    how = next((how for pattern, how in api.pagination.items() if re.search(pattern, path)), None)
    if how == "loop":
        return 200, {"Link": f'<{link(page)}>; rel="next"'}, items[:per_page]
    if how == "endless":
        return 200, {"Link": f'<{link(page + 1)}>; rel="next"'}, items[:per_page]

    rels = {
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
        "last": last if page < last else None,
        "first": 1 if page > 1 else None,
    }
    header = ", ".join(f'<{link(n)}>; rel="{rel}"' for rel, n in rels.items() if n is not None)
    return 200, ({"Link": header} if header else {}), items[(page - 1) * per_page : page * per_page]


def _identity(api: GithubAPI, method: str, path: str, payload: Any) -> tuple[int, dict[str, str], Any]:
    """`GET /user` and the GraphQL `viewer`, as GitHub answers them for the token's kind."""
    if path == "/user" and method == "GET":
        if api.user_endpoint:
            return 200, {}, api.user(api.login)
        return 403, {}, {"message": "Resource not accessible by integration"}
    if method == "POST" and "viewer" in payload.get("query", "") and api.viewer:
        return 200, {}, {"data": {"viewer": {"login": api.login}}}
    return 200, {}, {"errors": [{"type": "FORBIDDEN", "message": "Resource not accessible by integration"}]}


def _route(
    api: GithubAPI, method: str, path: str, query: dict[str, str], payload: Any, accept: str
) -> tuple[int, dict[str, str], Any]:
    if path in ("/user", "/graphql"):
        return _identity(api, method, path, payload)
    match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
    if not match:
        raise KeyError(path)
    repo = api.repos[f"{match[1]}/{match[2]}"]
    rest = match[3] or ""
    get = method == "GET"
    if rest == "" and get:
        return 200, {}, api.repo_json(repo)
    if rest == "/stargazers" and get:
        if STAR_MEDIA_TYPE in accept:
            items = [{"starred_at": at, "user": api.user(login)} for login, at in repo.stars]
        else:
            items = [api.user(login) for login, _ in repo.stars]
        return _page(api, path, query, items)
    if rest == "/releases" and get:  # newest first, as GitHub lists them
        items = sorted(repo.releases, key=lambda r: r["created_at"], reverse=True)
        base = f"{api.url}/repos/{repo.full_name}/releases"
        return _page(api, path, query, [{**r, "url": f"{base}/{r['id']}"} for r in items])
    if rest == "/tags" and get:
        return _page(
            api, path, query, [{"name": t, "commit": {"sha": hashlib.sha1(t.encode()).hexdigest()}} for t in repo.tags]
        )
    if rest == "/contributors" and get:
        anon = query.get("anon") in ("1", "true")
        items = [
            {**api.user(c), "contributions": 1}
            if c
            else {"type": "Anonymous", "email": f"anon{i}@example.org", "name": f"Anon {i}", "contributions": 1}
            for i, c in enumerate(repo.contributors)
            if c or anon
        ]
        return _page(api, path, query, items)
    if m := re.fullmatch(r"/issues/(\d+)", rest):
        number = int(m[1])
        if number not in repo.issues and not any(p["number"] == number for p in repo.pulls):
            raise KeyError(number)
        base = f"{api.url}/repos/{repo.full_name}/issues/{number}"
        issue = {
            "number": number,
            "url": base,
            "comments_url": f"{base}/comments",
            "html_url": f"{api.origin}/{repo.full_name}/issues/{number}",
            "state": "open",
            "title": f"issue {number}",
        }
        if number in repo.prs or any(p["number"] == number for p in repo.pulls):
            issue["pull_request"] = {"url": f"{api.url}/repos/{repo.full_name}/pulls/{number}"}
        return 200, {}, issue
    if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
        number = int(m[1])
        comments = repo.comments.setdefault(number, [])
        if get:
            return _page(api, path, query, [api.comment_json(repo, number, c) for c in comments])
        if method == "POST":
            comment = {"id": next(api._ids), "body": payload["body"]}
            comments.append(comment)
            repo.authors[comment["id"]] = api.login
            return 201, {}, api.comment_json(repo, number, comment)
    if (m := re.fullmatch(r"/issues/comments/(\d+)", rest)) and method in ("PATCH", "DELETE"):
        for number, comments in repo.comments.items():
            for comment in comments:
                if comment["id"] == int(m[1]):
                    if method == "DELETE":
                        comments.remove(comment)
                        return 204, {}, None
                    comment["body"] = payload["body"]
                    return 200, {}, api.comment_json(repo, number, comment)
        raise KeyError(m[1])
    if rest == "/pulls" and get:
        items = [
            p
            for p in repo.pulls
            if p["state"] == query.get("state", "open")
            and query.get("head", p["head"]) == p["head"]
            and query.get("base", p["base"]) == p["base"]
        ]
        return _page(api, path, query, [api.pull_json(repo, p) for p in items])
    if rest == "/pulls" and method == "POST":
        head = payload["head"] if ":" in payload["head"] else f"{repo.owner}:{payload['head']}"
        if any(p["head"] == head and p["base"] == payload["base"] and p["state"] == "open" for p in repo.pulls):
            return 422, {}, {"message": "Validation Failed", "errors": [{"message": "A pull request already exists"}]}
        number = max([*repo.issues, *(p["number"] for p in repo.pulls), 0]) + 1
        pull = {
            "number": number,
            "state": "open",
            "title": payload["title"],
            "body": payload.get("body"),
            "head": head,
            "base": payload["base"],
        }
        repo.pulls.append(pull)
        return 201, {}, api.pull_json(repo, pull)
    if (m := re.fullmatch(r"/pulls/(\d+)", rest)) and method == "PATCH":
        pull = next((p for p in repo.pulls if p["number"] == int(m[1])), None)
        if pull is None:
            raise KeyError(m[1])
        pull.update({k: payload[k] for k in ("title", "body", "state") if k in payload})
        return 200, {}, api.pull_json(repo, pull)
    raise KeyError(rest)
