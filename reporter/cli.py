"""The `retrospect` command line: parses arguments, calls the library, maps user errors to exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reporter import __version__
from reporter.errors import UserError


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="retrospect", description=__doc__)
    parser.add_argument("--version", action="version", version=f"retrospect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in _COMMANDS:
        add(sub)
    return parser


# Each entry adds one sub-command whose parser sets `func` (args -> exit status).
_COMMANDS: list = []


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args) or 0
    except UserError as err:
        print(f"retrospect: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `retrospect ... | head` is fine
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
