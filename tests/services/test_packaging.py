"""Packaging (Repology) and downloads (pypistats) against loopback servers shaped like the real services."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from command_json import validated

import reporter.services.http
from reporter import __version__
from reporter.cli import main
from reporter.errors import UserError
from reporter.render.data import document
from reporter.render.gfm import packaging_md
from reporter.render.text import packaging_summary, packaging_text
from reporter.services.packaging import (
    as_json_dict,
    distribution_name,
    fetch_downloads,
    fetch_packaging,
    packaging_section_data,
)

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

# ------------------------------------------------------------------------------------------ the servers

Body = str | Callable[[dict[str, list[str]]], str]


@dataclass
class Reply:
    status: int = 200
    body: Body = ""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass
class Seen:
    path: str  # with the query
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


class FakeService:
    """A threaded loopback HTTP server answering GETs from a script.

    `routes[path]` is a list of replies given in turn, the last one repeating; a path without a route
    gets `default`. Every request is recorded in `seen`, with its arrival time.
    """

    def __init__(self, default: Reply) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.default = default
        self.seen: list[Seen] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                service.seen.append(Seen(self.path, dict(self.headers), time.monotonic()))
                split = urlsplit(self.path)
                queue = service.routes.get(split.path, [service.default])
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                body = reply.body(parse_qs(split.query)) if callable(reply.body) else reply.body
                data = body.encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll keeps shutdown() quick: it waits for the loop's next turn.
        poll = {"poll_interval": 0.02}
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs=poll, daemon=True)
        self._thread.start()

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if urlsplit(s.path).path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _pkg(repo: str, version: str, status: str, srcname: str = "damo") -> dict:
    return {
        "repo": repo,
        "srcname": srcname,
        "binname": "damo",
        "visiblename": srcname,
        "version": version,
        "origversion": version + "-1",
        "status": status,
        "summary": "Data Access Monitoring Operator",
        "licenses": ["GPL-2.0-only"],
    }


# Shaped like Repology's answer for damo: several repositories per family, one registry (PyPI).
DAMO = [
    _pkg("aur", "2.10.2", "newest"),
    _pkg("arch", "2.9.5", "outdated"),
    _pkg("debian_13", "2.9.5", "outdated"),
    _pkg("debian_unstable", "2.10.2", "newest"),
    _pkg("devuan_6_0", "2.9.5", "outdated"),
    _pkg("devuan_unstable", "2.10.2", "newest"),
    _pkg("fedora_41", "2.9.4", "outdated", "python-damo"),
    _pkg("fedora_rawhide", "2.10.2", "newest", "python-damo"),
    _pkg("fedora_rawhide", "2.0.0", "legacy", "python-damo-compat"),
    _pkg("kali_rolling", "2.10.2", "newest"),
    _pkg("raspbian_testing", "2.9.5", "outdated"),
    _pkg("ubuntu_24_04", "2.9.5", "outdated"),  # "2.9.5" > "2.10.0" as text: numbers must order them
    _pkg("ubuntu_25_04", "2.10.0", "outdated"),
    _pkg("pypi", "2.10.2", "newest"),
]
SEVEN = ["Arch Linux", "Debian", "Devuan", "Fedora", "Kali Linux", "Raspbian", "Ubuntu"]


def _rows(first: date, last: date, per_day: Callable[[date], int]) -> list[dict]:
    rows, day = [], first
    while day <= last:
        n = per_day(day)
        rows.append({"category": "with_mirrors", "date": day.isoformat(), "downloads": 2 * n + 3})
        rows.append({"category": "without_mirrors", "date": day.isoformat(), "downloads": n})
        day += timedelta(days=1)
    return rows


def _overall(package: str, rows: list[dict]) -> Body:
    """pypistats' /overall: `mirrors=false` keeps the without_mirrors series only, as the real one does."""

    def body(query: dict[str, list[str]]) -> str:
        mirrors = query.get("mirrors", [""])[0]
        wanted = {"false": {"without_mirrors"}, "true": {"with_mirrors"}}.get(mirrors)
        data = [r for r in rows if wanted is None or r["category"] in wanted]
        return json.dumps({"data": data, "package": package, "type": "overall_downloads"})

    return body


# 180 days as pypistats keeps them, seen on Nov 26, 2025: month m has m*10 downloads a day.
DAMO_ROWS = _rows(date(2025, 5, 30), date(2025, 11, 25), lambda d: d.month * 10)
DAMO_2025 = 2 * 50 + 30 * 60 + 31 * 70 + 31 * 80 + 30 * 90 + 31 * 100 + 25 * 110  # = 15,100


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Nothing may land in the real ~/.cache, and failing tests should not sleep for seconds.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(reporter.services.http, "BACKOFF", 0.01)


@pytest.fixture(scope="module")
def repology() -> Iterator[FakeService]:
    # Module-wide, as its requests are spaced by 1 s whatever the server; unknown projects are [].
    service = FakeService(Reply(body="[]"))
    service.routes["/api/v1/project/damo"] = [Reply(body=json.dumps(DAMO))]
    yield service
    service.close()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One day cache for the tests that only read damo's packaging: Repology is asked once."""
    return tmp_path_factory.mktemp("http")


@pytest.fixture
def pypistats() -> Iterator[FakeService]:
    service = FakeService(Reply(404, '{"message": "Not Found"}'))
    service.routes["/api/packages/damo/overall"] = [Reply(body=_overall("damo", DAMO_ROWS))]
    yield service
    service.close()


# ------------------------------------------------------------------------------------------- packaging


def test_distributions_grouped_by_family(repology: FakeService, shared_cache: Path) -> None:
    packaging = fetch_packaging("damo", repology.url, shared_cache)
    assert packaging.count == 7
    assert [d.name for d in packaging.distributions] == SEVEN
    by_name = {d.name: d for d in packaging.distributions}
    assert by_name["Arch Linux"].repositories == ["arch", "aur"]
    assert by_name["Fedora"].repositories == ["fedora_41", "fedora_rawhide"]
    assert (by_name["Fedora"].version, by_name["Fedora"].current) == ("2.10.2", True)
    assert (by_name["Raspbian"].version, by_name["Raspbian"].current) == ("2.9.5", False)
    assert (by_name["Ubuntu"].version, by_name["Ubuntu"].current) == ("2.10.0", False)
    assert packaging.new is None and packaging.dropped is None
    assert packaging.url == f"{repology.url}/project/damo/versions"
    assert packaging.as_of == datetime.now(UTC).date().isoformat()


def test_user_agent_names_retrospect_and_version(repology: FakeService, shared_cache: Path) -> None:
    fetch_packaging("damo", repology.url, shared_cache)
    agent = repology.hits("/api/v1/project/damo")[0].headers["User-Agent"]
    assert agent.startswith(f"retrospect/{__version__}")


def test_new_and_dropped_against_previous_year(repology: FakeService, shared_cache: Path) -> None:
    previous = {"distributions": [{"name": "Arch Linux"}, {"name": "Fedora"}, {"name": "Gentoo"}]}
    packaging = fetch_packaging("damo", repology.url, shared_cache, previous)
    assert packaging.new == ["Debian", "Devuan", "Kali Linux", "Raspbian", "Ubuntu"]
    assert packaging.dropped == ["Gentoo"]
    with pytest.raises(UserError, match="previous packaging data"):
        fetch_packaging("damo", repology.url, shared_cache, {"distros": []})


def test_family_names() -> None:
    assert distribution_name("debian_unstable") == distribution_name("debian_12") == "Debian"
    assert distribution_name("opensuse_tumbleweed") == "openSUSE"
    assert distribution_name("chimera") == "Chimera"  # not in the table: title-cased
    assert distribution_name("pypi") is None
    assert distribution_name("crates_io") is None


def test_day_cache(repology: FakeService, tmp_path: Path) -> None:
    path = "/api/v1/project/damo"
    before = len(repology.hits(path))
    first = fetch_packaging("damo", repology.url, tmp_path)
    second = fetch_packaging("damo", repology.url, tmp_path)
    assert len(repology.hits(path)) == before + 1
    assert second == first
    # Once the lifetime has passed, the entry is stale and the service is asked again.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reporter.services.http, "CACHE_LIFETIME", 1)
        fetch_packaging("damo", repology.url, tmp_path / "short")
        time.sleep(1.1)
        fetch_packaging("damo", repology.url, tmp_path / "short")
    assert len(repology.hits(path)) == before + 3


def test_repology_requests_are_a_second_apart(repology: FakeService, tmp_path: Path) -> None:
    start = len(repology.seen)
    for project in ("one", "two"):
        fetch_packaging(project, repology.url, tmp_path)
    first, second = repology.seen[start:]
    assert second.at - first.at >= 1.0


def test_missing_project_is_packaged_nowhere(repology: FakeService, tmp_path: Path) -> None:
    # Repology answers 200 and [] for a project it does not know.
    packaging = fetch_packaging("no-such-tool", repology.url, tmp_path)
    assert (packaging.count, packaging.distributions) == (0, [])
    assert packaging_summary("no-such-tool", packaging, None) == (
        "no-such-tool is packaged by no distribution known to Repology."
    )


def test_unexpected_repology_json(repology: FakeService, tmp_path: Path) -> None:
    repology.routes["/api/v1/project/odd"] = [Reply(body='{"repo": "debian_12"}')]
    repology.routes["/api/v1/project/noversion"] = [Reply(body='[{"repo": "debian_12"}]')]
    odd = r"^Repology: unexpected JSON from http://127\.0\.0\.1:\d+/api/v1/project/odd: expected a list"
    with pytest.raises(UserError, match=odd):
        fetch_packaging("odd", repology.url, tmp_path)
    with pytest.raises(UserError, match="without a 'repo' or 'version'"):
        fetch_packaging("noversion", repology.url, tmp_path)


# ------------------------------------------------------------------------------------------- downloads


def test_downloads_in_a_partly_kept_year(pypistats: FakeService, tmp_path: Path) -> None:
    downloads = fetch_downloads("damo", 2025, pypistats.url, tmp_path)
    assert downloads.downloads == DAMO_2025 == 15_100
    assert (downloads.first_day, downloads.last_day, downloads.days) == ("2025-05-30", "2025-11-25", 180)
    assert not downloads.full_year
    assert downloads.busiest_month == "2025-10"
    assert downloads.months["2025-05"] == 100 and downloads.months["2025-11"] == 2750
    assert downloads.change is None
    [seen] = pypistats.seen
    assert seen.path == "/api/packages/damo/overall?mirrors=false"
    assert seen.headers["User-Agent"].startswith(f"retrospect/{__version__}")
    assert packaging_summary("damo", None, downloads) == (
        "damo had 15,100 downloads from PyPI in 2025 (May 30 - Nov 25 only: pypistats keeps 180 days)."
    )


def test_coverage_statements(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/tail/overall"] = [
        Reply(body=_overall("tail", _rows(date(2024, 7, 15), date(2025, 1, 10), lambda d: 7)))
    ]
    pypistats.routes["/api/packages/whole/overall"] = [
        Reply(body=_overall("whole", _rows(date(2022, 12, 1), date(2024, 1, 5), lambda d: 1)))
    ]
    tail = fetch_downloads("tail", 2024, pypistats.url, tmp_path)
    assert (tail.downloads, tail.first_day, tail.last_day) == (170 * 7, "2024-07-15", "2024-12-31")
    assert "(Jul 15 - Dec 31 only: pypistats keeps 180 days)" in packaging_summary("tail", None, tail)
    whole = fetch_downloads("whole", 2023, pypistats.url, tmp_path)
    assert (whole.downloads, whole.full_year, whole.days) == (365, True, 365)
    assert packaging_summary("whole", None, whole) == "whole had 365 downloads from PyPI in 2023."
    gone = fetch_downloads("damo", 2024, pypistats.url, tmp_path)  # from the cache: nothing kept of 2024
    assert (gone.downloads, gone.first_day, gone.busiest_month) == (0, None, None)
    assert packaging_summary("damo", None, gone) == ("damo: no PyPI download data for 2024 (pypistats keeps 180 days).")
    ongoing = fetch_downloads("tail", 2025, pypistats.url, tmp_path)
    assert "(Jan 1 - Jan 10 only: the latest data)" in packaging_summary("tail", None, ongoing)


def test_change_against_previous_year(pypistats: FakeService, tmp_path: Path) -> None:
    previous = {"year": 2024, "downloads": 10_000, "first_day": "2024-07-01", "last_day": "2024-12-31"}
    downloads = fetch_downloads("damo", 2025, pypistats.url, tmp_path, previous)
    assert (downloads.previous_downloads, downloads.change) == (10_000, 5_100)
    assert "Against 2024: +5,100, +51% (10,000 over Jul 1 - Dec 31)" in packaging_text(None, downloads)
    with pytest.raises(UserError, match="previous downloads data is for 2023, not 2024"):
        fetch_downloads("damo", 2025, pypistats.url, tmp_path, {**previous, "year": 2023})


def test_pypi_name_is_normalized(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/my-tool/overall"] = [Reply(body=_overall("my-tool", DAMO_ROWS))]
    assert fetch_downloads("My_Tool", 2025, pypistats.url, tmp_path).downloads == DAMO_2025


# ------------------------------------------------------------------------------------ failures of HTTP


def test_429_honours_retry_after(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [
        Reply(429, "Too Many Requests", {"Retry-After": "1"}),
        Reply(body=_overall("damo", DAMO_ROWS)),
    ]
    assert fetch_downloads("damo", 2025, pypistats.url, tmp_path).downloads == DAMO_2025
    first, second = pypistats.seen
    assert second.at - first.at >= 1.0  # the retry delays are 0.01 s here: the wait is Retry-After's


def test_429_with_a_long_retry_after_fails_at_once(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(429, "Too Many Requests", {"Retry-After": "3600"})]
    with pytest.raises(UserError, match=r"^pypistats: rate limited at .*: asked to retry after 3600 s$"):
        fetch_downloads("damo", 2025, pypistats.url, tmp_path)
    assert len(pypistats.seen) == 1


def test_429_that_persists(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(429, "Too Many Requests", {"Retry-After": "0"})]
    with pytest.raises(UserError, match=r"still rate limited .* after 3 attempts"):
        fetch_downloads("damo", 2025, pypistats.url, tmp_path)
    assert len(pypistats.seen) == 3


def test_500_is_retried(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(500, "oops"), Reply(body=_overall("damo", DAMO_ROWS))]
    assert fetch_downloads("damo", 2025, pypistats.url, tmp_path).downloads == DAMO_2025
    assert len(pypistats.seen) == 2


def test_500_that_persists(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(500, "oops")]
    with pytest.raises(UserError, match=r"^pypistats: HTTP 500 Internal Server Error from .* after 3 attempts$"):
        fetch_downloads("damo", 2025, pypistats.url, tmp_path)
    assert len(pypistats.seen) == 3


def test_unknown_package_is_404(pypistats: FakeService, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^pypistats: HTTP 404 Not Found from .*/api/packages/nope/overall"):
        fetch_downloads("nope", 2025, pypistats.url, tmp_path)
    assert len(pypistats.seen) == 1  # a 4xx is not retried


def test_malformed_json_is_not_cached(pypistats: FakeService, tmp_path: Path) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(body='{"data": [')]
    for _ in range(2):
        with pytest.raises(UserError, match=r"^pypistats: malformed JSON from .*: Expecting value"):
            fetch_downloads("damo", 2025, pypistats.url, tmp_path)
    assert len(pypistats.seen) == 2


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '{"data": {}}',
        '{"data": [{"category": "without_mirrors", "date": "2025-13-01", "downloads": 1}]}',
        '{"data": [{"category": "without_mirrors", "date": "2025-01-01", "downloads": "1"}]}',
        '{"data": [{"date": "2025-01-01", "downloads": 1}]}',
    ],
)
def test_unexpected_pypistats_json(pypistats: FakeService, tmp_path: Path, body: str) -> None:
    pypistats.routes["/api/packages/damo/overall"] = [Reply(body=body)]
    with pytest.raises(UserError, match=r"^pypistats: unexpected JSON from "):
        fetch_downloads("damo", 2025, pypistats.url, tmp_path)


def test_unreachable_service(tmp_path: Path) -> None:
    closed = FakeService(Reply())
    closed.close()
    refused = r"^pypistats: cannot reach http://127\.0\.0\.1:\d+/.*: Connection refused$"
    with pytest.raises(UserError, match=refused):
        fetch_downloads("damo", 2025, closed.url, tmp_path)


# ---------------------------------------------------------------------------------- the yearly report


def test_section_data_never_raises(repology: FakeService, pypistats: FakeService, tmp_path: Path) -> None:
    repology.routes["/api/v1/project/broken"] = [Reply(body="<html>maintenance</html>")]
    pypistats.routes["/api/packages/broken/overall"] = [Reply(body=_overall("broken", DAMO_ROWS))]
    packaging, downloads, warnings = packaging_section_data(
        "broken", 2025, repology_url=repology.url, pypistats_url=pypistats.url, cache_dir=tmp_path
    )
    assert packaging is None and downloads is not None and downloads.downloads == DAMO_2025
    assert len(warnings) == 1 and warnings[0].startswith("Repology: malformed JSON from ")
    md = packaging_md(packaging, downloads, warnings)
    assert "> **Warning:** Repology: malformed JSON" in md


def test_offline_skips_the_network(repology: FakeService, pypistats: FakeService, tmp_path: Path) -> None:
    before = len(repology.seen)
    result = packaging_section_data(
        "damo", 2025, repology_url=repology.url, pypistats_url=pypistats.url, cache_dir=tmp_path, offline=True
    )
    assert result == (None, None, ["packaging and downloads of damo not fetched: offline"])
    assert len(repology.seen) == before and pypistats.seen == []


def test_summary_sentence(repology: FakeService, pypistats: FakeService, shared_cache: Path) -> None:
    packaging, downloads, warnings = packaging_section_data(
        "damo",
        2025,
        repology_url=repology.url,
        pypistats_url=pypistats.url,
        cache_dir=shared_cache,
        previous={"packaging": {"distributions": [{"name": n} for n in SEVEN if n != "Kali Linux"]}},
    )
    assert warnings == []
    assert packaging_summary("damo", packaging, downloads) == (
        "damo is packaged by 7 distributions: Arch Linux, Debian, Devuan, Fedora, Kali Linux, Raspbian and Ubuntu"
        " (new this year: Kali Linux); 15,100 downloads from PyPI in 2025"
        " (May 30 - Nov 25 only: pypistats keeps 180 days)."
    )


# ------------------------------------------------------------------------------------------------- CLI


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["packaging", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_formats_and_previous(
    repology: FakeService,
    pypistats: FakeService,
    shared_cache: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    common = [
        "damo",
        "--year",
        "2025",
        "--repology-url",
        repology.url,
        "--pypistats-url",
        pypistats.url,
        "--cache-dir",
        str(shared_cache),
    ]
    status, out, err = _cli(capsys, *common)
    assert (status, err) == (0, "")
    assert "damo in distributions (Repology, as of " in out
    assert "Ubuntu        2.10.0   no       ubuntu_24_04, ubuntu_25_04\n" in out
    assert "Busiest month: October 2025 (3,100)\n" in out

    status, out, _ = _cli(capsys, *common, "--format", "md")
    assert status == 0 and out.startswith("## Packaging and downloads\n\n")
    assert "| Distribution | Version | Current | Repositories |\n| --- | --- | --- | --- |\n" in out
    assert "| Arch Linux | 2.10.2 | yes | arch, aur |\n" in out

    status, out, _ = _cli(capsys, *common, "--format", "json")
    saved = validated("packaging", out)
    assert saved["packaging"]["count"] == 7 and saved["downloads"]["downloads"] == DAMO_2025
    # A year later, this output is --previous: same data, so nothing new and no change.
    last_year = tmp_path / "2025.json"
    saved["downloads"]["year"] = 2024
    last_year.write_text(json.dumps(saved))
    status, out, _ = _cli(capsys, *common, "--previous", str(last_year), "--format", "json")
    again = validated("packaging", out)
    assert again["packaging"]["new"] == [] and again["downloads"]["change"] == 0
    assert again == json.loads(json.dumps(document("packaging", as_json_dict(*_from(again)))))


def _from(saved: dict) -> tuple:
    from reporter.services.packaging import Distribution, Downloads, Packaging

    p = dict(saved["packaging"], distributions=[Distribution(**d) for d in saved["packaging"]["distributions"]])
    return Packaging(**p), Downloads(**saved["downloads"])


@pytest.mark.parametrize(
    ("route", "reply", "message"),
    [
        ("/api/packages/damo/overall", Reply(500, "oops"), "pypistats: HTTP 500 Internal Server Error from "),
        ("/api/packages/damo/overall", Reply(body="not json"), "pypistats: malformed JSON from "),
        ("/api/packages/damo/overall", Reply(429, "", {"Retry-After": "999"}), "pypistats: rate limited at "),
        ("/api/packages/damo/overall", Reply(body="{}"), "pypistats: unexpected JSON from "),
    ],
)
def test_cli_failures_are_one_line(
    repology: FakeService,
    pypistats: FakeService,
    shared_cache: Path,
    capsys: pytest.CaptureFixture[str],
    route: str,
    reply: Reply,
    message: str,
) -> None:
    pypistats.routes[route] = [reply]
    status, out, err = _cli(
        capsys,
        "damo",
        "--repology-url",
        repology.url,
        "--pypistats-url",
        pypistats.url,
        "--cache-dir",
        str(shared_cache),
    )
    assert (status, out) == (2, "")
    assert err.startswith(f"retrospect: error: {message}") and err.count("\n") == 1


def test_cli_repology_failure_and_bad_previous(
    repology: FakeService, pypistats: FakeService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repology.routes["/api/v1/project/weird"] = [Reply(body='{"not": "a list"}')]
    status, out, err = _cli(
        capsys, "weird", "--repology-url", repology.url, "--pypistats-url", pypistats.url, "--cache-dir", str(tmp_path)
    )
    assert (status, out) == (2, "") and err.startswith("retrospect: error: Repology: unexpected JSON from ")
    bad = tmp_path / "prev.json"
    bad.write_text("{oops")
    status, out, err = _cli(capsys, "damo", "--previous", str(bad))
    assert (status, out) == (2, "") and err.startswith(f"retrospect: error: {bad}: not JSON: ")
    assert err.count("\n") == 1


def test_mirror_downloads_never_count(pypistats: FakeService, tmp_path: Path) -> None:
    # Even a server that ignores `mirrors=false` and sends both series yields the figure without mirrors.
    both = json.dumps({"data": DAMO_ROWS, "package": "damo", "type": "overall_downloads"})
    pypistats.routes["/api/packages/damo/overall"] = [Reply(body=both)]
    assert fetch_downloads("damo", 2025, pypistats.url, tmp_path).downloads == DAMO_2025


def test_default_cache_is_under_xdg_cache_home(pypistats: FakeService, tmp_path: Path) -> None:
    fetch_downloads("damo", 2025, pypistats.url)  # the autouse fixture points XDG_CACHE_HOME at tmp_path/xdg
    assert (tmp_path / "xdg" / "retrospect" / "http" / "responses.sqlite").is_file()
