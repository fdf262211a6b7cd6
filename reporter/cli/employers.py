"""`retrospect employers`: commits (or lines) per employer, from a gitdm-style map and domains."""

from __future__ import annotations

import argparse
from pathlib import Path

from reporter.cli import options
from reporter.kernel import compute, employers
from reporter.render import data as render_data
from reporter.render import gfm, text


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "employers",
        "commits (or lines) per employer, from a gitdm-style map and domains",
        "Rank employers by the selected commits (or changed lines) of their people: an address or domain maps to\n"
        "an employer by a gitdm-style map (dated lines for people who moved), else by its email domain.",
        "retrospect employers ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --map domain-map",
    )
    options.ranking_options(p)
    p.add_argument("--sortby", choices=("commits", "lines"), default="commits", help="rank by")
    p.add_argument("--map", type=Path, metavar="FILE", help="ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD] per line")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    emap = employers.read_map(args.map)
    with options.history(args, mailmap=args.mailmap) as history:
        request = options.selection(args, sortby=args.sortby)
        ranking, domains = compute.employers(history, request, emap)
        return options.write_ranking(
            args.format,
            "employers",
            compute.section_sources(history, request),
            lambda: render_data.employers(ranking, domains),
            lambda: gfm.employers(ranking, domains, args.hide_rank),
            lambda: text.employers(ranking, domains, args.hide_rank),
        )
