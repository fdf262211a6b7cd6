"""`retrospect trends`: every year since the start, each computed once and kept, or merged from a matrix."""

from __future__ import annotations

import argparse
from pathlib import Path

from reporter.cli import options
from reporter.cli.report import config_option, repo_option, session_options
from reporter.render import data as render_data


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "trends",
        "every year since the start: contributors, commits, lines, shares, the tools'",
        "For every year since the subsystem's first commit (or --first-year, or the config's trends.first_year)\n"
        "up to --last-year (default: this year, up to now): contributors (people), commits, changed lines,\n"
        "their shares of the parent and of the whole tree, and each tool's contributors and commits, as the\n"
        "year's report counts them. Each year is kept in OUT/trends-YEAR.json with the fingerprint of its\n"
        "inputs and read back while they are unchanged, so next year's run computes one year. --year computes\n"
        "only the years named (one CI job a year); --from DIR merges the years kept under DIR instead.",
        "retrospect trends --repo linux=~/linux --repo damo=~/damo --format md",
        "retrospect trends --year 2023 --out years/ && retrospect trends --from years/ --format json",
    )
    config_option(p)
    repo_option(p)
    p.add_argument("--first-year", type=options.year, metavar="YYYY", help="the first year")
    p.add_argument("--last-year", type=options.year, metavar="YYYY", help="the last year")
    p.add_argument(
        "--year", type=options.year, action="append", default=[], metavar="YYYY", help="only this year (repeatable)"
    )
    p.add_argument(
        "--out", type=Path, default=Path("retrospect-out/trends"), metavar="DIR", help="where the years are kept"
    )
    p.add_argument("--from", dest="source", type=Path, metavar="DIR", help="merge the years kept under DIR")
    p.add_argument("--offline", action="store_true", help="no network: no cloning or fetching")
    options.format_option(p, ("text", "md", "json"), "text: aligned table; md: GitHub table and Mermaid chart")
    options.repository_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reporter.render import trends as render_trends
    from reporter.report import trends
    from reporter.report.config import load

    config = load(args.config)
    if args.source is not None:
        found = trends.merge(args.source, config)
    else:
        request = trends.TrendsOptions(session_options(args), args.year, args.first_year, args.last_year)
        found = trends.run_trends(request)
    data = found.to_json()
    return options.write(
        args.format,
        text=lambda: render_trends.aligned(config, data),
        md=lambda: render_trends.markdown(config, data),
        json=lambda: render_data.dumps(render_data.document("trends", data)),
    )
