"""The one exception type for problems the user can fix."""


class UserError(Exception):
    """Bad input or an unreachable resource: the CLI prints the message as one line and exits 2."""
