"""Progress for long work: a live counter on stderr in a terminal, log groups in GitHub Actions."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str) -> str:
    # The runner's escaping of workflow command data: otherwise a newline would end the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command(name: str, value: str = "") -> None:
    """A workflow command (`::name::value`) on stdout, where the runner reads them."""
    print(f"::{name}::{_escape(value)}", flush=True)


def warning(text: str) -> None:
    """A warning: an annotation on the run's page in Actions, else one line on stderr."""
    if in_actions():
        command("warning", text)
    else:
        print(f"retrospect: warning: {text}", file=sys.stderr, flush=True)


def notice(text: str) -> None:
    """Something done differently from what was asked, said where the user looks: like `warning`."""
    if in_actions():
        command("notice", text)
    else:
        print(f"retrospect: {text}", file=sys.stderr, flush=True)


@contextmanager
def group(title: str) -> Iterator[None]:
    """A collapsible log group in Actions; elsewhere nothing, so local output stays clean."""
    if not in_actions():
        yield
        return
    command("group", title)
    try:
        yield
    finally:
        command("endgroup")


class Progress:
    """Counts commits walked by several concurrent walks and shows the sum, at most 10 times a second."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._counts: dict[int, int] = {}
        self._lock = threading.Lock()
        self._shown = 0.0

    def counter(self) -> Callable[[int], None] | None:
        """A callback for one walk: it reports how many commits that walk has parsed so far."""
        if not self.enabled:
            return None
        with self._lock:  # walks start from several threads
            key = len(self._counts)
            self._counts[key] = 0

        def update(count: int) -> None:
            with self._lock:
                self._counts[key] = count
                now = time.monotonic()
                if now - self._shown >= 0.1:
                    self._shown = now
                    sys.stderr.write(f"\r{self.label}: {sum(self._counts.values()):,} commits")
                    sys.stderr.flush()

        return update

    def done(self) -> None:
        if self.enabled and self._counts:
            sys.stderr.write(f"\r{self.label}: {sum(self._counts.values()):,} commits, done\n")
            sys.stderr.flush()
