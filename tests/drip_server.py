"""A loopback HTTP server that answers every request, slowly and for ever: a few bytes at a time, each
well within any per-read timeout, so that only a bound on the whole request ends it."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator

# What is dripped: the status line and headers themselves; or whole headers, then a body that never ends.
HEADERS = "headers"
BODY = "body"
# A git smart-HTTP ref advertisement that never ends, sent fast enough for curl's low-speed limit.
GIT_REFS = "git-refs"


class DripServer:
    def __init__(self, what: str, every: float = 0.2, size: int = 1) -> None:
        """`size` bytes each `every` seconds."""
        self.what, self.every, self.size = what, every, size
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(65536)
                if not data:
                    return
                request += data
            self.requests.append(request.split(b"\r\n", 1)[0])
            stream = self._stream()
            while not self._stop.is_set():
                try:
                    conn.sendall(bytes(itertools.islice(stream, self.size)))
                except OSError:  # the client gave up
                    return
                time.sleep(self.every)

    def _stream(self) -> Iterator[int]:
        if self.what == HEADERS:  # header lines that never end
            yield from b"HTTP/1.1 200 OK\r\n"
            for n in itertools.count():
                yield from f"X-Drip-{n}: {'x' * 20}\r\n".encode()
        head = "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nContent-Type: {}\r\n\r\n"
        if self.what == BODY:
            yield from head.format("application/json").encode()
            yield from itertools.repeat(ord(" "))  # JSON's whitespace, for ever
        yield from head.format("application/x-git-upload-pack-advertisement").encode()
        yield from _pkt("# service=git-upload-pack\n") + b"0000"
        yield from _pkt(f"{'1' * 40} HEAD\0multi_ack\n")
        for n in itertools.count():
            yield from _pkt(f"{'1' * 40} refs/tags/drip-{n}\n")


def _pkt(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data
