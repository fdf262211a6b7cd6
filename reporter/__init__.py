"""retrospect: yearly development statistics of a kernel subsystem and its tool."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("retrospect")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
