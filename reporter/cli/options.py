"""What the commands share: the parser classes, option groups, and turning options into requests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import git

from reporter.errors import UserError
from reporter.git import cache, walk
from reporter.git.history import History
from reporter.kernel import compute, people
from reporter.kernel.ranges import (
    DEFAULT_RELEASE_PATTERN,
    DEFAULT_TAG_PATTERN,
    overlaps,
    parse_date,
    parse_year,
    read_refs_file,
    repo_year_boundaries,
)
from reporter.model import PathSource
from reporter.progress import Progress, warning
from reporter.render import data as render_data
from reporter.render import escape, gfm, text
from reporter.services.defaults import DEFAULT_MAX_WAIT

# Options that take a date and those that take a date or a ref read one text alike (ranges.date_or_ref).
DATE_ONLY = "always a date, even where a tag has that name"
TIMESTAMP = f"an ISO 8601 timestamp; {DATE_ONLY}"
DATE_OR_REF = (
    "a value that reads as a date (YYYY-MM-DD, YYYYMMDD, an ISO 8601 timestamp) is that date, even where a tag "
    "has that name, as in --since: write refs/tags/NAME for such a tag"
)


def emit(output: str) -> None:
    """Write a command's output: bytes that are not UTF-8 and control characters in names show U+FFFD."""
    sys.stdout.write(escape.terminal(output))


class UsageError(Exception):
    """A command line argparse rejects; its usage is already printed."""


class Formatter(argparse.RawDescriptionHelpFormatter):
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


class Parser(argparse.ArgumentParser):
    """argparse, with git's form of a usage error: the usage, then `retrospect COMMAND: error: ...`, exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: error: {message}")


Subcommands: TypeAlias = "argparse._SubParsersAction[Parser]"  # not subscriptable at run time


def command(sub: Subcommands, name: str, summary: str, description: str, *examples: str) -> Parser:
    """A subcommand's parser: `summary` for the command list, `description` and examples for its --help."""
    shown = "\n".join(f"  {example}" for example in examples)
    parser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"example{'s' if len(examples) > 1 else ''}:\n{shown}",
        formatter_class=Formatter,
    )
    parser.set_defaults(parser=parser)  # so that an unknown option is reported with this command's usage
    return parser


# ------------------------------------------------------------------------------------- shared option groups


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def year(text: str) -> int:
    try:
        return parse_year(text)
    except UserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def cache_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--cache-dir: the one cache root, whichever of its subdirectories the command uses."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"cache root: commit cache, clones ({cache.CLONES}/), web answers ({cache.HTTP}/, {cache.GITHUB}/) "
        "(default: $XDG_CACHE_HOME/retrospect, else ~/.cache/retrospect)",
    )


def repository_options(parser: Parser) -> None:
    """Options of every command that walks repositories."""
    group = parser.add_argument_group("repository options")
    cache_option(group)
    group.add_argument("--no-cache", action="store_true", help="read and write no commit cache (walk everything)")
    group.add_argument("--jobs", type=positive, metavar="N", help="parallel git walks (default: CPU count)")
    group.add_argument("--quiet", action="store_true", help="no progress on stderr")


def history(args: argparse.Namespace, mailmap: bool = False) -> History:
    """The repository REPO with the repository options' cache, parallelism and progress."""
    repo = walk.open_repo(args.repo)
    commits = None if args.no_cache else cache.Cache(cache.root(args.cache_dir))
    progress = Progress("walking", enabled=False if args.quiet else None)
    return History(repo, cache=commits, jobs=args.jobs, progress=progress, mailmap=mailmap)


def ranking_options(parser: Parser) -> None:
    """REPO and the options of every ranking (authors, credits, employers): authors.py's commit selection,
    how many to list and how, and the repository options."""
    parser.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    group = parser.add_argument_group("commit selection")
    group.add_argument(
        "--range", "--commits_range", dest="range", metavar="A..B", help="revision range (default: HEAD)"
    )
    group.add_argument("--since", metavar="DATE", help=f"YYYY-MM-DD or YYYYMMDD (from 00:00:00 UTC) or {TIMESTAMP}")
    group.add_argument("--until", metavar="DATE", help=f"YYYY-MM-DD or YYYYMMDD (to 23:59:59 UTC) or {TIMESTAMP}")
    group.add_argument(
        "--date-kind", choices=("committer", "author"), default="committer", help="the date --since/--until compare"
    )
    group.add_argument(
        "--no-merges", "--skip_merge_commits", dest="no_merges", action="store_true", help="skip merge commits"
    )
    # One value an option, as git takes them, so that REPO after them stays REPO; authors.py's own spellings
    # keep taking several values, as it does.
    group.add_argument(
        "--subsystem",
        dest="subsystems",
        action="append",
        default=[],
        metavar="TITLE",
        help="only files of this MAINTAINERS section (repeatable: the files of any of them; TITLE#N: the Nth of "
        "several with one title)",
    )
    group.add_argument(
        "--linux_subsystems", dest="subsystems", action="extend", nargs="+", metavar="TITLE", help="several --subsystem"
    )
    group.add_argument(
        "--paths",
        dest="paths",
        action="append",
        default=[],
        metavar="PATHSPEC",
        help="only files this matches (repeatable)",
    )
    group.add_argument("--files", dest="paths", action="extend", nargs="+", metavar="PATHSPEC", help="several --paths")
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
    format_option(shown, ("text", "md", "json"))
    repository_options(parser)


def selection(args: argparse.Namespace, **ranking: Any) -> compute.AuthorsRequest:
    """The ranking options as a request; `ranking` adds a command's own fields (sortby, identity, ...)."""
    if args.max_authors < 0:
        raise UserError("--max-authors must not be negative")
    since = parse_date(args.since) if args.since else None
    until = parse_date(args.until, end_of_day=True) if args.until else None
    if since is not None and until is not None and since > until:
        raise UserError(f"--since {args.since} is after --until {args.until}: no commit is dated between them")
    return compute.AuthorsRequest(
        rev_range=walk.parse_range(args.range) if args.range else None,
        since=since,
        until=until,
        date_kind=args.date_kind,
        merges=not args.no_merges,
        subsystems=args.subsystems,
        paths=args.paths,
        max_authors=args.max_authors,
        **ranking,
    )


def write(form: str, **renders: Callable[[], str]) -> int:
    """Writes the output in the form asked for (only that one is rendered)."""
    emit(renders[form]())
    return 0


def write_ranking(
    form: str,
    command: str,
    sources: Sequence[PathSource],
    body: Callable[[], dict[str, Any]],
    md: Callable[[], str],
    plain: Callable[[], str],
) -> int:
    """A ranking's output and where its MAINTAINERS sections were read (with their path sets' sizes): after
    the text and markdown footers, and as `sources` in the JSON."""
    return write(
        form,
        json=lambda: render_data.dumps(
            render_data.document(command, body() | {"sources": render_data.sources(sources)})
        ),
        md=lambda: md() + gfm.source_notes(sources),
        text=lambda: plain() + text.source_lines(sources),
    )


def maintainers_at(value: str) -> str:
    """`end`, `each` or a ref (checked as one: never an option for git)."""
    return value if value in ("end", "each") else walk.check_ref(value)


def year_options(parser: Parser, required: bool = False) -> None:
    """A year's boundaries from tag dates (see `retrospect ranges`)."""
    group = parser.add_argument_group("year boundaries")
    if required:
        group.add_argument("--year", type=year, required=True, help="the year whose boundary tags to find")
    group.add_argument(
        "--cutoff", metavar="DATE", help=f"ignore tags dated after this day (as --until reads it: {DATE_ONLY})"
    )
    group.add_argument(
        "--release-pattern", default=DEFAULT_RELEASE_PATTERN, metavar="REGEX", help="regex of final release tags"
    )
    group.add_argument(
        "--tag-pattern", default=DEFAULT_TAG_PATTERN, metavar="REGEX", help="regex of tags that may bound a year"
    )


def year_refs(repo: git.Repo, args: argparse.Namespace) -> list[str]:
    cutoff = parse_date(args.cutoff, end_of_day=True) if args.cutoff else None
    return repo_year_boundaries(repo, walk.tags(repo), args.year, cutoff, args.release_pattern, args.tag_pattern)


def warn_overlaps(
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


def refs_source(parser: Parser, refs_help: str) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--refs", type=Path, metavar="FILE", help=refs_help)
    source.add_argument("--year", type=year, help="the year's boundaries from tag dates (see `retrospect ranges`)")
    year_options(parser)


def refs(history: History, args: argparse.Namespace) -> list[str]:
    return read_refs_file(args.refs) if args.refs else year_refs(history.repo, args)


def github_options(parser: Parser) -> None:
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


def format_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, choices: Sequence[str], help_text: str = "output format"
) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help=help_text)


def people_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--people",
        action="store_true",
        help="rank persons: identities sharing an address or a name, or joined by .mailmap, folded "
        "(each shown as its most used identity)",
    )
    p.add_argument(
        "--no-fold-names", action="store_true", help="with --people: identities sharing only a name stay apart"
    )


def people_rules(args: argparse.Namespace) -> people.Rules | None:
    """How --people folds identities, or None without it."""
    if args.no_fold_names and not args.people:
        raise UserError("--no-fold-names goes with --people")
    return people.Rules(fold_names=not args.no_fold_names) if args.people else None
