"""Commits git accepts and a careless parser does not: names and paths holding the bytes other tools use as
separators (0x1e, 0x1f, newlines), bytes that are not UTF-8, and markup, built with `git fast-import`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kernelrepo import ts

# (author name, author email, path written, renamed from); paths are fast-import's C-style quoted form.
POISON = [
    (b"Evil\x1fName", b"evil\x1f@example.org", b"mm/damon/a\x1eb.c", None),
    (b"Latin \xe9 Name", b"l\xe9@example.org", b'"mm/damon/new\\nline.c"', None),
    (b"Rec\x1eName", b"rec@example.org", b"mm/damon/\xe9.c", None),
    # Shown as `Name <email>`, these identities are HTML tags.
    (b"Evil", b"img src=x onerror=alert(1)", b"mm/damon/x.c", None),
    (b"Closer | pipe", b"/details", b"mm/damon/y.c", None),
    (b"**bold** [link](https://evil.example)", b"md@example.org", b'"mm/damon/co\\037re.c"', b"mm/damon/core.c"),
    (b"Latin \xe9 Name", b"l\xe9@example.org", b"mm/page_alloc.c", None),
]


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def add_poison(repo: Path, base: str, branch: str, start: int) -> str:
    """The POISON commits on `branch`, on top of `base`, one minute apart from `start`; the new tip."""
    parent = subprocess.run(["git", "rev-parse", f"{base}^{{commit}}"], cwd=repo, capture_output=True, check=True)
    stream = b""
    for n, (name, email, path, old) in enumerate(POISON):
        when = start + 60 * n
        stream += b"commit refs/heads/%s\n" % branch.encode()
        stream += b"author %s <%s> %d +0000\n" % (name, email, when)
        stream += b"committer Committer <committer@example.com> %d +0000\n" % when
        stream += _data(b"poison %d" % n)
        if n == 0:
            stream += b"from " + parent.stdout.strip() + b"\n"
        if old:
            stream += b"R " + old + b" " + path + b"\n"
        else:
            stream += b"M 100644 inline " + path + b"\n" + _data(b"line %d\n" % n * (n + 1))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True)
    return subprocess.run(
        ["git", "rev-parse", branch], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def poisoned_kernel(kernel: Path, dest: Path) -> Path:
    """A clone of the kernel-like repository whose 2023 (…v1.4-rc2) ends with the POISON commits."""
    subprocess.run(["git", "clone", "-q", str(kernel), str(dest)], check=True)
    tip = add_poison(dest, "v1.4-rc2", "poison", ts("2023-12-30T00:00:00"))
    env = {"GIT_COMMITTER_DATE": "2023-12-31T20:00:00+0000", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@x"}
    subprocess.run(["git", "tag", "-f", "-a", "-m", "v1.4-rc2", "v1.4-rc2", tip], cwd=dest, check=True, env=env)
    return dest
