"""The region of a markdown file that a report fills, and fitting markdown under a size limit.

The region of a markdown file is the lines between `<!-- retrospect:begin REGION -->` and
`<!-- retrospect:end REGION -->`. The markers are found with markdown-it-py, as top-level HTML blocks: a
marker quoted in a fenced or indented code block, or inline in a paragraph, is text, not a marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt

from reporter.errors import UserError


def marker_name(kind: str, name: str) -> str:
    """A name that goes into an HTML comment marker: a plain word, so it can neither end the comment nor
    look like another marker."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise UserError(f"{kind} name may hold letters, digits, '.', '_' and '-' only: {name!r}")
    return name


def markers(region: str) -> tuple[str, str]:
    marker_name("region", region)
    return f"<!-- retrospect:begin {region} -->", f"<!-- retrospect:end {region} -->"


def _marker_lines(text: str, marker: str) -> list[int]:
    """Line numbers of top-level HTML blocks that are exactly `marker`."""
    tokens = MarkdownIt("commonmark").parse(text)
    return [
        t.map[0] for t in tokens if t.type == "html_block" and t.level == 0 and t.map and t.content.strip() == marker
    ]


def find_region(text: str, region: str) -> tuple[int, int] | None:
    """(begin marker line, end marker line) of `region` in `text`, None when it has no such region."""
    begin_marker, end_marker = markers(region)
    begins, ends = _marker_lines(text, begin_marker), _marker_lines(text, end_marker)
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise UserError(
            f"region {region!r} needs one {begin_marker} followed by one {end_marker}; "
            f"found {len(begins)} begin and {len(ends)} end marker(s)"
        )
    return begins[0], ends[0]


# markdown-it's line breaks (it reads \r\n and a lone \r as \n): its line numbers count these and no
# others, so U+2028, U+0085, form feeds and \x1c-\x1e stay inside a line, as they do for it.
_EOL = re.compile(r"\r\n?|\n")


def _inner(content: str, eol: str) -> str:
    # Blank lines around the content: so a table or chart ends before the end marker and parses alone.
    lines = ["", *_EOL.split(content.strip("\r\n")), ""] if content.strip("\r\n") else ["", ""]
    return "".join(line + eol for line in lines)


def replace_region(text: str, region: str, content: str) -> str | None:
    """`text` with what lies between the marker lines of `region` replaced by `content` (written with the
    line ending of the begin marker's line); None without the region. The markers and every character
    outside them stay as they were."""
    where = find_region(text, region)
    if where is None:
        return None
    begin, end = where
    breaks = list(_EOL.finditer(text))
    starts = [0, *(m.end() for m in breaks)]
    return text[: starts[begin + 1]] + _inner(content, breaks[begin].group()) + text[starts[end] :]


def append_region(text: str, region: str, content: str) -> str:
    """`text` with the region added at its end, after a blank line, in the file's line-ending style."""
    first = _EOL.search(text)
    eol = first.group() if first else "\n"
    begin_marker, end_marker = markers(region)
    head = "" if not text else text + ("" if text.endswith(("\n", "\r")) else eol) + eol
    return head + begin_marker + eol + _inner(content, eol) + end_marker + eol


def update_document(existing: str, region: str, content: str) -> str:
    """The new text of the news file: only its region is replaced; a file without the region gets it appended
    at the end."""
    replaced = replace_region(existing, region, content)
    updated = replaced if replaced is not None else append_region(existing, region, content)
    # A code fence or HTML block left open (in the file above the region, or in the content) would hide a
    # marker from the next run, which would then append a second region or refuse the file: never write it.
    try:
        found = find_region(updated, region)
    except UserError:
        found = None
    if found is None:
        raise UserError(
            f"region {region!r} would be hidden inside a code block or HTML block left open; close it first"
        )
    return updated


# --------------------------------------------------------------------------------------- size limits

_TABLE_ROW = re.compile(r"^\s*\|")


def shorten_tables(markdown: str, max_rows: int, note: str) -> str:
    """Every GFM table cut to its header and `max_rows` rows, then `note` with {rows} as "N more rows"."""
    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if not _TABLE_ROW.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _TABLE_ROW.match(lines[j]):
            j += 1
        table = lines[i:j]
        keep = table[: 2 + max_rows]  # header and alignment rows first
        out += keep
        if len(keep) < len(table):
            out += ["", note.format(rows=f"{len(table) - len(keep)} more rows")]
        i = j
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


def fit(markdown: str, limit: int, note: str, size: Callable[[str], int] = len) -> str:
    """`markdown` within `limit` (as measured by `size`): tables shortened first, then cut at a line, where
    `note` says {rows} is "the rest"."""
    if size(markdown) <= limit:
        return markdown
    for rows in (50, 20, 10, 5, 0):
        shorter = shorten_tables(markdown, rows, note)
        if size(shorter) <= limit:
            return shorter
    cut = note.format(rows="the rest")
    kept: list[str] = []
    for line in shorter.splitlines():
        if size("\n".join([*kept, line, "", cut])) > limit:
            break
        kept.append(line)
    return "\n".join([*kept, "", cut]) + "\n"


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))
