"""People: identities folded by shared addresses, shared names, .mailmap and aliases; `authors --people`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from gitcheck import git
from kernelrepo import Builder, ts

from reporter.cli import main
from reporter.errors import UserError
from reporter.git.walk import check_mailmap, open_repo
from reporter.kernel import people
from reporter.report.config import DEFAULT_YAML, parse

# The shape of damo's 2023: one maintainer under three addresses and a second name sharing one address,
# a contributor under two addresses, one under two domains, and a namesake-free rest.
SJ_GMAIL, SJ_KERNEL = ("SeongJae Park", "sj38.park@gmail.com"), ("SeongJae Park", "sj@kernel.org")
SJ_AMAZON, SJPARK = ("SeongJae Park", "sjpark@amazon.com"), ("sjpark", "sjpark@amazon.com")
HK, HK_SK = ("Honggyu Kim", "honggyu.kp@gmail.com"), ("Honggyu Kim", "honggyu.kim@sk.com")
PM, PM_DE = ("Puranjay Mohan", "pjy@amazon.com"), ("Puranjay Mohan", "pjy@amazon.de")
FDU = ("fdu", "1050329+fdu@users.noreply.github.com")
OLD, NEW = ("Old Nick", "old@x.org"), ("New Name", "new@x.org")
AUTHORS = [SJ_GMAIL] * 6 + [SJ_KERNEL] * 3 + [SJPARK] * 2 + [HK] * 2 + [SJ_AMAZON, HK_SK, PM, PM_DE, FDU, OLD, NEW]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("people") / "repo")
    for i, who in enumerate(AUTHORS):
        b.commit(f"c{i}", who, ts(f"2023-01-{i + 1:02}T12:00:00"), files={f"f{i}": "x\n"})
    b.commit("map", NEW, ts("2023-02-01T12:00:00"), files={".mailmap": "New Name <new@x.org> <old@x.org>\n"})
    return b.path


def shortlog(repo: Path, *args: str) -> Counter[str]:
    """Commits per identity as `git log` shows them (`%an <%ae>`, or `%aN <%aE>` through .mailmap)."""
    return Counter(git(repo, "log", "--format=%an <%ae>", *args).splitlines())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["authors", *args, "--quiet"]) == 0
    return capsys.readouterr().out


def test_people_ranking_folds_and_sums_to_git(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    per_identity = shortlog(repo)
    out = run(capsys, str(repo), "--people")
    sj = sum(per_identity[f"{n} <{e}>"] for n, e in (SJ_GMAIL, SJ_KERNEL, SJPARK, SJ_AMAZON))
    assert out.splitlines()[0] == f"1. SeongJae Park <sj38.park@gmail.com>: {sj} commits"
    assert f". Honggyu Kim <honggyu.kp@gmail.com>: {per_identity['Honggyu Kim <honggyu.kp@gmail.com>'] + 1}" in out
    # Old Nick and New Name are one person by .mailmap only; New Name made two commits (one is .mailmap's).
    assert "New Name <new@x.org>: 3 commits" in out
    assert out.endswith(f"# 5 people, {sum(per_identity.values())} commits in total\n")  # persons, not authors


def test_name_rule_off_keeps_namesakes_apart(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, str(repo), "--people", "--no-fold-names")
    # sjpark still shares an address with one SeongJae Park identity; the others share only the name.
    assert "SeongJae Park <sj38.park@gmail.com>: 6 commits" in out
    assert "sjpark <sjpark@amazon.com>: 3 commits" in out
    assert out.endswith("# 9 people, 21 commits in total\n")


def test_identity_blocks_unchanged_without_people(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, str(repo), "--max-authors", "100")
    assert out.endswith(f"# {len(shortlog(repo))} authors, 21 commits in total\n")


def test_people_option_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["authors", str(repo), "--people", "--identity", "email"]) == 2
    assert main(["authors", str(repo), "--no-fold-names"]) == 2
    assert capsys.readouterr().err.count("\n") == 2


def test_mailmap_folds_through_gits_check_mailmap_with_hostile_names(repo: Path) -> None:
    found = [
        ident(OLD),
        ident(("--help -x", "a@b")),
        ident(NEW),
        ident(("", "nameless@x.org")),
        ident(("R\x1eS", "r@s")),
    ]
    mapped = check_mailmap(open_repo(repo), [str(i) for i in found])
    assert mapped["Old Nick <old@x.org>"] == git(repo, "check-mailmap", "Old Nick <old@x.org>").strip()
    persons = people.fold(found, people.Rules(fold_names=False), mapped)
    assert [[str(i) for i in p.identities] for p in persons] == [
        ["Old Nick <old@x.org>", "New Name <new@x.org>"],
        ["--help -x <a@b>"],
        [" <nameless@x.org>"],
        ["R\x1eS <r@s>"],
    ]


def ident(who: tuple[str, str], commits: int = 1) -> people.Identity:
    return people.Identity(who[0], who[1], commits)


def test_fold_links_transitively_and_orders() -> None:
    found = [ident(SJPARK, 5), ident(SJ_GMAIL, 100), ident(SJ_AMAZON, 3), ident(HK, 2), ident(FDU, 2)]
    persons = people.fold(found)
    assert [str(p.identity) for p in persons] == [
        "SeongJae Park <sj38.park@gmail.com>",
        "Honggyu Kim <honggyu.kp@gmail.com>",
        "fdu <1050329+fdu@users.noreply.github.com>",
    ]
    assert persons[0].commits == 108 and [i.key for i in persons[0].identities] == [SJ_GMAIL, SJPARK, SJ_AMAZON]
    ranking = people.ranking(persons, limit=2)
    assert ranking.total_authors == 3 and len(ranking.authors) == 2 and ranking.total_commits == 112
    # Ties keep first appearance: Honggyu before fdu.
    assert [a.identity for a in ranking.authors][1] == "Honggyu Kim <honggyu.kp@gmail.com>"


def test_fold_rules_aliases_and_lookup() -> None:
    found = [ident(HK), ident(PM), ident(("Jane Doe", "jane@a.org")), ident(("Jane Doe", "jane@b.org"))]
    apart = people.fold(found, people.Rules(fold_names=False))
    assert len(apart) == 4
    joined = people.fold(
        found, people.Rules(fold_names=False, aliases=(("Honggyu Kim <honggyu.kp@gmail.com>", "pjy@amazon.com"),))
    )
    assert len(joined) == 3
    person_of = people.lookup(joined)
    assert person_of(*HK) is person_of(*PM) and person_of("Nobody", "x@y") is None
    # Case and spacing of an address or a name do not make another person.
    assert len(people.fold([ident(("A  B", "A@X.org")), ident(("a b", "other@x.org")), ident(("C", "a@x.org"))])) == 1


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("SeongJae Park <sj@kernel.org>", ("SeongJae Park", "sj@kernel.org")),
        ("sj@kernel.org", ("", "sj@kernel.org")),
        ("SeongJae Park", ("SeongJae Park", "")),
        ("<sj@kernel.org>", ("", "sj@kernel.org")),
    ],
)
def test_parse_entry(entry: str, expected: tuple[str, str]) -> None:
    assert people.parse_entry(entry) == expected


def test_config_people_section() -> None:
    text = DEFAULT_YAML.replace("  fold_names: true ", "  fold_names: false").replace(
        "  aliases: []", "  aliases:\n    - [A <a@x.org>, b@y.org]"
    )
    rules = parse(text, "c.yml").people
    assert rules == people.Rules(fold_names=False, aliases=(("A <a@x.org>", "b@y.org"),))
    with pytest.raises(UserError, match=r"^c\.yml:\d+: people\.aliases: item 0: expected a list of at least two"):
        parse(DEFAULT_YAML.replace("  aliases: []", "  aliases: [[lonely@x.org]]"), "c.yml")
