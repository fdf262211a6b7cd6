"""`retrospect packaging`: distributions packaging a project (Repology) and its PyPI downloads."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from reporter.cli import options
from reporter.git import cache
from reporter.render import data as render_data
from reporter.render import gfm, text
from reporter.services.defaults import PYPISTATS_URL, REPOLOGY_URL


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "packaging",
        "distributions packaging a project (Repology) and its PyPI downloads",
        "The distributions that package a project (Repology) and its PyPI downloads in a year (pypistats),\n"
        "compared with last year's output when given.",
        "retrospect packaging damo --year 2024 --previous damo-2023.json --format md",
    )
    p.add_argument("project", help="Repology project name, e.g. damo")
    p.add_argument("--year", type=options.year, default=datetime.now(UTC).year, help="year of the downloads")
    p.add_argument("--pypi-package", metavar="NAME", help="PyPI name (default: the project name)")
    p.add_argument("--repology-url", default=REPOLOGY_URL, metavar="URL", help="Repology's address")
    p.add_argument("--pypistats-url", default=PYPISTATS_URL, metavar="URL", help="pypistats' address")
    p.add_argument("--previous", type=Path, metavar="FILE", help="last year's --format json output, to compare")
    options.format_option(p, ("text", "json", "md"))
    options.cache_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reporter.services import packaging

    http_cache = cache.root(args.cache_dir) / cache.HTTP
    previous = packaging.read_previous(args.previous) if args.previous else {}
    pkg = packaging.fetch_packaging(args.project, args.repology_url, http_cache, previous.get("packaging"))
    name = args.pypi_package or args.project
    dl = packaging.fetch_downloads(name, args.year, args.pypistats_url, http_cache, previous.get("downloads"))
    if args.format == "json":
        options.emit(render_data.dumps(render_data.document("packaging", packaging.as_json_dict(pkg, dl))))
    elif args.format == "md":
        options.emit(f"## Packaging and downloads\n\n{gfm.packaging_md(pkg, dl)}")
    else:
        options.emit(text.packaging_text(pkg, dl))
    return 0
