"""A loopback git smart-HTTP server (`git http-backend` behind a token check), as GitHub serves repositories.

    server = GitHTTPServer(root, token="secret").start()   # repositories are bare repos under root
    server.url + "/news.git"                               # clone / push URL
    server.seen                                            # (method, path, Authorization) of every request

A request whose `Authorization` is not `basic base64(x-access-token:TOKEN)` answers 401, as GitHub does for
a bad token; with `token=None` the repositories are public (any request is served, and recorded). With
`redirect` (an origin, `http://HOST:PORT`) every request answers that status to the same path there. `host`
is the loopback address it listens on (127.0.0.2 is another host than 127.0.0.1 for git and curl).
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class GitHTTPServer:
    def __init__(self, root: Path, token: str | None, host: str = "127.0.0.1") -> None:
        self.root, self.token, self.host = root, token, host
        self.seen: list[tuple[str, str, str]] = []
        self.redirect: tuple[int, str] | None = None
        self._server = ThreadingHTTPServer((host, 0), _Handler)
        self._server.git = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> GitHTTPServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def authorized(self, header: str) -> bool:
        if self.token is None:
            return True
        scheme, _, value = header.partition(" ")
        expected = base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
        return scheme.lower() == "basic" and value.strip() == expected


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().strip(), 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self) -> None:
        git: GitHTTPServer = self.server.git  # type: ignore[attr-defined]
        auth = self.headers.get("Authorization", "")
        git.seen.append((self.command, self.path, auth))
        body = self._body() if self.command == "POST" else b""
        if git.redirect is not None:
            status, origin = git.redirect
            self.send_response(status)
            self.send_header("Location", origin + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not git.authorized(auth):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
            self.end_headers()
            self.wfile.write(b"Invalid username or token.\n")
            return
        url = urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(git.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": "x-access-token",  # http-backend accepts pushes from authenticated users only
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = next((int(line.split()[1]) for line in lines if line.lower().startswith("status:")), 200)
        self.send_response(status)
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() != "status" and value:
                self.send_header(name, value.strip())
        self.end_headers()
        self.wfile.write(payload)
