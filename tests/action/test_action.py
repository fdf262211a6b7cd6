"""`retrospect action` run as the runner runs a Docker action: INPUT_* and GITHUB_* variables, temporary
output and summary files, small generated Linux and damo repositories, a bare news remote (local, or
behind the loopback smart-HTTP server with a token check) and the loopback GitHub API."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from drip_server import BODY, HEADERS, DripServer
from git_http_server import GitHTTPServer
from kernelrepo import build_kernel, build_tool
from news_repos import (
    NEWS_PATH,
    PAGE,
    config_yaml,
    git,
    hermetic_git,
    install_racing_hook,
    install_spy_hook,
    make_remote,
    remote_file,
)

from reporter import action

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

__all__ = ["hermetic_git"]  # the fixture, imported for pytest

TOKEN = "ghs_0123456789abcdefSECRET"
BEGIN, END = "<!-- retrospect:begin stats -->", "<!-- retrospect:end stats -->"


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sources")
    # Few commits: these tests are about publishing, not the numbers.
    return {"linux": build_kernel(root / "linux", per_tag=2), "damo": build_tool(root / "damo", per_month=1)}


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@pytest.fixture
def runner(tmp_path, hermetic_git, sources, github_api):
    """Runs the entrypoint with the given inputs, as the runner would, and reads back what it left."""
    github_api.add_repo("damonitor/damo", stars=[("alice", "2023-08-01T10:00:00Z")])
    github_api.add_repo("damonitor/news", prs=[7])
    github_api.token = TOKEN
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "retrospect.yml").write_text(config_yaml())
    files = tmp_path / "file_commands"
    files.mkdir()
    counter = iter(range(100))

    def run(extra_env: dict[str, str] | None = None, under: tuple[str, ...] = (), **inputs: str) -> Run:
        """`under`: a command the entrypoint runs under (its arguments follow)."""
        n = next(counter)
        output, summary = files / f"output_{n}", files / f"summary_{n}"
        output.touch()
        summary.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
        env |= {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "damonitor/news",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": github_api.url,
            "GITHUB_RUN_ID": "4242",
            "INPUT_REPOSITORIES": f"linux={sources['linux']}\ndamo={sources['damo']}\n",
            "INPUT_YEAR": "2023",
            "INPUT_CONFIG": "retrospect.yml",
            "INPUT_TOKEN": TOKEN,
            "INPUT_REGION": "stats",
        }
        env |= {f"INPUT_{k.upper()}": v for k, v in inputs.items()} | (extra_env or {})
        done = subprocess.run(
            [*under, sys.executable, "-m", "reporter", "action"],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            umask=0o022,
            timeout=300,  # a run held by a server fails the test instead of holding it
        )
        return Run(done.returncode, done.stdout, done.stderr, read_outputs(output), summary.read_text())

    run.workspace = workspace  # type: ignore[attr-defined]
    return run


def read_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner parses it: name=value lines and name<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            outputs[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


def region(text: str) -> str:
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def commit_inputs(remote: Path | str) -> dict[str, str]:
    return {"mode": "commit", "news_repository": str(remote), "news_path": NEWS_PATH}


# ------------------------------------------------------------------------------------------ commit mode


def test_first_run_commits_and_the_second_changes_nothing(runner, tmp_path):
    remote = make_remote(tmp_path / "news.git")
    first = runner(**commit_inputs(remote))
    assert first.status == 0, first.stdout + first.stderr
    assert first.stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert "::group::Publishing to " in first.stdout and first.stdout.count("::group::") == first.stdout.count(
        "::endgroup::"
    )
    assert first.outputs["changed"] == "true"
    assert first.outputs["commit_sha"] == git(remote, "rev-parse", "main")
    assert (first.outputs["report_path"], first.outputs["json_path"]) == (
        "retrospect-out/2023.md",
        "retrospect-out/2023.json",
    )
    for name in ("report_path", "json_path"):  # readable by the runner's user, a later step
        assert (runner.workspace / first.outputs[name]).stat().st_mode & 0o777 == 0o644
    assert first.outputs["year"] == "2023"
    assert first.outputs["comment_url"] == first.outputs["pull_request_url"] == ""
    page = remote_file(remote)
    assert page.startswith("# DAMON news\n\nSome prose the action must keep.\n") and "More prose" in page
    assert "old numbers" not in page and "|" in region(page)
    assert first.summary.startswith("## retrospect: statistics of 2023\n") and region(page) in first.summary
    assert len(first.summary.encode()) < 1024 * 1024

    second = runner(**commit_inputs(remote))
    assert second.status == 0, second.stdout + second.stderr
    assert second.outputs["changed"] == "false"
    assert second.outputs["commit_sha"] == first.outputs["commit_sha"]
    assert git(remote, "rev-list", "--count", "main") == "2"


def test_a_concurrent_push_is_rebased_over(runner, tmp_path, hermetic_git):
    remote = make_remote(tmp_path / "news.git")
    flag = install_racing_hook(hermetic_git, remote, "content/other.md", "written meanwhile")
    done = runner(**commit_inputs(remote))
    assert done.status == 0, done.stdout + done.stderr
    assert flag.exists()
    assert remote_file(remote, "content/other.md") == "written meanwhile\n"
    assert "|" in region(remote_file(remote))
    assert done.outputs["commit_sha"] == git(remote, "rev-parse", "main")
    assert git(remote, "log", "--format=%s", "main").splitlines()[1:] == ["racer", "seed"]


def test_markers_inside_code_blocks_are_ignored(runner, tmp_path):
    example = f"How to mark the region:\n\n```markdown\n{BEGIN}\nyour tables\n{END}\n```\n\n"
    remote = make_remote(tmp_path / "news.git", {NEWS_PATH: example + PAGE})
    done = runner(**commit_inputs(remote))
    assert done.status == 0, done.stdout + done.stderr
    page = remote_file(remote)
    assert page.startswith(example)  # the quoted markers are text, left as they were
    assert "old numbers" not in page and "|" in region(page.split("```\n\n", 1)[1])


def test_a_news_file_without_region_gets_it_appended(runner, tmp_path):
    remote = make_remote(tmp_path / "news.git", {NEWS_PATH: "# Stats\n\nhand-written\n"})
    done = runner(**commit_inputs(remote))
    assert done.status == 0, done.stdout + done.stderr
    page = remote_file(remote)
    assert page.startswith(f"# Stats\n\nhand-written\n\n{BEGIN}\n")


def test_the_configs_publish_section_fills_empty_inputs(runner, tmp_path):
    remote = make_remote(
        tmp_path / "news.git", {"stats.md": "x\n\n<!-- retrospect:begin numbers -->\n<!-- retrospect:end numbers -->\n"}
    )
    publish_section = {"news_repository": str(remote), "news_path": "stats.md", "region": "numbers"}
    (runner.workspace / "retrospect.yml").write_text(config_yaml(publish_section))
    done = runner(mode="commit", region="")
    assert done.status == 0, done.stdout + done.stderr
    assert done.outputs["changed"] == "true"
    assert "|" in remote_file(remote, "stats.md").split("<!-- retrospect:begin numbers -->", 1)[1]


# ------------------------------------------------------------------------------------------ the token


def test_the_token_never_appears_in_any_output(runner, tmp_path, hermetic_git):
    root = tmp_path / "srv"
    root.mkdir()
    remote = make_remote(root / "news.git")
    git(remote, "config", "http.receivepack", "true")
    spy = install_spy_hook(hermetic_git)
    server = GitHTTPServer(root, token=TOKEN).start()
    try:
        done = runner({"RETROSPECT_TOKEN_HOSTS": server.url}, **commit_inputs(server.url + "/news.git"))
    finally:
        server.stop()
    assert done.status == 0, done.stdout + done.stderr
    assert done.outputs["changed"] == "true"
    assert server.seen and all(server.authorized(auth) for _, _, auth in server.seen)
    places = {
        "stdout": done.stdout.replace(f"::add-mask::{TOKEN}", ""),  # the mask command itself is the exception
        "stderr": done.stderr,
        "outputs": json.dumps(done.outputs),
        "summary": done.summary,
        "clone config": (spy / "config").read_text(),
        "clone reflog": (spy / "reflog").read_text(),
        "git's environment": (spy / "hook-env").read_text(),
        "global git config": (hermetic_git / ".gitconfig").read_text(),
        "remote config": (remote / "config").read_text(),
        "report files": "".join(p.read_text(errors="replace") for p in runner.workspace.rglob("*") if p.is_file()),
    }
    assert [where for where, text in places.items() if TOKEN in text] == []
    assert "extraheader" not in places["clone config"].lower()


def test_a_bad_token_fails_with_a_clear_error(runner, tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    make_remote(root / "news.git")
    server = GitHTTPServer(root, token="ghs_the_right_one").start()
    try:
        done = runner({"RETROSPECT_TOKEN_HOSTS": server.url}, **commit_inputs(server.url + "/news.git"))
    finally:
        server.stop()
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "authentication failed: check the token" in errors[0]
    assert TOKEN not in done.stdout.replace(f"::add-mask::{TOKEN}", "") + done.stderr


def test_a_bad_token_for_the_api_fails_with_a_clear_error(runner, github_api):
    github_api.token = "ghs_the_right_one"
    done = runner(mode="comment", pr_number="7")
    assert done.status == 1
    assert "::error::GitHub rejected the token (401 Bad credentials)" in done.stdout


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"mode": "commit", "news_path": NEWS_PATH}, "::error::missing required input 'news_repository' (mode commit)"),
        ({"mode": "commit", "news_repository": "a/b"}, "::error::missing required input 'news_path' (mode commit)"),
        ({"mode": "comment", "token": ""}, "::error::missing required input 'token' (mode comment)"),
        ({"mode": "publish"}, "::error::input 'mode' must be one of commit, pull_request, comment, summary"),
        ({"year": "last"}, "::error::input 'year' must be a year from 1991 to "),
        ({"year": "2999"}, "::error::input 'year' must be a year from 1991 to "),
        ({"repositories": "linux /src/linux"}, "::error::input 'repositories' line 1: expected NAME=PATH"),
        ({"cutoff": "yesterday"}, "::error::input 'cutoff': invalid date 'yesterday'"),
        ({"cutoff": "2022-12-31"}, "::error::input 'cutoff' 2022-12-31 is before the year 2023"),
        (commit_inputs("a/b") | {"news_path": "../etc/x.md"}, "::error::news_path must name a file inside the news"),
        (commit_inputs("a/b") | {"news_path": "/x.md"}, "::error::news_path must name a file inside the news"),
        ({"region": "a -->"}, "::error::region name may hold letters, digits"),
        ({"comment_header": "x -->"}, "::error::comment header name may hold letters, digits"),
        ({"dry_run": "yes"}, "::error::input 'dry_run' must be true or false, got 'yes'"),
        ({"cache_dir": "../outside"}, "::error::input 'cache_dir' must be a relative path without '..'"),
        (
            {"mode": "comment"},
            "::error::mode comment needs a pull request: run on a pull_request event or set pr_number",
        ),
        ({"mode": "comment", "pr_number": "99"}, "::error::damonitor/news#99: not found on GitHub"),
    ],
    ids=[
        "news_repository",
        "news_path",
        "token",
        "mode",
        "year",
        "future-year",
        "repositories",
        "cutoff",
        "cutoff-before-year",
        "news_path-outside",
        "news_path-absolute",
        "region",
        "comment_header",
        "dry_run",
        "cache_dir",
        "comment-without-pr",
        "comment-pr-unknown",
    ],
)
def test_bad_or_missing_inputs_fail_at_once_with_an_error_naming_them(runner, inputs, message):
    done = runner(**inputs)
    assert done.status == 1
    assert message in done.stdout
    assert done.outputs == {}
    # Before any computation: nothing was walked, cached or written.
    assert not (runner.workspace / "retrospect-out").exists()
    assert not (runner.workspace / ".retrospect-cache/repos").exists()
    assert "::group::" not in done.stdout


def test_a_shallow_checkout_is_refused_naming_fetch_depth(runner, sources, tmp_path):
    shallow = tmp_path / "shallow-linux"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{sources['linux']}", str(shallow))
    done = runner(repositories=f"linux={shallow}\ndamo={sources['damo']}")
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "linux" in errors[0] and "shallow" in errors[0] and "fetch-depth: 0" in errors[0]


def test_in_a_year_with_no_boundary_yet_the_previous_year_is_reported(runner):
    # The generated kernel's first tag of 2024 is dated January 7: on the 5th, 2024 has no end boundary.
    done = runner(year="2024", cutoff="2024-01-05")
    assert done.status == 0, done.stdout + done.stderr
    assert "is dated in 2024 up to 2024-01-05: reporting 2023 instead" in done.stdout
    assert done.outputs["year"] == "2023" and done.outputs["report_path"] == "retrospect-out/2023.md"
    assert done.summary.startswith("## retrospect: statistics of 2023\n")


def test_a_config_with_a_duplicate_key_is_one_error(runner):
    (runner.workspace / "retrospect.yml").write_text(config_yaml() + "kernel:\n  name: other\n")
    done = runner()
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "invalid YAML: duplicate key 'kernel' (first at line" in errors[0], done.stdout
    assert "Traceback" not in done.stderr


def test_warnings_are_annotations(runner, github_api):
    config = yaml.safe_load(config_yaml())
    (runner.workspace / "retrospect.yml").write_text(yaml.safe_dump(config | {"github": ["damonitor/gone"]}))
    done = runner()
    assert done.status == 0, done.stdout + done.stderr
    assert "::warning::GitHub metrics of damonitor/gone unavailable: damonitor/gone: not found" in done.stdout
    assert "retrospect: warning" not in done.stderr


@pytest.mark.parametrize("listed", ["stargazers", "releases", "contributors"])
def test_a_looping_list_of_metrics_is_one_warning_and_the_report_goes_on(runner, github_api, listed):
    config = yaml.safe_load(config_yaml())
    (runner.workspace / "retrospect.yml").write_text(yaml.safe_dump(config | {"github": ["damonitor/damo"]}))
    github_api.add_repo(
        "damonitor/damo",
        stars=[("a", "2023-08-01T10:00:00Z")],
        releases=[("v1", "2023-02-01T00:00:00Z")],
        contributors=["sj"],
    )
    github_api.paginate(f"/{listed}$", "loop")
    done = runner()
    assert done.status == 0, done.stdout + done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith("::warning::GitHub metrics")]
    assert warnings == [
        "::warning::GitHub metrics of damonitor/damo unavailable: damonitor/damo: "
        f"{listed}: the server's next page is one already read (a loop), stopped after 2 pages"
    ]
    assert len(github_api.statuses(f"/{listed}$")) == 2  # the third, a page already read, is not sent


# The cached clone cannot reach the previous year's start yet: #10 redesigns its fetching.


def test_without_repositories_it_fetches_into_cache_dir_and_reuses_it(runner, sources, tmp_path):
    config = yaml.safe_load(config_yaml())
    config["kernel"]["url"] = f"file://{sources['linux']}"
    config["tools"][0]["url"] = f"file://{sources['damo']}"
    (runner.workspace / "retrospect.yml").write_text(yaml.safe_dump(config))
    first = runner(repositories="", cache_dir="cache/retrospect")
    assert first.status == 0, first.stdout + first.stderr
    clones = runner.workspace / "cache/retrospect/repos"
    assert sorted(p.name for p in clones.iterdir()) == ["damo.git", "linux.git"]
    with_clones = (runner.workspace / first.outputs["report_path"]).read_text()
    with_checkouts = runner()
    assert (runner.workspace / with_checkouts.outputs["report_path"]).read_text() == with_clones
    again = runner(repositories="", cache_dir="cache/retrospect")
    assert again.status == 0, again.stdout + again.stderr
    assert (runner.workspace / again.outputs["report_path"]).read_text() == with_clones


# ---------------------------------------------------------------------------- comment and pull request


def test_comment_mode_keeps_one_sticky_comment(runner, github_api, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    first = runner({"GITHUB_EVENT_PATH": str(event)}, mode="comment")
    second = runner({"GITHUB_EVENT_PATH": str(event)}, mode="comment")
    assert first.status == 0 and second.status == 0, first.stdout + first.stderr + second.stdout
    assert first.outputs["changed"] == "true" and second.outputs["changed"] == "false"
    assert first.outputs["comment_url"] == second.outputs["comment_url"] != ""
    comments = github_api.repos["damonitor/news"].comments[7]
    assert len(comments) == 1
    body = comments[0]["body"]
    assert body.startswith("<!-- retrospect:comment -->\n### retrospect: statistics of 2023")
    assert "https://github.com/damonitor/news/actions/runs/4242" in body and len(body) <= 65536


def test_comment_mode_never_edits_a_marked_comment_it_did_not_write(runner, github_api):
    news_repo = github_api.repos["damonitor/news"]
    news_repo.comments[7] = [{"id": 1, "body": "<!-- retrospect:comment -->\nmallory's numbers"}]
    news_repo.authors[1] = "mallory"
    first = runner(mode="comment", pr_number="7")
    assert first.status == 0, first.stdout + first.stderr
    assert re.search(r"^comment created: \S+#issuecomment-(\d+)$", first.stdout, re.MULTILINE)
    assert first.outputs["comment_id"] != "1" and news_repo.comments[7][0]["body"].endswith("mallory's numbers")
    second = runner(mode="comment", pr_number="7")
    assert re.search(r"^comment unchanged: ", second.stdout, re.MULTILINE)
    assert second.outputs["comment_id"] == first.outputs["comment_id"] and len(news_repo.comments[7]) == 2
    assert not [r for r in github_api.requests if r.method == "PATCH"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda api: api.repos["damonitor/news"].issues.add(8), "::error::damonitor/news#8 is an issue, not a pull"),
        (lambda api: api.paginate("/comments$", "loop"), "next page is one already read (a loop)"),
    ],
    ids=["not-a-pull-request", "looping-comments"],
)
def test_comment_mode_refuses_an_issue_and_a_looping_list_with_one_error(runner, github_api, setup, message):
    setup(github_api)
    repo = github_api.repos["damonitor/news"]
    repo.comments[7] = [{"id": 1, "body": "chatter"}]
    done = runner(mode="comment", pr_number="8" if "issue" in message else "7")
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and message in errors[0], done.stdout
    assert len(github_api.requests) < 20
    assert [r for r in github_api.requests if r.method in ("POST", "PATCH") and r.path != "/graphql"] == []


def test_on_ghes_the_token_goes_to_the_servers_host_on_every_path(runner, github_api, tmp_path):
    """GITHUB_SERVER_URL names the GHES host (its API under /api/v3): the dry run of a private news
    repository there, the commit, the pull request and the comment all authenticate to it."""
    github_api.prefix = "/api/v3"
    root = tmp_path / "ghes"
    (root / "damonitor").mkdir(parents=True)
    remote = make_remote(root / "damonitor" / "news.git")
    git(remote, "config", "http.receivepack", "true")
    server = GitHTTPServer(root, token=TOKEN).start()
    env = {"GITHUB_SERVER_URL": server.url}
    inputs = {"news_repository": "damonitor/news", "news_path": NEWS_PATH}
    try:
        dry = runner(env, mode="commit", dry_run="true", **inputs)
        proposed = runner(env, mode="pull_request", **inputs)
        committed = runner(env, mode="commit", **inputs)
        commented = runner(env, mode="comment", pr_number="7")
    finally:
        server.stop()
    for done in (dry, proposed, committed, commented):
        assert done.status == 0, done.stdout + done.stderr
    assert dry.outputs["changed"] == "true" and f"+++ b/{NEWS_PATH}" in dry.stdout
    assert proposed.outputs["pull_request_operation"] == "created"
    assert committed.outputs["commit_sha"] == git(remote, "rev-parse", "main")
    assert commented.outputs["comment_url"]
    assert server.seen and all(server.authorized(auth) for _, _, auth in server.seen)
    assert github_api.requests and all(r.path.startswith("/api/") for r in github_api.requests)


def test_on_github_com_a_news_repository_elsewhere_never_gets_the_token(runner, tmp_path):
    root = tmp_path / "elsewhere"
    root.mkdir()
    remote = make_remote(root / "news.git")
    git(remote, "config", "http.receivepack", "true")
    server = GitHTTPServer(root, token=None, host="127.0.0.2").start()
    try:
        dry = runner(**commit_inputs(server.url + "/news.git"), dry_run="true")
        done = runner(**commit_inputs(server.url + "/news.git"))
    finally:
        server.stop()
    assert dry.status == 0 and done.status == 0, dry.stdout + done.stdout
    assert done.outputs["changed"] == "true" and server.seen
    assert [auth for _, _, auth in server.seen if auth] == []


def test_pull_request_mode_opens_a_pull_request(runner, github_api, tmp_path):
    remote = make_remote(tmp_path / "news.git")
    done = runner(mode="pull_request", news_repository=str(remote), news_path=NEWS_PATH)
    assert done.status == 0, done.stdout + done.stderr
    pulls = github_api.repos["damonitor/news"].pulls
    assert len(pulls) == 1 and done.outputs["pull_request_url"].endswith(f"/damonitor/news/pull/{pulls[0]['number']}")
    assert pulls[0]["head"].endswith("retrospect/2023") and pulls[0]["base"] == "main"
    assert done.outputs["changed"] == "true"
    assert remote_file(remote) == PAGE  # main untouched: the change waits on retrospect/2023
    assert done.outputs["commit_sha"] == git(remote, "rev-parse", "retrospect/2023")


def test_summary_mode_writes_only_the_summary_and_outputs(runner):
    done = runner(mode="summary")
    assert done.status == 0, done.stdout + done.stderr
    assert done.outputs["changed"] == "false" and done.outputs["commit_sha"] == ""
    assert "| " in done.summary
    # Without a terminal, progress comes as plain lines in the log (each walk ends with one).
    assert re.search(r"^walking linux: .*\(done\)$", done.stderr, re.MULTILINE), done.stderr


# ------------------------------------------------------------------------------------------ unit parts


def test_outputs_file_format(tmp_path):
    path = tmp_path / "out"
    action.write_outputs(path, {"changed": "true", "table": "a\nb"})
    text = path.read_text()
    assert text.startswith("changed=true\ntable<<ghadelimiter_")
    assert read_outputs(path) == {"changed": "true", "table": "a\nb"}


def test_workflow_commands_escape_newlines(capsys):
    action.command("error", "two\nlines 100%")
    assert capsys.readouterr().out == "::error::two%0Alines 100%25\n"


# ------------------------------------------------------------------------- what the action trusts (threat model)

RUNNER_UID = 1001  # owns the workspace on a runner; the action runs as root


def owned_by_the_runner(workspace: Path) -> None:
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, RUNNER_UID, RUNNER_UID)


def marking_hooks(directory: Path, pwned: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("pre-push", "reference-transaction", "post-checkout", "pre-auto-gc", "post-commit", "pre-commit"):
        (directory / name).write_text(f"#!/bin/sh\necho {name} >> '{pwned}'\n")
        (directory / name).chmod(0o755)
    return directory


def with_clones(runner, sources: dict[str, Path]) -> None:
    """The config with the generated repositories as URLs: the action clones them into cache_dir."""
    config = yaml.safe_load(config_yaml())
    config["kernel"]["url"] = f"file://{sources['linux']}"
    config["tools"][0]["url"] = f"file://{sources['damo']}"
    (runner.workspace / "retrospect.yml").write_text(yaml.safe_dump(config))


def test_git_runs_no_hook_and_no_setting_of_the_runner_the_workspace_or_the_cache(
    runner, sources, tmp_path, hermetic_git
):
    """Hooks by the runner's global and system configuration, by configuration passed in the environment,
    and by a clone planted in the cache (the workspace is the runner's user's): none runs, and the report
    is the one a clean cache gives."""
    pwned = tmp_path / "pwned"
    hooks = marking_hooks(tmp_path / "hooks", pwned)
    with_clones(runner, sources)
    first = runner(repositories="")
    assert first.status == 0, first.stdout + first.stderr
    clean = (runner.workspace / first.outputs["report_path"]).read_text()
    remote = make_remote(tmp_path / "news.git")
    planted = runner.workspace / ".retrospect-cache/repos/damo.git"
    git(planted, "config", "core.hooksPath", str(hooks))
    marking_hooks(planted / "hooks", pwned)
    git(hermetic_git, "config", "--global", "core.hooksPath", str(hooks))
    system = tmp_path / "system.cfg"
    system.write_text(f"[core]\n\thooksPath = {hooks}\n")
    owned_by_the_runner(runner.workspace)
    passed = {"GIT_CONFIG_SYSTEM": str(system), "GIT_CONFIG_NOSYSTEM": "", "GIT_CONFIG_COUNT": "1"}
    passed |= {"GIT_CONFIG_KEY_0": "core.hooksPath", "GIT_CONFIG_VALUE_0": str(hooks)}
    done = runner(passed, repositories="", **commit_inputs(remote))
    assert done.status == 0, done.stdout + done.stderr
    assert not pwned.exists(), pwned.read_text(errors="replace")
    assert "cloning damo again: its cached clone holds the setting core.hookspath" in done.stdout
    assert (runner.workspace / done.outputs["report_path"]).read_text() == clean
    assert git(remote, "rev-list", "--count", "main") == "2"


def test_safe_directory_names_only_what_the_inputs_give(runner, sources, tmp_path, hermetic_git, monkeypatch):
    """Never a pattern, nor a clone found in the cache: those are checked, then trusted one by one."""
    workspace = runner.workspace
    planted = workspace / ".retrospect-cache/repos/evil.git"
    git(workspace, "init", "-q", "--bare", str(planted))
    environ = {"INPUT_CONFIG": "retrospect.yml", "INPUT_REPOSITORIES": f"linux={sources['linux']}"}
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    action.plan(environ, workspace)
    trusted = git(hermetic_git, "config", "--global", "--get-all", "safe.directory").splitlines()
    assert trusted == [str(workspace), str(workspace / sources["linux"])]


OUTSIDE = {
    ".retrospect-cache": "dir",
    ".retrospect-cache/repos": "dir",
    ".retrospect-cache/repos/damo.git": "dir",
    ".retrospect-cache/repos/damo.git/objects/pack": "dir",
    ".retrospect-cache/github": "dir",
    ".retrospect-cache/commits.sqlite": "file",
    "retrospect-out": "dir",
    "retrospect-out/2023.md": "file",
}


@pytest.mark.parametrize("link", OUTSIDE)
def test_a_symbolic_link_in_the_cache_or_the_output_is_refused(runner, sources, tmp_path, link):
    """At every depth of the cache folder and of the output folder: one error, nothing written or handed
    over outside the workspace."""
    with_clones(runner, sources)
    first = runner(repositories="")
    assert first.status == 0, first.stdout + first.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("keep\n")
    (outside / "inner").mkdir()
    target = outside if OUTSIDE[link] == "dir" else outside / "keep"
    path = runner.workspace / link
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(target)
    owned_by_the_runner(runner.workspace)
    before = sorted((p.relative_to(outside), p.lstat().st_uid, p.lstat().st_mtime) for p in outside.rglob("*"))
    done = runner(repositories="")
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and f"{link} is a symbolic link or another file system" in errors[0], done.stdout
    after = sorted((p.relative_to(outside), p.lstat().st_uid, p.lstat().st_mtime) for p in outside.rglob("*"))
    assert after == before and outside.stat().st_uid == 0
    assert (outside / "keep").read_text() == "keep\n"


# A file system mounted (in a mount namespace of the run's own) at a folder of the cache or the output, or
# at a folder between the workspace and the cache, with the input that puts the cache there.
MOUNTED = {
    ".retrospect-cache": {},
    ".retrospect-cache/repos": {},
    "retrospect-out": {},
    "retrospect-out/2023": {},
    "caches": {"cache_dir": "caches/retrospect"},
}
# The mount is made (a tmpfs: another st_dev; or a folder outside the workspace bound there: the same
# st_dev), the entrypoint runs, then what the mounted folder holds is listed.
_MOUNTED_RUN = 'mount $MOUNT "$1" && shift && "$@"; status=$?; ls -A "$MOUNTED" > "$LISTING"; exit $status'
MOUNTS = {"tmpfs": "-t tmpfs retrospect-test", "bind": "--bind {outside}"}


def _can_mount(where: Path) -> bool:
    probe = ["unshare", "--mount", "sh", "-c", 'mount -t tmpfs retrospect-test "$1"', "sh", str(where)]
    return shutil.which("unshare") is not None and subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.parametrize("kind", MOUNTS)
@pytest.mark.parametrize("mounted", MOUNTED)
def test_a_folder_on_another_file_system_in_the_cache_or_the_output_is_refused(
    runner, sources, tmp_path, mounted, kind
):
    """Another device (st_dev) at the cache folder, below it, at the output folder, below it, or between the
    workspace and the cache; or a folder outside the workspace bound there (the same device): one error, and
    nothing written there."""
    with_clones(runner, sources)
    mount_point = runner.workspace / mounted
    mount_point.mkdir(parents=True)
    if not _can_mount(mount_point):
        pytest.skip("no mount namespace here (run as root, as CI does)")
    outside = tmp_path / "outside"  # no space in a pytest path: $MOUNT splits as meant
    outside.mkdir()
    listing = tmp_path / "listing"
    shell = ("unshare", "--mount", "sh", "-c", _MOUNTED_RUN, "sh", str(mount_point))
    mount = MOUNTS[kind].format(outside=outside)
    environ = {"MOUNT": mount, "MOUNTED": str(mount_point), "LISTING": str(listing)}
    done = runner(environ, under=shell, repositories="", **MOUNTED[mounted])
    assert done.status == 1
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and f"{mounted} is a symbolic link or another file system" in errors[0], done.stdout
    assert listing.read_text() == ""


@pytest.mark.parametrize("what", [HEADERS, BODY])
def test_a_github_api_that_drips_ends_the_run_at_the_deadline(runner, sources, what):
    """The API's answer a byte at a time (no read times out): one ::error:: once the request's deadline
    passes, not a run held for as long as the server goes on."""
    with_clones(runner, sources)
    with DripServer(what) as api:
        started = time.monotonic()
        env = {"GITHUB_API_URL": api.url, "RETROSPECT_HTTP_DEADLINE": "2"}
        done = runner(env, repositories="", mode="comment", pr_number="7")
        took = time.monotonic() - started
    assert done.status == 1, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "no complete answer within 2 s" in errors[0], done.stdout
    assert api.requests and took < 60


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_the_hand_over_never_follows_a_link(tmp_path, depth):
    """The top, a directory below it, a file below that: each a link out of the workspace."""
    workspace = tmp_path / "workspace"
    inner = workspace / "out" / "a" / "b"
    inner.mkdir(parents=True)
    (inner / "report.md").write_text("x\n")
    os.chown(workspace, RUNNER_UID, RUNNER_UID)
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "file").write_text("keep\n")
    link = [workspace / "out", workspace / "out" / "a", inner / "report.md"][depth]
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    link.symlink_to(outside / "sub" / "file" if depth == 2 else outside)
    action.hand_over([workspace / "out"], workspace)
    assert {p.lstat().st_uid for p in [outside, *outside.rglob("*")]} == {0}
    if depth:
        assert (workspace / "out").stat().st_uid == RUNNER_UID


def test_a_local_news_repository_is_where_the_report_looks_for_last_years_post(
    runner, sources, tmp_path, hermetic_git, monkeypatch
):
    environ = {"INPUT_CONFIG": "retrospect.yml", "INPUT_REPOSITORIES": f"linux={sources['linux']}"}
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    site = {"INPUT_MODE": "commit", "INPUT_NEWS_PATH": NEWS_PATH}
    local = action.plan(
        {**environ, **site, "INPUT_NEWS_REPOSITORY": "./site", "INPUT_DRY_RUN": "true"}, runner.workspace
    )
    assert local.options.news_repo == runner.workspace / "site"
    remote = action.plan(
        {**environ, **site, "INPUT_NEWS_REPOSITORY": "owner/site", "INPUT_DRY_RUN": "true"}, runner.workspace
    )
    assert remote.options.news_repo is None
