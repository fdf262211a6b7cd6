"""Credits from commit trailers (Reviewed-by:, Acked-by:, ...), counted the way `git shortlog --group=trailer:KEY`
counts them: a value that parses as `Name <email>` is that identity (through the mailmap when asked), any
other value is itself, and one commit credits one identity at most once per key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from reporter.errors import UserError
from reporter.model import CreditCount, CreditRanking

DEFAULT_KEYS = ("Reviewed-by", "Acked-by", "Tested-by", "Reported-by", "Suggested-by", "Co-developed-by")
_NOUNS = {
    "reviewed-by": "reviews",
    "acked-by": "acks",
    "tested-by": "tests",
    "reported-by": "reports",
    "suggested-by": "suggestions",
    "co-developed-by": "co-developments",
}
# What a trailer key may be: it reaches git inside a format placeholder, so it must never be syntax there.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_SPACE = " \t\n\r"  # git's isspace()

Trailers = Sequence[tuple[str, str]]


def check_key(key: str) -> str:
    """A trailer key as given (`Reviewed-by`, a trailing colon dropped); UserError for anything else."""
    bare = key.removesuffix(":")
    if not _KEY.fullmatch(bare):
        raise UserError(f"invalid trailer key {key!r}: letters, digits, '-' and '_' only")
    return bare


def noun(key: str) -> str:
    """What one credit of `key` is called: `reviews` for Reviewed-by, `Foo-by credits` for an unknown key."""
    return _NOUNS.get(key.casefold(), f"{key} credits")


def split_ident(value: str) -> tuple[str, str] | None:
    """(name, email) as git's split_ident_line() reads `Name <email>`, or None when it is no identity."""
    lt = value.find("<")
    gt = value.find(">", lt + 1) if lt >= 0 else -1
    if gt < 0:
        return None
    return value[:lt].rstrip(_SPACE), value[lt + 1 : gt]


def contact(name: str, email: str) -> str:
    """The form `git check-mailmap` reads and prints."""
    return f"{name} <{email}>" if name else f"<{email}>"


def contacts(trailers: Iterable[Trailers], keys: Sequence[str]) -> set[str]:
    """Every identity that the given keys' values name, as contacts for the mailmap."""
    wanted = {k.casefold() for k in keys}
    found = set()
    for pairs in trailers:
        for key, value in pairs:
            if key.casefold() in wanted and (ident := split_ident(value)):
                found.add(contact(*ident))
    return found


def identity(value: str, mailmap: Mapping[str, str]) -> str:
    """The identity a trailer value credits, printed as `git shortlog -e` prints it."""
    ident = split_ident(value)
    if ident is None:
        return value
    mapped = split_ident(mailmap.get(contact(*ident), "")) or ident
    return f"{mapped[0]} <{mapped[1]}>"


def credited(trailers: Trailers, key: str, mailmap: Mapping[str, str]) -> list[str]:
    """The identities one commit's trailers credit under `key` (case-insensitive), each once, in order."""
    wanted = key.casefold()
    return list(dict.fromkeys(identity(v, mailmap) for k, v in trailers if k.casefold() == wanted))


def rank(
    trailers: Iterable[Trailers], keys: Sequence[str], mailmap: Mapping[str, str], limit: int | None = None
) -> list[CreditRanking]:
    """Per key, identities by the number of commits crediting them, descending; ties keep first appearance."""
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    carrying = dict.fromkeys(keys, 0)
    for pairs in trailers:
        for key in keys:
            people = credited(pairs, key, mailmap)
            carrying[key] += bool(people)
            for person in people:
                counts[key][person] = counts[key].get(person, 0) + 1
    rankings = []
    for key in keys:
        ranked = [CreditCount(p, n) for p, n in sorted(counts[key].items(), key=lambda item: -item[1])]
        rankings.append(
            CreditRanking(
                key=key,
                noun=noun(key),
                credits=ranked[:limit] if limit is not None else ranked,
                total_people=len(ranked),
                total_credits=sum(c.commits for c in ranked),
                total_commits=carrying[key],
            )
        )
    return rankings
