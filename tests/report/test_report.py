"""`retrospect report` end to end on generated kernel-like and tool repositories."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from gitcheck import DAMON
from kernelrepo import CONFIG, report_2023
from markdown_it import MarkdownIt

from reporter.cli import main
from reporter.render import post as render_post
from reporter.render.post import EMPLOYER_MAP
from reporter.report.config import default as default_config
from reporter.report.config import load as load_config
from reporter.report.data import SCHEMA_VERSION


def git_lines(repo: Path, *args: str) -> list[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.splitlines()


SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "reporter" / "report" / "schema.json").read_text())
# A tag's date: the tagger's, or for a lightweight tag its commit's.
TAG_DATE = "%(if)%(taggerdate)%(then)%(taggerdate:unix)%(else)%(committerdate:unix)%(end)"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "retrospect.yml"
    path.write_text(CONFIG)
    return path


def report_args(config: Path, out: Path, kernel: Path | None = None, tool: Path | None = None) -> list[str]:
    """`retrospect report` for 2023 into `out`, with these local repositories (the others from the config)."""
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out), "--quiet"]
    args += ["--repo", f"linux={kernel}"] if kernel else []
    return args + (["--repo", f"damo={tool}"] if tool else [])


def report(config: Path, out: Path, kernel: Path | None, tool: Path | None, *extra: str) -> int:
    return main([*report_args(config, out, kernel, tool), "--offline", *extra])


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, kernel_repo: Path, tool_repo: Path) -> Path:
    """The 2023 report of the fixture repositories, made once for the tests that read it (a test that writes
    into an output directory copies it first), with a cache of its own."""
    root = tmp_path_factory.mktemp("written")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
        return report_2023(root, kernel_repo, tool_repo)


def blocks(post: str) -> dict[str, str]:
    """Each console block of the post: the command (as run here) and the output below it."""
    found = {}
    # A block runs on over blank lines (an output may have them), up to the next unindented line.
    for block in re.findall(r"(?:^    .*\n)(?:^(?:    .*)?\n)*", post, re.M):
        lines = [line[4:] for line in block.rstrip("\n").split("\n")]
        if lines[0].startswith("$ "):
            found[lines[0][2:]] = "\n".join(lines[1:]) + "\n"
    return found


def test_every_block_is_what_its_command_prints(
    written: Path, kernel_repo: Path, tool_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = (written / "2023.md").read_text()
    found = blocks(post)
    assert len(found) == 9  # kernel authors, tool 2023 and 2022, three tables, employers, credits, newcomers
    # The employer map the post names, as a reader writes it from the config's lines.
    emap = tmp_path / EMPLOYER_MAP
    emap.write_text("".join(line + "\n" for line in default_config().kernel.employers))
    capsys.readouterr()
    for command, output in found.items():
        command = command.replace("./linux", str(kernel_repo)).replace("./damo", str(tool_repo))
        args = shlex.split(command.replace(EMPLOYER_MAP, str(emap)))
        assert args[0] == "retrospect"
        if "--refs" in args:
            pytest.fail("explicit refs are not expected for the test repository")
        assert main([*args[1:], "--quiet"]) == 0
        assert capsys.readouterr().out == output, command


def change_phrase(before: int, after: int) -> str:
    """The post's own phrase, from its template's macro."""
    macro = '{% import "retrospect/macros.md.j2" as m %}{{ m.change(before, after) }}'
    return str(render_post.environment().from_string(macro).render(before=before, after=after))


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (a paragraph as a reader reads it)."""
    return " ".join(text.split())


def test_summary_numbers_and_comparisons(written: Path) -> None:
    data = json.loads((written / "2023.json").read_text())
    jsonschema.validate(data, SCHEMA)
    k, pk = data["stats"]["kernel"], data["previous"]["kernel"]
    post = (written / "2023.md").read_text()
    summary = words(post.split("Summary\n=======\n", 1)[1].split("Key Events", 1)[0])
    assert (
        f"{len(k['people'])} people contributed their great code to DAMON by making "
        f"{k['authors']['total_commits']} commits merged into the mainline." in summary
    )
    total = k["tables"]["commits"]["rows"][-1]
    assert f"about {total['damon/mm']:.2f}% of commits" in summary
    community = k["tables"]["community"]["rows"][-1]
    assert f"About {community['non_sj_portion']:.2f}% of the commits were made by people other" in summary
    phrase = change_phrase(pk["authors"]["total_commits"], k["authors"]["total_commits"])
    assert f"the number of commits has {phrase}." in summary
    tool = data["stats"]["tools"][0]
    # Four identities, two persons: SeongJae Park under two addresses, Honggyu Kim under two.
    assert tool["authors"]["total_authors"] == 4 and len(tool["people"]) == 2
    assert [len(p["identities"]) for p in tool["people"]] == [2, 2]
    assert f"2 people contributed {tool['authors']['total_commits']} commits to damo." in summary
    assert "```mermaid\nxychart-beta\n" in post
    assert post.startswith('+++\ntitle = "Looking back on DAMON development in 2023"\n')
    assert "\ndraft = true\n" in post  # it holds placeholders
    # The seed's structure, in its order, with the placeholders marked.
    headings = re.findall(r"^(.+)\n=+\n", post, re.M)
    assert headings == ["Summary", "Key Events", "Key Features", "Development Statistics", "Conclusion", "References"]
    # What no data tells stays a placeholder naming the config key that fills it; at most four of them.
    todos = re.findall(r"\[TODO: [^\]]*\]", post)
    assert 0 < len(todos) <= 4
    assert all("in the config)" in t for t in todos if "releases brought" not in t)
    features = post.split("Key Features\n====", 1)[1].split("Development Statistics", 1)[0]
    assert [t for t in re.findall(r"\[TODO: [^\]]*\]", features) if "releases brought" not in t] == []
    assert "\n[1] 2022 retrospect: <https://lore.kernel.org/damon/20221229171209.162356-1-sj@kernel.org/>\\\n" in post


def test_json_records_refs_and_hashes(written: Path, kernel_repo: Path) -> None:
    data = json.loads((written / "2023.json").read_text())
    kernel = data["stats"]["kernel"]
    assert kernel["refs"] == ["v1.1-rc1", "v1.2", "v1.3", "v1.4-rc2"]
    for ref, commit in kernel["resolved"].items():
        expected = subprocess.run(
            ["git", "rev-parse", f"{ref}^{{commit}}"], cwd=kernel_repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert commit == expected
    assert data["options"]["year"] == 2023 and data["tool"]["name"] == "retrospect"
    # Stated once: the refs' hashes per year (not per table), each row by column name only, no local path.
    text = (written / "2023.json").read_text()
    assert text.count('"resolved"') == 2 and '"values"' not in text and str(written.parent) not in text
    assert data["options"]["config"] == "retrospect.yml"
    rows = kernel["tables"]["commits"]["rows"]
    assert rows[0] == {
        "range": "v1.1-rc1..v1.2",
        "damon": 23,
        "mm": 24,
        "damon/mm": 95.8333,
        "linux": 33,
        "damon/linux": 69.697,
    }
    assert kernel["maintainers"] == ["SeongJae Park <sj@kernel.org>"]
    dates = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname:short) " + TAG_DATE, "refs/tags"],
        cwd=kernel_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert kernel["dates"] == {ref: int(when) for ref, when in (d.split() for d in dates if d) if ref in kernel["refs"]}


def test_maintainer_named_and_chart_counts_merges_alike(written: Path) -> None:
    post = (written / "2023.md").read_text()
    data = json.loads((written / "2023.json").read_text())
    assert "The maintainer, SeongJae Park (sj\\@kernel.org), has driven" in post
    rows = data["stats"]["kernel"]["tables"]["community"]["rows"][:-1]
    bars = re.search(r"\n    bar \[(.*)\]\n    line \[(.*)\]\n", post)
    assert bars, post
    assert bars.group(1) == ", ".join(str(r["from_sj"] + r["non_sj"]) for r in rows)
    assert bars.group(2) == ", ".join(str(r["non_sj"]) for r in rows)


def test_previous_year_without_its_tags_is_left_out(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2022's boundaries name tags the repository does not have: 2023 is written, compared for damo only."""
    config.write_text(CONFIG.replace("  release_pattern:", "  refs: {2022: [v5.15, v5.16]}\n  release_pattern:"))
    out = tmp_path / "out"
    assert report(config, out, kernel_repo, tool_repo) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: DAMON in 2022 left out of the comparisons: unknown ref 'v5\.1[56]'", err), err
    data = json.loads((out / "2023.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["previous"]["kernel"] is None and len(data["previous"]["tools"]) == 1
    assert len([w for w in data["warnings"] if "unknown ref 'v5.1" in w]) == 1 == err.count("unknown ref")
    # Newcomers are told apart by the previous year's range: without its tags, left out (the warning says why).
    assert data["stats"]["kernel"]["involvement"]["newcomers"] is None
    post = (out / "2023.md").read_text()
    assert "Compared to 2022, the number of DAMON" not in post and "output for 2022" not in post
    # What is missing is said on stderr and in the JSON's warnings, not to the post's readers.
    assert "Newcomers" not in post and "told apart" not in post, post
    left_out = "DAMON newcomers in 2023 left out: no tag of linux starts 2022's range"
    assert left_out in err and len([w for w in data["warnings"] if w.startswith(left_out)]) == 1
    assert "For damo, the number of contributors has" in words(post)


def test_template_from_the_config_replaces_a_block(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.md.j2").write_text(
        '{% extends "retrospect/post.md.j2" %}{% block conclusion %}Bye, {{ subsystem }} {{ year }}!\n{% endblock %}'
    )
    config.write_text(CONFIG.replace("# template: post.md.j2", "template: mine.md.j2"))
    out = tmp_path / "out"
    assert report(config, out, kernel_repo, tool_repo) == 0
    post = (out / "2023.md").read_text()
    assert "Bye, DAMON 2023!" in post and "Conclusion\n===" not in post and "Key Events\n===" in post
    (tmp_path / "mine.md.j2").write_text("{% block x %}unclosed")
    capsys.readouterr()
    assert report(config, out, kernel_repo, tool_repo) == 2
    err = capsys.readouterr().err
    assert err.startswith("retrospect: error: template mine.md.j2:1: ") and err.count("\n") == 1, err


def test_front_matter_from_the_config(config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path) -> None:
    text = CONFIG.replace("draft: true ", "draft: false").replace("# date: 2024", "date: 2024")
    config.write_text(text.replace("tags: [", 'tags: ["a \\"quoted\\" tag", '))
    out = tmp_path / "out"
    assert report(config, out, kernel_repo, tool_repo) == 0
    data = front_matter(out / "2023.md")
    assert str(data["date"]) == "2024-01-02 03:04:05+00:00"
    assert data["tags"][0] == 'a "quoted" tag' and data["title"] == "Looking back on DAMON development in 2023"


def front_matter(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text().split("+++\n")[1])


def test_a_post_with_placeholders_is_never_published(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path
) -> None:
    """The built-in post holds [TODO: ...] places: with `draft: false` Hugo published them."""
    assert default_config().draft is True
    out = tmp_path / "out"
    config.write_text(CONFIG.replace("draft: true ", "draft: false"))
    assert report(config, out, kernel_repo, tool_repo) == 0
    assert "[TODO: " in (out / "2023.md").read_text() and front_matter(out / "2023.md")["draft"] is True
    (tmp_path / "done.md.j2").write_text("Finished: {{ subsystem }} in {{ year }}.\n")
    config.write_text(
        CONFIG.replace("draft: true ", "draft: false").replace("# template: post.md.j2", "template: done.md.j2")
    )
    assert report(config, out, kernel_repo, tool_repo) == 0
    assert front_matter(out / "2023.md")["draft"] is False


def test_values_print_as_markdown_text() -> None:
    env = render_post.environment()
    hostile = "**bold** [link](https://evil.example) <img src=x onerror=alert(1)> `x` {{< shortcode >}}"
    shown = str(
        env.from_string("{{ x }} and {{ m.person({'name': x, 'email': 'e@x'}) }}").render(
            x=hostile, m=env.get_template("retrospect/macros.md.j2").make_module({"cite": None, "compare": None})
        )
    )
    html = MarkdownIt("commonmark").render(shown)
    assert "<strong>" not in html and "<a " not in html and "<img" not in html and "<code>" not in html, html
    assert "{{<" not in shown


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (40, 24, "reduced (40 -> 24)"),
        (1054, 1872, "increased to about 178 percent (1,054 -> 1,872)"),
        (5, 5, "not changed (5)"),
        (0, 3, "increased (0 -> 3)"),
    ],
)
def test_change_phrases(before: int, after: int, expected: str) -> None:
    assert change_phrase(before, after) == expected


def test_rerun_is_byte_identical_and_uses_last_years_json(
    config: Path, tmp_path: Path, written: Path, kernel_repo: Path, tool_repo: Path
) -> None:
    first = (written / "2023.md").read_bytes()
    written = Path(shutil.copytree(written, tmp_path / "out"))
    assert report(config, written, kernel_repo, tool_repo) == 0
    assert (written / "2023.md").read_bytes() == first
    # Last year's figures come from 2022.json when it is there: change one, and the post follows it.
    data = json.loads((written / "2023.json").read_text())
    previous = data["previous"]
    previous["kernel"]["authors"]["total_authors"] = 999
    (written / "2022.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION, "stats": previous}))
    assert report(config, written, kernel_repo, tool_repo) == 0
    assert "# 999 authors," in (written / "2023.md").read_text()


def test_gfm_format_and_date(config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path) -> None:
    out = tmp_path / "gfm"
    assert report(config, out, kernel_repo, tool_repo, "--format", "gfm", "--date", "2024-01-02T03:04:05Z") == 0
    gfm = (out / "2023.gfm.md").read_text()
    assert "| range | from_sj | non_sj | non_sj_portion |" in gfm and "```mermaid" in gfm
    # The post's employers, reviews and tests, newcomers sections as tables, from the same figures.
    people = json.loads((out / "2023.json").read_text())["stats"]["kernel"]["involvement"]
    top = people["employers"]["authors"][0]
    assert "#### Employers\n\n| # | employer | commits |" in gfm
    assert f"| 1 | {top['identity']} | {top['commits']} |" in gfm
    for ranking in people["credits"]:
        shown = ranking["key"] in ("Reviewed-by", "Tested-by")
        footer = f"credited by {ranking['key']}, {ranking['total_credits']} {ranking['noun']} in total"
        assert (footer in gfm) == shown
    assert "#### Reviews and tests" in gfm
    assert "#### Newcomers\n\n| # | person | commits |" in gfm
    new = people["newcomers"]["total_authors"]
    assert f"\n{new} {'person' if new == 1 else 'people'} with no commit in" in gfm
    assert "\ndate = 2024-01-02 03:04:05+00:00\n" in (out / "2023.md").read_text()


def test_cached_clones_from_bare_remotes(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, written: Path
) -> None:
    remotes = tmp_path / "remotes"
    for repo, name in ((kernel_repo, "linux"), (tool_repo, "damo")):
        subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remotes / f"{name}.git")], check=True)
    text = CONFIG.replace("https://github.com/torvalds/linux.git", f"file://{remotes}/linux.git")
    text = text.replace("https://github.com/damonitor/damo.git", f"file://{remotes}/damo.git")
    config.write_text(text.split("\ngithub:")[0])  # no web APIs: nothing here reaches the internet
    out, cache = tmp_path / "cached", tmp_path / "cache"
    args = [*report_args(config, out), "--cache-dir", str(cache)]
    assert main([*args, "--offline"]) == 2  # nothing cached yet, and no cloning offline
    assert main(args) == 0  # GitHub and packaging failures only warn (no network here)
    clone = cache / "repos" / "linux.git"
    assert (clone / "shallow").exists()  # only the history the years need
    ours = json.loads((out / "2023.json").read_text())["stats"]
    theirs = json.loads((written / "2023.json").read_text())["stats"]
    # Newcomers: no commit in the previous year's range, which the clone holds as a checkout does.
    new, full_new = ours["kernel"]["involvement"].pop("newcomers"), theirs["kernel"]["involvement"].pop("newcomers")
    assert ours == theirs
    # (a shallow clone: within the previous year's range, which it holds whatever its depth)
    assert new == full_new and new["new_since"] == "v0.9-rc1..v1.1-rc1"
    fmt, damon = "--format=%an <%ae>", ["--", *DAMON]
    seen = set(git_lines(clone, "log", "--no-merges", fmt, "v0.9-rc1..v1.1-rc1", *damon))
    found = Counter(git_lines(clone, "log", "--no-merges", fmt, "v1.1-rc1..v1.4-rc2", *damon))
    assert new["total_authors"] == len({a for a in found if a not in seen}) > 0
    assert main([*args, "--offline"]) == 0  # the cache is enough now


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda c: c.unlink(), "cannot read config"),
        (lambda c: c.write_text("kernel: [unclosed\n"), "retrospect.yml:2: invalid YAML"),
        (
            lambda c: c.write_text(CONFIG.replace("  total_label: linux", "  total_lable: linux")),
            "retrospect.yml:15: kernel.total_lable: unknown key",
        ),
        (
            lambda c: c.write_text(CONFIG.replace("merges: true", "merges: 3")),
            "tools[0].merges: expected bool, got int",
        ),
    ],
)
def test_bad_config(config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys, setup, message) -> None:
    setup(config)
    out = tmp_path / "out"
    assert report(config, out, kernel_repo, tool_repo) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not out.exists() or not any(out.iterdir())


def test_bad_inputs_leave_nothing_behind(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["report", "--config", str(config), "--out", str(out), "--repo", "kernel=/x", "--offline"]) == 2
    assert "unknown repository name 'kernel'" in capsys.readouterr().err
    assert report(config, out, kernel_repo, tool_repo, "--year", "2031") == 2
    assert "dated in 2031" in capsys.readouterr().err
    config.write_text(CONFIG.replace("https://github.com/damonitor/damo.git", f"file://{tmp_path}/nowhere.git"))
    assert main([*report_args(config, out, kernel_repo), "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "nowhere.git" in err and "failed" in err and err.count("\n") == 1, err
    assert not out.exists() or not any(out.iterdir())


def _online_config(config: Path) -> None:
    """GitHub metrics from the loopback API server; no packaging services (they would be the internet)."""
    config.write_text(CONFIG.split("\ngithub:")[0] + "\ngithub:\n  - damonitor/damo\n")


def test_key_events_from_github_and_failures_left_out(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, github_api, capsys
) -> None:
    stars = [(f"user{i}", f"2022-{1 + i % 12:02d}-10T00:00:00Z") for i in range(90)]
    stars += [(f"new{i}", f"2023-08-{1 + i:02d}T00:00:00Z") for i in range(15)]
    github_api.add_repo(
        "damonitor/damo",
        stars=stars,
        releases=[("v1.0", "2023-02-01T00:00:00Z")],
        tags=["v1.0"],
        contributors=["sj", None],
    )
    _online_config(config)
    out = tmp_path / "out"
    args = report_args(config, out, kernel_repo, tool_repo)
    assert main(args) == 0
    post = (out / "2023.md").read_text()
    summary = words(post.split("Key Events")[0])
    assert "'damo' got its 100th GitHub star in August." in summary
    events = words(post.split("Key Events\n==========\n", 1)[1].split("Key Features")[0])
    assert "damo[2], has 105 GitHub stars (15 of them given in 2023) and 1 releases (1 in 2023)." in events
    assert "It got its 100th GitHub star on 2023-08-10." in events
    assert "\n[2] DAMON user-space tool, damo: <https://github.com/damonitor/damo>\\\n" in post
    data = json.loads((out / "2023.json").read_text())
    assert data["extras"]["github"][0]["metrics"]["stars"] == 105
    capsys.readouterr()
    # The API failing does not fail the report, nor reach the post: the reason is on stderr and in the JSON.
    github_api.repos.clear()
    assert main(args) == 0
    post = (out / "2023.md").read_text()
    assert "GitHub stars" not in post and "damonitor/damo" not in post and "unavailable" not in post
    assert "warning: GitHub metrics of damonitor/damo unavailable" in capsys.readouterr().err
    data = json.loads((out / "2023.json").read_text())
    assert "error" in data["extras"]["github"][0] and any("damonitor/damo" in w for w in data["warnings"])


def test_repository_options_of_report(config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, written: Path):
    """--no-cache, --jobs and --cache-dir mean for `report` what they mean for the other repository commands."""
    out, root = tmp_path / "uncached", tmp_path / "root"
    extra = ("--no-cache", "--jobs", "1", "--cache-dir", str(root), "--token", "unused-offline")
    assert report(config, out, kernel_repo, tool_repo, *extra) == 0
    assert not (root / "commits.sqlite").exists()
    ours = json.loads((out / "2023.json").read_text())["stats"]
    assert ours == json.loads((written / "2023.json").read_text())["stats"]
    assert report(config, tmp_path / "cached", kernel_repo, tool_repo, "--cache-dir", str(root)) == 0
    assert (root / "commits.sqlite").exists()  # the commit cache is in the root, beside repos/, http/, github/


def test_key_events_state_the_packaging(written: Path, config: Path) -> None:
    """The packaging figures as a report records them (Repology's distributions, those new since last year's
    report, PyPI downloads) become Key Events sentences with their references."""
    from dataclasses import asdict

    from reporter.report.config import load
    from reporter.services.packaging import Distribution, Downloads, Packaging

    found = Packaging(
        "damo",
        "https://repology.org/project/damo/versions",
        "2023-12-30",
        2,
        [Distribution("Arch Linux", "2.1", True, ["aur"]), Distribution("Fedora", "2.1", True, ["fedora_39"])],
        ["Fedora"],
        [],
    )
    downloads = Downloads(
        "damo",
        2023,
        "https://pypistats.org/packages/damo",
        1234,
        "2023-07-04",
        "2023-12-30",
        180,
        False,
        {"2023-08": 600},
        "2023-08",
        None,
        None,
        None,
        None,
    )
    document = json.loads((written / "2023.json").read_text())
    document["extras"]["packaging"] = [
        {"project": "damo", "packaging": asdict(found), "downloads": asdict(downloads), "warnings": []}
    ]
    post = render_post.post(load(config), document)
    events = words(post.split("Key Events\n==========\n", 1)[1].split("Key Features")[0])
    assert "As of 2023-12-30, Arch Linux and Fedora are packaging damo[2]. New since last year: Fedora." in events
    assert "It was downloaded 1,234 times from PyPI from 2023-07-04 to 2023-12-30[3]." in events
    assert "\n[2] damo packaging status: <https://repology.org/project/damo/versions>\\\n" in post
    summary = words(post.split("Key Events")[0])
    assert "damo has been packaged by 2 distributions, newly by Fedora." in summary


def test_people_figures_equal_git(written: Path, kernel_repo: Path) -> None:
    """Employers, review share and newcomers of the report, each from plain git on the same commits."""
    data = json.loads((written / "2023.json").read_text())
    people = data["stats"]["kernel"]["involvement"]
    selection = ["--no-merges", "v1.1-rc1..v1.4-rc2", "--", *DAMON]
    fmt = "--format=%x00%an%x1f%ae%x1f%(trailers:key=Reviewed-by,key=Acked-by,valueonly,unfold,separator=%x1f)"
    out = subprocess.run(["git", "log", fmt, *selection], cwd=kernel_repo, capture_output=True, text=True).stdout
    commits = [record.rstrip("\n").split("\x1f") for record in out.split("\0")[1:]]
    reviewed = sum(1 for name, email, *values in commits if any(v and f"<{email}>" not in v for v in values))
    assert people["reviewed"]["part"] == reviewed and people["reviewed"]["whole"] == len(commits)
    assert 0 < reviewed < len(commits)  # self-acks do not count, others' reviews do
    amazon = sum(1 for _, email, *_ in commits if email in ("sj@kernel.org",) or email.endswith("@amazon.de"))
    assert people["maintainer_employer"] == "Amazon"
    assert people["outside"] == {
        "part": len(commits) - amazon,
        "whole": len(commits),
        "percent": pytest.approx(100 * (len(commits) - amazon) / len(commits)),
    }
    seen = set(git_lines(kernel_repo, "log", "--no-merges", "--format=%an <%ae>", "v0.9-rc1..v1.1-rc1", "--", *DAMON))
    found = {f"{name} <{email}>" for name, email, *_ in commits}
    assert people["newcomers"]["total_authors"] == len(found - seen)
    tested = git_lines(kernel_repo, "shortlog", "-sne", "--group=trailer:tested-by", *selection)
    credits = {c["key"]: c for c in people["credits"]}
    assert credits["Tested-by"]["total_credits"] == sum(int(line.split("\t")[0]) for line in tested) > 0


def _without_commits(year: dict[str, Any]) -> None:
    """A kernel year as the JSON holds it, emptied: every table count, review and outside share zero."""
    kernel = year["kernel"]
    for table in kernel["tables"].values():
        for row in table["rows"]:
            row.update(dict.fromkeys(table["labels"], 0))
    involvement = kernel["involvement"]
    for key in ("reviewed", "outside"):
        involvement[key] = {"part": 0, "whole": 0, "percent": None}


@pytest.mark.parametrize("empty", ["stats", "previous"])
def test_a_year_without_commits_says_so_in_words(written: Path, config: Path, empty: str) -> None:
    """A share over no commits is not a number: no "-" where a percentage would be, and the words say why."""
    document = json.loads((written / "2023.json").read_text())
    _without_commits(document[empty])
    post = words(render_post.post(load_config(config), document))
    assert not re.search(r"(?:About|about|\(|->) -(?:[ ,.)]|$)", post), post
    assert "no commits to count" in post
    if empty == "stats":
        assert "No share is given here: there were no commits to count it over in 2023." in post
        assert "no value this year, with no commits to count (" in post
    else:
        assert "nothing to compare with, the year before having no commits to count (now " in post


def test_last_years_json_made_from_other_inputs_is_recomputed(
    config: Path, tmp_path: Path, written: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2022.json made with other refs (v1.0..v1.1-rc1 instead of v0.9-rc1..v1.1-rc1) is not 2022 as this run
    would make it: recomputed, with a warning, so the post equals the one made without that file."""
    out = tmp_path / "other"
    config.write_text(CONFIG.replace("  release_pattern:", "  refs: {2022: [v1.0, v1.1-rc1]}\n  release_pattern:"))
    args = report_args(config, out, kernel_repo, tool_repo)
    assert main([*args[:4], "2022", *args[5:], "--offline"]) == 0
    other = json.loads((out / "2022.json").read_text())["stats"]
    assert (
        other["kernel"]["refs"] == ["v1.0", "v1.1-rc1"] and other["inputs"]["kernel"]["refs"] == other["kernel"]["refs"]
    )
    config.write_text(CONFIG)
    capsys.readouterr()
    assert report(config, out, kernel_repo, tool_repo) == 0
    err = capsys.readouterr().err
    assert "2022.json was made from other inputs (kernel.boundaries, kernel.refs differ from this run" in err, err
    assert (out / "2023.md").read_text() == (written / "2023.md").read_text()
    data = json.loads((out / "2023.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["previous"]["kernel"]["refs"] == git_refs_2022(kernel_repo)
    assert data["previous"]["inputs"] == json.loads((written / "2023.json").read_text())["previous"]["inputs"]


def git_refs_2022(kernel_repo: Path) -> list[str]:
    """2022's boundaries as `retrospect ranges` derives them from the tags (the fixture's v0.9-rc1 v1.0 v1.1-rc1)."""
    return [t for t in ("v0.9-rc1", "v1.0", "v1.1-rc1") if git_lines(kernel_repo, "tag", "-l", t)]


# Slow: another reason of the same recomputation, which test_last_years_json_made_from_other_inputs_is_recomputed
# checks in the quick part.
@pytest.mark.slow
def test_last_years_json_of_part_of_that_year_is_recomputed(
    config: Path, tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2022.json written before 2022 ended (--cutoff) holds part of the tool's year: not reused for all of it."""
    out = tmp_path / "partial"
    args = report_args(config, out, kernel_repo, tool_repo)
    assert main([*args[:4], "2022", *args[5:], "--offline", "--cutoff", "2022-10-31"]) == 0
    capsys.readouterr()
    assert report(config, out, kernel_repo, tool_repo) == 0
    err = capsys.readouterr().err
    assert re.search(r"2022\.json was made from other inputs \([^)]*tool_commits[^)]*\)", err), err
