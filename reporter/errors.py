"""The one exception type for problems the user can fix."""


class UserError(Exception):
    """Bad input or an unreachable resource: the CLI prints the message as one line and exits 2."""


def quoted(pattern: str) -> str:
    """A regex or pattern as the user wrote it, quoted for an error line (repr would double every
    backslash); repr only for one that holds characters the line cannot show."""
    return f"'{pattern}'" if pattern.isprintable() else repr(pattern)
