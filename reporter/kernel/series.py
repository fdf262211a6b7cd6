"""Patch series: the year's subsystem commits grouped as they were posted, and the release that took each.

The memory-management tree folds a series' cover letter into its first patch: the body opens with
`Patch series "TITLE".` (the title may wrap, and may end `", v3.`) and ends that part with `This patch (of
N):`. Every patch carries `Link: https://lkml.kernel.org/r/MSGID` (or lore.kernel.org), and git send-email
makes MSGID as `STAMP.PID-K-SENDER`: the mails of one posting share STAMP.PID and SENDER, K counts them,
the cover letter being 1. So patches sharing that key are one series, titled by its cover letter where
the history holds one and by its first patch's subject elsewhere; a patch without a Link stands alone.

The questions are answered by one git process each, whatever the number of series: the subsystem's
commits (the tables' walk, with trailers), the Link trailers of every commit from the start to the last
candidate tag (for the series' patches outside the subsystem), the messages of the series' patches, the
line counts of those outside the subsystem, and `git name-rev` for the first tag of every patch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from reporter.git import walk
from reporter.git.history import History
from reporter.model import Commit, RevRange

LORE = "https://lore.kernel.org/r/"
# How far after the range's end a series' last patches are looked for: a series split across two releases
# lands in the next cycle or the one after; history later than this is not read.
LATER = 366 * 86400

# A Link trailer's message-id: lkml.kernel.org/r/ID, lore.kernel.org/r/ID (or /LIST/ID), patch.msgid.link/ID.
_LINK = re.compile(r"https?://(?:lkml\.kernel\.org/r|lore\.kernel\.org/[\w.+-]+|patch\.msgid\.link)/([^\s/>]+)")
# git send-email's `STAMP.PID-K-SENDER`, and b4's `YYYYMMDD-SLUG-vN-K-HASH@DOMAIN`.
_MSGIDS = (
    re.compile(r"(\d{14}\.\d+)-(\d+)-(.+@.+)"),
    re.compile(r"(\d{8}-.+-v\d+)-(\d+)-([0-9a-f]+@.+)"),
)
_COVER = re.compile(r'^Patch series "(.+?)"(?:,\s*v(\d+))?\.[ \t]*$', re.M | re.S)
_PART = re.compile(r"^This patch \(of (\d+)\):", re.M)


@dataclass(frozen=True, slots=True)
class MessageId:
    """A patch mail's id: its series key (STAMP.PID and SENDER) and its place K in the posting."""

    text: str
    key: str
    place: int | None

    def with_place(self, place: int) -> str:
        stamp, sender = self.key.split(" ", 1)
        return f"{stamp}-{place}-{sender}"


def message_id(links: Sequence[str]) -> MessageId | None:
    """The patch's own message-id among a commit's Link values (a bug report's link is no message-id)."""
    for value in links:
        found = _LINK.search(value)
        if not found:
            continue
        text = unquote(found.group(1)).strip("<>")
        for shape in _MSGIDS:
            if parts := shape.fullmatch(text):
                return MessageId(text, f"{parts.group(1)} {parts.group(3)}", int(parts.group(2)))
        return MessageId(text, text, None)
    return None


@dataclass(slots=True)
class Cover:
    title: str
    version: int | None
    parts: int | None  # N of `This patch (of N):`


def cover(message: str) -> Cover | None:
    """The cover letter folded into a message (`Patch series "TITLE".`), its title unwrapped."""
    found = _COVER.search(message)
    if found is None:
        return None
    parts = _PART.search(message, found.end())
    version = int(found.group(2)) if found.group(2) else None
    return Cover(" ".join(found.group(1).split()), version, int(parts.group(1)) if parts else None)


@dataclass(slots=True)
class Patch:
    hash: str
    subject: str
    author: str  # Name <email>
    committed: int  # committer date
    msgid: str | None
    place: int | None  # K of its message-id
    in_subsystem: bool  # whether it changes the subsystem's paths
    lines: int  # changed lines in the subsystem's paths
    lines_all: int  # changed lines in all paths
    tag: str | None  # the first release tag that contains it; None while none does


@dataclass(slots=True)
class Series:
    title: str
    version: int | None  # the posting's vN, from the cover letter
    cover: bool  # whether the title is the cover letter's (else the first patch's subject)
    link: str | None  # the cover letter on lore, else the first patch's
    parts: int | None  # the patches the cover letter announced
    patches: list[Patch]  # every patch of the series found, in posting order
    tag: str | None  # the first release tag that contains all of it; None while none does
    tag_date: int | None
    tags: list[tuple[str | None, int]]  # each first tag of its patches and how many, oldest first

    @property
    def subsystem_patches(self) -> int:
        return sum(p.in_subsystem for p in self.patches)

    @property
    def lines(self) -> int:
        return sum(p.lines for p in self.patches)

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(p.author for p in self.patches))

    @property
    def split(self) -> bool:
        """Merged by two tags (or more), or partly merged."""
        return len(self.tags) > 1


_LINKS = "%(trailers:key=Link,valueonly,unfold,separator=%x01)"
_MESSAGE = ["%H", "%s", "%an <%ae>", "%ct", "%B"]


def find(
    history: History,
    ranges: Sequence[RevRange],
    selections: Sequence[Sequence[Commit]],
    pathspecs: Sequence[str] | None,
    tags: Sequence[walk.Tag],
) -> list[list[Series]]:
    """The series of each range's selected commits (the subsystem's, as git lists them, with trailers and
    line counts within `pathspecs`), with their patches elsewhere and the first of `tags` (the tag
    pattern's) that contains each patch. A series whose patches lie in two ranges belongs to the later."""
    repo = history.repo
    selected = {c.hash: c for commits in selections for c in commits}
    ids = {h: message_id(_links(c.trailers)) for h, c in selected.items()}
    keys = {m.key for m in ids.values() if m is not None}
    window, candidates = _window(history, ranges, tags)
    # Without a Link, every patch stands alone: the window's other commits have nothing to join.
    for commit, found in (_window_ids(history, window) if keys else {}).items():
        if found.key in keys and commit not in selected:
            ids[commit] = found
    others = [h for h in ids if h not in selected]
    messages = {h: rest for h, *rest in walk.log_fields(repo, _MESSAGE, list(ids), ["--no-walk=unsorted"])}
    inside = {c.hash: c.lines for c in walk.log_commits(repo, others, pathspecs=pathspecs)} if pathspecs else {}
    everywhere = {c.hash: c.lines for c in walk.log_commits(repo, list(ids))}
    first = history.first_tags(list(ids), candidates)
    grouped: dict[str, list[tuple[Patch, str]]] = {}  # series key: its patches, each with its message
    for commit, msgid in ids.items():
        subject, author, when, message = messages[commit]
        patch = Patch(
            commit,
            subject,
            author,
            int(when),
            msgid.text if msgid else None,
            msgid.place if msgid else None,
            commit in selected or commit in inside,
            selected[commit].lines if commit in selected else inside.get(commit, 0),
            everywhere.get(commit, 0),
            first.get(commit),
        )
        grouped.setdefault(msgid.key if msgid else commit, []).append((patch, message))
    home = {}
    for number, commits in enumerate(selections):
        for c in commits:
            msgid = ids[c.hash]
            home[msgid.key if msgid else c.hash] = number
    dates = {t.name: t.date for t in tags}
    result: list[list[Series]] = [[] for _ in selections]
    for key, members in grouped.items():
        result[home[key]].append(_series(members, dates))
    for series in result:
        series.sort(key=lambda s: (s.tag_date is None, s.tag_date or 0, s.patches[0].committed))
    return result


def _window(history: History, ranges: Sequence[RevRange], tags: Sequence[walk.Tag]) -> tuple[list[str], list[walk.Tag]]:
    """The revisions whose commits may hold the series' other patches (from the earliest start to the
    candidate tags and the ranges' ends), and those candidate tags: the tag pattern's, after that start and
    up to LATER after the last end."""
    dates = {t.name: t.date for t in tags}

    def date(ref: str) -> int:
        return dates[ref] if ref in dates else walk.commit_time(history.repo, ref)

    starts = sorted((date(r.start), r.start) for r in ranges if r.start)
    start = starts[0][0] if starts else 0
    last = max(date(r.end) for r in ranges) + LATER
    candidates = [t for t in tags if start < t.date <= last]
    ends = history.hashes([r.end for r in ranges])
    return [*(t.name for t in candidates), *ends.values(), *([f"^{starts[0][1]}"] if starts else [])], candidates


def _window_ids(history: History, window: Sequence[str]) -> dict[str, MessageId]:
    """{commit: its message-id} of the window's commits (merges left out) that have one, from one git process
    that reads every commit's Link trailers; kept in the cache by the commits the window names, which
    fix what it holds (a warm run reads the same answer without walking the window again)."""
    ends = [r.removeprefix("^") for r in window]
    hashes = history.hashes(ends)
    asked: list[object] = [
        "series message-ids",
        sorted(hashes[r] for r in window if not r.startswith("^")),
        sorted(hashes[r.removeprefix("^")] for r in window if r.startswith("^")),
        sorted(walk.shallow_boundary(history.repo)),
    ]

    def scan() -> list[IdRow]:
        rows = []
        for commit, links in walk.log_fields(history.repo, ["%H", _LINKS], window, ["--no-merges"]):
            if (found := message_id(links.split("\x01"))) is not None:
                rows.append((commit, found.text, found.key, found.place))
        return rows

    return {commit: MessageId(text, key, place) for commit, text, key, place in history.kept(asked, scan, _id_rows)}


IdRow = tuple[str, str, str, int | None]  # a commit, and its message-id's text, key and place


def _id_rows(stored: object) -> list[IdRow] | None:
    """The rows of `_window_ids` as the cache keeps them (JSON lists), when they read as such."""
    if not isinstance(stored, list):
        return None
    rows = []
    for row in stored:
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(v, str) for v in row[:3])):
            return None
        commit, text, key, place = row
        if not (place is None or (isinstance(place, int) and not isinstance(place, bool))):
            return None
        rows.append((commit, text, key, place))
    return rows


def _series(found: list[tuple[Patch, str]], dates: dict[str, int]) -> Series:
    found.sort(key=lambda item: (item[0].place is None, item[0].place or 0, item[0].committed))
    patches = [p for p, _ in found]
    letter = next((c for _, message in found if (c := cover(message))), None)
    first = patches[0]
    link = None
    if first.msgid is not None:
        msgid = message_id([LORE + first.msgid])
        place_one = letter is not None or any(p.place == 1 for p in patches)
        link = LORE + (msgid.with_place(1) if msgid and place_one and msgid.place is not None else first.msgid)
    counts: dict[str | None, int] = {}
    for p in patches:
        counts[p.tag] = counts.get(p.tag, 0) + 1
    tags = sorted(counts.items(), key=lambda item: (item[0] is None, dates.get(item[0] or "", 0)))
    tag = tags[-1][0]
    return Series(
        title=letter.title if letter else first.subject,
        version=letter.version if letter else None,
        cover=letter is not None,
        link=link,
        parts=letter.parts if letter else None,
        patches=patches,
        tag=tag,
        tag_date=dates.get(tag) if tag else None,
        tags=tags,
    )


def _links(trailers: Sequence[tuple[str, str]]) -> list[str]:
    return [value.strip() for key, value in trailers if key.strip().lower() == "link"]


# Titles that name no feature, whatever their size.
DEFAULT_SKIP = r"(?i)\b(fix|fixes|fixup|cleanup|cleanups|clean up|typo|typos|trivial|minor|misc)\b"


@dataclass(slots=True)
class FeatureRules:
    """Which series a post names as features (the rest it counts as fixes and cleanups)."""

    min_patches: int = 3  # patches in the subsystem
    cover: bool = True  # a cover letter is required
    skip: str = DEFAULT_SKIP
    match: str = ""  # titles must match this (empty: any)
    series: list[str] = field(default_factory=list)  # titles or links always named

    def __call__(self, s: Series) -> bool:
        if s.title in self.series or (s.link is not None and s.link in self.series):
            return True
        if s.subsystem_patches < self.min_patches or (self.cover and not s.cover):
            return False
        if self.skip and re.search(self.skip, s.title):
            return False
        return not self.match or re.search(self.match, s.title) is not None
