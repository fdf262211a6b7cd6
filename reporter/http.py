"""JSON from public, rate-limited web services: identified, spaced, retried, and cached on disk for a day.

A small hand-written day cache rather than requests-cache: we need one fixed lifetime whatever the server's
Cache-Control says (Repology sends max-age=3600, pypistats updates once a day), spacing that applies to real
requests only (a cache hit must not wait), and nothing cached but parsed JSON; that is ~30 lines here against
a session wrapper and four more dependencies.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

import requests

from reporter import DISTRIBUTION, __version__, cache
from reporter.errors import UserError
from reporter.files import write_atomic

CACHE_LIFETIME = 24 * 3600  # seconds
TIMEOUT = 30  # seconds, per request
# Waits before the second and third attempts after a 5xx, a 429 without Retry-After, or no connection.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0)
# A 429 asking for a longer wait than this fails at once: a report should not hang for minutes.
MAX_RETRY_AFTER = 60.0


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
    try:
        urls = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    # Project-URL entries read "Label, https://..."
    home = next((u.split(",", 1)[1].strip() for u in urls if "," in u), None)
    return f"retrospect/{__version__}" + (f" (+{home})" if home else "")


def get_json(service: str, url: str, cache_dir: Path | None = None, throttle: Throttle | None = None) -> Fetched:
    """GET `url` and parse it as JSON, from the day cache when fresh; any failure is one UserError line."""
    cache = _cache_path(cache_dir or default_cache_dir(), url)
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    body = _request(service, url, throttle)
    try:
        data = json.loads(body)  # bytes: JSON's own UTF-8/16/32 detection, not requests' charset guessing
    except ValueError as err:
        raise UserError(f"{service}: malformed JSON from {url}: {err}") from None
    _write_cache(cache, body)
    return Fetched(data, datetime.now(UTC))


def _request(service: str, url: str, throttle: Throttle | None) -> bytes:
    headers = {"User-Agent": user_agent(), "Accept": "application/json"}
    for attempt in range(len(RETRY_DELAYS) + 1):
        retries_left = attempt < len(RETRY_DELAYS)
        try:
            with throttle or nullcontext():
                response = requests.get(url, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as err:
            if not retries_left:
                raise UserError(f"{service}: cannot reach {url}: {network_reason(err)}") from None
            time.sleep(RETRY_DELAYS[attempt])
            continue
        status = response.status_code
        if status == 200:
            return response.content
        if status == 429:
            wait = _retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait > MAX_RETRY_AFTER:
                raise UserError(f"{service}: rate limited at {url}: asked to retry after {wait:.0f} s")
            if retries_left:
                time.sleep(RETRY_DELAYS[attempt] if wait is None else wait)
                continue
            raise UserError(f"{service}: still rate limited at {url} after {attempt + 1} attempts")
        if status >= 500 and retries_left:
            time.sleep(RETRY_DELAYS[attempt])
            continue
        tried = f" after {attempt + 1} attempts" if status >= 500 else ""
        raise UserError(f"{service}: HTTP {status} {response.reason} from {url}{tried}")
    raise AssertionError("unreachable: the last attempt returns or raises")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def network_reason(err: requests.RequestException) -> str:
    """The useful part of a requests network error: its OS error text, else its type."""
    # requests nests the OS error several layers deep in one long line; the errno text is what helps.
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(err))
    return found.group(1).strip() if found else type(err).__name__


def _cache_path(cache_dir: Path, url: str) -> Path:
    return cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")


def _read_cache(path: Path) -> Fetched | None:
    try:
        mtime = path.stat().st_mtime
        if time.time() - mtime >= CACHE_LIFETIME:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):  # absent, unreadable or torn: fetch again
        return None
    return Fetched(data, datetime.fromtimestamp(mtime, UTC))


def _write_cache(path: Path, body: bytes) -> None:
    try:
        write_atomic(path, body)
    except OSError as err:
        raise UserError(f"cannot write the HTTP cache in {path.parent}: {err.strerror or err}") from None
