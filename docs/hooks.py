"""The documentation's generated parts, made from the code at build time so that they cannot drift from it.

MkDocs runs this file as a hook (mkdocs.yml `hooks:`). A page asks for a part with a line of its own,
`<!-- generated: NAME -->` (one of GENERATORS) or `<!-- include: PATH -->` (a file of the repository, shown
as a code block); an unknown name or a missing file fails the build."""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

import reporter.cli
from reporter.report import config

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- (generated|include): (\S+) -->$", re.MULTILINE)
HELP_WIDTH = "80"  # the usage lines wrap as on an 80-column terminal, whatever the build's terminal is


def cell(text: str) -> str:
    """Plain text as one markdown table cell: on one line, markup characters shown as themselves, except that
    `code` stays a code span (where nothing needs escaping)."""
    parts = re.split(r"(`[^`]*`)", re.sub(r"\s+", " ", text.strip()))
    return "".join(part if part.startswith("`") else _plain(part) for part in parts)


def _plain(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\*_\[\]|#`])", r"\\\1", text)


def fenced(text: str, language: str = "") -> str:
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ command line
@contextmanager
def _help_width() -> Iterator[None]:
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, summary, parser) of each subcommand, in the order `retrospect --help` lists them."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help or "" for choice in action._choices_actions}
            found += [(name, summaries.get(name, ""), sub) for name, sub in action.choices.items()]
    return found


def _options(parser: argparse.ArgumentParser) -> str:
    """Each argument group as a table of its arguments and their help, defaults included as --help says."""
    formatter = parser._get_formatter()
    parts = []
    for group in parser._action_groups:
        shown = [a for a in group._group_actions if a.help is not argparse.SUPPRESS and a.dest != "help"]
        if not shown:
            continue
        rows = [
            (
                f"`{formatter._format_action_invocation(a)}`",
                cell(formatter._expand_help(a) if a.help else ""),
            )
            for a in shown
        ]
        parts.append(f"**{cell(group.title or '')}**\n\n" + table(("argument", "meaning"), rows))
    return "\n\n".join(parts)


def cli_page() -> str:
    """Every command of `retrospect`: summary, description, usage, options and examples, from the parsers."""
    with _help_width():
        parser = reporter.cli.build_parser()
        parts = [fenced(parser.format_usage().removeprefix("usage: "), "text")]
        for name, summary, sub in _commands(parser):
            usage = sub.format_usage().removeprefix("usage: ")
            description = " ".join((sub.description or "").split())
            parts.append(
                f"## `retrospect {name}`\n\n*{cell(summary)}*\n\n{cell(description)}\n\n{fenced(usage, 'text')}"
            )
            parts.append(_options(sub))
            if sub.epilog:
                heading, _, examples = sub.epilog.partition("\n")
                parts.append(
                    f"{heading.rstrip(':').capitalize()}:\n\n" + fenced(examples.replace("\n  ", "\n").strip())
                )
    return "\n\n".join(parts)


# ------------------------------------------------------------------------------------------ the action
def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return loaded


def action_inputs() -> str:
    rows = []
    for name, spec in _action()["inputs"].items():
        default = str(spec.get("default", ""))
        rows.append((f"`{name}`", f"`{default}`" if default else "(empty)", cell(spec.get("description", ""))))
    return table(("input", "default", "meaning"), rows)


def action_outputs() -> str:
    rows = [(f"`{name}`", cell(spec.get("description", ""))) for name, spec in _action()["outputs"].items()]
    return table(("output", "meaning"), rows)


# ------------------------------------------------------------------------------------------ the report's JSON
def _type(node: dict[str, Any]) -> str:
    """A schema node's type in a few words, `$ref`s as links to their own table."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name})"
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(_type(option) for option in node[key])
    kinds = node.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    shown = []
    for kind in kinds:
        if kind == "array" and "items" in node:
            shown.append(f"array of {_type(node['items'])}")
        elif kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
            shown.append(f"object of {_type(node['additionalProperties'])}")
        else:
            shown.append(str(kind))
    return " or ".join(shown)


def _fields(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, ...]]:
    """Each property of an object node, depth first: `a.b`, `a[].b` in an array's items, `a.*.b` in a map's values."""
    required = set(node.get("required", ()))
    for name, child in node.get("properties", {}).items():
        yield (f"`{prefix}{name}`", _type(child), "yes" if name in required else "", cell(child.get("description", "")))
        yield from _inner(child, f"{prefix}{name}")


def _inner(node: dict[str, Any], path: str) -> Iterator[tuple[str, ...]]:
    yield from _fields(node, f"{path}." if path else "")
    if isinstance(node.get("items"), dict):
        yield from _inner(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _inner(node["additionalProperties"], f"{path}.*")
    for option in node.get("anyOf", []) + node.get("oneOf", []):
        yield from _inner(option, path)


def json_schema() -> str:
    schema: dict[str, Any] = json.loads((ROOT / "reporter/report/schema.json").read_text(encoding="utf-8"))
    header = ("field", "type", "required", "meaning")
    parts = [f"### The document\n\n{table(header, list(_inner(schema, '')))}"]
    for name, node in schema.get("$defs", {}).items():
        rows = list(_inner(node, ""))
        body = table(header, rows) if rows else f"{_type(node)}. {cell(node.get('description', ''))}"
        parts.append(f"### {name}\n\n{body}")
    return "\n\n".join(parts)


# ------------------------------------------------------------------------------------------ configuration
def configuration() -> str:
    """Every key the validator reads, one table per mapping, with its type, default and an example, from the
    validator's own description of the keys (examples from the built-in configuration where it has one)."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    for key in config.described():
        where, _, name = key.path.rpartition(".")
        example = f"<br>Example: `{key.example}`" if key.example else ""
        groups.setdefault(where, []).append(
            (f"`{name}`", cell(key.kind), cell(key.default_text), cell(key.doc) + example)
        )
    header = ("key", "type", "default", "meaning")
    return "\n\n".join(
        f"### {f'`{where}`' if where else 'Top level'}\n\n{table(header, rows)}" for where, rows in groups.items()
    )


def default_config() -> str:
    return fenced(config.DEFAULT_YAML, "yaml")


# ------------------------------------------------------------------------------------------ performance
def benchmark() -> str:
    """The figures of the committed benchmark run (docs/benchmark.json, `benchmarks/run.py --json`)."""
    result: dict[str, Any] = json.loads((ROOT / "docs/benchmark.json").read_text(encoding="utf-8"))
    measures = result["measures"]
    rows = [
        (cell(m["label"].strip()), f"{m['median']:.2f} s") for m in measures.values() if m.get("median") is not None
    ]
    rows += [
        (cell(label), f"{t['value']:.3f} (at most {t['at_most']}): {t['verdict']}")
        for label, t in result["targets"].items()
        if t["value"] is not None
    ]
    rss = result.get("rss_mb") or {}
    if rss.get("self") is not None:
        rows.append(("peak RSS of retrospect's process", f"{rss['self']:.0f} MB"))
    checks = result.get("checks", {})
    failed = [name for name, verdict in checks.items() if verdict != "PASS"]
    rows.append(("correctness checks", f"{len(checks) - len(failed)} of {len(checks)} PASS"))
    machine = f"{result['cpus']} CPUs, load average {result['load_average'][0]:.1f} when the run ended"
    return f"{result['repeat']} repetition(s) on {machine}.\n\n" + table(("measure", "value"), rows)


def changelog() -> str:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return text.split("\n", 1)[1]  # its title is the page's


GENERATORS: dict[str, Callable[[], str]] = {
    "cli": cli_page,
    "action-inputs": action_inputs,
    "action-outputs": action_outputs,
    "json-schema": json_schema,
    "configuration": configuration,
    "default-config": default_config,
    "benchmark": benchmark,
    "changelog": changelog,
}


def _part(match: re.Match[str]) -> str:
    kind, name = match[1], match[2]
    if kind == "generated":
        if name not in GENERATORS:
            raise ValueError(f"no generator {name!r} (one of {', '.join(GENERATORS)})")
        return GENERATORS[name]()
    path = (ROOT / name).resolve()
    if ROOT not in path.parents or not path.is_file():
        raise ValueError(f"cannot include {name!r}: not a file of the repository")
    return fenced(path.read_text(encoding="utf-8"), path.suffix.lstrip(".").replace("yml", "yaml"))


def render(markdown: str) -> str:
    """A page's markdown with its markers replaced by what they name."""
    return MARKER.sub(_part, markdown)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return render(markdown)
