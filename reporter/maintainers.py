"""MAINTAINERS: sections, and path matching with scripts/get_maintainer.pl's rules.

get_maintainer.pl turns a pattern into a regex (`.` literal, `*` -> `.*`, `?` -> `.`) anchored at the
start of the path; a pattern ending in `/` matches everything below it, any other pattern matches only
when the path has as many `/` as the pattern (so `*` and `?` cannot cross `/` there). A pattern naming an
existing directory gets a trailing `/`. `X:` excludes win over `F:`; `N:` is a regex searched in the path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from reporter.errors import UserError

_TAG_LINE = re.compile(r"^([A-Z]):\s*(.*?)\s*$")
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


@dataclass(slots=True)
class Section:
    title: str
    maintainers: list[str] = field(default_factory=list)  # M: "Name <email>"
    reviewers: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    status: str = ""
    files: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    regexes: list[str] = field(default_factory=list)

    def matches(self, path: str, dirs: set[str] | frozenset[str] = frozenset()) -> bool:
        """Whether get_maintainer.pl would put `path` in this section; `dirs` are the tree's directories."""
        if any(_pattern_matches(path, x, dirs) for x in self.excludes):
            return False
        return any(_pattern_matches(path, f, dirs) for f in self.files) or any(
            re.search(n, path, re.VERBOSE) for n in self.regexes
        )

    def pathspecs(self, dirs: set[str], files: Iterable[str] = ()) -> tuple[str, ...]:
        """git pathspecs that select exactly the paths `matches` selects.

        `N:` regexes have no pathspec form: they are resolved against `files` (the tree at the ref).
        """
        specs = [_to_pathspec(f, dirs) for f in self.files]
        if self.regexes:
            specs += [
                ":(literal)" + path for path in files if any(re.search(n, path, re.VERBOSE) for n in self.regexes)
            ]
        specs += [_to_pathspec(x, dirs, magic="exclude,glob") for x in self.excludes]
        return tuple(dict.fromkeys(specs))


def parse(text: str) -> list[Section]:
    """Sections of a MAINTAINERS file: paragraphs after the `Maintainers List` heading (the whole file
    when there is none) whose first line is a title and whose other lines are `X:` tags."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Maintainers List":
            lines = lines[i + 1 :]
            break
    sections = []
    for paragraph in _paragraphs(lines):
        title, *rest = paragraph
        tags = [_TAG_LINE.match(line) for line in rest]
        if not rest or _TAG_LINE.match(title) or not all(tags):
            continue
        section = Section(title.strip())
        for tag in tags:
            _add_tag(section, tag.group(1), tag.group(2))  # type: ignore[union-attr]
        sections.append(section)
    return sections


def _paragraphs(lines: list[str]) -> Iterable[list[str]]:
    block: list[str] = []
    for line in lines + [""]:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []


def _add_tag(section: Section, tag: str, value: str) -> None:
    target = {
        "M": section.maintainers,
        "R": section.reviewers,
        "L": section.lists,
        "F": section.files,
        "X": section.excludes,
        "N": section.regexes,
    }.get(tag)
    if target is not None:
        target.append(value)
    elif tag == "S":
        section.status = value


def find(sections: list[Section], title: str) -> Section:
    """The section titled `title` (case-insensitive); an unknown title lists the closest ones."""
    by_title = {s.title.casefold(): s for s in sections}
    if title.casefold() in by_title:
        return by_title[title.casefold()]
    close = difflib.get_close_matches(title.upper(), [s.title.upper() for s in sections], n=3, cutoff=0.4)
    originals = {s.title.upper(): s.title for s in sections}
    hint = "; closest: " + ", ".join(repr(originals[c]) for c in close) if close else ""
    raise UserError(f"no MAINTAINERS section titled {title!r}{hint}")


def _as_directory(pattern: str, dirs: set[str] | frozenset[str]) -> str:
    if not pattern.endswith("/") and pattern in dirs:
        return pattern + "/"
    return pattern


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."))


def _pattern_matches(path: str, pattern: str, dirs: set[str] | frozenset[str]) -> bool:
    pattern = _as_directory(pattern, dirs)
    if not _compiled(pattern).match(path):
        return False
    return pattern.endswith("/") or path.count("/") == pattern.count("/")


def _glob_component(text: str) -> str:
    """`text` with glob metacharacters escaped but its `*` and `?` kept; `**` would mean directories."""
    escaped = _GLOB_SPECIAL.sub(r"\\\1", text).replace(r"\*", "*").replace(r"\?", "?")
    return re.sub(r"\*+", "*", escaped)


def _to_pathspec(pattern: str, dirs: set[str] | frozenset[str], magic: str = "glob") -> str:
    """A `:(glob)` pathspec equal to get_maintainer.pl's rule for `pattern`.

    Below a directory (`dir/`), a `*` that is a whole component may cross `/` (one or more components);
    a `*` inside a component is taken not to cross `/`, the one case where the two can differ.
    """
    pattern = _as_directory(pattern, dirs)
    if pattern.endswith("/"):
        parts = ["*/**" if part == "*" else _glob_component(part) for part in pattern.rstrip("/").split("/")]
        return f":({magic})" + "/".join(parts) + "/**"
    # Same depth: the pattern is a prefix whose rest has no `/`.
    body = _glob_component(pattern)
    return f":({magic})" + body + ("" if body.endswith("*") else "*")


class SectionIndex:
    """Which sections each path belongs to, for thousands of sections at once.

    Patterns are indexed by the directory part of their literal prefix (the text before any wildcard),
    so a path is tested only against the patterns filed under one of its ancestor directories; `N:`
    regexes are tried on every path. Answers are memoised per path.
    """

    def __init__(self, sections: Iterable[Section], dirs: set[str] | frozenset[str]) -> None:
        self.sections = list(sections)
        self.dirs = dirs
        self._by_dir: dict[str, list[tuple[int, str, bool]]] = {}
        self._regexes: list[tuple[int, re.Pattern[str]]] = []
        for i, section in enumerate(self.sections):
            for pattern, exclude in [(f, False) for f in section.files] + [(x, True) for x in section.excludes]:
                pattern = _as_directory(pattern, dirs)
                literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
                self._by_dir.setdefault(literal.rpartition("/")[0], []).append((i, pattern, exclude))
            for regex in section.regexes:
                try:
                    self._regexes.append((i, re.compile(regex, re.VERBOSE)))
                except re.error:
                    continue  # get_maintainer.pl would die on it too; one bad N: must not hide the rest
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
            for i, pattern, exclude in self._by_dir.get("/".join(parts[:depth]), ()):
                if _pattern_matches(path, pattern, self.dirs):
                    (excluded if exclude else included).add(i)
        included.update(i for i, regex in self._regexes if regex.search(path))
        return frozenset(included - excluded)
