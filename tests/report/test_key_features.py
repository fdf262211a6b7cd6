"""Key Features: the year's patch series in the post, as plain git tells them; the post builds in Hugo."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from command_json import output
from gitcheck import DAMON, expected, git, tag_date
from kernelrepo import CONFIG, UNSTABLE

from reporter.cli import main
from reporter.kernel.series import FeatureRules

SCHEMA = Path(__file__).resolve().parents[2] / "reporter" / "report" / "schema.json"


def plain(markdown: str) -> str:
    """The text a reader sees: markdown's backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture(scope="module")
def written(series_repo: Path, tool_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("features")
    config = out / "retrospect.yml"
    config.write_text(CONFIG.replace("  next_refs: []", f"  next_refs: [{UNSTABLE[0]}]"))
    args = ["report", "--config", str(config), "--year", "2023", "--out", str(out / "out"), "--offline", "--quiet"]
    assert main([*args, "--repo", f"linux={series_repo}", "--repo", f"damo={tool_repo}"]) == 0
    return out / "out"


def in_subsystem(repo: Path, patches: list[str]) -> int:
    return len(git(repo, "log", "--no-walk", "--format=%H", *patches, "--", *DAMON).split())


def features(repo: Path, span: str) -> list[dict]:
    """The series of `span` the default rules call features (by plain git), in release order."""
    rules = FeatureRules()
    found = []
    for s in expected(repo, span).values():
        size = in_subsystem(repo, s["patches"])
        covered = git(repo, "log", "--no-walk", "--format=%H", "--grep=^Patch series", *s["patches"]).strip()
        if size >= rules.min_patches and covered and not re.search(rules.skip, s["title"]):
            found.append(s)
    return sorted(found, key=lambda s: tag_date(repo, s["tag"]) if s["tag"] else 1 << 62)


def test_key_features_name_every_feature_with_its_first_tag(series_repo: Path, written: Path) -> None:
    post = plain((written / "2023.md").read_text())
    section = post.split("Key Features\n====", 1)[1].split("Development Statistics", 1)[0]
    references = dict(re.findall(r"^\[(\d+)\] (.+?): <", post, re.M))
    links = dict(re.findall(r"^\[(\d+)\] .+?: <(.+?)>", post, re.M))
    want = features(series_repo, "v1.1-rc1..v1.4-rc2")
    assert [s["title"] for s in want] == [
        "mm/damon: implement DAMOS filters",
        "mm/damon/sysfs: add quota goals",
        "mm/damon: implement pseudo-moving sum based access rate",
        "mm/damon: feedback-driven auto-tuning",
    ]
    where = []
    for s in want:
        number = re.search(rf'"{re.escape(s["title"])}"\[(\d+)\]', section)
        assert number, s["title"]
        assert references[number.group(1)] == s["title"]
        stamp = git(series_repo, "log", "-1", "--format=%(trailers:key=Link,valueonly)", s["patches"][0])
        key = re.search(r"/([\d.]+)-\d+-(.+)$", stamp.strip())
        assert links[number.group(1)] == f"https://lore.kernel.org/r/{key.group(1)}-1-{key.group(2)}"
        sentence = section[number.start() :].split(".\n", 1)[0]
        assert f"by {s['tag']}" in " ".join(sentence.split())
        if len(s["tags"]) > 1:  # merged by two tags: each named
            assert all(f"by {t}" in " ".join(sentence.split()) for t in s["tags"] if t)
        where.append(number.start())
    assert where == sorted(where)  # in release order
    everything = expected(series_repo, "v1.1-rc1..v1.4-rc2")
    assert f"Besides those, {len(everything) - len(want)} smaller DAMON patch series were merged" in section
    opening = features(series_repo, "v1.0..v1.1-rc1")
    assert [s["title"] for s in opening] == ["mm/damon: implement DAMOS tried regions"]
    started = r'We started 2023 with Linux v1\.1, which delivered\s+"mm/damon: implement DAMOS tried regions"'
    assert re.search(started, section)
    unstable = re.sub(r"\s+", " ", section)
    assert f'"{UNSTABLE[1]}"' in unstable and f"currently merged in {UNSTABLE[0]}" in unstable


def test_the_post_and_series_agree(series_repo: Path, written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads((written / "2023.json").read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    data = document["stats"]["kernel"]
    span = f"{data['refs'][0]}..{data['refs'][-1]}"
    args = ["series", str(series_repo), "--range", span, "--subsystem", "DATA ACCESS MONITOR", "--format", "json"]
    assert main(args) == 0
    assert output("series", capsys.readouterr().out)["series"] == data["series"]["year"]
    post = plain((written / "2023.md").read_text())
    summary = " ".join(post.split("Summary\n=======", 1)[1].split("Key Events", 1)[0].split())
    count = len(data["series"]["year"])
    commits = data["authors"]["total_commits"]
    assert f"DAMON's {commits} commits of 2023 came in {count} patch series, 4 of them features" in summary


@pytest.mark.skipif(shutil.which("hugo") is None, reason="needs Hugo (Debian: apt-get install hugo)")
def test_the_post_builds_in_hugo(written: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "post").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "news"\n')
    (site / "layouts" / "_default" / "single.html").write_text("<h1>{{ .Title }}</h1>\n{{ .Content }}\n")
    shutil.copy(written / "2023.md", site / "content" / "post" / "damon_stats.md")
    # A post that still holds placeholders is a draft: Hugo builds it only when asked to.
    done = subprocess.run(["hugo", "--buildDrafts", "--source", str(site)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = (site / "public" / "post" / "damon_stats" / "index.html").read_text()
    assert "<h1>Looking back on DAMON development in 2023</h1>" in page
    assert '<a href="https://lore.kernel.org/r/20221205230830.144349-1-sj@kernel.org">' in page
    assert "mm/damon: implement DAMOS filters" in page and "\\:" not in page


def test_a_hostile_series_title_prints_as_text() -> None:
    """Titles come from commit messages: they print as markdown text in the sentences and the references."""
    from markdown_it import MarkdownIt

    from reporter.render import post as render_post

    hostile = "**bold** [link](https://evil.example) <img src=x onerror=alert(1)> `x` {{< shortcode >}}"
    env = render_post.environment()
    cited: list[tuple[str, str | None]] = []

    def cite(title: str, url: str | None = None) -> int:
        cited.append((title, url))
        return len(cited)

    macros = env.get_template("retrospect/macros.md.j2")
    item = {"title": hostile, "link": "https://lore.kernel.org/r/1", "parts": [{"tag": "v1", "patches": 2}]}
    series = {
        "release": "v1",
        "delivered": [item],
        "delivered_others": 0,
        "groups": [{"tag": "v2", "released": "May", "whole": True, "series": [item]}],
        "next": [],
        "others": 0,
        "count": 1,
    }
    context = {"series": series, "year": 2023, "total": "Linux", "subsystem": "DAMON", "cite": cite}
    shown = env.get_template("retrospect/parts/features.md.j2").render(
        context | {"m": macros.make_module(context | {"compare": None})}
    )
    html = MarkdownIt("commonmark").render(shown)
    assert "<strong>" not in html and "<a " not in html and "<img" not in html and "<code>" not in html, html
    assert "{{<" not in shown and cited == [(hostile, "https://lore.kernel.org/r/1")] * 2
