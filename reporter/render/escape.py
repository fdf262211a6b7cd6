"""Making strings safe for where they land: names, paths, tags and messages are data, never syntax.

Names and paths read from git keep undecodable bytes as surrogates (exact, so they still identify);
whatever is shown or written passes through `shown`, which turns each such byte into U+FFFD. Each other
function takes any string and returns text that, placed where its name says, shows that string and nothing
else: no markup, no link, no HTML, no Hugo shortcode, no end of the enclosing construct. `FILTERS` offers
them under short names, for a Jinja2 environment (`env.filters.update(FILTERS)`).
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Callable
from datetime import datetime

import yaml

# Every character that could end a line for some reader: markdown-it breaks lines at \r and \n, Python's
# str.splitlines() and some renderers at the others as well.
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Other C0 controls and DEL: invisible, and some renderers or terminals act on them.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")
# ASCII punctuation that starts or ends markdown constructs (emphasis, code, links, images, autolinks, raw
# HTML, entities, tables, math, strikethrough, headings) or a Hugo shortcode (`{{<`, `{{%`). CommonMark
# lets a backslash escape any ASCII punctuation; the others ('.', '-', ',' ...) stay readable as they are, and
# so does '_' inside a word (from_sj), where it cannot open or close emphasis.
_MARKDOWN = re.compile(r"([\\`*{}\[\]<>!|~&:@$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# Characters that start a Mermaid entity or end a quoted label.
_MERMAID = re.compile(r"[#\"<>`]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_TOML_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def shown(text: str) -> str:
    """`text` as valid Unicode: each byte git gave that is not UTF-8 becomes U+FFFD (as does any other lone
    surrogate)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte made
        return _SURROGATES.sub("\ufffd", text)


def one_line(text: str) -> str:
    """`text` shown on a single line: line breaks of any kind become spaces, other controls U+FFFD."""
    return _CONTROLS.sub("\ufffd", _LINE_BREAKS.sub(" ", shown(text)))


def terminal(text: str) -> str:
    """Command output for a terminal or a file: lines kept, but no control character that moves the cursor,
    clears the screen or overwrites a line (an author named with ESC [2J)."""
    return _CONTROLS.sub("\ufffd", re.sub(r"\r(?!\n)|[\x0b\x0c]", "\ufffd", shown(text)))


def tsv_cell(value: object) -> str:
    """A cell of tab-separated output: one line, no tab."""
    return one_line(str(value)).replace("\t", " ")


def inline(text: str) -> str:
    """Markdown (CommonMark, GFM, Hugo's goldmark) inline text that renders as `text`, literally."""
    return _MARKDOWN.sub(r"\\\1", one_line(text))


def table_cell(value: object) -> str:
    """A GFM table cell showing `value`: inline text, whose escaped '|' does not end the cell."""
    return inline(str(value))


def code_span(text: str) -> str:
    """A markdown code span showing `text`: fenced by more backticks than any run inside it."""
    text = one_line(text).replace("{{", "{\u200b{")  # Hugo reads shortcodes even inside code
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if not text or text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_line(text: str) -> str:
    """One line of an indented code block: no line break to end the block early, no Hugo shortcode."""
    return one_line(text).replace("{{", "{\u200b{")


def html_text(text: str) -> str:
    """HTML text or a double- or single-quoted attribute value showing `text`."""
    return html.escape(one_line(text), quote=True).replace("{{", "{&#8203;{")


def html_comment(text: str) -> str:
    """Text for inside `<!-- -->` that cannot end the comment (no `--`, no leading `>` or `->`)."""
    return re.sub(r"-(?=-|$)", "- ", shown(text).replace(">", "&gt;"))


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label (`"..."`) showing `text`, with Mermaid's `#code;` entities for its syntax."""
    return '"' + _MERMAID.sub(lambda m: f"#{ord(m.group())};", one_line(text)) + '"'


def toml_string(text: str) -> str:
    """A TOML basic string (`"..."`) holding `text`, e.g. for Hugo front matter."""
    body = "".join(
        _TOML_ESCAPES.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c) for c in shown(text)
    )
    return f'"{body}"'


def toml_datetime(text: str) -> str:
    """A TOML date-time for an ISO 8601 date or time: `text` itself when TOML reads it, else normalized."""
    try:
        tomllib.loads(f"d = {text}")
    except tomllib.TOMLDecodeError:
        return datetime.fromisoformat(text).isoformat()
    return text


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding `text`, on one line, in ASCII (so no line separator of YAML's and
    no invisible character stands in it raw)."""
    dumped: str = yaml.safe_dump(shown(text), default_style='"', allow_unicode=False, width=float("inf"))
    return dumped.rstrip("\n")


FILTERS: dict[str, Callable[[str], str]] = {
    "shown": shown,
    "one_line": one_line,
    "terminal": terminal,
    "md": inline,
    "cell": table_cell,
    "code": code_span,
    "code_line": code_line,
    "html": html_text,
    "html_comment": html_comment,
    "mermaid": mermaid_label,
    "toml": toml_string,
    "toml_datetime": toml_datetime,
    "yaml": yaml_string,
}
