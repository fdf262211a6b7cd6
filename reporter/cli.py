"""The `retrospect` command line: parses arguments, calls the library, maps user errors to exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

import git

from reporter import __version__, compute, config, employers, people, report, stats, walk
from reporter import credits as credit
from reporter.cache import Cache
from reporter.cache import default_dir as cache_default_dir
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
from reporter.progress import Progress
from reporter.ranges import (
    DEFAULT_RELEASE_PATTERN,
    DEFAULT_TAG_PATTERN,
    parse_date,
    read_refs_file,
    year_boundaries,
)
from reporter.render import data as render_data
from reporter.render import escape, gfm, text


def _emit(output: str) -> None:
    """Write a command's output: bytes that are not UTF-8 and control characters in names show U+FFFD."""
    sys.stdout.write(escape.terminal(output))


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


_Subcommands: TypeAlias = "argparse._SubParsersAction[_Parser]"  # not subscriptable at run time


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="retrospect", description=__doc__)
    parser.add_argument("--version", action="version", version=f"retrospect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in _COMMANDS:
        add(sub)
    return parser


def _git_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that walks a repository."""
    parser.add_argument("repo", metavar="REPO", help="a git repository (work tree or bare)")
    parser.add_argument("--cache-dir", type=Path, help="per-commit cache (default: $XDG_CACHE_HOME/retrospect)")
    parser.add_argument("--no-cache", action="store_true", help="walk everything, read and write no cache")
    parser.add_argument("--jobs", type=int, default=None, help="parallel git walks (default: CPU count)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _history(args: argparse.Namespace, mailmap: bool = False) -> History:
    if args.jobs is not None and args.jobs < 1:
        raise UserError("--jobs must be at least 1")
    repo = walk.open_repo(args.repo)
    cache = None if args.no_cache else Cache(args.cache_dir or cache_default_dir())
    progress = Progress("walking", enabled=False if args.quiet else None)
    return History(repo, cache=cache, jobs=args.jobs, progress=progress, mailmap=mailmap)


def _selection_options(parser: argparse.ArgumentParser) -> None:
    """The commits a ranking counts: authors.py's range, date, merge and path options, and the output form."""
    _git_options(parser)
    parser.add_argument("--range", "--commits_range", dest="range", help="A..B (default: HEAD)")
    parser.add_argument("--since", help="YYYY-MM-DD (from 00:00:00) or an ISO 8601 timestamp")
    parser.add_argument("--until", help="YYYY-MM-DD (to 23:59:59) or an ISO 8601 timestamp")
    parser.add_argument("--date-kind", choices=("committer", "author"), default="committer")
    parser.add_argument("--no-merges", "--skip_merge_commits", dest="no_merges", action="store_true")
    parser.add_argument(
        "--subsystem",
        "--linux_subsystems",
        dest="subsystems",
        action="extend",
        nargs="+",
        default=[],
        metavar="TITLE",
        help="a MAINTAINERS section (repeatable)",
    )
    parser.add_argument("--paths", "--files", dest="paths", nargs="+", default=[], metavar="P", help="git pathspecs")
    parser.add_argument("--max-authors", "--max_nr_authors", dest="max_authors", type=int, default=30)
    parser.add_argument("--mailmap", action="store_true", help="fold identities with the repository's .mailmap")
    parser.add_argument("--hide-rank", "--hide_rank", dest="hide_rank", action="store_true")
    parser.add_argument("--format", choices=("text", "md", "json"), default="text")


def _selection(args: argparse.Namespace, **ranking: object) -> compute.AuthorsRequest:
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
        **ranking,  # type: ignore[arg-type]
    )


def _add_authors(sub: _Subcommands) -> None:
    p = sub.add_parser("authors", help="authors ranked by commits or lines (authors.py's output)")
    _selection_options(p)
    p.add_argument("--sortby", choices=("commits", "lines"), default="commits")
    p.add_argument("--identity", "--author_identity", dest="identity", choices=stats.IDENTITIES, default="all")
    p.add_argument(
        "--exclude", nargs="+", default=[], metavar="IDENT", help="skip these authors (Name <email>, name or email)"
    )
    p.add_argument(
        "--new-since",
        metavar="DATE|REF",
        help="only authors with no commit to the same paths before DATE (YYYY-MM-DD) or reachable from REF",
    )
    p.add_argument(
        "--people",
        action="store_true",
        help="rank persons: identities sharing an address or a name, or joined by .mailmap, folded "
        "(each shown as its most used identity)",
    )
    p.add_argument(
        "--no-fold-names", action="store_true", help="with --people: identities sharing only a name stay apart"
    )
    p.set_defaults(func=_run_authors)


def _run_authors(args: argparse.Namespace) -> int:
    if args.new_since is not None:
        walk.check_ref(args.new_since)
    if args.people and args.identity != "all":
        raise UserError("--people folds whole identities: it does not go with --identity")
    if args.no_fold_names and not args.people:
        raise UserError("--no-fold-names goes with --people")
    request = _selection(
        args,
        sortby=args.sortby,
        identity=args.identity,
        exclude=args.exclude,
        new_since=args.new_since,
        people=people.Rules(fold_names=not args.no_fold_names) if args.people else None,
    )
    ranking = compute.authors(_history(args, mailmap=args.mailmap), request)
    return _write(
        args.format,
        json=lambda: render_data.dumps(render_data.authors(ranking)),
        md=lambda: gfm.authors(ranking, args.hide_rank),
        text=lambda: text.authors(ranking, args.hide_rank),
    )


def _write(form: str, **renders: Callable[[], str]) -> int:
    """Writes the output in the form asked for (only that one is rendered)."""
    _emit(renders[form]())
    return 0


def _add_employers(sub: _Subcommands) -> None:
    p = sub.add_parser("employers", help="commits (or lines) per employer, from a gitdm-style map and domains")
    _selection_options(p)
    p.add_argument("--sortby", choices=("commits", "lines"), default="commits")
    p.add_argument("--map", type=Path, metavar="FILE", help="ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD] per line")
    p.set_defaults(func=_run_employers)


def _run_employers(args: argparse.Namespace) -> int:
    emap = employers.read_map(args.map)
    ranking, domains = compute.employers(
        _history(args, mailmap=args.mailmap), _selection(args, sortby=args.sortby), emap
    )
    return _write(
        args.format,
        json=lambda: render_data.dumps(render_data.employers(ranking, domains)),
        md=lambda: gfm.employers(ranking, domains, args.hide_rank),
        text=lambda: text.employers(ranking, domains, args.hide_rank),
    )


def _add_credits(sub: _Subcommands) -> None:
    p = sub.add_parser(
        "credits", help="who the commits' Reviewed-by:, Acked-by:, ... trailers credit (git shortlog's counts)"
    )
    _selection_options(p)
    p.add_argument(
        "--trailer",
        dest="trailers",
        action="append",
        default=[],
        metavar="KEY",
        help=f"a trailer key (repeatable; default: {', '.join(credit.DEFAULT_KEYS)})",
    )
    p.set_defaults(func=_run_credits)


def _run_credits(args: argparse.Namespace) -> int:
    keys = list({credit.check_key(k).casefold(): credit.check_key(k) for k in args.trailers}.values())
    rankings = compute.credits(
        _history(args, mailmap=args.mailmap), _selection(args), keys or list(credit.DEFAULT_KEYS)
    )
    return _write(
        args.format,
        json=lambda: render_data.dumps(render_data.credits(rankings)),
        md=lambda: gfm.credits(rankings, args.hide_rank),
        text=lambda: text.credits(rankings, args.hide_rank),
    )


def _year_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cutoff", help="ignore tags dated after this date")
    parser.add_argument(
        "--release-pattern", default=DEFAULT_RELEASE_PATTERN, help="regex of final release tags (default: %(default)s)"
    )
    parser.add_argument(
        "--tag-pattern", default=DEFAULT_TAG_PATTERN, help="regex of tags that may bound a year (default: %(default)s)"
    )


def _year_refs(repo: git.Repo, args: argparse.Namespace) -> list[str]:
    cutoff = parse_date(args.cutoff, end_of_day=True) if args.cutoff else None
    return year_boundaries(walk.tags(repo), args.year, cutoff, args.release_pattern, args.tag_pattern)


def _add_ranges(sub: _Subcommands) -> None:
    p = sub.add_parser("ranges", help="a year's boundary refs from tag dates (stat_branches format)")
    p.add_argument("repo", metavar="REPO")
    p.add_argument("--year", type=int, required=True)
    _year_options(p)
    p.set_defaults(func=_run_ranges)


def _run_ranges(args: argparse.Namespace) -> int:
    refs = _year_refs(walk.open_repo(args.repo), args)
    _emit("".join(ref + "\n" for ref in refs))
    return 0


def _add_table(sub: _Subcommands) -> None:
    p = sub.add_parser("table", help="per-release tables: community, commits and/or lines")
    p.add_argument(
        "kinds",
        nargs="+",
        choices=compute.TABLE_KINDS,
        metavar="KIND",
        help="community, commits or lines; several share one set of walks",
    )
    _git_options(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--refs", type=Path, help="a file of refs, one per line (stat_branches)")
    source.add_argument("--year", type=int, help="the year's boundaries from tag dates")
    _year_options(p)
    kernel = config.default().kernel
    p.add_argument(
        "--subsystem",
        default=kernel.subsystem.spec(),
        metavar="SPEC",
        help="[LABEL=]SECTION TITLE or [LABEL=]path:P1,P2 (default: %(default)s)",
    )
    p.add_argument(
        "--parent",
        default=kernel.parent.spec(),
        metavar="SPEC",
        help="the parent subsystem, same form (default: %(default)s)",
    )
    p.add_argument("--total-label", default=kernel.total_label)
    p.add_argument(
        "--maintainer",
        nargs="+",
        default=[],
        metavar="IDENT",
        help="maintainer identities (default: the subsystem's M: entries)",
    )
    p.add_argument("--maintainer-label", help="default: the local part of the first maintainer's email")
    p.add_argument("--maintainers-ref", help="read MAINTAINERS at this ref (default: the last ref)")
    p.add_argument(
        "--merges", choices=("include", "exclude"), help="default: include for community, exclude for commits and lines"
    )
    p.add_argument(
        "--format",
        choices=("tsv", "text", "md", "json"),
        default="tsv",
        help="tsv as the seed scripts print; text aligned as the post shows it",
    )
    p.set_defaults(func=_run_table)


def _run_table(args: argparse.Namespace) -> int:
    history = _history(args)
    refs = read_refs_file(args.refs) if args.refs else _year_refs(history.repo, args)
    request = compute.TableRequest(
        refs=refs,
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


def _add_subsystems(sub: _Subcommands) -> None:
    p = sub.add_parser("subsystems", help="every MAINTAINERS section's commits, lines and authors in a year")
    _git_options(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--refs", type=Path, help="a file of refs, one per line (first..last is counted)")
    source.add_argument("--year", type=int, help="the year's boundaries from tag dates")
    _year_options(p)
    p.add_argument("--top", type=int, default=None, help="only the N sections with the most commits")
    p.add_argument("--format", choices=("tsv", "text", "md", "json"), default="tsv")
    p.set_defaults(func=_run_subsystems)


def _run_subsystems(args: argparse.Namespace) -> int:
    if args.top is not None and args.top < 1:
        raise UserError("--top must be at least 1")
    history = _history(args)
    refs = read_refs_file(args.refs) if args.refs else _year_refs(history.repo, args)
    ranked, total = compute.subsystems(history, refs)
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


def _add_report(sub: _Subcommands) -> None:
    p = sub.add_parser("report", help="the yearly post: Hugo markdown, JSON (and GFM tables)")
    p.add_argument("--config", type=Path, help="YAML config (default: the built-in DAMON config)")
    p.add_argument("--year", type=int, help="default: the current year, up to now")
    p.add_argument("--cutoff", help="ignore tags and commits after this date")
    p.add_argument(
        "--repo",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="use a local clone for a configured repository (repeatable)",
    )
    p.add_argument("--out", type=Path, default=Path("retrospect-out"), help="output directory (default: %(default)s)")
    p.add_argument("--cache-dir", type=Path, help="clones and commit cache (default: $XDG_CACHE_HOME/retrospect)")
    p.add_argument("--offline", action="store_true", help="no network: no cloning, fetching or web APIs")
    p.add_argument(
        "--format",
        choices=("hugo", "gfm"),
        default="hugo",
        help="gfm also writes YEAR.gfm.md with the tables as GitHub markdown",
    )
    p.add_argument("--date", help="the post's front-matter date (default: that of the year's last boundary)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=_run_report)


def _repo_option(value: str) -> tuple[str, str]:
    name, eq, path = value.partition("=")
    if not eq or not name or not path:
        raise UserError(f"--repo expects NAME=PATH, got {value!r}")
    return name, path


def _run_report(args: argparse.Namespace) -> int:
    options = report.ReportOptions(
        config_path=args.config,
        year=args.year,
        cutoff=args.cutoff,
        repos=dict(_repo_option(v) for v in args.repo),
        out_dir=args.out,
        offline=args.offline,
        cache_dir=args.cache_dir,
        gfm=args.format == "gfm",
        date=args.date,
        quiet=args.quiet,
    )
    result = report.run_report(options)
    for path in (result.markdown_path, result.json_path, result.gfm_path):
        if path:
            print(path)
    return 0


def _add_config(sub: _Subcommands) -> None:
    p = sub.add_parser("config", help="show or check a configuration")
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


def _add_packaging(sub: _Subcommands) -> None:
    p = sub.add_parser("packaging", help="distributions packaging a project (Repology) and its PyPI downloads")
    p.add_argument("project", help="Repology project name, e.g. damo")
    p.add_argument("--year", type=int, default=datetime.now(UTC).year, help="year of the downloads")
    p.add_argument("--pypi-package", metavar="NAME", help="PyPI name, if not the project name")
    p.add_argument("--repology-url", default=REPOLOGY_URL, metavar="URL")
    p.add_argument("--pypistats-url", default=PYPISTATS_URL, metavar="URL")
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="day cache (default: ~/.cache/retrospect/http)")
    p.add_argument("--previous", type=Path, metavar="FILE", help="last year's --format json output, to compare")
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.set_defaults(func=_run_packaging)


def _run_packaging(args: argparse.Namespace) -> int:
    from reporter import packaging  # HTTP clients load only for the commands that use them

    previous = packaging.read_previous(args.previous) if args.previous else {}
    pkg = packaging.fetch_packaging(args.project, args.repology_url, args.cache_dir, previous.get("packaging"))
    name = args.pypi_package or args.project
    dl = packaging.fetch_downloads(name, args.year, args.pypistats_url, args.cache_dir, previous.get("downloads"))
    if args.format == "json":
        _emit(render_data.dumps(packaging.as_json_dict(pkg, dl)))
    elif args.format == "md":
        _emit(f"## Packaging and downloads\n\n{gfm.packaging_md(pkg, dl)}")
    else:
        _emit(text.packaging_text(pkg, dl))
    return 0


def _counts(text: str) -> tuple[int, ...]:
    """`100,200,500` -> (100, 200, 500)."""
    parts = text.split(",")
    if not all(part.strip().isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"expected positive counts like 100,200,500, got {text!r}")
    return tuple(int(part) for part in parts)


def _joined(counts: Sequence[int]) -> str:
    return ",".join(map(str, counts))


def _add_github(sub: _Subcommands) -> None:
    p = sub.add_parser("github", help="stars, releases, tags and contributors of a GitHub repository")
    p.add_argument("repo", metavar="OWNER/REPO")
    p.add_argument("--year", type=int, default=datetime.now(UTC).year, help="year of the gains (default: this year)")
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
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.add_argument("--token", help="GitHub token (default: $GITHUB_TOKEN, else anonymous)")
    p.add_argument("--api-url", metavar="URL", help="API URL (default: $GITHUB_API_URL, else https://api.github.com)")
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="ETag cache (default: ~/.cache/retrospect/github)")
    p.add_argument(
        "--max-wait",
        type=float,
        default=DEFAULT_MAX_WAIT,
        metavar="SECONDS",
        help="longest rate-limit wait before giving up (default: %(default)s)",
    )
    p.set_defaults(func=_run_github)


def _run_github(args: argparse.Namespace) -> int:
    from reporter import github  # PyGithub takes a fifth of a second to import: only when used

    github.check_full_name(args.repo)
    gh = github.connect(args.token, args.api_url, cache_dir=args.cache_dir, max_wait=args.max_wait)
    metrics = github.fetch_metrics(gh, args.repo, args.year, args.milestones, args.release_milestones)
    if args.format == "json":
        _emit(render_data.dumps(asdict(metrics)))
    elif args.format == "md":
        _emit(gfm.github_metrics_md(metrics))
    else:
        _emit(text.github_metrics_text(metrics))
    return 0


def _add_action(sub: _Subcommands) -> None:
    p = sub.add_parser("action", help="the GitHub Action entrypoint: reads INPUT_* and GITHUB_* variables")
    p.set_defaults(func=_run_action)


def _run_action(args: argparse.Namespace) -> int:
    from reporter import action

    return action.main()


# Each entry adds one sub-command whose parser sets `func` (args -> exit status).
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args) or 0
    except UserError as err:
        print(f"retrospect: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `retrospect ... | head` is fine
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
