"""Employers of commit authors, from a map in gitdm's EmailMap form, then from the address's domain.

A map line is `ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD]`: `alice@corp.example Corp`, `corp.example Corp`,
`alice@home.example Old Corp < 2023-06-01`. A dated line applies to commits authored before that day
(00:00 UTC), so one address may name the employer of each period; of the lines for one address, the
earliest date still ahead of the commit wins, then the undated line. An address the map does not name is
looked up by its domain, then by the domain's parents (`mail.corp.example`, then `corp.example`); failing
that, the employer is the domain itself, or `(Unknown)` for mail providers that say nothing of one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reporter.errors import UserError
from reporter.model import Commit

UNKNOWN = "(Unknown)"
# Personal mail providers, and kernel.org, whose addresses maintainers keep across employers.
PERSONAL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
        "gmx.de",
        "gmx.net",
        "web.de",
        "qq.com",
        "163.com",
        "126.com",
        "users.noreply.github.com",
        "kernel.org",
    }
)
_DATED = re.compile(r"(?P<employer>.*?)\s*<\s*(?P<date>\d{4}-\d{2}-\d{2})\s*")


@dataclass(frozen=True, slots=True)
class Period:
    employer: str
    until: int | None  # unix seconds of the day the line stops applying; None: undated


@dataclass(slots=True)
class EmployerMap:
    """Map entries by lower-cased address or domain, each with its periods in date order (undated last)."""

    entries: dict[str, list[Period]] = field(default_factory=dict)

    def employer(self, email: str, when: int) -> str:
        address = email.strip().casefold()
        domain = address.rpartition("@")[2]
        for key in (address, *_parents(domain)):
            found = self._lookup(key, when)
            if found is not None:
                return found
        return UNKNOWN if not domain or domain in PERSONAL or domain.endswith(".noreply.github.com") else domain

    def named(self, email: str, when: int) -> bool:
        """Whether the map (rather than the domain) says who employed the author of this address."""
        address = email.strip().casefold()
        return any(self._lookup(k, when) is not None for k in (address, *_parents(address.rpartition("@")[2])))

    def _lookup(self, key: str, when: int) -> str | None:
        for period in self.entries.get(key, ()):
            if period.until is None or when < period.until:
                return period.employer
        return None


def _parents(domain: str) -> list[str]:
    """`a.b.example` -> [`a.b.example`, `b.example`] (never the bare top-level domain)."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(max(len(parts) - 1, 1))] if domain else []


def parse_map(text: str, source: str) -> EmployerMap:
    """The map file's entries; UserError naming the line for anything that is not one."""
    entries: dict[str, list[Period]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, *others = line.split(None, 1)
        rest = others[0] if others else ""
        until = None
        dated = _DATED.fullmatch(rest)
        if dated:
            rest = dated.group("employer")
            until = _day(dated.group("date"), source, number)
        elif "<" in rest:
            raise UserError(f"{source}:{number}: a date is `< YYYY-MM-DD`")
        if not rest or not key.strip("@."):
            raise UserError(f"{source}:{number}: expected `ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD]`")
        entries.setdefault(key.casefold().lstrip("@"), []).append(Period(rest, until))
    for periods in entries.values():
        periods.sort(key=lambda p: (p.until is None, p.until or 0))
    return EmployerMap(entries)


def _day(text: str, source: str, number: int) -> int:
    try:
        return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    except ValueError:
        raise UserError(f"{source}:{number}: no such date {text!r}") from None


def read_map(path: Path | None) -> EmployerMap:
    if path is None:
        return EmployerMap()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read the employer map {path}: {err}") from None
    return parse_map(text, str(path))


def employer_of(emap: EmployerMap, commit: Commit) -> str:
    """The employer of a commit's author when the commit was authored."""
    return emap.employer(commit.author_email, commit.author_time)


def unmapped_domains(emap: EmployerMap, commits: Iterable[Commit], top: int = 10) -> list[tuple[str, int]]:
    """The domains most commits came from that the map does not name (and that are no mail provider)."""
    counts: Counter[str] = Counter()
    for commit in commits:
        if not emap.named(commit.author_email, commit.author_time):
            employer = employer_of(emap, commit)
            if employer != UNKNOWN:
                counts[employer] += 1
    return counts.most_common(top)


def maintainer_employer(emap: EmployerMap, maintainers: Sequence[str], when: int) -> str | None:
    """The employer the map gives the first maintainer with an address it names (at `when`)."""
    for entry in maintainers:
        match = re.search(r"<([^>]+)>", entry)
        email = match.group(1) if match else entry
        if "@" in email and emap.named(email, when):
            return emap.employer(email, when)
    return None
