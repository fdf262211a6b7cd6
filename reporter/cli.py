"""The `retrospect` command line: argument parsing only; each command calls the library and prints.

A command is an `_add_NAME(sub)` function in `_COMMANDS` that builds its parser with `_command()` and the shared
option groups (`_ranking_options`, `_repository_options`, `_year_options`, `_github_options`, `_cache_option`,
`_format_option`), and sets `func` (args -> exit status); `_write` prints the one output form asked for.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import git

from reporter import __version__, cache, compute, config, employers, people, stats, walk
from reporter import credits as credit
from reporter.config import (
    DEFAULT_MAX_WAIT,
    DEFAULT_RELEASE_MILESTONES,
    DEFAULT_STAR_MILESTONES,
    PYPISTATS_URL,
    REPOLOGY_URL,
)
from reporter.errors import UserError
from reporter.history import History
from reporter.model import Table
from reporter.progress import Progress, warning
from reporter.ranges import (
    DEFAULT_RELEASE_PATTERN,
    DEFAULT_TAG_PATTERN,
    overlaps,
    parse_date,
    parse_year,
    read_refs_file,
    year_boundaries,
)
from reporter.render import data as render_data
from reporter.render import escape, gfm, text

DESCRIPTION = """\
Yearly development statistics of a Linux kernel subsystem (DAMON by default) and of its user-space tool,
counted from git exactly as the plain git commands count them, and the yearly post that reports them."""

EPILOG = """\
Run `retrospect COMMAND --help` for a command's options and an example.
Caches live under one root, $XDG_CACHE_HOME/retrospect (default ~/.cache/retrospect), or --cache-dir."""


def _emit(output: str) -> None:
    """Write a command's output: bytes that are not UTF-8 and control characters in names show U+FFFD."""
    sys.stdout.write(escape.terminal(output))


class _UsageError(Exception):
    """A command line argparse rejects; its usage is already printed."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks, and appends each option's default unless its help says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        unset = action.default is None or action.default is False or action.default == []
        if "default" in help_text or unset or action.default is argparse.SUPPRESS or not action.option_strings:
            return help_text
        return f"{help_text} (default: %(default)s)"

    def _format_action(self, action: argparse.Action) -> str:
        shown = super()._format_action(action)
        if action.nargs == argparse.PARSER:  # the command list without its `COMMAND` heading line
            shown = shown.split("\n", 1)[1]
        return shown


class _Parser(argparse.ArgumentParser):
    """argparse, with git's form of a usage error: the usage, then `retrospect COMMAND: error: ...`, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


_Subcommands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # not subscriptable at run time


def build_parser() -> _Parser:
    parser = _Parser(prog="retrospect", description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"retrospect {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", required=True)
    for add in _COMMANDS:
        add(sub)
    return parser


def _command(sub: _Subcommands, name: str, summary: str, description: str, *examples: str) -> _Parser:
    """A subcommand's parser: `summary` for the command list, `description` and examples for its --help."""
    shown = "\n".join(f"  {example}" for example in examples)
    parser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"example{'s' if len(examples) > 1 else ''}:\n{shown}",
        formatter_class=_Formatter,
    )
    parser.set_defaults(parser=parser)  # so that an unknown option is reported with this command's usage
    return parser


# ------------------------------------------------------------------------------------- shared option groups


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _year(text: str) -> int:
    try:
        return parse_year(text)
    except UserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _cache_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--cache-dir: the one cache root, whichever of its subdirectories the command uses."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"cache root: commit cache, clones ({cache.CLONES}/), web answers ({cache.HTTP}/, {cache.GITHUB}/) "
        "(default: $XDG_CACHE_HOME/retrospect, else ~/.cache/retrospect)",
    )


def _repository_options(parser: _Parser) -> None:
    """Options of every command that walks repositories."""
    group = parser.add_argument_group("repository options")
    _cache_option(group)
    group.add_argument("--no-cache", action="store_true", help="read and write no commit cache (walk everything)")
    group.add_argument("--jobs", type=_positive, metavar="N", help="parallel git walks (default: CPU count)")
    group.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _history(args: argparse.Namespace, mailmap: bool = False) -> History:
    """The repository REPO with the repository options' cache, parallelism and progress."""
    repo = walk.open_repo(args.repo)
    commits = None if args.no_cache else cache.Cache(cache.root(args.cache_dir))
    progress = Progress("walking", enabled=False if args.quiet else None)
    return History(repo, cache=commits, jobs=args.jobs, progress=progress, mailmap=mailmap)


def _ranking_options(parser: _Parser) -> None:
    """REPO and the options of every ranking (authors, credits, employers): authors.py's commit selection,
    how many to list and how, and the repository options."""
    parser.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    group = parser.add_argument_group("commit selection")
    group.add_argument(
        "--range", "--commits_range", dest="range", metavar="A..B", help="revision range (default: HEAD)"
    )
    group.add_argument("--since", metavar="DATE", help="YYYY-MM-DD (from 00:00:00 UTC) or an ISO 8601 timestamp")
    group.add_argument("--until", metavar="DATE", help="YYYY-MM-DD (to 23:59:59 UTC) or an ISO 8601 timestamp")
    group.add_argument(
        "--date-kind", choices=("committer", "author"), default="committer", help="the date --since/--until compare"
    )
    group.add_argument(
        "--no-merges", "--skip_merge_commits", dest="no_merges", action="store_true", help="skip merge commits"
    )
    group.add_argument(
        "--subsystem",
        "--linux_subsystems",
        dest="subsystems",
        action="extend",
        nargs="+",
        default=[],
        metavar="TITLE",
        help="only files of this MAINTAINERS section (repeatable)",
    )
    group.add_argument(
        "--paths", "--files", dest="paths", nargs="+", default=[], metavar="PATHSPEC", help="only files these match"
    )
    shown = parser.add_argument_group("output")
    shown.add_argument(
        "--max-authors",
        "--max_nr_authors",
        dest="max_authors",
        type=int,
        default=30,
        metavar="N",
        help="list at most this many",
    )
    shown.add_argument("--mailmap", action="store_true", help="fold identities with the repository's .mailmap")
    shown.add_argument("--hide-rank", "--hide_rank", dest="hide_rank", action="store_true", help="no rank numbers")
    _format_option(shown, ("text", "md", "json"))
    _repository_options(parser)


def _selection(args: argparse.Namespace, **ranking: Any) -> compute.AuthorsRequest:
    """The ranking options as a request; `ranking` adds a command's own fields (sortby, identity, ...)."""
    if args.max_authors < 0:
        raise UserError("--max-authors must not be negative")
    return compute.AuthorsRequest(
        rev_range=walk.parse_range(args.range) if args.range else None,
        since=parse_date(args.since) if args.since else None,
        until=parse_date(args.until, end_of_day=True) if args.until else None,
        date_kind=args.date_kind,
        merges=not args.no_merges,
        subsystems=args.subsystems,
        paths=args.paths,
        max_authors=args.max_authors,
        **ranking,
    )


def _write(form: str, **renders: Callable[[], str]) -> int:
    """Writes the output in the form asked for (only that one is rendered)."""
    _emit(renders[form]())
    return 0


def _year_options(parser: _Parser, required: bool = False) -> None:
    """A year's boundaries from tag dates (see `retrospect ranges`)."""
    group = parser.add_argument_group("year boundaries")
    if required:
        group.add_argument("--year", type=_year, required=True, help="the year whose boundary tags to find")
    group.add_argument("--cutoff", metavar="DATE", help="ignore tags dated after this date")
    group.add_argument(
        "--release-pattern", default=DEFAULT_RELEASE_PATTERN, metavar="REGEX", help="regex of final release tags"
    )
    group.add_argument(
        "--tag-pattern", default=DEFAULT_TAG_PATTERN, metavar="REGEX", help="regex of tags that may bound a year"
    )


def _year_refs(repo: git.Repo, args: argparse.Namespace) -> list[str]:
    cutoff = parse_date(args.cutoff, end_of_day=True) if args.cutoff else None
    return year_boundaries(walk.tags(repo), args.year, cutoff, args.release_pattern, args.tag_pattern)


def _warn_overlaps(
    repo: git.Repo,
    args: argparse.Namespace,
    refs: Sequence[str],
    hashes: Mapping[str, str],
    contains: Callable[[str, str], bool],
) -> None:
    """Year boundaries that are not ancestors of each other (`hashes`: their commits), warned of (after the
    walks, which tell it)."""
    if args.year:
        for overlap in overlaps(repo, refs, hashes, contains):
            warning(overlap)


def _refs_source(parser: _Parser, refs_help: str) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--refs", type=Path, metavar="FILE", help=refs_help)
    source.add_argument("--year", type=_year, help="the year's boundaries from tag dates (see `retrospect ranges`)")
    _year_options(parser)


def _refs(history: History, args: argparse.Namespace) -> list[str]:
    return read_refs_file(args.refs) if args.refs else _year_refs(history.repo, args)


def _github_options(parser: _Parser) -> None:
    """Options of every command that asks the GitHub API."""
    group = parser.add_argument_group("GitHub options")
    group.add_argument("--token", help="GitHub token (default: $GITHUB_TOKEN, else anonymous: 60 requests an hour)")
    group.add_argument(
        "--api-url", metavar="URL", help="API URL (default: $GITHUB_API_URL, else https://api.github.com)"
    )
    group.add_argument(
        "--max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT,
        metavar="SECONDS",
        help="longest rate-limit wait before giving up",
    )


def _format_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, choices: Sequence[str], help_text: str = "output format"
) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help=help_text)


# ------------------------------------------------------------------------------------------------- authors


def _add_authors(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "authors",
        "authors ranked by commits or changed lines",
        "Rank the authors of the selected commits by commits or changed lines, as the seed script authors.py does.",
        "retrospect authors ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --sortby lines",
    )
    _ranking_options(p)
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
        "--exclude", nargs="+", default=[], metavar="IDENT", help="skip these authors (Name <email>, name or email)"
    )
    p.add_argument(
        "--new-since",
        metavar="DATE|REF|A..B",
        help="only authors with no commit to the same paths before DATE (YYYY-MM-DD), reachable from REF, or in A..B",
    )
    _people_options(p)
    p.set_defaults(func=_run_authors)


def _people_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--people",
        action="store_true",
        help="rank persons: identities sharing an address or a name, or joined by .mailmap, folded "
        "(each shown as its most used identity)",
    )
    p.add_argument(
        "--no-fold-names", action="store_true", help="with --people: identities sharing only a name stay apart"
    )


def _people_rules(args: argparse.Namespace) -> people.Rules | None:
    """How --people folds identities, or None without it."""
    if args.no_fold_names and not args.people:
        raise UserError("--no-fold-names goes with --people")
    return people.Rules(fold_names=not args.no_fold_names) if args.people else None


def _run_authors(args: argparse.Namespace) -> int:
    if args.new_since is not None:
        walk.check_ref(args.new_since)
    if args.people and args.identity != "all":
        raise UserError("--people folds whole identities: it does not go with --identity")
    request = _selection(
        args,
        sortby=args.sortby,
        identity=args.identity,
        exclude=args.exclude,
        new_since=args.new_since,
        people=_people_rules(args),
    )
    with _history(args, mailmap=args.mailmap) as history:  # its cache writes go on while the output is made
        ranking = compute.authors(history, request)
        who = "domains" if args.identity == "domain" else "authors"  # what the footer counts
        return _write(
            args.format,
            json=lambda: render_data.dumps(render_data.authors(ranking)),
            md=lambda: gfm.authors(ranking, args.hide_rank, who),
            text=lambda: text.authors(ranking, args.hide_rank, who),
        )


# ----------------------------------------------------------------------------------------------- employers


def _add_employers(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "employers",
        "commits (or lines) per employer, from a gitdm-style map and domains",
        "Rank employers by the selected commits (or changed lines) of their people: an address or domain maps to\n"
        "an employer by a gitdm-style map (dated lines for people who moved), else by its email domain.",
        "retrospect employers ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --map domain-map",
    )
    _ranking_options(p)
    p.add_argument("--sortby", choices=("commits", "lines"), default="commits", help="rank by")
    p.add_argument("--map", type=Path, metavar="FILE", help="ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD] per line")
    p.set_defaults(func=_run_employers)


def _run_employers(args: argparse.Namespace) -> int:
    emap = employers.read_map(args.map)
    with _history(args, mailmap=args.mailmap) as history:
        ranking, domains = compute.employers(history, _selection(args, sortby=args.sortby), emap)
        return _write(
            args.format,
            json=lambda: render_data.dumps(render_data.employers(ranking, domains)),
            md=lambda: gfm.employers(ranking, domains, args.hide_rank),
            text=lambda: text.employers(ranking, domains, args.hide_rank),
        )


# ------------------------------------------------------------------------------------------------- credits


def _add_credits(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "credits",
        "who the commits' Reviewed-by:, Acked-by:, ... trailers credit (git shortlog's counts)",
        "Rank the people the selected commits' trailers credit, one ranking per trailer key, counted as\n"
        "`git shortlog -s --group=trailer:KEY` counts them.",
        "retrospect credits ~/linux --range v6.6..v6.7 --subsystem 'DATA ACCESS MONITOR' --trailer Reviewed-by",
    )
    _ranking_options(p)
    p.add_argument(
        "--trailer",
        dest="trailers",
        action="append",
        default=[],
        metavar="KEY",
        help=f"a trailer key (repeatable; default: {', '.join(credit.DEFAULT_KEYS)})",
    )
    _people_options(p)
    p.set_defaults(func=_run_credits)


def _run_credits(args: argparse.Namespace) -> int:
    keys = list({credit.check_key(k).casefold(): credit.check_key(k) for k in args.trailers}.values())
    with _history(args, mailmap=args.mailmap) as history:
        rankings = compute.credits(
            history, _selection(args, people=_people_rules(args)), keys or list(credit.DEFAULT_KEYS)
        )
        return _write(
            args.format,
            json=lambda: render_data.dumps(render_data.credits(rankings)),
            md=lambda: gfm.credits(rankings, args.hide_rank),
            text=lambda: text.credits(rankings, args.hide_rank),
        )


# -------------------------------------------------------------------------------------------------- ranges


def _add_ranges(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "ranges",
        "a year's boundary refs from tag dates",
        "Print a year's boundary refs, one per line (the stat_branches format): the latest tag dated before Jan 1,\n"
        "every final release dated in the year, and the latest tag dated on or before Dec 31 (or --cutoff).",
        "retrospect ranges ~/linux --year 2023 > refs-2023",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare); only its tags are read")
    _year_options(p, required=True)
    p.set_defaults(func=_run_ranges)


def _run_ranges(args: argparse.Namespace) -> int:
    repo = walk.open_repo(args.repo)
    refs = _year_refs(repo, args)
    _warn_overlaps(
        repo, args, refs, walk.resolve_all(repo, refs), lambda older, newer: walk.is_ancestor(repo, older, newer)
    )
    _emit("".join(ref + "\n" for ref in refs))
    return 0


# --------------------------------------------------------------------------------------------------- table


def _add_table(sub: _Subcommands) -> None:
    p = _command(
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
    _refs_source(p, "a file of refs, one per line (stat_branches)")
    kernel = config.default().kernel
    p.add_argument(
        "--subsystem",
        default=kernel.subsystem.spec(),
        metavar="SPEC",
        help="[LABEL=]SECTION TITLE or [LABEL=]path:P1,P2",
    )
    p.add_argument("--parent", default=kernel.parent.spec(), metavar="SPEC", help="the parent subsystem, same form")
    p.add_argument("--total-label", default=kernel.total_label, metavar="LABEL", help="the whole tree's label")
    p.add_argument(
        "--maintainer",
        nargs="+",
        default=[],
        metavar="IDENT",
        help="maintainer identities (default: the subsystem's M: entries)",
    )
    p.add_argument(
        "--maintainer-label", metavar="LABEL", help="default: the local part of the first maintainer's email"
    )
    p.add_argument("--maintainers-ref", metavar="REF", help="read MAINTAINERS at this ref (default: the last ref)")
    p.add_argument(
        "--merges", choices=("include", "exclude"), help="default: include for community, exclude for commits and lines"
    )
    _format_option(p, ("tsv", "text", "md", "json"), "tsv as the seed scripts print; text aligned as the post shows")
    _repository_options(p)
    p.set_defaults(func=_run_table)


def _run_table(args: argparse.Namespace) -> int:
    with _history(args) as history:
        request = compute.TableRequest(
            refs=_refs(history, args),
            subsystem=args.subsystem,
            parent=args.parent,
            total_label=args.total_label,
            maintainers=args.maintainer,
            maintainer_label=args.maintainer_label,
            merges=dict.fromkeys(args.kinds, args.merges == "include") if args.merges else {},
            maintainers_ref=args.maintainers_ref,
        )
        kinds = list(dict.fromkeys(args.kinds))
        tables = compute.tables(history, kinds, request)
        _warn_overlaps(history.repo, args, request.refs, history.hashes(request.refs), history.contains)
        if args.format == "json":
            data = [render_data.table(tables[kind]) for kind in kinds]
            _emit(render_data.dumps(data[0] if len(data) == 1 else data))
            return 0
        render: Callable[[Table], str] = {
            "md": gfm.result_table,
            "text": lambda table: text.aligned(text.table_rows(table)),
            "tsv": lambda table: text.tsv(text.table_rows(table)),
        }[args.format]
        _emit("\n".join(render(tables[kind]) for kind in kinds))
        return 0


# ---------------------------------------------------------------------------------------------- subsystems


def _add_subsystems(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "subsystems",
        "every MAINTAINERS section's commits, lines and authors in a year",
        "Rank every MAINTAINERS section by the commits of the year (first..last ref) that touch its files.",
        "retrospect subsystems ~/linux --year 2023 --top 20 --format text",
    )
    p.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    _refs_source(p, "a file of refs, one per line (first..last is counted)")
    p.add_argument(
        "--top", type=_positive, metavar="N", help="only the N sections with the most commits (default: all)"
    )
    _format_option(p, ("tsv", "text", "md", "json"))
    _repository_options(p)
    p.set_defaults(func=_run_subsystems)


def _run_subsystems(args: argparse.Namespace) -> int:
    with _history(args) as history:
        refs = _refs(history, args)
        ranked, total = compute.subsystems(history, refs)
        _warn_overlaps(history.repo, args, refs, history.hashes(refs), history.contains)
        shown = ranked[: args.top] if args.top else ranked
        span = f"{refs[0]}..{refs[-1]}"
        if args.format == "json":
            _emit(render_data.dumps(render_data.sections(span, ranked, shown, total)))
        elif args.format == "md":
            _emit(gfm.sections(span, ranked, shown, total))
        else:
            render = text.aligned if args.format == "text" else text.tsv
            _emit(text.sections_note(span, ranked, shown, total) + render(text.section_rows(shown)))
        return 0


# -------------------------------------------------------------------------------------------------- report


def _add_report(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "report",
        "the yearly post: Hugo markdown and its JSON data",
        "Compute a year and the year before for every configured repository (cloned into the cache unless\n"
        "--repo names a local clone), fetch GitHub and packaging figures, and write OUT/YEAR.md and OUT/YEAR.json.",
        "retrospect report --year 2023 --repo linux=~/linux --repo damo=~/damo",
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="YAML config (default: the built-in DAMON config)")
    p.add_argument("--year", type=_year, help="default: the current year, up to now")
    p.add_argument("--cutoff", metavar="DATE", help="ignore tags and commits after this date")
    p.add_argument(
        "--repo",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="use a local clone for a configured repository (repeatable)",
    )
    p.add_argument("--out", type=Path, default=Path("retrospect-out"), metavar="DIR", help="output directory")
    p.add_argument("--offline", action="store_true", help="no network: no cloning, fetching or web APIs")
    _format_option(p, ("hugo", "gfm"), "gfm also writes YEAR.gfm.md with the tables as GitHub markdown")
    p.add_argument("--date", help="the post's front-matter date (default: that of the year's last boundary)")
    _repository_options(p)
    _github_options(p)
    p.set_defaults(func=_run_report)


def _repo_option(value: str) -> tuple[str, str]:
    name, eq, path = value.partition("=")
    if not eq or not name or not path:
        raise UserError(f"--repo expects NAME=PATH, got {value!r}")
    return name, path


def _run_report(args: argparse.Namespace) -> int:
    from reporter import report  # with its templates, a tenth of a second every other command need not wait

    options = report.ReportOptions(
        config_path=args.config,
        year=args.year,
        cutoff=args.cutoff,
        repos=dict(_repo_option(v) for v in args.repo),
        out_dir=args.out,
        offline=args.offline,
        cache_dir=args.cache_dir,
        no_cache=args.no_cache,
        jobs=args.jobs,
        gfm=args.format == "gfm",
        date=args.date,
        quiet=args.quiet,
        token=args.token,
        api_url=args.api_url,
        max_wait=args.max_wait,
    )
    result = report.run_report(options)
    for path in (result.markdown_path, result.json_path, result.gfm_path):
        if path:
            print(path)
    return 0


# -------------------------------------------------------------------------------------------------- config


def _add_config(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "config",
        "print the built-in configuration or check one",
        "Print the built-in DAMON configuration (a starting point for your own), or check a config file.",
        "retrospect config --print-default > my.yaml && retrospect config --check my.yaml",
    )
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--print-default", action="store_true", help="print the built-in DAMON config")
    action.add_argument("--check", type=Path, metavar="FILE", help="validate a config file")
    p.set_defaults(func=_run_config)


def _run_config(args: argparse.Namespace) -> int:
    if args.print_default:
        _emit(config.DEFAULT_YAML)
    else:
        loaded = config.load(args.check)
        print(f"{args.check}: ok ({', '.join(loaded.repo_names())})")
    return 0


# ----------------------------------------------------------------------------------------------- packaging


def _add_packaging(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "packaging",
        "distributions packaging a project (Repology) and its PyPI downloads",
        "The distributions that package a project (Repology) and its PyPI downloads in a year (pypistats),\n"
        "compared with last year's output when given.",
        "retrospect packaging damo --year 2024 --previous damo-2023.json --format md",
    )
    p.add_argument("project", help="Repology project name, e.g. damo")
    p.add_argument("--year", type=_year, default=datetime.now(UTC).year, help="year of the downloads")
    p.add_argument("--pypi-package", metavar="NAME", help="PyPI name (default: the project name)")
    p.add_argument("--repology-url", default=REPOLOGY_URL, metavar="URL", help="Repology's address")
    p.add_argument("--pypistats-url", default=PYPISTATS_URL, metavar="URL", help="pypistats' address")
    p.add_argument("--previous", type=Path, metavar="FILE", help="last year's --format json output, to compare")
    _format_option(p, ("text", "json", "md"))
    _cache_option(p)
    p.set_defaults(func=_run_packaging)


def _run_packaging(args: argparse.Namespace) -> int:
    from reporter import packaging  # HTTP clients load only for the commands that use them

    http_cache = cache.root(args.cache_dir) / cache.HTTP
    previous = packaging.read_previous(args.previous) if args.previous else {}
    pkg = packaging.fetch_packaging(args.project, args.repology_url, http_cache, previous.get("packaging"))
    name = args.pypi_package or args.project
    dl = packaging.fetch_downloads(name, args.year, args.pypistats_url, http_cache, previous.get("downloads"))
    if args.format == "json":
        _emit(render_data.dumps(packaging.as_json_dict(pkg, dl)))
    elif args.format == "md":
        _emit(f"## Packaging and downloads\n\n{gfm.packaging_md(pkg, dl)}")
    else:
        _emit(text.packaging_text(pkg, dl))
    return 0


# -------------------------------------------------------------------------------------------------- github


def _counts(text: str) -> tuple[int, ...]:
    """`100,200,500` -> (100, 200, 500)."""
    parts = text.split(",")
    if not all(part.strip().isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"expected positive counts like 100,200,500, got {text!r}")
    return tuple(int(part) for part in parts)


def _joined(counts: Sequence[int]) -> str:
    return ",".join(map(str, counts))


def _add_github(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "github",
        "stars, releases, tags and contributors of a GitHub repository",
        "A GitHub repository's stars, releases, tags and contributors: totals, the year's gains, and the dates\n"
        "the milestones were reached.",
        "GITHUB_TOKEN=... retrospect github damonitor/damo --year 2024 --format md",
    )
    p.add_argument("repo", metavar="OWNER/REPO", help="the repository, e.g. damonitor/damo")
    p.add_argument("--year", type=_year, default=datetime.now(UTC).year, help="year of the gains")
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
    _format_option(p, ("text", "json", "md"))
    _github_options(p)
    _cache_option(p)
    p.set_defaults(func=_run_github)


def _run_github(args: argparse.Namespace) -> int:
    from reporter import github  # PyGithub takes a fifth of a second to import: only when used

    github.check_full_name(args.repo)
    github_cache = cache.root(args.cache_dir) / cache.GITHUB
    gh = github.connect(args.token, args.api_url, cache_dir=github_cache, max_wait=args.max_wait)
    metrics = github.fetch_metrics(gh, args.repo, args.year, args.milestones, args.release_milestones)
    if args.format == "json":
        _emit(render_data.dumps(asdict(metrics)))
    elif args.format == "md":
        _emit(gfm.github_metrics_md(metrics))
    else:
        _emit(text.github_metrics_text(metrics))
    return 0


# -------------------------------------------------------------------------------------------------- action


def _add_action(sub: _Subcommands) -> None:
    p = _command(
        sub,
        "action",
        "the GitHub Action's entrypoint",
        "The GitHub Action's entrypoint: reads its inputs from INPUT_* and GITHUB_* variables (see action.yml).",
        "INPUT_YEAR=2023 INPUT_MODE=summary retrospect action",
    )
    p.set_defaults(func=_run_action)


def _run_action(args: argparse.Namespace) -> int:
    from reporter import action

    return action.main()


_COMMANDS = [
    _add_authors,
    _add_credits,
    _add_employers,
    _add_ranges,
    _add_table,
    _add_subsystems,
    _add_report,
    _add_config,
    _add_packaging,
    _add_github,
    _add_action,
]


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (a cancelled job, a stopped container) unwinds like an exception: temporary directories and
    # files are removed and git's processes ended on the way out, instead of staying behind.
    raise SystemExit(128 + signum)


# A run keeps hundreds of thousands of small objects to its end (a kernel year's commits), none in a cycle:
# collecting after every 700 new ones went through them again and again (a kernel year's tables: 317
# collections, 0.12 to 0.15 s of CPU; with these, 53, nearly all during the imports before `main`: 0.03 s).
_GC_THRESHOLD = (50_000, 10, 10)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    collecting = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        if not arguments:  # a bare `retrospect`: what it can do, as git and pip show it
            parser.print_help(sys.stderr)
            return 2
        args, unknown = parser.parse_known_args(arguments)
        if unknown:
            args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        status: int = args.func(args)
        return status
    except _UsageError as err:
        print(err, file=sys.stderr)
        return 2
    except UserError as err:
        print(f"retrospect: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `retrospect ... | head` is fine
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        gc.set_threshold(*collecting)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
