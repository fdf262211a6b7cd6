"""People: author identities (name and address) folded into the persons behind them.

One person may commit under several names and addresses (`SeongJae Park <sj@kernel.org>`,
`sjpark <sjpark@amazon.com>`). Identities are folded by the union of what links them: a shared address, a
shared name (a rule that can be turned off, since two people can share a name), what git's `.mailmap`
maps them to, and aliases a configuration names. Counts of contributors count persons; rankings in
authors.py's format stay per identity.

The API is small: `identities()` counts the identities of commits, `fold()` turns identities with counts
into persons (each with its most used identity and the identities folded into it), `lookup()` finds the
person of an identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reporter.kernel import stats
from reporter.model import AuthorCount, AuthorRanking, Commit

# `Name <email>` -> `Name <email>` as `.mailmap` rewrites it (walk.check_mailmap); others may be missing.
Mailmap = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Identity:
    """One author identity and what it contributed."""

    name: str
    email: str
    commits: int = 0
    lines: int | None = None  # None when the commits were walked without diffs

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.email)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True, slots=True)
class Person:
    """Identities of one person, most used first (ties: the one git showed first)."""

    identities: tuple[Identity, ...]

    @property
    def identity(self) -> Identity:
        return self.identities[0]

    @property
    def commits(self) -> int:
        return sum(i.commits for i in self.identities)

    @property
    def lines(self) -> int | None:
        counts = [i.lines for i in self.identities]
        return None if None in counts else sum(n for n in counts if n is not None)


@dataclass(frozen=True, slots=True)
class Rules:
    """How identities fold: `fold_names` links identities sharing a name; each alias group (entries are
    `Name <email>`, a name or an address) is one person."""

    fold_names: bool = True
    aliases: tuple[tuple[str, ...], ...] = field(default=())


def parse_entry(entry: str) -> tuple[str, str]:
    """(name, email) of `Name <email>`, `name` or `email` (the missing part empty)."""
    name, _, email = entry.partition("<")
    name, email = name.strip(), email.rstrip().removesuffix(">").strip()
    if not email and "@" in name and " " not in name:
        return "", name
    return name, email


def identities(commits: Iterable[Commit], lines: bool = True) -> list[Identity]:
    """Each author identity of `commits` with its commits (and lines, when the commits carry their diffs),
    in order of first appearance."""
    counts: dict[tuple[str, str], list[int]] = {}
    for commit in commits:
        entry = counts.setdefault((commit.author_name, commit.author_email), [0, 0])
        entry[0] += 1
        entry[1] += commit.lines
    return [Identity(name, email, c, n if lines else None) for (name, email), (c, n) in counts.items()]


class _Union:
    """Union-find over hashable keys."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, key: object) -> object:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression keeps later finds short
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, keys: Sequence[object]) -> None:
        roots = [self.find(k) for k in keys]
        for root in roots[1:]:
            self.parent[root] = roots[0]


def _keys(name: str, email: str, fold_names: bool) -> list[object]:
    """What links identities: the address, and the name when that rule is on (case does not matter)."""
    keys: list[object] = []
    if email.strip():
        keys.append(("email", email.strip().casefold()))
    if fold_names and name.strip():
        keys.append(("name", " ".join(name.split()).casefold()))
    return keys


def fold(found: Sequence[Identity], rules: Rules = Rules(), mailmap: Mailmap | None = None) -> list[Person]:
    """Persons of `found` (identities in order of first appearance), ordered by that of their first
    identity; each person's identities most used first."""
    union = _Union()
    mapped = mailmap or {}
    for ident in found:
        own: list[object] = [("identity", ident.key)]
        own += _keys(ident.name, ident.email, rules.fold_names)
        if str(ident) in mapped:
            name, email = parse_entry(mapped[str(ident)])
            own += _keys(name, email, rules.fold_names) + [("identity", (name, email))]
        union.join(own)
    for group in rules.aliases:
        keys = [k for entry in group for k in _keys(*parse_entry(entry), fold_names=True)]
        if keys:
            union.join(keys)
    members: dict[object, list[Identity]] = {}
    for ident in found:
        members.setdefault(union.find(("identity", ident.key)), []).append(ident)
    return [Person(tuple(sorted(group, key=lambda i: -i.commits))) for group in members.values()]


def lookup(persons: Iterable[Person]) -> Callable[[str, str], Person | None]:
    """A function from (name, email) to the person with that identity, or None."""
    index = {ident.key: person for person in persons for ident in person.identities}
    return lambda name, email: index.get((name, email))


def ranking(persons: Sequence[Person], sortby: str = "commits", limit: int | None = None) -> AuthorRanking:
    """Persons ranked as authors.py ranks identities, each shown as their most used identity."""
    ranking = stats.ranked([AuthorCount(str(p.identity), p.commits, p.lines) for p in persons], sortby, limit)
    ranking.persons = True
    return ranking
