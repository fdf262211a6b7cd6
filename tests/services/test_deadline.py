"""A server that drips its answer (a byte every 0.2 s: no read ever times out) holds no request longer than
its deadline, over the web services' client and PyGithub's alike: one error line, exit 2."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from drip_server import BODY, HEADERS, DripServer

from reporter.cli import main
from reporter.services import http

# Servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

DEADLINE = 1.5


@pytest.fixture(autouse=True)
def _short(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(http.DEADLINE_VAR, str(DEADLINE))


def _packaging(url: str) -> list[str]:
    return ["packaging", "damo", "--repology-url", url, "--pypistats-url", url]


def _github(url: str) -> list[str]:
    return ["github", "damonitor/damo", "--api-url", url, "--year", "2023"]


@pytest.mark.parametrize("command", [_packaging, _github])
@pytest.mark.parametrize("what", [HEADERS, BODY])
def test_a_dripping_server_is_left_at_the_deadline(what: str, command, capsys: pytest.CaptureFixture[str]) -> None:
    """Headers that never end, or a body that never ends: each held the command for as long as the server
    went on (its per-read timeout of 30 s never passed)."""
    with DripServer(what) as server:
        started = time.monotonic()
        assert main(command(server.url)) == 2
        took = time.monotonic() - started
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and f"no complete answer within {DEADLINE:g} s" in errors[0], errors
    assert DEADLINE <= took < DEADLINE + 3
    assert len(server.requests) == 1  # no attempt after the deadline


class _Limited(BaseHTTPRequestHandler):
    """429 with Retry-After: 2 the first time, then the answer."""

    seen = 0

    def do_GET(self) -> None:
        type(self).seen += 1
        first = type(self).seen == 1
        body = b"[]"
        self.send_response(429 if first else 200)
        if first:
            self.send_header("Retry-After", "2")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def limited() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Limited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_wait_the_server_asks_for_is_not_counted(limited: str, tmp_path: Path) -> None:
    """The waits between attempts have their own bound (the retry policy's): a 2 s Retry-After still gets
    its answer under a 1.5 s deadline."""
    assert http.get_json("Service", limited, tmp_path / "cache").data == []
    assert _Limited.seen == 2


def test_the_deadline_is_a_positive_number(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv(http.DEADLINE_VAR, "0")
    assert main(_packaging("http://127.0.0.1:9/")) == 2
    assert f"{http.DEADLINE_VAR} must be a positive number of seconds" in capsys.readouterr().err
