"""`retrospect series`: the patch series of a range's subsystem commits, and the release that took each."""

from __future__ import annotations

import argparse

from reporter.cli import options
from reporter.errors import UserError
from reporter.git import walk
from reporter.kernel import compute
from reporter.kernel.ranges import DEFAULT_TAG_PATTERN
from reporter.render import data as render_data
from reporter.render import series as render_series


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "series",
        "patch series of a range's subsystem commits, and where they landed",
        "Group the subsystem's commits of a range (merges left out) into patch series, as the mm tree records\n"
        'them (a `Patch series "TITLE".` cover letter in the first patch, a `Link:` to each mail, whose\n'
        "message-id STAMP.PID-K-SENDER names the posting), and name the first release tag that holds all of each.",
        "retrospect series ~/linux --range v6.2-rc1..v6.7-rc8 --subsystem 'DATA ACCESS MONITOR'",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    p.add_argument("--range", required=True, metavar="A..B", help="revision range")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--subsystem", metavar="TITLE", help="the files of this MAINTAINERS section (at B; TITLE#N: the Nth of several)"
    )
    group.add_argument("--paths", action="append", metavar="PATHSPEC", help="the files this matches (repeatable)")
    p.add_argument(
        "--tag-pattern", default=DEFAULT_TAG_PATTERN, metavar="REGEX", help="regex of the release tags (rc included)"
    )
    options.format_option(p, ("text", "md", "json"))
    options.repository_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rev_range = walk.parse_range(args.range)
    if not rev_range.start:
        raise UserError(f"--range {args.range!r}: give A..B (the series of a whole history is not a question)")
    request = compute.AuthorsRequest(
        subsystems=[args.subsystem] if args.subsystem else [], paths=args.paths or [], merges=False
    )
    with options.history(args) as history:
        found = compute.series(history, [rev_range], request, args.tag_pattern)[0]
    return options.write(
        args.format,
        json=lambda: render_data.dumps(
            render_data.document("series", {"series": [render_data.series(s) for s in found]})
        ),
        md=lambda: render_series.md(found),
        text=lambda: render_series.text(found),
    )
