"""Reach beyond GitHub: which distributions package a project (Repology) and its PyPI downloads (pypistats).

Repology's `/api/v1/project/NAME` answers a JSON list of packages, one per repository entry, each with at
least `repo` and `version` and usually `status` ("newest", "outdated", ...); an unknown project is `[]`.
pypistats' `/api/packages/NAME/overall?mirrors=false` answers `{"data": [{"category", "date",
"downloads"}, ...]}`, one row per day for the last ~180 days only.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reporter.errors import UserError
from reporter.services.defaults import PYPISTATS_URL, REPOLOGY_URL
from reporter.services.http import Throttle, get_json

# Repology's terms: no more than one request per second, whoever in this process asks.
_REPOLOGY = Throttle(1.0)

# Repology repository names are a family key, then "_" and a release ("debian_12", "fedora_rawhide",
# "ubuntu_24_04"). Families named for people; anything else is title-cased ("chimera" -> "Chimera").
FAMILY_NAMES: dict[str, str] = {
    "almalinux": "AlmaLinux",
    "alpine": "Alpine Linux",
    "alt": "ALT Linux",
    "altsisyphus": "ALT Linux",
    "aosc": "AOSC OS",
    "arch": "Arch Linux",
    "archlinuxcn": "Arch Linux CN",
    "aur": "Arch Linux",  # the Arch User Repository: the 2023 post counts it as Arch Linux packaging
    "centos": "CentOS",
    "debian": "Debian",
    "deepin": "Deepin",
    "devuan": "Devuan",
    "epel": "Fedora EPEL",
    "fedora": "Fedora",
    "freebsd": "FreeBSD",
    "gentoo": "Gentoo",
    "gnuguix": "GNU Guix",
    "homebrew": "Homebrew",
    "kali": "Kali Linux",
    "macports": "MacPorts",
    "mageia": "Mageia",
    "manjaro": "Manjaro",
    "netbsd": "NetBSD",
    "nix": "Nixpkgs",
    "openbsd": "OpenBSD",
    "openeuler": "openEuler",
    "openmandriva": "OpenMandriva",
    "opensuse": "openSUSE",
    "parabola": "Parabola",
    "pkgsrc": "pkgsrc",
    "postmarketos": "postmarketOS",
    "pureos": "PureOS",
    "raspbian": "Raspbian",
    "slackbuilds": "SlackBuilds",
    "termux": "Termux",
    "trisquel": "Trisquel",
    "ubuntu": "Ubuntu",
    "void": "Void Linux",
}

# Family keys Repology tracks that are upstream registries or catalogues, not distributions: PyPI is
# where the project publishes itself (its downloads are reported apart), Wikidata only describes it.
NOT_DISTRIBUTIONS = frozenset({"cpan", "cran", "crates", "hackage", "luarocks", "npm", "pypi", "rubygems", "wikidata"})

# Statuses of a package no other repository has a newer version of: "devel" is ahead of the newest
# stable release, "unique" is packaged nowhere else.
_CURRENT = frozenset({"newest", "devel", "unique"})


@dataclass
class Distribution:
    name: str  # for people: "Debian"
    version: str  # the newest version packaged in any of its repositories
    current: bool  # Repology counts that version as the newest there is
    repositories: list[str]  # Repology repository names: ["debian_13", "debian_unstable"]


@dataclass
class Packaging:
    project: str
    url: str  # Repology's page for people
    as_of: str  # ISO date the data was fetched: packaging is a state, not a history
    count: int
    distributions: list[Distribution]
    new: list[str] | None  # names not packaging it a year before; None without the previous year's data
    dropped: list[str] | None


@dataclass
class Downloads:
    package: str
    year: int
    url: str  # pypistats' page for people
    downloads: int  # without mirrors, over the covered days only
    first_day: str | None  # ISO date; None when the service holds no day of the year
    last_day: str | None
    days: int
    full_year: bool
    months: dict[str, int]  # "2025-07" -> downloads
    busiest_month: str | None
    previous_downloads: int | None  # the previous year's figure, when its data is given
    previous_first_day: str | None
    previous_last_day: str | None
    change: int | None  # downloads - previous_downloads


def distribution_name(repo: str) -> str | None:
    """Display name of the distribution a Repology repository belongs to; None for registries."""
    family = repo.split("_", 1)[0].lower()
    if family in NOT_DISTRIBUTIONS:
        return None
    return FAMILY_NAMES.get(family, family.title())


def fetch_packaging(
    project: str,
    repology_url: str = REPOLOGY_URL,
    cache_dir: Path | None = None,
    previous: dict[str, Any] | None = None,
) -> Packaging:
    """Distributions packaging `project`, from Repology; `previous`: last year's `asdict(Packaging)`."""
    base = repology_url.rstrip("/")
    api = f"{base}/api/v1/project/{quote(project, safe='')}"
    fetched = get_json("Repology", api, cache_dir, _REPOLOGY)
    distributions = _distributions(_packages(fetched.data, api))
    names = [d.name for d in distributions]
    before = _previous_names(previous) if previous is not None else None
    return Packaging(
        project=project,
        url=f"{base}/project/{quote(project, safe='')}/versions",
        as_of=fetched.fetched_at.date().isoformat(),
        count=len(distributions),
        distributions=distributions,
        new=None if before is None else [n for n in names if n not in before],
        dropped=None if before is None else sorted(set(before) - set(names)),
    )


def fetch_downloads(
    package: str,
    year: int,
    pypistats_url: str = PYPISTATS_URL,
    cache_dir: Path | None = None,
    previous: dict[str, Any] | None = None,
) -> Downloads:
    """PyPI downloads of `package` in `year` (without mirrors); `previous`: last year's `asdict(Downloads)`."""
    base = pypistats_url.rstrip("/")
    name = quote(_pypi_name(package), safe="")
    api = f"{base}/api/packages/{name}/overall?mirrors=false"
    days = _daily_downloads(get_json("pypistats", api, cache_dir).data, api)
    covered = _coverage(days, year)
    in_year = {day: n for day, n in days.items() if covered and covered[0] <= day <= covered[1]}
    months: dict[str, int] = {}
    for day, count in sorted(in_year.items()):
        months[f"{day:%Y-%m}"] = months.get(f"{day:%Y-%m}", 0) + count
    total = sum(in_year.values())
    prev = _previous_downloads(previous, year) if previous is not None else None
    return Downloads(
        package=package,
        year=year,
        url=f"{base}/packages/{name}",
        downloads=total,
        first_day=covered[0].isoformat() if covered else None,
        last_day=covered[1].isoformat() if covered else None,
        days=(covered[1] - covered[0]).days + 1 if covered else 0,
        full_year=covered == (date(year, 1, 1), date(year, 12, 31)),
        months=months,
        busiest_month=max(months, key=months.__getitem__) if months else None,
        previous_downloads=prev["downloads"] if prev else None,
        previous_first_day=prev["first_day"] if prev else None,
        previous_last_day=prev["last_day"] if prev else None,
        change=total - prev["downloads"] if prev else None,
    )


def packaging_section_data(
    project: str,
    year: int,
    pypi_package: str | None = None,
    repology_url: str = REPOLOGY_URL,
    pypistats_url: str = PYPISTATS_URL,
    cache_dir: Path | None = None,
    previous: dict[str, Any] | None = None,
    offline: bool = False,
) -> tuple[Packaging | None, Downloads | None, list[str]]:
    """For the yearly report: never raises for a service's failure, but returns None and a warning line.

    `previous` is last year's `as_json_dict(...)`; `offline` skips both services without touching the
    network or the cache, and says so in the warnings.
    """
    if offline:
        return None, None, [f"packaging and downloads of {project} not fetched: offline"]
    previous = previous or {}
    warnings: list[str] = []
    try:
        packaging = fetch_packaging(project, repology_url, cache_dir, previous.get("packaging"))
    except UserError as err:
        packaging = None
        warnings.append(str(err))
    try:
        package = pypi_package or project
        downloads = fetch_downloads(package, year, pypistats_url, cache_dir, previous.get("downloads"))
    except UserError as err:
        downloads = None
        warnings.append(str(err))
    return packaging, downloads, warnings


def as_json_dict(packaging: Packaging | None, downloads: Downloads | None) -> dict[str, Any]:
    """The JSON shape of `retrospect packaging --format json`, which `--previous` reads back a year later."""
    return {
        "packaging": asdict(packaging) if packaging else None,
        "downloads": asdict(downloads) if downloads else None,
    }


def read_previous(path: Path) -> dict[str, Any]:
    """Last year's `retrospect packaging --format json` output."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UserError(f"cannot read {path}: {err.strerror or err}") from None
    except ValueError as err:
        raise UserError(f"{path}: not JSON: {err}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected an object with 'packaging' and 'downloads'")
    return data


def _packages(data: object, url: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise UserError(f"Repology: unexpected JSON from {url}: expected a list of packages")
    for package in data:
        if not (
            isinstance(package, dict)
            and isinstance(package.get("repo"), str)
            and isinstance(package.get("version"), str)
            and isinstance(package.get("status", ""), str)
        ):
            raise UserError(f"Repology: unexpected JSON from {url}: a package without a 'repo' or 'version'")
    return data


def _version_key(version: str) -> list[int]:
    # Repology's versions are already sanitized; numeric parts order the ones a family can disagree on.
    return [int(part) for part in re.findall(r"\d+", version)]


def _distributions(packages: list[dict[str, Any]]) -> list[Distribution]:
    families: dict[str, list[dict[str, Any]]] = {}
    for package in packages:
        name = distribution_name(package["repo"])
        if name is not None:
            families.setdefault(name, []).append(package)
    result = []
    for name, members in sorted(families.items(), key=lambda item: item[0].lower()):
        current = [p for p in members if p.get("status") in _CURRENT]
        best = max(current or members, key=lambda p: _version_key(p["version"]))
        repos = sorted({p["repo"] for p in members})
        result.append(Distribution(name, best["version"], bool(current), repos))
    return result


def _pypi_name(package: str) -> str:
    """PEP 503's normalized name, the one pypistats files its data under."""
    return re.sub(r"[-_.]+", "-", package).lower()


def _daily_downloads(data: object, url: str) -> dict[date, int]:
    rows = data.get("data") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise UserError(f"pypistats: unexpected JSON from {url}: expected an object with a 'data' list")
    days: dict[date, int] = {}
    for row in rows:
        try:
            if row["category"] != "without_mirrors":
                continue
            count = row["downloads"]
            if not isinstance(count, int) or isinstance(count, bool):
                raise TypeError
            day = date.fromisoformat(row["date"])
        except (KeyError, TypeError, ValueError):
            raise UserError(f"pypistats: unexpected JSON from {url}: a row without date and downloads") from None
        days[day] = days.get(day, 0) + count
    return days


def _coverage(days: dict[date, int], year: int) -> tuple[date, date] | None:
    """First and last day of `year` inside the span the service still holds."""
    if not days:
        return None
    first, last = max(min(days), date(year, 1, 1)), min(max(days), date(year, 12, 31))
    return (first, last) if first <= last else None


def _previous_names(previous: dict[str, Any]) -> set[str]:
    try:
        return {d["name"] for d in previous["distributions"]}
    except (KeyError, TypeError):
        raise UserError("previous packaging data: expected 'distributions' with a 'name' each") from None


def _previous_downloads(previous: dict[str, Any], year: int) -> dict[str, Any] | None:
    """Last year's figures; None when its data was empty (nothing to compare with)."""
    if not isinstance(previous, dict) or not isinstance(previous.get("downloads"), int):
        raise UserError("previous downloads data: expected 'year' and 'downloads'")
    if previous.get("year") != year - 1:
        raise UserError(f"previous downloads data is for {previous.get('year')}, not {year - 1}")
    return previous if previous.get("first_day") else None
