"""The report's configuration: a YAML file (or the built-in DAMON default), validated with line numbers."""

from __future__ import annotations

import copy
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
from reporter.kernel.series import DEFAULT_SKIP, FeatureRules

DEFAULT_TOOL_TAG_PATTERN = r"^v?\d+(\.\d+)+$"
DEFAULT_NOTES_VERSION = r"v?\d+(\.\d+)+"

# Defaults of the figures from the web, shared by their modules and the command line (which imports those
# modules, and their HTTP clients, only when a command needs them).

DEFAULT_YAML = f"""\
# retrospect configuration: DAMON's, the built-in default.
title: Looking back on {{subsystem}} development in {{year}}
tags: [statistic, yearly_development_statistics, yearly_development_summary]
draft: true                        # the post's front matter; false publishes it, once no [TODO: ...] is left
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
  features:                        # which patch series Key Features names (the rest are counted)
    min_patches: 3                 # at least this many patches in the subsystem
    cover: true                    # and a cover letter (`Patch series "TITLE".`)
    skip: '{DEFAULT_SKIP}'  # titles that name no feature
    match: ''                      # a regex titles must match (empty: any)
    series: []                     # titles or lore links named whatever the rules say
  next_refs: []                    # a development tree's refs (e.g. mm-unstable): series merged there, in no
                                   # release yet, are named as expected in the next merge window

posts:                             # the published posts, by year: each year's post links the one before
  2022: https://lore.kernel.org/damon/20221229171209.162356-1-sj@kernel.org/
  2023: https://lore.kernel.org/damon/20231231222250.140364-1-sj@kernel.org/
# prose:                           # the author's own words, by year, where the post has no data to tell:
#   2023:                          # events (the Summary), articles, talks; each a list of paragraphs
#     articles:
#       - text: Two LWN articles introduced DAMOS filters and the LSFMM discussion.
#         refs: {{LWN article about DAMOS filters: 'https://lwn.net/Articles/924384/'}}

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
  post: false                      # true: the post shows every year since then (kept in OUT/trends)

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
    features: FeatureRules = field(default_factory=FeatureRules)
    next_refs: list[str] = field(default_factory=list)  # a development tree's refs


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
class Paragraph:
    """A paragraph of the author's own words (the config's `prose`), and the references it cites (title, URL)."""

    text: str
    refs: list[tuple[str, str]] = field(default_factory=list)


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
    trends_post: bool = False  # the post shows every year since the start (kept in OUT/trends)
    posts: dict[int, str] = field(default_factory=dict)  # the published posts' URLs, by year
    prose: dict[int, dict[str, list[Paragraph]]] = field(default_factory=dict)  # the author's words, by year, place

    def repo_names(self) -> list[str]:
        return [self.kernel.name] + [t.name for t in self.tools]


@dataclass(frozen=True, slots=True)
class Key:
    """One key of the configuration: what the validator accepts (type, default, whether required, the keys of
    a mapping or of each mapping in a list) and what the documentation's reference says of it."""

    name: str
    kind: type | tuple[type, ...]
    doc: str
    default: Any = None
    required: bool = False
    keys: tuple[Key, ...] = ()  # a mapping's keys, or those of each mapping in a list
    items: type | None = None  # a list's items, when they are not mappings
    default_text: str = ""  # the default in words, where it is not a constant
    example: str = ""  # a value in flow-style YAML, where the built-in configuration has none


_PATHSET_KEYS = (
    Key("label", str, "the set's label: a table's column, `--subsystem LABEL=...`", required=True),
    Key("section", str, "a MAINTAINERS section's title (exactly one of section and paths)"),
    Key(
        "paths",
        list,
        "git pathspecs instead of a section",
        [],
        items=str,
        example="[mm/damon/, include/linux/damon.h]",
    ),
    Key("display", str, "how the prose names the set", default_text="the label", example="MM"),
)

KEYS = (
    Key(
        "title",
        str,
        "the post's title; {subsystem} and {year} are filled in",
        "Looking back on {subsystem} development in {year}",
    ),
    Key("tags", list, "the post's front-matter tags", ["statistic", "yearly_development_statistics"], items=str),
    Key(
        "draft",
        bool,
        "the post's front matter: true keeps Hugo from publishing it; a post that still holds a [TODO: ...] "
        "place is a draft whatever this says",
        True,
    ),
    Key(
        "date",
        (str, datetime),
        "the post's front-matter date",
        default_text="that of the year's last boundary",
        example="2024-01-02T03:04:05Z",
    ),
    Key(
        "template",
        str,
        "a Jinja2 template of the post, relative to this file; it may"
        ' {% extends "retrospect/post.md.j2" %} and replace its blocks',
        default_text="the built-in post",
        example="post.md.j2",
    ),
    Key(
        "kernel",
        dict,
        "the repository with a MAINTAINERS file, and the subsystem counted in it",
        required=True,
        keys=(
            Key(
                "name",
                str,
                "the repository's name: `--repo NAME=PATH` uses a local clone instead of the URL;"
                " it names the clone in the cache",
                "linux",
            ),
            Key("url", str, "where to clone it from"),
            Key("path", str, "a local clone to use instead of the URL", example="../linux"),
            Key("display", str, "how the prose names the subsystem", default_text="the subsystem's label"),
            Key(
                "subsystem",
                dict,
                "the subsystem: a MAINTAINERS section or paths",
                required=True,
                keys=_PATHSET_KEYS,
            ),
            Key(
                "parent",
                dict,
                "the subsystem's parent, the share's denominator",
                required=True,
                keys=_PATHSET_KEYS,
            ),
            Key("total_label", str, "the whole repository's column label", "linux"),
            Key("total_display", str, "how the prose names the whole repository", "the whole tree"),
            Key(
                "maintainer_label",
                str,
                "the community table's maintainer column label",
                default_text="the local part of the first maintainer's address",
            ),
            Key(
                "maintainers",
                list,
                "whose commits are the maintainer's (Name <email>, a name or an address)",
                [],
                items=str,
                default_text="the subsystem section's M: entries",
                example="[SeongJae Park <sj@kernel.org>]",
            ),
            Key("tag_pattern", str, "regex of the tags that may bound a year", DEFAULT_TAG_PATTERN),
            Key("release_pattern", str, "regex of the final release tags", DEFAULT_RELEASE_PATTERN),
            Key(
                "refs",
                dict,
                "explicit boundaries for a year (at least two refs), instead of the tag rule",
                {},
            ),
            Key(
                "employers",
                list,
                "employer map lines: ADDRESS-OR-DOMAIN EMPLOYER [< YYYY-MM-DD]",
                [],
                items=str,
            ),
            Key(
                "features",
                dict,
                "which of the year's patch series Key Features names as features (the rest it counts)",
                {},
                keys=(
                    Key("min_patches", int, "at least this many patches in the subsystem", 3),
                    Key("cover", bool, 'and a cover letter (`Patch series "TITLE".` in the first patch)', True),
                    Key("skip", str, "regex of titles that name no feature", DEFAULT_SKIP),
                    Key("match", str, "regex the titles must match (empty: any)", ""),
                    Key(
                        "series",
                        list,
                        "titles or lore links named as features whatever the rules say",
                        [],
                        items=str,
                        example="[mm/damon: implement DAMOS filters]",
                    ),
                ),
            ),
            Key(
                "next_refs",
                list,
                "a development tree's refs in the kernel repository: its series committed in the year and in no"
                " release yet are named as expected in the next merge window",
                [],
                items=str,
                example="[mm-unstable]",
            ),
        ),
    ),
    Key(
        "tools",
        list,
        "the user-space tools' repositories, counted by dates",
        [],
        keys=(
            Key("name", str, "the repository's name (as kernel.name)", required=True),
            Key("url", str, "where to clone it from"),
            Key("path", str, "a local clone to use instead of the URL", example="../damo"),
            Key("display", str, "how the prose names the tool", default_text="the name"),
            Key("description", str, "what the prose calls it", "user-space tool"),
            Key("merges", bool, "count merge commits", True),
            Key(
                "date_kind",
                str,
                "which date the year's dates bound: committer (as git compares) or author",
                "committer",
            ),
            Key("tag_pattern", str, "regex of the tool's release tags", DEFAULT_TOOL_TAG_PATTERN),
            Key(
                "release_notes",
                dict,
                "the tool's release notes file, whose items for each release of the year the post lists",
                default_text="none: no release items",
                keys=(
                    Key("file", str, "the file's path in the tool's repository", required=True),
                    Key("version", str, "regex of a version line: the release's tag", DEFAULT_NOTES_VERSION),
                    Key("item", str, "how an item starts (indented lines continue it)", "- "),
                    Key("max_items", int, "the most items the post shows", 10),
                ),
            ),
        ),
    ),
    Key(
        "people",
        dict,
        "how identities are folded into persons",
        {},
        keys=(
            Key("fold_names", bool, "identities that share a name are one person (off: only addresses link)", True),
            Key(
                "aliases",
                list,
                "groups of identities (Name <email>, a name or an address) of one person",
                [],
                items=list,
                example="[[SeongJae Park <sj@kernel.org>, sjpark <sjpark@amazon.com>]]",
            ),
        ),
    ),
    Key(
        "github",
        list,
        "GitHub repositories (OWNER/REPO) whose stars and releases the post reports",
        [],
        items=str,
    ),
    Key(
        "packaging",
        list,
        "projects whose distribution packages (Repology) and PyPI downloads the post reports",
        [],
        keys=(
            Key("project", str, "the project's Repology name", required=True),
            Key("pypi", str, "its PyPI package", default_text="the project's name"),
        ),
    ),
    Key(
        "mail",
        dict,
        "the addresses of the mailing-list copy (YEAR.mbox)",
        {},
        keys=(
            Key(
                "from",
                str,
                "its sender",
                default_text="the subsystem section's first M:",
                example="SeongJae Park <sj@kernel.org>",
            ),
            Key(
                "to",
                list,
                "its recipients",
                [],
                items=str,
                default_text="the subsystem section's L: lists",
                example="[damon@lists.linux.dev]",
            ),
            Key("cc", list, "its copies", [], items=str, example="[linux-mm@kvack.org]"),
        ),
    ),
    Key(
        "trends",
        dict,
        "what `retrospect trends` covers",
        {},
        keys=(
            Key("first_year", int, "its first year", default_text="the year of the subsystem's first commit"),
            Key("post", bool, "the post shows every year up to its own (kept in OUT/trends)", False),
        ),
    ),
    Key(
        "posts",
        dict,
        "the published posts' URLs by year (YEAR: URL): each post links the year before's",
        {},
    ),
    Key(
        "prose",
        dict,
        "the author's own words by year and place (YEAR: {events|articles|talks: [{text, refs: {TITLE: URL}}]}),"
        " where the post has no data to tell; a place left out stays a placeholder that names this key",
        {},
    ),
    Key(
        "publish",
        dict,
        "where the action publishes, when its inputs leave it empty",
        {},
        keys=(
            Key(
                "news_repository",
                str,
                "OWNER/REPO, a git URL or ./PATH",
            ),
            Key("news_branch", str, "the branch to update", default_text="the repository's default branch"),
            Key("news_path", str, "the markdown file to update"),
            Key(
                "post_path",
                str,
                "a year's post in the news repository ({year}), where last year's is not found by its title",
                default_text="found by the title",
                example="content/post/damon-{year}.md",
            ),
            Key(
                "post_url",
                str,
                "a post's URL from its file ({path}, {name}: the file or page bundle, {slug}, {year}), where the "
                "site's Hugo config (baseURL, permalinks) does not tell it",
                default_text="from the site's Hugo config",
                example="'https://example.org/post/{slug}/'",
            ),
            Key(
                "region",
                str,
                "the region between <!-- retrospect:begin REGION --> and <!-- retrospect:end REGION -->",
                default_text="stats",
            ),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Described:
    """One key as the reference shows it; `example` is `name: value` in flow-style YAML."""

    path: str
    kind: str
    default_text: str
    doc: str
    example: str


def _kind_text(key: Key) -> str:
    kinds = key.kind if isinstance(key.kind, tuple) else (key.kind,)
    names = {str: "string", bool: "boolean", int: "integer", list: "list", dict: "mapping", datetime: "date"}
    text = " or ".join(names[k] for k in kinds)
    if key.kind is list:
        text += " of mappings" if key.keys else f" of {names[key.items]}s" if key.items else ""
    return text


def _flow(value: Any) -> str:
    return str(yaml.safe_dump(value, default_flow_style=True, width=1000)).strip().removesuffix("...").strip()


def _default_text(key: Key) -> str:
    if key.required:
        return "required"
    if key.default_text or key.default is None:
        return key.default_text or "none"
    return _flow(key.default)


def _example(key: Key, builtin: Any) -> str:
    """The key's value in the built-in configuration, else the description's example (none for a mapping, whose
    keys have theirs)."""
    if key.keys:
        return ""
    if isinstance(builtin, list):  # a list of mappings: its first item's
        builtin = builtin[0] if builtin else {}
    if isinstance(builtin, dict) and builtin.get(key.name) not in (None, [], {}):
        return f"{key.name}: {_flow(builtin[key.name])}"
    return f"{key.name}: {key.example}" if key.example else ""


def described(keys: tuple[Key, ...] | None = None, prefix: str = "", builtin: Any = None) -> list[Described]:
    """Every key, depth first, as `a.b` (`a[].b` inside a list of mappings), with an example of its value."""
    if builtin is None:
        builtin = yaml.safe_load(DEFAULT_YAML)
    found = []
    for key in KEYS if keys is None else keys:
        path = prefix + key.name
        found.append(Described(path, _kind_text(key), _default_text(key), key.doc, _example(key, builtin)))
        inner = builtin.get(key.name) if isinstance(builtin, dict) else None
        if isinstance(inner, list):
            inner = inner[0] if inner and isinstance(inner[0], dict) else {}
        found += described(key.keys, path + ("[]." if key.kind is list else "."), inner or {})
    return found


class _Loader(yaml.SafeLoader):
    """Keeps each mapping's node, so that a bad value can be reported at its line."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    _refuse_duplicate_keys(node)
    mapping = _Marked(loader.construct_mapping(node, deep=True))
    # The key's line, not the value's: a mapping or list value starts on the line after its key.
    mapping.marks = {k.value: k.start_mark for k, _ in node.value if hasattr(k, "value")}
    mapping.mark = node.start_mark
    return mapping


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """YAML keeps the last of two equal keys: a second `kernel:` would replace the first unseen."""
    first: dict[tuple[str, str], yaml.Mark] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        seen = first.setdefault((key.tag, key.value), key.start_mark)
        if seen is not key.start_mark:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key.value!r} (first at line {seen.line + 1})", key.start_mark
            )


# Bounds on what a small file can make the loader do: PyYAML builds nested values recursively (a file
# nested thousands deep ends in a RecursionError), and an alias repeats its anchor's whole value (a few
# kilobytes of aliases to aliases make millions of entries).
MAX_DEPTH = 32
MAX_ALIASES = 32
MAX_ALIASED_VALUES = 10_000


def _check_shape(text: str) -> None:
    """Refuse deep nesting and alias amplification from the parser's events, before anything is built
    (the parser is a loop: it cannot overflow the stack)."""
    stack: list[tuple[str | None, int]] = []  # per open collection: its anchor, the values in it so far
    sizes: dict[str, int] = {}  # per anchor: the values its value holds, aliases expanded
    aliases = expanded = 0
    for event in yaml.parse(text, Loader=_Loader):
        size = 0
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) == MAX_DEPTH:
                raise _shape_error(f"nested deeper than {MAX_DEPTH} levels", event)
            stack.append((event.anchor, 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            size = sizes.get(event.anchor or "", 1)
            expanded += size
            if aliases > MAX_ALIASES or expanded > MAX_ALIASED_VALUES:
                limits = f"{MAX_ALIASES} aliases, {MAX_ALIASED_VALUES} values repeated through them"
                raise _shape_error(f"too many YAML aliases (at most {limits})", event)
        if stack and size:
            stack[-1] = (stack[-1][0], stack[-1][1] + size)


def _shape_error(problem: str, event: yaml.Event) -> yaml.MarkedYAMLError:
    mark = event.start_mark if isinstance(event.start_mark, yaml.error.Mark) else None  # the loader is Python's
    return yaml.MarkedYAMLError(None, None, problem, mark)


_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class _Marked(dict[Any, Any]):
    marks: dict[str, yaml.Mark]
    mark: yaml.Mark


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Typed access to one mapping, as its keys' description says, with errors naming the file, line and key."""

    def __init__(self, source: str, data: Any, where: str, keys: tuple[Key, ...]) -> None:
        self.source = source
        if not isinstance(data, _Marked):
            raise UserError(f"{source}: {where or 'the file'} must be a mapping")
        self.data = data
        self.where = where
        self.keys = {key.name: key for key in keys}

    def _line(self, key: str) -> int:
        mark = self.data.marks.get(key, self.data.mark)
        return mark.line + 1

    def fail(self, key: str, problem: str) -> UserError:
        path = f"{self.where}.{key}" if self.where else key
        return UserError(f"{self.source}:{self._line(key)}: {path}: {problem}")

    def get(self, key: str, default: Any = None, spec: Key | None = None) -> Any:
        """The key's value, else `default`, else its described default (a copy: a list is the caller's)."""
        spec = spec or self.keys[key]
        if key not in self.data:
            if spec.required:
                line = self.data.mark.line + 1
                where = f" in {self.where}" if self.where else ""
                raise UserError(f"{self.source}:{line}: missing key {key!r}{where}")
            return copy.copy(spec.default if default is None else default)
        value = self.data[key]
        kinds = _as_tuple(spec.kind)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(t.__name__ for t in kinds)
            raise self.fail(key, f"expected {names}, got {type(value).__name__}")
        return value

    def child(self, key: str) -> _Reader:
        spec = self.keys[key]
        value = self.get(key) if key in self.data or spec.required else None
        return _Reader(self.source, value if value is not None else _empty(self.data), self._sub(key), spec.keys)

    def children(self, key: str) -> list[_Reader]:
        """A list of mappings, each read as the key's description says."""
        return [_Reader(self.source, item, f"{key}[{i}]", self.keys[key].keys) for i, item in enumerate(self.get(key))]

    def _sub(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def string_list(self, key: str, spec: Key | None = None) -> list[str]:
        value = self.get(key, spec=spec)
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return list(value)

    def check_keys(self) -> None:
        for key in self.data:
            if key not in self.keys:
                raise self.fail(str(key), f"unknown key (expected one of: {', '.join(sorted(self.keys))})")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _empty(parent: _Marked) -> _Marked:
    empty = _Marked()
    empty.marks, empty.mark = {}, parent.mark
    return empty


def _pathset(reader: _Reader) -> PathSetConfig:
    reader.check_keys()
    result = PathSetConfig(
        label=reader.get("label"),
        section=reader.get("section"),
        paths=reader.string_list("paths"),
        display=reader.get("display"),
    )
    if bool(result.section) == bool(result.paths):
        raise reader.fail("section", "give either a MAINTAINERS section or paths")
    return result


def _kernel(r: _Reader) -> KernelConfig:
    r.check_keys()
    refs_reader = r.child("refs")
    refs: dict[int, list[str]] = {}
    for year in refs_reader.data:
        if not isinstance(year, int):
            raise refs_reader.fail(str(year), "expected a year as the key")
        refs[year] = refs_reader.string_list(year, _YEAR_REFS)  # type: ignore[arg-type]
        if len(refs[year]) < 2:
            raise refs_reader.fail(str(year), "needs at least two refs")
    subsystem = _pathset(r.child("subsystem"))
    return KernelConfig(
        name=_name(r),
        url=r.get("url"),
        path=r.get("path"),
        display=r.get("display", subsystem.label),
        subsystem=subsystem,
        parent=_pathset(r.child("parent")),
        total_label=r.get("total_label"),
        total_display=r.get("total_display"),
        maintainer_label=r.get("maintainer_label"),
        maintainers=r.string_list("maintainers"),
        tag_pattern=r.get("tag_pattern"),
        release_pattern=r.get("release_pattern"),
        refs=refs,
        employers=_employer_lines(r),
        features=_features(r.child("features")),
        next_refs=r.string_list("next_refs"),
    )


def _features(r: _Reader) -> FeatureRules:
    r.check_keys()
    return FeatureRules(
        r.get("min_patches"), r.get("cover"), _pattern(r, "skip"), _pattern(r, "match"), r.string_list("series")
    )


def _by_year(r: _Reader) -> list[int]:
    for year in r.data:
        if not isinstance(year, int):
            raise r.fail(str(year), "expected a year as the key")
    return list(r.data)


def _posts(r: _Reader) -> dict[int, str]:
    return {year: r.get(year, spec=_YEAR_POST) for year in _by_year(r)}  # type: ignore[arg-type]


def _prose(r: _Reader) -> dict[int, dict[str, list[Paragraph]]]:
    prose = {}
    for year in _by_year(r):
        places = _Reader(r.source, r.get(year, spec=_PROSE_YEAR), f"{r.where}.{year}", _PROSE_PLACES)  # type: ignore[arg-type]
        places.check_keys()
        prose[year] = {place: [_paragraph(p) for p in places.children(place)] for place in places.data}
    return prose


def _paragraph(r: _Reader) -> Paragraph:
    r.check_keys()
    refs = r.get("refs")
    for title, url in refs.items():
        if not isinstance(url, str):
            raise r.fail("refs", f"{title!r}: expected a URL")
    return Paragraph(r.get("text"), [(str(title), url) for title, url in refs.items()])


_YEAR_REFS = Key("YEAR", list, "a year's boundary refs", [], items=str)
_YEAR_POST = Key("YEAR", str, "a year's post")
# A paragraph of `prose`: its text and the references it cites.
_PARAGRAPH = (Key("text", str, "the paragraph", required=True), Key("refs", dict, "the references it cites", {}))
_PROSE_PLACES = tuple(Key(place, list, "paragraphs", [], keys=_PARAGRAPH) for place in ("events", "articles", "talks"))
_PROSE_YEAR = Key("YEAR", dict, "a year's paragraphs", {}, keys=_PROSE_PLACES)


def _name(r: _Reader) -> str:
    """A repository name: it names a directory in the cache, so a name and never a path."""
    name: str = r.get("name")
    if not _NAME.fullmatch(name):
        raise r.fail("name", f"{name!r}: a name holds letters, digits, '.', '_' and '-', and does not start with '.'")
    return name


def _title(r: _Reader) -> str:
    """The title template: text with {subsystem} and {year}, nothing else to format."""
    return _fields(r, "title", ("subsystem", "year"))


# The fields the publish section's post patterns may use: a year's post file, and a post's URL from its file.
POST_PATH_FIELDS = ("year",)
POST_URL_FIELDS = ("path", "name", "slug", "year")


def _fields(r: _Reader, key: str, allowed: tuple[str, ...]) -> str:
    """`key`'s value, a str.format pattern with only `allowed` fields (so that formatting it can fail on
    nothing, and a value put in it never becomes a field)."""
    text: str = r.get(key)
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)]
    except ValueError as err:
        raise r.fail(key, f"{err} (write {{{{ and }}}} for literal braces)") from None
    for name, spec, conversion in fields:
        if name is not None and (name not in allowed or spec or conversion):
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            only = ", ".join(f"{{{a}}}" for a in allowed)
            raise r.fail(key, f"field {{{shown}}}: only {only} (write {{{{ for a brace)")
    return text


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
    r.check_keys()
    name = _name(r)
    date_kind = r.get("date_kind")
    if date_kind not in ("committer", "author"):
        raise r.fail("date_kind", "expected committer or author")
    return ToolConfig(
        name=name,
        url=r.get("url"),
        path=r.get("path"),
        display=r.get("display", name),
        description=r.get("description"),
        merges=r.get("merges"),
        date_kind=date_kind,
        tag_pattern=_pattern(r, "tag_pattern"),
        notes=_notes(r.child("release_notes")) if "release_notes" in r.data else None,
    )


def _pattern(r: _Reader, key: str) -> str:
    pattern: str = r.get(key)
    try:
        re.compile(pattern)
    except re.error as err:
        raise r.fail(key, f"invalid regular expression: {err}") from None
    return pattern


def _notes(r: _Reader) -> NotesConfig:
    r.check_keys()
    item: str = r.get("item")
    max_items: int = r.get("max_items")
    if not item.strip():
        raise r.fail("item", "expected a marker such as '- '")
    if max_items < 0:
        raise r.fail("max_items", "expected 0 or more")
    shape = NotesShape(_pattern(r, "version"), item)
    return NotesConfig(r.get("file"), shape, max_items)


def _people(r: _Reader) -> Rules:
    r.check_keys()
    groups = r.get("aliases")
    for i, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(e, str) and e.strip() for e in group):
            raise r.fail(
                "aliases", f"item {i}: expected a list of at least two identities (Name <email>, name or email)"
            )
    return Rules(r.get("fold_names"), tuple(tuple(group) for group in groups))


def _mail(r: _Reader) -> MailConfig:
    r.check_keys()
    return MailConfig(r.get("from"), r.string_list("to"), r.string_list("cc"))


def _trends(r: _Reader) -> int | None:
    r.check_keys()
    first: int | None = r.get("first_year")
    if first is not None and not 1970 <= first <= 9999:
        raise r.fail("first_year", "expected a year")
    return first


def parse(text: str, source: str) -> Config:
    try:
        _check_shape(text)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise UserError(f"{source}{line}: invalid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise UserError(f"{source}: invalid YAML: {err}") from None
    r = _Reader(source, data, "", KEYS)
    r.check_keys()
    template = r.get("template")
    date = r.get("date")
    tools = [_tool(t) for t in r.children("tools")]
    packaging = []
    for p in r.children("packaging"):
        p.check_keys()
        packaging.append(PackagingConfig(p.get("project"), p.get("pypi")))
    publish = r.child("publish")
    publish.check_keys()
    for key, allowed in (("post_path", POST_PATH_FIELDS), ("post_url", POST_URL_FIELDS)):
        if publish.get(key) is not None:
            _fields(publish, key, allowed)
    config = Config(
        source=source,
        title=_title(r),
        tags=r.string_list("tags"),
        draft=r.get("draft"),
        date=date.isoformat() if isinstance(date, datetime) else date,
        template=Path(source).parent / template if template else None,
        kernel=_kernel(r.child("kernel")),
        tools=tools,
        github=r.string_list("github"),
        packaging=packaging,
        publish={k: publish.get(k) for k in publish.data},
        people=_people(r.child("people")),
        mail=_mail(r.child("mail")),
        trends_first_year=_trends(r.child("trends")),
        trends_post=r.child("trends").get("post"),
        posts=_posts(r.child("posts")),
        prose=_prose(r.child("prose")),
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
