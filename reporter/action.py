"""`retrospect action`: the GitHub Actions entrypoint of the container.

It reads the inputs from `INPUT_*` (as the runner passes them to a Docker action), masks the token before
anything else, computes the report with `reporter.report.run_report`, writes the job summary and the step
outputs, and publishes as the `mode` input says (reporter.publish). A failure is one `::error::` line and
exit status 1. It computes nothing itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reporter import github, publish
from reporter.config import load as load_config
from reporter.errors import UserError
from reporter.progress import command, group
from reporter.report import ReportOptions, ReportResult, run_report

INPUT_NAMES = (
    "config", "repositories", "year", "cutoff", "mode", "news_repository", "news_branch", "news_path", "region",
    "token", "commit_message", "committer_name", "committer_email", "pr_number",
)  # fmt: skip
REQUIRED = {
    publish.COMMIT: ("news_repository", "news_path"),
    publish.PULL_REQUEST: ("news_repository", "news_path", "token"),
    publish.COMMENT: ("token",),
    publish.SUMMARY: (),
}
OUTPUT_NAMES = ("report_path", "json_path", "changed", "commit_sha", "comment_url", "pull_request_url")


# ----------------------------------------------------------------------------------------------- outputs


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append `name=value` lines to $GITHUB_OUTPUT; a multi-line value between random delimiters."""
    with path.open("a", encoding="utf-8") as out:
        for name, value in outputs.items():
            if "\n" in value or "\r" in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                out.write(f"{name}={value}\n")


# ------------------------------------------------------------------------------------------------ inputs


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
        mode = self["mode"] or publish.SUMMARY
        if mode not in publish.MODES:
            raise UserError(f"input 'mode' must be one of {', '.join(publish.MODES)}, got {mode!r}")
        missing = [name for name in REQUIRED[mode] if not self[name]]
        if missing:
            raise UserError(f"missing required input '{missing[0]}' (mode {mode})")
        return mode

    def year(self) -> int | None:
        if not self["year"]:
            return None
        if not self["year"].isdigit():
            raise UserError(f"input 'year' must be a year like 2024, got {self['year']!r}")
        return int(self["year"])

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

    def news_target(self, workspace: Path) -> publish.NewsTarget:
        news = self["news_repository"]
        if news.startswith(("./", "../")):  # a path in the workspace, as the input's description says
            news = str(workspace / news)
        return publish.NewsTarget(news, self["news_branch"] or None, self["news_path"], self["region"] or "stats")


# --------------------------------------------------------------------------------------------------- run


def trust_directories(paths: list[str]) -> None:
    """git's safe.directory for checkouts owned by another user (the runner's, mounted in the container)."""
    known = subprocess.run(
        ["git", "config", "--global", "--get-all", "safe.directory"], capture_output=True, text=True
    ).stdout.split("\n")
    for path in dict.fromkeys(paths):
        if path not in known:
            subprocess.run(["git", "config", "--global", "--add", "safe.directory", path], check=True)


def _run_link(environ: Mapping[str, str]) -> str | None:
    """The workflow run's page, whose job summary holds the full tables."""
    parts = [environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return f"{parts[0].rstrip('/')}/{parts[1]}/actions/runs/{parts[2]}" if all(parts) else None


def run(environ: Mapping[str, str]) -> dict[str, str]:
    """The whole action; returns its outputs. Raises UserError on bad input."""
    workspace = Path(environ.get("GITHUB_WORKSPACE") or ".").resolve()
    given = Inputs.read(environ)
    config_path = workspace / given["config"] if given["config"] else None
    inputs = given.with_defaults(load_config(config_path).publish)
    mode = inputs.mode()
    repos = inputs.repositories(workspace)
    target = inputs.news_target(workspace)
    local_news = [target.repository] if Path(target.repository).is_absolute() else []
    trust_directories([str(workspace), *repos.values(), *local_news])

    options = ReportOptions(
        config_path=config_path,
        year=inputs.year(),
        cutoff=inputs["cutoff"] or None,
        repos=repos,
        out_dir=workspace / "retrospect-out",
        token=inputs["token"] or None,
    )
    result = run_report(options)  # it groups its own log
    outputs = dict.fromkeys(OUTPUT_NAMES, "") | {
        "report_path": str(result.markdown_path),
        "json_path": str(result.json_path),
        "changed": "false",
    }
    title = f"retrospect: statistics of {result.year}"
    if environ.get("GITHUB_STEP_SUMMARY"):
        write_summary(Path(environ["GITHUB_STEP_SUMMARY"]), title, result.region_markdown, result.markdown_path.name)
    if mode != publish.SUMMARY:
        outputs |= _publish(mode, inputs, target, result, title, environ)
    return outputs


def write_summary(path: Path, title: str, content: str, report_name: str) -> None:
    """The year's tables and chart as the job summary, within GitHub's 1 MiB."""
    body = f"## {title}\n\n{content.strip()}\n"
    note = "_{rows}: see " + f"{report_name} in the workspace._"
    with path.open("a", encoding="utf-8") as summary:
        summary.write(publish.fit(body, publish.SUMMARY_LIMIT - 1024, note, publish.utf8_size))


def _publish(
    mode: str, inputs: Inputs, target: publish.NewsTarget, result: ReportResult, title: str, environ: Mapping[str, str]
) -> dict[str, str]:
    """Mode commit, pull_request or comment; returns the outputs it sets."""
    token = inputs["token"] or None
    server_url = environ.get("GITHUB_SERVER_URL") or "https://github.com"
    content = result.region_markdown
    body = publish.comment_body(content, title, _run_link(environ))
    if mode == publish.COMMENT:
        number = publish.pull_request_number(environ.get("GITHUB_EVENT_PATH"), inputs["pr_number"])
        full_name = environ.get("GITHUB_REPOSITORY", "")
        with group(f"Commenting on {full_name}#{number}"):
            gh = github.connect(token, environ.get("GITHUB_API_URL"))
            url, changed = github.upsert_sticky_comment(gh, full_name, number, publish.COMMENT_MARKER, body)
            print(f"comment {'updated' if changed else 'unchanged'}: {url}")
        return {"changed": str(changed).lower(), "comment_url": url}

    committer = publish.Committer(
        inputs["committer_name"] or publish.BOT_NAME,
        inputs["committer_email"] or publish.BOT_EMAIL,
        inputs["commit_message"] or f"retrospect: update {target.path} with the statistics of {result.year}",
    )
    report = result.markdown_path.read_text(encoding="utf-8")
    if mode == publish.COMMIT:
        with group(f"Publishing to {target.repository}"):
            landed = publish.publish_commit(target, content, report, committer, token, server_url)
            print(f"{'committed' if landed.changed else 'unchanged'}: {landed.branch} at {landed.sha}")
        return {"changed": str(landed.changed).lower(), "commit_sha": landed.sha}

    gh = github.connect(token, environ.get("GITHUB_API_URL"))

    def open_pull(full_name: str, head: str, base: str) -> str:
        return github.open_or_update_pull_request(gh, full_name, head, base, committer.message, body)[0]

    with group(f"Proposing a pull request to {target.repository}"):
        head = f"retrospect/{result.year}"
        proposed = publish.publish_pull_request(target, content, report, committer, token, server_url, head, open_pull)
        print(f"pull request: {proposed.pull_request_url or 'none (nothing to change)'}")
    return {
        "changed": str(proposed.landed.changed).lower(),
        "commit_sha": proposed.landed.sha,
        "pull_request_url": proposed.pull_request_url or "",
    }


def main(environ: Mapping[str, str] | None = None) -> int:
    """Run the action as the runner does; every failure ends as one `::error::` line and exit status 1."""
    environ = os.environ if environ is None else environ
    token = environ.get("INPUT_TOKEN", "").strip()
    secrets = [token, publish.header_secret(token)] if token else []
    for secret in secrets:
        command("add-mask", secret)  # first: nothing below may print it unmasked
    try:
        outputs = run(environ)
    except UserError as err:
        command("error", _hide(str(err), secrets))
        return 1
    except Exception as err:  # a bug: the traceback helps, the token must still not show
        print(_hide(traceback.format_exc(), secrets), file=sys.stderr)
        command("error", _hide(f"retrospect failed: {type(err).__name__}: {err}", secrets))
        return 1
    if environ.get("GITHUB_OUTPUT"):
        write_outputs(Path(environ["GITHUB_OUTPUT"]), outputs)
    return 0


def _hide(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
