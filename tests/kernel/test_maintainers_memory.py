"""A large MAINTAINERS costs memory in proportion to its size, and little of it: a 51 MB file must stay under
a 300 MB peak, so each byte of the file may cost at most 5 bytes above what the same command costs on a
small file; a file of any shape that would cost more is refused before it does. Measured as the peak
resident size of a process of its own (no timing involved)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from kernelrepo import SJ, Builder, ts

from reporter.kernel import maintainers

SIZE = 8_000_000
PER_BYTE = 5
SMALL = "DATA ACCESS MONITOR\nM:\tSeongJae Park <sj@kernel.org>\nF:\tmm/damon/\n"
# VmHWM, not getrusage's ru_maxrss: that one starts from the forking process's own peak (Linux keeps it
# across exec), so pytest's size would hide the command's.
_PEAK = """\
import re, sys
from pathlib import Path
from reporter.cli import main
status = main(sys.argv[1:])
print("peak", re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text())[1], file=sys.stderr)
sys.exit(status)
"""


def _many_sections(size: int) -> str:
    """Kernel-like sections, each with its own title and files; people, lists and statuses recur."""
    people = [f"Person {n} <person{n}@example.com>" for n in range(500)]
    lists = [f"list{n}@vger.kernel.org" for n in range(50)]
    parts, total, n = [SMALL], len(SMALL), 0
    while total < size:
        part = (
            f"\nDRIVER NUMBER {n}\nM:\t{people[n % 500]}\nM:\t{people[n * 7 % 500]}\nL:\t{lists[n % 50]}\n"
            f"S:\t{('Maintained', 'Supported', 'Odd Fixes')[n % 3]}\nF:\tDocumentation/driver{n}.rst\n"
            f"F:\tdrivers/group{n // 40}/driver{n}/\n"
        )
        parts.append(part)
        total, n = total + len(part), n + 1
    return "".join(parts)


def _one_giant_section(size: int) -> str:
    parts, total, n = [SMALL, "\nGIANT\nM:\tSome One <one@example.com>\n"], len(SMALL), 0
    while total < size:
        part = f"F:\tdrivers/giant/dir{n // 100}/file{n}.c\n"
        parts.append(part)
        total, n = total + len(part), n + 1
    return "".join(parts)


def _peak(args: list[str], where: Path) -> int:
    """The peak resident size of `retrospect ARGS` in a process of its own, in bytes."""
    done = _run(args, where)
    assert done.returncode == 0, done.stderr
    return int(done.stderr.split("peak ")[-1]) * 1024


def _run(args: list[str], where: Path) -> subprocess.CompletedProcess[str]:
    """`retrospect ARGS` in a process of its own, which prints its peak resident size last."""
    return subprocess.run([sys.executable, "-c", _PEAK, *args], cwd=where, capture_output=True, text=True, check=False)


def _repo(path: Path, large: str) -> Path:
    """v1: a small MAINTAINERS; v2: `large`; v3: one more change to DAMON's files."""
    b = Builder(path)
    b.commit("small", SJ, ts("2023-01-01T00:00:00"), files={"MAINTAINERS": SMALL, "mm/damon/core.c": "1\n"})
    b.tag("v1", ts("2023-01-02T00:00:00"))
    b.commit("large", SJ, ts("2023-02-01T00:00:00"), files={"MAINTAINERS": large, "mm/damon/core.c": "2\n"})
    b.tag("v2", ts("2023-02-02T00:00:00"))
    b.commit("more", SJ, ts("2023-03-01T00:00:00"), files={"mm/damon/core.c": "3\n"})
    b.tag("v3", ts("2023-03-02T00:00:00"))
    return b.path


@pytest.mark.slow
@pytest.mark.parametrize("shape", [_many_sections, _one_giant_section])
def test_a_large_maintainers_costs_a_few_times_its_size(tmp_path: Path, shape) -> None:
    """A 51 MB file of 280,000 sections peaked at 471 MB in `subsystems` (sections of lists and strings of
    their own, the whole text held beside them); one section of 1.3 million F: lines at 359 MB."""
    large = shape(SIZE)
    repo = str(_repo(tmp_path / "repo", large))
    common = ["--no-cache", "--quiet"]
    damon = ["--subsystem", "DATA ACCESS MONITOR"]
    small = _peak(["subsystems", "--refs", str(_refs(tmp_path, "v1", "v1")), *common, repo], tmp_path)
    runs = {
        "subsystems": ["subsystems", "--refs", str(_refs(tmp_path, "v2", "v3")), *common, repo],
        "table": [
            "table",
            "commits",
            "--refs",
            str(_refs(tmp_path, "v2", "v3")),
            *damon,
            "--parent",
            "path:.",
            *common,
            repo,
        ],
        "authors": ["authors", "--range", "v2..v3", *damon, *common, repo],
    }
    for command, args in runs.items():
        grown = _peak(args, tmp_path) - small
        assert grown < PER_BYTE * len(large), f"{command}: {grown / len(large):.1f} bytes for each byte of MAINTAINERS"


def _refs(tmp_path: Path, first: str, last: str) -> Path:
    path = tmp_path / f"refs-{first}-{last}"
    path.write_text(f"{first}\n{last}\n")
    return path


# Units repeated up to 51 MB: whatever a line or section costs, the reading stops at the budget.
HOSTILE = {
    "tiny sections": "\nS{n}\nF:\tx{n}\n",
    "short patterns": "F:\t{n:x}\n",
    "distinct people": "M:\tP{n} <p{n}@e>\n",
    "characters outside Latin-1": "F:\tdir/{n}\U0001f600\U0001f600\U0001f600\n",
    "brace expansions": "F:\t{{a,b}}{{c,d}}{{e,f}}{{g,h}}{{i,j}}{{k,l}}{{m,n}}{{o,p}}/{n}\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_51_mb_maintainers_of_any_shape_stays_under_300_mb(tmp_path: Path, unit: str) -> None:
    """Before, tiny sections cost 38 bytes per byte of the file, short lines 12, brace expansions 560: a 51 MB
    file would have taken from 600 MB to tens of GB. Now each is refused at the budget, by one line."""
    parts, total, n = [SMALL, "\nLARGE\n"], 0, 0
    while total < 51_000_000:
        parts.append(unit.format(n=n))
        total, n = total + len(parts[-1]), n + 1
    repo = _repo(tmp_path / "repo", "".join(parts))
    done = _run(
        ["subsystems", "--refs", str(_refs(tmp_path, "v2", "v3")), "--no-cache", "--quiet", str(repo)], tmp_path
    )
    said = done.stderr.splitlines()
    assert done.returncode == 2 and len(said) == 2, done.stderr
    assert re.fullmatch(r"retrospect: error: MAINTAINERS:\d+: MAINTAINERS would take more than 160 MB .*", said[0])
    assert int(said[1].removeprefix("peak ")) * 1024 < 300_000_000


def test_a_line_longer_than_any_real_one_is_refused(tmp_path: Path) -> None:
    """One line could be the whole file (and four bytes a character): it is refused as it is read."""
    longest = "F:\t" + "a" * (maintainers.MAX_LINE - 3) + "\n"
    for name, text, said in [
        ("long", "a" + longest, "retrospect: error: 'MAINTAINERS': line 6 is longer than 4,096 bytes: refused\n"),
        ("longest", longest, ""),
    ]:
        repo = _repo(tmp_path / name, SMALL + "\nLONG\n" + text)
        args = ["subsystems", "--refs", str(_refs(tmp_path, "v2", "v3")), "--no-cache", "--quiet", str(repo)]
        done = subprocess.run([sys.executable, "-m", "reporter", *args], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (2 if said else 0, said)
