"""retrospect: yearly development statistics of a kernel subsystem and its tool."""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it (hatch), the package and its caches use it
DISTRIBUTION = "retrospect-kernel-stats"  # the name on PyPI; the command is `retrospect`
