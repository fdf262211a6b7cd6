"""The report's configuration: a YAML file (or the built-in DAMON default), validated with line numbers."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from reporter.errors import UserError
from reporter.kernel import employers
from reporter.kernel.people import Rules
from reporter.kernel.ranges import DEFAULT_RELEASE_PATTERN, DEFAULT_TAG_PATTERN
from reporter.kernel.releases import NotesShape

DEFAULT_TOOL_TAG_PATTERN = r"^v?\d+(\.\d+)+$"
DEFAULT_NOTES_VERSION = r"v?\d+(\.\d+)+"

# Defaults of the figures from the web, shared by their modules and the command line (which imports those
# modules, and their HTTP clients, only when a command needs them).

DEFAULT_YAML = f"""\
# retrospect configuration: DAMON's, the built-in default.
title: Looking back on {{subsystem}} development in {{year}}
tags: [statistic, yearly_development_statistics, yearly_development_summary]
draft: false                       # the post's front matter; true keeps Hugo from publishing it
# date: 2024-01-02T03:04:05Z       # the front-matter date (default: that of the year's last boundary)
# template: post.md.j2             # a Jinja2 template of the post (relative to this file), which may
                                   # {{% extends "retrospect/post.md.j2" %}} and replace its blocks

kernel:
  name: linux                      # --repo linux=PATH uses a local clone instead of the URL
  url: https://github.com/torvalds/linux.git
  display: DAMON                   # how the prose names the subsystem
  subsystem: {{label: damon, section: DATA ACCESS MONITOR}}
  parent: {{label: mm, section: MEMORY MANAGEMENT, display: MM}}
  total_label: linux
  total_display: Linux
  maintainer_label: sj
  maintainers: []                  # default: the subsystem section's M: entries
  tag_pattern: '{DEFAULT_TAG_PATTERN}'
  release_pattern: '{DEFAULT_RELEASE_PATTERN}'
  refs:                            # explicit boundaries for a year replace the tag rule
    2022: [v5.15, v5.16, v5.17, v5.18, v5.19, v6.0, v6.1, v6.2-rc1]
  employers:                       # employer map lines: ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD]
    - sj@kernel.org Amazon
    - amazon.com Amazon
    - amazon.de Amazon

tools:
  - name: damo
    url: https://github.com/damonitor/damo.git
    display: damo
    description: DAMON user-space tool
    merges: true                   # count merge commits, as the 2023 post did
    date_kind: committer
    tag_pattern: '{DEFAULT_TOOL_TAG_PATTERN}'  # its release tags
    release_notes:                 # what each release brought, as the file said at the year's end
      file: release_note
      version: '{DEFAULT_NOTES_VERSION}'  # a version line: the release's tag
      item: '- '                   # how an item starts (indented lines continue it)
      max_items: 10                # the post shows at most this many, major and minor releases' first

people:                            # contributors are counted as persons, not addresses
  fold_names: true                 # identities sharing a name are one person (off: only addresses link)
  aliases: []                      # groups of identities (Name <email>, a name or an address) of one person

github:
  - damonitor/damo

packaging:
  - project: damo
    pypi: damo

mail:                              # the mailing-list copy (YEAR.mbox); default: the section's M: and L:
  # from: SeongJae Park <sj@kernel.org>
  # to: [damon@lists.linux.dev]
  cc: []

trends:                            # retrospect trends: every year since the start
  first_year: 2021                 # DAMON's first in the mainline (default: the subsystem's first commit)

publish:
  news_repository: sjp38/sjp38.github.io
  news_branch: main
  news_path: content/post/damon_stats.md
  region: stats
"""


@dataclass(slots=True)
class PathSetConfig:
    label: str
    section: str | None = None
    paths: list[str] = field(default_factory=list)
    display: str | None = None

    def spec(self) -> str:
        if self.paths:
            return f"{self.label}=path:" + ",".join(self.paths)
        return f"{self.label}={self.section}"

    @property
    def name(self) -> str:
        return self.display or self.label


@dataclass(slots=True)
class KernelConfig:
    name: str
    url: str | None
    path: str | None
    display: str
    subsystem: PathSetConfig
    parent: PathSetConfig
    total_label: str
    total_display: str
    maintainer_label: str | None
    maintainers: list[str]
    tag_pattern: str
    release_pattern: str
    refs: dict[int, list[str]]
    employers: list[str] = field(default_factory=list)  # employer map lines (see `reporter.kernel.employers`)


@dataclass(slots=True)
class NotesConfig:
    file: str
    shape: NotesShape
    max_items: int


@dataclass(slots=True)
class ToolConfig:
    name: str
    url: str | None
    path: str | None
    display: str
    description: str
    merges: bool
    date_kind: str
    tag_pattern: str = DEFAULT_TOOL_TAG_PATTERN
    notes: NotesConfig | None = None


@dataclass(slots=True)
class PackagingConfig:
    project: str
    pypi: str | None


@dataclass(slots=True)
class MailConfig:
    """The mailing-list copy's addresses; empty: the subsystem's first maintainer (M:) and lists (L:)."""

    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Config:
    source: str
    title: str
    tags: list[str]
    draft: bool
    date: str | None
    template: Path | None
    kernel: KernelConfig
    tools: list[ToolConfig]
    github: list[str]
    packaging: list[PackagingConfig]
    publish: dict[str, str]
    people: Rules = field(default_factory=Rules)
    mail: MailConfig = field(default_factory=MailConfig)
    trends_first_year: int | None = None  # `retrospect trends` starts there; default: the subsystem's first commit

    def repo_names(self) -> list[str]:
        return [self.kernel.name] + [t.name for t in self.tools]


class _Loader(yaml.SafeLoader):
    """Keeps each mapping's node, so that a bad value can be reported at its line."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = _Marked(loader.construct_mapping(node, deep=True))
    # The key's line, not the value's: a mapping or list value starts on the line after its key.
    mapping.marks = {k.value: k.start_mark for k, _ in node.value if hasattr(k, "value")}
    mapping.mark = node.start_mark
    return mapping


_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class _Marked(dict[Any, Any]):
    marks: dict[str, yaml.Mark]
    mark: yaml.Mark


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Typed access to one mapping, with errors naming the file, line and key."""

    def __init__(self, source: str, data: Any, where: str) -> None:
        self.source = source
        if not isinstance(data, _Marked):
            raise UserError(f"{source}: {where or 'the file'} must be a mapping")
        self.data = data
        self.where = where

    def _line(self, key: str) -> int:
        mark = self.data.marks.get(key, self.data.mark)
        return mark.line + 1

    def fail(self, key: str, problem: str) -> UserError:
        path = f"{self.where}.{key}" if self.where else key
        return UserError(f"{self.source}:{self._line(key)}: {path}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.data:
            if required:
                line = self.data.mark.line + 1
                where = f" in {self.where}" if self.where else ""
                raise UserError(f"{self.source}:{line}: missing key {key!r}{where}")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            names = " or ".join(t.__name__ for t in _as_tuple(kind))
            raise self.fail(key, f"expected {names}, got {type(value).__name__}")
        return value

    def child(self, key: str, required: bool = True) -> _Reader:
        value = self.get(key, dict, required=required)
        return _Reader(self.source, value if value is not None else _empty(self.data), self._sub(key))

    def _sub(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def string_list(self, key: str, default: list[str] | None = None) -> list[str]:
        value = self.get(key, list, default if default is not None else [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return list(value)

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(str(key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _empty(parent: _Marked) -> _Marked:
    empty = _Marked()
    empty.marks, empty.mark = {}, parent.mark
    return empty


def _pathset(reader: _Reader) -> PathSetConfig:
    reader.check_keys({"label", "section", "paths", "display"})
    result = PathSetConfig(
        label=reader.get("label", str, required=True),
        section=reader.get("section", str),
        paths=reader.string_list("paths"),
        display=reader.get("display", str),
    )
    if bool(result.section) == bool(result.paths):
        raise reader.fail("section", "give either a MAINTAINERS section or paths")
    return result


def _kernel(r: _Reader) -> KernelConfig:
    r.check_keys(
        {
            "name",
            "url",
            "path",
            "display",
            "subsystem",
            "parent",
            "total_label",
            "total_display",
            "maintainer_label",
            "maintainers",
            "tag_pattern",
            "release_pattern",
            "refs",
            "employers",
        }
    )
    refs_reader = r.child("refs", required=False)
    refs: dict[int, list[str]] = {}
    for year in refs_reader.data:
        if not isinstance(year, int):
            raise refs_reader.fail(str(year), "expected a year as the key")
        refs[year] = refs_reader.string_list(year)  # type: ignore[arg-type]
        if len(refs[year]) < 2:
            raise refs_reader.fail(str(year), "needs at least two refs")
    subsystem = _pathset(r.child("subsystem"))
    return KernelConfig(
        name=_name(r, "linux"),
        url=r.get("url", str),
        path=r.get("path", str),
        display=r.get("display", str, subsystem.label),
        subsystem=subsystem,
        parent=_pathset(r.child("parent")),
        total_label=r.get("total_label", str, "linux"),
        total_display=r.get("total_display", str, "the whole tree"),
        maintainer_label=r.get("maintainer_label", str),
        maintainers=r.string_list("maintainers"),
        tag_pattern=r.get("tag_pattern", str, DEFAULT_TAG_PATTERN),
        release_pattern=r.get("release_pattern", str, DEFAULT_RELEASE_PATTERN),
        refs=refs,
        employers=_employer_lines(r),
    )


def _name(r: _Reader, default: str | None = None) -> str:
    """A repository name: it names a directory in the cache, so a name and never a path."""
    name: str = r.get("name", str, default, required=default is None)
    if not _NAME.fullmatch(name):
        raise r.fail("name", f"{name!r}: a name holds letters, digits, '.', '_' and '-', and does not start with '.'")
    return name


def _title(r: _Reader) -> str:
    """The title template: text with {subsystem} and {year}, nothing else to format."""
    title: str = r.get("title", str, "Looking back on {subsystem} development in {year}")
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(title)]
    except ValueError as err:
        raise r.fail("title", f"{err} (write {{{{ and }}}} for literal braces)") from None
    for name, spec, conversion in fields:
        if name is not None and (name not in ("subsystem", "year") or spec or conversion):
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise r.fail("title", f"field {{{shown}}}: only {{subsystem}} and {{year}} (write {{{{ for a brace)")
    return title


def _employer_lines(r: _Reader) -> list[str]:
    """The map lines, each checked now so that a bad one names the config's line, not a later failure."""
    lines = r.string_list("employers")
    for line in lines:
        try:
            employers.parse_map(line, "")
        except UserError as err:
            raise r.fail("employers", str(err).removeprefix(":1: ")) from None
    return lines


def _tool(r: _Reader) -> ToolConfig:
    r.check_keys(
        {"name", "url", "path", "display", "description", "merges", "date_kind", "tag_pattern", "release_notes"}
    )
    name = _name(r)
    date_kind = r.get("date_kind", str, "committer")
    if date_kind not in ("committer", "author"):
        raise r.fail("date_kind", "expected committer or author")
    return ToolConfig(
        name=name,
        url=r.get("url", str),
        path=r.get("path", str),
        display=r.get("display", str, name),
        description=r.get("description", str, "user-space tool"),
        merges=r.get("merges", bool, True),
        date_kind=date_kind,
        tag_pattern=_pattern(r, "tag_pattern", DEFAULT_TOOL_TAG_PATTERN),
        notes=_notes(r.child("release_notes")) if "release_notes" in r.data else None,
    )


def _pattern(r: _Reader, key: str, default: str) -> str:
    pattern: str = r.get(key, str, default)
    try:
        re.compile(pattern)
    except re.error as err:
        raise r.fail(key, f"invalid regular expression: {err}") from None
    return pattern


def _notes(r: _Reader) -> NotesConfig:
    r.check_keys({"file", "version", "item", "max_items"})
    item: str = r.get("item", str, "- ")
    max_items: int = r.get("max_items", int, 10)
    if not item.strip():
        raise r.fail("item", "expected a marker such as '- '")
    if max_items < 0:
        raise r.fail("max_items", "expected 0 or more")
    shape = NotesShape(_pattern(r, "version", DEFAULT_NOTES_VERSION), item)
    return NotesConfig(r.get("file", str, required=True), shape, max_items)


def _people(r: _Reader) -> Rules:
    r.check_keys({"fold_names", "aliases"})
    groups = r.get("aliases", list, [])
    for i, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(e, str) and e.strip() for e in group):
            raise r.fail(
                "aliases", f"item {i}: expected a list of at least two identities (Name <email>, name or email)"
            )
    return Rules(r.get("fold_names", bool, True), tuple(tuple(group) for group in groups))


def _mail(r: _Reader) -> MailConfig:
    r.check_keys({"from", "to", "cc"})
    return MailConfig(r.get("from", str), r.string_list("to"), r.string_list("cc"))


def _trends(r: _Reader) -> int | None:
    r.check_keys({"first_year"})
    first: int | None = r.get("first_year", int)
    if first is not None and not 1970 <= first <= 9999:
        raise r.fail("first_year", "expected a year")
    return first


def _list_of_mappings(r: _Reader, key: str) -> list[_Reader]:
    items = r.get(key, list, [])
    return [_Reader(r.source, item, f"{key}[{i}]") for i, item in enumerate(items)]


def parse(text: str, source: str) -> Config:
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{source}{line}: invalid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise UserError(f"{source}: invalid YAML: {err}") from None
    r = _Reader(source, data, "")
    r.check_keys(
        {
            "title",
            "tags",
            "draft",
            "date",
            "template",
            "kernel",
            "tools",
            "people",
            "github",
            "packaging",
            "publish",
            "mail",
            "trends",
        }
    )
    template = r.get("template", str)
    date = r.get("date", (str, datetime))
    tools = [_tool(t) for t in _list_of_mappings(r, "tools")]
    packaging = []
    for p in _list_of_mappings(r, "packaging"):
        p.check_keys({"project", "pypi"})
        packaging.append(PackagingConfig(p.get("project", str, required=True), p.get("pypi", str)))
    publish = r.child("publish", required=False)
    publish.check_keys({"news_repository", "news_branch", "news_path", "region"})
    config = Config(
        source=source,
        title=_title(r),
        tags=r.string_list("tags", ["statistic", "yearly_development_statistics"]),
        draft=r.get("draft", bool, False),
        date=date.isoformat() if isinstance(date, datetime) else date,
        template=Path(source).parent / template if template else None,
        kernel=_kernel(r.child("kernel")),
        tools=tools,
        github=r.string_list("github"),
        packaging=packaging,
        publish={k: publish.get(k, str) for k in publish.data},
        people=_people(r.child("people", required=False)),
        mail=_mail(r.child("mail", required=False)),
        trends_first_year=_trends(r.child("trends", required=False)),
    )
    names = config.repo_names()
    if len(set(names)) != len(names):
        raise UserError(f"{source}: repository names must be unique, got {', '.join(names)}")
    return config


@lru_cache(maxsize=1)
def default() -> Config:
    """The built-in DAMON configuration (also the command line's defaults)."""
    return parse(DEFAULT_YAML, "<default config>")


def load(path: Path | None) -> Config:
    """The config at `path`, or the built-in DAMON default."""
    if path is None:
        return default()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read config {path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise UserError(f"config {path}: not UTF-8 (byte {err.object[err.start]:#04x} at offset {err.start})") from None
    return parse(text, str(path))
