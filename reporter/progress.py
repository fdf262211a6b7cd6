"""Progress of long work on stderr: a tqdm bar on a terminal, a line every few seconds in GitHub Actions.

`Progress(label, unit)` is the one mechanism: `add_total(n)` where the amount is known, `update(n)` for
increments or `counter()` for concurrent walks that report cumulative counts, `close()` (or `with`) at the
end. On a terminal it is one line, rewritten and cleared by tqdm, with the rate and the time left; in
Actions (no terminal there) the same figures as a line every `STEADY_INTERVAL` seconds, from a timer, so a
stalled step still shows it is alive; elsewhere (a pipe, a file) nothing. `warning()` and `notice()` print
through the bar, so that a message and the bar never share a line. Workflow commands live here too.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reporter import redact

if TYPE_CHECKING:
    from tqdm import tqdm

STEADY_INTERVAL = 5.0  # seconds between progress lines in Actions
_LINE = "{desc}: {n_fmt}/{total_fmt}{unit} ({percentage:.0f}%), {rate_fmt}, {remaining} left"
_LINE_NO_TOTAL = "{desc}: {n_fmt}{unit}, {rate_fmt}"
_BAR = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{unit} [{elapsed}<{remaining}, {rate_fmt}]"
_BAR_NO_TOTAL = "{desc}: {n_fmt}{unit} [{elapsed}, {rate_fmt}]"


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str) -> str:
    # The runner's escaping of workflow command data: otherwise a newline would end the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command(name: str, value: str = "") -> None:
    """A workflow command (`::name::value`) on stdout, where the runner reads them; the user-info of a URL
    in it hidden (but for the mask itself)."""
    print(f"::{name}::{_escape(value if name == 'add-mask' else redact.text(value))}", flush=True)


_said: set[str] = set()
_said_lock = threading.Lock()


def new_run() -> None:
    """Forget the warnings given: a command run says each of its own once."""
    with _said_lock:
        _said.clear()


def warning(text: str) -> None:
    """A warning: an annotation on the run's page in Actions, else one line on stderr (through the progress
    bar, when one is drawn, so that the two never share a line). Each text once a run: two threads that
    meet the same problem (a report reads one MAINTAINERS for its tables and its authors) say it once."""
    with _said_lock:
        if text in _said:
            return
        _said.add(text)
    if in_actions():
        command("warning", text)
    else:
        _say(f"retrospect: warning: {text}")


def notice(text: str) -> None:
    """Something done differently from what was asked, said where the user looks: like `warning`."""
    if in_actions():
        command("notice", text)
    else:
        _say(f"retrospect: {text}")


def _say(line: str) -> None:
    """A line on stderr, through tqdm when a bar may be drawn (tqdm is loaded, lazily, only to draw one)."""
    line = redact.text(line)
    loaded = sys.modules.get("tqdm")
    if loaded is None:
        print(line, file=sys.stderr)
    else:
        loaded.tqdm.write(line, file=sys.stderr)


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


def style(enabled: bool | None = None) -> str:
    """How progress shows: "bar" on a terminal, "lines" in Actions and on a terminal that cannot redraw a line
    (TERM=dumb: an editor's shell buffer), else "off"; `enabled=False` is off."""
    if enabled is False:
        return "off"
    if sys.stderr.isatty():
        return "lines" if os.environ.get("TERM") == "dumb" else "bar"
    return "lines" if in_actions() or enabled else "off"


class Progress:
    """Work done of a total (where known), shown as `style()` says; safe to update from several threads."""

    def __init__(
        self, label: str, unit: str = "commits", total: int | None = None, enabled: bool | None = None
    ) -> None:
        self.label = label
        self.unit = unit
        self.style = style(enabled)
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}
        self._total = total
        self._done = 0
        self._bar: tqdm[Any] | None = None
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self._started = time.monotonic()

    @property
    def enabled(self) -> bool:
        return self.style != "off"

    @property
    def n(self) -> int:
        return self._done + sum(self._counts.values())

    @property
    def total(self) -> int | None:
        return self._total

    def add_total(self, amount: int) -> None:
        """More work whose size is known (say, from `git rev-list --count`)."""
        with self._lock:
            self._total = (self._total or 0) + amount
            if self._bar is not None:
                self._bar.total = self._total
                self._bar.bar_format = _BAR
                self._bar.refresh()

    def update(self, amount: int = 1) -> None:
        """`amount` more units done."""
        with self._lock:
            self._done += amount
            self._show()

    def counter(self) -> Callable[[int], None] | None:
        """A callback for one concurrent walk, which reports how many units it has done so far in all."""
        if not self.enabled:
            return None
        with self._lock:  # walks start from several threads
            key = len(self._counts)
            self._counts[key] = 0

        def report(count: int) -> None:
            with self._lock:
                self._counts[key] = count
                self._show()

        return report

    def _show(self) -> None:
        if self.style == "bar":
            bar = self._bar
            if bar is None:
                from tqdm import tqdm  # a tenth of the start-up time of a command that draws no bar

                bar = self._bar = tqdm(
                    desc=self.label,
                    total=self._total,
                    unit=f" {self.unit}",
                    bar_format=_BAR if self._total else _BAR_NO_TOTAL,
                    file=sys.stderr,
                    leave=False,  # cleared at the end: the command's output follows, not a stale bar
                    mininterval=0.2,
                    unit_scale=False,
                )
            bar.update(self.n - bar.n)
        elif self.style == "lines" and self._timer is None:
            self._stop = threading.Event()  # a batch after close() shows again
            self._timer = threading.Thread(target=self._steady, name=f"progress {self.label}", daemon=True)
            self._timer.start()

    def line(self) -> str:
        """The progress as one line: what, how far, the rate and the time left (when the total is known)."""
        from tqdm import tqdm

        with self._lock:
            n, total = self.n, self._total
        return tqdm.format_meter(
            n,
            total or 0,  # 0: unknown, as tqdm takes it
            time.monotonic() - self._started,
            prefix=self.label,
            unit=f" {self.unit}",
            bar_format=_LINE if total else _LINE_NO_TOTAL,
        )

    def _steady(self) -> None:
        while not self._stop.wait(STEADY_INTERVAL):
            print(self.line(), file=sys.stderr, flush=True)

    def close(self) -> None:
        """Clear the bar (or stop the lines, with a last one that says it is done)."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
            self._timer = None
            print(f"{self.line()} (done)", file=sys.stderr, flush=True)
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
