"""A large MAINTAINERS costs memory in proportion to its size, and little of it: a 51 MB file must stay under
a 300 MB peak, so each byte of the file may cost at most 5 bytes above what the same command costs on a
small file. Measured as the peak resident size of a process of its own (no timing involved)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kernelrepo import SJ, Builder, ts

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
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], cwd=where, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return int(done.stderr.split("peak ")[-1]) * 1024


@pytest.mark.slow
@pytest.mark.parametrize("shape", [_many_sections, _one_giant_section])
def test_a_large_maintainers_costs_a_few_times_its_size(tmp_path: Path, shape) -> None:
    """A 51 MB file of 280,000 sections peaked at 471 MB in `subsystems` (sections of lists and strings of
    their own, the whole text held beside them); one section of 1.3 million F: lines at 359 MB."""
    b = Builder(tmp_path / "repo")
    b.commit("small", SJ, ts("2023-01-01T00:00:00"), files={"MAINTAINERS": SMALL, "mm/damon/core.c": "1\n"})
    b.tag("v1", ts("2023-01-02T00:00:00"))
    large = shape(SIZE)
    b.commit("large", SJ, ts("2023-02-01T00:00:00"), files={"MAINTAINERS": large, "mm/damon/core.c": "2\n"})
    b.tag("v2", ts("2023-02-02T00:00:00"))
    b.commit("more", SJ, ts("2023-03-01T00:00:00"), files={"mm/damon/core.c": "3\n"})
    b.tag("v3", ts("2023-03-02T00:00:00"))
    repo = str(b.path)
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
