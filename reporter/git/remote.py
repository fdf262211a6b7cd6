"""git processes that may talk to a remote: bounded, never prompting, URLs as data, token to one host only.

Both the cached clones (`reporter.git.repos`) and the news repository (`reporter.publish.news`) run git
through `run`: a server that
accepts the connection and then says nothing costs `low_speed_time` seconds over HTTP (curl's low-speed
limit), and `timeout` seconds over any transport, then one error naming the remote that did not answer.
The limits come from the environment, so that a slow mirror can be given more time and a test less.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from reporter import redact
from reporter.errors import UserError
from reporter.git import guard

TIMEOUT_VAR = "RETROSPECT_GIT_TIMEOUT"  # seconds one git process may take in all
LOW_SPEED_VAR = "RETROSPECT_GIT_LOW_SPEED_TIME"  # seconds under LOW_SPEED_LIMIT before curl gives up
TOKEN_HOSTS_VAR = "RETROSPECT_TOKEN_HOSTS"  # more scheme://host[:port] the token may go to, space-separated
DEFAULT_TIMEOUT = 3600.0  # a first shallow clone of Linux takes minutes; an hour means something is wrong
DEFAULT_LOW_SPEED_TIME = 60
LOW_SPEED_LIMIT = 1000  # bytes per second

# git runs under a shell that, when this process dies (even by SIGKILL: the kernel sends the shell SIGTERM,
# see `_with_us`), kills git's whole process group, helpers (git-remote-https, ssh, index-pack) included:
# a killed first clone leaves no `git fetch` running on. The shell waits for git in the background, as a
# trap runs only between commands.
_GROUP = 'trap "kill -KILL 0" TERM; "$@" & wait $!'
_PR_SET_PDEATHSIG = 1

# Never wait on a credential prompt in a scheduled job: fail and say so instead.
ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


@dataclass(frozen=True)
class Bounds:
    timeout: float
    low_speed_time: int


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise UserError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


def bounds() -> Bounds:
    return Bounds(_number(TIMEOUT_VAR, DEFAULT_TIMEOUT), max(1, int(_number(LOW_SPEED_VAR, DEFAULT_LOW_SPEED_TIME))))


def check_url(url: str, what: str) -> str:
    """`url`, refused when git could read it as an option or run a command for it."""
    if url.startswith("-"):
        raise UserError(f"{what}: a URL must not start with '-': {redact.url(url)!r}")
    if url.split("::", 1)[0] in ("ext", "fd"):  # transports that run commands or use descriptors
        raise UserError(f"{what}: transport not allowed: {redact.url(url)!r}")
    return url


def credentials(url: str) -> dict[str, str]:
    """Environment for git that sends the user name and password (or token) an http(s) `url` holds as an
    Authorization header (see `authorization`): the URL itself is kept and shown without them
    (redact.public). Empty for a URL without them, or of another kind (ssh asks for its own)."""
    parts = urlsplit(url) if "://" in url else None
    userinfo, at, _ = parts.netloc.rpartition("@") if parts else ("", "", "")
    if parts is None or not at or parts.scheme.lower() not in ("http", "https"):
        return {}
    user, _, password = userinfo.partition(":")
    return authorization(url, unquote(user), unquote(password))


def authorization(url: str, user: str, password: str) -> dict[str, str]:
    """Environment for git that sends `user` and `password` as a Basic Authorization header to `url`'s server
    (scheme, host and port) only, through GIT_CONFIG_* variables: never in a command line, a URL or a
    configuration file. Whether they may go there at all is the caller's to decide (`token_allowed`)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)  # after configuration passed this way already
    return {
        "GIT_CONFIG_COUNT": str(index + 2),
        f"GIT_CONFIG_KEY_{index}": f"http.{parts.scheme}://{host}/.extraheader",
        f"GIT_CONFIG_VALUE_{index}": f"Authorization: Basic {basic_secret(user, password)}",
        # git follows a redirect of its first request and then sends every later one, header included, to
        # the new host (curl drops the header on the redirect itself only): with the header, none is followed.
        f"GIT_CONFIG_KEY_{index + 1}": "http.followRedirects",
        f"GIT_CONFIG_VALUE_{index + 1}": "false",
    }


def basic_secret(user: str, password: str) -> str:
    """The Basic header's secret part, to be masked in logs like the password itself."""
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _config(limits: Bounds) -> list[str]:
    return [
        "-c",
        f"http.lowSpeedLimit={LOW_SPEED_LIMIT}",
        "-c",
        f"http.lowSpeedTime={limits.low_speed_time}",
    ]


def run(
    args: Sequence[str], cwd: Path, what: str, env: Mapping[str, str] | None = None, shown: bool = False
) -> subprocess.CompletedProcess[str]:
    """`git ARGS` in `cwd` with `env` (default: this process's), bounded; `what` names the remote in the
    error when it does not answer. With `shown`, git's messages (its progress) also go to our stderr as they
    come; they are kept for the error line all the same."""
    limits = bounds()
    # Not the action's inputs (INPUT_TOKEN among them): git and its hooks have no use for them.
    base = {k: v for k, v in (os.environ if env is None else env).items() if not k.startswith("INPUT_")}
    # A session of its own, so that a timeout ends git's helpers (git-remote-https, ssh) as well.
    with subprocess.Popen(
        ["sh", "-c", _GROUP, "sh", *guard.command(*_config(limits), *args)],
        cwd=cwd,
        env=base | ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_with_us(),
    ) as proc:
        out, said = bytearray(), bytearray()
        readers = [
            threading.Thread(target=_tee, args=(proc.stdout, out, False), daemon=True),
            threading.Thread(target=_tee, args=(proc.stderr, said, shown), daemon=True),
        ]
        for reader in readers:
            reader.start()
        try:
            proc.wait(timeout=limits.timeout)
        except subprocess.TimeoutExpired:
            _end(proc)
            raise UserError(
                f"{what} did not answer: git {_command(args)} gave up after {limits.timeout:g} s ({TIMEOUT_VAR})"
            ) from None
        except BaseException:  # SIGTERM or ^C: git and its helpers end with us
            _end(proc)
            raise
        for reader in readers:  # to the end of what git wrote (a helper still holding the pipe: not longer)
            reader.join(timeout=limits.timeout)
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, out.decode(errors="replace"), said.decode(errors="replace")
    )


def _command(args: Sequence[str]) -> str:
    """The git command of `args`, past the options before it (`--git-dir=...`: a scratch path says nothing)."""
    return next((arg for arg in args if not arg.startswith("-")), args[0])


def _with_us() -> Callable[[], None] | None:
    """What the child runs before the shell starts: ask Linux for SIGTERM when this process dies (None
    elsewhere). Made before the fork, so that the child only calls into libc."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # no prctl: not Linux
        return None
    parent = os.getpid()

    def ask() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # died before the request took effect
            os._exit(1)

    return ask


def _tee(stream: IO[bytes] | None, said: bytearray, shown: bool) -> None:
    """Read one of git's pipes to its end as it comes (progress must not wait), copied to our stderr when
    `shown`."""
    assert stream is not None
    while chunk := os.read(stream.fileno(), 4096):
        said += chunk
        if shown:
            sys.stderr.buffer.write(chunk)
            sys.stderr.flush()


def _end(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def stalled(stderr: str) -> bool:
    """Whether git failed because the server stopped sending (curl's low-speed limit) or closed the
    connection without a word."""
    return any(sign in stderr for sign in ("too slow", "Operation timed out", "Empty reply from server"))


def token_allowed(url: str, server_url: str) -> bool:
    """Whether a token may go to `url`: to the GitHub server's origin exactly as `server_url` names it
    (scheme, host, port), or to an origin the user named in $RETROSPECT_TOKEN_HOSTS (`scheme://host[:port]`)."""
    target, server = _origin(url), _origin(server_url)
    if target == server and target.startswith(("https://", "http://")):
        return True
    return target in {_origin(named) for named in os.environ.get(TOKEN_HOSTS_VAR, "").split()}


def _origin(url: str) -> str:
    """scheme://host[:port], by host name (user info dropped: https://github.com@evil.example is evil's)."""
    parts = urlsplit(url.strip())
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{port}"
