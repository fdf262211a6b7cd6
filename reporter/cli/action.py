"""`retrospect action`: the GitHub Action's entrypoint."""

from __future__ import annotations

import argparse
import os

from reporter.cli import options


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "action",
        "the GitHub Action's entrypoint",
        "The GitHub Action's entrypoint: reads its inputs from INPUT_* and GITHUB_* variables (see action.yml).",
        "INPUT_YEAR=2023 INPUT_MODE=summary retrospect action",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reporter import action
    from reporter.git import guard

    guard.isolate(os.environ)  # before any git process: the runner's git configuration is not the action's
    return action.main()
