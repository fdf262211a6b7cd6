"""Small, deterministic git repositories shaped like Linux and damo, built with plain git commands."""

from __future__ import annotations

import os
import random
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from reporter.report.config import DEFAULT_YAML

MAINTAINERS = """\
List of maintainers
===================

Descriptive text that is not a section.
Tags like F: in prose must not start a section.

Maintainers List
----------------

.. note:: When reading this list, please look for the most precise areas
          first. When adding to this list, please keep the entries in
          alphabetical order.

DATA ACCESS MONITOR
M:\tSeongJae Park <sj@kernel.org>
L:\tdamon@lists.linux.dev
L:\tlinux-mm@kvack.org
S:\tMaintained
F:\tDocumentation/mm/damon/
F:\tinclude/linux/damon.h
F:\tmm/damon/
F:\tsamples/damon/
X:\tmm/damon/legacy/

DRIVER FOO
M:\tBob Builder <bob@example.org>
S:\tOdd Fixes
F:\tdrivers/foo*
N:\t[_-]foo[_-]

MEMORY CONTROLLER
M:\tCarol Cgroup <carol@example.net>
S:\tMaintained
F:\tinclude/linux/memcontrol*.h
F:\tmm/*control.c
N:\tswap_cgroup

MEMORY MANAGEMENT
M:\tAndrew Morton <akpm@linux-foundation.org>
L:\tlinux-mm@kvack.org
S:\tMaintained
F:\tinclude/linux/mm.h
F:\tmm/
F:\ttools/testing/selftests/mm/
"""

SJ = ("SeongJae Park", "sj@kernel.org")
SJ_OLD = ("SeongJae Park", "sjpark@amazon.de")
ALICE = ("Alice Liddell", "alice@example.com")
ALICE_WORK = ("Alice Liddell", "alice@corp.example")
BOB = ("Bob Builder", "bob@example.org")
CAROL = ("Carol Cgroup", "carol@example.net")
DAVE = ("Dave Developer", "dave@example.com")
AKPM = ("Andrew Morton", "akpm@linux-foundation.org")

FILES = [
    "mm/damon/core.c",
    "mm/damon/vaddr.c",
    "mm/damon/paddr.c",
    "mm/damon/legacy/old.c",
    "include/linux/damon.h",
    "Documentation/mm/damon/index.rst",
    "samples/damon/wsse.c",
    "mm/page_alloc.c",
    "mm/memcontrol.c",
    "mm/swap_cgroup.c",
    "include/linux/mm.h",
    "include/linux/memcontrol-v1.h",
    "tools/testing/selftests/mm/run.sh",
    "drivers/foo_main.c",
    "drivers/net/my_foo_eth.c",
    "fs/ext4/inode.c",
    "kernel/sched/core.c",
]
AUTHORS = [SJ, SJ, SJ, SJ_OLD, ALICE, ALICE_WORK, BOB, CAROL, DAVE, AKPM]


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


class Builder:
    """Commits with fixed identities and dates, so two builds give the same hashes."""

    def __init__(self, path: Path, init: bool = True) -> None:
        """A new repository at `path`, or (`init=False`) more commits on an existing one."""
        self.path = path
        if not init:
            return
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "master")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        full_env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
            "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
            **(env or {}),
        }
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=full_env,
            check=True,
            capture_output=True,
            text=True,
            input=stdin,
        ).stdout

    def write(self, path: str, content: str | bytes | None) -> None:
        target = self.path / path
        if content is None:
            target.unlink()
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)

    def commit(
        self,
        message: str,
        author: tuple[str, str],
        when: int,
        author_when: int | None = None,
        files: dict[str, str | bytes | None] | None = None,
        renames: dict[str, str] | None = None,
    ) -> None:
        for old, new in (renames or {}).items():
            (self.path / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", old, new)
        for path, content in (files or {}).items():
            self.write(path, content)
        self.git("add", "-A")
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": f"@{author_when or when} +0000",
            "GIT_COMMITTER_NAME": "Committer",
            "GIT_COMMITTER_EMAIL": "committer@example.com",
            "GIT_COMMITTER_DATE": f"@{when} +0000",
        }
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)

    def merge(self, branch: str, when: int, message: str) -> None:
        env = {
            "GIT_COMMITTER_DATE": f"@{when} +0000",
            "GIT_AUTHOR_DATE": f"@{when} +0000",
            "GIT_AUTHOR_NAME": "Linus Torvalds",
            "GIT_AUTHOR_EMAIL": "torvalds@linux-foundation.org",
        }
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)

    def tag(self, name: str, when: int, annotated: bool = True) -> None:
        if annotated:
            env = {"GIT_COMMITTER_DATE": f"@{when} +0000"}
            self.git("tag", "-a", name, "-m", name, env=env)
        else:
            self.git("tag", name)


COMMITTER = "Committer <committer@example.com>"  # of Builder.commit's commits
USER = "Test <test@example.com>"  # the repository's user: it merges and tags


class Stream:
    """The history `Builder`'s commands would make, to the same hashes, written by one `git fast-import`
    (a few processes in all, instead of several per commit): branches, commits, merges and tags are kept in
    memory until `done`, which leaves master checked out as Builder does."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream = bytearray()
        self.trees: list[dict[str, bytes]] = []  # each commit's files, by mark - 1
        self.parents: list[tuple[int, ...]] = []  # each commit's parents' marks
        self.refs: dict[str, int] = {}  # branch and tag names: their commit's mark
        self.branch = "master"

    def checkout(self, branch: str, start: str | None = None, create: bool = False) -> None:
        """`git checkout [-b] BRANCH [START]`."""
        if create:
            self.refs[branch] = self.refs[start or self.branch]
        self.branch = branch

    def commit(
        self,
        message: str,
        author: tuple[str, str],
        when: int,
        author_when: int | None = None,
        files: dict[str, str | bytes | None] | None = None,
        renames: dict[str, str] | None = None,
    ) -> None:
        """As Builder.commit: the files renamed, then written (None: removed), on the current branch."""
        tree = dict(self.trees[self.refs[self.branch] - 1]) if self.branch in self.refs else {}
        for old, new in (renames or {}).items():
            tree[new] = tree.pop(old)
        for path, content in (files or {}).items():
            if content is None:
                tree.pop(path)
            else:
                tree[path] = content.encode() if isinstance(content, str) else content
        parents = (self.refs[self.branch],) if self.branch in self.refs else ()
        self._write(tree, parents, f"{author[0]} <{author[1]}> {author_when or when}", f"{COMMITTER} {when}", message)

    def merge(
        self,
        branch: str,
        when: int,
        message: str,
        author: tuple[str, str] = ("Linus Torvalds", "torvalds@linux-foundation.org"),
        files: dict[str, str] | None = None,
    ) -> None:
        """`git merge --no-ff` of `branch` (as Builder.merge), with `files` changed by the merge itself (an evil
        merge). A file changed on both sides keeps ours: the builders write a file from its latest content,
        theirs included, so ours holds their change (what git's own merge makes of it; the hashes say so)."""
        ours, theirs = self.refs[self.branch], self.refs[branch]
        base = self.trees[max(self._ancestors(ours) & self._ancestors(theirs)) - 1]
        mine, other = self.trees[ours - 1], self.trees[theirs - 1]
        tree = {}
        for path in set(mine) | set(other):
            found = other.get(path) if mine.get(path) == base.get(path) else mine.get(path)
            if found is not None:
                tree[path] = found
        tree |= {path: content.encode() for path, content in (files or {}).items()}
        self._write(tree, (ours, theirs), f"{author[0]} <{author[1]}> {when}", f"{USER} {when}", message)

    def tag(self, name: str, when: int, annotated: bool = True) -> None:
        """As Builder.tag, on the current branch's tip."""
        mark = self.refs[self.branch]
        if annotated:
            self.stream += f"tag {name}\nfrom :{mark}\ntagger {USER} {when} +0000\n".encode()
            self._data(f"{name}\n".encode())
        else:
            self.stream += f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode()
        self.refs[name] = mark

    def done(self) -> Path:
        """The repository, made: its configuration as Builder's, the history imported, master checked out."""
        b = Builder(self.path)
        stream = bytes(self.stream) + b"done\n"
        subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=self.path, input=stream, check=True)
        b.git("reset", "-q", "--hard", "master")
        return self.path

    def _ancestors(self, mark: int) -> set[int]:
        found, todo = set(), [mark]
        while todo:
            if (next_mark := todo.pop()) not in found:
                found.add(next_mark)
                todo += self.parents[next_mark - 1]
        return found

    def _write(
        self, tree: dict[str, bytes], parents: tuple[int, ...], author: str, committer: str, message: str
    ) -> None:
        self.trees.append(tree)
        self.parents.append(parents)
        mark = len(self.trees)
        self.stream += f"commit refs/heads/{self.branch}\nmark :{mark}\nauthor {author} +0000\n".encode()
        self.stream += f"committer {committer} +0000\n".encode()
        self._data(f"{message}\n".encode())  # as `git commit -m` keeps a message with no trailing space
        self.stream += "".join(f"{'merge' if i else 'from'} :{p}\n" for i, p in enumerate(parents)).encode()
        self.stream += b"deleteall\n"
        for path, content in sorted(tree.items()):
            self.stream += f"M 100644 inline {path}\n".encode()
            self._data(content)
        self.stream += b"\n"
        self.refs[self.branch] = mark

    def _data(self, content: bytes) -> None:
        self.stream += f"data {len(content)}\n".encode() + content + b"\n"


def _edit(rng: random.Random, text: str, nth: int) -> str:
    """Change a few lines, sometimes exactly one, so that singular shortstat lines occur."""
    lines = text.splitlines()
    if nth % 7 == 0:
        lines.append(f"single {nth}")
        return "\n".join(lines) + "\n"
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(lines) + 1)
        if lines and rng.random() < 0.4:
            lines[min(pos, len(lines) - 1)] = f"changed {nth} {rng.random():.6f}"
        else:
            lines.insert(pos, f"line {nth} {rng.random():.6f}")
    return "\n".join(lines) + "\n"


# (tag, date, annotated): dated like Linux's, so that 2023 is v1.1-rc1 v1.2 v1.3 v1.4-rc2 and 2022 is
# v0.9-rc1 v1.0 v1.1-rc1.
TAGS = [
    ("v0.9-rc1", "2021-12-26T20:00:00", True),
    ("v0.9", "2022-03-20T20:00:00", False),
    ("v1.0", "2022-10-02T20:00:00", True),
    ("v1.1-rc1", "2022-12-25T20:00:00", True),
    ("v1.1", "2023-02-19T20:00:00", False),
    ("v1.2-rc1", "2023-03-05T20:00:00", True),
    ("v1.2", "2023-04-23T20:00:00", True),
    ("v1.3", "2023-08-27T20:00:00", False),
    ("v1.4-rc1", "2023-11-12T20:00:00", True),
    ("v1.4-rc2", "2023-12-31T20:00:00", True),
    ("v1.4", "2024-01-07T20:00:00", True),
    ("v1.5-rc1", "2024-01-21T20:00:00", True),
]


def build_kernel(path: Path, per_tag: int = 9, series: bool = False) -> Path:
    """A kernel-like history: MAINTAINERS, mm/ and mm/damon/, topic-branch merges (one of them evil),
    renames into and inside the DAMON paths, a binary file, several identities per person, and tags
    annotated and lightweight, dated like Linux's; with `series`, also patch series in the shape the mm
    tree commits them (see SERIES)."""
    rng = random.Random(2023)
    b = Stream(path)
    paths = list(FILES)
    contents = {f: "".join(f"{f} line {i}\n" for i in range(12)) for f in FILES}
    start = ts("2020-06-01T00:00:00")  # before the window a cached clone keeps, so it starts shallow
    b.commit(
        "initial import",
        AKPM,
        start,
        files={
            "MAINTAINERS": MAINTAINERS,
            **contents,
            "Documentation/vm/damon/usage.rst": "usage\n" * 20,
            "mm/damon/data.bin": b"\x00\x01\x02" * 10,
        },
    )
    nth = 0
    prev = start
    for tag, date, annotated in TAGS:
        end = ts(date)
        step = (end - prev) // (per_tag + 2)
        for i in range(per_tag):
            nth += 1
            when = prev + step * (i + 1)
            author = AUTHORS[nth % len(AUTHORS)]
            picks = rng.sample(paths, rng.randint(1, 3))
            files: dict[str, str | bytes | None] = {}
            for f in picks:
                contents[f] = _edit(rng, contents[f], nth)
                files[f] = contents[f]
            if i == 3:
                # A topic branch merged with --no-ff, as subsystem trees are.
                b.checkout(f"topic{nth}", create=True)
                b.commit(f"topic {nth}", author, when, author_when=when - 86400 * 40, files=files)
                b.checkout("master")
                contents["kernel/sched/core.c"] = _edit(rng, contents["kernel/sched/core.c"], nth)
                b.commit(
                    f"mainline {nth}", DAVE, when + 60, files={"kernel/sched/core.c": contents["kernel/sched/core.c"]}
                )
                b.merge(f"topic{nth}", when + 120, f"Merge branch 'topic{nth}'")
            else:
                b.commit(f"change {nth}{_trailers(nth, author)}", author, when, files=files)
        prev = end
        _milestone(b, tag, end, paths, contents)
        if series:
            _series(b, tag, end, contents)
        b.tag(tag, end, annotated)
    if series:
        _unstable(b, contents)
    return b.done()


def _trailers(nth: int, author: tuple[str, str]) -> str:
    """Review trailers after the sign-off, as kernel commits carry them: by others, and now and then by the
    author themself (which is no review by someone else)."""
    lines = [f"Signed-off-by: {author[0]} <{author[1]}>"]
    if nth % 3 == 0:
        reviewer = AUTHORS[(nth + 4) % len(AUTHORS)]
        lines.append(f"Reviewed-by: {reviewer[0]} <{reviewer[1]}>")
    if nth % 5 == 0:
        lines.append(f"Acked-by: {author[0]} <{author[1]}>")
    if nth % 4 == 0:
        lines.append(f"Tested-by: {CAROL[0]} <{CAROL[1]}>")
    return "\n\n" + "\n".join(lines)


def _milestone(b: Stream, tag: str, when: int, paths: list[str], contents: dict[str, str]) -> None:
    """One-off shapes at fixed points: renames, a binary change, an evil merge, a merge of an old base."""
    if tag == "v1.1":
        # Documentation moves from vm/ to mm/: a rename into the DAMON paths from outside them.
        b.commit(
            "docs: move damon docs",
            SJ,
            when - 3600,
            renames={"Documentation/vm/damon/usage.rst": "Documentation/mm/damon/usage.rst"},
            files={"Documentation/mm/damon/usage.rst": "usage\n" * 20 + "moved\n"},
        )
    elif tag == "v1.2":
        b.commit("mm/damon: rename vaddr", SJ_OLD, when - 3600, renames={"mm/damon/vaddr.c": "mm/damon/va.c"})
        paths[paths.index("mm/damon/vaddr.c")] = "mm/damon/va.c"
        contents["mm/damon/va.c"] = contents.pop("mm/damon/vaddr.c")
        b.commit("mm/damon: binary", ALICE, when - 1800, files={"mm/damon/data.bin": b"\x00\x03" * 40})
    elif tag == "v1.3":
        # An evil merge: the merge itself changes a DAMON file.
        b.checkout("evil", create=True)
        b.commit("evil side", BOB, when - 7200, files={"drivers/foo_main.c": "evil\n"})
        contents["drivers/foo_main.c"] = "evil\n"
        b.checkout("master")
        contents["mm/damon/core.c"] += "evil merge line\n"
        b.merge("evil", when - 3600, "Merge branch 'evil'", SJ, {"mm/damon/core.c": contents["mm/damon/core.c"]})


# Patch series as the mm tree commits them, each posted with git send-email (STAMP.PID-K-SENDER message-ids,
# the cover letter K=1). Per series: title, cover (the "Patch series" line as it wraps, or None), stamp,
# author, Link host, and its patches: (tag before which it is committed, K, subject, files it changes, topic
# branch or None). The odd ones: a wrapped title with ", v3.", a series whose first patch and another lie
# outside DAMON's paths, one split across v1.2 and v1.3, one across v1.4-rc2 and v1.5-rc1 (after the year),
# a series whose patch K=3 was resent under a new stamp (so it stands alone), a series with no cover
# letter (lore links, K from 1), and patches with no Link at all (the "change N" commits).
SERIES: list[tuple[str, str | None, str, tuple[str, str], str, list[tuple[str, int, str, list[str], bool]]]] = [
    (
        "mm/damon: implement DAMOS tried regions",
        'Patch series "mm/damon: implement DAMOS tried regions".',
        "20221101220328.95765",
        SJ,
        "lkml.kernel.org/r",
        [
            ("v1.1-rc1", 2, "mm/damon/core: add tried regions callback", ["mm/damon/core.c"], False),
            ("v1.1-rc1", 3, "mm/damon/sysfs: expose tried regions", ["mm/damon/paddr.c"], False),
            ("v1.1-rc1", 4, "Docs/mm/damon: document tried regions", ["Documentation/mm/damon/index.rst"], False),
        ],
    ),
    (
        "mm/damon: implement DAMOS filters",
        'Patch series "mm/damon: implement DAMOS\nfilters", v3.',
        "20221205230830.144349",
        SJ,
        "lore.kernel.org/r",
        [
            ("v1.2-rc1", 2, "mm/damon/core: implement damos filter", ["mm/damon/core.c"], True),
            ("v1.2-rc1", 3, "mm/damon/paddr: support anon filter", ["mm/damon/paddr.c"], True),
            ("v1.2-rc1", 4, "mm/damon/sysfs: add filters directory", ["mm/damon/core.c"], True),
            ("v1.2-rc1", 5, "Docs/admin-guide/mm/damon: document filters", ["Documentation/mm/damon/index.rst"], True),
        ],
    ),
    (
        "mm: introduce folio access helpers",
        'Patch series "mm: introduce folio access helpers".',
        "20230201101010.2001",
        ALICE,
        "lkml.kernel.org/r",
        [
            ("v1.2-rc1", 2, "mm: add folio_access helper", ["mm/page_alloc.c"], True),
            ("v1.2-rc1", 3, "mm/damon/paddr: use folio_access", ["mm/damon/paddr.c"], True),
            ("v1.2-rc1", 4, "mm/memcontrol: use folio_access", ["mm/memcontrol.c"], True),
            ("v1.2-rc1", 5, "mm/damon/core: use folio_access", ["mm/damon/core.c"], True),
        ],
    ),
    (
        "mm/damon/sysfs: add quota goals",
        'Patch series "mm/damon/sysfs: add quota goals".',
        "20230410030303.3003",
        SJ,
        "lore.kernel.org/r",
        [
            ("v1.2", 2, "mm/damon/core: add quota goal", ["mm/damon/core.c"], False),
            ("v1.2", 3, "mm/damon/sysfs: add goals dir", ["mm/damon/paddr.c"], False),
            ("v1.2", 4, "mm/damon/sysfs: add goal files", ["mm/damon/paddr.c"], False),
            ("v1.3", 5, "selftests/damon: test goals", ["mm/damon/core.c"], False),
            ("v1.3", 6, "Docs/mm/damon: document goals", ["Documentation/mm/damon/index.rst"], False),
        ],
    ),
    (
        "mm/damon: cleanups",
        'Patch series "mm/damon: cleanups".',
        "20230601040404.4004",
        ALICE,
        "lkml.kernel.org/r",
        [
            ("v1.3", 2, "mm/damon/core: remove unused field", ["mm/damon/core.c"], False),
            ("v1.3", 4, "mm/damon/vaddr: fix a typo", ["mm/damon/core.c"], False),
        ],
    ),
    (
        "mm/damon: remove a dead check",
        None,
        "20230702050505.5005",
        ALICE,
        "lkml.kernel.org/r",
        [("v1.3", 1, "mm/damon: remove a dead check", ["mm/damon/core.c"], False)],
    ),
    (
        "mm/damon: use vmalloc",
        None,
        "20230715060606.6006",
        BOB,
        "lore.kernel.org/damon",
        [
            ("v1.3", 1, "mm/damon: use vmalloc", ["mm/damon/core.c"], False),
            ("v1.3", 2, "mm/damon: free with vfree", ["mm/damon/paddr.c"], False),
        ],
    ),
    (
        "mm/damon: implement pseudo-moving sum based access rate",
        'Patch series "mm/damon: implement pseudo-moving sum based\naccess rate", v2.',
        "20230915025251.72816",
        SJ,
        "lkml.kernel.org/r",
        [
            ("v1.4-rc1", 2, "mm/damon/core: define moving sum", ["mm/damon/core.c"], True),
            ("v1.4-rc1", 3, "mm/damon/core: use moving sum", ["mm/damon/core.c"], True),
            ("v1.4-rc1", 4, "mm/damon/core: test moving sum", ["mm/damon/paddr.c"], True),
        ],
    ),
    (
        "mm/damon: feedback-driven auto-tuning",
        'Patch series "mm/damon: feedback-driven auto-tuning".',
        "20231130023652.50284",
        SJ,
        "lkml.kernel.org/r",
        [
            ("v1.4-rc2", 2, "mm/damon/core: implement goal feedback", ["mm/damon/core.c"], False),
            ("v1.4-rc2", 3, "mm/damon/sysfs: expose feedback", ["mm/damon/paddr.c"], False),
            ("v1.5-rc1", 4, "mm/damon/core: tune feedback", ["mm/damon/core.c"], False),
        ],
    ),
]


def _series(b: Stream, tag: str, when: int, contents: dict[str, str]) -> None:
    """The SERIES patches due before `tag`, committed just before it; those of a topic branch are merged by
    Linus (a tag's patches are all on one branch or all direct)."""
    due = [(item, patch) for item in SERIES for patch in item[5] if patch[0] == tag]
    topic = any(patch[4] for _, patch in due)
    if topic:
        b.checkout(f"mm-stable-{tag}", create=True)
    for nth, ((_, cover, stamp, author, host, patches), (_, k, subject, files, _)) in enumerate(due):
        for f in files:
            contents[f] += f"{subject}\n"
        posted = max(p[1] for p in patches) - 1  # K=1 is the cover letter, which git does not hold
        letter = f"{cover}\n\nThe cover letter.\n\nThis patch (of {posted}):\n\n" if cover and k == 2 else ""
        trailers = f"Link: https://{host}/{stamp}-{k}-{author[1]}\nSigned-off-by: {author[0]} <{author[1]}>"
        message = f"{subject}\n\n{letter}The patch itself.\n\n{trailers}"
        b.commit(message, author, when - 900 + nth * 10, files={f: contents[f] for f in files})
    if topic:
        b.checkout("master")
        b.merge(f"mm-stable-{tag}", when - 300, f"Merge tag 'mm-stable-{tag}'")


# A series in the mm tree's development branch at the end of 2023, in no release: `kernel.next_refs`.
UNSTABLE = ("mm-unstable", "mm/damon: add a goal metric", "20231220101010.7007", ["core", "sysfs", "docs"])


def _unstable(b: Stream, contents: dict[str, str]) -> None:
    branch, title, stamp, subjects = UNSTABLE
    b.checkout(branch, "v1.4-rc1", create=True)
    for k, subject in enumerate(subjects, 2):
        letter = f'Patch series "{title}".\n\nThis patch (of {len(subjects)}):\n\n' if k == 2 else ""
        trailers = f"Link: https://lkml.kernel.org/r/{stamp}-{k}-{SJ[1]}\nSigned-off-by: {SJ[0]} <{SJ[1]}>"
        text = contents["mm/damon/core.c"] + f"{subject}\n"
        when = ts("2023-12-20T10:00:00") + k * 60
        b.commit(f"mm/damon: {subject}\n\n{letter}The patch.\n\n{trailers}", SJ, when, files={"mm/damon/core.c": text})
    b.checkout("master")


DAMO_AUTHORS = [
    SJ,
    SJ,
    ("SeongJae Park", "sj38.park@gmail.com"),
    ("Honggyu Kim", "honggyu.kp@gmail.com"),
    ("Honggyu Kim", "honggyu.kim@sk.com"),
]


def build_tool(path: Path, per_month: int = 4) -> Path:
    """A damo-like repository: monthly commits across 2022-2024, no tags needed (calendar years)."""
    rng = random.Random(7)
    b = Stream(path)
    text = "".join(f"damo line {i}\n" for i in range(20))
    nth = 0
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            if (year, month) == (2023, 1):  # the first second of 2023, for whole-day date semantics
                b.commit("new year", SJ, ts("2023-01-01T00:00:00"), files={"CHANGES": "a\n"})
            for k in range(per_month):
                nth += 1
                text = _edit(rng, text, nth)
                when = ts(f"{year}-{month:02d}-{1 + k * 7:02d}T12:00:00")
                b.commit(f"damo {nth}", DAMO_AUTHORS[nth % len(DAMO_AUTHORS)], when, files={"damo.py": text})
        if year == 2023:  # and its last second
            b.commit("old year", SJ, ts("2023-12-31T23:59:59"), files={"CHANGES": "a\nb\n"})
    return b.done()


# The report configuration for these repositories: the default one, without the explicit 2022 refs of real
# Linux.

CONFIG = re.sub(r"\n  refs: .*\n    2022: .*\n", "\n", DEFAULT_YAML)


def report_2023(tmp_path: Path, kernel: Path, tool: Path, config_text: str = CONFIG) -> Path:
    """`retrospect report` for 2023 of these repositories, offline, with this configuration: its output
    directory."""
    from reporter.cli import main

    config = tmp_path / "retrospect.yml"
    config.write_text(config_text)
    out = tmp_path / "out"
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out), "--quiet", "--offline"]
    assert main([*args, "--repo", f"linux={kernel}", "--repo", f"damo={tool}"]) == 0
    return out


def offline_config(path: Path, damo_url: str) -> Path:
    """CONFIG without its web sections (nothing reaches the internet), damo cloned from `damo_url`, at `path`."""
    path.write_text(re.sub(r"https://github\.com/[\w-]+/damo\.git", damo_url, CONFIG.split("\ngithub:")[0]))
    return path
