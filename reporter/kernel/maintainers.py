"""MAINTAINERS: sections, and path matching with scripts/get_maintainer.pl's rules.

get_maintainer.pl reads the file line by line: a line `X: value` is a tag, blank lines and `#` comment
lines are skipped, any other line is a title; a section is a title followed by tag lines (so the first
section may follow a heading's underline directly, and the prose around it is no section). It turns an
`F:`/`X:` pattern into a regex by converting `.` (literal), `*` (`.*`) and `?` (`.`) only, so a character
class such as `[ch]` stays a class; Xen's script also expands `{a,b}`. The regex is anchored at the start
of the path only: a pattern ending in `/` matches everything below it, any other pattern matches only when
the path has as many `/` as the pattern (so `*` and `?` cannot cross `/` there). A pattern naming an
existing directory (and holding none of `.*?{`) gets a trailing `/`. `X:` excludes win over `F:`; `N:` is a
Perl regex searched in the path (`m/$value/x`).

Patterns are data: `F:`/`X:` patterns are matched by the small glob matcher below (linear in the path per
star, no backtracking), never compiled as regexes (other regex syntax in them is taken literally); `N:`
regexes run on RE2 (`perlre`), whose time is linear in the path, and a line RE2 cannot run as Perl would is
refused with a warning and matches nothing.
"""

from __future__ import annotations

import array
import difflib
import itertools
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from reporter.errors import UserError, quoted
from reporter.kernel import perlre

_MAX_EXPANSIONS = 256
# What one reading may hold, whatever the file's shape: its sections and values, counted as Python holds them
# (a short line can cost more than a hundred times its size, a character outside Latin-1 four bytes), with
# their glob and pathspec forms. A real file is far below: Linux's MAINTAINERS holds a few MB.
MAX_HELD = 160 << 20
_SECTION_HELD = 256  # the Section, its tuples, its place and the index's entries
# N: lines are programs, whose memory and time grow with their size: Linux's file has about a hundred lines of a
# few dozen instructions each, U-Boot's files a hundred lines in all. perlre.SHARED_MEMORY is shared among them.
MAX_REGEXES = 1_000
MAX_REGEX_SIZE = 20_000  # RE2 instructions, all lines together
MAX_WARNINGS = 100
MAX_LINE = 4096  # bytes: real lines are under a hundred
_GLOB_SPECIAL = frozenset("*?[]\\")


@dataclass(frozen=True, slots=True)
class Section:
    """One section, built once its lines are read: tuples rather than lists (a list keeps spare room), and
    the values that sections repeat (people, lists, statuses) shared, so a file of hundreds of thousands of
    sections stays a few times its own size in memory."""

    title: str
    maintainers: tuple[str, ...] = ()  # M: "Name <email>"
    reviewers: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    status: str = ""
    files: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    where: str = ""  # FILE:LINE of the title
    ordinal: int = 0  # among the sections sharing this title (1, 2, ...); 0 when the title is the only one

    @property
    def name(self) -> str:
        """The title, or `TITLE#N` for the Nth of several sections with this title (in reading order)."""
        return f"{self.title}#{self.ordinal}" if self.ordinal else self.title

    def matches(self, path: str, dirs: set[str] | frozenset[str] = frozenset()) -> bool:
        """Whether get_maintainer.pl would put `path` in this section; `dirs` are the tree's directories."""
        if any(_pattern_matches(path, x, dirs) for x in self.excludes):
            return False
        regexes = _regexes(self.regexes)
        return any(_pattern_matches(path, f, dirs) for f in self.files) or (
            regexes is not None and perlre.search(regexes, path)
        )

    def pathspecs(self, dirs: set[str] | frozenset[str], files: Iterable[str] = ()) -> tuple[str, ...]:
        """git pathspecs that select exactly the paths `matches` selects.

        `N:` regexes have no pathspec form: they are resolved against `files` (the tree at the ref).
        """
        specs = [_to_pathspec(f, dirs) for f in self.files]
        regexes = _regexes(self.regexes)
        if regexes is not None:
            specs += [":(literal)" + path for path in files if perlre.search(regexes, path)]
        specs += [_to_pathspec(x, dirs, magic="exclude,glob") for x in self.excludes]
        return tuple(dict.fromkeys(specs))


@dataclass(slots=True)
class Parsed:
    sections: list[Section]
    warnings: list[str]
    held: int = 0  # bytes, as the reading counted them against MAX_HELD


def read(text: str, name: str = "MAINTAINERS") -> Parsed:
    """The sections of a MAINTAINERS file as get_maintainer.pl finds them, and what it could not take
    as written (each warning names the section and the line)."""
    return read_files([(name, split_lines(text))])


def read_files(files: Iterable[tuple[str, Iterable[str]]]) -> Parsed:
    """Several MAINTAINERS files read one after the other, as get_maintainer.pl does with
    `--find-maintainer-files` (U-Boot's board directories each have one). Each file comes as its lines
    (ending in "\n" or not), which may be streamed: only the sections are kept."""
    sections: list[Section] = []
    reading = _Reading()
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    title: str | None = None  # the last title line: the section of the tags that follow
    current: _Draft | None = None
    after_tag = False  # the line before (comments aside) was a tag line, in the same file
    title_at = ""
    after_title = False  # the line before (comments aside) was a title line
    for name, number, line in _lines(files):
        after_tag = after_tag and number > 1
        after_title = after_title and number > 1
        tag = _tag(line)
        if tag is None:
            if line.lstrip().startswith("#"):
                continue
            if line.strip() and current is not None and after_tag:
                reading.warn(
                    f"{name}:{number}: {line.strip()!r} follows section {current.title!r} without a blank "
                    "line; read as the title of a new section, as get_maintainer.pl does"
                )
            if line.strip():  # a title or an underline ends the section
                if current is not None:
                    sections.append(current.section(shared))
                current = None
            if _is_underline(line):  # a heading's underline names nothing: the heading above it does
                title = title if after_title else None
            elif line.strip():
                title, title_at = line.strip(), f"{name}:{number}"
            after_tag, after_title = False, bool(line.strip()) and title is not None
            continue
        after_tag, after_title = True, False
        if current is None:
            if title is None:
                reading.warn(f"{name}:{number}: tag line {line.strip()!r} has no section title; skipped")
                continue
            reading.hold(_SECTION_HELD + sys.getsizeof(title), title_at)
            current = _Draft(title, title_at)
        current.add(tag[0], tag[1], f"{name}:{number}", reading)
    if current is not None:
        sections.append(current.section(shared))
    _number_shared_titles(sections)
    return Parsed(sections, reading.warnings(), reading.held)


@dataclass(slots=True)
class _Reading:
    """What a reading has spent of its budgets, and its warnings: the first MAX_WARNINGS of them, then how
    many more (a hostile file can make one per line)."""

    shown: list[str] = field(default_factory=list)
    unshown: int = 0
    held: int = 0
    regexes: int = 0
    regex_size: int = 0

    def warn(self, text: str) -> None:
        if len(self.shown) < MAX_WARNINGS:
            self.shown.append(text)
        else:
            self.unshown += 1

    def warnings(self) -> list[str]:
        more = [f"{self.unshown} more warnings about MAINTAINERS not shown"] if self.unshown else []
        return self.shown + more

    def hold(self, size: int, where: str) -> None:
        self.held += size
        if self.held > MAX_HELD:
            raise UserError(
                f"{where}: MAINTAINERS would take more than {MAX_HELD >> 20} MB of memory from this line on, "
                "far beyond any real file (Linux's takes a few MB): refused"
            )

    def regex(self, size: int, where: str) -> None:
        self.regexes += 1
        self.regex_size += size
        if self.regexes > MAX_REGEXES or self.regex_size > MAX_REGEX_SIZE:
            raise UserError(
                f"{where}: more than {MAX_REGEXES:,} N: lines in MAINTAINERS, or more than {MAX_REGEX_SIZE:,} "
                "instructions of RE2 in all, far beyond any real file (Linux's has about a hundred short lines): "
                "refused"
            )


@dataclass(slots=True)
class _Draft:
    """The section whose lines are being read: its values gather in lists and become a Section's tuples
    once, when it ends (a tuple grown line by line is copied at each line: quadratic in a large section)."""

    title: str
    where: str
    values: dict[str, list[str]] = field(default_factory=dict)
    status: str = ""

    def add(self, tag: str, value: str, where: str, reading: _Reading) -> None:
        if tag in "FX":
            patterns = _patterns(self.title, tag, value, where, reading)
            reading.hold(sum(2 * sys.getsizeof(p) + 16 for p in patterns), where)  # with its glob and pathspec
            self.values.setdefault(tag, []).extend(patterns)
        elif tag == "N":
            try:
                size = perlre.check(value)
            except perlre.Unsupported as err:
                reading.warn(f"{where}: N: {quoted(value)} in {self.title!r} is refused ({err}); it matches nothing")
                return
            reading.regex(size, where)
            reading.hold(sys.getsizeof(value) + 8, where)
            self.values.setdefault(tag, []).append(value)
        elif tag in "MRL":
            reading.hold(sys.getsizeof(value) + 64, where)  # with its places in a list, a tuple and the interned
            self.values.setdefault(tag, []).append(sys.intern(value))  # the same people and lists recur
        elif tag == "S":
            self.status = sys.intern(value)

    def section(self, shared: dict[tuple[str, ...], tuple[str, ...]]) -> Section:
        """The section, its tuples of people and lists shared with the sections that have the same."""

        def values(tag: str) -> tuple[str, ...]:
            found = tuple(self.values.get(tag, ()))
            return shared.setdefault(found, found) if tag in "MRL" else found

        return Section(
            self.title,
            maintainers=values("M"),
            reviewers=values("R"),
            lists=values("L"),
            status=self.status,
            files=values("F"),
            excludes=values("X"),
            regexes=values("N"),
            where=self.where,
        )


def _patterns(title: str, tag: str, value: str, where: str, reading: _Reading) -> list[str]:
    """The patterns of an `F:` or `X:` line: braces expanded, patterns outside the tree dropped (warned)."""
    patterns = expand_braces(value)
    if patterns is None:
        reading.warn(
            f"{where}: {tag}: {quoted(value)} in {title!r} expands to more than {_MAX_EXPANSIONS} patterns; "
            "taken literally"
        )
        patterns = [value]
    if any(_outside(p) for p in patterns):
        reading.warn(
            f"{where}: {tag}: {quoted(value)} in {title!r} is not a path inside the tree (a leading `/`, "
            "`.`, `..` or an empty part): get_maintainer.pl matches no file with it, nor does retrospect"
        )
        patterns = [p for p in patterns if not _outside(p)]
    return patterns


def _is_underline(line: str) -> bool:
    text = line.strip()
    return len(text) >= 2 and (set(text) == {"-"} or set(text) == {"="})


def _number_shared_titles(sections: list[Section]) -> None:
    """`TITLE#1`, `TITLE#2`, ... for the sections that share a title, so that each can be named."""
    # Hashes counted first: a folded copy of every title would cost as much as the titles themselves.
    hashes = Counter(hash(section.title.casefold()) for section in sections)
    candidates = [i for i, section in enumerate(sections) if hashes[hash(section.title.casefold())] > 1]
    shared = Counter(sections[i].title.casefold() for i in candidates)
    seen: Counter[str] = Counter()
    for i in candidates:
        key = sections[i].title.casefold()
        if shared[key] > 1:
            seen[key] += 1
            sections[i] = replace(sections[i], ordinal=seen[key])


def parse(text: str) -> list[Section]:
    return read(text).sections


def split_lines(text: str) -> Iterator[str]:
    """The lines of `text` ending at "\n" only, as Perl reads them (str.splitlines also splits at U+2028 and
    others), one at a time: a list of them all costs several times a large file's size."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _lines(files: Iterable[tuple[str, Iterable[str]]]) -> Iterator[tuple[str, int, str]]:
    for name, lines in files:
        for number, line in enumerate(lines, 1):
            yield name, number, line.removesuffix("\n").rstrip("\r")


def _tag(line: str) -> tuple[str, str] | None:
    """`(letter, value)` of a `X: value` line (value stripped), else None: slicing, no regex to backtrack."""
    if len(line) >= 2 and line[1] == ":" and "A" <= line[0] <= "Z":
        return line[0], line[2:].strip()
    return None


def expand_braces(pattern: str) -> list[str] | None:
    """`a/{b,c}.h` -> [`a/b.h`, `a/c.h`] (bash's alternation, not nested); None past a sane count."""
    groups = _brace_groups(pattern)
    if not groups:
        return [pattern]
    total = 1
    for start, end in groups:
        total *= pattern.count(",", start, end) + 1
        if total > _MAX_EXPANSIONS:
            return None
    choices: list[list[str]] = []
    at = 0
    for start, end in groups:
        choices += [[pattern[at:start]], pattern[start + 1 : end - 1].split(",")]
        at = end
    choices.append([pattern[at:]])
    return ["".join(parts) for parts in itertools.product(*choices)]


def _brace_groups(pattern: str) -> list[tuple[int, int]]:
    """The spans of the `{...}` groups with a comma and no brace inside, in one pass (the regex
    `\\{[^{}]*,[^{}]*\\}` would backtrack quadratically over a long run of commas)."""
    groups = []
    start: int | None = None
    for i, char in enumerate(pattern):
        if char == "{":
            start = i
        elif char == "}" and start is not None:
            if "," in pattern[start + 1 : i]:
                groups.append((start, i + 1))
            start = None
    return groups


def _outside(pattern: str) -> bool:
    """Whether a pattern has a part no path from git has (`/x`, `./x`, `x/../y`, `x//y`): git would take
    such a pathspec as outside the repository or normalise it, where get_maintainer.pl's regex finds nothing."""
    parts = pattern.removesuffix("/").split("/")
    return bool(pattern) and any(part in ("", ".", "..") for part in parts)


def find(sections: list[Section], title: str) -> Section:
    """The section titled `title` (case-insensitive), or named `TITLE#N` among several with one title; a title
    several sections share is refused with their names, an unknown title lists the closest ones."""
    wanted = title.casefold()
    named = [s for s in sections if s.name.casefold() == wanted]
    if len(named) == 1:
        return named[0]
    shared = [s for s in sections if s.title.casefold() == wanted]
    if shared:
        choices = "; ".join(f"{s.name!r} ({s.where}, {_first_file(s)})" for s in shared)
        raise UserError(f"{len(shared)} MAINTAINERS sections are titled {title!r}: name one as TITLE#N: {choices}")
    close = difflib.get_close_matches(title.upper(), [s.title.upper() for s in sections], n=3, cutoff=0.4)
    originals = {s.title.upper(): s.title for s in sections}
    hint = "; closest: " + ", ".join(repr(originals[c]) for c in close) if close else ""
    raise UserError(f"no MAINTAINERS section titled {title!r}{hint}")


def _first_file(section: Section) -> str:
    return f"F: {section.files[0]}" if section.files else f"N: {section.regexes[0]}" if section.regexes else "no F:"


@lru_cache(maxsize=8)  # for the few sections asked one by one; SectionIndex keeps its own
def _regexes(patterns: tuple[str, ...]) -> perlre.Matcher | None:
    """One matcher for a section's `N:` lines (None without any): refused lines were warned about and left
    out when the file was read."""
    return perlre.compile_all(patterns) if patterns else None


def _as_directory(pattern: str, dirs: set[str] | frozenset[str]) -> str:
    # get_maintainer.pl tests `-d` on the converted regex: a pattern with `.`, `*`, `?`, braces or an escape
    # never passes.
    if not pattern.endswith("/") and pattern in dirs and not any(c in pattern for c in ".*?{\\"):
        return pattern + "/"
    return pattern


# A token of a pattern: a literal character, `?` (any character but a newline, as Perl's `.`), `*` (any
# run of them), or a class: (negated, characters, ranges).
_Class = tuple[bool, frozenset[str], tuple[tuple[str, str], ...]]
_Token = str | _Class
_ANY = "\0?"
_STAR = "\0*"


# A glob is kept as the pieces between its stars: runs of literal text, and classes (a `?` is the class of
# every character but a newline), so it holds about as much as its pattern, not an object per character.
_Piece = str | _Class
_NOT_NEWLINE: _Class = (True, frozenset("\n"), ())


@dataclass(frozen=True, slots=True)
class _Segment:
    pieces: tuple[_Piece, ...]
    length: int  # in characters of a path


@dataclass(frozen=True, slots=True)
class _Glob:
    segments: tuple[_Segment, ...]  # the fixed-length parts between stars
    directory: bool
    slashes: int


@cache
def _glob(pattern: str) -> _Glob:
    parts: list[list[_Token]] = [[]]
    for token in _tokens(pattern):
        if token == _STAR:
            parts.append([])
        else:
            parts[-1].append(token)
    return _Glob(tuple(map(_segment, parts)), pattern.endswith("/"), pattern.count("/"))


def _segment(tokens: list[_Token]) -> _Segment:
    pieces: list[_Piece] = []
    for literal, run in itertools.groupby(tokens, key=lambda t: isinstance(t, str) and len(t) == 1):
        if literal:
            pieces.append("".join(t for t in run if isinstance(t, str)))
        else:
            pieces.extend(t if isinstance(t, tuple) else _NOT_NEWLINE for t in run)  # a class, or `?`
    return _Segment(tuple(pieces), len(tokens))


def _tokens(pattern: str) -> Iterator[_Token]:
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            yield _STAR
        elif char == "?":
            yield _ANY
        elif char == "[" and (parsed := _class(pattern, i)) is not None:
            token, i = parsed
            yield token
            continue
        elif char == "\\" and i + 1 < len(pattern):  # an escaped regex character: `board/k\+p/`
            i += 1
            yield pattern[i]
        else:
            yield char
        i += 1


def _class(pattern: str, start: int) -> tuple[_Class, int] | None:
    """The class at pattern[start] == "[" and the index after it, or None when it is not closed (Perl
    would die on it; here the `[` is literal). Inside, get_maintainer.pl's conversion still applies: `*`
    became `.*` (a dot and a star), `?` became `.`."""
    i = start + 1
    negated = i < len(pattern) and pattern[i] == "^"
    i += negated
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(pattern):
        char = pattern[i]
        if char == "]" and not first:
            return (negated, frozenset(chars), tuple(ranges)), i + 1
        first = False
        if char == "\\" and i + 1 < len(pattern):
            chars.add(pattern[i + 1])
            i += 2
            continue
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]" and char not in "*?":
            ranges.append((char, pattern[i + 2]))
            i += 3
            continue
        chars.update({"*": ".*", "?": "."}.get(char, char))
        i += 1
    return None


def _in_class(token: _Class, char: str) -> bool:
    negated, chars, ranges = token
    inside = char in chars or any(low <= char <= high for low, high in ranges)
    return inside != negated


def _segment_at(segment: _Segment, path: str, at: int) -> bool:
    if at + segment.length > len(path):
        return False
    for piece in segment.pieces:
        if isinstance(piece, str):
            if not path.startswith(piece, at):
                return False
            at += len(piece)
        elif _in_class(piece, path[at]):
            at += 1
        else:
            return False
    return True


def _prefix_matches(glob: _Glob, path: str) -> bool:
    """Whether the regex get_maintainer.pl builds matches at the start of `path`.

    Between stars the pieces have fixed lengths, so taking each piece at its earliest position is never
    worse than a later one: one pass, no backtracking.
    """
    first, *rest = glob.segments
    if not _segment_at(first, path, 0):
        return False
    at = first.length
    for segment in rest:
        found = next((p for p in range(at, len(path) - segment.length + 1) if _segment_at(segment, path, p)), None)
        # `.*` does not cross a newline: a later position would not avoid one either.
        if found is None or "\n" in path[at:found]:
            return False
        at = found + segment.length
    return True


def _pattern_matches(path: str, pattern: str, dirs: set[str] | frozenset[str]) -> bool:
    glob = _glob(_as_directory(pattern, dirs))
    if not glob.directory and path.count("/") != glob.slashes:
        return False
    return _prefix_matches(glob, path)


def _glob_text(tokens: Iterable[_Token]) -> str:
    """The tokens as git's glob syntax: `*` and `?` kept, classes written out, the rest escaped."""
    out = []
    for token in tokens:
        if isinstance(token, tuple):
            negated, chars, ranges = token
            body = "".join("\\" + c if c in "\\]-!^" else c for c in sorted(chars))
            body += "".join(f"{low}-{high}" for low, high in ranges)
            out.append("[" + ("!" if negated else "") + body + "]")
        elif token == _STAR:
            out.append("*")
        elif token == _ANY:
            out.append("?")
        else:
            out.append("\\" + token if token in _GLOB_SPECIAL else token)
    return re.sub(r"\*+", "*", "".join(out))


def _to_pathspec(pattern: str, dirs: set[str] | frozenset[str], magic: str = "glob") -> str:
    """A `:(glob)` pathspec equal to get_maintainer.pl's rule for `pattern`.

    Below a directory (`dir/`), a `*` that is a whole component may cross `/` (one or more components);
    a `*` inside a component is taken not to cross `/`, the one case where the two can differ.
    """
    pattern = _as_directory(pattern, dirs)
    if pattern.endswith("/"):
        parts = ["*/**" if part == "*" else _glob_text(_tokens(part)) for part in pattern.rstrip("/").split("/")]
        return f":({magic})" + "/".join(parts) + "/**"
    # Same depth: the pattern is a prefix whose rest has no `/`.
    body = _glob_text(_tokens(pattern))
    return f":({magic})" + body + ("" if body.endswith("*") else "*")


def _literal_prefix(pattern: str) -> str:
    """The text before the first wildcard, class or escape: every path the pattern matches starts with it."""
    return re.split(r"[*?\[\\]", pattern, maxsplit=1)[0]


class SectionIndex:
    """Which sections each path belongs to, for thousands of sections at once.

    Patterns are indexed by the directory part of their literal prefix (the text before any wildcard),
    so a path is tested only against the patterns filed under one of its ancestor directories; `N:`
    regexes are tried on every path. Answers are memoised per path.
    """

    def __init__(
        self,
        sections: Iterable[Section],
        dirs: set[str] | frozenset[str],
        files: frozenset[str] | None = None,
    ) -> None:
        """`files`: the tree at the ref, when `N:` regexes select only its files (as `pathspecs` does)."""
        self.sections = list(sections)
        self.dirs = dirs
        self.files = files
        # Each directory's patterns are a chain through flat arrays (its last pattern, then each one's previous),
        # filed under the hash of the directory's name: no list, tuple or name kept per pattern or directory.
        self._last: dict[int, int] = {}
        self._previous = array.array("q")
        self._owners = array.array("q")  # each pattern's section, ~section for an exclude
        self._patterns: list[str] = []
        self._regexes: list[tuple[int, perlre.Matcher]] = []
        lines = sum(len(section.regexes) for section in self.sections)
        for i, section in enumerate(self.sections):
            for patterns, owner in ((section.files, i), (section.excludes, ~i)):
                for pattern in patterns:
                    pattern = _as_directory(pattern, dirs)
                    filed = hash(_literal_prefix(pattern).rpartition("/")[0])
                    self._previous.append(self._last.get(filed, -1))
                    self._last[filed] = len(self._patterns)
                    self._owners.append(owner)
                    self._patterns.append(pattern)
            if section.regexes:  # each section's programs get their share of the memory for all
                share = perlre.SHARED_MEMORY * len(section.regexes) // lines
                self._regexes.append((i, perlre.compile_all(section.regexes, share)))
        # Most paths match no `N:` at all: one pass of every section's lines together tells them apart.
        self._any_regex = perlre.joined([r for s in self.sections for r in s.regexes]) if self._regexes else None
        self._memo: dict[str, frozenset[int]] = {}

    def of(self, path: str) -> frozenset[int]:
        """Indices of the sections `path` belongs to."""
        found = self._memo.get(path)
        if found is None:
            found = self._memo[path] = self._classify(path)
        return found

    def _classify(self, path: str) -> frozenset[int]:
        included: set[int] = set()
        excluded: set[int] = set()
        parts = path.split("/")
        for depth in range(len(parts)):
            # A directory that merely shares the hash brings patterns that do not match: tested for nothing.
            k = self._last.get(hash("/".join(parts[:depth])), -1)
            while k >= 0:
                if _pattern_matches(path, self._patterns[k], self.dirs):
                    owner = self._owners[k]
                    (excluded if owner < 0 else included).add(owner if owner >= 0 else ~owner)
                k = self._previous[k]
        in_tree = self.files is None or path in self.files
        if self._regexes and in_tree and (self._any_regex is None or perlre.search(self._any_regex, path)):
            included.update(i for i, regexes in self._regexes if perlre.search(regexes, path))
        return frozenset(included - excluded)
