"""JSON from public, rate-limited web services: identified, spaced, retried, and cached on disk for a day.

requests-cache keeps the answers (200s only) for one fixed day whatever the server's Cache-Control says
(Repology sends max-age=3600, pypistats updates once a day); urllib3's `Retry` is the one retry policy of
every HTTP client here (the GitHub client's extends it); the spacing a service asks for applies in the
transport, so a cache hit never waits.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import requests
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests_cache import CachedResponse, CachedSession  # type: ignore[attr-defined]
from urllib3 import BaseHTTPResponse, ProxyManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from reporter import __version__, homepage
from reporter.errors import UserError
from reporter.git import cache

CACHE_LIFETIME = 24 * 3600  # seconds
TIMEOUT = 30  # seconds, per connection attempt and per read: the deadline bounds their sum
RETRIES = 2  # after a 5xx, a 429 or no connection: three attempts in all
BACKOFF = 1.0  # urllib3's backoff factor: the second retry waits this long, each later one twice as long
# A 429 asking for a longer wait than this fails at once: a report should not hang for minutes.
MAX_RETRY_AFTER = 60.0

DEADLINE_VAR = "RETROSPECT_HTTP_DEADLINE"  # seconds one request may take in all
DEFAULT_DEADLINE = 120.0  # connecting, sending and receiving, over all attempts; waits asked for are apart


class TooSlow(requests.Timeout):
    """No complete answer within the request's deadline (a server sending a byte now and then)."""


class _Expired(Exception):  # not an OSError: urllib3 would retry it
    """Raised inside urllib3 when an attempt starts after the deadline."""


_watching = threading.local()


def deadline() -> float:
    """The deadline of every request, from $RETROSPECT_HTTP_DEADLINE (default DEFAULT_DEADLINE)."""
    raw = os.environ.get(DEADLINE_VAR, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_DEADLINE
    except ValueError:
        value = 0.0
    if not value > 0:
        raise UserError(f"{DEADLINE_VAR} must be a positive number of seconds, got {raw!r}")
    return value


class _Watch:
    """One request's deadline. Per-read timeouts bound each read, not their sum; when the deadline passes, the
    sockets the request uses are shut down, which ends the read in progress, and no attempt starts after it.
    The waits the server asks for between attempts (bounded by the retry policy) are not counted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._left = seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._started = 0.0
        self._outer: _Watch | None = None

    def __enter__(self) -> _Watch:
        self._outer, _watching.watch = getattr(_watching, "watch", None), self
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        _watching.watch = self._outer
        self._stop()
        self._sockets.clear()

    def _start(self) -> None:
        self._started = time.monotonic()
        self._timer = threading.Timer(self._left, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
                self._left -= time.monotonic() - self._started

    def _expire(self) -> None:
        with self._lock:
            if self._timer is None:  # stopped meanwhile
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def use(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                raise _Expired
            self._sockets.append(sock)

    @contextmanager
    def paused(self) -> Iterator[None]:
        self._stop()
        try:
            yield
        finally:
            if not self.expired:
                self._start()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _used(sock: socket.socket | None) -> None:
    watch: _Watch | None = getattr(_watching, "watch", None)
    if watch is not None and sock is not None:
        watch.use(sock)


class RetryAfterTooLong(Exception):
    """The server asked to wait longer than the policy allows."""

    def __init__(self, wait: float, status: int, headers: Mapping[str, str]) -> None:
        super().__init__(f"asked to retry after {wait:.0f} s")
        self.wait, self.status, self.headers = wait, status, headers


class PausingRetry(Retry):
    """urllib3's `Retry`, whose waits between attempts (bounded by the policy) do not count against the
    request's deadline."""

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        watch: _Watch | None = getattr(_watching, "watch", None)
        with watch.paused() if watch is not None else nullcontext():
            super().sleep(response)


class BoundedRetry(PausingRetry):
    """urllib3's `Retry`, except that a wait the server asks for beyond `max_wait` fails at once (urllib3 would
    sleep it, however long)."""

    def __init__(self, *args: Any, max_wait: float | None = MAX_RETRY_AFTER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait

    def new(self, **kwargs: Any) -> Self:
        kwargs.setdefault("max_wait", self.max_wait)
        return super().new(**kwargs)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None and self.max_wait is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.max_wait:
                raise RetryAfterTooLong(wait, response.status, dict(response.headers))
        return super().increment(method, url, response, error, _pool, _stacktrace)


def retry_policy(
    retries: int = RETRIES, backoff: float = BACKOFF, max_wait: float | None = MAX_RETRY_AFTER
) -> BoundedRetry:
    """The retry policy of every HTTP client: 5xx, 429 and connection failures, with backoff; Retry-After
    honoured up to `max_wait` seconds. The last answer is returned, not raised, when retries run out."""
    return BoundedRetry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=[429, *range(500, 600)],
        allowed_methods=["GET"],
        raise_on_status=False,
        max_wait=max_wait,
    )


class Throttle:
    """At most one request per `interval` seconds across the whole process (threads included).

    Used as `with throttle: request()`: the interval runs from the end of one request to the start of the
    next, so the service sees the spacing too, whatever the latency of each connection.
    """

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._lock = threading.Lock()
        self._last = float("-inf")

    def __enter__(self) -> None:
        self._lock.acquire()
        delay = self._last + self._interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def __exit__(self, *exc: object) -> None:
        self._last = time.monotonic()
        self._lock.release()


@dataclass(frozen=True)
class Fetched:
    data: object
    fetched_at: datetime  # UTC; when the data left the service (earlier than now for a cache hit)


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/retrospect/http` (default `~/.cache/...`), beside the commit cache."""
    return cache.root() / cache.HTTP


def user_agent() -> str:
    """`retrospect/VERSION (+URL)`: services ask clients to name themselves and a way to report misbehaviour."""
    home = homepage()
    return f"retrospect/{__version__}" + (f" (+{home})" if home else "")


class _Watched:
    """A connection whose sockets the deadline of the request under way may shut down."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:  # urllib3's one place for a new socket, TLS or not
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        try:
            _used(sock)
        except _Expired:
            sock.close()
            raise
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _used(self.sock)  # a connection kept alive from an earlier request
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTP(_Watched, HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' transport with a deadline on each request (`deadline()` seconds): connecting, sending and
    reading the whole answer, over all attempts."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> ProxyManager:
        manager: ProxyManager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager

    def send(self, request: PreparedRequest, stream: bool = False, *args: Any, **kwargs: Any) -> Response:
        seconds = deadline()
        late = TooSlow(f"no complete answer within {seconds:g} s ({DEADLINE_VAR})")
        with _Watch(seconds) as watch:
            try:
                response = super().send(request, stream, *args, **kwargs)
                if not stream:
                    _ = response.content  # read to its end inside the deadline
            except Exception:
                if watch.expired:
                    raise late from None
                raise
        if watch.expired:  # an answer cut short when its socket was shut down can look whole
            raise late
        return response


class _Spaced(WatchedAdapter):
    """A transport that sends at most one request per `throttle` interval (a cache hit never reaches it)."""

    def __init__(self, throttle: Throttle | None, max_retries: Retry) -> None:
        super().__init__(max_retries=max_retries)
        self.throttle = throttle

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        with self.throttle or nullcontext():
            return super().send(request, *args, **kwargs)


def cached_session(cache_dir: Path, expire_after: int) -> CachedSession:
    """A requests session whose GET answers (200s) are kept in `cache_dir/responses.sqlite` for `expire_after`
    seconds whatever Cache-Control says (0: kept, but revalidated with its ETag before each use). The token
    (Authorization) is neither kept nor part of the key."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        return CachedSession(
            str(cache_dir / "responses.sqlite"),
            backend="sqlite",
            expire_after=expire_after,
            allowable_codes=(200,),
            allowable_methods=("GET",),
        )
    except (OSError, sqlite3.Error) as err:
        raise UserError(f"cannot use the HTTP cache in {cache_dir}: {err}") from None


def _session(cache_dir: Path, throttle: Throttle | None) -> CachedSession:
    session = cached_session(cache_dir, CACHE_LIFETIME)
    adapter = _Spaced(throttle, retry_policy())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def get_json(service: str, url: str, cache_dir: Path | None = None, throttle: Throttle | None = None) -> Fetched:
    """GET `url` and parse it as JSON, from the day cache when fresh; any failure is one UserError line."""
    with _session(cache_dir or default_cache_dir(), throttle) as session:
        response = _request(session, service, url)
        try:
            data = json.loads(response.content)  # bytes: JSON's own UTF-8/16/32 detection, not requests' guess
        except ValueError as err:
            session.cache.delete(requests=[response.request])  # a torn answer is not kept for a day
            raise UserError(f"{service}: malformed JSON from {url}: {err}") from None
    if isinstance(response, CachedResponse):
        return Fetched(data, response.created_at.replace(tzinfo=UTC))
    return Fetched(data, datetime.now(UTC))


def _request(session: CachedSession, service: str, url: str) -> Response:
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    try:
        response = session.get(url, headers=headers, timeout=TIMEOUT)
    except RetryAfterTooLong as err:
        raise UserError(f"{service}: rate limited at {url}: {err}") from None
    except requests.RequestException as err:
        raise UserError(f"{service}: cannot reach {url}: {network_reason(err)}") from None
    status = response.status_code
    if status == 200:
        return response
    retries = getattr(response.raw, "retries", None)
    attempts = len(retries.history) + 1 if retries is not None else 1
    if status == 429:
        raise UserError(f"{service}: still rate limited at {url} after {attempts} attempts")
    tried = f" after {attempts} attempts" if status >= 500 else ""
    raise UserError(f"{service}: HTTP {status} {response.reason} from {url}{tried}")


def network_reason(err: requests.RequestException) -> str:
    """The useful part of a requests network error: its OS error text, else its type."""
    # requests nests the OS error several layers deep in one long line; the errno text is what helps.
    if isinstance(err, TooSlow):
        return str(err)
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(err))
    return found.group(1).strip() if found else type(err).__name__
