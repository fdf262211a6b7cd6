"""`retrospect ranges`: a year's boundary refs from tag dates."""

from __future__ import annotations

import argparse

from reporter.cli import options
from reporter.git import walk


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "ranges",
        "a year's boundary refs from tag dates",
        "Print a year's boundary refs, one per line (the stat_branches format): the latest tag dated before Jan 1,\n"
        "every final release dated in the year, and the latest tag dated on or before Dec 31 (or --cutoff).",
        "retrospect ranges ~/linux --year 2023 > refs-2023",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare); only its tags are read")
    options.year_options(p, required=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    repo = walk.open_repo(args.repo)
    refs = options.year_refs(repo, args)
    options.warn_overlaps(
        repo, args, refs, walk.resolve_all(repo, refs), lambda older, newer: walk.is_ancestor(repo, older, newer)
    )
    options.emit("".join(ref + "\n" for ref in refs))
    return 0
