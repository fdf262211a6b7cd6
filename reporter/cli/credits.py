"""`retrospect credits`: who the commits' Reviewed-by:, Acked-by:, ... trailers credit (git shortlog's counts)."""

from __future__ import annotations

import argparse

from reporter.cli import options
from reporter.kernel import compute
from reporter.kernel import credits as credit
from reporter.render import data as render_data
from reporter.render import gfm, text


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "credits",
        "who the commits' Reviewed-by:, Acked-by:, ... trailers credit (git shortlog's counts)",
        "Rank the people the selected commits' trailers credit, one ranking per trailer key, counted as\n"
        "`git shortlog -s --group=trailer:KEY` counts them.",
        "retrospect credits ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --trailer Reviewed-by",
    )
    options.ranking_options(p)
    p.add_argument(
        "--trailer",
        dest="trailers",
        action="append",
        default=[],
        metavar="KEY",
        help=f"a trailer key (repeatable; default: {', '.join(credit.DEFAULT_KEYS)})",
    )
    options.people_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    keys = list({credit.check_key(k).casefold(): credit.check_key(k) for k in args.trailers}.values())
    with options.history(args, mailmap=args.mailmap) as history:
        request = options.selection(args, people=options.people_rules(args))
        rankings = compute.credits(history, request, keys or list(credit.DEFAULT_KEYS))
        return options.write_ranking(
            args.format,
            "credits",
            compute.section_sources(history, request),
            lambda: {"trailers": render_data.credits(rankings)},
            lambda: gfm.credits(rankings, args.hide_rank),
            lambda: text.credits(rankings, args.hide_rank),
        )
