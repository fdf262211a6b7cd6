"""`retrospect table`: per-release tables: community, commits and/or lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from reporter.cli import options
from reporter.kernel import compute
from reporter.model import Table
from reporter.render import data as render_data
from reporter.render import gfm, text
from reporter.report import config


def add(sub: options.Subcommands) -> None:
    p = options.command(
        sub,
        "table",
        "per-release tables: community, commits and/or lines",
        "Per-release tables of a subsystem against its parent and the whole tree: commits by people other than\n"
        "the maintainer (community), and the subsystem's share of commits and changed lines.",
        "retrospect table community commits lines ~/linux --year 2023 --format text",
        "retrospect table lines ~/linux --refs refs-2023 --subsystem 'damon=DATA ACCESS MONITOR'",
    )
    p.add_argument(
        "kinds",
        nargs="+",
        choices=compute.TABLE_KINDS,
        metavar="KIND",
        help="community, commits or lines; several share one set of walks",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    options.refs_source(p, "a file of refs, one per line (stat_branches)")
    kernel = config.default().kernel
    p.add_argument(
        "--subsystem",
        default=kernel.subsystem.spec(),
        metavar="SPEC",
        help="[LABEL=]SECTION TITLE or [LABEL=]path:P1,P2; TITLE#N is the Nth of several sections with one title",
    )
    p.add_argument("--parent", default=kernel.parent.spec(), metavar="SPEC", help="the parent subsystem, same form")
    p.add_argument("--total-label", default=kernel.total_label, metavar="LABEL", help="the whole tree's label")
    p.add_argument(
        "--maintainer",
        action="append",
        default=[],
        metavar="IDENT",
        help="a maintainer identity (repeatable; default: the subsystem's M: entries)",
    )
    p.add_argument(
        "--maintainer-label", metavar="LABEL", help="default: the local part of the first maintainer's email"
    )
    p.add_argument(
        "--maintainers-at",
        "--maintainers-ref",
        dest="maintainers_at",
        default="end",
        metavar="end|each|REF",
        help="read MAINTAINERS at the last ref (end), at each range's own end (each: the total row sums the "
        "rows), or at REF; the output states where",
    )
    p.add_argument(
        "--merges", choices=("include", "exclude"), help="default: include for community, exclude for commits and lines"
    )
    options.format_option(
        p, ("tsv", "text", "md", "json"), "tsv as the seed scripts print; text aligned as the post shows"
    )
    options.repository_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with options.history(args) as history:
        request = compute.TableRequest(
            refs=options.refs(history, args),
            subsystem=args.subsystem,
            parent=args.parent,
            total_label=args.total_label,
            maintainers=args.maintainer,
            maintainer_label=args.maintainer_label,
            merges=dict.fromkeys(args.kinds, args.merges == "include") if args.merges else {},
            maintainers_at=options.maintainers_at(args.maintainers_at),
        )
        kinds = list(dict.fromkeys(args.kinds))
        tables = compute.tables(history, kinds, request)
        options.warn_overlaps(history.repo, args, request.refs, history.hashes(request.refs), history.contains)
        if args.format == "json":
            data = {"tables": [render_data.table(tables[kind]) for kind in kinds]}  # a list, however many kinds
            options.emit(render_data.dumps(render_data.document("table", data)))
            return 0
        render: Callable[[Table], str] = {
            "md": gfm.result_table,
            "text": text.table_text,
            "tsv": lambda table: text.tsv(text.table_rows(table)),
        }[args.format]
        options.emit("\n".join(render(tables[kind]) for kind in kinds))
        return 0
