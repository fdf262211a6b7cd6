"""`retrospect action`: the GitHub Actions entrypoint of the container.

It reads the inputs from `INPUT_*` (as the runner passes them to a Docker action), masks the token before
anything else, validates every input (before any git work: a bad one fails in a second, not after the
walk), computes the report with `reporter.report.run_report`, writes the job summary and the step outputs,
and publishes as the `mode` input says (reporter.publish). A failure is one `::error::` line and exit
status 1. It computes nothing itself.

The container runs as root while the runner's user owns the workspace: what the action writes there (the
report, the cache) is handed to the workspace's owner, so later steps and actions/cache can use it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from reporter import files, redact
from reporter.errors import UserError
from reporter.git import guard
from reporter.git.cache import GITHUB
from reporter.kernel.ranges import NoBoundaryYet, parse_date, parse_year
from reporter.progress import command, group, new_run, notice
from reporter.publish import comment, modes, news, region
from reporter.report.config import load as load_config
from reporter.report.run import ReportOptions, ReportResult, run_report
from reporter.services import github

INPUT_NAMES = (
    "config", "repositories", "cache_dir", "year", "cutoff", "mode", "dry_run", "news_repository", "news_branch",
    "news_path", "region", "token", "commit_message", "committer_name", "committer_email", "pr_number",
    "comment_header",
)  # fmt: skip
REQUIRED = {
    modes.COMMIT: ("news_repository", "news_path"),
    modes.PULL_REQUEST: ("news_repository", "news_path", "token"),
    modes.COMMENT: ("token",),
    modes.SUMMARY: (),
}
OUTPUT_NAMES = (
    "report_path", "json_path", "year", "changed", "commit_sha", "comment_url", "comment_id", "pull_request_url",
    "pull_request_number", "pull_request_operation",
)  # fmt: skip
DEFAULT_CACHE_DIR = ".retrospect-cache"
OUT_DIR = "retrospect-out"
FIRST_YEAR = 1991  # Linux's first year: an earlier one is a typo


# ----------------------------------------------------------------------------------------------- outputs


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append `name=value` lines to $GITHUB_OUTPUT; a multi-line value between random delimiters."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    _append(path, "".join(lines), "the step's outputs ($GITHUB_OUTPUT)")


def _append(path: Path, text: str, what: str) -> None:
    """One write at the end of a runner's file; a full disk or a bad path is one error line, not a trace."""
    try:
        with path.open("a", encoding="utf-8") as out:
            out.write(text)
    except OSError as err:
        raise UserError(f"cannot write {what} to {path}: {err.strerror or err}") from None


# ------------------------------------------------------------------------------------------------ inputs


def _relative(name: str, value: str) -> PurePosixPath:
    """A path input that must stay below the directory it is relative to (the workspace, the repository)."""
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in value or "\0" in value:
        raise UserError(f"input '{name}' must be a relative path without '..', got {value!r}")
    return path


@dataclass(frozen=True)
class Inputs:
    values: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> Inputs:
        return cls({name: environ.get(f"INPUT_{name.upper()}", "").strip() for name in INPUT_NAMES})

    def with_defaults(self, defaults: Mapping[str, str]) -> Inputs:
        """Empty inputs filled from `defaults` (the config's `publish` section)."""
        return Inputs({name: value or str(defaults.get(name) or "") for name, value in self.values.items()})

    def mode(self) -> str:
        mode = self["mode"] or modes.SUMMARY
        if mode not in modes.MODES:
            raise UserError(f"input 'mode' must be one of {', '.join(modes.MODES)}, got {mode!r}")
        missing = [name for name in REQUIRED[mode] if not self[name]]
        if missing:
            raise UserError(f"missing required input '{missing[0]}' (mode {mode})")
        return mode

    def flag(self, name: str) -> bool:
        value = self[name].lower()
        if value not in ("", "true", "false"):
            raise UserError(f"input '{name}' must be true or false, got {self[name]!r}")
        return value == "true"

    def year(self, today: datetime) -> int | None:
        if not self["year"]:
            return None
        try:
            year = parse_year(self["year"])  # not int(): "²".isdigit() holds
        except UserError:
            year = 0
        if not FIRST_YEAR <= year <= today.year:
            raise UserError(f"input 'year' must be a year from {FIRST_YEAR} to {today.year}, got {self['year']!r}")
        return year

    def cutoff(self, year: int | None) -> str | None:
        if not self["cutoff"]:
            return None
        try:
            moment = parse_date(self["cutoff"])
        except UserError as err:
            raise UserError(f"input 'cutoff': {err}") from None
        if year is not None and datetime.fromtimestamp(moment, UTC).year < year:
            raise UserError(f"input 'cutoff' {self['cutoff']} is before the year {year} it would cut")
        return self["cutoff"]

    def cache_dir(self, workspace: Path) -> Path:
        return workspace / _relative("cache_dir", self["cache_dir"] or DEFAULT_CACHE_DIR)

    def repositories(self, workspace: Path) -> dict[str, str]:
        """`NAME=PATH` lines (blank lines and # comments skipped); relative paths are in the workspace."""
        repos: dict[str, str] = {}
        for number, line in enumerate(self["repositories"].splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, path = (part.strip() for part in line.partition("="))
            if not (sep and name and path):
                raise UserError(f"input 'repositories' line {number}: expected NAME=PATH, got {line!r}")
            repos[name] = str(workspace / path)
        return repos

    def news_target(self, workspace: Path) -> news.NewsTarget:
        repository = self["news_repository"]
        if repository.startswith(("./", "../")):  # a path in the workspace, as the input's description says
            repository = str(workspace / repository)
        return news.NewsTarget(repository, self["news_branch"] or None, self["news_path"], self["region"] or "stats")


# ---------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    """Everything the inputs say, checked: what to compute, where to keep it, how to publish."""

    mode: str
    dry_run: bool
    options: ReportOptions
    cache: Path
    target: news.NewsTarget
    marker: str
    pr_number: int | None
    inputs: Inputs


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(guard.command(*args), capture_output=True, text=True, check=False, timeout=60)


def trust_directories(paths: Iterable[str]) -> None:
    """git's safe.directory for the repositories the inputs name, owned by another user (the runner's
    checkouts mounted in the container), in the action's own global configuration (guard.isolate). Never a
    pattern, nor what is found in the workspace: the cached clones are trusted one by one once checked
    (reporter.git.repos)."""
    known = _git("config", "--global", "--get-all", "safe.directory").stdout.split("\n")
    for path in dict.fromkeys(paths):
        if path not in known:
            subprocess.run(guard.command("config", "--global", "--add", "safe.directory", path), check=True, timeout=60)


def refuse_links(workspace: Path, paths: Mapping[str, Path]) -> None:
    """Refuse an output folder (by input name) that is, holds or lies under a symbolic link or another file
    system: what the action writes and hands over must stay inside the workspace."""
    for name, path in paths.items():
        if (link := files.crossing(workspace, path)) is not None:
            shown = link.relative_to(workspace)
            raise UserError(
                f"{name} {path.relative_to(workspace)}: {shown} is a symbolic link or another file system, "
                "which the action does not write through"
            )


def refuse_shallow(repos: Mapping[str, str]) -> None:
    """A shallow checkout (actions/checkout's default depth 1) lacks the history and the tags: refused."""
    for name, path in repos.items():
        if _git("-C", path, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
            raise UserError(
                f"input 'repositories': {name} ({path}) is a shallow checkout: check it out with fetch-depth: 0, "
                f"or leave it out of 'repositories' and let retrospect fetch it into cache_dir"
            )


def check_token_reach(
    mode: str, target: news.NewsTarget, pr_number: int | None, cache: Path, environ: Mapping[str, str]
) -> None:
    """What the API tells in a request or two: the pull request to comment on is visible; the news
    repository, when it is on this GitHub, is visible (and, for a user token, writable)."""
    token = environ.get("INPUT_TOKEN", "").strip() or None
    server = environ.get("GITHUB_SERVER_URL") or "https://github.com"
    if mode == modes.COMMENT and pr_number is not None:
        gh = github.connect(token, environ.get("GITHUB_API_URL"), cache_dir=cache / GITHUB)
        github.check_reach(gh, environ.get("GITHUB_REPOSITORY", ""), pr_number)
    elif mode in (modes.COMMIT, modes.PULL_REQUEST):
        remote = news.resolve_remote(target.repository, server)
        if remote.full_name and urlsplit(remote.url).netloc == urlsplit(server).netloc:
            gh = github.connect(token, environ.get("GITHUB_API_URL"), cache_dir=cache / GITHUB)
            github.check_reach(gh, remote.full_name, push=True)


def plan(environ: Mapping[str, str], workspace: Path) -> Plan:
    """Every input checked, before any git work or computation."""
    given = Inputs.read(environ)
    config_path = workspace / _relative("config", given["config"]) if given["config"] else None
    inputs = given.with_defaults(load_config(config_path).publish)
    mode = inputs.mode()
    dry_run = inputs.flag("dry_run")
    year = inputs.year(datetime.now(UTC))
    cutoff = inputs.cutoff(year)
    target = inputs.news_target(workspace)
    marker = comment.comment_marker(inputs["comment_header"])
    pr_number = None
    if mode == modes.COMMENT:
        pr_number = comment.pull_request_number(environ.get("GITHUB_EVENT_PATH"), inputs["pr_number"])
    cache = inputs.cache_dir(workspace)  # every cache of the run is under it (reporter.git.cache.root)
    refuse_links(workspace, {"cache_dir": cache, "the output folder": workspace / OUT_DIR})
    repos = inputs.repositories(workspace)
    local_news = [target.repository] if Path(target.repository).is_absolute() else []
    trust_directories([str(workspace), *repos.values(), *local_news])
    refuse_shallow(repos)
    if not dry_run:
        check_token_reach(mode, target, pr_number, cache, environ)
    options = ReportOptions(
        config_path=config_path,
        year=year,
        cutoff=cutoff,
        repos=repos,
        out_dir=workspace / OUT_DIR,
        cache_dir=cache,
        token=inputs["token"] or None,
        news_repo=Path(local_news[0]) if local_news else None,  # where last year's post is looked for
    )
    return Plan(mode, dry_run, options, cache, target, marker, pr_number, inputs)


# --------------------------------------------------------------------------------------------------- run


def report_year(options: ReportOptions) -> ReportResult:
    """The report; in a year with no boundary yet (early January), the previous year's, with a notice."""
    try:
        return run_report(options)
    except NoBoundaryYet as err:
        year = options.year or datetime.now(UTC).year
        notice(
            f"{err}: reporting {year - 1} instead (its last boundary is final now); "
            f"{year} is reported once a tag is dated in it"
        )
        return run_report(replace(options, year=year - 1))


def hand_over(paths: Iterable[Path], workspace: Path) -> None:
    """Give what the action made in the workspace to the workspace's owner (the runner's user), so that
    later steps can change or delete it and actions/cache can read every directory of the cache.

    Entry by entry, never through a link: a directory is entered by a descriptor opened without following
    one (os.fwalk; a link as `top` is not entered either) and changed through it, a file by its name in that
    directory without following one; nothing on another file system is changed."""
    owner = workspace.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        return
    for top in paths:
        for _root, dirs, names, fd in os.fwalk(top, follow_symlinks=False):
            if os.fstat(fd).st_dev != owner.st_dev:
                dirs.clear()
                continue
            os.fchown(fd, owner.st_uid, owner.st_gid)
            for name in names:
                found = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if stat.S_ISREG(found.st_mode) and found.st_dev == owner.st_dev:
                    os.chown(name, owner.st_uid, owner.st_gid, dir_fd=fd, follow_symlinks=False)


def _run_link(environ: Mapping[str, str]) -> str | None:
    """The workflow run's page, whose job summary holds the full tables."""
    parts = [environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0].rstrip('/')}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else None


def run(environ: Mapping[str, str]) -> dict[str, str]:
    """The whole action; returns its outputs. Raises UserError on bad input."""
    workspace = Path(environ.get("GITHUB_WORKSPACE") or ".").resolve()
    todo = plan(environ, workspace)
    try:
        result = report_year(todo.options)  # it groups its own log
    finally:
        hand_over([todo.cache, todo.options.out_dir], workspace)
    outputs = dict.fromkeys(OUTPUT_NAMES, "") | {
        "report_path": os.path.relpath(result.markdown_path, workspace),
        "json_path": os.path.relpath(result.json_path, workspace),
        "year": str(result.year),
        "changed": "false",
        "pull_request_operation": "none",
    }
    title = f"retrospect: statistics of {result.year}"
    if environ.get("GITHUB_STEP_SUMMARY"):
        write_summary(Path(environ["GITHUB_STEP_SUMMARY"]), title, result.region_markdown, result.markdown_path.name)
    if todo.mode != modes.SUMMARY:
        outputs |= _publish(todo, result, title, environ)
    return outputs


def write_summary(path: Path, title: str, content: str, report_name: str) -> None:
    """The year's tables and chart as the job summary, within GitHub's 1 MiB."""
    body = f"## {title}\n\n{content.strip()}\n"
    note = "_{rows}: see " + f"{report_name} in the workspace._"
    _append(path, region.fit(body, modes.SUMMARY_LIMIT - 1024, note, region.utf8_size), "the job summary")


def _publish(todo: Plan, result: ReportResult, title: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Mode commit, pull_request or comment (or, with dry_run, what they would do); returns the outputs set."""
    inputs, target = todo.inputs, todo.target
    token = inputs["token"] or None
    server_url = environ.get("GITHUB_SERVER_URL") or "https://github.com"
    content = result.region_markdown
    body = comment.comment_body(content, title, _run_link(environ), todo.marker)
    if todo.dry_run:
        return _dry_run(todo, content, body, server_url)
    if todo.mode == modes.COMMENT:
        full_name = environ.get("GITHUB_REPOSITORY", "")
        with group(f"Commenting on {full_name}#{todo.pr_number}"):
            gh = github.connect(token, environ.get("GITHUB_API_URL"), cache_dir=todo.cache / GITHUB)
            sticky = github.upsert_sticky_comment(gh, full_name, todo.pr_number or 0, todo.marker, body)
            print(f"comment {sticky.operation}: {sticky.url}")
        return {"changed": str(sticky.changed).lower(), "comment_url": sticky.url, "comment_id": str(sticky.id)}

    committer = news.Committer(
        inputs["committer_name"] or news.BOT_NAME,
        inputs["committer_email"] or news.BOT_EMAIL,
        inputs["commit_message"] or f"retrospect: update {target.path} with the statistics of {result.year}",
    )
    if todo.mode == modes.COMMIT:
        with group(f"Publishing to {target.repository}"):
            landed = news.publish_commit(target, content, committer, token, server_url)
            print(f"{'committed' if landed.changed else 'unchanged'}: {landed.branch} at {landed.sha}")
        return {"changed": str(landed.changed).lower(), "commit_sha": landed.sha}

    gh = github.connect(token, environ.get("GITHUB_API_URL"), cache_dir=todo.cache / GITHUB)

    def sync_pull(full_name: str, head: str, base: str, wanted: bool) -> github.Pull | None:
        if not wanted:
            return github.close_pull_request(gh, full_name, head, base)
        return github.open_or_update_pull_request(gh, full_name, head, base, committer.message, body)

    with group(f"Proposing a pull request to {target.repository}"):
        head = f"retrospect/{result.year}"
        proposed = news.publish_pull_request(target, content, committer, token, server_url, head, sync_pull)
        print(f"pull request {proposed.operation}: {proposed.pull_request_url or 'none (nothing to change)'}")
    return {
        "changed": str(proposed.landed.changed).lower(),
        "commit_sha": proposed.landed.sha,
        "pull_request_url": proposed.pull_request_url or "",
        "pull_request_number": str(proposed.pull.number) if proposed.pull else "",
        "pull_request_operation": proposed.operation,
    }


def _dry_run(todo: Plan, content: str, body: str, server_url: str) -> dict[str, str]:
    """Show what would be published; publish nothing. `changed` says whether a commit would be made."""
    if todo.mode == modes.COMMENT:
        with group(f"Dry run: the comment on #{todo.pr_number}"):
            verbatim(body)
        return {}
    token = todo.inputs["token"] or None
    with group(f"Dry run: the change to {todo.target.path} in {todo.target.repository}"):
        diff = news.preview(todo.target, content, token, server_url)
        verbatim(diff or "(nothing would change)")
    return {"changed": str(bool(diff)).lower()}


def verbatim(text: str) -> None:
    """`text` in the log as it is: workflow commands in it (`::add-mask::`, ...) are not run."""
    token = uuid.uuid4().hex
    command("stop-commands", token)
    print(text, flush=True)
    command(token)


def main(environ: Mapping[str, str] | None = None) -> int:
    """Run the action as the runner does; every failure ends as one `::error::` line and exit status 1."""
    environ = os.environ if environ is None else environ
    new_run()
    token = environ.get("INPUT_TOKEN", "").strip()
    secrets = [token, news.header_secret(token)] if token else []
    for secret in secrets:
        command("add-mask", secret)  # first: nothing below may print it unmasked
    try:
        outputs = run(environ)
        if environ.get("GITHUB_OUTPUT"):
            write_outputs(Path(environ["GITHUB_OUTPUT"]), outputs)
    except UserError as err:
        command("error", _hide(str(err), secrets))
        return 1
    except Exception as err:  # a bug: the traceback helps, the token must still not show
        print(_hide(traceback.format_exc(), secrets), file=sys.stderr)
        command("error", _hide(f"retrospect failed: {type(err).__name__}: {err}", secrets))
        return 1
    return 0


def _hide(text: str, secrets: list[str]) -> str:
    text = redact.text(text)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
