"""Last year's post in the news repository: the file whose front matter title is last year's title (or the
configured path for that year), and its URL from the Hugo site's baseURL and permalinks, or from the
configured URL pattern.

The repository is read from git's objects at its branch (HEAD by default), never from the file system: a
path is a tree entry, so nothing outside the repository is read, and a symbolic link (mode 120000) or a
submodule is no post. Titles, paths and the site's settings are data: titles are compared as text (never
made into a pattern), and each piece put into a URL is percent-encoded.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

import git
import yaml

from reporter.git import walk

# The site's configuration file, as Hugo looks for it at the repository's top (the first found wins).
HUGO_CONFIGS = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
)
POST_SUFFIXES = (".md", ".markdown")
FRONT_MATTER_LINES = 1000  # read of a page at most, for its front matter
FRONT_MATTER_LINE = 1 << 20  # bytes of one of those lines at most
_FRONT = re.compile(r"\A(?:\+\+\+\r?\n(.*?)\r?\n\+\+\+|---\r?\n(.*?)\r?\n---)\r?\n", re.S)
_TOKEN = re.compile(r":(year|month|day|section|slug|slugorfilename|filename|contentbasename|title)\b")


@dataclass(frozen=True, slots=True)
class Rules:
    """How a year's post is found and linked: its title, or a path pattern ({year}); a URL pattern
    ({path}, {name}, {slug}, {year}) where the site's Hugo configuration does not tell it."""

    title: str
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    path: str
    url: str | None  # None: no baseURL in the site's configuration and no URL pattern


def find(repo: git.Repo, ref: str, year: int, rules: Rules) -> Found | None:
    """The post of `year` in the repository at `ref`, or None when none is there."""
    files = walk.regular_files(repo, ref)
    site = _site(repo, ref, files)
    content = str(site.get("contentDir") or "content").strip("/")
    if rules.path is not None:
        wanted = rules.path.format(year=year)
        candidates = [wanted] if wanted in files else []
    else:
        candidates = [f for f in sorted(files) if f.endswith(POST_SUFFIXES) and f.startswith(content + "/")]
    commit = walk.resolve(repo, ref)
    texts = {
        path: _head(lines)
        for path, lines in walk.blob_lines(repo, commit, candidates, FRONT_MATTER_LINE)
        if lines is not None
    }
    title = _words(rules.title)
    for path in candidates:
        front = front_matter(texts.get(path, ""))
        if rules.path is not None or _words(str(front.get("title", ""))) == title:
            return Found(path, _url(site, content, path, front, year, rules.url))
    return None


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _head(lines: Iterator[str]) -> str:
    """A page's text up to the end of its front matter (a page's body is not read)."""
    head: list[str] = []
    for line in itertools.islice(lines, FRONT_MATTER_LINES):
        head.append(line)
        if head[0].rstrip() not in ("+++", "---") or (len(head) > 1 and line.rstrip() == head[0].rstrip()):
            break
    return "".join(head)


def front_matter(text: str) -> dict[str, Any]:
    """A page's front matter (TOML between `+++`, YAML between `---`), or {} where it has none or it does
    not parse."""
    found = _FRONT.match(text)
    if found is None:
        return {}
    try:
        data = tomllib.loads(found.group(1)) if found.group(1) is not None else yaml.safe_load(found.group(2))
    except (tomllib.TOMLDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _site(repo: git.Repo, ref: str, files: frozenset[str]) -> dict[str, Any]:
    """The Hugo site's configuration at the repository's top, or {}."""
    for name in HUGO_CONFIGS:
        if name in files:
            text = walk.show_file(repo, ref, name) or ""
            try:
                data = _parse(name, text)
            except (tomllib.TOMLDecodeError, yaml.YAMLError, json.JSONDecodeError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _parse(name: str, text: str) -> object:
    if name.endswith(".toml"):
        return tomllib.loads(text)
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def _url(
    site: Mapping[str, Any], content: str, path: str, front: Mapping[str, Any], year: int, pattern: str | None
) -> str | None:
    """The page's URL: the configured pattern's, else Hugo's (front matter `url`, else the section's
    permalink pattern, else /SECTION/.../SLUG/) under the site's baseURL."""
    relative = PurePosixPath(path).relative_to(content)
    stem = relative.parent.name if relative.stem in ("index", "_index") else relative.stem
    parents = relative.parent.parent.parts if relative.stem in ("index", "_index") else relative.parent.parts
    slug = str(front.get("slug") or stem)
    if pattern is not None:
        return pattern.format(path=_piece(path, "/"), name=_piece(stem), slug=_piece(slug), year=year)
    base = _base(site.get("baseURL") or site.get("baseurl"))
    if base is None:
        return None
    if isinstance(front.get("url"), str):
        return base + "/" + _piece(front["url"].strip("/"), "/") + "/"
    section = parents[0] if parents else ""
    permalinks = site.get("permalinks")
    if isinstance(permalinks, dict) and isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]
    chosen = permalinks.get(section) if isinstance(permalinks, dict) else None
    if isinstance(chosen, str):
        when = _date(front.get("date"))
        tokens = {
            "year": f"{when.year:04d}" if when else "",
            "month": f"{when.month:02d}" if when else "",
            "day": f"{when.day:02d}" if when else "",
            "section": section,
            "slug": slug,
            "slugorfilename": slug,
            "filename": stem,
            "contentbasename": stem,
            "title": _urlized(str(front.get("title", ""))),
        }
        tail = _TOKEN.sub(lambda m: _piece(tokens[m.group(1)]), chosen).strip("/")
        return f"{base}/{tail}/"
    return base + "/" + "/".join(_piece(p) for p in (*parents, slug)) + "/"


def _base(value: object) -> str | None:
    """The site's baseURL when it is an http(s) URL with a host and nothing that is not a URL's."""
    if not isinstance(value, str) or re.search(r"[\s<>\"'`\\]", value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    return value.rstrip("/")


def _piece(text: str, safe: str = "") -> str:
    return quote(text, safe=safe + "-._~")


def _urlized(title: str) -> str:
    """A title as Hugo's :title makes it: lower case, runs of other characters as one dash."""
    return re.sub(r"[^\w]+", "-", title.casefold()).strip("-")


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
