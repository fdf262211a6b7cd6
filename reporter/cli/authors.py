"""`retrospect authors`: authors ranked by commits or changed lines."""

from __future__ import annotations

import argparse

from reporter.cli import options
from reporter.errors import UserError
from reporter.kernel import compute, stats
from reporter.kernel.ranges import date_or_ref
from reporter.render import data as render_data
from reporter.render import gfm, text


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "authors",
        "authors ranked by commits or changed lines",
        "Rank the authors of the selected commits by commits or changed lines, as the seed script authors.py does.",
        "retrospect authors ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --sortby lines",
    )
    options.ranking_options(p)
    p.add_argument("--sortby", choices=("commits", "lines"), default="commits", help="rank by")
    p.add_argument(
        "--identity",
        "--author_identity",
        dest="identity",
        choices=stats.IDENTITIES,
        default="all",
        help="what makes one author: 'Name <email>', the name, the email or its domain",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="IDENT",
        help="skip this author (Name <email>, name or email; repeatable)",
    )
    p.add_argument(
        "--new-since",
        metavar="DATE|REF|A..B",
        help="only authors with no commit to the same paths before DATE (the moment --since DATE starts at), "
        f"reachable from REF, or in A..B; {options.DATE_OR_REF}",
    )
    options.people_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.new_since is not None:
        date_or_ref(args.new_since)  # a bad value fails before the walk
    if args.people and args.identity != "all":
        raise UserError("--people folds whole identities: it does not go with --identity")
    request = options.selection(
        args,
        sortby=args.sortby,
        identity=args.identity,
        exclude=args.exclude,
        new_since=args.new_since,
        people=options.people_rules(args),
    )
    with options.history(args, mailmap=args.mailmap) as history:  # its cache writes go on while the output is made
        ranking = compute.authors(history, request)
        who = "domains" if args.identity == "domain" else None  # what the footer counts: else authors or people
        return options.write_ranking(
            args.format,
            "authors",
            compute.section_sources(history, request),
            lambda: render_data.authors(ranking),
            lambda: gfm.authors(ranking, args.hide_rank, who),
            lambda: text.authors(ranking, args.hide_rank, who),
        )
