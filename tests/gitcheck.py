"""Ground truth: the plain git commands the seed scripts ran, to compare retrospect's numbers with."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

DAMON = [
    "mm/damon/",
    "include/linux/damon.h",
    "Documentation/mm/damon/",
    "samples/damon/",
    ":(exclude)mm/damon/legacy/",
]
MM = ["mm/", "include/linux/mm.h", "tools/testing/selftests/mm/"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def count(repo: Path, *args: str) -> int:
    """`git log --oneline ARGS | wc -l`."""
    return len(git(repo, "log", "--oneline", *args).splitlines())


def shortstat(repo: Path, *args: str) -> int:
    """Insertions + deletions summed over `git log --shortstat ARGS` (singular forms included)."""
    out = git(repo, "log", "--shortstat", "--format=", *args)
    return sum(int(n) for n in re.findall(r"(\d+) (?:insertions?\(\+\)|deletions?\(-\))", out))


# The patch series of a range and their first tags, as plain git tells them (tests of `retrospect series`
# and of the post's Key Features).
RELEASE_TAG = re.compile(r"^v\d+\.\d+(-rc\d+)?$")


def first_tag(repo: Path, commit: str) -> str | None:
    """The oldest release tag that contains `commit`, as `git tag --contains` lists them by date."""
    found = git(repo, "tag", "--contains", commit, "--sort=creatordate").split()
    return next((t for t in found if RELEASE_TAG.match(t)), None)


def tag_date(repo: Path, tag: str) -> int:
    return int(git(repo, "for-each-ref", "--format=%(creatordate:unix)", f"refs/tags/{tag}").strip())


def tag_dates(repo: Path) -> dict[str, int]:
    """Each tag's `tag_date`, from one `git for-each-ref`."""
    lines = git(repo, "for-each-ref", "--format=%(refname:short) %(creatordate:unix)", "refs/tags").splitlines()
    return {tag: int(when) for tag, when in (line.split() for line in lines)}


def links(repo: Path, *args: str) -> dict[str, str]:
    """Each commit `git log ARGS` lists, with its Link: trailers' values (`git log -1
    --format=%(trailers:key=Link,valueonly) COMMIT`, stripped), from one `git log`."""
    out = git(repo, "log", "--format=%x1e%H%x1f%(trailers:key=Link,valueonly)", *args)
    return {commit: link.strip() for commit, link in (record.split("\x1f") for record in out.split("\x1e")[1:])}


def expected(repo: Path, span: str) -> dict[str, dict]:
    """Per series key (the Link's STAMP.PID and sender, or the commit alone), its title, patches and first
    tag, from plain git: the subsystem's commits, then for each key every commit whose message names it."""
    found: dict[str, dict] = {}
    dates = tag_dates(repo)
    for commit, link in links(repo, "--no-merges", span, "--", *DAMON).items():
        parts = re.search(r"/([\d.]+)-(\d+)-([^/]+)$", link)
        key = f"{parts.group(1)}-{parts.group(3)}" if parts else commit
        if key in found:
            continue
        members = (
            git(repo, "log", "--all", "--no-merges", "--format=%H", "-F", f"--grep={parts.group(1)}-").split()
            if parts
            else [commit]
        )
        covers = git(repo, "log", "--no-walk", "--format=%B%x00", "--grep=^Patch series", *members).split("\0")
        title = re.search(r'Patch series "([^"]+)"', covers[0]) if covers[0].strip() else None
        places = links(repo, "--no-walk", *members)
        first = min(members, key=lambda m: int(re.search(r"-(\d+)-", places[m]).group(1)) if parts else 0)
        subject = git(repo, "log", "-1", "--format=%s", first).strip()
        tags = [first_tag(repo, m) for m in members]
        last = None if None in tags else max(tags, key=lambda t: dates[t])
        found[key] = {
            "title": " ".join(title.group(1).split()) if title else subject,
            "patches": sorted(members),
            "tag": last,
            "tags": sorted(set(tags), key=lambda t: dates[t] if t else 1 << 62),
        }
    return found
