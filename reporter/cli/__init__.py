"""The `retrospect` command line: one module per command, each with its parser (`add`) and its runner
(`run`); this module only wires them, and `main` turns errors into one line and exit status 2."""

from __future__ import annotations

import gc
import signal
import sys
import threading
from collections.abc import Sequence

from reporter import __version__, progress, redact
from reporter.cli import (
    action,
    authors,
    completion,
    config,
    credits,
    employers,
    github,
    options,
    packaging,
    ranges,
    report,
    series,
    subsystems,
    table,
    trends,
)
from reporter.errors import UserError

DESCRIPTION = """\
Yearly development statistics of a Linux kernel subsystem (DAMON by default) and of its user-space tool,
counted from git exactly as the plain git commands count them, and the yearly post that reports them."""

EPILOG = """\
Run `retrospect COMMAND --help` for a command's options and an example.
Caches live under one root, $XDG_CACHE_HOME/retrospect (default ~/.cache/retrospect), or --cache-dir."""


COMMANDS = [
    authors,
    credits,
    employers,
    ranges,
    table,
    subsystems,
    series,
    report,
    trends,
    config,
    packaging,
    github,
    action,
    completion,
]


def build_parser() -> options.Parser:
    parser = options.Parser(
        prog="retrospect", description=DESCRIPTION, epilog=EPILOG, formatter_class=options.Formatter
    )
    parser.add_argument("--version", action="version", version=f"retrospect {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", required=True)
    for command in COMMANDS:
        command.add(sub)
    return parser


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (a cancelled job, a stopped container) unwinds like an exception: temporary directories and
    # files are removed and git's processes ended on the way out, instead of staying behind.
    raise SystemExit(128 + signum)


# A run keeps hundreds of thousands of small objects to its end (a kernel year's commits), none in a cycle:
# collecting after every 700 new ones went through them again and again (a kernel year's tables: 317
# collections, 0.12 to 0.15 s of CPU; with these, 53, nearly all during the imports before `main`: 0.03 s).
_GC_THRESHOLD = (50_000, 10, 10)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    progress.new_run()
    parser = build_parser()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    collecting = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        if not arguments:  # a bare `retrospect`: what it can do, as git and pip show it
            parser.print_help(sys.stderr)
            return 2
        args, unknown = parser.parse_known_args(arguments)
        if unknown:
            args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        status: int = args.func(args)
        return status
    except options.UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except UserError as err:
        print(f"retrospect: error: {redact.text(str(err))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `retrospect ... | head` is fine
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        gc.set_threshold(*collecting)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
