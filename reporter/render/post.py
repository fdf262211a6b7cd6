"""The yearly post: Hugo markdown rendered from the report's JSON data by a Jinja2 template.

The words live in the template (`templates/post.md.j2`, or the configuration's `template`, which may
extend it); this module turns the JSON document into the values the template places: counts, shares,
the console blocks as the commands print them, the chart, the milestones of the year. Every value a
template prints is escaped as markdown text unless it is a block made here (console blocks, the chart),
so no name, tag or address becomes markup. Front matter is TOML written by tomli-w.
"""

from __future__ import annotations

import functools
import re
import shlex
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
import tomli_w
from markupsafe import Markup

from reporter import redact
from reporter.errors import UserError
from reporter.kernel import credits as credit
from reporter.kernel import people, releases, stats
from reporter.model import PathSource, Ratio, Table
from reporter.render import data as render_data
from reporter.render import escape, features, mermaid, text, trends
from reporter.report.config import Config, ToolConfig
from reporter.report.config import default as default_config

BUILT_IN = "retrospect/post.md.j2"
# The statistics sections, in order: each is `templates/sections/NAME.md.j2`, included by the post.
SECTIONS = (
    "contributors",
    "community",
    "commits",
    "lines",
    "employers",
    "reviews",
    "newcomers",
    "chart",
    "trends",
    "trends_chart",
)
# The sections of every year since the start: in the post when the report holds them (`trends.post`).
TRENDS = ("trends", "trends_chart")
# A line break that plain text keeps (a NUL: `escape.one_line` turns any in a value into U+FFFD).
HARD_BREAK = "\x00"
# The sections that are pictures: plain text (the mailing-list copy) leaves them out.
PICTURES = ("chart", "trends_chart")
# The employer map file a reader writes from the configuration's `kernel.employers` lines, as the post names it.
EMPLOYER_MAP = "employers.map"
# How macros.md.j2's `todo` marks what the maintainer fills in; data printed in the post has its `[` escaped,
# so only a placeholder starts so.
PLACEHOLDER = "[TODO: "


def post(config: Config, document: dict[str, Any]) -> str:
    """The Hugo post: TOML front matter, then the template rendered with the document's values. A post that
    still holds a placeholder is a draft, whatever the configuration says: Hugo would publish the placeholders."""
    template = load_template(config)
    try:
        body = template.render(context(config, document))
    except jinja2.TemplateError as err:
        raise template_error(template.name or BUILT_IN, err) from None
    draft = config.draft or PLACEHOLDER in body
    front = front_matter(config, document["stats"]["year"], document["options"]["date"], draft)
    return front + "\n" + body.strip("\n") + "\n"


def load_template(config: Config, plain: bool = False) -> jinja2.Template:
    """The post's template (the configuration's, or the built-in one), compiled: a report checks it before
    its long work. `plain`: for plain text (see `environment`)."""
    env = environment(config.template.parent if config.template else None, plain)
    name = config.template.name if config.template else BUILT_IN
    try:
        return env.get_template(name)
    except jinja2.TemplateError as err:
        raise template_error(name, err) from None


def template_error(name: str, err: jinja2.TemplateError) -> UserError:
    line = f":{err.lineno}" if isinstance(err, jinja2.TemplateSyntaxError) else ""
    where = Path(err.filename).name if isinstance(err, jinja2.TemplateSyntaxError) and err.filename else name
    return UserError(f"template {where}{line}: {err.message or type(err).__name__}")


def title(config: Config, year: int) -> str:
    """The post's title (the mail's subject)."""
    return escape.shown(config.title.format(subsystem=config.kernel.display, year=year))


def front_matter(config: Config, year: int, when: str, draft: bool) -> str:
    """TOML front matter (`+++` fenced) from the configuration: title, date, draft and tags."""
    fields = {
        "title": title(config, year),
        "date": tomllib.loads("d = " + escape.toml_datetime(when))["d"],
        "draft": draft,
        "tags": [escape.shown(tag) for tag in config.tags],
    }
    return "+++\n" + tomli_w.dumps(fields) + "+++\n"


@functools.lru_cache(maxsize=4)
def environment(directory: Path | None = None, plain: bool = False) -> jinja2.Environment:
    """Templates: the built-in ones as `retrospect/...`, and those of `directory` (a user's) by name.
    `plain`: values print as plain text on one line instead of markdown text, and `line_break` (a markdown
    hard break) is `HARD_BREAK`, which no value holds. One environment each a process: it keeps the
    templates it has compiled (compiling the post's takes longer than rendering it), and compiles again
    one whose file has changed."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({"retrospect": jinja2.PackageLoader("reporter.render")})]
    if directory is not None:
        loaders.insert(0, jinja2.FileSystemLoader(directory))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Every printed value goes through `_finalize`, which escapes it as markdown text (HTML escaping alone
        # would let `**x**` or `[x](y)` through); macros and blocks are markup already.
        autoescape=not plain,
        finalize=_plain if plain else _finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update({name: _markup(escape_for) for name, escape_for in escape.FILTERS.items()})
    env.filters.update(n=_number, pct=_percent, month=_month, day=_day_of, link=_link, ordinal=text.ordinal)
    env.globals.update(compare=stats.Change, line_break=Markup(HARD_BREAK if plain else "\\"))
    return env


def _markup(escape_for: Callable[[str], str]) -> Callable[[object], Markup]:
    """An escaping filter whose result is final for where it lands (so nothing escapes it again)."""
    return lambda value: Markup(escape_for(str(value)))


_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*)?")


def _link(url: str) -> Markup:
    """A URL as an autolink (`<https://...>`), or as plain text when it is not a plain web address."""
    return Markup(f"<{url}>") if _URL.fullmatch(url) else Markup(escape.inline(url))


def _finalize(value: object) -> object:
    """Every printed value: blocks made here as they are, anything else as markdown text."""
    if isinstance(value, Markup | int | float):
        return value
    return Markup(escape.inline(str(value)))


def _plain(value: object) -> object:
    """Every printed value of plain text: blocks made here as they are, anything else on one line."""
    if isinstance(value, Markup | int | float):
        return value
    return Markup(escape.one_line(str(value)))


def _number(value: float) -> str:
    return f"{value:,}"


def _percent(value: Ratio | None) -> str:
    return "-" if value is None else str(value)


def _month(iso: str) -> str:
    return f"{date.fromisoformat(iso[:10]):%B}"


def _day_of(iso: str) -> str:
    return date.fromisoformat(iso[:10]).isoformat()


def _block(command: str, output: str) -> Markup:
    """A console block (indented code): the command, then its output, line by line."""
    lines = ([f"$ {command}"] if command else []) + output.rstrip("\n").split("\n")
    return Markup("".join(f"    {escape.code_line(line)}\n" if line else "\n" for line in lines))


def _utc_day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d")


class _Commands:
    """The retrospect command lines that print each block, as a reader would run them."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def kernel_path(self) -> str:
        return f"./{self.config.kernel.name}"

    def selection(self, refs: Sequence[str]) -> list[str]:
        """The options that select the year's subsystem commits, as the authors ranking counts them."""
        k = self.config.kernel
        args = [self.kernel_path(), "--range", f"{refs[0]}..{refs[-1]}", "--no-merges"]
        if k.subsystem.section:
            return [*args, "--subsystem", k.subsystem.section]
        return args + [arg for path in k.subsystem.paths for arg in ("--paths", path)]  # one value an option

    def authors(self, refs: Sequence[str]) -> str:
        return shlex.join(["retrospect", "authors", *self.selection(refs)])

    def employers(self, refs: Sequence[str]) -> str:
        return shlex.join(["retrospect", "employers", *self.selection(refs), "--map", EMPLOYER_MAP])

    def credits(self, refs: Sequence[str]) -> str:
        keys = [arg for key in credit.REPORTED_KEYS for arg in ("--trailer", key)]
        top = str(credit.REPORTED_TOP)
        return shlex.join(["retrospect", "credits", *self.selection(refs), *keys, "--max-authors", top])

    def newcomers(self, refs: Sequence[str], since: str) -> str:
        """Newcomers are persons, folded as the report folds them (its aliases aside: no option takes them)."""
        fold = [] if self.config.people.fold_names else ["--no-fold-names"]
        return shlex.join(["retrospect", "authors", *self.selection(refs), "--new-since", since, "--people", *fold])

    def tool(self, tool: ToolConfig, year: dict[str, Any]) -> str:
        since, until = _utc_day(year["since"]), _utc_day(year["until"])
        args = ["retrospect", "authors", f"./{tool.name}", "--since", since, "--until", until]
        if not year["merges"]:
            args.append("--no-merges")
        if tool.date_kind != "committer":
            args += ["--date-kind", tool.date_kind]
        return shlex.join(args)

    def table(self, kind: str, year: int, refs: Sequence[str]) -> str:
        k, defaults = self.config.kernel, default_config().kernel
        args = ["retrospect", "table", kind, self.kernel_path()]
        for option, value, default in [
            ("--subsystem", k.subsystem.spec(), defaults.subsystem.spec()),
            ("--parent", k.parent.spec(), defaults.parent.spec()),
            ("--total-label", k.total_label, defaults.total_label),
            ("--tag-pattern", k.tag_pattern, defaults.tag_pattern),
            ("--release-pattern", k.release_pattern, defaults.release_pattern),
        ]:
            if value != default and (kind != "community" or option == "--subsystem"):
                args += [option, value]
        if kind == "community" and k.maintainer_label:
            args += ["--maintainer-label", k.maintainer_label]
        command = shlex.join(args + ["--format", "text"])
        if year in k.refs:
            return command + " --refs <(printf '%s\\n' " + " ".join(shlex.quote(r) for r in refs) + ")"
        return command + f" --year {year}"


def _persons(data: list[dict[str, Any]]) -> dict[str, Any]:
    found = render_data.persons_from(data)
    return {"count": len(found), "folded": [p for p in found if len(p.identities) > 1]}


def _kernel(config: Config, year: int, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A kernel year's values for the template (None: that year could not be computed)."""
    if data is None:
        return None
    commands = _Commands(config)
    k = config.kernel
    refs = data["refs"]
    ranking = render_data.authors_from(data["authors"])
    tables = {kind: render_data.table_from(t) for kind, t in data["tables"].items()}
    read_at = text.source_lines(_section_read(config, tables))

    def shares(kind: str) -> dict[str, Ratio]:
        table = tables[kind]
        return {
            "parent": stats.share_total(table, k.subsystem.label, k.parent.label),
            "total": stats.share_total(table, k.subsystem.label, k.total_label),
        }

    return {
        "year": year,
        "refs": refs,
        "span": f"{refs[0]}..{refs[-1]}",
        "dates": {ref: _utc_day(moment) for ref, moment in data["dates"].items()},
        "people": _persons(data["people"]),
        "commits": ranking.total_commits,
        "authors": _block(commands.authors(refs), text.authors(ranking) + read_at),
        "authors_footer": _last_lines(text.authors(ranking), 1),
        "non_maintainer": stats.non_maintainer_share(tables["community"]),
        "shares": {kind: shares(kind) for kind in ("commits", "lines")},
        "tables": {
            kind: {
                "command": _block(commands.table(kind, year, refs), _aligned(table)),
                "output": _block("", _aligned(table)),
            }
            for kind, table in tables.items()
        },
        "chart": chart(config, year, tables["community"]),
        "maintainers": [dict(zip(("name", "email"), people.parse_entry(m), strict=True)) for m in data["maintainers"]],
        "involvement": _involvement(commands, refs, data["involvement"], read_at),
    }


def _section_read(config: Config, tables: dict[str, Table]) -> list[PathSource]:
    """Where the rankings' commands read the subsystem's section, as they print it: at the year's end, as the
    report's tables read it, labelled by the title `--subsystem` gives (none for a path subsystem)."""
    k = config.kernel
    found = [s for t in tables.values() for s in t.sources if s.label == k.subsystem.label and s.range is None]
    return [replace(found[0], label=k.subsystem.section)] if k.subsystem.section and found else []


def _last_lines(output: str, count: int) -> Markup:
    """The footer of a command's output (its last `count` lines), as a block without the command."""
    return _block("", "\n".join(output.rstrip("\n").split("\n")[-count:]))


def _involvement(
    commands: _Commands, refs: Sequence[str], data: dict[str, Any] | None, read_at: str
) -> dict[str, Any] | None:
    """Employers, reviews and tests, newcomers of a kernel year: figures and blocks for their sections (their
    commands' outputs end with `read_at`, where they read the section)."""
    if data is None:
        return None
    found = render_data.involvement_from(data)
    shown = credit.reported(found.credits)
    employers = text.employers(found.employers, found.unmapped) + read_at
    credits = text.credits(shown) + read_at
    new = found.newcomers
    newcomers = None
    if new is not None and new.new_since:
        output = text.authors(new)
        newcomers = {
            "count": new.total_authors,
            "commits": new.total_commits,
            "since": new.new_since,
            "window": ".." in new.new_since,
            "block": _block(commands.newcomers(refs, new.new_since.partition(" ")[0]), output + read_at),
            "footer": _last_lines(output, 1),
        }
    return {
        "maintainer_employer": found.maintainer_employer,
        "outside": found.outside,
        "employers_count": found.employers.total_authors,
        "employers": _block(commands.employers(refs), employers),
        "employers_footer": _last_lines(text.authors(found.employers, who="employers"), 1),
        "reviewed": found.reviewed,
        "credits": _block(commands.credits(refs), credits),
        "credits_footer": _block("", "\n".join(f"# {text.credits_footer(r)}" for r in shown)),
        "newcomers": newcomers,
    }


def _aligned(table: Table) -> str:
    return text.table_text(table)


def chart(config: Config, year: int, community: Table) -> Markup:
    """Commits per release (bars) and those made by non-maintainers (line), both from the community table,
    so that both count merges alike."""
    rows = community.rows[:-1] if len(community.rows) > 1 else community.rows
    return Markup(
        mermaid.xychart(
            f"{config.kernel.display} commits per release in {year}",
            [row.range.partition("..")[2] for row in rows],
            "commits",
            [sum(row.values) for row in rows],
            [[row.values[1] for row in rows]],
        )
    )


def _tool(config: Config, tool: ToolConfig, data: dict[str, Any] | None, year: int) -> dict[str, Any] | None:
    if data is None:
        return None
    ranking = render_data.authors_from(data["authors"])
    output = text.authors(ranking)
    return {
        "year": year,
        "people": _persons(data["people"]),
        "identities": ranking.total_authors,
        "commits": ranking.total_commits,
        "authors": _block(_Commands(config).tool(tool, data), output),
    }


def _releases(tool: ToolConfig, year: dict[str, Any], url: str | None) -> dict[str, Any] | None:
    """The year's releases of a tool: how many, the major ones, and the notes' items a reader takes in: up to
    the configured number, major releases' first, then minor ones', then the others' (newest first within
    each, an item said already left out), shown grouped by release in release order."""
    data = next((t for t in year["tools"] if t["name"] == tool.name), None)
    found = [releases.Release(**r) for r in data["releases"]] if data else []
    if not data or not found:
        return None
    budget = tool.notes.max_items if tool.notes else 0
    chosen: dict[str, list[str]] = {}
    seen: set[str] = set()
    for release in sorted(found, key=lambda r: (releases.level(r.tag), -r.date)):
        for item in release.items:
            if len(seen) < budget and item not in seen:
                seen.add(item)
                chosen.setdefault(release.tag, []).append(item)
    return {
        "count": len(found),
        "first": found[0].tag,
        "last": found[-1].tag,
        "majors": [
            {
                "number": r.major,
                "name": _major_name(r.tag),
                "date": _utc_day(r.date),
                "url": url and f"{url}/tree/{r.tag}",
            }
            for r in found
            if r.major is not None
        ],
        "shown": [{"tag": r.tag, "date": _utc_day(r.date), "brought": chosen[r.tag]} for r in found if r.tag in chosen],
        "left": sum(len(r.items) for r in found) - sum(len(items) for items in chosen.values()),
        "notes": tool.notes.file if tool.notes and data["notes"] else None,
        "notes_url": url and data["notes"] and tool.notes and f"{url}/blob/{data['notes']}/{tool.notes.file}",
    }


def _major_name(tag: str) -> str:
    """`v2.0` for `v2.0.0`: how a post names a major version."""
    return f"{_DIGITS_ON.sub('', tag)}{releases.major_of(tag)}.0"


_DIGITS_ON = re.compile(r"\d.*")


def _tools(config: Config, current: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    def of(year: dict[str, Any], name: str) -> dict[str, Any] | None:
        return next((t for t in year["tools"] if t["name"] == name), None)

    return [
        {
            "name": tool.name,
            "display": tool.display,
            "description": tool.description,
            "current": _tool(config, tool, of(current, tool.name), current["year"]),
            "previous": _tool(config, tool, of(previous, tool.name), previous["year"]),
        }
        for tool in config.tools
    ]


def _trends(config: Config, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Every year since the start, as `retrospect trends` prints it, and its chart."""
    if not data or not data["years"]:
        return None
    years = data["years"]
    command = shlex.join(["retrospect", "trends", "--last-year", str(years[-1]["year"])])
    return {
        "first": years[0]["year"],
        "last": years[-1]["year"],
        "count": len(years),
        "table": _block(command, trends.aligned(config, data)),
        "chart": Markup(trends.chart(config, data)),
    }


def _reached(marks: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    return [m for m in marks if m["reached"] and m["reached"].startswith(f"{year}-")]


def _github(extras: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """The repositories whose metrics were fetched (a failure is in the JSON and on stderr, not the post)."""
    found = []
    for item in extras["github"]:
        if "metrics" in item:
            m = item["metrics"]
            found.append(
                {
                    **m,
                    "name": m["repo"].rpartition("/")[2],
                    "url": f"https://github.com/{m['repo']}",
                    "stars_reached": _reached(m["star_milestones"], year),
                    "releases_reached": _reached(m["release_milestones"], year),
                }
            )
    return found


def _packaging(extras: dict[str, Any]) -> list[dict[str, Any]]:
    """What the packaging services answered, per project (what they did not is left out)."""
    return [
        {"project": item["project"], "packaging": item.get("packaging"), "downloads": item.get("downloads")}
        for item in extras["packaging"]
        if item.get("packaging") or item.get("downloads")
    ]


class _References:
    """The post's numbered references, in order of first citation, as the seed post numbers them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str | None]] = []

    def cite(self, title: str, url: str | None = None) -> int:
        key = (title, url)
        if key not in self.items:
            self.items.append(key)
        return self.items.index(key) + 1


def _public(url: str | None) -> str | None:
    """A configured URL as the post may link it: without the credentials it may hold."""
    return redact.public(url) if url else url


def _github_url(url: str | None) -> str | None:
    """`https://github.com/OWNER/NAME` of a GitHub clone URL, else None."""
    url = _public(url)
    if url and url.startswith("https://github.com/"):
        return url.removesuffix("/").removesuffix(".git")
    return None


def context(config: Config, document: dict[str, Any]) -> dict[str, Any]:
    """Everything the template places, from the report's JSON document (and the configuration's names)."""
    current, previous = document["stats"], document["previous"]
    k = config.kernel
    kernel_url = _github_url(k.url)
    references = _References()
    return {
        "year": current["year"],
        "previous_year": previous["year"],
        "subsystem": k.display,
        "parent": k.parent.name,
        "total": k.total_display,
        "kernel_name": k.name,
        "kernel_url": kernel_url,
        "kernel": _kernel(config, current["year"], current["kernel"]),
        "previous_kernel": _kernel(config, previous["year"], previous["kernel"]),
        "tools": [
            {
                **t,
                "url": _github_url(tool.url) or _public(tool.url),
                "releases": _releases(tool, current, _github_url(tool.url)),
            }
            for t, tool in zip(_tools(config, current, previous), config.tools, strict=True)
        ],
        "github": _github(document["extras"], current["year"]),
        "packaging": _packaging(document["extras"]),
        "sections": [s for s in SECTIONS if s not in TRENDS or document.get("trends")],
        "trends": _trends(config, document.get("trends")),
        "employer_map": EMPLOYER_MAP,
        "cite": references.cite,
        "references": references.items,
        "retrospect": document["tool"],
        "series": features.values(k.features, current["year"], (current["kernel"] or {}).get("series")),
        "previous_post": config.posts.get(previous["year"]),
        "paragraphs": config.prose.get(current["year"], {}),
    }
