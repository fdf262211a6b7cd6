"""User-info in URLs (a user name and password, or a token as user name) is never shown or stored.

`text` hides it wherever a `scheme://...@host` URL appears in a message (git's own words included);
`url` hides it in one URL given alone (the scp-like `user@host:path` form too, which `text` cannot tell
from an e-mail address); `public` is the URL without its secret, as a link or a clone's configuration
keeps it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

HIDDEN = "***"
# The authority's user-info reaches to its last '@' (a password may hold one, unencoded).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s]*@")
_SCP = re.compile(r"^[^@/:\s]+@(?=[^/:\s]+:)")  # user@host:path


def text(message: str) -> str:
    """`message` with the user-info of every URL in it replaced by ***."""
    return _USERINFO.sub(rf"\g<1>{HIDDEN}@", message)


def url(value: str) -> str:
    """One URL as shown: its user-info replaced by ***."""
    return _SCP.sub(f"{HIDDEN}@", value) if "://" not in value else text(value)


def public(value: str) -> str:
    """`value` without its secret: an http(s) URL without user-info, another (ssh://user:pass@host) without
    the password; anything else as it is."""
    if "://" not in value:
        return value
    parts = urlsplit(value)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return value
    user = "" if parts.scheme.lower() in ("http", "https") else userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))
