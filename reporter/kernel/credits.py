"""Credits from commit trailers (Reviewed-by:, Acked-by:, ...), counted the way `git shortlog --group=trailer:KEY`
counts them: a value that parses as `Name <email>` is that identity (through the mailmap when asked), any
other value is itself, and one commit credits one identity at most once per key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from reporter.errors import UserError
from reporter.kernel import people
from reporter.model import Commit, CreditCount, CreditRanking, Ratio

# What the report counts as a review of a commit.
REVIEW_KEYS = ("Reviewed-by", "Acked-by")
# What the report shows, and how many of each.
REPORTED_KEYS = ("Reviewed-by", "Tested-by")
REPORTED_TOP = 10
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


Credits = Sequence[Mapping[str, list[str]]]  # per commit: key -> the identities it credits


def credits_of(trailers: Iterable[Trailers], keys: Sequence[str], mailmap: Mapping[str, str]) -> Credits:
    """Per commit, the identities each key credits (each once, through the mailmap)."""
    return [{key: credited(pairs, key, mailmap) for key in keys} for pairs in trailers]


def persons_of(credits: Credits, rules: people.Rules, mailmap: people.Mailmap) -> dict[str, str]:
    """Each credited identity -> its person's most credited identity, folded as `authors --people` folds
    authors. A value that is no `Name <email>` names nobody to fold with: it stays itself."""
    counts: dict[str, int] = {}
    for commit in credits:
        for idents in commit.values():
            for ident in idents:
                counts[ident] = counts.get(ident, 0) + 1
    found = [people.Identity(*split, n) for ident, n in counts.items() if (split := split_ident(ident))]
    return {str(i): str(p.identity) for p in people.fold(found, rules, mailmap) for i in p.identities}


def rank(
    credits: Credits, keys: Sequence[str], person: Mapping[str, str] | None = None, limit: int | None = None
) -> list[CreditRanking]:
    """Per key, identities (or their persons, through `person`) by the number of commits crediting them,
    descending; ties keep first appearance. A commit credits one person once per key."""
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    carrying = dict.fromkeys(keys, 0)
    for commit in credits:
        for key in keys:
            named = list(dict.fromkeys((person or {}).get(ident, ident) for ident in commit[key]))
            carrying[key] += bool(named)
            for who in named:
                counts[key][who] = counts[key].get(who, 0) + 1
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
                persons=person is not None,
            )
        )
    return rankings


def reviewed_by_others(commits: Sequence[Commit], keys: Sequence[str], mailmap: Mapping[str, str]) -> Ratio:
    """The commits that carry one of `keys` from someone other than their author (neither the author's
    address nor name), out of all."""

    def other(commit: Commit, value: str) -> bool:
        name, email = split_ident(value) or (value, "")
        return email.casefold() != commit.author_email.casefold() and name != commit.author_name

    reviewed = sum(
        1
        for commit in commits
        if any(other(commit, ident) for key in keys for ident in credited(commit.trailers, key, mailmap))
    )
    return Ratio(reviewed, len(commits))


def reported(rankings: Sequence[CreditRanking]) -> list[CreditRanking]:
    """The rankings the report shows (REPORTED_KEYS), of all it computed."""
    return [r for r in rankings if r.key in REPORTED_KEYS]
