"""Writing files so that a failure or a kill leaves the old file or none, never half of one."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from reporter.errors import UserError


def umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment, in every thread)."""
    try:
        found = re.search(r"^Umask:\s*([0-7]+)$", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        found = None
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o022)  # no /proc: the only other way to read it
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path` (OSError on failure).

    The file gets the mode an ordinary `open` would give (0666 less the umask, e.g. 0644), not mkstemp's
    0600: a later step of a workflow, run as another user, reads the report.
    """
    tmp = _staged(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_together(files: Mapping[Path, str | bytes]) -> None:
    """Write every file or none: all are written in full beside their places first (where a full disk
    or a kill strikes), then renamed over them. A failure is one UserError naming the file."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _staged(path, data)
        for path, tmp in staged.items():
            os.replace(tmp, path)
    except OSError as err:
        raise UserError(f"cannot write {err.filename or path}: {err.strerror or err}") from None
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


def _staged(path: Path, data: str | bytes) -> Path:
    """`data` in a new temporary file beside `path` (mode as `write_atomic` says), flushed to disk;
    nothing left behind on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~umask())
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def crossing(root: Path, path: Path) -> Path | None:
    """The first of `path` (at or below `root`), the directories between the two and everything below
    `path` that is a symbolic link, on another file system than `root`, or where one is mounted (a bind
    mount): what is written there could land outside `root`. None when there is none (a part that does not
    exist yet is none)."""
    first = root.lstat()
    if stat.S_ISLNK(first.st_mode):
        return root
    device, here, mode, mounts = first.st_dev, root, first.st_mode, _mount_points()
    for part in path.relative_to(root).parts:
        here = here / part
        try:
            found = here.lstat()
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(found.st_mode) or found.st_dev != device or str(here) in mounts:
            return here
        mode = found.st_mode
    return _crossing_below(here, device, mounts) if stat.S_ISDIR(mode) else None


def _crossing_below(top: Path, device: int, mounts: frozenset[str]) -> Path | None:
    todo = [top]
    while todo:
        with os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    return Path(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    if entry.stat(follow_symlinks=False).st_dev != device or entry.path in mounts:
                        return Path(entry.path)
                    todo.append(Path(entry.path))
    return None


def _mount_points() -> frozenset[str]:
    """Where this process sees file systems mounted (Linux's /proc/self/mountinfo; none elsewhere): a bind
    mount of a folder of the same file system keeps its st_dev, so only this list tells it."""
    try:
        text = Path("/proc/self/mountinfo").read_text(errors="surrogateescape")
    except OSError:
        return frozenset()
    # The fifth field; a space, tab, newline or backslash in it is written as an octal escape.
    fields = (line.split(" ")[4] for line in text.splitlines() if line.count(" ") >= 4)
    return frozenset(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field) for field in fields)
