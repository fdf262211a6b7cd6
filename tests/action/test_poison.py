"""Poison commits (tests/poison.py) in the kernel-like history: every command counts what plain git counts,
and every output is valid UTF-8 (bytes that are not UTF-8 shown as U+FFFD)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from command_json import output, validated
from gitcheck import DAMON, MM, count, shortstat
from kernelrepo import CONFIG
from markdown_it import MarkdownIt
from poison import poisoned_kernel

from reporter.cli import main

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

SPAN = "v1.1-rc1..v1.4-rc2"


REFERENCE = re.compile(r"https://(?:lore\.kernel\.org|github\.com)/[A-Za-z0-9._~%/@+-]*")


@pytest.fixture(scope="module")
def poisoned(kernel_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return poisoned_kernel(kernel_repo, tmp_path_factory.mktemp("poison") / "linux")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--quiet"]) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")  # no lone surrogate: what is printed is valid UTF-8
    return out


def git_identities(repo: Path, *args: str) -> set[bytes]:
    """Distinct `name NUL email` of `git log ARGS`, as bytes (no decoding)."""
    out = subprocess.run(
        ["git", "log", "-z", "--format=%an%x00%ae", *args], cwd=repo, capture_output=True, check=True
    ).stdout
    fields = out.split(b"\0")
    return {fields[i] + b"\0" + fields[i + 1] for i in range(0, len(fields) - 1, 2)}


def test_authors_counts_equal_git(poisoned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = output(
        "authors", run(capsys, "authors", str(poisoned), "--range", SPAN, "--files", *DAMON, "--format", "json")
    )
    assert data["total_commits"] == count(poisoned, SPAN, "--", *DAMON)
    assert data["total_authors"] == len(git_identities(poisoned, SPAN, "--", *DAMON))
    identities = {a["identity"] for a in data["authors"]}
    assert {"Evil\x1fName <evil\x1f@example.org>", "Latin \ufffd Name <l\ufffd@example.org>"} <= identities
    assert "Evil <img src=x onerror=alert(1)>" in identities  # JSON is data: kept as it is
    latin = next(a for a in data["authors"] if a["identity"].startswith("Latin"))
    assert latin["commits"] == 1  # the Latin-1 author's other commit is outside DAMON
    for fmt in ("text", "md"):
        assert "Latin \ufffd Name" in run(capsys, "authors", str(poisoned), "--range", SPAN, "--format", fmt)


def test_tables_equal_git(poisoned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = run(capsys, "table", "commits", "lines", str(poisoned), "--year", "2023", "--format", "json")
    commits, lines = validated("table", document)["tables"]
    assert commits["rows"][-1]["range"] == SPAN
    assert commits["rows"][-1]["damon"] == count(poisoned, "--no-merges", SPAN, "--", *DAMON)
    assert commits["rows"][-1]["linux"] == count(poisoned, "--no-merges", SPAN)
    assert lines["rows"][-1]["damon"] == shortstat(poisoned, "--no-merges", SPAN, "--", *DAMON)
    assert lines["rows"][-1]["mm"] == shortstat(poisoned, "--no-merges", SPAN, "--", *MM)
    run(capsys, "table", "commits", str(poisoned), "--year", "2023", "--format", "text")


def test_subsystems_equal_git(poisoned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = output("subsystems", run(capsys, "subsystems", str(poisoned), "--year", "2023", "--format", "json"))
    damon = next(row for row in data["sections"] if row["section"] == "DATA ACCESS MONITOR")
    assert damon["commits"] == count(poisoned, "--no-merges", "--full-history", SPAN, "--", *DAMON)
    assert damon["authors"] == len(git_identities(poisoned, "--no-merges", "--full-history", SPAN, "--", *DAMON))
    run(capsys, "subsystems", str(poisoned), "--year", "2023", "--format", "md")


def test_report_writes_valid_utf8(poisoned: Path, tool_repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "retrospect.yml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out), "--offline", "--quiet"]
    assert main([*args, "--repo", f"linux={poisoned}", "--repo", f"damo={tool_repo}", "--format", "gfm"]) == 0
    for name in ("2023.md", "2023.json", "2023.gfm.md", "2023.mbox"):
        (out / name).read_bytes().decode("utf-8")
    data = json.loads((out / "2023.json").read_text())
    kernel = data["stats"]["kernel"]["authors"]
    assert kernel["total_commits"] == count(poisoned, "--no-merges", SPAN, "--", *DAMON)
    assert kernel["total_authors"] == len(git_identities(poisoned, "--no-merges", SPAN, "--", *DAMON))
    assert re.search("Latin \ufffd Name", (out / "2023.md").read_text())


def test_hostile_identities_stay_text_in_every_markdown(poisoned: Path, tool_repo: Path, tmp_path: Path) -> None:
    """Identities shown as `Evil <img src=x onerror=alert(1)>` or `Closer </details>`, and markdown in names,
    are text in the news region and the post: no HTML, link, image or emphasis comes out of them."""
    config = tmp_path / "retrospect.yml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out), "--offline", "--quiet"]
    assert main([*args, "--repo", f"linux={poisoned}", "--repo", f"damo={tool_repo}", "--format", "gfm"]) == 0
    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    for name in ("2023.gfm.md", "2023.md"):
        source = (out / name).read_text()
        tokens = parser.parse(source)
        children = [c for t in tokens if t.type == "inline" for c in t.children or []]
        assert not [c for c in children if c.type in ("html_inline", "image", "strong_open", "em_open")]
        # The only links are the references' autolinks, each a plain address the report made (the config's
        # posts, the tool's repository, lore): nothing a name or message holds becomes one.
        links = [c for c in children if c.type == "link_open"]
        assert all(c.markup == "autolink" and REFERENCE.fullmatch(str(c.attrs["href"])) for c in links), links
        assert not [t for t in tokens if t.type == "html_block"]
        assert "{{<" not in source
    region = (out / "2023.gfm.md").read_text()
    rendered = parser.render(region)
    assert "Evil &lt;img src=x onerror=alert(1)&gt;" in rendered and "Closer | pipe &lt;/details&gt;" in rendered
