"""The post's mailing-list copy: plain text in the lists' conventions, as an mbox message.

The text is the post's template rendered as plain text (`templates/mail.txt.j2` extends it), from the same
report document, with the pictures left out; paragraphs and list items are wrapped at 72 columns, while
indented blocks (command output, tables) and headings stay as they are. The message is made by Python's
`email` package: Subject from the title, To from the subsystem's lists (its `L:` entries), From from its
first maintainer (its `M:` entry), each of them replaceable in the configuration's `mail`.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from datetime import datetime
from email import generator, policy, utils
from email.message import EmailMessage
from typing import Any

import jinja2

from reporter.render import escape
from reporter.render import post as render_post
from reporter.report.config import Config

WIDTH = 72
TEMPLATE = "retrospect/mail.txt.j2"
# A preformatted line: indented by four (command output, tables), as in markdown's code blocks.
_PREFORMATTED = re.compile(r"(    |\t)")
_UNDERLINE = re.compile(r"(=+|-+)")
# A list item or a reference: the wrapped lines hang under its text.
_ITEM = re.compile(r" *(- |\[\d+\] )")
_NOT_IN_DOMAIN = re.compile(r"[^A-Za-z0-9.-]")


def text(config: Config, document: dict[str, Any]) -> str:
    """The post as plain text, wrapped."""
    post = render_post.load_template(config, plain=True)
    template = post.environment.get_template(TEMPLATE)
    values = render_post.context(config, document)
    values["sections"] = [s for s in values["sections"] if s not in render_post.PICTURES]
    try:
        body = template.render(values, post=post)
    except jinja2.TemplateError as err:
        raise render_post.template_error(post.name or render_post.BUILT_IN, err) from None
    return wrap(escape.shown(body).strip("\n") + "\n")


def wrap(body: str, width: int = WIDTH) -> str:
    """Paragraphs and list items filled to `width`; blank, indented and heading lines kept as they are, and
    a hard break (`post.HARD_BREAK`) ends its line."""
    lines = body.split("\n")
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            item = _ITEM.match(paragraph[0])
            hang = " " * (item.end() if item else 0)
            # A sentence that ended a line ends with two spaces, as the list's writers type them.
            words = "".join(
                line.strip() + ("  " if line.rstrip().endswith((".", "?", "!")) else " ") for line in paragraph
            )
            lead = paragraph[0][: len(paragraph[0]) - len(paragraph[0].lstrip())]
            out.extend(
                textwrap.wrap(
                    words,
                    width,
                    initial_indent=lead,
                    subsequent_indent=hang,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
            paragraph.clear()

    for i, line in enumerate(lines):
        if line.endswith(render_post.HARD_BREAK):
            paragraph.append(line.removesuffix(render_post.HARD_BREAK))
            flush()
            continue
        heading = i + 1 < len(lines) and line.strip() and _UNDERLINE.fullmatch(lines[i + 1])
        if not line.strip() or _PREFORMATTED.match(line) or _UNDERLINE.fullmatch(line) or heading:
            flush()
            out.append(line.rstrip())
            continue
        if _ITEM.match(line):
            flush()
        paragraph.append(line)
    flush()
    return "\n".join(out)


def _addresses(entries: list[str]) -> str:
    return ", ".join(escape.one_line(e) for e in entries)


def message(config: Config, document: dict[str, Any]) -> bytes:
    """The mbox message (its `From ` line first) of the post's plain text."""
    body = text(config, document)
    subject = render_post.title(config, document["stats"]["year"])
    kernel = document["stats"]["kernel"] or {}
    maintainers = kernel.get("maintainers", [])
    sender = config.mail.sender or (maintainers[0] if maintainers else None)
    to = config.mail.to or kernel.get("lists", [])
    msg = EmailMessage(policy=policy.default)
    msg["Subject"] = escape.one_line(subject)
    if sender:
        msg["From"] = escape.one_line(sender)
    if to:
        msg["To"] = _addresses(to)
    if config.mail.cc:
        msg["Cc"] = _addresses(config.mail.cc)
    when = datetime.fromisoformat(document["options"]["date"])
    msg["Date"] = utils.format_datetime(when if when.tzinfo else when.astimezone())
    # The same post makes the same message: its ID comes from its text, not from the clock.
    digest = hashlib.sha256((subject + body).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    domain = _NOT_IN_DOMAIN.sub("", utils.parseaddr(sender or "")[1].rpartition("@")[2]) or "retrospect.invalid"
    msg["Message-ID"] = f"<retrospect-{document['stats']['year']}-{digest}@{domain}>"
    msg.set_content(body, charset="utf-8", cte="8bit" if max(map(len, body.split("\n"))) < 998 else "quoted-printable")
    msg.set_unixfrom(f"From retrospect {when.strftime('%a %b %d %H:%M:%S %Y')}")
    out = io.BytesIO()
    generator.BytesGenerator(out, mangle_from_=True, policy=policy.default).flatten(msg, unixfrom=True)
    return out.getvalue()
