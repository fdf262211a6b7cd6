#!/usr/bin/env python3
"""Time retrospect against the floor (one git numstat pass) and the seed's plain-git pipeline.

One run measures, with several repetitions (the median is the figure):
  (a)  the floor: `git log --no-merges --numstat FIRST..LAST`, the least work that yields every number;
  (b)  the reference: the seed scripts' git commands, one per range and path set, run one after another;
  (c)  retrospect computing authors, community, commits and lines (all-of-repository column included),
       with an empty cache; (c2) the same commands again on the cache (c) left behind;
  (d)  `retrospect authors REPO --since .. --until ..` cold and warm, against (g) `git log --format` with
       the same dates;
  (e)  the three tables of an N:-heavy section (ARM ROCKCHIP: hundreds of literal pathspecs), cold;
  (f)  the whole report (the year, the previous year, a tool repository), cold and warm;
  (h)  `retrospect trends` over the previous year and the year, cold (against (t), one numstat pass over
       both years' history) and warm (at most a second per year);
and the peak RSS of retrospect's own process. It also checks that retrospect's numbers equal plain git's
(the reference, `git log` over the section's pathspecs, the dated log), so the benchmark is a correctness
check too: PASS or FAIL per table, and per target (TARGETS) PASS or FAIL.

    python benchmarks/run.py /tmp/bench/linux-year --repeat 3 --json /tmp/bench/result.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.render.data import table_from
from reporter.render.text import aligned

# stat_branches_2023 of the seed, and its subsystem, parent and maintainer labels.
DEFAULT_REFS = ("v6.2-rc1", "v6.3", "v6.4", "v6.5", "v6.6", "v6.7-rc8")
DEFAULT_YEAR = 2023
SUBSYSTEM, PARENT = "DATA ACCESS MONITOR", "MEMORY MANAGEMENT"
LABELS = ("damon", "mm", "linux")
MAINTAINER_LABEL = "sj"
AUTHORS_SHOWN = 30  # authors.py's default cut

# (c): the retrospect command lines, in the order they run. {repo}, {first}, {last}, {year} are filled in.
TABLE_KINDS = ("community", "commits", "lines")
RETROSPECT_COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("authors", ("authors", "{repo}", "--range", "{first}..{last}", "--no-merges", "--subsystem", SUBSYSTEM)),
    # One process for the three tables, as the report computes them: one set of walks serves all three.
    ("tables", ("table", *TABLE_KINDS, "{repo}", "--year", "{year}", "--format", "tsv")),
)

# (d), (e), (f): what issue #14 asks to be fast, each with the plain git command it is measured against.
AUTHOR_DATES = ("2023-01-01", "2023-12-31")
N_SECTION = "ARM ROCKCHIP"
PREVIOUS_REFS = ("v6.0", "v6.1", "v6.2-rc1")  # the generated history starts at v6.0: no tag rule for 2022
EXTRA_COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("authors by dates", ("authors", "{repo}", "--since", AUTHOR_DATES[0], "--until", AUTHOR_DATES[1])),
    ("N: tables", ("table", *TABLE_KINDS, "{repo}", "--year", "{year}", "--subsystem", N_SECTION, "--format", "tsv")),
    ("report", ("report", "--config", "{config}", "--year", "{year}", "--offline", "--out", "{out}")),
    (
        "trends",
        ("trends", "--config", "{config}", "--first-year", "{previous}", "--last-year", "{year}", "--offline")
        + ("--out", "{out}", "--format", "json"),
    ),
)
TRENDS_YEARS = 2  # the previous year and the year
TRENDS_WARM_PER_YEAR = 1.0  # seconds
# The plain git command each is measured against, run right before it: (g) the dated log, else (a) the floor.
BASELINE = {"authors by dates": "g", "trends": "t"}
# (ratio, numerator, denominator, at most): the targets, each printed with PASS or FAIL. Each denominator
# is measured right before its numerator, in every repetition, and the value is the median of the
# repetitions' ratios: a shared machine's speed drifts over minutes, and a ratio of two medians taken
# minutes apart would carry that drift.
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("tables cold / floor", "c.tables", "a", 0.8),
    ("tables CPU cold / floor CPU", "cpu.c.tables", "cpu.a", 1.1),
    ("authors by dates cold / git log --format", "d.authors by dates", "g.authors by dates", 1.5),
    ("authors by dates warm / git log --format", "d2.authors by dates", "g.authors by dates", 1.2),
    ("N: section tables cold / floor", "e.N: tables", "a.N: tables", 0.8),
    ("report cold / floor", "f.report", "a.report", 0.8),
    ("report warm / floor", "f2.report", "a.report", 0.1),
    ("trends cold / floor over its years", "h.trends", "t.trends", 1.0),
)
RSS_TARGET_MB = 300

# Runs the CLI in this interpreter and leaves the process's own peak RSS (not its children's) in a file.
RSS_WRAPPER = """\
import os, resource, sys
from reporter.cli import main
try:
    status = main(sys.argv[1:])
finally:
    with open(os.environ["RETROSPECT_BENCH_RSS"], "w") as out:
        out.write("%d %d" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                             resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(status)
"""

SHORTSTAT = re.compile(rb"(\d+) insertions?\(\+\)|(\d+) deletions?\(-\)")


# ------------------------------------------------------------------------------------------ git helpers
def git_lines(repo: Path, *args: str) -> Iterator[bytes]:
    """Stream one git command's stdout line by line; a failure is an error (the benchmark is wrong)."""
    proc = subprocess.Popen(["git", "-C", str(repo), *args], stdout=subprocess.PIPE, bufsize=1 << 16)
    assert proc.stdout is not None
    yield from proc.stdout
    if proc.wait() != 0:
        raise SystemExit(f"run.py: git {' '.join(args)} failed")


def count(repo: Path, *args: str) -> int:
    """`git log ... | wc -l`."""
    return sum(1 for _ in git_lines(repo, "log", *args))


def shortstat_sum(repo: Path, rng: str, paths: Sequence[str]) -> int:
    """Insertions + deletions of `git log --no-merges --shortstat RANGE -- PATHS`, singulars included."""
    total = 0
    for line in git_lines(repo, "log", "--no-merges", "--shortstat", "--format=", rng, "--", *paths):
        for ins, dels in SHORTSTAT.findall(line):
            total += int(ins or dels)
    return total


@dataclass
class Section:
    patterns: list[str]
    maintainers: list[tuple[str, str]]  # (name, email) of the M: lines


def read_section(repo: Path, ref: str, title: str) -> Section:
    """A MAINTAINERS section read the seed's way: its F: lines used as raw pathspecs."""
    text = subprocess.run(
        ["git", "-C", str(repo), "show", f"{ref}:MAINTAINERS"], check=True, capture_output=True, text=True
    ).stdout
    lines = text.split("\n")
    start = lines.index(title)
    section = Section([], [])
    for line in itertools.takewhile(str.strip, lines[start + 1 :]):
        tag, _, value = line.partition(":")
        value = value.strip()
        if tag == "F":
            section.patterns.append(value)
        elif tag == "M":
            name, _, email = value.rpartition(" <")
            section.maintainers.append((name, email.rstrip(">")))
    return section


def author_regexes(maintainers: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """--perl-regexp --author patterns for "name or email is a maintainer's", and its negation.

    git matches --author against `Name <email>`, so `^` anchors the name and `>$` the email."""
    alternatives = [f"{re.escape(n)} <" for n, _ in maintainers] + [f".* <{re.escape(e)}>$" for _, e in maintainers]
    either = "|".join(alternatives)
    return f"^({either})", f"^(?!{either}).*$"


# ------------------------------------------------------------------------------------------ the reference
def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "-"


def reference(repo: Path, refs: Sequence[str]) -> tuple[dict[str, list[list[str]]], str, int]:
    """The seed's tables, one plain git command per range and path set, and the number of commands."""
    last = refs[-1]
    damon, mm = read_section(repo, last, SUBSYSTEM), read_section(repo, last, PARENT)
    is_m, not_m = author_regexes(damon.maintainers)
    ranges = [f"{a}..{b}" for a, b in itertools.pairwise(refs)] + [f"{refs[0]}..{last}"]
    nm = MAINTAINER_LABEL
    tables: dict[str, list[list[str]]] = {
        "community": [["range", f"from_{nm}", f"non_{nm}", f"non_{nm}_portion"]],
        "commits": [["range", "damon", "mm", "damon/mm", "linux", "damon/linux"]],
        "lines": [["range", "damon", "mm", "damon/mm", "linux", "damon/linux"]],
    }
    commands = 0
    for rng in ranges:
        mine = count(repo, "--pretty=%h", "--perl-regexp", f"--author={is_m}", rng, "--", *damon.patterns)
        others = count(repo, "--pretty=%h", "--perl-regexp", f"--author={not_m}", rng, "--", *damon.patterns)
        tables["community"].append([rng, str(mine), str(others), percent(others, mine + others)])
        d, p, t = (
            count(repo, "--pretty=%h", "--no-merges", rng, "--", *paths) for paths in (damon.patterns, mm.patterns, ())
        )
        tables["commits"].append([rng, str(d), str(p), percent(d, p), str(t), percent(d, t)])
        d, p, t = (shortstat_sum(repo, rng, paths) for paths in (damon.patterns, mm.patterns, ()))
        tables["lines"].append([rng, str(d), str(p), percent(d, p), str(t), percent(d, t)])
        commands += 8
    authors = authors_text(
        git_lines(repo, "log", "--pretty=%an <%ae>", "--no-merges", ranges[-1], "--", *damon.patterns)
    )
    return tables, authors + provenance_line(repo, last, damon.patterns), commands + 1


def provenance_line(repo: Path, ref: str, patterns: Sequence[str]) -> str:
    """The line retrospect adds after authors.py's footer: where MAINTAINERS was read, the section's pathspecs
    and the files they match there (`git ls-files` over the ref's tree, read into a scratch index)."""
    commit = b"".join(git_lines(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")).decode().strip()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        subprocess.run(["git", "-C", str(repo), "read-tree", commit], check=True, env=env)
        listed = subprocess.run(
            ["git", "-C", str(repo), "ls-files", "-z", "--", *patterns], check=True, env=env, capture_output=True
        ).stdout
    files = listed.count(b"\0")
    return (
        f"# path sets as at {ref} ({commit[:12]}): MAINTAINERS section {SUBSYSTEM} "
        f"({len(patterns)} pathspecs, {files} files there)\n"
    )


def authors_text(lines: Iterator[bytes]) -> str:
    """authors.py's output: by commits, ties in order of first appearance (dicts keep insertion order)."""
    counts: dict[str, int] = {}
    for line in lines:
        who = line.decode("utf-8", "replace").rstrip("\n")
        counts[who] = counts.get(who, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])  # sorted() is stable
    shown = [f"{i}. {who}: {n} commits" for i, (who, n) in enumerate(ranked[:AUTHORS_SHOWN], 1)]
    return "\n".join(shown + [f"# {len(counts)} authors, {sum(counts.values())} commits in total"]) + "\n"


# ------------------------------------------------------------------------------------------ retrospect
@dataclass
class Run:
    seconds: float
    status: int
    stdout: str
    stderr: str
    rss_self_kb: int | None  # retrospect's own process
    rss_tree_kb: int  # the largest of the process and everything it waited for (git, workers)
    cpu_seconds: float = 0.0  # user + system time of the process and everything it waited for


def find_retrospect(given: str | None) -> list[str] | None:
    """The command prefix that runs the CLI under the RSS wrapper, or plain; None when not installed."""
    exe = given or shutil.which("retrospect") or str(Path(sys.executable).with_name("retrospect"))
    if not Path(exe).is_file():
        return None
    with open(exe, "rb") as script:
        first = script.readline()
    if first.startswith(b"#!"):
        python = first[2:].decode().strip()
        probe = subprocess.run([python, "-c", "import reporter.cli"], capture_output=True)
        if probe.returncode == 0:
            compile_bytecode(python)
            return [python, "-c", RSS_WRAPPER]
    return [exe]


def compile_bytecode(python: str) -> None:
    """Compile retrospect's modules, as pip does on install: an editable install run with
    PYTHONDONTWRITEBYTECODE=1 (set on some machines) compiles every module again in every run, which no
    installed copy does. Where the package directory is read-only, its modules stay as they are."""
    code = "import compileall, os, reporter; compileall.compile_dir(os.path.dirname(reporter.__file__), quiet=2)"
    subprocess.run([python, "-c", code], capture_output=True, timeout=120)


def run_timed(argv: Sequence[str], env: dict[str, str]) -> Run:
    with tempfile.TemporaryDirectory(prefix="retrospect-bench-") as tmp:
        rss_file = Path(tmp, "rss")
        out, err = Path(tmp, "out"), Path(tmp, "err")
        env = dict(env, RETROSPECT_BENCH_RSS=str(rss_file))
        with open(out, "wb") as o, open(err, "wb") as e:
            start = time.perf_counter()
            proc = subprocess.Popen(list(argv), stdout=o, stderr=e, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        own = int(rss_file.read_text().split()[0]) if rss_file.exists() else None
        return Run(
            seconds,
            proc.returncode,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
            own,
            usage.ru_maxrss,
            usage.ru_utime + usage.ru_stime,
        )


def retrospect_set(prefix: Sequence[str], repo: Path, refs: Sequence[str], year: int, cache: Path) -> dict[str, Run]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    fill = {"repo": str(repo), "first": refs[0], "last": refs[-1], "year": str(year)}
    return {name: run_timed([*prefix, *(a.format(**fill) for a in args)], env) for name, args in RETROSPECT_COMMANDS}


def timed_git(repo: Path, *args: str, keep: bool = False) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, stdout if `keep`) of one git process, start-up included."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(["git", "-C", str(repo), *args], stdout=out if keep else subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"run.py: git {' '.join(args)} failed")
        out.seek(0)
        return seconds, usage.ru_utime + usage.ru_stime, out.read() if keep else b""


def dated_log_args() -> list[str]:
    """`git log --format` with the dates `retrospect authors --since/--until` means (whole days, UTC)."""
    since, until = AUTHOR_DATES
    return ["log", "--format=%an <%ae>", f"--since={since} 00:00:00 +0000", f"--until={until} 23:59:59 +0000"]


def section_reference(repo: Path, refs: Sequence[str], title: str) -> dict[str, list[list[int]]]:
    """Per range, plain git over the pathspecs retrospect resolves for `title` (N: lines at the last ref):
    [maintainers' commits, others' commits] (merges included), [non-merge commits], [lines]."""
    from reporter.git import walk
    from reporter.kernel import compute

    pathset = compute.section_pathset(walk.open_repo(repo), refs[-1], title)
    people = [m.partition("<") for m in pathset.maintainers]
    names = {n.strip() for n, _, _ in people}
    emails = {e.rstrip(">").strip().casefold() for _, _, e in people}
    out: dict[str, list[list[int]]] = {"community": [], "commits": [], "lines": []}
    ranges = [f"{a}..{b}" for a, b in itertools.pairwise(refs)] + [f"{refs[0]}..{refs[-1]}"]
    for rng in ranges:
        fmt = "--format=%x00%P%x00%an%x00%ae%x00"
        _, _, raw = timed_git(repo, "log", fmt, "--numstat", rng, "--", *(pathset.pathspecs or ()), keep=True)
        mine = others = non_merges = lines = 0
        records = raw.decode("utf-8", "replace").split("\x00")
        for i in range(1, len(records) - 3, 4):
            parents, name, email, body = records[i : i + 4]
            if name in names or email.casefold() in emails:
                mine += 1
            else:
                others += 1
            if len(parents.split()) < 2:
                non_merges += 1
                for line in body.splitlines():
                    added, _, rest = line.partition("\t")
                    deleted = rest.partition("\t")[0]
                    if added.isdigit() and deleted.isdigit():
                        lines += int(added) + int(deleted)
        out["community"].append([mine, others])
        out["commits"].append([non_merges])
        out["lines"].append([lines])
    return out


def report_config(directory: Path, repo: Path, tool: Path, refs: Sequence[str], year: int) -> Path:
    """A report configuration over the benchmark repositories: no network (no GitHub, no packaging)."""
    config = directory / "config.yaml"
    config.write_text(
        "kernel:\n"
        "  name: linux\n"
        f"  path: {json.dumps(str(repo))}\n"
        "  subsystem: {label: damon, section: DATA ACCESS MONITOR}\n"
        "  parent: {label: mm, section: MEMORY MANAGEMENT}\n"
        "  total_label: linux\n"
        "  refs:\n"
        f"    {year}: {json.dumps(list(refs))}\n"
        f"    {year - 1}: {json.dumps(list(PREVIOUS_REFS))}\n"
        "tools:\n"
        "  - name: tool\n"
        f"    path: {json.dumps(str(tool))}\n"
        "    merges: true\n"
        "github: []\n"
        "packaging: []\n"
    )
    return config


def extra_runs(
    prefix: Sequence[str], repo: Path, config: Path, year: int, scratch: Path, baselines: dict[str, list[str]]
) -> dict[str, tuple[float, Run, Run, str]]:
    """Each EXTRA_COMMANDS command on an empty cache of its own, then again on that cache: (the seconds of
    its baseline git command, run right before; cold, warm, the report's JSON of the cold run and of the
    warm run compared: PASS or FAIL)."""
    out: dict[str, tuple[float, Run, Run, str]] = {}
    for name, args in EXTRA_COMMANDS:
        baseline = timed_git(repo, *baselines[BASELINE.get(name, "a")])[0]
        cache, report = Path(tempfile.mkdtemp(dir=scratch)), Path(tempfile.mkdtemp(dir=scratch))
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        fill = {
            "repo": str(repo),
            "year": str(year),
            "previous": str(year - 1),
            "config": str(config),
            "out": str(report),
        }
        argv = [*prefix, *(a.format(**fill) for a in args)]
        cold = run_timed(argv, env)
        written = (report / f"{year}.json").read_text() if name == "report" and cold.status == 0 else None
        warm = run_timed(argv, env)
        again = (report / f"{year}.json").read_text() if name == "report" and warm.status == 0 else None
        same = "PASS" if written == again else "FAIL (the warm report's JSON differs from the cold one's)"
        if written is not None:
            cold.stdout = written
        out[name] = (baseline, cold, warm, same)
        shutil.rmtree(cache)
        shutil.rmtree(report)
    return out


def check_extras(
    runs: dict[str, tuple[float, Run, Run, str]],
    dated_authors: str,
    section: dict[str, list[list[int]]],
    tables: dict[str, list[list[str]]],
) -> dict[str, str]:
    """PASS or FAIL: authors by dates against git's dated log; the N: section's tables against git over its
    pathspecs (and the reference's parent and total columns); the report's year against the reference."""
    verdicts: dict[str, str] = {}
    for name, (_, cold, warm, same) in runs.items():
        for kind, run in (("cold", cold), ("warm", warm)):
            if run.status != 0:
                verdicts[f"{name}, {kind}"] = f"FAIL (exit {run.status}: {last_line(run.stderr)})"
        verdicts[f"{name}, warm run"] = same if name == "report" else same_run(cold, warm)
    authors = runs["authors by dates"][1]
    if authors.status == 0:
        ok = authors.stdout.rstrip("\n") == dated_authors.rstrip("\n")
        verdicts["authors by dates"] = "PASS" if ok else "FAIL (differs from git log --format with the dates)"
    n_tables = runs["N: tables"][1]
    if n_tables.status == 0:
        blocks = [parse_tsv(b)[1:] for b in n_tables.stdout.split("\n\n")]
        for kind, rows in zip(TABLE_KINDS, blocks, strict=False):
            want = [
                s + ([int(r[2]), int(r[4])] if kind != "community" else [])
                for s, r in zip(section[kind], tables[kind][1:], strict=True)
            ]
            got = [[int(c) for c in (row[1:3] if kind == "community" else [row[1], row[2], row[4]])] for row in rows]
            verdicts[f"N: tables, {kind}"] = "PASS" if got == want else f"FAIL ({got} != {want})"
    verdicts.update(check_trends(runs["trends"], tables))
    report = runs["report"][1]
    if report.status == 0:
        kernel = json.loads(report.stdout)["stats"]["kernel"]["tables"]
        for kind in TABLE_KINDS:
            want = [[int(c) for c in (r[1:3] if kind == "community" else [r[1], r[2], r[4]])] for r in tables[kind][1:]]
            got = [row.values for row in table_from(kernel[kind]).rows]
            verdicts[f"report, {kind}"] = "PASS" if got == want else f"FAIL ({got} != {want})"
    return verdicts


def check_trends(runs: tuple[float, Run, Run, str], tables: dict[str, list[list[str]]]) -> dict[str, str]:
    """The year's row of `trends` against the reference's total rows; the warm run within a second a year."""
    _, cold, warm, _ = runs
    verdicts = {}
    if warm.status == 0:
        per_year = warm.seconds / TRENDS_YEARS
        verdicts["trends warm, at most a second per year"] = (
            "PASS" if per_year <= TRENDS_WARM_PER_YEAR else f"FAIL ({per_year:.2f} s per year)"
        )
    if cold.status == 0:
        year = json.loads(cold.stdout)["years"][-1]
        commits, lines = (tables[kind][-1] for kind in ("commits", "lines"))
        got = [year["commits"], year["lines"], *(year["shares"][k]["parent"]["whole"] for k in ("commits", "lines"))]
        want = [int(commits[1]), int(lines[1]), int(commits[2]), int(lines[2])]
        verdicts["trends, the year"] = "PASS" if got == want else f"FAIL ({got} != {want})"
    return verdicts


# ------------------------------------------------------------------------------------------ checks
def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def same_run(first: Run, again: Run) -> str:
    if again.status != first.status:
        return f"FAIL (exit {again.status} after {first.status}: {last_line(again.stderr)})"
    for old, new in zip(first.stdout.splitlines(), again.stdout.splitlines(), strict=False):
        if old != new:
            return f"FAIL (cached run printed {new!r} instead of {old!r})"
    if first.stdout != again.stdout:
        return "FAIL (cached run printed a different number of lines)"
    return "PASS"


def parse_tsv(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line.strip()]


def same_table(expected: list[list[str]], got: list[list[str]]) -> str | None:
    """None when equal: the header and counts exactly, percentages within rounding."""
    if len(got) != len(expected):
        return f"{len(got)} rows, expected {len(expected)}"
    for want, have in zip(expected, got, strict=True):
        if len(want) != len(have):
            return f"row {have}: expected {want}"
        for w, h in zip(want, have, strict=True):
            if w == h:
                continue
            if w.endswith("%") and h.endswith("%") and abs(float(w[:-1]) - float(h[:-1])) <= 0.01:
                continue
            return f"row {have}: expected {want}"
    return None


def check(expected_tables: dict[str, list[list[str]]], expected_authors: str, runs: dict[str, Run]) -> dict[str, str]:
    verdicts = {}
    for name, run in runs.items():
        if run.status != 0:
            verdicts[name] = f"FAIL (exit {run.status}: {last_line(run.stderr)})"
            continue
        if name == "authors":
            ok = run.stdout.rstrip("\n") == expected_authors.rstrip("\n")
            problem = None if ok else "output differs from the reference authors list"
            verdicts[name] = "PASS" if problem is None else f"FAIL ({problem})"
            continue
        blocks = run.stdout.split("\n\n")  # the tables, in TABLE_KINDS order
        for kind, block in zip(TABLE_KINDS, blocks + [""] * len(TABLE_KINDS), strict=False):
            problem = same_table(expected_tables[kind], parse_tsv(block))
            verdicts[kind] = "PASS" if problem is None else f"FAIL ({problem})"
    return verdicts


# ------------------------------------------------------------------------------------------ reporting
@dataclass
class Measure:
    label: str
    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float | list[float]]:
        return {
            "median": statistics.median(self.samples),
            "min": min(self.samples),
            "max": max(self.samples),
            "samples": self.samples,
        }


def ratio(num: Measure | None, den: Measure | None) -> float | None:
    """The median of the repetitions' ratios when both were measured in each (paired), else of the medians."""
    if not num or not den or not num.samples or not den.samples:
        return None
    if len(num.samples) == len(den.samples):
        return statistics.median(n / d for n, d in zip(num.samples, den.samples, strict=True))
    return statistics.median(num.samples) / statistics.median(den.samples)


def render(result: dict[str, Any]) -> str:
    rows: list[list[object]] = [["measure", "median s", "min s", "max s"]]
    for m in result["measures"].values():
        rows.append([m["label"], f"{m['median']:.2f}", f"{m['min']:.2f}", f"{m['max']:.2f}"])
    blocks = [aligned(rows)]
    ratios = [["ratio", "value", "target"]]
    for name, target in (("c/a", "<= 1.0"), ("c/b", "<= 0.5"), ("c2/c", "<= 0.1")):
        value = result["ratios"].get(name)
        ratios.append([name, "unavailable" if value is None else f"{value:.3f}", target])
    blocks.append(aligned(ratios))
    targets = [["target", "value", "at most", "verdict"]]
    for label, t in result["targets"].items():
        value = "unavailable" if t["value"] is None else f"{t['value']:.3f}"
        targets.append([label, value, f"{t['at_most']}", t["verdict"]])
    if result["rss_mb"]:
        rss = result["rss_mb"]
        own = "unknown" if rss["self"] is None else f"{rss['self']:.0f} MB"
        verdict = "unavailable" if rss["self"] is None else ("PASS" if rss["self"] <= RSS_TARGET_MB else "FAIL")
        targets.append(["peak RSS of retrospect's own process", own, f"{RSS_TARGET_MB} MB", verdict])
        blocks.append(f"largest process of retrospect's tree (git included): {rss['tree']:.0f} MB\n")
    blocks.append(aligned(targets))
    checks = [["check", "verdict"]] + [[k, v] for k, v in result["checks"].items()]
    blocks.append(aligned(checks) if result["checks"] else "correctness: unavailable\n")
    if result.get("unavailable"):
        blocks.append(f"(c) unavailable: {result['unavailable']}\n")
    return "\n".join(blocks)


# ------------------------------------------------------------------------------------------ main
def benchmark(
    repo: Path, refs: Sequence[str], year: int, repeat: int, retrospect: str | None, progress: Callable[[str], None]
) -> dict[str, Any]:
    first, last = refs[0], refs[-1]
    floor = Measure(f"(a) floor: git log --no-merges --numstat {first}..{last}")
    ref = Measure("(b) reference: the seed's git commands")
    cold = Measure("(c) retrospect, empty cache")
    warm = Measure("(c2) retrospect again, on (c)'s cache")
    per_command: dict[str, Measure] = {}
    per_command_warm: dict[str, Measure] = {}
    prefix = find_retrospect(retrospect)
    unavailable = None if prefix else "retrospect is not installed"
    checks: dict[str, str] = {}
    rss_self: list[int] = []
    rss_tree: list[int] = []
    expected_tables: dict[str, list[list[str]]] = {}
    expected_authors = ""
    floor_cpu = Measure("(a) floor, CPU")
    dated = Measure(f"(g) git {' '.join(dated_log_args()[:2])} --since/--until {AUTHOR_DATES[0]}..{AUTHOR_DATES[1]}")
    extra: dict[str, Measure] = {}
    scratch = Path(tempfile.mkdtemp(prefix="retrospect-bench-"))
    config = None
    if prefix:
        progress("a tool repository for the report")
        tool = scratch / "tool"
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("genrepo.py")),
                "--commits",
                "2000",
                "--seed",
                "7",
                "--out",
                str(tool),
                "--quiet",
            ],
            check=True,
        )
        config = report_config(scratch, repo, tool, refs, year)
    section: dict[str, list[list[int]]] = {}
    floor_args = ["log", "--no-merges", "--numstat", f"{first}..{last}"]
    trends_span = f"{PREVIOUS_REFS[0]}..{last}"  # the previous year's start to the year's end
    for i in range(repeat):
        progress(f"repetition {i + 1}/{repeat}: (b)")
        start = time.perf_counter()
        expected_tables, expected_authors, commands = reference(repo, refs)
        ref.samples.append(time.perf_counter() - start)
        ref.label = f"(b) reference: the seed's {commands} git commands"
        progress(f"repetition {i + 1}/{repeat}: (g)")
        seconds, _, raw = timed_git(repo, *dated_log_args(), keep=True)
        dated.samples.append(seconds)
        dated_authors = authors_text(iter(raw.splitlines(keepends=True)))
        progress(f"repetition {i + 1}/{repeat}: (a)")  # right before (c), which it is the floor of
        seconds, cpu, _ = timed_git(repo, *floor_args)
        floor.samples.append(seconds)
        floor_cpu.samples.append(cpu)
        if not prefix or unavailable:
            continue
        with tempfile.TemporaryDirectory(prefix="retrospect-bench-cache-") as cache:
            progress(f"repetition {i + 1}/{repeat}: (c)")
            runs = retrospect_set(prefix, repo, refs, year, Path(cache))
            progress(f"repetition {i + 1}/{repeat}: (c2)")
            again = retrospect_set(prefix, repo, refs, year, Path(cache))
        if all(r.status != 0 for r in runs.values()):
            unavailable = last_line(next(iter(runs.values())).stderr) or "every command failed"
            continue
        cold.samples.append(sum(r.seconds for r in runs.values()))
        warm.samples.append(sum(r.seconds for r in again.values()))
        extra.setdefault("cpu.c.tables", Measure("    (c) tables, CPU")).samples.append(runs["tables"].cpu_seconds)
        assert config is not None
        progress(f"repetition {i + 1}/{repeat}: (d) (e) (f)")
        baselines = {"a": floor_args, "g": dated_log_args(), "t": ["log", "--no-merges", "--numstat", trends_span]}
        others = extra_runs(prefix, repo, config, year, scratch, baselines)
        for name, (baseline, first_run, second_run, _) in others.items():
            letter = {"authors by dates": "d", "N: tables": "e", "report": "f", "trends": "h"}[name]
            base = BASELINE.get(name, "a")
            extra.setdefault(f"{base}.{name}", Measure(f"({base}) right before ({letter})")).samples.append(baseline)
            extra.setdefault(f"{letter}.{name}", Measure(f"({letter}) {name}, empty cache")).samples.append(
                first_run.seconds
            )
            extra.setdefault(f"{letter}2.{name}", Measure(f"({letter}2) {name}, again")).samples.append(
                second_run.seconds
            )
            for run in (first_run, second_run):
                if run.rss_self_kb is not None:
                    rss_self.append(run.rss_self_kb)
                rss_tree.append(run.rss_tree_kb)
        if not section:
            progress("the N: section's tables by plain git over its pathspecs (once)")
            section = section_reference(repo, refs, N_SECTION)
        for name, run in runs.items():
            per_command.setdefault(name, Measure(f"    (c) {name}")).samples.append(run.seconds)
            per_command_warm.setdefault(name, Measure(f"    (c2) {name}")).samples.append(again[name].seconds)
            if run.rss_self_kb is not None:
                rss_self.append(run.rss_self_kb)
            rss_tree.append(run.rss_tree_kb)
        verdicts = check(expected_tables, expected_authors, runs)
        verdicts.update(check_extras(others, dated_authors, section, expected_tables))
        verdicts.update({f"{name}, cached run": same_run(runs[name], again[name]) for name in runs})
        for name, verdict in verdicts.items():  # a failure in any repetition stays, with its number
            if checks.get(name, "PASS") == "PASS":
                checks[name] = verdict if verdict == "PASS" else f"{verdict} in repetition {i + 1}"
    shutil.rmtree(scratch, ignore_errors=True)
    measures = {"a": floor, "cpu.a": floor_cpu, "b": ref, "g": dated}
    if cold.samples:
        measures.update(
            {
                "c": cold,
                **{f"c.{k}": v for k, v in per_command.items()},
                "c2": warm,
                **{f"c2.{k}": v for k, v in per_command_warm.items()},
                **extra,
            }
        )
    targets = {}
    for label, num, den, most in TARGETS:
        value = ratio(measures.get(num), measures.get(den))
        verdict = "unavailable" if value is None else ("PASS" if value <= most else "FAIL")
        targets[label] = {"value": value, "at_most": most, "verdict": verdict}
    return {
        "repo": str(repo),
        "refs": list(refs),
        "year": year,
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "measures": {k: {"label": m.label, **m.summary()} for k, m in measures.items()},
        "ratios": {
            "c/a": ratio(measures.get("c"), floor),
            "c/b": ratio(measures.get("c"), ref),
            "c2/c": ratio(measures.get("c2"), measures.get("c")),
        },
        "rss_mb": {"self": max(rss_self) / 1024 if rss_self else None, "tree": max(rss_tree) / 1024}
        if rss_tree
        else None,
        "checks": checks,
        "targets": targets,
        "unavailable": unavailable if not cold.samples else None,
        "reference_tables": expected_tables,
        "reference_authors": expected_authors,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measure (median)")
    parser.add_argument("--refs", default=",".join(DEFAULT_REFS), help="the year's boundary refs, comma-separated")
    parser.add_argument("--year", type=int, default=DEFAULT_YEAR, help="what retrospect is asked for")
    parser.add_argument("--retrospect", help="path of the retrospect executable (default: from PATH)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    refs = args.refs.split(",")
    say = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    result = benchmark(args.repo.resolve(), refs, args.year, args.repeat, args.retrospect, say)
    print(render(result), end="")
    if args.json:
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps(result, indent=2) + "\n")
        tmp.replace(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
