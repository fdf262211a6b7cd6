"""Making strings safe for where they land.

Names and paths read from git keep undecodable bytes as surrogates (exact, so they still identify);
whatever is shown or written passes through `shown`, which turns each such byte into U+FFFD.
"""

from __future__ import annotations


def shown(text: str) -> str:
    """`text` as valid Unicode: each byte git gave that is not UTF-8 becomes U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
