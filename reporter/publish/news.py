"""Publishing to a news repository: a clone, a commit of the edited file, its push, or a pull request.

Git runs as a subprocess. The token travels as an HTTP header (as actions/checkout sends it), set through
GIT_CONFIG_* environment variables of the git process: it is never in a URL, a command line, the clone's
.git/config or the log. A push that the remote refuses because the branch moved meanwhile is retried on the
new tip (the edit is applied again to the fetched file), with bounded backoff; nothing is force-pushed.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from reporter.errors import UserError
from reporter.git import remote as remote_git
from reporter.publish.region import markers, update_document
from reporter.services.github import Pull

BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
TOKEN_USER = "x-access-token"  # the user name a GitHub token goes with, as actions/checkout sends it


@dataclass(frozen=True)
class Remote:
    """Where the news repository is: `url` for git, `full_name` (OWNER/REPO) when it is on GitHub."""

    url: str
    full_name: str | None


_FULL_NAME = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")


def resolve_remote(repository: str, server_url: str = "https://github.com") -> Remote:
    """OWNER/REPO (on `server_url`), a URL, or a local path (absolute, or starting with . or ~)."""
    repository = repository.strip()
    if "://" in repository:
        path = urlsplit(repository).path.strip("/").removesuffix(".git")
        return Remote(repository, path if _FULL_NAME.fullmatch(path) else None)
    if repository.startswith(("/", ".", "~")):
        local = Path(repository).expanduser()
        if not local.exists():
            raise UserError(f"news repository {repository}: no such directory")
        return Remote(str(local.resolve()), None)
    if _FULL_NAME.fullmatch(repository):
        return Remote(f"{server_url.rstrip('/')}/{repository}.git", repository)
    raise UserError(f"news repository must be OWNER/REPO, a URL or a path, got {repository!r}")


def auth_env(url: str, token: str | None, server_url: str) -> dict[str, str]:
    """Environment for git that sends `token` as actions/checkout does, to `url`'s server only, and only
    when that is the GitHub server `server_url` names or a host the user allowed (see remote.token_allowed)."""
    env = {"GIT_TERMINAL_PROMPT": "0"}  # a refused token fails at once instead of asking
    if not token or not remote_git.token_allowed(url, server_url):
        return env
    return env | remote_git.authorization(url, TOKEN_USER, token)


def header_secret(token: str) -> str:
    """The header value's secret part, to be masked in logs like the token itself."""
    return remote_git.basic_secret(TOKEN_USER, token)


@dataclass(frozen=True)
class Committer:
    name: str = BOT_NAME
    email: str = BOT_EMAIL
    message: str = ""


class Git:
    """git in one working directory, with the authenticating environment; failures raise UserError."""

    def __init__(self, cwd: Path, env: dict[str, str], what: str) -> None:
        self.cwd, self.env, self.what = cwd, dict(os.environ) | env, what

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = remote_git.run(args, self.cwd, self.what, self.env)
        if check and done.returncode != 0:
            if remote_git.stalled(done.stderr):
                raise UserError(f"{self.what} did not answer: git {args[0]} stopped receiving data")
            raise UserError(f"git {args[0]} of {self.what} failed: {_last_line(done.stderr)}")
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The server's own words (a hook's or GitHub's reason) say more than git's "failed to push".
    remote = [line for line in lines if line.startswith("remote:")]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (remote or fatal or lines or ["(no message)"])[-1]


# What git says when the server refused the header: a prompt it may not show, or the server's refusal.
_AUTH_FAILURES = ("terminal prompts disabled", "Authentication failed", "could not read Username", "403")


@contextmanager
def cloned(remote: Remote, branch: str | None, token: str | None, server_url: str) -> Iterator[Git]:
    """A shallow clone of `branch` (default: the remote's HEAD), in a temporary directory."""
    remote_git.check_url(remote.url, "news repository")
    with tempfile.TemporaryDirectory(prefix="retrospect-news-") as tmp:
        git = Git(Path(tmp), auth_env(remote.url, token, server_url), remote.url)
        branch_args = ["--branch", branch] if branch else []
        args = ["clone", "--quiet", "--depth", "1", "--no-tags", *branch_args, "--", remote.url, "news"]
        done = git.run(*args, check=False)
        if done.returncode != 0:
            message = _last_line(done.stderr)
            if remote_git.stalled(done.stderr):
                raise UserError(f"the news repository {remote.url} did not answer: git clone stopped receiving data")
            if branch and "not found in upstream" in done.stderr:
                message = f"branch {branch!r} not found"
            elif any(sign in done.stderr for sign in _AUTH_FAILURES):
                message = "authentication failed: check the token (it needs contents: write there)"
            raise UserError(f"cannot clone the news repository {remote.url}: {message}")
        git.cwd = Path(tmp) / "news"
        yield git


def current_branch(git: Git) -> str:
    name = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
    if not name:
        raise UserError(f"the news repository {git.what} has no default branch: set news_branch")
    return name


def _remote_tip(git: Git, branch: str) -> str | None:
    """The remote's tip of `branch`, fetched (one commit deep) into FETCH_HEAD; None when absent."""
    if not git.run("ls-remote", "--exit-code", "--heads", "origin", branch, check=False).stdout.strip():
        return None
    git.run("fetch", "--quiet", "--depth", "1", "--no-tags", "origin", f"refs/heads/{branch}")
    return git.out("rev-parse", "FETCH_HEAD")


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a push refused because the branch moved is tried again."""

    attempts: int = 5
    backoff: float = 2.0


@dataclass(frozen=True)
class Landed:
    """What a publish did: `changed` is whether a commit was pushed; `sha` the branch tip afterwards."""

    changed: bool
    sha: str
    branch: str


Edit = Callable[[str | None], str]


def check_news_path(path: str) -> list[str]:
    """The components of `path`, a file in the news repository: relative, no `..`, nothing in `.git`."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or path.startswith("/") or ".." in parts or any(p.lower() == ".git" for p in parts):
        raise UserError(f"news_path must name a file inside the news repository, outside .git: {path!r}")
    return parts


def news_file(root: Path, path: str) -> Path:
    """`root`/`path`, refused when any part of it is a symlink or the file is not a regular file."""
    target = root
    parts = check_news_path(path)
    for part in parts:
        if target != root and not target.is_dir() and target.exists():
            raise UserError(f"news_path {path!r}: {target.name!r} is not a directory in the news repository")
        target = target / part
        if target.is_symlink():
            raise UserError(f"news_path {path!r}: {part!r} is a symbolic link in the news repository")
    if target.exists() and not target.is_file():
        raise UserError(f"news_path {path!r} is not a regular file in the news repository")
    return target


def _read(target: Path) -> str | None:
    # Bytes that are not UTF-8 survive as surrogates and are written back as they were.
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))


def commit_and_push(
    git: Git,
    branch: str,
    path: str,
    edit: Edit,
    committer: Committer,
    retry: Retry = Retry(),
) -> Landed:
    """Apply `edit` to `path` on top of the checked-out commit, commit when it changes, push to `branch`.

    When the push is refused and the remote's branch has moved, the edit is applied again on the new tip
    and pushed again: at once, then after backoff, 2 * backoff, ... seconds; `retry.attempts` tries in all.
    A refused push with an unmoved remote is an error (permissions, protection), reported with git's own line.
    """
    env = {"GIT_AUTHOR_NAME": committer.name, "GIT_AUTHOR_EMAIL": committer.email}
    env |= {"GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
    git.env |= env | {"GIT_LITERAL_PATHSPECS": "1"}  # news_path is a path, never pathspec magic
    for attempt in range(retry.attempts):
        if attempt > 1:  # the first retry goes at once: the new tip was fetched just now
            time.sleep(retry.backoff * 2 ** (attempt - 2))
        base = git.out("rev-parse", "HEAD")
        target = news_file(git.cwd, path)  # again after every reset: the new tip may hold a symlink there
        old = _read(target)
        new = edit(old)
        if new == old:
            return Landed(False, base, branch)
        _write(target, new)
        git.run("add", "--", path)
        git.run("commit", "--quiet", "--no-verify", "-m", committer.message)
        pushed = git.run("push", "--quiet", "--porcelain", "origin", f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            return Landed(True, git.out("rev-parse", "HEAD"), branch)
        tip = _remote_tip(git, branch)
        if tip is None or tip == base:
            raise UserError(
                f"git push to {git.what} ({branch}) was refused: {_last_line(pushed.stderr + pushed.stdout)}"
            )
        git.run("reset", "--quiet", "--hard", tip)
    raise UserError(
        f"git push to {git.what} ({branch}): the branch kept moving; gave up after {retry.attempts} attempts"
    )


def start_branch(git: Git, branch: str) -> bool:
    """Check out `branch` at the remote's tip if it exists there (True), else at HEAD (False)."""
    tip = _remote_tip(git, branch)
    git.run("checkout", "--quiet", "-B", branch, *([tip] if tip else []))
    return tip is not None


# ------------------------------------------------------------------------------------------------ modes


@dataclass(frozen=True)
class NewsTarget:
    """The file to update: `path` in `repository` on `branch` (None: the remote's default branch)."""

    repository: str
    branch: str | None
    path: str
    region: str = "stats"

    def __post_init__(self) -> None:  # wrong values fail before the long work, not after it
        if self.path:  # modes that write no file have none
            check_news_path(self.path)
        markers(self.region)


def _editor(target: NewsTarget, content: str) -> Edit:
    def edit(old: str | None) -> str:
        if old is None:
            raise missing_page(target)
        return update_document(old, target.region, content)

    return edit


def missing_page(target: NewsTarget) -> UserError:
    """A page that does not exist yet is never made from the whole post: it would publish the post's
    placeholders, and the region would repeat its tables. The maintainer writes the page once."""
    begin, end = markers(target.region)
    branch = f" (branch {target.branch})" if target.branch else ""
    return UserError(
        f"news_path {target.path} does not exist in the news repository {target.repository}{branch}: create it "
        f"(your page's front matter and prose, or the post `retrospect report` writes, once its [TODO: ...] "
        f"places are filled) with the lines {begin} and {end} where the tables go"
    )


def publish_commit(
    target: NewsTarget,
    content: str,
    committer: Committer,
    token: str | None,
    server_url: str,
    retry: Retry = Retry(),
) -> Landed:
    """Mode `commit`: the region of the news file updated on its branch."""
    remote = resolve_remote(target.repository, server_url)
    with cloned(remote, target.branch, token, server_url) as git:
        branch = target.branch or current_branch(git)
        return commit_and_push(git, branch, target.path, _editor(target, content), committer, retry)


def preview(target: NewsTarget, content: str, token: str | None, server_url: str) -> str:
    """The unified diff a commit to the news file would make on its branch ('' when nothing would change)."""
    remote = resolve_remote(target.repository, server_url)
    with cloned(remote, target.branch, token, server_url) as git:
        old = _read(news_file(git.cwd, target.path))
    if old is None:
        raise missing_page(target)
    new = update_document(old, target.region, content)
    lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{target.path}", f"b/{target.path}")
    return "".join(lines)


@dataclass(frozen=True)
class Proposed:
    landed: Landed
    pull: Pull | None

    @property
    def pull_request_url(self) -> str | None:
        return self.pull.url if self.pull else None

    @property
    def operation(self) -> str:
        """What happened to the pull request: created, updated (new commits on its branch), closed (the
        base holds its change already) or none."""
        if self.pull is None:
            return "none"
        if self.pull.closed:
            return "closed"
        if self.pull.created:
            return "created"
        return "updated" if self.landed.changed else "none"


def publish_pull_request(
    target: NewsTarget,
    content: str,
    committer: Committer,
    token: str | None,
    server_url: str,
    head: str,
    sync_pull: Callable[[str, str, str, bool], Pull | None],
    retry: Retry = Retry(),
) -> Proposed:
    """Mode `pull_request`: the change pushed to branch `head`, and a pull request from it opened or updated.

    `sync_pull(full_name, head, base, wanted)` opens or updates the pull request when `wanted`, else closes
    an open one (returning None when there is none). Not wanted: the base's file already equals the branch's
    (the last pull request was merged, or the same numbers were committed otherwise), where opening one would
    propose nothing. No call when neither the branch existed nor the file changed.
    """
    remote = resolve_remote(target.repository, server_url)
    with cloned(remote, target.branch, token, server_url) as git:
        base = target.branch or current_branch(git)
        on_base = _read(news_file(git.cwd, target.path))
        existed = start_branch(git, head)
        landed = commit_and_push(git, head, target.path, _editor(target, content), committer, retry)
        on_head = _read(news_file(git.cwd, target.path))
    if not (existed or landed.changed):
        return Proposed(landed, None)
    full_name = remote.full_name or os.environ.get("GITHUB_REPOSITORY")
    if not full_name:
        raise UserError("mode pull_request needs the news repository on GitHub (OWNER/REPO or its URL)")
    return Proposed(landed, sync_pull(full_name, head, base, on_head != on_base))
