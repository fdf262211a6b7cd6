"""retrospect: yearly development statistics of a kernel subsystem and its tool."""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it (hatch), the package and its caches use it
DISTRIBUTION = "retrospect-kernel-stats"  # the name on PyPI; the command is `retrospect`


def homepage() -> str | None:
    """The project's first URL in its metadata (pyproject.toml's [project.urls]), when it is installed."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    # Project-URL entries read "Label, https://..."
    return next((u.split(",", 1)[1].strip() for u in urls if "," in u), None)
