"""`retrospect credits`: trailer credits per identity, checked against `git shortlog --group=trailer:KEY` and
`git log --format=%(trailers:key=KEY,valueonly)`."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from command_json import output
from gitcheck import git
from kernelrepo import Builder, ts

from reporter.cli import main

AUTHOR = ("Ann Author", "ann@x.org")
OTHER = ("Olga Other", "olga@y.org")
BOB = "Bob Reviewer <bob@new.org>"
BOB_OLD = "Bob Reviewer <bob@old.org>"
CAROL = "Carol Tester <carol@z.org>"

MESSAGES = [
    # trailers after a Signed-off-by block, several values of one key
    f"mm: one\n\nBody.\n\nSigned-off-by: Ann Author <ann@x.org>\nReviewed-by: {BOB}\nReviewed-by: {CAROL}\n",
    # a folded value, and a key in another case
    "mm: two\n\nBody.\n\nreviewed-by: Carol\n  Tester <carol@z.org>\nTested-by: Carol Tester <carol@z.org>\n",
    # the same person twice under one key: one credit (as shortlog counts)
    f"mm: three\n\nReviewed-by: {BOB}\nAcked-by: {BOB}\nReviewed-by: {BOB}\nSigned-off-by: Ann Author <ann@x.org>\n",
    # an address the mailmap folds into Bob's current one
    f"mm: four\n\nReviewed-by: {BOB_OLD}\nReported-by: Rita Reporter <rita@r.org>\n",
    # not the last paragraph: no trailers at all
    f"mm: five\n\nReviewed-by: {CAROL}\n\nThis is prose.\n",
    # a value that is not an identity
    "mm: six\n\nReported-by: syzbot\nSuggested-by: Sue Suggester <sue@s.org>\n"
    "Co-developed-by: Olga Other <olga@y.org>\n",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("credits") / "repo")
    b.commit("base", AUTHOR, ts("2022-12-01T00:00:00"), files={"README": "x\n", ".mailmap": f"{BOB} <bob@old.org>\n"})
    b.git("tag", "start")
    for i, message in enumerate(MESSAGES):
        path = "mm/a.c" if i % 2 == 0 else "doc/b.txt"
        who = AUTHOR if i % 3 else OTHER
        b.commit(message, who, ts(f"2023-0{i + 1}-10T12:00:00"), files={path: f"{i}\n"})
    b.git("checkout", "-q", "-b", "side", "start")
    b.commit(f"side\n\nReviewed-by: {CAROL}\n", OTHER, ts("2023-08-01T00:00:00"), files={"mm/c.c": "c\n"})
    b.git("checkout", "-q", "master")
    b.merge("side", ts("2023-09-01T00:00:00"), f"Merge side\n\nAcked-by: {BOB}\n")
    return b.path


def credits(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["credits", *args, "--quiet"]) == 0
    return capsys.readouterr().out


def parsed(text: str) -> dict[str, dict[str, int]]:
    """{key: {identity: count}} from the text output (footer lines name the key)."""
    result: dict[str, dict[str, int]] = {}
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        key = re.search(r"credited by (\S+),", lines[-1]).group(1)  # type: ignore[union-attr]
        result[key] = {}
        for line in lines[:-1]:
            ident, _, count = re.sub(r"^\d+\. ", "", line).rpartition(": ")
            result[key][ident] = int(count.split()[0])
    return result


def shortlog(repo: Path, key: str, *args: str) -> dict[str, int]:
    out = git(repo, "shortlog", f"--group=trailer:{key}", "-sne", *args)
    # split("\n"), not splitlines(): a value may hold \x1c-\x1e, which splitlines() takes for line ends
    return {ident: int(n) for n, ident in (line.split("\t", 1) for line in out.split("\n") if line)}


def log_values(repo: Path, key: str, *args: str) -> dict[str, int]:
    """`git log --format=%(trailers:key=KEY,valueonly)`: each value once per commit, counted."""
    out = git(repo, "log", f"--format=%x00%(trailers:key={key},valueonly,unfold)", *args)
    counts: Counter[str] = Counter()
    for commit in out.split("\0")[1:]:
        counts.update(set(filter(None, commit.split("\n"))))
    return dict(counts)


KEYS = ["Reviewed-by", "Acked-by", "Tested-by", "Reported-by", "Suggested-by", "Co-developed-by"]
SELECTIONS = [
    [],
    ["--range", "start..master", "--no-merges"],
    ["--since", "2023-02-01", "--until", "2023-08-31", "--paths", "mm/"],
]


@pytest.mark.parametrize("selection", SELECTIONS)
def test_equal_to_git(repo: Path, capsys: pytest.CaptureFixture[str], selection: list[str]) -> None:
    git_args = _git_args(selection)
    mapped = parsed(credits(capsys, str(repo), *selection, "--mailmap"))
    raw = parsed(credits(capsys, str(repo), *selection))
    assert list(mapped) == KEYS
    for key in KEYS:
        assert mapped[key] == shortlog(repo, key, *git_args), key
        assert raw[key] == log_values(repo, key, *git_args), key


def _git_args(selection: list[str]) -> list[str]:
    """The plain git spelling of a selection."""
    args, rev, paths = [], "HEAD", []
    it = iter(selection)
    for option in it:
        if option == "--range":
            rev = next(it)
        elif option == "--paths":
            paths.append(next(it))
        elif option in ("--since", "--until"):
            day = next(it)
            args.append(f"{option}={day} {'00:00:00' if option == '--since' else '23:59:59'} +0000")
        else:
            args.append(option)
    return [*args, rev, "--", *paths]


def test_hand_checked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = credits(capsys, str(repo), "--mailmap", "--trailer", "Reviewed-by", "--trailer", "acked-by:")
    assert out == (
        f"1. {CAROL}: 3 reviews\n"  # a tie: Carol's review of the side branch is seen first
        f"2. {BOB}: 3 reviews\n"
        "# 2 identities credited by Reviewed-by, 6 reviews in total, in 5 commits\n"
        "\n"
        f"1. {BOB}: 2 acks\n"
        "# 1 identity credited by acked-by, 2 acks in total, in 2 commits\n"
    )
    raw = credits(capsys, str(repo), "--trailer", "Reviewed-by", "--hide-rank", "--max-authors", "1")
    assert raw == f"{CAROL}: 3 reviews\n# 3 identities credited by Reviewed-by, 6 reviews in total, in 5 commits\n"


def test_values_git_cleans_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Spaces before the address and comments after it are not part of the identity (shortlog's reading)."""
    b = Builder(tmp_path / "r")
    message = "x\n\nAcked-by: Bob  Reviewer\t <bob@new.org> # for mm\nAcked-by: <anon@x.org>\nAcked-by: Bob Reviewer\n"
    b.commit(message, AUTHOR, ts("2023-01-01T00:00:00"))
    b.commit("y\n\nAcked-by: Bob  Reviewer <bob@new.org>\n", AUTHOR, ts("2023-01-02T00:00:00"))
    assert (
        parsed(credits(capsys, str(b.path), "--trailer", "Acked-by"))["Acked-by"]
        == shortlog(b.path, "acked-by", "HEAD")
        == {"Bob  Reviewer <bob@new.org>": 2, " <anon@x.org>": 1, "Bob Reviewer": 1}
    )


def test_markdown_json_and_cache(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    md = credits(capsys, str(repo), "--trailer", "Tested-by", "--format", "md").splitlines()
    assert md[:3] == [
        "| # | Tested-by | tests |",
        "| --- | --- | --: |",
        "| 1 | Carol Tester \\<carol\\@z.org\\> | 1 |",
    ]
    args = [str(repo), "--trailer", "Reported-by", "--format", "json", "--cache-dir", str(tmp_path)]
    first = credits(capsys, *args)
    assert credits(capsys, *args) == first  # the second answer comes from the cache
    assert output("credits", first)["trailers"] == [
        {
            "key": "Reported-by",
            "noun": "reports",
            "credits": [{"identity": "syzbot", "commits": 1}, {"identity": "Rita Reporter <rita@r.org>", "commits": 1}],
            "total_people": 2,
            "total_credits": 2,
            "total_commits": 2,
            "persons": False,
        }
    ]


@pytest.mark.parametrize("key", ["a,b", "x)", "", "-x", "Re viewed-by"])
def test_bad_keys(repo: Path, capsys: pytest.CaptureFixture[str], key: str) -> None:
    assert main(["credits", str(repo), f"--trailer={key}", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("retrospect: error: invalid trailer key") and err.count("\n") == 1


def test_hostile_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Control bytes, colons and markup in a value are data: counted as shortlog counts them."""
    b = Builder(tmp_path / "r")
    value = "Eve: the\x1e\x1f\x1c\x1d <b>Hacker</b> | x <eve@x.org>"
    b.commit(f"x\n\nReviewed-by: {value}\nReviewed-by: --all\n", AUTHOR, ts("2023-01-01T00:00:00"))
    data = output("credits", credits(capsys, str(b.path), "--trailer", "Reviewed-by", "--format", "json"))
    got = {c["identity"]: c["commits"] for c in data["trailers"][0]["credits"]}
    assert got == shortlog(b.path, "reviewed-by", "HEAD") and len(got) == 2


def test_people_fold_as_authors_people_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--people: a person's identities (shared name, shared address, .mailmap) are one; a commit naming two of
    them credits the person once. Plain git: shortlog with a mailmap file that names the same persons."""
    dan_a, dan_b, dan_c, eve = "Dan Dev <dan@a.org>", "Dan Dev <dan@b.org>", "dan <dan@b.org>", "Eve <eve@e.org>"
    b = Builder(tmp_path / "repo")
    b.commit("base", AUTHOR, ts("2023-01-01T00:00:00"), files={"README": "x\n"})
    for i, reviewers in enumerate([[dan_a, dan_b], [dan_c], [dan_b, eve], [eve], [eve]]):
        trailers = "".join(f"Reviewed-by: {r}\n" for r in reviewers)
        b.commit(f"c{i}\n\nBody.\n\n{trailers}", AUTHOR, ts(f"2023-02-0{i + 1}T00:00:00"), files={"a": f"{i}\n"})

    def by_mailmap(lines: list[str]) -> dict[str, int]:
        (tmp_path / "mailmap").write_text("".join(line + "\n" for line in lines))
        out = git(
            b.path,
            "-c",
            f"mailmap.file={tmp_path / 'mailmap'}",
            "shortlog",
            "-sne",
            "--group=trailer:Reviewed-by",
            "HEAD",
        )
        return {ident: int(n) for n, ident in (line.split("\t", 1) for line in out.split("\n") if line)}

    text = credits(capsys, str(b.path), "--people", "--trailer", "Reviewed-by")
    assert text.endswith("\n# 2 people credited by Reviewed-by, 6 reviews in total, in 5 commits\n")  # not identities
    folded = parsed(text)["Reviewed-by"]
    # Dan: three identities, most credited first (dan@b.org by name "Dan Dev" twice); one credit in c0
    assert folded == by_mailmap([f"{dan_b} <dan@a.org>", f"{dan_b} {dan_c}"]) == {dan_b: 3, eve: 3}
    apart = parsed(credits(capsys, str(b.path), "--people", "--no-fold-names", "--trailer", "Reviewed-by"))
    assert apart["Reviewed-by"] == by_mailmap([f"{dan_b} {dan_c}"]) == {dan_b: 3, eve: 3, dan_a: 1}
