"""`retrospect report`: the yearly post: Hugo markdown and its JSON data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.cli import options
from reporter.errors import UserError

if TYPE_CHECKING:
    from reporter.report.run import ReportOptions


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "report",
        "the yearly post: Hugo markdown and its JSON data",
        "Compute a year and the year before for every configured repository (cloned into the cache unless\n"
        "--repo names a local clone), fetch GitHub and packaging figures, and write OUT/YEAR.md, OUT/YEAR.json\n"
        "and OUT/YEAR.mbox (the post as a plain-text mail to the subsystem's lists, for git send-email).\n\n"
        "The post's chart is a code block fenced as mermaid (an xychart-beta). GitHub draws it as it is (job\n"
        "summaries, comments, READMEs). A Hugo site draws it only with a render hook for mermaid code blocks\n"
        "(layouts/_markup/render-codeblock-mermaid.html writing a pre element of class mermaid, as Hugo's\n"
        "diagrams page shows) and a page template that then loads Mermaid 10.6 or newer (xychart-beta is not in\n"
        "older ones); without them the reader sees the chart's source as a code block.",
        "retrospect report --year 2023 --repo linux=~/linux --repo damo=~/damo",
    )
    config_option(p)
    p.add_argument("--year", type=options.year, help="default: the current year, up to now")
    p.add_argument(
        "--cutoff",
        metavar="DATE",
        help=f"ignore tags and commits after this day (as --until reads it: {options.DATE_ONLY})",
    )
    repo_option(p)
    p.add_argument("--out", type=Path, default=Path("retrospect-out"), metavar="DIR", help="output directory")
    p.add_argument("--offline", action="store_true", help="no network: no cloning, fetching or web APIs")
    options.format_option(p, ("hugo", "gfm"), "gfm also writes YEAR.gfm.md with the tables as GitHub markdown")
    p.add_argument("--date", help="the post's front-matter date (default: that of the year's last boundary)")
    p.add_argument(
        "--news-repo",
        type=Path,
        metavar="DIR",
        help="a clone of the news repository (a Hugo site), where last year's post is found by its title (or "
        "publish.post_path) when posts names none, at its HEAD (default: publish.news_repository when local)",
    )
    options.repository_options(p)
    options.github_options(p)
    p.set_defaults(func=run)


def config_option(p: options.Parser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="YAML config (default: the built-in DAMON config)")


def repo_option(p: options.Parser) -> None:
    p.add_argument(
        "--repo",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="use a local clone for a configured repository (repeatable)",
    )


def _named_path(value: str) -> tuple[str, str]:
    name, eq, path = value.partition("=")
    if not eq or not name or not path:
        raise UserError(f"--repo expects NAME=PATH, got {value!r}")
    return name, path


def run(args: argparse.Namespace) -> int:
    # Imported here: with its templates, a tenth of a second every other command need not wait.
    from reporter.report import run as report_run

    request = session_options(
        args,
        year=args.year,
        cutoff=args.cutoff,
        gfm=args.format == "gfm",
        date=args.date,
        token=args.token,
        api_url=args.api_url,
        max_wait=args.max_wait,
        news_repo=args.news_repo,
    )
    result = report_run.run_report(request)
    for path in (result.markdown_path, result.json_path, result.mail_path, result.gfm_path):
        if path:
            print(path)
    return 0


def session_options(args: argparse.Namespace, **more: Any) -> ReportOptions:
    """The configuration, repositories, output directory and cache the command line names, and `more`."""
    from reporter.report.run import ReportOptions

    repos = dict(_named_path(v) for v in args.repo)
    return ReportOptions(
        config_path=args.config,
        repos=repos,
        out_dir=args.out,
        offline=args.offline,
        cache_dir=args.cache_dir,
        no_cache=args.no_cache,
        jobs=args.jobs,
        quiet=args.quiet,
        **more,
    )
