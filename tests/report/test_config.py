"""Config errors name the file and the line a maintainer has to edit."""

from __future__ import annotations

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
