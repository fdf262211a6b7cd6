"""`retrospect subsystems`: every MAINTAINERS section's commits, lines and authors in a year."""

from __future__ import annotations

import argparse

from reporter.cli import options
from reporter.kernel import compute
from reporter.render import data as render_data
from reporter.render import gfm, text


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "subsystems",
        "every MAINTAINERS section's commits, lines and authors in a year",
        "Rank every MAINTAINERS section by the commits of the year (first..last ref) that touch its files.",
        "retrospect subsystems ~/linux --year 2023 --top 20 --format text",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    options.refs_source(p, "a file of refs, one per line (first..last is counted)")
    p.add_argument(
        "--top", type=options.positive, metavar="N", help="only the N sections with the most commits (default: all)"
    )
    options.format_option(p, ("tsv", "text", "md", "json"))
    options.repository_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with options.history(args) as history:
        refs = options.refs(history, args)
        ranked, total = compute.subsystems(history, refs)
        options.warn_overlaps(history.repo, args, refs, history.hashes(refs), history.contains)
        shown = ranked[: args.top] if args.top else ranked
        span = f"{refs[0]}..{refs[-1]}"
        read_at = (refs[-1], history.hashes(refs)[refs[-1]])  # compute.subsystems reads MAINTAINERS at the last ref
        if args.format == "json":
            body = render_data.sections(span, read_at, ranked, shown, total)
            options.emit(render_data.dumps(render_data.document("subsystems", body)))
        elif args.format == "md":
            options.emit(gfm.sections(span, read_at, ranked, shown, total))
        else:
            render = text.aligned if args.format == "text" else text.tsv
            options.emit(text.sections_note(span, read_at, ranked, shown, total) + render(text.section_rows(shown)))
        return 0
