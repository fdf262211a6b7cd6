"""`N:` regexes: Perl's answers (get_maintainer.pl's `m/$value/x`, run by perl itself) from RE2, in time
linear in the path; what RE2 cannot run as Perl would is refused with a warning naming the line."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import re2
from command_json import output
from gitcheck import count
from kernelrepo import ALICE, SJ, Builder, ts

from reporter.cli import main
from reporter.errors import UserError
from reporter.kernel import maintainers, perlre

# Real ones (U-Boot's lookbehinds), Perl's /x layout, and the escapes and anchors where Perl and RE2 differ.
AGREEING = [
    "(?<!uni)versal-net",
    "(?<!uni)versal",
    "bcm[9]?63138",
    "[_-]foo[_-]",
    "vers al  # a comment",
    "x\\ y",
    "a\\#b",
    "[ #]z",
    "(?i)VERSAL",
    "(?<=board/)acme",
    "acme(?!/old)",
    "acme(?=/new)",
    "^drivers/(?:usb|mmc)/",
    "\\.c$",
    "\\.c\\Z",
    "a\\sb",
    "a[\\s]b",
    "(?#note)usb",
    "(?<name>us)b",
    "x{,3}",
    "\\x{61}",
    "(a|b)|(?<!x)c",
]
PATHS = [
    "board/xilinx/versal/board.c",
    "board/xilinx/versal-net/board.c",
    "arch/arm/mach-universal/x.c",
    "uniuniversal",
    "drivers/usb/host.c",
    "drivers/mmc/x.c",
    "lib/foo_bar.c",
    "x y",
    "a#b",
    " z",
    "a\x0bb",
    "a b",
    "board/acme/old/x",
    "board/acme/new/x",
    "a.c\n",
    "a.c",
    "x{,3}",
    "c",
    "xc",
]
CATASTROPHIC = ["(a|a)+$", "(a+)+$", "(a*)*$", "(.*a){20}$", "(a|aa)+$", "((a+)+)+b"]


def _perl(patterns: list[str], paths: list[str]) -> list[list[bool]]:
    """Perl's `$file =~ m/$value/x` for every pattern and path (NUL-separated: paths may hold newlines)."""
    script = (
        "local $/ = qq(\\0); open(my $p, '<', $ARGV[0]); my @p = <$p>; chomp @p;"
        "open(my $f, '<', $ARGV[1]); my @f = <$f>; chomp @f;"
        "for my $value (@p) { print join('', map { $_ =~ m/$value/x ? 1 : 0 } @f), qq(\\n) }"
    )
    return [[c == "1" for c in line] for line in _run_perl(script, patterns, paths).splitlines()]


def _run_perl(script: str, patterns: list[str], paths: list[str]) -> str:
    perl = shutil.which("perl")
    if perl is None:
        pytest.skip("perl (get_maintainer.pl's engine) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "p").write_text("\0".join(patterns) + "\0")
        (Path(tmp) / "f").write_text("\0".join(paths) + "\0")
        return subprocess.run(
            [perl, "-e", script, f"{tmp}/p", f"{tmp}/f"], capture_output=True, text=True, check=True, timeout=60
        ).stdout


def test_answers_equal_perls() -> None:
    expected = _perl(AGREEING, PATHS)
    for pattern, answers in zip(AGREEING, expected, strict=True):
        matcher = perlre.compile_all([pattern])
        assert [perlre.search(matcher, p) for p in PATHS] == answers, pattern


def test_the_engine_is_re2() -> None:
    """Every matcher is RE2's (so linear in the path), for one line and for a section's lines together."""
    assert isinstance(perlre.compile_all(["(?<!uni)versal"]), re2._Regexp)
    assert isinstance(perlre.compile_all(CATASTROPHIC), re2._Regexp)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\1", "backreference"),
        ("(?P<x>a)(?P=x)", "backreference"),
        ("(?>a+)b", "atomic"),
        ("a++b", "possessive"),
        ("a{2}+", "possessive"),
        ("a(?<!b)c", "lookaround"),
        ("(?<![ab])c", "lookaround"),
        ("(?(1)a|b)", "conditional"),
        ("(?{ system('id') })", "embedded code"),
        ("(??{ 'a' })", "embedded code"),
        ("a(?R)?", "recursion"),
        ("(*FAIL)", "control verb"),
        ("\\Qa.b\\E", "interpolation"),
        ("a\\Kb", "Perl escape"),
        ("(?-x) a", "modifiers"),
        ("(?^:a)", "modifiers"),
        ("a{1001}", "RE2 rejects"),
        ("[ab", "unterminated"),
        ("", "empty pattern"),
    ],
)
def test_perl_features_re2_lacks_are_refused(pattern: str, reason: str) -> None:
    with pytest.raises(perlre.Unsupported, match=reason):
        perlre.check(pattern)


def test_a_refused_line_is_named_and_matches_nothing() -> None:
    text = "VERSAL\nM:\tA <a@example.com>\nN:\t(a)\\1\nN:\tversal\n"
    parsed = maintainers.read(text)
    assert parsed.warnings == [
        "MAINTAINERS:3: N: '(a)\\1' in 'VERSAL' is refused (\\1 is a backreference); it matches nothing"
    ]
    versal = parsed.sections[0]
    assert versal.matches("board/versal.c") and not versal.matches("aa")


def test_catastrophic_patterns_cost_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several patterns that make a backtracking engine run for ages, over many long paths: each path is
    searched once per section (and once for all sections together), and the whole takes moments."""
    sections = [maintainers.Section(f"S{i}", regexes=(p,)) for i, p in enumerate(CATASTROPHIC)]
    paths = [f"tools/{'a' * n}!" for n in range(20, 2020, 4)]  # Perl: 24 a's 3.7 s, each 4 more x12
    searches = 0
    search = perlre.search

    def counted(matcher: perlre.Matcher, path: str) -> bool:
        nonlocal searches
        searches += 1
        return search(matcher, path)

    monkeypatch.setattr(perlre, "search", counted)
    index = maintainers.SectionIndex(sections, frozenset({"tools"}))
    start = time.monotonic()
    found = [index.of(p) for p in paths]
    assert time.monotonic() - start < 30  # a generous bound; it takes well under a second
    assert searches <= len(paths) * (len(sections) + 1)
    assert all(f == {2} for f in found)  # only `(a*)*$`, which matches the empty end
    assert sum(len(p) for p in paths) > 500_000


def test_table_and_subsystems_answer_a_hostile_section_at_once(tmp_path: Path, capsys) -> None:
    """The issue's case end to end: `N: (a|a)+$` and a file `tools/` + 28 `a` + `!` (45 s before)."""
    text = "TOOLS\nM:\tAlice <alice@example.com>\nF:\ttools/x.c\nN:\t(a|a)+$\nN:\t(.*a){20}\n"
    b = Builder(tmp_path / "repo")
    b.commit("import", SJ, ts("2023-01-01T00:00:00"), files={"MAINTAINERS": text, "tools/x.c": "x\n"})
    b.tag("v1", ts("2023-01-02T00:00:00"))
    hostile = f"tools/{'a' * 28}!"  # `(.*a){20}` finds it; `(a|a)+$` does not, after a long search
    b.commit("hostile", ALICE, ts("2023-02-01T00:00:00"), files={hostile: "a\n"})
    b.commit("other", ALICE, ts("2023-02-02T00:00:00"), files={"tools/b!": "b\n"})
    b.commit("tools", ALICE, ts("2023-02-03T00:00:00"), files={"tools/x.c": "y\n"})
    b.tag("v2", ts("2023-03-01T00:00:00"))
    refs = tmp_path / "refs"
    refs.write_text("v1\nv2\n")
    start = time.monotonic()
    args = ["--refs", str(refs), "--subsystem", "TOOLS", "--parent", "path:.", "--total-label", "all"]
    assert main(["table", "commits", str(b.path), *args, "--format", "json", "--quiet", "--no-cache"]) == 0
    table = output("table", capsys.readouterr().out)
    assert main(["subsystems", str(b.path), "--refs", str(refs), "--format", "json", "--quiet", "--no-cache"]) == 0
    rows = output("subsystems", capsys.readouterr().out)["sections"]
    assert time.monotonic() - start < 60
    expected = count(b.path, "--no-merges", "v1..v2", "--", "tools/x.c", f":(literal){hostile}")
    assert table["rows"][0][table["header"][1]] == expected == 2
    assert [(r["section"], r["commits"]) for r in rows] == [("TOOLS", 2)]


def test_random_patterns_agree_with_perl() -> None:
    """Random patterns over a small alphabet: each one Perl compiles and retrospect runs answers as Perl does."""
    rng = random.Random(26)
    alphabet = ["a", "b", "/", ".", "*", "+", "?", "|", "(", ")", "[", "]", "^", "$", "{2}", "{,2}", " ", "\\s"]
    alphabet += ["(?<!a)", "(?!b)", "(?:", "\\.", "#"]
    patterns = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(400)]
    paths = ["", "a", "b", "ab", "ba", "a/b", "aab", "a.b", "a b", "b/a.", "aa/bb", "bab\n", "/"]
    script = (
        "local $/ = qq(\\0); open(my $p, '<', $ARGV[0]); my @p = <$p>; chomp @p;"
        "open(my $f, '<', $ARGV[1]); my @f = <$f>; chomp @f;"
        "for my $value (@p) { my $ok = eval { qr/$value/x; 1 };"
        " print $ok ? join('', map { $_ =~ m/$value/x ? 1 : 0 } @f) : '-', qq(\\n) }"
    )
    answers = _run_perl(script, patterns, paths).splitlines()
    compared = 0
    for pattern, answer in zip(patterns, answers, strict=True):
        try:
            matcher = perlre.compile_all([pattern])
        except perlre.Unsupported:
            continue
        assert answer != "-", f"Perl rejects {pattern!r}, which retrospect runs"
        assert "".join("1" if perlre.search(matcher, p) else "0" for p in paths) == answer, pattern
        compared += 1
    assert compared > 100


def test_a_program_past_its_memory_answers_as_perl_does() -> None:
    """A line whose DFA needs more than its share (`[ab]*a[ab]{11}b` has thousands of states on such paths)
    falls back to RE2's NFA: the same answers as Perl, within the memory it was given."""
    pattern = "[ab]*a[ab]{11}b"
    rng = random.Random(7)
    paths = ["".join(rng.choice("ab") for _ in range(3000)) + end for end in ("a", "b", "ab", "ba") for _ in range(5)]
    tight = perlre.compile_all([pattern], perlre.LEAST_MEMORY)
    assert [perlre.search(tight, p) for p in paths] == _perl([pattern], paths)[0]


def test_a_file_of_n_lines_beyond_any_real_one_is_refused() -> None:
    """Each N: line is a program: past a budget of lines and of their instructions the file is refused, by
    one error naming the line, before its programs take memory."""
    small = "".join(f"S{n}\nN:\tdriver{n}\n\n" for n in range(maintainers.MAX_REGEXES))
    assert len(maintainers.read(small).sections) == maintainers.MAX_REGEXES
    with pytest.raises(UserError, match=r"^MAINTAINERS:3002: more than 1,000 N: lines"):
        maintainers.read(small + "ONE MORE\nN:\tx\n")
    large = "".join(f"S{n}\nN:\t[a-z]{{900}}{n}\n\n" for n in range(100))
    with pytest.raises(UserError, match=r"^MAINTAINERS:\d+: .* more than 20,000 instructions"):
        maintainers.read(large)
