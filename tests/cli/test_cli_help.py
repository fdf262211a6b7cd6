"""Every command explains itself: a description, an example, and help (with its default) on every option."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys

import pytest

from reporter.cli import build_parser


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


COMMANDS = sorted(_commands())


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_description_example_and_help_on_each_option(name: str) -> None:
    parser = _commands()[name]
    assert parser.description and len(parser.description) > 40
    assert parser.epilog and parser.epilog.startswith("example")
    for line in parser.epilog.splitlines()[1:]:
        assert line.strip().split()[0].endswith("retrospect") or "retrospect " in line, line
    for action in parser._actions:
        assert action.help, f"{name}: {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_shows_every_default(name: str) -> None:
    parser = _commands()[name]
    shown = parser.format_help()
    for action in parser._actions:
        if action.option_strings and action.default not in (None, False, [], argparse.SUPPRESS):
            flag = action.option_strings[0]
            entry = shown[shown.index(f"  {flag}") :]
            entry = entry[: entry.find("\n  -", 1) if "\n  -" in entry[1:] else len(entry)]
            assert "default" in entry, f"{name} {flag}: no default in {entry!r}"


def test_examples_parse() -> None:
    """Each example is a command line the parser accepts (the environment prefix aside)."""
    parser = build_parser()
    for name, sub in _commands().items():
        for line in (sub.epilog or "").splitlines()[1:]:
            words = shlex.split(line)
            words = words[words.index("retrospect") + 1 :]
            words = words[: words.index("&&")] if "&&" in words else words
            words = words[: words.index(">")] if ">" in words else words
            args = parser.parse_args(words)
            assert args.command == name


def test_python_dash_m_reporter() -> None:
    result = subprocess.run([sys.executable, "-m", "reporter", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("retrospect ")


def test_report_says_what_a_site_needs_to_draw_the_chart() -> None:
    description = _commands()["report"].description or ""
    assert "render-codeblock-mermaid.html" in description and "Mermaid 10.6 or newer" in description
