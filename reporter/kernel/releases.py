"""A tool's releases in a year: its version tags, and what its release notes file says each brought.

The notes file's shape is damo's `release_note`: a version line (`v2.0.0`), then items that start with a
marker (`- `) and continue on indented lines, newest version first; anything before the first version line
is a preamble. The file is read as it stood at the year's end, so a later edit does not change a past year.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reporter.git.walk import Tag


@dataclass(slots=True)
class Release:
    tag: str
    date: int  # the tag's date (unix seconds)
    major: int | None  # the major version number when the release is a major one (X.0.0), else None
    items: list[str] = field(default_factory=list)  # what the notes say it brought, in the file's order


@dataclass(slots=True, frozen=True)
class NotesShape:
    version: str  # a regular expression that a whole version line matches
    item: str  # how an item's first line starts; indented lines continue it


_NUMBERS = re.compile(r"\d+")


def parse_notes(text: str, shape: NotesShape) -> dict[str, list[str]]:
    """{version: items} of a release notes file; an item's continuation lines join it with a space."""
    version = re.compile(shape.version)
    found: dict[str, list[str]] = {}
    items: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if version.fullmatch(stripped):
            items = found.setdefault(stripped, [])
        elif items is None or not stripped:
            continue
        elif line.startswith(shape.item):
            items.append(line[len(shape.item) :].strip())
        elif items and line[:1].isspace():
            items[-1] += " " + stripped
    return found


def major_of(tag: str) -> int | None:
    """2 for `v2.0.0` or `v2.0`: a first number of at least 1 and zeros after it; else None."""
    numbers = [int(n) for n in _NUMBERS.findall(tag)]
    if len(numbers) >= 2 and numbers[0] >= 1 and not any(numbers[1:]):
        return numbers[0]
    return None


def level(tag: str) -> int:
    """0 for a major release (v2.0.0), 1 for a minor one (v2.1.0), 2 for the others (v2.1.3)."""
    if major_of(tag) is not None:
        return 0
    numbers = _NUMBERS.findall(tag)
    return 1 if len(numbers) >= 3 and int(numbers[-1]) == 0 else 2


def year_releases(
    tags: Sequence[Tag], pattern: str, since: int, until: int, notes: dict[str, list[str]]
) -> list[Release]:
    """The tags matching `pattern` dated in [since, until], oldest first, with their notes' items."""
    match = re.compile(pattern)
    chosen = sorted((t for t in tags if match.search(t.name) and since <= t.date <= until), key=lambda t: t.date)
    return [Release(t.name, t.date, major_of(t.name), list(notes.get(t.name, []))) for t in chosen]
