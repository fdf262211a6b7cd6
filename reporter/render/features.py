"""Key Features' values: the year's patch series told in release order, as the post's sentences need them.

Which series are features is the configuration's choice (`kernel.features`); the rest are counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reporter.kernel.series import FeatureRules, Series
from reporter.render import data as render_data


def released(moment: int | None, year: int) -> str | None:
    """`March`, or `January 2024` outside the post's year; None for no date."""
    if moment is None:
        return None
    when = datetime.fromtimestamp(moment, UTC)
    return f"{when:%B}" if when.year == year else f"{when:%B %Y}"


def _item(s: Series, year: int) -> dict[str, Any]:
    return {
        "title": s.title,
        "link": s.link,
        "tag": s.tag,
        "released": released(s.tag_date, year),
        "parts": [{"tag": tag, "patches": count} for tag, count in s.tags],
        "patches": s.subsystem_patches,
    }


def _groups(features: list[Series], year: int) -> list[dict[str, Any]]:
    """The features by their first tag, in release order: a series merged by one tag shares its sentence
    with the others of that tag; one merged in parts, or not all merged yet, has a sentence of its own."""
    groups: list[dict[str, Any]] = []
    for s in features:
        whole = not s.split and s.tag is not None
        if whole and groups and groups[-1]["whole"] and groups[-1]["tag"] == s.tag:
            groups[-1]["series"].append(_item(s, year))
            continue
        groups.append(
            {"tag": s.tag, "released": released(s.tag_date, year), "whole": whole, "series": [_item(s, year)]}
        )
    return groups


def values(rules: FeatureRules, year: int, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The template's `series`: the first release and what it delivered, the year's features grouped by the
    tag that took them, the development tree's, and how many other series there were."""
    if data is None:
        return None
    found = render_data.series_year_from(data)
    features = [s for s in found.year if rules(s)]
    delivered = [s for s in found.delivered if rules(s)]
    pending = [s for s in found.next if rules(s)]
    return {
        "release": found.release,
        "released": released(found.release_date, year),
        "delivered": [_item(s, year) for s in delivered],
        "delivered_others": len(found.delivered) - len(delivered),
        "groups": _groups(features, year),
        "count": len(found.year),
        "features": len(features),
        "feature_titles": [s.title for s in features],
        "others": len(found.year) - len(features),
        "next_refs": found.next_refs,
        "next": [_item(s, year) for s in pending],
        "lines": sum(s.lines for s in found.year),
    }
