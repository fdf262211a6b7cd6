#!/usr/bin/env python3
"""Generate a deterministic Linux-year-scale git repository for retrospect's benchmark.

The history imitates Linux from v6.0 (the root commit, a whole-tree import) to v6.7: subsystem topic
branches fork from an -rc tag, collect patches from Zipf-distributed authors and are merged into the
mainline by Linus (about 6% of commits are merges, most of them in the two-week merge windows), a few
patches land on the mainline directly, and every tag gets its "Linux X.Y-rcN" commit and an annotated
tag dated like the real one. The tree has a kernel-style MAINTAINERS with a few hundred sections
(F:, X:, N: entries; DATA ACCESS MONITOR and MEMORY MANAGEMENT among them, and ARM ROCKCHIP, whose N:
lines match several hundred files) and a few thousand files.

Patches are posted as patch series, and their messages say so the way the kernel's do: one author's
patches to one area in a topic are posted as series of 1-12 patches, each patch's `Link:
https://lkml.kernel.org/r/STAMP.PID-K-SENDER` message-id as git send-email makes it (shared STAMP.PID and
SENDER, K its place), the memory-management tree's series with their cover letter folded into the first
patch (`Patch series "TITLE".`, sometimes wrapped over two lines or ending `, v3.`, then `This patch (of
N):`); other trees' links go to lore.kernel.org, and some patches have no Link at all. The series are drawn
from a generator of their own and change only the messages: the commits, their paths, dates, authors and
line counts are those that the same arguments gave before messages carried series, so every figure
computed from them is the same.

Everything comes from seeded random generators and fixed dates and identities, and the stream is fed to
`git fast-import` (blobs inline), so the same arguments give the same commit hashes on every run.

    python benchmarks/genrepo.py --out /tmp/bench/linux-year            # ~100,000 commits
    python benchmarks/genrepo.py --small --out /tmp/bench/linux-small   # ~5,000 commits
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFAULT_COMMITS = 100_000
SMALL_COMMITS = 5_000
DEFAULT_SEED = 2023
MERGE_SHARE = 0.06  # of all commits, like Linux
DIRECT_SHARE = 0.08  # of non-merge commits: patches applied on the mainline itself
# Share of non-merge commits merged before the year's first boundary (v6.2-rc1) and after its last
# (v6.7-rc8); the rest (80.3%) falls inside the year, which keeps >= 75,000 there at 100,000 commits.
PRE_YEAR_SHARE = 0.195
POST_YEAR_SHARE = 0.002
# The year's five rows of the seed post's commits table, as weights for the in-year cycles.
YEAR_CYCLE_WEIGHTS = (16273, 14835, 13561, 14069, 17138)
MERGE_WINDOW_WEIGHT = 12.0  # against 0.4 for each -rc week, as in a Linux cycle
RC_WEEK_WEIGHT = 0.4

LINUS = ("Linus Torvalds", "torvalds@linux-foundation.org", -8)
AKPM = ("Andrew Morton", "akpm@linux-foundation.org", -8)
SJ = ("SeongJae Park", "sj@kernel.org", -8)
SJ_OLD = ("SeongJae Park", "sjpark@amazon.de", 1)
SERIES_SIZES = (1, 1, 2, 3, 4, 5, 6, 8, 10, 12)  # patches in one posting, drawn for each
SERIES_VERBS = ("implement", "introduce", "support", "add", "extend", "improve", "rework", "fix", "clean up")
NO_LINK_SHARE = 0.15  # of series outside the mm tree, applied without a Link trailer
MM_LINKS = "lkml.kernel.org/r"  # the mm tree's Link host; other trees link lore
LORE_LINKS = "lore.kernel.org/r"
SJ_DAMON_SHARE = 0.78  # of DAMON patches; mm patches touch mm/damon too: ~70% in all

# (tag, date, UTC offset in hours). Times are Linus' usual Sunday afternoons, as in the real tags.
TAGS: tuple[tuple[str, str, int], ...] = (
    ("v6.0", "2022-10-02 14:20", -7),
    ("v6.1-rc1", "2022-10-16 15:24", -7),
    ("v6.1-rc2", "2022-10-23 15:24", -7),
    ("v6.1-rc3", "2022-10-30 15:19", -7),
    ("v6.1-rc4", "2022-11-06 15:07", -8),
    ("v6.1-rc5", "2022-11-13 13:12", -8),
    ("v6.1-rc6", "2022-11-20 16:02", -8),
    ("v6.1-rc7", "2022-11-27 13:31", -8),
    ("v6.1-rc8", "2022-12-04 14:48", -8),
    ("v6.1", "2022-12-11 14:15", -8),
    ("v6.2-rc1", "2022-12-25 13:41", -8),
    ("v6.2-rc2", "2023-01-01 13:53", -8),
    ("v6.2-rc3", "2023-01-08 11:49", -6),
    ("v6.2-rc4", "2023-01-15 09:22", -6),
    ("v6.2-rc5", "2023-01-21 16:27", -8),
    ("v6.2-rc6", "2023-01-29 13:59", -8),
    ("v6.2-rc7", "2023-02-05 13:13", -8),
    ("v6.2-rc8", "2023-02-12 14:10", -8),
    ("v6.2", "2023-02-19 14:24", -8),
    ("v6.3-rc1", "2023-03-05 14:52", -8),
    ("v6.3-rc2", "2023-03-12 16:36", -7),
    ("v6.3-rc3", "2023-03-19 13:58", -7),
    ("v6.3-rc4", "2023-03-26 14:47", -7),
    ("v6.3-rc5", "2023-04-02 14:29", -7),
    ("v6.3-rc6", "2023-04-09 11:15", -7),
    ("v6.3-rc7", "2023-04-16 15:23", -7),
    ("v6.3", "2023-04-23 12:02", -7),
    ("v6.4-rc1", "2023-05-07 13:34", -7),
    ("v6.4-rc2", "2023-05-14 12:51", -7),
    ("v6.4-rc3", "2023-05-21 14:05", -7),
    ("v6.4-rc4", "2023-05-28 07:49", -4),
    ("v6.4-rc5", "2023-06-04 14:04", -4),
    ("v6.4-rc6", "2023-06-11 14:31", -7),
    ("v6.4-rc7", "2023-06-18 14:06", -7),
    ("v6.4", "2023-06-25 16:29", -7),
    ("v6.5-rc1", "2023-07-09 13:53", -7),
    ("v6.5-rc2", "2023-07-16 15:10", -7),
    ("v6.5-rc3", "2023-07-23 15:24", -7),
    ("v6.5-rc4", "2023-07-30 13:51", -7),
    ("v6.5-rc5", "2023-08-06 15:07", -7),
    ("v6.5-rc6", "2023-08-13 11:53", -7),
    ("v6.5-rc7", "2023-08-20 15:02", -7),
    ("v6.5", "2023-08-27 14:49", -7),
    ("v6.6-rc1", "2023-09-10 16:28", -7),
    ("v6.6-rc2", "2023-09-17 14:40", -7),
    ("v6.6-rc3", "2023-09-24 14:31", -7),
    ("v6.6-rc4", "2023-10-01 14:15", -7),
    ("v6.6-rc5", "2023-10-08 13:49", -7),
    ("v6.6-rc6", "2023-10-15 13:39", -7),
    ("v6.6-rc7", "2023-10-22 12:40", -10),
    ("v6.6", "2023-10-30 06:31", -10),
    ("v6.7-rc1", "2023-11-12 16:19", -8),
    ("v6.7-rc2", "2023-11-19 15:02", -8),
    ("v6.7-rc3", "2023-11-26 19:59", -8),
    ("v6.7-rc4", "2023-12-03 18:52", +9),
    ("v6.7-rc5", "2023-12-10 14:33", -8),
    ("v6.7-rc6", "2023-12-17 15:19", -8),
    ("v6.7-rc7", "2023-12-24 15:29", -8),
    ("v6.7-rc8", "2023-12-31 13:51", -8),
    ("v6.7", "2024-01-07 12:18", -8),
)
YEAR_FIRST, YEAR_LAST = "v6.2-rc1", "v6.7-rc8"
YEAR_BOUNDARIES = ("v6.2-rc1", "v6.3", "v6.4", "v6.5", "v6.6", "v6.7-rc8")

FIRST_NAMES = (
    "Adam Alex Alexander Alexei Alexey Ali Andrea Andreas Andrei Andrew Andy Anshuman Arnd Ard Baolin "
    "Ben Benjamin Bjorn Boris Brian Chao Charles Chen Chris Christian Christoph Christophe Chuck Claudio "
    "Dan Daniel Dario Dave David Dmitry Dong Eric Eugen Fabio Feng Florian Frank Gao Geert Greg Guo "
    "Hans Hao Heiko Herbert Hugh Ian Ido Ilpo Ingo Jakub Jan Jann Jason Javier Jens Jiri Joe Joel Johan "
    "Johannes John Jon Jonathan Josef Juergen Kai Kees Kefeng Kent Konrad Krzysztof Kuniyuki Lai Laurent "
    "Lee Leon Li Liam Lorenzo Luca Lukas Marc Marek Mark Martin Masahiro Mathieu Matthew Maxime Mel "
    "Michael Michal Miguel Mike Ming Miquel Muchun Nathan Neil Nick Nicolas Oleg Oliver Pablo Paolo "
    "Pavel Peter Petr Qi Rafael Randy Rob Robin Roman Russell Ryan Sakari Sam Sascha Sean Sebastian "
    "Sergey Shakeel Simon Stefan Stephen Steven Suren Takashi Tejun Thomas Tiezhu Tony Uwe Vincent Vinod "
    "Vishal Vlastimil Wei Will Xin Yang Yosry Yu Yury Zhang Zhen Zi"
).split()
LAST_NAMES = (
    "Anderson Arnd Bauer Becker Berg Bianchi Brown Campbell Carpenter Chen Cheng Clark Cohen Cooper Costa "
    "Dai Davies Deng Dickins Du Edwards Evans Fischer Fontana Ford Gao Garcia Gomez Gray Gruenbacher Gu "
    "Guo Hall Han Hansen Harris He Helgaas Hoffmann Hu Huang Jackson Jiang Jin Johnson Jones Kang Kim "
    "King Klein Koch Kumar Lang Lee Lehmann Li Liang Lin Liu Lopez Lu Luo Ma Martin Meyer Miller Moore "
    "Morgan Mueller Nakamura Nguyen Novak Olsen Park Peng Perez Peters Qian Reddy Richter Roberts "
    "Rodriguez Rossi Ruan Sato Schmidt Schneider Schulz Shah Shen Silva Smith Song Sun Suzuki Tanaka "
    "Tang Taylor Thomas Tian Turner Vogel Wagner Walker Wang Watanabe Weber White Wilson Wolf Wong Wu "
    "Xiao Xie Xu Yamada Yan Yang Ye Yi Young Yu Yuan Zeng Zhang Zhao Zheng Zhou Zhu Zimmermann"
).split()
UNUSUAL_NAMES = (
    "Thomas Weißschuh",
    "Uwe Kleine-König",
    "Ilpo Järvinen",
    "Nícolas F. R. A. Prado",
    "Rafał Miłecki",
    "José Expósito",
    "Jérôme Glisse",
    "andrew.yang",
    "Dr. David Alan Gilbert",
)
DOMAINS = (
    "kernel.org",
    "intel.com",
    "redhat.com",
    "google.com",
    "huawei.com",
    "amd.com",
    "linaro.org",
    "gmail.com",
    "suse.com",
    "suse.de",
    "oracle.com",
    "nvidia.com",
    "arm.com",
    "meta.com",
    "ibm.com",
    "linux.ibm.com",
    "bytedance.com",
    "alibaba.com",
    "linux.alibaba.com",
    "163.com",
    "qq.com",
    "samsung.com",
    "sk.com",
    "mediatek.com",
    "collabora.com",
    "bootlin.com",
    "pengutronix.de",
    "microsoft.com",
    "vivo.com",
    "zte.com.cn",
    "outlook.com",
    "linux.dev",
    "broadcom.com",
    "amazon.com",
)
TZ_HOURS = (-8, -7, -5, -4, 0, 1, 2, 3, 5, 8, 8, 8, 9, 10)
WORDS = (
    "page folio region scheme quota memory cgroup lock mutex spinlock irq queue buffer request device "
    "driver probe remove resume suspend clock reset regulator register mapping table entry node zone "
    "slab cache allocation reclaim writeback inode dentry extent journal transaction socket packet "
    "route filter netlink header descriptor ring interrupt timer thread worker task scheduler policy "
    "counter statistics monitor target context attribute sysfs debugfs tracepoint kunit selftest "
    "documentation comment warning error overflow leak race deadlock refcount pointer bitmap array"
).split()
VERBS = (
    "fix",
    "add",
    "remove",
    "use",
    "convert",
    "introduce",
    "simplify",
    "drop",
    "rename",
    "clean up",
    "update",
    "avoid",
    "handle",
    "support",
    "document",
    "refactor",
    "optimize",
    "check",
    "export",
)
C_TEMPLATES = (
    "\t{a} = {b}_{c}({d}, {e});",
    "\tif (!{a})\n\t\treturn -EINVAL;",
    "\tstruct {a} *{b} = {c}->{d};",
    "\t{a}->{b} = {c};",
    "\tlist_for_each_entry({a}, &{b}->{c}, list) {{",
    "\t}}",
    "\treturn {a};",
    "\tspin_lock(&{a}->{b}_lock);",
    "\tspin_unlock(&{a}->{b}_lock);",
    "static int {a}_{b}(struct {c} *{d})",
    "{{",
    "}}",
    "",
    "\t/* {a} the {b} before {c} the {d} */",
    "\tunsigned long {a}_{b} = 0;",
    "#include <linux/{a}.h>",
    '\tpr_debug("{a}: {b} %d\\n", {c});',
    "\tfor (i = 0; i < nr_{a}; i++)",
    "\t\t{a}[i] = {b}_{c}(i);",
    "\tmutex_lock(&{a}_{b}_mutex);",
    "\tmutex_unlock(&{a}_{b}_mutex);",
    "#define {A}_{B}\t{n}",
    "\tif ({a}->{b} > {c})",
    "\t\tgoto out_{a};",
    "out_{a}:",
    "\tkfree({a});",
    "EXPORT_SYMBOL_GPL({a}_{b});",
    "\t{a} += {b}_{c}({d});",
    "\tWARN_ON_ONCE(!{a}_{b}({c}));",
)
TEXT_TEMPLATES = (
    "The {a} {b} is used to {c} the {d}.",
    "",
    "{A} {B}",
    "=" * 12,
    "- ``{a}_{b}``: {c} of the {d}.",
    "Users can {c} {a} via the ``{b}`` file.",
    "See :doc:`{a}` for details of the {b} {c}.",
    "Note that the {a} does not {c} any {b}.",
    "echo {n} > {a}/{b}",
    "   # cat {a}/{b}",
)


# --------------------------------------------------------------------------- identities and dates
@dataclass(frozen=True)
class Ident:
    name: str
    email: str
    tz_hours: int

    def line(self, when: int, tz_hours: int | None = None) -> str:
        tz = self.tz_hours if tz_hours is None else tz_hours
        return f"{self.name} <{self.email}> {when} {'-' if tz < 0 else '+'}{abs(tz):02d}00"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def epoch(date: str, tz_hours: int) -> int:
    local = datetime.strptime(date, "%Y-%m-%d %H:%M")
    return int((local - timedelta(hours=tz_hours)).replace(tzinfo=UTC).timestamp())


def make_identities(rng: random.Random, count: int) -> list[Ident]:
    """`count` distinct identities; about 5% share a name with another (several emails per person)."""
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    names = list(UNUSUAL_NAMES) + names[: count - len(UNUSUAL_NAMES)]
    people: list[Ident] = []
    emails: set[str] = set()
    for name in names:
        while len(people) < count:
            local = name.lower().encode("ascii", "ignore").decode().replace(" ", ".").replace("..", ".")
            email = f"{local}@{rng.choice(DOMAINS)}"
            if email not in emails:
                emails.add(email)
                people.append(Ident(name, email, rng.choice(TZ_HOURS)))
            if rng.random() > 0.05:
                break
        if len(people) >= count:
            break
    return people


class Zipf:
    """Draws from a list with weight 1/(rank+1)**s; the list can grow (new items get the next rank)."""

    def __init__(self, items: Iterable, s: float = 1.0) -> None:
        self.items: list = []
        self.cum: list[float] = []
        self.s = s
        for item in items:
            self.add(item)

    def add(self, item, weight: float | None = None) -> None:
        w = weight if weight is not None else 1.0 / (len(self.items) + 1) ** self.s
        self.items.append(item)
        self.cum.append((self.cum[-1] if self.cum else 0.0) + w)

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


# --------------------------------------------------------------------------- the tree and MAINTAINERS
@dataclass
class Area:
    """One MAINTAINERS section, and the files its topic branches change."""

    title: str
    maintainers: list[Ident]
    entries: list[str]  # "F:\tpath" lines and friends, in MAINTAINERS order
    files: list[str]
    prefix: str  # commit subject prefix
    weight: float = 0.0
    extra_dirs: list[str] = field(default_factory=list)  # where renames may move files to
    carried: tuple[Area, float] | None = None  # (sub-area, share of this area's patches that are its)
    batch: int = 1  # about how many topics go in one pull request
    picker: Zipf | None = None


def syllable_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    parts = (
        "ab",
        "ac",
        "al",
        "am",
        "ar",
        "ax",
        "be",
        "bo",
        "ca",
        "co",
        "da",
        "de",
        "el",
        "en",
        "fa",
        "ge",
        "ha",
        "in",
        "io",
        "ka",
        "ki",
        "la",
        "lo",
        "ma",
        "mi",
        "na",
        "no",
        "or",
        "pa",
        "qu",
        "ra",
        "ri",
        "sa",
        "si",
        "ta",
        "te",
        "tu",
        "ul",
        "va",
        "vi",
        "xe",
        "yo",
        "za",
        "zo",
    )
    out: list[str] = []
    while len(out) < count:
        name = "".join(rng.choice(parts) for _ in range(rng.randint(2, 3)))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def c_files(rng: random.Random, directory: str, stem: str, count: int) -> list[str]:
    names = ["Kconfig", "Makefile", f"{stem}.h", f"{stem}_main.c"]
    for word in rng.sample(WORDS, k=min(len(WORDS), max(0, count - len(names)))):
        names.append(f"{stem}_{word}.c")
    return [f"{directory}/{n}" for n in names[:count]]


DAMON_FILES = (
    [
        f"mm/damon/{n}"
        for n in (
            "core.c",
            "core-test.h",
            "dbgfs.c",
            "dbgfs-test.h",
            "lru_sort.c",
            "modules-common.c",
            "modules-common.h",
            "ops-common.c",
            "ops-common.h",
            "paddr.c",
            "reclaim.c",
            "sysfs.c",
            "sysfs-common.c",
            "sysfs-common.h",
            "sysfs-schemes.c",
            "sysfs-test.h",
            "vaddr.c",
            "vaddr-test.h",
            "Kconfig",
            "Makefile",
        )
    ]
    + ["include/linux/damon.h"]
    + [f"Documentation/admin-guide/mm/damon/{n}.rst" for n in ("index", "start", "usage", "reclaim", "lru_sort")]
    + [f"samples/damon/{n}" for n in ("Kconfig", "Makefile", "wsse.c", "prcl.c")]
    + [
        f"tools/testing/selftests/damon/{n}"
        for n in (
            "Makefile",
            "config",
            "_chk_dependency.sh",
            "_debugfs_common.sh",
            "debugfs_attrs.sh",
            "sysfs.sh",
            "lru_sort.sh",
            "reclaim.sh",
            "sysfs.py",
            "_damon_sysfs.py",
            "access_memory.c",
        )
    ]
)
MM_C = (
    "memory mmap page_alloc vmscan slub slab_common slab swap swapfile swap_state filemap "
    "readahead page-writeback truncate shmem hugetlb huge_memory khugepaged ksm madvise mempolicy "
    "migrate compaction memcontrol memory-failure memory_hotplug mlock mprotect mremap msync "
    "oom_kill page_io page_isolation page_owner pagewalk percpu rmap sparse util vmalloc vmstat "
    "workingset zswap zsmalloc z3fold zbud gup hmm userfaultfd mmu_notifier mmu_gather backing-dev "
    "bootmem_info cma debug dmapool early_ioremap fadvise folio-compat highmem init-mm interval_tree "
    "list_lru maccess memblock memfd memremap memtest mincore mm_init mmzone nommu page_counter "
    "page_ext page_reporting page_table_check page_vma_mapped pgalloc-track pgtable-generic "
    "process_vm_access secretmem shrinker shuffle show_mem sparse-vmemmap swap_cgroup "
    "userfaultfd vmpressure"
).split()


def special_areas() -> list[Area]:
    damon = Area(
        "DATA ACCESS MONITOR",
        [Ident(*SJ)],
        [
            "L:\tdamon@lists.linux.dev",
            "L:\tlinux-mm@kvack.org",
            "S:\tMaintained",
            "W:\thttps://damonitor.github.io",
            "T:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm",
            "F:\tDocumentation/admin-guide/mm/damon/",
            "F:\tinclude/linux/damon.h",
            "F:\tmm/damon/",
            "F:\tsamples/damon/",
            "F:\ttools/testing/selftests/damon/",
        ],
        list(DAMON_FILES),
        "mm/damon",
        extra_dirs=["mm/damon"],
    )
    mm_files = sorted({f"mm/{n}.c" for n in MM_C}) + [
        "mm/internal.h",
        "mm/slab.h",
        "mm/Kconfig",
        "mm/Makefile",
        "include/linux/mm.h",
    ]
    mm_files += [
        f"tools/testing/selftests/mm/{n}"
        for n in (
            "Makefile",
            "config",
            "run_vmtests.sh",
            "cow.c",
            "gup_test.c",
            "hugepage-mmap.c",
            "khugepaged.c",
            "ksm_tests.c",
            "madv_populate.c",
            "map_fixed_noreplace.c",
            "memfd_secret.c",
            "migration.c",
            "mlock2-tests.c",
            "mremap_test.c",
            "protection_keys.c",
            "soft-dirty.c",
            "split_huge_page_test.c",
            "transhuge-stress.c",
            "uffd-stress.c",
            "uffd-unit-tests.c",
            "vm_util.c",
            "vm_util.h",
        )
    ]
    mm = Area(
        "MEMORY MANAGEMENT",
        [Ident(*AKPM)],
        [
            "L:\tlinux-mm@kvack.org",
            "S:\tMaintained",
            "W:\thttp://www.linux-mm.org",
            "T:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm",
            "T:\tquilt git://git.kernel.org/pub/scm/linux/kernel/git/akpm/25-new",
            "F:\tinclude/linux/mm.h",
            "F:\tmm/",
            "F:\ttools/testing/selftests/mm/",
        ],
        # Now and then an mm file moves into mm/damon/: a rename across the DAMON pathspec.
        mm_files,
        "mm",
        weight=0.0211,
        extra_dirs=["mm"] * 19 + ["mm/damon"],
    )
    # DAMON patches reach the mainline through the mm tree: one in ten of its patches, like in 2023.
    mm.carried = (damon, 0.10)
    mm.batch = 8
    slab = Area(
        "SLAB ALLOCATOR",
        [Ident("Vlastimil Babka", "vbabka@suse.cz", 1)],
        ["L:\tlinux-mm@kvack.org", "S:\tMaintained", "F:\tinclude/linux/sl?b*.h", "F:\tmm/sl?b*"],
        ["include/linux/slab.h", "include/linux/slub_def.h", "mm/slab.h", "mm/slab_common.c", "mm/slub.c"],
        "mm/slub",
        weight=0.0015,
    )
    kasan = Area(
        "KASAN",
        [Ident("Andrey Ryabinin", "ryabinin.a.a@gmail.com", 3)],
        [
            "L:\tkasan-dev@googlegroups.com",
            "S:\tMaintained",
            "F:\tDocumentation/dev-tools/kasan.rst",
            "F:\tinclude/linux/kasan*.h",
            "F:\tlib/Kconfig.kasan",
            "F:\tmm/kasan/",
            "F:\tscripts/Makefile.kasan",
        ],
        [
            "Documentation/dev-tools/kasan.rst",
            "include/linux/kasan.h",
            "include/linux/kasan-enabled.h",
            "lib/Kconfig.kasan",
            "scripts/Makefile.kasan",
        ]
        + [
            f"mm/kasan/{n}"
            for n in (
                "common.c",
                "generic.c",
                "hw_tags.c",
                "kasan.h",
                "report.c",
                "shadow.c",
                "sw_tags.c",
                "init.c",
                "quarantine.c",
                "Makefile",
            )
        ],
        "kasan",
        weight=0.0008,
    )
    return [damon, mm, slab, kasan, soc_family_area()]


SOC_BOARDS = 60  # boards of the N:-heavy SoC family, each with its device trees, defconfig and board code


def soc_family_area() -> Area:
    """A section like U-Boot's ARM ROCKCHIP: `N:` regexes that match several hundred files all over the
    tree (device trees, defconfigs, board code, drivers), which retrospect resolves to literal pathspecs.
    Renames may move a file out of the regexes' reach (to arch/arm/dts/) or within it."""
    chips = [f"rk3{n:03d}" for n in range(0, 600, 50)]  # 12 chips
    dts: list[str] = []
    configs: list[str] = []
    boards: list[str] = []
    for i in range(SOC_BOARDS):
        chip, board = chips[i % len(chips)], f"{WORDS[i % len(WORDS)]}{i}"
        dts += [f"arch/arm64/boot/dts/rockchip/{chip}-{board}{v}.dts" for v in ("", "-v2", "-lite")]
        dts.append(f"arch/arm64/boot/dts/rockchip/{chip}-{board}-u-boot.dtsi")
        configs.append(f"configs/{board}-{chip}_defconfig")
        boards += [f"board/rockchip/{board}/{board}.c", f"board/rockchip/{board}/Kconfig"]
    drivers = [
        f"drivers/{kind}/rockchip/{kind}-{chip}.c"
        for kind in ("clk", "pinctrl", "phy", "pwm", "power", "ram", "video")
        for chip in chips[:8]
    ]
    mach = [f"arch/arm/mach-rockchip/{n}" for n in ("Kconfig", "Makefile", "boot_mode.c", "board.c", "sdram.c")]
    return Area(
        "ARM ROCKCHIP",
        [Ident("Kever Yang", "kever.yang@rock-chips.com", 8)],
        [
            "S:\tMaintained",
            "T:\tgit https://source.denx.de/u-boot/custodians/u-boot-rockchip.git",
            "F:\tarch/arm/mach-rockchip/",
            "N:\trockchip",
            "N:\t(?:^|/)rk3[0-9]+",
        ],
        mach + dts + configs + boards + drivers,
        "rockchip",
        weight=0.012,
        extra_dirs=["arch/arm64/boot/dts/rockchip"] * 4 + ["arch/arm/dts"],
    )


def generated_areas(rng: random.Random, people: list[Ident]) -> list[Area]:
    """A few hundred sections over drivers/, fs/, arch/, kernel/, net/, ... with F:, X: and N: lines."""
    taken: set[str] = set()
    areas: list[Area] = []
    maintainers = people[:400]

    def add(title: str, files: list[str], entries: list[str], prefix: str, extra: list[str]) -> None:
        ms = rng.sample(maintainers, k=rng.choice((1, 1, 2)))
        lists = [
            f"L:\t{prefix.split('/')[0].split(':')[0]}@vger.kernel.org",
            f"S:\t{rng.choice(('Maintained', 'Maintained', 'Supported', 'Odd Fixes'))}",
        ]
        areas.append(Area(title, ms, lists + entries, files, prefix, extra_dirs=extra))

    classes = (
        ("drivers/net/ethernet", "{} ETHERNET DRIVER", 40, "net: {}"),
        ("drivers/net/wireless", "{} WIRELESS DRIVER", 15, "wifi: {}"),
        ("drivers/gpu/drm", "DRM DRIVER FOR {}", 30, "drm/{}"),
        ("drivers/usb", "USB {} DRIVER", 15, "usb: {}"),
        ("drivers/scsi", "{} SCSI DRIVER", 15, "scsi: {}"),
        ("drivers/media/platform", "{} MEDIA DRIVER", 20, "media: {}"),
        ("drivers/iio", "IIO {} DRIVER", 10, "iio: {}"),
        ("drivers/pinctrl", "PIN CONTROLLER - {}", 12, "pinctrl: {}"),
        ("drivers/staging", "STAGING - {}", 10, "staging: {}"),
    )
    for base, title, count, prefix in classes:
        for name in syllable_names(rng, count, taken):
            d = f"{base}/{name}"
            files = c_files(rng, d, name, rng.randint(4, 14))
            if rng.random() < 0.08:
                files.append(f"{d}/{name}_fw.bin")
            entries = [f"F:\t{d}/"]
            if rng.random() < 0.3:
                doc = f"Documentation/devicetree/bindings/{base.split('/')[1]}/{name}.yaml"
                files.append(doc)
                entries.insert(0, f"F:\t{doc}")
            add(title.format(name.upper()), files, entries, prefix.format(name), [d])
    for name in syllable_names(rng, 40, taken):  # hwmon: glob F: lines, files side by side
        files = [f"drivers/hwmon/{name}.c", f"Documentation/hwmon/{name}.rst"]
        if rng.random() < 0.4:
            files.append(f"drivers/hwmon/{name}-core.c")
        add(
            f"{name.upper()} HARDWARE MONITOR DRIVER",
            files,
            [f"F:\tDocumentation/hwmon/{name}.rst", f"F:\tdrivers/hwmon/{name}*"],
            f"hwmon: ({name})",
            ["drivers/hwmon"],
        )
    for soc in syllable_names(rng, 20, taken):  # ARM SoCs: N: regular expressions over the tree
        files = [f"arch/arm64/boot/dts/{soc}/{soc}-{b}.dts" for b in ("evb", "som", "base")]
        files += [f"drivers/soc/{soc}/{soc}-pm.c", f"drivers/clk/{soc}/clk-{soc}.c"]
        if rng.random() < 0.3:
            files.append(f"Documentation/arch/arm/{soc}/overview.png")
        add(
            f"ARM/{soc.upper()} SOC SUPPORT",
            files,
            [f"F:\tarch/arm64/boot/dts/{soc}/", f"N:\t{soc}"],
            f"arm64: dts: {soc}",
            [f"arch/arm64/boot/dts/{soc}"],
        )
    fss = (
        "ext4 btrfs xfs nfs smb f2fs ocfs2 gfs2 erofs fuse overlayfs ntfs3 exfat fat jfs nilfs2 udf "
        "ceph afs 9p squashfs isofs cramfs romfs hfsplus reiserfs orangefs zonefs jffs2 ubifs ecryptfs "
        "autofs configfs debugfs tracefs"
    ).split()
    for fs in fss:
        d = f"fs/{fs}"
        files = c_files(rng, d, fs, rng.randint(6, 22)) + [f"Documentation/filesystems/{fs}.rst"]
        entries = [f"F:\tDocumentation/filesystems/{fs}.rst", f"F:\t{d}/"]
        if rng.random() < 0.3:
            files.append(f"include/linux/{fs}_fs.h")
            entries.append(f"F:\tinclude/linux/{fs}_fs.h")
        add(f"{fs.upper()} FILE SYSTEM", files, entries, fs, [d])
    arches = (
        "x86 arm64 arm riscv powerpc s390 mips loongarch sparc parisc m68k sh alpha arc csky "
        "hexagon microblaze nios2 openrisc xtensa"
    ).split()
    for arch in arches:
        files: list[str] = []
        for sub in ("kernel", "mm", "include/asm", "lib", "boot"):
            files += c_files(rng, f"arch/{arch}/{sub}", sub.split("/")[-1], rng.randint(3, 8))
        entries = [f"F:\tarch/{arch}/"]
        if arch in ("x86", "arm64", "riscv", "s390", "powerpc"):
            kvm = c_files(rng, f"arch/{arch}/kvm", "kvm", rng.randint(4, 10))
            entries.append(f"X:\tarch/{arch}/kvm/")
            add(
                f"KERNEL VIRTUAL MACHINE FOR {arch.upper()}",
                kvm,
                [f"F:\tarch/{arch}/kvm/"],
                f"KVM: {arch}",
                [f"arch/{arch}/kvm"],
            )
        if arch == "arm64":
            entries.append("X:\tarch/arm64/boot/dts/")
        add(f"{arch.upper()} ARCHITECTURE", files, entries, arch, [f"arch/{arch}/kernel"])
    tops = (
        ("kernel/sched", "SCHEDULER", "sched"),
        ("kernel/bpf", "BPF [CORE]", "bpf"),
        ("kernel/trace", "TRACING", "tracing"),
        ("kernel/locking", "LOCKING PRIMITIVES", "locking"),
        ("kernel/rcu", "READ-COPY UPDATE (RCU)", "rcu"),
        ("kernel/time", "TIMEKEEPING", "time"),
        ("kernel/irq", "IRQ SUBSYSTEM", "genirq"),
        ("kernel/cgroup", "CONTROL GROUP (CGROUP)", "cgroup"),
        ("kernel/printk", "PRINTK", "printk"),
        ("kernel/events", "PERFORMANCE EVENTS SUBSYSTEM", "perf"),
        ("net/core", "NETWORKING [GENERAL]", "net"),
        ("net/ipv4", "NETWORKING [IPv4/IPv6]", "ipv4"),
        ("net/ipv6", "NETWORKING [IPV6]", "ipv6"),
        ("net/netfilter", "NETFILTER", "netfilter"),
        ("net/bluetooth", "BLUETOOTH SUBSYSTEM", "Bluetooth"),
        ("net/mac80211", "MAC80211", "wifi: mac80211"),
        ("net/sched", "TC subsystem", "net/sched"),
        ("net/mptcp", "NETWORKING [MPTCP]", "mptcp"),
        ("sound/core", "SOUND", "ALSA"),
        ("sound/soc", "SOUND - SOC LAYER", "ASoC"),
        ("security/selinux", "SELINUX SECURITY MODULE", "selinux"),
        ("crypto", "CRYPTO API", "crypto"),
        ("block", "BLOCK LAYER", "block"),
        ("lib", "LIBRARY CODE", "lib"),
        ("ipc", "IPC", "ipc"),
        ("virt/kvm", "KERNEL VIRTUAL MACHINE (KVM)", "KVM"),
        ("init", "INIT", "init"),
        ("drivers/base", "DRIVER CORE", "driver core"),
        ("drivers/pci", "PCI SUBSYSTEM", "PCI"),
        ("drivers/nvme/host", "NVM EXPRESS DRIVER", "nvme"),
        ("drivers/md", "SOFTWARE RAID", "md"),
        ("drivers/block", "BLOCK DRIVERS", "block"),
        ("drivers/tty", "TTY LAYER", "tty"),
        ("drivers/input", "INPUT (KEYBOARD, MOUSE, JOYSTICK, TOUCHSCREEN) DRIVERS", "Input"),
        ("drivers/i2c", "I2C SUBSYSTEM", "i2c"),
        ("drivers/spi", "SPI SUBSYSTEM", "spi"),
        ("drivers/gpio", "GPIO SUBSYSTEM", "gpio"),
        ("drivers/clk", "COMMON CLK FRAMEWORK", "clk"),
        ("drivers/firmware", "FIRMWARE LOADER", "firmware"),
        ("scripts", "KBUILD", "kbuild"),
        ("tools/perf", "PERFORMANCE EVENTS TOOLING", "perf tools"),
    )
    for d, title, prefix in tops:
        stem = d.split("/")[-1]
        files = c_files(rng, d, stem, rng.randint(6, 24))
        entries = []
        if rng.random() < 0.5:
            doc = f"Documentation/{stem}/index.rst"
            files.append(doc)
            entries.append(f"F:\tDocumentation/{stem}/")
        if rng.random() < 0.5:
            header = f"include/linux/{stem}.h"
            files.append(header)
            entries.append(f"F:\t{header}")
        entries.append(f"F:\t{d}/")
        if rng.random() < 0.4:
            sel = f"tools/testing/selftests/{stem}"
            files += [f"{sel}/Makefile", f"{sel}/{stem}_test.c", f"{sel}/run_{stem}.sh"]
            entries.append(f"F:\t{sel}/")
        add(title, files, entries, prefix, [d])
    # Umbrella sections whose F: covers others', with X: carving out parts (get_maintainer's X: wins).
    areas.append(
        Area(
            "NETWORKING DRIVERS",
            rng.sample(maintainers, 2),
            [
                "L:\tnetdev@vger.kernel.org",
                "S:\tOdd Fixes",
                "F:\tdrivers/net/",
                "X:\tdrivers/net/wireless/",
                "F:\tinclude/linux/netdevice.h",
            ],
            ["include/linux/netdevice.h", "drivers/net/Kconfig", "drivers/net/Makefile"],
            "net",
            extra_dirs=["drivers/net"],
        )
    )
    areas.append(
        Area(
            "DOCUMENTATION",
            rng.sample(maintainers, 1),
            [
                "L:\tlinux-doc@vger.kernel.org",
                "S:\tMaintained",
                "F:\tDocumentation/",
                "X:\tDocumentation/ABI/",
                "X:\tDocumentation/admin-guide/media/",
                "X:\tDocumentation/devicetree/",
                "F:\tscripts/kernel-doc",
            ],
            [
                "Documentation/index.rst",
                "Documentation/conf.py",
                "Documentation/Makefile",
                "Documentation/process/submitting-patches.rst",
                "Documentation/doc-guide/sphinx.rst",
                "scripts/kernel-doc",
                "Documentation/images/logo.png",
            ],
            "docs",
            extra_dirs=["Documentation/process"],
        )
    )
    return areas


def assign_weights(rng: random.Random, areas: list[Area]) -> None:
    """Zipf shares for the generated areas, after the fixed shares of the special ones."""
    carried = [a.carried[0] for a in areas if a.carried]
    fixed = sum(a.weight for a in areas if a.weight)
    others = [a for a in areas if not a.weight and a not in carried]
    order = list(range(len(others)))
    rng.shuffle(order)
    raw = [1.0 / (rank + 1) ** 0.7 for rank in order]
    scale = (1.0 - fixed) / sum(raw)
    for area, w in zip(others, raw, strict=True):
        area.weight = w * scale


MAINTAINERS_HEADER = """\
List of maintainers and how to submit kernel changes
====================================================

Please try to follow the guidelines below.  This will make things
easier on the maintainers.  Not all of these guidelines matter for every
trivial patch so apply some common sense.

Tips for patch submitters
-------------------------

1.	Always *test* your changes, however small, on at least 4 or
	5 people, preferably many more.

2.	Make sure your changes compile correctly in multiple
	configurations. In particular check that changes work both as a
	module and built into the kernel.

Descriptions of section entries and preferred order
---------------------------------------------------

	M: *Mail* patches to: FullName <address@domain>
	R: Designated *Reviewer*: FullName <address@domain>
	   These reviewers should be CCed on patches.
	L: *Mailing list* that is relevant to this area
	S: *Status*, one of the following:
	   Supported:	Someone is actually paid to look after this.
	   Maintained:	Someone actually looks after it.
	   Odd Fixes:	It has a maintainer but they don't have time to do
			much other than throw the odd patch in. See below..
	W: *Web-page* with status/info
	T: *SCM* tree type and location.
	   Type is one of: git, hg, quilt, stgit, topgit
	F: *Files* and directories wildcard patterns.
	   A trailing slash includes all files and subdirectory files.
	   F:	drivers/net/	all files in and below drivers/net
	   F:	drivers/net/*	all files in drivers/net, but not below
	   F:	*/net/*		all files in "any top level directory"/net
	   One pattern per line.  Multiple F: lines acceptable.
	X: *Excluded* files and directories that are NOT maintained, same
	   rules as F:. Files exclusions are tested before file matches.
	   Can be useful for excluding a specific subdirectory, for instance:
	   F:	net/
	   X:	net/ipv6/
	   matches all files in and below net excluding net/ipv6/
	N: Files and directories *Regex* patterns.
	   N:	[^a-z]tegra	all files whose path contains tegra
	                        (not including files like integrator)
	   One pattern per line.  Multiple N: lines acceptable.
	K: *Content regex* (perl extended) pattern match in a patch or file.

Maintainers List
----------------

.. note:: When reading this list, please look for the most precise areas
          first. When adding to this list, please keep the entries in
          alphabetical order.

"""
THE_REST = (
    "THE REST\nM:\tLinus Torvalds <torvalds@linux-foundation.org>\nL:\tlinux-kernel@vger.kernel.org\n"
    "S:\tBuried alive in reporters\nT:\tgit git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git\n"
    "F:\t*\nF:\t*/\n"
)


def maintainers_text(areas: list[Area], reviewers: dict[str, list[Ident]]) -> str:
    blocks = []
    for area in sorted(areas, key=lambda a: a.title):
        lines = [area.title] + [f"M:\t{m}" for m in area.maintainers]
        lines += [f"R:\t{r}" for r in reviewers.get(area.title, [])]
        lines += area.entries
        blocks.append("\n".join(lines) + "\n")
    return MAINTAINERS_HEADER + "\n".join(blocks) + "\n" + THE_REST


# --------------------------------------------------------------------------- file contents
class Blob:
    """An immutable file version: text lines (None for binary data), the bytes, and git's blob id."""

    __slots__ = ("data", "lines", "sha")

    def __init__(self, data: bytes, lines: tuple[str, ...] | None) -> None:
        self.lines = lines
        self.data = data
        self.sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    @classmethod
    def text(cls, lines: Iterable[str]) -> Blob:
        lines = tuple(lines)
        return cls(("\n".join(lines) + "\n").encode(), lines)


class Content:
    """Deterministic line pools; edits of a text file replace, insert and delete a few lines."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.code = [self._fill(rng.choice(C_TEMPLATES)) for _ in range(6000)]
        self.prose = [self._fill(rng.choice(TEXT_TEMPLATES)) for _ in range(2000)]

    def _fill(self, template: str) -> str:
        w = [self.rng.choice(WORDS) for _ in range(5)]
        return template.format(
            a=w[0], b=w[1], c=w[2], d=w[3], e=w[4], A=w[0].upper(), B=w[1].upper(), n=self.rng.randint(0, 4096)
        )

    def pool(self, path: str) -> list[str]:
        return self.prose if path.endswith((".rst", ".yaml", ".txt")) else self.code

    def new_file(self, path: str) -> Blob:
        if path.endswith((".bin", ".png")):
            return Blob(self._binary(self.rng.randint(512, 4096)), None)
        pool = self.pool(path)
        head = ["// SPDX-License-Identifier: GPL-2.0", f"/* {path} */"]
        return Blob.text(head + [self.rng.choice(pool) for _ in range(self.rng.randint(20, 160))])

    def _binary(self, size: int) -> bytes:
        return bytes(self.rng.getrandbits(8) if i % 7 else 0 for i in range(size))

    def edit(self, path: str, old: Blob, serial: int) -> Blob:
        if old.lines is None:
            data = bytearray(old.data)
            for _ in range(self.rng.randint(1, 16)):
                data[self.rng.randrange(len(data))] = self.rng.getrandbits(8)
            return Blob(bytes(data) + b"\0%d" % serial, None)
        rng, pool = self.rng, self.pool(path)
        lines = list(old.lines)
        shrink = len(lines) > 220
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            at = rng.randrange(2, len(lines) + 1) if len(lines) > 2 else len(lines)
            kind = rng.random()
            if kind < 0.45:
                lines[at : at + rng.randint(1, 3)] = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
            elif kind < (0.65 if shrink else 0.85):
                lines[at:at] = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
            else:
                del lines[at : at + rng.randint(1, 6 if shrink else 3)]
        if tuple(lines) == old.lines:
            lines.append(f"/* {serial} */")
        return Blob.text(lines)


# --------------------------------------------------------------------------- the history
@dataclass
class Snapshot:
    mark: int
    when: int
    files: dict[str, Blob]


@dataclass
class Draft:
    """A patch whose commit is written once its series is known, since its message names the series."""

    ref: str
    parent: int | None
    author: Ident
    a_when: int
    committer: Ident
    c_when: int
    area: Area
    subject: str
    body: str
    trailers: list[str]
    changes: list[tuple[str, Blob | None]]

    def message(self, letter: str, link: str | None) -> str:
        trailers = [f"Link: https://{link}"] if link else []
        return f"{self.subject}\n\n{letter}{self.body}\n\n" + "\n".join(trailers + self.trailers) + "\n"


class Poster:
    """How the patches were posted: series, message-ids, cover letters and titles, drawn from a generator of
    their own, so that the history's other draws (and so every figure) are those of a history whose
    messages carry no series."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"series {seed}")

    def messages(self, drafts: Sequence[Draft], mm_tree: bool) -> list[str]:
        """Each draft's message: one author's patches to one area in a topic are posted as series of a few
        patches each, in the topic's order."""
        groups: dict[tuple[Ident, str], list[int]] = {}
        for number, draft in enumerate(drafts):
            groups.setdefault((draft.author, draft.area.prefix), []).append(number)
        out = [""] * len(drafts)
        for members in groups.values():
            while members:
                size = self.rng.choice(SERIES_SIZES)
                run, members = members[:size], members[size:]
                for number, message in zip(run, self._series([drafts[n] for n in run], mm_tree), strict=True):
                    out[number] = message
        return out

    def _series(self, run: list[Draft], mm_tree: bool) -> list[str]:
        rng = self.rng
        sent = min(max(d.a_when for d in run) + rng.randint(600, 86400), min(d.c_when for d in run) - 60)
        stamp = f"{datetime.fromtimestamp(sent, UTC):%Y%m%d%H%M%S}.{rng.randint(1000, 999999)}"
        sender = run[0].author.email
        linked = mm_tree or rng.random() >= NO_LINK_SHARE
        cover = mm_tree and len(run) > 1  # the mm tree folds the cover letter (K=1) into the first patch
        letter = self._cover(run) if cover else ""
        host = MM_LINKS if mm_tree else LORE_LINKS
        return [
            d.message(letter if k == 0 else "", f"{host}/{stamp}-{k + 1 + cover}-{sender}" if linked else None)
            for k, d in enumerate(run)
        ]

    def _cover(self, run: list[Draft]) -> str:
        """`Patch series "TITLE".` (some titles wrapped, some `, vN.`), its text, and `This patch (of N):`."""
        rng = self.rng
        prefix = run[0].area.prefix  # a series' patches are all its area's
        words = [rng.choice(SERIES_VERBS), rng.choice(WORDS), rng.choice(WORDS)]
        if rng.random() < 0.3:
            words += ["for", rng.choice(WORDS), rng.choice(WORDS)]
        title = f"{prefix}: {' '.join(words)}"
        if rng.random() < 0.25:  # wrapped as the cover letter's text was
            cut = rng.randint(1, len(words) - 1)
            title = f"{prefix}: {' '.join(words[:cut])}\n{' '.join(words[cut:])}"
        version = f", v{rng.randint(2, 5)}" if rng.random() < 0.3 else ""
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        return f'Patch series "{title}"{version}.\n\n{textwrap.fill(text, 72)}\n\nThis patch (of {len(run)}):\n\n'


@dataclass
class Stats:
    commits: int = 0
    merges: int = 0
    year_non_merges: int = 0


class Generator:
    def __init__(self, seed: int, commits: int, write: Callable[[bytes], object]) -> None:
        self.rng = random.Random(seed)
        self.poster = Poster(seed)
        self.total = commits
        self.write = write
        self.people = make_identities(self.rng, 3000)
        self.rng.shuffle(self.people)  # Zipf ranks independent of how names were made
        self.authors = Zipf(self.people, s=0.65)
        self.areas = special_areas() + generated_areas(self.rng, self.people)
        assign_weights(self.rng, self.areas)
        self.area_picker = Zipf([], s=0)
        for area in self.areas:
            if area.weight:
                self.area_picker.add(area, area.weight)
            area.picker = Zipf(area.files, s=1.0)
        # Patches of other areas may touch a file anywhere, but DAMON's only through the mm tree.
        carried = {f for a in self.areas if a.carried for f in a.carried[0].files}
        every_file = sorted({f for a in self.areas for f in a.files} - carried)
        self.rng.shuffle(every_file)
        self.all_files = Zipf(every_file, s=0.3)
        self.content = Content(self.rng)
        self.reviewers: dict[str, list[Ident]] = {}
        self.main: dict[str, Blob] = {}
        self.mark = 0
        self.serial = 0
        self.snapshots: list[Snapshot] = []
        self.stats = Stats()
        self.in_year = False

    # ---- fast-import records
    def _commit(
        self,
        ref: str,
        author: Ident,
        a_when: int,
        committer: Ident,
        c_when: int,
        message: str,
        parents: list[int],
        changes: list[tuple[str, Blob | None]],
        reused: Sequence[tuple[str, Blob | None]] = (),
    ) -> int:
        """Write one commit; `changes` carry their blobs inline, `reused` name blobs already written."""
        self.mark += 1
        self.stats.commits += 1
        msg = message.encode()
        out = [
            f"commit {ref}\nmark :{self.mark}\nauthor {author.line(a_when)}\n"
            f"committer {committer.line(c_when)}\ndata {len(msg)}\n".encode(),
            msg,
            b"\n",
        ]
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
        out += [f"merge :{p}\n".encode() for p in parents[1:]]
        for path, blob in reused:
            out.append(f"D {path}\n".encode() if blob is None else f"M {self._mode(path)} {blob.sha} {path}\n".encode())
        for path, blob in changes:
            if blob is None:
                out.append(f"D {path}\n".encode())
            else:
                out += [f"M {self._mode(path)} inline {path}\ndata {len(blob.data)}\n".encode(), blob.data, b"\n"]
        self.write(b"".join(out))
        return self.mark

    @staticmethod
    def _mode(path: str) -> str:
        return "100755" if path.endswith((".sh", ".py")) and "/selftests/" in path else "100644"

    def _tag(self, name: str, mark: int, when: int, tz_hours: int) -> None:
        msg = f"Linux {name[1:]}\n".encode()
        tagger = Ident(*LINUS).line(when, tz_hours)
        self.write(f"tag {name}\nfrom :{mark}\ntagger {tagger}\ndata {len(msg)}\n".encode() + msg + b"\n")

    # ---- content changes
    def _pick_files(self, area: Area, state: dict[str, Blob]) -> list[str]:
        k = self.rng.choices((1, 2, 3, 4, 5), weights=(45, 25, 15, 10, 5))[0]
        chosen: list[str] = []
        for _ in range(k * 4):
            picker = area.picker if not chosen or self.rng.random() < 0.95 else self.all_files
            path = picker.draw(self.rng)
            if path in state and path not in chosen:
                chosen.append(path)
            if len(chosen) == k:
                break
        return chosen

    def _new_path(self, area: Area, like: str) -> str:
        directory = like.rsplit("/", 1)[0]
        if area.extra_dirs and self.rng.random() < 0.3:
            directory = self.rng.choice(area.extra_dirs)
        ext = like.rsplit(".", 1)[1] if "." in like.rsplit("/", 1)[1] else "c"
        self.serial += 1
        return f"{directory}/{self.rng.choice(WORDS)}_{self.rng.choice(WORDS)}{self.serial}.{ext}"

    def _changes(self, area: Area, state: dict[str, Blob]) -> list[tuple[str, Blob | None]]:
        """One patch: edits of 1-5 files, sometimes a new file, a deletion or a rename."""
        self.serial += 1
        changes: list[tuple[str, Blob | None]] = []
        roll = self.rng.random()
        paths = self._pick_files(area, state)
        if not paths or roll < 0.03:
            new = self._new_path(area, paths[0] if paths else area.files[0])
            area.picker.add(new)
            changes.append((new, self.content.new_file(new)))
        elif roll < 0.04 and len(paths) > 1:
            changes.append((paths.pop(), None))
        elif roll < 0.05:  # rename, mostly with a small edit (git pairs it by similarity)
            old = paths.pop(0)
            new = self._new_path(area, old)
            area.picker.add(new)
            blob = state[old] if self.rng.random() < 0.3 else self.content.edit(old, state[old], self.serial)
            changes += [(old, None), (new, blob)]
        changes += [(p, self.content.edit(p, state[p], self.serial)) for p in paths]
        for path, blob in changes:
            if blob is None:
                del state[path]
            else:
                state[path] = blob
        return changes

    def _message(self, area: Area, author: Ident, committer: Ident, reviewers: int) -> tuple[str, str, list[str]]:
        """Subject, body and trailers of a patch (its series' parts come later, from the Poster)."""
        rng = self.rng
        subject = f"{area.prefix}: {rng.choice(VERBS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 70)))
        wrapped = "\n".join(body[i : i + 72] for i in range(0, len(body), 72))
        trailers = [f"Signed-off-by: {author}"]
        trailers += [f"Reviewed-by: {self.authors.draw(rng)}" for _ in range(reviewers)]
        if committer != author:
            trailers.append(f"Signed-off-by: {committer}")
        return subject, wrapped, trailers

    def _author(self, area: Area, previous: Ident | None) -> Ident:
        if area.title == "DATA ACCESS MONITOR" and self.rng.random() < SJ_DAMON_SHARE:
            return Ident(*SJ) if self.rng.random() < 0.93 else Ident(*SJ_OLD)
        if previous is not None and self.rng.random() < 0.5:
            return previous  # patch series
        return self.authors.draw(self.rng)

    # ---- mainline events
    def _patch(
        self,
        ref: str,
        parent: int | None,
        area: Area,
        state: dict[str, Blob],
        when: int,
        committer: Ident,
        previous: Ident | None,
        touched: dict[str, None] | None = None,
    ) -> Draft:
        if area.carried and self.rng.random() < area.carried[1]:
            area, previous = area.carried[0], None
        author = self._author(area, previous)
        changes = self._changes(area, state)
        if touched is not None:
            touched.update((path, None) for path, _ in changes)
        subject, body, trailers = self._message(area, author, committer, self.rng.choice((0, 0, 1, 2)))
        a_when = when - self.rng.randint(0, 5 * 86400)
        if self.in_year:
            self.stats.year_non_merges += 1
        return Draft(ref, parent, author, a_when, committer, when, area, subject, body, trailers, changes)

    def _post(self, drafts: Sequence[Draft], mm_tree: bool) -> int:
        """Write the drafts' commits, their messages naming their series; the last one's mark."""
        marks = [
            self._commit(
                d.ref, d.author, d.a_when, d.committer, d.c_when, message, [d.parent] if d.parent else [], d.changes
            )
            for d, message in zip(drafts, self.poster.messages(drafts, mm_tree), strict=True)
        ]
        return marks[-1]

    def _fork_point(self, when: int, merge_window: bool) -> Snapshot:
        recent = [s for s in self.snapshots if s.when < when - 3600]
        if merge_window:  # subsystem trees are based on an -rc of the previous cycle
            return self.rng.choice(recent[-8:-1] or recent)
        return recent[-1] if self.rng.random() < 0.7 else self.rng.choice(recent[-4:])

    def _topic(self, head: int, when: int, area: Area, size: int, merge_window: bool, release: str) -> int:
        fork = self._fork_point(when, merge_window)
        state = dict(fork.files)
        committer = area.maintainers[0]
        times = sorted(self.rng.randint(fork.when + 600, when - 600) for _ in range(size))
        drafts: list[Draft] = []
        author: Ident | None = None
        touched: dict[str, None] = {}
        for i, t in enumerate(times):
            drafts.append(
                self._patch(
                    "refs/heads/topic", fork.mark if i == 0 else None, area, state, t, committer, author, touched
                )
            )
            author = drafts[-1].author
        parent = self._post(drafts, mm_tree=committer == Ident(*AKPM))
        changed = [p for p in touched if state.get(p) is not fork.files.get(p)]
        reused, new = self._merge_files(changed, fork.files, state)
        slug = area.prefix.split(":")[0].split("/")[0].split(" ")[0].lower()
        message = (
            f"Merge tag '{slug}-{'fixes' if not merge_window else 'next'}-{release}' of "
            f"git://git.kernel.org/pub/scm/linux/kernel/git/{slug}/linux\n\n"
            f"Pull {slug} updates from {committer.name}:\n\n - "
            f"{self.rng.choice(VERBS)} {self.rng.choice(WORDS)} handling\n"
        )
        linus = Ident(*LINUS)
        mark = self._commit("refs/heads/master", linus, when, linus, when, message, [head, parent], new, reused)
        self.stats.merges += 1
        return mark

    def _merge_files(
        self, changed: list[str], base: dict[str, Blob], theirs: dict[str, Blob]
    ) -> tuple[list[tuple[str, Blob | None]], list[tuple[str, Blob | None]]]:
        """A three-way merge by file: (their versions taken, new conflict resolutions). Where both
        sides changed a text file, the resolution is ours plus their new lines."""
        reused: list[tuple[str, Blob | None]] = []
        new: list[tuple[str, Blob | None]] = []
        for path in changed:
            b, o, t = base.get(path), self.main.get(path), theirs.get(path)
            if o is b or o is t or o is None or t is None or o.lines is None or t.lines is None:
                result, into = t, reused
            else:
                have = set(o.lines)
                result, into = Blob.text(o.lines + tuple(x for x in t.lines if x not in have)), new
            if result is not o:
                into.append((path, result))
                if result is None:
                    self.main.pop(path, None)
                else:
                    self.main[path] = result
        return reused, new

    def _direct(self, head: int, when: int) -> int:
        linus = Ident(*LINUS)
        if self.rng.random() < 0.01:  # MAINTAINERS update: a new reviewer for some section
            area = self.rng.choice(self.areas[4:])
            who = self.authors.draw(self.rng)
            self.reviewers.setdefault(area.title, []).append(who)
            blob = Blob.text(maintainers_text(self.areas, self.reviewers).splitlines())
            self.main["MAINTAINERS"] = blob
            msg = f"MAINTAINERS: add {who.name} as reviewer of {area.title}\n\nSigned-off-by: {who}\n"
            self.stats.year_non_merges += self.in_year
            return self._commit(
                "refs/heads/master", who, when - 3600, linus, when, msg, [head], [("MAINTAINERS", blob)]
            )
        area = self.area_picker.draw(self.rng)
        return self._post([self._patch("refs/heads/master", head, area, self.main, when, linus, None)], mm_tree=False)

    @staticmethod
    def _makefile(tag: str) -> Blob:
        version = tag[1:].split("-")[0].split(".")
        extra = "-" + tag.split("-")[1] if "-" in tag else ""
        return Blob.text(
            [
                "# SPDX-License-Identifier: GPL-2.0",
                f"VERSION = {version[0]}",
                f"PATCHLEVEL = {version[1]}",
                "SUBLEVEL = 0",
                f"EXTRAVERSION = {extra}",
                "NAME = Hurr durr I'ma ninja sloth",
                "",
                "# *DOCUMENTATION*",
            ]
        )

    def _release(self, head: int, tag: str, when: int) -> int:
        """The "Linux X.Y-rcN" commit that the tag points at."""
        blob = self._makefile(tag)
        self.main["Makefile"] = blob
        self.stats.year_non_merges += self.in_year
        return self._linux_commit(tag, when, [head], [("Makefile", blob)])

    def _linux_commit(self, tag: str, when: int, parents: list[int], files: list[tuple[str, Blob | None]]) -> int:
        """Linus's "Linux X.Y" commit, ten minutes before its tag."""
        linus = Ident(*LINUS)
        return self._commit(
            "refs/heads/master", linus, when - 600, linus, when - 600, f"Linux {tag[1:]}\n", parents, files
        )

    def _root(self, tag: str, when: int) -> int:
        """The import of the whole tree, like Linux's first git commit."""
        for area in self.areas:
            for path in area.files:
                if path not in self.main:
                    self.main[path] = self.content.new_file(path)
        self.main["MAINTAINERS"] = Blob.text(maintainers_text(self.areas, self.reviewers).splitlines())
        self.main["README"] = Blob.text(["Linux kernel", "============", "", "A synthetic history."])
        self.main["COPYING"] = Blob.text(["GPL-2.0 WITH Linux-syscall-note"])
        self.main["Makefile"] = self._makefile(tag)
        return self._linux_commit(tag, when, [], sorted(self.main.items()))

    # ---- the plan
    def interval_budgets(self) -> list[int]:
        """Non-merge commits merged in each interval between consecutive tags."""
        non_merges = round(self.total * (1 - MERGE_SHARE)) - len(TAGS)
        names = [t[0] for t in TAGS]
        first, last = names.index(YEAR_FIRST), names.index(YEAR_LAST)
        bounds = [names.index(b) for b in YEAR_BOUNDARIES]
        weight = [
            MERGE_WINDOW_WEIGHT if "-rc" in names[i + 1] and names[i + 1].endswith("-rc1") else RC_WEEK_WEIGHT
            for i in range(len(names) - 1)
        ]
        budgets = [0] * (len(names) - 1)

        def spread(lo: int, hi: int, total: float) -> None:
            part = sum(weight[lo:hi])
            for i in range(lo, hi):
                budgets[i] = round(total * weight[i] / part)

        spread(0, first, non_merges * PRE_YEAR_SHARE)
        year = non_merges * (1 - PRE_YEAR_SHARE - POST_YEAR_SHARE)
        for (lo, hi), w in zip(itertools.pairwise(bounds), YEAR_CYCLE_WEIGHTS, strict=True):
            spread(lo, hi, year * w / sum(YEAR_CYCLE_WEIGHTS))
        spread(last, len(names) - 1, non_merges * POST_YEAR_SHARE)
        return budgets

    def topic_sizes(self, patches: int, topics: int) -> list[int]:
        """`topics` sizes >= 1 summing to `patches`, heavy-tailed like real pull requests."""
        weights = [self.rng.paretovariate(1.3) for _ in range(topics)]
        scale = (patches - topics) / sum(weights)
        sizes = [1 + int(w * scale) for w in weights]
        for i in range(patches - sum(sizes)):
            sizes[i % topics] += 1
        return sizes

    def run(self) -> Stats:
        names = [t[0] for t in TAGS]
        when0 = epoch(TAGS[0][1], TAGS[0][2])
        head = self._root(names[0], when0)
        self._tag(names[0], head, when0, TAGS[0][2])
        self.snapshots.append(Snapshot(head, when0, dict(self.main)))
        for i, budget in enumerate(self.interval_budgets()):
            t0, t1 = epoch(TAGS[i][1], TAGS[i][2]), epoch(TAGS[i + 1][1], TAGS[i + 1][2])
            self.in_year = names.index(YEAR_FIRST) <= i < names.index(YEAR_LAST)
            merge_window = names[i + 1].endswith("-rc1")
            head = self._interval(head, t0, t1, budget, merge_window, names[i + 1])
            head = self._release(head, names[i + 1], t1)
            self._tag(names[i + 1], head, t1, TAGS[i + 1][2])
            self.snapshots.append(Snapshot(head, t1, dict(self.main)))
        self.write(b"done\n")
        return self.stats

    def _interval(self, head: int, t0: int, t1: int, budget: int, merge_window: bool, release: str) -> int:
        direct = round(budget * DIRECT_SHARE)
        topics = max(1, round(budget * MERGE_SHARE / (1 - MERGE_SHARE))) if budget > direct else 0
        sizes = self.topic_sizes(budget - direct, topics) if topics else []
        events = self.pull_requests(sizes) + [(None, 0)] * direct
        self.rng.shuffle(events)
        times = sorted(self.rng.randint(t0 + 3600, t1 - 7200) for _ in events)
        for (area, size), when in zip(events, times, strict=True):
            if area is not None:
                head = self._topic(head, when, area, size, merge_window, release.split("-")[0])
            else:
                head = self._direct(head, when)
        return head

    def pull_requests(self, sizes: list[int]) -> list[tuple[Area | None, int]]:
        """An area for each topic; a batched area's topics mostly join its previous one of the interval
        (akpm sends a few big mm pulls per cycle, not a hundred small ones)."""
        out: list[list] = []
        latest: dict[str, list] = {}
        for size in sizes:
            area = self.area_picker.draw(self.rng)
            if area.title in latest and self.rng.random() < 1 - 1 / area.batch:
                latest[area.title][1] += size
            else:
                latest[area.title] = [area, size]
                out.append(latest[area.title])
        return [(area, size) for area, size in out]


# --------------------------------------------------------------------------- driver
def generate(
    out: Path,
    commits: int,
    seed: int,
    commit_graph: bool = False,
    bare: bool = False,
    repack: bool = False,
    quiet: bool = False,
) -> Stats:
    """Create the repository at `out` (which must not exist or be empty) and return its counts."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"genrepo: {out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    git = ["git", "-C", str(out)]
    subprocess.run(
        ["git", "init", "-q", "--initial-branch=master", *(["--bare"] if bare else []), str(out)], check=True
    )
    proc = subprocess.Popen(
        [*git, "fast-import", "--quiet", "--done", "--depth=20"], stdin=subprocess.PIPE, bufsize=1 << 20
    )
    assert proc.stdin is not None
    try:
        stats = Generator(seed, commits, proc.stdin.write).run()
        proc.stdin.close()
    except BrokenPipeError:
        pass
    if proc.wait() != 0:
        raise SystemExit("genrepo: git fast-import failed")
    subprocess.run([*git, "update-ref", "-d", "refs/heads/topic"], check=True)
    if not bare:
        subprocess.run([*git, "reset", "-q", "--hard"], check=True)
    if repack:  # fast-import's deltas are poor (against whatever blob came before): pack like a clone is
        subprocess.run([*git, "repack", "-a", "-d", "-f", "-q"], check=True)
    if commit_graph:
        subprocess.run(
            [*git, "commit-graph", "write", "--reachable", "--changed-paths"],
            check=True,
            stderr=subprocess.DEVNULL if quiet else None,
        )
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory of the new repository")
    parser.add_argument("--commits", type=int, default=DEFAULT_COMMITS, help="about how many commits in all")
    parser.add_argument(
        "--small",
        action="store_const",
        const=SMALL_COMMITS,
        dest="commits",
        help=f"quick preset: about {SMALL_COMMITS} commits",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--commit-graph", action="store_true", help="write a commit-graph with changed-path Bloom filters at the end"
    )
    parser.add_argument("--bare", action="store_true", help="a bare repository (no working tree)")
    parser.add_argument(
        "--repack", action="store_true", help="repack with fresh deltas at the end (like a clone; slower to generate)"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    stats = generate(args.out, args.commits, args.seed, args.commit_graph, args.bare, args.repack, args.quiet)
    if not args.quiet:
        print(
            f"{args.out}: {stats.commits} commits ({stats.merges} merges), "
            f"{stats.year_non_merges} non-merge commits in {YEAR_FIRST}..{YEAR_LAST}, "
            f"{time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
