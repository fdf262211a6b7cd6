"""reporter.render.escape against real parsers: whatever the string, the text each function gives parses,
where it is meant to land, back to that string and to nothing else (hypothesis draws the strings)."""

from __future__ import annotations

import dataclasses
import html
import tomllib

import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reporter.render import escape, post
from reporter.report.config import default

HOSTILE = [
    "Evil <img src=x onerror=alert(1)>",
    "Closer </details>",
    "**bold** [link](https://evil.example)",
    "{{< param secret >}} {{% x %}}",
    "a|b\\|c `code` $x$ ~~s~~ &amp; <!-- c -->",
    "_em_ *em* __strong__ ![i](x) <https://evil.example> a@b.example",
]
# Any text, with the characters markdown and friends care about drawn often.
TEXT = st.text(st.sampled_from("<>|\\`*_[](){}!#&;:@$~-=\"' \t\r\n\u2028\x1bax0é\udce9") | st.characters(), max_size=60)
GFM = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def inline_texts(source: str) -> list[str]:
    """The text of every inline token of `source`, asserting that nothing else (no link, emphasis, code,
    HTML, image or break) is there."""
    found = []
    for token in GFM.parse(source):
        if token.type != "inline":
            continue
        kinds = {child.type for child in token.children or []}
        assert kinds <= {"text"}, (source, kinds)
        found.append("".join(child.content for child in token.children or []))
    return found


@given(TEXT)
@example(HOSTILE[0])
@example(HOSTILE[2])
def test_inline_is_literal_text(text: str) -> None:
    source = "x " + escape.inline(text) + " x"  # inside a paragraph, as in the post's prose
    assert "\n" not in source and "\r" not in source
    (shown,) = inline_texts(source)
    assert shown == "x " + escape.one_line(text).replace("\x00", "\ufffd") + " x"


@given(TEXT, TEXT)
def test_table_cells_stay_cells(first: str, second: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {escape.table_cell(first)} | {escape.table_cell(second)} |\n"
    assert [t.type for t in GFM.parse(table)].count("td_open") == 2
    cells = inline_texts(table)[2:]
    assert cells == [escape.one_line(v).replace("\x00", "\ufffd").strip() for v in (first, second)]


@given(TEXT)
def test_code_span_is_one_code_span(text: str) -> None:
    tokens = GFM.parse("x " + escape.code_span(text) + " x")
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    codes = [c for c in children if c.type == "code_inline"]
    assert len(codes) == 1 and [c.type for c in children] == ["text", "code_inline", "text"]
    assert "{{" not in codes[0].content  # a Hugo shortcode would run even inside code


@given(TEXT)
@example("a-->b")
@example("->x")
def test_html_comment_cannot_close_early(text: str) -> None:
    body = escape.html_comment(text)
    assert "--" not in body and not body.startswith((">", "->")) and ">" not in body


@given(TEXT)
def test_html_text_round_trips(text: str) -> None:
    escaped = escape.html_text(text)
    assert not set(escaped) & set("<>\"'") and html.unescape(escaped) == escape.one_line(text).replace("{{", "{\u200b{")


@given(TEXT)
def test_toml_and_yaml_strings_parse_back(text: str) -> None:
    assert tomllib.loads(f"v = {escape.toml_string(text)}")["v"] == escape.shown(text)
    assert yaml.safe_load(f"v: {escape.yaml_string(text)}")["v"] == escape.shown(text)


@given(TEXT)
def test_mermaid_label_is_one_quoted_label(text: str) -> None:
    label = escape.mermaid_label(text)
    assert label.startswith('"') and label.endswith('"') and '"' not in label[1:-1]
    assert not set(label[1:-1]) & set("<>`\n\r")


def test_terminal_output_holds_no_control_sequence() -> None:
    assert escape.terminal("Mallory \x1b[2J\x1b]0;pwned\x07 <m@x>\rFake\r\n") == (
        "Mallory \ufffd[2J\ufffd]0;pwned\ufffd <m@x>\ufffdFake\r\n"
    )


def test_front_matter_holds_any_title_and_tags() -> None:
    hostile = 'x"\n+++\ndraft = false\n\\ \udce9'
    config = dataclasses.replace(default(), title=hostile + " {year}", tags=[hostile, "ok"])
    text = post.front_matter(config, 2023, "2024-01-02", False)
    assert text.splitlines().count("+++") == 2 and text.startswith("+++\n")
    data = tomllib.loads(text.strip().strip("+").strip())
    assert data["title"] == escape.shown(hostile) + " 2023" and data["draft"] is False
    assert data["tags"] == [escape.shown(hostile), "ok"] and str(data["date"]) == "2024-01-02"
