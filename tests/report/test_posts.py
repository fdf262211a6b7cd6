"""Last year's post found in a news repository (a Hugo site in git) by its title or the configured path, and
its URL from the site's baseURL and permalinks or the configured pattern; the repository's names and titles
stay data."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from kernelrepo import CONFIG, Builder, ts

from reporter.cli import main
from reporter.git import walk
from reporter.report import posts

TITLE = "Looking back on DAMON development in 2022"
SITE = ("Site", "site@example.org")


def page(title: str, **front: str) -> str:
    lines = [f"title = {title!r}", *(f"{key} = {value!r}" for key, value in front.items())]
    return "+++\n" + "\n".join(lines) + "\n+++\n\nThe post.\n"


def news(path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> Path:
    """A news repository: one commit of `files` and symbolic links (`links`: path -> target)."""
    b = Builder(path)
    for name, target in (links or {}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path / name)
    b.commit("site", SITE, ts("2023-01-05T00:00:00"), files=dict(files))
    return path


def find(repo: Path, rules: posts.Rules, year: int = 2022) -> posts.Found | None:
    return posts.find(walk.open_repo(repo), "HEAD", year, rules)


HUGO = 'baseURL = "https://sjp38.github.io/"\ntitle = "A site"\n'


def test_found_by_its_title_and_linked_as_hugo_does(tmp_path: Path) -> None:
    repo = news(
        tmp_path / "news",
        {
            "hugo.toml": HUGO,
            "content/post/damon_stats.md": page("DAMON statistics"),
            "content/post/damon-2021.md": page("Looking back on DAMON development in 2021"),
            "content/post/damon-2022.md": "---\ntitle: Looking  back on DAMON\n  development in 2022\n---\n",
            "content/post/bundle/index.md": "---\ntitle: Looking back on DAMON development in 2020\n---\n",
        },
    )
    assert find(repo, posts.Rules(TITLE)) == posts.Found(
        "content/post/damon-2022.md", "https://sjp38.github.io/post/damon-2022/"
    )
    found = find(repo, posts.Rules("Looking back on DAMON development in 2020"), 2020)
    assert found == posts.Found("content/post/bundle/index.md", "https://sjp38.github.io/post/bundle/")
    assert find(repo, posts.Rules("Looking back on DAMON development in 2019"), 2019) is None


def test_permalinks_and_front_matter(tmp_path: Path) -> None:
    site = HUGO + '[permalinks]\npost = "/:year/:month/:slug/"\n'
    repo = news(
        tmp_path / "news", {"config.toml": site, "content/post/x.md": page(TITLE, slug="retro 2022", date="2023-01-02")}
    )
    assert find(repo, posts.Rules(TITLE)) == posts.Found(
        "content/post/x.md", "https://sjp38.github.io/2023/01/retro%202022/"
    )
    repo = news(tmp_path / "url", {"hugo.toml": HUGO, "content/post/y.md": page(TITLE, url="/blog/damon-2022/")})
    assert find(repo, posts.Rules(TITLE)) == posts.Found(
        "content/post/y.md", "https://sjp38.github.io/blog/damon-2022/"
    )


def test_configured_path_and_url(tmp_path: Path) -> None:
    repo = news(
        tmp_path / "news", {"content/post/stats-2022.md": "no front matter\n", "content/post/a.md": page(TITLE)}
    )
    rules = posts.Rules(TITLE, "content/post/stats-{year}.md", "https://example.org/{year}/{name}/")
    assert find(repo, rules) == posts.Found("content/post/stats-2022.md", "https://example.org/2022/stats-2022/")
    assert find(repo, posts.Rules(TITLE)) == posts.Found("content/post/a.md", None)  # no baseURL, no pattern


def test_names_and_titles_stay_data(tmp_path: Path) -> None:
    """A title with regex characters is matched as text; a symbolic link (to a file with the title, or out of
    the repository) is no post; a page outside the content directory is none either; a slug is
    percent-encoded into the URL, and a baseURL that is no http(s) URL gives none."""
    title = "Looking back on DAMON (.*) development in 2022"
    repo = news(
        tmp_path / "news",
        {
            "hugo.toml": HUGO,
            "content/post/decoy.md": page("Looking back on DAMON (x) development in 2022"),
            "notes/real.md": page(title),
            "content/post/hostile.md": page(TITLE, slug='x"><script>alert(1)</script>'),
        },
        {"content/post/link.md": "../../notes/real.md", "content/post/out.md": "/etc/hostname"},
    )
    assert find(repo, posts.Rules(title)) is None
    found = find(repo, posts.Rules(TITLE))
    assert (
        found is not None
        and found.url == "https://sjp38.github.io/post/x%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E/"
    )
    evil = news(tmp_path / "evil", {"hugo.toml": 'baseURL = "javascript:alert(1)//"\n', "content/p.md": page(TITLE)})
    assert find(evil, posts.Rules(TITLE)) == posts.Found("content/p.md", None)


def report(tmp_path: Path, kernel: Path, tool: Path, config: dict[str, object], *more: str) -> str:
    tmp_path.mkdir()
    path = tmp_path / "retrospect.yml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    args = ["report", "--config", str(path), "--year", "2023", "--out", str(out), "--quiet", "--offline", *more]
    assert main([*args, "--repo", f"linux={kernel}", "--repo", f"damo={tool}"]) == 0
    return (out / "2023.md").read_text()


def reference(post: str) -> str | None:
    found = re.search(r"^\[\d+\] 2022 retrospect: <(\S+)>", post, re.M)
    return found.group(1) if found else None


def test_the_report_links_last_years_post_from_the_news_repository(
    tmp_path: Path, kernel_repo: Path, tool_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = news(tmp_path / "news", {"hugo.toml": HUGO, "content/post/damon-2022.md": page(TITLE)})
    config = yaml.safe_load(CONFIG)
    config["posts"] = {}
    post = report(tmp_path / "a", kernel_repo, tool_repo, config, "--news-repo", str(repo))
    assert reference(post) == "https://sjp38.github.io/post/damon-2022/"
    assert "set posts.2022" not in post
    config["publish"]["news_repository"] = str(repo)  # a local news repository is looked in too
    assert (
        reference(report(tmp_path / "b", kernel_repo, tool_repo, config)) == "https://sjp38.github.io/post/damon-2022/"
    )
    config["posts"] = {2022: "https://lore.kernel.org/damon/20221229171209.162356-1-sj@kernel.org/"}
    post = report(tmp_path / "c", kernel_repo, tool_repo, config)  # the configuration wins
    assert reference(post) == config["posts"][2022]
    config["posts"] = {}
    config["title"] = "DAMON in {year}"
    capsys.readouterr()
    post = report(tmp_path / "d", kernel_repo, tool_repo, config)
    assert reference(post) is None and "set posts.2022 in the config" in post
    assert "no 2022 post titled 'DAMON in 2022' in the news repository news" in capsys.readouterr().err


@pytest.mark.parametrize("publish", [{"post_url": "https://x.org/{slug.__class__}/"}, {"post_path": "{path}.md"}])
def test_patterns_name_only_their_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], publish: dict[str, str]
) -> None:
    config = yaml.safe_load(CONFIG)
    config["publish"] = publish
    path = tmp_path / "retrospect.yml"
    path.write_text(yaml.safe_dump(config))
    assert main(["config", "--check", str(path)]) == 2
    assert "only {" in capsys.readouterr().err
