"""The tool's releases of the year and what its release notes file says they brought, against plain git."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from kernelrepo import SJ, Builder, report_2023, ts

from reporter.kernel.releases import NotesShape, level, major_of, parse_notes

PREAMBLE = "This file records important changes made in each release.\n\n"

# (version, items) newest first, as damo writes them; the notes grow with each release.
NOTES = [
    ("v2.1.1", ["Released in 2024"]),
    ("v2.1.0", ["Remove 'damo translate_damos'", "Make 'damo show' fail faster"]),
    ("v2.0.1", ["Deprecate the record file\n  format of old", "Internal code cleanup"]),
    ("v2.0.0", ["Trivial fixes and cleanups"]),
    ("v1.9.1", ["Internal code cleanup"]),
    ("v1.9.0", ["Mark 'damo stat' as deprecated"]),
]


def notes_text(upto: int, edited: bool = False) -> str:
    """The notes file holding the releases from NOTES[upto] on (older ones last)."""
    parts = []
    for version, items in NOTES[upto:]:
        shown = [("A later rewording" if edited and version == "v2.0.0" else item) for item in items]
        parts.append(version + "\n" + "".join(f"- {item}\n" for item in shown))
    return PREAMBLE + "\n".join(parts)


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A damo-like repository: releases across 2022-2024, one lightweight, one tag of another pattern, and a
    notes edit in 2024 that rewrites a 2023 item (the 2023 post keeps what the file said then)."""
    b = Builder(tmp_path_factory.mktemp("releases") / "damo")
    plan = [
        ("v1.9.0", "2022-12-20T10:00:00", True),
        ("v1.9.1", "2023-01-10T10:00:00", True),
        ("v2.0.0", "2023-09-25T20:41:35", True),
        ("v2.0.1", "2023-10-02T21:28:15", False),
        ("v2.1.0", "2023-12-04T18:50:08", True),
        ("v2.1.1", "2024-01-08T10:00:00", True),
    ]
    for version, when, annotated in plan:
        upto = next(i for i, (v, _) in enumerate(NOTES) if v == version)
        b.commit(f"release {version}", SJ, ts(when), files={"release_note": notes_text(upto), "damo.py": version})
        b.tag(version, ts(when), annotated)
    b.commit("an unrelated product tag", SJ, ts("2023-12-22T10:00:00"), files={"other": "x"})
    b.tag("hmsdk-v2.0", ts("2023-12-22T10:00:00"))
    b.commit("reword", SJ, ts("2024-02-01T10:00:00"), files={"release_note": notes_text(0, edited=True)})
    return b.path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def test_parse_notes_joins_continuations_and_skips_the_preamble() -> None:
    text = "Preamble\n- not an item\n\nv2.0.0\n- one\n  two\n- three\n\nv1.0\n- four\n"
    assert parse_notes(text, NotesShape(r"v?\d+(\.\d+)+", "- ")) == {"v2.0.0": ["one two", "three"], "v1.0": ["four"]}
    assert parse_notes("2.0\n* a\n- b\n", NotesShape(r"\d+\.\d+", "* ")) == {"2.0": ["a"]}


@pytest.mark.parametrize(
    ("tag", "major", "kind"),
    [
        ("v2.0.0", 2, 0),
        ("v1.0", 1, 0),
        ("v0.0.1", None, 2),
        ("v0.1.0", None, 1),
        ("v2.1.0", None, 1),
        ("v2.0.9", None, 2),
    ],
)
def test_major_and_level(tag: str, major: int | None, kind: int) -> None:
    assert major_of(tag) == major
    assert level(tag) == kind


def test_releases_and_notes_of_the_year_equal_git(tmp_path: Path, kernel_repo: Path, tool: Path) -> None:
    out = report_2023(tmp_path, kernel_repo, tool)
    found = json.loads((out / "2023.json").read_text())["stats"]["tools"][0]

    # The year's tags of the pattern, by plain git, oldest first.
    lines = git(
        tool, "for-each-ref", "--sort=creatordate", "--format=%(refname:strip=2) %(creatordate:unix)", "refs/tags"
    )
    tags = [(n, int(d)) for n, d in (line.split() for line in lines.splitlines())]
    in_year = [(n, d) for n, d in tags if re.fullmatch(r"v\d+(\.\d+)+", n) and ts("2023-01-01T00:00:00") <= d]
    in_year = [(n, d) for n, d in in_year if d <= ts("2023-12-31T23:59:59")]
    assert [(r["tag"], r["date"]) for r in found["releases"]] == in_year
    # The notes as the file stood at the year's end (by git), parsed by hand: the version line, `- ` items.
    end = git(tool, "rev-list", "-1", "--before=2023-12-31T23:59:59Z", "HEAD").strip()
    assert found["notes"] == end
    expected: dict[str, list[str]] = {}
    for line in git(tool, "show", f"{end}:release_note").splitlines():
        if re.fullmatch(r"v[\d.]+", line):
            current = expected.setdefault(line, [])
        elif line.startswith("- ") and expected:
            current.append(line[2:])
        elif line.startswith("  ") and expected:
            current[-1] += " " + line.strip()
    assert {r["tag"]: r["items"] for r in found["releases"]} == {n: expected.get(n, []) for n, _ in in_year}
    assert "A later rewording" not in json.dumps(found)

    post = (out / "2023.md").read_text()
    assert "damo made 4 releases in 2023, from v1.9.1 to v2.1.0, including its second major version, v2.0" in post
    assert "- v2.0.1, released on 2023-10-02:\n  - Deprecate the record file format of old\n" in post
    assert "Internal code cleanup" in post and post.count("Internal code cleanup") == 1  # said once
    assert "releases brought" not in post  # no placeholder


def test_no_release_in_the_year_keeps_the_placeholder(tmp_path: Path, kernel_repo: Path, tool_repo: Path) -> None:
    out = report_2023(tmp_path, kernel_repo, tool_repo)
    assert "[TODO: what damo releases brought (no tag of its tag_pattern in 2023)]" in (out / "2023.md").read_text()
