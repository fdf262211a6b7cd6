"""`retrospect github`: stars, releases, tags and contributors of a GitHub repository."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from reporter.cli import options
from reporter.git import cache
from reporter.render import data as render_data
from reporter.render import gfm, text
from reporter.services.defaults import DEFAULT_RELEASE_MILESTONES, DEFAULT_STAR_MILESTONES


def _counts(text: str) -> tuple[int, ...]:
    """`100,200,500` -> (100, 200, 500)."""
    parts = text.split(",")
    if not all(part.strip().isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"expected positive counts like 100,200,500, got {text!r}")
    return tuple(int(part) for part in parts)


def _joined(counts: Sequence[int]) -> str:
    return ",".join(map(str, counts))


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "github",
        "stars, releases, tags and contributors of a GitHub repository",
        "A GitHub repository's stars, releases, tags and contributors: totals, the year's gains, and the dates\n"
        "the milestones were reached.",
        "GITHUB_TOKEN=... retrospect github damonitor/damo --year 2024 --format md",
    )
    p.add_argument("repo", metavar="OWNER/REPO", help="the repository, e.g. damonitor/damo")
    p.add_argument("--year", type=options.year, default=datetime.now(UTC).year, help="year of the gains")
    p.add_argument(
        "--milestones",
        type=_counts,
        default=DEFAULT_STAR_MILESTONES,
        metavar="N,N,...",
        help=f"star counts whose dates to report (default: {_joined(DEFAULT_STAR_MILESTONES)})",
    )
    p.add_argument(
        "--release-milestones",
        type=_counts,
        default=DEFAULT_RELEASE_MILESTONES,
        metavar="N,N,...",
        help=f"release counts whose dates to report (default: {_joined(DEFAULT_RELEASE_MILESTONES)})",
    )
    options.format_option(p, ("text", "json", "md"))
    options.github_options(p)
    options.cache_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reporter.services import github

    github.check_full_name(args.repo)
    github_cache = cache.root(args.cache_dir) / cache.GITHUB
    gh = github.connect(args.token, args.api_url, cache_dir=github_cache, max_wait=args.max_wait)
    metrics = github.fetch_metrics(gh, args.repo, args.year, args.milestones, args.release_milestones)
    if args.format == "json":
        options.emit(render_data.dumps(render_data.document("github", asdict(metrics))))
    elif args.format == "md":
        options.emit(gfm.github_metrics_md(metrics))
    else:
        options.emit(text.github_metrics_text(metrics))
    return 0
