"""A year's boundary refs from tag dates, and the consecutive ranges between boundaries."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import git

from reporter.errors import UserError, quoted
from reporter.git import walk
from reporter.git.walk import Tag, check_ref
from reporter.model import RevRange

# Release-candidate and final tags of mainline Linux; other tags (stable, next-*) are not boundaries.
DEFAULT_TAG_PATTERN = r"^v\d+\.\d+(-rc\d+)?$"
DEFAULT_RELEASE_PATTERN = r"^v\d+\.\d+$"


class NoBoundaryYet(UserError):
    """The year has no end boundary yet (early January: no tag dated in it up to the cutoff)."""


def parse_date(text: str, end_of_day: bool = False) -> int:
    """Unix seconds of an ISO 8601 date or timestamp; a date alone is a whole day (00:00:00, or
    23:59:59 with `end_of_day`), and a time without an offset is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"invalid date {text!r}: expected YYYY-MM-DD or an ISO 8601 timestamp") from None
    if end_of_day and _date_alone(text):
        moment = moment.replace(hour=23, minute=59, second=59)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def date_or_ref(text: str) -> int | str:
    """An option that takes a date or a ref: Unix seconds when `text` reads as a date (in any form
    `parse_date` takes: 2023-12-31, 20231231, a timestamp), else `text` itself as a ref or range. A date
    stays a date where a tag has that name too, as in the options that take only dates, so that one text
    means one moment everywhere; the tag is then named in full (refs/tags/20231231)."""
    try:
        return parse_date(text)
    except UserError:
        return check_ref(text)


def _date_alone(text: str) -> bool:
    """Whether `text` is a date without a time of day, in any form ISO 8601 allows (2023-12-31, 20231231)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_year(text: str) -> int:
    """A year as the command line and the action take it: four ASCII digits (not '0', '-5', '99999', '²')."""
    if not re.fullmatch(r"[0-9]{4}", text) or int(text) < 1970:
        raise UserError(f"expected a year like 2024, got {text!r}")
    return int(text)


def year_start(year: int) -> int:
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())


def year_end(year: int) -> int:
    return int(datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def compile_pattern(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise UserError(f"invalid {what} {quoted(pattern)}: {err}") from None


def year_boundaries(
    tags: Sequence[Tag],
    year: int,
    cutoff: int | None = None,
    release_pattern: str = DEFAULT_RELEASE_PATTERN,
    tag_pattern: str = DEFAULT_TAG_PATTERN,
) -> list[str]:
    """start = the latest tag dated before Jan 1; end = the latest tag dated on or before
    min(Dec 31 23:59:59, cutoff); between them every final release, except the start's own release."""
    releases = compile_pattern(release_pattern, "release pattern")
    candidates = compile_pattern(tag_pattern, "tag pattern")
    ordered = sorted((t for t in tags if candidates.search(t.name)), key=lambda t: (t.date, t.name))
    if not ordered:
        raise UserError(f"the tag pattern {quoted(tag_pattern)} matches none of the {len(tags)} tags{_examples(tags)}")
    if not any(releases.search(t.name) for t in tags):
        raise UserError(
            f"the release pattern {quoted(release_pattern)} matches none of the {len(tags)} tags{_examples(tags)}"
        )
    first_day = year_start(year)
    limit = year_end(year) if cutoff is None else min(year_end(year), cutoff)
    before = [t for t in ordered if t.date < first_day]
    if not before:
        oldest = ordered[0]
        raise UserError(
            f"no tag matching {quoted(tag_pattern)} is dated before {year}-01-01 to start {year} from (the oldest, "
            f"{oldest.name}, is dated {_day(oldest.date)})"
        )
    start = before[-1]
    inside = [t for t in ordered if first_day <= t.date <= limit]
    if not inside:
        until = "" if cutoff is None or cutoff >= year_end(year) else f" up to {_day(cutoff)}"
        raise NoBoundaryYet(f"no tag matching {quoted(tag_pattern)} is dated in {year}{until}")
    end = inside[-1]
    own_release = re.sub(r"-rc\d+$", "", start.name)
    middle = [t.name for t in inside[:-1] if releases.search(t.name) and t.name != own_release]
    return [start.name, *middle, end.name]


def repo_year_boundaries(
    repo: git.Repo,
    tags: Sequence[Tag],
    year: int,
    cutoff: int | None = None,
    release_pattern: str = DEFAULT_RELEASE_PATTERN,
    tag_pattern: str = DEFAULT_TAG_PATTERN,
) -> list[str]:
    """`year_boundaries` of `repo`'s `tags`; where a shallow clone lacks the tags, the error says so and how
    to complete it, rather than blaming the tags."""
    try:
        return year_boundaries(tags, year, cutoff, release_pattern, tag_pattern)
    except NoBoundaryYet:
        raise
    except UserError as err:
        start = walk.history_start(repo)
        if start is None:
            raise
        raise UserError(
            f"{walk.repo_name(repo)} is a shallow clone whose history starts {start}, so it lacks the tags that "
            f"bound {year} ({err}): {walk.UNSHALLOW}"
        ) from None


def _examples(tags: Sequence[Tag]) -> str:
    newest = sorted(tags, key=lambda t: (t.date, t.name))[-3:]
    return f" (the newest: {', '.join(t.name for t in reversed(newest))})" if newest else ""


def _day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def overlaps(
    repo: git.Repo, refs: Sequence[str], hashes: Mapping[str, str], contains: Callable[[str, str], bool]
) -> list[str]:
    """A warning for each pair of consecutive boundaries where the earlier is not an ancestor of the later
    (release tags on separate stable branches): those rows overlap, and do not add up to the total row.
    `hashes` are the refs' commits; `contains(older, newer)` tells ancestry of two commit hashes (a History
    knows it once it has walked)."""
    return [
        f"{a} is not an ancestor of {b}: the rows overlap (or miss commits) and do not add up to the total row"
        for (a, ha), (b, hb) in itertools.pairwise((ref, hashes[ref]) for ref in refs)
        # Where a shallow clone's history is cut, git cannot tell ancestry (the walks refuse such ranges).
        if not walk.shallow_cut(repo, hb, ha) and not contains(ha, hb)
    ]


def consecutive(refs: Sequence[str]) -> list[RevRange]:
    return [RevRange(a, b) for a, b in itertools.pairwise(refs)]


def read_refs_file(path: str | Path) -> list[str]:
    """A stat_branches file: one ref per line (blank lines and `#` comments ignored), at least two."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read refs file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"refs file {path} is not UTF-8 text") from None
    refs = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) != 1:
            raise UserError(f"{path}:{number}: expected one ref per line, got {line!r}")
        try:
            refs.append(check_ref(line))
        except UserError as err:
            raise UserError(f"{path}:{number}: {err}") from None
    if len(refs) < 2:
        raise UserError(f"refs file {path} needs at least two refs, has {len(refs)}")
    return refs
