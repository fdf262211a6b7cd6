"""Config errors name the file and the line a maintainer has to edit."""

from __future__ import annotations

import re
import time

import pytest

from reporter.errors import UserError
from reporter.report.config import DEFAULT_YAML, parse


def _line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        # a mapping where a string belongs: the value starts on the next line, the error is the key's
        ("title: Looking back", "title:\n  nested: value\n#", "title:"),
        # a block list where a mapping belongs
        ("  subsystem: {label: damon, section: DATA ACCESS MONITOR}", "  subsystem:\n    - damon", "  subsystem:"),
        # a scalar on its key's line
        ("  total_label: linux", "  total_label: [linux]", "  total_label:"),
        # a regex that does not compile, a count that is no number
        ("    match: ''", "    match: '(unclosed'", "    match:"),
        ("    min_patches: 3", "    min_patches: many", "    min_patches:"),
        # a post's URL that is no string, a note without its text, a place notes do not have
        ("  2022: https://lore", "  2022: 5\n  2021: https://lore", "  2022: 5"),
        ("posts:", "prose:\n  2023:\n    talks:\n      - refs: {a: 'https://b'}\nposts:", "      - refs"),
        ("posts:", "prose:\n  2023:\n    papers: []\nposts:", "    papers:"),
    ],
)
def test_a_bad_value_is_reported_at_its_keys_line(old: str, new: str, key: str) -> None:
    assert old in DEFAULT_YAML
    text = DEFAULT_YAML.replace(old, new, 1)
    with pytest.raises(UserError) as caught:
        parse(text, "cfg.yaml")
    assert str(caught.value).startswith(f"cfg.yaml:{_line_of(text, key)}: ")


def test_an_unknown_key_with_a_mapping_value_is_reported_at_its_line() -> None:
    text = DEFAULT_YAML.replace("github:\n", "extra:\n  a: 1\ngithub:\n", 1)
    with pytest.raises(UserError, match=rf"^cfg\.yaml:{_line_of(text, 'extra:')}: extra: unknown key"):
        parse(text, "cfg.yaml")


def _amplified(levels: int) -> str:
    """people.aliases where each group repeats the one before twice: 2**levels identities from a few lines."""
    groups = ["    - &g0 [A <a@example.com>, B <b@example.com>]"]
    groups += [f"    - &g{i} [*g{i - 1}, *g{i - 1}]" for i in range(1, levels + 1)]
    return re.sub(r"(?m)^  aliases: \[\].*$", "  aliases:\n" + "\n".join(groups), DEFAULT_YAML, count=1)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("title: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested deeper than 32 levels"),
        ("".join("  " * i + "a:\n" for i in range(3000)), 33, "nested deeper than 32 levels"),
        ("".join("  " * i + "- \n" for i in range(3000)), 33, "nested deeper than 32 levels"),
        ("a: &a x\nb: [" + ", ".join(["*a"] * 33) + "]\n", 2, "too many YAML aliases"),
        ("a: &a [" + ", ".join(["x"] * 5000) + "]\nb: [*a, *a, *a]\n", 2, "too many YAML aliases"),
    ],
)
def test_nesting_and_aliases_are_bounded(text: str, line: int, problem: str) -> None:
    with pytest.raises(UserError, match=rf"^cfg\.yaml:{line}: invalid YAML: {problem}"):
        parse(text, "cfg.yaml")


def test_alias_amplified_people_aliases_are_refused_at_once() -> None:
    text = _amplified(18)  # 2**18 identities: a report took minutes on such a file
    start = time.monotonic()
    with pytest.raises(UserError, match=r"^cfg\.yaml:\d+: invalid YAML: too many YAML aliases"):
        parse(text, "cfg.yaml")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    ("old", "new", "key", "first"),
    [
        ("github:\n", "kernel:\n  name: other\ngithub:\n", "kernel:", "kernel:"),
        ("  display: DAMON ", "  name: again\n  display: DAMON ", "  name: again", "  name: linux"),
        ("draft: true", "draft: true\ndraft: false", "draft: false", "draft: true"),
        ("tools:\n  - name: damo\n", "tools:\n  - name: damo\n    name: dup\n", "    name: dup", "  - name: damo"),
    ],
)
def test_a_duplicate_key_is_refused_at_its_line(old: str, new: str, key: str, first: str) -> None:
    assert old in DEFAULT_YAML
    text = DEFAULT_YAML.replace(old, new, 1)
    name = key.strip().rstrip(":").split(":")[0]
    line = max(n for n, text_line in enumerate(text.splitlines(), 1) if text_line.startswith(key))
    expected = rf"^cfg\.yaml:{line}: invalid YAML: duplicate key '{name}' \(first at line {_line_of(text, first)}\)"
    with pytest.raises(UserError, match=expected):
        parse(text, "cfg.yaml")


def test_an_alias_or_two_and_equal_values_under_other_keys_pass() -> None:
    text = DEFAULT_YAML.replace("github:\n  - damonitor/damo", "github:\n  - &repo damonitor/damo", 1)
    text = text.replace("packaging:\n  - project: damo", "packaging:\n  - project: *repo", 1)
    assert parse(text, "cfg.yaml").packaging[0].project == "damonitor/damo"
