"""The sticky pull-request comment: which pull request, and the comment's body."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reporter.errors import UserError
from reporter.publish.region import fit, marker_name
from reporter.services.github import COMMENT_LIMIT

COMMENT_MARKER = "<!-- retrospect:comment -->"


def comment_marker(header: str = "") -> str:
    """The hidden marker of the sticky comment; a `header` keeps one comment per header on the same PR."""
    return f"<!-- retrospect:comment {marker_name('comment header', header)} -->" if header else COMMENT_MARKER


def pull_request_number(event_path: str | None, explicit: str | None) -> int:
    """The PR to comment on: input pr_number, else the triggering event's pull_request.number."""
    if explicit:
        if not re.fullmatch(r"[0-9]+", explicit.strip()):
            raise UserError(f"pr_number must be a number, got {explicit!r}")
        return int(explicit)
    event = _event(event_path)
    pull, issue = event.get("pull_request"), event.get("issue")
    number = pull.get("number") if isinstance(pull, dict) else None
    if number is None and isinstance(issue, dict) and issue.get("pull_request"):
        number = issue.get("number")
    if not number:
        raise UserError("mode comment needs a pull request: run on a pull_request event or set pr_number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise UserError(f"the event's pull request number is not a number: {number!r}")
    return number


def _event(event_path: str | None) -> dict[str, Any]:
    """The triggering event ($GITHUB_EVENT_PATH) as a mapping; {} when there is none."""
    if not event_path or not Path(event_path).is_file():
        return {}
    try:
        event = json.loads(Path(event_path).read_bytes())
    except (OSError, ValueError) as err:  # ValueError: malformed JSON or bytes that are not UTF-8
        raise UserError(f"cannot read the event {event_path}: {err}") from None
    if not isinstance(event, dict):
        raise UserError(f"the event {event_path} is not a JSON object")
    return event


def comment_body(content: str, title: str, link: str | None, marker: str = COMMENT_MARKER) -> str:
    """The sticky comment: hidden marker, title, the region content fitted under GitHub's limit."""
    more = f"[the full report]({link})" if link else "the full report"
    head = f"{marker}\n### {title}\n\n"
    tail = f"\n\nFull tables: {more}.\n" if link else "\n"
    room = COMMENT_LIMIT - len(head) - len(tail) - 100  # the margin covers the marker PyGithub may add
    return head + fit(content.strip("\n"), room, f"_{{rows}}: see {more}._") + tail
