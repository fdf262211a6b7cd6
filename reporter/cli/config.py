"""`retrospect config`: print the built-in configuration or check one."""

from __future__ import annotations

import argparse
from pathlib import Path

from reporter.cli import options
from reporter.report import config


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "config",
        "print the built-in configuration or check one",
        "Print the built-in DAMON configuration (a starting point for your own), or check a config file.",
        "retrospect config --print-default > my.yaml && retrospect config --check my.yaml",
    )
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--print-default", action="store_true", help="print the built-in DAMON config")
    action.add_argument("--check", type=Path, metavar="FILE", help="validate a config file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.print_default:
        options.emit(config.DEFAULT_YAML)
    else:
        loaded = config.load(args.check)
        print(f"{args.check}: ok ({', '.join(loaded.repo_names())})")
    return 0
